// The rule index must never change what matches: compare with a plain first-match walk.
import { describe, expect, it } from "vitest";
import { parseIPv4 } from "../net/address.js";
import { runTable } from "./evaluate.js";
import { applyCommand } from "./interpreter.js";
import { Ruleset } from "./ruleset.js";
import type { NamespaceView, Packet } from "./types.js";

const ns: NamespaceView = { addrType: () => "UNICAST", sourceAddrFor: () => null, primaryAddr: () => null };

function packet(dport: number, dst: string, proto: "tcp" | "udp" = "tcp"): Packet {
  return {
    src: parseIPv4("10.0.0.1"), dst: parseIPv4(dst), proto, sport: 1234, dport, icmpType: 0, icmpCode: 0, tcpFlags: 2,
    in: "eth0", out: "docker0", physIn: null, physOut: null, mark: 0, ct: "NEW", ctDir: "ORIGINAL",
    ctMark: 0, ttl: 64, length: 60, srcMac: null,
  };
}

describe("chain index", () => {
  const rs = new Ruleset();
  const rules: string[] = [];
  for (let i = 0; i < 40; i++) {
    const proto = i % 5 === 0 ? "udp" : "tcp";
    const dst = i % 3 === 0 ? ` -d 172.17.0.${i % 7}` : "";
    const target = i % 4 === 0 ? "LOG" : i % 2 ? "ACCEPT" : "DROP";
    rules.push(`-p ${proto}${dst} --dport ${8000 + (i % 9)} -j ${target}`);
    if (i === 20) rules.push("-i eth0 -p tcp ! --dport 8003 -j LOG"); // an unindexed rule mid-run
  }
  for (const r of rules) expect(applyCommand(rs, ["-A", "FORWARD", ...r.split(" ")]).ok).toBe(true);
  const chain = rs.baseChain("filter", "FORWARD")!;

  it("hits exactly the rules a linear walk hits, in order", () => {
    for (let port = 7999; port <= 8010; port++)
      for (const dst of ["172.17.0.0", "172.17.0.3", "172.17.0.6", "10.9.9.9"])
        for (const proto of ["tcp", "udp"] as const) {
          const p = packet(port, dst, proto);
          const got = runTable(rs, "filter", "FORWARD", chain, { packet: p, ns, ctOrig: null, ctReply: null }, { left: 1e6 }).hits.map((h) => h.ruleNumber);
          const expected: (number | null)[] = [];
          for (const [i, r] of chain.rules.entries()) {
            const res = runTable(rs, "filter", "FORWARD", { ...chain, rules: [r], specs: new Map(), version: -1 - i }, { packet: p, ns, ctOrig: null, ctReply: null }, { left: 1e6 });
            if (res.hits[0]?.ruleNumber === 1) {
              expected.push(i + 1);
              if (res.hits[0].verdict !== "LOG") break;
            }
          }
          if (expected.length === 0 || chain.rules[(expected.at(-1) as number) - 1]!.spec.endsWith("LOG")) expected.push(null);
          expect(got, `${proto} ${dst}:${port}`).toEqual(expected);
        }
  });
});
