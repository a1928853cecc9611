"""A runner that keeps the wire busy (issue 12, item 4; docs/PERFORMANCE.md): the --jobs
default the header and --help state, cases started longest first, and fixtures that send
their independent requests at once."""
import json
import os
import shutil

from conftest import ROOT, run_cli, start_serve, stop
from relay import Relay

LATENCY = 0.05  # seconds, each chunk the runner sends
# --jobs against the built-in emulator or loopback: twice the CPUs, 4..16
LOCAL_JOBS = min(16, max(4, 2 * os.sysconf("SC_NPROCESSORS_ONLN")))


def doc_example():
    src = ROOT / "cases" / "batch-delete-image" / "documentation-example.json"
    return src, json.loads(src.read_text())


def make_tree(tmp_path, extra_repos=0, big_copy=False):
    """A private corpus: the documentation example (cases/a-small/), and with big_copy the
    same case under another id in cases/z-big/ with extra_repos more repositories of one
    image each (with its own blobs; the steps never look at them, so the goldens hold)."""
    src, case = doc_example()
    cases = tmp_path / "cases"
    (cases / "a-small").mkdir(parents=True)
    shutil.copytree(ROOT / "cases" / "manifests", cases / "manifests")
    shutil.copytree(ROOT / "cases" / "blobs", cases / "blobs")
    shutil.copytree(ROOT / "golden" / case["id"], tmp_path / "golden" / case["id"])
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "ECR-BEHAVIOUR.md", tmp_path / "docs" / "ECR-BEHAVIOUR.md")
    manifests = ["docker-c", "docker-d", "docker-e", "oci-a", "oci-b", "oci-c"]
    big = dict(case)
    repos = list(case["fixture"]["repositories"])
    for i in range(extra_repos):
        repos.append({"name": f"extra{i}", "images": [
            {"id": f"x{i}", "manifest": f"manifests/{manifests[i % len(manifests)]}.json",
             "tags": [f"t{i}"]}]})
    big["fixture"] = {"repositories": repos}
    if big_copy:
        big["id"] = "zz-" + case["id"]
        (cases / "z-big").mkdir()
        (cases / "z-big" / (big["id"] + ".json")).write_text(json.dumps(big))
        shutil.copytree(ROOT / "golden" / case["id"], tmp_path / "golden" / big["id"])
        shutil.copy(src, cases / "a-small" / src.name)
    else:
        (cases / "a-small" / src.name).write_text(json.dumps(big))
    return case


def header_jobs(stdout):
    return [l.strip() for l in stdout.splitlines() if l.strip().startswith("jobs ")]


def test_jobs_default_is_stated_in_help(ecrconform_bin):
    p = run_cli("run", "--help")
    assert p.returncode == 0
    help_text = " ".join(p.stdout.split())
    assert "--jobs N cases run in parallel (cases are isolated; 1..64). Default: twice the " \
           "CPUs (4..16) against the built-in emulator or a loopback endpoint" in help_text
    assert "else 4 (a live registry's limits are low" in help_text


def test_jobs_default_is_stated_in_the_header(ecrconform_bin, tmp_path):
    make_tree(tmp_path)
    p = run_cli("run", "--no-progress", "--report-dir", tmp_path / "r1", tmp_path / "cases",
                cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert header_jobs(p.stdout) == [
        f"jobs       {LOCAL_JOBS}  [default for the built-in emulator: twice the CPUs, 4..16]"]
    p = run_cli("run", "--no-progress", "-j", "3", "--report-dir", tmp_path / "r2",
                tmp_path / "cases", cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert header_jobs(p.stdout) == ["jobs       3  [--jobs]"]
    s = start_serve()
    try:
        p = run_cli("run", "--no-progress", "--endpoint", s.url, "--report-dir", tmp_path / "r3",
                    tmp_path / "cases", cwd=tmp_path)
    finally:
        stop(s.proc)
    assert p.returncode == 0, p.stdout + p.stderr
    assert header_jobs(p.stdout) == [
        f"jobs       {LOCAL_JOBS}  [default for a loopback endpoint: twice the CPUs, 4..16]"]


def test_longest_case_starts_first(ecrconform_bin, tmp_path):
    """Two cases, the short one first in corpus order: with one job the one that makes more
    requests runs (and streams) first; the reports keep corpus order."""
    case = make_tree(tmp_path, extra_repos=3, big_copy=True)
    p = run_cli("run", "--no-progress", "--jobs", "1", "--stream-jsonl", "-", "--report-dir",
                tmp_path / "r", tmp_path / "cases", cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    streamed = [json.loads(l)["id"] for l in p.stdout.splitlines() if l.strip()]
    assert streamed == ["zz-" + case["id"], case["id"]]
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [c["id"] for c in report["cases"]] == [case["id"], "zz-" + case["id"]]


def run_slow(tmp_path, serve_url_port, tag):
    """Runs the private corpus through a relay that delays what the runner sends; returns
    (the case's duration in seconds, requests the run sent)."""
    relay = Relay(serve_url_port, delay=LATENCY)
    try:
        p = run_cli("run", "--no-progress", "--endpoint", relay.url, "--jobs", "8",
                    "--report-dir", tmp_path / tag, tmp_path / "cases", cwd=tmp_path, timeout=120)
        sent = relay.text().count("X-Amz-Target:") + relay.text().count("x-amz-target:")
    finally:
        relay.stop()
    assert p.returncode == 0, p.stdout + p.stderr
    (only,) = json.loads((tmp_path / tag / "report.json").read_text())["cases"]
    assert only["status"] == "pass"
    return only["duration_ms"] / 1000.0, sent


def test_fixture_sends_independent_requests_at_once(ecrconform_bin, tmp_path):
    """Six more repositories of one image each: sent one after another, their fixture
    requests would add at least one latency each to the case; sent at once they add a few
    latencies in all. Generous: under 0.6 of the serial lower bound."""
    s = start_serve()
    try:
        port = int(s.url.rsplit(":", 1)[1])
        make_tree(tmp_path / "one")
        base, base_sent = run_slow(tmp_path / "one", port, "r")
        make_tree(tmp_path / "many", extra_repos=6)
        many, many_sent = run_slow(tmp_path / "many", port, "r")
    finally:
        stop(s.proc)
    extra = many_sent - base_sent
    # each extra repository: CreateRepository, BatchCheckLayerAvailability, 2 blobs of
    # Initiate + UploadLayerPart + CompleteLayerUpload, PutImage, DeleteRepository
    assert extra >= 6 * 10, (base_sent, many_sent)
    serial_bound = extra * LATENCY
    assert many - base < 0.6 * serial_bound, (base, many, extra)
