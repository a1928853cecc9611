"""A hostile target (tests/e2e/hostile_target.py, issue 11): for every kind of
misbehaviour `run` ends with a clear `error` or `fail` naming what happened,
in bounded time and memory, with valid report files, and a secret the target
echoes appears in no output at all (console, reports, reports/actual/)."""
import json
import os
import shutil
import subprocess
import time

import pytest

from conftest import BIN, ROOT
from hostile_target import BEHAVIOURS, SECRET, TOKEN, HostileTarget, leaks

EXIT_FAIL, EXIT_UNREACHABLE = 1, 4
TIME_LIMIT_S = 25
RSS_LIMIT_KIB = 400 * 1024


def make_tree(tmp_path, copies=1, live=False):
    """A case with no fixture (so the call under test meets the target at once)
    with its goldens, copies times under different ids. live: its repository
    is the fixture's (not created), as live rules (record, diff) require."""
    repo = "${repo:r}" if live else "hostile-repo"
    src = json.loads((ROOT / "golden" / "documentation-example" / "delete.json").read_text())
    state = json.loads((ROOT / "golden" / "documentation-example" / "state.json").read_text())
    (tmp_path / "cases" / "h").mkdir(parents=True)
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "ECR-BEHAVIOUR.md", tmp_path / "docs")
    for i in range(copies):
        cid = f"hostile-{i:02d}"
        (tmp_path / "cases" / "h" / f"{cid}.json").write_text(json.dumps({
            "id": cid, "summary": "a call a hostile target mangles",
            "covers": ["behaviour:documentation-example"],
            **({"fixture": {"repositories": [{"name": "r", "create": False}]}} if live else {}),
            "steps": [{"name": "delete", "operation": "BatchDeleteImage",
                       "input": {"repositoryName": repo,
                                 "imageIds": [{"imageTag": "precise"}]}},
                      {"name": "state", "operation": "ListImages",
                       "input": {"repositoryName": repo}}]}))
        g = tmp_path / "golden" / cid
        g.mkdir(parents=True)
        src["body"] = {"imageIds": {"$set": [{"imageDigest": {"$regex": "^sha256:[0-9a-f]{64}$"},
                                              "imageTag": "precise"}]},
                       "failures": {"$set": []}}
        (g / "delete.json").write_text(json.dumps(src))
        state["body"] = {"$partial": {"imageIds": {"$set": []}}}
        (g / "state.json").write_text(json.dumps(state))


def hostile_env(tmp_path):
    """Credentials from a profile file (not the environment), so redaction
    cannot lean on AWS_SECRET_ACCESS_KEY being set."""
    creds = tmp_path / "credentials"
    creds.write_text(f"[default]\naws_access_key_id = AKIDHOSTILE000000001\n"
                     f"aws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_SHARED_CREDENTIALS_FILE=str(creds), AWS_CONFIG_FILE="/dev/null",
               AWS_REGION="us-east-1")
    return env


def run_hostile(tmp_path, behaviour, *extra, copies=1, command=None, live=False):
    """Runs the tree against the behaviour (or, with command, that
    ecrconform command line, given the target's URL); returns (returncode,
    stdout+stderr bytes, seconds, peak RSS of the child in KiB)."""
    make_tree(tmp_path, copies, live)
    srv = HostileTarget(behaviour).start()
    out_path = tmp_path / "console.out"
    argv = (command(srv.url) if command else
            ["run", "--endpoint", srv.url, "--report-dir", str(tmp_path / "reports"),
             "--no-progress", "--jobs", "1", "--timeout", "3", *extra, str(tmp_path / "cases")])
    try:
        t0 = time.monotonic()
        with open(out_path, "wb") as out:
            p = subprocess.Popen([str(BIN), *argv],
                                 stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path,
                                 env=hostile_env(tmp_path), stdin=subprocess.DEVNULL)
        # wait4 on this child alone: its own peak RSS, not the test session's
        ru = None
        while ru is None and time.monotonic() - t0 < TIME_LIMIT_S * 3:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                ru, rc = usage, os.waitstatus_to_exitcode(status)
                p.returncode = rc
            else:
                time.sleep(0.05)
        if ru is None:
            p.kill()
            p.wait()
            pytest.fail(f"{behaviour}: run did not end")
        dt = time.monotonic() - t0
    finally:
        srv.stop()
    return rc, out_path.read_bytes(), dt, ru.ru_maxrss


def every_output_file(tmp_path):
    """Everything run wrote: the reports and the recorded console."""
    return [f for f in (tmp_path / "reports").rglob("*") if f.is_file()]


@pytest.mark.parametrize("behaviour", sorted(BEHAVIOURS))
def test_hostile_target_ends_in_clear_error_or_fail(ecrconform_bin, tmp_path, behaviour):
    assert len(BEHAVIOURS) >= 25
    rc, out, dt, rss = run_hostile(tmp_path, behaviour)
    text = out.decode("utf-8", "replace")
    assert rc in (EXIT_FAIL, EXIT_UNREACHABLE), f"{behaviour}: exit {rc}\n{text}"
    assert dt < TIME_LIMIT_S, f"{behaviour}: {dt:.1f} s"
    assert rss < RSS_LIMIT_KIB, f"{behaviour}: peak RSS {rss} KiB"
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    (case,) = r["cases"]
    assert case["status"] in ("error", "fail"), case
    # the reason says what happened: never empty, never just "error"
    reason = case.get("reason") or ""
    assert len(reason) > 10, case
    # every file is valid: JSON parses (strictly: UTF-8), the rest is UTF-8
    for f in every_output_file(tmp_path):
        data = f.read_bytes()
        data.decode("utf-8")
        if f.suffix == ".json":
            json.loads(data)
    # the terminal gets no control bytes
    assert b"\x1b" not in out and b"\x07" not in out, out
    # secrets: no output at all, in no form
    for blob in [out] + [f.read_bytes() for f in every_output_file(tmp_path)]:
        assert not leaks(blob), behaviour


@pytest.mark.parametrize("behaviour,needle", [
    ("bad_chunked", "malformed HTTP answer"),
    ("http09", "malformed HTTP answer"),
    ("tls_bytes", "try https://"),
    ("close_mid_body", "malformed HTTP answer"),
    ("trailing_garbage", "after the JSON value"),
    ("trailing_comment", "after the JSON value"),
    ("lenient_json", "not JSON"),
    ("duplicate_keys", "duplicate key"),
    ("big_numbers", "64-bit"),
])
def test_malformed_answers_are_named_not_stopped_answering(ecrconform_bin, tmp_path, behaviour,
                                                           needle):
    rc, out, _, _ = run_hostile(tmp_path, behaviour)
    text = out.decode("utf-8", "replace")
    r = (tmp_path / "reports" / "report.json").read_text()
    assert needle in r, r
    assert "stopped answering" not in text, text
    assert rc == EXIT_FAIL, text


@pytest.mark.parametrize("behaviour", ["echo_secret", "echo_secret_encoded"])
def test_echoed_secret_appears_in_no_output(ecrconform_bin, tmp_path, behaviour):
    rc, out, _, _ = run_hostile(tmp_path, behaviour, "--verbose")
    assert rc == EXIT_FAIL, out
    actual = list((tmp_path / "reports" / "actual").rglob("*.json"))
    assert actual, "a failing step keeps its actual response"
    text = "".join(f.read_text() for f in actual)
    assert "REDACTED" in text, text
    assert "REDACTED" in out.decode(), out
    for blob in [out] + [f.read_bytes() for f in every_output_file(tmp_path)]:
        assert not leaks(blob), leaks(blob)
    # not even the part of a secret left before a long value is cut short
    assert b"hostile+secret" not in out and b"hostile+session" not in out, out


def test_record_and_diff_never_write_an_echoed_secret(ecrconform_bin, tmp_path):
    """record writes goldens and prints their diff; diff prints differing
    values: both used to pass a target's echo of the secret through."""
    rc, out, _, _ = run_hostile(
        tmp_path, "echo_secret_encoded",
        command=lambda url: ["record", "--force", "--account", "123456789012", "--endpoint", url, "--report-dir",
                             str(tmp_path / "reports"), "--timeout", "3",
                             str(tmp_path / "cases")], live=True)
    text = out.decode("utf-8", "replace")
    assert "goldens written" in text, text
    goldens = [f for f in (tmp_path / "golden").rglob("*.json")]
    assert any("REDACTED" in f.read_text() for f in goldens), text
    for blob in [out] + [f.read_bytes() for f in goldens]:
        assert not leaks(blob), leaks(blob)
    for f in goldens:
        json.loads(f.read_bytes().decode("utf-8"))

    other = HostileTarget("echo_secret").start()
    try:
        rc, out, _, _ = run_hostile(
            tmp_path / "d", "echo_secret_encoded",
            command=lambda url: ["diff", "--endpoint", url, "--endpoint", other.url,
                                 "--report-dir", str(tmp_path / "d" / "reports"), "--timeout",
                                 "3", str(tmp_path / "d" / "cases")], live=True)
    finally:
        other.stop()
    text = out.decode("utf-8", "replace")
    assert rc == 1 and "DIFF" in text and "REDACTED" in text, text
    assert not leaks(out), leaks(out)


def test_deadline_ends_the_run_and_reports_the_rest_as_not_run(ecrconform_bin, tmp_path):
    rc, out, dt, _ = run_hostile(tmp_path, "hang", "--deadline", "4", "--breaker", "0",
                                 copies=8)
    assert dt < 12, dt
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    not_run = [c for c in r["cases"] if "deadline" in (c.get("reason") or "")]
    assert not_run and all(c["status"] == "error" for c in not_run), r["cases"]
    assert len(r["cases"]) == 8


def test_deadline_covers_the_probe(ecrconform_bin, tmp_path):
    """The start-up probe used to wait out the full --timeout (30 s by
    default) of each of its requests before the deadline's clock started."""
    rc, out, dt, _ = run_hostile(tmp_path, "hang", "--deadline", "3", "--timeout", "30",
                                 "--breaker", "0", copies=2)
    assert dt < 10, (dt, out)
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    assert all(c["status"] == "error" for c in r["cases"]), r["cases"]


def test_breaker_stops_after_consecutive_transport_failures(ecrconform_bin, tmp_path):
    rc, out, dt, _ = run_hostile(tmp_path, "hang", "--breaker", "2", "--timeout", "1",
                                 copies=10)
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    not_run = [c for c in r["cases"] if "in a row could not reach" in (c.get("reason") or "")]
    assert len(not_run) == 8, [c.get("reason") for c in r["cases"]]
    assert rc == EXIT_UNREACHABLE, out
    assert dt < 10, dt
