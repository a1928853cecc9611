"""ecrconform reproduce: a case's fixture kept on a target and its steps as curl commands that,
pasted into a shell with the credentials in the environment, send the same requests."""
import json
import re
import shutil
import subprocess

import pytest

from conftest import BIN, TEST_SECRET, clean_env, run_cli, start_serve, stop

pytestmark = pytest.mark.skipif(not shutil.which("curl"), reason="the curl tool is not installed")


def steps_of(script):
    """{step name: command} from reproduce's output."""
    out = {}
    for block in script.split("\n\n"):
        m = re.match(r"# step (\S+)\n(curl .*)", block, re.S)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def sh(cmd, env):
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=60, env=env,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    head, _, body = p.stdout.replace("\r\n", "\n").partition("\n\n")
    return int(head.split()[1]), body


@pytest.fixture
def strict_serve(ecrconform_bin):
    s = start_serve("--auth", "strict")
    yield s
    stop(s.proc)


def test_commands_replay_the_case_and_cleanup_removes_the_fixture(strict_serve, tmp_path):
    env = clean_env()
    p = run_cli("reproduce", "delete-last-tag", "--endpoint", strict_serve.url, "--keep", env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert TEST_SECRET not in p.stdout and "$AWS_SECRET_ACCESS_KEY" in p.stdout
    steps = steps_of(p.stdout)
    assert list(steps) == ["delete", "state"]
    status, body = sh(steps["delete"], env)
    assert status == 200 and json.loads(body)["imageIds"][0]["imageTag"] == "latest"
    status, body = sh(steps["state"], env)
    assert status == 200 and "latest" not in body  # the tag is gone, as the golden says
    # the same command signed with another secret is refused by the strict target: it signs
    bad = dict(env, AWS_SECRET_ACCESS_KEY="not-" + TEST_SECRET)
    status, body = sh(steps["state"], bad)
    assert status == 400 and "InvalidSignatureException" in body, body
    cleanup = p.stdout.strip().splitlines()[-1]
    assert "--cleanup" in cleanup
    c = subprocess.run(["bash", "-c", cleanup], capture_output=True, text=True, timeout=60,
                       env=env, stdin=subprocess.DEVNULL)
    assert c.returncode == 0 and "removed the fixture" in c.stdout, c.stdout + c.stderr
    status, body = sh(steps["state"], env)
    assert status == 400 and "RepositoryNotFoundException" in body  # it is gone


def test_enter_removes_the_fixture(strict_serve):
    p = subprocess.run([str(BIN), "reproduce", "delete-last-tag",
                        "--endpoint", strict_serve.url], input="\n", capture_output=True,
                       text=True, timeout=60, env=clean_env())
    assert p.returncode == 0, p.stdout + p.stderr
    assert "press Enter" in p.stdout and p.stdout.strip().endswith("# fixture removed")
    steps = steps_of(p.stdout)
    status, body = sh(steps["state"], clean_env())
    assert status == 400 and "RepositoryNotFoundException" in body


def test_tls_options_and_a_trailing_slash_carry_over_to_the_commands(strict_serve, tmp_path):
    """--insecure and --ca-bundle reach the printed commands (so they reach the same https
    target as reproduce did), and an endpoint written with a trailing slash gives the same
    URLs as without it (no "//" path, which the target would not know)."""
    ca = tmp_path / "it's ca.pem"  # a quote in the path: the command must stay one word
    ca.write_text("not used over http\n")
    env = clean_env()
    p = run_cli("reproduce", "delete-last-tag", "--endpoint", strict_serve.url + "/",
                "--insecure", "--ca-bundle", str(ca), "--keep", env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    steps = steps_of(p.stdout)
    assert steps, p.stdout
    for cmd in steps.values():
        assert cmd.startswith("curl -sS -i -X POST --insecure --cacert "), cmd
        assert "'" + str(ca).replace("'", "'\\''") + "'" in cmd, cmd
        assert strict_serve.url + "//" not in cmd and strict_serve.url + "/'" in cmd, cmd
    status, body = sh(steps["state"], env)
    assert status == 200, body
    cleanup = p.stdout.strip().splitlines()[-1]
    c = subprocess.run(["bash", "-c", cleanup], capture_output=True, text=True, timeout=60,
                       env=env, stdin=subprocess.DEVNULL)
    assert c.returncode == 0, c.stdout + c.stderr


def test_usage_errors():
    for args, text in ((["delete-last-tag"], "--endpoint"),
                       (["no-such-case", "--endpoint", "http://127.0.0.1:9"], "no case"),
                       ([], "one CASE"),
                       (["delete-last-tag", "--endpoint", "http://127.0.0.1:9", "--cleanup", "xyz"],
                        None)):
        p = run_cli("reproduce", *args)
        if text is None:  # the run id is checked after the (unreachable) target
            assert p.returncode in (2, 4)
            continue
        assert p.returncode == 2 and text in p.stderr, (args, p.stderr)
