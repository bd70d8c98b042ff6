// The in-process harness: the real program, run under mocks with exactly
// Pulumi.dev.yaml, against the real policy pack with the example pack config -
// what `pulumi preview --policy-pack policy --policy-pack-config
// policy/policy-config.example.json` checks, without CLI, plugins or cloud.
import * as assert from "assert";
import { patchConfigFile } from "../../components/plan/steps";
import { policies } from "../../policy/policies";
import { DEV_STACK_FILE, Recorded, runIndex, stackConfigFromFile, withTestAdminKey } from "../../mocks";
import { PackConfig, RecordedResource, Violation, formatViolations, loadPackConfig, mandatory, runPack } from "./util";

const T = {
    instance: "aws:ec2/instance:Instance",
    subnet: "aws:ec2/subnet:Subnet",
    eip: "aws:ec2/eip:Eip",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    container: "docker:index/container:Container",
};

/** Inputs for resource policies; outputs (state plus the id) for stack policies. */
function toPolicyResource(r: Recorded): RecordedResource {
    return { type: r.type, name: r.name, inputs: r.inputs, outputs: { ...r.state, id: r.id } };
}

const tagsOf = (r: RecordedResource) => (r.inputs.tags ?? {}) as Record<string, string>;

/** Mandatory findings as "policy on resource" lines, for set comparisons and readable diffs. */
const findings = (vs: Violation[]) => [...new Set(mandatory(vs).map((v) => v.policy))].sort();

describe("policy harness: the real program against the real pack", function () {
    // Loading @pulumi/aws and running the program takes a few seconds.
    this.timeout(120000);

    let recorded: RecordedResource[];
    let packConfig: PackConfig;
    let baseline: Violation[];

    /** Runs the pack over the program's resources with some resources replaced or added. */
    async function runWith(edit: (rs: RecordedResource[]) => RecordedResource[]): Promise<Violation[]> {
        // Deep copies, so one variant cannot leak into the next.
        return runPack(policies, edit(structuredClone(recorded)), packConfig);
    }

    function find(rs: RecordedResource[], type: string, pred: (r: RecordedResource) => boolean = () => true): RecordedResource {
        const found = rs.filter((r) => r.type === type && pred(r));
        assert.strictEqual(found.length, 1, `expected one ${type}, found ${found.map((r) => r.name).join(", ") || "none"}`);
        return found[0];
    }

    const isController = (r: RecordedResource) => tagsOf(r).Role === "controller";
    const sshRule = (r: RecordedResource) => r.inputs.fromPort === 22 && typeof r.inputs.cidrIpv4 === "string";

    before(async () => {
        const { mocks } = await runIndex(withTestAdminKey(stackConfigFromFile(DEV_STACK_FILE)));
        recorded = mocks.resources.map(toPolicyResource);
        packConfig = loadPackConfig();
        baseline = await runPack(policies, recorded, packConfig);
    });

    it("uses the dev stack's trusted CIDR in the example pack config", () => {
        const dev = stackConfigFromFile(DEV_STACK_FILE);
        assert.deepStrictEqual(packConfig["ssh-ingress-trusted-cidrs-only"].trustedCidrs, JSON.parse(dev["hpc-stack:trustedCidrs"]));
    });

    it("records the resources the policies are about", () => {
        for (const type of [T.instance, T.subnet, T.eip, T.ingressRule]) {
            assert.ok(recorded.some((r) => r.type === type), `no ${type} recorded`);
        }
        find(recorded, T.instance, isController);
    });

    it("has zero mandatory violations", () => {
        assert.deepStrictEqual(mandatory(baseline), [], formatViolations(mandatory(baseline)));
    });

    it("has zero advisory violations too (flow logs, closed default SG, instance types, tags)", () => {
        assert.deepStrictEqual(baseline, [], formatViolations(baseline));
    });

    describe("reads what the bootstrap steps really run (a pull request's edit to a script)", () => {
        /** The pack over the real program, run with config-files/<rel> edited. */
        async function runEdited(rel: string, edit: (text: string) => string): Promise<Violation[]> {
            const restore = patchConfigFile(rel, edit);
            try {
                const { mocks } = await runIndex(withTestAdminKey(stackConfigFromFile(DEV_STACK_FILE)));
                return runPack(policies, mocks.resources.map(toPolicyResource), packConfig);
            } finally {
                restore();
            }
        }

        it("a host-ssh.sh that enables root login fails both ssh steps", async () => {
            const vs = await runEdited("bootstrap/host-ssh.sh",
                (t) => `${t}\nsed -i 's/^#\\?PermitRootLogin.*/PermitRootLogin yes/' /etc/ssh/sshd_config\n`);
            assert.deepStrictEqual(findings(vs), ["no-password-root-ssh-in-containers"], formatViolations(vs));
            assert.deepStrictEqual(mandatory(vs).map((v) => [v.resource, v.message]), [
                ["hpc-bootstrap-bastion-ssh", "create [base64 → gzip] enables PermitRootLogin yes."],
                ["hpc-bootstrap-controller-ssh", "create [base64 → gzip] enables PermitRootLogin yes."],
            ]);
        });

        it("a step that sets root's password with chpasswd", async () => {
            const vs = await runEdited("bootstrap/controller-munge.sh", (t) => `${t}\necho 'root:pw' | chpasswd\n`);
            assert.deepStrictEqual(mandatory(vs).map((v) => [v.policy, v.resource, v.message]), [
                ["no-password-root-ssh-in-containers", "hpc-bootstrap-controller-munge", "create [base64 → gzip] sets a root password with chpasswd."],
            ], formatViolations(vs));
        });
    });

    describe("catches hand-built bad variants with the right policy", () => {
        it("a controller in a subnet that maps public IPs", async () => {
            const vs = await runWith((rs) => {
                const ctl = find(rs, T.instance, isController);
                find(rs, T.subnet, (r) => r.outputs.id === ctl.outputs.subnetId).outputs.mapPublicIpOnLaunch = true;
                return rs;
            });
            assert.deepStrictEqual(findings(vs), ["controller-no-public-ip"], formatViolations(vs));
            assert.match(mandatory(vs)[0].message, /maps public IPs/);
        });

        it("a controller with associatePublicIpAddress: true", async () => {
            const vs = await runWith((rs) => {
                find(rs, T.instance, isController).inputs.associatePublicIpAddress = true;
                return rs;
            });
            assert.deepStrictEqual(findings(vs), ["controller-no-public-ip"], formatViolations(vs));
        });

        it("a controller with an Elastic IP", async () => {
            const vs = await runWith((rs) => {
                const ctl = find(rs, T.instance, isController);
                const tags = { Name: "ctl-eip", Project: "hpc-stack", ManagedBy: "pulumi" };
                const props = { domain: "vpc", instance: ctl.outputs.id, tags };
                return [...rs, { type: T.eip, name: "ctl-eip", inputs: props, outputs: { ...props, id: "ctl-eip-id" } }];
            });
            assert.deepStrictEqual(findings(vs), ["controller-no-public-ip"], formatViolations(vs));
            assert.strictEqual(mandatory(vs)[0].resource, "ctl-eip");
        });

        it("a controller with the public-IP flag left undefined", async () => {
            const vs = await runWith((rs) => {
                delete find(rs, T.instance, isController).inputs.associatePublicIpAddress;
                return rs;
            });
            assert.deepStrictEqual(findings(vs), ["controller-no-public-ip"], formatViolations(vs));
        });

        it("SSH open to the world", async () => {
            const vs = await runWith((rs) => {
                find(rs, T.ingressRule, sshRule).inputs.cidrIpv4 = "0.0.0.0/0";
                return rs;
            });
            assert.deepStrictEqual(findings(vs), ["ssh-ingress-trusted-cidrs-only"], formatViolations(vs));
        });

        it("SSH from a CIDR outside trustedCidrs", async () => {
            const vs = await runWith((rs) => {
                find(rs, T.ingressRule, sshRule).inputs.cidrIpv4 = "198.51.100.0/24";
                return rs;
            });
            assert.deepStrictEqual(findings(vs), ["ssh-ingress-trusted-cidrs-only"], formatViolations(vs));
        });

        it("protocol -1 from the world", async () => {
            const vs = await runWith((rs) => {
                const rule = find(rs, T.ingressRule, sshRule);
                Object.assign(rule.inputs, { ipProtocol: "-1", fromPort: undefined, toPort: undefined, cidrIpv4: "0.0.0.0/0" });
                return rs;
            });
            assert.deepStrictEqual(findings(vs), ["slurm-ports-not-public", "ssh-ingress-trusted-cidrs-only"], formatViolations(vs));
        });

        it("Slurm ports open to the world", async () => {
            const vs = await runWith((rs) => {
                // The program opens no Slurm port: a controller rule (SSH from the bastion) widened to one.
                const base = rs.find((r) => r.type === T.ingressRule && r.inputs.fromPort === 22 && r.inputs.referencedSecurityGroupId !== undefined);
                assert.ok(base, "no controller SSH rule recorded");
                const inputs = { ...base.inputs, fromPort: 6817, toPort: 6819, cidrIpv4: "0.0.0.0/0", referencedSecurityGroupId: undefined };
                return [...rs, { type: T.ingressRule, name: "bad-slurm", inputs, outputs: { ...inputs, id: "bad-slurm-id" } }];
            });
            assert.deepStrictEqual(findings(vs), ["slurm-ports-not-public"], formatViolations(vs));
        });

        it("a container that sets a root password and publishes SSH everywhere", async () => {
            const vs = await runWith((rs) => {
                const base = rs.find((r) => r.type === T.container);
                const inputs = {
                    ...(base?.inputs ?? { name: "compute9", image: "hpc-compute:latest" }),
                    command: ["bash", "-c", "echo 'root:hunter2' | chpasswd && exec /usr/sbin/sshd -D"],
                    ports: [{ internal: 22, external: 2229 }],
                    privileged: true,
                };
                return [...rs, { type: T.container, name: "bad-compute", inputs, outputs: { ...inputs, id: "bad-id" } }];
            });
            assert.deepStrictEqual(
                findings(vs),
                ["container-ssh-not-public", "no-password-root-ssh-in-containers", "no-privileged-containers"],
                formatViolations(vs),
            );
        });

        it("a compute container made as good as privileged, each way by its own policy", async () => {
            const real = recorded.filter((r) => r.type === T.container);
            // What the real containers carry, so passing is not for want of it.
            // Compute nodes drop ALL and add back their named set, SYS_PTRACE among them (allowed by
            // name and role: job accounting); the DCGM exporters beside them and the home server add nothing.
            for (const c of real) {
                assert.deepStrictEqual(c.inputs.capabilities, /-(dcgm-exporter|home)$/.test(c.name) ? undefined
                    : { drops: ["ALL"], adds: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "KILL", "SYS_CHROOT", "SYS_NICE", "SYS_PTRACE"] }, c.name);
            }
            const variants: [string, Record<string, unknown>][] = [
                ["no-host-namespaces", { networkMode: "host" }],
                ["no-host-namespaces", { pidMode: "host", ipcMode: "host" }],
                ["no-dangerous-capabilities", { capabilities: { adds: ["SYS_NICE", "CAP_SYS_ADMIN"] } }],
                ["no-sensitive-host-mounts", { volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }] }],
                ["no-sensitive-host-mounts", { mounts: [{ type: "bind", source: "/", target: "/host" }] }],
                ["no-unconfined-security-profiles", { securityOpts: ["seccomp:unconfined"] }],
                ["no-host-block-devices", { devices: [{ hostPath: "/dev/nvme0n1" }] }],
            ];
            for (const [policy, change] of variants) {
                const vs = await runWith((rs) => {
                    Object.assign(find(rs, T.container, (r) => r.name === real[0].name).inputs, change);
                    return rs;
                });
                assert.deepStrictEqual(findings(vs), [policy], `${JSON.stringify(change)}:\n${formatViolations(vs)}`);
            }
        });

        it("an unencrypted, IMDSv1 instance", async () => {
            const vs = await runWith((rs) => {
                const ctl = find(rs, T.instance, isController);
                ctl.inputs.metadataOptions = { httpTokens: "optional" };
                ctl.inputs.rootBlockDevice = { volumeSize: 20, encrypted: false };
                return rs;
            });
            assert.deepStrictEqual(findings(vs), ["ebs-encrypted", "imdsv2-required"], formatViolations(vs));
        });
    });
});
