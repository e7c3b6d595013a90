// The ipvlan driver (libnetwork drivers/ipvlan): each container's eth0 is an ipvlan child of a
// host interface, sharing the parent's MAC. -o ipvlan_mode=l2 (default) switches by address on
// the parent's L2 segment like macvlan; l3 and l3s route: the child has no ARP, its default
// route is "dev eth0" with no gateway, and everything that is not a sibling is routed by the
// host's namespace (through its OUTPUT and POSTROUTING hooks); l3s also passes incoming
// traffic through the host's PREROUTING and INPUT (Documentation/networking/ipvlan.rst). The
// network's upstream router needs a route to the subnet via the host: nfplay gives the outside
// world that route. -o ipvlan_flag=bridge (default), private or vepa: whether siblings talk.
//
// Not verified against a kernel: this machine's kernel has no CONFIG_IPVLAN, and Docker 20.10
// there creates the network but fails at docker run ("failed to create the ipvlan port:
// operation not supported."). nfplay simulates a kernel that has ipvlan.
import { impossible } from "../../errors.js";
import type { NetworkSpec } from "../../scenario/schema.js";
import { checkOptions, parentDevice, type DriverContext, type StackedParent } from "./parent.js";

export const IPVLAN_MODES = ["l2", "l3", "l3s"] as const;
export const IPVLAN_FLAGS = ["bridge", "private", "vepa"] as const;

export interface IpvlanConfig extends StackedParent {
  kind: "ipvlan";
  mode: (typeof IPVLAN_MODES)[number];
  flag: (typeof IPVLAN_FLAGS)[number];
}

export function ipvlanConfig(spec: NetworkSpec, at: string, ctx: DriverContext): IpvlanConfig {
  const opts = checkOptions(spec, at, "ipvlan", ["parent", "ipvlan_mode", "ipvlan_flag"]);
  const mode = opts.ipvlan_mode ?? "l2";
  if (!(IPVLAN_MODES as readonly string[]).includes(mode))
    throw impossible(`${at}/options/ipvlan_mode`, `requested ipvlan mode '${mode}' is not valid, 'l2' mode is the ipvlan driver default`);
  const flag = opts.ipvlan_flag ?? "bridge";
  if (!(IPVLAN_FLAGS as readonly string[]).includes(flag))
    throw impossible(`${at}/options/ipvlan_flag`, `requested ipvlan flag '${flag}' is not valid, 'bridge' is the ipvlan driver default`);
  return { kind: "ipvlan", mode: mode as IpvlanConfig["mode"], flag: flag as IpvlanConfig["flag"], ...parentDevice(spec, at, ctx, "ipvlan") };
}

/** L3 modes: no gateway, no ARP; the container routes everything out of eth0. */
export function routed(cfg: IpvlanConfig): boolean {
  return cfg.mode !== "l2";
}
