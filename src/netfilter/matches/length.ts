// -m length --length MIN[:MAX] (libxt_length.c): the IP total length.
import type { MatchModule } from "../types.js";

interface LengthOpts {
  min: number;
  max: number;
  neg: boolean;
  set: boolean;
}

export const length: MatchModule<LengthOpts> = {
  name: "length",
  options: ["length"],
  create: () => ({ min: 0, max: 0xffff, neg: false, set: false }),
  parse(o, option, neg, args) {
    const v = args.value(option);
    const m = /^(\d*)(?:(:)(\d*))?$/.exec(v);
    const num = (s: string | undefined, dflt: number) => (s === undefined || s === "" ? dflt : Number(s));
    if (!m || v === ":" || v === "") throw new Error(`length: bad value "${v}"`);
    o.min = num(m[1], 0);
    o.max = m[2] ? num(m[3], 0xffff) : o.min;
    if (o.min > 0xffff || o.max > 0xffff) throw new Error(`length: "${v}" out of range`);
    Object.assign(o, { neg, set: true });
  },
  finish(o) {
    if (!o.set) throw new Error("length match: You must specify \"--length\"");
  },
  save: (o) => `${o.neg ? "! " : ""}--length ${o.min === o.max ? o.min : `${o.min}:${o.max}`}`,
  match: (o, { packet }) => (packet.length >= o.min && packet.length <= o.max) !== o.neg,
};
