import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";
import { restoreRuleset } from "../restore.js";

// Real iptables v1.8.9 (nf_tables) refuses the rule too: "Set foo doesn't exist."
describe("-m set", () => {
  it("names the undefined ipset", () => {
    expect(() => parseRule("-m set --match-set foo src -j ACCEPT".split(" "))).toThrow("ipset foo is not defined");
    expect(() => parseRule("-m set --match-set blocklist src,dst -j DROP".split(" "))).toThrow("ipset blocklist is not defined");
    expect(() => restoreRuleset("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m set --match-set bad dst -j DROP\nCOMMIT\n")).toThrow(
      /ipset bad is not defined/,
    );
  });
});
