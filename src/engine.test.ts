// The seed post's example end to end: `docker run -p 8543:8888` on the default bridge.
import { describe, expect, it } from "vitest";
import { simulate } from "./engine.js";
import { scenarioSchema } from "./scenario/schema.js";
import { EngineError } from "./errors.js";

const flows = [
  { name: "internet to web", from: "external", to: "host:8543" },
  { name: "web to internet", from: "web", to: "198.51.100.7:443" },
  { name: "host to localhost", from: "host", to: "localhost:8543" },
];
const json = scenarioSchema.parse({ docker: { version: "20.10" }, containers: [{ name: "web", ports: ["8543:8888"] }], flows });

describe("seed scenario", () => {
  const r = simulate(json, { id: "t" });
  it("has the seed post's rule lines verbatim", () => {
    const save = r.rules.host!["iptables-save"];
    for (const line of [
      "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
      "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8543 -j DNAT --to-destination 172.17.0.2:8888",
      "-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 8888 -j ACCEPT",
    ])
      expect(save.split("\n")).toContain(line);
  });
  it("addresses the container like Docker", () => {
    expect(r.docker).toEqual({ version: "20.10.24", family: "20.10" });
    expect(r.containers[0]!.interfaces[0]).toMatchObject({ network: "bridge", name: "eth0", ip: "172.17.0.2", mac: "02:42:ac:11:00:02" });
    expect(r.containers[0]!.ports).toEqual([{ hostIp: "0.0.0.0", hostPort: 8543, containerPort: 8888, proto: "tcp" }]);
  });
  it("DNATs the internet client through FORWARD to the container", () => {
    const t = r.traces[0]!;
    expect(t).toMatchObject({ verdict: "delivered", connects: true, deliveredTo: { namespace: "web", ip: "172.17.0.2", port: 8888 } });
    const dnat = t.steps.find((s) => s.verdict === "DNAT")!;
    expect(dnat).toMatchObject({ hook: "PREROUTING", table: "nat", chain: "DOCKER", ruleNumber: 2 });
    expect(dnat.packet).toMatchObject({ src: "198.51.100.7", dst: "172.17.0.2", dport: 8888, in: "eth0", ct: "NEW" });
    expect(t.steps.map((s) => `${s.chain}:${s.verdict}`)).toEqual([
      "PREROUTING:JUMP:DOCKER", "DOCKER:DNAT", "FORWARD:JUMP:DOCKER-USER", "DOCKER-USER:RETURN",
      "FORWARD:JUMP:DOCKER-ISOLATION-STAGE-1", "DOCKER-ISOLATION-STAGE-1:RETURN", "FORWARD:JUMP:DOCKER", "DOCKER:ACCEPT",
      "POSTROUTING:policy ACCEPT",
    ]);
    expect(t.reply!.steps.every((s) => s.packet.ct === "ESTABLISHED")).toBe(true);
  });
  it("masquerades the container's outbound connection behind eth0", () => {
    const masq = r.traces[1]!.steps.find((s) => s.verdict === "MASQUERADE")!;
    expect(masq.packet).toMatchObject({ src: "203.0.113.10", dst: "198.51.100.7", out: "eth0" });
    expect(r.traces[1]!.connects).toBe(true);
  });
  it("reaches localhost:8543 through docker-proxy, not DNAT", () => {
    const t = r.traces[2]!;
    expect(t.steps.some((s) => s.verdict === "DNAT")).toBe(false);
    expect(t.hops.some((h) => h.event === "proxy")).toBe(true);
    expect(t.deliveredTo).toEqual({ namespace: "web", ip: "172.17.0.2", port: 8888 });
    expect(t.steps.at(-1)!.packet).toMatchObject({ src: "172.17.0.1", dst: "172.17.0.2", out: "docker0" });
  });
  it("gives the same answer for the tutorial's docker command", () => {
    const cmd = scenarioSchema.parse({ docker: { version: "20.10" }, commands: ["docker run -d --name web -p 8543:8888 image"], flows });
    expect(simulate(cmd, { id: "t" })).toEqual(r);
  });
  it("is deterministic", () => expect(JSON.stringify(simulate(json, { id: "t" }))).toBe(JSON.stringify(r)));
});

describe("impossible scenarios and budgets", () => {
  const fail = (s: unknown, budget?: number): EngineError => {
    try {
      simulate(scenarioSchema.parse(s), { budget });
    } catch (e) {
      return e as EngineError;
    }
    throw new Error("expected an error");
  };
  it("names both containers of a port conflict", () => {
    const e = fail({ containers: [{ name: "a", ports: ["80:80"] }, { name: "b", ports: ["80:8080"] }] });
    expect(e.status).toBe(422);
    expect(e.errors[0]!.pointer).toBe("/containers/1/ports/0");
    expect(e.errors[0]!.message).toMatch(/"b".*"a"/);
  });
  it("rejects unsupported versions and unknown networks with their pointer", () => {
    expect(fail({ docker: { version: "19.03" } }).errors[0]!.pointer).toBe("/docker/version");
    expect(fail({ containers: [{ name: "a", network: "nope" }] }).errors[0]!.pointer).toBe("/containers/0/network");
    expect(fail({ flows: [{ from: "nobody", to: "host:80" }] }).errors[0]!.pointer).toBe("/flows/0/from");
  });
  it("stops at the step budget instead of running on", () => {
    const e = fail({ containers: [{ name: "w", ports: ["80:80"] }], flows: [{ from: "external", to: "host:80" }] }, 5);
    expect(e.type).toMatch(/budget-exceeded/);
  });
});

describe("flows of an established connection", () => {
  const r = simulate(
    scenarioSchema.parse({
      docker: { version: "20.10" }, // family A's FORWARD rules (no raw table)
      containers: [{ name: "web", ports: ["8543:8888"] }],
      flows: [{ from: "external", to: "host:8543", state: "established" }, { from: "web", to: "198.51.100.7:443", state: "established" }],
    }),
  );
  it("skips the nat table and hits the conntrack rules, with the NAT of the first packet", () => {
    const inbound = r.traces[0]!;
    expect(inbound.steps.every((s) => s.table !== "nat")).toBe(true);
    expect(inbound.steps.every((s) => s.packet.ct === "ESTABLISHED")).toBe(true);
    expect(inbound.steps[0]!.packet).toMatchObject({ dst: "172.17.0.2", dport: 8888 });
    expect(inbound.deliveredTo).toEqual({ namespace: "web", ip: "172.17.0.2", port: 8888 });
    const outbound = r.traces[1]!;
    expect(outbound.steps.at(-1)).toMatchObject({ chain: "FORWARD", verdict: "ACCEPT", rule: "-A FORWARD -i docker0 ! -o docker0 -j ACCEPT" });
    expect(outbound.reply!.steps.at(-1)).toMatchObject({ rule: "-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT" });
    expect(outbound.reply!.steps[0]!.packet).toMatchObject({ dst: "172.17.0.2" });
  });
});

describe("an ICMP error is RELATED to the connection it answers", () => {
  const rules = [
    "*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
    "-A PREROUTING -i eth0 -p udp -m udp --dport 9999 -j DNAT --to-destination 172.17.0.2:7777", "COMMIT",
    "*filter", ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]",
    "-A FORWARD -m conntrack --ctstate RELATED -j LOG --log-prefix related",
    "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    "-A FORWARD -o docker0 -p udp -j ACCEPT", "COMMIT", "",
  ].join("\n");
  const r = simulate(
    scenarioSchema.parse({
      containers: [{ name: "web" }],
      rules: { host: { "iptables-save": rules } },
      flows: [{ from: "external", to: "host:9999", proto: "udp" }],
    }),
  );
  it("reaches the closed port, and the port-unreachable goes back through the conntrack rules", () => {
    const t = r.traces[0]!;
    expect(t).toMatchObject({ verdict: "delivered", connects: false, deliveredTo: { namespace: "web", port: 7777 } });
    expect(t.reply!.verdict).toBe("delivered");
    const related = t.reply!.steps.filter((s) => s.packet.ct === "RELATED").map((s) => s.rule);
    expect(related).toEqual([
      "-A FORWARD -m conntrack --ctstate RELATED -j LOG --log-prefix related",
      "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    ]);
  });
});
