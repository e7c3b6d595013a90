// The namespaces Docker leaves behind: the host (uplink, bridges, host-side veths, docker-proxy
// sockets), one namespace per container, and "external" — the internet behind the gateway.
//
// IPv6 (optional): the addresses, on-link routes and default routes of each namespace, and the
// ip6tables ruleset of the host. Networks and containers take theirs from the model (--ipv6
// networks, docker0 with ipv6 + fixed-cidr-v6, Docker's IPAM); uplinks from address6/gateway6.
import { formatAddr, parseCidr, parseCidr6, parseIPv4, parseIPv6, type Addr, type Cidr6 } from "../net/address.js";
import { EXTERNAL_CLIENT6 } from "../net/flows.js";
import { Namespace, World } from "../net/topology.js";
import type { Ruleset } from "../netfilter/ruleset.js";
import type { Scenario } from "../scenario/schema.js";
import { containerGateway, type DockerHost } from "./model.js";
import { addDriverNetworks, attachDriverEndpoint } from "./drivers/index.js";
import { RESOLVER_IP, type Resolver } from "./dns.js";

export const EXTERNAL_CLIENT = "198.51.100.7";
const EXTERNAL_GATEWAY_FALLBACK = "203.0.113.1";

export interface WorldOptions {
  /** The scenario, for its IPv6 fields. */
  scenario?: Scenario;
  /** A pasted ip6tables-save for the host (replaces Docker's ip6tables rules). */
  hostRules6?: Ruleset | null;
}

export function buildWorld(docker: DockerHost, hostRules: Ruleset | null, opts: WorldOptions = {}): World {
  const world = new World();
  const host = world.add(new Namespace("host", "host"));
  host.ruleset = hostRules ?? docker.ruleset;
  // Pasted iptables rules replace Docker's: its ip6tables rules then only come with a pasted ip6tables-save.
  host.ruleset6 = opts.hostRules6 ?? (hostRules ? null : docker.ruleset6);
  host.ipForward = docker.daemon.ipForward || docker.ipForwardBefore;
  host.ip6Forward = Number(opts.scenario?.host?.sysctl?.["net.ipv6.conf.all.forwarding"] ?? 0) === 1 || docker.ip6Forward;
  host.bridgeNfCall = true; // Docker loads br_netfilter, and it defaults to calling iptables (and ip6tables)
  const v6 = ipv6Plan(docker, opts.scenario);
  addUplinks(world, host, docker, v6);
  addDriverNetworks(world, host, docker); // macvlan/ipvlan parents and their segment, plugin bridges
  addBridges(host, docker, v6);
  addContainers(world, host, docker, v6);
  addProxies(host, docker);
  return world;
}

interface V6Plan {
  uplinks: ({ net: Cidr6; ip: bigint; gateway: bigint } | null)[];
  /** Bridge name -> IPv6 subnet and gateway. */
  bridges: Map<string, { net: Cidr6; gateway: bigint }>;
  /** Container name -> its IPv6 address on the first network. */
  containers: Map<string, bigint>;
}

function ipv6Plan(docker: DockerHost, s: Scenario | undefined): V6Plan {
  const uplinks = (s?.host?.interfaces ?? []).map((i) => {
    if (!i.address6) return null;
    const net = parseCidr6(i.address6);
    return { net, ip: parseIPv6(i.address6.split("/")[0]!), gateway: i.gateway6 ? parseIPv6(i.gateway6) : net.addr + 1n };
  });
  const bridges = new Map<string, { net: Cidr6; gateway: bigint }>();
  for (const n of docker.networks) {
    // Docker's own IPv6 (model.ts: --ipv6 networks, docker0 with ipv6 + fixed-cidr-v6).
    if (n.subnet6 && n.gateway6 !== null) {
      bridges.set(n.bridge, { net: n.subnet6, gateway: n.gateway6 });
      continue;
    }
    // Otherwise fixed-cidr-v6 without ipv6: addresses only, no Docker rules (the older contract).
    const spec = s?.networks?.find((x) => x.name === n.name);
    const text = spec?.subnet6 ?? (n.name === "bridge" ? s?.daemon?.["fixed-cidr-v6"] : undefined);
    if (!text || n.driver !== "bridge") continue;
    const net = parseCidr6(text);
    bridges.set(n.bridge, { net, gateway: spec?.gateway6 ? parseIPv6(spec.gateway6) : net.addr + 1n });
  }
  const containers = new Map<string, bigint>();
  for (const c of docker.containers) {
    const ep = c.endpoints[0];
    if (ep?.ip6 != null) {
      containers.set(c.name, ep.ip6);
      continue;
    }
    const b = ep && bridges.get(ep.network.bridge);
    if (!ep || !b) continue;
    const spec = s?.containers?.find((x) => x.name === c.name);
    containers.set(c.name, spec?.ip6 ? parseIPv6(spec.ip6) : b.net.addr + BigInt((ep.ip - ep.network.subnet.addr) >>> 0));
  }
  return { uplinks, bridges, containers };
}

function addUplinks(world: World, host: Namespace, docker: DockerHost, v6: V6Plan): void {
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
    const u6 = v6.uplinks[k];
    if (u6) {
      host.ifaces.get(i.name)!.addrs.push({ ip: u6.ip, net: u6.net });
      host.routes.push({ dst: u6.net, dev: i.name, via: null, src: u6.ip });
      ext.ifaces.get(`up${k}`)!.addrs.push({ ip: u6.gateway, net: u6.net });
      if (!host.routes.some((r) => r.dst.prefix === 0 && typeof r.dst.addr === "bigint"))
        host.routes.push({ dst: parseCidr6("::/0"), dev: i.name, via: u6.gateway, src: null });
      ext.routes.push({ dst: u6.net, dev: `up${k}`, via: null, src: null });
    }
  });
  // The internet hosts every address the host does not: they are added on demand (addExternalHost).
  const up0 = ext.ifaces.get("up0");
  if (up0) world.addAddress(ext, up0, { ip: parseIPv4(EXTERNAL_CLIENT), net: parseCidr(`${EXTERNAL_CLIENT}/32`) });
  const uplink = docker.interfaces[0];
  if (uplink) ext.routes.push({ dst: parseCidr("0.0.0.0/0"), dev: "up0", via: parseIPv4(uplink.address.split("/")[0]!), src: parseIPv4(EXTERNAL_CLIENT) });
  const up6 = v6.uplinks[0];
  if (up6 && up0) {
    world.addAddress(ext, up0, { ip: parseIPv6(EXTERNAL_CLIENT6), net: parseCidr6(`${EXTERNAL_CLIENT6}/128`) });
    ext.routes.push({ dst: parseCidr6("::/0"), dev: "up0", via: up6.ip, src: parseIPv6(EXTERNAL_CLIENT6) });
  }
  world.changed();
}

/** Give the outside world an address (a server or client on the internet). */
export function addExternalHost(world: World, ip: Addr): void {
  const ext = world.get("external");
  if (world.owner(ip)) return;
  const up0 = ext.ifaces.get("up0");
  const net = typeof ip === "number" ? parseCidr(`${formatAddr(ip)}/32`) : parseCidr6(`${formatAddr(ip)}/128`);
  if (up0) world.addAddress(ext, up0, { ip, net });
}

function addBridges(host: Namespace, docker: DockerHost, v6: V6Plan): void {
  for (const net of docker.networks) {
    if (net.driver !== "bridge") continue;
    // Without the userland proxy, Docker's hairpin mode lets 127.0.0.1 DNAT into the bridge.
    const routeLocalnet = !docker.daemon.userlandProxy;
    // inhibit_ipv4: the bridge has no IPv4 address, so no on-link route either (capture o02).
    const bare = net.inhibitIPv4 || net.noGateway;
    const v4 = bare ? [] : [{ ip: net.gateway, net: net.subnet }];
    host.addIface({ name: net.bridge, kind: "bridge", mac: docker.bridgeMacs.get(net.bridge)!, addrs: v4, routeLocalnet });
    if (!bare) host.routes.push({ dst: net.subnet, dev: net.bridge, via: null, src: net.gateway });
    const b6 = v6.bridges.get(net.bridge);
    if (b6) {
      host.ifaces.get(net.bridge)!.addrs.push({ ip: b6.gateway, net: b6.net });
      host.routes.push({ dst: b6.net, dev: net.bridge, via: null, src: b6.gateway });
    }
  }
}

function addContainers(world: World, host: Namespace, docker: DockerHost, v6: V6Plan): void {
  for (const c of docker.containers) {
    if (c.mode === "host") {
      listenHostMode(host, c);
      continue;
    }
    const ns = world.add(new Namespace(c.name, "container"));
    // The default routes go via the gateway endpoint (libnetwork updateGateway), not the first one joined.
    const gw = containerGateway(docker, c.endpoints);
    c.endpoints.forEach((ep, k) => {
      if (ep.network.driverConfig) return attachDriverEndpoint(host, ns, ep, ep === gw);
      ns.addIface({ name: ep.ifname, kind: "veth", mac: ep.mac, addrs: [{ ip: ep.ip, net: ep.network.subnet }], peer: { ns: "host", iface: ep.hostVeth } });
      ns.routes.push({ dst: ep.network.subnet, dev: ep.ifname, via: null, src: ep.ip });
      // Docker 20.10 gives a container on an --internal network a default route too (d1 capture).
      if (ep === gw && !ep.network.noGateway) ns.routes.push({ dst: parseCidr("0.0.0.0/0"), dev: ep.ifname, via: ep.network.containerGateway ?? ep.network.gateway, src: null });
      const b6 = v6.bridges.get(ep.network.bridge);
      // Docker's IPv6 is per endpoint; the older fields give the first network only.
      const ip6 = ep.ip6 ?? (k === 0 ? v6.containers.get(c.name) : undefined);
      if (b6 && ip6 !== undefined) {
        ns.ifaces.get(ep.ifname)!.addrs.push({ ip: ip6, net: b6.net });
        ns.routes.push({ dst: b6.net, dev: ep.ifname, via: null, src: ip6 });
        if ((ep === gw || gw?.ip6 == null) && !ns.routes.some((r) => r.dst.prefix === 0 && typeof r.dst.addr === "bigint"))
          ns.routes.push({ dst: parseCidr6("::/0"), dev: ep.ifname, via: ep.network.containerGateway6 ?? b6.gateway, src: null });
      }
      host.addIface({ name: ep.hostVeth, kind: "veth", mac: ep.hostVethMac, master: ep.network.bridge, peer: { ns: c.name, iface: ep.ifname }, hairpin: !docker.daemon.userlandProxy });
    });
    for (const p of [...c.ports.map((b) => ({ port: b.containerPort, proto: b.proto })), ...c.exposed])
      if (!ns.socketFor(0, p.port, p.proto)) ns.listen({ ip: 0, port: p.port, proto: p.proto, owner: "app", relay: null });
    addResolver(ns, docker.resolvers.get(c.name));
  }
}

/** A --network host container's app listens in the host's namespace on its ports (a flow there needs no assumed listener). */
function listenHostMode(host: Namespace, c: DockerHost["containers"][number]): void {
  for (const p of c.exposed)
    if (!host.socketFor(0, p.port, p.proto)) host.listen({ ip: 0, port: p.port, proto: p.proto, owner: `${c.name} (--network host)`, relay: null });
}

/** Docker's embedded DNS server: its rules and its two sockets on 127.0.0.11 in the container. */
function addResolver(ns: Namespace, r: Resolver | undefined): void {
  if (!r) return;
  ns.ruleset = r.ruleset;
  ns.nft = r.nft;
  const ip = parseIPv4(RESOLVER_IP);
  ns.listen({ ip, port: r.udpPort, proto: "udp", owner: "dockerd (embedded DNS)", relay: null });
  ns.listen({ ip, port: r.tcpPort, proto: "tcp", owner: "dockerd (embedded DNS)", relay: null });
}

/** docker-proxy: one listener per binding on the host (userland-proxy on, the default). */
function addProxies(host: Namespace, docker: DockerHost): void {
  if (!docker.daemon.userlandProxy) return;
  for (const c of docker.containers) {
    const ep = containerGateway(docker, c.endpoints); // the ports are mapped on the gateway endpoint
    if (!ep) continue;
    for (const b of c.ports) {
      if (b.hostPort === 0) continue; // routed networks: no host port, no proxy
      // An IPv6 binding ("::", "[::1]:8080:80") relays to the container's IPv6 address when it has one.
      const v6 = b.hostIp.includes(":");
      const relay = v6 && ep.ip6 !== null ? ep.ip6 : ep.ip;
      host.listen({ ip: v6 ? parseIPv6(b.hostIp) : parseIPv4(b.hostIp), port: b.hostPort, proto: b.proto, owner: `docker-proxy (${c.name})`, relay: { ip: relay, port: b.containerPort } });
    }
  }
}
