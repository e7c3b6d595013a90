import { describe, expect, it } from "vitest";
import { fixture } from "./fixtures/load.js";
import { renderWalkthrough } from "./walkthrough.js";

describe("walkthrough", () => {
  const { scenario, result } = fixture("seed");
  const text = renderWalkthrough(result, { scenario });
  it("walks each flow chain by chain", () => {
    expect(text).toMatch(/^Docker 20\.10\.24\n\nFlow "internet to web" \(tcp\)\n  result: delivered to web 172\.17\.0\.2:8888; connects\n/);
    expect(text).toContain("  [host] PREROUTING hook, nat table\n    packet: tcp 198.51.100.7:40000 -> 203.0.113.10:8543, in eth0, ct NEW\n    chain PREROUTING\n      rule 1: -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n        -> jump to DOCKER\n");
    expect(text).toContain("no rule decided: chain policy ACCEPT");
  });
  it("says what NAT changed, right after the rule that did it", () => {
    expect(text).toContain("-j DNAT --to-destination 172.17.0.2:8888\n        -> DNAT\n        changed by the last rule: destination 203.0.113.10:8543 -> 172.17.0.2:8888\n");
    expect(text).toContain("-> MASQUERADE\n        changed by the last rule: source 172.17.0.2:40001 -> 203.0.113.10:40001\n");
    expect(text.match(/changed by the last rule/g)).toHaveLength(2);
  });
});
