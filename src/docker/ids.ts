// Docker picks network IDs, veth names and bridge MACs at random. nfplay derives them from the
// scenario instead (FNV-1a), so the same scenario always gives the same bytes.
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** n hex characters derived from text. */
export function hexId(text: string, n: number): string {
  let out = "";
  for (let round = 0; out.length < n; round++) out += fnv1a(`${round}:${text}`).toString(16).padStart(8, "0");
  return out.slice(0, n);
}

export function macFromIPv4(ip: number): string {
  const bytes = [0x02, 0x42, ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/**
 * A MAC that Docker would draw at random (28+: GenerateRandomMAC), derived from `seed` so the
 * same scenario gives the same bytes: first byte with the multicast bit cleared and the
 * locally administered bit set.
 */
export function randomMac(seed: string): string {
  const bytes = hexId(seed, 12).match(/../g)!.map((h) => parseInt(h, 16));
  bytes[0] = (bytes[0]! & 0xfe) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** A bridge's MAC: locally administered 02:42:xx:xx:xx:xx up to 27, fully random from 28. */
export function bridgeMac(name: string, random = false): string {
  if (random) return randomMac(`mac:${name}`);
  const h = hexId(`mac:${name}`, 8);
  return `02:42:${h.match(/../g)!.join(":")}`;
}
