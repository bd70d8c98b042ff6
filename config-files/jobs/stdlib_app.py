#!/usr/bin/env python3
"""A web app with nothing but Python's standard library, run by run_stdlib_app.sh.

The stand-in for app.py where Streamlit is not installed: the same job, port and
ssh tunnel, so it shows that the way from a job to your laptop works.
Usage: python3 stdlib_app.py PORT
"""
import html
import os
import pwd
import random
import socket
import statistics
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = socket.gethostname()
USER = pwd.getpwuid(os.getuid()).pw_name
JOB = os.environ.get("SLURM_JOB_ID", "-")


def page() -> bytes:
    rng = random.Random(42)
    values = [rng.gauss(21.0, 2.5) for _ in range(1000)]
    rows = f"<tr><td>count</td><td>{len(values)}</td></tr>" + "".join(
        f"<tr><td>{name}</td><td>{value:.3f}</td></tr>"
        for name, value in [
            ("mean", statistics.fmean(values)),
            ("stdev", statistics.stdev(values)),
            ("min", min(values)),
            ("max", max(values)),
        ]
    )
    e = html.escape
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>hpc-stack app</title></head>
<body>
<h1>hpc-stack app on {e(HOST)} for {e(USER)}</h1>
<p>Slurm job {e(JOB)}</p>
<table><caption>1000 seeded temperature readings</caption>{rows}</table>
</body></html>
""".encode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path not in ("/", "/index.html"):
            self.send_error(404)
            return
        body = page()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: stdlib_app.py PORT")
    # 127.0.0.1 only: the tunnel reaches it, the network does not.
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print(f"serving on http://127.0.0.1:{sys.argv[1]}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
