// The bench's scale figures: a lab of N nodes on one engine, what each tunnel
// costs the bastion's and the controller's sshd, and how fast N tunnels come back.
import { ClusterPlan } from "../components/plan/plan";
import { TUNNEL_USER } from "../components/plan/tunnels";
import { docker } from "../lab/docker";
import { containerName, labPlan } from "../lab/labPlan";
import { ssh } from "../lab/ssh";
import { StepHost } from "../components/plan/steps";

/** Memory a scale node declares: enough for trivial jobs; the lab's nodes are many on one machine. */
export const SCALE_NODE = { cpus: 2, memoryMb: 512 } as const;

/** The lab's stack with n CPU nodes of SCALE_NODE's size (no GPU: the scale is the tunnels'). */
export function scalePlan(n: number): ClusterPlan {
    if (!Number.isInteger(n) || n < 1) throw new Error(`--nodes ${n}: give a whole number of nodes, 1 or more`);
    return labPlan({ computeNodes: Array.from({ length: n }, (_, i) => ({ name: `compute${i + 1}`, ...SCALE_NODE })) });
}

/**
 * Memory of the tunnels' sshd sessions on a host: each tunnel is one connection of
 * TUNNEL_USER, served by a privileged monitor and an unprivileged child (OpenSSH's
 * sshd-session). RSS counts pages the sessions share with each other once per process;
 * PSS splits them, so PSS per tunnel is what one more tunnel costs.
 */
export async function sshdPerTunnel(p: ClusterPlan, host: StepHost): Promise<{ host: StepHost; sessions: number; rssKbPerTunnel: number; pssKbPerTunnel: number }> {
    const out = await ssh(p, host, "bash -s", {
        input: [
            `for pid in $(pgrep -f '^sshd-session: ${TUNNEL_USER}'); do`,
            "  rss=$(sudo awk '/^Rss:/{print $2}' /proc/$pid/smaps_rollup 2>/dev/null) || continue",
            "  pss=$(sudo awk '/^Pss:/{print $2}' /proc/$pid/smaps_rollup 2>/dev/null) || continue",
            "  echo \"$rss $pss $(tr '\\0' ' ' </proc/$pid/cmdline)\"",
            "done",
        ].join("\n"),
    });
    const rows = out.trim().split("\n").filter(Boolean).map((l) => l.split(" "));
    // One connection: its monitor ("[priv]") and its child.
    const sessions = rows.filter((r) => r.includes("[priv]")).length;
    if (!sessions) throw new Error(`no ${TUNNEL_USER} sshd session on the ${host}: ${out.trim() || "none"}`);
    const sum = (i: number) => rows.reduce((a, r) => a + Number(r[i]), 0);
    return { host, sessions, rssKbPerTunnel: Math.round(sum(0) / sessions), pssKbPerTunnel: Math.round(sum(1) / sessions) };
}

/** A command on a host itself (docker exec): the bench's ssh goes through the bastion it restarts. */
const onHost = (host: StepHost, cmd: string) => docker(["exec", containerName(host), "bash", "-c", cmd]);
const onController = (cmd: string) => onHost("controller", cmd);

/** Polls every 0.5 s until ok() holds: seconds since t0. */
async function untilTrue(what: string, ok: () => Promise<boolean>, t0: number, timeoutMs: number): Promise<number> {
    while (!(await ok().catch(() => false))) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 500));
    }
    return Math.round((Date.now() - t0) / 100) / 10;
}

/**
 * The bastion restarted under N tunnels: seconds until a step runs on every node, then
 * until sinfo shows every node idle (that step's completion included), and how many
 * connections sshd dropped past MaxStartups meanwhile ("drop connection", "MaxStartups").
 */
export async function bastionRestart(p: ClusterPlan, timeoutMs = 180_000): Promise<{ nodes: number; stepOnAllS: number; allIdleS: number; maxStartupsDrops: Record<string, number> }> {
    const since = (await onController("date +'%Y-%m-%d %H:%M:%S'")).trim();
    const t0 = Date.now();
    await docker(["restart", containerName("bastion")]);
    const all = p.nodes.map((n) => n.name).join(",");
    const stepOnAllS = await untilTrue("a step on every node", async () =>
        (await onController(`timeout 20 srun -N${p.nodes.length} -w ${all} hostname | sort -u | wc -l`)).trim() === String(p.nodes.length), t0, timeoutMs);
    const allIdleS = await untilTrue("every node idle", async () =>
        (await onController("sinfo -h -N -o %T | sort -u | xargs")).trim() === "idle", t0, timeoutMs);
    const drops: Record<string, number> = {};
    for (const host of ["bastion", "controller"] as const) {
        drops[host] = Number((await onHost(host, `journalctl -u ssh --since '${since}' --no-pager | grep -ciE 'MaxStartups|drop connection' || true`)).trim());
    }
    return { nodes: p.nodes.length, stepOnAllS, allIdleS, maxStartupsDrops: drops };
}
