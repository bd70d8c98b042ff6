// Runs bootstrap steps over real SSH, the way command.remote.Command does:
// the admin user, the controller through the bastion, the same command string.
import { ClusterPlan, renderSshConfig } from "../components/plan";
import { BootstrapStep, stepCommand, stepStdin } from "../components/steps";
import { run, RunOptions } from "./docker";
import { BASTION_WAN_IP } from "./labPlan";
import { ADMIN_KEY, SSH_CONFIG, writeSshConfig } from "./state";

/** remote.Command checks no host keys (the AMI's are replaced mid-bootstrap); nor does the lab's admin path. */
const LAB_SSH_OPTIONS = ["Host *", "    StrictHostKeyChecking no", "    UserKnownHostsFile /dev/null", "    LogLevel ERROR",
    "    ConnectTimeout 5", "    BatchMode yes", ""].join("\n");

export function writeLabSshConfig(p: ClusterPlan): void {
    writeSshConfig(`${renderSshConfig(p, BASTION_WAN_IP, ADMIN_KEY)}\n${LAB_SSH_OPTIONS}`);
}

export const sshHost = (p: ClusterPlan, host: "bastion" | "controller") => `${p.clusterName}-${host}`;

/** Runs a shell command on the bastion or the controller as admin. */
export function ssh(p: ClusterPlan, host: "bastion" | "controller", command: string, opts: RunOptions = {}): Promise<string> {
    return run(["ssh", "-F", SSH_CONFIG, sshHost(p, host), command], opts);
}

/** Runs one step; returns its report line "hpc-step <id>: changed=N unchanged=M". */
export async function runStep(p: ClusterPlan, step: BootstrapStep, values: Record<string, string>): Promise<string> {
    const out = await ssh(p, step.host, stepCommand(step), { input: stepStdin(step, values), timeoutMs: 15 * 60_000 });
    const report = out.trim().split("\n").filter((l) => l.startsWith(`hpc-step ${step.id}:`)).pop();
    if (!report) throw new Error(`step ${step.id} printed no report:\n${out.slice(-2000)}`);
    return report;
}

/** Waits until sshd on the host answers as admin (hosts boot systemd first). */
export async function waitForSsh(p: ClusterPlan, host: "bastion" | "controller", timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            await ssh(p, host, "true", { timeoutMs: 10_000 });
            return;
        } catch (e) {
            if (Date.now() > deadline) throw new Error(`${host}: ssh as admin did not work within ${timeoutMs / 1000}s: ${(e as Error).message}`);
            await new Promise((r) => setTimeout(r, 1000));
        }
    }
}
