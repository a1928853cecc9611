"""Open questions (docs/ECR-BEHAVIOUR.md#open-questions) against the built-in emulator.

Every case that asks an open question passes 100% with the emulator configured for each
answer it can give (run --open-answer), and the report records exactly the configured
answer, so the switch, the emulator's model and the goldens' alternatives agree. Lint
refuses an open golden that is not well formed, and a citation of a missing anchor.
"""
import json
import shutil

import pytest

from conftest import ROOT, run_cli

# question -> every answer the emulator can give (the first is its default)
ANSWERS = {
    "oq-same-image-twice": ["in-order", "merged"],
    "oq-index-then-children": ["before-request", "in-order"],
    "oq-tag-and-digest": ["tag", "image"],
    "oq-tag-known-digest-unknown": ["ImageNotFound", "ImageTagDoesNotMatchDigest"],
    "oq-invalid-digest-echo": ["as-sent", "digest-only"],
    "oq-invalid-tag": ["InvalidImageTag", "InvalidParameterException", "ImageNotFound"],
    "oq-tag-leading-punctuation": ["valid", "InvalidImageTag", "InvalidParameterException"],
    "oq-empty-digest": ["InvalidImageDigest", "MissingDigestAndTag"],
    "oq-digest-case": ["ImageNotFound", "case-insensitive"],
    "oq-auth-order": ["auth-first", "front-end-first"],
}


def questions_of_goldens():
    """question -> sorted case ids whose goldens ask it."""
    out = {}
    for g in sorted((ROOT / "golden").rglob("*.json")):
        stack = [json.loads(g.read_text())]
        while stack:
            j = stack.pop()
            if isinstance(j, dict):
                if "$anyOf" in j:
                    out.setdefault(j["question"], set()).add(g.parent.name)
                stack.extend(j.values())
            elif isinstance(j, list):
                stack.extend(j)
    return {q: sorted(c) for q, c in out.items()}


def test_every_question_of_the_goldens_can_be_switched():
    asked = questions_of_goldens()
    assert asked, "no golden asks an open question"
    assert set(asked) <= set(ANSWERS), set(asked) - set(ANSWERS)
    help_text = run_cli("serve", "--help").stdout
    for q, answers in ANSWERS.items():
        assert f"{q}={'|'.join(answers)} (default {answers[0]})" in help_text, q


@pytest.mark.parametrize("question,answer",
                         [(q, a) for q, answers in ANSWERS.items() for a in answers])
def test_open_cases_pass_under_every_answer(ecrconform_bin, tmp_path, question, answer):
    cases = questions_of_goldens().get(question)
    if not cases:
        pytest.skip(f"no golden asks {question}")
    paths = [ROOT / "cases" / "batch-delete-image" / f"{c}.json" for c in cases]
    out = tmp_path / "reports"
    proc = run_cli("run", "--no-progress", "--report-dir", out, "--open-answer",
                   f"{question}={answer}", *paths)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    s = report["summary"]
    assert s["passed"] == s["total"] == len(cases)
    given = [(c["id"], st["name"], a["answer"], a["matched"])
             for c in report["cases"] for st in c["steps"] for a in st.get("answers", [])
             if a["question"] == question]
    assert given, "the report records no answer"
    for case_id, step, got, matched in given:
        assert matched and answer in got.split("|"), (case_id, step, got)


def test_the_default_answers_need_no_option(builtin_report):
    _, _, report = builtin_report
    defaults = {q: a[0] for q, a in ANSWERS.items()}
    seen = 0
    for c in report["cases"]:
        for st in c["steps"]:
            for a in st.get("answers", []):
                assert defaults[a["question"]] in a["answer"].split("|"), (c["id"], a)
                seen += 1
    assert seen
    assert report["summary"]["by_level"]["open"]["total"] > 0
    assert report["summary"]["by_level"]["open"]["passed"] == \
        report["summary"]["by_level"]["open"]["total"]


def test_unknown_question_or_answer_is_a_usage_error(ecrconform_bin):
    for arg in ("oq-nothing=x", "oq-same-image-twice=sideways", "no-equals-sign"):
        for cmd in ("run", "serve"):
            proc = run_cli(cmd, "--open-answer", arg, timeout=30)
            assert proc.returncode == 2, (cmd, arg, proc.stdout, proc.stderr)
            assert "--open-answer" in proc.stderr
    proc = run_cli("run", "--endpoint", "http://127.0.0.1:9", "--open-answer",
                   "oq-tag-and-digest=image", timeout=30)
    assert proc.returncode == 2 and "--endpoint" in proc.stderr


# ---- lint of open goldens and citations -----------------------------------------------


def corpus_copy(tmp_path, case_id):
    (tmp_path / "cases" / "b").mkdir(parents=True)
    shutil.copytree(ROOT / "cases" / "manifests", tmp_path / "cases" / "manifests")
    shutil.copytree(ROOT / "cases" / "blobs", tmp_path / "cases" / "blobs")
    shutil.copy(ROOT / "cases" / "batch-delete-image" / f"{case_id}.json", tmp_path / "cases" / "b")
    shutil.copytree(ROOT / "golden" / case_id, tmp_path / "golden" / case_id)
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "ECR-BEHAVIOUR.md", tmp_path / "docs")
    return tmp_path / "golden" / case_id


def lint(tmp_path):
    return run_cli("lint", tmp_path / "cases", cwd=tmp_path)


def edit(path, fn):
    g = json.loads(path.read_text())
    fn(g)
    path.write_text(json.dumps(g, indent=2))


@pytest.mark.parametrize("mutate,needle", [
    (lambda g: g["provenance"]["sources"].append("ECR-BEHAVIOUR.md#no-such-anchor"),
     "no anchor 'no-such-anchor'"),
    (lambda g: g["$anyOf"][0]["sources"].append("ECR-BEHAVIOUR.md#oq-missing"),
     "no anchor 'oq-missing'"),
    (lambda g: g.update(question="oq-not-a-question"), "no anchor 'oq-not-a-question'"),
    (lambda g: g.update(question="same-image"), "question"),
    (lambda g: g["$anyOf"][0].pop("sources"), "sources"),
    (lambda g: g["$anyOf"][0].pop("level"), "level"),
    (lambda g: g["$anyOf"][1].update(answer=g["$anyOf"][0]["answer"]), "listed twice"),
    (lambda g: g.update({"$anyOf": g["$anyOf"][:1]}), "at least two"),
    (lambda g: g["provenance"].update(level="I"), "stronger than the weakest alternative"),
    (lambda g: g["$anyOf"][0]["body"]["imageIds"].update(
        {"question": "oq-tag-and-digest",
         "$anyOf": [{"answer": "a", "level": "I", "sources": ["x"], "value": []},
                    {"answer": "b", "level": "I", "sources": ["x"], "value": []}]}),
     "nested $anyOf"),
])
def test_lint_refuses_bad_open_goldens(ecrconform_bin, tmp_path, mutate, needle):
    gdir = corpus_copy(tmp_path, "invalid-tag-colon")
    assert lint(tmp_path).returncode == 0
    edit(gdir / "delete.json", mutate)
    proc = lint(tmp_path)
    assert proc.returncode == 3, proc.stdout
    assert needle in proc.stdout, proc.stdout


def test_lint_needs_the_behaviour_doc_for_its_citations(ecrconform_bin, tmp_path):
    corpus_copy(tmp_path, "not-found-tag")
    (tmp_path / "docs" / "ECR-BEHAVIOUR.md").unlink()
    proc = lint(tmp_path)
    assert proc.returncode == 3 and "no docs/ECR-BEHAVIOUR.md was found" in proc.stdout


def test_every_citation_of_the_corpus_resolves():
    """The anchors every golden, the baseline and the docs cite exist (lint checks goldens;
    this checks the baselines and the Markdown files too)."""
    import re
    doc = (ROOT / "docs" / "ECR-BEHAVIOUR.md").read_text()
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', doc))
    files = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "baselines").glob("*.json")]
    bad = []
    for f in files:
        for a in re.findall(r"ECR-BEHAVIOUR\.md#([a-z0-9-]+)", f.read_text()):
            if a not in anchors:
                bad.append((f.name, a))
        assert "ecr-reference.md" not in f.read_text(), f
    assert not bad, bad


def test_index_before_children_is_decided_not_open(ecrconform_bin, tmp_path):
    """The reference states the rule for an index and its children in one request (references
    judged on the state before the request: I) and does not call it unknown, so no golden asks
    oq-index-then-children any more; the emulator switched to in-order processing (moto's way)
    fails the index-first cases on that I expectation."""
    assert "oq-index-then-children" not in questions_of_goldens()
    cases = ["index-and-children-index-first", "index-and-children-oci"]
    paths = [ROOT / "cases" / "batch-delete-image" / f"{c}.json" for c in cases]
    for answer, code in (("before-request", 0), ("in-order", 1)):
        out = tmp_path / answer
        proc = run_cli("run", "--no-progress", "--report-dir", out, "--open-answer",
                       f"oq-index-then-children={answer}", *paths)
        assert proc.returncode == code, proc.stdout[-3000:] + proc.stderr[-2000:]
    report = json.loads((tmp_path / "in-order" / "report.json").read_text())
    for c in report["cases"]:
        assert c["status"] == "fail" and c["level"] == "I", c["id"]
        diffs = " ".join(d for st in c["steps"] for d in st.get("diff", []))
        assert "ImageReferencedByManifestList" in diffs, c["id"]
