// What a command or an upload carries, decoded, so the text checks read the
// script a host really runs. The program ships each bootstrap step gzipped and
// base64-encoded inside remote.Command.create (see the repository's
// components/plan/steps/steps.ts), and a pull request may choose any other wrapping.
// The pack is published on its own and cannot import the program's encoder, so
// it decodes by shape: base64 and hex runs, gzip and zlib streams, shell quoting,
// layer after layer. A long run that decodes to nothing it can read is reported
// as opaque, so a payload the pack cannot open fails closed instead of passing.
import { gunzipSync, inflateSync } from "zlib";

/** A text found in a payload; `via` names the layers peeled off to reach it, outermost first. */
export interface CarriedText { text: string; via: string[] }

/** A run that decodes to neither text nor a stream the pack can open. */
export interface Opaque { via: string[]; what: string; chars: number }

export interface Carried { texts: CarriedText[]; opaque: Opaque[] }

/** A run at least this long that cannot be read is opaque. An ed25519 public key is 68. */
export const OPAQUE_MIN_CHARS = 128;
/** Layers peeled at most (the program uses two: base64, gzip). */
const MAX_DEPTH = 6;
/** Inflating stops here: a larger stream is opaque rather than a memory bomb. */
const MAX_INFLATED = 64 * 1024 * 1024;

/** Runs tried as base64 or hex: 16 characters or more, i.e. 12 bytes of text such as `echo 'root:x'`. */
const RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
/** A line of wrapped base64 (as `base64` or PEM writes it): standard alphabet, padding only at the end. */
const RUN_LINE = /^[A-Za-z0-9+/]+={0,2}$/;

/** Streams the pack cannot open: named, so the message says what to change. */
const SEALED: [number[], string][] = [
    [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "an xz stream"],
    [[0x42, 0x5a, 0x68], "a bzip2 stream"],
    [[0x28, 0xb5, 0x2f, 0xfd], "a zstd stream"],
    [[0x04, 0x22, 0x4d, 0x18], "an lz4 stream"],
    [[0x50, 0x4b, 0x03, 0x04], "a zip archive"],
    [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], "a 7z archive"],
];

const startsWith = (b: Buffer, magic: number[]) => magic.every((x, i) => b[i] === x);

/** gzip (magic 1f 8b) or zlib (78, header checksum): the streams Node inflates without a dependency. */
function streamKind(b: Buffer): "gzip" | "zlib" | undefined {
    if (b.length < 2) return undefined;
    if (b[0] === 0x1f && b[1] === 0x8b) return "gzip";
    return b[0] === 0x78 && b.readUInt16BE(0) % 31 === 0 ? "zlib" : undefined;
}

/** UTF-8 that is at least 95% printable, or undefined. */
function asText(b: Buffer): string | undefined {
    let s: string;
    try {
        s = new TextDecoder("utf-8", { fatal: true }).decode(b);
    } catch {
        return undefined;
    }
    if (s.length < 4) {
        return undefined;
    }
    const printable = s.match(/[\t\n\r\x20-\x7e\u00a0-\uffff]/g)?.length ?? 0;
    return printable >= 0.95 * s.length ? s : undefined;
}

/** An OpenSSH public key blob (`ssh-ed25519 AAAA…`): binary, but nothing to run. */
function isSshKeyBlob(b: Buffer): boolean {
    return b.length > 8 && b.readUInt32BE(0) < 32 && b.subarray(4, 4 + b.readUInt32BE(0)).toString("latin1").startsWith("ssh-");
}

/**
 * Runs of base64 or hex, and base64 wrapped over lines as `base64` writes it: lines
 * of one length (40 or more), then a shorter last line that completes a quantum.
 */
function runsIn(text: string): string[] {
    const runs: string[] = text.match(RUN) ?? [];
    let block: string[] = [];
    const flush = () => {
        if (block.length > 1) runs.push(block.join(""));
        block = [];
    };
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        const width = block[0]?.length ?? 0;
        const open = block.length > 0 && block[block.length - 1].length === width;
        if (!RUN_LINE.test(line)) {
            flush();
        } else if (open && line.length === width) {
            block.push(line);
        } else if (open && line.length < width && (block.join("") + line).length % 4 === 0) {
            block.push(line);
            flush();
        } else {
            flush();
            if (line.length >= 40) block.push(line);
        }
    }
    flush();
    return runs;
}

/** Bytes a run may encode: hex if it is all hex, base64 if it mixes cases like base64 does; else nothing. */
function decodeRun(run: string): { bytes: Buffer; encoding: string } | undefined {
    if (/^(?:[0-9a-f]{2})+$/i.test(run)) {
        return { bytes: Buffer.from(run, "hex"), encoding: "hex" };
    }
    if (/[a-z]/.test(run) && /[A-Z]/.test(run)) {
        return { bytes: Buffer.from(run, "base64"), encoding: "base64" };
    }
    return undefined;
}

/** Shell quoting undone where it hides text: `'\''`, `'"'"'`, `$'\x72…'` and `\` line continuations. */
export function unquoteShell(text: string): string {
    return text
        .replace(/'\\''|'"'"'/g, "'")
        .replace(/\\\n/g, " ")
        .replace(/\$'((?:[^'\\]|\\.)*)'/g, (_, body: string) =>
            body.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
                if (e[0] === "x") return String.fromCharCode(parseInt(e.slice(1), 16));
                if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
                return ({ n: "\n", t: "\t", r: "\r" } as Record<string, string>)[e] ?? e;
            }));
}

class Peeler {
    readonly out: Carried = { texts: [], opaque: [] };
    private readonly seen = new Set<string>();

    text(text: string, via: string[]): void {
        if (this.seen.has(text) || via.length > MAX_DEPTH) return;
        this.seen.add(text);
        this.out.texts.push({ text, via });
        const unquoted = unquoteShell(text);
        if (unquoted !== text) this.text(unquoted, [...via, "shell quoting"]);
        for (const run of runsIn(text)) {
            const decoded = decodeRun(run);
            if (decoded) this.bytes(decoded.bytes, [...via, decoded.encoding], run.length);
        }
    }

    /** `chars`: the length of the run the bytes came from, which decides whether unreadable bytes are opaque. */
    bytes(b: Buffer, via: string[], chars: number): void {
        const opaque = (what: string) => {
            if (chars >= OPAQUE_MIN_CHARS) this.out.opaque.push({ via, what, chars });
        };
        const sealed = SEALED.find(([magic]) => startsWith(b, magic));
        if (sealed) return opaque(sealed[1]);
        const stream = streamKind(b);
        if (stream) {
            try {
                const inflated = (stream === "gzip" ? gunzipSync : inflateSync)(b, { maxOutputLength: MAX_INFLATED });
                return this.bytes(inflated, [...via, stream], Math.max(chars, OPAQUE_MIN_CHARS));
            } catch {
                if (stream === "gzip") return opaque("a gzip stream that does not inflate");
            }
        }
        const text = asText(b);
        if (text !== undefined) return this.text(text, via);
        if (!isSshKeyBlob(b)) opaque("binary data");
    }
}

/** `text` itself and every text decoded from it, with the runs that could not be read. */
export function carriedTexts(text: string): Carried {
    const p = new Peeler();
    p.text(text, []);
    return p.out;
}

/** The same for bytes that are already decoded one layer, e.g. an upload's `contentBase64`. */
export function carriedBytes(bytes: Buffer, via: string[]): Carried {
    const p = new Peeler();
    p.bytes(bytes, via, bytes.length);
    return p.out;
}

/** " [base64 → gzip]" for messages; "" for a text read as it is. */
export function viaLabel(via: string[]): string {
    return via.length ? ` [${via.join(" → ")}]` : "";
}
