import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-j NOTRACK / -j CT: iptables-save form", () => {
  it.each([
    ["-j NOTRACK", "-j NOTRACK"],
    ["-j CT --notrack", "-j CT --notrack"],
    ["-p tcp --dport 80 -j CT --notrack", "-p tcp -m tcp --dport 80 -j CT --notrack"],
    ["-j CT --notrack --zone 1", "-j CT --notrack --zone 1"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});

import { Ruleset } from "../ruleset.js";
import { applyCommand } from "../interpreter.js";
import { applyTarget, packet } from "../matches/test-packet.js";

describe("-j NOTRACK / -j CT --notrack: effect", () => {
  it("continues with an untracked packet", () => {
    for (const r of ["-j NOTRACK", "-j CT --notrack"]) {
      const e = applyTarget(r, packet());
      expect(e.verdict).toBe("CONTINUE");
      expect(e.packet?.ct).toBe("UNTRACKED");
    }
  });
  it("is only valid in the raw table (real iptables: RULE_APPEND failed in filter)", () => {
    expect(applyCommand(new Ruleset(), ["-t", "filter", "-A", "INPUT", "-j", "NOTRACK"]).ok).toBe(false);
    expect(applyCommand(new Ruleset(), ["-t", "raw", "-A", "PREROUTING", "-j", "NOTRACK"]).ok).toBe(true);
  });
});
