import { ResourceValidationPolicy } from "@pulumi/policy";
import { isWildcardAddress } from "./cidr";
import { forTypes } from "./match";
import { Props, asArray, asNumber, asRecord, asString, asStrings } from "./props";
import { types } from "./resources";
import { rootSshHazards } from "./sshd";

/** Every text a container or remote command can run or drop on disk, labelled for messages. */
function scannedTexts(type: string, props: Props): [string, string][] {
    if (type === types.remoteCommand) {
        return (["create", "update", "delete", "stdin"] as const)
            .map((k): [string, string] => [k, asString(props[k]) ?? ""])
            .filter(([, t]) => t !== "");
    }
    const texts: [string, string][] = [
        ["command", asStrings(props.command).join(" ")],
        ["entrypoints", asStrings(props.entrypoints).join(" ")],
        // "K=V": the value may carry sshd flags or a script.
        ...asStrings(props.envs).map((e, i): [string, string] => [`envs[${i}]`, e]),
    ];
    asArray(props.uploads).forEach((u, i) => {
        const up = asRecord(u);
        const label = `uploads[${i}] (${String(up.file)})`;
        texts.push([label, asString(up.content) ?? ""]);
        const b64 = asString(up.contentBase64);
        if (b64) {
            texts.push([label, Buffer.from(b64, "base64").toString("utf8")]);
        }
    });
    return texts.filter(([, t]) => t !== "");
}

export const noPasswordRootSshInContainers: ResourceValidationPolicy = {
    name: "no-password-root-ssh-in-containers",
    description:
        "Containers and remote commands never enable PermitRootLogin yes or PasswordAuthentication yes, " +
        "nor set a root password (SSH is key-only).",
    enforcementLevel: "mandatory",
    validateResource: forTypes([types.container, types.remoteCommand], (props, args, report) => {
        for (const [where, text] of scannedTexts(args.type, props)) {
            for (const what of rootSshHazards(text)) {
                report(`${where} ${what}.`);
            }
        }
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

export const containerPolicies = [noPasswordRootSshInContainers, containerSshNotPublic, noPrivilegedContainers];
