// -j NFLOG --nflog-group N --nflog-prefix TEXT --nflog-size N --nflog-threshold N (libxt_NFLOG.c).
// Hands a copy to userspace (ulogd): non-terminal, the packet goes on with the next rule.
import type { TargetModule } from "../types.js";
import { saveString } from "../quote.js";

interface NflogOpts {
  group: number;
  prefix: string;
  size: number | null;
  threshold: number | null; // printed whenever given (iptables-nft keeps the flag), even as 1
}

function u(v: string, opt: string, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) > max) throw new Error(`NFLOG: bad value for option "--${opt}", or out of range (0-${max}).`);
  return Number(v);
}

export const NFLOG: TargetModule<NflogOpts> = {
  name: "NFLOG",
  options: ["nflog-group", "nflog-prefix", "nflog-range", "nflog-size", "nflog-threshold"],
  create: () => ({ group: 0, prefix: "", size: null, threshold: null }),
  parse(o, opt, _neg, args) {
    const v = args.value(opt);
    if (opt === "nflog-group") o.group = u(v, opt, 0xffff);
    else if (opt === "nflog-prefix") {
      if (v.length > 63) throw new Error("NFLOG: Maximum prefix length 63 for --nflog-prefix");
      o.prefix = v;
    } else if (opt === "nflog-size") o.size = u(v, opt, 0xffffffff);
    else if (opt === "nflog-threshold") o.threshold = u(v, opt, 0xffff);
    else u(v, opt, 0xffffffff); // --nflog-range: deprecated, iptables-nft drops it (not saved)
  },
  save(o) {
    const parts: string[] = [];
    if (o.prefix !== "") parts.push(`--nflog-prefix ${saveString(o.prefix)}`);
    if (o.group) parts.push(`--nflog-group ${o.group}`);
    if (o.size !== null) parts.push(`--nflog-size ${o.size}`);
    if (o.threshold !== null) parts.push(`--nflog-threshold ${o.threshold}`);
    return parts.join(" ");
  },
  apply: () => ({ verdict: "CONTINUE" }),
};
