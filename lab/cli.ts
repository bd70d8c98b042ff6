// npm run lab -- up [--stack NAME] | status | down | ssh <host> [--user NAME] [-- command...]
//                 | submit [--user NAME] <script> | help   (lab/cliArgs.ts parses it)
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ClusterPlan, userSshHosts } from "../components/plan/plan";
import { loginUsers } from "../components/plan/users";
import { labUsage, parseLabArgs } from "./cliArgs";
import { down, status, up } from "./cluster";
import { containerName } from "./labPlan";
import { sshHost } from "./ssh";
import { currentPlan, currentStack, rememberStack } from "./stack";
import { SSH_CONFIG } from "./state";

const hostsOf = (p: ClusterPlan) => ["bastion", "controller", ...p.nodes.map((n) => n.name)];

/** ssh arguments for a shell as `user` (admin by default) on `host`; compute nodes are reached with docker exec, as root or the user. */
function shellArgs(p: ClusterPlan, host: string, user: string | undefined, remote: string[]): string[] {
    if (host !== "bastion" && host !== "controller") {
        // Compute nodes give users no login (their sshd takes root's key only): a shell in the container, as the user.
        const as = user ? ["runuser", "-l", user, ...(remote.length ? ["-c", remote.join(" ")] : [])] : ["bash", ...(remote.length ? ["-c", remote.join(" ")] : [])];
        return ["docker", "exec", ...(remote.length ? [] : ["-it"]), containerName(host), ...as];
    }
    if (!user || user === p.adminUser) return ["ssh", "-F", SSH_CONFIG, sshHost(p, host), ...remote];
    if (!loginUsers(p).some((u) => u.name === user)) {
        throw new Error(`--user ${user}: not a cluster user of this lab (users: ${loginUsers(p).map((u) => u.name).join(", ") || "none"})`);
    }
    if (host === "bastion") throw new Error(`--user ${user}: cluster users have no shell on the bastion, only a jump to the controller`);
    return ["ssh", "-F", SSH_CONFIG, userSshHosts(p, user).controller, ...remote];
}

const exec = (argv: string[], input?: string) =>
    spawnSync(argv[0], argv.slice(1), { stdio: input === undefined ? "inherit" : ["pipe", "pipe", "inherit"], input, encoding: "utf8" });

async function main(argv: string[]): Promise<number> {
    // up reads its own config (below); a remembered stack whose file went must not stop it.
    const p = currentPlan(argv[0] === "up" ? undefined : currentStack());
    const cmd = parseLabArgs(argv, hostsOf(p));
    if ("error" in cmd) {
        console.error(`lab: ${cmd.error}\n\n${labUsage(hostsOf(p))}`);
        return 2;
    }
    switch (cmd.command) {
        case "help":
            console.log(labUsage(hostsOf(p)));
            return 0;
        case "up": {
            const t = Date.now();
            const plan = currentPlan(cmd.stack, console.log);
            if (cmd.stack) console.log(`stack ${cmd.stack}: Pulumi.${cmd.stack}.yaml, with the lab's addresses, images and monitoring settings`);
            const was = currentStack();
            if (was !== cmd.stack && fs.existsSync(SSH_CONFIG)) {
                throw new Error(`the lab is up with ${was ? `stack ${was}` : "its own config"}: run \`npm run lab -- down\` first`);
            }
            await up(plan, console.log, true, { parallel: cmd.parallel, continueOnError: cmd.continueOnError });
            rememberStack(cmd.stack);
            console.log(`lab up in ${((Date.now() - t) / 1000).toFixed(1)}s`);
            return 0;
        }
        case "status":
            await status(p);
            return 0;
        case "down":
            await down();
            return 0;
        case "ssh":
            return exec(shellArgs(p, cmd.host, cmd.user, cmd.remote)).status ?? 1;
        case "submit": {
            const script = fs.readFileSync(cmd.script, "utf8");
            const name = path.basename(cmd.script);
            if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`submit: the script's file name ${JSON.stringify(name)} must be letters, digits, '.', '_' or '-'`);
            // Into the user's home (the shared one), then sbatch from there, as the user would.
            const r = exec(shellArgs(p, "controller", cmd.user, [`cd ~ && cat > ${name} && chmod u+x ${name} && sbatch --parsable ${name}`]), script);
            if (r.status !== 0) return r.status ?? 1;
            const job = r.stdout.trim().split(";")[0];
            console.log(`submitted ${name} as job ${job} (as ${cmd.user ?? p.adminUser}; its output lands in the home on the controller)`);
            return 0;
        }
    }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
    console.error(`lab: ${e.message}`);
    process.exit(1);
});
