"""The SigV4 vectors the CUnit suite checks (tests/data/sigv4_vectors.json) are
botocore's: regenerate them with this interpreter's botocore and compare, so
the committed file cannot drift from the oracle it claims."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT

GEN = ROOT / "tests" / "data" / "gen_sigv4_vectors.py"
COMMITTED = ROOT / "tests" / "data" / "sigv4_vectors.json"


def test_committed_vectors_are_what_botocore_signs(tmp_path):
    pytest.importorskip("botocore", reason="botocore is not installed: no oracle to compare with")
    out = tmp_path / "vectors.json"
    p = subprocess.run([sys.executable, str(GEN), "--out", str(out)], capture_output=True,
                       text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    fresh = json.loads(out.read_text())["vectors"]
    committed = json.loads(COMMITTED.read_text())["vectors"]
    assert len(fresh) == len(committed) >= 8
    for f, c in zip(fresh, committed):
        assert f == c, f"vector {c['name']}: botocore now signs it differently"
