// Which config the lab runs: its own (LAB_CONFIG), or a stack's Pulumi.<NAME>.yaml
// brought up with `up --stack NAME`. The choice is kept in .lab-state/stack, so that
// ssh, submit and status speak to the lab that is up.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fitToHost, RawConfig, readStackFile } from "../components/plan/config";
import { ClusterPlan } from "../components/plan/plan";
import { LAB_CONFIG, labPlan } from "./labPlan";
import { STATE_DIR } from "./paths";

const STACK_FILE = path.join(STATE_DIR, "stack");
const REPO = path.resolve(__dirname, "..");

/**
 * A stack's config as the lab runs it: the stack's nodes (shrunk to this host) and
 * users, with the lab's own addresses, images and monitoring settings on top. Its
 * secrets (alert receivers) stay in the stack: the lab's own receiver stands in.
 */
export function labConfigFromStack(stack: string, log: (s: string) => void = () => undefined): RawConfig {
    const file = path.join(REPO, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = fs.readdirSync(REPO).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(Boolean);
        throw new Error(`no stack ${stack}: ${file} does not exist (stacks here: ${known.join(", ") || "none"})`);
    }
    const { config, notes } = fitToHost(readStackFile(fs.readFileSync(file, "utf8"), "hpc-stack", ["alertReceivers"]),
        { cpus: os.cpus().length, memoryMb: Math.floor(os.totalmem() / 2 ** 20) });
    for (const n of notes) log(`  ${stack}: ${n}`);
    const { users: _, ...lab } = LAB_CONFIG;
    return { ...config, ...lab };
}

/** The plan of the lab that is up (or, before any up, the lab's own); log hears how a stack was fitted to this host. */
export function currentPlan(stack: string | undefined, log?: (s: string) => void): ClusterPlan {
    return stack ? labPlan(labConfigFromStack(stack, log), true) : labPlan();
}

export function currentStack(): string | undefined {
    return fs.existsSync(STACK_FILE) ? fs.readFileSync(STACK_FILE, "utf8").trim() || undefined : undefined;
}

export function rememberStack(stack: string | undefined): void {
    fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
    fs.writeFileSync(STACK_FILE, stack ?? "", { mode: 0o600 });
}
