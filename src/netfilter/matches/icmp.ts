// -p icmp [-m icmp] --icmp-type TYPE[/CODE]|NAME (libxt_icmp.c).
import type { MatchModule } from "../types.js";

interface IcmpOpts {
  type: number; // 0xff = any
  codeLo: number;
  codeHi: number;
  neg: boolean;
}

// The names iptables accepts most often; each maps to [type, codeLo, codeHi].
const NAMES: Record<string, [number, number, number]> = {
  any: [0xff, 0, 0xff],
  "echo-reply": [0, 0, 0xff],
  pong: [0, 0, 0xff],
  "destination-unreachable": [3, 0, 0xff],
  "network-unreachable": [3, 0, 0],
  "host-unreachable": [3, 1, 1],
  "protocol-unreachable": [3, 2, 2],
  "port-unreachable": [3, 3, 3],
  "fragmentation-needed": [3, 4, 4],
  "network-prohibited": [3, 9, 9],
  "host-prohibited": [3, 10, 10],
  "communication-prohibited": [3, 13, 13],
  redirect: [5, 0, 0xff],
  "echo-request": [8, 0, 0xff],
  ping: [8, 0, 0xff],
  "time-exceeded": [11, 0, 0xff],
  "ttl-exceeded": [11, 0, 0],
  "parameter-problem": [12, 0, 0xff],
};

export const icmp: MatchModule<IcmpOpts> = {
  name: "icmp",
  options: ["icmp-type"],
  create: () => ({ type: 0xff, codeLo: 0, codeHi: 0xff, neg: false }),
  parse(opts, option, neg, args) {
    const text = args.value(option);
    const named = NAMES[text];
    const m = /^(\d{1,3})(?:\/(\d{1,3}))?$/.exec(text);
    if (named) [opts.type, opts.codeLo, opts.codeHi] = named;
    else if (m) {
      opts.type = Number(m[1]);
      opts.codeLo = m[2] === undefined ? 0 : Number(m[2]);
      opts.codeHi = m[2] === undefined ? 0xff : Number(m[2]);
    } else throw new Error(`Invalid ICMP type \`${text}'`);
    opts.neg = neg;
  },
  save(o) {
    const neg = o.neg ? "! " : "";
    if (o.type === 0xff) return `${neg}--icmp-type any`;
    const code = o.codeLo !== 0 || o.codeHi !== 0xff ? `/${o.codeLo}` : "";
    return `${neg}--icmp-type ${o.type}${code}`;
  },
  match(o, { packet }) {
    if (packet.proto !== "icmp") return false;
    const hit = o.type === 0xff || (packet.icmpType === o.type && packet.icmpCode >= o.codeLo && packet.icmpCode <= o.codeHi);
    return hit !== o.neg;
  },
};
