"""The emulator's ECR API beyond BatchDeleteImage, through independent clients against
`ecrconform serve` (layer enforcement on, its default): boto3 pushes an image with its
layers through the layer upload API, PutImage refuses what ECR refuses, boto3's paginators
and the AWS CLI page ListImages / DescribeImages / DescribeRepositories, real ECR operations
the emulator lacks are UnsupportedOperationException (never UnknownOperationException),
GetAuthorizationToken / DescribeRegistry work, and serve logs one line per request."""
import base64
import hashlib
import http.client
import json
import shutil
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, boto3_ecr, clean_env, start_serve, stop
from test_model_coverage import newest_model

MT_DOCKER = "application/vnd.docker.distribution.manifest.v2+json"
MT_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MIB = 1024 * 1024


def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def upload_blob(ecr, repo, data, part_size=None):
    """Uploads data as a blob of repo the way a client pushing to ECR does; returns its digest."""
    d = digest(data)
    got = ecr.batch_check_layer_availability(repositoryName=repo, layerDigests=[d])
    if got["layers"] and got["layers"][0]["layerAvailability"] == "AVAILABLE":
        return d
    up = ecr.initiate_layer_upload(repositoryName=repo)
    size = part_size or up["partSize"]
    for first in range(0, len(data), size):
        chunk = data[first:first + size]
        r = ecr.upload_layer_part(repositoryName=repo, uploadId=up["uploadId"],
                                  partFirstByte=first, partLastByte=first + len(chunk) - 1,
                                  layerPartBlob=chunk)
        assert r["lastByteReceived"] == first + len(chunk) - 1
    r = ecr.complete_layer_upload(repositoryName=repo, uploadId=up["uploadId"], layerDigests=[d])
    assert r["layerDigest"] == d
    return d


def image_manifest(config, layers, note=None):
    m = {"schemaVersion": 2, "mediaType": MT_DOCKER,
         "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                    "size": len(config), "digest": digest(config)},
         "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                     "size": len(l), "digest": digest(l)} for l in layers]}
    if note is not None:
        m["annotations"] = {"note": str(note)}
    return json.dumps(m, indent=2).encode()


def push(ecr, repo, manifest, tag=None, media_type=MT_DOCKER):
    kw = dict(repositoryName=repo, imageManifest=manifest.decode(), imageDigest=digest(manifest),
              imageManifestMediaType=media_type)
    if tag:
        kw["imageTag"] = tag
    return ecr.put_image(**kw)["image"]["imageId"]


def fill(ecr, repo, n):
    """n images sharing one config and layer; image i tagged t<i>, even ones also e<i>."""
    config, layer = b'{"architecture":"amd64"}', b"layer bytes"
    upload_blob(ecr, repo, config)
    upload_blob(ecr, repo, layer)
    for i in range(n):
        m = image_manifest(config, [layer], note=i)
        push(ecr, repo, m, f"t{i}")
        if i % 2 == 0:
            push(ecr, repo, m, f"e{i}")
    return n + (n + 1) // 2  # ListImages entries


def test_push_an_image_through_the_layer_api(serve):
    ecr = boto3_ecr(serve.url)
    ecr.create_repository(repositoryName="app/web")
    config = json.dumps({"architecture": "amd64", "os": "linux"}).encode()
    big = bytes(range(256)) * (21 * 1024 + 7)  # ~5.3 MiB: two parts, the first of 5 MiB
    small = b"a small layer"
    m = image_manifest(config, [big, small])

    # before the upload: every blob is UNAVAILABLE and PutImage names them
    r = ecr.batch_check_layer_availability(repositoryName="app/web",
                                           layerDigests=[digest(config), digest(big), "bad"])
    assert [l["layerAvailability"] for l in r["layers"]] == ["UNAVAILABLE", "UNAVAILABLE"]
    assert r["failures"] == [{"layerDigest": "bad", "failureCode": "InvalidLayerDigest",
                              "failureReason": r["failures"][0]["failureReason"]}]
    with pytest.raises(ClientError) as e:
        push(ecr, "app/web", m, "v1")
    assert code(e) == "LayersNotFoundException"
    for blob in (config, big, small):
        assert digest(blob) in e.value.response["Error"]["Message"]

    upload_blob(ecr, "app/web", config)
    upload_blob(ecr, "app/web", big, part_size=5 * MIB)
    with pytest.raises(ClientError) as e:  # one layer still missing
        push(ecr, "app/web", m, "v1")
    assert code(e) == "LayersNotFoundException"
    assert digest(small) in e.value.response["Error"]["Message"]
    assert digest(big) not in e.value.response["Error"]["Message"]
    upload_blob(ecr, "app/web", small)
    r = ecr.batch_check_layer_availability(repositoryName="app/web",
                                           layerDigests=[digest(big), digest(small)])
    assert [(l["layerAvailability"], l["layerSize"]) for l in r["layers"]] == \
        [("AVAILABLE", len(big)), ("AVAILABLE", len(small))]

    assert push(ecr, "app/web", m, "v1") == {"imageDigest": digest(m), "imageTag": "v1"}
    got = ecr.batch_get_image(repositoryName="app/web", imageIds=[{"imageTag": "v1"}])
    assert got["images"][0]["imageManifest"] == m.decode()
    assert got["images"][0]["imageManifestMediaType"] == MT_DOCKER

    # the same manifest and tag again; a wrong imageDigest
    with pytest.raises(ClientError) as e:
        push(ecr, "app/web", m, "v1")
    assert code(e) == "ImageAlreadyExistsException"
    with pytest.raises(ClientError) as e:
        ecr.put_image(repositoryName="app/web", imageManifest=m.decode(),
                      imageDigest=digest(config))
    assert code(e) == "ImageDigestDoesNotMatchException"

    # an index: its children first, else ReferencedImagesNotFoundException
    child = image_manifest(config, [small])
    index = json.dumps({"schemaVersion": 2, "mediaType": MT_LIST, "manifests": [
        {"mediaType": MT_DOCKER, "size": len(x), "digest": digest(x),
         "platform": {"architecture": a, "os": "linux"}}
        for x, a in ((m, "amd64"), (child, "arm64"))]}).encode()
    with pytest.raises(ClientError) as e:
        push(ecr, "app/web", index, "multi", MT_LIST)
    assert code(e) == "ReferencedImagesNotFoundException"
    push(ecr, "app/web", child)
    assert push(ecr, "app/web", index, "multi", MT_LIST)["imageDigest"] == digest(index)


def test_layer_upload_errors(serve):
    ecr = boto3_ecr(serve.url)
    ecr.create_repository(repositoryName="uploads")
    up = ecr.initiate_layer_upload(repositoryName="uploads")["uploadId"]
    with pytest.raises(ClientError) as e:
        ecr.complete_layer_upload(repositoryName="uploads", uploadId=up,
                                  layerDigests=[digest(b"x")])
    assert code(e) == "EmptyUploadException"
    with pytest.raises(ClientError) as e:
        ecr.upload_layer_part(repositoryName="uploads", uploadId=up, partFirstByte=3,
                              partLastByte=5, layerPartBlob=b"abc")
    assert code(e) == "InvalidLayerPartException"
    assert e.value.response["uploadId"] == up  # the model's extra members
    ecr.upload_layer_part(repositoryName="uploads", uploadId=up, partFirstByte=0,
                          partLastByte=2, layerPartBlob=b"abc")
    ecr.upload_layer_part(repositoryName="uploads", uploadId=up, partFirstByte=3,
                          partLastByte=5, layerPartBlob=b"def")
    with pytest.raises(ClientError) as e:
        ecr.complete_layer_upload(repositoryName="uploads", uploadId=up,
                                  layerDigests=[digest(b"abcdef")])
    assert code(e) == "LayerPartTooSmallException"
    with pytest.raises(ClientError) as e:
        ecr.upload_layer_part(repositoryName="uploads", uploadId=up, partFirstByte=6,
                              partLastByte=6, layerPartBlob=b"g")
    assert code(e) == "UploadNotFoundException"
    up = ecr.initiate_layer_upload(repositoryName="uploads")["uploadId"]
    ecr.upload_layer_part(repositoryName="uploads", uploadId=up, partFirstByte=0,
                          partLastByte=5, layerPartBlob=b"abcdef")
    with pytest.raises(ClientError) as e:
        ecr.complete_layer_upload(repositoryName="uploads", uploadId=up,
                                  layerDigests=[digest(b"abcdeF")])
    assert code(e) == "InvalidLayerException"
    upload_blob(ecr, "uploads", b"abcdef")
    up = ecr.initiate_layer_upload(repositoryName="uploads")["uploadId"]
    ecr.upload_layer_part(repositoryName="uploads", uploadId=up, partFirstByte=0,
                          partLastByte=5, layerPartBlob=b"abcdef")
    with pytest.raises(ClientError) as e:
        ecr.complete_layer_upload(repositoryName="uploads", uploadId=up,
                                  layerDigests=[digest(b"abcdef")])
    assert code(e) == "LayerAlreadyExistsException"


def test_immutable_tag_cannot_move(serve):
    ecr = boto3_ecr(serve.url)
    ecr.create_repository(repositoryName="frozen", imageTagMutability="IMMUTABLE")
    config, layer = b"{}", b"l"
    upload_blob(ecr, "frozen", config)
    upload_blob(ecr, "frozen", layer)
    push(ecr, "frozen", image_manifest(config, [layer], 1), "release")
    with pytest.raises(ClientError) as e:
        push(ecr, "frozen", image_manifest(config, [layer], 2), "release")
    assert code(e) == "ImageTagAlreadyExistsException"


def test_boto3_paginators(serve):
    ecr = boto3_ecr(serve.url)
    ecr.create_repository(repositoryName="paged")
    entries = fill(ecr, "paged", 9)  # 9 images, 14 tags
    everything = ecr.list_images(repositoryName="paged")
    assert "nextToken" not in everything and len(everything["imageIds"]) == entries

    pages = list(ecr.get_paginator("list_images").paginate(
        repositoryName="paged", PaginationConfig={"PageSize": 4}))
    assert len(pages) == 4 and [len(p["imageIds"]) for p in pages] == [4, 4, 4, 2]
    assert all("nextToken" in p for p in pages[:-1]) and "nextToken" not in pages[-1]
    assert [i for p in pages for i in p["imageIds"]] == everything["imageIds"]

    pages = list(ecr.get_paginator("describe_images").paginate(
        repositoryName="paged", PaginationConfig={"PageSize": 2}))
    assert [len(p["imageDetails"]) for p in pages] == [2, 2, 2, 2, 1]
    details = [d for p in pages for d in p["imageDetails"]]
    assert len({d["imageDigest"] for d in details}) == 9
    assert sum(len(d["imageTags"]) for d in details) == entries

    # MaxItems: boto3 resumes from its own token
    first = ecr.get_paginator("list_images").paginate(
        repositoryName="paged", PaginationConfig={"PageSize": 3, "MaxItems": 5}).build_full_result()
    assert len(first["imageIds"]) == 5 and "NextToken" in first
    rest = ecr.get_paginator("list_images").paginate(
        repositoryName="paged",
        PaginationConfig={"PageSize": 3, "StartingToken": first["NextToken"]}).build_full_result()
    assert first["imageIds"] + rest["imageIds"] == everything["imageIds"]

    for i in range(5):
        ecr.create_repository(repositoryName=f"paged/r{i}")
    repos = [r["repositoryName"] for p in ecr.get_paginator("describe_repositories").paginate(
        PaginationConfig={"PageSize": 2}) for r in p["repositories"]]
    assert repos == ["paged"] + [f"paged/r{i}" for i in range(5)]

    with pytest.raises(ClientError) as e:
        ecr.list_images(repositoryName="paged", nextToken="not-a-token")
    assert code(e) == "InvalidParameterException"
    assert "'nextToken'" in e.value.response["Error"]["Message"]
    for bad in (0, 1001):
        with pytest.raises(ClientError) as e:
            ecr.describe_images(repositoryName="paged", maxResults=bad)
        assert code(e) == "InvalidParameterException"


def test_unsupported_and_unknown_operations(serve):
    """Every operation of the newest botocore model is either implemented or says that the
    emulator lacks it: never UnknownOperationException, which stays for non-ECR names."""
    version, model = newest_model()
    if model is None:
        pytest.skip("botocore is not installed: no ECR model to check against")
    host, port = serve.url.split("//")[1].split(":")

    def call(op):
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            conn.request("POST", "/", body=b"{}", headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"AmazonEC2ContainerRegistry_V20150921.{op}",
                "X-Amz-Date": "20260101T000000Z",
                # lenient serve: any well-formed SigV4 header passes
                "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ecr/"
                                 "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64})
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read() or b"{}")
        finally:
            conn.close()

    unsupported = []
    for op in sorted(model["operations"]):
        status, body = call(op)
        assert body.get("__type") != "UnknownOperationException", \
            f"botocore {version} knows {op}: regenerate harness/emulator/ecr_ops.c"
        if body.get("__type") == "UnsupportedOperationException":
            assert status == 400 and op in body["message"]
            unsupported.append(op)
    assert "GetDownloadUrlForLayer" in unsupported
    for op in ("PutImage", "InitiateLayerUpload", "GetAuthorizationToken", "DescribeRegistry"):
        assert op not in unsupported
    status, body = call("DeleteImage")
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    ecr = boto3_ecr(serve.url)
    with pytest.raises(ClientError) as e:
        ecr.get_download_url_for_layer(repositoryName="x1", layerDigest=digest(b""))
    assert code(e) == "UnsupportedOperationException"


def test_authorization_token_and_registry(serve):
    ecr = boto3_ecr(serve.url)
    before = time.time()
    data = ecr.get_authorization_token()["authorizationData"]
    assert len(data) == 1
    user, _, password = base64.b64decode(data[0]["authorizationToken"]).decode().partition(":")
    assert user == "AWS" and password
    assert data[0]["proxyEndpoint"] == f"https://{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    assert before + 43200 - 5 < data[0]["expiresAt"].timestamp() < time.time() + 43200 + 5
    r = ecr.describe_registry()
    assert r["registryId"] == ACCOUNT and r["replicationConfiguration"] == {"rules": []}


def test_serve_logs_one_line_per_request_and_quiet_silences_it(ecrconform_bin):
    s = start_serve()
    try:
        ecr = boto3_ecr(s.url)
        ecr.create_repository(repositoryName="logged")
        with pytest.raises(ClientError):
            ecr.create_repository(repositoryName="logged")
        lines = s.log_lines()
    finally:
        stop(s.proc)
    assert len(lines) == 2, lines
    assert lines[0].startswith("ecremu: CreateRepository 200 ") and lines[0].endswith(" ms")
    assert lines[1].startswith("ecremu: CreateRepository 400 RepositoryAlreadyExistsException ")
    ms = float(lines[1].split()[-2])
    assert 0 <= ms < 10000

    q = start_serve("--quiet")
    try:
        boto3_ecr(q.url).create_repository(repositoryName="quiet")
        assert q.log_lines(timeout=1) == []
    finally:
        stop(q.proc)


def test_serve_without_layer_check(serve_manifests_only):
    ecr = boto3_ecr(serve_manifests_only.url)
    ecr.create_repository(repositoryName="loose")
    m = image_manifest(b"never uploaded", [b"nor this"])
    assert push(ecr, "loose", m, "v1")["imageDigest"] == digest(m)


AWS = shutil.which("aws")


def aws(url, *args):
    return subprocess.run([AWS, "ecr", *args, "--endpoint-url", url, "--output", "json"],
                          capture_output=True, text=True, timeout=120, env=clean_env(),
                          stdin=subprocess.DEVNULL)


@pytest.mark.skipif(not AWS, reason="the AWS CLI ('aws') is not on PATH")
def test_aws_cli_login_password_and_paging(serve):
    p = aws(serve.url, "get-login-password")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() and ":" not in p.stdout.strip()
    p = aws(serve.url, "describe-registry")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["registryId"] == ACCOUNT

    ecr = boto3_ecr(serve.url)
    ecr.create_repository(repositoryName="cli/paged")
    entries = fill(ecr, "cli/paged", 5)  # 8 entries
    p = aws(serve.url, "list-images", "--repository-name", "cli/paged", "--max-items", "3",
            "--page-size", "2")
    assert p.returncode == 0, p.stderr
    first = json.loads(p.stdout)
    assert len(first["imageIds"]) == 3 and first["NextToken"]
    p = aws(serve.url, "list-images", "--repository-name", "cli/paged", "--starting-token",
            first["NextToken"], "--page-size", "2")
    assert p.returncode == 0, p.stderr
    rest = json.loads(p.stdout)
    assert "NextToken" not in rest
    assert first["imageIds"] + rest["imageIds"] == \
        ecr.list_images(repositoryName="cli/paged")["imageIds"]
    assert len(first["imageIds"] + rest["imageIds"]) == entries
    p = aws(serve.url, "describe-images", "--repository-name", "cli/paged", "--page-size", "2")
    assert p.returncode == 0, p.stderr
    assert len(json.loads(p.stdout)["imageDetails"]) == 5


JS_CLIENT = r"""
import { createHash } from "node:crypto";
import { ECRClient, CreateRepositoryCommand, BatchCheckLayerAvailabilityCommand,
         InitiateLayerUploadCommand, UploadLayerPartCommand, CompleteLayerUploadCommand,
         PutImageCommand, paginateListImages, paginateDescribeImages } from "@aws-sdk/client-ecr";

const [endpoint, key, secret] = process.argv.slice(2);
const ecr = new ECRClient({ endpoint, region: "us-east-1", maxAttempts: 1,
                            credentials: { accessKeyId: key, secretAccessKey: secret } });
const sha = (b) => "sha256:" + createHash("sha256").update(b).digest("hex");
const repositoryName = "js/app";
await ecr.send(new CreateRepositoryCommand({ repositoryName }));

async function upload(bytes) {
  const d = sha(bytes);
  const check = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: [d] }));
  if (check.layers[0].layerAvailability === "AVAILABLE") return d;
  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
  await ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: 0,
                                              partLastByte: bytes.length - 1, layerPartBlob: bytes }));
  const done = await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [d] }));
  if (done.layerDigest !== d) throw new Error("layerDigest " + done.layerDigest);
  return d;
}

const config = new TextEncoder().encode('{"architecture":"arm64"}');
const layer = new TextEncoder().encode("js layer");
const out = { pushed: [], missing: null };
await upload(config);
const manifest = (i, layerBytes) => JSON.stringify({ schemaVersion: 2,
  mediaType: "application/vnd.docker.distribution.manifest.v2+json",
  config: { mediaType: "application/vnd.docker.container.image.v1+json", size: config.length, digest: sha(config) },
  layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: layerBytes.length, digest: sha(layerBytes) }],
  annotations: { i: String(i) } });
try {
  await ecr.send(new PutImageCommand({ repositoryName, imageManifest: manifest(0, layer), imageTag: "v0" }));
} catch (e) { out.missing = e.name; }
await upload(layer);
for (let i = 0; i < 7; i++) {
  const r = await ecr.send(new PutImageCommand({ repositoryName, imageManifest: manifest(i, layer), imageTag: "v" + i }));
  out.pushed.push(r.image.imageId.imageDigest);
}
out.listPages = [];
for await (const page of paginateListImages({ client: ecr, pageSize: 3 }, { repositoryName }))
  out.listPages.push(page.imageIds.map((x) => x.imageTag));
out.describePages = [];
for await (const page of paginateDescribeImages({ client: ecr, pageSize: 2 }, { repositoryName }))
  out.describePages.push(page.imageDetails.map((x) => x.imageDigest));
console.log(JSON.stringify(out));
"""


def test_aws_sdk_for_javascript_v3(serve, tmp_path):
    """Optional: the AWS SDK for JavaScript v3, installed from the npm registry into this
    test's own directory (npm's cache too), pushes through the layer API and paginates."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node and npm are needed for the AWS SDK for JavaScript v3 test")
    work = tmp_path / "js"
    work.mkdir()
    try:
        p = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix",
                            str(work), "--cache", str(work / ".npm-cache"), "@aws-sdk/client-ecr"],
                           capture_output=True, text=True, timeout=300, cwd=work,
                           stdin=subprocess.DEVNULL, env={**clean_env(), "HOME": str(work)})
    except subprocess.TimeoutExpired:
        pytest.skip("npm install @aws-sdk/client-ecr took over 300 s (no registry access?)")
    if p.returncode != 0 or not (work / "node_modules" / "@aws-sdk" / "client-ecr").exists():
        pytest.skip(f"npm install @aws-sdk/client-ecr failed: {p.stderr.strip()[-300:]}")
    script = work / "client.mjs"
    script.write_text(JS_CLIENT)
    from conftest import TEST_KEY, TEST_SECRET
    p = subprocess.run([node, str(script), serve.url, TEST_KEY, TEST_SECRET], capture_output=True,
                       text=True, timeout=120, cwd=work, stdin=subprocess.DEVNULL,
                       env={**clean_env(), "HOME": str(work)})
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["missing"] == "LayersNotFoundException"
    assert len(set(out["pushed"])) == 7
    assert out["listPages"] == [["v0", "v1", "v2"], ["v3", "v4", "v5"], ["v6"]]
    assert [len(p) for p in out["describePages"]] == [2, 2, 2, 1]
    assert [d for p in out["describePages"] for d in p] == out["pushed"]
