"""Selecting cases (--filter, --covers, --level, --rerun-failed, --shard) and merging shards."""
import json

from conftest import ROOT, run_cli

EXIT_USAGE, EXIT_INVALID = 2, 3


def run(tmp_path, name, *args):
    out = tmp_path / name
    p = run_cli("run", "--no-progress", "--report-dir", out, *args)
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else None
    return p, report


def ids(report):
    return [c["id"] for c in report["cases"]]


def test_filters_repeat_and_add_up(builtin_report, tmp_path):
    _, _, full = builtin_report
    p, r = run(tmp_path, "f", "--filter", "tag-leading-*", "--filter", "duplicate-digest")
    assert p.returncode == 0, p.stdout + p.stderr
    want = [i for i in ids(full) if i.startswith("tag-leading-") or "duplicate-digest" in i]
    assert ids(r) == want and len({i[:4] for i in want}) == 2  # both filters contributed


def test_covers_and_level(builtin_report, tmp_path):
    _, _, full = builtin_report
    label = "failureCode:ImageNotFound"
    p, r = run(tmp_path, "c", "--covers", label)
    assert p.returncode == 0, p.stdout + p.stderr
    assert ids(r) == [c["id"] for c in full["cases"] if label in c["covers"]] and ids(r)
    def levels(c):
        return {s["level"] for s in c["steps"]}
    p, r = run(tmp_path, "l", "--level", "C")
    assert p.returncode == 0, p.stdout + p.stderr
    want = [c["id"] for c in full["cases"] if "C" in levels(c)]
    assert ids(r) == want and 0 < len(want) < len(full["cases"])
    p, r = run(tmp_path, "l2", "--level", "D", "--level", "E")
    assert ids(r) == [c["id"] for c in full["cases"] if levels(c) & {"D", "E"}]
    p, r = run(tmp_path, "g", "--covers", "exception:*", "--level", "C")
    want = [c["id"] for c in full["cases"] if "C" in levels(c)
            and any(x.startswith("exception:") for x in c["covers"])]
    assert p.returncode == 0 and ids(r) == want and want


def test_bad_selection_is_a_usage_error(tmp_path):
    for args, text in ((["--level", "X"], "--level"), (["--shard", "4/3"], "--shard"),
                       (["--shard", "0/3"], "--shard"), (["--shard", "x"], "--shard"),
                       (["--rerun-failed", tmp_path / "nope.json"], "nope.json"),
                       (["--filter", "no-such-case-*"], "match the selection")):
        p = run_cli("run", "--no-progress", "--report-dir", tmp_path / "r", *args)
        assert p.returncode == EXIT_USAGE and text in p.stderr, (args, p.stderr)


def test_rerun_failed_runs_only_the_failures(builtin_report, tmp_path):
    _, _, full = builtin_report
    fake = dict(full)
    fake["cases"] = [dict(c) for c in full["cases"]]
    picked = [fake["cases"][1]["id"], fake["cases"][5]["id"]]
    fake["cases"][1]["status"] = "fail"
    fake["cases"][5]["status"] = "error"
    fake["cases"][7]["status"] = "skip"
    (tmp_path / "old.json").write_text(json.dumps(fake))
    p, r = run(tmp_path, "rr", "--rerun-failed", tmp_path / "old.json")
    assert p.returncode == 0, p.stdout + p.stderr
    assert ids(r) == picked


def test_shards_then_merge_equal_one_run(builtin_report, tmp_path):
    _, _, full = builtin_report
    seen = []
    for k in (1, 2, 3):
        p, r = run(tmp_path, f"s{k}", "--shard", f"{k}/3")
        assert p.returncode == 0, p.stdout + p.stderr
        assert r["cases"], f"shard {k} is empty"
        seen += ids(r)
    assert sorted(seen) == sorted(ids(full))  # every case once
    p = run_cli("merge", *(tmp_path / f"s{k}" / "report.json" for k in (1, 2, 3)),
                "-o", tmp_path / "merged")
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.splitlines()[-1].startswith("PASS: gate met")
    merged = json.loads((tmp_path / "merged" / "report.json").read_text())
    assert merged["summary"] == full["summary"]
    assert ids(merged) == ids(full)
    assert merged["coverage"] == full["coverage"]
    for name in ("junit.xml", "report.html", "summary.md"):
        assert (tmp_path / "merged" / name).stat().st_size > 0
    # the same shard twice overlaps: refused, nothing merged
    p = run_cli("merge", tmp_path / "s1" / "report.json", tmp_path / "s1" / "report.json",
                "-o", tmp_path / "twice")
    assert p.returncode == EXIT_INVALID and "must not overlap" in p.stderr
    assert not (tmp_path / "twice" / "report.json").exists()


def test_shards_are_stable_by_case_id(builtin_report, tmp_path):
    """A case's shard depends on its id only: a smaller corpus splits the same way."""
    p, r = run(tmp_path, "a", "--shard", "2/3")
    assert p.returncode == 0
    p, sub = run(tmp_path, "b", "--shard", "2/3", "--filter", "delete-*")
    assert p.returncode == 0
    assert ids(sub) == [i for i in ids(r) if i.startswith("delete-")]


def test_run_works_from_any_directory_and_names_missing_paths(ecrconform_bin, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # no cases/ here: the build tree's corpus (the binary's ../cases), or --corpus
    for extra in ([], ["--corpus", ROOT]):
        p = run_cli("run", "--no-progress", "--report-dir", "r", "--filter", "delete-last-tag",
                    *extra, cwd=elsewhere)
        assert p.returncode == 0, p.stdout + p.stderr
        report = json.loads((elsewhere / "r" / "report.json").read_text())
        assert ids(report) == ["delete-last-tag"]
    for args, named in ((["/nonexistent/cases"], "/nonexistent/cases"),
                        (["--corpus", tmp_path / "none"], str(tmp_path / "none")),
                        (["--corpus", elsewhere], "no cases/"),
                        (["--baseline", tmp_path / "b.json"], str(tmp_path / "b.json")),
                        (["--golden-dir", tmp_path / "g"], str(tmp_path / "g")),
                        (["--corpus", ROOT, "cases"], "one or the other")):
        p = run_cli("run", "--no-progress", "--report-dir", tmp_path / "x", *args, cwd=elsewhere)
        assert p.returncode == EXIT_USAGE and named in p.stderr, (args, p.returncode, p.stderr)
