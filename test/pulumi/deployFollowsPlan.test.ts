// One plan, two adapters: the Pulumi program must run exactly the plan's steps
// and start exactly the plan's containers (the lab runs the same ones for real).
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { decodeEngineConfig, parseConfig } from "../../components/plan/config";
import { plan } from "../../components/plan/plan";
import { stepCommand, stepReview } from "../../components/plan/steps";
import { containerArgs, homeVolumeArgs } from "../../components/pulumi/compute";
import { DEV_STACK_FILE, Recorded, RecordingMocks, runIndex, stackConfigFromFile, withTestAdminKey } from "../../mocks";

const CMD = "command:remote:Command";
const CONTAINER = "docker:index/container:Container";
const isExporter = (c: Recorded) => c.name.endsWith("-dcgm-exporter");

describe("adapters: the Pulumi program follows the plan", () => {
    let m: RecordingMocks;
    let outputs: Record<string, unknown>;
    const p = plan(parseConfig(decodeEngineConfig("hpc-stack", stackConfigFromFile(DEV_STACK_FILE))));

    before(async () => {
        ({ mocks: m, outputs } = await runIndex(withTestAdminKey(stackConfigFromFile(DEV_STACK_FILE))));
    });

    const commandFor = (id: string): Recorded => m.one(CMD, `-bootstrap-${id}`);

    it("declares one remote.Command per bootstrap step, whose command is the step's", () => {
        assert.equal(m.ofType(CMD).length, p.steps.length);
        for (const step of p.steps) assert.equal(commandFor(step.id).inputs.create, stepCommand(step), step.id);
    });

    it("connects to the step's host, reaching the controller through the bastion", () => {
        const bastionIp = m.one("aws:ec2/eip:Eip", "bastion-eip").state.publicIp;
        for (const step of p.steps) {
            const conn = commandFor(step.id).inputs.connection as Record<string, unknown>;
            assert.equal(conn.user, "admin");
            if (step.host === "bastion") {
                assert.equal(conn.host, bastionIp, step.id);
                assert.equal(conn.proxy, undefined);
            } else {
                assert.equal(conn.host, p.controller.privateIp, step.id);
                assert.equal((conn.proxy as Record<string, unknown>).host, bastionIp, step.id);
            }
            // The admin's own key, from their ssh-agent: the stack holds no private half.
            assert.equal(conn.privateKey, undefined, step.id);
            assert.ok("agentSocketPath" in conn, step.id);
        }
    });

    it("pins each host's generated key once the step installing it has run", () => {
        const publicKey = (host: string) => String(m.one("tls:index/privateKey:PrivateKey", `-${host}-host-key`).state.publicKeyOpenssh).trim();
        const keys = (id: string) => {
            const conn = commandFor(id).inputs.connection as Record<string, unknown>;
            const proxy = conn.proxy as Record<string, unknown> | undefined;
            return proxy ? { controller: conn.hostKey, bastion: proxy.hostKey } : { bastion: conn.hostKey };
        };
        assert.deepEqual(keys("bastion-hostkey"), { bastion: undefined });
        assert.deepEqual(keys("controller-hostkey"), { controller: undefined, bastion: publicKey("bastion") });
        assert.match(publicKey("bastion"), /^ssh-ed25519 \S+$/);
        for (const step of p.steps.filter((s) => !s.id.endsWith("-hostkey"))) {
            // A bastion step's only hop is the bastion; a controller step's are both.
            const expected = step.host === "bastion" ? { bastion: publicKey("bastion") } : { controller: publicKey("controller"), bastion: publicKey("bastion") };
            assert.deepEqual(keys(step.id), expected, step.id);
        }
    });

    it("pipes generated values on stdin, as a secret, in the step's order", () => {
        for (const step of p.steps) {
            const c = commandFor(step.id);
            const stdin = c.inputs.stdin as string | undefined;
            if (!step.generated.length) { assert.equal(stdin, undefined, step.id); continue; }
            assert.ok(c.secretKeys.includes("stdin"), `${step.id} stdin is secret`);
            assert.deepEqual(stdin!.trim().split("\n").map((l) => l.split(" ")[0]), step.generated, step.id);
        }
        const munge = m.one("random:index/randomBytes:RandomBytes", "munge").state.base64 as string;
        const line = (commandFor("controller-munge").inputs.stdin as string).trim();
        assert.equal(line, `mungeKey ${Buffer.from(munge).toString("base64")}`);
    });

    it("re-runs a host's steps on a replaced host (same IP, new disk): its instance id and the step's review are the triggers, none secret", () => {
        const instanceId = (host: string) => m.one("aws:ec2/instance:Instance", `-${host}-instance`).id;
        for (const step of p.steps) {
            // As a reviewer sees them: one secret element would make the engine hide the whole array.
            assert.deepEqual(commandFor(step.id).plainInputs.triggers, [instanceId(step.host), stepReview(step)], step.id);
        }
    });

    it("orders commands by the steps' dependsOn", () => {
        // Mocks register resources as their dependencies resolve, so order of registration follows dependsOn.
        const order = m.ofType(CMD).map((c) => c.name.replace(/^.*-bootstrap-/, ""));
        for (const step of p.steps) for (const d of step.dependsOn) {
            assert.ok(order.indexOf(d) < order.indexOf(step.id), `${d} before ${step.id}`);
        }
    });

    const nodeContainers = () => m.ofType(CONTAINER).filter((c) => !isExporter(c) && !c.name.endsWith(`-${p.homeServer.node}`));

    it("starts one docker.Container per container spec with the spec's inputs", () => {
        assert.equal(nodeContainers().length, p.containers.length);
        const image = m.one("docker:index/image:Image");
        for (const spec of p.containers) {
            const c = nodeContainers().find((x) => x.name.endsWith(`-compute-${spec.node}`))!.inputs;
            assert.equal(c.name, spec.name);
            assert.equal(c.hostname, spec.name);
            assert.equal(c.image, image.state.imageName);
            assert.equal(image.inputs.imageName, p.computeImage.tag);
            assert.deepEqual((image.inputs.build as { args: unknown }).args, p.computeImage.buildArgs);
            const envs = Object.fromEntries((c.envs as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
            for (const [k, v] of Object.entries(spec.env)) {
                if (typeof v === "string") assert.equal(envs[k], v, `${spec.node} ${k}`);
            }
            assert.equal(envs.TUNNEL_JUMP, `hpc-tunnel@${m.one("aws:ec2/eip:Eip", "bastion-eip").state.publicIp}`);
            assert.deepEqual((c.uploads as { file: string }[]).map((u) => u.file), spec.uploads.map((u) => u.path));
            assert.deepEqual(c.ports, spec.ports.map((x) => ({ ...x, protocol: "tcp" })));
            assert.deepEqual(c.hosts, spec.hosts);
            assert.equal(c.restart, "unless-stopped");
            assert.deepEqual([c.memory, c.memorySwap, c.cpus, c.securityOpts], [spec.limits.memoryMb, spec.limits.memoryMb, String(spec.limits.cpus), spec.securityOpts], spec.node);
            assert.deepEqual(c.healthcheck, { tests: spec.healthcheck.test, interval: "15s", timeout: "10s", startPeriod: "60s", retries: 3 }, spec.node);
            // No pidsLimit in @pulumi/docker: a local command per host and limit sets it on the container's engine.
            const pids = m.one("command:local:Command", `compute-pids-local-${spec.limits.pids}`);
            assert.match(String(pids.inputs.create), new RegExp(`^docker update --pids-limit ${spec.limits.pids} (\\S+ )*${spec.name}( |$)`), spec.node);
            // The node's GPUs by id, and no second selector beside them (the toolkit reads NVIDIA_VISIBLE_DEVICES too).
            assert.equal(envs.NVIDIA_VISIBLE_DEVICES, undefined, spec.node);
            if (spec.gpus > 0) assert.deepEqual(c.deviceRequests, [{ driver: "nvidia", deviceIds: spec.gpuIds.map(String), capabilities: ["gpu"] }]);
            else assert.equal(c.deviceRequests, undefined);
        }
    });

    it("holds every docker.Container the program declares to CIS Docker section 5: memory, CPUs, PIDs, a health check, no-new-privileges", () => {
        // Every container, whatever made it: the next sidecar cannot skip these.
        const all = m.ofType(CONTAINER);
        assert.ok(all.some(isExporter), "the DCGM exporter is among them");
        const pidCommands = m.ofType("command:local:Command").filter((c) => String(c.inputs.create).startsWith("docker update --pids-limit "));
        for (const c of all) {
            const i = c.inputs;
            assert.ok(typeof i.memory === "number" && i.memory > 0 && i.memorySwap === i.memory, `${c.name}: memory ${i.memory}, swap ${i.memorySwap}`);
            assert.ok(Number(i.cpus) > 0, `${c.name}: cpus ${i.cpus}`);
            const hc = i.healthcheck as { tests?: string[]; retries?: number } | undefined;
            assert.ok(hc?.tests?.[0] === "CMD-SHELL" && hc.tests[1] && (hc.retries ?? 0) > 0, `${c.name}: health check ${JSON.stringify(hc)}`);
            assert.ok((i.securityOpts as string[] | undefined)?.includes("no-new-privileges:true"), `${c.name}: securityOpts ${JSON.stringify(i.securityOpts)}`);
            const limited = pidCommands.filter((cmd) => String(cmd.inputs.create).split(" ").slice(4).includes(String(i.name)));
            assert.equal(limited.length, 1, `${c.name}: one PID limit (docker update --pids-limit) names it`);
        }
    });

    it("starts NVIDIA's DCGM exporter, pinned, beside each GPU node: in the node's network namespace, with its GPUs, no port, no capability", () => {
        const exporters = m.ofType(CONTAINER).filter(isExporter);
        assert.deepEqual(exporters.map((e) => e.inputs.name), p.nodes.filter((n) => n.gpus > 0).map((n) => `${n.name}-dcgm-exporter`));
        const image = m.one("docker:index/remoteImage:RemoteImage", "dcgm-exporter");
        assert.equal(image.inputs.name, "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.0-4.1.0-ubuntu22.04");
        for (const e of exporters) {
            const node = p.nodes.find((n) => `${n.name}-dcgm-exporter` === e.inputs.name)!;
            const nodeContainer = nodeContainers().find((x) => x.name.endsWith(`-compute-${node.name}`))!;
            assert.equal(e.inputs.image, image.state.imageId ?? image.inputs.imageId);
            assert.equal(e.inputs.networkMode, `container:${nodeContainer.id}`);
            assert.deepEqual(e.inputs.deviceRequests, [{ driver: "nvidia", deviceIds: node.gpuIds.map(String), capabilities: ["gpu"] }]);
            for (const k of ["ports", "networksAdvanced", "hostname", "capabilities", "privileged", "volumes", "mounts", "devices"]) {
                assert.equal(e.inputs[k], undefined, `${e.name} sets ${k}`);
            }
            const envs = e.inputs.envs as string[];
            assert.ok(envs.includes("DCGM_EXPORTER_LISTEN=127.0.0.1:9400"), envs.join(" "));
            assert.ok(envs.includes("DCGM_EXPORTER_COLLECTORS=/etc/dcgm-exporter/hpc-counters.csv"));
            const counters = (e.inputs.uploads as { file: string; content: string }[]).find((u) => u.file === "/etc/dcgm-exporter/hpc-counters.csv")!.content;
            for (const metric of ["DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_XID_ERRORS"]) {
                assert.match(counters, new RegExp(`^${metric}, gauge,`, "m"));
            }
            assert.doesNotMatch(counters, /^DCGM_FI_PROF_/m, "profiling fields need SYS_ADMIN");
            assert.equal(e.options.deleteBeforeReplace, true);
        }
    });

    it("joins a node's network with its alias, at an address Docker picks (only the tunnels address a node)", () => {
        const spec = p.containers[0];
        const generated = () => pulumi.output("generated");
        assert.deepEqual(containerArgs(spec, "img", "net", generated).networksAdvanced, [{ name: "net", aliases: [spec.name] }]);
    });

    it("publishes compute SSH on 127.0.0.1 only and never runs privileged", () => {
        for (const c of nodeContainers()) {
            for (const port of c.inputs.ports as { ip: string }[]) assert.equal(port.ip, "127.0.0.1");
            assert.notEqual(c.inputs.privileged, true);
        }
    });

    it("replaces a compute container delete-first: its name, SSH port and tunnel ports cannot be held twice", () => {
        assert.equal(nodeContainers().length, p.containers.length);
        for (const c of m.ofType(CONTAINER)) assert.equal(c.options.deleteBeforeReplace, true, c.name);
    });

    it("holds /home in a protected volume that every compute container and the home server mount, the server with no port and no capability", () => {
        const vol = m.one("docker:index/volume:Volume", "-home");
        assert.equal(vol.inputs.name, p.home.volume.name);
        assert.equal(vol.inputs.driverOpts, undefined, "a local volume unless homeNfsExport is set");
        assert.equal(vol.options.protect, true, "pulumi destroy must not take the users' files");
        for (const c of nodeContainers()) assert.deepEqual(c.inputs.volumes, [{ volumeName: p.home.volume.name, containerPath: "/home" }], c.name);
        const home = m.one(CONTAINER, `-${p.homeServer.node}`);
        assert.deepEqual(home.inputs.volumes, [{ volumeName: p.home.volume.name, containerPath: "/home" }]);
        assert.deepEqual(home.inputs.command, ["/usr/local/sbin/hpc-home-entrypoint"]);
        assert.deepEqual(home.inputs.ports, [], "it publishes nothing: the controller reaches it through its tunnel");
        for (const k of ["capabilities", "privileged", "devices", "deviceRequests"]) assert.equal(home.inputs[k], undefined, `home server sets ${k}`);
        assert.ok(home.secretKeys.includes("uploads"), "its host and tunnel keys are secrets");
        const envs = home.inputs.envs as string[];
        assert.ok(envs.includes(`TUNNEL_REMOTE_FORWARDS=${p.home.tunnelPort}:22`), envs.join(" "));
    });

    it("mounts a site NFS export through dockerd's local driver when homeNfsExport is set", () => {
        const nfs = plan(parseConfig({ trustedCidrs: ["203.0.113.0/24"], homeNfsExport: "nas1.example.org:/export/home", homeNfsOptions: "nfsvers=4.1,hard" }));
        const args = homeVolumeArgs(nfs.home.volume, nfs.clusterName);
        assert.deepEqual(args.driverOpts, { type: "nfs", o: "addr=nas1.example.org,nfsvers=4.1,hard", device: ":/export/home" });
    });

    it("delivers the munge key and tunnel keys to containers only as secrets", () => {
        for (const c of nodeContainers()) {
            assert.ok(c.secretKeys.includes("uploads"), `${c.name} uploads are secret`);
            const munge = (c.inputs.uploads as { file: string; contentBase64?: string }[]).find((u) => u.file === "/etc/munge/munge.key");
            assert.equal(munge?.contentBase64, m.one("random:index/randomBytes:RandomBytes", "munge").state.base64);
        }
    });

    /** Every generated secret, each as generated (escaped as in JSON) and as stdin carries it (base64). */
    const generatedSecrets = (): [string, string][] => [
        m.one("random:index/randomBytes:RandomBytes", "munge").state.base64 as string,
        m.one("random:index/randomPassword:RandomPassword", "db-password").state.result as string,
        ...m.ofType("tls:index/privateKey:PrivateKey").filter((k) => !k.name.includes("admin")).map((k) => k.state.privateKeyOpenssh as string),
    ].map((s) => [JSON.stringify(s.trim()).slice(1, -1), Buffer.from(s).toString("base64")]);

    it("keeps every generated secret out of every plain input: triggers, commands, env, uploads", () => {
        const secrets = generatedSecrets();
        // The check can fail: the recorded inputs, secrets unmasked, do carry each secret in one form or the other.
        const unmasked = JSON.stringify(m.resources.map((r) => r.inputs));
        assert.ok(secrets.every((forms) => forms.some((f) => unmasked.includes(f))), "each secret reaches some input");
        for (const r of m.resources) {
            const text = JSON.stringify(r.plainInputs);
            for (const f of secrets.flat()) assert.ok(!text.includes(f), `a secret is plain in ${r.name}`);
        }
    });

    it("keeps every generated secret out of the stack outputs", async () => {
        const secrets = generatedSecrets().flat();
        const plain = await Promise.all(Object.values(outputs)
            .map((o) => new Promise((r) => (o as { apply: (f: (x: unknown) => unknown) => unknown }).apply(r))));
        const text = JSON.stringify(plain);
        for (const s of secrets) assert.ok(!text.includes(s), "a secret leaked into a plain output");
    });

    it("puts no private key in any output, secret or not (a stack reader with decrypt would have it)", async () => {
        const values = await Promise.all(Object.entries(outputs).map(([k, o]) =>
            new Promise<[string, string]>((r) => (o as { apply: (f: (x: unknown) => unknown) => unknown }).apply((v) => r([k, JSON.stringify(v)])))));
        for (const [k, v] of values) assert.doesNotMatch(v, /PRIVATE KEY|"privateKey"/, `output ${k} holds a private key`);
    });
});
