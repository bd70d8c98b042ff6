import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { BootstrapStep, GeneratedName, hostKeyNames, orderSteps, pinnedHosts, stepCommand, StepHost, stepReview, stepStdin } from "../../plan/steps";

type Connection = command.types.input.remote.ConnectionArgs;

export interface BootstrapArgs {
    /** The plan's steps, in any order; dependsOn is honoured. */
    steps: BootstrapStep[];
    /** How to reach each host directly; controller steps go through the bastion's connection. */
    connections: Record<StepHost, Omit<Connection, "proxy" | "hostKey">>;
    /** Generated values, by name. */
    generated: (n: GeneratedName) => pulumi.Output<string>;
    /**
     * Each host's instance id. A replaced host keeps its address (the bastion's EIP,
     * the controller's fixed IP), so only its id tells the steps to run again.
     */
    hostIds: Record<StepHost, pulumi.Input<string>>;
}

/**
 * Runs the plan's bootstrap steps with command.remote.Command. The command string
 * carries the whole program, gzipped, and stdin the generated values: a change to
 * either runs the step again (remote.Command runs `create` again when `update` is
 * unset), so a changed file or script, or a rotated secret, re-runs it. Triggers
 * replace (re-run) the step when its host is replaced (its instance id), and carry
 * the step's review (stepReview.ts: its scripts, env and files as readable texts),
 * which changes exactly when the program does, so that `pulumi preview --diff` shows
 * a changed line as that line rather than one base64 string for another. Nothing
 * secret may join the triggers: the engine marks a whole array secret when any
 * element is, and the review would show as [secret].
 * Once a host's generated key is installed, later steps pin it (hostKey), so only
 * the step installing it meets the host's first-boot key unverified.
 */
export class Bootstrap extends pulumi.ComponentResource {
    public readonly commands: Record<string, command.remote.Command> = {};

    constructor(name: string, args: BootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hpc-stack:bootstrap:Bootstrap", name, {}, opts);
        for (const step of orderSteps(args.steps)) {
            const values = pulumi.all(Object.fromEntries(step.generated.map((n) => [n, args.generated(n)])));
            const stdin = step.generated.length
                ? pulumi.secret(values.apply((v) => stepStdin(step, v as Record<string, string>)))
                : undefined;
            this.commands[step.id] = new command.remote.Command(`${name}-${step.id}`, {
                connection: connectionFor(step.host, pinnedHosts(args.steps, step), args),
                create: stepCommand(step),
                stdin,
                triggers: [args.hostIds[step.host], stepReview(step)],
            }, { parent: this, dependsOn: step.dependsOn.map((d) => this.commands[d]) });
        }
        this.registerOutputs({});
    }
}

function connectionFor(host: StepHost, pinned: StepHost[], args: BootstrapArgs): Connection {
    const to = (h: StepHost) => ({
        ...args.connections[h],
        ...(pinned.includes(h) ? { hostKey: args.generated(hostKeyNames(h).publicKey) } : {}),
    });
    return host === "bastion" ? to("bastion") : { ...to("controller"), proxy: to("bastion") };
}
