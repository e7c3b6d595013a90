// Docker 27.x ("family B"): family A's layout, plus ip6tables on by default, gateway modes
// (routed) and the bridge driver's own port-mapping code (libnetwork drivers/bridge/
// setup_ip_tables_linux.go, port_mapping_linux.go, setup_ip_forwarding.go, firewall_linux.go
// @v27.5.1). See shared/reference/docker-firewall-rules.md section 4.
//
// ip6tables: an IPv6 network gets family A's rules there (gateway_mode_ipv6, host_ipv6); every
// bridge gets the ip6tables isolation rules, FORWARD DROP and DOCKER-USER (family A).
import { DialectA } from "./dialect-a.js";
import { mirroredWSL2, spec, type AddrFamily } from "./dialect.js";
import type { Ipt } from "./ipt.js";
import type { DaemonConfig, Endpoint } from "./model.js";
import type { PortBinding } from "./ports.js";
import { atLeast, type DockerVersion } from "./version.js";

export class DialectB extends DialectA {
  protected override deletesHairpinRule = true;

  constructor(ipt: Ipt, ip6: Ipt | null, daemon: DaemonConfig, version: DockerVersion) {
    super(ipt, daemon, ip6, version);
  }

  /** 27.3 added mirroredWSL2Workaround at the end of the IPv4 setupIPChains. */
  protected override setupIPChains(ipt: Ipt): void {
    super.setupIPChains(ipt);
    if (ipt === this.ipt && this.version && atLeast(this.version, "27.3.0"))
      mirroredWSL2(ipt, this.daemon.userlandProxy && this.daemon.wsl2Mirrored);
  }

  /** setPerPortNAT then setPerPortForwarding; routed bindings have no host port, so no NAT. */
  protected override publishOne(ipt: Ipt, af: AddrFamily, ep: Endpoint, b: PortBinding): void {
    if (b.hostPort !== 0) {
      ipt.ensure("nat", "-A", "DOCKER", ...spec.dnat(ep, b, this.daemon.userlandProxy, af));
      ipt.ensure("nat", "-A", "POSTROUTING", ...spec.portMasquerade(ep, b, af));
    }
    ipt.ensure("filter", "-A", "DOCKER", ...spec.portAccept(ep, b, af));
    if (b.proto === "sctp") ipt.ensure("mangle", "-A", "POSTROUTING", ...spec.sctpChecksum(b));
  }
}
