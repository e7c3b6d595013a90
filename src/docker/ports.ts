// `-p` / compose port strings -> port bindings, with ranges expanded and ephemeral ports
// allocated the way Docker's portallocator does (start of the range first, then sequential).
import { impossible } from "../errors.js";
import { PORT_SPEC } from "../scenario/schema.js";
import type { Proto } from "../netfilter/types.js";

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
  if (hostIp && hostIp.includes(":")) throw impossible(pointer, `IPv6 host addresses ("${spec}") are not supported yet`);
  return { hostIp, hostPorts, containerPorts, proto: (proto ?? "tcp") as Proto };
}

/** Expand a request into 1:1 bindings (a host range for one container port = first free). */
export function expandRequest(req: PortRequest, defaultIp: string, alloc: (proto: Proto) => number): PortBinding[] {
  const [clo, chi] = req.containerPorts;
  const hostIp = req.hostIp ?? defaultIp;
  const out: PortBinding[] = [];
  for (let p = clo; p <= chi; p++) {
    let hostPort: number;
    if (!req.hostPorts) hostPort = alloc(req.proto);
    else if (clo === chi) hostPort = req.hostPorts[0];
    else hostPort = req.hostPorts[0] + (p - clo);
    out.push({ hostIp, hostPort, containerPort: p, proto: req.proto });
  }
  return out;
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
