// -m limit --limit N[/second|minute|hour|day] --limit-burst N (libxt_limit.c). nfplay has no
// clock, so the token bucket never refills: each rule matches its first `burst` packets, then no
// more (what the kernel does within one second of a rule being loaded, for any rate <= 1/sec).
import type { MatchModule } from "../types.js";

const SCALE = 10000; // XT_LIMIT_SCALE
const DEFAULT_BURST = 5; // XT_LIMIT_BURST
// rates[] of libxt_limit.c, coarsest first (print_rate walks it).
const RATES: [string, number][] = [["day", SCALE * 86400], ["hour", SCALE * 3600], ["min", SCALE * 60], ["sec", SCALE]];
const UNITS: [string, number][] = [["second", 1], ["minute", 60], ["hour", 3600], ["day", 86400]];

interface LimitOpts {
  avg: number; // period between packets in 1/SCALE seconds
  burst: number;
  /** Packets matched so far (the bucket's spent tokens). */
  used: number;
}

function parseRate(text: string): number {
  const slash = text.indexOf("/");
  let mult = 1;
  if (slash >= 0) {
    const unit = text.slice(slash + 1).toLowerCase();
    const hit = unit === "" ? undefined : UNITS.find(([name]) => name.startsWith(unit));
    if (!hit) throw new Error(`bad rate "${text}'`);
    mult = hit[1];
  }
  const m = /^\d+/.exec(text);
  const r = m ? Number(m[0]) : 0;
  if (!r) throw new Error(`bad rate "${text}'`);
  const avg = Math.floor((SCALE * mult) / r);
  if (avg === 0) throw new Error(`Rate too fast "${text}"`);
  return avg;
}

/** print_rate(): the coarsest unit that still shows the rate without losing precision. */
export function formatRate(period: number): string {
  let i = 1;
  for (; i < RATES.length; i++) {
    const mult = RATES[i]![1];
    if (period > mult || Math.floor(mult / period) < mult % period) break;
  }
  const [name, mult] = RATES[i - 1]!;
  return `${Math.floor(mult / period)}/${name}`;
}

export const limit: MatchModule<LimitOpts> = {
  name: "limit",
  options: ["limit", "limit-burst"],
  create: () => ({ avg: Math.floor((SCALE * 3600) / 3), burst: DEFAULT_BURST, used: 0 }),
  parse(o, option, neg, args) {
    if (neg) throw new Error(`limit: option "--${option}" cannot be inverted.`);
    const v = args.value(option);
    if (option === "limit") o.avg = parseRate(v);
    else {
      if (!/^\d+$/.test(v) || Number(v) > 10000) throw new Error(`limit: bad value for option "--limit-burst", or out of range (0-10000).`);
      o.burst = Number(v);
    }
  },
  save: (o) => `--limit ${formatRate(o.avg)}${o.burst === DEFAULT_BURST ? "" : ` --limit-burst ${o.burst}`}`,
  match(o) {
    if (o.used >= o.burst) return false;
    o.used++;
    return true;
  },
};
