// Docker 28.0.1 - 28.5.x ("family D"): DOCKER-FORWARD / DOCKER-BRIDGE / DOCKER-CT, the raw
// table, DOCKER-USER set up once by the controller (libnetwork drivers/bridge/internal/iptabler
// {iptabler,network,endpoint,port}.go @v28.5.2; before 28.2, setup_ip_tables_linux.go and
// port_mapping_linux.go). See shared/reference/docker-firewall-rules.md section 6.
//
// IPv6: every rule of a network is issued per address family it has (iptables, and ip6tables for
// an IPv6 network), with the family's subnet, addresses, gateway mode and SNAT address; an
// IPv4-only network gets its ip6tables isolation rules deleted (none exist).
import { isolationRules, mirroredWSL2, natJumps, program, spec, userChain, V4, V6, type AddrFamily, type Dialect, type RuleCall } from "./dialect.js";
import type { Ipt } from "./ipt.js";
import type { DaemonConfig, DockerNetwork, Endpoint } from "./model.js";
import type { PortBinding } from "./ports.js";
import { atLeast, type DockerVersion } from "./version.js";
import { undo } from "./undo.js";

const ISOLATION_1 = "DOCKER-ISOLATION-STAGE-1";

export class DialectD implements Dialect {
  /** Filter chains of setupIPChains after DOCKER, in creation order. */
  protected chains = ["DOCKER-FORWARD", "DOCKER-BRIDGE", "DOCKER-CT", ISOLATION_1, "DOCKER-ISOLATION-STAGE-2"];
  /** Where --internal networks' DROP rules go. */
  protected internalChain = ISOLATION_1;
  private forwarding = false;
  private forwarding6 = false;

  constructor(
    protected version: DockerVersion,
    protected ipt: Ipt,
    protected ip6: Ipt | null,
    protected daemon: DaemonConfig,
  ) {}

  private get ipts(): Ipt[] {
    return this.ip6 ? [this.ipt, this.ip6] : [this.ipt];
  }

  start(ipForwardWasOn: boolean): void {
    this.setupIPChains(this.ipt, V4.loopback);
    if (this.ip6) this.setupIPChains(this.ip6, V6.loopback);
    // libnetwork.New() -> setupUserChains, once; the RETURN rule went away in 28.2.2.
    for (const ipt of this.ipts) userChain(ipt, !atLeast(this.version, "28.2.2"));
    this.forwarding = ipForwardWasOn;
    this.forwarding6 = this.daemon.ip6ForwardWasOn;
  }

  /** The families a network has rules in: IPv4, plus IPv6 for an IPv6 network with ip6tables. */
  private families(net: DockerNetwork): [Ipt, AddrFamily][] {
    return this.ip6 && net.subnet6 ? [[this.ipt, V4], [this.ip6, V6]] : [[this.ipt, V4]];
  }

  private setupIPChains(ipt: Ipt, loopback: string): void {
    ipt.newChain("nat", "DOCKER");
    ipt.newChain("filter", "DOCKER");
    for (const c of this.chains) ipt.newChain("filter", c);
    natJumps(ipt, this.daemon.userlandProxy, loopback);
    ipt.ensureJumpOnTop("FORWARD", "DOCKER-FORWARD");
    for (const c of [this.chains[1]!, this.internalChain, this.chains[2]!]) ipt.ensureJumpOnTop("DOCKER-FORWARD", c);
    if (loopback === V4.loopback) mirroredWSL2(ipt, this.daemon.userlandProxy && this.daemon.wsl2Mirrored);
    // Legacy 28.0.0 rules (ipset) and the old FORWARD jump to ISOLATION-1 are deleted.
    const set = ipt.binary === "ip6tables" ? "docker-ext-bridges-v6" : "docker-ext-bridges-v4";
    ipt.deleteIfExists("filter", "FORWARD", "-m", "set", "--match-set", set, "dst", "-j", "DOCKER");
    ipt.deleteIfExists("filter", "FORWARD", "-j", ISOLATION_1);
    ipt.deleteIfExists("filter", "FORWARD", "-m", "set", "--match-set", set, "dst", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
  }

  bridgeNetwork(net: DockerNetwork): void {
    // setupIPv4Forwarding runs per network since 28: DROP only if Docker flips the sysctl.
    if (this.daemon.ipForward && !this.forwarding) {
      this.forwarding = true;
      if (!this.daemon.ipForwardNoDrop) this.ipt.run("-t", "filter", "-P", "FORWARD", "DROP");
    }
    // The same for IPv6, only for a network with IPv6 (the policy only if ip6tables is on).
    if (this.daemon.ipForward && net.subnet6 && !this.forwarding6) {
      this.forwarding6 = true;
      if (!this.daemon.ipForwardNoDrop) this.ip6?.run("-t", "filter", "-P", "FORWARD", "DROP");
    }
    for (const [ipt, af] of this.families(net)) {
      if (net.internal) this.internalNetwork(ipt, af, net);
      else this.externalNetwork(ipt, af, net);
    }
    if (this.ip6 && !net.subnet6) this.noIPv6(this.ip6, net);
  }

  /** The network has no IPv6 subnet: 28 deletes its ip6tables isolation rules (none exist). */
  protected noIPv6(ip6: Ipt, net: DockerNetwork): void {
    this.isolation(ip6, net, false, false);
  }

  private internalNetwork(ipt: Ipt, af: AddrFamily, net: DockerNetwork): void {
    ipt.ensure("filter", "-I", this.internalChain, ...spec.internalIn(net, af, af.v6));
    ipt.ensure("filter", "-I", this.internalChain, ...spec.internalOut(net, af, af.v6));
    this.icc(ipt, net, true);
  }

  private externalNetwork(ipt: Ipt, af: AddrFamily, net: DockerNetwork): void {
    const br = net.bridge;
    const mode = af.gatewayMode(net);
    // bridge-accept-fwmark (29+): one rule on top of DOCKER-FORWARD, shared by every bridge.
    if (this.daemon.acceptFwMark) ipt.ensure("filter", "-I", "DOCKER-FORWARD", "-m", "mark", "--mark", this.daemon.acceptFwMark, "-j", "ACCEPT");
    this.natRules(ipt, af, net);
    this.icc(ipt, net, false);
    if (mode === "routed") ipt.ensure("filter", "-A", "DOCKER", "-o", br, "-p", af.icmp, "-j", "ACCEPT");
    const outNoIcc = ["-i", br, "!", "-o", br, "-j", "ACCEPT"];
    ipt.deleteIfExists("filter", "FORWARD", ...outNoIcc);
    if (net.icc) {
      ipt.ensure("filter", "-A", "DOCKER-FORWARD", "-i", br, "-j", "ACCEPT");
      ipt.deleteIfExists("filter", "FORWARD", "-i", br, "-j", "ACCEPT");
    } else ipt.ensure("filter", "-A", "DOCKER-FORWARD", ...outNoIcc);
    // deleteLegacyFilterRules: family A/B's per-bridge FORWARD rules.
    ipt.deleteIfExists("filter", "FORWARD", "-o", br, "-j", "DOCKER");
    ipt.deleteIfExists("filter", "FORWARD", "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
    ipt.ensure("filter", "-A", "DOCKER", "!", "-i", br, "-o", br, "-j", mode === "nat-unprotected" ? "ACCEPT" : "DROP");
    ipt.ensure("filter", "-A", "DOCKER-CT", "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
    ipt.ensure("filter", "-A", "DOCKER-BRIDGE", "-o", br, "-j", "DOCKER");
    this.isolation(ipt, net, true, mode === "routed");
  }

  /** setupNonInternalNetworkRules' nat part. */
  private natRules(ipt: Ipt, af: AddrFamily, net: DockerNetwork): void {
    const proxy = this.daemon.userlandProxy;
    const mode = af.gatewayMode(net);
    if (net.masquerade && mode !== "routed") ipt.ensure("nat", "-I", "POSTROUTING", ...spec.natOut(net, af));
    if (this.skipsDnat(net, mode)) ipt.ensure("nat", "-I", "DOCKER", ...spec.skipDnat(net));
    if (proxy) ipt.deleteIfExists("nat", "POSTROUTING", ...spec.natFromHost(net, af));
    else ipt.ensure("nat", "-I", "POSTROUTING", ...spec.natFromHost(net, af));
  }

  /** The skip-DNAT RETURN: with masquerade and the proxy; 28.0.1 also for every routed network. */
  protected skipsDnat(net: DockerNetwork, mode: DockerNetwork["gatewayMode"]): boolean {
    const proxy = this.daemon.userlandProxy;
    if (this.version.version === "28.0.1") return mode === "routed" || (net.masquerade && proxy);
    return net.masquerade && proxy;
  }

  /** setIcc: the bridge's own traffic; also clears family A/B's FORWARD rules. */
  private icc(ipt: Ipt, net: DockerNetwork, internal: boolean): void {
    const accept = spec.icc(net, "ACCEPT");
    const drop = spec.icc(net, "DROP");
    if (net.icc && internal) ipt.ensure("filter", "-A", "DOCKER-FORWARD", ...accept);
    else ipt.deleteIfExists("filter", "DOCKER-FORWARD", ...accept);
    if (!net.icc) ipt.ensure("filter", "-A", "DOCKER-FORWARD", ...drop);
    else ipt.deleteIfExists("filter", "DOCKER-FORWARD", ...drop);
    ipt.deleteIfExists("filter", "FORWARD", ...accept);
    ipt.deleteIfExists("filter", "FORWARD", ...drop);
  }

  /** setINC: routed networks accept replies first; ISOLATION-1 appended, ISOLATION-2 inserted. */
  protected isolation(ipt: Ipt, net: DockerNetwork, enable: boolean, routed: boolean): void {
    const br = net.bridge;
    const replies: RuleCall[] = [
      ["-I", ISOLATION_1, ["-o", br, "-j", "RETURN"]],
      ["-I", ISOLATION_1, ["-i", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"]],
    ];
    program(ipt, "filter", [...(routed ? replies : []), ...isolationRules(net, "-A")], enable);
  }

  /** filterDirectAccess (28.2+): only the bridge may reach a container's address. */
  joinEndpoint(ep: Endpoint): void {
    const net = ep.network;
    if (!atLeast(this.version, "28.2.0") || net.internal) return;
    for (const [ipt, af] of this.families(net)) {
      const ctr = af.addr(ep);
      if (ctr === null || af.gatewayMode(net) !== "nat") continue;
      const rules = [...net.trustedInterfaces.map((i) => ["-d", ctr, "-i", i, "-j", "ACCEPT"]), ["-d", ctr, "!", "-i", net.bridge, "-j", "DROP"]];
      for (const r of rules) {
        if (this.daemon.allowDirectRouting) ipt.deleteIfExists("raw", "PREROUTING", ...r);
        else ipt.ensure("raw", "-A", "PREROUTING", ...r);
      }
    }
  }

  /** Each binding in its own family: an IPv6 host address needs a container with IPv6 (else docker-proxy only). */
  publish(ep: Endpoint, bindings: PortBinding[]): void {
    for (const b of bindings)
      for (const [ipt, af] of this.families(ep.network)) if (af.owns(b) && af.addr(ep) !== null) this.publishOne(ipt, af, ep, b);
  }

  // Removal paths (source-derived from moby v28.5.2 / docker-v29 iptabler: delNetworkLevelRules,
  // delEndpointRules, setPerPortIptables(enable=false) delete what the setup added): the
  // dialect's own setup run against a Recorder, its rules deleted (not captured on real 28/29).
  private swap = (ipts: (Ipt | null)[]) => { this.ipt = ipts[0]!; this.ip6 = ipts[1] ?? null; };

  removeNetwork(net: DockerNetwork): void {
    const forwarding = this.forwarding;
    undo([this.ipt, this.ip6], this.swap, () => this.bridgeNetwork(net), [net.bridge]);
    this.forwarding = forwarding;
  }

  unpublish(ep: Endpoint, bindings: PortBinding[]): void {
    undo([this.ipt, this.ip6], this.swap, () => this.publish(ep, bindings));
  }

  leaveEndpoint(ep: Endpoint): void {
    undo([this.ipt, this.ip6], this.swap, () => this.joinEndpoint(ep));
  }

  /** setPerPortIptables. */
  private publishOne(ipt: Ipt, af: AddrFamily, ep: Endpoint, b: PortBinding): void {
    const net = ep.network;
    const mode = af.gatewayMode(net);
    const proxy = this.daemon.userlandProxy;
    if (b.hostPort !== 0 && b.hostIp.startsWith("127.")) {
      // filterPortMappedOnLoopback: under WSL2 mirrored networking Windows reaches 127.0.0.1 through
      // loopback0, so that interface is let in before the DROP of everything but lo.
      const m = ["-p", b.proto, "-d", b.hostIp, "--dport", `${b.hostPort}`];
      const mirrored = [...m, "-i", "loopback0", "-j", "ACCEPT"];
      if (this.daemon.wsl2Mirrored) ipt.ensure("raw", "-A", "PREROUTING", ...mirrored);
      else ipt.deleteIfExists("raw", "PREROUTING", ...mirrored);
      ipt.ensure("raw", "-A", "PREROUTING", ...m, "!", "-i", "lo", "-j", "DROP");
    }
    const direct = ["-p", b.proto, "-d", af.addr(ep)!, "--dport", `${b.containerPort}`, "!", "-i", net.bridge, "-j", "DROP"];
    if (mode === "nat") {
      // Per-port direct-access DROP before 28.2; from 28.2 it is per container and this is legacy.
      if (atLeast(this.version, "28.2.0")) ipt.deleteIfExists("raw", "PREROUTING", ...direct);
      else ipt.ensure("raw", "-A", "PREROUTING", ...direct);
    }
    if (b.hostPort !== 0) {
      ipt.ensure("nat", "-A", "DOCKER", ...spec.dnat(ep, b, proxy, af, true));
      // Only hairpin traffic needs the per-port MASQUERADE (28.0+).
      if (proxy) ipt.deleteIfExists("nat", "POSTROUTING", ...spec.portMasquerade(ep, b, af));
      else ipt.ensure("nat", "-A", "POSTROUTING", ...spec.portMasquerade(ep, b, af));
    }
    if (mode !== "nat-unprotected") ipt.ensure("filter", "-I", "DOCKER", ...spec.portAccept(ep, b, af));
  }
}
