import { types } from "./resources";
import { Props, asArray, asNumber, asRecord, asString, asStrings } from "./props";

/** Protocol families as far as ports are concerned. */
export type Protocol = "all" | "tcp" | "udp" | "icmp" | "other";

/**
 * One ingress rule, whatever shape it was declared in: inline
 * `SecurityGroup.ingress[]`, `SecurityGroupRule` (type "ingress") or
 * `vpc.SecurityGroupIngressRule`. Policies reason about this only.
 */
export interface IngressRule {
    protocol: Protocol;
    fromPort: number;
    toPort: number;
    /** IPv4 and IPv6 CIDR sources. */
    cidrs: string[];
    /** Source security groups (including `self`); these are not address ranges. */
    securityGroupRefs: number;
    /** Prefix-list sources: their contents are not visible to the pack. */
    prefixLists: string[];
    /** Human label for messages, e.g. "ingress[1]". */
    label: string;
}

/** AWS accepts names or IANA numbers, in any case; "-1" and "all" mean every protocol. */
export function normalizeProtocol(raw: unknown): Protocol {
    const p = String(raw ?? "").trim().toLowerCase();
    switch (p) {
        case "-1":
        case "all":
            return "all";
        case "tcp":
        case "6":
            return "tcp";
        case "udp":
        case "17":
            return "udp";
        case "icmp":
        case "1":
        case "icmpv6":
        case "58":
            return "icmp";
        default:
            return "other";
    }
}

/**
 * Port range of a rule. "all" covers 0-65535 regardless of the declared
 * ports (AWS ignores them). A missing bound is read as the widest value,
 * so an incomplete rule is judged as broadly as it could apply.
 */
function portRange(protocol: Protocol, from: unknown, to: unknown): [number, number] {
    if (protocol === "all") {
        return [0, 65535];
    }
    const f = asNumber(from);
    const t = asNumber(to);
    const lo = f === undefined || f < 0 ? 0 : f;
    const hi = t === undefined || t < 0 ? 65535 : t;
    return [lo, hi];
}

function rule(
    label: string,
    protocolRaw: unknown,
    from: unknown,
    to: unknown,
    sources: { cidrs: string[]; securityGroupRefs: number; prefixLists: string[] },
): IngressRule {
    const protocol = normalizeProtocol(protocolRaw);
    const [fromPort, toPort] = portRange(protocol, from, to);
    return { protocol, fromPort, toPort, label, ...sources };
}

// A referenced group's id is usually unknown during preview, and reading an
// unknown prop through the engine's proxy aborts the policy. Only presence
// matters here, so look at the raw property descriptor instead of the value.
function hasValue(obj: Props, key: string): boolean {
    const value: unknown = Object.getOwnPropertyDescriptor(obj, key)?.value;
    return value !== undefined && value !== null && value !== "";
}

/** Extracts every ingress rule a resource declares; [] for anything else. */
export function ingressRules(type: string, props: Props): IngressRule[] {
    switch (type) {
        case types.securityGroup:
            return asArray(props.ingress).map((raw, i) => {
                const r = asRecord(raw);
                return rule(`ingress[${i}]`, r.protocol, r.fromPort, r.toPort, {
                    cidrs: [...asStrings(r.cidrBlocks), ...asStrings(r.ipv6CidrBlocks)],
                    securityGroupRefs: asArray(r.securityGroups).length + (r.self === true ? 1 : 0),
                    prefixLists: asStrings(r.prefixListIds),
                });
            });
        case types.securityGroupRule:
            if (asString(props.type) !== "ingress") {
                return [];
            }
            return [
                rule("rule", props.protocol, props.fromPort, props.toPort, {
                    cidrs: [...asStrings(props.cidrBlocks), ...asStrings(props.ipv6CidrBlocks)],
                    securityGroupRefs:
                        (hasValue(props, "sourceSecurityGroupId") ? 1 : 0) + (props.self === true ? 1 : 0),
                    prefixLists: asStrings(props.prefixListIds),
                }),
            ];
        case types.securityGroupIngressRule: {
            const cidrs = [asString(props.cidrIpv4), asString(props.cidrIpv6)].filter(
                (c): c is string => c !== undefined && c !== "",
            );
            const prefixList = asString(props.prefixListId);
            return [
                rule("rule", props.ipProtocol, props.fromPort, props.toPort, {
                    cidrs,
                    securityGroupRefs: hasValue(props, "referencedSecurityGroupId") ? 1 : 0,
                    prefixLists: prefixList ? [prefixList] : [],
                }),
            ];
        }
        default:
            return [];
    }
}

/** True when the rule admits TCP traffic to `port`. */
export function coversTcpPort(r: IngressRule, port: number): boolean {
    return (r.protocol === "all" || r.protocol === "tcp") && r.fromPort <= port && port <= r.toPort;
}

/**
 * True when the rule opens some port other than TCP 22. ICMP and
 * port-less protocols (GRE, ESP, ...) have no ports and are out of scope.
 */
export function opensPortsOtherThanSsh(r: IngressRule): boolean {
    switch (r.protocol) {
        case "all":
            return true;
        case "tcp":
            return !(r.fromPort === 22 && r.toPort === 22);
        case "udp":
            return true;
        default:
            return false;
    }
}

/** The types whose ingress the network policies inspect. */
export const ingressTypes = [types.securityGroup, types.securityGroupRule, types.securityGroupIngressRule];

export function describePorts(r: IngressRule): string {
    if (r.protocol === "all") {
        return "all traffic";
    }
    const ports = r.fromPort === r.toPort ? `${r.fromPort}` : `${r.fromPort}-${r.toPort}`;
    return `${r.protocol} ${ports}`;
}
