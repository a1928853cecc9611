"""Shared fixtures of the end-to-end tests.

Driver: Debian's /usr/bin/python3 with python3-pytest and python3-boto3 (see
scripts/lib.sh). Every server started here binds 127.0.0.1 with a port read
back from the server itself (or, for moto, a free port found by binding port
0), is waited for with a bounded loop, and is stopped at the end.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("ECRCONFORM_BIN", ROOT / "build" / "ecrconform"))

# The documented test credentials (harness/common/include/ecr/protocol.h).
TEST_KEY = "AKIDECRCONFORMTEST01"
TEST_SECRET = "ecrconform-test-secret-key-not-a-real-one"
ACCOUNT = "123456789012"


def clean_env(**extra):
    """An environment with the test credentials and nothing of the caller's AWS set-up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=TEST_KEY, AWS_SECRET_ACCESS_KEY=TEST_SECRET,
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    env.update(extra)
    return env


def run_cli(*args, timeout=300, env=None, cwd=ROOT):
    """Runs build/ecrconform and returns the CompletedProcess (text)."""
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env or clean_env(), cwd=cwd, stdin=subprocess.DEVNULL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


JUNIT_XSD = ROOT / "tests" / "data" / "junit" / "junit-10.xsd"


def junit_schema_problems(path, scratch):
    """xmllint's complaints about junit.xml at path against the Jenkins schema (junit-10.xsd),
    after removing the testcase attributes `file` and `line` that the schema does not name
    (GitLab reads them; Jenkins ignores them). "" when valid. scratch: a directory of the
    caller's own for the stripped copy."""
    import xml.etree.ElementTree as ET
    tree = ET.parse(path)
    for tc in tree.getroot().iter("testcase"):
        tc.attrib.pop("file", None)
        tc.attrib.pop("line", None)
    scratch.mkdir(parents=True, exist_ok=True)
    stripped = scratch / "junit-stripped.xml"
    tree.write(stripped, encoding="UTF-8", xml_declaration=True)
    p = subprocess.run(["xmllint", "--noout", "--schema", str(JUNIT_XSD), str(stripped)],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    return "" if p.returncode == 0 else (p.stderr or p.stdout or f"xmllint exit {p.returncode}")


@pytest.fixture(scope="session", autouse=True)
def every_junit_is_schema_valid(tmp_path_factory):
    """After the whole session: every junit.xml any test produced (all under the session's
    base temp directory) validates against junit-10.xsd. A failure shows as an error of the
    last test, naming the file."""
    yield
    if not shutil.which("xmllint"):
        pytest.fail("xmllint is not installed (Debian: libxml2-utils, in scripts/lib.sh)")
    base = tmp_path_factory.getbasetemp()
    scratch = base / "junit-schema-check"
    bad = []
    for path in sorted(base.rglob("junit.xml")):
        if scratch in path.parents:
            continue
        try:
            problems = junit_schema_problems(path, scratch)
        except Exception as e:  # not even XML: that is a problem too
            problems = repr(e)
        if problems:
            bad.append(f"{path}: {problems[:2000]}")
    assert not bad, "junit.xml files not valid against junit-10.xsd:\n" + "\n".join(bad)


@pytest.fixture(scope="session")
def ecrconform_bin():
    if not BIN.exists():
        pytest.fail(f"{BIN} does not exist: build first (./scripts/test builds it)")
    return BIN


class Served:
    """A running `ecrconform serve`. Its stderr (the request log) is read by a
    thread into self.log, so a chatty server never blocks on a full pipe."""

    def __init__(self, proc, url):
        self.proc, self.url = proc, url
        self.log = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.log.append(line.rstrip("\n"))

    def log_lines(self, timeout=5.0):
        """The request log so far, after waiting (bounded) for lines in flight."""
        deadline = time.monotonic() + timeout
        n = -1
        while time.monotonic() < deadline and n != len(self.log):
            n = len(self.log)
            time.sleep(0.1)
        return list(self.log)


def start_serve(*args, env=None, command="serve"):
    proc = subprocess.Popen([str(BIN), command, "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env or clean_env(),
                            stdin=subprocess.DEVNULL)
    line = proc.stdout.readline()  # the first line names the port
    if not line.startswith("listening on http://127.0.0.1:"):
        proc.kill()
        proc.wait(timeout=10)
        raise RuntimeError(f"{command} did not start: {line!r} {proc.stderr.read()!r}")
    return Served(proc, line.split()[-1])


def start_replay(*args, env=None):
    """`ecrconform replay --port 0 ARGS...` (PATHs among ARGS); its second line of output
    (what it serves) is in .summary."""
    s = start_serve(*args, env=env, command="replay")
    s.summary = s.proc.stdout.readline().strip()
    return s


@pytest.fixture(scope="session")
def js_sdk(tmp_path_factory):
    """The AWS SDK for JavaScript v3 installed with npm into a temporary directory of its own,
    and python/ecrconform_sdk.py's node driver on it: (driver, package version). Skips, saying
    why, without node, npm or the package. Shared by every module that drives the JS SDK."""
    import sys
    sys.path.insert(0, str(ROOT / "python"))
    import ecrconform_sdk as sdk
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node and npm are needed for the AWS SDK for JavaScript v3")
    d = tmp_path_factory.mktemp("js-sdk")
    try:
        p = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent",
                            "--cache", str(d / "npm-cache"), "@aws-sdk/client-ecr"],
                           cwd=d, capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.skip("npm install @aws-sdk/client-ecr took more than 240 s")
    pkg = d / "node_modules" / "@aws-sdk" / "client-ecr" / "package.json"
    if p.returncode != 0 or not pkg.exists():
        pytest.skip(f"npm install @aws-sdk/client-ecr failed: {p.stderr.strip()[-300:]}")
    driver = sdk.JsDriver(d, node)
    yield driver, json.loads(pkg.read_text())["version"]
    driver.close()


def stop(proc, timeout=10):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


@pytest.fixture
def serve(ecrconform_bin):
    s = start_serve()
    yield s
    stop(s.proc)


@pytest.fixture
def serve_manifests_only(ecrconform_bin):
    """serve --no-layer-check: for tests that push manifests whose blobs do not exist."""
    s = start_serve("--no-layer-check")
    yield s
    stop(s.proc)


@pytest.fixture
def serve_strict(ecrconform_bin):
    s = start_serve("--auth", "strict")
    yield s
    stop(s.proc)


def boto3_ecr(url, key=TEST_KEY, secret=TEST_SECRET, validate=False):
    import boto3
    from botocore.config import Config
    return boto3.client("ecr", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(parameter_validation=validate, retries={"max_attempts": 1},
                                      connect_timeout=5, read_timeout=30))


@pytest.fixture(scope="session")
def builtin_report(ecrconform_bin, tmp_path_factory):
    """The whole corpus run once against the built-in emulator (shared by several tests)."""
    out = tmp_path_factory.mktemp("builtin-reports")
    proc = run_cli("run", "--report-dir", out, "--no-progress", "cases")
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else None
    return proc, out, report


def moto_server_path():
    return shutil.which("moto_server")


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    """A moto_server on 127.0.0.1 (skipped when moto is not installed)."""
    exe = moto_server_path()
    if not exe:
        pytest.skip("moto_server is not on PATH (moto is optional: pip install 'moto[server]')")
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=clean_env())
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    for _ in range(300):  # bounded in count and in time
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        pass
    if proc.poll() is not None:
        pytest.skip(f"moto_server exited early with {proc.returncode}")
    yield url
    stop(proc)
    log.close()
