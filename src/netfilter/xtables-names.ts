// The extensions iptables 1.8.9 ships (/usr/lib/x86_64-linux-gnu/xtables on Debian bookworm):
// a name not here is "No such file or directory" to iptables, while a name here that nfplay
// does not simulate is refused as not supported. iptables also refuses a new chain named as
// a target.
import type { Family } from "../net/address.js";

const MATCHES_XT = `addrtype bpf cgroup cluster comment connbytes connlabel connlimit connmark conntrack cpu dccp
  devgroup dscp ecn esp hashlimit helper ipcomp iprange ipvs length limit mac mark multiport nfacct osf owner
  physdev pkttype policy quota rateest recent rpfilter sctp set socket state statistic string tcp tcpmss time
  tos u32 udp`;
const MATCHES_V4 = "ah icmp realm ttl";
const MATCHES_V6 = "ah dst eui64 frag hbh hl icmp6 ipv6header mh rt srh";

const TARGETS_XT = `AUDIT CHECKSUM CLASSIFY CONNMARK CONNSECMARK CT DNAT DSCP HMARK IDLETIMER LED LOG MARK
  MASQUERADE NFLOG NFQUEUE NOTRACK RATEEST REDIRECT SECMARK SET SNAT SYNPROXY TCPMSS TCPOPTSTRIP TEE TOS
  TPROXY TRACE`;
const TARGETS_V4 = "CLUSTERIP ECN NETMAP REJECT TTL ULOG";
const TARGETS_V6 = "DNPT HL NETMAP REJECT SNPT";

const set = (...lists: string[]) => new Set(lists.join(" ").split(/\s+/).filter(Boolean));
const MATCHES = { ipv4: set(MATCHES_XT, MATCHES_V4), ipv6: set(MATCHES_XT, MATCHES_V6) };
const TARGETS = { ipv4: set(TARGETS_XT, TARGETS_V4, "ACCEPT DROP RETURN"), ipv6: set(TARGETS_XT, TARGETS_V6, "ACCEPT DROP RETURN") };

/** Whether iptables (ip6tables for ipv6) has a match extension of this name. */
export function isXtablesMatch(name: string, family: Family): boolean {
  return MATCHES[family].has(name);
}

/** Whether iptables has a target of this name (its verdicts included). */
export function isXtablesTarget(name: string, family: Family): boolean {
  return TARGETS[family].has(name);
}
