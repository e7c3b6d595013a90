import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-m pkttype: iptables-save form", () => {
  it.each([
    ["-m pkttype --pkt-type unicast -j ACCEPT", "-m pkttype --pkt-type unicast -j ACCEPT"],
    ["-m pkttype ! --pkt-type broadcast -j ACCEPT", "-m pkttype ! --pkt-type broadcast -j ACCEPT"],
    ["-m pkttype --pkt-type multicast -j ACCEPT", "-m pkttype --pkt-type multicast -j ACCEPT"],
    ["-m pkttype --pkt-type host -j ACCEPT", "-m pkttype --pkt-type unicast -j ACCEPT"],
    ["-m pkttype --pkt-type bcast -j ACCEPT", "-m pkttype --pkt-type broadcast -j ACCEPT"],
    ["-m pkttype --pkt-type otherhost -j ACCEPT", "-m pkttype --pkt-type otherhost -j ACCEPT"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});

import { matches, packet } from "./test-packet.js";

describe("-m pkttype: matching", () => {
  it("derives the type from the destination", () => {
    expect(matches("-m pkttype --pkt-type unicast", packet())).toBe(true);
    expect(matches("-m pkttype --pkt-type multicast", packet({ dst: "224.0.0.1" }))).toBe(true);
    expect(matches("-m pkttype ! --pkt-type broadcast", packet())).toBe(true);
  });
});
