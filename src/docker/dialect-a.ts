// Docker 20.10 - 26.1 ("family A"): the iptables commands dockerd issues, in its order
// (libnetwork drivers/bridge/setup_ip_tables.go, iptables/iptables.go, portmapper,
// firewall_linux.go). See shared/reference/docker-firewall-rules.md section 3.
import type { Ipt } from "./ipt.js";
import type { DaemonConfig, DockerNetwork, Endpoint } from "./model.js";
import type { PortBinding } from "./ports.js";
import { isolationRules, natJumps, program, spec, userChain, type Dialect } from "./dialect.js";

export class DialectA implements Dialect {
  constructor(protected ipt: Ipt, protected daemon: DaemonConfig) {}

  start(ipForwardWasOn: boolean): void {
    this.daemonStart(ipForwardWasOn);
    this.arrangeUserFilterRule(); // after "none"
    this.arrangeUserFilterRule(); // after "host"
  }

  /** Bridge driver configure(): chains, isolation RETURNs, forwarding policy. */
  protected daemonStart(ipForwardWasOn: boolean): void {
    this.setupIPChains(this.ipt);
    // setupIPForwarding: the DROP policy comes only with Docker turning forwarding on itself.
    if (this.daemon.ipForward && !ipForwardWasOn) this.ipt.run("-t", "filter", "-P", "FORWARD", "DROP");
  }

  protected setupIPChains(ipt: Ipt): void {
    ipt.run("-t", "nat", "-N", "DOCKER");
    ipt.run("-t", "filter", "-N", "DOCKER");
    ipt.run("-t", "filter", "-N", "DOCKER-ISOLATION-STAGE-1");
    ipt.run("-t", "filter", "-N", "DOCKER-ISOLATION-STAGE-2");
    ipt.ensure("filter", "-A", "DOCKER-ISOLATION-STAGE-1", "-j", "RETURN");
    ipt.ensure("filter", "-A", "DOCKER-ISOLATION-STAGE-2", "-j", "RETURN");
  }

  /** arrangeUserFilterRule, run after every network creation. */
  protected arrangeUserFilterRule(): void {
    userChain(this.ipt, true);
  }

  bridgeNetwork(net: DockerNetwork): void {
    if (net.internal) this.internalNetwork(net);
    else this.externalNetwork(net);
    this.arrangeUserFilterRule();
  }

  joinEndpoint(_ep: Endpoint): void {} // no per-container rules before 28.2

  /** 23+ deletes the hairpin rule when the proxy is on; 20.10 just skips it. */
  protected deletesHairpinRule = false;

  /** Masquerade, skip-DNAT and hairpin rules of one bridge (routed exists from 27 on). */
  private natRules(net: DockerNetwork): void {
    const proxy = this.daemon.userlandProxy;
    if (net.gatewayMode !== "routed" && net.masquerade) {
      this.ipt.ensure("nat", "-I", "POSTROUTING", ...spec.natOut(net));
      if (proxy) this.ipt.ensure("nat", "-I", "DOCKER", ...spec.skipDnat(net));
    }
    if (!proxy) this.ipt.ensure("nat", "-I", "POSTROUTING", ...spec.natFromHost(net));
    else if (this.deletesHairpinRule) this.ipt.deleteIfExists("nat", "POSTROUTING", ...spec.natFromHost(net));
  }

  private externalNetwork(net: DockerNetwork): void {
    const ipt = this.ipt;
    const br = net.bridge;
    this.natRules(net);
    this.icc(net);
    ipt.ensure("filter", "-I", "FORWARD", "-i", br, "!", "-o", br, "-j", "ACCEPT");
    natJumps(ipt, this.daemon.userlandProxy);
    ipt.ensure("filter", "-I", "FORWARD", "-o", br, "-j", "DOCKER");
    ipt.ensure("filter", "-I", "FORWARD", "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
    ipt.ensureJumpOnTop("FORWARD", "DOCKER-ISOLATION-STAGE-1");
    this.isolateNetwork(net);
  }

  protected isolateNetwork(net: DockerNetwork): void {
    program(this.ipt, "filter", isolationRules(net, "-I"));
  }

  private internalNetwork(net: DockerNetwork): void {
    const ipt = this.ipt;
    ipt.ensure("filter", "-I", "DOCKER-ISOLATION-STAGE-1", ...spec.internalIn(net));
    ipt.ensure("filter", "-I", "DOCKER-ISOLATION-STAGE-1", ...spec.internalOut(net));
    this.icc(net);
    ipt.ensureJumpOnTop("FORWARD", "DOCKER-ISOLATION-STAGE-1");
  }

  private icc(net: DockerNetwork): void {
    const ipt = this.ipt;
    if (net.icc) {
      ipt.deleteIfExists("filter", "FORWARD", ...spec.icc(net, "DROP"));
      ipt.ensure("filter", "-I", "FORWARD", ...spec.icc(net, "ACCEPT"));
    } else {
      ipt.deleteIfExists("filter", "FORWARD", ...spec.icc(net, "ACCEPT"));
      ipt.ensure("filter", "-A", "FORWARD", ...spec.icc(net, "DROP"));
    }
  }

  publish(ep: Endpoint, bindings: PortBinding[]): void {
    for (const b of bindings) this.publishOne(ep, b);
  }

  /** portmapper + iptables.ChainInfo.Forward: DNAT, filter ACCEPT, hairpin MASQUERADE. */
  protected publishOne(ep: Endpoint, b: PortBinding): void {
    const ipt = this.ipt;
    ipt.ensure("nat", "-A", "DOCKER", ...spec.dnat(ep, b, this.daemon.userlandProxy));
    ipt.ensure("filter", "-A", "DOCKER", ...spec.portAccept(ep, b));
    ipt.ensure("nat", "-A", "POSTROUTING", ...spec.portMasquerade(ep, b));
    if (b.proto === "sctp") ipt.ensure("mangle", "-A", "POSTROUTING", ...spec.sctpChecksum(b));
  }
}
