import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";
import { restoreRuleset } from "../restore.js";

// Real iptables v1.8.9 (nf_tables): the save order and the refusals below.
describe("-m rpfilter", () => {
  it("saves its flags in iptables' order, refuses ! and any hook but PREROUTING", () => {
    expect(parseRule("-m rpfilter --invert --accept-local --loose --validmark -j DROP".split(" ")).spec).toBe(
      "-m rpfilter --loose --validmark --accept-local --invert -j DROP",
    );
    expect(() => parseRule("-m rpfilter ! --loose -j DROP".split(" "))).toThrow('rpfilter: option "--loose" cannot be inverted.');
    expect(() => restoreRuleset("*filter\n-A INPUT -m rpfilter -j DROP\nCOMMIT\n")).toThrow(
      "iptables-restore v1.8.9 (nf_tables): \nline 2: RULE_APPEND failed (Invalid argument): rule in chain INPUT",
    );
  });
});
