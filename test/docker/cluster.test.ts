// The hybrid cluster for real: jobs through the reverse tunnels, GPUs, isolation,
// key restrictions, munge, and tunnel recovery.
import { strict as assert } from "assert";
import { up } from "../../lab/cluster";
import { maxOverlap } from "../../lab/stepGraph";
import { computeSpecHash, createCompute } from "../../lab/compute";
import { DEFAULT_COMPUTE_NODES } from "../../components/plan/config";
import { docker, exists, run } from "../../lab/docker";
import { BASTION_WAN_IP, containerName, labPlan, SPEC_LABEL } from "../../lab/labPlan";
import { labSshConfig, runStep, sshHost } from "../../lab/ssh";
import { stepCommand, stepStdin } from "../../components/plan/steps";
import { ADMIN_KEY, generatedValues, KNOWN_HOSTS } from "../../lab/state";
import { ctl, finished, inNode, labDown, labUp, p, sacct, sbatch, until, untilJobRunsOn } from "./harness";

after(labDown);

describe("lab: the hybrid Slurm cluster", function () {
    before(async function () {
        await labUp(this);
    });

    it("ran the bootstrap as pulumi up does: controller steps that install packages side by side, each succeeding", async function () {
        const r = await labUp(this);
        assert.deepEqual(Object.keys(r.reports).sort(), p.steps.map((s) => s.id).sort(), "every step ran and reported");
        if (r.installed.length === 0) {
            // A lab kept from an earlier run (HPC_LAB_KEEP=1) installs nothing; CI always starts fresh.
            if (process.env.CI === "true") assert.fail("the lab under CI installed no package: it was not fresh");
            this.skip();
        }
        const installers = new Set(r.installed.filter((id) => p.steps.find((s) => s.id === id)?.host === "controller"));
        const overlap = maxOverlap(r.spans, (id) => installers.has(id));
        const timeline = r.spans.map((s) => `${s.id} ${s.startMs}-${s.endMs}`).join("\n");
        assert.ok(overlap.count >= 2, `no two controller steps that installed packages ran at the same time:\n${timeline}`);
        for (const id of overlap.steps) assert.match(r.reports[id], /: changed=[1-9]/, `${id} succeeded and installed`);
    });

    it("brings every node to IDLE", async () => {
        const out = await ctl("sinfo -h -N -o '%N %T' | sort -u");
        for (const n of p.nodes) assert.match(out, new RegExp(`^${n.name} (idle|mixed|allocated)`, "m"), out);
    });

    it("runs an sbatch shell job to COMPLETED", async () => {
        const job = await sbatch("-N1 -o /tmp/shell-%j.out --wrap 'echo hello from $(hostname)'");
        assert.deepEqual(await finished(job), ["COMPLETED", "0:0"]);
    });

    it("runs a python3 job with numpy and pandas to COMPLETED", async () => {
        const job = await sbatch(`-N1 -w compute1 -o /tmp/py-%j.out --wrap "/usr/bin/python3 -c 'import numpy, pandas; print(pandas.DataFrame({\\"x\\": numpy.arange(5)}).x.sum())'"`);
        assert.deepEqual(await finished(job), ["COMPLETED", "0:0"]);
        assert.equal((await inNode("compute1", `cat /tmp/py-${job}.out`)).trim(), "10");
    });

    it("reports a job exiting 3 as FAILED with exit code 3", async () => {
        const job = await sbatch("-N1 -o /dev/null --wrap 'exit 3'");
        assert.deepEqual(await finished(job), ["FAILED", "3:0"]);
    });

    it("runs srun hostname inside a 2-node sbatch on both nodes", async () => {
        const job = await sbatch("-N2 -o /tmp/two-%j.out --wrap 'srun hostname | sort'");
        assert.deepEqual(await finished(job), ["COMPLETED", "0:0"]);
        const first = (await sacct(job, "NodeList"))[0];
        const node = first.startsWith("compute[") ? "compute1" : first;
        assert.equal((await inNode(node, `cat /tmp/two-${job}.out`)).trim(), "compute1\ncompute2");
        // The step reached its peer's slurmd through peer-forwards.sh, not after srun's retries.
        const peer = p.nodes[1];
        assert.match(await inNode(p.nodes[0].name, `ss -Hltnp 'sport = :${peer.ports.slurmd}'`), /127\.0\.0\.1:\d+ .*socat/,
            `${p.nodes[0].name} forwards ${peer.name}'s slurmd port ${peer.ports.slurmd}`);
    });

    it("runs the high-throughput settings: batch_sched_delay=0, MinJobAge 60, munged with 10 threads on the controller and the nodes", async () => {
        const conf = await ctl("scontrol show config");
        assert.match(conf, /^SchedulerParameters\s+=\s+batch_sched_delay=0,sched_min_interval=100000$/m);
        assert.match(conf, /^MinJobAge\s+=\s+60 sec$/m);
        assert.match(await ctl("ps -o args= -C munged"), /munged --num-threads 10$/m);
        for (const n of p.nodes) assert.match(await inNode(n.name, "ps -o args= -C munged"), /munged -F --num-threads 10$/m);
    });

    it("runs an interactive srun from the controller through the tunnels", async () => {
        for (const n of p.nodes) {
            assert.equal((await ctl(`timeout 60 srun -N1 -w ${n.name} hostname`)).trim(), n.name);
        }
    });

    it("gives a --gres=gpu:1 job CUDA_VISIBLE_DEVICES and rejects a job asking for more GPUs than exist", async () => {
        const gpuNode = p.nodes.find((n) => n.gpus > 0)!;
        const out = await ctl("timeout 60 srun -p gpu --gres=gpu:1 bash -c 'echo CUDA=$CUDA_VISIBLE_DEVICES'");
        assert.match(out.trim(), /^CUDA=\d$/);
        await assert.rejects(ctl(`sbatch -p gpu --gres=gpu:${gpuNode.gpus + 1} --wrap true`), /Requested node configuration is not available/);
    });

    it("keeps the controller from opening TCP to any compute container", async () => {
        for (const n of p.nodes) {
            const ips = (await docker(["inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", containerName(n.name)])).trim().split(/\s+/);
            for (const ip of ips) {
                // Port 22 listens on every compute address: a refused or timed-out connect is the isolation.
                const r = await ctl(`timeout 3 bash -c '</dev/tcp/${ip}/22' && echo OPEN || echo CLOSED`);
                assert.equal(r.trim(), "CLOSED", `controller reached ${n.name} at ${ip}`);
            }
        }
        // The positive control: the same probe does reach what the controller may reach.
        assert.equal((await ctl("timeout 3 bash -c '</dev/tcp/127.0.0.1/6817' && echo OPEN || echo CLOSED")).trim(), "OPEN");
    });

    it("refuses password logins on the bastion", async () => {
        const r = await run(["ssh", "-v", "-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", `admin@${BASTION_WAN_IP}`, "true"]).then(() => "", (e: Error) => e.message);
        assert.match(r, /Permission denied \(publickey\)/);
        assert.doesNotMatch(r, /password/);
    });

    describe("tunnel keys", () => {
        const key = "/etc/hpc/tunnel/id_ed25519";
        const sshFrom = (node: string, args: string) =>
            inNode(node, `ssh -F /run/hpc/ssh_config -o ProxyJump=none ${args} 2>&1; echo rc=$?`);

        it("cannot open a shell on the bastion", async () => {
            const out = await sshFrom("compute1", `hpc-tunnel@${BASTION_WAN_IP} id`);
            assert.doesNotMatch(out, /uid=/);
            assert.match(out, /rc=[1-9]/);
        });

        it("cannot open a shell on the controller", async () => {
            const out = await inNode("compute1", `ssh -F /run/hpc/ssh_config -J hpc-tunnel@${BASTION_WAN_IP} hpc-tunnel@${p.controller.privateIp} id 2>&1; echo rc=$?`);
            assert.doesNotMatch(out, /uid=/);
            assert.match(out, /rc=[1-9]/);
        });

        it("cannot jump from the bastion to anything but the controller's sshd", async () => {
            const out = await inNode("compute1", `ssh -F /run/hpc/ssh_config -o ProxyJump=none -W ${p.controller.privateIp}:6817 hpc-tunnel@${BASTION_WAN_IP} </dev/null 2>&1; echo rc=$?`);
            assert.match(out, /administratively prohibited|open failed/);
        });

        it("cannot listen on another node's port, or forward to a port it was not granted, on the controller", async () => {
            const other = p.nodes[1].ports.slurmd;
            const listen = await inNode("compute1", `timeout 20 ssh -F /run/hpc/ssh_config -J hpc-tunnel@${BASTION_WAN_IP} -N -o ExitOnForwardFailure=yes -R 127.0.0.1:${other + 5}:127.0.0.1:22 hpc-tunnel@${p.controller.privateIp} 2>&1; echo rc=$?`);
            assert.match(listen, /remote port forwarding failed|rc=255/);
            const open = await inNode("compute1", `timeout 20 ssh -F /run/hpc/ssh_config -J hpc-tunnel@${BASTION_WAN_IP} -W 127.0.0.1:22 hpc-tunnel@${p.controller.privateIp} </dev/null 2>&1; echo rc=$?`);
            assert.match(open, /administratively prohibited|open failed/);
        });

        it("is installed with its key file only readable by root", async () => {
            assert.equal((await inNode("compute1", `stat -c %a ${key}`)).trim(), "600");
        });
    });

    it("refuses a node whose munge key is wrong", async function () {
        this.timeout(480_000);
        const good = await inNode("compute1", "base64 -w0 /etc/munge/munge.key");
        const marker = (await ctl("sudo wc -l /var/log/slurm/slurmctld.log")).trim().split(" ")[0];
        try {
            // The supervisor restarts munged with the wrong key, then slurmd, which must re-authenticate.
            await inNode("compute1", "head -c 1024 /dev/urandom > /etc/munge/munge.key; pkill -x munged; sleep 3; pkill -x slurmd; true");
            const log = await until("slurmctld rejects compute1's credential", async () => {
                const l = await ctl(`sudo tail -n +${Number(marker) + 1} /var/log/slurm/slurmctld.log`);
                return /authentication error|Invalid authentication credential|Protocol authentication error/i.test(l) ? l : undefined;
            }, 60_000, 2000);
            assert.match(log, /authentication error/i);
            const r = await ctl("timeout 40 srun -N1 -w compute1 --immediate=20 hostname 2>&1; echo rc=$?");
            assert.match(r, /rc=[1-9]/);
            assert.doesNotMatch(r, /^compute1$/m);
        } finally {
            // slurmd restarts only once munged answers with the good key again.
            await inNode("compute1", `echo ${good} | base64 -d > /etc/munge/munge.key; pkill -x munged; `
                + "for i in $(seq 60); do munge -n </dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.5; done; pkill -x slurmd; true");
            await untilJobRunsOn("compute1", 300_000, true);
        }
    });

    it("restarts daemons that crash in a compute container, and the node runs jobs again by itself", async function () {
        this.timeout(240_000);
        const node = "compute1";
        // The oldest process whose command line starts so: the daemon, not its children.
        const daemons: Record<string, string> = {
            slurmd: "^/usr/sbin/slurmd ", munged: "^/usr/sbin/munged ", sshd: "^sshd: /usr/sbin/sshd", "node exporter": "^/usr/bin/prometheus-node-exporter ",
        };
        const pids = async () => Object.fromEntries(await Promise.all(Object.entries(daemons).map(async ([name, re]) =>
            [name, (await inNode(node, `pgrep -o -f '${re}' || true`)).trim()] as const)));
        const before = await pids();
        for (const [name, pid] of Object.entries(before)) assert.match(pid, /^\d+$/, `${name} runs`);
        await inNode(node, `kill -9 ${Object.values(before).join(" ")}`);
        await until("every daemon is back under a new pid", async () => {
            const now = await pids();
            return Object.keys(daemons).every((d) => /^\d+$/.test(now[d]) && now[d] !== before[d]);
        }, 60_000, 1000);
        assert.match(await inNode(node, "python3 -c \"import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9100/metrics').status)\""), /^200$/m);
        // No scontrol resume: the node must come back on its own.
        await untilJobRunsOn(node, 180_000);
    });

    it("restores a killed tunnel (autossh) and runs a job on that node within 60 s", async () => {
        const node = "compute2";
        const before = (await inNode(node, "pgrep -x ssh | head -1")).trim();
        assert.ok(before, "the tunnel's ssh runs");
        await inNode(node, `kill -9 ${before}`);
        const t0 = Date.now();
        const job = await sbatch(`-N1 -w ${node} -o /dev/null --wrap 'hostname'`);
        assert.deepEqual(await finished(job, 60_000), ["COMPLETED", "0:0"]);
        const after = (await inNode(node, "pgrep -x ssh | head -1")).trim();
        assert.ok(after && after !== before, "a new ssh process carries the tunnel");
        assert.ok(Date.now() - t0 < 60_000);
    });

    it("adds a node with no step meeting a host unpinned: an impostor bastion gets none of the steps pulumi up would re-run", async function () {
        this.timeout(300_000);
        const grown = labPlan({ computeNodes: [...DEFAULT_COMPUTE_NODES, { name: "compute3" }] });
        const [before, after] = [await generatedValues(p), await generatedValues(grown)];
        // What pulumi up re-runs: a step whose command or stdin changed (remote.Command has no update).
        const rerun = grown.steps.filter((s) => {
            const was = p.steps.find((o) => o.id === s.id);
            return !was || stepCommand(was) !== stepCommand(s) || stepStdin(was, before) !== stepStdin(s, after);
        });
        assert.ok(rerun.some((s) => s.host === "bastion") && rerun.some((s) => s.host === "controller"), rerun.map((s) => s.id).join(", "));
        assert.deepEqual(rerun.filter((s) => s.id.endsWith("-hostkey")).map((s) => s.id), [], "a host key step re-runs only when its host is replaced");
        // The bastion now presents another key, as an on-path attacker or a swapped host would.
        const bastion = containerName("bastion");
        // sshd re-executes on reload: until it listens again a connection is refused, not verified.
        const listening = "for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null && exit 0; sleep 0.2; done; exit 1";
        await docker(["exec", bastion, "bash", "-c", "cp -p /etc/ssh/ssh_host_ed25519_key /root/real_host_key && rm -f /tmp/impostor* && "
            + `ssh-keygen -q -t ed25519 -N '' -f /tmp/impostor && cp /tmp/impostor /etc/ssh/ssh_host_ed25519_key && systemctl reload ssh && sleep 1 && ${listening}`]);
        try {
            for (const step of rerun) {
                const out = await runStep(grown, step, after).then((r) => `ran: ${r}`, (e: Error) => e.message);
                assert.match(out, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/, `${step.id} reached the impostor: ${out.slice(-300)}`);
            }
        } finally {
            await docker(["exec", bastion, "bash", "-c", `cp -p /root/real_host_key /etc/ssh/ssh_host_ed25519_key && rm -f /root/real_host_key /tmp/impostor* && systemctl reload ssh && sleep 1 && ${listening}`]);
        }
        assert.equal((await ctl("hostname")).trim(), p.controller.hostname, "the real bastion is back");
    });

    it("checks the generated host keys on the admin path, refusing a host that presents another", async () => {
        const fs = await import("fs");
        const os = await import("os");
        const path = await import("path");
        const real = fs.readFileSync(KNOWN_HOSTS, "utf8");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpc-pin-"));
        try {
            await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "other")]);
            const other = fs.readFileSync(path.join(dir, "other.pub"), "utf8").trim();
            const tryWith = async (known: string) => {
                const kh = path.join(dir, "known_hosts");
                fs.writeFileSync(kh, known);
                fs.writeFileSync(path.join(dir, "ssh_config"), labSshConfig(p, ["bastion", "controller"], kh));
                return run(["ssh", "-F", path.join(dir, "ssh_config"), sshHost(p, "controller"), "hostname"]).then((o) => o.trim(), (e: Error) => e.message);
            };
            assert.equal(await tryWith(real), p.controller.hostname);
            const [bastionLine, controllerLine] = real.trim().split("\n");
            const swap = (line: string) => `${line.split(" ")[0]} ${other}\n`;
            assert.match(await tryWith(`${swap(bastionLine)}${controllerLine}\n`), /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
            assert.match(await tryWith(`${bastionLine}\n${swap(controllerLine)}`), /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
            assert.match(await tryWith(""), /Host key verification failed|No ED25519 host key is known/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("up replaces a container created from another spec, and only that one", async function () {
        this.timeout(300_000);
        const spec = p.containers.find((c) => c.node === "compute2")!;
        const image = (await docker(["inspect", "-f", "{{.Config.Image}}", containerName("compute1")])).trim();
        const values = await generatedValues(p);
        const ids = async () => Object.fromEntries(await Promise.all(["bastion", "controller", ...p.nodes.map((n) => n.name)].map(async (h) =>
            [h, (await docker(["inspect", "-f", "{{.Id}}", containerName(h)])).trim()] as const)));
        // As after an edit to the image or spec: a working container, made from something else.
        await docker(["rm", "-f", containerName("compute2")]);
        await createCompute(spec, image, values, [`${SPEC_LABEL}=stale`]);
        const before = await ids();
        const lines: string[] = [];
        await up(p, (l) => { lines.push(l); console.log(`      [lab] ${l}`); });
        const after = await ids();
        assert.ok(lines.some((l) => l.startsWith(`replacing ${containerName("compute2")}`)), lines.join("\n"));
        assert.notEqual(after.compute2, before.compute2);
        for (const h of Object.keys(before).filter((h) => h !== "compute2")) assert.equal(after[h], before[h], `${h} kept`);
        assert.equal((await docker(["inspect", "-f", `{{index .Config.Labels "${SPEC_LABEL}"}}`, containerName("compute2")])).trim(),
            computeSpecHash(spec, image, values));
    });

    it("grows by a node and shrinks back with up: a job spans old and new nodes, and the removed node's container goes", async function () {
        this.timeout(600_000);
        const log = (l: string) => console.log(`      [lab] ${l}`);
        const grown = labPlan({ computeNodes: [...DEFAULT_COMPUTE_NODES, { name: "compute3" }] });
        try {
            await up(grown, log);
            // The batch step runs on compute1, whose slurmd started before compute3 existed.
            const job = await sbatch("-N3 -w compute[1-3] -o /dev/null --wrap 'srun hostname'");
            assert.deepEqual(await finished(job, 150_000), ["COMPLETED", "0:0"]);
            assert.equal((await ctl(`sacct -n -P -j ${job}.0 -o NodeList`)).trim(), "compute[1-3]");
        } finally {
            await up(p, log);
        }
        assert.equal(await exists("container", containerName("compute3")), false);
        assert.equal((await ctl("sinfo -h -N -o %N | sort -u")).trim(), p.nodes.map((n) => n.name).join("\n"));
    });

    it("uses the admin key only for admin (key file mode 600)", async () => {
        const fs = await import("fs");
        assert.equal((fs.statSync(ADMIN_KEY).mode & 0o777).toString(8), "600");
    });
});
