// The namespaces Docker leaves behind: the host (uplink, bridges, host-side veths, docker-proxy
// sockets), one namespace per container, and "external" — the internet behind the gateway.
import { formatIPv4, parseCidr, parseIPv4, type IPv4 } from "../net/address.js";
import { Namespace, World } from "../net/topology.js";
import type { Ruleset } from "../netfilter/ruleset.js";
import type { DockerHost } from "./model.js";

export const EXTERNAL_CLIENT = "198.51.100.7";
const EXTERNAL_GATEWAY_FALLBACK = "203.0.113.1";

export function buildWorld(docker: DockerHost, hostRules: Ruleset | null): World {
  const world = new World();
  const host = world.add(new Namespace("host", "host"));
  host.ruleset = hostRules ?? docker.ruleset;
  host.ipForward = docker.daemon.ipForward || docker.ipForwardBefore;
  host.bridgeNfCall = true; // Docker loads br_netfilter, and it defaults to calling iptables
  addUplinks(world, host, docker);
  addBridges(host, docker);
  addContainers(world, host, docker);
  addProxies(host, docker);
  return world;
}

function addUplinks(world: World, host: Namespace, docker: DockerHost): void {
  const ext = world.add(new Namespace("external", "external"));
  docker.interfaces.forEach((i, k) => {
    const net = parseCidr(i.address);
    const ip = parseIPv4(i.address.split("/")[0]!);
    const gw = i.gateway ?? (k === 0 ? EXTERNAL_GATEWAY_FALLBACK : null);
    host.addIface({ name: i.name, kind: "veth", mac: `02:42:cb:00:71:${(10 + k).toString(16).padStart(2, "0")}`, addrs: [{ ip, net }], peer: { ns: "external", iface: `up${k}` } });
    host.routes.push({ dst: net, dev: i.name, via: null, src: ip });
    const extAddrs = gw ? [{ ip: parseIPv4(gw), net }] : [];
    ext.addIface({ name: `up${k}`, kind: "veth", mac: `02:42:cb:00:71:${(1 + k).toString(16).padStart(2, "0")}`, addrs: extAddrs, peer: { ns: "host", iface: i.name } });
    if (gw && !host.routes.some((r) => r.dst.prefix === 0)) host.routes.push({ dst: parseCidr("0.0.0.0/0"), dev: i.name, via: parseIPv4(gw), src: null });
    ext.routes.push({ dst: net, dev: `up${k}`, via: null, src: null });
  });
  // The internet hosts every address the host does not: they are added on demand (addExternalHost).
  const up0 = ext.ifaces.get("up0");
  if (up0) world.addAddress(ext, up0, { ip: parseIPv4(EXTERNAL_CLIENT), net: parseCidr(`${EXTERNAL_CLIENT}/32`) });
  const uplink = docker.interfaces[0];
  if (uplink) ext.routes.push({ dst: parseCidr("0.0.0.0/0"), dev: "up0", via: parseIPv4(uplink.address.split("/")[0]!), src: parseIPv4(EXTERNAL_CLIENT) });
}

/** Give the outside world an address (a server or client on the internet). */
export function addExternalHost(world: World, ip: IPv4): void {
  const ext = world.get("external");
  if (world.owner(ip)) return;
  const up0 = ext.ifaces.get("up0");
  if (up0) world.addAddress(ext, up0, { ip, net: parseCidr(`${formatIPv4(ip)}/32`) });
}

function addBridges(host: Namespace, docker: DockerHost): void {
  for (const net of docker.networks) {
    if (net.driver !== "bridge") continue;
    // Without the userland proxy, Docker's hairpin mode lets 127.0.0.1 DNAT into the bridge.
    const routeLocalnet = !docker.daemon.userlandProxy;
    host.addIface({ name: net.bridge, kind: "bridge", mac: docker.bridgeMacs.get(net.bridge)!, addrs: [{ ip: net.gateway, net: net.subnet }], routeLocalnet });
    host.routes.push({ dst: net.subnet, dev: net.bridge, via: null, src: net.gateway });
  }
}

function addContainers(world: World, host: Namespace, docker: DockerHost): void {
  for (const c of docker.containers) {
    if (c.mode === "host") continue;
    const ns = world.add(new Namespace(c.name, "container"));
    c.endpoints.forEach((ep, k) => {
      ns.addIface({ name: ep.ifname, kind: "veth", mac: ep.mac, addrs: [{ ip: ep.ip, net: ep.network.subnet }], peer: { ns: "host", iface: ep.hostVeth } });
      ns.routes.push({ dst: ep.network.subnet, dev: ep.ifname, via: null, src: ep.ip });
      // Docker 20.10 gives a container on an --internal network a default route too (d1 capture).
      if (k === 0) ns.routes.push({ dst: parseCidr("0.0.0.0/0"), dev: ep.ifname, via: ep.network.gateway, src: null });
      host.addIface({ name: ep.hostVeth, kind: "veth", mac: ep.hostVethMac, master: ep.network.bridge, peer: { ns: c.name, iface: ep.ifname }, hairpin: !docker.daemon.userlandProxy });
    });
    for (const p of [...c.ports.map((b) => ({ port: b.containerPort, proto: b.proto })), ...c.exposed])
      if (!ns.socketFor(0, p.port, p.proto)) ns.listen({ ip: 0, port: p.port, proto: p.proto, owner: "app", relay: null });
  }
}

/** docker-proxy: one listener per binding on the host (userland-proxy on, the default). */
function addProxies(host: Namespace, docker: DockerHost): void {
  if (!docker.daemon.userlandProxy) return;
  for (const c of docker.containers) {
    const ep = c.endpoints[0];
    if (!ep) continue;
    for (const b of c.ports)
      if (b.hostPort !== 0) // routed networks: no host port, no proxy
        host.listen({ ip: parseIPv4(b.hostIp), port: b.hostPort, proto: b.proto, owner: `docker-proxy (${c.name})`, relay: { ip: ep.ip, port: b.containerPort } });
  }
}
