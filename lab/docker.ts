// A thin, typed wrapper over the docker CLI: the lab drives the same engine a
// user would, and every failure names the command that failed.
import { execFile, spawn } from "child_process";

export class CommandError extends Error {
    constructor(public readonly cmd: string[], public readonly code: number | null, public readonly stdout: string, public readonly stderr: string) {
        super(`${cmd.join(" ").slice(0, 300)} exited ${code}: ${stderr.trim().split("\n").slice(-5).join("\n") || stdout.trim().split("\n").slice(-5).join("\n")}`);
        this.name = "CommandError";
    }
}

export interface RunOptions {
    input?: string | Buffer;
    /** Stream output to the console (long builds), instead of capturing it. */
    stream?: boolean;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
}

/** Runs a program; resolves with stdout, rejects with CommandError. */
export function run(cmd: string[], opts: RunOptions = {}): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd[0], cmd.slice(1), { stdio: ["pipe", "pipe", "pipe"], env: opts.env ?? process.env });
        let out = "";
        let err = "";
        const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
        child.stdout.on("data", (d: Buffer) => { out += d; if (opts.stream) process.stdout.write(d); });
        child.stderr.on("data", (d: Buffer) => { err += d; if (opts.stream) process.stderr.write(d); });
        child.on("error", (e) => { if (timer) clearTimeout(timer); reject(new CommandError(cmd, null, out, String(e))); });
        child.on("close", (code) => {
            if (timer) clearTimeout(timer);
            if (code === 0) resolve(out);
            else reject(new CommandError(cmd, code, out, err));
        });
        child.stdin.on("error", () => undefined);
        child.stdin.end(opts.input ?? "");
    });
}

export const docker = (args: string[], opts?: RunOptions) => run(["docker", ...args], opts);

/** True when `docker <kind> inspect <name>` finds it. */
export async function exists(kind: "container" | "network" | "image" | "volume", name: string): Promise<boolean> {
    try {
        await docker([kind, "inspect", name]);
        return true;
    } catch {
        return false;
    }
}

/** Whether a usable engine answers, without throwing. */
export function dockerAvailable(): Promise<boolean> {
    return new Promise((resolve) => execFile("docker", ["info", "--format", "{{.ServerVersion}}"], (e) => resolve(!e)));
}
