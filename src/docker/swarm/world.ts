// The namespaces of a swarm: "external" (the LAN's gateway, a bridge lan0 that every node's eth0
// plugs into, and the internet behind it), per node its host ("node1"), its ingress_sbox
// ("node1/ingress_sbox"), one namespace per overlay network with br0 + vxlan0
// ("node1/1-<network id>"), and one namespace per task ("web.1").
import { formatAddr, parseCidr, parseIPv4, type Addr, type Cidr, type IPv4 } from "../../net/address.js";
import { RESOLVER_IP, resolverPorts } from "../dns.js";
import { IpvsTable } from "../../net/ipvs.js";
import { Namespace, World, type Iface } from "../../net/topology.js";
import { hexId, macFromIPv4 } from "../ids.js";
import type { Overlay, Swarm, SwarmNode } from "./model.js";

export const EXTERNAL_CLIENT = "198.51.100.7";

export function overlayNsName(node: SwarmNode, o: Overlay): string {
  return `${node.name}/1-${o.id.slice(0, 10)}`;
}

export function sboxNsName(node: SwarmNode): string {
  return `${node.name}/ingress_sbox`;
}

export function lbNsName(node: SwarmNode, o: Overlay): string {
  return `${node.name}/lb_${o.id.slice(0, 9)}`;
}

const DEFAULT = parseCidr("0.0.0.0/0");

export function buildSwarmWorld(swarm: Swarm): World {
  const world = new World();
  const ext = world.add(new Namespace("external", "external"));
  const lan = swarm.nodes[0]!.lan;
  ext.addIface({ name: "lan0", kind: "bridge", mac: "02:42:cb:00:71:01", addrs: [{ ip: swarm.lanGateway, net: lan }, { ip: parseCidr(`${EXTERNAL_CLIENT}/32`).addr, net: parseCidr(`${EXTERNAL_CLIENT}/32`) }] });
  ext.routes.push({ dst: lan, dev: "lan0", via: null, src: swarm.lanGateway });
  swarm.nodes.forEach((node, k) => {
    addNode(world, ext, swarm, node, k);
  });
  world.changed();
  return world;
}

function addNode(world: World, ext: Namespace, swarm: Swarm, node: SwarmNode, k: number): void {
  const host = world.add(new Namespace(node.name, "host"));
  host.ruleset = node.docker.ruleset;
  host.ipForward = true;
  host.bridgeNfCall = true;
  host.addIface({ name: "eth0", kind: "veth", mac: `02:42:cb:00:71:${(10 + k).toString(16).padStart(2, "0")}`, addrs: [{ ip: node.ip, net: node.lan }], peer: { ns: "external", iface: `lan-${node.name}` } });
  ext.addIface({ name: `lan-${node.name}`, kind: "veth", mac: `02:42:cb:00:72:${(10 + k).toString(16).padStart(2, "0")}`, master: "lan0", peer: { ns: node.name, iface: "eth0" } });
  host.routes.push({ dst: node.lan, dev: "eth0", via: null, src: node.ip }, { dst: DEFAULT, dev: "eth0", via: swarm.lanGateway, src: null });
  for (const net of node.docker.networks) {
    // libnetwork sets route_localnet=1 on docker_gwbridge when it programs the ingress.
    const routeLocalnet = net.bridge === "docker_gwbridge" && swarm.services.some((s) => s.ports.length > 0);
    host.addIface({ name: net.bridge, kind: "bridge", mac: node.docker.bridgeMacs.get(net.bridge)!, addrs: [{ ip: net.gateway, net: net.subnet }], routeLocalnet });
    host.routes.push({ dst: net.subnet, dev: net.bridge, via: null, src: net.gateway });
  }
  const overlayNs = new Map<string, Namespace>();
  const overlayOf = (o: Overlay): Namespace => {
    let ns = overlayNs.get(o.name);
    if (!ns) {
      ns = world.add(new Namespace(overlayNsName(node, o), "container"));
      ns.addIface({ name: "br0", kind: "bridge", mac: macFromIPv4(o.gateway).replace(/^02:42/, "02:43"), addrs: [{ ip: o.gateway, net: o.subnet }] });
      ns.addIface({ name: "vxlan0", kind: "vxlan", mac: `02:44:${hexId(`vxlan:${ns.name}`, 8).match(/../g)!.join(":")}`, master: "br0", vxlan: { vni: o.vni, underlay: node.name, fdb: remoteEndpoints(swarm, node, o) } });
      ns.routes.push({ dst: o.subnet, dev: "br0", via: null, src: o.gateway });
      overlayNs.set(o.name, ns);
    }
    return ns;
  };
  const port = (ns: Namespace): string => `veth${[...ns.ifaces.values()].filter((i) => i.kind === "veth").length}`;

  // ingress_sbox: eth0 on ingress (plus the services' VIPs), eth1 on docker_gwbridge.
  const sbox = world.add(new Namespace(sboxNsName(node), "container"));
  sbox.ruleset = node.sbox.ruleset;
  listenResolver(sbox);
  // A new namespace inherits ip_forward from the initial one, where dockerd turned it on (moby#38723).
  sbox.ipForward = true;
  sbox.ipvs = new IpvsTable();
  for (const [mark, dests] of node.sbox.backends) for (const d of dests) sbox.ipvs.addDest(mark, d);
  const ingressNs = overlayOf(swarm.ingress);
  const sboxPort = port(ingressNs);
  link(sbox, "eth0", macFromIPv4(node.sbox.ingressIp), node.sbox.ingressIp, swarm.ingress.subnet, ingressNs, sboxPort);
  for (const vip of node.sbox.vips) sbox.ifaces.get("eth0")!.addrs.push({ ip: vip, net: parseCidr(`${formatAddr(vip)}/32`) });
  const sboxVeth = `veth${hexId(`veth:${node.name}:ingress-sbox`, 7)}`;
  link(sbox, "eth1", macFromIPv4(node.sbox.gwIp), node.sbox.gwIp, node.gwbridge.subnet, host, sboxVeth, "docker_gwbridge");
  sbox.routes.push({ dst: DEFAULT, dev: "eth1", via: node.gwbridge.gateway, src: null });

  // lb_<id>: eth0 on the overlay with the services' VIPs as aliases, IPVS for each of them.
  for (const lb of node.lbs.values()) {
    const ns = world.add(new Namespace(lbNsName(node, lb.network), "container"));
    ns.ruleset = lb.ruleset;
    listenResolver(ns);
    ns.ipForward = true; // inherited from the initial namespace, like the ingress_sbox
    ns.ipvs = new IpvsTable();
    for (const [mark, dests] of lb.backends) for (const d of dests) ns.ipvs.addDest(mark, d);
    const o = overlayOf(lb.network);
    link(ns, "eth0", macFromIPv4(lb.ip), lb.ip, lb.network.subnet, o, port(o));
    for (const vip of lb.vips) ns.ifaces.get("eth0")!.addrs.push({ ip: vip, net: parseCidr(`${formatAddr(vip)}/32`) });
  }

  // mode=host ports: docker-proxy on the node (userland-proxy is on: swarm nodes run the defaults).
  for (const task of node.tasks)
    for (const p of task.service.hostPorts)
      host.listen({ ip: 0, port: p.published, proto: p.proto, owner: `docker-proxy (${task.name})`, relay: { ip: task.attachments.at(-1)!.ip, port: p.target } });

  for (const task of node.tasks) {
    const ns = world.add(new Namespace(task.name, "container"));
    ns.ruleset = task.ruleset;
    listenResolver(ns);
    for (const a of task.attachments) {
      if (a.network === "docker_gwbridge") {
        link(ns, a.ifname, a.mac, a.ip, a.subnet, host, a.peer, "docker_gwbridge");
        ns.routes.push({ dst: DEFAULT, dev: a.ifname, via: node.gwbridge.gateway, src: null });
      } else {
        const o = overlayOf(a.network);
        a.peer = port(o);
        link(ns, a.ifname, a.mac, a.ip, a.subnet, o, a.peer);
      }
    }
    for (const p of [...task.service.ports, ...task.service.hostPorts])
      if (!ns.socketFor(0, p.target, p.proto)) ns.listen({ ip: 0, port: p.target, proto: p.proto, owner: "app", relay: null });
  }
}

/** Docker's embedded DNS server: dockerd's two sockets on 127.0.0.11 in the sandbox (its rules are in the model). */
function listenResolver(ns: Namespace): void {
  const { udpPort, tcpPort } = resolverPorts();
  const ip = parseIPv4(RESOLVER_IP);
  ns.listen({ ip, port: udpPort, proto: "udp", owner: "dockerd (embedded DNS)", relay: null });
  ns.listen({ ip, port: tcpPort, proto: "tcp", owner: "dockerd (embedded DNS)", relay: null });
}

/** A veth pair: `dev` in ns with its address, `peer` in peerNs (a port of `bridge` there, or of its br0). */
function link(ns: Namespace, dev: string, mac: string, ip: IPv4, subnet: Cidr, peerNs: Namespace, peer: string, bridge = "br0"): void {
  ns.addIface({ name: dev, kind: "veth", mac, addrs: [{ ip, net: subnet }], peer: { ns: peerNs.name, iface: peer } });
  ns.routes.push({ dst: subnet, dev, via: null, src: ip });
  const far: Partial<Iface> = { master: bridge, peer: { ns: ns.name, iface: dev } };
  peerNs.addIface({ name: peer, kind: "veth", mac: mac.replace(/^02:42/, "a2:42"), ...far });
}

/** The overlay's static fdb/neighbour entries (libnetwork peerAdd): every endpoint on another node -> that node. */
function remoteEndpoints(swarm: Swarm, node: SwarmNode, o: Overlay): Map<Addr, Addr> {
  const fdb = new Map<Addr, Addr>();
  for (const other of swarm.nodes) {
    if (other === node) continue;
    if (o.ingress) fdb.set(other.sbox.ingressIp, other.ip);
    const lb = other.lbs.get(o.name);
    if (lb) fdb.set(lb.ip, other.ip);
    for (const t of other.tasks) for (const a of t.attachments) if (a.network === o) fdb.set(a.ip, other.ip);
  }
  return fdb;
}
