// Network drivers other than bridge: which config a network gets (dispatch from
// model.ts userNetwork), what a container's endpoint looks like on it, and its devices and
// routes in the simulated world (dispatch from topology.ts). The L2 semantics of macvlan and
// ipvlan devices live in src/net/macvlan.ts.
import { impossible } from "../../errors.js";
import { formatIPv4, parseCidr, type Cidr } from "../../net/address.js";
import type { Namespace, World } from "../../net/topology.js";
import type { NetworkSpec } from "../../scenario/schema.js";
import { bridgeMac } from "../ids.js";
import { Ipt } from "../ipt.js";
import type { DockerHost, DockerNetwork, Endpoint } from "../model.js";
import { checkPassthru, macvlanConfig, type MacvlanConfig } from "./macvlan.js";
import { ipvlanConfig, routed, type IpvlanConfig } from "./ipvlan.js";
import { dummyMac } from "./parent.js";
import { remoteConfig, runPluginRules, type RemoteConfig } from "./remote.js";

export type DriverConfig = MacvlanConfig | IpvlanConfig | RemoteConfig;

/** Drivers handled here (host and null only to refuse them as Docker does). */
export const DRIVERS = new Set(["macvlan", "ipvlan", "remote", "host", "null"]);

/** Before IPAM: drivers Docker refuses for user networks, and "plugin" without "remote". */
export function checkDriver(spec: NetworkSpec, at: string): void {
  if (spec.driver === "host" || spec.driver === "null")
    throw impossible(`${at}/driver`, `only one instance of "${spec.driver}" network is allowed (Docker's own; a container joins it with --network ${spec.driver === "host" ? "host" : "none"})`);
  if (spec.plugin && spec.driver !== "remote") throw impossible(`${at}/plugin`, `"plugin" is for driver "remote" only`);
}

const pending = new WeakMap<DockerNetwork, { spec: NetworkSpec; at: string }>();

/** userNetwork() built the network (IPAM, ID, names as for a bridge); remember its spec for applyDriver. */
export function markDriver(spec: NetworkSpec, at: string, net: DockerNetwork): DockerNetwork {
  if (spec.driver !== "bridge") pending.set(net, { spec, at });
  return net;
}

/**
 * When the network is added to the host: validates the driver's options (its parent must be a
 * host interface no other network uses) and marks the network as this driver's.
 */
export function applyDriver(net: DockerNetwork, host: DockerHost): void {
  const mark = pending.get(net);
  if (!mark) return;
  const { spec, at } = mark;
  if (spec.subnet6 || spec.ipv6) throw impossible(`${at}/${spec.subnet6 ? "subnet6" : "ipv6"}`, `IPv6 on a ${spec.driver} network is not simulated yet`);
  // Each driver keeps its own one-network-per-parent rule (a macvlan and an ipvlan network may share one).
  const parents = host.networks.flatMap((n) => (n.driverConfig && n.driverConfig.kind === spec.driver && n.driverConfig.kind !== "remote" ? [{ name: n.name, parent: n.driverConfig.parent, id: n.id }] : []));
  const ctx = { interfaces: host.interfaces, parents, id: net.id };
  const cfg: DriverConfig =
    spec.driver === "macvlan" ? macvlanConfig(spec, at, ctx) : spec.driver === "ipvlan" ? ipvlanConfig(spec, at, ctx) : remoteConfig(spec, at);
  net.driver = cfg.kind;
  net.driverConfig = cfg;
  net.bridge = cfg.kind === "remote" && "bridge" in cfg.hostSide ? cfg.hostSide.bridge : "";
  if (cfg.kind === "remote") runPluginRules(new Ipt(host.ruleset, host.commands), cfg, at);
}

/** The container's endpoint on a driver network: no host veth for macvlan/ipvlan; the plugin's MAC. */
export function driverEndpoint(ep: Endpoint, host: DockerHost, at: string): Endpoint {
  const cfg = ep.network.driverConfig;
  if (!cfg) return ep;
  if (cfg.kind === "remote") {
    if (cfg.mac) ep.mac = cfg.mac;
    ep.ifname = ep.ifname.replace(/^eth/, cfg.dstPrefix); // libnetwork renames SrcName to DstPrefix+N
    return ep;
  }
  ep.hostVeth = "";
  ep.hostVethMac = "";
  const other = host.containers.flatMap((c) => c.endpoints).find((e) => {
    const o = e.network.driverConfig;
    return o && o.kind !== "remote" && o.kind !== cfg.kind && o.parent === cfg.parent;
  });
  if (other) throw impossible(`${at}/network`, `failed to create the ${cfg.kind} port: device or resource busy (${cfg.parent} already carries ${other.network.driverConfig!.kind} children, of network "${other.network.name}")`);
  if (cfg.kind === "ipvlan") ep.mac = parentMac(host, cfg.parent, cfg.dummy); // ipvlan children share the parent's MAC
  if (cfg.kind === "macvlan") {
    const children = host.containers.flatMap((c) => c.endpoints).filter((e) => e.network === ep.network).length + 1;
    checkPassthru(cfg, children, at);
  }
  return ep;
}

/** The driver's fields of networks[] in the result (NetworkResult parent, mode, plugin). */
export function driverResult(net: DockerNetwork): { parent?: string; mode?: string; plugin?: string } {
  const cfg = net.driverConfig;
  if (!cfg) return {};
  if (cfg.kind === "remote") return { plugin: cfg.plugin };
  return { parent: cfg.parent, mode: cfg.kind === "macvlan" ? cfg.mode : `${cfg.mode}/${cfg.flag}` };
}

function uplinkMac(k: number): string {
  return `02:42:cb:00:71:${(10 + k).toString(16).padStart(2, "0")}`;
}

function parentMac(host: DockerHost, parent: string, dummy: boolean): string {
  if (dummy) return dummyMac(parent);
  return uplinkMac(host.interfaces.findIndex((i) => i.name === parent));
}

/** Devices, addresses and routes of the driver networks, before the containers are attached. */
export function addDriverNetworks(world: World, hostNs: Namespace, docker: DockerHost): void {
  const ext = world.get("external");
  for (const net of docker.networks) {
    const cfg = net.driverConfig;
    if (!cfg) continue;
    if (cfg.kind === "remote") {
      if ("bridge" in cfg.hostSide) {
        const br = cfg.hostSide.bridge;
        if (!hostNs.ifaces.has(br)) hostNs.addIface({ name: br, kind: "bridge", mac: bridgeMac(br), addrs: [{ ip: net.gateway, net: net.subnet }] });
        hostNs.routes.push({ dst: net.subnet, dev: br, via: null, src: net.gateway });
      }
      continue;
    }
    if (cfg.dummy) {
      if (!hostNs.ifaces.has(cfg.parent)) hostNs.addIface({ name: cfg.parent, kind: "dummy", mac: dummyMac(cfg.parent) });
      continue;
    }
    const parent = hostNs.ifaces.get(cfg.parent)!;
    const wire = parent.peer ? ext.ifaces.get(parent.peer.iface) : undefined;
    if (!wire) continue;
    if (cfg.kind === "ipvlan" && routed(cfg)) {
      // The upstream router must route the L3 subnet to the host (Docker's docs say so).
      const hostIp = parent.addrs.find((a) => typeof a.ip === "number")?.ip;
      if (hostIp !== undefined) ext.routes.push({ dst: net.subnet, dev: wire.name, via: hostIp, src: null });
      continue;
    }
    // The L2 segment's router: the network's --gateway lives on the parent's wire, outside.
    if (!world.owner(net.gateway)) world.addAddress(ext, wire, { ip: net.gateway, net: net.subnet });
    if (!ext.routes.some((r) => r.dst.addr === net.subnet.addr && r.dst.prefix === net.subnet.prefix)) ext.routes.push({ dst: net.subnet, dev: wire.name, via: null, src: null });
  }
  world.changed();
}

/** A container's endpoint on a driver network: the device in its namespace and its routes. */
export function attachDriverEndpoint(hostNs: Namespace, ns: Namespace, ep: Endpoint, first: boolean): void {
  const cfg = ep.network.driverConfig!;
  const addrs = [{ ip: ep.ip, net: ep.network.subnet }];
  if (cfg.kind === "remote") return attachRemote(hostNs, ns, ep, cfg, first);
  const mode = cfg.kind === "macvlan" ? cfg.mode : `${cfg.mode}/${cfg.flag}`;
  ns.addIface({ name: ep.ifname, kind: cfg.kind, mac: ep.mac, addrs, lower: { ns: hostNs.name, iface: cfg.parent, mode } });
  ns.routes.push({ dst: ep.network.subnet, dev: ep.ifname, via: null, src: ep.ip });
  // --internal: no gateway from the driver (Join), so no default route; a dummy parent without
  // --internal still gets one, towards a gateway no wire leads to.
  if (!first || ep.network.internal) return;
  const l3 = cfg.kind === "ipvlan" && routed(cfg);
  ns.routes.push({ dst: parseCidr("0.0.0.0/0"), dev: ep.ifname, via: l3 ? null : ep.network.gateway, src: null });
}

function attachRemote(hostNs: Namespace, ns: Namespace, ep: Endpoint, cfg: RemoteConfig, first: boolean): void {
  ns.addIface({ name: ep.ifname, kind: "veth", mac: ep.mac, addrs: [{ ip: ep.ip, net: ep.network.subnet }], peer: { ns: hostNs.name, iface: ep.hostVeth } });
  ns.routes.push({ dst: ep.network.subnet, dev: ep.ifname, via: null, src: ep.ip });
  for (const r of cfg.routes) ns.routes.push({ dst: r.dst, dev: ep.ifname, via: r.via, src: null });
  if (first && cfg.gateway !== null) ns.routes.push({ dst: parseCidr("0.0.0.0/0"), dev: ep.ifname, via: cfg.gateway, src: null });
  if ("bridge" in cfg.hostSide) {
    hostNs.addIface({ name: ep.hostVeth, kind: "veth", mac: ep.hostVethMac, master: cfg.hostSide.bridge, peer: { ns: ns.name, iface: ep.ifname } });
    return;
  }
  // Calico style: the host side answers for the gateway (proxy ARP) and routes the /32 to it.
  const gw = cfg.gateway !== null ? [{ ip: cfg.gateway, net: parseCidr(`${formatIPv4(cfg.gateway)}/32`) as Cidr }] : [];
  hostNs.addIface({ name: ep.hostVeth, kind: "veth", mac: ep.hostVethMac, addrs: gw, peer: { ns: ns.name, iface: ep.ifname } });
  hostNs.routes.push({ dst: parseCidr(`${formatIPv4(ep.ip)}/32`), dev: ep.hostVeth, via: null, src: null });
}
