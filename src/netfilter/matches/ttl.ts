// -m ttl --ttl-eq/--ttl-gt/--ttl-lt N (libipt_ttl.c); "! --ttl-eq" is the kernel's IPT_TTL_NE.
import type { MatchModule } from "../types.js";

interface TtlOpts {
  mode: "eq" | "ne" | "lt" | "gt" | null;
  value: number;
}

export const ttl: MatchModule<TtlOpts> = {
  name: "ttl",
  options: ["ttl-eq", "ttl", "ttl-gt", "ttl-lt"],
  create: () => ({ mode: null, value: 0 }),
  parse(o, option, neg, args) {
    const v = args.value(option);
    if (!/^\d+$/.test(v) || Number(v) > 255) throw new Error(`ttl: bad value for option "--${option}", or out of range (0-255).`);
    if (o.mode) throw new Error("ttl: Can't specify TTL option twice");
    if (neg && option !== "ttl-eq" && option !== "ttl") throw new Error(`ttl: unexpected \`!' with --${option}`);
    o.value = Number(v);
    o.mode = option === "ttl-gt" ? "gt" : option === "ttl-lt" ? "lt" : neg ? "ne" : "eq";
  },
  finish(o) {
    if (!o.mode) throw new Error("TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt'");
  },
  save(o) {
    if (o.mode === "ne") return `! --ttl-eq ${o.value}`;
    return `--ttl-${o.mode} ${o.value}`;
  },
  match(o, { packet }) {
    const t = packet.ttl;
    return o.mode === "eq" ? t === o.value : o.mode === "ne" ? t !== o.value : o.mode === "lt" ? t < o.value : t > o.value;
  },
};
