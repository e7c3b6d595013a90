// REJECT, LOG, TRACE, MARK and CHECKSUM (libxt_REJECT.c/libipt_REJECT.c, libxt_LOG.c,
// libxt_TRACE.c, libxt_MARK.c, libxt_CHECKSUM.c).
import type { TargetModule } from "../types.js";
import { saveString } from "../quote.js";

const REJECT_TYPES: Record<string, string> = {
  "icmp-net-unreachable": "icmp-net-unreachable",
  "net-unreach": "icmp-net-unreachable",
  "icmp-host-unreachable": "icmp-host-unreachable",
  "host-unreach": "icmp-host-unreachable",
  "icmp-proto-unreachable": "icmp-proto-unreachable",
  "proto-unreach": "icmp-proto-unreachable",
  "icmp-port-unreachable": "icmp-port-unreachable",
  "port-unreach": "icmp-port-unreachable",
  "icmp-net-prohibited": "icmp-net-prohibited",
  "net-prohib": "icmp-net-prohibited",
  "icmp-host-prohibited": "icmp-host-prohibited",
  "host-prohib": "icmp-host-prohibited",
  "icmp-admin-prohibited": "icmp-admin-prohibited",
  "admin-prohib": "icmp-admin-prohibited",
  "tcp-reset": "tcp-reset",
  "tcp-rst": "tcp-reset",
};

export const REJECT: TargetModule<{ with: string }> = {
  name: "REJECT",
  options: ["reject-with"],
  tables: ["filter"],
  hooks: ["INPUT", "FORWARD", "OUTPUT"],
  create: () => ({ with: "icmp-port-unreachable" }),
  parse(o, opt, _neg, args, rule) {
    const value = args.value(opt);
    const type = REJECT_TYPES[value];
    if (!type) throw new Error(`unknown reject type "${value}"`);
    if (type === "tcp-reset" && rule.proto?.proto !== "tcp") throw new Error("REJECT: TCP RST can only be used with -p tcp");
    o.with = type;
  },
  save: (o) => `--reject-with ${o.with}`,
  apply: (o) => ({ verdict: "REJECT", reject: o.with }),
};

interface LogOpts {
  prefix: string | null;
  level: number | null;
}

export const LOG: TargetModule<LogOpts> = {
  name: "LOG",
  options: ["log-prefix", "log-level"],
  unsupported: ["log-tcp-sequence", "log-tcp-options", "log-ip-options", "log-uid", "log-macdecode"],
  create: () => ({ prefix: null, level: null }),
  parse(o, opt, _neg, args) {
    const value = args.value(opt);
    if (opt === "log-prefix") o.prefix = value;
    else o.level = Number(value);
  },
  save(o) {
    const parts: string[] = [];
    if (o.prefix !== null) parts.push(`--log-prefix ${saveString(o.prefix)}`);
    if (o.level !== null && o.level !== 4) parts.push(`--log-level ${o.level}`);
    return parts.join(" ");
  },
  apply: () => ({ verdict: "CONTINUE" }),
};

export const TRACE: TargetModule<Record<string, never>> = {
  name: "TRACE",
  options: [],
  // No table restriction: iptables-nft turns -j TRACE into nft's "meta nftrace set 1", which
  // any chain accepts (the xt TRACE target would be raw-only).
  create: () => ({}),
  parse() {},
  save: () => "",
  apply: () => ({ verdict: "CONTINUE" }),
};

interface MarkOpts {
  value: number;
  mask: number;
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

function parseMark(text: string): MarkOpts {
  const [v, m] = text.split("/");
  const value = Number(v);
  const mask = m === undefined ? 0xffffffff : Number(m);
  if (!Number.isInteger(value) || !Number.isInteger(mask)) throw new Error(`Bad MARK value "${text}"`);
  return { value: value >>> 0, mask: mask >>> 0 };
}

export const MARK: TargetModule<MarkOpts> = {
  name: "MARK",
  options: ["set-mark", "set-xmark", "and-mark", "or-mark", "xor-mark"],
  create: () => ({ value: 0, mask: 0xffffffff }),
  parse(o, opt, _neg, args) {
    const parsed = parseMark(args.value(opt));
    // Every form is stored as xmark (value, mask): iptables-save prints --set-xmark.
    if (opt === "set-xmark") Object.assign(o, parsed);
    else if (opt === "set-mark") Object.assign(o, { value: parsed.value, mask: (parsed.mask | parsed.value) >>> 0 });
    else if (opt === "and-mark") Object.assign(o, { value: 0, mask: ~parsed.value >>> 0 });
    else if (opt === "or-mark") Object.assign(o, { value: parsed.value, mask: parsed.value });
    else Object.assign(o, { value: parsed.value, mask: 0 });
  },
  save: (o) => `--set-xmark ${hex(o.value)}/${hex(o.mask)}`,
  apply: (o, { packet }) => ({ verdict: "CONTINUE", packet: { ...packet, mark: ((packet.mark & ~o.mask) ^ o.value) >>> 0 } }),
};

export const CHECKSUM: TargetModule<{ fill: boolean }> = {
  name: "CHECKSUM",
  options: ["checksum-fill"],
  tables: ["mangle"],
  create: () => ({ fill: false }),
  parse(o) {
    o.fill = true;
  },
  save: (o) => (o.fill ? "--checksum-fill" : ""),
  apply: () => ({ verdict: "CONTINUE" }),
};

// libip6t_REJECT.c: the names ip6tables-save prints, and their aliases.
const REJECT6_TYPES: Record<string, string> = {
  "icmp6-no-route": "icmp6-no-route",
  "no-route": "icmp6-no-route",
  "icmp6-adm-prohibited": "icmp6-adm-prohibited",
  "adm-prohibited": "icmp6-adm-prohibited",
  "icmp6-addr-unreachable": "icmp6-addr-unreachable",
  "addr-unreach": "icmp6-addr-unreachable",
  "icmp6-port-unreachable": "icmp6-port-unreachable",
  "port-unreach": "icmp6-port-unreachable",
  "icmp6-policy-fail": "icmp6-policy-fail",
  "policy-fail": "icmp6-policy-fail",
  "icmp6-reject-route": "icmp6-reject-route",
  "reject-route": "icmp6-reject-route",
  "tcp-reset": "tcp-reset",
  "tcp-rst": "tcp-reset",
};

/** ip6tables' REJECT: same name, ICMPv6 answers (default icmp6-port-unreachable). */
export const REJECT6: TargetModule<{ with: string }> = {
  ...REJECT,
  create: () => ({ with: "icmp6-port-unreachable" }),
  parse(o, opt, _neg, args, rule) {
    const value = args.value(opt);
    const type = REJECT6_TYPES[value];
    if (!type) throw new Error(`unknown reject type "${value}"`);
    if (type === "tcp-reset" && rule.proto?.proto !== "tcp") throw new Error("REJECT: TCP RST can only be used with -p tcp");
    o.with = type;
  },
};
