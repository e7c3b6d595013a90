// -m iprange --src-range A[-B] --dst-range A[-B] (libxt_iprange.c, revision 1).
import { formatIPv4, isIPv4, parseIPv4 } from "../../net/address.js";
import type { MatchModule } from "../types.js";

interface Range {
  lo: number;
  hi: number;
  neg: boolean;
}

interface IprangeOpts {
  src: Range | null;
  dst: Range | null;
}

function parseRange(text: string, neg: boolean): Range {
  const [a, b, extra] = text.split("-");
  if (!a || !isIPv4(a) || (b !== undefined && !isIPv4(b)) || extra !== undefined) throw new Error(`iprange: "${text}" is not a valid IP address range`);
  const lo = parseIPv4(a);
  return { lo, hi: b === undefined ? lo : parseIPv4(b), neg };
}

function saveRange(option: string, r: Range | null): string {
  return r ? `${r.neg ? "! " : ""}--${option} ${formatIPv4(r.lo)}-${formatIPv4(r.hi)}` : "";
}

const inRange = (ip: number | bigint, r: Range | null) =>
  !r || (typeof ip === "number" && ((ip >>> 0) >= (r.lo >>> 0) && (ip >>> 0) <= (r.hi >>> 0)) !== r.neg);

export const iprange: MatchModule<IprangeOpts> = {
  name: "iprange",
  options: ["src-range", "dst-range"],
  create: () => ({ src: null, dst: null }),
  parse(o, option, neg, args) {
    const r = parseRange(args.value(option), neg);
    if (option === "src-range") o.src = r;
    else o.dst = r;
  },
  finish(o) {
    if (!o.src && !o.dst) throw new Error("iprange match: You must specify `--src-range' or `--dst-range'");
  },
  save: (o) => [saveRange("src-range", o.src), saveRange("dst-range", o.dst)].filter(Boolean).join(" "),
  match: (o, { packet }) => inRange(packet.src, o.src) && inRange(packet.dst, o.dst),
};
