// Version resolution and what families B, D and E change beyond the rule text the moby goldens
// check (test/golden/moby.test.ts): ip6tables, MACs, port order, routed bindings, IPAM.
import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";
import { buildDocker } from "./model.js";
import { resolveVersion } from "./version.js";

const run = (input: ScenarioInput) => simulate(scenarioSchema.parse(input));
const docker = (input: ScenarioInput) => buildDocker(scenarioSchema.parse(input));

describe("docker.version", () => {
  it("defaults to the newest release and resolves lines and minors", () => {
    expect(resolveVersion(undefined)).toMatchObject({ version: "29.7.2", family: "29", dialect: "E" });
    expect(resolveVersion("27")).toMatchObject({ version: "27.5.1", dialect: "B" });
    expect(resolveVersion("28")).toMatchObject({ version: "28.5.2", dialect: "D" });
    expect(resolveVersion("28.0").version).toBe("28.0.4");
    expect(resolveVersion("28.1.1").dialect).toBe("D");
    expect(resolveVersion("26").dialect).toBe("A");
  });
  it("28.0.0 alone is family C (ipsets); \"28.0\" means the newest 28.0.x", () => {
    expect(resolveVersion("28.0.0").dialect).toBe("C");
    expect(resolveVersion("28.0").dialect).toBe("D");
  });
});

describe("ip6tables for IPv4-only networks", () => {
  it("27: isolation for every bridge, FORWARD DROP, DOCKER-USER; no ip6tables before 27", () => {
    const v6 = run({ docker: { version: "27" } }).rules.host!["ip6tables-save"]!;
    expect(v6).toContain(":FORWARD DROP [0:0]");
    expect(v6).toContain("-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2");
    expect(v6).toContain("-A DOCKER-USER -j RETURN");
    expect(run({ docker: { version: "26" } }).rules.host!["ip6tables-save"]).toBe("");
    expect(run({ docker: { version: "29" }, daemon: { ip6tables: false } }).rules.host!["ip6tables-save"]).toBe("");
  });
  it("29: chains and DOCKER-USER only, policy untouched, commands logged as ip6tables", () => {
    const host = run({ docker: { version: "29" } }).rules.host!;
    expect(host["ip6tables-save"]).toContain(":FORWARD ACCEPT [0:0]");
    expect(host["ip6tables-save"]).toContain("-A DOCKER-FORWARD -j DOCKER-INTERNAL");
    expect(host.commands!.some((c) => c.startsWith("ip6tables --wait -t filter -N DOCKER-USER"))).toBe(true);
  });
});

describe("container MACs", () => {
  it("are 02:42 + IPv4 up to 27, then derived from container and network names: locally administered unicast", () => {
    const mac = (version: string) => docker({ docker: { version }, containers: [{ name: "web" }] }).containers[0]!.endpoints[0]!.mac;
    expect(mac("27")).toBe("02:42:ac:11:00:02");
    const m = mac("28");
    expect(m).toBe(mac("29"));
    expect(m).not.toMatch(/^02:42/);
    const first = parseInt(m.slice(0, 2), 16);
    expect(first & 1).toBe(0);
    expect(first & 2).toBe(2);
  });
});

describe("port bindings from 27", () => {
  it("are sorted (exact before ephemeral, then container port) before ephemeral ports are allocated", () => {
    const ports = (version: string) =>
      docker({ docker: { version }, containers: [{ name: "web", ports: ["90", "9000:90", "81", "8080:80/udp", "8080:80"] }] }).containers[0]!.ports.map(
        (p) => `${p.hostPort}:${p.containerPort}/${p.proto}`,
      );
    expect(ports("27")).toEqual(["8080:80/tcp", "8080:80/udp", "9000:90/tcp", "32768:81/tcp", "32769:90/tcp"]);
    // up to 26: nat.SortPortMap (host port or container port greater, or tcp on the same port number, first; Go's insertion sort),
    // grouped by container port; checked against real 20.10 in test/golden/docker-20.10 (g21, g22, g24, g33)
    expect(ports("26")).toEqual(["9000:90/tcp", "32768:90/tcp", "8080:80/tcp", "8080:80/udp", "32769:81/tcp"]);
  });
  it("get no host port on a routed network (no DNAT, no docker-proxy), only the filter ACCEPT", () => {
    const r = run({
      docker: { version: "28" },
      networks: [{ name: "r", options: { "com.docker.network.bridge.gateway_mode_ipv4": "routed" } }],
      containers: [{ name: "web", network: "r", ports: ["8080:80"] }],
    });
    expect(r.containers[0]!.ports[0]!.hostPort).toBe(0);
    expect(r.rules.host!["iptables-save"]).not.toContain("DNAT");
    expect(r.rules.host!["iptables-save"]).toContain("-A DOCKER -d 172.18.0.2/32 ! -i br-");
  });
});

describe("options by version", () => {
  it("gateway modes exist from 27 (nat-unprotected from 28)", () => {
    const net = (version: string, mode: string) => () =>
      docker({ docker: { version }, networks: [{ name: "n", options: { "com.docker.network.bridge.gateway_mode_ipv4": mode } }] });
    expect(net("26", "routed")).toThrow(/from Docker 27/);
    expect(net("27", "nat-unprotected")).toThrow(/not one of nat, routed/);
    expect(net("28", "nat-unprotected")).not.toThrow();
  });
  it("--allow-direct-routing drops the per-container raw rule (28.2+)", () => {
    const save = (d: ScenarioInput["daemon"]) => run({ docker: { version: "28.5.2" }, daemon: d, containers: [{ name: "web" }] }).rules.host!["iptables-save"];
    expect(save({})).toContain("-A PREROUTING -d 172.17.0.2/32 ! -i docker0 -j DROP");
    expect(save({ "allow-direct-routing": true })).not.toContain("-A PREROUTING -d 172.17.0.2/32");
  });
});
