"""A hostile ECR target for the end-to-end tests (issue 11): a raw-socket HTTP
server on 127.0.0.1, port 0, that answers the capability probe normally (404:
no control interface) and every API call (POST) with one kind of misbehaviour.

    srv = HostileTarget("bad_chunked"); srv.start(); ... srv.url ...; srv.stop()

Every loop is bounded in count and time; every connection has a socket
timeout; stop() closes the listener and joins the accept thread.
"""
import json
import socket
import threading

# '/' and '+' on purpose: they are the bytes that JSON ("\\/") and URL
# encoding ("%2F", "%2B") write differently, so an echo in those forms is a
# different byte string (leak_forms below).
SECRET = "ecrconform/hostile+secret/key-0123456789"
TOKEN = "ecrconform/hostile+session-token/ABCDEFGHIJ"


def leak_forms(secret):
    """Every form in which an echoed secret could reach a file or the
    terminal: as it is, JSON-escaped ("\\/", "\\u00XX", also behind more
    backslashes), URL-encoded (either case)."""
    forms = {secret, secret.replace("/", "\\/"), secret.replace("/", "\\\\\\/"),
             "".join("\\u%04x" % ord(ch) for ch in secret)}
    for f in (str.upper, str.lower):
        forms.add("".join(ch if ch.isalnum() or ch in "-_." else f("%%%02x" % ord(ch))
                          for ch in secret))
    return [x.encode() for x in forms]


def leaks(blob):
    """The forms of SECRET or TOKEN found in blob (bytes)."""
    return [f for s in (SECRET, TOKEN) for f in leak_forms(s) if f in blob]

OK_HDRS = "Content-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: hostile\r\n"


def response(status, body, headers=OK_HDRS, reason="OK"):
    if isinstance(body, str):
        body = body.encode()
    return (f"HTTP/1.1 {status} {reason}\r\n{headers}Content-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n").encode() + body


def _garbage(c, req, stop):
    c.sendall(bytes((i * 37 + 11) % 256 for i in range(4096)))


def _slow_drip(c, req, stop):
    c.sendall(b"HTTP/1.1 200 OK\r\n")
    for _ in range(60):  # at most 60 s, the client gives up well before
        c.sendall(b"X")
        if stop.wait(1):
            break


def _huge_body(c, req, stop):
    chunk = b'{"a":"' + b"x" * (1 << 20)
    c.sendall(f"HTTP/1.1 200 OK\r\n{OK_HDRS}Content-Length: {64 << 20}\r\n\r\n".encode())
    for _ in range(64):
        c.sendall(chunk[: 1 << 20])


def _huge_headers(c, req, stop):
    c.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"h" * (4 << 20) + b"\r\n\r\n{}")


def _many_headers(c, req, stop):
    c.sendall(b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(20000))
              + b"Content-Length: 2\r\n\r\n{}")


def _bad_chunked(c, req, stop):
    c.sendall(f"HTTP/1.1 200 OK\r\n{OK_HDRS}Transfer-Encoding: chunked\r\n\r\n".encode()
              + b"zz-not-hex\r\n{}\r\n0\r\n\r\n")


def _http09(c, req, stop):
    c.sendall(b'{"imageIds": [], "failures": []}')


def _tls_bytes(c, req, stop):
    # a TLS 1.2 ServerHello record header and some of its body
    c.sendall(b"\x16\x03\x03\x00\x4a\x02\x00\x00\x46\x03\x03" + bytes(range(64)))


def _close_mid_body(c, req, stop):
    c.sendall(f"HTTP/1.1 200 OK\r\n{OK_HDRS}Content-Length: 1000\r\n\r\n".encode()
              + b'{"imageIds": [')


def _echo_secret(c, req, stop):
    auth = req.get("authorization", "")
    tok = req.get("x-amz-security-token", "")
    body = json.dumps({"imageIds": [{"imageTag": SECRET, "imageDigest": tok}],
                       "failures": [], SECRET: auth, "echo": f"{SECRET} {TOKEN} {auth}"})
    c.sendall(response(200, body, OK_HDRS + f"X-Echo: {SECRET} {TOKEN}\r\n"))


def _echo_secret_error(c, req, stop):
    body = json.dumps({"__type": "InvalidParameterException",
                       "message": f"bad signature {SECRET} {TOKEN} {req.get('authorization', '')}"})
    c.sendall(response(400, body, OK_HDRS + f"X-Amzn-ErrorType: {SECRET}\r\n", "Bad Request"))


def _echo_secret_encoded(c, req, stop):
    """The secret as a target might echo it without meaning to: json-c's
    escaped slash, every byte as \\u00XX, URL-encoded, and deep inside a long
    value (past where diff lines cut a value short)."""
    url = "".join(ch if ch.isalnum() else "%%%02X" % ord(ch) for ch in SECRET)
    uni = "".join("\\u%04x" % ord(ch) for ch in TOKEN)
    body = ('{"imageIds": [], "failures": [], "slash": "%s", "uni": "%s", "url": "%s", '
            '"long": "%s%s", "long_token": "%s%s"}'
            % (SECRET.replace("/", "\\/"), uni, url, "A" * 290, SECRET, "B" * 295, TOKEN))
    c.sendall(response(200, body, OK_HDRS + f"X-Echo: {url}\r\n"))


def _invalid_utf8(c, req, stop):
    c.sendall(response(200, b'{"imageIds": [{"imageTag": "\xff\xfe\xc0\xaf"}], "failures": []}'))


def _nul_bytes(c, req, stop):
    c.sendall(response(200, b'{"imageIds": [{"imageTag": "a\\u0000b"}], "failures": [\x00]}'))


def _deep_nesting(c, req, stop):
    c.sendall(response(200, b"[" * 200000 + b"]" * 200000))


def _big_numbers(c, req, stop):
    c.sendall(response(200, '{"imageIds": [], "failures": [], "n": 1e400, "m": 1' + "0" * 400
                       + "}"))


def _duplicate_keys(c, req, stop):
    c.sendall(response(200, '{"imageIds": [], "failures": [], "failures": []}'))


def _trailing_garbage(c, req, stop):
    c.sendall(response(200, '{"imageIds": [], "failures": []}<html>GARBAGE</html>'))


def _trailing_comment(c, req, stop):
    # json-c's lenient mode took a comment after the value as whitespace
    c.sendall(response(200, '{"imageIds": [], "failures": []}//<html>GARBAGE'))


def _lenient_json(c, req, stop):
    # valid for json-c's defaults, not JSON: trailing comma, single quotes, NaN
    c.sendall(response(200, "{'imageIds': [], \"failures\": [], \"n\": NaN,}"))


def _wrong_content_type(c, req, stop):
    c.sendall(response(200, "<html><body>Welcome to nginx!</body></html>",
                       "Content-Type: text/html\r\n"))


def _content_length_lie(c, req, stop):
    c.sendall(f"HTTP/1.1 200 OK\r\n{OK_HDRS}Content-Length: 104857600\r\n\r\n".encode()
              + b'{"imageIds": []}')


def _redirect_loop(c, req, stop):
    c.sendall(b"HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\r\n")


def _info_storm(c, req, stop):
    c.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" * 20000)


def _empty_reply(c, req, stop):
    pass


def _hang(c, req, stop):
    stop.wait(60)  # at most 60 s; the request timeout ends it first


def _reset(c, req, stop):
    import struct
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _bad_status_line(c, req, stop):
    c.sendall(b"HTTP/1.1 abc Weird\r\nContent-Length: 2\r\n\r\n{}")


def _status_999(c, req, stop):
    c.sendall(response(999, "{}", OK_HDRS, "Weird"))


def _negative_length(c, req, stop):
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n{}")


def _header_no_colon(c, req, stop):
    c.sendall(b"HTTP/1.1 200 OK\r\nthis is not a header\r\nContent-Length: 2\r\n\r\n{}")


def _throttle_forever(c, req, stop):
    c.sendall(response(400, '{"__type": "ThrottlingException", "message": "slow down"}',
                       OK_HDRS + "Retry-After: 999999\r\n", "Bad Request"))


def _server_error_html(c, req, stop):
    c.sendall(response(503, "<html>" + "x" * 100000 + "</html>", "Content-Type: text/html\r\n",
                       "Service Unavailable"))


def _many_values(c, req, stop):
    c.sendall(response(200, '{"imageIds": [], "failures": []}' * 1000))


def _control_bytes(c, req, stop):
    c.sendall(response(200, '{"imageIds": [], "failures": [], "x": "\\u001b]0;pwned\\u0007'
                       '\\u001b[2J"}', OK_HDRS + "X-Ctl: \x1b[31mred\r\n"))


def _gzip_lie(c, req, stop):
    c.sendall(response(200, '{"imageIds": [], "failures": []}',
                       OK_HDRS + "Content-Encoding: gzip\r\n"))


BEHAVIOURS = {name[1:]: fn for name, fn in globals().items()
              if name.startswith("_") and callable(fn) and not name.startswith("__")}


def read_request(c):
    """Reads one request (headers and a Content-Length body, both bounded);
    returns (method, lower-cased headers) or (None, {})."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < (1 << 20):
        part = c.recv(65536)
        if not part:
            return None, {}
        data += part
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    need = min(int(hdrs.get("content-length", "0") or 0), 16 << 20)
    while len(rest) < need:
        part = c.recv(65536)
        if not part:
            break
        rest += part
    return lines[0].split(" ")[0], hdrs


class HostileTarget:
    def __init__(self, behaviour):
        self.behaviour = BEHAVIOURS[behaviour]
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stopping = threading.Event()
        self.threads = []
        self.posts = 0

    def start(self):
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)
        return self

    def _accept(self):
        while not self.stopping.is_set():
            try:
                c, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            t = threading.Thread(target=self._serve, args=(c,), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, c):
        c.settimeout(10)
        try:
            for _ in range(100):  # keep-alive: bounded requests per connection
                method, hdrs = read_request(c)
                if method is None:
                    break
                if method != "POST":
                    c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    continue
                self.posts += 1
                self.behaviour(c, hdrs, self.stopping)
                break
        except OSError:
            pass
        finally:
            c.close()

    def stop(self):
        self.stopping.set()
        self.sock.close()
        for t in self.threads:
            t.join(timeout=2)
