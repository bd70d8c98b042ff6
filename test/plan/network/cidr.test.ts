import { strict as assert } from "assert";
import { contains, hostAddress, isWorld, overlaps, parseCidr } from "../../../components/plan/network";

describe("cidr helpers", () => {
    it("parses IPv4 and IPv6 blocks into ranges", () => {
        const c = parseCidr("10.0.1.0/24");
        assert.equal(c.kind, "ipv4");
        assert.equal(c.last - c.first, 255n);
        assert.equal(parseCidr("2001:db8::/32").kind, "ipv6");
    });
    it("rejects host bits, with the block the user meant", () => {
        assert.throws(() => parseCidr("192.168.1.1/16"), /did you mean 192\.168\.0\.0\/16/);
    });
    it("knows containment and overlap", () => {
        const vpc = parseCidr("10.0.0.0/16");
        assert.ok(contains(vpc, parseCidr("10.0.255.0/24")));
        assert.ok(!contains(vpc, parseCidr("10.1.0.0/24")));
        assert.ok(!contains(parseCidr("10.0.1.0/24"), vpc));
        assert.ok(overlaps(parseCidr("10.0.0.0/23"), parseCidr("10.0.1.0/24")));
        assert.ok(!overlaps(parseCidr("10.0.1.0/24"), parseCidr("10.0.2.0/24")));
        assert.ok(!overlaps(parseCidr("0.0.0.0/0"), parseCidr("::/0")));
    });
    it("recognises the whole internet in both families, and only it", () => {
        assert.ok(isWorld(parseCidr("0.0.0.0/0")));
        assert.ok(isWorld(parseCidr("::/0")));
        assert.ok(!isWorld(parseCidr("0.0.0.0/1")));
    });
    it("computes host addresses inside a block", () => {
        assert.equal(hostAddress("10.0.1.0/24", 10), "10.0.1.10");
        assert.throws(() => hostAddress("10.0.1.0/30", 10), /outside/);
    });
});
