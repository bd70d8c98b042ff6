// What a container or a remote command runs or drops on disk, as the text
// checks read it: every field that carries a script or a file, then everything
// decoded from it (decode.ts).
import { Carried, carriedBytes, carriedTexts } from "./decode";
import { Props, asArray, asRecord, asString, asStrings, isRecord } from "./props";
import { types } from "./resources";

/** One field's text. `runs`: the field is executed as a command (not data piped in or a file dropped). */
export interface Payload { where: string; runs: boolean; carried: Carried }

const text = (where: string, runs: boolean, t: string): Payload[] => (t === "" ? [] : [{ where, runs, carried: carriedTexts(t) }]);

function commandPayloads(props: Props): Payload[] {
    const env = isRecord(props.environment) ? Object.entries(props.environment) : [];
    return [
        ...(["create", "update", "delete"] as const).flatMap((k) => text(k, true, asString(props[k]) ?? "")),
        // Generated values, "NAME BASE64" per line (a host key decodes to text, the munge key to bytes).
        ...text("stdin", false, asString(props.stdin) ?? ""),
        ...env.flatMap(([k, v]) => text(`environment.${k}`, false, asString(v) ?? "")),
    ];
}

function containerPayloads(props: Props): Payload[] {
    const out = [
        ...text("command", true, asStrings(props.command).join(" ")),
        ...text("entrypoints", true, asStrings(props.entrypoints).join(" ")),
        ...text("healthcheck.tests", true, asStrings(asRecord(props.healthcheck).tests).join(" ")),
        // "K=V": the value may carry sshd flags or a script.
        ...asStrings(props.envs).flatMap((e, i) => text(`envs[${i}]`, false, e)),
    ];
    asArray(props.uploads).forEach((u, i) => {
        const up = asRecord(u);
        const where = `uploads[${i}] (${String(up.file)})`;
        out.push(...text(where, false, asString(up.content) ?? ""));
        const b64 = asString(up.contentBase64);
        if (b64) out.push({ where, runs: false, carried: carriedBytes(Buffer.from(b64, "base64"), ["base64"]) });
    });
    return out;
}

/** Every payload of a docker.Container or a command (remote or local: the same fields). */
export function payloads(type: string, props: Props): Payload[] {
    return type === types.remoteCommand || type === types.localCommand ? commandPayloads(props) : containerPayloads(props);
}
