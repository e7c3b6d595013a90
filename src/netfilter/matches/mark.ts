// -m mark --mark V[/M] (libxt_mark.c) and -m connmark --mark V[/M] (libxt_connmark.c):
// (mark & mask) == value, on the packet's mark or on its connection's mark.
import type { MatchModule, Packet } from "../types.js";

export interface MarkMatchOpts {
  value: number;
  mask: number;
  neg: boolean;
  set: boolean;
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** "V[/M]" with strtoul's bases (0x.., 0.., decimal), as xtables_strtoui does. */
export function parseMarkMask(text: string, what: string): { value: number; mask: number } {
  const num = (s: string | undefined): number | null => {
    if (s === undefined || s === "" || !/^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.test(s)) return null;
    const n = /^0[0-7]+$/.test(s) ? parseInt(s, 8) : Number(s);
    return n <= 0xffffffff ? n : null;
  };
  const [v, m, extra] = text.split("/");
  const value = num(v);
  const mask = m === undefined ? 0xffffffff : num(m);
  if (value === null || mask === null || extra !== undefined) throw new Error(`${what}: Bad value for "--mark" option: "${text}"`);
  return { value: value >>> 0, mask: mask >>> 0 };
}

function markMatch(name: "mark" | "connmark", read: (p: Packet) => number | null): MatchModule<MarkMatchOpts> {
  return {
    name,
    options: ["mark"],
    create: () => ({ value: 0, mask: 0xffffffff, neg: false, set: false }),
    parse(o, option, neg, args) {
      Object.assign(o, parseMarkMask(args.value(option), name), { neg, set: true });
    },
    finish(o) {
      if (!o.set) throw new Error(`${name} match: You must specify \`--mark'`);
    },
    // print_mark(): the mask only when it is not 0xffffffff.
    save: (o) => `${o.neg ? "! " : ""}--mark ${hex(o.value)}${o.mask === 0xffffffff ? "" : `/${hex(o.mask)}`}`,
    match(o, { packet }) {
      const mark = read(packet);
      if (mark === null) return false; // connmark_mt: no conntrack entry, no match (even with "!")
      return (((mark & o.mask) >>> 0) === o.value) !== o.neg;
    },
  };
}

export const mark = markMatch("mark", (p) => p.mark);
export const connmark = markMatch("connmark", (p) => (p.ct === "UNTRACKED" ? null : p.ctMark));
