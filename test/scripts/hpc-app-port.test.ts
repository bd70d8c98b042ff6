// hpc-app-port (config-files/docker/hpc-app-port) run by a real bash, with its env
// file and claims dir in a temp dir: the port a job's web app gets must be one its
// node forwards, free, and not handed to two jobs at once.
import { strict as assert } from "assert";
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { CONFIG_FILES_DIR } from "../../components/plan/steps";

const SCRIPT = path.join(CONFIG_FILES_DIR, "docker", "hpc-app-port");
const COUNT = 4;

interface Run { code: number; stdout: string; stderr: string; ms: number }

/** Whether 127.0.0.1:port can be bound now. */
function bindable(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.createServer();
        s.once("error", () => resolve(false));
        s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
}

/** COUNT consecutive ports that nothing on this host uses, from a probed range. */
async function freePorts(): Promise<number[]> {
    for (let base = 41000 + Math.floor(Math.random() * 400) * COUNT; base < 60000; base += COUNT) {
        const ports = Array.from({ length: COUNT }, (_, i) => base + i);
        if ((await Promise.all(ports.map(bindable))).every(Boolean)) return ports;
    }
    throw new Error("no free range of test ports");
}

function listen(port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => resolve(s));
    });
}

/** A process that stands for a job's shell, alive until killed. */
function owner(): ChildProcess {
    return spawn("sleep", ["300"], { stdio: "ignore" });
}

/** A PID that ran and has ended. */
async function deadPid(): Promise<number> {
    const p = spawn("true", [], { stdio: "ignore" });
    await new Promise((resolve) => p.once("exit", resolve));
    return p.pid!;
}

describe("hpc-app-port (a job's web app port)", () => {
    let dir: string;
    let claims: string;
    let ports: number[];
    const alive: ChildProcess[] = [];
    const servers: net.Server[] = [];

    before(async () => { ports = await freePorts(); });
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpc-app-port-"));
        claims = path.join(dir, "claims");
        fs.mkdirSync(claims);
        fs.writeFileSync(path.join(dir, "app.env"),
            `APP_PORTS="${ports.join(" ")}"\nAPP_SSH_BASTION=203.0.113.7\nAPP_SSH_CONTROLLER=10.0.1.10\n`);
    });
    afterEach(async () => {
        for (const p of alive.splice(0)) p.kill();
        await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
        fs.rmSync(dir, { recursive: true, force: true });
    });

    function run(args: string[], ownerPid?: number): Promise<Run> {
        const env: NodeJS.ProcessEnv = { ...process.env, HPC_APP_ENV: path.join(dir, "app.env"), HPC_APP_PORT_CLAIMS: claims };
        if (ownerPid !== undefined) env.HPC_APP_PORT_OWNER_PID = String(ownerPid);
        const t0 = Date.now();
        return new Promise((resolve) => {
            execFile("bash", [SCRIPT, ...args], { env, encoding: "utf8" }, (err, stdout, stderr) => {
                const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
                resolve({ code, stdout, stderr, ms: Date.now() - t0 });
            });
        });
    }

    /** A port claimed for a new live owner; fails the test on anything else. */
    async function claim(): Promise<number> {
        const o = owner();
        alive.push(o);
        const r = await run([], o.pid);
        assert.equal(r.code, 0, r.stderr);
        return Number(r.stdout.trim());
    }

    it("gives two live jobs different ports of the node's range", async () => {
        const a = await claim();
        const b = await claim();
        assert.ok(ports.includes(a) && ports.includes(b), `${a} ${b} not in ${ports}`);
        assert.notEqual(a, b);
    });

    it("gives jobs starting together different ports (claims are made under the lock)", async () => {
        const got = await Promise.all(ports.map(() => claim()));
        assert.deepEqual([...got].sort(), [...ports].sort());
    });

    it("waits for the lock on the claims dir", async () => {
        // A holder of the lock for 1.5 s: the script must not decide before it lets go.
        const holder = spawn("bash", ["-c", 'exec 9<"$1"; flock 9; echo locked; sleep 1.5', "holder", claims]);
        alive.push(holder);
        await new Promise((resolve) => holder.stdout!.once("data", resolve));
        const o = owner();
        alive.push(o);
        const r = await run([], o.pid);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.ms >= 1000, `decided after ${r.ms} ms while the lock was held`);
    });

    it("claims for the calling shell by default (port=$(hpc-app-port) in a batch script), until it ends", async () => {
        const script = 'port=$(bash "$1"); echo "$$ $port"; cat "$2/$port"';
        const r = await new Promise<string>((resolve, reject) => execFile("bash", ["-c", script, "job", SCRIPT, claims],
            { env: { ...process.env, HPC_APP_ENV: path.join(dir, "app.env"), HPC_APP_PORT_CLAIMS: claims }, encoding: "utf8" },
            (err, stdout) => (err ? reject(err) : resolve(stdout))));
        const [line, claimText] = r.split("\n");
        const [shell, port] = line.split(" ");
        assert.equal(port, String(ports[0]));
        assert.equal(claimText.split(" ")[0], shell);
        // That shell has ended: its port is free again.
        assert.equal(await claim(), ports[0]);
    });

    it("skips a port something listens on", async () => {
        servers.push(await listen(ports[0]));
        assert.equal(await claim(), ports[1]);
    });

    it("reclaims a claim whose process has ended", async () => {
        fs.writeFileSync(path.join(claims, String(ports[0])), `${await deadPid()}\n`);
        const o = owner();
        alive.push(o);
        const r = await run([], o.pid);
        assert.deepEqual([r.code, r.stdout.trim()], [0, String(ports[0])], r.stderr);
        assert.match(fs.readFileSync(path.join(claims, String(ports[0])), "utf8"), new RegExp(`^${o.pid} \\d+\\n$`));
    });

    it("reclaims a claim whose PID now names another process (start time differs)", async () => {
        const o = owner();
        alive.push(o);
        fs.writeFileSync(path.join(claims, String(ports[0])), `${o.pid} 1\n`);
        assert.equal(await claim(), ports[0]);
    });

    it("keeps a live claim, also one written without a start time", async () => {
        const o = owner();
        alive.push(o);
        fs.writeFileSync(path.join(claims, String(ports[0])), `${o.pid}\n`);
        assert.equal(await claim(), ports[1]);
    });

    it("exits 1 naming the range when every port is in use", async () => {
        servers.push(await listen(ports[0]));
        for (let i = 1; i < ports.length; i++) await claim();
        const o = owner();
        alive.push(o);
        const r = await run([], o.pid);
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, new RegExp(`no free app port on .*: ${ports[0]}-${ports[ports.length - 1]} all in use`));
    });

    it("--ssh prints the laptop's command for a port", async () => {
        const user = os.userInfo().username;
        const r = await run(["--ssh", String(ports[2])]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `ssh -J ${user}@203.0.113.7 -L ${ports[2]}:127.0.0.1:${ports[2]} ${user}@10.0.1.10\n`);
    });

    it("--howto prints that command and the URL, as a job's output tells its user", async () => {
        const user = os.userInfo().username;
        const r = await run(["--howto", String(ports[1])]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `On your laptop, run (and leave open):\n  ssh -J ${user}@203.0.113.7 -L ${ports[1]}:127.0.0.1:${ports[1]} ${user}@10.0.1.10\nthen open http://localhost:${ports[1]}/\n`);
        assert.equal((await run(["--howto", "22"])).code, 2, "a port the node does not forward");
    });

    it("--ssh refuses a port the node does not forward, and a missing env file is an error", async () => {
        const r = await run(["--ssh", "22"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /port 22 is not forwarded by this node/);
        fs.rmSync(path.join(dir, "app.env"));
        const missing = await run([], process.pid);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /app\.env not readable/);
    });
});
