// The macvlan driver (libnetwork drivers/macvlan): each container's eth0 is a macvlan child of
// a host interface (-o parent=eth0), in -o macvlan_mode=bridge (default), private, vepa or
// passthru. Docker writes no iptables rule for it and publishes no port (capture m01: -p is
// accepted and silently ignored). Addresses come from IPAM exactly as for a bridge network, the
// MAC from the address up to 27 (capture m01: 02:42:c0:a8:32:14 for 192.168.50.20).
import { impossible } from "../../errors.js";
import type { NetworkSpec } from "../../scenario/schema.js";
import { checkOptions, parentDevice, type DriverContext, type StackedParent } from "./parent.js";

export const MACVLAN_MODES = ["bridge", "private", "vepa", "passthru"] as const;
export type MacvlanMode = (typeof MACVLAN_MODES)[number];

export interface MacvlanConfig extends StackedParent {
  kind: "macvlan";
  mode: MacvlanMode;
}

export function macvlanConfig(spec: NetworkSpec, at: string, ctx: DriverContext): MacvlanConfig {
  const opts = checkOptions(spec, at, "macvlan", ["parent", "macvlan_mode"]);
  const mode = opts.macvlan_mode ?? "bridge";
  if (!(MACVLAN_MODES as readonly string[]).includes(mode))
    throw impossible(`${at}/options/macvlan_mode`, `requested macvlan mode '${mode}' is not valid, 'bridge' mode is the macvlan driver default`);
  return { kind: "macvlan", mode: mode as MacvlanMode, ...parentDevice(spec, at, ctx, "macvlan") };
}

/** passthru: the parent takes one child only (the kernel's EINVAL; Docker 20.10 says so at docker run). */
export function checkPassthru(cfg: MacvlanConfig, children: number, at: string): void {
  if (cfg.mode === "passthru" && children > 1)
    throw impossible(`${at}/network`, "failed to create the macvlan port: invalid argument. (macvlan passthru mode: the parent takes a single child)");
}
