// A Pulumi.<stack>.yaml read without the Pulumi engine, so that the lab can run a
// stack's own config through the same schema as `pulumi up` (lab --stack NAME).
import { parse } from "yaml";
import { decodeEngineConfig, engineString } from "./decode";
import { ConfigError } from "./errors";
import { COMPUTE_NODE_DEFAULTS, DEFAULT_COMPUTE_NODES, MIN_NODE_MEMORY_MB, RawConfig } from "./fields";

/** A map, as YAML gives it: not null, not a list. */
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Pulumi's encrypted value: `{secure: <ciphertext>}`, alone in its map. */
const isSecure = (v: unknown): boolean => isMap(v) && Object.keys(v).length === 1 && typeof v.secure === "string";

/** Where in a value the first secret sits ("" for the value itself, "[0].url" inside), or undefined. */
function securePath(v: unknown, at = ""): string | undefined {
    if (isSecure(v)) return at;
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x])
        : isMap(v) ? Object.entries(v).map(([k, x]) => [`.${k}`, x]) : [];
    for (const [step, x] of entries) {
        const found = securePath(x, at + step);
        if (found !== undefined) return found;
    }
    return undefined;
}

/**
 * The RawConfig that parseConfig takes, from the text of a Pulumi.<stack>.yaml:
 * `hpc-stack:foo` becomes `foo`; other namespaces (aws:region) are the providers' and
 * are dropped. The lab has no Pulumi engine to decrypt secrets, so a `secure:` value
 * is an error naming its key, unless the key is in allowedSecrets (bare names, e.g.
 * "alertReceivers"): such a key is dropped, and the lab's own value or the default
 * stands in. Throws ConfigError, listing every problem.
 */
export function readStackFile(text: string, project = "hpc-stack", allowedSecrets: readonly string[] = []): RawConfig {
    let doc: unknown;
    try {
        doc = parse(text);
    } catch (e) {
        throw new ConfigError([`(stack file): is not valid YAML: ${(e as Error).message}`]);
    }
    // An empty file, or one without config:, is a stack that sets nothing.
    if (doc === null || doc === undefined) return {};
    if (!isMap(doc)) throw new ConfigError([`(stack file) = ${JSON.stringify(doc)}: must be a YAML map with a config: map`]);
    const problems: string[] = [];
    // Environments are resolved by Pulumi Cloud, which the lab does not call: their values would be missing unseen.
    if (doc.environment !== undefined) problems.push(`environment = ${JSON.stringify(doc.environment)}: imports Pulumi ESC environments, which the lab cannot open; set their values in config: instead`);
    const config = doc.config ?? {};
    if (!isMap(config)) throw new ConfigError([...problems, `config = ${JSON.stringify(config)}: must be a map of ${project}:key to value`]);

    const strings: Record<string, string> = {};
    for (const [fullKey, value] of Object.entries(config)) {
        const colon = fullKey.indexOf(":");
        if (colon <= 0) {
            problems.push(`${fullKey}: is not a namespace:key config key (Pulumi writes ${project}:${fullKey})`);
            continue;
        }
        if (fullKey.slice(0, colon) !== project) continue;
        const key = fullKey.slice(colon + 1);
        const secret = securePath(value);
        if (secret !== undefined) {
            if (!allowedSecrets.includes(key)) {
                problems.push(`${fullKey}${secret} = [secure]: is a Pulumi secret, which the lab cannot decrypt (it runs without the Pulumi engine); leave it out of the stack the lab runs`);
            }
            continue;
        }
        // As the engine hands it to the program, so that the program's own decoder reads it.
        strings[fullKey] = engineString(value);
    }
    if (problems.length) throw new ConfigError(problems);
    return decodeEngineConfig(project, strings);
}

/** What the lab host offers its containers: CPUs and memory in MB, whole numbers. */
export interface HostSize { cpus: number; memoryMb: number }

/**
 * The config shrunk to the lab host: each compute node declares at most the host's
 * CPUs and at most its share of the host's memory (but no less than a node may),
 * since slurmd refuses to register a node that declares more than it finds. Defaults
 * count: a node that leaves cpus out declares 2. Values the schema would refuse are
 * left for parseConfig to report. Each change is a note naming the node.
 */
export function fitToHost(raw: RawConfig, host: HostSize): { config: RawConfig; notes: string[] } {
    if (!Number.isInteger(host.cpus) || host.cpus < 1 || !Number.isInteger(host.memoryMb) || host.memoryMb < 1) {
        throw new Error(`fitToHost: the host's size must be whole, positive numbers, got ${JSON.stringify(host)}`);
    }
    const nodes = raw.computeNodes === undefined ? DEFAULT_COMPUTE_NODES : raw.computeNodes;
    if (!Array.isArray(nodes) || nodes.length === 0) return { config: raw, notes: [] };
    const share = Math.floor(host.memoryMb / nodes.length);
    const memoryCap = Math.max(MIN_NODE_MEMORY_MB, share);
    const memoryWhy = `the lab host has ${host.memoryMb} MB for ${nodes.length} node${nodes.length === 1 ? "" : "s"}` +
        (share < MIN_NODE_MEMORY_MB ? `; a node declares at least ${MIN_NODE_MEMORY_MB}` : "");

    const notes: string[] = [];
    const fitted = nodes.map((n: unknown, i) => {
        if (!isMap(n)) return n;
        const name = typeof n.name === "string" ? n.name : `computeNodes[${i}]`;
        const out = { ...n };
        const cpus = n.cpus ?? COMPUTE_NODE_DEFAULTS.cpus;
        if (typeof cpus === "number" && cpus > host.cpus) {
            out.cpus = host.cpus;
            notes.push(`${name}: cpus ${cpus} -> ${host.cpus} (the lab host has ${host.cpus})`);
        }
        const memoryMb = n.memoryMb ?? COMPUTE_NODE_DEFAULTS.memoryMb;
        if (typeof memoryMb === "number" && memoryMb > memoryCap) {
            out.memoryMb = memoryCap;
            notes.push(`${name}: memoryMb ${memoryMb} -> ${memoryCap} (${memoryWhy})`);
        }
        return out;
    });
    return notes.length ? { config: { ...raw, computeNodes: fitted }, notes } : { config: raw, notes };
}
