"""<report-dir>/actual: emptied only when ecrconform made it (its marker file), never otherwise.

A run records the actual response of each failing step under REPORT_DIR/actual. That
directory is emptied at the start of a run, so that a stale response is never accepted as a
fresh one; emptying a directory is only safe when it is ours, so a directory without the
marker, a symbolic link or a file at that path is left byte for byte as it was, nothing is
written into it, and `run` says so on stderr (the reports are still written).
"""
import json
import os

from conftest import run_cli
from test_bad_input import make_tree

EXIT_FAIL = 1
MARKER = ".ecrconform-actual"


def failing_tree(tmp_path):
    """The documentation example with a golden it cannot meet: one failing step."""
    case = make_tree(tmp_path)
    step = case["steps"][0]["name"]
    gpath = tmp_path / "golden" / case["id"] / f"{step}.json"
    g = json.loads(gpath.read_text())
    g["status"] = 418
    gpath.write_text(json.dumps(g, indent=2))
    return case, step


def run(tmp_path, reports):
    return run_cli("run", "--report-dir", reports, "--no-progress", tmp_path / "cases",
                   cwd=tmp_path)


def snapshot(root):
    """Every file and link below root (not followed), with its bytes or target."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    out[rel] = ("file", f.read())
            else:
                out[rel] = ("dir", None)
    return out


def test_first_run_creates_it_with_the_marker(ecrconform_bin, tmp_path):
    case, step = failing_tree(tmp_path)
    reports = tmp_path / "reports"
    p = run(tmp_path, reports)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    actual = reports / "actual" / case["id"] / f"{step}.json"
    assert json.loads(actual.read_text())["status"] == 200
    assert (reports / "actual" / MARKER).read_text().startswith("ecrconform")
    assert f"cp {actual} " in p.stdout
    assert "left untouched" not in p.stderr


def test_directory_without_marker_survives_byte_for_byte(ecrconform_bin, tmp_path):
    case, step = failing_tree(tmp_path)
    reports = tmp_path / "reports"
    mine = reports / "actual"
    (mine / "notes").mkdir(parents=True)
    (mine / "thesis.tex").write_bytes(b"\\chapter{years of work}\n\x00\xff")
    (mine / "notes" / "todo.txt").write_text("keep me\n")
    os.symlink("thesis.tex", mine / "link")
    before = snapshot(mine)
    p = run(tmp_path, reports)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    assert snapshot(mine) == before
    assert not (mine / MARKER).exists() and not (mine / case["id"]).exists()
    err = [l for l in p.stderr.splitlines() if str(mine) in l]
    assert err and "not made by ecrconform" in err[0] and "left untouched" in err[0], p.stderr
    # no hint points at a file that was never written; the reports are still there
    assert "accept: cp" not in p.stdout
    r = json.loads((reports / "report.json").read_text())
    c = next(c for c in r["cases"] if c["id"] == case["id"])
    assert c["status"] == "fail" and "actual" not in c["steps"][0]


def test_directory_with_marker_is_emptied_and_refilled(ecrconform_bin, tmp_path):
    case, step = failing_tree(tmp_path)
    reports = tmp_path / "reports"
    run(tmp_path, reports)
    stale = reports / "actual" / "old-case" / "delete.json"
    stale.parent.mkdir()
    stale.write_text("{}\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not ours\n")
    os.symlink(outside, reports / "actual" / "link-inside")
    p = run(tmp_path, reports)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    assert not stale.exists() and not (reports / "actual" / "old-case").exists()
    assert not os.path.lexists(reports / "actual" / "link-inside")
    assert (outside / "keep.txt").read_text() == "not ours\n"  # the link was not followed
    assert (reports / "actual" / case["id"] / f"{step}.json").is_file()
    assert (reports / "actual" / MARKER).is_file()
    assert "left untouched" not in p.stderr


def test_symlinked_actual_is_not_followed(ecrconform_bin, tmp_path):
    case, step = failing_tree(tmp_path)
    reports = tmp_path / "reports"
    reports.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # even a link to a directory that carries the marker
    (elsewhere / MARKER).write_text("ecrconform: recorded actual responses; every run empties "
                                    "this directory\n")
    (elsewhere / "precious").write_text("precious\n")
    os.symlink(elsewhere, reports / "actual")
    before = snapshot(elsewhere)
    p = run(tmp_path, reports)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    assert snapshot(elsewhere) == before
    assert os.path.islink(reports / "actual")
    assert "symbolic link" in p.stderr and "left untouched" in p.stderr, p.stderr
    assert (reports / "report.json").is_file()


def test_file_named_actual_is_left_alone(ecrconform_bin, tmp_path):
    failing_tree(tmp_path)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "actual").write_text("a file\n")
    p = run(tmp_path, reports)
    assert p.returncode == EXIT_FAIL, p.stdout + p.stderr
    assert (reports / "actual").read_text() == "a file\n"
    assert "not a directory" in p.stderr and "left untouched" in p.stderr, p.stderr
