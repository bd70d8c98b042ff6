// `npm run lab -- up | status | down`: the cluster of the plan, on one Docker engine.
import * as path from "path";
import { NODE_LABEL } from "../components/plan/compute";
import { ClusterPlan, monitoringEndpoints } from "../components/plan/plan";
import { contentHash } from "../components/plan/steps";
import { computeSpecHash, createCompute } from "./compute";
import { createStandin, standinName, standinSpecHash } from "./dcgmStandin";
import { docker, dockerAvailable, exists, run } from "./docker";
import { ensureImages } from "./images";
import { bastionVpcIp, containerName, LAB_LABEL, labNetworks, NETWORKS, SPEC_LABEL } from "./labPlan";
import { runStepLogged, ssh, sshHost, waitForSsh, writeLabSshConfig } from "./ssh";
import { generatedValues, removeState, SSH_CONFIG } from "./state";
import { GraphOptions, offset, runGraph, StepSpan } from "./stepGraph";

type Log = (s: string) => void;

/** Prints each phase with its elapsed time, so a slow step is visible as it happens. */
export async function phase<T>(name: string, log: Log, f: () => Promise<T>): Promise<T> {
    const t = Date.now();
    log(`==> ${name}`);
    const r = await f();
    log(`    ${name}: ${((Date.now() - t) / 1000).toFixed(1)}s`);
    return r;
}

/** Checks root, Docker and ssh; with setup, installs and starts what is missing (apt, dockerd). */
export async function preflight(setup = false): Promise<void> {
    if (process.getuid && process.getuid() !== 0) {
        throw new Error("the lab needs root (it runs dockerd containers with SYS_ADMIN and publishes ports): run it as root");
    }
    if (!(await dockerAvailable())) {
        if (!setup) throw new Error("no Docker engine answers `docker info` (npm run lab -- up installs one, or: bash lab/setup-host.sh)");
        // A fresh Debian machine: install the engine and debootstrap, start dockerd.
        await run(["bash", path.join(__dirname, "setup-host.sh")], { stream: true }).catch((e: Error) => {
            throw new Error(`no Docker engine answers \`docker info\`, and setting one up failed: ${e.message}`);
        });
    }
    for (const tool of ["ssh", "ssh-keygen"]) {
        await run(["sh", "-c", `command -v ${tool}`]).catch(() => { throw new Error(`${tool} is missing: apt-get install openssh-client`); });
    }
}

async function ensureNetworks(p: ClusterPlan, log: Log): Promise<void> {
    for (const n of labNetworks(p)) {
        if (await exists("network", n.name)) continue;
        await docker(["network", "create", "--label", `${LAB_LABEL}=1`, "--subnet", n.subnet, n.name]);
        log(`created network ${n.name} ${n.subnet}`);
    }
}

/** The home volume: a local one (the lab's kernel has no NFS client for a site export). */
async function ensureHomeVolume(p: ClusterPlan, log: Log): Promise<void> {
    if (p.home.volume.nfs) throw new Error(`homeNfsExport ${p.home.volume.nfs.export}: the lab's kernel has no NFS client; leave it empty in the lab`);
    if (await exists("volume", p.home.volume.name)) return;
    await docker(["volume", "create", "--label", `${LAB_LABEL}=1`, p.home.volume.name]);
    log(`created volume ${p.home.volume.name} (/home)`);
}

/**
 * Starts container `name` if it was created from this very spec (its hash rides on a
 * label); otherwise removes it and creates it anew, as Pulumi replaces a container
 * whose image or inputs changed. Without this, `up` after an edit to the compute
 * image or a step would leave the old container running.
 */
async function converge(name: string, specHash: string, log: Log, create: (labels: string[]) => Promise<void>,
    retire: () => Promise<void> = async () => undefined): Promise<void> {
    const had = await docker(["inspect", "-f", `{{index .Config.Labels "${SPEC_LABEL}"}}`, name]).then((s) => s.trim(), () => undefined);
    if (had === specHash) {
        await docker(["start", name]);
        return;
    }
    if (had !== undefined) {
        log(`replacing ${name}: its image or spec changed (${had || "unlabelled"} -> ${specHash})`);
        await retire();
        await docker(["rm", "-f", name]);
    }
    await create([`${SPEC_LABEL}=${specHash}`]);
    log(`started ${name}`);
}

/**
 * Takes a node out before its container goes, as an admin would: DOWN, so slurmctld
 * sends it nothing until the new slurmd registers (ReturnToService=2 then returns it),
 * and a clean stop, so its tunnel session ends and frees the node's ports on the
 * controller at once instead of after sshd's ClientAlive timeout.
 */
async function retireCompute(p: ClusterPlan, node: string): Promise<void> {
    await ssh(p, "controller", `sudo scontrol update nodename=${node} state=down reason="replaced by lab up"`).catch(() => undefined);
    await docker(["stop", "-t", "10", containerName(node)]);
}

/** The EC2 stand-in: the platform's Debian with systemd, user admin, key-only sshd; nothing else. */
async function ensureHost(role: "bastion" | "controller", image: string, ips: { network: string; ip: string }[], adminKey: string, log: Log,
    extra: string[] = []): Promise<void> {
    const name = containerName(role);
    const [first, ...rest] = ips;
    const args = ["--name", name, "--hostname", role, "--label", `${LAB_LABEL}=1`,
        "--network", first.network, "--ip", first.ip,
        "--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined",
        "--tmpfs", "/run", "--tmpfs", "/run/lock", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro",
        "-e", `ADMIN_AUTHORIZED_KEYS=${adminKey}`, ...extra];
    await converge(name, contentHash([...args, image].join("\0"), rest.map((r) => [r.network, r.ip])), log, async (labels) => {
        await docker(["create", ...args, ...labels.flatMap((l) => ["--label", l]), image]);
        for (const r of rest) await docker(["network", "connect", "--ip", r.ip, r.network, name]);
        await docker(["start", name]);
    });
}

async function waitForNodes(p: ClusterPlan, log: Log, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
        const out = await ssh(p, "controller", "sinfo -h -N -o '%N %T' | sort -u").catch((e: Error) => e.message);
        const states = new Map(out.trim().split("\n").map((l) => l.trim().split(/\s+/) as [string, string]));
        if (p.nodes.every((n) => /^(idle|mixed|allocated)/.test(states.get(n.name) ?? ""))) return;
        if (out !== last) { log(`    sinfo: ${out.trim().replace(/\n/g, "; ")}`); last = out; }
        if (Date.now() > deadline) throw new Error(`nodes not IDLE after ${timeoutMs / 1000}s: ${out.trim()}`);
        await new Promise((r) => setTimeout(r, 2000));
    }
}

/**
 * Runs `srun hostname` on a node until it answers. slurmctld can still call a node
 * idle that a replaced container or restarted slurmd has just left, and a launch
 * then is reset; the next one, seconds later, goes through the new tunnel.
 */
async function jobRunsOn(p: ClusterPlan, node: string, log: Log, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const out = await ssh(p, "controller", `timeout 90 srun -N1 -w ${node} hostname`, { timeoutMs: 120_000 })
            .then((o) => o.trim(), (e: Error) => e.message.split("\n").slice(-2).join(" "));
        if (out === node) {
            log(`    ${node}: ok`);
            return;
        }
        if (Date.now() > deadline) throw new Error(`srun on ${node} did not run within ${timeoutMs / 1000}s; last: ${out}`);
        log(`    ${node}: not yet (${out.slice(0, 160)}); retrying`);
        await new Promise((r) => setTimeout(r, 3000));
    }
}

/**
 * How up runs: the bootstrap's parallelism and failure mode (as `pulumi up --parallel N
 * --continue-on-error`). The bench's direct baseline (bench/direct.ts) alone sets the
 * rest: controllerOnPrem, the controller's address on the on-premises network, and
 * nodeAddresses, each node's fixed address there.
 */
export interface UpOptions extends GraphOptions { controllerOnPrem?: string; nodeAddresses?: Record<string, string> }

/** What up did: each step's report line, each step's span, and the steps that installed packages. */
export interface UpResult { reports: Record<string, string>; spans: StepSpan[]; installed: string[] }

/** One failed step per paragraph, as `pulumi up` lists its diagnostics. */
function failuresMessage(r: Awaited<ReturnType<typeof runGraph>>): string {
    const failed = r.failures.map((f) => `  ${f.id}: ${f.error.trim().split("\n").slice(-12).join("\n    ")}`);
    const notRun = r.notRun.length ? `\nnot run: ${r.notRun.join(", ")}` : "";
    return `${r.failures.length} bootstrap step(s) failed; a second up retries them:\n${failed.join("\n")}${notRun}`;
}

export async function up(p: ClusterPlan, log: Log = console.log, setup = false, opts: UpOptions = {}): Promise<UpResult> {
    await phase("preflight", log, () => preflight(setup));
    const images = await phase("images", log, () => ensureImages(p, log));
    const values = await phase("generated values (.lab-state/)", log, () => generatedValues(p));
    writeLabSshConfig(p, values.knownHosts);
    await phase("networks", log, () => ensureNetworks(p, log));
    await phase("bastion and controller (EC2 stand-ins)", log, async () => {
        await ensureHost("bastion", images.host, [
            { network: NETWORKS.vpc.name, ip: bastionVpcIp(p) },
            { network: NETWORKS.wan.name, ip: values.bastionAddress },
        ], values.adminPublicKey, log);
        // /dev/fuse: the controller mounts the users' homes with sshfs (an EC2 VM has it).
        await ensureHost("controller", images.host, [
            { network: NETWORKS.vpc.name, ip: p.controller.privateIp },
            ...(opts.controllerOnPrem ? [{ network: NETWORKS.onprem.name, ip: opts.controllerOnPrem }] : []),
        ], values.adminPublicKey, log, ["--device", "/dev/fuse"]);
        await waitForSsh(p, "bastion");
        await waitForSsh(p, "controller");
    });
    const installed: string[] = [];
    const graph = await phase(`bootstrap over ssh (the plan's steps, ${opts.parallel ? `at most ${opts.parallel}` : "all"} at once)`, log, async () => {
        const r = await runGraph(p.steps, async (step) => {
            const run = await runStepLogged(p, step, values);
            if (run.output.includes(`[${step.id}] changed: installed `)) installed.push(step.id);
            return run.report;
        }, opts, (e) => {
            if (e.kind === "start") log(`    [${offset(e.atMs)}] start ${e.id}`);
            else if (e.ok) log(`    [${offset(e.atMs)}] end   ${e.report}`);
            else log(`    [${offset(e.atMs)}] FAILED ${e.id}: ${e.error.trim().split("\n").slice(-3).join(" | ")}`);
        });
        if (r.failures.length) throw new Error(failuresMessage(r));
        return r;
    });
    await phase("home server (SFTP, its own tunnel)", log, async () => {
        await ensureHomeVolume(p, log);
        await converge(containerName(p.homeServer.node), computeSpecHash(p.homeServer, images.compute, values), log,
            (labels) => createCompute(p.homeServer, images.compute, values, labels),
            // A clean stop ends its tunnel session, freeing its port on the controller at once.
            async () => { await docker(["stop", "-t", "10", containerName(p.homeServer.node)]); });
    });
    await phase("compute containers", log, async () => {
        // As pulumi up deletes the container of a node removed from the config.
        const running = (await docker(["ps", "-a", "--filter", `label=${LAB_LABEL}=1`, "--filter", `label=${NODE_LABEL}`,
            "--format", `{{.Label "${NODE_LABEL}"}}`])).trim().split("\n").filter(Boolean);
        for (const node of running.filter((n) => !p.nodes.some((x) => x.name === n))) {
            log(`removing ${containerName(node)}: ${node} is no longer in the plan`);
            await retireCompute(p, node);
            await docker(["rm", "-f", containerName(node)]);
        }
        for (const spec of p.containers) {
            const address = opts.nodeAddresses?.[spec.node];
            await converge(containerName(spec.node), computeSpecHash(spec, images.compute, values, address), log,
                (labels) => createCompute(spec, images.compute, values, labels, address), () => retireCompute(p, spec.node));
        }
        // The DCGM exporter's stand-in, in its GPU node's network namespace (lab/dcgmStandin.ts).
        const standins = new Set(p.dcgmExporters.map(standinName));
        const stale = (await docker(["ps", "-a", "--filter", `label=${LAB_LABEL}=1`, "--format", "{{.Names}}"])).trim().split("\n")
            .filter((n) => n.endsWith("-dcgm-standin") && !standins.has(n));
        if (stale.length) await docker(["rm", "-f", ...stale]);
        for (const spec of p.dcgmExporters) {
            const nodeId = (await docker(["inspect", "-f", "{{.Id}}", containerName(spec.node)])).trim();
            await converge(standinName(spec), standinSpecHash(spec, images.compute, nodeId), log,
                (labels) => createStandin(spec, images.compute, labels));
        }
    });
    await phase("nodes IDLE", log, () => waitForNodes(p, log));
    // A node can look idle while slurmctld cannot reach it back: only a real job proves the path.
    await phase("a job on every node (srun through the tunnels)", log, async () => {
        for (const n of p.nodes) await jobRunsOn(p, n.name, log);
    });
    const e = monitoringEndpoints(p, sshHost(p, "controller"), `-F ${SSH_CONFIG}`);
    log(`\nThe lab is up. Try:\n  ssh -F ${SSH_CONFIG} ${p.clusterName}-controller sinfo\n  npm run lab -- ssh controller`);
    log(`Prometheus:   ${e.prometheus.url}  after: ${e.prometheus.command}`);
    log(`Alertmanager: ${e.alertmanager.url}  after: ${e.alertmanager.command}`);
    return { reports: graph.reports, spans: graph.spans, installed };
}

export async function status(p: ClusterPlan, log: Log = console.log): Promise<void> {
    const ours = ["--filter", `label=${LAB_LABEL}=1`];
    if (!(await docker(["ps", "-aq", ...ours])).trim()) {
        log(`The lab is not running (no container labelled ${LAB_LABEL}=1). Start it with: npm run lab -- up`);
        return;
    }
    log(await docker(["ps", "-a", ...ours, "--format", "table {{.Names}}\t{{.Status}}\t{{.Ports}}"]));
    if (await exists("container", containerName("controller"))) {
        log(await ssh(p, "controller", "sinfo; echo; squeue").catch((e: Error) => `controller: ${e.message}`));
    }
}

/** Removes exactly what the lab created: its labelled containers and networks, and .lab-state/. Images stay as cache. */
export async function down(log: Log = console.log): Promise<void> {
    const ids = (await docker(["ps", "-aq", "--filter", `label=${LAB_LABEL}=1`])).trim().split("\n").filter(Boolean);
    if (ids.length) await docker(["rm", "-f", "-v", ...ids]);
    const nets = (await docker(["network", "ls", "-q", "--filter", `label=${LAB_LABEL}=1`])).trim().split("\n").filter(Boolean);
    if (nets.length) await docker(["network", "rm", ...nets]);
    // The home volume goes too: the lab's users' files are test data.
    const vols = (await docker(["volume", "ls", "-q", "--filter", `label=${LAB_LABEL}=1`])).trim().split("\n").filter(Boolean);
    if (vols.length) await docker(["volume", "rm", ...vols]);
    removeState();
    log(`removed ${ids.length} containers, ${nets.length} networks and ${vols.length} volumes`);
}
