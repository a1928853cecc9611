"""docs/OPEN-QUESTIONS.md is generated from the goldens (scripts/open-questions) and current."""
import json
import subprocess
import sys

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "open-questions"


def run(*args, root=ROOT):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True,
                          text=True, timeout=60, cwd=root, stdin=subprocess.DEVNULL)


def test_committed_file_is_current():
    proc = run("--check")
    assert proc.returncode == 0, proc.stderr + "\nregenerate: scripts/open-questions"


def test_check_fails_when_stale(tmp_path):
    stale = tmp_path / "OPEN-QUESTIONS.md"
    stale.write_text((ROOT / "docs" / "OPEN-QUESTIONS.md").read_text().replace("oq-", "oq_", 1))
    proc = run("--check", "-o", stale)
    assert proc.returncode == 1 and "stale" in proc.stderr


def test_every_question_of_a_golden_is_listed_with_its_cases():
    text = (ROOT / "docs" / "OPEN-QUESTIONS.md").read_text()
    ref = (ROOT / "docs" / "ECR-BEHAVIOUR.md").read_text()
    seen = set()
    for g in sorted((ROOT / "golden").rglob("*.json")):
        stack = [json.loads(g.read_text())]
        while stack:
            j = stack.pop()
            if isinstance(j, dict):
                if "$anyOf" in j:
                    q = j["question"]
                    seen.add(q)
                    assert f'<a id="{q}"></a>' in ref, (g, q)
                    assert f"`{g.parent.name}` | `{g.stem}`" in text, (g, q)
                    for alt in j["$anyOf"]:
                        assert f"| `{alt['answer']}` |" in text, (g, alt["answer"])
                stack.extend(j.values())
            elif isinstance(j, list):
                stack.extend(j)
    assert seen, "no golden holds an open question"
    for q in seen:
        assert f"Question `{q}`" in text, q
