// The user's own iptables lines (Docker docs "Packet filtering and firewalls", DOCKER-USER).
import { describe, expect, it } from "vitest";
import { engineErrorOf } from "../../test/engine-error.js";
import { simulate } from "../engine.js";
import { importCommands } from "./commands.js";
import { scenarioSchema, type ScenarioInput } from "./schema.js";

const DOCS = "iptables -I DOCKER-USER -i eth0 ! -s 192.168.1.1 -j DROP";
const run = (s: ScenarioInput) => simulate(scenarioSchema.parse({ docker: { version: "20.10" }, ...s }));
const errorOf = (s: ScenarioInput) => engineErrorOf(() => run(s));

describe("iptables lines in commands", () => {
  it("reads iptables/ip6tables lines (sudo, -t, --wait) as operations in order, skipping listings", () => {
    const r = importCommands(["docker run -d -p 8080:80 --name web nginx", `sudo ${DOCS}`, "iptables -w -t nat -L -n", "ip6tables --wait -W 100000 -A DOCKER-USER -j RETURN"]);
    expect(r.ops.map((o) => o.op)).toEqual(["create", "iptables", "iptables"]);
    expect(r.ops[1]).toEqual({ op: "iptables", at: "/commands/1", binary: "iptables", argv: DOCS.split(" ").slice(1) });
    expect(r.ops[2]).toEqual({ op: "iptables", binary: "ip6tables", at: "/commands/3", argv: ["--wait", "-A", "DOCKER-USER", "-j", "RETURN"] });
  });

  it("applies the docs' DOCKER-USER example: an external client is dropped, 192.168.1.1 gets through", () => {
    const flows = [{ from: "external", to: "host:8080" }, { from: "192.168.1.1", to: "host:8080" }];
    const r = run({ commands: ["docker run -d -p 8080:80 --name web nginx", DOCS], flows });
    expect(r.rules.host!["iptables-save"]).toContain("-A DOCKER-USER ! -s 192.168.1.1/32 -i eth0 -j DROP\n-A DOCKER-USER -j RETURN");
    expect(r.rules.host!.commands!.at(-1)).toBe(`${DOCS}   # user (/commands/1)`);
    const [ext, friend] = r.traces;
    expect(ext).toMatchObject({ verdict: "dropped" });
    expect(ext!.steps.at(-1)).toMatchObject({ chain: "DOCKER-USER", verdict: "DROP" });
    expect(friend).toMatchObject({ verdict: "delivered", deliveredTo: { namespace: "web", port: 80 } });
  });

  it("keeps the user's DOCKER-USER rule when a later network create re-arranges the jump", () => {
    const r = run({ commands: [DOCS, "docker network create app", "docker run -d --network app -p 8080:80 --name web nginx"], flows: [{ from: "external", to: "host:8080" }] });
    const save = r.rules.host!["iptables-save"];
    expect(save.match(/^-A DOCKER-USER .*$/gm)).toEqual(["-A DOCKER-USER ! -s 192.168.1.1/32 -i eth0 -j DROP", "-A DOCKER-USER -j RETURN"]);
    expect(save).toMatch(/:FORWARD DROP \[0:0\][^]*?\n-A FORWARD -j DOCKER-USER\n/);
    expect(r.traces[0]).toMatchObject({ verdict: "dropped" });
  });

  it("runs host.iptables (the JSON form) after Docker's rules, ip6tables too", () => {
    const r = run({ containers: [{ name: "web", ports: ["8080:80"] }], host: { iptables: [DOCS, "ip6tables -A INPUT -p tcp --dport 22 -j DROP"] }, flows: [{ from: "external", to: "host:8080" }] });
    expect(r.traces[0]).toMatchObject({ verdict: "dropped" });
    expect(r.rules.host!["ip6tables-save"]).toContain("-A INPUT -p tcp -m tcp --dport 22 -j DROP");
    expect(r.rules.host!.commands!.slice(-2)).toEqual([`${DOCS}   # user (/host/iptables/0)`, "ip6tables -A INPUT -p tcp --dport 22 -j DROP   # user (/host/iptables/1)"]);
  });

  it("is a 422 at the line with iptables' own error (no such chain, bad rule)", () => {
    const e = errorOf({ commands: ["iptables -A NOPE -j DROP"] });
    expect(e.status).toBe(422);
    // iptables v1.8.9 (nf_tables) prints exactly this (checked in a scratch netns)
    expect(e.errors).toEqual([{ pointer: "/commands/0", message: "iptables: No chain/target/match by that name." }]);
    const bad = errorOf({ host: { iptables: ["-A DOCKER-USER -p tcp --dport x -j DROP"] } });
    expect(bad.errors[0]!.pointer).toBe("/host/iptables/0");
    expect(bad.status).toBe(422);
    expect(errorOf({ commands: ["iptables"] }).errors[0]!.pointer).toBe("/commands/0");
  });

  it("refuses user commands next to pasted host rules (which replace them), and works without dockerd's iptables", () => {
    const pasted = { host: { "iptables-save": "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n" } };
    expect(errorOf({ rules: pasted, commands: [DOCS] }).errors[0]).toMatchObject({ pointer: "/commands/0", message: expect.stringContaining("rules.host.iptables-save") });
    expect(errorOf({ rules: pasted, host: { iptables: ["ip6tables -A INPUT -j DROP"] } }).errors[0]!.pointer).toBe("/host/iptables/0");
    const off = run({ daemon: { iptables: false }, host: { iptables: ["-A INPUT -p tcp --dport 22 -j DROP"] }, flows: [{ from: "external", to: "host:22" }] });
    expect(off.traces[0]).toMatchObject({ verdict: "dropped" });
  });
});
