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
    expect(run(rs, "-C FORWARD -o docker1 -j DOCKER")).toEqual({ ok: false, error: "iptables: Bad rule (does a matching rule exist in that chain?).", status: 1 });
    expect(run(rs, "-D FORWARD 1").ok).toBe(true);
    expect(saveRuleset(rs)).toBe(
      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n-A FORWARD -i eth0 -j DROP\n-A FORWARD -o docker0 -j DOCKER\nCOMMIT\n",
    );
  });
  // Words checked against iptables 1.8.9 (nf_tables) by test/kernel/errors.test.ts.
  it("reports the kernel's load-time errors as iptables does", () => {
    const rs = new Ruleset();
    expect(run(rs, "-A FORWARD -j NOPE").error).toBe(
      "iptables v1.8.9 (nf_tables): Chain 'NOPE' does not exist\nTry `iptables -h' or 'iptables --help' for more information.",
    );
    expect(run(rs, "-N A").ok && run(rs, "-N B").ok && run(rs, "-A A -j B").ok).toBe(true);
    // nf_tables looks for loops only from the base chains: A and B are not reached yet.
    expect(run(rs, "-A B -j A").ok).toBe(true);
    expect(run(rs, "-A FORWARD -j A")).toEqual({ ok: false, error: "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain FORWARD", status: 4 });
    expect(run(rs, "-N A").error).toBe("iptables: Chain already exists.");
    expect(run(rs, "-X B").error).toBe("iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain B");
    expect(run(rs, "-A FORWARD -p tcp -j DNAT --to-destination 1.2.3.4").error).toBe(
      "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain FORWARD",
    );
    expect(run(rs, "-t nat -I POSTROUTING -p tcp -j DNAT --to-destination 1.2.3.4").error).toBe(
      "iptables v1.8.9 (nf_tables):  RULE_INSERT failed (Invalid argument): rule in chain POSTROUTING",
    );
    expect(run(rs, "-P DOCKER DROP").error).toBe("iptables: Bad built-in chain name.");
    const hint = "\nTry `iptables -h' or 'iptables --help' for more information.";
    expect(run(rs, "-N LOG")).toEqual({ ok: false, error: `iptables v1.8.9 (nf_tables): chain name may not clash with target name${hint}`, status: 2 });
    expect(run(rs, "-A INPUT -m nomatch").error).toBe(`iptables v1.8.9 (nf_tables): Couldn't load match \`nomatch':No such file or directory\n${hint}`);
    expect(run(rs, "-A INPUT -m time").error).toBe(`iptables v1.8.9 (nf_tables): Couldn't load match \`time': not supported by nfplay${hint}`);
    expect(run(rs, "-A INPUT -m tcp --dport 80").error).toBe(`iptables v1.8.9 (nf_tables): TCP match requires '-p tcp'${hint}`);
    expect(run(rs, "-A INPUT ! -p tcp -m tcp --dport 80").ok).toBe(true);
    expect(run(rs, "-t nat -A PREROUTING -j DROP").error).toBe(
      `iptables v1.8.9 (nf_tables): \nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n${hint}`,
    );
    expect(run(rs, "-t bogus -A INPUT")).toEqual({
      ok: false, error: "iptables v1.8.9 (nf_tables): table 'bogus' does not exist\nPerhaps iptables or your kernel needs to be upgraded.", status: 3,
    });
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
