// hpc-stack: read and validate the stack config, declare the cluster, export its outputs.
// The program is async (Pulumi awaits an exported function): compute nodes are
// declared in batches, see components/batches.ts. The outputs are ClusterOutputs,
// the contract other teams read (components/deploy.ts).
import { ClusterOutputs, deploy } from "./components/deploy";
import { tuneStackTraces } from "./components/runtimeTuning";
import { readStackConfig } from "./components/stackConfig";

export = async (): Promise<ClusterOutputs> => {
    tuneStackTraces();
    return deploy(readStackConfig());
};
