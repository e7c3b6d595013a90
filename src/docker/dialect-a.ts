// Docker 20.10 - 26.1 ("family A"): the iptables commands dockerd issues, in its order
// (libnetwork drivers/bridge/setup_ip_tables.go, iptables/iptables.go, portmapper,
// firewall_linux.go). See shared/reference/docker-firewall-rules.md section 3.
import { formatCidr, formatIPv4 } from "../net/address.js";
import type { Ipt } from "./ipt.js";
import type { DaemonConfig, DockerNetwork, Endpoint } from "./model.js";
import type { PortBinding } from "./ports.js";

export class DialectA {
  constructor(private ipt: Ipt, private daemon: DaemonConfig) {}

  /** Bridge driver configure(): chains, isolation RETURNs, forwarding policy. */
  daemonStart(ipForwardWasOn: boolean): void {
    const ipt = this.ipt;
    ipt.run("-t", "nat", "-N", "DOCKER");
    ipt.run("-t", "filter", "-N", "DOCKER");
    ipt.run("-t", "filter", "-N", "DOCKER-ISOLATION-STAGE-1");
    ipt.run("-t", "filter", "-N", "DOCKER-ISOLATION-STAGE-2");
    ipt.ensure("filter", "-A", "DOCKER-ISOLATION-STAGE-1", "-j", "RETURN");
    ipt.ensure("filter", "-A", "DOCKER-ISOLATION-STAGE-2", "-j", "RETURN");
    // setupIPForwarding: the DROP policy comes only with Docker turning forwarding on itself.
    if (this.daemon.ipForward && !ipForwardWasOn) ipt.run("-t", "filter", "-P", "FORWARD", "DROP");
  }

  /** arrangeUserFilterRule, run after every network creation. */
  arrangeUserFilterRule(): void {
    const ipt = this.ipt;
    if (!ipt.ruleset.tables.get("filter")?.chains.has("DOCKER-USER")) ipt.run("-t", "filter", "-N", "DOCKER-USER");
    ipt.ensure("filter", "-A", "DOCKER-USER", "-j", "RETURN");
    ipt.ensureJumpOnTop("FORWARD", "DOCKER-USER");
  }

  bridgeNetwork(net: DockerNetwork): void {
    if (net.internal) this.internalNetwork(net);
    else this.externalNetwork(net);
    this.arrangeUserFilterRule();
  }

  private externalNetwork(net: DockerNetwork): void {
    const ipt = this.ipt;
    const br = net.bridge;
    const subnet = formatCidr(net.subnet);
    const proxy = this.daemon.userlandProxy;
    if (net.masquerade) {
      ipt.ensure("nat", "-I", "POSTROUTING", "-s", subnet, "!", "-o", br, "-j", "MASQUERADE");
      if (proxy) ipt.ensure("nat", "-I", "DOCKER", "-i", br, "-j", "RETURN");
    }
    if (!proxy) ipt.ensure("nat", "-I", "POSTROUTING", "-m", "addrtype", "--src-type", "LOCAL", "-o", br, "-j", "MASQUERADE");
    this.icc(net);
    ipt.ensure("filter", "-I", "FORWARD", "-i", br, "!", "-o", br, "-j", "ACCEPT");
    ipt.ensure("nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER");
    const loopback = proxy ? ["!", "--dst", "127.0.0.0/8"] : [];
    ipt.ensure("nat", "-A", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER", ...loopback);
    ipt.ensure("filter", "-I", "FORWARD", "-o", br, "-j", "DOCKER");
    ipt.ensure("filter", "-I", "FORWARD", "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
    ipt.ensureJumpOnTop("FORWARD", "DOCKER-ISOLATION-STAGE-1");
    ipt.ensure("filter", "-I", "DOCKER-ISOLATION-STAGE-1", "-i", br, "!", "-o", br, "-j", "DOCKER-ISOLATION-STAGE-2");
    ipt.ensure("filter", "-I", "DOCKER-ISOLATION-STAGE-2", "-o", br, "-j", "DROP");
  }

  private internalNetwork(net: DockerNetwork): void {
    const ipt = this.ipt;
    const br = net.bridge;
    const subnet = formatCidr(net.subnet);
    ipt.ensure("filter", "-I", "DOCKER-ISOLATION-STAGE-1", "-i", br, "!", "-d", subnet, "-j", "DROP");
    ipt.ensure("filter", "-I", "DOCKER-ISOLATION-STAGE-1", "-o", br, "!", "-s", subnet, "-j", "DROP");
    this.icc(net);
    ipt.ensureJumpOnTop("FORWARD", "DOCKER-ISOLATION-STAGE-1");
  }

  private icc(net: DockerNetwork): void {
    const ipt = this.ipt;
    const br = net.bridge;
    if (net.icc) {
      ipt.deleteIfExists("filter", "FORWARD", "-i", br, "-o", br, "-j", "DROP");
      ipt.ensure("filter", "-I", "FORWARD", "-i", br, "-o", br, "-j", "ACCEPT");
    } else {
      ipt.deleteIfExists("filter", "FORWARD", "-i", br, "-o", br, "-j", "ACCEPT");
      ipt.ensure("filter", "-A", "FORWARD", "-i", br, "-o", br, "-j", "DROP");
    }
  }

  /** portmapper + iptables.ChainInfo.Forward: DNAT, filter ACCEPT, hairpin MASQUERADE. */
  publish(ep: Endpoint, b: PortBinding): void {
    const ipt = this.ipt;
    const br = ep.network.bridge;
    const ctr = formatIPv4(ep.ip);
    const hostIp = b.hostIp === "0.0.0.0" ? "0/0" : b.hostIp;
    const skipBridge = this.daemon.userlandProxy ? ["!", "-i", br] : [];
    const proto = b.proto;
    ipt.ensure("nat", "-A", "DOCKER", "-p", proto, "-d", hostIp, "--dport", `${b.hostPort}`, "-j", "DNAT", "--to-destination", `${ctr}:${b.containerPort}`, ...skipBridge);
    ipt.ensure("filter", "-A", "DOCKER", "!", "-i", br, "-o", br, "-p", proto, "-d", ctr, "--dport", `${b.containerPort}`, "-j", "ACCEPT");
    ipt.ensure("nat", "-A", "POSTROUTING", "-p", proto, "-s", ctr, "-d", ctr, "--dport", `${b.containerPort}`, "-j", "MASQUERADE");
    if (proto === "sctp") ipt.ensure("mangle", "-A", "POSTROUTING", "-p", "sctp", "--sport", `${b.containerPort}`, "-j", "CHECKSUM", "--checksum-fill");
  }
}
