"""The fuzzing scripts without clang: usage errors and the seed corpora
(scripts/fuzz-seeds). The targets themselves run under CI=true scripts/test."""
import json
import subprocess

from conftest import ROOT


def test_fuzz_usage_errors():
    for args in ([], ["loader"], ["loader", "ten"]):
        p = subprocess.run([str(ROOT / "scripts" / "fuzz"), *args], capture_output=True, text=True,
                           timeout=30)
        assert p.returncode == 2, (args, p.stdout, p.stderr)
        assert "scripts/fuzz" in p.stderr


def test_fuzz_long_usage_errors_come_before_any_build():
    # Checked before the (minutes long) clang build: a typo fails at once.
    for args, says in ((["ten"], "RUNS must be a number"), (["10", "lodaer"], "unknown target lodaer")):
        p = subprocess.run([str(ROOT / "scripts" / "fuzz-long"), *args], capture_output=True,
                           text=True, timeout=30, stdin=subprocess.DEVNULL)
        assert p.returncode == 2, (args, p.stdout, p.stderr)
        assert says in p.stderr, p.stderr
        assert "== fuzz" not in p.stdout


def test_fuzz_seeds_come_from_cases_and_goldens(tmp_path):
    out = tmp_path / "seeds"
    p = subprocess.run([str(ROOT / "scripts" / "fuzz-seeds"), str(out)], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    ncases = len(list((ROOT / "cases").glob("*/*.json")))
    ngoldens = len(list((ROOT / "golden").glob("*/*.json")))
    loader = sorted((out / "loader").iterdir())
    assert len(loader) == ncases + ngoldens
    # a case seed is a 0 byte and the case file; a golden seed a 1 byte and the golden
    first = (out / "loader" / "case-1").read_bytes()
    assert first[:1] == b"\0" and json.loads(first[1:])
    assert len(list((out / "compare").iterdir())) == ngoldens
    g = next((out / "compare").iterdir()).read_bytes()
    exp, act = g.split(b"\n%%\n", 1)
    assert json.loads(exp) == json.loads(act)
    steps = list((out / "emulator").iterdir())
    assert steps
    for s in steps:  # calls separated by "\n---\n": the fixture first
        calls = s.read_text().split("\n---\n")
        assert 1 <= len(calls) <= 16
        for call in calls:
            op, body = call.split("\n", 1)
            assert op.isalpha() and isinstance(json.loads(body), dict)
    assert any(s.read_text().startswith("CreateRepository\n") for s in steps)
    assert not any("${" in s.read_text() for s in steps)
    assert (out / "sigv4" / "valid").read_text().startswith("AWS4-HMAC-SHA256 Credential=")
