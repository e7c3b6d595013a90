// Docker 28.0.1 - 28.5.x ("family D"): DOCKER-FORWARD / DOCKER-BRIDGE / DOCKER-CT, the raw
// table, DOCKER-USER set up once by the controller (libnetwork drivers/bridge/internal/iptabler
// {iptabler,network,endpoint,port}.go @v28.5.2; before 28.2, setup_ip_tables_linux.go and
// port_mapping_linux.go). See shared/reference/docker-firewall-rules.md section 6.
//
// IPv6 networks are not simulated: ip6tables gets what dockerd writes there for IPv4-only
// networks (the chains and nat jumps of setupIPChains, DOCKER-USER).
import { formatIPv4 } from "../net/address.js";
import { isolationRules, natJumps, program, spec, userChain, type Dialect, type RuleCall } from "./dialect.js";
import type { Ipt } from "./ipt.js";
import type { DaemonConfig, DockerNetwork, Endpoint } from "./model.js";
import type { PortBinding } from "./ports.js";
import { atLeast, type DockerVersion } from "./version.js";

const ISOLATION_1 = "DOCKER-ISOLATION-STAGE-1";

export class DialectD implements Dialect {
  /** Filter chains of setupIPChains after DOCKER, in creation order. */
  protected chains = ["DOCKER-FORWARD", "DOCKER-BRIDGE", "DOCKER-CT", ISOLATION_1, "DOCKER-ISOLATION-STAGE-2"];
  /** Where --internal networks' DROP rules go. */
  protected internalChain = ISOLATION_1;
  private forwarding = false;

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
    this.setupIPChains(this.ipt, "127.0.0.0/8");
    // ::1/128 needs IPv6 addresses in rules, which the interpreter does not parse yet: dockerd's
    // command is issued as is and fails in the log (the one known ip6tables divergence).
    if (this.ip6) this.setupIPChains(this.ip6, "::1/128");
    // libnetwork.New() -> setupUserChains, once; the RETURN rule went away in 28.2.2.
    for (const ipt of this.ipts) userChain(ipt, !atLeast(this.version, "28.2.2"));
    this.forwarding = ipForwardWasOn;
  }

  private setupIPChains(ipt: Ipt, loopback: string): void {
    ipt.newChain("nat", "DOCKER");
    ipt.newChain("filter", "DOCKER");
    for (const c of this.chains) ipt.newChain("filter", c);
    natJumps(ipt, this.daemon.userlandProxy, loopback);
    ipt.ensureJumpOnTop("FORWARD", "DOCKER-FORWARD");
    for (const c of [this.chains[1]!, this.internalChain, this.chains[2]!]) ipt.ensureJumpOnTop("DOCKER-FORWARD", c);
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
    if (net.internal) this.internalNetwork(net);
    else this.externalNetwork(net);
    if (this.ip6) this.noIPv6(this.ip6, net);
  }

  /** The network has no IPv6 subnet: 28 deletes its ip6tables isolation rules (none exist). */
  protected noIPv6(ip6: Ipt, net: DockerNetwork): void {
    this.isolation(ip6, net, false, false);
  }

  private internalNetwork(net: DockerNetwork): void {
    this.ipt.ensure("filter", "-I", this.internalChain, ...spec.internalIn(net));
    this.ipt.ensure("filter", "-I", this.internalChain, ...spec.internalOut(net));
    this.icc(net, true);
  }

  private externalNetwork(net: DockerNetwork): void {
    const ipt = this.ipt;
    const br = net.bridge;
    this.natRules(net);
    this.icc(net, false);
    if (net.gatewayMode === "routed") ipt.ensure("filter", "-A", "DOCKER", "-o", br, "-p", "icmp", "-j", "ACCEPT");
    const outNoIcc = ["-i", br, "!", "-o", br, "-j", "ACCEPT"];
    ipt.deleteIfExists("filter", "FORWARD", ...outNoIcc);
    if (net.icc) {
      ipt.ensure("filter", "-A", "DOCKER-FORWARD", "-i", br, "-j", "ACCEPT");
      ipt.deleteIfExists("filter", "FORWARD", "-i", br, "-j", "ACCEPT");
    } else ipt.ensure("filter", "-A", "DOCKER-FORWARD", ...outNoIcc);
    // deleteLegacyFilterRules: family A/B's per-bridge FORWARD rules.
    ipt.deleteIfExists("filter", "FORWARD", "-o", br, "-j", "DOCKER");
    ipt.deleteIfExists("filter", "FORWARD", "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
    ipt.ensure("filter", "-A", "DOCKER", "!", "-i", br, "-o", br, "-j", net.gatewayMode === "nat-unprotected" ? "ACCEPT" : "DROP");
    ipt.ensure("filter", "-A", "DOCKER-CT", "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
    ipt.ensure("filter", "-A", "DOCKER-BRIDGE", "-o", br, "-j", "DOCKER");
    this.isolation(ipt, net, true, net.gatewayMode === "routed");
  }

  /** setupNonInternalNetworkRules' nat part. */
  private natRules(net: DockerNetwork): void {
    const ipt = this.ipt;
    const proxy = this.daemon.userlandProxy;
    const nat = net.gatewayMode !== "routed";
    if (net.masquerade && nat) ipt.ensure("nat", "-I", "POSTROUTING", ...spec.natOut(net));
    if (this.skipsDnat(net)) ipt.ensure("nat", "-I", "DOCKER", ...spec.skipDnat(net));
    if (proxy) ipt.deleteIfExists("nat", "POSTROUTING", ...spec.natFromHost(net));
    else ipt.ensure("nat", "-I", "POSTROUTING", ...spec.natFromHost(net));
  }

  /** The skip-DNAT RETURN: with masquerade and the proxy; 28.0.1 also for every routed network. */
  protected skipsDnat(net: DockerNetwork): boolean {
    const proxy = this.daemon.userlandProxy;
    if (this.version.version === "28.0.1") return net.gatewayMode === "routed" || (net.masquerade && proxy);
    return net.masquerade && proxy;
  }

  /** setIcc: the bridge's own traffic; also clears family A/B's FORWARD rules. */
  private icc(net: DockerNetwork, internal: boolean): void {
    const ipt = this.ipt;
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
    if (!atLeast(this.version, "28.2.0") || net.internal || net.gatewayMode !== "nat") return;
    const ctr = formatIPv4(ep.ip);
    const rules = [...net.trustedInterfaces.map((i) => ["-d", ctr, "-i", i, "-j", "ACCEPT"]), ["-d", ctr, "!", "-i", net.bridge, "-j", "DROP"]];
    for (const r of rules) {
      if (this.daemon.allowDirectRouting) this.ipt.deleteIfExists("raw", "PREROUTING", ...r);
      else this.ipt.ensure("raw", "-A", "PREROUTING", ...r);
    }
  }

  publish(ep: Endpoint, bindings: PortBinding[]): void {
    for (const b of bindings) this.publishOne(ep, b);
  }

  /** setPerPortIptables. */
  private publishOne(ep: Endpoint, b: PortBinding): void {
    const ipt = this.ipt;
    const net = ep.network;
    const proxy = this.daemon.userlandProxy;
    if (b.hostPort !== 0 && b.hostIp.startsWith("127.")) {
      // filterPortMappedOnLoopback: the WSL2-mirrored ACCEPT is checked for, then the DROP.
      const m = ["-p", b.proto, "-d", b.hostIp, "--dport", `${b.hostPort}`];
      ipt.deleteIfExists("raw", "PREROUTING", ...m, "-i", "loopback0", "-j", "ACCEPT");
      ipt.ensure("raw", "-A", "PREROUTING", ...m, "!", "-i", "lo", "-j", "DROP");
    }
    const direct = ["-p", b.proto, "-d", formatIPv4(ep.ip), "--dport", `${b.containerPort}`, "!", "-i", net.bridge, "-j", "DROP"];
    if (net.gatewayMode === "nat") {
      // Per-port direct-access DROP before 28.2; from 28.2 it is per container and this is legacy.
      if (atLeast(this.version, "28.2.0")) ipt.deleteIfExists("raw", "PREROUTING", ...direct);
      else ipt.ensure("raw", "-A", "PREROUTING", ...direct);
    }
    if (b.hostPort !== 0) {
      ipt.ensure("nat", "-A", "DOCKER", ...spec.dnat(ep, b, proxy));
      // Only hairpin traffic needs the per-port MASQUERADE (28.0+).
      if (proxy) ipt.deleteIfExists("nat", "POSTROUTING", ...spec.portMasquerade(ep, b));
      else ipt.ensure("nat", "-A", "POSTROUTING", ...spec.portMasquerade(ep, b));
    }
    if (net.gatewayMode !== "nat-unprotected") ipt.ensure("filter", "-I", "DOCKER", ...spec.portAccept(ep, b));
  }
}
