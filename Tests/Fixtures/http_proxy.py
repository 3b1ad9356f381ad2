#!/usr/bin/env python3
"""A test HTTP proxy on 127.0.0.1: tunnels CONNECT (for https://) and
forwards GET with an absolute URL (for http://). Appends each request line,
"CONNECT host:port" or "GET http://...", to --log FILE. Prints the port,
then serves until --lifetime seconds have passed.
"""
import argparse, select, socket, socketserver, threading, urllib.parse

p = argparse.ArgumentParser()
p.add_argument("--log", required=True)
p.add_argument("--lifetime", type=float, default=120)
args = p.parse_args()


def pipe(a, b):
    sockets = [a, b]
    while True:
        ready, _, _ = select.select(sockets, [], [], 30)
        if not ready:
            return
        for s in ready:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        client = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            data = client.recv(65536)
            if not data:
                return
            head += data
        line, rest = head.split(b"\r\n", 1)
        method, target, version = line.decode("latin-1").split(" ")
        with open(args.log, "a") as f:
            f.write(f"{method} {target}\n")
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host.strip("[]"), int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            extra = head.split(b"\r\n\r\n", 1)[1]
            if extra:
                upstream.sendall(extra)
        else:
            url = urllib.parse.urlsplit(target)
            upstream = socket.create_connection((url.hostname, url.port or 80))
            path = (url.path or "/") + ("?" + url.query if url.query else "")
            upstream.sendall(f"{method} {path} {version}\r\n".encode("latin-1") + rest)
        try:
            pipe(client, upstream)
        finally:
            upstream.close()


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(args.lifetime, server.shutdown).start()
server.serve_forever()
