import { PolicyPack } from "@pulumi/policy";
import { packEnforcementLevel, policies } from "./policies";

// Entry point for `pulumi preview --policy-pack policy`. Starting a PolicyPack
// serves gRPC and reads ./package.json, so nothing imports this file; tests
// exercise ./policies directly.
new PolicyPack("hpc-stack", { policies, enforcementLevel: packEnforcementLevel });
