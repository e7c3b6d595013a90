// -m mac --mac-source XX:XX:XX:XX:XX:XX (libxt_mac.c): the source address of the Ethernet frame
// the packet arrived in. A locally generated packet, or one received on lo, has none: no match,
// even with "!" (mac_mt returns false unless the device is Ethernet).
import type { MatchModule } from "../types.js";

interface MacOpts {
  mac: string;
  neg: boolean;
}

export const mac: MatchModule<MacOpts> = {
  name: "mac",
  hooks: ["PREROUTING", "INPUT", "FORWARD"],
  options: ["mac-source"],
  create: () => ({ mac: "", neg: false }),
  parse(o, option, neg, args) {
    const v = args.value(option);
    if (!/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(v)) throw new Error(`Bad mac address "${v}"`);
    o.mac = v.split(":").map((b) => b.toLowerCase().padStart(2, "0")).join(":");
    o.neg = neg;
  },
  finish(o) {
    if (!o.mac) throw new Error("mac match: You must specify `--mac-source'");
  },
  save: (o) => `${o.neg ? "! " : ""}--mac-source ${o.mac}`,
  match(o, { packet }) {
    if (packet.srcMac === null) return false;
    return (packet.srcMac.toLowerCase() === o.mac) !== o.neg;
  },
};
