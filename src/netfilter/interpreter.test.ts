import { describe, expect, it } from "vitest";
import { applyCommand } from "./interpreter.js";
import { Ruleset } from "./ruleset.js";
import { saveRuleset } from "./save.js";

const run = (rs: Ruleset, line: string) => applyCommand(rs, line.split(" "));

describe("iptables command interpreter", () => {
  it("inserts, appends, checks and deletes like iptables", () => {
    const rs = new Ruleset();
    expect(run(rs, "-N DOCKER").ok).toBe(true);
    expect(run(rs, "-A FORWARD -o docker0 -j DOCKER").ok).toBe(true);
    expect(run(rs, "-I FORWARD -j ACCEPT").ok).toBe(true);
    expect(run(rs, "-I FORWARD 2 -i eth0 -j DROP").ok).toBe(true);
    expect(run(rs, "-C FORWARD -o docker0 -j DOCKER").ok).toBe(true);
    expect(run(rs, "-C FORWARD -o docker1 -j DOCKER")).toEqual({ ok: false, error: "iptables: Bad rule (does a matching rule exist in that chain?)." });
    expect(run(rs, "-D FORWARD 1").ok).toBe(true);
    expect(saveRuleset(rs)).toBe(
      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n-A FORWARD -i eth0 -j DROP\n-A FORWARD -o docker0 -j DOCKER\nCOMMIT\n",
    );
  });
  it("reports the kernel's load-time errors", () => {
    const rs = new Ruleset();
    expect(run(rs, "-A FORWARD -j NOPE").error).toMatch(/Chain 'NOPE' does not exist/);
    expect(run(rs, "-N A").ok && run(rs, "-N B").ok && run(rs, "-A A -j B").ok).toBe(true);
    expect(run(rs, "-A B -j A").error).toMatch(/Too many levels/);
    expect(run(rs, "-N A").error).toBe("iptables: Chain already exists.");
    expect(run(rs, "-X B").error).toMatch(/Too many links|Directory not empty/);
    expect(run(rs, "-A FORWARD -p tcp -j DNAT --to-destination 1.2.3.4").error).toMatch(/only valid in nat table/);
    expect(run(rs, "-t nat -A POSTROUTING -p tcp -j DNAT --to-destination 1.2.3.4").error).toMatch(/only usable from PREROUTING\/OUTPUT/);
    expect(run(rs, "-P DOCKER DROP").error).toMatch(/No chain|Bad built-in/);
  });
  it("creates base chains lazily, like iptables-nft", () => {
    const rs = new Ruleset();
    run(rs, "-t nat -N DOCKER");
    expect(rs.baseChain("nat", "PREROUTING")).toBeUndefined();
    run(rs, "-t nat -A PREROUTING -j DOCKER");
    expect(rs.baseChain("nat", "PREROUTING")).toBeDefined();
    expect(rs.baseChain("nat", "INPUT")).toBeUndefined();
  });
});
