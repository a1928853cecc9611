"""Hostile case trees (issue 11, loader items): each one ends as a clear lint
error naming the file, in bounded time and memory, and never drives the
terminal or reaches outside the corpus."""
import json
import os
import resource
import subprocess
import time

import pytest

from conftest import BIN, ROOT, clean_env
from test_bad_input import make_tree

EXIT_OK, EXIT_INVALID = 0, 3


def lint(tmp_path, *paths, timeout=30):
    """lint in tmp_path; returns (CompletedProcess, seconds, growth of the
    children's peak RSS in KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.monotonic()
    p = subprocess.run([str(BIN), "lint", *map(str, paths or [tmp_path / "cases"])],
                       capture_output=True, timeout=timeout, env=clean_env(), cwd=tmp_path,
                       stdin=subprocess.DEVNULL)
    dt = time.monotonic() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return p, dt, rss if rss > before else before


def golden_with(tmp_path, case_id, step, body):
    g = tmp_path / "golden" / case_id / f"{step}.json"
    d = json.loads(g.read_text())
    d["body"] = body
    g.write_text(json.dumps(d))
    return g


@pytest.mark.parametrize("pattern", [
    "a" + "+" * 22,
    "((((a{1,255}){1,255}){1,255}){1,255})",
    "(" * 40 + "a" + ")" * 40,
    "a" * 2000,
])
def test_exploding_regex_is_a_lint_error_in_bounded_time_and_memory(ecrconform_bin, tmp_path,
                                                                     pattern):
    case = make_tree(tmp_path)
    golden_with(tmp_path, case["id"], "delete",
                {"imageIds": {"$regex": pattern}, "failures": {"$set": []}})
    p, dt, rss = lint(tmp_path)
    out = p.stdout.decode()
    assert p.returncode == EXIT_INVALID, out + p.stderr.decode()
    assert "delete.json" in out and "$regex" in out, out
    assert dt < 10, dt
    assert rss < 512 * 1024, f"peak RSS {rss} KiB"



def test_symlinked_directories_are_not_followed(ecrconform_bin, tmp_path):
    make_tree(tmp_path)
    os.symlink(".", tmp_path / "cases" / "bdi" / "loop1")
    os.symlink("..", tmp_path / "cases" / "bdi" / "loop2")
    p, dt, _ = lint(tmp_path)
    out = p.stdout.decode()
    assert dt < 10
    assert p.returncode == EXIT_OK, out + p.stderr.decode()
    assert out.count("documentation-example") <= 1, out


def test_file_symlink_loop_is_reported_not_skipped(ecrconform_bin, tmp_path):
    make_tree(tmp_path)
    os.symlink("b.json", tmp_path / "cases" / "bdi" / "a.json")
    os.symlink("a.json", tmp_path / "cases" / "bdi" / "b.json")
    p, _, _ = lint(tmp_path)
    out = p.stdout.decode()
    assert p.returncode == EXIT_INVALID, out
    assert "a.json" in out, out


def test_manifest_symlinked_outside_the_tree_is_refused(ecrconform_bin, tmp_path):
    case = make_tree(tmp_path)
    secret = tmp_path / "outside.json"
    secret.write_text('{"schemaVersion": 2, "secret": "do-not-push"}')
    m = tmp_path / "cases" / "manifests" / "docker-a.json"
    m.unlink()
    os.symlink(secret, m)
    p, _, _ = lint(tmp_path)
    out = p.stdout.decode()
    assert p.returncode == EXIT_INVALID, out + p.stderr.decode()
    assert "docker-a.json" in out and "outside" in out, out


def test_a_case_file_the_walk_refuses_is_an_invalid_case_in_every_report(ecrconform_bin,
                                                                         tmp_path):
    """`run` exited 3 for a case file linked out of the tree but said "0 invalid
    case files", and no report named it."""
    make_tree(tmp_path)
    outside = tmp_path / "elsewhere.json"
    outside.write_text("{}")
    os.symlink(outside, tmp_path / "cases" / "bdi" / "linked-out.json")
    p = subprocess.run([str(BIN), "run", "--no-progress", "--report-dir",
                        str(tmp_path / "reports"), str(tmp_path / "cases")],
                       capture_output=True, timeout=120, env=clean_env(), cwd=tmp_path,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.decode() + p.stderr.decode()
    assert p.returncode == EXIT_INVALID, out
    assert "1 invalid case file" in out and "0 invalid case files" not in out, out
    r = json.loads((tmp_path / "reports" / "report.json").read_text())
    (bad,) = [c for c in r["cases"] if c["id"] == "linked-out"]
    assert bad["status"] == "error" and "resolves outside" in bad["reason"], bad
    assert "linked-out" in (tmp_path / "reports" / "junit.xml").read_text()
    # --filter applies to such files as to any other
    p = subprocess.run([str(BIN), "run", "--no-progress", "--filter", "no-such-case*",
                        "--report-dir", str(tmp_path / "r2"), str(tmp_path / "cases")],
                       capture_output=True, timeout=120, env=clean_env(), cwd=tmp_path,
                       stdin=subprocess.DEVNULL)
    assert "linked-out" not in p.stdout.decode(), p.stdout.decode()


def test_blob_symlinked_outside_the_tree_is_refused(ecrconform_bin, tmp_path):
    """A blob is pushed as it is, like a manifest: a blob file linked to a
    file outside the corpus is refused even when its bytes match."""
    case = make_tree(tmp_path)
    images = [im for r in case["fixture"]["repositories"] for im in r.get("images", [])]
    manifest = json.loads((tmp_path / "cases" / images[0]["manifest"]).read_text())
    digest = manifest["config"]["digest"]  # the case's first image is an image manifest
    blob = tmp_path / "cases" / "blobs" / "sha256" / digest.split(":", 1)[1]
    outside = tmp_path / "outside.bin"
    outside.write_bytes(blob.read_bytes())
    blob.unlink()
    os.symlink(outside, blob)
    p, _, _ = lint(tmp_path)
    out = p.stdout.decode()
    assert p.returncode == EXIT_INVALID, out + p.stderr.decode()
    assert blob.name in out and "resolves outside the cases directory" in out, out


def test_unused_goldens_are_reported_and_used_ones_are_not(ecrconform_bin, tmp_path):
    """lint of the whole corpus names every golden no step uses (a typo in a
    step name would otherwise leave it silently ignored), and no other."""
    case = make_tree(tmp_path)
    gdir = tmp_path / "golden" / case["id"]
    used = sorted(gdir.iterdir())
    assert used
    (gdir / "typo.json").write_text(used[0].read_text())
    (tmp_path / "golden" / "no-such-case").mkdir()
    (tmp_path / "golden" / "no-such-case" / "x.json").write_text(used[0].read_text())
    p = subprocess.run([str(BIN), "lint"], capture_output=True, timeout=30, env=clean_env(),
                       cwd=tmp_path, stdin=subprocess.DEVNULL)
    out = p.stdout.decode()
    assert p.returncode == EXIT_INVALID, out + p.stderr.decode()
    orphans = [l for l in out.splitlines() if "not used by any step" in l]
    assert sorted(orphans) == sorted([
        f"golden/{case['id']}/typo.json: golden file not used by any step of any case",
        "golden/no-such-case/x.json: golden file not used by any step of any case"]), out
    assert "2 problems" in out, out


def test_control_bytes_never_reach_the_terminal(ecrconform_bin, tmp_path):
    make_tree(tmp_path)
    bad = {"id": "x\u001b]0;pwned\u0007\u001b[2J", "summary": 7, "covers": [],
           "steps": [{"name": "s\u001b[31m", "operation": "ListImages\u009b",
                      "input": {"\u001b[2Jk": 1}}]}
    (tmp_path / "cases" / "bdi" / "ctl\u001b[1m.json").write_text(json.dumps(bad))
    p, _, _ = lint(tmp_path)
    both = p.stdout + p.stderr
    assert p.returncode == EXIT_INVALID, both
    assert b"\x1b" not in both and b"\x07" not in both and b"\xc2\x9b" not in both, both
    r = subprocess.run([str(BIN), "run", "--report-dir", str(tmp_path / "reports"),
                        "--no-progress", str(tmp_path / "cases")], capture_output=True,
                       timeout=120, env=clean_env(), cwd=tmp_path, stdin=subprocess.DEVNULL)
    both = r.stdout + r.stderr
    assert r.returncode == EXIT_INVALID, both
    assert b"ctl" in both, both
    assert b"\x1b" not in both and b"\x07" not in both and b"\xc2\x9b" not in both, both


@pytest.mark.parametrize("where", ["id", "step", "repo"])
def test_nul_inside_strings_is_refused(ecrconform_bin, tmp_path, where):
    make_tree(tmp_path)
    c = json.loads((tmp_path / "cases" / "bdi" / "documentation-example.json").read_text())
    if where == "id":
        c["id"] = "bad\u0000../../x"
    elif where == "step":
        c["steps"][0]["name"] = "delete\u0000x"
    else:
        c["fixture"]["repositories"][0]["name"] = "ubuntu\u0000/../other"
    (tmp_path / "cases" / "bdi" / "documentation-example.json").write_text(json.dumps(c))
    p, _, _ = lint(tmp_path)
    out = p.stdout.decode()
    assert p.returncode == EXIT_INVALID, out
    assert "NUL" in out or "\\u0000" in out or "nul" in out.lower(), out


def test_integer_beyond_int64_in_input_is_refused_or_kept(ecrconform_bin, tmp_path):
    make_tree(tmp_path)
    f = tmp_path / "cases" / "bdi" / "documentation-example.json"
    text = f.read_text().replace('"imageIds": [{"imageTag": "precise"}]',
                                 '"imageIds": [{"imageTag": "precise"}], "maxResults": 1' + "0" * 400)
    assert "0" * 400 in text
    f.write_text(text)
    p, _, _ = lint(tmp_path)
    out = p.stdout.decode()
    if p.returncode == EXIT_OK:
        pytest.fail("lint accepted an integer beyond int64 (it would be rewritten on the wire)")
    assert p.returncode == EXIT_INVALID, out
    assert "maxResults" in out or "int64" in out or "integer" in out, out


def test_set_over_1000_elements_fails_lint(ecrconform_bin, tmp_path):
    case = make_tree(tmp_path)
    golden_with(tmp_path, case["id"], "delete",
                {"imageIds": {"$set": [{"imageTag": f"t{i}"} for i in range(1500)]},
                 "failures": {"$set": []}})
    p, _, _ = lint(tmp_path)
    out = p.stdout.decode()
    assert p.returncode == EXIT_INVALID, out
    assert "$set" in out and "1000" in out.replace(",", ""), out


@pytest.mark.parametrize("which", ["case", "golden", "manifest"])
def test_fifo_in_place_of_a_file_does_not_hang(ecrconform_bin, tmp_path, which):
    case = make_tree(tmp_path)
    f = {"case": tmp_path / "cases" / "bdi" / "documentation-example.json",
         "golden": tmp_path / "golden" / case["id"] / "delete.json",
         "manifest": tmp_path / "cases" / "manifests" / "docker-a.json"}[which]
    f.unlink()
    os.mkfifo(f)
    p, dt, _ = lint(tmp_path, timeout=20)
    assert p.returncode == EXIT_INVALID, p.stdout
    assert f.name in p.stdout.decode()
    assert dt < 10


REPORT_FILES = ["report.json", "junit.xml", "report.html", "summary.md"]


def test_reports_never_written_through_a_planted_symlink(ecrconform_bin, tmp_path):
    """A link planted in the report directory is replaced, never written through
    (run's four reports and compare's two outputs)."""
    make_tree(tmp_path)
    reports = tmp_path / "reports"
    reports.mkdir()
    victims = {}
    for name in REPORT_FILES + ["compare.html", "compare.md"]:
        v = tmp_path / f"victim-{name}"
        v.write_text("precious")
        os.symlink(v, reports / name)
        victims[name] = v
    p = subprocess.run([str(BIN), "run", "--report-dir", str(reports), "--no-progress",
                        str(tmp_path / "cases")], capture_output=True, timeout=120,
                       env=clean_env(), cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert p.returncode == EXIT_OK, p.stdout + p.stderr
    p = subprocess.run([str(BIN), "compare", "-o", str(reports), str(reports / "report.json")],
                       capture_output=True, timeout=60, env=clean_env(), cwd=tmp_path,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stdout + p.stderr
    for name, v in victims.items():
        assert v.read_text() == "precious", name
        assert not (reports / name).is_symlink(), name
        assert (reports / name).stat().st_size > 0, name
    assert not [f for f in reports.iterdir() if f.name.endswith(".tmp")]


def test_reports_directory_is_not_tracked_beyond_its_readme():
    p = subprocess.run(["git", "ls-files", "reports"], capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        pytest.skip("not a git checkout")
    assert p.stdout.split() == ["reports/README.md"], p.stdout
    ign = subprocess.run(["git", "check-ignore", "-q", "reports/summary.md"], cwd=ROOT)
    assert ign.returncode == 0, "reports/* must be ignored"
