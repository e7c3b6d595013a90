// `-p` / compose port strings -> port bindings, with ranges expanded and ephemeral ports
// allocated the way Docker's portallocator does (start of the range first, then sequential).
import { impossible } from "../errors.js";
import { PORT_SPEC } from "../scenario/schema.js";
import { PROTO_NUMBERS, type Proto } from "../netfilter/types.js";
import { isIPv4, isIPv6, parseIPv4, parseIPv6 } from "../net/address.js";

export interface PortBinding {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  proto: Proto;
}

export interface PortRequest {
  hostIp: string | null;
  hostPorts: [number, number] | null; // null = ephemeral
  containerPorts: [number, number];
  proto: Proto;
}

function range(text: string, pointer: string): [number, number] {
  const [a, b] = text.split("-").map(Number);
  const lo = a!;
  const hi = b ?? lo;
  if (lo < 1 || hi > 65535 || hi < lo) throw impossible(pointer, `invalid port range "${text}"`);
  return [lo, hi];
}

export function parsePortSpec(spec: string, pointer: string): PortRequest {
  const m = PORT_SPEC.exec(spec);
  if (!m) throw impossible(pointer, `invalid port "${spec}"`);
  const [, ip, host, ctr, proto] = m;
  const containerPorts = range(ctr!, pointer);
  const hostPorts = host ? range(host, pointer) : null;
  if (hostPorts && hostPorts[1] - hostPorts[0] !== containerPorts[1] - containerPorts[0] && containerPorts[0] !== containerPorts[1])
    throw impossible(pointer, `host and container port ranges of "${spec}" differ in size`);
  const hostIp = ip ? ip.replace(/^\[|\]$/g, "") : null;
  if (hostIp && hostIp.includes(":") && !isIPv6(hostIp)) throw impossible(pointer, `"${hostIp}" in "${spec}" is not an IPv6 address`);
  // docker/go-connections nat.ParsePortSpec: "invalid IP address: …"
  if (hostIp && !hostIp.includes(":") && !isIPv4(hostIp)) throw impossible(pointer, `invalid IP address: ${hostIp} (in "${spec}")`);
  return { hostIp, hostPorts, containerPorts, proto: (proto ?? "tcp") as Proto };
}

/** A binding before its host port is chosen: an exact port, a range, or ephemeral (null). */
export interface PendingBinding {
  hostIp: string;
  hostPorts: [number, number] | null;
  containerPort: number;
  proto: Proto;
  pointer: string;
  /** No host address was given and the default is 0.0.0.0: dockerd also binds "::" (see model withIPv6Twins). */
  implicit?: boolean;
}

/** Expand a request into 1:1 bindings (a host range for one container port stays a range). */
export function expandRequest(req: PortRequest, defaultIp: string, pointer: string): PendingBinding[] {
  const [clo, chi] = req.containerPorts;
  const hostIp = req.hostIp ?? defaultIp;
  const out: PendingBinding[] = [];
  for (let p = clo; p <= chi; p++) {
    let hostPorts: [number, number] | null = null;
    if (req.hostPorts && clo === chi) hostPorts = req.hostPorts;
    else if (req.hostPorts) hostPorts = [req.hostPorts[0] + (p - clo), req.hostPorts[0] + (p - clo)];
    out.push({ hostIp, hostPorts, containerPort: p, proto: req.proto, pointer, implicit: req.hostIp === null && hostIp === "0.0.0.0" });
  }
  return out;
}

/**
 * 27+ (port_mapping_linux.go cmpPortBinding): exact host ports before ranges and ephemeral
 * ports, then by container port, protocol (tcp < udp < sctp), host port, host address.
 */
export function sortBindings(list: PendingBinding[]): PendingBinding[] {
  const isRange = (b: PendingBinding) => b.hostPorts === null || b.hostPorts[0] !== b.hostPorts[1];
  // Go's net.IP compare on 16 bytes: "::" and other IPv6 addresses before IPv4 (::ffff:a.b.c.d).
  const ipKey = (ip: string) => (ip.includes(":") ? parseIPv6(ip) : 0xffff00000000n + BigInt(parseIPv4(ip)));
  return [...list].sort((a, b) =>
    Number(isRange(a)) - Number(isRange(b)) ||
    a.containerPort - b.containerPort ||
    PROTO_NUMBERS[a.proto] - PROTO_NUMBERS[b.proto] ||
    (a.hostPorts?.[0] ?? 0) - (b.hostPorts?.[0] ?? 0) ||
    (a.hostPorts?.[1] ?? 0) - (b.hostPorts?.[1] ?? 0) ||
    (ipKey(a.hostIp) < ipKey(b.hostIp) ? -1 : ipKey(a.hostIp) > ipKey(b.hostIp) ? 1 : 0));
}

/** Choose host ports in order: a range gives its first port, ephemeral asks the allocator. */
export function allocate(list: PendingBinding[], alloc: (proto: Proto) => number): (PortBinding & { pointer: string; implicit?: boolean })[] {
  return list.map((b) => ({ hostIp: b.hostIp, hostPort: b.hostPorts ? b.hostPorts[0] : alloc(b.proto), containerPort: b.containerPort, proto: b.proto, pointer: b.pointer, implicit: b.implicit }));
}

export class PortAllocator {
  private next: Record<string, number> = {};
  constructor(private start: number, private end = 60999) {}
  take(proto: Proto): number {
    const port = this.next[proto] ?? this.start;
    this.next[proto] = port >= this.end ? this.start : port + 1;
    return port;
  }
}
