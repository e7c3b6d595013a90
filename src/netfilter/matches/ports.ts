// Port and port-range options shared by the tcp, udp and sctp matches (libxt_tcp.c's
// parse_ports/print_ports in miniature).
export interface PortRange {
  lo: number;
  hi: number;
  neg: boolean;
}

export function parsePortRange(text: string, option: string): { lo: number; hi: number } {
  const m = /^(\d{0,5})(?::(\d{0,5}))?$/.exec(text);
  if (!m) throw new Error(`invalid port/service \`${text}' specified`);
  const lo = m[1] === "" ? 0 : Number(m[1]);
  const hi = m[2] === undefined ? lo : m[2] === "" ? 65535 : Number(m[2]);
  if (lo > 65535 || hi > 65535) throw new Error(`invalid port/service \`${text}' specified`);
  if (lo > hi) throw new Error("invalid portrange (min > max)");
  return { lo, hi };
}

/**
 * A --sport/--dport value as iptables-nft 1.8.9 stores it (checked with ip(6)tables-save):
 * the full range 0:65535 is no port match at all, and a negated range that starts at 0 becomes
 * the complementary range ("! --sport :1023" saves as "--sport 1024:65535").
 */
export function portOption(text: string, option: string, neg: boolean): PortRange | null {
  const { lo, hi } = parsePortRange(text, option);
  if (lo === 0 && hi === 65535 && !neg) return null;
  if (neg && lo === 0 && hi < 65535) return { lo: hi + 1, hi: 65535, neg: false };
  return { lo, hi, neg };
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
