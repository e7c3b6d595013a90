// -p icmp [-m icmp] --icmp-type TYPE[/CODE]|NAME (libxt_icmp.c).
import type { MatchModule } from "../types.js";

interface IcmpOpts {
  type: number; // 0xff = any
  codeLo: number;
  codeHi: number;
  neg: boolean;
}

/** "TYPE[/CODE]" or a name -> type and code range (a bare type matches every code). */
function parseType(text: string, names: Record<string, [number, number, number]>, error: string) {
  const named = names[text];
  if (named) return { type: named[0], codeLo: named[1], codeHi: named[2] };
  const m = /^(\d{1,3})(?:\/(\d{1,3}))?$/.exec(text);
  if (!m || Number(m[1]) > 255 || (m[2] !== undefined && Number(m[2]) > 255)) throw new Error(`${error} \`${text}'`);
  const code = m[2] === undefined ? null : Number(m[2]);
  return { type: Number(m[1]), codeLo: code ?? 0, codeHi: code ?? 0xff };
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
    Object.assign(opts, parseType(args.value(option), NAMES, "Unknown ICMP type"), { neg });
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

// -p ipv6-icmp [-m icmp6] --icmpv6-type TYPE[/CODE]|NAME (libip6t_icmp6.c). ip6tables-save
// prints the number ("--icmpv6-type 128", "1/4"); there is no "any".
const NAMES6: Record<string, [number, number, number]> = {
  "destination-unreachable": [1, 0, 0xff],
  "no-route": [1, 0, 0],
  "communication-prohibited": [1, 1, 1],
  "beyond-scope": [1, 2, 2],
  "address-unreachable": [1, 3, 3],
  "port-unreachable": [1, 4, 4],
  "failed-policy": [1, 5, 5],
  "reject-route": [1, 6, 6],
  "packet-too-big": [2, 0, 0xff],
  "time-exceeded": [3, 0, 0xff],
  "ttl-zero-during-transit": [3, 0, 0],
  "ttl-zero-during-reassembly": [3, 1, 1],
  "parameter-problem": [4, 0, 0xff],
  "bad-header": [4, 0, 0],
  "unknown-header-type": [4, 1, 1],
  "unknown-option": [4, 2, 2],
  "echo-request": [128, 0, 0xff],
  ping: [128, 0, 0xff],
  "echo-reply": [129, 0, 0xff],
  pong: [129, 0, 0xff],
  "router-solicitation": [133, 0, 0xff],
  "router-advertisement": [134, 0, 0xff],
  "neighbour-solicitation": [135, 0, 0xff],
  "neighbor-solicitation": [135, 0, 0xff],
  "neighbour-advertisement": [136, 0, 0xff],
  "neighbor-advertisement": [136, 0, 0xff],
  redirect: [137, 0, 0xff],
};

export const icmp6: MatchModule<IcmpOpts> = {
  name: "icmp6",
  options: ["icmpv6-type"],
  create: () => ({ type: 0, codeLo: 0, codeHi: 0xff, neg: false }),
  parse(opts, option, neg, args) {
    Object.assign(opts, parseType(args.value(option), NAMES6, "Unknown ICMPv6 type"), { neg });
  },
  save(o) {
    const code = o.codeLo !== 0 || o.codeHi !== 0xff ? `/${o.codeLo}` : "";
    return `${o.neg ? "! " : ""}--icmpv6-type ${o.type}${code}`;
  },
  match(o, { packet }) {
    if (packet.proto !== "icmpv6") return false;
    const hit = packet.icmpType === o.type && packet.icmpCode >= o.codeLo && packet.icmpCode <= o.codeHi;
    return hit !== o.neg;
  },
};
