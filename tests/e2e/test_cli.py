"""The command line: help texts that tell the truth, usage errors, exit codes."""
import re
import signal
import subprocess

import pytest

from conftest import ROOT, clean_env, run_cli, start_serve, free_port


@pytest.mark.parametrize("cmd,must_mention", [
    ("run", ["--endpoint", "--report-dir", "--jobs", "--filter", "--baseline", "--target",
             "Exit codes", "AWS_ACCESS_KEY_ID", "--profile", "--region", "--ca-bundle",
             "--insecure", "--max-rps", "AWS_ENDPOINT_URL_ECR", "AWS_PROFILE", "HTTP_PROXY"]),
    ("serve", ["--port", "--auth", "listening on http://127.0.0.1:PORT", "SIGTERM",
               "--access-key", "--secret-key"]),
    ("lint", ["file: field: message", "Exit codes"]),
    ("baseline", ["REPORT"]),
    ("compare", ["REPORT"]),
])
def test_help_of_each_command(ecrconform_bin, cmd, must_mention):
    p = run_cli(cmd, "--help")
    assert p.returncode == 0, p.stderr
    for word in must_mention:
        assert word in p.stdout, f"'{cmd} --help' does not mention {word!r}"


def test_top_level_help_lists_commands_and_exit_codes(ecrconform_bin):
    p = run_cli("--help")
    assert p.returncode == 0
    for cmd in ("run", "serve", "lint", "baseline", "compare"):
        assert re.search(rf"^\s+{cmd}\b", p.stdout, re.M)
    for code in range(6):
        assert re.search(rf"^\s+{code}\s", p.stdout, re.M), f"exit code {code} not documented"


def test_usage_errors_exit_2(ecrconform_bin):
    assert run_cli().returncode == 2
    assert run_cli("frobnicate").returncode == 2
    p = run_cli("run", "--jobs", "zero")
    assert p.returncode == 2 and "--jobs" in p.stderr
    p = run_cli("run", "--endpoint", "ftp://x")
    assert p.returncode == 2 and "--endpoint" in p.stderr
    assert run_cli("serve", "--port", "70000").returncode == 2
    assert run_cli("serve", "--auth", "maybe").returncode == 2
    for cmd in ("run", "serve"):
        p = run_cli(cmd, "--account", "12345")  # an account id is 12 digits
        assert p.returncode == 2 and "--account" in p.stderr


def test_unreachable_endpoint_exits_4_and_says_so(ecrconform_bin, tmp_path):
    port = free_port()  # bound then released: nothing listens there
    url = f"http://127.0.0.1:{port}"
    p = run_cli("run", "--endpoint", url, "--report-dir", tmp_path, "--timeout", "5", "cases")
    assert p.returncode == 4, p.stdout + p.stderr
    assert "unreachable" in p.stderr and url in p.stderr


def test_serve_prints_port_first_and_stops_on_sigint_and_sigterm(ecrconform_bin):
    for sig in (signal.SIGINT, signal.SIGTERM):
        s = start_serve()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", s.url)
        s.proc.send_signal(sig)
        assert s.proc.wait(timeout=10) == 0


def test_version(ecrconform_bin):
    p = run_cli("--version")
    assert p.returncode == 0 and re.match(r"ecrconform \d+\.\d+\.\d+", p.stdout)


def test_no_case_files_is_an_error(ecrconform_bin, tmp_path):
    p = run_cli("run", "--report-dir", tmp_path / "r", "--filter", "no-such-case-anywhere", "cases")
    assert p.returncode == 2
    assert "no case files" in p.stderr


def test_baseline_never_overwrites_a_file_that_is_not_a_baseline(builtin_report, tmp_path):
    _, out, _ = builtin_report
    precious = tmp_path / "notes.json"
    precious.write_text("my notes, not a baseline\n")
    p = run_cli("baseline", out / "report.json", "-o", precious)
    assert p.returncode == 3
    assert "not overwriting" in p.stderr
    assert precious.read_text() == "my notes, not a baseline\n"
    p = run_cli("baseline", tmp_path / "missing.json", "-o", tmp_path / "b.json")
    assert p.returncode == 3 and "missing.json" in p.stderr


@pytest.mark.parametrize("cmd,args", [("run", []), ("record", []),
                                      ("reproduce", ["delete-last-tag"]),
                                      ("diff", ["--endpoint", "http://127.0.0.1:9"])])
def test_an_endpoint_too_long_for_its_field_is_refused_not_cut(cmd, args):
    """Every command that reaches a target refuses an endpoint URL longer than target_info holds
    with a usage error naming the command and where the URL came from (a cut URL would send
    requests somewhere else)."""
    long_url = "http://127.0.0.1:9/" + "a" * 600
    env = dict(clean_env(), AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 20)
    p = run_cli(cmd, *args, "--endpoint", long_url, env=env)
    assert p.returncode == 2, (cmd, p.stdout, p.stderr)
    assert f"ecrconform {cmd}: --endpoint: " in p.stderr and "longer than 511 bytes" in p.stderr, \
        p.stderr


@pytest.mark.parametrize("cmd", ["serve", "replay"])
@pytest.mark.parametrize("region", ["", "x/y", "US-EAST-1", "a" * 64])
def test_serve_and_replay_refuse_a_region_that_is_not_a_name(cmd, region):
    """The region ends up in ARNs and the SigV4 scope: serve used to start and fail with
    "invalid input" (""), or serve ARNs with a slash in them."""
    p = run_cli(cmd, "--port", "0", "--region", region)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert f"ecrconform {cmd}: --region: expected a region name" in p.stderr, p.stderr
