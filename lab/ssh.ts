// Runs bootstrap steps over real SSH, the way command.remote.Command does:
// the admin user, the controller through the bastion, the same command string,
// and a host's key checked once the step installing it has run (pinnedHosts).
import { loginUsers } from "../components/plan/users";
import { ClusterPlan, renderSshConfig, userSshHosts } from "../components/plan/plan";
import { BootstrapStep, DIAL_ERROR_LIMIT, pinnedHosts, stepCommand, StepHost, stepStdin } from "../components/plan/steps";
import { run, RunOptions } from "./docker";
import { BASTION_WAN_IP } from "./labPlan";
import { ADMIN_KEY, KNOWN_HOSTS, SSH_CONFIG, sshConfigPath, writeStateFile } from "./state";
import { labUserKeyFile } from "./userKeys";

const HOSTS: StepHost[] = ["bastion", "controller"];
/** Hosts not pinned are not checked: before their key step they still have their first-boot key. */
const UNPINNED = ["Host *", "    StrictHostKeyChecking no", "    UserKnownHostsFile /dev/null", "    LogLevel ERROR",
    "    ConnectTimeout 5", "    BatchMode yes", ""].join("\n");

export const sshHost = (p: ClusterPlan, host: StepHost) => `${p.clusterName}-${host}`;

/** The stack's sshConfig output for the lab, checking the pinned hosts against knownHostsFile. */
export function labSshConfig(p: ClusterPlan, pinned: StepHost[], knownHostsFile = KNOWN_HOSTS): string {
    // ssh takes the first value it reads for each keyword, so these precede Host *.
    // A pinned host is checked under each of its names: the admin's and every user's.
    const names = (h: StepHost) => [sshHost(p, h), ...loginUsers(p).map((u) => userSshHosts(p, u.name)[h])].join(" ");
    const pins = pinned.map((h) => [`Host ${names(h)}`, "    StrictHostKeyChecking yes", `    UserKnownHostsFile ${knownHostsFile}`, ""].join("\n"));
    return [renderSshConfig(p, BASTION_WAN_IP, ADMIN_KEY, labUserKeyFile), ...pins, UNPINNED].join("\n");
}

/** known_hosts with the generated host keys, and one ssh_config per set of pinned hosts. */
export function writeLabSshConfig(p: ClusterPlan, knownHosts: string): void {
    writeStateFile(KNOWN_HOSTS, knownHosts);
    for (const pinned of [[], ["bastion"], ["controller"], HOSTS] as StepHost[][]) writeStateFile(sshConfigPath(pinned), labSshConfig(p, pinned));
}

/** Runs a shell command on the bastion or the controller as admin, checking the pinned hosts' keys (default both). */
export function ssh(p: ClusterPlan, host: StepHost, command: string, opts: RunOptions & { pinned?: StepHost[] } = {}): Promise<string> {
    return run(["ssh", "-F", sshConfigPath(opts.pinned ?? HOSTS), sshHost(p, host), command], opts);
}

/** Runs a shell command on the controller as a cluster user, through the bastion as that user (their ssh_config Host). */
export function sshAsUser(p: ClusterPlan, user: string, command: string, opts: RunOptions = {}): Promise<string> {
    return run(["ssh", "-F", SSH_CONFIG, userSshHosts(p, user).controller, command], opts);
}

/** A step's run: its report line "hpc-step <id>: changed=N unchanged=M", and what it logged. */
export interface StepRun { report: string; output: string }

/**
 * ssh failed before any session began (a hop's sshd refusing or closing while it reloads):
 * what @pulumi/command counts as a dial error and tries again. A host key that does not
 * match is not one of these: it fails at once.
 */
export const isDialError = (message: string): boolean =>
    /exited 255: /.test(message)
    && /connect to host \S+ port \d+: (Connection refused|Connection timed out|No route to host)|kex_exchange_identification:/.test(message)
    && !/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(message);

/** Runs one step, as command.remote.Command does: its command, its stdin, the hosts it may pin, failed dials retried. */
export async function runStepLogged(p: ClusterPlan, step: BootstrapStep, values: Record<string, string>): Promise<StepRun> {
    let output = "";
    for (let dial = 1; ; dial++) {
        try {
            output = await ssh(p, step.host, stepCommand(step), {
                input: stepStdin(step, values), timeoutMs: 15 * 60_000, pinned: pinnedHosts(p.steps, step),
            });
            break;
        } catch (e) {
            if (dial >= DIAL_ERROR_LIMIT || !isDialError((e as Error).message)) throw e;
            await new Promise((r) => setTimeout(r, 1000));
        }
    }
    const report = output.trim().split("\n").filter((l) => l.startsWith(`hpc-step ${step.id}:`)).pop();
    if (!report) throw new Error(`step ${step.id} printed no report:\n${output.slice(-2000)}`);
    return { report, output };
}

/** Runs one step; returns its report line. */
export async function runStep(p: ClusterPlan, step: BootstrapStep, values: Record<string, string>): Promise<string> {
    return (await runStepLogged(p, step, values)).report;
}

/** Waits until sshd on the host answers as admin (hosts boot systemd first, with first-boot keys). */
export async function waitForSsh(p: ClusterPlan, host: StepHost, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            await ssh(p, host, "true", { timeoutMs: 10_000, pinned: [] });
            return;
        } catch (e) {
            if (Date.now() > deadline) throw new Error(`${host}: ssh as admin did not work within ${timeoutMs / 1000}s: ${(e as Error).message}`);
            await new Promise((r) => setTimeout(r, 1000));
        }
    }
}
