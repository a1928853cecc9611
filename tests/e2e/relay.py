"""A small TCP relay for the end-to-end tests: listens on 127.0.0.1 port 0,
optionally terminates TLS (a test-made certificate), forwards every
connection to an upstream port and records what the client sent (with `delay`,
each chunk the client sends waits that many seconds first: a slow network). With
`reply`, it answers every connection itself instead (a stand-in proxy that
only has to prove it was, or was not, used).

Everything is bounded: socket timeouts, a stop flag checked between accepts,
joins with a timeout.
"""
import socket
import ssl
import threading
import time


class Relay:
    def __init__(self, upstream_port=None, tls_context=None, reply=None, delay=0.0):
        self.upstream_port, self.tls, self.reply = upstream_port, tls_context, reply
        self.delay = delay
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"{'https' if tls_context else 'http'}://127.0.0.1:{self.port}"
        self.seen = bytearray()
        self.connections = 0
        self.tls_failures = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self._accepter = threading.Thread(target=self._accept_loop, daemon=True)
        self._accepter.start()

    def text(self):
        with self._lock:
            return bytes(self.seen).decode("latin-1")

    def _record(self, data):
        with self._lock:
            if len(self.seen) < 16 * 1024 * 1024:
                self.seen += data

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn):
        conn.settimeout(10)
        try:
            if self.tls:
                try:
                    conn = self.tls.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError):
                    with self._lock:
                        self.tls_failures += 1
                    conn.close()
                    return
            if self.reply is not None:
                head = b""
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                self._record(head)
                conn.sendall(self.reply)
                return
            up = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10)
            t = threading.Thread(target=self._pump, args=(up, conn, False), daemon=True)
            t.start()
            self._pump(conn, up, True)
            t.join(timeout=15)
            up.close()
        except OSError:
            pass
        finally:
            conn.close()

    def _pump(self, src, dst, record):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if record:
                    self._record(data)
                    if self.delay:
                        time.sleep(self.delay)
                dst.sendall(data)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def stop(self):
        self._stop.set()
        self.sock.close()
        self._accepter.join(timeout=5)
        for t in self._threads:
            t.join(timeout=5)
