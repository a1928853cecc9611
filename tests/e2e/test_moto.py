"""The whole corpus against moto 5.2.1 (moto_server), and its baseline.

The first run (module-scoped, no baseline) must report moto's known divergences from ECR
as failures; the second run, on a fresh moto_server with baselines/moto-5.2.1.json, must
exit 0 with no regression. Every divergence asserted here was replayed by hand with boto3
against moto_server; docs/EMULATORS.md lists them all with what ECR does and the level of
that expectation (docs/ECR-BEHAVIOUR.md, cited by anchor below). Every moto answer carries an
x-amzn-RequestId that is not a UUID, so every case that runs fails the default header check;
the tests below look at the golden's own expectation (a step's "golden_passed").

Skipped (by the `moto` fixture of conftest.py) when moto_server is not on PATH.
"""
import json
import re
import socket
import subprocess
import time

import pytest

from conftest import ROOT, clean_env, free_port, moto_server_path, run_cli, stop

TARGET = "moto-5.2.1"
BASELINE = ROOT / "baselines" / "moto-5.2.1.json"
RUN_TIMEOUT = 120  # seconds; a full run against moto takes about 5


# ---- fixtures ------------------------------------------------------------------------


def run_corpus(url, out, *extra):
    proc = run_cli("run", "--endpoint", url, "--target", TARGET, "--report-dir", out,
                   "--no-progress", *extra, "cases", timeout=RUN_TIMEOUT)
    path = out / "report.json"
    report = json.loads(path.read_text()) if path.exists() else None
    return proc, out, report


@pytest.fixture(scope="module")
def moto_run(moto, ecrconform_bin, tmp_path_factory):
    """The whole corpus once against moto, without a baseline."""
    return run_corpus(moto, tmp_path_factory.mktemp("moto-reports"))


@pytest.fixture
def fresh_moto(ecrconform_bin, tmp_path):
    """A moto_server of its own (state from earlier runs must not matter to the baseline run)."""
    exe = moto_server_path()
    if not exe:
        pytest.skip("moto_server is not on PATH (moto is optional: pip install 'moto[server]')")
    port = free_port()
    log = open(tmp_path / "moto.log", "w")
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=clean_env())
    try:
        deadline = time.monotonic() + 30
        up = False
        for _ in range(300):  # bounded in count and in time
            if proc.poll() is not None or time.monotonic() > deadline:
                break
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    up = True
                    break
            except OSError:
                time.sleep(0.1)
        if not up:
            pytest.fail(f"moto_server did not start (exit {proc.poll()}): see {tmp_path / 'moto.log'}")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
        log.close()


# ---- helpers -------------------------------------------------------------------------


def case_files():
    """id -> parsed case file, for every case of the corpus."""
    out = {}
    for p in sorted((ROOT / "cases").rglob("*.json")):
        if "manifests" in p.parts:
            continue
        c = json.loads(p.read_text())
        out[c["id"]] = c
    return out


def by_id(report):
    return {c["id"]: c for c in report["cases"]}


def covering(report, label):
    return [c for c in report["cases"] if label in c["covers"]]


def step(c, name):
    for s in c["steps"]:
        if s["name"] == name:
            return s
    raise AssertionError(f"{c['id']} has no step {name!r}")


def parse_response(text):
    """(status, {lower-case header: value}, body text) from a step's response transcript."""
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    m = re.match(r"HTTP (\d+)", lines[0])
    assert m, text[:200]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(m.group(1)), headers, body


def response_json(c, name):
    status, headers, body = parse_response(step(c, name)["response"])
    return status, headers, json.loads(body)


def request_json(c, name):
    _, _, body = step(c, name)["request"].partition("\n\n")
    return json.loads(body)


def failing(report):
    return sorted(c["id"] for c in report["cases"] if c["status"] in ("fail", "error"))


def diff_text(c):
    """The case's differences, without the default header checks every moto answer fails."""
    return "\n".join(line for s in c["steps"] for line in s["diff"] if "(default check)" not in line)


def answers(report, question):
    """(case id, step, answer) for every answer moto gave to an open question."""
    return [(c["id"], s["name"], a["answer"]) for c in report["cases"] for s in c["steps"]
            for a in s.get("answers", []) if a["question"] == question]


# ---- the run without a baseline ------------------------------------------------------


def test_run_without_baseline_exits_1(moto_run):
    proc, _, report = moto_run
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert report is not None
    assert report["target"]["name"] == TARGET
    s = report["summary"]
    assert s["failed"] > 0
    # moto's request id fails the default check on (nearly) every answer ...
    assert s["default_headers"]["passed"] < s["default_headers"]["total"] / 10
    # ... while many goldens hold on their own, at every level
    assert s["by_level"]["IE"]["passed"] > 0 and s["by_level"]["open"]["passed"] > 0
    header_only = [c["id"] for c in report["cases"] if c["status"] == "fail" and not diff_text(c)]
    assert "documentation-example" in header_only and "delete-one-tag-of-two" in header_only
    assert s["expected_failures"] == 0
    assert not report.get("baseline")
    # every case file of the corpus ran (or was skipped), each once
    assert sorted(by_id(report)) == sorted(case_files())


def test_image_tag_does_not_match_digest_fails(moto_run):
    # #image-tag-does-not-match-digest (E, LocalStack): a tag+digest item whose tag names another image fails
    # with ImageTagDoesNotMatchDigest; moto answers ImageNotFound instead.
    _, _, report = moto_run
    cases = [c for c in covering(report, "failureCode:ImageTagDoesNotMatchDigest")
             if c["id"].startswith("tag-digest-mismatch")]
    assert cases
    for c in cases:
        assert c["status"] == "fail", c["id"]
        assert "ImageTagDoesNotMatchDigest" in diff_text(c), c["id"]
        _, _, body = response_json(c, "delete")
        codes = {f["failureCode"] for f in body["failures"]}
        assert "ImageNotFound" in codes and "ImageTagDoesNotMatchDigest" not in codes, c["id"]


def test_image_referenced_by_manifest_list_fails(moto_run):
    # #image-referenced-by-manifest-list (code and text C, I for this operation; kept state C):
    # moto keeps no references from manifest lists / indexes and deletes the children, whatever
    # the order of the items (#index-and-children: C observed, I rule; decided, not open).
    _, _, report = moto_run
    cases = covering(report, "failureCode:ImageReferencedByManifestList")
    assert len(cases) >= 2
    assert not answers(report, "oq-index-then-children")
    for c in cases:
        assert c["status"] == "fail", c["id"]
        assert "ImageReferencedByManifestList" in diff_text(c), c["id"]
    # moto never answers the code, in any case of the corpus
    for c in report["cases"]:
        for s in c["steps"]:
            assert "ImageReferencedByManifestList" not in (s["response"] or ""), (c["id"], s["name"])


def test_101_image_ids_fails(moto_run):
    # #invalid-parameter-image-ids (C): more than 100 imageIds is 400 InvalidParameterException; moto takes them.
    _, _, report = moto_run
    cases = [c for c in covering(report, "exception:InvalidParameterException")
             if c["status"] != "skip" and len(request_json(c, c["steps"][0]["name"]).get("imageIds", [])) == 101]
    assert cases, "no case sends 101 imageIds"
    for c in cases:
        assert c["status"] == "fail", c["id"]
    boundary = [c for c in cases if "behaviour:boundary-image-ids" in c["covers"]]
    assert boundary
    for c in boundary:  # on an existing repository moto answers 200 and deletes
        status, _, body = response_json(c, "delete")
        assert status == 200 and len(body["imageIds"]) + len(body["failures"]) == 101, c["id"]


def test_untagged_image_deleted_without_an_entry(moto_run):
    # #entries-untagged (I): deleting an untagged image by digest reports [{imageDigest}]; moto
    # deletes the image (the state golden holds) but reports one entry per tag, so none.
    _, _, report = moto_run
    c = by_id(report)["delete-untagged-by-digest"]
    assert c["status"] == "fail"
    status, _, body = response_json(c, "delete")
    assert status == 200 and body["imageIds"] == [] and body["failures"] == []
    assert step(c, "state")["golden_passed"] and not step(c, "delete")["golden_passed"]


def test_unsigned_request_reaches_s3(moto_run):
    # #missing-authentication-token (C): no Authorization header is 400 MissingAuthenticationTokenException; moto_server
    # cannot tell the service of an unsigned ECR request and answers as S3 (ListAllMyBuckets).
    _, _, report = moto_run
    cases = covering(report, "exception:MissingAuthenticationTokenException")
    assert cases
    for c in cases:
        assert c["status"] == "fail", c["id"]
        status, _, body = parse_response(step(c, "delete")["response"])
        assert status == 200 and "ListAllMyBucketsResult" in body, c["id"]


def test_zero_image_ids_is_a_500(moto_run):
    # #invalid-parameter-image-ids (C): an empty imageIds list is 400 InvalidParameterException; moto raises an
    # unhandled ParamValidationError, an HTML 500.
    _, _, report = moto_run
    c = by_id(report)["invalid-parameter-zero-image-ids"]
    assert c["status"] == "fail"
    status, headers, _ = parse_response(step(c, "delete")["response"])
    assert status == 500 and headers.get("content-type", "").startswith("text/html")


def test_matching_tag_and_digest_deletes_the_whole_image(moto_run):
    # #oq-tag-and-digest (open): a matching tag+digest item removes only that tag (LocalStack)
    # or the whole image; moto removes the image with all its tags, an accepted answer.
    _, _, report = moto_run
    c = by_id(report)["tag-and-digest-match-one-of-two-tags"]
    assert not diff_text(c)
    _, _, body = response_json(c, "delete")
    assert sorted(i["imageTag"] for i in body["imageIds"]) == ["v1", "v2"]
    assert {a for _, _, a in answers(report, "oq-tag-and-digest")} == {"image"}


def test_malformed_tags_are_not_found(moto_run):
    # #oq-invalid-tag (open): a tag outside [a-zA-Z0-9-_.] may fail with InvalidImageTag, be
    # refused as a whole, or not be found; moto has no tag check and answers ImageNotFound,
    # an accepted answer: the goldens hold and the report names moto's answer.
    _, _, report = moto_run
    cases = covering(report, "failureCode:InvalidImageTag")
    assert cases
    for c in cases:
        assert not diff_text(c), c["id"]
        _, _, body = response_json(c, "delete")
        codes = {f["failureCode"] for f in body["failures"]}
        assert codes == {"ImageNotFound"}, c["id"]
    # (where two answers give the same response, both are named: "InvalidImageTag|ImageNotFound")
    assert all("ImageNotFound" in a.split("|") for _, _, a in answers(report, "oq-invalid-tag"))


def test_no_failure_rests_on_an_open_question(moto_run):
    # A failing open golden fails on a fact every answer shares, or outside its $anyOf: the
    # report counts it at its level, and every open expectation counted as open holds.
    _, out, report = moto_run
    for c in report["cases"]:
        for s in c["steps"]:
            if not s.get("open") or s.get("golden_passed"):
                continue
            settled = s.get("settled_failed") or all(a["matched"] for a in s["answers"])
            assert settled, (c["id"], s["name"], s["answers"])
    o = report["summary"]["by_level"]["open"]
    assert o["total"] > 0 and o["passed"] == o["total"]
    assert "Open questions: the answers this target gave" in (out / "summary.md").read_text()
    assert "open:oq-invalid-tag" in (out / "junit.xml").read_text()


def test_request_id_is_not_a_uuid(moto_run):
    # #response-headers (C): x-amzn-RequestId is a UUID; moto's is a 52-character alphanumeric token.
    _, _, report = moto_run
    c = by_id(report)["response-headers-success"]
    assert c["status"] == "fail"
    _, headers, _ = parse_response(step(c, "delete")["response"])
    rid = headers["x-amzn-requestid"]
    assert re.fullmatch(r"[A-Za-z0-9]{52}", rid), rid


def test_fault_injection_cases_skip(moto_run):
    _, _, report = moto_run
    cases = by_id(report)
    faulty = sorted(i for i, c in case_files().items() if "fault-injection" in c.get("requires", []))
    assert faulty
    for i in faulty:
        assert cases[i]["status"] == "skip", i
        assert "fault-injection" in cases[i]["reason"], i
    # nothing else skips (strict-auth cases run unless --no-strict-auth)
    assert sorted(i for i, c in cases.items() if c["status"] == "skip") == faulty


def test_skips_are_not_passes(moto_run, ecrconform_bin, tmp_path):
    proc, _, report = moto_run
    s = report["summary"]
    assert s["skipped"] > 0
    assert s["passed"] + s["failed"] + s["errored"] + s["skipped"] == s["total"]
    ran = s["total"] - s["skipped"]
    assert s["score"] == pytest.approx(s["passed"] / ran, abs=1e-4)
    assert f"of {ran} run" in proc.stdout
    # moto passes no case (its request ids), so show the rule where cases pass: the built-in
    # emulator with --no-strict-auth skips the two strict-auth cases and passes the rest
    p = run_cli("run", "--no-progress", "--no-strict-auth", "--report-dir", tmp_path, "cases")
    assert p.returncode == 0, p.stdout[-2000:]
    b = json.loads((tmp_path / "report.json").read_text())["summary"]
    assert b["skipped"] == 2 and b["passed"] == b["total"] - 2
    assert b["score"] == pytest.approx(1.0)
    assert b["score"] != pytest.approx(b["passed"] / b["total"], abs=1e-4)


# ---- the baseline --------------------------------------------------------------------


def test_baseline_lists_exactly_the_failures(moto_run):
    _, _, report = moto_run
    b = json.loads(BASELINE.read_text())
    assert b["target"] == TARGET
    assert b["description"].strip()
    ids = [e["id"] for e in b["expected_failures"]]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == failing(report)
    for e in b["expected_failures"]:
        assert e["reason"].strip() and "TODO" not in e["reason"] and "\n" not in e["reason"], e["id"]


def test_second_run_with_baseline_exits_0(fresh_moto, tmp_path):
    proc, _, report = run_corpus(fresh_moto, tmp_path / "reports", "--baseline", BASELINE)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert report["baseline"]["regressions"] == []
    assert report["baseline"]["fixed"] == []
    expected = {e["id"] for e in json.loads(BASELINE.read_text())["expected_failures"]}
    for c in report["cases"]:
        if c["status"] in ("fail", "error"):
            assert c["baseline_expected"] and c["id"] in expected, c["id"]
    assert report["summary"]["expected_failures"] == len(expected)


def case_lines(stdout):
    """The console's per-case lines, without their timings: (tag, id)."""
    return [tuple(l.split()[:2]) for l in stdout.splitlines()
            if l[:5] in ("PASS ", "FAIL ", "ERROR", "SKIP ", "XFAIL", "FIXED")]


def test_console_with_baseline_leads_with_the_verdict_in_a_stable_order(fresh_moto, tmp_path):
    outs = []
    for jobs in ("1", "8"):
        proc, _, report = run_corpus(fresh_moto, tmp_path / jobs, "--baseline", BASELINE,
                                     "--jobs", jobs)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        outs.append(proc.stdout)
    expected = [e["id"] for e in json.loads(BASELINE.read_text())["expected_failures"]]
    for out in outs:
        lines = out.splitlines()
        assert f"baseline   {BASELINE.relative_to(ROOT)}" in out or f"baseline   {BASELINE}" in out
        # expected failures are one XFAIL line each, never FAIL, and never invite a cp
        assert not [l for l in lines if l.startswith(("FAIL ", "ERROR"))]
        assert "accept: cp" not in out
        assert sorted(i for t, i in case_lines(out) if t == "XFAIL") == sorted(expected)
        assert lines[-1].startswith("PASS: gate met \u2014 0 new failures, 0 fixed; "
                                    f"{len(expected)} expected failures (baseline {TARGET})"), lines[-1]
    # the same lines in the same (corpus) order whatever --jobs
    assert case_lines(outs[0]) == case_lines(outs[1])
    ids = [c["id"] for c in report["cases"]]
    shown = [i for _, i in case_lines(outs[0])]
    assert shown == [i for i in ids if i in shown]


def test_quiet_counts_expected_failures(fresh_moto, tmp_path):
    proc, _, _ = run_corpus(fresh_moto, tmp_path / "r", "--baseline", BASELINE, "--quiet")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert case_lines(proc.stdout) == []
    assert "expected failures (baseline" in proc.stdout.splitlines()[-1]


def test_new_failure_on_third_party_has_diffs_but_no_cp_hint_unless_asked(moto_run, fresh_moto,
                                                                          tmp_path):
    # without a baseline every failure is new: FAIL lines with diffs, the diff hint, no cp
    _, _, report = moto_run
    ids = [c["id"] for c in report["cases"]]
    one = next(c["id"] for c in report["cases"] if c["status"] == "fail"
               and sum(c["id"] in i for i in ids) == 1)  # --filter matches it alone
    proc, _, _ = run_corpus(fresh_moto, tmp_path / "a", "--filter", one)
    assert proc.returncode == 1
    assert f"FAIL  {one}" in proc.stdout and "diff -u" in proc.stdout
    assert "accept: cp" not in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("FAIL: gate not met \u2014 1 new failure;")
    proc, _, _ = run_corpus(fresh_moto, tmp_path / "b", "--filter", one, "--record-hint")
    assert proc.returncode == 1 and "accept: cp" in proc.stdout


def test_reproduce_replays_a_failing_answer_of_moto(moto_run, fresh_moto, tmp_path):
    """The commands `reproduce` prints, run by a shell with the credentials in its environment,
    get moto's failing answer again; report.json has the same command for the failing step."""
    import shutil
    if not shutil.which("curl"):
        pytest.skip("the curl tool is not installed")
    from test_reproduce import sh, steps_of
    _, _, report = moto_run
    case = next(c for c in report["cases"] if c["id"] == "unrecognized-client")
    step = next(s for s in case["steps"] if not s["passed"] and s["name"] == "delete")
    assert step["reproduce"].startswith("curl ") and "$AWS_SECRET_ACCESS_KEY" in step["reproduce"]
    env = clean_env()
    p = run_cli("reproduce", case["id"], "--endpoint", fresh_moto, "--keep", env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    cmd = steps_of(p.stdout)["delete"]
    status, body = sh(cmd, env)
    # moto accepts the unknown key and deletes the tag, as in the run (ECR: 400)
    assert f"HTTP {status}" == step["response"].split("\n")[0] == "HTTP 200"
    assert json.loads(body)["imageIds"], body
    cleanup = subprocess.run(["bash", "-c", p.stdout.strip().splitlines()[-1]],
                             capture_output=True, text=True, timeout=60, env=env,
                             stdin=subprocess.DEVNULL)
    assert cleanup.returncode == 0, cleanup.stderr


# ---- compare -------------------------------------------------------------------------


def test_compare_builtin_and_moto(builtin_report, moto_run, tmp_path):
    _, builtin_out, builtin = builtin_report
    _, moto_out, moto = moto_run
    assert builtin is not None and moto is not None
    out = tmp_path / "compare"
    proc = run_cli("compare", builtin_out / "report.json", moto_out / "report.json", "-o", out)
    assert proc.returncode == 0, proc.stderr
    ids = {c["id"] for c in builtin["cases"]} | {c["id"] for c in moto["cases"]}
    for name in ("compare.html", "compare.md"):
        text = (out / name).read_text()
        for target in ("built-in", TARGET):
            assert target in text, (name, target)
        # a whole id, not a prefix of a longer one (duplicate-tag vs duplicate-tag-then-digest)
        missing = [i for i in ids if not re.search(rf"(?<![a-z0-9-]){re.escape(i)}(?![a-z0-9-])", text)]
        assert not missing, (name, missing)
    # every present cell links to its case in that run's report.html; a pass beside a skip differs
    html = (out / "compare.html").read_text()
    hrefs = set(re.findall(r'<a href="([^"#]+)#case-', html))
    assert {(out / h).resolve() for h in hrefs} == {(builtin_out / "report.html").resolve(),
                                                      (moto_out / "report.html").resolve()}
    skipped = [c["id"] for c in moto["cases"] if c["status"] == "skip"]
    assert skipped and all(f'<tr class="diverge-skip"><td class="id">{i}</td>' in html
                           for i in skipped)


def test_reports_for_people_show_score_matrix_failures_and_no_credentials(moto_run):
    from conftest import TEST_SECRET
    _, out, report = moto_run
    html = (out / "report.html").read_text()
    # score first, then the coverage matrix, then the failures, then every case
    order = [html.find(h) for h in ("<h2>Score</h2>", "<h2>Coverage</h2>", "<h2>Failures (",
                                    "<h2>All cases (")]
    assert -1 not in order and order == sorted(order)
    assert "failureCode:ImageReferencedByManifestList" in html
    fails = [c["id"] for c in report["cases"] if c["status"] == "fail"]
    first_all_cases = html.find("<h2>All cases (")
    assert all(-1 < html.find(i) < first_all_cases for i in fails)  # listed among the failures
    assert "<script" not in html.lower() and 'src="http' not in html
    for f in out.rglob("*"):
        if f.is_file():
            text = f.read_text(errors="replace")
            assert TEST_SECRET not in text, f
            assert "Signature=" not in text, f


def test_regenerating_a_baseline_keeps_its_reasons(moto_run, tmp_path):
    _, out, _ = moto_run
    committed = ROOT / "baselines" / "moto-5.2.1.json"
    copy = tmp_path / "moto.json"
    copy.write_text(committed.read_text())
    p = run_cli("baseline", out / "report.json", "-o", copy)
    assert p.returncode == 0, p.stderr
    old = {e["id"]: e["reason"] for e in json.loads(committed.read_text())["expected_failures"]}
    new = {e["id"]: e["reason"] for e in json.loads(copy.read_text())["expected_failures"]}
    assert new == old  # same cases fail, and no hand-written reason was replaced by a TODO


# ---- fixtures without the layer API ---------------------------------------------------


def test_manifest_only_pushes_are_noted(moto_run):
    # moto 5.2.1 answers BatchCheckLayerAvailability / InitiateLayerUpload with an HTML 500
    # (NotImplementedError): fixture images go up as manifests alone, which moto accepts
    # (real ECR would not: ref §8), and the run says so in the header and the reports.
    proc, out, report = moto_run
    head = proc.stdout.split("\nSKIP ")[0].split("\nPASS ")[0].split("\nFAIL ")[0]
    assert "note: the target has no layer API (BatchCheckLayerAvailability answered HTTP 500)" \
        in head, head
    assert report["target"]["manifest_only_pushes"] == \
        "BatchCheckLayerAvailability answered HTTP 500"
    assert '<property name="manifest_only_pushes" value="BatchCheckLayerAvailability answered ' \
           'HTTP 500"/>' in (out / "junit.xml").read_text()
    # no case errors at set-up, but for those the baseline expects to (moto computes another
    # digest when PutImage has no imageDigest: digest-computed-by-target): every other push
    # was accepted
    expected = {e["id"] for e in json.loads(BASELINE.read_text())["expected_failures"]
                if e.get("status") == "error"}
    errors = {c["id"] for c in report["cases"] if c["status"] == "error"}
    assert errors <= expected, errors - expected
    assert "digest-computed-by-target" in expected
