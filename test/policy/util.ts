// Runs CrossGuard policies in-process, without the engine or a PolicyPack
// (which would serve gRPC and keep the process alive). The args mirror what
// @pulumi/policy 1.21's server builds for validateResource / validateStack.
import {
    EnforcementLevel,
    Policies,
    PolicyConfigSchema,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { packEnforcementLevel } from "../../policy/policies";

// The engine hands policies their props wrapped in @pulumi/policy's
// unknown-checking proxy, which throws UnknownValueError when a policy reads a
// value that is unknown during preview. The module is internal (no typings),
// but using it keeps these runs faithful to `pulumi preview`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engineProxy = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T extends object>(props: T): T;
    UnknownValueError: new (...args: never[]) => Error;
    unknownStringValue: string;
};

/** What a not-yet-known string (e.g. another resource's id) looks like to a policy during preview. */
export const UNKNOWN = engineProxy.unknownStringValue;

export function isUnknownValueError(e: unknown): boolean {
    return e instanceof engineProxy.UnknownValueError;
}

export type Props = Record<string, unknown>;
export type PolicyConfig = Record<string, unknown>;
/** Pack config as in policy-config.example.json: policy name -> its config. */
export type PackConfig = Record<string, PolicyConfig & { enforcementLevel?: EnforcementLevel }>;

export const EXAMPLE_CONFIG_FILE = path.resolve(__dirname, "../../policy/policy-config.example.json");

export function loadPackConfig(file = EXAMPLE_CONFIG_FILE): PackConfig {
    return JSON.parse(fs.readFileSync(file, "utf8")) as PackConfig;
}

/** Thrown by `notApplicable()`; the runners catch it. */
export class NotApplicable extends Error {
    constructor(public readonly reason?: string) {
        super(`not applicable: ${reason ?? ""}`);
    }
}

const defaultOpts: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

export function urnOf(type: string, name: string, stack = "dev", project = "hpc-stack"): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

function typeOfClass(resourceClass: unknown): string | undefined {
    const t = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
    return typeof t === "string" ? t : undefined;
}

/**
 * Policy config as the CLI would hand it over: the schema's defaults, then the
 * values given. (The engine fills defaults in from configSchema.)
 */
export function effectiveConfig(schema: PolicyConfigSchema | undefined, given: PolicyConfig = {}): PolicyConfig {
    const defaults: PolicyConfig = {};
    for (const [k, s] of Object.entries(schema?.properties ?? {})) {
        if (typeof s === "object" && s.default !== undefined) {
            defaults[k] = s.default;
        }
    }
    const { enforcementLevel: _level, ...rest } = given;
    return { ...defaults, ...rest };
}

export interface ResourceArgsOptions {
    name?: string;
    config?: PolicyConfig;
    stackTags?: Record<string, string>;
    provider?: { type: string; props: Props; name?: string };
}

export function resourceArgs(type: string, props: Props, o: ResourceArgsOptions = {}): ResourceValidationArgs {
    const name = o.name ?? "test";
    const config = o.config ?? {};
    const args: ResourceValidationArgs = {
        type,
        props: engineProxy.unknownCheckingProxy(props),
        urn: urnOf(type, name),
        name,
        opts: defaultOpts,
        stackTags: new Map(Object.entries(o.stackTags ?? {})),
        isType: (cls) => typeOfClass(cls) === type,
        // asType is generic over the SDK's arg types; the props are those args.
        asType: ((cls: unknown) => (typeOfClass(cls) === type ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    if (o.provider) {
        const pname = o.provider.name ?? "default";
        args.provider = { ...o.provider, name: pname, urn: urnOf(o.provider.type, pname) };
    }
    return args;
}

/** A stack resource; `propertyDependencies` lists the names of the resources a prop came from. */
export interface StackResourceSpec {
    type: string;
    name: string;
    props: Props;
    propertyDependencies?: Record<string, string[]>;
}

export function stackArgs(
    specs: StackResourceSpec[],
    o: { config?: PolicyConfig; stackTags?: Record<string, string> } = {},
): StackValidationArgs {
    const resources: PolicyResource[] = specs.map((s) => ({
        type: s.type,
        name: s.name,
        props: engineProxy.unknownCheckingProxy(s.props),
        urn: urnOf(s.type, s.name),
        opts: defaultOpts,
        dependencies: [],
        propertyDependencies: {},
        isType: (cls) => typeOfClass(cls) === s.type,
        asType: ((cls: unknown) =>
            typeOfClass(cls) === s.type ? s.props : undefined) as PolicyResource["asType"],
    }));
    const byName = new Map(resources.map((r) => [r.name, r]));
    specs.forEach((s, i) => {
        for (const [prop, names] of Object.entries(s.propertyDependencies ?? {})) {
            resources[i].propertyDependencies[prop] = names.map((n) => {
                const dep = byName.get(n);
                if (!dep) {
                    throw new Error(`propertyDependencies of ${s.name} name unknown resource ${n}`);
                }
                return dep;
            });
        }
        resources[i].dependencies = Object.values(resources[i].propertyDependencies).flat();
    });
    const config = o.config ?? {};
    return {
        resources,
        stackTags: new Map(Object.entries(o.stackTags ?? {})),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

export function findPolicy(policies: Policies, name: string): ResourceValidationPolicy & Partial<StackValidationPolicy> {
    const p = policies.find((x) => x.name === name);
    if (!p) {
        throw new Error(`no policy named ${name}`);
    }
    return p as ResourceValidationPolicy & Partial<StackValidationPolicy>;
}

function collector(): { messages: string[]; report: ReportViolation } {
    const messages: string[] = [];
    return { messages, report: (m: string) => messages.push(m) };
}

/**
 * Runs a policy's validateResource and returns the violation messages. Throws
 * if the policy declares itself not applicable: a fixture of the wrong type
 * must not pass silently as "compliant".
 */
export async function checkResource(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    type: string,
    props: Props,
    o: ResourceArgsOptions = {},
): Promise<string[]> {
    const validations = "validateResource" in policy && policy.validateResource ? policy.validateResource : [];
    const list = Array.isArray(validations) ? validations : [validations];
    if (list.length === 0) {
        throw new Error(`${policy.name} has no validateResource`);
    }
    const { messages, report } = collector();
    const args = resourceArgs(type, props, { ...o, config: effectiveConfig(policy.configSchema, o.config) });
    for (const v of list) {
        await v(args, report);
    }
    return messages;
}

/** Runs a policy's validateStack over the given resources and returns the violation messages. */
export async function checkStack(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    specs: StackResourceSpec[],
    config?: PolicyConfig,
): Promise<string[]> {
    if (!("validateStack" in policy) || !policy.validateStack) {
        throw new Error(`${policy.name} has no validateStack`);
    }
    const { messages, report } = collector();
    await policy.validateStack(stackArgs(specs, { config: effectiveConfig(policy.configSchema, config) }), report);
    return messages;
}

// ---------------------------------------------------------------------------
// Whole-pack runs over recorded resources (the in-process harness).

/** A resource as the harness saw it: inputs for resource policies, outputs (with id) for stack ones. */
export interface RecordedResource {
    type: string;
    name: string;
    inputs: Props;
    outputs: Props;
}

export interface Violation {
    policy: string;
    level: EnforcementLevel;
    resource?: string;
    message: string;
}

function levelOf(p: { name: string; enforcementLevel?: EnforcementLevel }, packConfig: PackConfig): EnforcementLevel {
    return packConfig[p.name]?.enforcementLevel ?? p.enforcementLevel ?? packEnforcementLevel;
}

/**
 * Runs every resource policy on each resource's inputs and every stack policy
 * on all outputs, as `pulumi preview`/`up` would with `--policy-pack`.
 */
export async function runPack(
    policies: Policies,
    resources: RecordedResource[],
    packConfig: PackConfig = {},
): Promise<Violation[]> {
    const out: Violation[] = [];
    for (const p of policies) {
        const level = levelOf(p, packConfig);
        if (level === "disabled") {
            continue;
        }
        const config = effectiveConfig(p.configSchema, packConfig[p.name]);
        const validations = "validateResource" in p && p.validateResource ? p.validateResource : [];
        for (const v of Array.isArray(validations) ? validations : [validations]) {
            for (const r of resources) {
                const args = resourceArgs(r.type, r.inputs, { name: r.name, config });
                try {
                    await v(args, (message) => out.push({ policy: p.name, level, resource: r.name, message }));
                } catch (e) {
                    if (isUnknownValueError(e)) {
                        out.push(cantRun(p.name, r.name, e));
                    } else if (!(e instanceof NotApplicable)) {
                        throw e;
                    }
                }
            }
        }
        if ("validateStack" in p && p.validateStack) {
            const args = stackArgs(
                resources.map((r) => ({ type: r.type, name: r.name, props: r.outputs })),
                { config },
            );
            const byUrn = new Map(args.resources.map((r) => [r.urn, r.name]));
            try {
                await p.validateStack(args, (message, urn) =>
                    out.push({ policy: p.name, level, resource: urn ? byUrn.get(urn) ?? urn : undefined, message }),
                );
            } catch (e) {
                if (isUnknownValueError(e)) {
                    out.push(cantRun(p.name, undefined, e));
                } else if (!(e instanceof NotApplicable)) {
                    throw e;
                }
            }
        }
    }
    return out;
}

/** As the engine does: a policy that needs an unknown value is reported as advisory "can't run". */
function cantRun(policy: string, resource: string | undefined, e: unknown): Violation {
    return { policy, level: "advisory", resource, message: `can't run during preview: ${(e as Error).message}` };
}

export function mandatory(violations: Violation[]): Violation[] {
    return violations.filter((v) => v.level === "mandatory");
}

export function formatViolations(violations: Violation[]): string {
    return violations.map((v) => `[${v.level}] ${v.policy} on ${v.resource ?? "stack"}: ${v.message}`).join("\n");
}
