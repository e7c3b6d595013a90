// A simulated scenario's Docker host rebuilt as a kernel harness topology, and a scenario flow as
// a kernel flow. Shared by differential.test.ts, cases.test.ts and bench/run.ts.
import type { SimulationResult } from "../../src/result.js";
import type { KernelFlow, KernelTopology } from "./harness.js";

export const HOST_IP = "203.0.113.10";

/** IPv6 of the host's uplink and of the internet client (test/kernel/docker-ipv6.test.ts). */
export interface Uplink6 {
  address6: string; // cidr
  gateway6: string;
  external6: string;
}

export function topologyOf(result: SimulationResult, proxy: boolean, v6?: Uplink6): KernelTopology {
  const prefix = (cidr: string) => Number(cidr.split("/")[1]);
  return {
    host: { interfaces: [{ name: "eth0", address: `${HOST_IP}/24`, gateway: "203.0.113.1", ...(v6 ? { address6: v6.address6, gateway6: v6.gateway6 } : {}) }] },
    external: { ip: "198.51.100.7", ...(v6 ? { ip6: v6.external6 } : {}) },
    bridges: result.networks.map((n) => ({
      name: n.bridge, address: `${n.gateway}/${prefix(n.subnet)}`, hairpin: !proxy, routeLocalnet: !proxy,
      ...(n.subnet6 ? { address6: `${n.gateway6}/${prefix(n.subnet6)}` } : {}),
    })),
    containers: result.containers.flatMap((c) => {
      const i = c.interfaces[0];
      if (!i) return [];
      const net = result.networks.find((n) => n.name === i.network)!;
      const ip6 = i.ip6 && net.subnet6 ? { ip6: i.ip6, prefix6: prefix(net.subnet6), gateway6: net.gateway6 } : {};
      return [{ name: c.name, bridge: net.bridge, ip: i.ip, prefix: prefix(net.subnet), mac: i.mac, gateway: net.gateway, ...ip6 }];
    }),
    hostRules: result.rules.host!["iptables-save"],
    ...(v6 ? { hostRules6: result.rules.host!["ip6tables-save"] ?? "" } : {}),
    // the proxy emulation is IPv4 only: IPv6 bindings ("::") get none
    proxies: proxy
      ? result.containers.flatMap((c) =>
          c.ports.filter((p) => !p.hostIp.includes(":")).map((p) => ({ hostIp: p.hostIp, hostPort: p.hostPort, proto: p.proto as "tcp" | "udp", containerIp: c.interfaces[0]!.ip, containerPort: p.containerPort })),
        )
      : [],
    listeners: [],
  };
}

export function kernelFlowOf(result: SimulationResult, f: { from: string; to: string; proto?: string; family?: string }, v6?: Uplink6): KernelFlow {
  const bracket = /^\[(.+)\]:(\d+)$/.exec(f.to);
  if (bracket) return { from: f.from, dstIp: bracket[1]!, dstPort: Number(bracket[2]), proto: (f.proto ?? "tcp") as "tcp" | "udp" };
  const [target, port] = f.to.split(":");
  const ctr = result.containers.find((c) => c.name === target);
  if (f.family === "ipv6") {
    const dstIp = target === "host" ? v6!.address6.split("/")[0]! : target === "localhost" ? "::1" : ctr!.interfaces[0]!.ip6!;
    return { from: f.from, dstIp, dstPort: Number(port), proto: (f.proto ?? "tcp") as "tcp" | "udp" };
  }
  const dstIp = target === "host" ? HOST_IP : target === "localhost" ? "127.0.0.1" : ctr ? ctr.interfaces[0]!.ip : target!;
  return { from: f.from, dstIp, dstPort: Number(port), proto: (f.proto ?? "tcp") as "tcp" | "udp" };
}
