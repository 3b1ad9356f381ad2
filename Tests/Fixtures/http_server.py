#!/usr/bin/env python3
"""A test HTTP server on 127.0.0.1 for `ae-filter data fetch`.

Serves files from a directory with Range support, and can misbehave:
--cut-after N   the first response for each file stops after N body bytes
--corrupt NAME  NAME is served with its first byte flipped
--no-range      ignore Range headers (always 200 with the whole file)
--log FILE      append "NAME RANGE" for each request
Prints the port, then serves until --lifetime seconds have passed.
"""
import argparse, http.server, os, socketserver, sys, threading

p = argparse.ArgumentParser()
p.add_argument("directory")
p.add_argument("--cut-after", type=int, default=0)
p.add_argument("--corrupt", default="")
p.add_argument("--no-range", action="store_true")
p.add_argument("--lifetime", type=float, default=120)
p.add_argument("--log", default="")
args = p.parse_args()
served = set()

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        name = os.path.basename(self.path)
        path = os.path.join(args.directory, name)
        if not os.path.isfile(path):
            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers(); return
        data = open(path, "rb").read()
        if name == args.corrupt:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        start = 0
        rng = self.headers.get("Range")
        if args.log:
            with open(args.log, "a") as f:
                f.write(f"{name} {rng or '-'}\n")
        if rng and not args.no_range and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416); self.send_header("Content-Length", "0"); self.end_headers(); return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if args.cut_after and name not in served:
            served.add(name)
            self.wfile.write(body[: args.cut_after])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(body)

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(args.lifetime, server.shutdown).start()
server.serve_forever()
