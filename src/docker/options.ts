// The bridge driver's `docker network create -o KEY=VALUE` options and the daemon's
// default-network-opts, as libnetwork's parseNetworkOptions reads them (drivers/bridge/
// bridge_linux.go, netlabel/labels.go). What each one does and since when: OPTIONS.md beside this file.
import { impossible } from "../errors.js";
import { formatIPv6, isIP, isIPv6, parseIPv6 } from "../net/address.js";
import type { DaemonSpec, NetworkSpec } from "../scenario/schema.js";
import { atLeast, type DockerVersion } from "./version.js";

export const BRIDGE_NAME = "com.docker.network.bridge.name";
export const ENABLE_ICC = "com.docker.network.bridge.enable_icc";
export const ENABLE_MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";
export const HOST_BINDING_IPV4 = "com.docker.network.bridge.host_binding_ipv4";
export const INHIBIT_IPV4 = "com.docker.network.bridge.inhibit_ipv4";
export const IFACE_PREFIX = "com.docker.network.container_iface_prefix";
export const GATEWAY_MODE = "com.docker.network.bridge.gateway_mode_ipv4";
export const GATEWAY_MODE6 = "com.docker.network.bridge.gateway_mode_ipv6";
export const HOST_IPV4 = "com.docker.network.host_ipv4";
export const HOST_IPV6 = "com.docker.network.host_ipv6";
/** The libnetwork label behind --ipv6 (docker network create -o com.docker.network.enable_ipv6=true). */
export const ENABLE_IPV6 = "com.docker.network.enable_ipv6";
export const TRUSTED = "com.docker.network.bridge.trusted_host_interfaces";
export const MTU = "com.docker.network.driver.mtu";

// Each bridge option, with the first release nfplay simulates it for.
export const KNOWN_OPTIONS: Record<string, string> = {
  [BRIDGE_NAME]: "20.10",
  [ENABLE_ICC]: "20.10",
  [ENABLE_MASQUERADE]: "20.10",
  [HOST_BINDING_IPV4]: "20.10",
  [MTU]: "20.10",
  [INHIBIT_IPV4]: "20.10",
  [IFACE_PREFIX]: "20.10",
  [GATEWAY_MODE]: "27.0.0",
  [HOST_IPV4]: "27.0.0",
  [GATEWAY_MODE6]: "27.0.0",
  [HOST_IPV6]: "27.0.0",
  [ENABLE_IPV6]: "20.10",
  [TRUSTED]: "28.2.0",
};

/** Options whose value libnetwork reads with strconv.ParseBool (an unreadable one fails the create). */
const BOOLEAN_OPTIONS = [ENABLE_ICC, ENABLE_MASQUERADE, INHIBIT_IPV4, ENABLE_IPV6];

/** The JSON pointer of option KEY of the network at AT ("/networks/0"), or of a default-network-opts entry. */
export function optionPointer(at: string, key: string): string {
  const escaped = key.replace(/~/g, "~0").replace(/\//g, "~1");
  return at.startsWith("/daemon/") ? `${at}/${escaped}` : `${at}/options/${escaped}`;
}

/** Go's strconv.ParseBool. */
export function parseGoBool(value: string): boolean | null {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  return null;
}

/** A boolean option's value, or its default when absent; a 422 naming it when unreadable. */
export function boolOption(opts: Record<string, string>, key: string, fallback: boolean, at: string): boolean {
  const v = opts[key];
  if (v === undefined) return fallback;
  const b = parseGoBool(v);
  if (b === null) throw impossible(optionPointer(at, key), `invalid value "${v}" for option "${key}": must be a boolean (true/false/1/0)`);
  return b;
}

/**
 * The network's options with the daemon's default-network-opts (24+) for its driver filled in
 * where the network does not set them itself (daemon/network.go createNetwork).
 */
export function withDefaultOptions(spec: NetworkSpec, defaults: Record<string, Record<string, string>> | undefined): NetworkSpec {
  const mine = defaults?.[spec.driver];
  if (!mine || Object.keys(mine).length === 0) return spec;
  return { ...spec, options: { ...mine, ...(spec.options ?? {}) } };
}

/** Every bridge option known and simulated in this release, and the boolean ones readable. */
export function checkBridgeOptions(opts: Record<string, string>, at: string, version: DockerVersion): void {
  for (const key of Object.keys(opts)) {
    const since = KNOWN_OPTIONS[key];
    if (!since) throw impossible(optionPointer(at, key), `unknown or unsupported bridge option "${key}"`);
    if (!atLeast(version, since)) throw impossible(optionPointer(at, key), `bridge option "${key}" is simulated from Docker ${since} on`);
  }
  for (const key of BOOLEAN_OPTIONS) boolOption(opts, key, false, at);
  const bridge = opts[BRIDGE_NAME];
  if (bridge !== undefined && (bridge.length > 15 || !/^[^\s/:]+$/.test(bridge)))
    throw impossible(optionPointer(at, BRIDGE_NAME), `"${bridge}" is not a valid interface name: at most 15 characters (the kernel's IFNAMSIZ), no spaces, "/" or ":"`);
  const prefix = opts[IFACE_PREFIX];
  if (prefix !== undefined && !/^[^\s/:]{1,14}$/.test(prefix))
    throw impossible(optionPointer(at, IFACE_PREFIX), `"${prefix}" cannot prefix an interface name: 1 to 14 characters (room for the index), no spaces, "/" or ":"`);
}

/**
 * The daemon's network settings that a release lacks, that dockerd refuses together, or that
 * change addresses or routes nfplay does not model yet: a 422 naming them rather than a silently
 * different result. Settings that do not touch the network path (userland-proxy-path,
 * network-control-plane-mtu) are accepted and ignored.
 */
export function checkDaemonOptions(d: DaemonSpec, version: DockerVersion): void {
  const since: [keyof DaemonSpec, string][] = [["default-network-opts", "24.0.0"], ["bip6", "28.0.0"], ["bridge-accept-fwmark", "29.0.0"]];
  for (const [key, release] of since)
    if (d[key] !== undefined && !atLeast(version, release)) throw impossible(`/daemon/${key}`, `"${key}" exists from Docker ${release}`);
  if (d.bip6 && d["fixed-cidr-v6"]) throw impossible("/daemon/bip6", "bip6 with fixed-cidr-v6 (a sub-pool for container addresses) is not simulated yet");
  if (d.iptables === false && d.icc === false)
    throw impossible("/daemon/icc", "You specified --iptables=false with --icc=false. ICC=false uses iptables to function. Please set --icc or --iptables to true");
  const ip6tablesOn = d.ip6tables ?? version.dialect !== "A";
  // Up to 26 setupIPChains refuses every family without iptables: the daemon does not start
  // (seen on a real 20.10.24). From 27 each family is set up on its own (model.ts v6Only).
  if (d.iptables === false && ip6tablesOn && version.dialect === "A")
    throw impossible("/daemon/ip6tables", "failed to start daemon: Error initializing network controller: error obtaining controller instance: cannot create new chains, EnableIPTable is disabled");
  // 28.0.0 keeps an ipset per family beside its rules; ip6tables alone there is not simulated.
  if (d.iptables === false && ip6tablesOn && version.version === "28.0.0" && d["firewall-backend"] !== "nftables")
    throw impossible("/daemon/ip6tables", "ip6tables rules without iptables rules in Docker 28.0.0 (its per-family ipsets) are not simulated; set ip6tables: false or pick another release");
  for (const [driver, opts] of Object.entries(d["default-network-opts"] ?? {}))
    if (driver === "bridge") checkBridgeOptions(opts, `/daemon/default-network-opts/${driver}`, version);
}

/**
 * bridge-accept-fwmark "MARK[/MASK]" as dockerd hands it to iptables (iptabler iptablesFwMark:
 * strconv.ParseUint base 0, printed in decimal; nftabler nftFwMark gives the same for a plain
 * mark), or a 422 like dockerd's config validation.
 */
export function iptablesFwMark(text: string, backend: string): string {
  const at = "/daemon/bridge-accept-fwmark";
  const parts = text.split("/");
  if (backend === "nftables" && parts.length > 1) throw impossible(at, "a bridge-accept-fwmark mask with the nftables backend (meta mark and MASK == MARK) is not simulated yet");
  const nums = parts.map(parseGoUint32);
  if (parts.length > 2 || nums.some((n) => n === null)) throw impossible(at, `invalid bridge-accept-fwmark "${text}": expected MARK or MARK/MASK (32-bit numbers)`);
  return nums.join("/");
}

/** strconv.ParseUint(s, 0, 32): decimal, 0x hex, 0o / leading-0 octal, 0b binary. */
function parseGoUint32(s: string): number | null {
  const m = /^(?:0x([0-9a-f]+)|0b([01]+)|0o?([0-7]+)|([1-9][0-9]*|0))$/i.exec(s.replace(/_/g, ""));
  if (!m) return null;
  const n = m[1] ? parseInt(m[1], 16) : m[2] ? parseInt(m[2], 2) : m[3] ? parseInt(m[3], 8) : Number(m[4]);
  return n <= 0xffffffff ? n : null;
}

/** host_binding_ipv4 (net.ParseIP: an IPv6 address works like an IPv6 dockerd --ip), or null. */
export function hostBindingOption(opts: Record<string, string>, at: string): string | null {
  const v = opts[HOST_BINDING_IPV4];
  if (v === undefined) return null;
  if (!isIP(v)) throw impossible(optionPointer(at, HOST_BINDING_IPV4), `invalid value "${v}" for option "${HOST_BINDING_IPV4}": not an IP address`);
  return isIPv6(v) ? formatIPv6(parseIPv6(v)) : v;
}

/** The container's interface name on a network: its prefix (default "eth") + the next free index of that prefix. */
export function containerIfname(prefix: string | undefined, taken: string[]): string {
  const p = prefix ?? "eth";
  for (let k = 0; ; k++) if (!taken.includes(`${p}${k}`)) return `${p}${k}`;
}
