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

import { matches, packet } from "./test-packet.js";

describe("-m physdev: matching (xt_physdev's physdev_mt)", () => {
  const bridged = packet({ in: "docker0", out: "docker0", physIn: "veth1", physOut: "veth2" });
  const routedIn = packet({ in: "docker0", out: "eth0", physIn: "veth1" });
  const plain = packet();
  it("tells bridged frames from routed ones", () => {
    expect(matches("-m physdev --physdev-is-bridged", bridged)).toBe(true);
    expect(matches("-m physdev --physdev-is-bridged", routedIn)).toBe(false);
    expect(matches("-m physdev ! --physdev-is-bridged", routedIn)).toBe(true);
    expect(matches("-m physdev --physdev-in veth+ --physdev-out veth2", bridged)).toBe(true);
    expect(matches("-m physdev --physdev-is-out", routedIn)).toBe(false);
  });
  it("without bridge info only inverted options match", () => {
    expect(matches("-m physdev --physdev-in veth1", plain)).toBe(false);
    expect(matches("-m physdev ! --physdev-in veth1 ! --physdev-is-bridged", plain)).toBe(true);
  });
  it("skips the --physdev-out name test when the out port is unknown", () => {
    expect(matches("-m physdev --physdev-out nosuch", routedIn)).toBe(true);
  });
});
