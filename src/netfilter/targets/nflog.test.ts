import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-j NFLOG: iptables-save form", () => {
  it.each([
    ["-j NFLOG --nflog-group 5 --nflog-prefix \"hello world\"", "-j NFLOG --nflog-prefix \"hello world\" --nflog-group 5"],
    ["-j NFLOG", "-j NFLOG"],
    ["-j NFLOG --nflog-group 0", "-j NFLOG"],
    ["-j NFLOG --nflog-prefix abc", "-j NFLOG --nflog-prefix abc"],
    ["-j NFLOG --nflog-group 3 --nflog-threshold 2 --nflog-range 100", "-j NFLOG --nflog-group 3 --nflog-threshold 2"],
    ["-j NFLOG --nflog-size 128", "-j NFLOG --nflog-size 128"],
    ["-j NFLOG --nflog-range 128", "-j NFLOG"],
    ["-j NFLOG --nflog-threshold 1", "-j NFLOG --nflog-threshold 1"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});

import { applyTarget, packet } from "../matches/test-packet.js";

describe("-j NFLOG: effect", () => {
  it("is non-terminal", () => {
    expect(applyTarget("-j NFLOG --nflog-group 2", packet()).verdict).toBe("CONTINUE");
  });
});
