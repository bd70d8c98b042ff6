// npm run lab -- up | status | down | ssh <bastion|controller> [command...]
import { spawnSync } from "child_process";
import { down, status, up } from "./cluster";
import { labPlan } from "./labPlan";
import { sshHost } from "./ssh";
import { SSH_CONFIG } from "./state";

async function main(argv: string[]): Promise<number> {
    const [cmd, ...rest] = argv;
    const p = labPlan();
    switch (cmd) {
        case "up": {
            const t = Date.now();
            await up(p, console.log, true);
            console.log(`lab up in ${((Date.now() - t) / 1000).toFixed(1)}s`);
            return 0;
        }
        case "status":
            await status(p);
            return 0;
        case "down":
            await down();
            return 0;
        case "ssh": {
            const host = rest[0] === "bastion" ? "bastion" : "controller";
            return spawnSync("ssh", ["-F", SSH_CONFIG, sshHost(p, host), ...rest.slice(1)], { stdio: "inherit" }).status ?? 1;
        }
        default:
            console.error("usage: npm run lab -- up | status | down | ssh <bastion|controller> [command...]");
            return 2;
    }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
    console.error(`lab: ${e.message}`);
    process.exit(1);
});
