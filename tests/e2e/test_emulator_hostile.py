"""Issue 11 against `serve` with real clients: strict auth's scope check
(boto3 signing for another region), the control interface refusing a web
page's request, and two Authorization headers."""
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
