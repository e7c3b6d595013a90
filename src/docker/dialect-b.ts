// Docker 27.x ("family B"): family A's IPv4 layout, plus ip6tables on by default, gateway
// modes (routed) and the bridge driver's own port-mapping code (libnetwork
// drivers/bridge/setup_ip_tables_linux.go, port_mapping_linux.go, setup_ip_forwarding.go,
// firewall_linux.go @v27.5.1). See shared/reference/docker-firewall-rules.md section 4.
//
// IPv6 networks are not simulated: ip6tables gets what dockerd writes there for IPv4-only
// networks (its chains, the isolation rules of every bridge, FORWARD DROP, DOCKER-USER).
import { DialectA } from "./dialect-a.js";
import { isolationRules, program, spec, userChain } from "./dialect.js";
import type { Ipt } from "./ipt.js";
import type { DaemonConfig, DockerNetwork, Endpoint } from "./model.js";
import type { PortBinding } from "./ports.js";

export class DialectB extends DialectA {
  protected override deletesHairpinRule = true;

  constructor(ipt: Ipt, private ip6: Ipt | null, daemon: DaemonConfig) {
    super(ipt, daemon);
  }

  protected override daemonStart(ipForwardWasOn: boolean): void {
    this.setupIPChains(this.ipt);
    if (this.ip6) this.setupIPChains(this.ip6);
    if (!this.daemon.ipForward) return;
    if (!ipForwardWasOn) this.ipt.run("-t", "filter", "-P", "FORWARD", "DROP");
    // Up to 27, ip6tables' FORWARD policy is set to DROP whatever the sysctl was.
    this.ip6?.run("-t", "filter", "-P", "FORWARD", "DROP");
  }

  protected override arrangeUserFilterRule(): void {
    userChain(this.ipt, true);
    if (this.ip6) userChain(this.ip6, true);
  }

  /** isolateNetwork: ip6tables first, for every bridge whether or not it has IPv6. */
  protected override isolateNetwork(net: DockerNetwork): void {
    if (this.ip6) program(this.ip6, "filter", isolationRules(net, "-I"));
    super.isolateNetwork(net);
  }

  /** setPerPortNAT then setPerPortForwarding; routed bindings have no host port, so no NAT. */
  protected override publishOne(ep: Endpoint, b: PortBinding): void {
    const ipt = this.ipt;
    if (b.hostPort !== 0) {
      ipt.ensure("nat", "-A", "DOCKER", ...spec.dnat(ep, b, this.daemon.userlandProxy));
      ipt.ensure("nat", "-A", "POSTROUTING", ...spec.portMasquerade(ep, b));
    }
    ipt.ensure("filter", "-A", "DOCKER", ...spec.portAccept(ep, b));
    if (b.proto === "sctp") ipt.ensure("mangle", "-A", "POSTROUTING", ...spec.sctpChecksum(b));
  }
}
