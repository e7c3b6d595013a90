import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";
import { checkResult } from "./check.js";
import { render } from "./formats.js";

// A pasted ip6tables-save for the host (as in src/net/ipv6.test.ts): its rules are in no iptables-save.
const V6_RULE = "-A DOCKER -d fd00:d0::2/128 ! -i docker0 -p tcp -m tcp --dport 80 -j ACCEPT";
const RULES6 = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
-A FORWARD -o docker0 -j DOCKER
${V6_RULE}
COMMIT
`;
const base: ScenarioInput = {
  docker: { version: "20.10" },
  daemon: { "fixed-cidr-v6": "fd00:d0::/64" },
  containers: [{ name: "web", expose: ["80"] }],
  rules: { host: { "ip6tables-save": RULES6 } },
};

describe("expect.rules searches any of the host's rule texts", () => {
  const scenario = (rules: Record<string, string[]>) => scenarioSchema.parse({ ...base, expect: { rules } });
  const result = simulate(scenario({}));
  const v6 = result.rules.host!["ip6tables-save"] ?? "";

  it("the scenario has ip6tables rules, not in iptables-save", () => {
    expect(v6).toContain(V6_RULE);
    expect(result.rules.host!["iptables-save"]).not.toContain("fd00:d0::2");
  });
  it("mustContain finds an ip6tables rule, mustNotContain reports it", () => {
    expect(checkResult(scenario({ mustContain: [V6_RULE] }), result).pass).toBe(true);
    const bad = checkResult(scenario({ mustNotContain: [V6_RULE] }), result);
    expect(bad.pass).toBe(false);
    expect(bad.failures[0]!.pointer).toBe("/expect/rules/mustNotContain/0");
  });
  it("ip6tables-save is an output format", () => {
    const out = render(result, "ip6tables-save");
    expect(out.contentType).toBe("text/plain; charset=utf-8");
    expect(out.body).toBe(v6);
  });
});

describe("expect.rules also searches nft rulesets", () => {
  it("firewall-backend nftables: mustContain matches the nft text", () => {
    const s = scenarioSchema.parse({ docker: { version: "29" }, daemon: { "firewall-backend": "nftables" }, host: { sysctl: { "net.ipv4.ip_forward": 1 } }, containers: [{ name: "web", ports: ["8080:80"] }], expect: { rules: { mustContain: ["tcp dport 8080 counter packets 0 bytes 0 dnat to 172.17.0.2:80"] } } });
    const r = simulate(s);
    expect(r.rules.host!.nft).toContain("tcp dport 8080 counter packets 0 bytes 0 dnat to 172.17.0.2:80");
    expect(checkResult(s, r).pass).toBe(true);
  });
});
