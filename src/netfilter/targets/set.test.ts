import { describe, expect, it } from "vitest";
import { ipsetTest, parseIpsetSave, withIpsets } from "../ipset.js";
import { parseRule } from "../rule.js";
import { context, packet } from "../matches/test-packet.js";

const store = () => parseIpsetSave("create a hash:ip\ncreate b hash:ip,port\ncreate n hash:net\nadd n 10.0.0.0/8\nadd n 10.1.0.0/16\n");

// Real iptables v1.8.9 (nf_tables) with ipset 7.17: save forms and messages.
describe("-j SET", () => {
  it("saves as iptables-save prints it and refuses what iptables refuses", () => {
    const sets = store();
    const spec = (text: string) => withIpsets(sets, () => parseRule(text.split(" "))).spec;
    expect(spec("-j SET --add-set a src --timeout 10")).toBe("-j SET --add-set a src --timeout 10");
    expect(spec("-j SET --exist --add-set a src")).toBe("-j SET --add-set a src --exist");
    expect(spec("-j SET --del-set b src,src --add-set a dst")).toBe("-j SET --add-set a dst --del-set b src,src");
    expect(() => spec("-j SET --del-set a src --exist")).toThrow("Flag `--exist' can be used with `--add-set' only");
    expect(() => spec("-j SET --add-set nosuch src")).toThrow("Set nosuch doesn't exist.");
    expect(() => spec("-j SET")).toThrow("You must specify either `--add-set' or `--del-set' or `--map-set'");
  });

  it("adds and deletes the packet's element; hash:net takes the set's most specific prefix", () => {
    const sets = store();
    const apply = (text: string, p = packet({ src: "10.1.2.3", dport: 80 })) =>
      withIpsets(sets, () => {
        const r = parseRule(text.split(" "));
        return (r.target as { module: { apply: Function }; opts: unknown }).module.apply((r.target as { opts: unknown }).opts, context(p));
      });
    const p = packet({ src: "10.1.2.3", dport: 80 });
    expect(apply("-j SET --add-set a src")).toEqual({ verdict: "CONTINUE" });
    apply("-j SET --add-set b dst,dst");
    expect(ipsetTest(sets, sets.get("a")!, p, ["src"])).toBe(true);
    expect(ipsetTest(sets, sets.get("b")!, p, ["dst", "dst"])).toBe(true);
    apply("-j SET --add-set n src", packet({ src: "192.168.7.9" }));
    expect(ipsetTest(sets, sets.get("n")!, packet({ src: "192.168.200.1" }), ["src"])).toBe(true); // added as 192.168.0.0/16
    apply("-j SET --del-set a src");
    expect(ipsetTest(sets, sets.get("a")!, p, ["src"])).toBe(false);
  });
});
