"""The AWS CLI against `ecrconform serve` (skipped when `aws` is not installed)."""
import hashlib
import json
import shutil
import subprocess

import pytest

from conftest import ROOT, clean_env

AWS = shutil.which("aws")
pytestmark = pytest.mark.skipif(not AWS, reason="the AWS CLI ('aws') is not on PATH")


def aws(url, *args):
    p = subprocess.run([AWS, "ecr", *args, "--endpoint-url", url, "--output", "json"],
                       capture_output=True, text=True, timeout=120, env=clean_env(),
                       stdin=subprocess.DEVNULL)
    return p


def test_cli_create_put_delete(serve_manifests_only):
    p = aws(serve_manifests_only.url, "create-repository", "--repository-name", "ubuntu")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["repository"]["repositoryName"] == "ubuntu"
    m = next(f for f in sorted((ROOT / "cases" / "manifests").glob("*.json"))
             if json.loads(f.read_text()).get("mediaType", "").endswith("manifest.v2+json"))
    body = m.read_bytes()
    p = aws(serve_manifests_only.url, "put-image", "--repository-name", "ubuntu", "--image-tag", "precise",
            "--image-manifest", body.decode())
    assert p.returncode == 0, p.stderr
    d = "sha256:" + hashlib.sha256(body).hexdigest()
    assert json.loads(p.stdout)["image"]["imageId"]["imageDigest"] == d
    p = aws(serve_manifests_only.url, "batch-delete-image", "--repository-name", "ubuntu",
            "--image-ids", "imageTag=precise")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"imageIds": [{"imageDigest": d, "imageTag": "precise"}],
                                   "failures": []}
    p = aws(serve_manifests_only.url, "batch-delete-image", "--repository-name", "ubuntu",
            "--image-ids", "imageTag=latest")
    assert p.returncode == 0
    assert json.loads(p.stdout) == {"imageIds": [], "failures": [
        {"imageId": {"imageTag": "latest"}, "failureCode": "ImageNotFound",
         "failureReason": "Requested image not found"}]}
