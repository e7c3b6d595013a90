import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import type { Trace } from "../result.js";
import { scenarioSchema } from "../scenario/schema.js";
import { renderWalkthrough } from "./walkthrough.js";
import { entryPacket, previousStep, renderSteps } from "./xtables.js";

type Step = Trace["steps"][number];
const step = (namespace: string, hook: string, table: string, chain: string, rule: string | null, verdict: string, packet: Partial<Step["packet"]>): Step =>
  ({ namespace, hook, table, chain, rule, ruleNumber: rule ? 1 : null, verdict, packet: { src: "", sport: null, dst: "", dport: null, in: null, out: null, ct: "NEW", ...packet } }) as Step;

// A swarm task's REDIRECT: the previous step is the ingress namespace's, the same packet.
const host = step("ingress_sbox", "POSTROUTING", "nat", "POSTROUTING", null, "policy ACCEPT", { src: "10.0.0.2", sport: 40000, dst: "10.0.0.7", dport: 8080 });
const redirect = step("web.1", "PREROUTING", "nat", "PREROUTING", "-A PREROUTING -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 80", "REDIRECT", { src: "10.0.0.2", sport: 40000, dst: "10.0.0.7", dport: 80, in: "eth0" });

describe("the packet as it entered the hook", () => {
  it("a first-rule REDIRECT after another namespace's step shows the port before it", () => {
    expect(entryPacket(redirect, host)).toMatchObject({ dport: 8080 });
    expect(renderSteps("f", [host, redirect]).find((l) => l.includes("IN=eth0"))).toContain("DPORT=8080");
  });
  it("a VXLAN outer packet is not the same packet: no borrowing", () => {
    const outer = step("host", "OUTPUT", "filter", "OUTPUT", null, "policy ACCEPT", { src: "192.168.1.10", sport: 4789, dst: "192.168.1.11", dport: 4789, proto: "udp" });
    expect(entryPacket(redirect, outer)).toMatchObject({ dport: 80 });
    expect(previousStep([host, outer, redirect], 2)).toBe(host);
  });
  it("the walkthrough shows it too, and the change against it", () => {
    const t = { name: "f", verdict: "delivered", connects: true, steps: [host, redirect] } as unknown as Trace;
    const text = renderWalkthrough({ traces: [t] } as never, {});
    expect(text).toMatch(/\[web\.1\] PREROUTING hook, nat table\n\s+packet: .*:8080/);
    expect(text).toMatch(/changed by the last rule: .*80/);
  });
  it("ip6tables rules print -6", () => {
    const s = step("host", "FORWARD", "filter", "FORWARD", "-A FORWARD -j DOCKER-USER", "JUMP:DOCKER-USER", { src: "fd00::2", sport: 1, dst: "fd00::3", dport: 80 });
    expect(renderSteps("f", [s]).at(-1)).toContain(" -6 -t filter -A FORWARD");
    expect(renderSteps("f", [host, redirect]).at(-1)).toContain(" -4 -t nat");
  });
});

describe("swarm routing mesh across VXLAN (examples/swarm-ingress.json, flow 1)", () => {
  const ex = JSON.parse(readFileSync(new URL("../../examples/swarm-ingress.json", import.meta.url), "utf8"));
  const r = simulate(scenarioSchema.parse(ex), { id: "t" });
  const one = { ...r, traces: [r.traces[0]!] };
  it("walkthrough: outer packets are udp, the task's REDIRECT starts from :8080", () => {
    const text = renderWalkthrough(one, {});
    expect(text).toContain("packet: udp 203.0.113.10:");
    expect(text).not.toMatch(/tcp [\d.]+:\d+ -> [\d.]+:4789/);
    expect(text).toMatch(/\[web\.2\] PREROUTING hook, nat table\n\s+packet: tcp 10\.0\.0\.2:40000 -> 10\.0\.0\.6:8080/);
    expect(text).toContain("changed by the last rule: destination 10.0.0.6:8080 -> 10.0.0.6:80");
  });
  it("trace: the REDIRECT traversal's PACKET line has DPORT=8080", () => {
    const lines = renderSteps("mesh", r.traces[0]!.steps);
    const k = lines.findIndex((l) => l.includes("-j REDIRECT --to-ports 80"));
    expect(lines[k - 1]).toMatch(/^PACKET: .*DST=10\.0\.0\.6 SPORT=40000 DPORT=8080 /);
  });
});
