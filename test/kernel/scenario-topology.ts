// A simulated scenario's Docker host rebuilt as a kernel harness topology, and a scenario flow as
// a kernel flow. Shared by differential.test.ts, cases.test.ts and bench/run.ts.
import type { SimulationResult } from "../../src/result.js";
import type { KernelFlow, KernelTopology } from "./harness.js";

export const HOST_IP = "203.0.113.10";

export function topologyOf(result: SimulationResult, proxy: boolean): KernelTopology {
  const prefix = (cidr: string) => Number(cidr.split("/")[1]);
  return {
    host: { interfaces: [{ name: "eth0", address: `${HOST_IP}/24`, gateway: "203.0.113.1" }] },
    external: { ip: "198.51.100.7" },
    bridges: result.networks.map((n) => ({ name: n.bridge, address: `${n.gateway}/${prefix(n.subnet)}`, hairpin: !proxy, routeLocalnet: !proxy })),
    containers: result.containers.flatMap((c) => {
      const i = c.interfaces[0];
      if (!i) return [];
      const net = result.networks.find((n) => n.name === i.network)!;
      return [{ name: c.name, bridge: net.bridge, ip: i.ip, prefix: prefix(net.subnet), mac: i.mac, gateway: net.gateway }];
    }),
    hostRules: result.rules.host!["iptables-save"],
    proxies: proxy
      ? result.containers.flatMap((c) =>
          c.ports.map((p) => ({ hostIp: p.hostIp, hostPort: p.hostPort, proto: p.proto as "tcp" | "udp", containerIp: c.interfaces[0]!.ip, containerPort: p.containerPort })),
        )
      : [],
    listeners: [],
  };
}

export function kernelFlowOf(result: SimulationResult, f: { from: string; to: string; proto?: string }): KernelFlow {
  const [target, port] = f.to.split(":");
  const ctr = result.containers.find((c) => c.name === target);
  const dstIp = target === "host" ? HOST_IP : target === "localhost" ? "127.0.0.1" : ctr ? ctr.interfaces[0]!.ip : target!;
  return { from: f.from, dstIp, dstPort: Number(port), proto: (f.proto ?? "tcp") as "tcp" | "udp" };
}
