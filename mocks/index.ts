// The one mocks module: runs the real program with no engine, no plugins and no
// cloud, records every resource and invoke, and answers with plausible outputs.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { engineString } from "../components/plan/config";

/** How the engine marks a secret value when it crosses into mocks. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export interface Recorded {
    type: string;
    name: string;
    /** Inputs with secrets unwrapped. */
    inputs: Record<string, unknown>;
    /** Top-level input keys whose value (or part of it) arrived as a secret. */
    secretKeys: string[];
    /** Inputs as a reader of `pulumi preview --diff` sees them: each secret part is "[secret]". */
    plainInputs: Record<string, unknown>;
    /** The state the mock answered with (inputs plus computed outputs). */
    state: Record<string, unknown>;
    id: string;
    parent?: string;
    /** Resource options as the engine would receive them. */
    options: RequestOptions;
}

/**
 * The options of a RegisterResource request that decide how a change is applied, and
 * where: provider is the resource name of its explicit provider ("" for the default one).
 */
export interface RequestOptions { deleteBeforeReplace: boolean; ignoreChanges: string[]; protect: boolean; provider: string }

/** The request fields the options are read from (the generated protobuf class). */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getProtect(): boolean;
    /** "<provider URN>::<provider id>", or "" for the default provider. */
    getProvider(): string;
}

function isSecretWrapper(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

export function unwrapSecrets(v: unknown): unknown {
    if (isSecretWrapper(v)) return unwrapSecrets(v.value);
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
    return v;
}

/** Each secret part of v replaced by "[secret]", as the CLI shows it. */
function maskSecrets(v: unknown): unknown {
    if (isSecretWrapper(v)) return "[secret]";
    if (Array.isArray(v)) return v.map(maskSecrets);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskSecrets(x)]));
    return v;
}

function containsSecret(v: unknown): boolean {
    if (isSecretWrapper(v)) return true;
    if (Array.isArray(v)) return v.some(containsSecret);
    if (v && typeof v === "object") return Object.values(v).some(containsSecret);
    return false;
}

/** Outputs a real provider would compute, keyed by resource type. */
function computed(type: string, name: string, inputs: Record<string, unknown>, n: number): Record<string, unknown> {
    switch (type) {
        case "aws:ec2/instance:Instance":
            return {
                privateIp: inputs.privateIp ?? `10.0.2.${10 + (n % 200)}`,
                publicIp: inputs.associatePublicIpAddress ? `198.51.100.${n % 250}` : "",
            };
        case "aws:ec2/eip:Eip":
            return { publicIp: `198.51.100.${n % 250}`, allocationId: `eipalloc-${n}` };
        case "aws:ec2/keyPair:KeyPair":
            return { keyName: inputs.keyName ?? `${name}-${n}` };
        case "tls:index/privateKey:PrivateKey":
            return {
                publicKeyOpenssh: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAImock${n} \n`,
                privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\nmock-${name}\n-----END OPENSSH PRIVATE KEY-----\n`,
                privateKeyPem: `-----BEGIN PRIVATE KEY-----\nmock-${name}\n-----END PRIVATE KEY-----\n`,
            };
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString":
            return { result: `mock-${name}-secret-${n}` };
        case "random:index/randomBytes:RandomBytes":
            return { base64: Buffer.from(`mock-${name}-bytes-${n}`.padEnd(1024, "x")).toString("base64") };
        default:
            return {};
    }
}

export class RecordingMocks implements pulumi.runtime.Mocks {
    public readonly resources: Recorded[] = [];
    /** Filled by installMocks from each request, just before newResource sees it. */
    public readonly requestOptions = new Map<string, RequestOptions>();
    public readonly invokes: { token: string; inputs: Record<string, unknown> }[] = [];

    /** @param previousOutputs what the stack's last deployment exported, as a self StackReference reads it; {} = never deployed. */
    constructor(private readonly previousOutputs: Record<string, unknown> = {}) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const n = this.resources.length + 1;
        const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
        const id = `${args.name}-id`;
        const state = args.type === "pulumi:pulumi:StackReference" ? { name: inputs.name, outputs: this.previousOutputs, secretOutputNames: [] } : {
            ...inputs,
            arn: `arn:aws:mock:::${args.type}/${args.name}`,
            ...computed(args.type, args.name, inputs, n),
        };
        const secretKeys = Object.keys(args.inputs).filter((k) => containsSecret(args.inputs[k]));
        this.resources.push({
            type: args.type,
            name: args.name,
            inputs,
            secretKeys,
            // Only the keys holding a secret need a second copy (1000 containers are recorded in the bench).
            plainInputs: { ...inputs, ...Object.fromEntries(secretKeys.map((k) => [k, maskSecrets(args.inputs[k])])) },
            state,
            id,
            options: this.requestOptions.get(`${args.type}::${args.name}`) ?? { deleteBeforeReplace: false, ignoreChanges: [], protect: false, provider: "" },
        });
        return { id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        this.invokes.push({ token: args.token, inputs: args.inputs });
        if (args.token === "aws:ec2/getAmi:getAmi") {
            return { id: "ami-0debian13mock", imageId: "ami-0debian13mock", name: "debian-13-amd64-20251117-2299", architecture: "x86_64" };
        }
        return args.inputs;
    }

    ofType(type: string): Recorded[] {
        return this.resources.filter((r) => r.type === type);
    }

    one(type: string, nameIncludes = ""): Recorded {
        const found = this.ofType(type).filter((r) => r.name.includes(nameIncludes));
        if (found.length !== 1) {
            throw new Error(`expected one ${type} named *${nameIncludes}*, found ${found.map((r) => r.name).join(", ") || "none"}`);
        }
        return found[0];
    }
}

/** Converts a Pulumi.<stack>.yaml file to the engine's flat "project:key" -> string map. */
export function stackConfigFromFile(file: string): Record<string, string> {
    const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
    return Object.fromEntries(Object.entries(doc.config ?? {}).map(([k, v]) => [k, engineString(v)]));
}

/**
 * The admin's public key the tests deploy with: the program generates none, and a stack
 * file carries none (each operator sets their own with `pulumi config set adminPublicKey`).
 */
export const TEST_ADMIN_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxu88puL/7zOQ6A8Idls62O0CLoS/GEftu4NwfTibHt test-admin@hpc-stack";

/** An engine config map with the test admin key added, unless it sets one. */
export const withTestAdminKey = (config: Record<string, string>): Record<string, string> =>
    ({ "hpc-stack:adminPublicKey": TEST_ADMIN_PUBLIC_KEY, ...config });

export const ROOT = path.resolve(__dirname, "..");
export const DEV_STACK_FILE = path.join(ROOT, "Pulumi.dev.yaml");

/** Installs fresh mocks and config. Call before importing or calling the program. */
export function installMocks(config: Record<string, string>, project = "hpc-stack", stack = "dev", previousOutputs: Record<string, unknown> = {}): RecordingMocks {
    const mocks = new RecordingMocks(previousOutputs);
    pulumi.runtime.setMocks(mocks, project, stack, false, "organization");
    // Mocks.newResource is not given the resource options; read them off the request.
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: unknown): unknown };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
        // A provider reference is its URN (which ends in its name) and "::" and its id.
        const provider = req.getProvider() ? req.getProvider().split("::").slice(-2)[0] : "";
        mocks.requestOptions.set(`${req.getType()}::${req.getName()}`, { deleteBeforeReplace: req.getDeletebeforereplace(), ignoreChanges: req.getIgnorechangesList(), protect: req.getProtect(), provider });
        return register(req, cb);
    };
    pulumi.runtime.setAllConfig(config);
    return mocks;
}

/**
 * Runs the real index.ts under fresh mocks with the given config and returns its
 * exports. index.ts is re-required each time, since Node runs a module once.
 */
export async function runIndex(config: Record<string, string>, previousOutputs: Record<string, unknown> = {}): Promise<{ mocks: RecordingMocks; outputs: Record<string, unknown> }> {
    const mocks = installMocks(config, "hpc-stack", "dev", previousOutputs);
    const indexPath = require.resolve(path.join(ROOT, "index.ts"));
    delete require.cache[indexPath];
    // As Pulumi's Node.js runtime does with a module that exports a function: call it and await it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(indexPath) as () => Promise<Record<string, unknown>>;
    const outputs = await program();
    await settle(outputs);
    return { mocks, outputs };
}

export function value<T>(o: pulumi.Input<T> | undefined): Promise<T> {
    return new Promise((resolve) => pulumi.output(o as pulumi.Input<T>).apply((v) => { resolve(v as T); return v; }));
}

/** Waits for every Output among the given values, so the mocks have seen every resource. */
export async function settle(values: Record<string, unknown>): Promise<void> {
    await Promise.all(Object.values(values).filter(pulumi.Output.isInstance).map((o) => value(o as pulumi.Output<unknown>)));
    // Drains the RPC queue: resources whose registration is on no output's path are recorded too.
    await pulumi.runtime.disconnect();
}
