// Full replay of the oracle's traced flows (b-publish-8543: 11 flows with docker-proxy, f1-userland-proxy-false:
// 15 flows with hairpin NAT) through the harness, compared with the traces taken against the real dockerd.
// Validates the harness itself (~30 s), so it only runs with NFPLAY_KERNEL_ALL=1:
//   NFPLAY_KERNEL_ALL=1 npx vitest run test/kernel
// External flows use the oracle's client address 203.0.113.1 (srcIp) so that even the peer the server saw
// must match.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kernelAvailable, parseGoldenTrace, ruleSequence, runKernelFlow, type KernelPacket, type KernelTopology } from "./harness.js";

const ORACLE = process.env.NFPLAY_ORACLE ?? new URL("../golden/docker-20.10", import.meta.url).pathname;
const enabled = process.env.NFPLAY_KERNEL_ALL === "1";
const avail = enabled ? kernelAvailable() : { ok: false, reason: "NFPLAY_KERNEL_ALL!=1" };
if (enabled && !avail.ok) console.warn(`\n!!!!!!!!!! ORACLE REPLAY SKIPPED: ${avail.reason} !!!!!!!!!!\n`);

const ctr = (name: string, bridge: string, ip: string, gateway: string) => ({
  name, bridge, ip, prefix: 16, gateway,
  mac: "02:42:" + ip.split(".").map((x) => Number(x).toString(16).padStart(2, "0")).join(":"),
});
const eth0 = { interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1" }] };

const scenarios: { name: string; dir: string; topo: () => KernelTopology }[] = [
  {
    name: "b-publish-8543", dir: `${ORACLE}/b-publish-8543`,
    topo: () => ({
      host: eth0, external: { ip: "198.51.100.7" },
      bridges: [{ name: "docker0", address: "172.17.0.1/16" }],
      containers: [ctr("web", "docker0", "172.17.0.2", "172.17.0.1"), ctr("client", "docker0", "172.17.0.3", "172.17.0.1")],
      hostRules: readFileSync(`${ORACLE}/b-publish-8543/02-second-container-no-ports/iptables-save.txt`, "utf8"),
      proxies: [{ hostIp: "0.0.0.0", hostPort: 8543, proto: "tcp", containerIp: "172.17.0.2", containerPort: 8888 }],
      listeners: [{ ns: "web", ip: "0.0.0.0", port: 9999, proto: "tcp" }],
    }),
  },
  {
    name: "f1-userland-proxy-false", dir: `${ORACLE}/f1-userland-proxy-false`,
    topo: () => ({
      host: eth0, external: { ip: "198.51.100.7" },
      // --userland-proxy=false: dockerd sets route_localnet=1 on every bridge and hairpin on every port
      bridges: [
        { name: "docker0", address: "172.17.0.1/16", hairpin: true, routeLocalnet: true },
        { name: "br-852753c3a4d2", address: "172.18.0.1/16", hairpin: true, routeLocalnet: true },
      ],
      containers: [
        ctr("web", "docker0", "172.17.0.2", "172.17.0.1"), ctr("client", "docker0", "172.17.0.3", "172.17.0.1"),
        ctr("web1", "br-852753c3a4d2", "172.18.0.2", "172.18.0.1"),
      ],
      hostRules: readFileSync(`${ORACLE}/f1-userland-proxy-false/03-user-network/iptables-save.txt`, "utf8"),
      proxies: [],
      listeners: [{ ns: "web", ip: "0.0.0.0", port: 9999, proto: "tcp" }],
    }),
  },
];

const hops = (ps: KernelPacket[]) => ps.map((p) => `${p.in ?? "-"}>${p.out ?? "-"} ${p.src}>${p.dst} ${p.flags}`.trim());

for (const sc of scenarios) {
  const index = `${sc.dir}/traces/index.tsv`;
  const rows = existsSync(index) ? readFileSync(index, "utf8").trim().split("\n").map((l) => l.split("\t")) : [];
  describe.skipIf(!enabled || !avail.ok || rows.length === 0)(`oracle replay ${sc.name}`, () => {
    for (const [name, who, what, result] of rows as string[][]) {
      it(`${name}`, async () => {
        const [proto, hostPort] = what!.split(" ") as ["tcp" | "udp", string];
        const [dstIp, port] = hostPort.split(":") as [string, string];
        const from = who === "ext" ? "external" : who === "host" ? "host" : who!.replace(/^ctr:/, "");
        const res = await runKernelFlow(sc.topo(),
          { from, dstIp, dstPort: Number(port), proto, ...(from === "external" ? { srcIp: "203.0.113.1" } : {}) },
          { extRoutesToContainers: /^1[01]-/.test(name!), timeoutMs: 25_000 });
        const golden = parseGoldenTrace(`${sc.dir}/traces/${name}.txt`);
        expect(ruleSequence(res.packets)).toEqual(ruleSequence(golden));
        expect(hops(res.packets)).toEqual(hops(golden));
        expect(res.connected).toBe(result!.startsWith("OK"));
        if (res.connected) expect(res.peerSeenByServer).toBe(/peer=([\d.]+)/.exec(result!)?.[1]);
      });
    }
  });
}
