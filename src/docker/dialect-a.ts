// Docker 20.10 - 26.1 ("family A"): the iptables commands dockerd issues, in its order
// (libnetwork drivers/bridge/setup_ip_tables.go, iptables/iptables.go, portmapper,
// firewall_linux.go). See shared/reference/docker-firewall-rules.md section 3.
//
// With --ip6tables (needs --experimental here), an IPv6-enabled network gets the same rules in
// ip6tables with its IPv6 subnet and addresses (setupIPTables(IPv6)); every bridge, IPv6 or
// not, gets the ip6tables isolation rules (isolateNetwork). Checked against real 20.10 captures
// (test/golden/docker-20.10/i6-*).
import type { Ipt } from "./ipt.js";
import type { DaemonConfig, DockerNetwork, Endpoint } from "./model.js";
import type { PortBinding } from "./ports.js";
import { isolationRules, natJumps, program, spec, userChain, V4, V6, type AddrFamily, type Dialect } from "./dialect.js";
import { atLeast, type DockerVersion } from "./version.js";
import { undo } from "./undo.js";

export class DialectA implements Dialect {
  constructor(protected ipt: Ipt, protected daemon: DaemonConfig, protected ip6: Ipt | null = null, protected version: DockerVersion | null = null) {}

  /** The families a network has rules in: IPv4, plus IPv6 for an IPv6 network with ip6tables. */
  protected families(net: DockerNetwork): [Ipt, AddrFamily][] {
    return this.ip6 && net.subnet6 ? [[this.ipt, V4], [this.ip6, V6]] : [[this.ipt, V4]];
  }

  start(ipForwardWasOn: boolean): void {
    this.daemonStart(ipForwardWasOn);
    this.arrangeUserFilterRule(); // after "none"
    this.arrangeUserFilterRule(); // after "host"
  }

  /** Bridge driver configure(): chains, isolation RETURNs, forwarding policy. */
  protected daemonStart(ipForwardWasOn: boolean): void {
    this.setupIPChains(this.ipt);
    if (this.ip6) this.setupIPChains(this.ip6);
    if (!this.daemon.ipForward) return;
    // setupIPForwarding: the DROP policy comes only with Docker turning forwarding on itself.
    if (!ipForwardWasOn) this.ipt.run("-t", "filter", "-P", "FORWARD", "DROP");
    // Up to 27, ip6tables' FORWARD policy is set to DROP whatever the sysctl was.
    this.ip6?.run("-t", "filter", "-P", "FORWARD", "DROP");
  }

  protected setupIPChains(ipt: Ipt): void {
    ipt.run("-t", "nat", "-N", "DOCKER");
    ipt.run("-t", "filter", "-N", "DOCKER");
    ipt.run("-t", "filter", "-N", "DOCKER-ISOLATION-STAGE-1");
    ipt.run("-t", "filter", "-N", "DOCKER-ISOLATION-STAGE-2");
    ipt.ensure("filter", "-A", "DOCKER-ISOLATION-STAGE-1", "-j", "RETURN");
    ipt.ensure("filter", "-A", "DOCKER-ISOLATION-STAGE-2", "-j", "RETURN");
  }

  /** arrangeUserFilterRule, run after every network creation (in ip6tables too from 23.0). */
  protected arrangeUserFilterRule(): void {
    userChain(this.ipt, true);
    if (this.ip6 && this.version && atLeast(this.version, "23.0.0")) userChain(this.ip6, true);
  }

  bridgeNetwork(net: DockerNetwork): void {
    for (const [ipt, af] of this.families(net)) {
      if (net.internal) this.internalNetwork(ipt, af, net);
      else this.externalNetwork(ipt, af, net);
    }
    if (!net.internal) this.isolateNetwork(net);
    this.arrangeUserFilterRule();
  }

  joinEndpoint(_ep: Endpoint): void {} // no per-container rules before 28.2

  /** 23+ deletes the hairpin rule when the proxy is on; 20.10 just skips it. */
  protected deletesHairpinRule = false;

  /** Masquerade, skip-DNAT and hairpin rules of one bridge (routed exists from 27 on). */
  private natRules(ipt: Ipt, af: AddrFamily, net: DockerNetwork): void {
    const proxy = this.daemon.userlandProxy;
    if (af.gatewayMode(net) !== "routed" && net.masquerade) {
      ipt.ensure("nat", "-I", "POSTROUTING", ...spec.natOut(net, af));
      if (proxy) ipt.ensure("nat", "-I", "DOCKER", ...spec.skipDnat(net));
    }
    if (!proxy) ipt.ensure("nat", "-I", "POSTROUTING", ...spec.natFromHost(net, af));
    else if (this.deletesHairpinRule) ipt.deleteIfExists("nat", "POSTROUTING", ...spec.natFromHost(net, af));
  }

  private externalNetwork(ipt: Ipt, af: AddrFamily, net: DockerNetwork): void {
    const br = net.bridge;
    this.natRules(ipt, af, net);
    this.icc(ipt, net);
    ipt.ensure("filter", "-I", "FORWARD", "-i", br, "!", "-o", br, "-j", "ACCEPT");
    natJumps(ipt, this.daemon.userlandProxy, af.loopback);
    ipt.ensure("filter", "-I", "FORWARD", "-o", br, "-j", "DOCKER");
    ipt.ensure("filter", "-I", "FORWARD", "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
    ipt.ensureJumpOnTop("FORWARD", "DOCKER-ISOLATION-STAGE-1");
  }

  /** setINC for every bridge, in ip6tables too whether or not the network has IPv6 (up to 27). */
  protected isolateNetwork(net: DockerNetwork): void {
    if (this.ip6) program(this.ip6, "filter", isolationRules(net, "-I"));
    program(this.ipt, "filter", isolationRules(net, "-I"));
  }

  private internalNetwork(ipt: Ipt, af: AddrFamily, net: DockerNetwork): void {
    // moby#45649 (24.0.6): IPv6 internal rules leave traffic within the bridge alone.
    const strict = af.v6 && this.version !== null && atLeast(this.version, "24.0.6");
    ipt.ensure("filter", "-I", "DOCKER-ISOLATION-STAGE-1", ...spec.internalIn(net, af, strict));
    ipt.ensure("filter", "-I", "DOCKER-ISOLATION-STAGE-1", ...spec.internalOut(net, af, strict));
    this.icc(ipt, net);
    ipt.ensureJumpOnTop("FORWARD", "DOCKER-ISOLATION-STAGE-1");
  }

  private icc(ipt: Ipt, net: DockerNetwork): void {
    if (net.icc) {
      ipt.deleteIfExists("filter", "FORWARD", ...spec.icc(net, "DROP"));
      ipt.ensure("filter", "-I", "FORWARD", ...spec.icc(net, "ACCEPT"));
    } else {
      ipt.deleteIfExists("filter", "FORWARD", ...spec.icc(net, "ACCEPT"));
      ipt.ensure("filter", "-A", "FORWARD", ...spec.icc(net, "DROP"));
    }
  }

  /** Each binding in its own family: an IPv6 host address needs a container with IPv6 (else docker-proxy only). */
  publish(ep: Endpoint, bindings: PortBinding[]): void {
    for (const b of bindings)
      for (const [ipt, af] of this.families(ep.network)) if (af.owns(b) && af.addr(ep) !== null) this.publishOne(ipt, af, ep, b);
  }

  // Removal paths (lifecycle): dockerd deletes what the matching setup path added, in the same
  // order (deleteNetwork runs the iptCleanFuncs registered by setupIPTables, then setINC(false);
  // portmapper Unmap runs Forward(Delete)); the daemon-wide rules stay. Checked against 20.10
  // captures test/golden/docker-20.10/l*; 23-27 follow the same code (source-derived).
  private swap = (ipts: (Ipt | null)[]) => { this.ipt = ipts[0]!; this.ip6 = ipts[1] ?? null; };

  removeNetwork(net: DockerNetwork): void {
    undo([this.ipt, this.ip6], this.swap, () => this.bridgeNetwork(net), [net.bridge]);
  }

  unpublish(ep: Endpoint, bindings: PortBinding[]): void {
    undo([this.ipt, this.ip6], this.swap, () => this.publish(ep, bindings));
  }

  leaveEndpoint(_ep: Endpoint): void {}

  /** portmapper + iptables.ChainInfo.Forward: DNAT, filter ACCEPT, hairpin MASQUERADE. */
  protected publishOne(ipt: Ipt, af: AddrFamily, ep: Endpoint, b: PortBinding): void {
    ipt.ensure("nat", "-A", "DOCKER", ...spec.dnat(ep, b, this.daemon.userlandProxy, af));
    ipt.ensure("filter", "-A", "DOCKER", ...spec.portAccept(ep, b, af));
    ipt.ensure("nat", "-A", "POSTROUTING", ...spec.portMasquerade(ep, b, af));
    if (b.proto === "sctp") ipt.ensure("mangle", "-A", "POSTROUTING", ...spec.sctpChecksum(b));
  }
}
