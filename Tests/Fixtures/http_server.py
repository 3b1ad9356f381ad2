#!/usr/bin/env python3
"""A test HTTP(S) server on 127.0.0.1 for `ae-filter data fetch`.

Serves files from a directory with Range support, and can misbehave:
--cut-after N   the first response for each file stops after N body bytes
--corrupt NAME  NAME is served with its first byte flipped
--no-range      ignore Range headers (always 200 with the whole file)
--chunked       send bodies with Transfer-Encoding: chunked
--slow N        send N body bytes every 0.1 s
--endless       after the body, send junk until the client hangs up, or 64 MiB (no Content-Length)
--tls CERT KEY  serve HTTPS with this certificate and key (PEM)
--log FILE      append "NAME RANGE" for each request ("redirect PATH" for redirects)
Paths under /moved/ are redirected (301) to the same name at the root;
paths under /loop/ redirect to themselves.
Prints the port, then serves until --lifetime seconds have passed.
"""
import argparse, http.server, os, socketserver, ssl, sys, threading, time

p = argparse.ArgumentParser()
p.add_argument("directory")
p.add_argument("--cut-after", type=int, default=0)
p.add_argument("--corrupt", default="")
p.add_argument("--no-range", action="store_true")
p.add_argument("--chunked", action="store_true")
p.add_argument("--slow", type=int, default=0)
p.add_argument("--endless", action="store_true")
p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
p.add_argument("--lifetime", type=float, default=120)
p.add_argument("--log", default="")
args = p.parse_args()
served = set()


def log(line):
    if args.log:
        with open(args.log, "a") as f:
            f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        for prefix, status in (("/moved/", 301), ("/loop/", 302)):
            if self.path.startswith(prefix):
                log(f"redirect {self.path}")
                self.send_response(status)
                self.send_header("Location", self.path if status == 302 else "/" + self.path[len(prefix):])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        name = os.path.basename(self.path)
        path = os.path.join(args.directory, name)
        if not os.path.isfile(path):
            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers(); return
        data = open(path, "rb").read()
        if name == args.corrupt:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        start = 0
        rng = self.headers.get("Range")
        log(f"{name} {rng or '-'}")
        if rng and not args.no_range and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416); self.send_header("Content-Length", "0"); self.end_headers(); return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        if args.cut_after and name not in served:
            served.add(name)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: args.cut_after])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        if args.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 1000):
                piece = body[i : i + 1000]
                self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        if not args.endless:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            step = args.slow or len(body) or 1
            for i in range(0, len(body), step):
                self.wfile.write(body[i : i + step])
                if args.slow:
                    self.wfile.flush()
                    time.sleep(0.1)
            for _ in range(1024 if args.endless else 0):
                self.wfile.write(b"junk" * 16384)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
if args.chunked:
    Handler.protocol_version = "HTTP/1.1"
if args.tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*args.tls)
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
threading.Timer(args.lifetime, server.shutdown).start()
server.serve_forever()
