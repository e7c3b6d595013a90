// The iptables commands libnetwork 20.10 runs for the routing mesh (service_linux.go):
// - programIngress, on the host of every node, once per service with published ports: the
//   DOCKER-INGRESS chains (nat: DNAT to the ingress_sbox's docker_gwbridge address; filter:
//   accept the published port and its replies), the jumps to them, and the MASQUERADE of local
//   traffic into docker_gwbridge (route_localnet=1 there).
// - fwMarker, in the ingress_sbox: mark the published ports (mangle PREROUTING) and the VIP
//   (mangle INPUT) with the service's firewall mark, and SNAT what IPVS sends into the ingress
//   network to the sbox's own ingress address (-m ipvs --ipvs).
// - redirector, in each task on ingress: REDIRECT the published port to the target port, accept
//   only that port and drop every other tcp/udp/sctp packet to or from the ingress address.
// The real 20.10 daemon on this machine (no IPVS in the kernel) stops before programIngress and
// fwMarker (test/golden/docker-20.10/s01-swarm-ingress/README.md); the task rules are captured.
import { formatCidr, formatIPv4, type Cidr, type IPv4 } from "../../net/address.js";
import type { Ipt } from "../ipt.js";
import { userChain } from "../dialect.js";
import type { Dialect } from "../version.js";
import type { Published } from "./model.js";

const INGRESS = "DOCKER-INGRESS";

/**
 * dialect: the release's rule family. 20.10 ("A") and 28.0.0 ("C") jump to DOCKER-INGRESS from
 * FORWARD (then put DOCKER-USER back on top); 28.0.1+ ("D", "E") from the top of DOCKER-FORWARD.
 * 28+ match replies with conntrack instead of state; 29 ("E", initIngressConfiguration) creates
 * each table's chain and RETURN together and re-inserts its jumps on top (EnsureJumpRule).
 */
export function programIngress(ipt: Ipt, gwIp: IPv4, ports: Published[], dialect: Dialect = "A"): void {
  const rs = ipt.ruleset;
  const has = (table: "nat" | "filter") => rs.tables.get(table)?.chains.has(INGRESS);
  // A jump from FORWARD left by a release older than 28.0.1 goes (never there in a fresh simulation).
  if (dialect === "E") ipt.deleteIfExists("filter", "FORWARD", "-j", INGRESS);
  if (dialect === "E") {
    for (const table of ["nat", "filter"] as const) {
      if (!has(table)) ipt.run("-t", table, "-N", INGRESS);
      if (!ipt.exists(table, INGRESS, "-j", "RETURN")) ipt.run("-t", table, "-A", INGRESS, "-j", "RETURN");
    }
  } else {
    if (!has("nat")) ipt.run("-t", "nat", "-N", INGRESS);
    if (!has("filter")) ipt.run("-N", INGRESS);
    if (!ipt.exists("nat", INGRESS, "-j", "RETURN")) ipt.run("-t", "nat", "-A", INGRESS, "-j", "RETURN");
    if (!ipt.exists("filter", INGRESS, "-j", "RETURN")) ipt.run("-A", INGRESS, "-j", "RETURN");
  }
  const onTop = (table: string, chain: string, ...match: string[]) => {
    if (dialect === "E") ipt.deleteIfExists(table, chain, ...match, "-j", INGRESS);
    if (!ipt.exists(table, chain, ...match, "-j", INGRESS)) ipt.run("-t", table, "-I", chain, ...match, "-j", INGRESS);
  };
  for (const chain of ["OUTPUT", "PREROUTING"]) onTop("nat", chain, "-m", "addrtype", "--dst-type", "LOCAL");
  if (dialect === "A" || dialect === "C") {
    if (!ipt.exists("filter", "FORWARD", "-j", INGRESS)) {
      ipt.run("-I", "FORWARD", "-j", INGRESS);
      userChain(ipt, true); // arrangeUserFilterRule / setupUserChain: DOCKER-USER back on top of FORWARD
    }
  } else {
    onTop("filter", "DOCKER-FORWARD");
    if (dialect === "D") ipt.deleteIfExists("filter", "FORWARD", "-j", INGRESS);
  }
  const masq = ["-m", "addrtype", "--src-type", "LOCAL", "-o", "docker_gwbridge", "-j", "MASQUERADE"];
  if (!ipt.exists("nat", "POSTROUTING", ...masq)) ipt.run("-t", "nat", "-I", "POSTROUTING", ...masq);
  for (const p of ports) {
    ipt.run("-t", "nat", "-I", INGRESS, "-p", p.proto, "--dport", `${p.published}`, "-j", "DNAT", "--to-destination", `${formatIPv4(gwIp)}:${p.published}`);
    if (dialect === "A") ipt.run("-I", INGRESS, "-m", "state", "-p", p.proto, "--sport", `${p.published}`, "--state", "ESTABLISHED,RELATED", "-j", "ACCEPT");
    else ipt.run("-I", INGRESS, "-p", p.proto, "--sport", `${p.published}`, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
    ipt.run("-I", INGRESS, "-p", p.proto, "--dport", `${p.published}`, "-j", "ACCEPT");
  }
}

export function ingressSboxRules(ipt: Ipt, vip: IPv4, fwmark: number, ports: Published[], sboxIp: IPv4, subnet: Cidr): void {
  for (const p of ports) ipt.run("-t", "mangle", "-A", "PREROUTING", "-p", p.proto, "--dport", `${p.published}`, "-j", "MARK", "--set-mark", `${fwmark}`);
  const snat = ["-m", "ipvs", "--ipvs", "-d", formatCidr(subnet), "-j", "SNAT", "--to-source", formatIPv4(sboxIp)];
  if (!ipt.exists("nat", "POSTROUTING", ...snat)) ipt.run("-t", "nat", "-A", "POSTROUTING", ...snat);
  ipt.run("-t", "mangle", "-A", "INPUT", "-d", `${formatIPv4(vip)}/32`, "-j", "MARK", "--set-mark", `${fwmark}`);
}

export function taskRedirectRules(ipt: Ipt, ip: IPv4, ports: Published[]): void {
  const addr = formatIPv4(ip);
  for (const p of ports) {
    // libnetwork writes "--to-port": getopt_long takes it as the abbreviation of --to-ports.
    ipt.run("-t", "nat", "-A", "PREROUTING", "-d", addr, "-p", p.proto, "--dport", `${p.published}`, "-j", "REDIRECT", "--to-port", `${p.target}`);
    ipt.run("-I", "INPUT", "-d", addr, "-p", p.proto, "--dport", `${p.target}`, "-m", "conntrack", "--ctstate", "NEW,ESTABLISHED", "-j", "ACCEPT");
    ipt.run("-I", "OUTPUT", "-s", addr, "-p", p.proto, "--sport", `${p.target}`, "-m", "conntrack", "--ctstate", "ESTABLISHED", "-j", "ACCEPT");
  }
  if (ports.length === 0) return;
  for (const proto of ["sctp", "udp", "tcp"]) {
    if (!ipt.exists("filter", "INPUT", "-d", addr, "-p", proto, "-j", "DROP")) ipt.run("-A", "INPUT", "-d", addr, "-p", proto, "-j", "DROP");
    if (!ipt.exists("filter", "OUTPUT", "-s", addr, "-p", proto, "-j", "DROP")) ipt.run("-A", "OUTPUT", "-s", addr, "-p", proto, "-j", "DROP");
  }
}
