// The one error a user sees for bad config: every problem, each naming its key, the
// value it has (or the default it would take) and what is wrong with it.
import { ClusterConfig, COMPUTE_NODE_DEFAULTS, computeNode, RawConfig } from "./fields";
import { DOCKER_HOST_KEYS } from "./dockerHosts";
import { redactReceiverValue } from "./receivers";
import { configSchema, DEFAULTS } from "./schema";
import { USER_KEYS } from "./users";

/** The one error a user sees for bad config: every problem, each naming its key and value. */
export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid stack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

function lookup(raw: unknown, path: PropertyKey[]): unknown {
    return path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
}

function keyName(path: PropertyKey[]): string {
    return path.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), "");
}

/** Validates raw config values (already JSON-decoded) and applies defaults. Throws ConfigError. */
export function parseConfig(raw: RawConfig): ClusterConfig {
    const result = configSchema.safeParse(raw);
    if (result.success) return result.data;
    throw new ConfigError(result.error.issues.map((i) => {
        const path = i.code === "unrecognized_keys" ? [...i.path, i.keys[0]] : i.path;
        const value = lookup(raw, path);
        const fallback = defaultAt(path);
        const shown = value !== undefined ? showValue(path, value)
            : fallback !== undefined ? `${JSON.stringify(fallback)} (default)` : "(unset)";
        const message = i.code === "unrecognized_keys" ? `unknown key (known keys: ${knownKeys(i.path).join(", ")})`
            // A record's bad key: its key schema's own message, not zod's "Invalid key in record".
            : i.code === "invalid_key" ? i.issues[0]?.message ?? i.message : i.message;
        return `${keyName(path) || "(config)"} = ${shown}: ${message}`;
    }));
}

/** The default a key takes when unset: a top-level key's, or a compute node's field's (its host "local"). */
function defaultAt(path: PropertyKey[]): unknown {
    if (path.length === 1) return lookup(DEFAULTS, path);
    if (path.length === 3 && path[0] === "computeNodes") return lookup(COMPUTE_NODE_DEFAULTS, [path[2]]);
    return undefined;
}

function knownKeys(path: PropertyKey[]): string[] {
    if (path[0] === "dockerHosts") return DOCKER_HOST_KEYS;
    if (path[0] === "alertReceivers") return ["name", "type", "url", "channel", "to", "from", "smarthost", "authUsername", "authPassword"];
    if (path[0] === "users") return USER_KEYS;
    return path.length === 0 ? Object.keys(configSchema.shape) : Object.keys(computeNode.shape);
}

/** A value as the error shows it; a receiver's secret is shown without its secret part. */
function showValue(path: PropertyKey[], value: unknown): string {
    if (path[0] === "alertReceivers") return JSON.stringify(redactReceiverValue(path, value));
    return JSON.stringify(value);
}
