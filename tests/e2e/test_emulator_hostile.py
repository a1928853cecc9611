"""Issue 11 against `serve` with real clients: strict auth's scope and clock
checks (botocore signing for another region or service, or at another
time), the control interface refusing a web page's request, two
Authorization headers, an image in a thousand manifest lists, and the
bounded fault table."""
import http.client
import json

import pytest

from conftest import TEST_KEY, TEST_SECRET


def _conn(url):
    host, port = url.rsplit("/", 1)[-1].split(":")
    return http.client.HTTPConnection(host, int(port), timeout=10)


def test_strict_refuses_another_region(serve_strict):
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
    ecr = boto3.client("ecr", endpoint_url=serve_strict.url, region_name="eu-west-1",
                       aws_access_key_id=TEST_KEY, aws_secret_access_key=TEST_SECRET,
                       config=Config(retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as e:
        ecr.describe_repositories()
    err = e.value.response["Error"]
    assert err["Code"] == "InvalidSignatureException"
    assert err["Message"] == "Credential should be scoped to a valid region."


def test_control_refuses_a_web_page(serve):
    body = json.dumps({"fault": "throttling", "repositoryName": "web/victim"})
    c = _conn(serve.url)
    c.request("POST", "/__ecrconform/faults", body,
              {"Content-Type": "text/plain", "Origin": "http://evil.example"})
    r = c.getresponse()
    assert r.status == 403 and "Origin" in json.loads(r.read())["message"]
    c.request("POST", "/__ecrconform/faults", body, {"Content-Type": "text/plain"})
    r = c.getresponse()
    assert r.status == 403 and "X-Ecrconform-Control" in json.loads(r.read())["message"]
    c.request("POST", "/__ecrconform/faults", body, {"X-Ecrconform-Control": "1"})
    r = c.getresponse()
    assert r.status == 200, r.read()
    r.read()
    c.close()


def test_two_authorization_headers_are_refused(serve):
    authz = ("AWS4-HMAC-SHA256 Credential=AKIDECRCONFORMTEST01/20240101/us-east-1/ecr/"
             "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
    c = _conn(serve.url)
    c.putrequest("POST", "/")
    c.putheader("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories")
    c.putheader("Content-Type", "application/x-amz-json-1.1")
    c.putheader("X-Amz-Date", "20240101T000000Z")
    c.putheader("Authorization", authz)
    c.putheader("Authorization", authz)
    c.putheader("Content-Length", "2")
    c.endheaders(b"{}")
    r = c.getresponse()
    reply = json.loads(r.read())
    c.close()
    assert r.status == 400
    assert reply["__type"] == "IncompleteSignatureException"


def test_fault_clear_refuses_a_nul_in_the_name(serve):
    """DELETE ?repositoryName=nulq%00x once cleared the faults of `nulq` (the
    decoded query cut at the NUL): now it is refused and nulq's fault stays."""
    c = _conn(serve.url)
    ctl = {"X-Ecrconform-Control": "1", "Content-Type": "application/json"}
    c.request("POST", "/__ecrconform/faults",
              json.dumps({"fault": "throttling", "repositoryName": "nulq",
                          "operation": "ListImages"}), ctl)
    r = c.getresponse()
    assert r.status == 200, r.read()
    r.read()
    c.request("DELETE", "/__ecrconform/faults?repositoryName=nulq%00x", headers=ctl)
    r = c.getresponse()
    assert r.status == 400
    assert "NUL" in json.loads(r.read())["message"]
    c.close()
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
    ecr = boto3.client("ecr", endpoint_url=serve.url, region_name="us-east-1",
                       aws_access_key_id=TEST_KEY, aws_secret_access_key=TEST_SECRET,
                       config=Config(retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as e:
        ecr.list_images(repositoryName="nulq")
    assert e.value.response["Error"]["Code"] == "ThrottlingException"


def _signed_call(url, op, body, when, service="ecr", region="us-east-1"):
    """One request signed by botocore as of `when` (a naive UTC datetime),
    for service/region; returns (status, parsed reply)."""
    from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    class SignedAt(SigV4Auth):
        # add_auth with the clock replaced: botocore reads utcnow() itself
        def add_auth(self, request):
            request.context["timestamp"] = when.strftime(SIGV4_TIMESTAMP)
            self._modify_request_before_signing(request)
            canonical = self.canonical_request(request)
            self._inject_signature_to_request(
                request, self.signature(self.string_to_sign(request, canonical), request))

    data = json.dumps(body).encode()
    req = AWSRequest(method="POST", url=url + "/", data=data,
                     headers={"Content-Type": "application/x-amz-json-1.1",
                              "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921." + op})
    SignedAt(Credentials(TEST_KEY, TEST_SECRET), service, region).add_auth(req)
    c = _conn(url)
    c.request("POST", "/", data, dict(req.headers.items()))
    r = c.getresponse()
    reply = json.loads(r.read())
    c.close()
    return r.status, reply


def test_strict_refuses_a_replayed_or_foreign_signature(serve_strict):
    """Issue 11, item 19: a signature older or newer than 5 minutes, or
    scoped to another service, is refused as AWS refuses it."""
    import datetime
    now = datetime.datetime.utcnow()
    ok, _ = _signed_call(serve_strict.url, "DescribeRepositories", {}, now)
    assert ok == 200
    st, _ = _signed_call(serve_strict.url, "DescribeRepositories", {},
                         now - datetime.timedelta(minutes=4))
    assert st == 200
    for delta, words in ((-6, "Signature expired"), (6, "Signature not yet current"),
                         (-24 * 60, "Signature expired")):
        st, reply = _signed_call(serve_strict.url, "DescribeRepositories", {},
                                 now + datetime.timedelta(minutes=delta))
        assert st == 400 and reply["__type"] == "InvalidSignatureException", reply
        assert reply["message"].startswith(words), reply
    st, reply = _signed_call(serve_strict.url, "DescribeRepositories", {}, now, service="s3")
    assert st == 400 and "correct service: 'ecr'" in reply["message"], reply


def test_an_image_in_a_thousand_manifest_lists_is_still_refused_by_name(serve_manifests_only):
    """Issue 11, item 15: past ~900 parents a fixed buffer overflowed and the
    answer was a 500 ServerException instead of ImageReferencedByManifestList."""
    from conftest import boto3_ecr
    ecr = boto3_ecr(serve_manifests_only.url)
    repo = "many-parents"
    ecr.create_repository(repositoryName=repo)
    child = json.dumps({"schemaVersion": 2,
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                   "digest": "sha256:" + "a" * 64, "size": 2},
                        "layers": []})
    digest = ecr.put_image(repositoryName=repo, imageManifest=child, imageTag="child",
                           imageManifestMediaType="application/vnd.oci.image.manifest.v1+json"
                           )["image"]["imageId"]["imageDigest"]
    for i in range(1000):
        index = json.dumps({"schemaVersion": 2,
                            "mediaType": "application/vnd.oci.image.index.v1+json",
                            "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                           "digest": digest, "size": len(child)}],
                            "annotations": {"n": str(i)}})
        ecr.put_image(repositoryName=repo, imageManifest=index,
                      imageManifestMediaType="application/vnd.oci.image.index.v1+json")
    r = ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageDigest": digest}])
    assert r["imageIds"] == [], r
    (f,) = r["failures"]
    assert f["failureCode"] == "ImageReferencedByManifestList", f
    assert f["failureReason"].startswith("Requested image referenced by manifest list: [sha256:")


def test_the_fault_table_is_bounded(serve):
    """Issue 11, item 16: 4,096 faults of ~10 MiB each were accepted (40 of
    them raised RSS by 300 MB). Now: bounded names, a bounded table, and a
    body over the cap is refused before it is parsed."""
    ctl = {"X-Ecrconform-Control": "1", "Content-Type": "application/json"}
    c = _conn(serve.url)
    refused = None
    for i in range(1100):
        c.request("POST", "/__ecrconform/faults",
                  json.dumps({"fault": "throttling", "repositoryName": f"cap/r{i}"}), ctl)
        r = c.getresponse()
        reply = r.read()
        if r.status != 200:
            refused = (i, r.status, json.loads(reply)["message"])
            break
    assert refused and refused[0] == 1024 and refused[1] == 400, refused
    assert "at most 1024" in refused[2], refused
    c.request("POST", "/__ecrconform/faults",
              json.dumps({"fault": "throttling", "repositoryName": "x" * 300}), ctl)
    r = c.getresponse()
    assert r.status == 400 and "at most 256 bytes" in json.loads(r.read())["message"]
    # clearing one repository's faults makes room again
    c.request("DELETE", "/__ecrconform/faults?repositoryName=cap/r0", headers=ctl)
    r = c.getresponse()
    r.read()
    assert r.status == 200
    c.request("POST", "/__ecrconform/faults",
              json.dumps({"fault": "throttling", "repositoryName": "cap/again"}), ctl)
    r = c.getresponse()
    r.read()
    assert r.status == 200
    c.close()
    big = b'{"fault": "throttling", "repositoryName": "' + b"y" * (11 << 20) + b'"}'
    c = _conn(serve.url)
    try:
        c.request("POST", "/__ecrconform/faults", big, ctl)
        r = c.getresponse()
        assert r.status == 413, r.status
        r.read()
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused before the whole body was read: as good as a 413
    finally:
        c.close()
