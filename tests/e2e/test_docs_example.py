"""The example in docs/CASES.md is run, so the documentation cannot rot (as jq runs its manual).

Every fenced JSON block preceded by `<!-- example: PATH -->` is written to PATH in a private
corpus (with the manifest it names, copied from cases/manifests/, and its blobs), linted, and run against
the built-in emulator: every case must pass.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = ROOT / "docs" / "CASES.md"
BLOCK = re.compile(r"<!-- example: (\S+) -->\n```json\n(.*?)\n```", re.S)


def examples():
    return BLOCK.findall(DOC.read_text())


def test_doc_has_the_examples():
    paths = [p for p, _ in examples()]
    assert any(p.startswith("cases/") for p in paths), paths
    assert any(p.startswith("golden/") for p in paths), paths
    for _, text in examples():
        json.loads(text)  # each block is JSON on its own


def test_doc_example_lints_and_passes(ecrconform_bin, tmp_path):
    corpus = tmp_path / "corpus"
    for rel, text in examples():
        dest = corpus / rel
        assert not dest.exists(), f"{rel} appears twice in {DOC}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text + "\n")
    # goldens cite docs/ECR-BEHAVIOUR.md by anchor; lint looks for it above them
    (corpus / "docs").mkdir()
    shutil.copyfile(ROOT / "docs" / "ECR-BEHAVIOUR.md", corpus / "docs" / "ECR-BEHAVIOUR.md")
    for case in (corpus / "cases").rglob("*.json"):
        for repo in json.loads(case.read_text())["fixture"]["repositories"]:
            for image in repo.get("images", []):
                src = ROOT / "cases" / image["manifest"]
                (corpus / "cases" / image["manifest"]).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, corpus / "cases" / image["manifest"])
                # and the blobs that make it a complete image
                m = json.loads(src.read_text())
                for d in [m["config"]] + m["layers"] if "config" in m else []:
                    blob = Path("blobs", "sha256", d["digest"].split(":", 1)[1])
                    (corpus / "cases" / blob).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(ROOT / "cases" / blob, corpus / "cases" / blob)
    lint = subprocess.run([ecrconform_bin, "lint"], cwd=corpus, capture_output=True, text=True,
                          timeout=60)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert " 0 problems" in lint.stdout
    reports = tmp_path / "reports"
    run = subprocess.run([ecrconform_bin, "run", "--report-dir", str(reports)], cwd=corpus,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((reports / "report.json").read_text())
    statuses = {c["id"]: c["status"] for c in report["cases"]}
    assert statuses == {"tag-one-of-several": "pass"}, statuses
