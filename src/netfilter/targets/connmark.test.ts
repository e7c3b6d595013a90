import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-j CONNMARK: iptables-save form", () => {
  it.each([
    ["-j CONNMARK --set-mark 1", "-j CONNMARK --set-xmark 0x1/0xffffffff"],
    ["-j CONNMARK --set-mark 1/0xff", "-j CONNMARK --set-xmark 0x1/0xff"],
    ["-j CONNMARK --set-mark 0x100/0xff", "-j CONNMARK --set-xmark 0x100/0x1ff"],
    ["-j CONNMARK --set-xmark 0x5/0xf", "-j CONNMARK --set-xmark 0x5/0xf"],
    ["-j CONNMARK --set-xmark 5", "-j CONNMARK --set-xmark 0x5/0xffffffff"],
    ["-j CONNMARK --save-mark", "-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff"],
    ["-j CONNMARK --restore-mark", "-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff"],
    ["-j CONNMARK --save-mark --mask 0xff", "-j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff"],
    ["-j CONNMARK --restore-mark --mask 0xff", "-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff"],
    ["-j CONNMARK --save-mark --nfmask 0xf0 --ctmask 0xf", "-j CONNMARK --save-mark --nfmask 0xf0 --ctmask 0xf"],
    ["-j CONNMARK --restore-mark --nfmask 0xf0 --ctmask 0xf", "-j CONNMARK --restore-mark --nfmask 0xf0 --ctmask 0xf"],
    ["-j CONNMARK --save-mark --nfmask 0xf0", "-j CONNMARK --save-mark --nfmask 0xf0 --ctmask 0xffffffff"],
    ["-j CONNMARK --restore-mark --ctmask 0xf0", "-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xf0"],
    ["-j CONNMARK --and-mark 0xf", "-j CONNMARK --set-xmark 0x0/0xfffffff0"],
    ["-j CONNMARK --or-mark 0xf", "-j CONNMARK --set-xmark 0xf/0xf"],
    ["-j CONNMARK --xor-mark 0xf", "-j CONNMARK --set-xmark 0xf/0x0"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});

import { applyTarget, packet } from "../matches/test-packet.js";

describe("-j CONNMARK: effect", () => {
  it("sets, saves and restores like connmark_tg_shift", () => {
    expect(applyTarget("-j CONNMARK --set-xmark 0x5/0xf", packet({ ctMark: 0xf3 })).packet?.ctMark).toBe(0xf5);
    expect(applyTarget("-j CONNMARK --save-mark --mask 0xff", packet({ mark: 0x1ab, ctMark: 0x300 })).packet?.ctMark).toBe(0x3ab);
    expect(applyTarget("-j CONNMARK --restore-mark", packet({ mark: 1, ctMark: 9 })).packet?.mark).toBe(9);
    expect(applyTarget("-j CONNMARK --set-mark 1", packet()).verdict).toBe("CONTINUE");
  });
  it("does nothing to an untracked packet", () => {
    expect(applyTarget("-j CONNMARK --set-mark 1", packet({ ct: "UNTRACKED" })).packet).toBeUndefined();
  });
  it("needs an operation", () => {
    expect(() => spec("-j CONNMARK")).toThrow(/No operation/);
  });
});
