// hpc-stack: read and validate the stack config, declare the cluster, export its outputs.
import { deploy } from "./components/deploy";
import { tuneStackTraces } from "./components/runtimeTuning";
import { readStackConfig } from "./components/stackConfig";

tuneStackTraces();

const out = deploy(readStackConfig());

export const vpcId = out.vpcId;
export const publicSubnetId = out.publicSubnetId;
export const privateSubnetId = out.privateSubnetId;
export const bastionPublicIp = out.bastionPublicIp;
export const controllerPrivateIp = out.controllerPrivateIp;
export const natPublicIp = out.natPublicIp;
export const sshConfig = out.sshConfig;
export const knownHosts = out.knownHosts;
export const clusterName = out.clusterName;
export const partitions = out.partitions;
export const adminPrivateKey = out.adminPrivateKey;
