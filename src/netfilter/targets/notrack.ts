// -j NOTRACK and -j CT --notrack [--zone N] (libxt_CT.c): raw table only. The packet skips
// connection tracking: its state is UNTRACKED and NAT never sees it.
// The walk must then neither create nor look up a conntrack entry for it.
import type { TargetModule } from "../types.js";

export const NOTRACK: TargetModule<Record<string, never>> = {
  name: "NOTRACK",
  options: [],
  tables: ["raw"],
  create: () => ({}),
  parse() {},
  save: () => "",
  apply: (_o, { packet }) => ({ verdict: "CONTINUE", packet: { ...packet, ct: "UNTRACKED" } }),
};

interface CtOpts {
  notrack: boolean;
  zone: number | null;
}

export const CT: TargetModule<CtOpts> = {
  name: "CT",
  options: ["notrack", "zone"],
  unsupported: ["helper", "ctevents", "expevents", "zone-orig", "zone-reply", "timeout"],
  tables: ["raw"],
  create: () => ({ notrack: false, zone: null }),
  parse(o, opt, _neg, args) {
    if (opt === "notrack") o.notrack = true;
    else {
      const v = args.value(opt);
      if (!/^\d+$/.test(v) || Number(v) > 0xffff) throw new Error(`CT: bad value for option "--zone", or out of range (0-65535).`);
      o.zone = Number(v);
    }
  },
  // ct_save(): --notrack first, then helper/timeout/events (not modelled), then --zone.
  save: (o) => [o.notrack ? "--notrack" : "", o.zone !== null && o.zone !== 0 ? `--zone ${o.zone}` : ""].filter(Boolean).join(" "),
  apply: (o, { packet }) => (o.notrack ? { verdict: "CONTINUE", packet: { ...packet, ct: "UNTRACKED" } } : { verdict: "CONTINUE" }),
};
