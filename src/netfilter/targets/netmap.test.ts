import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-j NETMAP: iptables-save form", () => {
  it.each([
    ["-d 10.0.0.0/24 -j NETMAP --to 192.168.1.0/24", "-d 10.0.0.0/24 -j NETMAP --to 192.168.1.0/24"],
    ["-s 192.168.1.0/24 -j NETMAP --to 10.0.0.0/24", "-s 192.168.1.0/24 -j NETMAP --to 10.0.0.0/24"],
    ["-d 10.0.0.5/32 -j NETMAP --to 192.168.1.9", "-d 10.0.0.5/32 -j NETMAP --to 192.168.1.9/32"],
    ["-s 10.0.0.0/8 -j NETMAP --to 192.168.0.0/16", "-s 10.0.0.0/8 -j NETMAP --to 192.168.0.0/16"],
    ["-d 10.0.0.0/24 -j NETMAP --to 192.168.1.7/24", "-d 10.0.0.0/24 -j NETMAP --to 192.168.1.0/24"],
    ["-j NETMAP --to 192.168.1.7/255.255.255.0", "-j NETMAP --to 192.168.1.0/24"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});

import { formatAddr as formatIPv4 } from "../../net/address.js";
import { applyTarget, packet } from "../matches/test-packet.js";

describe("-j NETMAP: effect", () => {
  it("maps the destination before routing and the source after, keeping the host bits", () => {
    const d = applyTarget("-j NETMAP --to 10.9.0.0/16", packet({ dst: "203.0.113.10" }), "PREROUTING");
    expect(d.verdict).toBe("ACCEPT");
    expect(d.nat?.kind).toBe("DNAT");
    expect(formatIPv4(d.nat!.ip)).toBe("10.9.113.10");
    const s = applyTarget("-j NETMAP --to 192.0.2.0/24", packet({ src: "172.17.0.2" }), "POSTROUTING");
    expect(s.nat?.kind).toBe("SNAT");
    expect(formatIPv4(s.nat!.ip)).toBe("192.0.2.2");
  });
});
