"""The whole corpus through the CLI against the built-in emulator, and both reports."""
import json
import xml.etree.ElementTree as ET

from conftest import ROOT, run_cli


def test_run_passes_and_shows_only_the_verdict(builtin_report):
    proc, out, report = builtin_report
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert report is not None
    # nothing needs attention: no per-case line, and the last line leads with the gate result
    lines = [l for l in proc.stdout.splitlines() if l[:5] in ("PASS ", "FAIL ", "ERROR", "SKIP ")]
    assert lines == []
    total = report["summary"]["total"]
    assert proc.stdout.splitlines()[-1].startswith("PASS: gate met \u2014 0 new failures;")
    assert f"{total} passed, 0 skipped of {total}" in proc.stdout.splitlines()[-1]


def test_verbose_prints_a_line_per_case_in_corpus_order(ecrconform_bin, tmp_path):
    runs = []
    for jobs in ("1", "8"):
        p = run_cli("run", "--report-dir", tmp_path / jobs, "--no-progress", "--verbose",
                    "--jobs", jobs, "cases")
        assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
        runs.append([l.split()[1] for l in p.stdout.splitlines() if l[:5] == "PASS "])
    report = json.loads((tmp_path / "1" / "report.json").read_text())
    assert runs[0] == runs[1] == [c["id"] for c in report["cases"]]


def test_report_json_shape_and_counts(builtin_report):
    _, _, r = builtin_report
    s = r["summary"]
    assert s["total"] >= 12
    assert s["failed"] == 0 and s["errored"] == 0
    assert s["passed"] + s["skipped"] + s["failed"] + s["errored"] == s["total"]
    assert s["passed"] >= 12
    assert r["harness"]["version"]
    assert r["target"]["name"] == "built-in"
    assert r["target"]["endpoint"].startswith("http://127.0.0.1:")
    ids = [c["id"] for c in r["cases"]]
    assert len(ids) == len(set(ids)) == s["total"]
    for c in r["cases"]:
        assert c["status"] in ("pass", "fail", "error", "skip")
        assert isinstance(c["covers"], list) and c["covers"]
        assert isinstance(c["duration_ms"], (int, float))
        assert "diff" in c
    # every case file of the corpus ran
    files = sorted(p.stem for p in (ROOT / "cases").rglob("*.json") if "manifests" not in p.parts)
    assert sorted(ids) == files


def test_junit_is_valid_with_one_testcase_per_case(builtin_report):
    _, out, r = builtin_report
    tree = ET.parse(out / "junit.xml")
    cases = tree.getroot().iter("testcase")
    names = sorted(tc.get("name") for tc in cases)
    assert names == sorted(c["id"] for c in r["cases"])
    suite = next(tree.getroot().iter("testsuite"))
    assert int(suite.get("tests")) == r["summary"]["total"]
    assert int(suite.get("failures")) == 0


def test_documentation_example_ran(builtin_report):
    _, _, r = builtin_report
    doc = [c for c in r["cases"] if "behaviour:documentation-example" in c["covers"]]
    assert doc and all(c["status"] == "pass" for c in doc)


def test_no_credential_in_any_report(builtin_report):
    from conftest import TEST_SECRET
    _, out, _ = builtin_report
    for f in out.rglob("*"):
        if f.is_file():
            text = f.read_text(errors="replace")
            assert TEST_SECRET not in text, f
            assert "Signature=" not in text, f
