// Docker 28.0.0 ("family C", one release): family A's FORWARD layout rebuilt around two ipsets.
// FORWARD holds DOCKER-USER, then an ACCEPT of replies to any external bridge subnet and a jump to
// DOCKER for packets to one (`-m set --match-set docker-ext-bridges-v4 dst`), the isolation jump,
// then per bridge `-i br -j ACCEPT`; the DOCKER chain ends with a DROP per bridge, per-port ACCEPTs
// go on top; ports are published as in 28.0.1 (family D before 28.2). Each non-internal bridge's
// subnet is an element of docker-ext-bridges-v4 (-v6 for IPv6). libnetwork drivers/bridge
// {bridge_linux,setup_ip_tables_linux,port_mapping_linux}.go @v28.0.0; checked against moby's
// iptablesdoc pages of v28.0.0 (test/golden/moby.test.ts) and the kernel (test/kernel/docker-28-0-0.test.ts).
//
// ip6tables: like 20.10-27, every non-internal bridge gets the ip6tables isolation rules, IPv6 or
// not (28.0.1 stopped that). The ipsets are in `ipsets` (result: rules.host["ipset-save"]).
import { formatCidr, formatCidr6 } from "../net/address.js";
import { withIpsets } from "../netfilter/ipset.js";
import { isolationRules, mirroredWSL2, natJumps, program, spec, userChain, V4, V6, type AddrFamily, type RuleCall } from "./dialect.js";
import { DialectD } from "./dialect-d.js";
import type { Ipt } from "./ipt.js";
import { DockerIpsets } from "./ipsets.js";
import type { DaemonConfig, DockerNetwork, Endpoint } from "./model.js";
import type { PortBinding } from "./ports.js";
import { undo } from "./undo.js";
import type { DockerVersion } from "./version.js";

const ISOLATION_1 = "DOCKER-ISOLATION-STAGE-1";
const ISOLATION_2 = "DOCKER-ISOLATION-STAGE-2";
const RELATED = ["-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED"];

const setOf = (af: AddrFamily) => (af.v6 ? "docker-ext-bridges-v6" : "docker-ext-bridges-v4");

/** The set element of a subnet as netlink adds it and `ipset save` prints it (a full-length prefix bare). */
function element(net: DockerNetwork, af: AddrFamily): string {
  const text = af.v6 ? formatCidr6(net.subnet6!) : formatCidr(net.subnet);
  return text.endsWith(af.v6 ? "/128" : "/32") ? text.split("/")[0]! : text;
}

export class DialectC extends DialectD {
  readonly ipsets: DockerIpsets;
  private forward4 = false;
  private forward6 = false;

  constructor(version: DockerVersion, ipt: Ipt, ip6: Ipt | null, daemon: DaemonConfig) {
    super(version, ipt, ip6, daemon);
    this.ipsets = new DockerIpsets(ipt.log);
  }

  /** Every command runs with the host's ipsets visible to `-m set`. */
  private sets<T>(fn: () => T): T {
    return withIpsets(this.ipsets.store, fn);
  }

  /** The daemon's families (iptables, ip6tables when on), read at call time (undo swaps them). */
  private all(): [Ipt, AddrFamily][] {
    return this.ip6 ? [[this.ipt, V4], [this.ip6, V6]] : [[this.ipt, V4]];
  }

  /** The families a network has rules in: IPv4, plus IPv6 for an IPv6 network with ip6tables. */
  private familiesOf(net: DockerNetwork): [Ipt, AddrFamily][] {
    return this.all().filter(([, af]) => !af.v6 || net.subnet6 !== null);
  }

  /** configure(): per family the ipset, then setupIPChains; then the controller's DOCKER-USER. */
  override start(ipForwardWasOn: boolean): void {
    this.sets(() => {
      for (const [ipt, af] of this.all()) {
        this.ipsets.createHashNet(setOf(af), af.v6 ? "inet6" : "inet");
        this.setupIPChains28(ipt, af);
      }
      for (const [ipt] of this.all()) userChain(ipt, true);
    });
    this.forward4 = ipForwardWasOn;
    this.forward6 = this.daemon.ip6ForwardWasOn;
  }

  private setupIPChains28(ipt: Ipt, af: AddrFamily): void {
    ipt.newChain("nat", "DOCKER");
    for (const c of ["DOCKER", ISOLATION_1, ISOLATION_2]) ipt.newChain("filter", c);
    natJumps(ipt, this.daemon.userlandProxy, af.loopback);
    // EnsureJumpRule, in reverse order: each goes to the top of FORWARD.
    const toBridge = ["-m", "set", "--match-set", setOf(af), "dst"];
    jumpOnTop(ipt, [...toBridge, "-j", "DOCKER"]);
    jumpOnTop(ipt, ["-j", ISOLATION_1]);
    jumpOnTop(ipt, [...toBridge, ...RELATED, "-j", "ACCEPT"]);
    if (!af.v6) mirroredWSL2(ipt, this.daemon.userlandProxy && this.daemon.wsl2Mirrored);
  }

  /** createNetwork: forwarding, setupIPTables per family (rules, then the set element), setINC. */
  override bridgeNetwork(net: DockerNetwork): void {
    this.sets(() => {
      this.setupForwarding(net);
      for (const [, af] of this.familiesOf(net)) {
        this.networkRules(af, net);
        if (!net.internal) this.ipsets.add(setOf(af), element(net, af));
      }
      if (!net.internal) this.isolate(net);
    });
  }

  /** setupIPv4Forwarding / setupIPv6Forwarding: DROP only when Docker flips the sysctl. */
  private setupForwarding(net: DockerNetwork): void {
    if (!this.daemon.ipForward) return;
    const drop = !this.daemon.ipForwardNoDrop;
    if (!this.forward4) {
      this.forward4 = true;
      if (drop) this.ipt.run("-t", "filter", "-P", "FORWARD", "DROP");
    }
    if (net.subnet6 && !this.forward6) {
      this.forward6 = true;
      if (drop) this.ip6?.run("-t", "filter", "-P", "FORWARD", "DROP");
    }
  }

  private iptOf(af: AddrFamily): Ipt {
    return af.v6 ? this.ip6! : this.ipt;
  }

  /** setupIPTables' rules (setupInternalNetworkRules or setupNonInternalNetworkRules and after). */
  private networkRules(af: AddrFamily, net: DockerNetwork): void {
    const ipt = this.iptOf(af);
    const br = net.bridge;
    if (net.internal) {
      ipt.ensure("filter", "-I", ISOLATION_1, ...spec.internalIn(net, af, af.v6));
      ipt.ensure("filter", "-I", ISOLATION_1, ...spec.internalOut(net, af, af.v6));
      this.setIcc(ipt, net, true);
      return;
    }
    const mode = af.gatewayMode(net);
    const proxy = this.daemon.userlandProxy;
    if (net.masquerade && mode !== "routed") ipt.ensure("nat", "-I", "POSTROUTING", ...spec.natOut(net, af));
    if (mode === "routed" || (net.masquerade && proxy)) ipt.ensure("nat", "-I", "DOCKER", ...spec.skipDnat(net));
    if (proxy) ipt.deleteIfExists("nat", "POSTROUTING", ...spec.natFromHost(net, af));
    else ipt.ensure("nat", "-I", "POSTROUTING", ...spec.natFromHost(net, af));
    this.setIcc(ipt, net, false);
    if (mode === "routed") ipt.ensure("filter", "-A", "DOCKER", "-o", br, "-p", af.icmp, "-j", "ACCEPT");
    const outNoIcc = ["-i", br, "!", "-o", br, "-j", "ACCEPT"];
    if (net.icc) {
      ipt.deleteIfExists("filter", "FORWARD", ...outNoIcc);
      ipt.ensure("filter", "-A", "FORWARD", "-i", br, "-j", "ACCEPT");
    } else ipt.ensure("filter", "-A", "FORWARD", ...outNoIcc);
    // deleteLegacyFilterRules: family A/B's per-bridge FORWARD rules, now the ipset's.
    ipt.deleteIfExists("filter", "FORWARD", "-o", br, "-j", "DOCKER");
    ipt.deleteIfExists("filter", "FORWARD", "-o", br, ...RELATED, "-j", "ACCEPT");
    // setDefaultForwardRule: appended, after the per-port ACCEPTs that are inserted.
    ipt.ensure("filter", "-A", "DOCKER", "!", "-i", br, "-o", br, "-j", mode === "nat-unprotected" ? "ACCEPT" : "DROP");
  }

  /** setIcc, still in FORWARD: the ACCEPT only for internal networks, the DROP with icc off. */
  private setIcc(ipt: Ipt, net: DockerNetwork, internal: boolean): void {
    const accept = spec.icc(net, "ACCEPT");
    const drop = spec.icc(net, "DROP");
    if (net.icc && internal) ipt.ensure("filter", "-A", "FORWARD", ...accept);
    else ipt.deleteIfExists("filter", "FORWARD", ...accept);
    if (!net.icc) ipt.ensure("filter", "-A", "FORWARD", ...drop);
    else ipt.deleteIfExists("filter", "FORWARD", ...drop);
  }

  /** isolateNetwork: setINC in every enabled family, whether or not the network has it. */
  private isolate(net: DockerNetwork): void {
    for (const [ipt, af] of this.all()) {
      const br = net.bridge;
      const replies: RuleCall[] = [
        ["-I", ISOLATION_1, ["-o", br, "-j", "RETURN"]],
        ["-I", ISOLATION_1, ["-i", br, ...RELATED, "-j", "ACCEPT"]],
      ];
      program(ipt, "filter", [...(af.gatewayMode(net) === "routed" ? replies : []), ...isolationRules(net, "-A")]);
    }
  }

  override publish(ep: Endpoint, bindings: PortBinding[]): void {
    this.sets(() => super.publish(ep, bindings));
  }

  override unpublish(ep: Endpoint, bindings: PortBinding[]): void {
    this.sets(() => super.unpublish(ep, bindings));
  }

  private swapC = (ipts: (Ipt | null)[]) => { this.ipt = ipts[0]!; this.ip6 = ipts[1] ?? null; };

  /** deleteNetwork: the iptCleanFuncs in the order they were registered (per family: rules, set element; then setINC). */
  override removeNetwork(net: DockerNetwork): void {
    this.sets(() => {
      for (const [, af] of this.familiesOf(net)) {
        undo([this.ipt, this.ip6], this.swapC, () => this.networkRules(af, net), [net.bridge]);
        if (!net.internal) this.ipsets.del(setOf(af), element(net, af));
      }
      if (!net.internal) undo([this.ipt, this.ip6], this.swapC, () => this.isolate(net), [net.bridge]);
    });
  }
}

/** EnsureJumpRule with match arguments: delete the rule if present, insert it at the top of FORWARD. */
function jumpOnTop(ipt: Ipt, rule: string[]): void {
  ipt.deleteIfExists("filter", "FORWARD", ...rule);
  ipt.run("-t", "filter", "-I", "FORWARD", ...rule);
}
