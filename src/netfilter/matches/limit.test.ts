import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-m limit: iptables-save form", () => {
  it.each([
    ["-m limit --limit 3/sec --limit-burst 7 -j ACCEPT", "-m limit --limit 3/sec --limit-burst 7 -j ACCEPT"],
    ["-m limit -j ACCEPT", "-m limit --limit 3/hour -j ACCEPT"],
    ["-m limit --limit 10/min -j ACCEPT", "-m limit --limit 10/min -j ACCEPT"],
    ["-m limit --limit 5/hour -j ACCEPT", "-m limit --limit 5/hour -j ACCEPT"],
    ["-m limit --limit 2/day -j ACCEPT", "-m limit --limit 2/day -j ACCEPT"],
    ["-m limit --limit 1000/sec -j ACCEPT", "-m limit --limit 1000/sec -j ACCEPT"],
    ["-m limit --limit 7/min -j ACCEPT", "-m limit --limit 7/min -j ACCEPT"],
    ["-m limit --limit 100/s -j ACCEPT", "-m limit --limit 100/sec -j ACCEPT"],
    ["-m limit --limit 1/s --limit-burst 5 -j ACCEPT", "-m limit --limit 1/sec -j ACCEPT"],
    ["-m limit --limit 1/second -j ACCEPT", "-m limit --limit 1/sec -j ACCEPT"],
    ["-m limit --limit 3 -j ACCEPT", "-m limit --limit 3/sec -j ACCEPT"],
    ["-m limit --limit 1/minute -j ACCEPT", "-m limit --limit 1/min -j ACCEPT"],
    ["-m limit --limit 1/h -j ACCEPT", "-m limit --limit 1/hour -j ACCEPT"],
    ["-m limit --limit 1/d -j ACCEPT", "-m limit --limit 1/day -j ACCEPT"],
    ["-m limit --limit 3000/min -j ACCEPT", "-m limit --limit 50/sec -j ACCEPT"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});

import { limit } from "./limit.js";
import { packet, context } from "./test-packet.js";

describe("-m limit: deterministic token bucket", () => {
  it("matches the first `burst` packets, then none", () => {
    const o = limit.create();
    limit.parse(o, "limit-burst", false, { value: () => "2" }, { src: null, dst: null, in: null, out: null, proto: null });
    const ctx = context(packet());
    expect([1, 2, 3, 4].map(() => limit.match(o, ctx))).toEqual([true, true, false, false]);
  });
  it("refuses ! like iptables", () => {
    expect(() => spec("-m limit ! --limit 3/sec -j ACCEPT")).toThrow(/cannot be inverted/);
  });
});
