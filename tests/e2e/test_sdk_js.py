"""The AWS SDK for JavaScript v3 (@aws-sdk/client-ecr) through the corpus against `ecrconform
serve` (python/sdk_js_driver.mjs, docs/SDK.md). The package is installed with npm into a
temporary directory of the session (conftest.js_sdk, shared with test_replay_sdk.py); without node,
npm or the package the module skips, saying why."""
import json
import sys

import pytest

from conftest import ROOT, start_serve, stop

sys.path.insert(0, str(ROOT / "python"))
import ecrconform_sdk as sdk  # noqa: E402

CASE_FILES = sdk.case_files([ROOT / "cases"])
RUN = "j" + __import__("uuid").uuid4().hex[:7]


@pytest.fixture(scope="module")
def served(ecrconform_bin):
    s = start_serve("--no-layer-check", "--quiet")
    yield s
    stop(s.proc)


@pytest.fixture(scope="module")
def ecr(served):
    return sdk.boto3_client(served.url)


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_js_case(path, served, ecr, js_sdk):
    driver, _ = js_sdk
    entry = sdk.run_case(ecr, served.url, path, RUN,
                         lambda step, v: sdk.call_js(driver, served.url, step, v))
    if entry["status"] == "skip":
        pytest.skip(entry["reason"])
    assert entry["status"] == "pass", "\n".join([entry["reason"] or ""] + entry["diff"])


def test_js_report_names_the_version(served, ecr, js_sdk, tmp_path):
    driver, version = js_sdk
    paths = CASE_FILES[:6]
    entries = [sdk.run_case(ecr, served.url, p, RUN + "r",
                            lambda step, v: sdk.call_js(driver, served.url, step, v)) for p in paths]
    rep = sdk.write_report(entries, served.url, tmp_path, f"aws-sdk-js-v3-client-ecr-{version}")
    assert rep.name == f"sdk-aws-sdk-js-v3-client-ecr-{version}.json"
    assert json.loads(rep.read_text())["target"]["name"].endswith(version)


def test_js_retries_throttling_and_5xx_not_4xx(served, js_sdk):
    driver, _ = js_sdk
    for kind, code, retried in (("access-denied", "AccessDeniedException", False),
                                ("server-error", "ServerException", True),
                                ("throttling", "ThrottlingException", True)):
        repo = f"sdk-js-retry-{RUN}-{kind}"
        sdk.control(served.url, "POST", "/__ecrconform/faults", {"fault": kind, "repositoryName": repo})
        try:
            a = driver.call({"endpoint": served.url, "op": "BatchDeleteImage", "maxAttempts": 2,
                             "input": {"repositoryName": repo, "imageIds": [{"imageTag": "x"}]}})
        finally:
            sdk.control(served.url, "DELETE", f"/__ecrconform/faults?repositoryName={repo}")
        assert not a["ok"] and a["name"] == code
        assert (a["metadata"]["attempts"] > 1) == retried, (kind, a["metadata"])
    a = driver.call({"endpoint": served.url, "op": "BatchDeleteImage", "maxAttempts": 2,
                     "input": {"repositoryName": f"sdk-js-{RUN}-missing", "imageIds": [{"imageTag": "x"}]}})
    assert a["name"] == "RepositoryNotFoundException" and a["typed"]
    assert a["metadata"]["attempts"] == 1 and a["metadata"]["httpStatusCode"] == 400


def test_js_planted_bugs_are_caught(served, ecr, js_sdk):
    """A client that drops failure codes it does not know, or loses the error class, fails."""
    driver, _ = js_sdk

    class Dropping:
        def call(self, req):
            a = driver.call(req)
            if a["ok"] and isinstance(a["output"].get("failures"), list):
                a["output"]["failures"] = [f for f in a["output"]["failures"]
                                           if not f.get("failureCode", "").startswith("Upstream")]
            if not a["ok"]:
                a["typed"] = False
            return a

    bad = Dropping()
    up = sdk.case_files([ROOT / "cases" / "batch-delete-image" / "upstream-unavailable-by-tag.json",
                         ROOT / "cases" / "batch-delete-image" / "repository-not-found.json"])
    for p in up:
        e = sdk.run_case(ecr, served.url, p, RUN + "p", lambda step, v: sdk.call_js(bad, served.url, step, v))
        assert e["status"] == "fail", p
