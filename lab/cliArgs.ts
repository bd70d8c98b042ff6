// The lab CLI's command line, parsed without running anything: every mistake is a
// message before a container is touched, and the grammar is tested on plain arrays.
import { parseArgs } from "node:util";
import { USER_NAME } from "../components/plan/config";

export type LabCommand =
    /**
     * stack: read Pulumi.<stack>.yaml instead of the lab's own config. parallel and
     * continueOnError: how the bootstrap steps run, as with `pulumi up`.
     */
    | { command: "up"; stack?: string; parallel?: number; continueOnError?: boolean }
    | { command: "status" }
    | { command: "down" }
    /** user absent: admin. remote empty: an interactive shell. */
    | { command: "ssh"; host: string; user?: string; remote: string[] }
    /** script: a path on this machine, submitted with sbatch on the controller. user absent: admin. */
    | { command: "submit"; script: string; user?: string }
    | { command: "help" };

export const LAB_USAGE = `usage: npm run lab -- <command>

  up [--stack NAME] [--parallel N] [--continue-on-error]
                                       start the lab, or bring it up to date; with --stack,
                                       from Pulumi.NAME.yaml, its nodes shrunk to this host;
                                       the bootstrap runs as pulumi up does: every step once
                                       its dependencies are done, at most N at once (default:
                                       no cap; 1: one by one), and after a failure no new
                                       step starts unless --continue-on-error
  status                               containers, sinfo, squeue
  down                                 remove exactly what the lab created
  ssh <host> [--user NAME] [-- command...]
                                       a shell, or the command, on the bastion, the
                                       controller (as admin) or a compute node (as root)
  submit [--user NAME] <script>        sbatch the script on the controller (as admin by default)
  help                                 this text`;

/** The usage, with the hosts this lab's ssh takes. */
export function labUsage(hosts: readonly string[]): string {
    return `${LAB_USAGE}\n\nhosts: ${hosts.join(", ")}`;
}

/** Pulumi's stack names, and no '/': NAME becomes a file name, Pulumi.NAME.yaml. */
const STACK_NAME = /^[a-zA-Z0-9_.-]+$/;

type Options = Record<string, { type: "string" | "boolean"; short?: string }>;
const HELP: Options = { help: { type: "boolean", short: "h" } };
const USER: Options = { user: { type: "string" } };
const OPTIONS: Record<Exclude<LabCommand["command"], "help">, Options> = {
    up: { ...HELP, stack: { type: "string" }, parallel: { type: "string" }, "continue-on-error": { type: "boolean" } },
    status: HELP,
    down: HELP,
    ssh: { ...HELP, ...USER },
    submit: { ...HELP, ...USER },
};

const isCommand = (c: string): c is keyof typeof OPTIONS => Object.hasOwn(OPTIONS, c);

/** node:util's parse errors, said in the lab's words. */
function parseError(cmd: string, e: Error & { code?: string }): string {
    // The option as node:util names it: '--foo', '-v', '--stack <value>' or '-h, --help'.
    const option = /'(?:-[^-'], )?(-[^' ]+)/.exec(e.message)?.[1] ?? "";
    const known = Object.keys(OPTIONS[cmd as keyof typeof OPTIONS]).map((o) => `--${o}`).join(", ");
    switch (e.code) {
        case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
            return `${cmd}: unknown option ${option} (${cmd} takes ${known})` + (cmd === "ssh" ? "; the remote command, flags and all, goes after --" : "");
        case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
            return /does not take an argument/.test(e.message) ? `${cmd}: ${option} takes no value`
                : `${cmd}: ${option} needs a value (${option} NAME, or ${option}=NAME for a NAME starting with '-')`;
        default:
            return `${cmd}: ${e.message}`;
    }
}

/**
 * The command that argv (what follows `npm run lab --`) asks for, or a message saying
 * what is wrong with it. hosts are the names ssh takes: bastion, controller, the nodes.
 */
export function parseLabArgs(argv: string[], hosts: readonly string[]): LabCommand | { error: string } {
    const [cmd, ...rest] = argv;
    if (cmd === undefined) return { error: "no command given" };
    if (cmd === "help" || cmd === "--help" || cmd === "-h") return { command: "help" };
    if (!isCommand(cmd)) return { error: `unknown command ${JSON.stringify(cmd)} (commands: ${[...Object.keys(OPTIONS), "help"].join(", ")})` };

    // ssh's command is everything after the first --, flags included: they are the remote command's.
    const dashes = cmd === "ssh" ? rest.indexOf("--") : -1;
    const args = dashes < 0 ? rest : rest.slice(0, dashes);
    const remote = dashes < 0 ? [] : rest.slice(dashes + 1);

    let parsed: ReturnType<typeof parseArgs<{ options: Options; strict: true; allowPositionals: true; tokens: true }>>;
    try {
        parsed = parseArgs({ args, options: OPTIONS[cmd], strict: true, allowPositionals: true, tokens: true });
    } catch (e) {
        return { error: parseError(cmd, e as Error) };
    }
    const { values, positionals, tokens } = parsed;
    if (values.help) return { command: "help" };
    // node:util keeps the last of a repeated option; two different stacks or users is a mistake, not a choice.
    const given = tokens.filter((t) => t.kind === "option").map((t) => t.name);
    const twice = given.find((n, i) => given.indexOf(n) !== i);
    if (twice) return { error: `${cmd}: --${twice} is given twice` };
    const user = values.user as string | undefined;
    if (user !== undefined && !USER_NAME.test(user)) {
        return { error: `${cmd}: --user ${JSON.stringify(user)} is not a user name (lower-case letters, digits, '_' or '-', starting with a letter or '_')` };
    }
    const extra = (expected: number) => positionals.length > expected
        ? `${cmd}: unexpected argument${positionals.length - expected > 1 ? "s" : ""} ${positionals.slice(expected).map((p) => JSON.stringify(p)).join(" ")}` : undefined;

    switch (cmd) {
        case "up": {
            const stack = values.stack as string | undefined;
            if (stack !== undefined && !STACK_NAME.test(stack)) {
                return { error: `up: --stack ${JSON.stringify(stack)} is not a stack name (letters, digits, '_', '.' or '-'; it reads Pulumi.NAME.yaml)` };
            }
            const parallel = values.parallel as string | undefined;
            if (parallel !== undefined && !/^[1-9][0-9]{0,3}$/.test(parallel)) {
                return { error: `up: --parallel ${JSON.stringify(parallel)} is not a whole number from 1 to 9999 (leave it out for no cap, as pulumi up)` };
            }
            const bad = extra(0);
            if (bad) return { error: bad };
            return {
                command: "up",
                ...(stack !== undefined ? { stack } : {}),
                ...(parallel !== undefined ? { parallel: Number(parallel) } : {}),
                ...(values["continue-on-error"] ? { continueOnError: true } : {}),
            };
        }
        case "status":
        case "down": {
            const bad = extra(0);
            return bad ? { error: bad } : { command: cmd };
        }
        case "ssh": {
            const host = positionals[0];
            if (host === undefined) return { error: `ssh: which host? (one of ${hosts.join(", ")})` };
            if (!hosts.includes(host)) return { error: `ssh: unknown host ${JSON.stringify(host)} (hosts: ${hosts.join(", ")})` };
            if (positionals.length > 1) return { error: `${extra(1)}: put the command after --, as in: ssh ${host} -- ${positionals.slice(1).join(" ")}` };
            return { command: "ssh", host, ...(user !== undefined ? { user } : {}), remote };
        }
        case "submit": {
            const script = positionals[0];
            if (script === undefined || script === "") return { error: "submit: which script? (submit [--user NAME] <script>)" };
            const bad = extra(1);
            if (bad) return { error: bad };
            return { command: "submit", script, ...(user !== undefined ? { user } : {}) };
        }
    }
}
