// -p tcp [-m tcp] --sport --dport --tcp-flags --syn (iptables extensions/libxt_tcp.c).
import { TCP, type MatchModule } from "../types.js";
import { inRange, joinOpts, portOption, savePortRange, type PortRange } from "./ports.js";

interface TcpOpts {
  sport: PortRange | null;
  dport: PortRange | null;
  flags: { mask: number; comp: number; neg: boolean } | null;
}

// The order iptables prints flag names in (tcp_flag_names[] in libxt_tcp.c).
const FLAG_NAMES: [string, number][] = [
  ["FIN", TCP.FIN], ["SYN", TCP.SYN], ["RST", TCP.RST], ["PSH", TCP.PSH], ["ACK", TCP.ACK], ["URG", TCP.URG],
];
const ALL = 0x3f;

function parseFlags(text: string): number {
  if (text === "ALL") return ALL;
  if (text === "NONE") return 0;
  return text.split(",").reduce((acc, name) => {
    const bit = name === "ALL" ? ALL : name === "NONE" ? 0 : FLAG_NAMES.find(([n]) => n === name)?.[1];
    if (bit === undefined) throw new Error(`Unknown TCP flag \`${name}'`);
    return acc | bit;
  }, 0);
}

function printFlags(bits: number): string {
  const names = FLAG_NAMES.filter(([, bit]) => bits & bit).map(([n]) => n);
  return names.length ? names.join(",") : "NONE";
}

export const tcp: MatchModule<TcpOpts> = {
  name: "tcp",
  options: ["sport", "source-port", "dport", "destination-port", "tcp-flags", "syn"],
  unsupported: ["tcp-option"],
  create: () => ({ sport: null, dport: null, flags: null }),
  parse(opts, option, neg, args) {
    if (option === "sport" || option === "source-port") opts.sport = portOption(args.value(option), "--sport", neg);
    else if (option === "dport" || option === "destination-port") opts.dport = portOption(args.value(option), "--dport", neg);
    else if (option === "syn") opts.flags = { mask: TCP.FIN | TCP.SYN | TCP.RST | TCP.ACK, comp: TCP.SYN, neg };
    else {
      const mask = parseFlags(args.value(option));
      const comp = parseFlags(args.value(option));
      opts.flags = { mask, comp, neg };
    }
  },
  save(o) {
    const flags = o.flags ? `${o.flags.neg ? "! " : ""}--tcp-flags ${printFlags(o.flags.mask)} ${printFlags(o.flags.comp)}` : "";
    return joinOpts([savePortRange("sport", o.sport), savePortRange("dport", o.dport), flags]);
  },
  match(o, { packet }) {
    if (packet.proto !== "tcp") return false;
    if (!inRange(packet.sport, o.sport) || !inRange(packet.dport, o.dport)) return false;
    if (o.flags && ((packet.tcpFlags & o.flags.mask) === o.flags.comp) === o.flags.neg) return false;
    return true;
  },
};
