// How a config value reaches the program: the engine hands it one string per key, a
// structured value (a list, a map, a number or a boolean) as JSON. One decoder turns
// those strings back into values for the schema, for `pulumi up` and for the lab alike.
import { ConfigError } from "./errors";
import { RawConfig } from "./fields";
import { STRUCTURED_KEYS } from "./schema";

/** The string the engine hands the program for a value written in Pulumi.<stack>.yaml. */
export const engineString = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

/**
 * The raw values of the engine's `project:key` strings: structured keys JSON-decoded,
 * plain keys as they are; other namespaces (aws:region) are the providers' and are
 * dropped. Throws ConfigError naming every key whose JSON does not parse.
 */
export function decodeEngineConfig(project: string, all: Record<string, string>): RawConfig {
    const raw: RawConfig = {};
    const problems: string[] = [];
    for (const [fullKey, value] of Object.entries(all)) {
        const [ns, key] = [fullKey.slice(0, fullKey.indexOf(":")), fullKey.slice(fullKey.indexOf(":") + 1)];
        if (ns !== project) continue;
        if (!STRUCTURED_KEYS.has(key)) {
            raw[key] = value;
            continue;
        }
        try {
            raw[key] = JSON.parse(value);
        } catch {
            problems.push(`${key} = ${JSON.stringify(value)}: is not valid YAML/JSON structured config`);
        }
    }
    if (problems.length) throw new ConfigError(problems);
    return raw;
}
