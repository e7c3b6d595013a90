import { describe, expect, it } from "vitest";
import { fixture } from "./fixtures/load.js";
import { renderIptablesS } from "./iptables-S.js";

describe("iptables -S", () => {
  const text = renderIptablesS(fixture("seed").result);
  it("lists policies, then user chains, then rules, per table", () => {
    const filter = text.split("# iptables -t nat -S")[0]!.split("\n");
    expect(filter.slice(0, 8)).toEqual([
      "# iptables -t filter -S", "-P INPUT ACCEPT", "-P FORWARD DROP", "-P OUTPUT ACCEPT",
      "-N DOCKER", "-N DOCKER-ISOLATION-STAGE-1", "-N DOCKER-ISOLATION-STAGE-2", "-N DOCKER-USER",
    ]);
    expect(filter[8]).toBe("-A FORWARD -j DOCKER-USER");
    expect(text).toContain("# iptables -t nat -S\n-P PREROUTING ACCEPT\n-P INPUT ACCEPT\n-P OUTPUT ACCEPT\n-P POSTROUTING ACCEPT\n-N DOCKER\n-A PREROUTING");
    expect(text).not.toMatch(/COMMIT|\[0:0\]|^\*/m);
  });
  it("keeps every -A line of iptables-save", () => {
    const save = fixture("seed").result.rules.host!["iptables-save"];
    const rules = save.split("\n").filter((l) => l.startsWith("-A "));
    expect(text.split("\n").filter((l) => l.startsWith("-A "))).toEqual(rules);
  });
});
