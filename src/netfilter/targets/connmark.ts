// -j CONNMARK --set-xmark/--set-mark/--and-mark/--or-mark/--xor-mark, --save-mark/--restore-mark
// [--mask/--nfmask/--ctmask] (libxt_CONNMARK.c revision 1; the kernel's connmark_tg_shift).
// Non-terminal. The connection's mark travels with the packet as packet.ctMark.
import type { TargetModule } from "../types.js";
import { hex, parseMarkMask } from "../matches/mark.js";

interface ConnmarkOpts {
  mode: "set" | "save" | "restore" | null;
  ctmark: number;
  ctmask: number;
  nfmask: number;
}

const FULL = 0xffffffff;

function parseNum(text: string, option: string): number {
  const { value, mask } = parseMarkMask(text, "CONNMARK");
  if (mask !== FULL) throw new Error(`CONNMARK: Bad value for "--${option}" option: "${text}"`);
  return value;
}

export const CONNMARK: TargetModule<ConnmarkOpts> = {
  name: "CONNMARK",
  options: ["set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark", "save-mark", "restore-mark", "mask", "nfmask", "ctmask"],
  create: () => ({ mode: null, ctmark: 0, ctmask: FULL, nfmask: FULL }),
  parse(o, opt, _neg, args) {
    const one = (mode: ConnmarkOpts["mode"]) => {
      if (o.mode) throw new Error("CONNMARK target: Can't specify more than one operation");
      o.mode = mode;
    };
    switch (opt) {
      case "set-xmark":
      case "set-mark": {
        one("set");
        const { value, mask } = parseMarkMask(args.value(opt), "CONNMARK");
        o.ctmark = value;
        o.ctmask = opt === "set-mark" ? (mask | value) >>> 0 : mask;
        return;
      }
      case "and-mark":
        one("set");
        o.ctmark = 0;
        o.ctmask = ~parseNum(args.value(opt), opt) >>> 0;
        return;
      case "or-mark":
        one("set");
        o.ctmark = o.ctmask = parseNum(args.value(opt), opt);
        return;
      case "xor-mark":
        one("set");
        o.ctmark = parseNum(args.value(opt), opt);
        o.ctmask = 0;
        return;
      case "save-mark":
        one("save");
        return;
      case "restore-mark":
        one("restore");
        return;
      default: {
        const v = parseNum(args.value(opt), opt);
        if (o.mode !== "save" && o.mode !== "restore") throw new Error(`CONNMARK target: --${opt} requires --save-mark or --restore-mark`);
        if (opt !== "ctmask") o.nfmask = v;
        if (opt !== "nfmask") o.ctmask = v;
      }
    }
  },
  finish(o) {
    if (!o.mode) throw new Error("CONNMARK target: No operation specified");
  },
  save(o) {
    if (o.mode === "set") return `--set-xmark ${hex(o.ctmark)}/${hex(o.ctmask)}`;
    return `--${o.mode}-mark --nfmask ${hex(o.nfmask)} --ctmask ${hex(o.ctmask)}`;
  },
  apply(o, { packet }) {
    if (packet.ct === "UNTRACKED") return { verdict: "CONTINUE" }; // no conntrack entry to mark
    if (o.mode === "set") return { verdict: "CONTINUE", packet: { ...packet, ctMark: ((packet.ctMark & ~o.ctmask) ^ o.ctmark) >>> 0 } };
    if (o.mode === "save")
      return { verdict: "CONTINUE", packet: { ...packet, ctMark: ((packet.ctMark & ~o.ctmask) ^ (packet.mark & o.nfmask)) >>> 0 } };
    return { verdict: "CONTINUE", packet: { ...packet, mark: ((packet.mark & ~o.nfmask) ^ (packet.ctMark & o.ctmask)) >>> 0 } };
  },
};
