import { describe, expect, it } from "vitest";
import { fixture } from "./fixtures/load.js";
import { listColumns, renderIptablesL } from "./iptables-L.js";

describe("iptables -L -n -v", () => {
  const { scenario, result } = fixture("seed");
  const text = renderIptablesL(result, { scenario });

  it("counts every step hit: 60 bytes per TCP SYN / SYN-ACK", () => {
    // The seed's three flows (+ replies) go through DOCKER-USER 4 times in FORWARD.
    expect(text).toContain("    4   240 DOCKER-USER  all  --  *      *       0.0.0.0/0            0.0.0.0/0");
    expect(text).toContain("    1    60 DNAT       tcp  --  !docker0 *       0.0.0.0/0            0.0.0.0/0            tcp dpt:8543 to:172.17.0.2:8888");
    expect(text).toContain("    1    60 ACCEPT     tcp  --  !docker0 docker0  0.0.0.0/0            172.17.0.2           tcp dpt:8888");
    expect(text).toContain("Chain PREROUTING (policy ACCEPT 1 packets, 60 bytes)");
    expect(text).toContain("    1    60 MASQUERADE  all  --  *      !docker0  172.17.0.0/16        0.0.0.0/0");
  });

  it("heads user chains with their reference count and every chain with the column header", () => {
    expect(text).toContain("Chain DOCKER (1 references)\n pkts bytes target     prot opt in     out     source               destination         \n");
    expect(text).toMatch(/# iptables -t nat -L -n -v[\s\S]*Chain DOCKER \(2 references\)/);
  });

  it("totals match the steps of all traces", () => {
    const steps = result.traces.flatMap((t) => [...t.steps, ...(t.reply?.steps ?? [])]);
    const pkts = [...text.matchAll(/^ +(\d+) +\d+ /gm)].reduce((n, m) => n + Number(m[1]), 0);
    const policies = [...text.matchAll(/policy \w+ (\d+) packets/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(pkts + policies).toBe(steps.length);
  });

  it("prints negated addresses, multiport, comments and REJECT like iptables", () => {
    expect(listColumns('-A INPUT ! -s 10.0.0.0/8 -p udp -m multiport --dports 53,123 -m comment --comment "dns and ntp" -j REJECT --reject-with icmp-port-unreachable')).toMatchObject({
      target: "REJECT", prot: "udp", src: "!10.0.0.0/8", extra: ["multiport", "dports 53,123", "/* dns and ntp */", "reject-with icmp-port-unreachable"],
    });
  });
});
