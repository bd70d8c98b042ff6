// The rendered files judged by the real tools, on the images and hosts that use them.
import { strict as assert } from "assert";
import { renderGresConf, renderSlurmConf } from "../../components/plan/slurm";
import { configFile, orderSteps } from "../../components/plan/steps";
import { docker } from "../../lab/docker";
import { containerName } from "../../lab/labPlan";
import { loginUsers } from "../../components/plan/users";
import { OOM_SCORE_ADJUST } from "../../components/plan/bootstrap";
import { runStep } from "../../lab/ssh";
import { generatedValues } from "../../lab/state";
import { ctl, inNode, labUp, onBastion, p } from "./harness";

describe("lab: rendered files pass the real judges", function () {
    before(async function () {
        await labUp(this);
    });

    it("sshd -t accepts the hardened config on the bastion, the controller and the compute image", async () => {
        await onBastion("sudo sshd -t");
        await ctl("sudo sshd -t");
        await docker(["run", "--rm", "--entrypoint", "bash", p.computeImage.tag, "-c", "ssh-keygen -A >/dev/null && mkdir -p /run/sshd && sshd -t"]);
        // The home server's SFTP-only sshd, as it runs (its config names its own host key).
        const sftp = await docker(["exec", containerName(p.homeServer.node), "sshd", "-T", "-f", "/etc/hpc/home/sshd_config"]);
        for (const line of ["listenaddress 127.0.0.1:22", "forcecommand internal-sftp", "allowtcpforwarding no", "permitrootlogin no",
            "passwordauthentication no", "authorizedkeysfile /etc/ssh/authorized_keys/%u"]) assert.match(sftp, new RegExp(`^${line}$`, "m"), line);
        // Everyone's keys outside /home on every host: a home outage locks nobody out.
        for (const eff of [await onBastion("sudo sshd -T"), await ctl("sudo sshd -T"), await inNode(p.nodes[0].name, "sshd -T")]) {
            assert.match(eff, /^authorizedkeysfile \/etc\/ssh\/authorized_keys\/%u$/m);
        }
        const eff = await onBastion("sudo sshd -T");
        assert.match(eff, /^passwordauthentication no$/m);
        assert.match(eff, /^permitrootlogin (no|prohibit-password|without-password)$/m);
        assert.match(eff, /^kbdinteractiveauthentication no$/m);
        // No Unix-socket forwards on any host; the EC2 hosts log each key's fingerprint and allow 4 tries.
        for (const [host, t] of [["bastion", eff], ["controller", await ctl("sudo sshd -T")], [p.nodes[0].name, await inNode(p.nodes[0].name, "sshd -T")]]) {
            assert.match(t, /^allowstreamlocalforwarding no$/m, host);
        }
        for (const [host, t] of [["bastion", eff], ["controller", await ctl("sudo sshd -T")]]) {
            for (const line of ["permitrootlogin no", "loglevel VERBOSE", "maxauthtries 4"]) assert.match(t, new RegExp(`^${line}$`, "m"), `${host}: ${line}`);
        }
    });

    it("builds images that take Debian security updates, as the official image does", async () => {
        const sources = "cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null; true";
        const compute = await docker(["run", "--rm", "--entrypoint", "bash", p.computeImage.tag, "-c", sources]);
        assert.match(compute, /^Suites: trixie-security$/m, `compute image apt sources:\n${compute}`);
        assert.match(await ctl(sources), /^Suites: trixie-security$/m);
    });

    it("runs Debian 13 on every host and node, and Slurm 24.11 in every daemon", async () => {
        const release = "grep '^VERSION_ID=' /etc/os-release";
        assert.equal((await onBastion(release)).trim(), 'VERSION_ID="13"', "bastion");
        assert.equal((await ctl(release)).trim(), 'VERSION_ID="13"', "controller");
        // slurmdbd -V reads its 0600 config first, hence sudo.
        assert.match(await ctl("sinfo -V; /usr/sbin/slurmctld -V; sudo /usr/sbin/slurmdbd -V"), /^(slurm(-wlm)? 24\.11\.\d+\n){3}$/);
        // The running slurmctld and slurmdbd, as they answer.
        assert.match(await ctl("scontrol show config"), /^SLURM_VERSION\s+= 24\.11\.\d+$/m);
        assert.match(await ctl("sacctmgr -n show config"), /^SLURMDBD_VERSION\s+= 24\.11\.\d+$/m);
        for (const n of p.nodes) {
            assert.equal((await inNode(n.name, release)).trim(), 'VERSION_ID="13"', n.name);
            assert.match(await inNode(n.name, "slurmd -V"), /^slurm(-wlm)? 24\.11\.\d+\n$/, n.name);
        }
        // The running daemons, not only the installed binaries: every slurmd registered with 24.11.
        for (const n of p.nodes) assert.match(await ctl(`scontrol show node ${n.name}`), /Version=24\.11\.\d+/, n.name);
    });

    it("systemd-analyze verify accepts the installed units", async () => {
        const units = ["hpc-acct-backup.service", "hpc-acct-backup.timer", "hpc-srun-ports.socket", "hpc-srun-ports@.service",
            "hpc-slurm-metrics.service", "hpc-slurm-metrics.timer", ...loginUsers(p).map((u) => `hpc-home@${u.name}.service`)]
            .map((u) => (u.includes("@") && !u.endsWith("@.service") ? u : `/etc/systemd/system/${u}`)).join(" ");
        const out = await ctl(`sudo systemd-analyze verify ${units} 2>&1; echo rc=$?`);
        assert.match(out, /rc=0/);
        assert.doesNotMatch(out, /hpc-/, out);
    });

    it("slurmd -G parses slurm.conf and gres.conf, and finds the fake GPUs", async () => {
        const gpu = p.nodes.find((n) => n.gpus > 0)!;
        // slurmd 24.11 sets up munge authentication before it parses anything, so a
        // throwaway munged runs beside it; cgroup.conf is judged with the rest.
        const script = [
            "mkdir -p /tmp/conf /var/spool/slurmd && cd /tmp/conf",
            `printf %s "$SLURM_CONF_TEXT" > slurm.conf && printf %s "$GRES_CONF_TEXT" > gres.conf && printf %s "$CGROUP_CONF_TEXT" > cgroup.conf`,
            `for i in $(seq 0 ${gpu.gpus - 1}); do mknod -m 666 /dev/nvidia$i c 195 $i; done`,
            "dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null && chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key",
            "install -d -o munge -g munge -m 0755 /run/munge && runuser -u munge -- /usr/sbin/munged",
            `slurmd -G -f /tmp/conf/slurm.conf -N ${gpu.name} 2>&1`,
        ].join(" && ");
        const out = await docker(["run", "--rm", "--device-cgroup-rule", "c 195:* rwm", "--entrypoint", "bash",
            "-e", `SLURM_CONF_TEXT=${renderSlurmConf(p)}`, "-e", `GRES_CONF_TEXT=${renderGresConf(p)}`,
            "-e", `CGROUP_CONF_TEXT=${configFile("slurm/cgroup.conf")}`, p.computeImage.tag, "-c", script]);
        assert.match(out, new RegExp(`Gres Name=gpu Type=${gpu.gpuType} Count=${gpu.gpus} Index=0 .*File=/dev/nvidia\\[0-${gpu.gpus - 1}\\]`));
        // Nothing 24.11 calls defunct, deprecated or unknown in the files it read.
        assert.doesNotMatch(out, /defunct|deprecated|obsolete|unknown|invalid/i, out);
    });

    it("scontrol reads back the served config: configless, the tree width, every node on its own port", async () => {
        const cfg = await ctl("scontrol show config");
        assert.match(cfg, /SlurmctldParameters\s+=\s+enable_configless/);
        assert.match(cfg, new RegExp(`TreeWidth\\s+=\\s+${p.nodes.length}`));
        for (const n of p.nodes) {
            const node = await ctl(`scontrol show node ${n.name}`);
            assert.match(node, /NodeAddr=127\.0\.0\.1/);
            assert.match(node, new RegExp(`Port=${n.ports.slurmd}`));
        }
    });

    it("runs the controller's daemons as the OOM killer's last choice: systemd holds OOMScoreAdjust for each", async () => {
        // What systemd loaded for each unit. The kernel's own value it cannot set in this lab: lowering it
        // takes CAP_SYS_RESOURCE, which this machine's Docker cannot grant ("unable to apply caps"), and
        // systemd then starts the daemon anyway ("assuming containerized execution"). On EC2 it applies.
        for (const unit of ["munge", "slurmctld", "slurmdbd", "mariadb"]) {
            assert.equal((await ctl(`systemctl show -p OOMScoreAdjust --value ${unit}`)).trim(), String(OOM_SCORE_ADJUST), unit);
            assert.equal((await ctl(`systemctl is-active ${unit}`)).trim(), "active", unit);
        }
    });

    it("puts no secret in any argv while the Alertmanager step runs: its bcrypt hash goes to python on stdin", async function () {
        this.timeout(120_000);
        // A python3 first on sudo's PATH that writes down every argv it is given, then runs the real one.
        const wrapper = "/usr/local/bin/python3";
        const script = ["#!/bin/sh", 'printf "%s|" "$@" >>/run/hpc-argv.log', "echo >>/run/hpc-argv.log", 'exec /usr/bin/python3 "$@"', ""].join("\n");
        await ctl(`sudo tee ${wrapper} >/dev/null && sudo chmod 755 ${wrapper}`, 30_000, script);
        try {
            const step = p.steps.find((s) => s.id === "controller-alertmanager")!;
            await runStep(p, step, await generatedValues(p));
            const argv = await ctl("sudo cat /run/hpc-argv.log");
            assert.ok(argv.includes("bcrypt"), "the step ran python3 through the wrapper");
            const hash = (await ctl("sudo sed -n 's/^  admin: //p' /etc/prometheus/alertmanager-web.yml")).trim();
            assert.match(hash, /^\$2[aby]\$/);
            assert.ok(!argv.includes(hash) && !/\$2[aby]\$\d\d\$/.test(argv), "a bcrypt hash was in python's argv");
            const password = (await generatedValues(p)).alertmanagerPassword;
            assert.ok(!argv.includes(password), "the password was in python's argv");
        } finally {
            await ctl(`sudo rm -f ${wrapper} /run/hpc-argv.log`);
        }
    });

    it("re-running every bootstrap step on the converged hosts changes nothing", async function () {
        this.timeout(300_000);
        const values = await generatedValues(p);
        for (const step of orderSteps(p.steps)) {
            const report = await runStep(p, step, values);
            console.log(`      [lab] re-run ${report}`);
            assert.match(report, /: changed=0 unchanged=\d+$/, report);
        }
    });
});
