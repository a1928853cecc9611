"""Bad input never crashes anything: malformed cases and goldens each get a clear
error naming the file and field, the other cases still run, and a wrong golden
fails with a readable diff and the conformance-failure exit code."""
import http.server
import json
import shutil
import threading

import pytest

from conftest import ROOT, run_cli

EXIT_FAIL, EXIT_INVALID = 1, 3


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A fake target: GET (the capability probe) gets a 404, which means "no
    control interface"; subclasses answer POST (the ECR API) badly."""

    def do_GET(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def reply(self, status, data):
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


def run_against(handler, tmp_path):
    """Runs the private case tree against a fake target on 127.0.0.1:0, always stopping it."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        p = run_cli("run", "--endpoint", url, "--report-dir", tmp_path / "reports",
                    "--no-progress", "--timeout", "10", tmp_path / "cases", cwd=tmp_path)
    finally:
        srv.shutdown()
        srv.server_close()
    return p, url


def doc_example_case():
    for p in sorted((ROOT / "cases").rglob("*.json")):
        if "manifests" in p.parts:
            continue
        c = json.loads(p.read_text())
        if "behaviour:documentation-example" in c.get("covers", []):
            return p, c
    pytest.fail("no case covers behaviour:documentation-example")


def make_tree(tmp_path):
    """A private copy of one good case (the documentation example) with its goldens."""
    src, case = doc_example_case()
    (tmp_path / "cases" / "bdi").mkdir(parents=True)
    shutil.copytree(ROOT / "cases" / "manifests", tmp_path / "cases" / "manifests")
    shutil.copytree(ROOT / "cases" / "blobs", tmp_path / "cases" / "blobs")
    shutil.copy(src, tmp_path / "cases" / "bdi" / src.name)
    shutil.copytree(ROOT / "golden" / case["id"], tmp_path / "golden" / case["id"])
    # goldens cite docs/ECR-BEHAVIOUR.md by anchor; lint looks for it above them
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "ECR-BEHAVIOUR.md", tmp_path / "docs" / "ECR-BEHAVIOUR.md")
    return case


BAD_CASES = {
    # file name -> (content, text the error must contain)
    "not-json.json": ('{"id": "not-json", "summary": ', "not-json.json"),
    "empty.json": ("", "empty.json"),
    "array.json": ("[1, 2, 3]", "array.json"),
    "no-id.json": (json.dumps({"summary": "x", "covers": ["behaviour:x"], "steps": []}), "id"),
    "wrong-types.json": (json.dumps({"id": "wrong-types", "summary": 7, "covers": "nope",
                                     "steps": {}}), "summary"),
    "unknown-var.json": (json.dumps({
        "id": "unknown-var", "summary": "s", "covers": ["behaviour:x"],
        "fixture": {"repositories": [{"name": "r"}]},
        "steps": [{"name": "delete", "operation": "BatchDeleteImage",
                   "input": {"repositoryName": "${repo:nope}", "imageIds": [{"imageTag": "a"}]}},
                  {"name": "state", "operation": "ListImages",
                   "input": {"repositoryName": "${repo:r}"}}]}), "repo:nope"),
    "missing-manifest.json": (json.dumps({
        "id": "missing-manifest", "summary": "s", "covers": ["behaviour:x"],
        "fixture": {"repositories": [{"name": "r", "images": [
            {"id": "a", "manifest": "manifests/does-not-exist.json", "tags": ["t"]}]}]},
        "steps": [{"name": "state", "operation": "ListImages",
                   "input": {"repositoryName": "${repo:r}"}}]}), "does-not-exist.json"),
}


def test_lint_reports_every_bad_file_with_file_field_message(ecrconform_bin, tmp_path):
    make_tree(tmp_path)
    for name, (content, _) in BAD_CASES.items():
        (tmp_path / "cases" / "bdi" / name).write_text(content)
    p = run_cli("lint", tmp_path / "cases", cwd=tmp_path)
    assert p.returncode == EXIT_INVALID, p.stdout + p.stderr
    out = p.stdout
    for name, (_, needle) in BAD_CASES.items():
        lines = [l for l in out.splitlines() if name in l]
        assert lines, f"no error names {name}:\n{out}"
        assert any(needle in l for l in lines), f"{name}: expected {needle!r} in {lines}"
        # file: field: message, or file: message
        assert all(l.split(":", 1)[1].strip() for l in lines)
    assert "Segmentation" not in p.stderr


def test_run_goes_on_with_the_good_case_and_exits_invalid(ecrconform_bin, tmp_path):
    case = make_tree(tmp_path)
    for name, (content, _) in BAD_CASES.items():
        (tmp_path / "cases" / "bdi" / name).write_text(content)
    p = run_cli("run", "--report-dir", tmp_path / "reports", "--no-progress", tmp_path / "cases",
                cwd=tmp_path)
    assert p.returncode == EXIT_INVALID, p.stdout + p.stderr
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    status = {c["id"]: c["status"] for c in r["cases"]}
    assert status[case["id"]] == "pass"
    for name in BAD_CASES:
        assert status[name[:-5]] == "error"


def test_wrong_golden_fails_with_a_readable_diff(ecrconform_bin, tmp_path):
    case = make_tree(tmp_path)
    step = case["steps"][0]["name"]
    gpath = tmp_path / "golden" / case["id"] / f"{step}.json"
    g = json.loads(gpath.read_text())
    assert "body" in g, "the documentation example's first step succeeds"
    g["body"]["failures"] = [{"failureCode": "ImageNotFound",
                              "failureReason": "Requested image not found",
                              "imageId": {"imageTag": "precise"}}]
    gpath.write_text(json.dumps(g, indent=2))
    p = run_cli("run", "--report-dir", tmp_path / "reports", "--no-progress", tmp_path / "cases",
                cwd=tmp_path)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    assert f"FAIL  {case['id']}" in p.stdout
    assert "$.body.failures" in p.stdout and "expected" in p.stdout and "got" in p.stdout
    assert "ImageNotFound" in p.stdout
    assert f"diff -u {gpath}" in p.stdout
    actual = tmp_path / "reports" / "actual" / case["id"] / f"{step}.json"
    assert f"cp {actual} {gpath}" in p.stdout
    written = json.loads(actual.read_text())
    assert written["status"] == 200 and written["body"]["failures"] == []
    # a recorded response is not a golden until someone reviewed it: lint refuses it as is
    assert "review" in written
    shutil.copy(actual, gpath)
    p = run_cli("lint", tmp_path / "cases", cwd=tmp_path)
    assert p.returncode == EXIT_INVALID and "review" in p.stdout
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    c = next(c for c in r["cases"] if c["id"] == case["id"])
    assert c["status"] == "fail" and any("$.body.failures" in d for d in c["diff"])


def test_garbage_response_is_a_clear_failure_not_a_crash(ecrconform_bin, tmp_path):
    """A target that answers garbage: every case errors or fails, none crashes the run."""

    class Garbage(QuietHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.reply(200, b"\x00\xffnot json at all<html>\x1b[2J")

    make_tree(tmp_path)
    p, _ = run_against(Garbage, tmp_path)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    assert "\x1b[2J" not in p.stdout  # peer bytes never drive the terminal
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    assert r["summary"]["passed"] == 0
    assert all(c["status"] in ("fail", "error") for c in r["cases"])


def test_null_digest_from_put_image_is_a_fixture_error_not_a_crash(ecrconform_bin, tmp_path):
    class NullDigest(QuietHandler):
        def do_POST(self):
            req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            op = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
            # every blob is there already, so the push reaches PutImage
            have = {"layers": [{"layerDigest": d, "layerAvailability": "AVAILABLE"}
                               for d in req.get("layerDigests", [])], "failures": []}
            body = {"PutImage": {"image": {"imageId": {"imageDigest": None}}},
                    "BatchCheckLayerAvailability": have}.get(op, {})
            self.reply(200, json.dumps(body).encode())

    make_tree(tmp_path)
    p, _ = run_against(NullDigest, tmp_path)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    c = r["cases"][0]
    assert c["status"] == "error"
    assert "PutImage" in c["reason"] and "imageDigest" in c["reason"]


def test_target_that_stops_answering_after_the_probe_exits_4(ecrconform_bin, tmp_path):
    class DropsPosts(QuietHandler):
        def do_POST(self):  # every API call: connection closed, no reply
            self.close_connection = True

    make_tree(tmp_path)
    p, url = run_against(DropsPosts, tmp_path)
    assert p.returncode == 4, p.stdout + p.stderr
    assert "stopped answering" in p.stderr and url in p.stderr


def proxy_handler(upstream, rewrite):
    """A target that forwards every request to `upstream` (ecrconform serve) and passes the
    answer through rewrite(headers: dict) -> dict, so its bodies are right but its headers
    are what the test wants."""
    import urllib.error
    import urllib.request

    class Proxy(http.server.BaseHTTPRequestHandler):
        def forward(self, method):
            n = int(self.headers.get("Content-Length", 0))
            data = self.rfile.read(n) if n else None
            req = urllib.request.Request(upstream + self.path, data=data, method=method,
                                         headers={k: v for k, v in self.headers.items()
                                                  if k.lower() not in ("host", "content-length")})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    status, hdrs, body = r.status, dict(r.headers.items()), r.read()
            except urllib.error.HTTPError as e:
                status, hdrs, body = e.code, dict(e.headers.items()), e.read()
            hdrs = rewrite({k: v for k, v in hdrs.items()
                            if k.lower() not in ("content-length", "date", "connection",
                                                 "transfer-encoding")})
            self.send_response(status)
            for k, v in hdrs.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self.forward("GET")

        def do_POST(self):
            self.forward("POST")

        def do_DELETE(self):
            self.forward("DELETE")

        def log_message(self, *a):
            pass

    return Proxy


def test_every_step_checks_ecrs_headers_by_default(serve_manifests_only, tmp_path):
    serve = serve_manifests_only
    """Right bodies with Content-Type text/html and no request id: every step fails the
    default header check; a golden that opts out (skip_default_headers) passes."""
    def bad(h):
        h = {k: v for k, v in h.items() if k.lower() not in ("content-type", "x-amzn-requestid")}
        h["Content-Type"] = "text/html"
        return h

    case = make_tree(tmp_path)
    p, _ = run_against(proxy_handler(serve.url, bad), tmp_path)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    c = next(c for c in r["cases"] if c["id"] == case["id"])
    assert c["status"] == "fail"
    for s in c["steps"]:
        assert s["golden_passed"] and not s["headers_passed"], s["name"]
        assert any('$.headers["Content-Type"]: expected "application/x-amz-json-1.1" (default check)'
                   in d and "text/html" in d for d in s["diff"]), s["diff"]
        assert any('$.headers["x-amzn-RequestId"]: expected a UUID (default check), got (absent)'
                   in d for d in s["diff"]), s["diff"]
    summary = r["summary"]
    assert summary["default_headers"]["passed"] == 0 and summary["default_headers"]["total"] > 0
    # the goldens' own expectations held: counted apart from the header checks
    assert summary["by_level"]["IE"]["passed"] == summary["by_level"]["IE"]["total"]

    for g in (tmp_path / "golden" / case["id"]).glob("*.json"):
        j = json.loads(g.read_text())
        j["skip_default_headers"] = "a test target with another front end"
        g.write_text(json.dumps(j, indent=2))
    p, _ = run_against(proxy_handler(serve.url, bad), tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr

    # and the right headers pass without opting out, whatever else the proxy does
    for g in (tmp_path / "golden" / case["id"]).glob("*.json"):
        j = json.loads(g.read_text())
        j.pop("skip_default_headers")
        g.write_text(json.dumps(j, indent=2))
    p, _ = run_against(proxy_handler(serve.url, lambda h: h), tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr


def test_answers_of_one_case_must_agree(ecrconform_bin, tmp_path):
    """Once a step has answered an open question, a later step of the case that lists that
    answer accepts only it: a state check cannot pick another answer than the delete."""
    (tmp_path / "cases" / "b").mkdir(parents=True)
    shutil.copytree(ROOT / "cases" / "manifests", tmp_path / "cases" / "manifests")
    shutil.copytree(ROOT / "cases" / "blobs", tmp_path / "cases" / "blobs")
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "ECR-BEHAVIOUR.md", tmp_path / "docs")
    cid = "invalid-tag-beside-valid-tag"
    shutil.copy(ROOT / "cases" / "batch-delete-image" / f"{cid}.json", tmp_path / "cases" / "b")
    shutil.copytree(ROOT / "golden" / cid, tmp_path / "golden" / cid)
    run = lambda: run_cli("run", "--no-progress", "--report-dir", tmp_path / "reports",
                          tmp_path / "cases", cwd=tmp_path)
    assert run().returncode == 0
    # swap what the state check expects under InvalidImageTag and InvalidParameterException:
    # the emulator's state (v1 gone) now matches only the ImageNotFound alternative, and the
    # delete step answered InvalidImageTag
    sp = tmp_path / "golden" / cid / "state.json"
    g = json.loads(sp.read_text())
    alts = {a["answer"]: a for a in g["$anyOf"]}
    alts["InvalidImageTag"]["body"], alts["InvalidParameterException"]["body"] = \
        alts["InvalidParameterException"]["body"], alts["InvalidImageTag"]["body"]
    sp.write_text(json.dumps(g, indent=2))
    p = run()
    assert p.returncode == EXIT_FAIL, p.stdout
    assert "an earlier step gave ('InvalidImageTag')" in p.stdout


def test_bytes_after_the_json_body_fail_the_step(ecrconform_bin, serve, tmp_path):
    """A response `{...}<html>` must not pass its golden: a proxy in front of the
    built-in emulator appends bytes after the BatchDeleteImage body."""
    import http.client
    from urllib.parse import urlparse

    upstream = urlparse(serve.url)

    class Appends(QuietHandler):
        def do_GET(self):
            self.forward(b"")

        def do_POST(self):
            self.forward(self.rfile.read(int(self.headers.get("Content-Length", 0))))

        def forward(self, body):
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=10)
            try:
                # The original Host header keeps the SigV4 signature valid.
                conn.request(self.command, self.path, body, headers=dict(self.headers))
                resp = conn.getresponse()
                data = resp.read()
                headers = [(k, v) for k, v in resp.getheaders()
                           if k.lower() not in ("content-length", "transfer-encoding",
                                                "connection", "date", "server")]
            finally:
                conn.close()
            if self.headers.get("X-Amz-Target", "").endswith(".BatchDeleteImage"):
                data += b"<html>"
            self.send_response(resp.status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    case = make_tree(tmp_path)
    p, _ = run_against(Appends, tmp_path)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    c = next(c for c in r["cases"] if c["id"] == case["id"])
    assert c["status"] == "fail", c
    diffs = [d for s in c["steps"] for d in s.get("diff", [])] + c.get("diff", [])
    assert any("more bytes after the JSON value" in d for d in diffs), c


def test_duplicate_key_in_a_response_body_is_a_difference(serve_manifests_only, tmp_path):
    serve = serve_manifests_only
    """json-c keeps the last of two equal keys silently; the comparator reports the
    duplicate, so `{"failures": [...], "failures": []}` cannot pass a golden."""
    def dup_body(h):
        return h

    class Dup(proxy_handler(serve.url, dup_body)):
        def send_header(self, k, v):
            if k.lower() == "content-length" and self._dup:
                v = str(int(v) + len(b'"failures":[{}],'))
            super().send_header(k, v)

        def forward(self, method):
            self._dup = self.headers.get("X-Amz-Target", "").endswith(".BatchDeleteImage")
            orig = self.wfile.write

            def write(data):
                if self._dup and data.startswith(b"{"):
                    data = b'{"failures":[{}],' + data[1:]
                return orig(data)
            self.wfile.write = write
            super().forward(method)

    case = make_tree(tmp_path)
    p, _ = run_against(Dup, tmp_path)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    c = next(c for c in r["cases"] if c["id"] == case["id"])
    diffs = [d for s in c["steps"] for d in s.get("diff", [])]
    assert any("a JSON body without duplicate keys" in d and 'duplicate key \\"failures\\"' in d
               or ("without duplicate keys" in d and "failures" in d) for d in diffs), diffs
