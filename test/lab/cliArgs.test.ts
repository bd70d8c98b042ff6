// The lab CLI's grammar, on plain argv arrays: what each command line asks for,
// and the message each mistake gets.
import { strict as assert } from "assert";
import { LAB_USAGE, labUsage, parseLabArgs } from "../../lab/cliArgs";

const HOSTS = ["bastion", "controller", "compute1", "compute2"];
const parse = (line: string) => parseLabArgs(line === "" ? [] : line.split(" "), HOSTS);

/** Expects an error whose message matches. */
function refuses(argv: string[], message: RegExp): void {
    const r = parseLabArgs(argv, HOSTS);
    assert.ok("error" in r, `${JSON.stringify(argv)} was accepted as ${JSON.stringify(r)}`);
    assert.match(r.error, message);
}

describe("parseLabArgs", () => {
    describe("accepts", () => {
        it("up, status and down", () => {
            assert.deepEqual(parse("up"), { command: "up" });
            assert.deepEqual(parse("status"), { command: "status" });
            assert.deepEqual(parse("down"), { command: "down" });
        });

        it("up --stack NAME and --stack=NAME", () => {
            assert.deepEqual(parse("up --stack prod"), { command: "up", stack: "prod" });
            assert.deepEqual(parse("up --stack=team_a.prod-2"), { command: "up", stack: "team_a.prod-2" });
        });

        it("up --parallel N and --continue-on-error, as pulumi up takes them", () => {
            assert.deepEqual(parse("up --parallel 1"), { command: "up", parallel: 1 });
            assert.deepEqual(parse("up --parallel=8 --continue-on-error --stack prod"), { command: "up", stack: "prod", parallel: 8, continueOnError: true });
            assert.deepEqual(parse("up --continue-on-error"), { command: "up", continueOnError: true });
        });

        it("ssh to each host, as admin unless told, with an interactive shell unless given a command", () => {
            for (const host of HOSTS) assert.deepEqual(parse(`ssh ${host}`), { command: "ssh", host, remote: [] });
            assert.deepEqual(parse("ssh controller --user alice"), { command: "ssh", host: "controller", user: "alice", remote: [] });
        });

        it("ssh's command after --, its own flags and a second -- included", () => {
            assert.deepEqual(parseLabArgs(["ssh", "--user", "bob", "compute2", "--", "ls", "-la", "--", "/home"], HOSTS),
                { command: "ssh", host: "compute2", user: "bob", remote: ["ls", "-la", "--", "/home"] });
            assert.deepEqual(parse("ssh controller --"), { command: "ssh", host: "controller", remote: [] });
        });

        it("submit <script>, with or without --user, either side of the script", () => {
            assert.deepEqual(parse("submit jobs/hello.sh"), { command: "submit", script: "jobs/hello.sh" });
            assert.deepEqual(parse("submit --user alice jobs/hello.sh"), { command: "submit", script: "jobs/hello.sh", user: "alice" });
            assert.deepEqual(parse("submit jobs/hello.sh --user=alice"), { command: "submit", script: "jobs/hello.sh", user: "alice" });
            // A script whose name starts with '-' follows --, as with any command.
            assert.deepEqual(parse("submit -- -odd.sh"), { command: "submit", script: "-odd.sh" });
        });

        it("help, --help and -h, alone or after a command", () => {
            for (const line of ["help", "--help", "-h", "up --help", "ssh controller -h", "submit --help"]) {
                assert.deepEqual(parse(line), { command: "help" }, line);
            }
        });
    });

    describe("refuses, saying why", () => {
        it("no command", () => refuses([], /no command given/));
        it("an unknown command, listing the commands", () => refuses(["start"], /unknown command "start" \(commands: up, status, down, ssh, submit, help\)/));
        it("an unknown flag, naming it and the command's flags", () => refuses(["up", "--force"], /^up: unknown option --force \(up takes --help, --stack, --parallel, --continue-on-error\)/));
        it("a short flag no command has", () => refuses(["status", "-v"], /^status: unknown option -v/));
        it("--user on a command without it", () => refuses(["down", "--user", "alice"], /^down: unknown option --user/));
        it("--stack without its name", () => refuses(["up", "--stack"], /^up: --stack needs a value/));
        it("--stack followed by another flag", () => refuses(["up", "--stack", "--help"], /^up: --stack needs a value/));
        it("a value given to --help", () => refuses(["up", "--help=yes"], /^up: --help takes no value/));
        it("a stack name that is not a file name part", () => {
            refuses(["up", "--stack", "../etc/passwd"], /^up: --stack "\.\.\/etc\/passwd" is not a stack name/);
            refuses(["up", "--stack", "org/prod"], /is not a stack name/);
            refuses(["up", "--stack="], /--stack "" is not a stack name/);
        });
        it("a --parallel that is not a whole number from 1, naming it", () => {
            refuses(["up", "--parallel", "0"], /^up: --parallel "0" is not a whole number from 1 to 9999/);
            refuses(["up", "--parallel=-2"], /^up: --parallel "-2" is not a whole number/);
            refuses(["up", "--parallel", "two"], /^up: --parallel "two" is not a whole number/);
            refuses(["up", "--parallel", "1.5"], /^up: --parallel "1.5" is not a whole number/);
            refuses(["up", "--parallel"], /^up: --parallel needs a value/);
        });
        it("an option given twice", () => refuses(["up", "--stack", "dev", "--stack", "prod"], /^up: --stack is given twice/));
        it("arguments a command does not take", () => {
            refuses(["up", "prod"], /^up: unexpected argument "prod"/);
            refuses(["status", "now", "please"], /^status: unexpected arguments "now" "please"/);
            refuses(["down", "--", "x"], /^down: unexpected argument "x"/);
        });
        it("ssh without a host, listing the hosts", () => refuses(["ssh"], /^ssh: which host\? \(one of bastion, controller, compute1, compute2\)/));
        it("ssh to an unknown host, listing the hosts", () => refuses(["ssh", "gpu9"], /^ssh: unknown host "gpu9" \(hosts: bastion, controller, compute1, compute2\)/));
        it("ssh whose host is after --", () => refuses(["ssh", "--", "controller"], /^ssh: which host\?/));
        it("ssh with a command not after --, showing how to write it", () => {
            refuses(["ssh", "controller", "sinfo"], /^ssh: unexpected argument "sinfo": put the command after --, as in: ssh controller -- sinfo/);
            refuses(["ssh", "controller", "sinfo", "-N"], /^ssh: unknown option -N \(ssh takes --help, --user\); the remote command, flags and all, goes after --/);
        });
        it("a --user that is not a user name (it would reach ssh's command line)", () => {
            refuses(["ssh", "controller", "--user=-oProxyCommand=x"], /^ssh: --user "-oProxyCommand=x" is not a user name/);
            refuses(["submit", "--user", "Alice", "job.sh"], /^submit: --user "Alice" is not a user name/);
        });
        it("submit without a script", () => {
            refuses(["submit"], /^submit: which script\?/);
            refuses(["submit", "--user", "alice"], /^submit: which script\?/);
        });
        it("submit with two scripts", () => refuses(["submit", "a.sh", "b.sh"], /^submit: unexpected argument "b.sh"/));
    });
});

describe("LAB_USAGE", () => {
    it("shows every command and flag the parser takes", () => {
        for (const word of ["up [--stack NAME]", "status", "down", "ssh <host> [--user NAME] [-- command...]", "submit [--user NAME] <script>", "help"]) {
            assert.ok(LAB_USAGE.includes(word), word);
        }
    });

    it("lists the hosts when given them", () => {
        assert.match(labUsage(HOSTS), /\nhosts: bastion, controller, compute1, compute2$/);
        assert.ok(labUsage(HOSTS).startsWith(LAB_USAGE));
    });
});
