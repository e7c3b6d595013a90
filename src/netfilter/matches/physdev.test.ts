import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-m physdev: iptables-save form", () => {
  it.each([
    ["-m physdev --physdev-in veth1 -j ACCEPT", "-m physdev --physdev-in veth1 -j ACCEPT"],
    ["-m physdev --physdev-out veth+ --physdev-in vx -j ACCEPT", "-m physdev --physdev-in vx --physdev-out veth+ -j ACCEPT"],
    ["-m physdev --physdev-is-bridged -j ACCEPT", "-m physdev --physdev-is-bridged -j ACCEPT"],
    ["-m physdev ! --physdev-is-in ! --physdev-is-out -j ACCEPT", "-m physdev ! --physdev-is-in ! --physdev-is-out -j ACCEPT"],
    ["-m physdev --physdev-is-out --physdev-is-in --physdev-is-bridged -j ACCEPT", "-m physdev --physdev-is-in --physdev-is-out --physdev-is-bridged -j ACCEPT"],
    ["-m physdev ! --physdev-in veth1 ! --physdev-is-bridged -j ACCEPT", "-m physdev ! --physdev-in veth1 ! --physdev-is-bridged -j ACCEPT"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});
