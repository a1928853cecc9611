#!/usr/bin/env python3
"""Generate tests/data/sigv4_vectors.json from botocore's SigV4 signer.

botocore (the default `python3` here has it) is the oracle for
harness/common/sigv4.c: every vector records the request exactly as it was
signed plus botocore's canonical request, string to sign, signature and
Authorization header, and tests/unit/test_sigv4.c must reproduce all four byte
for byte.

Run from anywhere:  python3 tests/data/gen_sigv4_vectors.py
It rewrites sigv4_vectors.json beside this script; commit the result.

The timestamp is fixed by patching the clock SigV4Auth.add_auth reads
(fixed_clock below, for old and new botocore alike).
"""

import datetime
import json
import os
import sys
from unittest import mock
from urllib.parse import urlsplit

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "sigv4_vectors.json")

# The classic AWS SigV4 test-suite credentials (aws-c-auth aws-signing-test-suite).
SUITE_AK = "AKIDEXAMPLE"
SUITE_SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
# Published signature of the suite's "get-vanilla" request; checked below so
# that a botocore change cannot silently move the oracle.
GET_VANILLA_SIGNATURE = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"

ECR_AK = "AKIDECRCONFORMTEST01"
ECR_SK = "ecrconform-test-secret-key-not-a-real-one"
TARGET = "AmazonEC2ContainerRegistry_V20150921."



def suite_vector(name, url, **extra):
    """A GET in the style of the AWS SigV4 test suite (its host, key, region,
    service and date); only the name, URL and any extra fields vary."""
    v = {
        "name": name,
        "method": "GET",
        "url": url,
        "headers": [("Host", "example.amazonaws.com")],
        "body": "",
        "creds": (SUITE_AK, SUITE_SK, None),
        "region": "us-east-1",
        "service": "service",
        "when": datetime.datetime(2015, 8, 30, 12, 36, 0),
    }
    v.update(extra)
    return v


VECTORS = [
    suite_vector("get-vanilla", "https://example.amazonaws.com/"),
    {
        "name": "ecr-batch-delete-image",
        "method": "POST",
        "url": "https://api.ecr.us-east-1.amazonaws.com/",
        "headers": [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Host", "api.ecr.us-east-1.amazonaws.com"),
            ("X-Amz-Target", TARGET + "BatchDeleteImage"),
        ],
        "body": '{"repositoryName": "ubuntu", "imageIds": [{"imageTag": "precise"}]}',
        "creds": (ECR_AK, ECR_SK, None),
        "region": "us-east-1",
        "service": "ecr",
        "when": datetime.datetime(2024, 2, 29, 23, 59, 59),
    },
    {
        "name": "empty-body-session-token",
        "method": "POST",
        "url": "http://127.0.0.1:4566/",
        "headers": [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Host", "127.0.0.1:4566"),
            ("X-Amz-Target", TARGET + "ListImages"),
        ],
        "body": "",
        "creds": (
            "ASIAECRCONFORMTEST02",
            "another/secret+with=punctuation",
            "FwoGZXIvYXdzEJr//////////wEaDOdu+Z6Z0ZZGgzLn2CKsAT8ZjVYk0cO1a+token/with=chars",
        ),
        "region": "eu-west-1",
        "service": "ecr",
        "when": datetime.datetime(2023, 1, 1, 0, 0, 0),
    },
    {
        "name": "odd-header-spacing",
        "method": "POST",
        "url": "https://api.ecr.ap-southeast-2.amazonaws.com/",
        "headers": [
            ("Content-Type", "  application/x-amz-json-1.1  "),
            ("Host", "api.ecr.ap-southeast-2.amazonaws.com"),
            ("X-Amz-Target", TARGET + "DescribeImages"),
            ("My-Header1", "    value1   with   inner    spaces   "),
            ("My-Header2", "\tvalue2\t\twith\ttabs \t "),
            ("X-Empty-Ish", "   "),
        ],
        "body": '{"repositoryName":"a/b"}',
        "creds": (ECR_AK, ECR_SK, None),
        "region": "ap-southeast-2",
        "service": "ecr",
        "when": datetime.datetime(2021, 7, 4, 8, 9, 10),
    },
    {
        "name": "duplicate-headers",
        "method": "POST",
        "url": "https://api.ecr.us-west-2.amazonaws.com/",
        "headers": [
            ("Host", "api.ecr.us-west-2.amazonaws.com"),
            ("X-Dup", "first"),
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-dup", "  second   value "),
            ("X-DUP", "third"),
            ("X-Amz-Target", TARGET + "PutImage"),
        ],
        "body": '{"imageManifest": "{\\"schemaVersion\\": 2}"}',
        "creds": (ECR_AK, ECR_SK, None),
        "region": "us-west-2",
        "service": "ecr",
        "when": datetime.datetime(2022, 12, 31, 23, 0, 1),
    },
    # Already percent-encoded and unsorted, as on a request line: the
    # canonical path encodes it once more ('%' -> '%25'). botocore signs a
    # query string taken from the URL as it is (sorted, not re-encoded), so
    # this one is already in canonical encoding; "query-params" covers
    # re-encoding.
    suite_vector("query-string-and-encoded-path",
                 "https://example.amazonaws.com/path/with%20space/a-b_c.d~e"
                 "?b=2&a=1&a=0&flag&z=x%2Fy&m=~-_.&B=%C3%A9"),
    # Decoded parameters: botocore encodes each name and value itself; the
    # recorded query is the one on the prepared request line.
    suite_vector("query-params", "https://example.amazonaws.com/p",
                 params=[("z", "x/y"), ("m", "~-_."), ("e", "a=b&c"), ("u", "\u00e9"),
                         ("a", "2"), ("a", "10"), ("A", "x"), ("empty", "")]),
    suite_vector("dot-segments-and-double-slashes",
                 "https://example.amazonaws.com/a/./b/../c//d/"),
    {
        "name": "utf8-body-and-header",
        "method": "POST",
        "url": "http://localhost:5000/",
        "headers": [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Host", "localhost:5000"),
            ("X-Amz-Target", TARGET + "PutImage"),
            ("X-Meta", "caf\u00e9 \u2603"),
        ],
        "body": '{"imageTag": "caf\u00e9-\u2603", "n": "\\u0000"}',
        "creds": (ECR_AK, ECR_SK, "short-token"),
        "region": "cn-north-1",
        "service": "ecr",
        "when": datetime.datetime(2019, 11, 5, 14, 3, 27),
    },
    {
        "name": "large-body-other-service",
        "method": "PUT",
        "url": "https://sts.amazonaws.com/x",
        "headers": [
            ("Content-Type", "application/octet-stream"),
            ("Host", "sts.amazonaws.com"),
        ],
        "body": "0123456789abcdef" * 300,
        "creds": (SUITE_AK, SUITE_SK, None),
        "region": "us-gov-west-1",
        "service": "sts",
        "when": datetime.datetime(2030, 1, 15, 6, 7, 8),
    },
]


class RecordingSigV4Auth(botocore.auth.SigV4Auth):
    """SigV4Auth that keeps what add_auth computed (recomputing afterwards
    would see the Authorization header it added)."""

    def canonical_request(self, request):
        self.seen_canonical = super().canonical_request(request)
        return self.seen_canonical

    def string_to_sign(self, request, canonical_request):
        self.seen_sts = super().string_to_sign(request, canonical_request)
        return self.seen_sts

    def signature(self, string_to_sign, request):
        self.seen_signature = super().signature(string_to_sign, request)
        return self.seen_signature


def fixed_clock(when):
    """Pins the time SigV4Auth.add_auth reads: botocore >= 1.31 asks
    botocore.auth.get_current_datetime(); older ones (Debian 12 ships 1.29)
    call datetime.datetime.utcnow() through the module's `datetime` name."""
    if hasattr(botocore.auth, "get_current_datetime"):
        return mock.patch.object(botocore.auth, "get_current_datetime", return_value=when)

    class FixedDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return when

    fake = mock.Mock(wraps=datetime)
    fake.datetime = FixedDatetime
    return mock.patch.object(botocore.auth, "datetime", fake)


def sign(v):
    ak, sk, token = v["creds"]
    creds = Credentials(ak, sk, token)
    body = v["body"].encode("utf-8")
    req = AWSRequest(method=v["method"], url=v["url"], data=body, params=v.get("params"))
    for name, value in v["headers"]:
        # HTTPMessage appends on assignment, so repeated names stay repeated.
        req.headers[name] = value
    signer = RecordingSigV4Auth(creds, v["service"], v["region"])
    with fixed_clock(v["when"]):
        signer.add_auth(req)
    amz_date = req.context["timestamp"]
    canonical = signer.seen_canonical
    sts = signer.seen_sts
    signature = signer.seen_signature
    authorization = req.headers["Authorization"]
    assert authorization.endswith("Signature=" + signature), authorization

    # The headers botocore signed, in request order (Authorization and the
    # hop-by-hop names botocore never signs are left out).
    signed = [
        (n, val)
        for n, val in req.headers.items()
        if n.lower() != "authorization"
        and n.lower() not in botocore.auth.SIGNED_HEADERS_BLACKLIST
    ]
    names = sorted({n.lower() for n, _ in signed})
    assert "SignedHeaders=" + ";".join(names) + "," in authorization, authorization

    parts = urlsplit(req.prepare().url)
    return {
        "name": v["name"],
        "method": v["method"],
        "path": parts.path,
        "query": parts.query if parts.query else None,
        "headers": [[n, val] for n, val in signed],
        "body": v["body"],
        "credentials": {
            "access_key": ak,
            "secret_key": sk,
            "session_token": token,
        },
        "region": v["region"],
        "service": v["service"],
        "amz_date": amz_date,
        "canonical_request": canonical,
        "string_to_sign": sts,
        "signature": signature,
        "authorization": authorization,
    }


def main():
    # --out PATH writes elsewhere (tests/e2e regenerates into a temp file and
    # compares it with the committed one).
    path = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else OUT
    out = [sign(v) for v in VECTORS]
    vanilla = next(o for o in out if o["name"] == "get-vanilla")
    if vanilla["signature"] != GET_VANILLA_SIGNATURE:
        sys.exit("botocore no longer reproduces the get-vanilla signature: "
                 + vanilla["signature"])
    doc = {
        "generator": "tests/data/gen_sigv4_vectors.py",
        "oracle": "botocore " + botocore.__version__ + " botocore.auth.SigV4Auth",
        "vectors": out,
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=True)
        f.write("\n")
    print(f"wrote {len(out)} vectors to {path}")


if __name__ == "__main__":
    main()
