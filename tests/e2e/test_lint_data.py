"""Loader tests as data (as jq and curl keep theirs): tests/data/lint/NAME/.

Each NAME directory holds the files it changes in a copy of tests/data/lint/_base (a valid
case, its goldens, a manifest and a baseline), and `expected`: the exact output of

    ecrconform lint --golden-dir golden --baseline baseline.json cases/t.json

run in that copy. Two marker files make what git cannot hold: `fifo` names a file to replace
with a FIFO nobody writes to, `big` names a file and a size to fill it to (a JSON value
padded with spaces). To accept a changed diagnostic after reviewing it:

    ECRCONFORM_ACCEPT=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider \
        tests/e2e/test_lint_data.py -k NAME
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "lint"
BASE = DATA / "_base"
MARKERS = {"expected", "fifo", "big"}
NAMES = sorted(p.name for p in DATA.iterdir() if p.is_dir() and p.name != "_base")


def build_corpus(name: str, work: Path) -> None:
    shutil.copytree(BASE, work)
    src = DATA / name
    for f in src.rglob("*"):
        rel = f.relative_to(src)
        if f.is_file() and str(rel) not in MARKERS:
            dest = work / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dest)
    if (src / "fifo").exists():
        target = work / (src / "fifo").read_text().strip()
        target.unlink()
        os.mkfifo(target)
    if (src / "big").exists():
        rel, size = (src / "big").read_text().split()
        with open(work / rel, "wb") as out:
            out.write(b"{}" + b" " * (int(size) - 2))


def test_every_rule_has_a_case():
    # A directory without `expected` would pass vacuously.
    assert NAMES, "no data tests found"
    for name in NAMES:
        assert (DATA / name / "expected").is_file(), f"{name}: no expected file"


@pytest.mark.parametrize("name", NAMES)
def test_lint_data(ecrconform_bin, tmp_path, name):
    work = tmp_path / "corpus"
    build_corpus(name, work)
    res = subprocess.run(
        [ecrconform_bin, "lint", "--golden-dir", "golden", "--baseline", "baseline.json", "cases/t.json"],
        cwd=work, capture_output=True, text=True, timeout=30,
    )
    expected_file = DATA / name / "expected"
    if os.environ.get("ECRCONFORM_ACCEPT") == "1":
        expected_file.write_text(res.stdout)
    expected = expected_file.read_text() if expected_file.exists() else ""
    assert res.returncode == 3, f"{name}: lint exit {res.returncode}, expected 3\n{res.stdout}"
    if res.stdout != expected:
        pytest.fail(
            f"{name}: lint output differs from {expected_file}\n"
            f"--- expected\n{expected}--- got\n{res.stdout}"
            f"To accept the new output after reviewing it:\n"
            f"  ECRCONFORM_ACCEPT=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider "
            f"tests/e2e/test_lint_data.py -k {name}\n"
        )


def test_base_is_clean(ecrconform_bin, tmp_path):
    # Every data test is one change away from this corpus: it must lint clean.
    work = tmp_path / "corpus"
    shutil.copytree(BASE, work)
    res = subprocess.run(
        [ecrconform_bin, "lint", "--golden-dir", "golden", "--baseline", "baseline.json", "cases/t.json"],
        cwd=work, capture_output=True, text=True, timeout=30,
    )
    assert res.returncode == 0, res.stdout
    assert res.stdout == "lint: 1 case file, 2 goldens, 0 problems\n"
