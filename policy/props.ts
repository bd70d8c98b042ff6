// Narrowing helpers for policy props. The engine hands policies
// `Record<string, any>`; going through `unknown` keeps the checks honest
// about what a malformed or partially-known input can look like.

export type Props = Record<string, unknown>;

export function isRecord(v: unknown): v is Props {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function asRecord(v: unknown): Props {
    return isRecord(v) ? v : {};
}

export function asArray(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}

export function asStrings(v: unknown): string[] {
    return asArray(v).filter((x): x is string => typeof x === "string");
}

export function asString(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}

/** Numbers may arrive as strings from some serialisations; accept both. */
export function asNumber(v: unknown): number | undefined {
    if (typeof v === "number" && Number.isFinite(v)) {
        return v;
    }
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) {
        return Number(v);
    }
    return undefined;
}

/** The string tags of a resource (`tags` input, or `tagsAll` output as a fallback). */
export function tagsOf(props: Props): Record<string, string> {
    const raw = isRecord(props.tags) ? props.tags : asRecord(props.tagsAll);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) {
        if (typeof v === "string") {
            out[k] = v;
        }
    }
    return out;
}

/** Controller instances are recognised by their `Role` tag (see components/pulumi/hosts/controller.ts). */
export function isController(props: Props): boolean {
    return (tagsOf(props).Role ?? "").trim().toLowerCase() === "controller";
}
