"""Issue 11, item 13: idle and slowloris connections must not starve `serve`.

2,000 idle sockets (and 80 that trickle a request's headers) are held open
against `serve` while a normal boto3 client must still be answered within
1 s. Every socket is bounded in number and closed at the end."""
import resource
import socket
import time

from conftest import TEST_KEY, TEST_SECRET

IDLE = 2000
SLOW = 80


def _open(url, n):
    host, port = url.rsplit("/", 1)[-1].split(":")
    socks = []
    for _ in range(n):
        s = socket.create_connection((host, int(port)), timeout=5)
        socks.append(s)
    return socks


def _timed_call(url):
    import boto3
    from botocore.config import Config
    ecr = boto3.client("ecr", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id=TEST_KEY, aws_secret_access_key=TEST_SECRET,
                       config=Config(retries={"max_attempts": 1}, connect_timeout=3,
                                     read_timeout=3))
    t0 = time.monotonic()
    ecr.describe_repositories()
    return time.monotonic() - t0


def test_idle_and_slowloris_connections_do_not_starve_serve(serve):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = IDLE + SLOW + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    socks = []
    try:
        socks += _open(serve.url, IDLE)
        slow = _open(serve.url, SLOW)
        socks += slow
        for s in slow:  # a request that never finishes its headers
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.5)  # let the server accept them all
        for s in slow:
            s.sendall(b"X-Slow: 1\r\n")
        assert _timed_call(serve.url) < 1.0
        assert _timed_call(serve.url) < 1.0
        # a request head that never completes is dropped after the short
        # header timeout (5 s without traffic), not held for 30 s
        s = slow[0]
        s.settimeout(12)
        t0 = time.monotonic()
        try:
            closed = s.recv(4096) == b""
        except ConnectionResetError:
            closed = True
        assert closed and time.monotonic() - t0 < 10
    finally:
        for s in socks:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
