// Bootstrap steps: the shell work done on the bastion and the controller. Pulumi
// runs each as a command.remote.Command, the lab runs it over ssh; both send the
// exact string stepCommand() returns and pipe stepStdin() into it.
import { gzipSync } from "zlib";
import { configFile } from "./templates";
import { GeneratedName, hostKeyNames } from "./generated";

export type StepHost = "bastion" | "controller";

/**
 * How many failed dials a step survives (@pulumi/command's dialErrorLimit, on each hop):
 * a host's sshd refuses connections for a moment while a step beside it reloads it
 * (a changed drop-in), and steps run side by side.
 */
export const DIAL_ERROR_LIMIT = 60;

export interface PlannedFile {
    path: string;
    content: string;
    /** Octal, e.g. "0644". */
    mode: string;
    /** user:group */
    owner: string;
}

export interface BootstrapStep {
    id: string;
    host: StepHost;
    /** config-files/bootstrap/<script>; its text is part of the command. */
    script: string;
    /** Non-secret settings, exported to the script. */
    env: Record<string, string>;
    /** Rendered files the script installs with hpc_install_planned. */
    files: PlannedFile[];
    /** Generated values piped on stdin, never on the command line. */
    generated: GeneratedName[];
    dependsOn: string[];
}

/** POSIX single-quoting: the only character needing care is the quote itself. */
export function shq(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A here-document delimiter that cannot occur in the content. */
function delimiter(content: string): string {
    let d = "HPC_EOF";
    while (content.includes(d)) d += "_X";
    return d;
}

/** Shell that installs the planned files through hpc_file (idempotent, counted). */
export function filesScript(files: PlannedFile[]): string {
    return files.map((f) => {
        const d = delimiter(f.content);
        const body = f.content.endsWith("\n") ? f.content : `${f.content}\n`;
        return `hpc_file ${shq(f.path)} ${f.mode} ${f.owner} <<'${d}'\n${body}${d}\n`;
    }).join("");
}

/** A config-files/ text, by its path there. */
export interface ConfigText { path: string; text: string }

/** A step's program in parts: the prelude and the script it runs, the env it exports, the files it installs. */
export interface StepParts { prelude: ConfigText; script: ConfigText; env: Record<string, string>; files: PlannedFile[] }

export function stepParts(step: BootstrapStep): StepParts {
    const text = (path: string): ConfigText => ({ path, text: configFile(path) });
    return {
        prelude: text("bootstrap/lib.sh"),
        script: text(`bootstrap/${step.script}`),
        env: { HPC_STEP: step.id, ...step.env },
        files: step.files,
    };
}

/** The program run as root on the host: prelude, env, files, then the step's script. */
export function stepProgram(step: BootstrapStep): string {
    const { prelude, script, env, files } = stepParts(step);
    return [
        prelude.text,
        Object.entries(env).map(([k, v]) => `export ${k}=${shq(v)}\n`).join(""),
        "hpc_install_planned() {\n:\n" + filesScript(files) + "}\n",
        script.text,
    ].join("\n");
}

/**
 * The exact command string sent to the host. sshd hands it to the login shell as
 * one argument, which Linux caps at 128 KiB, and a 1000-node slurm.conf alone
 * is larger: so the program travels gzipped and base64-encoded, and bash reads it
 * from fd 3, leaving stdin to the generated values.
 */
export function stepCommand(step: BootstrapStep): string {
    const blob = gzipSync(Buffer.from(stepProgram(step), "utf8"), { level: 9 }).toString("base64");
    const runner = 'exec 3< <(printf %s "$1" | base64 -d | gunzip) && exec /bin/bash /dev/fd/3';
    return `sudo -n /bin/bash -c ${shq(runner)} hpc-step-${step.id} ${blob}`;
}

/** stdin for a step: "NAME BASE64" per generated value, in the step's order. */
export function stepStdin(step: BootstrapStep, values: Record<string, string>): string {
    return step.generated.map((n) => {
        const v = values[n];
        if (v === undefined) throw new Error(`step ${step.id}: no generated value ${n}`);
        return `${n} ${Buffer.from(v, "utf8").toString("base64")}\n`;
    }).join("");
}

/** What the step graph needs of a step: its id and the ids it waits for. */
export interface StepNode { id: string; dependsOn: string[] }

/** A step's direct dependencies; an unknown one throws. */
function dependenciesOf<T extends StepNode>(byId: Map<string, T>, s: T): T[] {
    return s.dependsOn.map((d) => {
        const dep = byId.get(d);
        if (!dep) throw new Error(`step ${s.id} depends on unknown step ${d}`);
        return dep;
    });
}

/** Steps in an order that honours dependsOn; an unknown or cyclic dependency throws. */
export function orderSteps<T extends StepNode>(steps: T[]): T[] {
    const byId = new Map(steps.map((s) => [s.id, s]));
    const done = new Set<string>();
    const out: T[] = [];
    const visit = (s: T, path: string[]) => {
        if (done.has(s.id)) return;
        if (path.includes(s.id)) throw new Error(`bootstrap steps form a cycle: ${[...path, s.id].join(" -> ")}`);
        for (const dep of dependenciesOf(byId, s)) visit(dep, [...path, s.id]);
        done.add(s.id);
        out.push(s);
    };
    steps.forEach((s) => visit(s, []));
    return out;
}

/**
 * The hosts whose generated host key is installed before this step runs, by a step
 * it depends on (directly or not): its connection can pin those keys. Only the
 * steps that install a key, and what runs beside them, meet a host's first-boot key.
 */
export function pinnedHosts(steps: BootstrapStep[], step: BootstrapStep): StepHost[] {
    const byId = new Map(steps.map((s) => [s.id, s]));
    const ancestors = new Set<BootstrapStep>();
    const visit = (s: BootstrapStep) => dependenciesOf(byId, s).forEach((dep) => {
        if (!ancestors.has(dep)) { ancestors.add(dep); visit(dep); }
    });
    visit(step);
    const hosts: StepHost[] = ["bastion", "controller"];
    return hosts.filter((h) => [...ancestors].some((a) => a.generated.includes(hostKeyNames(h).privateKey)));
}
