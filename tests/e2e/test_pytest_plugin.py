"""The pytest plugin (python/ecrconform_pytest.py, docs/PYTEST.md), end to end.

Each test runs an inner pytest (Debian's python3) with `-p ecrconform_pytest` over the corpus (or a
private copy of it with a planted wrong golden) and checks its items against `ecrconform run`'s own
report: same cases, same outcomes. Every inner run is bounded by a timeout.
"""
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import BIN, ROOT, clean_env, run_cli

PLUGIN_DIR = ROOT / "python"
CASES = ROOT / "cases"
PLANTED = "delete-last-tag"  # its golden state/ is planted wrong in the copy


def case_ids(cases_dir):
    ids = {}
    for p in sorted(cases_dir.rglob("*.json")):
        if "manifests" in p.parts:
            continue
        ids[json.loads(p.read_text())["id"]] = p
    return ids


def inner_pytest(tmp_path, *args, timeout=240, env=None):
    """Runs pytest -p ecrconform_pytest in a private directory; returns (proc, outcomes by case
    id from its junit.xml: passed/failed/skipped/xfailed)."""
    work = tmp_path / "inner"
    work.mkdir(exist_ok=True)
    junit = work / f"junit-{len(list(work.glob('junit-*.xml')))}.xml"
    e = env or clean_env()
    e.update(PYTHONPATH=str(PLUGIN_DIR), ECRCONFORM_BIN=str(BIN))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "ecrconform_pytest", "-o", f"cache_dir={work / 'cache'}",
         "--rootdir", str(work), f"--junitxml={junit}", "-q", *map(str, args)],
        cwd=work, capture_output=True, text=True, timeout=timeout, env=e, stdin=subprocess.DEVNULL)
    outcomes = {}
    if junit.exists():
        for tc in ET.parse(junit).getroot().iter("testcase"):
            kinds = [c.tag for c in tc]
            if "failure" in kinds or "error" in kinds:
                outcomes[tc.get("name")] = "failed"
            elif "skipped" in kinds:
                sk = tc.find("skipped")
                outcomes[tc.get("name")] = ("xfailed" if (sk.get("type") or "") == "pytest.xfail"
                                            else "skipped")
            else:
                outcomes[tc.get("name")] = "passed"
    return proc, outcomes


def run_report(tmp_path, *args):
    out = tmp_path / f"run-{len(list(tmp_path.glob('run-*')))}"
    proc = run_cli("run", "--report-dir", out, "--no-progress", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads((out / "report.json").read_text())


def expected_outcome(case):
    status = case["status"]
    if status == "pass":
        return "passed"
    if status == "skip":
        return "skipped"
    return "xfailed" if case.get("baseline_expected") else "failed"


@pytest.fixture
def planted(tmp_path):
    """A private copy of cases/ and golden/ with the golden of delete-last-tag's state step
    expecting a tag the fixture never pushes."""
    root = tmp_path / "corpus"
    shutil.copytree(CASES, root / "cases")
    shutil.copytree(ROOT / "golden", root / "golden")
    (root / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "ECR-BEHAVIOUR.md", root / "docs")  # the goldens cite it
    g = root / "golden" / PLANTED / "state.json"
    text = g.read_text()
    assert '"stable"' in text
    g.write_text(text.replace('"stable"', '"stable-planted"'))
    return root


def test_collect_only_lists_one_item_per_case(tmp_path, ecrconform_bin):
    proc, _ = inner_pytest(tmp_path, "--collect-only", CASES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = [l for l in proc.stdout.splitlines() if "::" in l]
    ids = case_ids(CASES)
    assert len(listed) == len(ids)
    assert sorted(l.rsplit("::", 1)[1] for l in listed) == sorted(ids)


def test_items_match_run_case_for_case(tmp_path, ecrconform_bin):
    report = run_report(tmp_path, CASES)
    proc, outcomes = inner_pytest(tmp_path, CASES)
    want = {c["id"]: expected_outcome(c) for c in report["cases"]}
    assert outcomes == want, proc.stdout[-3000:]
    assert proc.returncode == (0 if all(v != "failed" for v in want.values()) else 1)


def test_planted_wrong_golden_fails_its_item_with_the_diff(tmp_path, planted, ecrconform_bin):
    report = run_report(tmp_path, planted / "cases")
    proc, outcomes = inner_pytest(tmp_path, planted / "cases")
    want = {c["id"]: expected_outcome(c) for c in report["cases"]}
    assert want[PLANTED] == "failed"
    assert outcomes == want
    assert proc.returncode == 1
    failing = [k for k, v in outcomes.items() if v == "failed"]
    assert failing == [PLANTED]
    # The failure shows run's diff lines for the case.
    diff = next(c for c in report["cases"] if c["id"] == PLANTED)["diff"]
    assert diff and all(line in proc.stdout for line in diff), proc.stdout[-3000:]
    assert "stable-planted" in proc.stdout


def test_x_stops_at_the_first_failure(tmp_path, planted, ecrconform_bin):
    proc, outcomes = inner_pytest(tmp_path, "-x", planted / "cases")
    assert proc.returncode == 1
    assert outcomes.get(PLANTED) == "failed"
    assert "stopping after 1 failures" in proc.stdout
    assert len(outcomes) < len(case_ids(planted / "cases"))


def test_last_failed_reruns_only_the_failure(tmp_path, planted, ecrconform_bin):
    first, out1 = inner_pytest(tmp_path, planted / "cases")
    assert first.returncode == 1 and out1[PLANTED] == "failed"
    again, out2 = inner_pytest(tmp_path, "--lf", planted / "cases")
    assert again.returncode == 1
    assert out2 == {PLANTED: "failed"}, again.stdout[-2000:]


def test_k_selects_by_case_id(tmp_path, ecrconform_bin):
    proc, outcomes = inner_pytest(tmp_path, "-k", "not-found", CASES)
    assert proc.returncode == 0, proc.stdout[-2000:]
    want = {i for i in case_ids(CASES) if "not-found" in i}
    assert want and set(outcomes) == want


def test_m_selects_by_covers_label_and_level(tmp_path, ecrconform_bin):
    ids = case_ids(CASES)
    label = "failureCode:ImageNotFound"
    want = {i for i, p in ids.items() if label in json.loads(p.read_text()).get("covers", [])}
    assert want
    proc, outcomes = inner_pytest(tmp_path, "-W", "error::pytest.PytestUnknownMarkWarning",
                                  "-m", "failureCode_ImageNotFound", CASES)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert set(outcomes) == want
    # The level marker is the case's level in run's report.
    report = run_report(tmp_path, CASES)
    want_c = {c["id"] for c in report["cases"] if c["level"] == "C"}
    proc, outcomes = inner_pytest(tmp_path, "-m", "level_C", CASES)
    assert set(outcomes) == want_c, proc.stdout[-2000:]


def test_baseline_expected_failure_is_xfail_and_fixed_is_strict_xpass(tmp_path, planted,
                                                                        ecrconform_bin):
    fixed = "delete-by-digest-one-tag"  # passes on the built-in emulator
    bl = tmp_path / "baseline.json"
    bl.write_text(json.dumps({"target": "built-in", "expected_failures": [
        {"id": PLANTED, "reason": "planted wrong golden (test)"},
        {"id": fixed, "reason": "listed although it passes (test)"}]}))
    proc, outcomes = inner_pytest(tmp_path, "--ecr-baseline", bl, "-rxX", planted / "cases")
    assert outcomes[PLANTED] == "xfailed"
    assert "planted wrong golden (test)" in proc.stdout
    assert outcomes[fixed] == "failed"
    assert "[XPASS(strict)] listed although it passes (test)" in proc.stdout
    assert proc.returncode == 1
    others = {k: v for k, v in outcomes.items() if k not in (PLANTED, fixed)}
    assert set(others.values()) == {"passed"}


def test_xdist_gives_the_same_outcomes(tmp_path, planted, ecrconform_bin):
    pytest.importorskip("xdist", reason="python3-pytest-xdist is not installed")
    _, serial = inner_pytest(tmp_path, planted / "cases")
    proc, parallel = inner_pytest(tmp_path, "-n", "2", planted / "cases")
    assert parallel == serial, proc.stdout[-2000:]
    assert parallel[PLANTED] == "failed"


def test_moto_with_baseline_matches_run(tmp_path, moto, ecrconform_bin):
    baseline = ROOT / "baselines" / "moto-5.2.1.json"
    report = run_report(tmp_path, "--endpoint", moto, "--target", "moto-5.2.1", "--baseline",
                        baseline, CASES)
    proc, outcomes = inner_pytest(tmp_path, "--ecr-endpoint", moto, "--ecr-baseline", baseline,
                                  "--ecr-run-arg=--target=moto-5.2.1", CASES)
    want = {c["id"]: expected_outcome(c) for c in report["cases"]}
    assert outcomes == want, proc.stdout[-3000:]
    assert "xfailed" in outcomes.values()
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_other_json_under_cases_is_not_an_item_but_a_broken_case_is(tmp_path, planted, ecrconform_bin):
    (planted / "cases" / "batch-delete-image" / "notes.json").write_text('{"note": "not a case"}')
    (planted / "cases" / "batch-delete-image" / "broken-case.json").write_text('{"id": "broken-case",')
    proc, _ = inner_pytest(tmp_path, "--collect-only", planted / "cases")
    listed = [l.rsplit("::", 1)[1] for l in proc.stdout.splitlines() if "::" in l]
    assert "notes" not in listed and "broken-case" in listed
    assert len(listed) == len(case_ids(CASES)) + 1
    proc, outcomes = inner_pytest(tmp_path, "-k", "broken-case", planted / "cases")
    assert outcomes == {"broken-case": "failed"}
    assert "error" in proc.stdout
