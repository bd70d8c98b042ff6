// Reads the stack's config from the Pulumi engine and hands it to the schema.
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, ConfigError, configNotices, parseConfig, RawConfig, STRUCTURED_KEYS } from "../../plan/config";

/** Decodes `project:key` strings (structured keys are JSON) into raw values. */
export function decodeConfig(project: string, all: Record<string, string>): RawConfig {
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

/**
 * The validated stack config. A bad value ends the program with pulumi.RunError:
 * one message naming every bad key and value, no stack trace, no resource declared.
 */
export function readStackConfig(): ClusterConfig {
    try {
        const raw = decodeConfig(pulumi.getProject(), pulumi.runtime.allConfig());
        const config = parseConfig(raw);
        for (const n of configNotices(raw)) pulumi.log.warn(`hpc-stack:${n}`);
        return config;
    } catch (e) {
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}
