import { EnforcementLevel, Policies } from "@pulumi/policy";
import { computePolicies } from "./compute";
import { containerPolicies } from "./containers";
import { isolationPolicies } from "./isolation";
import { networkPolicies } from "./network";
import { taggingPolicies } from "./tagging";

// Every policy sets its own level; this default only matters for a policy added
// without one, and failing closed makes that omission visible.
export const packEnforcementLevel: EnforcementLevel = "mandatory";

// One array per area (awsguard style). Tests import this module, never ./index.
export const policies: Policies = [...computePolicies, ...networkPolicies, ...containerPolicies, ...isolationPolicies, ...taggingPolicies];
