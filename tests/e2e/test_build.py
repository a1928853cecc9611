"""The build and the layout (issue 7): install rules, one ctest entry per CUnit suite and one for
pytest, the include rules of scripts/check-includes, and every suite of suites.h built.

These read the build directory that holds ECRCONFORM_BIN (./scripts/test builds it)."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BIN, ROOT

BUILD = BIN.parent


def suites_h():
    text = (ROOT / "tests/unit/suites.h").read_text()
    block = text[text.index("#define ECRC_SUITES(X)"):text.index("#define ECRC_DECLARE")]
    return re.findall(r"X\((\w+)\)", block)


def test_every_suite_is_in_cmake_and_has_its_file():
    cmake = (ROOT / "CMakeLists.txt").read_text()
    listed = re.search(r"set\(UNIT_SUITES ([^)]*)\)", cmake).group(1).split()
    assert listed == suites_h(), "CMakeLists.txt UNIT_SUITES and tests/unit/suites.h disagree"
    for s in listed:
        assert (ROOT / f"tests/unit/test_{s}.c").is_file(), f"suite {s} has no tests/unit/test_{s}.c"


@pytest.mark.skipif(not shutil.which("ctest"), reason="ctest (cmake) is not installed")
def test_ctest_lists_each_suite_and_pytest():
    out = subprocess.run(["ctest", "-N"], cwd=BUILD, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    names = re.findall(r"Test\s+#\d+: (\S+)", out.stdout)
    assert names == [f"unit.{s}" for s in suites_h()] + ["pytest"], out.stdout


def test_unit_runner_refuses_an_unknown_suite():
    unit = BUILD / "unit_tests"
    if not unit.exists():
        pytest.skip(f"{unit} not built (BUILD_TESTING=OFF)")
    out = subprocess.run([str(unit), "no-such-suite"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "no suite named 'no-such-suite'" in out.stderr


def test_cmake_install_installs_the_binary_and_the_corpus(tmp_path):
    prefix = tmp_path / "prefix"
    out = subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(prefix)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    exe = prefix / "bin" / "ecrconform"
    assert exe.is_file()
    run = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0 and "usage: ecrconform" in run.stdout
    data = prefix / "share" / "ecrconform"
    assert (data / "cases" / "manifests").is_dir()
    assert len(list((data / "golden").iterdir())) == len(list((ROOT / "golden").iterdir()))
    # the installed binary runs its installed corpus from any directory
    from conftest import clean_env
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run([str(exe), "run", "--no-progress", "--report-dir", "r",
                          "--filter", "delete-last-tag"], capture_output=True, text=True,
                         timeout=120, cwd=elsewhere, env=clean_env(), stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((elsewhere / "r" / "report.json").read_text())
    assert [Path(c["file"]).resolve() for c in report["cases"]] == [
        (data / "cases" / "batch-delete-image" / "delete-last-tag.json").resolve()]


def test_include_rules_hold_and_catch_a_cycle(tmp_path):
    """scripts/check-includes passes on the tree, and fails on a copy with a planted cycle and
    a CLI file that includes an internal header."""
    ok = subprocess.run([sys.executable, str(ROOT / "scripts/check-includes")],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    copy = tmp_path / "tree"
    shutil.copytree(ROOT / "harness", copy / "harness")
    (copy / "scripts").mkdir()
    shutil.copy(ROOT / "scripts/check-includes", copy / "scripts/check-includes")
    fixture = copy / "harness/core/run/fixture.h"
    fixture.write_text(re.sub(r"(#define ECR_\w+_H\n)", r'\1#include "runner.h"\n',
                              fixture.read_text(), count=1))
    main = copy / "harness/cli/main.c"
    main.write_text('#include "store.h"\n' + main.read_text())
    bad = subprocess.run([sys.executable, str(copy / "scripts/check-includes")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "include cycle:" in bad.stderr and "fixture" in bad.stderr and "runner" in bad.stderr
    assert "harness/cli/main.c: includes 'store.h', which is not a public header" in bad.stderr
