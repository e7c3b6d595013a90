// -m physdev --physdev-in/--physdev-out NAME[+] --physdev-is-in/--physdev-is-out/--physdev-is-bridged
// (libxt_physdev.c; the match itself is the kernel's physdev_mt in xt_physdev.c, quirks included).
import type { MatchModule } from "../types.js";

interface Flag {
  neg: boolean;
}

interface PhysdevOpts {
  in: { name: string; neg: boolean } | null;
  out: { name: string; neg: boolean } | null;
  isIn: Flag | null;
  isOut: Flag | null;
  bridged: Flag | null;
}

function nameHit(pattern: string, dev: string): boolean {
  return pattern.endsWith("+") ? dev.startsWith(pattern.slice(0, -1)) : dev === pattern;
}

function checkName(name: string): string {
  if (name.length === 0 || name.length > 15) throw new Error(`physdev: Invalid interface name "${name}"`);
  return name;
}

const not = (neg: boolean) => (neg ? "! " : "");

export const physdev: MatchModule<PhysdevOpts> = {
  name: "physdev",
  options: ["physdev-in", "physdev-out", "physdev-is-in", "physdev-is-out", "physdev-is-bridged"],
  create: () => ({ in: null, out: null, isIn: null, isOut: null, bridged: null }),
  parse(o, option, neg, args) {
    if (option === "physdev-in") o.in = { name: checkName(args.value(option)), neg };
    else if (option === "physdev-out") o.out = { name: checkName(args.value(option)), neg };
    else if (option === "physdev-is-in") o.isIn = { neg };
    else if (option === "physdev-is-out") o.isOut = { neg };
    else o.bridged = { neg };
  },
  finish(o) {
    if (!o.in && !o.out && !o.isIn && !o.isOut && !o.bridged) throw new Error("PHYSDEV: no physdev option specified");
  },
  save(o) {
    const parts: string[] = [];
    if (o.in) parts.push(`${not(o.in.neg)}--physdev-in ${o.in.name}`);
    if (o.out) parts.push(`${not(o.out.neg)}--physdev-out ${o.out.name}`);
    if (o.isIn) parts.push(`${not(o.isIn.neg)}--physdev-is-in`);
    if (o.isOut) parts.push(`${not(o.isOut.neg)}--physdev-is-out`);
    if (o.bridged) parts.push(`${not(o.bridged.neg)}--physdev-is-bridged`);
    return parts.join(" ");
  },
  match(o, { packet }) {
    const indev = packet.physIn;
    const outdev = packet.physOut;
    // Not a bridged packet (no nf_bridge info): only inverted options match.
    if (indev === null && outdev === null)
      return [o.bridged, o.isIn, o.isOut, o.in, o.out].every((f) => !f || f.neg);
    if (o.bridged && (outdev !== null) === o.bridged.neg) return false;
    if (o.isIn && (indev !== null) === o.isIn.neg) return false;
    if (o.isOut && (outdev !== null) === o.isOut.neg) return false;
    // The kernel skips the name test when the device is unknown (e.g. --physdev-out before FORWARD).
    if (o.in && indev !== null && nameHit(o.in.name, indev) === o.in.neg) return false;
    if (o.out && outdev !== null && nameHit(o.out.name, outdev) === o.out.neg) return false;
    return true;
  },
};
