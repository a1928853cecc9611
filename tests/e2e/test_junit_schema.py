"""junit.xml against the Jenkins xUnit schema (tests/data/junit/junit-10.xsd), with `file` and
`line` on every test case for GitLab. conftest.py also validates every junit.xml any test wrote."""
import json
import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, junit_schema_problems, run_cli

pytestmark = pytest.mark.skipif(not shutil.which("xmllint"),
                                reason="xmllint missing (Debian: libxml2-utils)")


def test_schema_rejects_what_the_old_writer_wrote(tmp_path):
    """The check can fail: a skipped count on <testsuites> and <properties> in a testcase."""
    bad = tmp_path / "old-writer.xml"  # not junit.xml: the session check would flag it
    bad.write_text('<?xml version="1.0"?>\n<testsuites tests="1" skipped="0">'
                   '<testsuite name="s" tests="1" failures="0" errors="0">'
                   '<testcase name="c"><properties><property name="a" value="b"/></properties>'
                   '</testcase></testsuite></testsuites>\n')
    problems = junit_schema_problems(bad, tmp_path / "scratch")
    assert "skipped" in problems and "properties" in problems, problems


def test_builtin_run_is_valid_and_points_at_case_files(builtin_report, tmp_path):
    _, out, report = builtin_report
    assert junit_schema_problems(out / "junit.xml", tmp_path) == ""
    files = {c["id"]: c["file"] for c in report["cases"]}
    cases = list(ET.parse(out / "junit.xml").getroot().iter("testcase"))
    assert len(cases) == len(files)
    for tc in cases:
        assert tc.get("file") == files[tc.get("name")] and tc.get("line") == "1"
        assert (ROOT / tc.get("file")).is_file()
        assert tc.find("properties") is None
    # open answers are suite properties named after the case, and lines of its system-out
    props = [p.get("name") for p in ET.parse(out / "junit.xml").getroot().iter("property")]
    assert any(n.startswith("case:") and ":open:" in n for n in props)


def test_expected_failures_and_failures_are_valid(builtin_report, tmp_path):
    """A baseline listing a case that passes (fixed) and a wrong golden (failure, then an
    expected failure once baselined): both files valid."""
    from test_bad_input import make_tree
    case = make_tree(tmp_path)
    cases, golden = tmp_path / "cases", tmp_path / "golden"
    step = case["steps"][0]["name"]
    g = json.loads((golden / case["id"] / f"{step}.json").read_text())
    g["status"] = 599  # no target answers that
    (golden / case["id"] / f"{step}.json").write_text(json.dumps(g))
    p = run_cli("run", "--no-progress", "--report-dir", tmp_path / "r1", cases, cwd=tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    assert junit_schema_problems(tmp_path / "r1" / "junit.xml", tmp_path / "s1") == ""
    baseline = tmp_path / "b.json"
    baseline.write_text(json.dumps({"target": "built-in", "expected_failures": [
        {"id": case["id"], "reason": "test: a golden made wrong on purpose"}]}))
    p = run_cli("run", "--no-progress", "--report-dir", tmp_path / "r2", "--baseline", baseline,
                cases, cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    junit = tmp_path / "r2" / "junit.xml"
    assert junit_schema_problems(junit, tmp_path / "s2") == ""
    root = ET.parse(junit).getroot()
    assert root.get("skipped") is None
    assert any(p.get("name") == f"case:{case['id']}:baseline" for p in root.iter("property"))
