import { ResourceValidationPolicy } from "@pulumi/policy";
import { isWildcardAddress } from "./cidr";
import { forTypes } from "./match";
import { viaLabel } from "./decode";
import { payloads } from "./payloads";
import { asArray, asNumber, asRecord, asString, asStrings } from "./props";
import { types } from "./resources";
import { rootSshHazards } from "./sshd";

export const noPasswordRootSshInContainers: ResourceValidationPolicy = {
    name: "no-password-root-ssh-in-containers",
    description:
        "Containers and commands (remote and local) never enable PermitRootLogin yes or PasswordAuthentication yes, " +
        "nor set a root password (SSH is key-only). Reads every script and file they carry, decoded.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([types.container, types.remoteCommand, types.localCommand], (props, args, report) => {
        // A hazard may show through several layers (a quoted and an unquoted view):
        // report it once per field, through the outermost layer that shows it.
        const found = new Map<string, string>();
        for (const p of payloads(args.type, props)) {
            for (const { text, via } of p.carried.texts) {
                for (const what of rootSshHazards(text)) {
                    if (!found.has(`${p.where} ${what}`)) found.set(`${p.where} ${what}`, `${p.where}${viaLabel(via)} ${what}.`);
                }
            }
        }
        found.forEach((m) => report(m));
        // Images commonly read a root password from this variable at start-up.
        for (const env of asStrings(props.envs)) {
            const [key, ...rest] = env.split("=");
            if (/^root_?pass(word)?$/i.test(key.trim()) && rest.join("=") !== "") {
                report(`envs sets ${key.trim()}, a root password.`);
            }
        }
    }),
};

export const containerSshNotPublic: ResourceValidationPolicy = {
    name: "container-ssh-not-public",
    description:
        "A container's published SSH port (internal 22) binds to a specific host address, never all interfaces.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([types.container], (props, _args, report) => {
        asArray(props.ports).forEach((p, i) => {
            const port = asRecord(p);
            if (asNumber(port.internal) !== 22) {
                return;
            }
            const ip = asString(port.ip);
            if (isWildcardAddress(ip)) {
                report(
                    `ports[${i}] publishes SSH on ${ip ? `"${ip}"` : "all interfaces (ip unset)"}; ` +
                        `bind it to 127.0.0.1 or another specific address.`,
                );
            }
        });
    }),
};

export const noPrivilegedContainers: ResourceValidationPolicy = {
    name: "no-privileged-containers",
    description: "Containers do not run privileged; GPUs are passed with gpus/deviceRequests instead.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([types.container], (props, _args, report) => {
        if (props.privileged === true) {
            report("Container runs with privileged: true.");
        }
    }),
};

export const noUnreadablePayloads: ResourceValidationPolicy = {
    name: "no-unreadable-payloads",
    description:
        "What a container or command (remote or local) runs is readable by this pack: every long base64 or hex run in it " +
        "decodes to text (directly, or through gzip or zlib), and no upload copies a local file.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([types.container, types.remoteCommand, types.localCommand], (props, args, report) => {
        // Only what runs: data piped in and files dropped legitimately hold binary keys.
        for (const p of payloads(args.type, props).filter((x) => x.runs)) {
            for (const o of p.carried.opaque) {
                report(`${p.where}${viaLabel(o.via)} carries ${o.what} (${o.chars} characters) that the policies cannot read; ` +
                    "ship scripts as text, or gzip and base64 at most.");
            }
        }
        asArray(props.uploads).forEach((u, i) => {
            const source = asString(asRecord(u).source);
            if (source) report(`uploads[${i}] copies the local file ${source}, which the policies cannot read; use content or contentBase64.`);
        });
    }),
};

export const containerPolicies = [noPasswordRootSshInContainers, noUnreadablePayloads, containerSshNotPublic, noPrivilegedContainers];
