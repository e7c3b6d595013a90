// The embedded DNS resolver's two ports are ephemeral ports the kernel picks at random; nfplay
// uses two fixed ones (src/docker/dns.ts). Only those two numbers are normalized, in the only
// places they appear (the DNAT to 127.0.0.11:PORT and the SNAT's --sport PORT, per protocol);
// everything else is compared as is.
export function normalizeResolverPorts(text: string): string {
  for (const proto of ["tcp", "udp"]) {
    const port = new RegExp(`-p ${proto} -m ${proto} --dport 53 -j DNAT --to-destination 127\\.0\\.0\\.11:(\\d+)$`, "m").exec(text)?.[1];
    if (!port) continue;
    text = text
      .replace(`--to-destination 127.0.0.11:${port}\n`, `--to-destination 127.0.0.11:<${proto}-port>\n`)
      .replace(`-p ${proto} -m ${proto} --sport ${port} -j SNAT`, `-p ${proto} -m ${proto} --sport <${proto}-port> -j SNAT`);
  }
  return text;
}
