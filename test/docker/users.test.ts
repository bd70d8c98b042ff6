// The cluster as its users use it: logged in as a cluster user, never
// root, from their home on the controller: the example jobs, an app reached from a
// "laptop" on the wan through the bastion, the shared home through a tunnel drop and
// a replaced container, and the 0700 homes between users.
import { strict as assert } from "assert";
import * as fs from "fs";
import { up } from "../../lab/cluster";
import { docker, run } from "../../lab/docker";
import { containerName, LAB_CONFIG, labPlan, NETWORKS } from "../../lab/labPlan";
import { sshAsUser } from "../../lab/ssh";
import { KNOWN_HOSTS } from "../../lab/state";
import { labUserKeyFile } from "../../lab/userKeys";
import { ctl, labDown, labUp, onBastion, p, until } from "./harness";

after(labDown);

const [alice, bob] = p.users.filter((u) => u.name !== p.adminUser).map((u) => u.name);
const as = (user: string, cmd: string, timeoutMs = 120_000) => sshAsUser(p, user, cmd, { timeoutMs });

/** Submits from the user's home on the controller, as they would; resolves with the job id. */
async function submit(user: string, args: string): Promise<string> {
    return (await as(user, `cd ~ && sbatch --parsable ${args}`)).trim().split(";")[0];
}

/** Waits until the job has left the queue (squeue, not sacct) and returns its final state from sacct. */
async function done(user: string, job: string, timeoutMs = 120_000): Promise<string> {
    await until(`job ${job} left the queue`, async () => (await as(user, `squeue -h -j ${job} -o %T 2>/dev/null || true`)).trim() === "", timeoutMs, 1000);
    return until(`job ${job} in sacct`, async () => (await as(user, `sacct -n -X -P -j ${job} -o State`)).trim().split("\n")[0], 30_000);
}

/** A line the job printed to its output file, read on the controller (the shared home). */
function printed(user: string, file: string, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return until(`${file} shows ${pattern}`, async () => (await as(user, `cat ~/${file} 2>/dev/null || true`)).match(pattern) ?? undefined, timeoutMs, 1000);
}

/** Runs a command in a throwaway "laptop" on the wan, with the user's key and the lab's pinned host keys. */
function laptop(user: string, script: string): Promise<string> {
    const key = fs.readFileSync(labUserKeyFile(user), "utf8");
    const knownHosts = fs.readFileSync(KNOWN_HOSTS, "utf8");
    const setup = [
        "install -d -m 700 ~/.ssh",
        `printf '%s' "$KEY" > ~/.ssh/id_ed25519 && chmod 600 ~/.ssh/id_ed25519`,
        `printf '%s' "$KH" > ~/.ssh/known_hosts`,
        "printf 'Host *\\n  StrictHostKeyChecking yes\\n  BatchMode yes\\n  ConnectTimeout 10\\n' > ~/.ssh/config",
    ].join(" && ");
    return docker(["run", "--rm", "--network", NETWORKS.wan.name, "-e", `KEY=${key}`, "-e", `KH=${knownHosts}`,
        "--entrypoint", "bash", p.computeImage.tag, "-c", `${setup} && ${script}`], { timeoutMs: 120_000 });
}

describe("lab: the cluster as its users use it", function () {
    before(async function () {
        await labUp(this);
    });

    it("logs a cluster user in on the controller, as themselves, in a home that is theirs alone", async () => {
        const out = (await as(alice, "id -un; id -u; stat -c '%a %U' ~; pwd")).trim().split("\n");
        assert.deepEqual(out, [alice, String(p.users.find((u) => u.name === alice)!.uid), `700 ${alice}`, `/home/${alice}`]);
    });

    it("gives a cluster user on the bastion a jump to the controller's sshd and nothing else", async () => {
        const key = ["-i", labUserKeyFile(alice), "-o", "IdentitiesOnly=yes", "-o", `UserKnownHostsFile=${KNOWN_HOSTS}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"];
        const shell = await run(["ssh", ...key, `${alice}@172.28.0.10`, "id"], { timeoutMs: 30_000 }).catch((e: Error) => e.message);
        assert.doesNotMatch(shell, /uid=/, "no command runs on the bastion");
        const elsewhere = await run(["ssh", ...key, "-W", `${p.controller.privateIp}:${p.ports.slurmctld}`, `${alice}@172.28.0.10`], { timeoutMs: 30_000 })
            .catch((e: Error) => e.message);
        assert.match(elsewhere, /administratively prohibited|open failed/, "only the controller's port 22 may be opened");
        // No listener on the bastion: neither a TCP port nor a Unix socket (a key's permitopen bounds neither).
        const listen = (spec: string) => run(["ssh", ...key, "-N", "-o", "ExitOnForwardFailure=yes", "-R", spec, `${alice}@172.28.0.10`], { timeoutMs: 30_000 })
            .then(() => "it ran", (e: Error) => e.message);
        assert.match(await listen("127.0.0.1:43501:127.0.0.1:22"), /remote port forwarding failed/, "-R TCP on the bastion");
        assert.match(await listen("/tmp/alice-jump.sock:127.0.0.1:22"), /remote port forwarding failed/, "-R Unix socket on the bastion");
        assert.equal((await onBastion("test -e /tmp/alice-jump.sock && echo planted || echo none")).trim(), "none");
        // sshd itself holds the tunnel user and every cluster user to the jump, whatever their keys say.
        for (const user of [alice, "hpc-tunnel"]) {
            const t = await onBastion(`sudo sshd -T -C user=${user},host=laptop,addr=172.28.0.1`);
            for (const line of ["allowtcpforwarding local", "allowstreamlocalforwarding no", "permitlisten none", `permitopen ${p.controller.privateIp}:22`]) {
                assert.match(t, new RegExp(`^${line}$`, "m"), `${user}: ${line}`);
            }
        }
        // admin keeps its forwarding (Pulumi's steps reach the controller through the bastion).
        assert.match(await onBastion(`sudo sshd -T -C user=${p.adminUser},host=laptop,addr=172.28.0.1`), /^allowtcpforwarding yes$/m);
        assert.equal((await onBastion(`getent passwd ${alice} | cut -d: -f3,7`)).trim(), `${p.users.find((u) => u.name === alice)!.uid}:/usr/sbin/nologin`);
    });

    it("keeps each user's jobs their own: bob's squeue and sacct -a show none of alice's, and admin sees both", async function () {
        this.timeout(180_000);
        const job = await submit(alice, "-o /dev/null --job-name=alice-private --wrap 'sleep 30'");
        try {
            await until(`alice's job ${job} queued or running`, async () => (await ctl(`squeue -h -j ${job} -o %u`)).trim() === alice, 30_000);
            assert.doesNotMatch(await as(bob, "squeue -a -h -o '%i %u %j'"), new RegExp(`${job}|${alice}|alice-private`), "bob's squeue -a");
            assert.doesNotMatch(await as(bob, "sacct -a -n -X -P -S now-1hour -o JobID,User,JobName,SubmitLine%300"), new RegExp(`${job}|${alice}|alice-private`), "bob's sacct -a");
            assert.match(await as(alice, "squeue -h -o %i"), new RegExp(`^${job}$`, "m"), "alice sees her own job");
            assert.match(await ctl("squeue -a -h -o '%i %u'"), new RegExp(`^${job} ${alice}$`, "m"), "admin (AdminLevel) sees everyone's");
        } finally {
            await ctl(`scancel ${job}`).catch(() => undefined);
        }
    });

    it("runs no job for a uid without an association: nobody's sbatch is refused", async () => {
        const out = await ctl("sudo runuser -u nobody -- sbatch -o /dev/null --wrap true 2>&1; echo rc=$?");
        assert.match(out, /rc=1/, out);
        assert.match(out, /Invalid account|association/i, out);
    });

    it("offboards a user removed from the config on the next up: no login, no jump, no job, and their files stay", async function () {
        this.timeout(900_000);
        const log = (l: string) => console.log(`      [lab] ${l}`);
        const kept = `kept-${Date.now()}.txt`;
        await as(bob, `echo mine > ~/${kept}`);
        const users = LAB_CONFIG.users as { name: string }[];
        try {
            await up(labPlan({ users: users.filter((u) => u.name !== bob) }), log);
            // The login on the controller, and the jump through the bastion, both as bob.
            assert.match(await as(bob, "id -un", 60_000).catch((e: Error) => e.message), /Permission denied|exited 255/, "bob logs in on the controller");
            const key = ["-i", labUserKeyFile(bob), "-o", "IdentitiesOnly=yes", "-o", `UserKnownHostsFile=${KNOWN_HOSTS}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"];
            const jump = await run(["ssh", ...key, "-W", `${p.controller.privateIp}:22`, `${bob}@172.28.0.10`], { timeoutMs: 30_000, input: "" })
                .then(() => "jumped", (e: Error) => e.message);
            assert.match(jump, /Permission denied/, "bob jumps through the bastion");
            // No job as bob, even started by root on his behalf: his association is gone.
            const job = await ctl(`sudo runuser -u ${bob} -- sbatch -o /dev/null --wrap true 2>&1; echo rc=$?`);
            assert.match(job, /rc=1/, job);
            assert.equal((await ctl(`sacctmgr -n -P show assoc where user=${bob} format=user`)).trim(), "");
            assert.notEqual((await ctl(`systemctl is-active hpc-home@${bob}.service || true`)).trim(), "active", "bob's home mount runs");
            // His files stay, on premises.
            assert.equal((await docker(["exec", containerName(p.homeServer.node), "cat", `/home/${bob}/${kept}`])).trim(), "mine");
        } finally {
            await up(p, log);
        }
        // Listed again, he is back: login, home and jobs.
        await until("bob's home is back on the controller", async () => (await as(bob, `cat ~/${kept} 2>/dev/null || true`)).trim() === "mine", 120_000, 2000);
        assert.match(await as(bob, "sbatch --parsable -o /dev/null --wrap true"), /^\d+/);
    });

    it("logs users in while their home is away: keys live outside /home", async function () {
        this.timeout(300_000);
        await docker(["stop", "-t", "5", containerName(p.homeServer.node)]);
        try {
            assert.equal((await as(alice, "id -un", 90_000)).trim(), alice);
            assert.equal((await ctl("id -un")).trim(), p.adminUser);
        } finally {
            await docker(["start", containerName(p.homeServer.node)]);
        }
        await until("the home is back on the controller", async () => (await as(alice, "ls -A ~ | wc -l")).trim() !== "0", 120_000, 2000);
    });

    it("keeps a cluster user from silencing alerts: Alertmanager on the shared loopback asks for its login", async () => {
        const get = (path: string) => as(alice, `python3 -c 'import urllib.request as u, urllib.error as e
try: print(u.urlopen("http://127.0.0.1:${p.monitoring.alertmanagerPort}${path}", timeout=10).status)
except e.HTTPError as x: print(x.code)'`);
        assert.equal((await get("/api/v2/silences")).trim(), "401");
        assert.equal((await get("/api/v2/status")).trim(), "401");
    });

    it("runs the example analysis with sbatch submit_python.sh: analysis_<id>.out on the controller holds describe()", async () => {
        // The controller has listed the home before: a cached listing must not hide the new file.
        await as(alice, "ls ~ >/dev/null");
        const job = await submit(alice, "submit_python.sh");
        await until(`job ${job} left the queue`, async () => (await as(alice, `squeue -h -j ${job} -o %T 2>/dev/null || true`)).trim() === "", 120_000, 500);
        // As a user does it, the moment squeue shows the job gone: list, then cat.
        const out = await as(alice, `cd ~ && ls analysis_*.out | grep -x analysis_${job}.out && cat analysis_${job}.out`);
        for (const row of ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]) assert.match(out, new RegExp(`^${row}\\s`, "m"), out);
        // In the user's own account, from the config.
        assert.equal((await as(alice, `sacct -n -X -P -j ${job} -o User,Account`)).trim(), `${alice}|${p.users.find((u) => u.name === alice)!.account}`);
    });

    it("serves an app job to a laptop on the wan, through the bastion, with the command the job printed", async () => {
        const job = await submit(alice, "-w compute1 -o app_%j.out run_stdlib_app.sh");
        const [, command, port] = await printed(alice, `app_${job}.out`, /^\s*(ssh -J \S+ -L (\d+):127\.0\.0\.1:\d+ \S+)$/m);
        assert.equal(command, `ssh -J ${alice}@172.28.0.10 -L ${port}:127.0.0.1:${port} ${alice}@${p.controller.privateIp}`);
        assert.ok(p.nodes.find((n) => n.name === "compute1")!.appPorts.includes(Number(port)), `port ${port} is one of compute1's`);
        try {
            await printed(alice, `app_${job}.out`, /listening|serving/i);
            const page = await laptop(alice, [
                `${command.replace(/^ssh /, "ssh -f -N -o ExitOnForwardFailure=yes ")}`,
                `python3 -c 'import urllib.request as u; r = u.urlopen("http://127.0.0.1:${port}/", timeout=20); print(r.status); print(r.read().decode())'`,
            ].join(" && "));
            assert.match(page, /^200$/m);
            assert.match(page, new RegExp(`hpc-stack app on compute1 for ${alice}`));
        } finally {
            await as(alice, `scancel ${job}`);
        }
    });

    it("gives two app jobs on one node different ports, each answering", async () => {
        const jobs = [await submit(bob, "-w compute2 -o app_%j.out run_stdlib_app.sh"), await submit(bob, "-w compute2 -o app_%j.out run_stdlib_app.sh")];
        try {
            const ports = await Promise.all(jobs.map(async (j) => (await printed(bob, `app_${j}.out`, /-L (\d+):127\.0\.0\.1:/m))[1]));
            assert.notEqual(ports[0], ports[1]);
            for (const [i, port] of ports.entries()) {
                const body = await until(`app of job ${jobs[i]} answers`, () => as(bob,
                    `python3 -c 'import urllib.request as u; print(u.urlopen("http://127.0.0.1:${port}/", timeout=10).read().decode())'`).catch(() => undefined), 60_000, 2000);
                assert.match(body, new RegExp(`job ${jobs[i]}`));
            }
        } finally {
            await as(bob, `scancel ${jobs.join(" ")}`);
        }
    });

    it("keeps a job's output whole through a tunnel drop, and the controller's view comes back by itself", async function () {
        this.timeout(300_000);
        // A file of its own: a kept lab (HPC_LAB_KEEP=1) runs this again.
        const file = `through-drop-${Date.now()}.txt`;
        const job = await submit(alice, `-w compute1 -o /dev/null --wrap 'for i in $(seq 30); do echo line $i >> ~/${file}; sleep 1; done'`);
        await printed(alice, file, /^line 5$/m);
        // Both tunnels: the node's (slurmd, its ports) and the home server's (the controller's view).
        for (const c of ["compute1", p.homeServer.node]) await docker(["exec", containerName(c), "pkill", "-9", "-x", "ssh"]);
        assert.equal(await done(alice, job, 180_000), "COMPLETED");
        const lines = await until("all 30 lines on the controller", async () => {
            const n = (await as(alice, `wc -l < ~/${file}`).catch(() => "0")).trim();
            return n === "30" ? n : undefined;
        }, 90_000, 2000);
        assert.equal(lines, "30");
        assert.equal((await as(alice, `tail -1 ~/${file}`)).trim(), "line 30");
    });

    it("shows a file written on the controller to the next job", async () => {
        const stamp = `from-the-controller-${Date.now()}`;
        await as(alice, `echo ${stamp} > ~/note.txt`);
        const job = await submit(alice, "-w compute2 -o seen_%j.out --wrap 'cat ~/note.txt'");
        assert.equal(await done(alice, job), "COMPLETED");
        assert.equal((await as(alice, `cat ~/seen_${job}.out`)).trim(), stamp);
    });

    it("keeps every file in /home when a compute container is replaced", async function () {
        this.timeout(600_000);
        const before = (await as(alice, "cd ~ && ls -A | sort | sha256sum")).trim();
        await docker(["rm", "-f", containerName("compute1")]);
        await up(p, (s) => console.log(`      [lab] ${s}`));
        assert.equal((await as(alice, "cd ~ && ls -A | sort | sha256sum")).trim(), before);
        const job = await submit(alice, "-w compute1 -o kept_%j.out --wrap 'cat ~/note.txt'");
        assert.equal(await done(alice, job), "COMPLETED");
        assert.match(await as(alice, `cat ~/kept_${job}.out`), /^from-the-controller-/);
    });

    it("keeps one user out of another's home, on the controller and in jobs (0700)", async () => {
        await as(alice, "echo private > ~/secret.txt");
        await assert.rejects(as(bob, `cat /home/${alice}/secret.txt`), /Permission denied/);
        await assert.rejects(as(bob, `ls /home/${alice}`), /Permission denied/);
        const job = await submit(bob, `-w compute1 -o denied_%j.out --wrap 'cat /home/${alice}/secret.txt; echo rc=$?'`);
        await done(bob, job);
        assert.match(await as(bob, `cat ~/denied_${job}.out`), /Permission denied[\s\S]*rc=1/);
    });
});
