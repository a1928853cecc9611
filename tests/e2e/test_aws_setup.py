"""Credentials, region, endpoint, TLS and proxies resolved like the AWS CLI
(issue 8), end to end: `ecrconform run` against `ecrconform serve --auth
strict` configured with a key that is not the documented test key, so a run
that quietly fell back to the test key would fail.

Every run here uses `bare_env`: no AWS_* or proxy variable of the caller's,
HOME pointing at the test's own directory, so a developer's real AWS set-up
never leaks in.
"""
import json
import os
import re
import ssl
import subprocess
import time

import pytest

from conftest import BIN, ROOT, free_port, start_serve, stop
from relay import Relay

KEY = "AKIAE2ENONDEFAULT01"
SECRET = "e2e-secret-not-the-test-one"
ACCOUNT = "210987654321"
CASE = "delete-by-digest-one-tag"  # one quick case that passes on the emulator
CASES = "delete-by-digest-*"       # a few of them
PROXY_VARS = ("SSL_CERT_FILE", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
              "ALL_PROXY", "no_proxy", "NO_PROXY", "REQUEST_METHOD")


def bare_env(home, **extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k not in PROXY_VARS}
    env["HOME"] = str(home)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run(env, *args, timeout=120):
    return subprocess.run([str(BIN), "run", "--no-progress", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT,
                          stdin=subprocess.DEVNULL)


def header(p):
    """The run's header: the lines before the first case result."""
    out = []
    for line in p.stdout.splitlines():
        if line[:5] in ("PASS ", "FAIL ", "ERROR", "SKIP "):
            break
        out.append(line)
    return "\n".join(out)


def header_value(p, name):
    for line in header(p).splitlines():
        if line.strip().startswith(name + " "):
            return line.strip()[len(name):].strip()
    raise AssertionError(f"no '{name}' line in the header:\n{header(p)}\n{p.stderr}")


@pytest.fixture
def strict(ecrconform_bin, tmp_path):
    """serve --auth strict that knows only KEY/SECRET, in region eu-west-2, account ACCOUNT."""
    s = start_serve("--auth", "strict", "--access-key", KEY, "--secret-key", SECRET,
                    "--region", "eu-west-2", "--account", ACCOUNT, env=bare_env(tmp_path))
    yield s
    stop(s.proc)


def write_profiles(home, credentials, config=""):
    aws = home / ".aws"
    aws.mkdir(exist_ok=True)
    (aws / "credentials").write_text(credentials)
    (aws / "config").write_text(config)


def reasons(report_dir):
    r = json.loads((report_dir / "report.json").read_text())
    return r, [c.get("reason") or "" for c in r["cases"]]


# ---- credentials ----

def test_environment_keys(strict, tmp_path):
    p = run(bare_env(tmp_path, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                     AWS_REGION="eu-west-2"),
            "--endpoint", strict.url, "--filter", CASE, "--report-dir", tmp_path / "r")
    assert p.returncode == 0, p.stdout + p.stderr
    key = header_value(p, "access key")
    assert key.startswith("AKIA...LT01") and "[environment (AWS_ACCESS_KEY_ID" in key
    assert SECRET not in p.stdout + p.stderr and KEY not in p.stdout
    assert header_value(p, "endpoint") == f"{strict.url}  [--endpoint]"
    # the account comes from the target, not the documented default
    assert header_value(p, "account").startswith(ACCOUNT)


def test_session_token_is_sent(strict, tmp_path):
    relay = Relay(int(strict.url.rsplit(":", 1)[1]))
    try:
        p = run(bare_env(tmp_path, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                         AWS_SESSION_TOKEN="tok-e2e-123", AWS_REGION="eu-west-2"),
                "--endpoint", relay.url, "--filter", CASE, "--report-dir", tmp_path / "r")
    finally:
        relay.stop()
    assert p.returncode == 0, p.stdout + p.stderr
    assert "+ session token" in header_value(p, "access key")
    assert "AWS_SESSION_TOKEN" in header_value(p, "access key")
    sent = relay.text().lower()
    assert "x-amz-security-token: tok-e2e-123" in sent
    # signed, so strict auth verified it along with everything else
    signed = sent.split("signedheaders=", 1)[1].split(",", 1)[0]
    assert "x-amz-security-token" in signed.split(";"), signed
    assert "tok-e2e-123" not in p.stdout + p.stderr


@pytest.mark.parametrize("env, missing", [
    ({"AWS_ACCESS_KEY_ID": KEY}, "AWS_SECRET_ACCESS_KEY missing"),
    ({"AWS_SECRET_ACCESS_KEY": SECRET}, "AWS_ACCESS_KEY_ID missing"),
    ({"AWS_SESSION_TOKEN": "t"}, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY missing"),
])
def test_partial_environment_is_an_error(ecrconform_bin, tmp_path, env, missing):
    for endpoint in ([], ["--endpoint", "http://127.0.0.1:9"]):  # built-in too: never a fallback
        p = run(bare_env(tmp_path, **env), *endpoint, "--filter", CASE,
                "--report-dir", tmp_path / "r")
        assert p.returncode == 2, p.stdout + p.stderr
        assert "partial credentials found" in p.stderr and missing in p.stderr
        assert not (tmp_path / "r").exists()


def test_missing_profile_is_an_error(ecrconform_bin, tmp_path):
    write_profiles(tmp_path, "[default]\naws_access_key_id = A\naws_secret_access_key = B\n")
    p = run(bare_env(tmp_path, AWS_PROFILE="nosuch"), "--filter", CASE)
    assert p.returncode == 2 and "AWS_PROFILE: the config profile 'nosuch' could not be found" \
        in p.stderr, p.stderr
    assert str(tmp_path / ".aws" / "credentials") in p.stderr
    p = run(bare_env(tmp_path), "--profile", "other", "--filter", CASE)
    assert p.returncode == 2 and "--profile: the config profile 'other'" in p.stderr, p.stderr


def test_no_credentials_for_an_endpoint_is_an_error(strict, tmp_path):
    p = run(bare_env(tmp_path), "--endpoint", strict.url, "--filter", CASE)
    assert p.returncode == 2, p.stdout + p.stderr
    assert f"no credentials for {strict.url}" in p.stderr


def test_profile_in_home_with_aws_profile_passes(strict, tmp_path):
    write_profiles(tmp_path,
                   f"[default]\naws_access_key_id = AKIAWRONGDEFAULT01\naws_secret_access_key = x\n"
                   f"[e2e]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
                   "[profile e2e]\nregion = eu-west-2\n")
    p = run(bare_env(tmp_path, AWS_PROFILE="e2e"), "--endpoint", strict.url, "--filter", CASES,
            "--report-dir", tmp_path / "r")
    assert p.returncode == 0, p.stdout + p.stderr
    creds = str(tmp_path / ".aws" / "credentials")
    assert f"[profile 'e2e' in {creds}:5]" in header_value(p, "access key")
    assert f"[profile 'e2e' in {tmp_path / '.aws' / 'config'}:2]" in header_value(p, "region")


def test_wrong_secret_in_profile_reports_the_signature_error_everywhere(strict, tmp_path):
    write_profiles(tmp_path, f"[e2e]\naws_access_key_id = {KEY}\naws_secret_access_key = wrong\n")
    p = run(bare_env(tmp_path, AWS_PROFILE="e2e", AWS_REGION="eu-west-2"),
            "--endpoint", strict.url, "--filter", CASES, "--report-dir", tmp_path / "r")
    assert p.returncode == 1, p.stdout + p.stderr
    r, why = reasons(tmp_path / "r")
    assert len(r["cases"]) >= 2
    assert all(c["status"] == "error" for c in r["cases"])
    assert all("InvalidSignatureException" in w for w in why), why


def test_profile_flag_beats_environment_keys(strict, tmp_path):
    write_profiles(tmp_path, f"[e2e]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n")
    env = bare_env(tmp_path, AWS_ACCESS_KEY_ID="AKIAENVWRONG000001", AWS_SECRET_ACCESS_KEY="nope",
                   AWS_REGION="eu-west-2")
    p = run(env, "--profile", "e2e", "--endpoint", strict.url, "--filter", CASE,
            "--report-dir", tmp_path / "r")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "profile 'e2e'" in header_value(p, "access key")
    # ...while without --profile the environment's keys beat AWS_PROFILE
    p = run(dict(env, AWS_PROFILE="e2e"), "--endpoint", strict.url, "--filter", CASE,
            "--report-dir", tmp_path / "r2")
    assert p.returncode == 1, p.stdout + p.stderr
    assert header_value(p, "access key").startswith("AKIA...0001  [environment")
    _, why = reasons(tmp_path / "r2")
    assert all("UnrecognizedClient" in w or "InvalidSignature" in w for w in why), why


# ---- region ----

@pytest.mark.parametrize("flag, env, profile_region, source", [
    (["--region", "eu-west-2"], {"AWS_REGION": "xx-wrong-1", "AWS_DEFAULT_REGION": "xx-wrong-2"},
     "xx-wrong-3", "--region"),
    ([], {"AWS_REGION": "eu-west-2", "AWS_DEFAULT_REGION": "xx-wrong-2"}, "xx-wrong-3",
     "AWS_REGION"),
    ([], {"AWS_DEFAULT_REGION": "eu-west-2"}, "xx-wrong-3", "AWS_DEFAULT_REGION"),
    ([], {}, "eu-west-2", "profile 'default' in "),
])
def test_region_sources(strict, tmp_path, flag, env, profile_region, source):
    write_profiles(tmp_path, f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
                   f"[default]\nregion = {profile_region}\n")
    relay = Relay(int(strict.url.rsplit(":", 1)[1]))
    try:
        p = run(bare_env(tmp_path, **env), *flag, "--endpoint", relay.url, "--filter", CASE,
                "--report-dir", tmp_path / "r")
    finally:
        relay.stop()
    assert p.returncode == 0, p.stdout + p.stderr
    region = header_value(p, "region")
    assert region.startswith("eu-west-2  [" + source), region
    # and it is the region every request is signed for
    scopes = set(re.findall(r"Credential=[^/]+/\d{8}/([^/]+)/ecr/aws4_request", relay.text()))
    assert scopes == {"eu-west-2"}, scopes


# ---- endpoint ----

def test_endpoint_url_ecr_is_honoured(strict, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    env = bare_env(tmp_path, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                   AWS_REGION="eu-west-2", AWS_ENDPOINT_URL_ECR=strict.url, AWS_ENDPOINT_URL=dead)
    p = run(env, "--filter", CASE, "--report-dir", tmp_path / "r")
    assert p.returncode == 0, p.stdout + p.stderr
    assert header_value(p, "endpoint") == f"{strict.url}  [AWS_ENDPOINT_URL_ECR]"
    r = json.loads((tmp_path / "r" / "report.json").read_text())
    assert r["target"]["endpoint"] == strict.url  # not the built-in emulator
    assert header_value(p, "account").startswith(ACCOUNT)


def test_endpoint_precedence(strict, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    write_profiles(tmp_path, f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n",
                   f"[default]\nregion = eu-west-2\nendpoint_url = {strict.url}\n")
    # the profile's endpoint_url alone
    p = run(bare_env(tmp_path), "--filter", CASE, "--report-dir", tmp_path / "r1")
    assert p.returncode == 0, p.stdout + p.stderr
    assert header_value(p, "endpoint").startswith(f"{strict.url}  [profile 'default' in ")
    # AWS_ENDPOINT_URL beats the profile (a dead port: exit 4 proves which was used)
    p = run(bare_env(tmp_path, AWS_ENDPOINT_URL=dead), "--filter", CASE, "--timeout", "5",
            "--report-dir", tmp_path / "r2")
    assert p.returncode == 4 and dead in p.stderr, p.stdout + p.stderr
    # --endpoint beats them all
    p = run(bare_env(tmp_path, AWS_ENDPOINT_URL=dead, AWS_ENDPOINT_URL_ECR=dead),
            "--endpoint", strict.url, "--filter", CASE, "--report-dir", tmp_path / "r3")
    assert p.returncode == 0, p.stdout + p.stderr
    # a bad URL in a variable is named
    p = run(bare_env(tmp_path, AWS_ENDPOINT_URL_ECR="ftp://x"), "--filter", CASE)
    assert p.returncode == 2 and "AWS_ENDPOINT_URL_ECR: expected an http://" in p.stderr


def test_builtin_when_nothing_is_configured(ecrconform_bin, tmp_path):
    p = run(bare_env(tmp_path), "--filter", CASE, "--report-dir", tmp_path / "r")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "[built-in emulator: no --endpoint" in header_value(p, "endpoint")
    assert "documented test keys" in header_value(p, "access key")


# ---- unreachable ----

def test_unreachable_still_writes_reports(ecrconform_bin, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    out = tmp_path / "r"
    p = run(bare_env(tmp_path, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET),
            "--endpoint", dead, "--filter", CASES, "--timeout", "5", "--report-dir", out)
    assert p.returncode == 4, p.stdout + p.stderr
    r, why = reasons(out)
    assert r["target"]["endpoint"] == dead and len(r["cases"]) >= 2
    assert all(c["status"] == "error" for c in r["cases"])
    assert all(f"target {dead} unreachable" in w for w in why), why
    junit = (out / "junit.xml").read_text()
    assert junit.count("<error") == len(r["cases"]) and "unreachable" in junit
    assert "report.json" in p.stderr


# ---- TLS ----

@pytest.fixture
def tls_cert(tmp_path):
    d = tmp_path / "tls"
    d.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", d / "key.pem", "-out", d / "cert.pem"],
                   check=True, capture_output=True, timeout=60)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
    return d / "cert.pem", ctx


def test_https_with_ca_bundle(strict, tmp_path, tls_cert):
    cert, ctx = tls_cert
    relay = Relay(int(strict.url.rsplit(":", 1)[1]), tls_context=ctx)
    env = bare_env(tmp_path, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                   AWS_REGION="eu-west-2")
    try:
        p = run(env, "--endpoint", relay.url, "--ca-bundle", cert, "--filter", CASE,
                "--report-dir", tmp_path / "r1")
        assert p.returncode == 0, p.stdout + p.stderr
        assert header_value(p, "CA bundle") == f"{cert}  [--ca-bundle]"
        # AWS_CA_BUNDLE and SSL_CERT_FILE do the same
        for var in ("AWS_CA_BUNDLE", "SSL_CERT_FILE"):
            p = run(dict(env, **{var: str(cert)}), "--endpoint", relay.url, "--filter", CASE,
                    "--report-dir", tmp_path / "r2")
            assert p.returncode == 0, p.stdout + p.stderr
            assert header_value(p, "CA bundle") == f"{cert}  [{var}]"
        # without it the certificate is refused: unreachable, and said why
        p = run(env, "--endpoint", relay.url, "--filter", CASE, "--report-dir", tmp_path / "r3")
        assert p.returncode == 4, p.stdout + p.stderr
        assert "certificate" in p.stderr.lower()
        assert relay.tls_failures >= 1
        # --insecure gets through, loudly, and the report says so
        p = run(env, "--endpoint", relay.url, "--insecure", "--filter", CASE,
                "--report-dir", tmp_path / "r4")
        assert p.returncode == 0, p.stdout + p.stderr
        assert "WARNING: --insecure" in header(p)
        r = json.loads((tmp_path / "r4" / "report.json").read_text())
        assert r["target"]["insecure"] is True
        assert "insecure" in (tmp_path / "r4" / "junit.xml").read_text()
        r1 = json.loads((tmp_path / "r1" / "report.json").read_text())
        assert "insecure" not in r1["target"]
    finally:
        relay.stop()


# ---- proxies ----

BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def test_builtin_emulator_is_never_proxied(ecrconform_bin, tmp_path):
    proxy = Relay(reply=BAD_GATEWAY)
    try:
        p = run(bare_env(tmp_path, http_proxy=proxy.url, HTTP_PROXY=proxy.url,
                         all_proxy=proxy.url), "--filter", CASE, "--report-dir", tmp_path / "r")
    finally:
        proxy.stop()
    assert p.returncode == 0, p.stdout + p.stderr
    assert proxy.connections == 0


@pytest.mark.parametrize("var", ["http_proxy", "HTTP_PROXY"])
def test_proxy_variables_apply_to_endpoints(strict, tmp_path, var):
    proxy = Relay(reply=BAD_GATEWAY)
    env = bare_env(tmp_path, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                   AWS_REGION="eu-west-2", **{var: proxy.url})
    try:
        p = run(env, "--endpoint", strict.url, "--filter", CASE, "--report-dir", tmp_path / "r")
        seen = proxy.text()
        # no_proxy still excludes hosts (libcurl applies it to our HTTP_PROXY too)
        p2 = run(dict(env, no_proxy="127.0.0.1"), "--endpoint", strict.url, "--filter", CASE,
                 "--report-dir", tmp_path / "r2")
        after = proxy.connections
    finally:
        proxy.stop()
    assert f"{strict.url}/__ecrconform/capabilities" in seen or f"{strict.url}/ " in seen, seen
    assert p.returncode != 0
    assert p2.returncode == 0, p2.stdout + p2.stderr
    assert after == proxy.connections


# ---- rate ----

def test_max_rps_caps_the_whole_run(ecrconform_bin, tmp_path):
    p = run(bare_env(tmp_path), "--filter", CASES, "--jobs", "4", "--max-rps", "20",
            "--report-dir", tmp_path / "r")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "at most 20 requests/s" in header(p)
    r = json.loads((tmp_path / "r" / "report.json").read_text())
    # every case sends at least 4 requests (create, push, step, delete): n cases
    # at 20/s take at least (4n - 1) / 20 s, whatever --jobs says
    n = len(r["cases"])
    assert n >= 2
    assert r["duration_ms"] >= (4 * n - 1) / 20 * 1000 * 0.95, r["duration_ms"]
    assert run(bare_env(tmp_path), "--max-rps", "0").returncode == 2


# ---- account ----

def test_account_is_learned_from_a_target_without_control_interface(ecrconform_bin, tmp_path):
    s = start_serve("--no-control", "--account", ACCOUNT, env=bare_env(tmp_path))
    env = bare_env(tmp_path, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET)
    try:
        p = run(env, "--endpoint", s.url, "--filter", CASE, "--report-dir", tmp_path / "r")
        assert header_value(p, "account") == f"{ACCOUNT}  [the target]", header(p)
        # the throw-away repository is gone again
        import boto3
        ecr = boto3.client("ecr", endpoint_url=s.url, region_name="us-east-1",
                           aws_access_key_id=KEY, aws_secret_access_key=SECRET)
        names = [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]]
        assert not [n for n in names if n.startswith("ecrconform-probe")], names
        # --account still wins
        p = run(env, "--endpoint", s.url, "--account", "111122223333", "--filter", CASE,
                "--report-dir", tmp_path / "r2")
        assert header_value(p, "account") == "111122223333  [--account]", header(p)
    finally:
        stop(s.proc)
