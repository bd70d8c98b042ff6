import * as assert from "assert";
import { policies } from "../../policy/policies";
import { Props, checkResource, findPolicy } from "./util";

const CONTAINER = "docker:index/container:Container";

/** A compute container as computeNodes.ts gives one, but for SYS_PTRACE (allowed only by name, see policy-config.example.json): SYS_NICE and GPUs by request. */
function compute(overrides: Props = {}): Props {
    return {
        name: "compute2",
        image: "hpc-stack/compute:abc",
        capabilities: { adds: ["SYS_NICE"] },
        deviceRequests: [{ driver: "nvidia", count: 2, capabilities: ["gpu"] }],
        networksAdvanced: [{ name: "slurm_network", aliases: ["compute2"] }],
        ...overrides,
    };
}

/** Runs one policy on each variant; returns the number of violations of each. */
async function counts(name: string, variants: Props[], config?: Record<string, unknown>): Promise<number[]> {
    const policy = findPolicy(policies, name);
    return Promise.all(variants.map(async (v) => (await checkResource(policy, CONTAINER, compute(v), { config })).length));
}

describe("policy: container isolation", () => {
    describe("no-host-namespaces", () => {
        it("accepts the compute container, bridge and container: network modes", async () => {
            assert.deepStrictEqual(await counts("no-host-namespaces", [{}, { networkMode: "bridge" }, { networkMode: "container:x", ipcMode: "private", pidMode: "", cgroupnsMode: "private" }]), [0, 0, 0]);
        });

        it("rejects the host's network, PID or IPC namespace", async () => {
            assert.deepStrictEqual(await counts("no-host-namespaces", [{ networkMode: "host" }, { pidMode: "host" }, { ipcMode: " HOST " }, { usernsMode: "host" }, { cgroupnsMode: "host" }]), [1, 1, 1, 1, 1]);
            const all = await checkResource(findPolicy(policies, "no-host-namespaces"), CONTAINER, compute({ networkMode: "host", pidMode: "host", ipcMode: "host" }));
            assert.deepStrictEqual(all, [
                'networkMode "host" shares the host\'s network namespace.',
                'pidMode "host" shares the host\'s process namespace.',
                'ipcMode "host" shares the host\'s IPC namespace.',
            ]);
        });
    });

    describe("no-dangerous-capabilities", () => {
        it("accepts SYS_NICE (task/affinity) and other capabilities off the list", async () => {
            assert.deepStrictEqual(await counts("no-dangerous-capabilities", [{}, { capabilities: { adds: ["SYS_NICE", "CAP_NET_BIND_SERVICE"], drops: ["ALL"] } }]), [0, 0]);
        });

        it("rejects each listed capability, with or without CAP_, in any case", async () => {
            const adds = ["SYS_ADMIN", "cap_net_admin", "CAP_SYS_PTRACE", "sys_module", "DAC_READ_SEARCH", "all"];
            assert.deepStrictEqual(await counts("no-dangerous-capabilities", adds.map((a) => ({ capabilities: { adds: ["SYS_NICE", a] } }))), [1, 1, 1, 1, 1, 1]);
        });

        it("allows one by name in the pack config, and only that one", async () => {
            const v = { capabilities: { adds: ["CAP_NET_ADMIN", "SYS_ADMIN"] } };
            assert.deepStrictEqual(await counts("no-dangerous-capabilities", [v], { allowedCapabilities: ["net_admin"] }), [1]);
        });

        it("allows ROLE:CAP only in containers labelled with that role", async () => {
            const ptrace = (labels?: unknown) => ({ capabilities: { adds: ["SYS_PTRACE"] }, ...(labels ? { labels } : {}) });
            const config = { allowedCapabilities: ["compute:SYS_PTRACE"] };
            assert.deepStrictEqual(await counts("no-dangerous-capabilities", [
                ptrace([{ label: "hpc-stack.role", value: "compute" }]),
                ptrace({ "hpc-stack.role": "compute" }),
                ptrace([{ label: "hpc-stack.role", value: "dcgm-exporter" }]),
                ptrace([{ label: "hpc-stack.role", value: "home-server" }]),
                ptrace(),
            ], config), [0, 0, 1, 1, 1]);
        });
    });

    describe("no-sensitive-host-mounts", () => {
        const bind = (source: string) => ({ mounts: [{ type: "bind", source, target: "/mnt" }] });
        const volume = (hostPath: string) => ({ volumes: [{ hostPath, containerPath: "/mnt" }] });

        it("accepts data directories, named volumes and tmpfs", async () => {
            assert.deepStrictEqual(await counts("no-sensitive-host-mounts", [
                {}, volume("/srv/scratch"), bind("/home/alice/data"), volume("/etcetera"),
                { mounts: [{ type: "volume", source: "etc", target: "/data" }, { type: "tmpfs", target: "/tmp" }] },
                { volumes: [{ volumeName: "scratch", containerPath: "/scratch" }] },
            ]), [0, 0, 0, 0, 0, 0]);
        });

        it("rejects the Docker socket and the host's own files, however the path is spelt", async () => {
            const paths = ["/var/run/docker.sock", "/run/docker.sock", "/", "/etc", "/etc/", "/srv/../etc", "//proc/1", "/sys/fs/cgroup",
                "/var/lib/docker/volumes", "/var", "/run", "/dev", "/root/.ssh"];
            assert.deepStrictEqual(await counts("no-sensitive-host-mounts", paths.map(volume)), paths.map(() => 1));
            assert.deepStrictEqual(await counts("no-sensitive-host-mounts", paths.map(bind)), paths.map(() => 1));
            const [m] = await checkResource(findPolicy(policies, "no-sensitive-host-mounts"), CONTAINER, compute(volume("/var/")));
            assert.strictEqual(m, "volumes[0].hostPath mounts the host's /var, which contains /var/lib/docker.");
        });

        it("allows an exact normalised path by name in the pack config", async () => {
            const config = { allowedHostPaths: ["/etc/localtime/"] };
            assert.deepStrictEqual(await counts("no-sensitive-host-mounts", [volume("/etc/localtime"), volume("/etc")], config), [0, 1]);
        });
    });

    describe("no-unconfined-security-profiles", () => {
        it("accepts Docker's defaults and no-new-privileges", async () => {
            assert.deepStrictEqual(await counts("no-unconfined-security-profiles", [{}, { securityOpts: ["no-new-privileges", "seccomp=/etc/docker/hpc.json"] }]), [0, 0]);
        });

        it("rejects seccomp or AppArmor unconfined in either syntax, and the other confinements off", async () => {
            const opts = ["seccomp=unconfined", "seccomp:unconfined", "apparmor=unconfined", "APPARMOR:Unconfined", "label=disable", "systempaths=unconfined"];
            assert.deepStrictEqual(await counts("no-unconfined-security-profiles", opts.map((o) => ({ securityOpts: [o] }))), opts.map(() => 1));
        });
    });

    describe("no-host-block-devices", () => {
        const device = (hostPath: string) => ({ devices: [{ hostPath, containerPath: hostPath, permissions: "rwm" }] });

        it("accepts the GPUs' character devices and other char devices", async () => {
            const paths = ["/dev/nvidia0", "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/dri/renderD128", "/dev/fuse", "/dev/snd"];
            assert.deepStrictEqual(await counts("no-host-block-devices", paths.map(device)), paths.map(() => 0));
        });

        it("rejects block devices by name", async () => {
            const paths = ["/dev/sda", "/dev/sdb1", "/dev/nvme0n1", "/dev/vda", "/dev/xvdf", "/dev/hda", "/dev/loop0", "/dev/dm-0",
                "/dev/mapper/vg-root", "/dev/md0", "/dev/mmcblk0p1", "/dev/disk/by-id/x", "/dev/./sda/"];
            assert.deepStrictEqual(await counts("no-host-block-devices", paths.map(device)), paths.map(() => 1));
        });

        it("allows one by name in the pack config", async () => {
            assert.deepStrictEqual(await counts("no-host-block-devices", [device("/dev/loop7"), device("/dev/loop6")], { allowedDevices: ["/dev/loop7"] }), [0, 1]);
        });
    });
});
