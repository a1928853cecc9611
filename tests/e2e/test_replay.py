"""`ecrconform replay` (docs/REPLAY.md): the corpus's goldens served as an endpoint. `run` against
it passes every case (so every answer it synthesises satisfies its golden), a request no case
describes gets an error naming the closest case, and a bad file is reported while the rest is
served."""
import json
import shutil

import pytest

from conftest import ROOT, boto3_ecr, run_cli, start_replay, stop

pytest.importorskip("boto3", reason="boto3 is not installed (Debian: python3-boto3)")

CASES = ROOT / "cases" / "batch-delete-image"


def ncases():
    return len([p for p in CASES.glob("*.json")])


@pytest.fixture(scope="module")
def replayed(ecrconform_bin):
    s = start_replay()
    yield s
    stop(s.proc)


def test_run_against_replay_passes_every_case(replayed, tmp_path):
    p = run_cli("run", "--endpoint", replayed.url, "--report-dir", tmp_path / "r", "--no-progress")
    rep = json.loads((tmp_path / "r" / "report.json").read_text())
    statuses = {c["id"]: c["status"] for c in rep["cases"]}
    assert len(statuses) == ncases() and replayed.summary == f"replaying {ncases()} cases (0 invalid files left out)"
    assert {k: v for k, v in statuses.items() if v != "pass"} == {}, p.stdout[-3000:]
    assert p.returncode == 0, p.stdout[-2000:]
    # Every step was answered from its golden, not by the emulator's model.
    log = replayed.log_lines()
    steps = sum(len(json.loads(f.read_text())["steps"]) for f in CASES.glob("*.json"))
    answered = [line for line in log if " golden " in line]
    assert len(answered) >= steps
    for case in ("delete-last-tag", "invalid-signature", "serialization-malformed-json",
                 "repository-name-2-chars", "throttling-exception"):
        assert any(f"golden {case}/" in line for line in answered), case


def test_unknown_request_names_the_closest_case(replayed):
    from botocore.exceptions import ClientError
    ecr = boto3_ecr(replayed.url)
    # The case's own repository, another tag than its step deletes.
    with pytest.raises(ClientError) as e:
        ecr.batch_delete_image(repositoryName="sdk-x1/delete-last-tag/app",
                               imageIds=[{"imageTag": "nightly"}])
    err = e.value.response["Error"]
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["Code"] == "EcrconformReplayNoMatch"
    msg = err["Message"]
    assert "closest is case 'delete-last-tag' step 'delete'" in msg, msg
    assert '$.body.imageIds[0].imageTag: expected "latest", got "nightly"' in msg, msg
    # A repository name that names no loaded case: said so, and still the closest step.
    with pytest.raises(ClientError) as e:
        ecr.list_images(repositoryName="sdk-x1/no-such-case/app")
    msg = e.value.response["Error"]["Message"]
    assert "names case 'no-such-case', which is not loaded" in msg, msg
    assert "closest is case '" in msg and "(ListImages, " in msg, msg
    assert "which the request matches but for the case its repository name names" in msg, msg
    # An operation no case uses: the closest is named with the operation that differs.
    with pytest.raises(ClientError) as e:
        ecr.describe_images(repositoryName="sdk-x1/delete-last-tag/app")
    msg = e.value.response["Error"]["Message"]
    assert "X-Amz-Target" in msg and "DescribeImages" in msg and "closest is case 'delete-last-tag'" in msg


def test_fixture_traffic_is_answered_by_the_model(replayed):
    """CreateRepository, PutImage and DeleteRepository reach the emulator: the sequence a client
    sees is the live one (a second CreateRepository of the same name is refused)."""
    from botocore.exceptions import ClientError
    ecr = boto3_ecr(replayed.url)
    name = "sdk-m1/delete-last-tag/app"
    assert ecr.create_repository(repositoryName=name)["repository"]["repositoryName"] == name
    with pytest.raises(ClientError) as e:
        ecr.create_repository(repositoryName=name)
    assert e.value.response["Error"]["Code"] == "RepositoryAlreadyExistsException"
    ecr.delete_repository(repositoryName=name, force=True)


def copy_corpus(dst, ids):
    """A corpus of its own with the cases ids (and their goldens, manifests, blobs and the
    reference the goldens cite)."""
    (dst / "cases" / "batch-delete-image").mkdir(parents=True)
    for sub in ("manifests", "blobs"):
        shutil.copytree(ROOT / "cases" / sub, dst / "cases" / sub)
    (dst / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "ECR-BEHAVIOUR.md", dst / "docs")
    for i in ids:
        shutil.copy(CASES / f"{i}.json", dst / "cases" / "batch-delete-image")
        shutil.copytree(ROOT / "golden" / i, dst / "golden" / i)
    return dst


def test_bad_files_are_reported_and_the_rest_served(ecrconform_bin, tmp_path):
    root = copy_corpus(tmp_path / "corpus", ["delete-last-tag", "repository-not-found",
                                             "access-denied-exception"])
    bad = root / "cases" / "batch-delete-image" / "broken.json"
    bad.write_text('{"id": "broken", ')
    # A golden replay cannot answer: its message pattern holds a lookahead.
    g = root / "golden" / "access-denied-exception" / "delete.json"
    doc = json.loads(g.read_text())
    doc["error"]["message"] = {"$regex": "^(?=User)User: .+$"}
    g.write_text(json.dumps(doc))
    s = start_replay(root / "cases")
    try:
        assert s.summary == "replaying 2 cases (2 invalid files left out)", s.summary
        p = run_cli("run", "--endpoint", s.url, "--report-dir", tmp_path / "r", "--no-progress",
                    root / "cases" / "batch-delete-image" / "delete-last-tag.json",
                    root / "cases" / "batch-delete-image" / "repository-not-found.json")
        assert p.returncode == 0, p.stdout[-2000:]
    finally:
        stop(s.proc)
    err = "\n".join(s.log_lines())
    assert f"{bad}: invalid JSON" in err, err[:2000]
    assert (f"{g}: replay cannot answer this golden: error.message: $regex \"^(?=User)User: .+$\" "
            "cannot be instantiated: the group '(?=' (lookaround or inline flags), which replay "
            "does not model") in err, err[:2000]
    assert s.proc.returncode == 3  # files were left out


def test_no_valid_case_serves_nothing(ecrconform_bin, tmp_path):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "broken.json").write_text("[")
    p = run_cli("replay", "--port", "0", tmp_path / "cases", timeout=30)
    assert p.returncode == 3 and "no valid case to serve" in p.stderr and "broken.json" in p.stderr
    assert "listening" not in p.stdout


def test_help_and_usage(ecrconform_bin):
    p = run_cli("replay", "--help")
    assert p.returncode == 0 and "EcrconformReplayNoMatch" in p.stdout and "--port N" in p.stdout
    assert "replay [PATH...]" in run_cli("--help").stdout
    p = run_cli("replay", "--host", "0.0.0.0")
    assert p.returncode == 2 and "only 127.0.0.1 is served" in p.stderr
    p = run_cli("replay", "--port", "70000")
    assert p.returncode == 2


def _answers(report_dir, question):
    rep = json.loads((report_dir / "report.json").read_text())
    return {a["answer"] for c in rep["cases"] for s in c.get("steps", [])
            for a in s.get("answers", []) if a["question"] == question}


@pytest.mark.parametrize("answer,other", [("in-order", "merged"), ("merged", "in-order")])
def test_open_answer_picks_the_alternative(ecrconform_bin, tmp_path, answer, other):
    """`replay --open-answer Q=A` answers open question Q with alternative A wherever a golden
    asks it (the default is the first listed): `run` against it passes and records A, never
    the other one."""
    s = start_replay("--open-answer", f"oq-same-image-twice={answer}")
    try:
        p = run_cli("run", "--endpoint", s.url, "--report-dir", tmp_path / "r", "--no-progress",
                    "--filter", "duplicate-tag")
        assert p.returncode == 0, p.stdout[-2000:]
        got = _answers(tmp_path / "r", "oq-same-image-twice")
        assert answer in got and other not in got, got
    finally:
        stop(s.proc)


def test_open_answer_refuses_unknown_questions_and_answers(ecrconform_bin):
    p = run_cli("replay", "--port", "0", "--open-answer", "oq-same-image-twice=bogus")
    assert p.returncode == 2
    assert "'bogus' is not an answer the goldens list for oq-same-image-twice (they list: " \
           "in-order, merged)" in p.stderr
    p = run_cli("replay", "--port", "0", "--open-answer", "oq-no-such-question=x")
    assert p.returncode == 2 and "no loaded golden asks the question 'oq-no-such-question'" in p.stderr
    p = run_cli("replay", "--port", "0", "--open-answer", "no-equals-sign")
    assert p.returncode == 2 and "expected QUESTION=ANSWER" in p.stderr
