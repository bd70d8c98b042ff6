import { strict as assert } from "assert";
import { parseConfig, PROGRAM_TAG_KEYS } from "../../components/plan/config";
import { computeImageFiles } from "../../components/plan/compute";
import { nodePorts } from "../../components/plan/layout";
import { plan, renderSshConfig, tagsFor } from "../../components/plan/plan";
import { DEFAULT_COMPUTE_BASE_IMAGE } from "../../components/plan/platform";

const base = parseConfig({ trustedCidrs: ["203.0.113.0/24", "2001:db8::/48"] });

describe("plan (pure)", () => {
    it("lays out the seed's network", () => {
        const p = plan(base);
        assert.equal(p.network.vpcCidr, "10.0.0.0/16");
        assert.equal(p.network.privateSubnetCidr, "10.0.1.0/24");
        assert.equal(p.network.publicSubnetCidr, "10.0.2.0/24");
        assert.equal(p.network.names.vpc, "SLURM-VPC");
        assert.equal(p.network.names.igw, "SLURM-IGW");
        assert.equal(p.network.names.nat, "SLURM-NAT");
        assert.equal(p.network.names.publicRouteTable, "Public-RT");
        assert.equal(p.controller.privateIp, "10.0.1.10");
    });

    it("sizes the hosts as the design says", () => {
        const p = plan(base);
        assert.deepEqual([p.bastion.instanceType, p.bastion.rootVolumeGb], ["t2.micro", 8]);
        assert.deepEqual([p.controller.instanceType, p.controller.rootVolumeGb], ["t3.medium", 20]);
    });

    it("splits trusted CIDRs by family", () => {
        const p = plan(base);
        assert.deepEqual(p.trustedCidrs, { ipv4: ["203.0.113.0/24"], ipv6: ["2001:db8::/48"] });
    });

    it("gives every node a distinct block of loopback ports", () => {
        const nodes = Array.from({ length: 50 }, (_, i) => ({ name: `n${i}` }));
        const p = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"], computeNodes: nodes }));
        const all = p.nodes.flatMap((n) => Object.values(n.ports));
        assert.equal(new Set(all).size, all.length);
        assert.equal(all.length, 50 * 5);
        assert.deepEqual(nodePorts(20000, 2), { slurmd: 20020, ssh: 20021, nodeExporter: 20022, dcgmExporter: 20023, app: 20024 });
        assert.deepEqual(p.nodes.map((n) => n.hostSshPort).slice(0, 3), [2221, 2222, 2223]);
    });

    it("puts GPU nodes in the gpu partition and every node in cpu", () => {
        const p = plan(base);
        assert.deepEqual(p.partitions, [
            { name: "cpu", nodes: ["compute1", "compute2"], isDefault: true },
            { name: "gpu", nodes: ["compute2"], isDefault: false },
        ]);
        const cpuOnly = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"], computeNodes: [{ name: "c1" }] }));
        assert.deepEqual(cpuOnly.partitions.map((x) => x.name), ["cpu"]);
    });

    it("tags every resource with Name, Project and ManagedBy beside the user's tags, and sets no key the config lets a user set", () => {
        const p = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"], tags: { CostCenter: "42" } }));
        assert.deepEqual(tagsFor(p, "x", "controller"),
            { CostCenter: "42", Project: "hpc-stack", Cluster: "hpc", ManagedBy: "pulumi", Name: "x", Role: "controller" });
        // Each key the program sets is one the schema refuses (config.test.ts), so none is overridden silently.
        const own = Object.keys(tagsFor(plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"] })), "x", "controller"));
        assert.deepEqual(own.sort(), [...PROGRAM_TAG_KEYS].sort());
    });

    it("builds the compute image with Streamlit unless installStreamlit is false, and tags the two apart", () => {
        const withIt = plan(base).computeImage;
        const without = plan(parseConfig({ ...base, installStreamlit: false })).computeImage;
        assert.deepEqual(withIt.buildArgs, { BASE_IMAGE: DEFAULT_COMPUTE_BASE_IMAGE, INSTALL_STREAMLIT: "1" });
        assert.deepEqual(without.buildArgs, { BASE_IMAGE: DEFAULT_COMPUTE_BASE_IMAGE, INSTALL_STREAMLIT: "0" });
        assert.notEqual(withIt.tag, without.tag);
        // What the image copies is hashed into its tag: a changed example job or hpc-app-port rebuilds it.
        for (const f of ["docker/hpc-app-port", "jobs/app.py", "jobs/run_stdlib_app.sh"]) assert.ok(computeImageFiles().includes(f), f);
    });

    it("renders an ssh config with the controller behind ProxyJump", () => {
        const text = renderSshConfig(plan(base), "198.51.100.1");
        assert.match(text, /Host hpc-bastion\n {4}HostName 198\.51\.100\.1\n {4}User admin/);
        assert.match(text, /Host hpc-controller\n {4}HostName 10\.0\.1\.10\n[\s\S]*ProxyJump hpc-bastion/);
    });
});
