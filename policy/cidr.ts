import * as ipaddr from "ipaddr.js";

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses "a.b.c.d/n" or "x::/n"; undefined for anything else (a bad CIDR is never trusted). */
export function parseCidr(text: string): Cidr | undefined {
    try {
        return ipaddr.parseCIDR(text.trim());
    } catch {
        return undefined;
    }
}

/**
 * A /0 of either family is "the whole internet". Checking the prefix length,
 * not the literal string, also catches spellings like "0.0.0.0/00" or "1.2.3.4/0".
 */
export function isWorld(text: string): boolean {
    const c = parseCidr(text);
    return c !== undefined && c[1] === 0;
}

/** True when every address of `inner` lies inside `outer` (same address family only). */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
    const [innerAddr, innerBits] = inner;
    const [outerAddr, outerBits] = outer;
    if (innerAddr.kind() !== outerAddr.kind() || innerBits < outerBits) {
        return false;
    }
    return innerAddr.match(outer);
}

/** True when `text` is a CIDR contained in one of `trusted`; a /0 is never trusted. */
export function isTrustedCidr(text: string, trusted: readonly string[]): boolean {
    const c = parseCidr(text);
    if (!c || c[1] === 0) {
        return false;
    }
    return trusted.some((t) => {
        const outer = parseCidr(t);
        return outer !== undefined && cidrWithin(c, outer);
    });
}

/**
 * True when a host bind address listens on every interface: unset, empty,
 * 0.0.0.0, :: (in any spelling) - Docker's defaults for a published port.
 */
export function isWildcardAddress(ip: string | undefined): boolean {
    const text = (ip ?? "").trim().replace(/^\[(.*)\]$/, "$1");
    if (text === "") {
        return true;
    }
    if (!ipaddr.isValid(text)) {
        // Not an address Docker would accept; don't treat it as a safe binding.
        return true;
    }
    return ipaddr.parse(text).range() === "unspecified";
}
