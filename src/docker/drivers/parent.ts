// What macvlan and ipvlan share: the parent device (-o parent) and option checks.
import { impossible } from "../../errors.js";
import type { NetworkSpec } from "../../scenario/schema.js";
import { hexId } from "../ids.js";

export interface DriverContext {
  /** The host's interfaces (scenario host.interfaces, eth0 by default). */
  interfaces: { name: string }[];
  /** Networks created so far: name and parent device, for the one-network-per-parent rule. */
  parents: { name: string; parent: string; id: string }[];
  /** The network's ID (dm-<id> names a dummy parent). */
  id: string;
}

export interface StackedParent {
  /** The host device the children hang off. */
  parent: string;
  /** No -o parent: Docker creates a dummy link dm-<network id> (no wire: the network is internal). */
  dummy: boolean;
}

function optionPointer(at: string, key: string): string {
  return `${at}/options/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

export function checkOptions(spec: NetworkSpec, at: string, driver: string, known: string[]): Record<string, string> {
  const opts = spec.options ?? {};
  for (const key of Object.keys(opts))
    if (!known.includes(key)) throw impossible(optionPointer(at, key), `unknown or unsupported ${driver} option "${key}" (nfplay knows ${known.join(", ")})`);
  return opts;
}

export function parentDevice(spec: NetworkSpec, at: string, ctx: DriverContext, driver: string): StackedParent {
  const parent = spec.options?.parent;
  if (spec.internal || parent === undefined || parent === "") {
    // libnetwork: no parent (or --internal) -> a dummy link named after the network ID.
    return { parent: `dm-${ctx.id.slice(0, 12)}`, dummy: true };
  }
  const pointer = `${at}/options/parent`;
  if (parent.includes("."))
    throw impossible(pointer, `802.1q parent "${parent}" is not simulated yet (Docker creates the VLAN sub-interface itself; on a kernel without 8021q, Docker 20.10 fails with "failed to create ${parent} vlan link: operation not supported")`);
  if (!ctx.interfaces.some((i) => i.name === parent))
    throw impossible(pointer, `-o parent interface was not found on the host: ${parent}`);
  const other = ctx.parents.find((p) => p.parent === parent);
  if (other) throw impossible(pointer, `network dm-${other.id.slice(0, 12)} is already using parent interface ${parent} (network "${other.name}"; one ${driver} network per parent)`);
  return { parent, dummy: false };
}

/** The MAC of a dummy parent Docker creates (random in Docker; derived here). */
export function dummyMac(name: string): string {
  const h = hexId(`dummy:${name}`, 10).match(/../g)!;
  return `02:${h.join(":")}`;
}
