"""A static file server for the update tests, on loopback, with faults.

Serves a folder like any static HTTP server (GET, HEAD, single byte ranges
"bytes=N-" answered 206) and, per file path, misbehaves on request:
  "500"       HTTP 500 for that file
  "truncate"  announces the full length, sends half, closes the connection
  "corrupt"   flips one byte in the middle
  "stall"     sends half, then nothing for `stall_seconds`
  "slow"      sends 512-byte pieces 20 ms apart
Every request's path and Range header are logged for the tests to check
resumption. Standard library only.
"""
import http.server
import os
import threading
import time


class BundleServer:
    def __init__(self, root):
        self.root = root
        self.faults = {}  # "/v2/model.tflite" -> mode
        self.requests = []  # (path, range header or None)
        self.stall_seconds = 30
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                self.serve(head=True)

            def do_GET(self):
                self.serve(head=False)

            def serve(self, head):
                path = self.path.split("?")[0]
                server.requests.append((path, self.headers.get("Range")))
                mode = server.faults.get(path)
                local = os.path.join(server.root, path.lstrip("/"))
                if mode == "500":
                    self.send_error(500, "injected failure")
                    return
                if ".." in path or not os.path.isfile(local):
                    self.send_error(404)
                    return
                with open(local, "rb") as f:
                    data = bytearray(f.read())
                if mode == "corrupt":
                    data[len(data) // 2] ^= 0x5A
                start = 0
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes=") and rng.endswith("-"):
                    start = int(rng[len("bytes="):-1])
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                body = bytes(data[start:])
                self.send_response(206 if start else 200)
                if start:
                    self.send_header("Content-Range",
                                     f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                if head:
                    return
                if mode == "truncate":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if mode == "stall":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    time.sleep(server.stall_seconds)
                    self.close_connection = True
                    return
                if mode == "slow":
                    for i in range(0, len(body), 512):
                        self.wfile.write(body[i:i + 512])
                        self.wfile.flush()
                        time.sleep(0.02)
                    return
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
