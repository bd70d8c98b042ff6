// hpc-stack: read and validate the stack config, declare the cluster, export its outputs.
// The program is async (Pulumi awaits an exported function): compute nodes are
// declared in batches, see components/batches.ts.
import { ClusterOutputs, deploy } from "./components/deploy";
import { tuneStackTraces } from "./components/runtimeTuning";
import { readStackConfig } from "./components/stackConfig";

export = async (): Promise<ClusterOutputs> => {
    tuneStackTraces();
    const out = await deploy(readStackConfig());
    // Named one by one: these are the stack outputs other teams read.
    return {
        vpcId: out.vpcId,
        publicSubnetId: out.publicSubnetId,
        privateSubnetId: out.privateSubnetId,
        bastionPublicIp: out.bastionPublicIp,
        controllerPrivateIp: out.controllerPrivateIp,
        natPublicIp: out.natPublicIp,
        sshConfig: out.sshConfig,
        knownHosts: out.knownHosts,
        clusterName: out.clusterName,
        partitions: out.partitions,
        adminPrivateKey: out.adminPrivateKey,
    };
};
