"""An independent client (boto3) against `ecrconform serve`: the same behaviours
the corpus checks, seen through botocore's own serializer, signer and parser."""
import hashlib
import json

import pytest
from botocore.exceptions import ClientError

from conftest import ROOT, TEST_KEY, boto3_ecr


def manifest(name):
    return (ROOT / "cases" / "manifests" / name).read_bytes()


def any_docker_manifests(n):
    files = sorted(p for p in (ROOT / "cases" / "manifests").glob("*.json")
                   if json.loads(p.read_text()).get("mediaType", "").endswith("manifest.v2+json"))
    assert len(files) >= n
    return [f.read_bytes() for f in files[:n]]


def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def push(ecr, repo, body, tag=None):
    kw = dict(repositoryName=repo, imageManifest=body.decode(), imageDigest=digest(body))
    if tag:
        kw["imageTag"] = tag
    return ecr.put_image(**kw)["image"]["imageId"]


def listed(ecr, repo):
    return sorted((i.get("imageDigest"), i.get("imageTag"))
                  for i in ecr.list_images(repositoryName=repo)["imageIds"])


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_documentation_example_and_tag_semantics(serve_manifests_only):
    ecr = boto3_ecr(serve_manifests_only.url)
    repo = ecr.create_repository(repositoryName="ubuntu")["repository"]
    assert repo["repositoryName"] == "ubuntu" and repo["registryId"] == "123456789012"
    a, = any_docker_manifests(1)
    push(ecr, "ubuntu", a, "precise")
    push(ecr, "ubuntu", a, "trusty")
    r = ecr.batch_delete_image(repositoryName="ubuntu", imageIds=[{"imageTag": "precise"}])
    assert r["imageIds"] == [{"imageDigest": digest(a), "imageTag": "precise"}]
    assert r["failures"] == []
    assert listed(ecr, "ubuntu") == [(digest(a), "trusty")]
    # the last tag: the image goes
    r = ecr.batch_delete_image(repositoryName="ubuntu", imageIds=[{"imageTag": "trusty"}])
    assert r["imageIds"] == [{"imageDigest": digest(a), "imageTag": "trusty"}]
    assert listed(ecr, "ubuntu") == []


def test_delete_by_digest_gives_one_entry_per_tag(serve_manifests_only):
    ecr = boto3_ecr(serve_manifests_only.url)
    ecr.create_repository(repositoryName="by-digest")
    a, b = any_docker_manifests(2)
    for t in ("x", "y"):
        push(ecr, "by-digest", a, t)
    push(ecr, "by-digest", b, "other")
    r = ecr.batch_delete_image(repositoryName="by-digest", imageIds=[{"imageDigest": digest(a)}])
    assert sorted((i["imageDigest"], i["imageTag"]) for i in r["imageIds"]) == \
        [(digest(a), "x"), (digest(a), "y")]
    assert listed(ecr, "by-digest") == [(digest(b), "other")]


def test_partial_failure_is_200_with_both_arrays(serve_manifests_only):
    ecr = boto3_ecr(serve_manifests_only.url)
    ecr.create_repository(repositoryName="mixed")
    a, = any_docker_manifests(1)
    push(ecr, "mixed", a, "keep")
    r = ecr.batch_delete_image(repositoryName="mixed",
                               imageIds=[{"imageTag": "keep"}, {"imageTag": "latest"}])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert r["failures"] == [{"imageId": {"imageTag": "latest"}, "failureCode": "ImageNotFound",
                              "failureReason": "Requested image not found"}]
    assert len(r["imageIds"]) == 1
    hdrs = r["ResponseMetadata"]["HTTPHeaders"]
    assert hdrs["content-type"] == "application/x-amz-json-1.1"
    assert len(r["ResponseMetadata"]["RequestId"]) == 36


def test_whole_request_errors(serve):
    ecr = boto3_ecr(serve.url)
    with pytest.raises(ClientError) as e:
        ecr.batch_delete_image(repositoryName="nope", imageIds=[{"imageTag": "a"}])
    assert error_code(e) == "RepositoryNotFoundException"
    assert e.value.response["Error"]["Message"] == (
        "The repository with name 'nope' does not exist in the registry with id '123456789012'")
    ecr.create_repository(repositoryName="limits")
    with pytest.raises(ClientError) as e:
        ecr.batch_delete_image(repositoryName="limits", imageIds=[])
    assert error_code(e) == "InvalidParameterException"
    assert "greater than or equal to 1" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        ecr.batch_delete_image(repositoryName="limits",
                               imageIds=[{"imageTag": f"t{i}"} for i in range(101)])
    assert error_code(e) == "InvalidParameterException"
    assert "less than or equal to 100" in e.value.response["Error"]["Message"]
    # exactly 100 is fine: 200 with 100 failures
    r = ecr.batch_delete_image(repositoryName="limits",
                               imageIds=[{"imageTag": f"t{i}"} for i in range(100)])
    assert len(r["failures"]) == 100 and r["imageIds"] == []
    # order of checks: an invalid name is InvalidParameterException, not RepositoryNotFound
    with pytest.raises(ClientError) as e:
        ecr.batch_delete_image(repositoryName="Upper", imageIds=[{"imageTag": "a"}])
    assert error_code(e) == "InvalidParameterException"


def test_put_image_digest_must_match_and_tags_move(serve_manifests_only):
    ecr = boto3_ecr(serve_manifests_only.url)
    ecr.create_repository(repositoryName="moves")
    a, b = any_docker_manifests(2)
    with pytest.raises(ClientError) as e:
        ecr.put_image(repositoryName="moves", imageManifest=a.decode(), imageDigest=digest(b))
    assert error_code(e) == "ImageDigestDoesNotMatchException"
    push(ecr, "moves", a, "latest")
    push(ecr, "moves", b, "latest")  # the tag moves; a stays, untagged
    assert listed(ecr, "moves") == sorted([(digest(a), None), (digest(b), "latest")])


def test_strict_auth_accepts_documented_credentials_and_rejects_a_wrong_secret(serve_strict):
    ok = boto3_ecr(serve_strict.url)
    ok.create_repository(repositoryName="strict")
    assert ok.describe_repositories()["repositories"][0]["repositoryName"] == "strict"
    bad = boto3_ecr(serve_strict.url, secret="not-the-secret")
    with pytest.raises(ClientError) as e:
        bad.describe_repositories()
    assert error_code(e) == "InvalidSignatureException"
    unknown = boto3_ecr(serve_strict.url, key="AKIDNOBODYKNOWS00000")
    with pytest.raises(ClientError) as e:
        unknown.describe_repositories()
    assert error_code(e) == "UnrecognizedClientException"


def test_lenient_serve_accepts_any_wellformed_signature(serve):
    other = boto3_ecr(serve.url, key="AKIDSOMEONEELSE00000", secret="whatever")
    other.create_repository(repositoryName="lenient")
    assert other.describe_repositories(repositoryNames=["lenient"])["repositories"]
