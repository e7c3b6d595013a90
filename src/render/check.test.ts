import { describe, expect, it } from "vitest";
import { scenarioSchema } from "../scenario/schema.js";
import { checkResult, normalizeSave } from "./check.js";
import { fixture } from "./fixtures/load.js";

const { scenario: seed, result } = fixture("seed");

function withExpect(flowExpect: Record<string, unknown>[], top?: Record<string, unknown>) {
  const raw = structuredClone(seed) as any;
  raw.flows = raw.flows.map((f: object, i: number) => ({ ...f, ...(flowExpect[i] ? { expect: flowExpect[i] } : {}) }));
  if (top) raw.expect = top;
  return scenarioSchema.parse(raw);
}

describe("checkResult", () => {
  it("passes when every expectation holds", () => {
    const s = withExpect(
      [
        { verdict: "delivered", deliveredTo: "web:8888", connects: true, passes: "-j DNAT --to-destination 172.17.0.2:8888" },
        { connects: true, passes: ["MASQUERADE"] },
        { deliveredTo: "172.17.0.2:8888" },
      ],
      { rules: { mustContain: ["-A DOCKER-USER -j RETURN"], mustNotContain: ["-j REJECT"] }, "iptables-save": result.rules.host!["iptables-save"].replace(/\[0:0\]/g, "[12:345]") },
    );
    const report = checkResult(s, result);
    expect(report).toMatchObject({ pass: true, checks: 10, failures: [] });
    expect(report.text).toBe("ok: 10 checks passed\n");
  });

  it("fails with pointers, and a unified diff for the golden rules", () => {
    const golden = result.rules.host!["iptables-save"].replace("-A DOCKER-USER -j RETURN", "-A DOCKER-USER -j DROP");
    const s = withExpect([{ verdict: "dropped", passes: "--dport 9999" }], { rules: { mustNotContain: ["MASQUERADE"] }, "iptables-save": golden });
    const report = checkResult(s, result);
    expect(report.pass).toBe(false);
    expect(report.failures.map((f) => f.pointer)).toEqual(["/flows/0/expect/verdict", "/flows/0/expect/passes", "/expect/rules/mustNotContain/0", "/expect/iptables-save"]);
    expect(report.text).toContain('FAIL /flows/0/expect/verdict: flow "internet to web": expected verdict dropped, got delivered to web 172.17.0.2:8888; connects');
    expect(report.text).toContain("    -A DOCKER-USER -j DROP\n    +-A DOCKER-USER -j RETURN".replace("    -A", "    --A"));
    expect(report.text.endsWith("4 of 4 checks failed\n")).toBe(true);
  });

  it("ignores comments and counters in golden rules", () => {
    expect(normalizeSave("# Generated\n*filter\n:INPUT ACCEPT [3:180]\nCOMMIT\n# Completed\n")).toBe("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n");
  });
});
