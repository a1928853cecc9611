"""Fixture images are complete images (issue 8): scripts/gen-fixture-blobs derives their blobs,
lint refuses a manifest whose blobs are missing or wrong and an index listed before its
children, `run` uploads the blobs through the layer API (detected once per run; a target
without it gets manifest-only pushes, said in the header and the reports), and the state
checks compare the whole listing however many pages it takes."""
import gzip
import hashlib
import http.client
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
from urllib.parse import urlparse

from conftest import ROOT, run_cli
from test_bad_input import QuietHandler, make_tree, run_against

GEN = ROOT / "scripts" / "gen-fixture-blobs"
EXIT_FAIL, EXIT_INVALID = 1, 3


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def gen(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(GEN), *map(str, args)], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def image_manifests(cases):
    for p in sorted((cases / "manifests").glob("*.json")):
        m = json.loads(p.read_bytes())
        if "config" in m:
            yield p, m


# ---- the script and the committed corpus -----------------------------------------------


def test_committed_blobs_are_what_the_script_writes():
    p = gen("--check")
    assert p.returncode == 0, p.stdout + p.stderr


def test_every_fixture_image_is_complete_and_real():
    cases = ROOT / "cases"
    n = 0
    for path, m in image_manifests(cases):
        blob = lambda d: (cases / "blobs" / "sha256" / d["digest"].split(":")[1]).read_bytes()
        config = blob(m["config"])
        assert sha(config) == m["config"]["digest"] and len(config) == m["config"]["size"], path
        diff_ids = json.loads(config)["rootfs"]["diff_ids"]
        assert len(diff_ids) == len(m["layers"]) >= 1, path
        for layer, diff_id in zip(m["layers"], diff_ids):
            data = blob(layer)
            assert sha(data) == layer["digest"] and len(data) == layer["size"], path
            tar = gzip.decompress(data)  # a real gzip'd tar, as the media type says
            assert sha(tar) == diff_id, path
            names = tarfile.open(fileobj=io.BytesIO(tar)).getnames()
            assert names and names[0].startswith(f"ecrconform/{path.stem}/"), names
        n += 1
    assert n >= 5
    # an index names the current bytes of its children
    digests = {sha(p.read_bytes()) for p in (cases / "manifests").glob("*.json")}
    for p in (cases / "manifests").glob("*.json"):
        for child in json.loads(p.read_bytes()).get("manifests", []):
            assert child["digest"] in digests, (p, child["digest"])


def test_script_is_deterministic_and_repairs_a_stale_corpus(tmp_path):
    cases = tmp_path / "cases"
    shutil.copytree(ROOT / "cases" / "manifests", cases / "manifests")
    # an out-of-date corpus: blobs gone, a manifest naming a blob that does not exist,
    # a stray blob nobody references
    (cases / "blobs" / "sha256").mkdir(parents=True)
    (cases / "blobs" / "sha256" / ("0" * 64)).write_bytes(b"stray")
    a = cases / "manifests" / "docker-a.json"
    m = json.loads(a.read_bytes())
    m["layers"][0]["digest"] = "sha256:" + "1" * 64
    a.write_text(json.dumps(m, indent=2) + "\n")
    p = gen("--check", cases)
    assert p.returncode == 1 and "docker-a.json" in p.stdout and "no longer referenced" in p.stdout
    p = gen(cases)
    assert p.returncode == 0, p.stderr
    for f in (ROOT / "cases" / "manifests").glob("*.json"):
        assert (cases / "manifests" / f.name).read_bytes() == f.read_bytes(), f.name
    assert sorted(x.name for x in (cases / "blobs" / "sha256").iterdir()) == \
        sorted(x.name for x in (ROOT / "cases" / "blobs" / "sha256").iterdir())
    assert gen("--check", cases).returncode == 0


# ---- lint ------------------------------------------------------------------------------


def first_blob_of_doc_example(tmp_path):
    case = make_tree(tmp_path)
    manifest = case["fixture"]["repositories"][0]["images"][0]["manifest"]
    m = json.loads((tmp_path / "cases" / manifest).read_bytes())
    return case, tmp_path / "cases" / "blobs" / "sha256" / m["layers"][0]["digest"].split(":")[1]


def test_lint_refuses_a_missing_blob(ecrconform_bin, tmp_path):
    _, blob = first_blob_of_doc_example(tmp_path)
    blob.unlink()
    p = run_cli("lint", tmp_path / "cases", cwd=tmp_path)
    assert p.returncode == EXIT_INVALID, p.stdout + p.stderr
    assert str(blob) in p.stdout and "layers[0]" in p.stdout
    assert "scripts/gen-fixture-blobs" in p.stdout


def test_lint_refuses_a_blob_that_does_not_match(ecrconform_bin, tmp_path):
    _, blob = first_blob_of_doc_example(tmp_path)
    blob.write_bytes(blob.read_bytes() + b"x")
    p = run_cli("lint", tmp_path / "cases", cwd=tmp_path)
    assert p.returncode == EXIT_INVALID, p.stdout + p.stderr
    assert "has digest" in p.stdout and blob.name in p.stdout


def test_lint_refuses_an_index_before_its_children(ecrconform_bin, tmp_path):
    make_tree(tmp_path)
    src = ROOT / "cases" / "batch-delete-image" / "index-and-children-oci.json"
    c = json.loads(src.read_text())
    images = c["fixture"]["repositories"][0]["images"]
    images.insert(0, images.pop())  # the index first
    (tmp_path / "cases" / "bdi" / src.name).write_text(json.dumps(c))
    shutil.copytree(ROOT / "golden" / c["id"], tmp_path / "golden" / c["id"])
    p = run_cli("lint", tmp_path / "cases", cwd=tmp_path)
    assert p.returncode == EXIT_INVALID, p.stdout + p.stderr
    assert "manifests[0]" in p.stdout and "list its child images first" in p.stdout


# ---- the layer API, detected once ------------------------------------------------------


def proxy_to(upstream_url, counts, answer=None):
    """A handler forwarding to upstream_url, counting operations; answer(op, body) may return
    (status, bytes) to reply itself."""
    upstream = urlparse(upstream_url)

    class Proxy(QuietHandler):
        def do_GET(self):
            self.forward(b"")

        def do_POST(self):
            self.forward(self.rfile.read(int(self.headers.get("Content-Length", 0))))

        def forward(self, body):
            op = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
            counts[op] = counts.get(op, 0) + 1
            mine = answer(op, body) if answer else None
            if mine:
                self.reply(*mine)
                return
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=10)
            try:
                conn.request(self.command, self.path, body, headers=dict(self.headers))
                resp = conn.getresponse()
                data, status = resp.read(), resp.status
                # The headers every ECR answer carries pass through (the runner checks them).
                self.keep = [(k, v) for k, v in resp.getheaders()
                             if k.lower() in ("content-type", "x-amzn-requestid")]
            finally:
                conn.close()
            self.reply(status, data)

        def reply(self, status, data):
            self.send_response(status)
            for k, v in getattr(self, "keep", ()):
                self.send_header(k, v)
            self.keep = ()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Proxy


HTML_500 = (500, b"<!doctype html><title>500 Internal Server Error</title>")


def test_target_without_layer_api_is_probed_once_and_noted(ecrconform_bin, tmp_path):
    """moto answers the layer operations with an HTML 500: the probe sends one request, not
    retried, and every image is then pushed as a manifest alone (serve --no-layer-check
    accepts that, as moto does)."""
    from conftest import start_serve, stop
    s = start_serve("--no-layer-check")
    counts = {}
    layer_ops = ("BatchCheckLayerAvailability", "InitiateLayerUpload", "UploadLayerPart",
                 "CompleteLayerUpload")
    try:
        case = make_tree(tmp_path)
        handler = proxy_to(s.url, counts, lambda op, _: HTML_500 if op in layer_ops else None)
        p, _ = run_against(handler, tmp_path)
    finally:
        stop(s.proc)
    assert p.returncode == 0, p.stdout + p.stderr
    assert counts.get("BatchCheckLayerAvailability") == 1, counts  # the probe, once
    assert not any(counts.get(op) for op in layer_ops[1:]), counts
    assert counts.get("PutImage", 0) >= 2
    head = p.stdout.split("PASS ")[0]
    assert "note: the target has no layer API (BatchCheckLayerAvailability answered HTTP 500)" \
        in head and "manifest-only" in head
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    assert r["target"]["manifest_only_pushes"] == "BatchCheckLayerAvailability answered HTTP 500"
    assert [c["status"] for c in r["cases"]] == ["pass"] and r["cases"][0]["id"] == case["id"]
    junit = (tmp_path / "reports" / "junit.xml").read_text()
    assert '<property name="manifest_only_pushes" value="BatchCheckLayerAvailability answered ' \
           'HTTP 500"/>' in junit
    assert "manifest-only" in (tmp_path / "reports" / "summary.md").read_text()


def test_target_with_layer_api_gets_blobs_and_no_note(ecrconform_bin, serve, tmp_path):
    counts = {}
    make_tree(tmp_path)
    p, _ = run_against(proxy_to(serve.url, counts), tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    # the documentation example pushes two images: 2 + 3 blobs, one part each (the probe
    # asked InitiateLayerUpload once more, for a repository that does not exist)
    assert counts.get("InitiateLayerUpload") == 1 + 5, counts
    assert counts.get("UploadLayerPart") == 5, counts
    assert counts.get("CompleteLayerUpload") == 5, counts
    assert counts.get("BatchCheckLayerAvailability") == 1 + 2, counts  # the probe, one per image
    assert "layer API" not in p.stdout
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    assert "manifest_only_pushes" not in r["target"]
    assert "manifest_only_pushes" not in (tmp_path / "reports" / "junit.xml").read_text()


def test_builtin_run_has_no_manifest_only_note(builtin_report):
    _, out, report = builtin_report
    assert report["summary"]["passed"] == report["summary"]["total"]
    assert set(report["target"]) == {"name", "endpoint"}


# ---- state checks across pages -----------------------------------------------------------


def paged_tree(tmp_path, ntags=150):
    """One image with ntags tags: ListImages lists one entry per tag, so more than one page
    at the default page size of 100."""
    make_tree(tmp_path)
    tags = [f"t{i:03d}" for i in range(ntags)]
    case = {
        "id": "many-tags", "summary": "s", "covers": ["behaviour:paged-state-check"],
        "fixture": {"repositories": [{"name": "app", "images": [
            {"id": "a", "manifest": "manifests/docker-a.json", "tags": tags}]}]},
        "steps": [
            {"name": "delete", "operation": "BatchDeleteImage",
             "input": {"repositoryName": "${repo:app}", "imageIds": [{"imageTag": "t000"}]}},
            {"name": "state", "operation": "ListImages", "input": {"repositoryName": "${repo:app}"}},
            {"name": "first-page", "operation": "ListImages",
             "input": {"repositoryName": "${repo:app}", "maxResults": 10}},
        ]}
    (tmp_path / "cases" / "bdi" / "many-tags.json").write_text(json.dumps(case))
    g = tmp_path / "golden" / "many-tags"
    g.mkdir()
    prov = {"level": "D", "sources": ["API_ListImages"]}
    (g / "delete.json").write_text(json.dumps({"provenance": prov, "status": 200, "body": {
        "imageIds": [{"imageDigest": "${digest:a}", "imageTag": "t000"}], "failures": []}}))
    (g / "state.json").write_text(json.dumps({"provenance": prov, "status": 200, "body": {
        "imageIds": {"$set": [{"imageDigest": "${digest:a}", "imageTag": t} for t in tags[1:]]}}}))
    (g / "first-page.json").write_text(json.dumps({"provenance": prov, "status": 200, "body": {
        "imageIds": [{"imageDigest": "${digest:a}", "imageTag": t} for t in tags[1:11]],
        "nextToken": {"$type": "string"}}}))


def test_state_check_compares_the_whole_listing(ecrconform_bin, tmp_path):
    paged_tree(tmp_path)
    p = run_cli("run", "--report-dir", tmp_path / "reports", "--no-progress", "--filter",
                "many-tags", tmp_path / "cases", cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    steps = {s["name"]: s for s in r["cases"][0]["steps"]}
    # 149 entries: a page of 100, then one of 49; the transcript shows both
    assert "--- page 2 (nextToken followed) ---" in steps["state"]["response"]
    assert "page 2" not in steps["first-page"]["response"]  # a step that pages itself is left alone


def test_listing_that_never_ends_is_a_bounded_failure(ecrconform_bin, serve, tmp_path):
    paged_tree(tmp_path, ntags=3)

    def endless(op, body):
        if op != "ListImages":
            return None
        if b"nextToken" in body:
            return 200, b'{"imageIds":[],"nextToken":"again"}'
        return None

    counts = {}
    base = proxy_to(serve.url, counts, endless)

    class AddsToken(base):
        def reply(self, status, data):
            # the first page of a listing that does not page itself claims there is more
            if self.headers.get("X-Amz-Target", "").endswith(".ListImages") and status == 200:
                doc = json.loads(data)
                if "nextToken" not in doc and b"maxResults" not in self.last_body:
                    doc["nextToken"] = "again"
                    data = json.dumps(doc).encode()
            super().reply(status, data)

        def do_POST(self):
            self.last_body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.forward(self.last_body)

    p, _ = run_against(AddsToken, tmp_path)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    c = next(c for c in r["cases"] if c["id"] == "many-tags")
    state = next(s for s in c["steps"] if s["name"] == "state")
    assert any("$.body.nextToken: expected the end of the listing within 1000 pages" in d
               for d in state["diff"]), state["diff"]
    # two cases (the documentation example's state check never ends either), each stopped
    # at 1000 pages, plus the step that asks for one page itself
    assert counts["ListImages"] <= 2 * 1000 + 1, counts


def test_upper_case_digest_literals_name_current_manifests():
    """A case may spell an existing image's digest in upper-case hex (the digest-case open
    question). Regenerating the manifests (scripts/gen-fixture-blobs) changes their digests,
    so every such literal in cases/ and golden/ must still be a current manifest's digest."""
    current = {sha(p.read_bytes())[len("sha256:"):].upper()
               for p in (ROOT / "cases" / "manifests").glob("*.json")}
    found = 0
    for p in sorted(list((ROOT / "cases").rglob("*.json")) + list((ROOT / "golden").rglob("*.json"))):
        if "manifests" in p.parts:
            continue
        for h in re.findall(r"sha256:([0-9a-fA-F]{64})", p.read_text()):
            if h != h.lower():
                found += 1
                assert h.upper() in current, f"{p}: sha256:{h} is no manifest's digest any more"
    assert found, "no upper-case digest literal found: the digest-case cases are gone?"
