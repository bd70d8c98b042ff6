// Job accounting that loses nothing: slurmdbd + MariaDB on the
// controller, through bursts, outages and restarts.
import { strict as assert } from "assert";
import { ctl, finished, labUp, sacct, sbatch, until } from "./harness";

/** Every job id's [State, ExitCode] in sacct, or undefined if any is missing. */
async function allRecorded(jobs: string[]): Promise<Map<string, string[]> | undefined> {
    const out = await ctl(`sacct -n -X -P -j ${jobs.join(",")} -o JobID,State,ExitCode`);
    const rows = new Map(out.trim().split("\n").filter(Boolean).map((l) => { const [id, ...rest] = l.split("|"); return [id, rest]; }));
    return jobs.every((j) => rows.has(j) && /^(COMPLETED|FAILED)$/.test(rows.get(j)![0])) ? rows : undefined;
}

describe("lab: job accounting", function () {
    before(async function () {
        await labUp(this);
    });

    it("records a burst of 30 jobs with the right state and exit code", async function () {
        this.timeout(240_000);
        // Every third job fails with its own exit code, so state and code are both checked.
        const jobs: { id: string; code: number }[] = [];
        for (let i = 0; i < 30; i++) {
            const code = i % 3 === 0 ? (i % 7) + 1 : 0;
            jobs.push({ id: await sbatch(`-o /dev/null --wrap 'exit ${code}'`), code });
        }
        const rows = await until("30 jobs in sacct", () => allRecorded(jobs.map((j) => j.id)), 180_000, 3000);
        for (const j of jobs) {
            assert.deepEqual(rows.get(j.id), j.code ? ["FAILED", `${j.code}:0`] : ["COMPLETED", "0:0"], `job ${j.id}`);
        }
    });

    it("reports the GPU TRES of a GPU job", async () => {
        const job = await sbatch("-p gpu --gres=gpu:2 -o /dev/null --wrap 'true'");
        await finished(job);
        const [tres] = await sacct(job, "AllocTRES");
        assert.match(tres, /gres\/gpu=2/);
    });

    it("loses no record while MariaDB is down: 10 jobs appear within 120 s of its return", async function () {
        this.timeout(400_000);
        await ctl("sudo systemctl stop mariadb");
        const jobs: string[] = [];
        try {
            // Each job runs a step of its own, so the step rows are checked as well.
            for (let i = 0; i < 10; i++) jobs.push(await sbatch(`-o /dev/null --wrap 'srun true; exit ${i % 2 ? 3 : 0}'`));
            // The jobs run to completion with the database away: slurmctld holds their records.
            await until("10 jobs done in squeue", async () => (await ctl(`squeue -h -j ${jobs.join(",")}`)).trim() === "", 120_000, 2000);
            const queued = await ctl("sdiag | awk -F: '/DBD Agent queue size/ {print $2}'");
            assert.ok(Number(queued.trim()) > 0, `slurmctld queued the records (DBD Agent queue size ${queued.trim()})`);
        } finally {
            await ctl("sudo systemctl start mariadb");
        }
        const t0 = Date.now();
        const rows = await until("10 jobs in sacct after the outage", () => allRecorded(jobs), 120_000, 2000);
        console.log(`      [lab] all 10 records in sacct ${((Date.now() - t0) / 1000).toFixed(1)}s after MariaDB returned`);
        // Slurm 22.05 lost the exit code (0:0) and the step rows of a job that ran entirely
        // during the outage, which is why it also wrote jobcomp/filetxt; 24.11 keeps both.
        jobs.forEach((j, i) => assert.deepEqual(rows.get(j), i % 2 ? ["FAILED", "3:0"] : ["COMPLETED", "0:0"], `job ${j}`));
        const steps = await ctl(`sacct -n -P -j ${jobs.join(",")} -o JobID,State,ExitCode`);
        for (const j of jobs) assert.match(steps, new RegExp(`^${j}\\.0\\|COMPLETED\\|0:0$`, "m"), `step ${j}.0 in sacct`);
    });

    it("loses no record when slurmdbd restarts while jobs run", async function () {
        this.timeout(300_000);
        const jobs: string[] = [];
        for (let i = 0; i < 6; i++) jobs.push(await sbatch("-o /dev/null --wrap 'sleep 4'"));
        await ctl("sudo systemctl restart slurmdbd");
        for (let i = 0; i < 4; i++) jobs.push(await sbatch("-o /dev/null --wrap 'sleep 1'"));
        const rows = await until("jobs in sacct after slurmdbd restart", () => allRecorded(jobs), 180_000, 3000);
        for (const j of jobs) assert.deepEqual(rows.get(j), ["COMPLETED", "0:0"]);
    });

    it("keeps queued jobs across a slurmctld restart, and they complete", async function () {
        this.timeout(300_000);
        const jobs: string[] = [];
        // More jobs than CPUs, so some are still PENDING when slurmctld goes away.
        for (let i = 0; i < 8; i++) jobs.push(await sbatch("-o /dev/null --wrap 'sleep 5'"));
        const pending = await ctl(`squeue -h -t PD -j ${jobs.join(",")} -o %i`);
        assert.ok(pending.trim().length > 0, "some jobs are pending before the restart");
        await ctl("sudo systemctl restart slurmctld");
        await until("slurmctld back", async () => /UP/.test(await ctl("scontrol ping")), 60_000);
        const rows = await until("queued jobs completed after restart", () => allRecorded(jobs), 240_000, 3000);
        for (const j of jobs) assert.deepEqual(rows.get(j), ["COMPLETED", "0:0"]);
    });

    it("answers sreport cluster utilization", async () => {
        // Rows appear after slurmdbd's hourly rollup; the report itself must answer now.
        const out = await ctl("sreport -P cluster utilization start=now-1days end=now+1hours");
        assert.match(out, /^Cluster Utilization /m);
        // Slurm 24.11 calls both planned-down and reserved time "Planned".
        assert.match(out, /^Cluster\|Allocated\|Down\|Planned\|Idle\|Planned\|Reported$/m);
    });

    it("keeps the DB password out of slurm.conf, process lists and world-readable files", async () => {
        const pw = (await ctl("sudo sed -n 's/^StoragePass=//p' /etc/slurm/slurmdbd.conf")).trim();
        assert.ok(pw.length >= 16);
        assert.equal((await ctl("sudo stat -c '%a %U' /etc/slurm/slurmdbd.conf")).trim(), "600 slurm");
        // The pattern comes on stdin: on grep's own command line it would find itself.
        const leaks = await ctl("sudo grep -rlF -f /dev/stdin /etc/slurm/slurm.conf /var/log /proc/[0-9]*/cmdline 2>/dev/null || true", 60_000, `${pw}\n`);
        assert.equal(leaks.trim(), "");
    });

    it("has a nightly backup timer that writes a restorable dump", async () => {
        assert.match(await ctl("systemctl is-enabled hpc-acct-backup.timer; systemctl is-active hpc-acct-backup.timer"), /enabled\s+active/);
        await ctl("sudo systemctl start hpc-acct-backup.service");
        const dump = (await ctl("sudo ls -1t /var/backups/slurm-accounting | head -1")).trim();
        assert.match(dump, /\.sql\.gz$/);
        assert.match(await ctl(`sudo zcat /var/backups/slurm-accounting/${dump} | grep -c 'CREATE TABLE'`), /^[1-9]/);
    });
});
