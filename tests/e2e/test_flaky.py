"""--retries: a case that fails, then passes on a retry from a fresh fixture, is `flaky`: counted
apart, never a pass, and failing the gate unless --allow-flaky."""
import http.server
import json
import threading

from conftest import run_cli
from test_bad_input import make_tree, proxy_handler

EXIT_FAIL = 1


def run_through(handler, tmp_path, name, *args):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        p = run_cli("run", "--endpoint", url, "--report-dir", tmp_path / name, "--no-progress",
                    "--timeout", "10", *args, tmp_path / "cases", cwd=tmp_path)
    finally:
        srv.shutdown()
        srv.server_close()
    r = tmp_path / name / "report.json"
    return p, (json.loads(r.read_text()) if r.exists() else None)


def breaks_first(n):
    """A header rewrite that drops the request id from the first n answers to the ECR API
    (so the default header check fails), then passes every answer through."""
    state = {"left": n}
    lock = threading.Lock()

    def rewrite(h):
        if "x-amzn-RequestId" not in h and "x-amzn-requestid" not in {k.lower() for k in h}:
            return h  # not an ECR answer (the probe)
        with lock:
            if state["left"] <= 0:
                return h
            state["left"] -= 1
        return {k: v for k, v in h.items() if k.lower() != "x-amzn-requestid"}
    return rewrite


def test_pass_on_retry_is_flaky_and_fails_the_gate(serve_manifests_only, tmp_path):
    case = make_tree(tmp_path)
    upstream = serve_manifests_only.url
    # no retries: a plain failure
    p, r = run_through(proxy_handler(upstream, breaks_first(1000)), tmp_path, "none")
    assert p.returncode == EXIT_FAIL and r["cases"][0]["status"] == "fail", p.stdout + p.stderr
    # broken long enough to spoil the first attempt only (the probe and the fixture's calls
    # are answered too, so break generously but not for ever): retried, then passes
    p, r = run_through(proxy_handler(upstream, breaks_first(1000)), tmp_path, "always",
                       "--retries", "2")
    assert p.returncode == EXIT_FAIL and r["cases"][0]["status"] == "fail"
    flaky_after = count_requests_of_one_attempt(upstream, tmp_path)
    p, r = run_through(proxy_handler(upstream, breaks_first(flaky_after)), tmp_path, "flaky",
                       "--retries", "2")
    c = r["cases"][0]
    assert c["id"] == case["id"] and c["status"] == "flaky", p.stdout + p.stderr
    assert "passed on retry 1 of 2" in c["reason"]
    assert r["summary"]["flaky"] == 1 and r["summary"]["passed"] == 0
    assert "flaky_allowed" not in r["summary"]
    assert "FAIL: gate not met" in (tmp_path / "flaky" / "summary.md").read_text()
    assert p.returncode == EXIT_FAIL
    assert f"FLAKY {case['id']}" in p.stdout
    last = p.stdout.splitlines()[-1]
    assert last.startswith("FAIL: gate not met") and "1 flaky (--allow-flaky to accept)" in last
    junit = (tmp_path / "flaky" / "junit.xml").read_text()
    assert "<flakyFailure" in junit and "<failure" not in junit
    # --allow-flaky: the gate is met, the case still flaky
    p, r = run_through(proxy_handler(upstream, breaks_first(flaky_after)), tmp_path, "allowed",
                       "--retries", "2", "--allow-flaky")
    assert p.returncode == 0, p.stdout + p.stderr
    assert r["cases"][0]["status"] == "flaky"
    assert p.stdout.splitlines()[-1].startswith("PASS: gate met")
    # the reports say what the exit code says (they used to read "FAIL: gate not met")
    assert r["summary"]["flaky_allowed"] is True
    md = (tmp_path / "allowed" / "summary.md").read_text()
    assert "PASS: gate met" in md and "1 flaky (allowed by --allow-flaky)" in md, md


def count_requests_of_one_attempt(upstream, tmp_path):
    """How many ECR answers one run of the case gets (probe and account discovery included):
    breaking exactly that many spoils the first attempt and no retry."""
    seen = {"n": 0}
    lock = threading.Lock()

    def count(h):
        if any(k.lower() == "x-amzn-requestid" for k in h):
            with lock:
                seen["n"] += 1
        return h
    p, _ = run_through(proxy_handler(upstream, count), tmp_path, "count")
    assert p.returncode == 0, p.stdout + p.stderr
    return seen["n"]
