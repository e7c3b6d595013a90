// Docker 29.x, iptables backend ("family E"): family D without the DOCKER-ISOLATION chains
// (--internal rules move to DOCKER-INTERNAL; bridges are isolated by their DOCKER DROP rule),
// without the skip-DNAT RETURN and without the SCTP checksum rule (daemon/libnetwork/drivers/
// bridge/internal/iptabler @docker-v29.7.2). See shared/reference/docker-firewall-rules.md 7.1.
import { DialectD } from "./dialect-d.js";
import type { Ipt } from "./ipt.js";
import type { DockerNetwork } from "./model.js";

export class DialectE extends DialectD {
  protected override chains = ["DOCKER-FORWARD", "DOCKER-BRIDGE", "DOCKER-CT", "DOCKER-INTERNAL"];
  protected override internalChain = "DOCKER-INTERNAL";

  protected override skipsDnat(): boolean {
    return false;
  }

  protected override isolation(): void {}

  protected override noIPv6(_ip6: Ipt, _net: DockerNetwork): void {}
}
