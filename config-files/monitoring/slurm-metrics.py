#!/usr/bin/python3
# hpc-slurm-metrics: Slurm's state as Prometheus metrics for node exporter's
# textfile collector, under the names rivosinc/prometheus-slurm-exporter uses
# (so its dashboards work unchanged), plus three of our own (hpc_*, and the
# freshness stamp). Started by hpc-slurm-metrics.timer; writes the file whole
# (a temporary file renamed over the old one), so node exporter never serves half.
# On any failure it exits 1 and leaves the last file in place: its
# slurm_exporter_last_success_timestamp_seconds then ages, and SlurmMetricsStale fires.
#
#   hpc-slurm-metrics OUTPUT.prom
#   HPC_SLURM_FIXTURES=DIR hpc-slurm-metrics -   (tests: read nodes.json, jobs.json,
#       sdiag.json and dbd.txt from DIR instead of running scontrol, squeue, sdiag, sacctmgr)
import json
import os
import subprocess
import sys
import time

FIXTURES = os.environ.get("HPC_SLURM_FIXTURES")
MIB = 1024 * 1024
# Partitions always report these job states, 0 when empty: a dashboard of the queue
# shows an empty queue as 0, not as "no data" (rivosinc reports only states it saw).
QUEUE_STATES = ("PENDING", "RUNNING")


def command(fixture, argv, timeout=20):
    if FIXTURES:
        with open(os.path.join(FIXTURES, fixture), encoding="utf-8") as f:
            return f.read()
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=timeout).stdout


def number(v):
    """24.11's data_parser writes some numbers as {"set": true, "number": N}."""
    if isinstance(v, dict):
        return float(v.get("number", 0)) if v.get("set", True) and not v.get("infinite", False) else 0.0
    return float(v or 0)


def states(v):
    return [s.upper() for s in (v if isinstance(v, list) else str(v).replace("+", " ").split())]


def node_state(flags):
    """One state per node, as sinfo %T prints it: base state, drain folded in, * when not responding."""
    base, rest = (flags[0].lower(), set(flags[1:])) if flags else ("unknown", set())
    if base == "down":
        state = "down"
    elif "DRAIN" in rest:
        state = "draining" if base in ("allocated", "mixed") or "COMPLETING" in rest else "drained"
    elif "COMPLETING" in rest:
        state = "completing"
    else:
        state = base
    return state + ("*" if "NOT_RESPONDING" in rest and state != "down" else "")


def escape(v):
    return str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    def __init__(self):
        self.families = {}

    def add(self, name, help_text, value, **labels):
        family = self.families.setdefault(name, (help_text, {}))
        key = tuple(sorted(labels.items()))
        family[1][key] = family[1].get(key, 0.0) + float(value)

    def text(self):
        out = []
        for name in sorted(self.families):
            help_text, samples = self.families[name]
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} gauge")
            for key in sorted(samples):
                labels = ",".join(f'{k}="{escape(v)}"' for k, v in key)
                value = samples[key]
                shown = str(int(value)) if value.is_integer() else repr(value)
                out.append(f"{name}{{{labels}}} {shown}" if labels else f"{name} {shown}")
        return "\n".join(out) + "\n"


def collect():
    m = Metrics()
    nodes = json.loads(command("nodes.json", ["scontrol", "show", "nodes", "--json"])).get("nodes", [])
    partitions = set()
    m.add("slurm_cpus_total", "Total cpus", 0)
    m.add("slurm_cpus_idle", "Total idle cpus", 0)
    for n in nodes:
        cpus, alloc = number(n.get("cpus")), number(n.get("alloc_cpus"))
        idle = number(n.get("alloc_idle_cpus", cpus - alloc))
        real, alloc_mem = number(n.get("real_memory")) * MIB, number(n.get("alloc_memory")) * MIB
        state = node_state(states(n.get("state", [])))
        m.add("slurm_cpus_total", "Total cpus", cpus)
        m.add("slurm_cpus_idle", "Total idle cpus", idle)
        m.add("slurm_cpus_per_state", "Cpus per state i.e alloc, mixed, draining, etc.", cpus, state=state)
        m.add("slurm_node_count_per_state", "nodes per state", 1, state=state)
        m.add("slurm_mem_real", "Total real mem (bytes)", real)
        m.add("slurm_mem_alloc", "Total alloc mem (bytes)", alloc_mem)
        m.add("hpc_slurm_node_state", "hpc-stack: 1 for each node and its state (sinfo %T)", 1, node=n.get("name", "?"), state=state)
        for p in n.get("partitions", []) or []:
            partitions.add(p)
            m.add("slurm_partition_total_cpus", "Total cpus per partition", cpus, partition=p)
            m.add("slurm_partition_alloc_cpus", "Alloc cpus per partition", alloc, partition=p)
            m.add("slurm_partition_idle_cpus", "Idle cpus per partition", idle, partition=p)
            m.add("slurm_partition_real_mem", "Real mem per partition (bytes)", real, partition=p)
            m.add("slurm_partition_alloc_mem", "Alloc mem per partition (bytes)", alloc_mem, partition=p)

    jobs = json.loads(command("jobs.json", ["squeue", "--json"])).get("jobs", [])
    for p in partitions:
        for s in QUEUE_STATES:
            m.add("slurm_partition_job_state_total", "total jobs per partition per state", 0, partition=p, state=s)
    for j in jobs:
        st = states(j.get("job_state", ["UNKNOWN"]))
        m.add("slurm_partition_job_state_total", "total jobs per partition per state", 1,
              partition=j.get("partition", "?"), state=st[0] if st else "UNKNOWN")

    stats = json.loads(command("sdiag.json", ["sdiag", "--json"])).get("statistics", {})
    m.add("slurm_dbd_agent_queue_size", "slurmDbd queue size. Number of threads interacting with SlrumDBD. Will grow rapidly if DB is down or under stress",
          number(stats.get("dbd_agent_queue_size", 0)))
    m.add("slurm_daemon_thread_count", "slurm daemon thread count", number(stats.get("server_thread_count", 0)))

    # slurmdbd down is a metric, not a failure: sacctmgr fails when it cannot reach it.
    try:
        dbd = command("dbd.txt", ["sacctmgr", "-n", "-P", "list", "cluster", "format=cluster"], timeout=15)
        up = 0 if dbd.strip() == "fail" else 1
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        up = 0
    m.add("hpc_slurmdbd_up", "hpc-stack: 1 when sacctmgr reaches slurmdbd", up)
    m.add("slurm_exporter_last_success_timestamp_seconds", "hpc-stack: when the Slurm metrics were last collected whole", time.time())
    return m.text()


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: hpc-slurm-metrics OUTPUT.prom (or - for stdout)\n")
        return 2
    try:
        text = collect()
    except (OSError, ValueError, subprocess.SubprocessError) as e:
        sys.stderr.write(f"hpc-slurm-metrics: {e}\n")
        return 1
    if argv[1] == "-":
        sys.stdout.write(text)
        return 0
    tmp = f"{argv[1]}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
