// Reads the stack's config from the Pulumi engine and hands it to the schema.
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, ConfigError, decodeEngineConfig, parseConfig } from "../../plan/config";

/**
 * The validated stack config. A bad value ends the program with pulumi.RunError:
 * one message naming every bad key and value, no stack trace, no resource declared.
 */
export function readEngineConfig(): ClusterConfig {
    try {
        return parseConfig(decodeEngineConfig(pulumi.getProject(), pulumi.runtime.allConfig()));
    } catch (e) {
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}
