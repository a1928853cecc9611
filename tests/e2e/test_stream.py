"""`run --stream-jsonl FILE|-` (docs/REPORTS.md, "The per-case stream")."""
import json

from conftest import ROOT, clean_env, free_port, run_cli

CASES = ROOT / "cases"


def lines_of(text):
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def test_stream_file_holds_report_json_entries(tmp_path, ecrconform_bin):
    out = tmp_path / "r"
    proc = run_cli("run", "--report-dir", out, "--no-progress", "--stream-jsonl", tmp_path / "s.jsonl",
                   CASES)
    assert proc.returncode == 0, proc.stderr
    stream = lines_of((tmp_path / "s.jsonl").read_text())
    report = json.loads((out / "report.json").read_text())
    assert len(stream) == len(report["cases"]) and len(stream) > 100
    by_id = {c["id"]: c for c in report["cases"]}
    for entry in stream:
        assert entry.pop("baseline") is None
        want = by_id[entry["id"]]
        # Timings are the same numbers; everything else is the same object.
        assert entry == want
    # The terminal output is still on stdout.
    assert "passed" in proc.stdout


def test_stream_to_stdout_carries_nothing_else(tmp_path, ecrconform_bin):
    proc = run_cli("run", "--report-dir", tmp_path / "r", "--no-progress", "--stream-jsonl", "-",
                   CASES / "batch-delete-image" / "delete-last-tag.json",
                   CASES / "batch-delete-image" / "delete-by-digest-one-tag.json")
    assert proc.returncode == 0, proc.stderr
    stream = lines_of(proc.stdout)  # every stdout line is JSON
    assert sorted(e["id"] for e in stream) == ["delete-by-digest-one-tag", "delete-last-tag"]
    assert all(e["status"] == "pass" for e in stream)
    assert "passed" in proc.stderr  # the console moved to stderr


def test_stream_baseline_marks(tmp_path, ecrconform_bin):
    bl = tmp_path / "bl.json"
    bl.write_text(json.dumps({"target": "built-in", "expected_failures": [
        {"id": "delete-last-tag", "reason": "listed though it passes"}]}))
    proc = run_cli("run", "--report-dir", tmp_path / "r", "--no-progress", "--stream-jsonl", "-",
                   "--baseline", bl, CASES / "batch-delete-image" / "delete-last-tag.json",
                   CASES / "batch-delete-image" / "delete-by-digest-one-tag.json")
    stream = {e["id"]: e for e in lines_of(proc.stdout)}
    assert stream["delete-last-tag"]["baseline"] == "fixed"
    assert stream["delete-last-tag"]["baseline_entry_reason"] == "listed though it passes"
    assert stream["delete-by-digest-one-tag"]["baseline"] is None
    assert "baseline_entry_reason" not in stream["delete-by-digest-one-tag"]


def test_stream_unreachable_target_streams_errors(tmp_path, ecrconform_bin):
    port = free_port()  # nothing listens there
    proc = run_cli("run", "--report-dir", tmp_path / "r", "--no-progress", "--stream-jsonl", "-",
                   "--endpoint", f"http://127.0.0.1:{port}", "--timeout", "5",
                   CASES / "batch-delete-image" / "delete-last-tag.json", env=clean_env())
    assert proc.returncode == 4
    (entry,) = lines_of(proc.stdout)
    assert entry["id"] == "delete-last-tag" and entry["status"] == "error"
    assert "unreachable" in entry["reason"]


def test_stream_unwritable_file_is_a_usage_error(tmp_path, ecrconform_bin):
    proc = run_cli("run", "--report-dir", tmp_path / "r", "--stream-jsonl", tmp_path / "no" / "s",
                   CASES / "batch-delete-image" / "delete-last-tag.json")
    assert proc.returncode == 2
    assert "--stream-jsonl" in proc.stderr and str(tmp_path / "no" / "s") in proc.stderr


def test_stream_marks_expected_and_regression(tmp_path, ecrconform_bin):
    import shutil
    root = tmp_path / "corpus"
    shutil.copytree(CASES, root / "cases")
    shutil.copytree(ROOT / "golden", root / "golden")
    (root / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "ECR-BEHAVIOUR.md", root / "docs")
    for cid in ("delete-last-tag", "delete-by-digest-one-tag"):  # both made to fail
        g = root / "golden" / cid / "state.json"
        g.write_text(g.read_text().replace('"status": 200', '"status": 299', 1))
    bl = tmp_path / "bl.json"
    bl.write_text(json.dumps({"target": "built-in", "expected_failures": [
        {"id": "delete-last-tag", "reason": "planted"}]}))
    d = root / "cases" / "batch-delete-image"
    proc = run_cli("run", "--report-dir", tmp_path / "r", "--no-progress", "--stream-jsonl", "-",
                   "--baseline", bl, d / "delete-last-tag.json", d / "delete-by-digest-one-tag.json")
    assert proc.returncode == 1, proc.stderr
    stream = {e["id"]: e for e in lines_of(proc.stdout)}
    assert stream["delete-last-tag"]["status"] == "fail"
    assert stream["delete-last-tag"]["baseline"] == "expected"
    assert stream["delete-by-digest-one-tag"]["baseline"] == "regression"
