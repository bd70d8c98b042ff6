// Images are tagged by content: a tag changes exactly when something that makes the image does.
import { createHash } from "crypto";

/** 12 hex digits of sha256 over seed, then each file's name and content, "\0"-separated. */
export function contentHash(seed: string, files: [name: string, content: string | Buffer][]): string {
    const h = createHash("sha256").update(seed);
    for (const [name, content] of files) h.update(name).update("\0").update(content).update("\0");
    return h.digest("hex").slice(0, 12);
}
