"""Bounded and loud: a value longer than the field that holds it is a usage
error naming the variable or flag, never a silent cut (a cut session token
would only show up as "invalid token" at the target)."""
import http.server
import threading

from conftest import clean_env, run_cli

EXIT_USAGE = 2
TOKEN_MAX = 8191  # ECRC_SESSION_TOKEN_MAX - 1 (harness/core/include/ecrc.h)


def test_too_long_session_token_is_a_usage_error(ecrconform_bin, tmp_path):
    env = clean_env(AWS_SESSION_TOKEN="T" * (TOKEN_MAX + 1))
    p = run_cli("run", "--report-dir", tmp_path / "r", "cases", env=env)
    assert p.returncode == EXIT_USAGE, p.stdout + p.stderr
    assert f"AWS_SESSION_TOKEN is longer than {TOKEN_MAX} bytes" in p.stderr
    assert not (tmp_path / "r").exists()  # nothing ran
    p = run_cli("serve", env=env, timeout=30)
    assert p.returncode == EXIT_USAGE and "AWS_SESSION_TOKEN" in p.stderr


class TokenRecorder(http.server.BaseHTTPRequestHandler):
    """A fake target: no control interface, every API call refused; records
    the X-Amz-Security-Token of each call."""
    seen = []

    def do_GET(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        TokenRecorder.seen.append(self.headers.get("X-Amz-Security-Token"))
        data = b'{"__type":"UnrecognizedClientException","message":"no"}'
        self.send_response(400)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


def test_long_session_token_is_sent_whole(ecrconform_bin, tmp_path):
    token = "FwoGZXIvYXdz" + "t" * 6000  # longer than the old 4095-byte field
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TokenRecorder)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    TokenRecorder.seen = []
    try:
        p = run_cli("run", "--endpoint", f"http://127.0.0.1:{srv.server_address[1]}",
                    "--report-dir", tmp_path / "r", "--no-progress", "--timeout", "10",
                    "--jobs", "1", "--filter", "documentation-example*", "cases",
                    env=clean_env(AWS_SESSION_TOKEN=token))
    finally:
        srv.shutdown()
        srv.server_close()
    assert p.returncode != EXIT_USAGE, p.stderr
    assert TokenRecorder.seen, p.stdout + p.stderr
    assert all(t == token for t in TokenRecorder.seen)


def test_too_long_target_label_and_endpoint_are_usage_errors(ecrconform_bin, tmp_path):
    p = run_cli("run", "--target", "x" * 128, "--report-dir", tmp_path, "cases")
    assert p.returncode == EXIT_USAGE and "--target" in p.stderr, p.stderr
    assert "longer than 127 bytes" in p.stderr
    p = run_cli("run", "--endpoint", "http://127.0.0.1:9/" + "a" * 600, "--report-dir",
                tmp_path, "cases")
    assert p.returncode == EXIT_USAGE and "--endpoint" in p.stderr, p.stderr
    assert "longer than 511 bytes" in p.stderr
    # A host:port too long for the default label: give --target. (Not loopback, so a live
    # registry: --allow-live gets past the gate, docs/LIVE.md; the label check still comes
    # before anything is sent.)
    p = run_cli("run", "--endpoint", "http://" + "h" * 200 + ":9", "--allow-live",
                "--report-dir", tmp_path, "cases")
    assert p.returncode == EXIT_USAGE and "--target" in p.stderr, p.stderr
