"""`replay` served to boto3 and the AWS SDK for JavaScript v3 gives the same parsed results as
`serve`, case by case and step by step (issue 13; docs/REPLAY.md).

Each case's steps go through the SDK twice, against `serve --no-layer-check` and against
`replay`, with python/ecrconform_sdk.py's fixture and calls; what the SDK made of every answer
is compared. Excluded, explicitly and only there:
  - request ids and the headers that carry per-answer values (Date, Content-Length, the
    request id headers): every answer has its own;
  - a value the golden holds as a `$regex` (a message, a failure reason): serve says its own
    text, replay an instance of the pattern;
  - an error message the golden leaves out (it is not compared by the golden either);
  - a value under an open question (`$anyOf`), and a step whose whole golden is one: replay
    answers the first alternative, serve its own answer to the question;
  - the order of a `$set` array, which the golden leaves free.
"""
import copy
import json
import sys

import pytest

from conftest import ROOT, start_replay, start_serve, stop

sys.path.insert(0, str(ROOT / "python"))
import ecrconform_sdk as sdk  # noqa: E402

pytest.importorskip("boto3", reason="boto3 is not installed (Debian: python3-boto3)")

CASE_FILES = sdk.case_files([ROOT / "cases"])
RUN = "r" + __import__("uuid").uuid4().hex[:7]
EXCLUDED = "<excluded>"
# Answer headers whose values are per answer.
PER_ANSWER_HEADERS = {"date", "content-length", "x-amzn-requestid"}


@pytest.fixture(scope="module")
def served(ecrconform_bin):
    s = start_serve("--no-layer-check", "--quiet")
    yield s
    stop(s.proc)


@pytest.fixture(scope="module")
def replayed(ecrconform_bin):
    s = start_replay("--quiet")
    yield s
    stop(s.proc)


def goldens(path):
    case = json.loads(path.read_text())
    root = ROOT / "golden"
    return {s["name"]: json.loads((root / (s.get("golden") or f"{case['id']}/{s['name']}.json")).read_text())
            for s in case["steps"]}


def literal_keys(g):
    return {k: v for k, v in g.items() if not isinstance(v, (dict, list))} if isinstance(g, dict) else {}


def norm(val, g):
    """val (what the SDK parsed) with the values golden g leaves free replaced or ordered."""
    if isinstance(g, dict):
        if "$regex" in g or "$anyOf" in g:
            return EXCLUDED
        if "$set" in g and isinstance(val, list):
            elems = g["$set"]

            def golden_for(x):  # the golden element with the same literal members
                for e in elems:
                    lk = literal_keys(e)
                    if isinstance(x, dict) and lk and all(x.get(k) == v for k, v in lk.items()):
                        return e
                return elems[0] if elems else None
            return sorted((norm(x, golden_for(x)) for x in val), key=lambda x: json.dumps(x, sort_keys=True))
        if "$partial" in g:
            return norm(val, g["$partial"])
        if isinstance(val, dict):
            return {k: norm(v, g.get(k)) for k, v in val.items()}
    if isinstance(g, list) and isinstance(val, list):
        return [norm(x, g[i] if i < len(g) else None) for i, x in enumerate(val)]
    return val


def message_excluded(g):
    m = g.get("error", {}).get("message")
    return not isinstance(m, str)


def boto3_view(out, g):
    """An Outcome of call_boto3 as a comparable dict."""
    v = {"code": out.code, "status": out.status, "class": out.cls}
    if out.code is not None:
        v["message"] = EXCLUDED if message_excluded(g) else out.message
    if out.resp is not None:
        resp = copy.deepcopy(out.resp)
        meta = resp.pop("ResponseMetadata", {})
        v["http"] = meta.get("HTTPStatusCode")
        v["retries"] = meta.get("RetryAttempts")
        v["headers"] = {k: x for k, x in meta.get("HTTPHeaders", {}).items() if k not in PER_ANSWER_HEADERS}
        v["response"] = norm(resp, g.get("body"))
    return v


def js_view(a, g):
    """A node driver answer as a comparable dict."""
    meta = {k: x for k, x in (a.get("metadata") or {}).items()
            if k not in ("requestId", "extendedRequestId", "cfId")}
    v = {"ok": a["ok"], "metadata": meta}
    if a["ok"]:
        v["output"] = norm(a["output"], g.get("body"))
    else:
        v.update(name=a["name"], typed=a["typed"], exported=a["exported"],
                 serviceException=a["serviceException"],
                 message=EXCLUDED if message_excluded(g) else a["message"])
    return v


def views(url, path, run, call):
    """Runs the case against url with call(ecr, url, step, v) -> (Outcome, raw); returns the
    run_case entry and {step: raw}."""
    ecr = sdk.boto3_client(url)
    raw = {}

    def one(step, v):
        out, r = call(ecr, url, step, v)
        raw[step["name"]] = r
        return out
    return sdk.run_case(ecr, url, path, run, one), raw


def compare(path, served, replayed, call, view):
    gs = goldens(path)
    # the same run id on both: the repository names, and so the messages naming them, agree
    a, ra = views(served.url, path, RUN, call)
    b, rb = views(replayed.url, path, RUN, call)
    if a["status"] == "skip":
        assert b["status"] == "skip"
        pytest.skip(a["reason"])
    assert a["status"] == "pass", ("serve", a["reason"], a["diff"])
    assert b["status"] == "pass", ("replay", b["reason"], b["diff"])
    assert ra.keys() == rb.keys() == gs.keys()
    compared = 0
    for step, g in gs.items():
        if "$anyOf" in g:  # an open question as a whole: serve and replay may answer it apart
            continue
        va, vb = view(ra[step], g), view(rb[step], g)
        assert va == vb, f"step {step}: serve {va!r}\n replay {vb!r}"
        compared += 1
    return compared


def boto3_call(ecr, url, step, v):
    out = sdk.call_boto3(ecr, step, v)
    return out, out


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_boto3_replay_same_as_serve(path, served, replayed):
    compare(path, served, replayed, boto3_call, boto3_view)


class Recording:
    """The JS driver, keeping the last raw answer."""

    def __init__(self, driver):
        self.driver, self.last = driver, None

    def call(self, req):
        self.last = self.driver.call(req)
        return self.last


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_js_replay_same_as_serve(path, served, replayed, js_sdk):
    rec = Recording(js_sdk[0])

    def js_call(ecr, url, step, v):
        out = sdk.call_js(rec, url, step, v)
        return out, rec.last
    compare(path, served, replayed, js_call, js_view)


def test_the_comparison_can_fail(served, replayed):
    """A planted difference in one answer's parsed result is caught: the views are not blind."""
    path = ROOT / "cases" / "batch-delete-image" / "delete-last-tag.json"
    g = goldens(path)["delete"]
    _, ra = views(served.url, path, RUN + "x", boto3_call)
    out = copy.deepcopy(ra["delete"])
    out.resp["imageIds"][0]["imageTag"] = "planted"
    assert boto3_view(ra["delete"], g) != boto3_view(out, g)
    # and an excluded value really is only the one the golden leaves free
    path = ROOT / "cases" / "batch-delete-image" / "repository-not-found.json"
    g = goldens(path)["delete"]
    _, ra = views(served.url, path, RUN + "y", boto3_call)
    out = copy.deepcopy(ra["delete"])
    out.message = "planted"
    assert isinstance(g["error"]["message"], str)
    assert boto3_view(ra["delete"], g) != boto3_view(out, g)
