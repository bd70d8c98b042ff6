# Lab stand-in for NVIDIA's DCGM exporter (the lab has no GPU and cannot reach
# nvcr.io). It runs where the real one runs, in the GPU node's network namespace,
# and serves the metric names of the real exporter's counters file (the very file
# the plan uploads), for the node's fake GPUs, so the path from the node through
# its tunnel to Prometheus, the alerts and the dashboards is the real one.
# Env: DCGM_EXPORTER_LISTEN (host:port), DCGM_EXPORTER_COLLECTORS (counters CSV),
#      GPU_IDS ("0 1"), NODE_NAME.
import http.server
import math
import os
import time

host, port = os.environ["DCGM_EXPORTER_LISTEN"].rsplit(":", 1)
gpus = os.environ["GPU_IDS"].split()
node = os.environ["NODE_NAME"]
counters = []
with open(os.environ["DCGM_EXPORTER_COLLECTORS"], encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if line and not line.startswith("#"):
            name, kind, help_text = [x.strip() for x in line.split(",", 2)]
            counters.append((name, kind, help_text))


def value(name, gpu):
    t = time.time()
    wave = (math.sin(t / 60 + gpu) + 1) / 2
    return {
        "DCGM_FI_DEV_GPU_TEMP": 40 + 5 * gpu + 10 * wave,
        "DCGM_FI_DEV_MEMORY_TEMP": 45 + 5 * gpu,
        "DCGM_FI_DEV_POWER_USAGE": 60 + 100 * wave,
        "DCGM_FI_DEV_GPU_UTIL": round(100 * wave),
        "DCGM_FI_DEV_MEM_COPY_UTIL": round(30 * wave),
        "DCGM_FI_DEV_FB_FREE": 16384 - round(8000 * wave),
        "DCGM_FI_DEV_FB_USED": round(8000 * wave),
        "DCGM_FI_DEV_SM_CLOCK": 1410,
        "DCGM_FI_DEV_XID_ERRORS": 0,
    }.get(name, 0)


class Metrics(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/metrics":
            self.send_error(404)
            return
        out = []
        for name, kind, help_text in counters:
            out.append(f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n")
            for g in gpus:
                labels = f'gpu="{g}",UUID="GPU-lab-{node}-{g}",device="nvidia{g}",modelName="Lab stand-in GPU",Hostname="{node}"'
                out.append(f"{name}{{{labels}}} {value(name, int(g))}\n")
        body = "".join(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer((host, int(port)), Metrics).serve_forever()
