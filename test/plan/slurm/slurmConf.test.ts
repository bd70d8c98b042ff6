// Pure renderers: hostlists, node lines, srun range split, templates.
import { strict as assert } from "assert";
import { parseConfig } from "../../../components/plan/config";
import { plan } from "../../../components/plan/plan";
import { hostlist, nodeLine, renderGresConf, renderSlurmConf } from "../../../components/plan/slurm";
import { render } from "../../../components/plan/steps";
import { renderKnownHosts, splitSrunRange } from "../../../components/plan/tunnels";

const p = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"] }));

describe("renderers", () => {
    it("compress Slurm hostlists, keeping odd names as they are", () => {
        assert.equal(hostlist(["compute1", "compute2", "compute3", "compute5", "gpu-a"]), "compute[1-3,5],gpu-a");
        assert.equal(hostlist(["n7"]), "n7");
        assert.equal(hostlist(["n01", "n02"]), "n01,n02");
    });

    it("write one node line per node on the loopback with its own port and GPUs", () => {
        const [c1, c2] = p.nodes;
        assert.equal(nodeLine(c1), "NodeName=compute1 NodeAddr=127.0.0.1 Port=20000 CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=2048 State=UNKNOWN");
        assert.match(nodeLine(c2), /Port=20010 .*Gres=gpu:nvidia:2 State=UNKNOWN$/);
    });

    it("render slurm.conf configless, with the tree width, srun range, GRES and partitions", () => {
        const conf = renderSlurmConf(p);
        for (const line of ["SlurmctldParameters=enable_configless", "TreeWidth=2", "SrunPortRange=60001-60040", "GresTypes=gpu",
            "SlurmctldPort=6817", "AccountingStorageType=accounting_storage/slurmdbd", "AccountingStorageTRES=gres/gpu",
            "JobAcctGatherType=jobacct_gather/linux", "PartitionName=cpu Nodes=compute[1-2] Default=YES MaxTime=INFINITE State=UP",
            "PartitionName=gpu Nodes=compute2 MaxTime=INFINITE State=UP"]) {
            assert.ok(conf.split("\n").includes(line), `slurm.conf lacks ${line}`);
        }
        assert.doesNotMatch(conf, /\{\{/);
        assert.match(renderGresConf(p), /^NodeName=compute2 Name=gpu Type=nvidia File=\/dev\/nvidia\[0-1\]$/m);
    });

    it("render slurm.conf with jobs private, associations enforced, the cleaning epilog, and ExclusiveUser where asked", () => {
        const lines = renderSlurmConf(p).split("\n");
        for (const line of ["PrivateData=accounts,jobs,reservations,usage,users", "AccountingStorageEnforce=associations,limits,qos,safe",
            "Epilog=/usr/local/lib/hpc/epilog.sh"]) assert.ok(lines.includes(line), `slurm.conf lacks ${line}`);
        assert.ok(!lines.some((l) => l.includes("ExclusiveUser")), "no partition is exclusive by default");
        const gpuOnly = renderSlurmConf(plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"], exclusiveUserPartitions: ["gpu"] }))).split("\n");
        assert.ok(gpuOnly.includes("PartitionName=gpu Nodes=compute2 ExclusiveUser=YES MaxTime=INFINITE State=UP"), gpuOnly.join("\n"));
        assert.ok(gpuOnly.includes("PartitionName=cpu Nodes=compute[1-2] Default=YES MaxTime=INFINITE State=UP"));
    });

    it("split SrunPortRange between the controller's sruns and the jobs' sruns", () => {
        assert.deepEqual(splitSrunRange({ from: 60001, to: 60040 }), { controller: { from: 60001, to: 60020 }, compute: { from: 60021, to: 60040 } });
        assert.deepEqual(splitSrunRange({ from: 1, to: 3 }), { controller: { from: 1, to: 2 }, compute: { from: 3, to: 3 } });
        assert.throws(() => splitSrunRange({ from: 5, to: 5 }), /at least 2 ports/);
    });

    it("pin host keys by the addresses the tunnel dials", () => {
        assert.equal(renderKnownHosts("198.51.100.7", "ssh-ed25519 AAAB ", "10.0.1.10", "ssh-ed25519 AAAC\n"),
            "198.51.100.7 ssh-ed25519 AAAB\n10.0.1.10 ssh-ed25519 AAAC\n");
    });

    it("refuse a template value with no placeholder, and a placeholder with no value", () => {
        assert.throws(() => render("slurm/gres.conf.tmpl", {}), /gres\.conf\.tmpl: no value for \{\{gresLines\}\}/);
        assert.throws(() => render("slurm/gres.conf.tmpl", { gresLines: "", extra: 1 }), /values without a placeholder: extra/);
    });
});
