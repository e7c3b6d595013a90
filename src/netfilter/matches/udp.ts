// -p udp|sctp [-m udp|sctp] --sport --dport (libxt_udp.c; the port part of libxt_sctp.c).
import type { MatchModule, Proto } from "../types.js";
import { inRange, joinOpts, portOption, savePortRange, type PortRange } from "./ports.js";

interface PortOpts {
  sport: PortRange | null;
  dport: PortRange | null;
}

function portMatch(proto: Proto): MatchModule<PortOpts> {
  return {
    name: proto,
    options: ["sport", "source-port", "dport", "destination-port"],
    unsupported: proto === "sctp" ? ["chunk-types"] : [],
    create: () => ({ sport: null, dport: null }),
    parse(opts, option, neg, args) {
      const range = portOption(args.value(option), `--${option}`, neg);
      if (option === "sport" || option === "source-port") opts.sport = range;
      else opts.dport = range;
    },
    save: (o) => joinOpts([savePortRange("sport", o.sport), savePortRange("dport", o.dport)]),
    match: (o, { packet }) => packet.proto === proto && inRange(packet.sport, o.sport) && inRange(packet.dport, o.dport),
  };
}

export const udp = portMatch("udp");
export const sctp = portMatch("sctp");
