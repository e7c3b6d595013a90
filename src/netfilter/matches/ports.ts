// Port and port-range options shared by the tcp, udp and sctp matches (libxt_tcp.c's
// parse_ports/print_ports in miniature).
export interface PortRange {
  lo: number;
  hi: number;
  neg: boolean;
}

export function parsePortRange(text: string, option: string): { lo: number; hi: number } {
  const m = /^(\d{0,5})(?::(\d{0,5}))?$/.exec(text);
  if (!m) throw new Error(`invalid port/service \`${text}' specified for ${option}`);
  const lo = m[1] === "" ? 0 : Number(m[1]);
  const hi = m[2] === undefined ? lo : m[2] === "" ? 65535 : Number(m[2]);
  if (lo > 65535 || hi > 65535 || lo > hi) throw new Error(`invalid port range \`${text}' specified for ${option}`);
  return { lo, hi };
}

export function savePortRange(option: string, r: PortRange | null): string {
  if (!r) return "";
  const value = r.lo === r.hi ? `${r.lo}` : `${r.lo}:${r.hi}`;
  return `${r.neg ? "! " : ""}--${option} ${value}`;
}

export function inRange(port: number, r: PortRange | null): boolean {
  if (!r) return true;
  return (port >= r.lo && port <= r.hi) !== r.neg;
}

export function joinOpts(parts: string[]): string {
  return parts.filter((p) => p !== "").join(" ");
}
