"""Live rules (issue 10, docs/LIVE.md): the --allow-live gate, the corpus under
--live-rules, requests naming other repositories refused before they are sent,
and the bystander test: repositories the run did not create are byte-for-byte
unchanged after full runs, runs stopped by SIGTERM and runs killed with SIGKILL
followed by `ecrconform cleanup`."""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ROOT, BIN, clean_env, run_cli, start_serve, stop, boto3_ecr

HARNESS_REPO = re.compile(r"^ecrc-[0-9a-f]{8}/")


def test_real_ecr_without_allow_live_is_refused_offline(ecrconform_bin, tmp_path):
    """The acceptance command, in a network namespace of its own: nothing can leave
    the machine, and the refusal must come before any lookup or connection."""
    if not shutil.which("unshare") or subprocess.run(
            ["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -n is unavailable (needs user namespaces)")
    p = subprocess.run(["unshare", "-n", str(BIN), "run", "--endpoint",
                        "https://api.ecr.us-east-1.amazonaws.com", "--report-dir", tmp_path / "r"],
                       capture_output=True, text=True, timeout=60, env=clean_env(),
                       cwd=ROOT, stdin=subprocess.DEVNULL)
    assert p.returncode == 2, p.stderr
    assert "--allow-live" in p.stderr
    # Refused before anything: no report directory, no journal, no lookup error.
    assert not (tmp_path / "r").exists()
    assert "resolve" not in p.stderr.lower() or "--allow-live" in p.stderr


@pytest.mark.parametrize("url", ["http://10.1.2.3:5000", "http://127.0.0.1.nip.io:5000",
                                 "http://127.0.0.1@example.com:5000", "https://[2001:db8::1]:443",
                                 "aws"])
def test_any_non_loopback_endpoint_needs_allow_live(ecrconform_bin, tmp_path, url):
    p = run_cli("run", "--endpoint", url, "--report-dir", tmp_path / "r", timeout=30)
    assert p.returncode == 2, (url, p.stderr)
    assert "--allow-live" in p.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1"])
def test_loopback_endpoints_are_not_live(ecrconform_bin, tmp_path, url):
    p = run_cli("run", "--endpoint", url, "--report-dir", tmp_path / "r", "--timeout", "5",
                "cases/batch-delete-image/delete-last-tag.json", timeout=60)
    assert p.returncode == 4, p.stderr  # unreachable, not refused
    assert "--allow-live" not in p.stderr


def test_cleanup_of_a_live_endpoint_needs_allow_live(ecrconform_bin, tmp_path):
    p = run_cli("cleanup", "--endpoint", "https://api.ecr.us-east-1.amazonaws.com",
                "--journal", tmp_path / "j.jsonl", timeout=30)
    assert p.returncode == 2 and "--allow-live" in p.stderr, p.stderr


def test_corpus_under_live_rules_passes_against_builtin(ecrconform_bin, tmp_path):
    out = tmp_path / "r"
    p = run_cli("run", "--live-rules", "--no-progress", "--report-dir", out, "cases")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    rep = json.loads((out / "report.json").read_text())
    statuses = {c["id"]: c["status"] for c in rep["cases"]}
    assert "fail" not in statuses.values() and "error" not in statuses.values()
    skipped = [c for c in rep["cases"] if c["status"] == "skip"]
    assert skipped, "the fault-injection cases must skip under live rules"
    for c in skipped:
        assert "live rules" in c["reason"] or "fault-injection" in c["reason"], c
    assert statuses["throttling-exception"] == "skip"
    passed = [c for c in rep["cases"] if c["status"] == "pass"]
    assert len(passed) > 100
    journal = [json.loads(l) for l in (out / "live-journal.jsonl").read_text().splitlines()]
    assert journal and all(e["event"] == "create" for e in journal)
    runs = {e["run"] for e in journal}
    assert len(runs) == 1
    run = runs.pop()
    assert all(e["repository"].startswith(f"ecrc-{run}/") for e in journal)


# ---- against `ecrconform serve` ----------------------------------------------------------

def _manifest(i):
    return json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                   "digest": "sha256:" + ("%064x" % (0xb5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7 + i))},
        "layers": []}, indent=3)


BYSTANDERS = {
    "app": ["latest", "v1"],                     # a case's base name
    "ecrc-bystander/app": ["latest"],            # the harness's name prefix
    "ecrc-00000000/delete-last-tag/app": ["latest", "stable"],  # looks like a run's
    "ubuntu": ["22.04", "stable"],
    "team/service": [],                          # an untagged image
}


def _seed(ecr):
    for i, (name, tags) in enumerate(BYSTANDERS.items()):
        ecr.create_repository(repositoryName=name, tags=[{"Key": "owner", "Value": "someone"}])
        m = _manifest(i)
        if not tags:
            ecr.put_image(repositoryName=name, imageManifest=m)
        for t in tags:
            ecr.put_image(repositoryName=name, imageManifest=m, imageTag=t)
        ecr.put_image(repositoryName=name, imageManifest=_manifest(100 + i), imageTag="other")


def _snapshot(ecr):
    """Everything observable about the registry: repositories (all fields), tags,
    images (digests, tags, manifests, sizes), as JSON text."""
    repos = ecr.describe_repositories(maxResults=1000)["repositories"]
    snap = {}
    for r in repos:
        name = r["repositoryName"]
        ids = ecr.list_images(repositoryName=name, maxResults=1000)["imageIds"]
        details = ecr.describe_images(repositoryName=name, maxResults=1000)["imageDetails"]
        got = ecr.batch_get_image(repositoryName=name,
                                  imageIds=[{"imageDigest": i["imageDigest"]} for i in ids]
                                  )["images"] if ids else []
        tags = ecr.list_tags_for_resource(resourceArn=r["repositoryArn"])["tags"]
        snap[name] = json.dumps({
            "repo": r, "tags": tags,
            "ids": sorted(ids, key=lambda x: json.dumps(x, sort_keys=True)),
            "details": sorted(details, key=lambda x: json.dumps(x, sort_keys=True, default=str)),
            "manifests": sorted((g["imageId"]["imageDigest"], g["imageManifest"]) for g in got),
        }, sort_keys=True, default=str)
    return snap


@pytest.fixture
def registry(ecrconform_bin):
    s = start_serve("--no-layer-check", "--auth", "strict")
    try:
        ecr = boto3_ecr(s.url)
        _seed(ecr)
        before = _snapshot(ecr)
        assert set(before) == set(BYSTANDERS)
        yield s, ecr, before
    finally:
        stop(s.proc)


def _live_args(url, out, *more):
    return ["run", "--endpoint", url, "--live-rules", "--no-progress", "--report-dir", str(out),
            *more]


def test_bystanders_unchanged_after_a_full_live_run(registry, tmp_path):
    s, ecr, before = registry
    p = run_cli(*_live_args(s.url, tmp_path / "r", "cases"))
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    assert _snapshot(ecr) == before
    # The harness's repositories were tagged while they existed.
    journal = (tmp_path / "r" / "live-journal.jsonl").read_text().splitlines()
    assert len(journal) > 100


def test_sigterm_tears_down_and_writes_reports(registry, tmp_path):
    s, ecr, before = registry
    out = tmp_path / "r"
    # --max-rps keeps the run going (~10 s) long enough to be caught mid-way.
    proc = subprocess.Popen([str(BIN), *_live_args(s.url, out, "--max-rps", "100", "cases")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=clean_env(), cwd=ROOT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (out / "live-journal.jsonl").exists():
        time.sleep(0.01)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "interrupted" in err
    rep = json.loads((out / "report.json").read_text())
    assert any("interrupted" in (c.get("reason") or "") for c in rep["cases"])
    assert (out / "junit.xml").exists()
    assert _snapshot(ecr) == before  # torn down: nothing of the run is left


def test_sigkilled_runs_then_cleanup_leave_bystanders_and_no_harness_repository(registry, tmp_path):
    s, ecr, before = registry
    out = tmp_path / "r"
    rng = random.Random()
    want = int(os.environ.get("ECRC_LIVE_KILLS", "10"))  # scripts/live-kill-bench: 50
    # Kill points are drawn within the time a whole run takes on this machine (a release
    # build can finish the corpus faster than any fixed range, and then no kill would leave
    # anything behind): one unkilled run measures it.
    t0 = time.monotonic()
    full = subprocess.run([str(BIN), *_live_args(s.url, tmp_path / "full", "cases")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=clean_env(),
                          cwd=ROOT, stdin=subprocess.DEVNULL, timeout=300)
    span = time.monotonic() - t0
    assert full.returncode == 0 and _snapshot(ecr) == before
    kills, created_any = 0, False
    deadline = time.monotonic() + 12 * want
    while kills < want and time.monotonic() < deadline:
        proc = subprocess.Popen([str(BIN), *_live_args(s.url, out, "cases")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=clean_env(), cwd=ROOT, stdin=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05 * span, 0.8 * span))
        proc.kill()
        proc.wait(timeout=30)
        kills += 1
        left = [n for n in _snapshot(ecr) if n not in BYSTANDERS]
        created_any |= bool(left)
        assert all(HARNESS_REPO.match(n) for n in left), left
    assert kills == want >= 10
    p = run_cli("cleanup", "--endpoint", s.url, "--report-dir", out, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert _snapshot(ecr) == before, p.stdout
    # A second cleanup finds nothing more to do.
    p2 = run_cli("cleanup", "--endpoint", s.url, "--report-dir", out, timeout=120)
    assert p2.returncode == 0 and " 0 deleted" in p2.stdout, p2.stdout
    # The kills did leave repositories behind (else the test proves nothing).
    assert created_any and "deleted ecrc-" in p.stdout, p.stdout


def test_cleanup_deletes_only_what_journal_and_tag_both_mark(registry, tmp_path):
    s, ecr, before = registry
    run = "0123abcd"
    tagged = f"ecrc-{run}/c/app"
    untagged = f"ecrc-{run}/c/untagged"
    ecr.create_repository(repositoryName=tagged, tags=[{"Key": "ecrconform-run", "Value": run}])
    ecr.create_repository(repositoryName=untagged)
    ecr.create_repository(repositoryName=f"ecrc-{run}/c/not-journalled",
                          tags=[{"Key": "ecrconform-run", "Value": run}])
    j = tmp_path / "journal.jsonl"
    lines = [{"event": "create", "run": run, "repository": n, "endpoint": s.url, "region": "x"}
             for n in (tagged, untagged, "app", "ubuntu", f"ecrc-{run}/c/gone")]
    j.write_text("".join(json.dumps(l) + "\n" for l in lines) + '{"event": "create", "ru')
    p = run_cli("cleanup", "--endpoint", s.url, "--journal", j, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    names = set(_snapshot(ecr))
    assert tagged not in names
    assert untagged in names and f"ecrc-{run}/c/not-journalled" in names
    assert {k: v for k, v in _snapshot(ecr).items() if k in BYSTANDERS} == before
    assert "kept app" in p.stdout and "kept ecrc-0123abcd/c/untagged" in p.stdout


REFUSED_CASE = {
    "id": "names-a-bystander",
    "summary": "A step naming a repository the run did not create",
    "covers": ["behaviour:delete-last-tag-deletes-image"],
    "fixture": {"repositories": [{"name": "app", "images": [
        {"id": "a", "manifest": "manifests/docker-a.json", "tags": ["latest"]}]}]},
    "steps": [{"name": "delete", "operation": "BatchDeleteImage", "raw": {}},
              {"name": "state", "operation": "ListImages",
               "input": {"repositoryName": "${repo:app}"}}],
}


@pytest.mark.parametrize("how", ["input", "raw", "raw-duplicate-key", "escaped-key", "arn"])
def test_a_case_naming_another_repository_is_refused_and_nothing_sent(registry, tmp_path, how):
    s, ecr, before = registry
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copytree(ROOT / "cases" / "manifests", cases / "manifests")
    shutil.copytree(ROOT / "cases" / "blobs", cases / "blobs")
    case = json.loads(json.dumps(REFUSED_CASE))
    step = case["steps"][0]
    step.pop("raw")
    if how == "input":
        step["input"] = {"repositoryName": "app", "imageIds": [{"imageTag": "latest"}]}
    elif how == "raw":
        step["raw"] = {"body": '{"repositoryName": "app", "imageIds": [{"imageTag": "latest"}'}
    elif how == "raw-duplicate-key":
        step["raw"] = {"body": '{"repositoryName": "${repo:app}", "repositoryName": "app", '
                               '"imageIds": [{"imageTag": "latest"}]}'}
    elif how == "escaped-key":
        step["raw"] = {"body": '{"repositor\\u0079Name": "app", "imageIds": [{"imageTag": "latest"}]}'}
    else:
        step["operation"] = "ListTagsForResource"
        step["input"] = {"resourceArn": "arn:aws:ecr:us-east-1:123456789012:repository/ubuntu"}
    (cases / "names-a-bystander.json").write_text(json.dumps(case))
    gdir = tmp_path / "golden" / "names-a-bystander"
    gdir.mkdir(parents=True)
    for name in ("delete", "state"):
        (gdir / f"{name}.json").write_text(json.dumps({
            "provenance": {"level": "I", "sources": ["ECR-BEHAVIOUR.md#success-response"],
                           "notes": "A test's golden: the step must never be sent."},
            "status": 200, "body": {"$partial": {}}}))
    n_before = len(s.log_lines())
    p = run_cli(*_live_args(s.url, tmp_path / "r", cases))
    assert p.returncode == 1, p.stdout + p.stderr
    rep = json.loads((tmp_path / "r" / "report.json").read_text())
    (c,) = rep["cases"]
    assert c["status"] == "error"
    assert "refused under live rules" in c["reason"], c["reason"]
    sent = [l.split()[1] for l in s.log_lines()[n_before:]]
    # The fixture and its teardown ran; the step under test never reached the target.
    assert "CreateRepository" in sent and "DeleteRepository" in sent
    assert step["operation"] not in sent, sent
    assert _snapshot(ecr) == before


# ---- record -------------------------------------------------------------------------------

def test_record_refuses_an_emulator_without_force(ecrconform_bin, tmp_path):
    s = start_serve("--no-layer-check", "--auth", "strict", "--quiet")
    try:
        scratch = tmp_path / "golden"
        shutil.copytree(ROOT / "golden", scratch)
        p = run_cli("record", "--endpoint", s.url, "--golden-dir", scratch,
                    "--report-dir", tmp_path / "r", timeout=120)
        assert p.returncode == 2, p.stdout + p.stderr
        assert "emulator" in p.stderr and "--force" in p.stderr
        assert not (tmp_path / "r").exists()  # refused before any case ran
        assert subprocess.run(["diff", "-r", ROOT / "golden", scratch]).returncode == 0
    finally:
        stop(s.proc)


def test_record_with_force_rewrites_only_what_differs_at_level_e(ecrconform_bin, tmp_path):
    s = start_serve("--no-layer-check", "--auth", "strict", "--quiet")
    try:
        scratch = tmp_path / "golden"
        shutil.copytree(ROOT / "golden", scratch)
        # One settled golden made wrong: record must put the observed answer back.
        wrong = scratch / "delete-last-tag" / "delete.json"
        g = json.loads(wrong.read_text())
        g["body"]["imageIds"]["$set"][0]["imageTag"] = "not-what-ecr-says"
        wrong.write_text(json.dumps(g, indent=2))
        p = run_cli("record", "--endpoint", s.url, "--force", "--golden-dir", scratch,
                    "--report-dir", tmp_path / "r", "--jobs", "2", timeout=300)
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr
        assert f"--- {wrong}" in p.stdout and "-          \"imageTag\": \"not-what-ecr-says\"" in p.stdout
        changed = []
        for f in sorted(scratch.rglob("*.json")):
            rel = f.relative_to(scratch)
            if f.read_bytes() != (ROOT / "golden" / rel).read_bytes():
                changed.append(str(rel))
                new = json.loads(f.read_text())
                assert new["provenance"]["level"] == "E", rel
                assert s.url in new["provenance"]["notes"]
                assert "$anyOf" not in json.dumps(new)  # open goldens narrowed
        assert "delete-last-tag/delete.json" in changed
        new = json.loads(wrong.read_text())
        assert new["body"]["imageIds"] == {"$set": [{"imageDigest": "${digest:a}",
                                                     "imageTag": "latest"}]}
        # Only what differed: a settled golden the emulator meets is byte-for-byte kept.
        assert "delete-one-tag-of-two/delete.json" not in changed
        opened = {str(f.relative_to(ROOT / "golden")) for f in (ROOT / "golden").rglob("*.json")
                  if "$anyOf" in f.read_text()}
        assert set(changed) == opened | {"delete-last-tag/delete.json"}
        m = re.search(r"(\d+) goldens written", p.stdout)
        assert m and int(m.group(1)) == len(changed)
        # The recorded goldens are valid and the target meets them; a second
        # record has nothing left to write.
        lint = run_cli("lint", "--golden-dir", scratch, "cases")
        assert lint.returncode == 0, lint.stdout + lint.stderr
        again = run_cli("run", "--endpoint", s.url, "--golden-dir", scratch, "--no-progress",
                        "--report-dir", tmp_path / "r2", "cases")
        assert again.returncode == 0, again.stdout[-3000:]
        p2 = run_cli("record", "--endpoint", s.url, "--force", "--golden-dir", scratch,
                     "--report-dir", tmp_path / "r3", timeout=300)
        assert p2.returncode == 0 and "0 goldens written" in p2.stdout, p2.stdout[-2000:]
    finally:
        stop(s.proc)


# ---- diff ---------------------------------------------------------------------------------

def test_diff_of_a_target_with_itself_finds_nothing(ecrconform_bin, tmp_path):
    s = start_serve("--no-layer-check", "--auth", "strict", "--quiet")
    try:
        p = run_cli("diff", "--endpoint", s.url, "--endpoint", s.url, "--report-dir",
                    tmp_path / "r", "--filter", "delete-*", timeout=300)
    finally:
        stop(s.proc)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    m = re.search(r"(\d+) steps compared, 0 differ", p.stdout)
    assert m and int(m.group(1)) > 10, p.stdout


def test_diff_builtin_against_moto_lists_known_differences(ecrconform_bin, moto, tmp_path):
    s = start_serve("--no-layer-check", "--auth", "strict", "--quiet")
    try:
        p = run_cli("diff", "--endpoint", s.url, "--endpoint", moto, "--report-dir",
                    tmp_path / "r", "--filter", "*i*", timeout=600)
    finally:
        stop(s.proc)
    assert p.returncode == 1, p.stdout[-3000:] + p.stderr
    out = p.stdout
    # moto verifies no signature (docs/EMULATORS.md): the built-in refuses a bad one.
    block = out.split("DIFF  invalid-signature/delete\n", 1)[1].split("DIFF", 1)[0]
    assert "$.status: A 400 | B 200" in block
    assert '"type":"InvalidSignatureException"' in block
    # Normalised: run-unique names and digests never show up as differences.
    assert not re.search(r"ecrc-[0-9a-f]{8}/", out)
    # Steps both answered alike are not listed.
    m = re.search(r"(\d+) steps compared, (\d+) differ", out)
    assert m and 0 < int(m.group(2)) < int(m.group(1)), out[-500:]
    assert out.count("\nDIFF  ") == int(m.group(2))


def test_a_second_signal_exits_at_once_leaving_the_journal_for_cleanup(registry, tmp_path):
    s, ecr, before = registry
    out = tmp_path / "r"
    proc = subprocess.Popen([str(BIN), *_live_args(s.url, out, "--max-rps", "50", "cases")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=clean_env(), cwd=ROOT, stdin=subprocess.DEVNULL)
    journal = out / "live-journal.jsonl"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
            not journal.exists() or len(journal.read_text().splitlines()) < 3):
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGINT, err
    assert "second signal" in err and "cleanup" in err
    assert not (out / "report.json").exists()  # out at once: no reports
    left = [n for n in _snapshot(ecr) if n not in BYSTANDERS]
    assert left and all(HARNESS_REPO.match(n) for n in left), left  # not torn down
    p = run_cli("cleanup", "--endpoint", s.url, "--report-dir", out, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert _snapshot(ecr) == before, p.stdout
