import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { scenarioSchema } from "../scenario/schema.js";
import { render } from "./formats.js";

const result = simulate(
  // Family A's rules (no raw table, skip-DNAT RETURN as nat DOCKER rule 1).
  scenarioSchema.parse({ docker: { version: "20.10" }, containers: [{ name: "web", ports: ["8543:8888"] }], flows: [{ name: "in", from: "external", to: "host:8543" }] }),
);

describe("xtables-monitor style trace", () => {
  it("prints one PACKET per traversal and the kernel's rule lines", () => {
    const text = render(result, "trace").body;
    const lines = text.split("\n");
    expect(lines[0]).toBe("# flow: in");
    expect(lines[2]).toMatch(/^PACKET: 2 [0-9a-f]{8} IN=eth0 SRC=198\.51\.100\.7 DST=203\.0\.113\.10 SPORT=40000 DPORT=8543 CT=NEW$/);
    expect(lines[3]).toMatch(/^ TRACE: 2 [0-9a-f]{8} nat:PREROUTING:rule:1:JUMP:DOCKER  -4 -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER$/);
    expect(text).toContain("nat:DOCKER:rule:2:ACCEPT  -4 -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8543 -j DNAT --to-destination 172.17.0.2:8888");
    expect(text).toMatch(/nat:POSTROUTING:policy:ACCEPT/);
    expect(lines.filter((l) => l.startsWith("PACKET:")).length).toBeGreaterThanOrEqual(3);
  });
  it("prints the packet as it entered the chain, before its first rule's NAT (as in the real 20.10 trace)", () => {
    // shared/oracle/golden/b-publish-8543/traces/02-ctr-to-external.txt: the PACKET line before
    // "nat:POSTROUTING:rule:…MASQUERADE" still has the container's address.
    const out = simulate(scenarioSchema.parse({
      docker: { version: "20.10" }, containers: [{ name: "web" }], flows: [{ name: "out", from: "web", to: "198.51.100.7:80" }],
    }));
    const lines = render(out, "trace").body.split("\n");
    const masq = lines.findIndex((l) => l.includes("nat:POSTROUTING:rule:") && l.includes("MASQUERADE"));
    expect(lines[masq - 1]).toMatch(/^PACKET: .*OUT=eth0 SRC=172\.17\.0\.2 DST=198\.51\.100\.7 /);
    expect(out.traces[0]!.steps.find((s) => s.verdict === "MASQUERADE")!.packet.src).toBe("203.0.113.10");
  });
  it("prints the host's iptables-save as text", () => {
    expect(render(result, "iptables-save").body).toBe(result.rules.host!["iptables-save"]);
  });
});
