// Pure CIDR helpers on top of ipaddr.js. Ranges are compared as [first, last]
// bigints so that IPv4 and IPv6 share one code path.
import * as ipaddr from "ipaddr.js";

export interface ParsedCidr {
    cidr: string;
    kind: "ipv4" | "ipv6";
    prefix: number;
    first: bigint;
    last: bigint;
}

function toBigInt(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
    return addr.toByteArray().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** Parses a CIDR, rejecting host bits, so that "10.0.1.5/24" is an error, not a silent /24. */
export function parseCidr(cidr: string): ParsedCidr {
    if (typeof cidr !== "string" || !cidr.includes("/")) {
        throw new Error("is not a CIDR block (expected address/prefix, e.g. 10.0.0.0/16)");
    }
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
        parsed = ipaddr.parseCIDR(cidr);
    } catch {
        throw new Error("is not a valid CIDR block");
    }
    const [addr, prefix] = parsed;
    const kind = addr.kind();
    const bits = kind === "ipv4" ? 32 : 128;
    const value = toBigInt(addr);
    const hostMask = (1n << BigInt(bits - prefix)) - 1n;
    if ((value & hostMask) !== 0n) {
        const network = kind === "ipv4"
            ? ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()
            : ipaddr.IPv6.networkAddressFromCIDR(cidr).toString();
        throw new Error(`has host bits set (did you mean ${network}/${prefix}?)`);
    }
    return { cidr, kind, prefix, first: value, last: value | hostMask };
}

export function contains(outer: ParsedCidr, inner: ParsedCidr): boolean {
    return outer.kind === inner.kind && outer.first <= inner.first && inner.last <= outer.last;
}

export function overlaps(a: ParsedCidr, b: ParsedCidr): boolean {
    return a.kind === b.kind && a.first <= b.last && b.first <= a.last;
}

export function isWorld(c: ParsedCidr): boolean {
    return c.first === 0n && c.last === (c.kind === "ipv4" ? (1n << 32n) - 1n : (1n << 128n) - 1n);
}

/** The n-th address of an IPv4 block, e.g. hostAddress("10.0.1.0/24", 10) = "10.0.1.10". */
export function hostAddress(cidr: string, n: number): string {
    const c = parseCidr(cidr);
    const v = c.first + BigInt(n);
    if (c.kind !== "ipv4" || v > c.last) {
        throw new Error(`address #${n} is outside ${cidr}`);
    }
    return [24n, 16n, 8n, 0n].map((s) => ((v >> s) & 255n).toString()).join(".");
}
