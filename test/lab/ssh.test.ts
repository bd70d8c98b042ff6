// Which ssh failures the lab's step runner dials again, as @pulumi/command does with
// dialErrorLimit: only those before any session began, never a host key that differs.
import { strict as assert } from "assert";
import { isDialError } from "../../lab/ssh";

const failed = (stderr: string) => `ssh -F x lab-controller sudo -n /bin/bash -c 'step' exited 255: ${stderr}`;

describe("isDialError", () => {
    it("retries a hop that refused or closed before any session: an sshd reloading beside the step", () => {
        assert.equal(isDialError(failed("ssh: connect to host 172.28.0.10 port 22: Connection refused\nkex_exchange_identification: Connection closed by remote host")), true);
        assert.equal(isDialError(failed("kex_exchange_identification: read: Connection reset by peer")), true);
        assert.equal(isDialError(failed("ssh: connect to host 10.0.1.10 port 22: Connection timed out")), true);
    });

    it("never retries a host key that differs, a failed step, or a session cut part way", () => {
        assert.equal(isDialError(failed("@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.")), false);
        assert.equal(isDialError("ssh ... exited 1: [controller-munge] FAILED (exit 1)"), false);
        assert.equal(isDialError(failed("Connection to 10.0.1.10 closed by remote host.")), false);
        assert.equal(isDialError(failed("client_loop: send disconnect: Connection reset by peer")), false);
    });
});
