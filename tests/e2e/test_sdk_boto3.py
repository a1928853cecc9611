"""boto3 through the corpus against `ecrconform serve` (python/ecrconform_sdk.py, docs/SDK.md):
one item per case, the report in report.json's schema, planted SDK bugs caught, retries."""
import json
import sys

import pytest

from conftest import ROOT, run_cli, start_serve, stop

sys.path.insert(0, str(ROOT / "python"))
import ecrconform_sdk as sdk  # noqa: E402

pytest.importorskip("boto3", reason="boto3 is not installed (Debian: python3-boto3)")

CASES = ROOT / "cases"
CASE_FILES = sdk.case_files([CASES])
RUN = "t" + __import__("uuid").uuid4().hex[:7]


@pytest.fixture(scope="module")
def served(ecrconform_bin):
    s = start_serve("--no-layer-check", "--quiet")
    yield s
    stop(s.proc)


@pytest.fixture(scope="module")
def ecr(served):
    return sdk.boto3_client(served.url)


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_boto3_case(path, served, ecr):
    entry = sdk.run_case(ecr, served.url, path, RUN)
    if entry["status"] == "skip":
        pytest.skip(entry["reason"])
    assert entry["status"] == "pass", "\n".join([entry["reason"] or ""] + entry["diff"])


def by_code(code):
    """Case files whose goldens name this failure code or error type."""
    out = []
    for p in CASE_FILES:
        case = json.loads(p.read_text())
        if any("raw" in s for s in case["steps"]):
            continue
        if any(f'"{code}"' in g.read_text() for g in (ROOT / "golden" / case["id"]).glob("*.json")):
            out.append(p)
    return out


def test_report_has_run_statuses_and_compare_reads_it(served, ecr, tmp_path):
    paths = by_code("ImageNotFound")[:5] + [CASES / "batch-delete-image" / "invalid-signature.json"]
    entries = [sdk.run_case(ecr, served.url, p, RUN) for p in paths]
    rep = sdk.write_report(entries, served.url, tmp_path / "reports")
    name, core = sdk.sdk_version()
    assert rep.name == f"sdk-{name}-botocore-{core}.json"
    doc = json.loads(rep.read_text())
    assert doc["target"]["name"] == f"{name}-botocore-{core}"
    statuses = {c["id"]: c["status"] for c in doc["cases"]}
    assert statuses["invalid-signature"] == "skip"
    assert set(statuses.values()) == {"pass", "skip"}
    # A second "version" of the SDK (the same one, labelled differently) set beside it.
    other = sdk.write_report(entries, served.url, tmp_path / "reports", name="boto3-other")
    proc = run_cli("compare", "-o", tmp_path / "cmp", rep, other)
    assert proc.returncode == 0, proc.stderr
    md = (tmp_path / "cmp" / "compare.md").read_text()
    assert f"{name}-botocore-{core}" in md and "boto3-other" in md


def test_planted_parser_bug_dropping_unknown_failure_codes_is_caught(served, ecr, monkeypatch):
    import botocore.parsers
    known = set(ecr.meta.service_model.shape_for("ImageFailureCode").enum)
    unknown_cases = [p for code in ("UpstreamUnavailable", "UpstreamAccessDenied", "ImageInaccessible")
                     for p in by_code(code)]
    assert unknown_cases, "the corpus has failure codes botocore's model does not know"
    # Before the bug: those codes pass through as strings.
    for p in unknown_cases[:2]:
        assert sdk.run_case(ecr, served.url, p, RUN + "a")["status"] == "pass"
    original = botocore.parsers.JSONParser._do_parse

    def drop_unknown(self, response, shape):
        parsed = original(self, response, shape)
        if isinstance(parsed, dict) and isinstance(parsed.get("failures"), list):
            parsed["failures"] = [f for f in parsed["failures"] if f.get("failureCode") in known]
        return parsed

    monkeypatch.setattr(botocore.parsers.JSONParser, "_do_parse", drop_unknown)
    for p in unknown_cases:
        e = sdk.run_case(ecr, served.url, p, RUN + "b")
        assert e["status"] == "fail", p
        assert any("failures" in d for d in e["diff"])


def test_planted_error_class_mapping_bug_is_caught(served, ecr, monkeypatch):
    from botocore.exceptions import ClientError
    cases = by_code("RepositoryNotFoundException")[:4]
    assert cases
    real = ecr.exceptions.from_code
    monkeypatch.setattr(ecr.exceptions, "from_code",
                        lambda code: ClientError if code == "RepositoryNotFoundException" else real(code))
    for p in cases:
        e = sdk.run_case(ecr, served.url, p, RUN + "c")
        assert e["status"] == "fail", p
        assert any("exception class" in d for d in e["diff"]), e["diff"]


def set_fault(url, kind, repo):
    sdk.control(url, "POST", "/__ecrconform/faults", {"fault": kind, "repositoryName": repo})


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_retries_throttling_and_5xx_not_4xx(served, mode, monkeypatch):
    import time
    from botocore.exceptions import ClientError
    slept = []  # the backoff between attempts is recorded, not waited (keeps the test short)
    monkeypatch.setattr(time, "sleep", slept.append)
    ecr = sdk.boto3_client(served.url, retries={"mode": mode, "max_attempts": 3})

    def attempts(repo, code):
        with pytest.raises(ClientError) as ei:
            ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageTag": "x"}])
        assert ei.value.response["Error"]["Code"] == code
        return ei.value.response["ResponseMetadata"]["RetryAttempts"]

    # A plain 4xx from the target: never retried.
    assert attempts(f"sdk-retry-{mode}-missing", "RepositoryNotFoundException") == 0
    # Throttling last: adaptive mode slows every later request after it.
    for kind, code, retried in (("access-denied", "AccessDeniedException", False),
                                ("server-error", "ServerException", True),
                                ("throttling", "ThrottlingException", True)):
        repo = f"sdk-retry-{mode}-{kind}"
        set_fault(served.url, kind, repo)
        del slept[:]
        try:
            n = attempts(repo, code)
        finally:
            sdk.control(served.url, "DELETE", f"/__ecrconform/faults?repositoryName={repo}")
        assert (n > 0) == retried, (mode, kind, n)
        assert bool(slept) == retried, (mode, kind, slept)


# ---- the AWS CLI -------------------------------------------------------------------------

def cli_sample():
    """One case (without raw steps) per failure code and per error type of the corpus' goldens,
    so every code is seen through the CLI within a bounded time; ECRCONFORM_SDK_FULL=1: all."""
    if __import__("os").environ.get("ECRCONFORM_SDK_FULL") == "1":
        return CASE_FILES
    seen, out = set(), []
    for p in CASE_FILES:
        case = json.loads(p.read_text())
        if any("raw" in s for s in case["steps"]):
            continue
        g = (ROOT / "golden" / case["id"] / f"{case['steps'][0]['name']}.json").read_text()
        import re
        codes = set(re.findall(r'"failureCode": "(\w+)"', g)) | set(re.findall(r'"type": "(\w+)"', g))
        if codes - seen:
            seen |= codes
            out.append(p)
    return out


CLI_SAMPLE = cli_sample()


@pytest.fixture(scope="module")
def aws_cli():
    exe = __import__("shutil").which("aws")
    if not exe:
        pytest.skip("the AWS CLI ('aws') is not on PATH")
    name = sdk.aws_cli_version(exe)
    if not name:
        pytest.skip(f"{exe} --version does not run")
    return exe, name


@pytest.mark.parametrize("path", CLI_SAMPLE, ids=[p.stem for p in CLI_SAMPLE])
def test_aws_cli_case(path, served, ecr, aws_cli):
    from conftest import clean_env
    exe, _ = aws_cli
    env = clean_env(AWS_MAX_ATTEMPTS="1", AWS_PAGER="")
    entry = sdk.run_case(ecr, served.url, path, RUN,
                         lambda step, v: sdk.call_cli(exe, served.url, step, v, env), call_all=False)
    if entry["status"] == "skip":
        pytest.skip(entry["reason"])
    assert entry["status"] == "pass", "\n".join([entry["reason"] or ""] + entry["diff"])


def test_aws_cli_sample_covers_every_code():
    import re
    codes = set()
    for g in (ROOT / "golden").glob("*/*.json"):
        codes |= set(re.findall(r'"failureCode": "(\w+)"', g.read_text()))
    sample = "".join((ROOT / "golden" / json.loads(p.read_text())["id"]).joinpath(
        json.loads(p.read_text())["steps"][0]["name"] + ".json").read_text() for p in CLI_SAMPLE)
    assert all(f'"{c}"' in sample for c in codes)
