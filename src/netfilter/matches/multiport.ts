// -m multiport --sports/--dports/--ports P[,P|P:P]... (libxt_multiport.c, revision 1).
import type { MatchModule } from "../types.js";
import { parsePortRange } from "./ports.js";

interface MultiportOpts {
  which: "sports" | "dports" | "ports";
  ranges: { lo: number; hi: number }[];
  neg: boolean;
}

export const multiport: MatchModule<MultiportOpts> = {
  name: "multiport",
  options: ["sports", "source-ports", "dports", "destination-ports", "ports"],
  create: () => ({ which: "ports", ranges: [], neg: false }),
  parse(opts, option, neg, args) {
    opts.which = option.startsWith("s") ? "sports" : option.startsWith("d") ? "dports" : "ports";
    opts.ranges = args.value(option).split(",").map((p) => parsePortRange(p, `--${option}`));
    if (opts.ranges.length > 15) throw new Error("multiport: too many ports specified");
    opts.neg = neg;
  },
  finish(opts, rule) {
    if (opts.ranges.length === 0) throw new Error("multiport expects an option");
    const p = rule.proto;
    if (!p || p.neg || !["tcp", "udp", "sctp"].includes(p.proto))
      throw new Error("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
  },
  save: (o) =>
    `${o.neg ? "! " : ""}--${o.which} ${o.ranges.map((r) => (r.lo === r.hi ? `${r.lo}` : `${r.lo}:${r.hi}`)).join(",")}`,
  match(o, { packet }) {
    if (packet.proto === "icmp") return false;
    const hit = (port: number) => o.ranges.some((r) => port >= r.lo && port <= r.hi);
    const any =
      o.which === "sports" ? hit(packet.sport) : o.which === "dports" ? hit(packet.dport) : hit(packet.sport) || hit(packet.dport);
    return any !== o.neg;
  },
};
