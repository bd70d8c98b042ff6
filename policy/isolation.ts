// Container isolation: what makes a container as good as privileged without
// saying `privileged: true` (see containers.ts for that one). Each is a way
// out to the host: its namespaces, a capability that is root in disguise, a
// mount of the host's own files or of the Docker engine, a security profile
// turned off, or a raw disk.
import { PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { hostPathExposure, isBlockDevice, normalisePath } from "./hostPaths";
import { forTypes } from "./match";
import { Props, asArray, asRecord, asString, asStrings } from "./props";
import { types } from "./resources";

/** A config key that names allowed exceptions, by name; none by default. */
function exceptions(key: string, description: string): {
    configSchema: PolicyConfigSchema;
    read: (args: ResourceValidationArgs) => string[];
} {
    return {
        configSchema: { properties: { [key]: { type: "array", items: { type: "string" }, default: [], description } } },
        read: (args) => asStrings(args.getConfig<Record<string, unknown>>()[key]),
    };
}

// usernsMode "host" opts out of the daemon's userns-remap, so the container's root is
// the host's root; cgroupnsMode "host" shows it the host's whole cgroup tree.
const HOST_NAMESPACES = [["networkMode", "network"], ["pidMode", "process"], ["ipcMode", "IPC"],
    ["usernsMode", "user"], ["cgroupnsMode", "cgroup"]] as const;

export const noHostNamespaces: ResourceValidationPolicy = {
    name: "no-host-namespaces",
    description: "Containers do not share the host's network, process, IPC, user or cgroup namespace (networkMode, pidMode, ipcMode, usernsMode or cgroupnsMode \"host\").",
    enforcementLevel: "mandatory",
    validateResource: forTypes([types.container], (props, _args, report) => {
        for (const [key, what] of HOST_NAMESPACES) {
            if ((asString(props[key]) ?? "").trim().toLowerCase() === "host") {
                report(`${key} "host" shares the host's ${what} namespace.`);
            }
        }
    }),
};

/**
 * Capabilities that amount to root on the host: mounts and namespaces, the host's
 * network stack, other processes' memory, kernel modules, every file's contents
 * (open_by_handle_at escapes), or every capability at once.
 */
export const FORBIDDEN_CAPABILITIES = ["SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "ALL"];
const capabilityName = (c: string) => c.trim().toUpperCase().replace(/^CAP_/, "");
const allowedCapabilities = exceptions("allowedCapabilities",
    "Capabilities from the forbidden list that containers may add anyway: ROLE:CAP for the containers labelled hpc-stack.role=ROLE only, or CAP for every container.");
/** The label that names a container's role (compute, home-server, dcgm-exporter). */
export const ROLE_LABEL = "hpc-stack.role";

/** A container's role, from its labels ([{label, value}] or a map). */
function roleOf(props: Props): string | undefined {
    const labels = props.labels;
    if (Array.isArray(labels)) return asString(asArray(labels).map(asRecord).find((l) => l.label === ROLE_LABEL)?.value);
    return asString(asRecord(labels)[ROLE_LABEL]);
}

/** Whether an exception ("CAP" or "ROLE:CAP") lets a container of this role add this capability. */
function allows(exception: string, role: string | undefined, name: string): boolean {
    const i = exception.indexOf(":");
    if (i < 0) return capabilityName(exception) === name;
    return exception.slice(0, i).trim() === role && capabilityName(exception.slice(i + 1)) === name;
}

export const noDangerousCapabilities: ResourceValidationPolicy = {
    name: "no-dangerous-capabilities",
    description: `Containers add none of ${FORBIDDEN_CAPABILITIES.join(", ")} (with or without CAP_, any case) unless allowedCapabilities names it, for their role (${ROLE_LABEL}) or for all.`,
    enforcementLevel: "mandatory",
    configSchema: allowedCapabilities.configSchema,
    validateResource: forTypes([types.container], (props, args, report) => {
        const exceptions = allowedCapabilities.read(args);
        const role = roleOf(props);
        for (const cap of asStrings(asRecord(props.capabilities).adds)) {
            const name = capabilityName(cap);
            if (FORBIDDEN_CAPABILITIES.includes(name) && !exceptions.some((e) => allows(e, role, name))) {
                report(`capabilities.adds has ${cap}, which is as good as privileged${role ? ` (role ${role})` : ""}.`);
            }
        }
    }),
};

/**
 * A policy over the host paths a container is given: each, normalised, is judged
 * by `problem` unless the pack config lists it under `configKey`.
 */
function hostPathPolicy(o: {
    name: string; description: string; configKey: string; configDescription: string;
    paths: (props: Props) => [string, string][];
    problem: (path: string) => string | undefined;
}): ResourceValidationPolicy {
    const allowed = exceptions(o.configKey, o.configDescription);
    return {
        name: o.name,
        description: o.description,
        enforcementLevel: "mandatory",
        configSchema: allowed.configSchema,
        validateResource: forTypes([types.container], (props, args, report) => {
            const exempt = new Set(allowed.read(args).map(normalisePath));
            for (const [where, raw] of o.paths(props)) {
                const path = normalisePath(raw);
                const problem = o.problem(path);
                if (problem && !exempt.has(path)) report(`${where} ${problem}`);
            }
        }),
    };
}

/** Host paths from `list[i][key]`, labelled `<field>[i]<suffix>`. */
function pathsIn(props: Props, field: string, key: string, keep: (entry: Props) => boolean = () => true): [string, string][] {
    return asArray(props[field]).flatMap((e, i): [string, string][] => {
        const entry = asRecord(e);
        const path = asString(entry[key]);
        return path && keep(entry) ? [[`${field}[${i}].${key}`, path]] : [];
    });
}

export const noSensitiveHostMounts = hostPathPolicy({
    name: "no-sensitive-host-mounts",
    description:
        "Containers mount neither the Docker socket nor the host's /, /etc, /proc, /sys, /dev, /boot, /root, " +
        "/var/lib/docker or /run/containerd, nor a path under or above one, unless allowedHostPaths names it.",
    configKey: "allowedHostPaths",
    configDescription: "Host paths (normalised, exact) that containers may mount anyway.",
    // volumes[].hostPath, and mounts[].source of bind mounts (a volume mount's source is a volume's name).
    paths: (props) => [
        ...pathsIn(props, "volumes", "hostPath"),
        ...pathsIn(props, "mounts", "source", (m) => (asString(m.type) ?? "").toLowerCase() === "bind"),
    ],
    problem: (path) => {
        const exposure = hostPathExposure(path);
        return exposure && `mounts the host's ${path}, which ${exposure}.`;
    },
});

// Docker takes both "=" and ":" (the older form), in any case.
const UNCONFINED = /^(?:(?:seccomp|apparmor|systempaths)\s*[=:]\s*unconfined|label\s*[=:]\s*disable)$/i;

export const noUnconfinedSecurityProfiles: ResourceValidationPolicy = {
    name: "no-unconfined-security-profiles",
    description:
        "Containers keep Docker's seccomp and AppArmor profiles, SELinux labels and masked /proc paths " +
        "(no securityOpts seccomp, apparmor or systempaths unconfined, or label disable).",
    enforcementLevel: "mandatory",
    validateResource: forTypes([types.container], (props, _args, report) => {
        for (const opt of asStrings(props.securityOpts)) {
            if (UNCONFINED.test(opt.trim())) report(`securityOpts has "${opt}", which turns a confinement off.`);
        }
    }),
};

export const noHostBlockDevices = hostPathPolicy({
    name: "no-host-block-devices",
    description:
        "Containers are given no host block device (devices[].hostPath such as /dev/sd*, /dev/nvme*, /dev/loop*, " +
        "/dev/mapper/*) unless allowedDevices names it. Character devices such as the GPUs (/dev/nvidia*) pass.",
    configKey: "allowedDevices",
    configDescription: "Host block devices (normalised, exact) that containers may be given anyway.",
    paths: (props) => pathsIn(props, "devices", "hostPath"),
    problem: (path) => (isBlockDevice(path) ? `gives the container the host's block device ${path}: raw access to a disk.` : undefined),
});

export const isolationPolicies = [
    noHostNamespaces, noDangerousCapabilities, noSensitiveHostMounts, noUnconfinedSecurityProfiles, noHostBlockDevices,
];
