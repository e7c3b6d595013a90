import { describe, expect, it } from "vitest";
import { diffResults, renderResultDiff, unifiedDiff } from "./diff.js";
import { fixture } from "./fixtures/load.js";

describe("unifiedDiff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n")).toBe("");
  });
  it("writes diff -u hunks with 3 lines of context", () => {
    const a = `${Array.from({ length: 20 }, (_, i) => String(i + 1)).join("\n")}\n`;
    const b = a.replace("\n5\n", "\nfive\n").replace("\n20\n", "\n20\n21\n");
    expect(unifiedDiff(a, b, "old", "new")).toBe("--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n@@ -18,3 +18,4 @@\n 18\n 19\n 20\n+21\n");
  });
  it("merges changes closer than twice the context", () => {
    expect(unifiedDiff("1\n2\n3\n4\n5\n6\n7\n8\n", "x\n2\n3\n4\n5\n6\n7\ny\n")).toBe("--- a\n+++ b\n@@ -1,8 +1,8 @@\n-1\n+x\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+y\n");
  });
  it("handles insertions into an empty text", () => {
    expect(unifiedDiff("", "x\n")).toBe("--- a\n+++ b\n@@ -0,0 +1,1 @@\n+x\n");
  });
});

describe("diffResults", () => {
  it("reports no change for the same result", () => {
    const { result } = fixture("seed");
    const d = diffResults(result, result);
    expect(d.same).toBe(true);
    expect(d.traces.every((t) => !t.changed)).toBe(true);
  });
  it("shows a changed rule and a changed verdict", () => {
    const { result } = fixture("seed");
    const b = structuredClone(result);
    b.rules.host!["iptables-save"] = b.rules.host!["iptables-save"].replace("-A DOCKER-USER -j RETURN", "-A DOCKER-USER -j DROP");
    b.traces[0]!.verdict = "dropped";
    b.traces[0]!.connects = false;
    const d = diffResults(result, b);
    expect(d.same).toBe(false);
    expect(d.rules.diff).toContain("--- a/iptables-save\n+++ b/iptables-save\n");
    expect(d.rules.diff).toContain("\n--A DOCKER-USER -j RETURN\n+-A DOCKER-USER -j DROP\n");
    expect(d.traces[0]).toMatchObject({ changed: true, a: { verdict: "delivered" }, b: { verdict: "dropped", connects: false } });
    const text = renderResultDiff(d);
    expect(text).toContain("# flow internet to web: changed\n-delivered to web 172.17.0.2:8888; connects\n+dropped to web 172.17.0.2:8888; does not connect");
    expect(text).toContain("# flow web to internet: same");
  });
});

describe("diffResults beyond iptables-save", () => {
  it("reports ip6tables-save, nft and ipset differences instead of 'rules: identical'", () => {
    const { result } = fixture("seed");
    const b = structuredClone(result);
    b.rules.host!["ip6tables-save"] = "*filter\n:FORWARD DROP [0:0]\nCOMMIT\n";
    const d = diffResults(result, b);
    expect(d.same).toBe(false);
    expect(d.rules.diff).toContain("--- a/ip6tables-save\n+++ b/ip6tables-save\n");
    expect(renderResultDiff(d)).not.toContain("rules: identical");
    const c = structuredClone(result);
    c.rules.host!.nft = "table ip docker-bridges {\n}\n";
    expect(diffResults(result, c).rules.diff).toContain("+++ b/nft\n");
  });

  it("20.10 vs 27: the ip6tables rules differ (27 turns ip6tables on)", async () => {
    const { simulate } = await import("../engine.js");
    const { scenarioSchema } = await import("../scenario/schema.js");
    const at = (version: string) => simulate(scenarioSchema.parse({ docker: { version }, networks: [{ name: "v6", subnet6: "fd00:1::/64" }], containers: [{ name: "web", network: "v6", ports: ["8080:80"] }] }));
    const d = diffResults(at("20.10"), at("27"));
    expect(d.rules.diff).toMatch(/\+\+\+ b\/ip6tables-save\n[^]*\n\+-A DOCKER /);
  });
});
