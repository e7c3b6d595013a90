// -j NETMAP --to ADDR[/MASK] (libxt_NETMAP.c, xt_NETMAP.c): 1:1 network mapping. In PREROUTING
// and OUTPUT it maps the destination (a DNAT), in POSTROUTING and INPUT the source (a SNAT): the
// host bits are kept, the network bits come from --to. Like DNAT/SNAT it only decides the binding.
import { formatIPv4, isIPv4, maskOf, parseIPv4 } from "../../net/address.js";
import type { TargetModule } from "../types.js";

interface NetmapOpts {
  ip: number | null;
  prefix: number;
}

function parsePrefix(text: string): number {
  if (/^\d{1,2}$/.test(text) && Number(text) <= 32) return Number(text);
  if (isIPv4(text)) {
    const m = parseIPv4(text) >>> 0;
    for (let p = 0; p <= 32; p++) if ((maskOf(p) >>> 0) === m) return p;
  }
  throw new Error(`NETMAP: Bad netmask "${text}"`);
}

export const NETMAP: TargetModule<NetmapOpts> = {
  name: "NETMAP",
  options: ["to"],
  tables: ["nat"],
  hooks: ["PREROUTING", "POSTROUTING", "OUTPUT", "INPUT"],
  create: () => ({ ip: null, prefix: 32 }),
  parse(o, opt, neg, args) {
    if (neg) throw new Error("NETMAP: --to cannot be inverted");
    const v = args.value(opt);
    const [addr, mask, extra] = v.split("/");
    if (!addr || !isIPv4(addr) || extra !== undefined) throw new Error(`NETMAP: Bad IP address "${v}"`);
    o.prefix = mask === undefined ? 32 : parsePrefix(mask);
    o.ip = (parseIPv4(addr) & maskOf(o.prefix)) >>> 0;
  },
  finish(o) {
    if (o.ip === null) throw new Error('NETMAP: option "--to" must be specified\n');
  },
  save: (o) => `--to ${formatIPv4(o.ip ?? 0)}/${o.prefix}`,
  apply(o, { packet, hook }) {
    const mask = maskOf(o.prefix);
    const dst = hook === "PREROUTING" || hook === "OUTPUT";
    const old = (dst ? packet.dst : packet.src) as number; // IPv4 only: ip6tables has no NETMAP here
    const ip = ((old & ~mask) | (o.ip! & mask)) >>> 0;
    return { verdict: "ACCEPT", nat: { kind: dst ? "DNAT" : "SNAT", ip, port: null } };
  },
};
