import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { GeneratedName } from "./generated";
import { BootstrapStep, orderSteps, stepCommand, StepHost, stepStdin } from "./steps";

export interface BootstrapArgs {
    /** The plan's steps, in any order; dependsOn is honoured. */
    steps: BootstrapStep[];
    /** SSH connection for each host; the controller's goes through the bastion (proxy). */
    connections: Record<StepHost, command.types.input.remote.ConnectionArgs>;
    /** Generated values, by name. */
    generated: (n: GeneratedName) => pulumi.Output<string>;
}

/**
 * Runs the plan's bootstrap steps with command.remote.Command. The command string
 * carries the whole program, so a changed file or script replaces (re-runs) the
 * step; triggers add the generated values, so a rotated secret re-runs it too.
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
                connection: args.connections[step.host],
                create: stepCommand(step),
                stdin,
                triggers: stdin ? [stdin] : undefined,
            }, { parent: this, dependsOn: step.dependsOn.map((d) => this.commands[d]) });
        }
        this.registerOutputs({});
    }
}
