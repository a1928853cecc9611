"""Coverage against the ECR model botocore ships: every ImageFailureCode value and
every modeled error of BatchDeleteImage has at least one passing case against the
built-in emulator. The newest botocore found is used (the driver's own, and the
one of `python3` on PATH, which may be newer)."""
import gzip
import json
import os
import shutil
import subprocess

import pytest

FRONT_END_ERRORS = ["MissingAuthenticationTokenException", "UnrecognizedClientException",
                    "InvalidSignatureException", "AccessDeniedException", "ThrottlingException",
                    "SerializationException", "UnknownOperationException"]


def botocore_candidates():
    found = []
    try:
        import botocore
        found.append((botocore.__version__, os.path.dirname(botocore.__file__)))
    except ImportError:
        pass
    other = shutil.which("python3")
    if other:
        try:
            out = subprocess.run([other, "-c", "import botocore, os; print(botocore.__version__);"
                                  "print(os.path.dirname(botocore.__file__))"],
                                 capture_output=True, text=True, timeout=60)
            if out.returncode == 0:
                v, d = out.stdout.split()
                found.append((v, d))
        except (OSError, subprocess.TimeoutExpired, ValueError):
            pass
    return found


def newest_model():
    def key(c):
        return tuple(int(x) for x in c[0].split(".") if x.isdigit())
    for version, root in sorted(botocore_candidates(), key=key, reverse=True):
        base = os.path.join(root, "data", "ecr", "2015-09-21")
        for name, opener in (("service-2.json.gz", gzip.open), ("service-2.json", open)):
            path = os.path.join(base, name)
            if os.path.exists(path):
                with opener(path, "rt") as f:
                    return version, json.load(f)
    return None, None


def test_every_failure_code_and_modeled_error_has_a_passing_case(builtin_report):
    version, model = newest_model()
    if model is None:
        pytest.skip("botocore is not installed: no ECR model to check against")
    _, _, report = builtin_report
    cov = report["coverage"]
    codes = model["shapes"]["ImageFailureCode"]["enum"]
    errors = [e["shape"] for e in model["operations"]["BatchDeleteImage"].get("errors", [])]
    assert len(codes) >= 7 and errors
    missing = []
    for label in [f"failureCode:{c}" for c in codes] + [f"exception:{e}" for e in errors]:
        entry = cov.get(label)
        if not entry or not any(c["status"] == "pass" for c in entry["cases"]):
            missing.append(label)
    assert not missing, f"botocore {version}: no passing case for {missing}"


def test_front_end_errors_are_covered(builtin_report):
    _, _, report = builtin_report
    cov = report["coverage"]
    missing = [e for e in FRONT_END_ERRORS
               if not any(c["status"] == "pass" for c in cov.get(f"exception:{e}", {}).get("cases", []))]
    assert not missing
