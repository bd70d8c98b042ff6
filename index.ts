// hpc-stack: read and validate the stack config, declare the cluster, export its outputs.
// The program is async (Pulumi awaits an exported function): compute nodes are
// declared in batches, see components/plan/compute/batches.ts. The outputs are ClusterOutputs,
// the contract other teams read (components/pulumi/deploy.ts).
import { ClusterOutputs, deploy } from "./components/pulumi/deploy";
import { readEngineConfig, tuneStackTraces } from "./components/pulumi/stack";

export = async (): Promise<ClusterOutputs> => {
    tuneStackTraces();
    return deploy(readEngineConfig());
};
