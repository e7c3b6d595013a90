// The kernel's word on the warning localhost-published-reachable-from-lan (src/explain): a LAN
// neighbour hands the Docker host a crafted TCP SYN to 127.0.0.1:8080 (an Ethernet frame to the
// host's MAC, as in moby#41872). nfplay's host rules for `-p 127.0.0.1:8080:80` are restored in a
// namespace; the container counts the SYNs that reach it. The warning must be there exactly when
// the kernel delivers them. Root only (namespaces nfx-<pid>-*, always deleted); skipped elsewhere.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { scenarioSchema } from "../../src/scenario/schema.js";
import { kernelAvailable } from "./harness.js";

const avail = kernelAvailable();
if (!avail.ok) console.warn(`\n!!!! KERNEL EXPLAIN TESTS SKIPPED: ${avail.reason}\n`);

// Sends 3 copies of a SYN frame out of eth0: dst MAC, src MAC, src IP, dst IP, dst port.
const CRAFT = `
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b"\\0"
    s = sum(struct.unpack("!%dH" % (len(b)//2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
dmac, smac, src, dst, dport = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
sip, dip = socket.inet_aton(src), socket.inet_aton(dst)
tcp = struct.pack("!HHLLBBHHH", 41000, dport, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
tcp = tcp[:16] + struct.pack("!H", csum(sip + dip + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, sip, dip)
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
eth = bytes.fromhex(dmac.replace(":", "")) + bytes.fromhex(smac.replace(":", "")) + b"\\x08\\x00"
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("eth0", 0))
for _ in range(3): s.send(eth + ip + tcp)
`;

function sh(args: string[], input?: string): string {
  const r = spawnSync(args[0]!, args.slice(1), { input, encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function rootClean(): boolean {
  return sh(["iptables-save"]).split("\n").every((l) => !l || l.startsWith("#"));
}

/** How many of the crafted SYNs reach the container, with these host rules. */
function synsDelivered(rules: string, routeLocalnet: boolean): number {
  const [H, X, C] = ["h", "x", "c"].map((r) => `nfx-${process.pid}-${r}`) as [string, string, string];
  const ip = (ns: string, ...a: string[]) => sh(["ip", "-n", ns, ...a]);
  const exec = (ns: string, ...a: string[]) => sh(["ip", "netns", "exec", ns, ...a]);
  if (!rootClean()) throw new Error("root netns ruleset not empty");
  try {
    for (const n of [H, X, C]) { sh(["ip", "netns", "add", n]); ip(n, "link", "set", "lo", "up"); }
    ip(H, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", X);
    ip(H, "link", "set", "eth0", "address", "02:42:cb:00:71:0a");
    ip(X, "link", "set", "eth0", "address", "02:42:cb:00:71:fe");
    ip(H, "addr", "add", "203.0.113.10/24", "dev", "eth0");
    ip(X, "addr", "add", "203.0.113.254/24", "dev", "eth0");
    for (const n of [H, X]) ip(n, "link", "set", "eth0", "up");
    ip(H, "link", "add", "docker0", "type", "bridge");
    ip(H, "addr", "add", "172.17.0.1/16", "dev", "docker0");
    ip(H, "link", "set", "docker0", "up");
    ip(H, "link", "add", "vc0", "type", "veth", "peer", "name", "eth0", "netns", C);
    ip(C, "link", "set", "eth0", "address", "02:42:ac:11:00:02");
    ip(C, "addr", "add", "172.17.0.2/16", "dev", "eth0");
    ip(C, "link", "set", "eth0", "up");
    ip(C, "route", "add", "default", "via", "172.17.0.1");
    ip(H, "link", "set", "vc0", "master", "docker0", "up");
    exec(H, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    if (spawnSync("ip", ["netns", "exec", H, "test", "-d", "/proc/sys/net/bridge"]).status === 0) exec(H, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1");
    if (routeLocalnet) exec(H, "sysctl", "-qw", "net.ipv4.conf.docker0.route_localnet=1");
    sh(["ip", "netns", "exec", H, "iptables-restore"], rules);
    exec(C, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "80", "--tcp-flags", "SYN", "SYN");
    exec(H, "ip", "neigh", "replace", "203.0.113.254", "lladdr", "02:42:cb:00:71:fe", "dev", "eth0");
    exec(X, "python3", "-c", CRAFT, "02:42:cb:00:71:0a", "02:42:cb:00:71:fe", "203.0.113.254", "127.0.0.1", "8080");
    spawnSync("sleep", ["0.3"]);
    const line = exec(C, "iptables", "-L", "INPUT", "-v", "-x", "-n").split("\n").find((l) => l.includes("dpt:80"));
    return Number(line?.trim().split(/\s+/)[0] ?? NaN);
  } finally {
    for (const n of [H, X, C]) spawnSync("ip", ["netns", "del", n]);
    if (!rootClean()) throw new Error("SAFETY: root netns ruleset not empty after the run");
  }
}

describe.skipIf(!avail.ok)("localhost-published-reachable-from-lan vs the Linux kernel", () => {
  for (const [version, proxy] of [["20.10", true], ["20.10", false], ["27", false], ["28", true], ["29", false]] as const) {
    it(`Docker ${version}, userland proxy ${proxy ? "on" : "off"}`, () => {
      const result = simulate(scenarioSchema.parse({ docker: { version }, daemon: { "userland-proxy": proxy }, containers: [{ name: "web", ports: ["127.0.0.1:8080:80"] }] }));
      const warned = (result.warnings ?? []).some((w) => w.code === "localhost-published-reachable-from-lan");
      const syns = synsDelivered(result.rules.host!["iptables-save"], !proxy);
      expect(syns > 0, `kernel delivered ${syns} SYNs`).toBe(warned);
      expect(warned).toBe(version === "20.10" || version === "27");
    }, 30_000);
  }
});
