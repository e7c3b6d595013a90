// Docker 29 with `"firewall-backend": "nftables"`: the bridge driver's nftabler
// (daemon/libnetwork/drivers/bridge/internal/nftabler @docker-v29.7.2) writes tables
// `ip docker-bridges` and `ip6 docker-bridges` and nothing to iptables (no DOCKER-USER either:
// libnetwork's setupUserChains returns early). Every call below issues the same objects, in the
// same groups and order, as moby's nftabler.go, network.go, endpoint.go and port.go.
import { impossible } from "../errors.js";
import { formatCidr, formatCidr6, formatIPv4, formatIPv6, type Cidr, type Cidr6 } from "../net/address.js";
import type { NftRuleset } from "../nftables/ruleset.js";
import type { Dialect } from "./dialect.js";
import type { DaemonConfig, DockerNetwork, Endpoint } from "./model.js";
import { MobyTable, Modifier, type Obj } from "./nftabler-table.js";
import type { PortBinding } from "./ports.js";

const TABLE = "docker-bridges";
const FORWARD = "filter-FORWARD";
const POSTROUTING = "nat-POSTROUTING";
const PREROUTING = "nat-PREROUTING";
const OUTPUT = "nat-OUTPUT";
const NAT = "nat-prerouting-and-output";
const RAW = "raw-PREROUTING";
const FWD_IN_MAP = "filter-forward-in-jumps";
const FWD_OUT_MAP = "filter-forward-out-jumps";
const POST_OUT_MAP = "nat-postrouting-out-jumps";
const POST_IN_MAP = "nat-postrouting-in-jumps";
const VMAP = "type ifname : verdict";

// Rule groups (nftabler.go): rules of a chain are ordered by group, then by insertion.
const INITIAL = 0;
const FWD_IN_FWMARK = 1;
const FWD_IN_ICC = 3;
const FWD_IN_PORTS = 4;
const FWD_IN_FINAL = 5;
const RAW_PORTS = 1;

const fwdIn = (br: string) => `filter-forward-in__${br}`;
const fwdOut = (br: string) => `filter-forward-out__${br}`;
const postIn = (br: string) => `nat-postrouting-in__${br}`;
const postOut = (br: string) => `nat-postrouting-out__${br}`;

/** One family's view of a network (firewaller.NetworkConfigFam). */
interface FamConfig {
  fam: "ip" | "ip6";
  prefix: Cidr | Cidr6;
  hostIp: string | null;
  routed: boolean;
  unprotected: boolean;
}

export class Nftabler implements Dialect {
  /** firewaller.Config IPv4/IPv6: --iptables, --ip6tables (the firewaller exists either way). */
  private table4: MobyTable | null;
  private table6: MobyTable | null;
  private forwarding = false;
  /** network.go keeps each network's configure() batch, reversed, to undo it (remover4/6). */
  private removers = new Map<string, [MobyTable, Modifier][]>();

  /** sysctl: the host's settings before dockerd started (scenario host.sysctl). */
  constructor(nft: NftRuleset, log: string[], private daemon: DaemonConfig, private sysctl: Record<string, string | number> = {}) {
    this.table4 = daemon.iptables ? new MobyTable("ip", TABLE, nft, log) : null;
    this.table6 = daemon.iptables && daemon.ip6tables ? new MobyTable("ip6", TABLE, nft, log) : null;
  }

  private get hairpin(): boolean {
    return !this.daemon.userlandProxy;
  }

  start(ipForwardWasOn: boolean): void {
    this.forwarding = ipForwardWasOn;
    if (this.table4) this.init(this.table4);
    if (this.table6) this.init(this.table6);
  }

  private init(t: MobyTable): void {
    const tm = new Modifier();
    tm.create({ kind: "base", name: FORWARD, type: "filter", hook: "forward", priority: 0 });
    tm.create({ kind: "map", name: FWD_IN_MAP, type: VMAP });
    tm.create({ kind: "rule", chain: FORWARD, group: INITIAL, rule: ["oifname vmap @", FWD_IN_MAP] });
    tm.create({ kind: "map", name: FWD_OUT_MAP, type: VMAP });
    tm.create({ kind: "rule", chain: FORWARD, group: INITIAL, rule: ["iifname vmap @", FWD_OUT_MAP] });
    tm.create({ kind: "base", name: POSTROUTING, type: "nat", hook: "postrouting", priority: 100 });
    tm.create({ kind: "map", name: POST_OUT_MAP, type: VMAP });
    tm.create({ kind: "rule", chain: POSTROUTING, group: INITIAL, rule: ["iifname vmap @", POST_OUT_MAP] });
    tm.create({ kind: "map", name: POST_IN_MAP, type: VMAP });
    tm.create({ kind: "rule", chain: POSTROUTING, group: INITIAL, rule: ["oifname vmap @", POST_IN_MAP] });
    tm.create({ kind: "chain", name: NAT });
    tm.create({ kind: "base", name: PREROUTING, type: "nat", hook: "prerouting", priority: -100 });
    tm.create({ kind: "rule", chain: PREROUTING, group: INITIAL, rule: ["fib daddr type local counter jump", NAT] });
    tm.create({ kind: "base", name: OUTPUT, type: "nat", hook: "output", priority: -100 });
    // With docker-proxy running, connections to the host's own loopback are the proxy's.
    const skipLoopback = this.hairpin ? "" : t.family === "ip" ? "ip daddr != 127.0.0.1/8 " : "ip6 daddr != ::1 ";
    tm.create({ kind: "rule", chain: OUTPUT, group: INITIAL, rule: [skipLoopback, "fib daddr type local counter jump", NAT] });
    tm.create({ kind: "base", name: RAW, type: "filter", hook: "prerouting", priority: -300 });
    // wsl2.go mirroredWSL2Workaround: Windows' connections to 127.0.0.1 arrive on loopback0 and
    // meet nat-prerouting; RETURN them before any DNAT so docker-proxy answers (IPv4 only: WSL2
    // has no Windows<->Linux ::1).
    if (!this.hairpin && this.daemon.wsl2Mirrored && t.family === "ip")
      tm.create({ kind: "rule", chain: NAT, group: INITIAL, rule: ['iifname "loopback0" ip daddr 127.0.0.0/8 counter return'] });
    t.apply(tm);
  }

  bridgeNetwork(net: DockerNetwork): void {
    // The nftabler has no FilterForwardDrop: dockerd only checks that forwarding is on
    // (setup_ip_forwarding.go checkIPv4Forwarding), and the bridge is not created otherwise.
    if (this.daemon.ipForward && !this.forwarding)
      throw impossible("/host/sysctl/net.ipv4.ip_forward",
        "IPv4 forwarding is disabled: check your host's firewalling and set sysctl net.ipv4.ip_forward=1, or disable this check using daemon option --ip-forward=false (Docker 29 with the nftables backend never turns forwarding on itself)");
    const on = (k: string) => Number(this.sysctl[k] ?? 0) === 1;
    if (net.subnet6 && this.daemon.ipForward && !(on("net.ipv6.conf.all.forwarding") && on("net.ipv6.conf.default.forwarding")))
      throw impossible(`/host/sysctl/${on("net.ipv6.conf.all.forwarding") ? "net.ipv6.conf.default.forwarding" : "net.ipv6.conf.all.forwarding"}`,
        "IPv6 global forwarding is disabled: check your host's firewalling and set sysctls net.ipv6.conf.all.forwarding=1 and net.ipv6.conf.default.forwarding=1, or disable this check using daemon option --ip-forward=false");
    const removers: [MobyTable, Modifier][] = [];
    if (this.table4) removers.push([this.table4, this.configure(this.table4, net, this.fam4(net))]);
    if (this.table6 && net.subnet6) removers.push([this.table6, this.configure(this.table6, net, this.fam6(net))]);
    this.removers.set(net.bridge, removers);
  }

  /** DelNetworkLevelRules: each family's configure() batch, reversed. */
  removeNetwork(net: DockerNetwork): void {
    for (const [t, tm] of this.removers.get(net.bridge) ?? []) t.apply(tm.reverse());
    this.removers.delete(net.bridge);
  }

  private fam4(net: DockerNetwork): FamConfig {
    return { fam: "ip", prefix: net.subnet, hostIp: net.hostIpv4, routed: net.gatewayMode === "routed", unprotected: net.gatewayMode === "nat-unprotected" };
  }

  private fam6(net: DockerNetwork): FamConfig {
    return { fam: "ip6", prefix: net.subnet6!, hostIp: net.hostIpv6, routed: net.gatewayMode6 === "routed", unprotected: net.gatewayMode6 === "nat-unprotected" };
  }

  /** network.go configure(); returns the batch, to undo it later. */
  private configure(t: MobyTable, net: DockerNetwork, conf: FamConfig): Modifier {
    const br = net.bridge;
    const tm = new Modifier();
    tm.create({ kind: "chain", name: fwdIn(br) });
    tm.create({ kind: "chain", name: fwdOut(br) });
    tm.create({ kind: "element", map: FWD_IN_MAP, key: br, value: `jump ${fwdIn(br)}` });
    tm.create({ kind: "element", map: FWD_OUT_MAP, key: br, value: `jump ${fwdOut(br)}` });
    tm.create({ kind: "chain", name: postIn(br) });
    tm.create({ kind: "element", map: POST_IN_MAP, key: br, value: `jump ${postIn(br)}` });
    tm.create({ kind: "chain", name: postOut(br) });
    tm.create({ kind: "element", map: POST_OUT_MAP, key: br, value: `jump ${postOut(br)}` });
    tm.create({ kind: "rule", chain: fwdIn(br), group: INITIAL, rule: ["ct state established,related counter accept"] });
    tm.create({ kind: "rule", chain: fwdOut(br), group: INITIAL, rule: ["ct state established,related counter accept"] });
    const icc = net.icc ? "accept" : "drop";
    if (net.internal) {
      tm.create({ kind: "rule", chain: fwdIn(br), group: INITIAL, rule: ["iifname != ", br, 'counter drop comment "INTERNAL NETWORK INGRESS"'] });
      tm.create({ kind: "rule", chain: fwdOut(br), group: INITIAL, rule: ["oifname != ", br, 'counter drop comment "INTERNAL NETWORK EGRESS"'] });
      tm.create({ kind: "rule", chain: fwdIn(br), group: FWD_IN_ICC, rule: ["counter", icc, "comment ICC"] });
    } else {
      // bridge-accept-fwmark: a plain mark (options.ts refuses a mask with this backend).
      if (this.daemon.acceptFwMark)
        tm.create({ kind: "rule", chain: fwdIn(br), group: FWD_IN_FWMARK, rule: ["meta mark ", this.daemon.acceptFwMark, ' counter accept comment "ALLOW FW MARK"'] });
      tm.create({ kind: "rule", chain: fwdIn(br), group: FWD_IN_ICC, rule: ["iifname ==", br, "counter", icc, "comment ICC"] });
      tm.create({ kind: "rule", chain: fwdOut(br), group: INITIAL, rule: ["counter accept comment OUTGOING"] });
      const final = conf.unprotected ? 'counter accept comment "UNPROTECTED"' : 'counter drop comment "UNPUBLISHED PORT DROP"';
      tm.create({ kind: "rule", chain: fwdIn(br), group: FWD_IN_FINAL, rule: [final] });
      if (conf.routed)
        tm.create({ kind: "rule", chain: fwdIn(br), group: INITIAL, rule: [conf.fam === "ip" ? "ip protocol icmp" : "meta l4proto ipv6-icmp", "counter accept comment ICMP"] });
      const verdict = conf.hostIp ? `snat to ${conf.hostIp}` : "masquerade";
      const comment = conf.hostIp ? "SNAT" : "MASQUERADE";
      const prefix = conf.fam === "ip" ? formatCidr(conf.prefix as Cidr) : formatCidr6(conf.prefix as Cidr6);
      if (net.masquerade && !conf.routed)
        tm.create({ kind: "rule", chain: postOut(br), group: INITIAL, rule: ["oifname !=", br, conf.fam, "saddr", prefix, "counter", verdict, "comment", comment] });
      if (this.hairpin)
        tm.create({ kind: "rule", chain: postIn(br), group: INITIAL, rule: ["fib saddr type local counter", verdict, `comment "${comment} FROM HOST"`] });
    }
    t.apply(tm);
    return tm;
  }

  /** endpoint.go filterDirectAccess: only the bridge (and trusted interfaces) reach the container. */
  joinEndpoint(ep: Endpoint, enable = true): void {
    const net = ep.network;
    if (net.internal || this.daemon.allowDirectRouting) return;
    const add = (t: MobyTable, conf: FamConfig, ip: string) => {
      if (conf.unprotected || conf.routed) return;
      const tm = new Modifier();
      (enable ? tm.create : tm.delete).call(tm, {
        kind: "rule", chain: RAW, group: RAW_PORTS,
        rule: [conf.fam, "daddr", ip, "iifname != {", net.bridge, ",", net.trustedInterfaces.join(", "), '} counter drop comment "DROP DIRECT ACCESS"'],
      });
      t.apply(tm);
    };
    if (this.table4) add(this.table4, this.fam4(net), formatIPv4(ep.ip));
    if (this.table6 && net.subnet6 && ep.ip6 !== null) add(this.table6, this.fam6(net), formatIPv6(ep.ip6));
  }

  /** port.go AddPorts: per family, one batch of forwarding, DNAT, hairpin and loopback rules. */
  publish(ep: Endpoint, bindings: PortBinding[], enable = true): void {
    const net = ep.network;
    if (net.internal) return;
    // A binding belongs to the container's IPv4 or IPv6 address by its host address' family.
    const v6 = (b: PortBinding) => b.hostIp.includes(":");
    if (this.table4) this.perPort(this.table4, this.fam4(net), net, formatIPv4(ep.ip), bindings.filter((b) => !v6(b)), enable);
    if (this.table6 && net.subnet6 && ep.ip6 !== null) this.perPort(this.table6, this.fam6(net), net, formatIPv6(ep.ip6), bindings.filter(v6), enable);
  }

  /** DelPorts: the same rules, deleted. */
  unpublish(ep: Endpoint, bindings: PortBinding[]): void {
    this.publish(ep, bindings, false);
  }

  /** DelEndpoint. */
  leaveEndpoint(ep: Endpoint): void {
    this.joinEndpoint(ep, false);
  }

  private perPort(t: MobyTable, conf: FamConfig, net: DockerNetwork, ctr: string, pbs: PortBinding[], enable: boolean): void {
    const fam = conf.fam;
    const tm = new Modifier();
    const update = (o: Obj) => (enable ? tm.create(o) : tm.delete(o));
    if (!conf.unprotected)
      for (const b of pbs)
        update({ kind: "rule", chain: fwdIn(net.bridge), group: FWD_IN_PORTS, rule: [fam, "daddr", ctr, b.proto, "dport", `${b.containerPort}`, "counter accept"], ignoreExist: true });
    const proxySkip = this.hairpin ? "" : `iifname != ${net.bridge} `;
    const llSkip = fam === "ip6" ? "ip6 saddr != fe80::/10 " : "";
    const to = fam === "ip" ? `${ctr}:` : `[${ctr}]:`;
    for (const b of pbs) {
      if (b.hostPort === 0) continue;
      const daddr = b.hostIp === "0.0.0.0" || b.hostIp === "::" ? "" : `${fam} daddr ${b.hostIp} `;
      update({ kind: "rule", chain: NAT, group: INITIAL, rule: [proxySkip, llSkip, daddr, b.proto, "dport", `${b.hostPort}`, "counter dnat to", `${to}${b.containerPort}`, "comment DNAT"] });
    }
    if (this.hairpin)
      for (const b of pbs) {
        if (b.hostPort === 0) continue;
        update({ kind: "rule", chain: postIn(net.bridge), group: INITIAL, rule: [fam, "saddr", ctr, fam, "daddr", ctr, b.proto, "dport", `${b.containerPort}`, 'counter masquerade comment "MASQ TO OWN PORT"'] });
      }
    if (fam === "ip")
      for (const b of pbs) {
        if (b.hostPort === 0 || !b.hostIp.startsWith("127.")) continue;
        // Under WSL2 mirrored networking Windows reaches 127.0.0.1 through loopback0: let it in.
        if (this.daemon.wsl2Mirrored)
          update({ kind: "rule", chain: RAW, group: RAW_PORTS, rule: ["iifname loopback0 ip daddr", b.hostIp, b.proto, "dport", `${b.hostPort}`, 'counter accept comment "ACCEPT WSL2 LOOPBACK"'] });
        update({ kind: "rule", chain: RAW, group: RAW_PORTS, rule: ["iifname != lo ip daddr", b.hostIp, b.proto, "dport", `${b.hostPort}`, 'counter drop comment "DROP REMOTE LOOPBACK"'] });
      }
    t.apply(tm);
  }
}
