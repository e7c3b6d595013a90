// Byte-for-byte comparison with real Docker 20.10.24 (Debian docker.io) captures: each step's
// docker commands, replayed through nfplay, must give the iptables-save the daemon left.
// Only "#" lines differ (timestamps), and bridge names, which Docker draws at random.
// Captured with test/golden/capture/capture.sh (see its README); addresses, MACs and host ports
// are compared with docker inspect too. known-divergence/ holds captures nfplay does not match yet.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { scenarioSchema } from "../../src/scenario/schema.js";

const ROOT = join(import.meta.dirname, "docker-20.10");

interface Step {
  scenario: string;
  step: string;
  dir: string;
}

/** Scenarios nfplay does not match yet: known-divergence/<scenario>/, with the reason in REASON. */
const KNOWN = join(ROOT, "known-divergence");

function steps(root: string): Step[] {
  return readdirSync(root)
    .filter((scenario) => scenario !== "known-divergence" && statSync(join(root, scenario)).isDirectory())
    .sort()
    .flatMap((scenario) =>
      readdirSync(join(root, scenario))
        .filter((s) => /^\d\d-/.test(s))
        .sort()
        .map((step) => ({ scenario, step, dir: join(root, scenario, step) })),
    );
}

/** Commands of this step and all earlier ones, with the daemon flags as a dockerd line. */
function commandsUpTo(all: Step[], target: Step): { commands: string[]; sysctl: Record<string, string> } {
  const lines: string[] = [];
  const sysctl: Record<string, string> = {};
  for (const s of all.filter((x) => x.scenario === target.scenario && x.step <= target.step)) {
    const text = readFileSync(join(s.dir, "commands.sh"), "utf8");
    for (const line of text.split("\n")) {
      const flags = /^# daemon flags: ?(.*)$/.exec(line);
      // the host's sysctls before dockerd started (test/golden/capture sets them in the netns)
      const host = /^# host sysctl: ([\w.-]+)=(.*)$/.exec(line);
      if (host) sysctl[host[1]!] = host[2]!.trim();
      else if (flags && lines.length === 0) lines.push(`dockerd ${flags[1]}`.trim());
      else if (line.trim() && !line.startsWith("#")) lines.push(line);
    }
  }
  return { commands: lines, sysctl };
}

function realBridgeNames(dir: string): Map<string, string> {
  const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
  return new Map(summary.networks.filter((n: any) => n.bridge).map((n: any) => [n.name, n.bridge]));
}

const ALL = steps(ROOT);
const DIVERGING = existsSync(KNOWN) ? steps(KNOWN) : [];

function simulated(all: Step[], s: Step) {
  const { commands, sysctl } = commandsUpTo(all, s);
  const scenario = scenarioSchema.parse({
    docker: { version: "20.10.24" },
    ...(Object.keys(sysctl).length ? { host: { sysctl } } : {}),
    commands,
  });
  return simulate(scenario);
}

function ours(all: Step[], s: Step): string {
  const result = simulated(all, s);
  let text = result.rules.host!["iptables-save"];
  const real = realBridgeNames(s.dir);
  for (const n of result.networks) text = text.replaceAll(n.bridge, real.get(n.name) ?? n.bridge);
  return text;
}

function expected(s: Step): string {
  return readFileSync(join(s.dir, "iptables-save.txt"), "utf8").split("\n").filter((l) => !l.startsWith("#")).join("\n");
}

/** What docker inspect reported (summary.json) next to what nfplay chose: subnets, addresses, MACs, host ports. */
function addressing(all: Step[], s: Step): { real: string[]; ours: string[] } {
  const summary = JSON.parse(readFileSync(join(s.dir, "summary.json"), "utf8"));
  const result = simulated(all, s);
  const real: string[] = [];
  for (const n of summary.networks) if (n.bridge) for (const c of n.ipam_config) real.push(`network ${n.name} ${c.Subnet}${c.Gateway ? ` gw ${c.Gateway}` : ""}`);
  for (const c of summary.containers) {
    for (const [net, e] of Object.entries<any>(c.networks)) if (e.ip) real.push(`${c.name} ${net} ${e.ip}/${e.prefixlen} ${e.mac} gw ${e.gateway}`);
    for (const [port, binds] of Object.entries<any>(c.ports_actual ?? {}))
      for (const b of binds ?? []) if (!b.HostIp.includes(":")) real.push(`${c.name} ${b.HostIp}:${b.HostPort}->${port}`);
  }
  const mine: string[] = [];
  for (const n of result.networks) {
    if (n.driver !== "bridge") continue;
    const cfg = summary.networks.find((x: any) => x.name === n.name)?.ipam_config?.[0];
    mine.push(`network ${n.name} ${n.subnet}${cfg?.Gateway ? ` gw ${n.gateway}` : ""}`);
  }
  for (const c of result.containers) {
    for (const i of c.interfaces) {
      const net = result.networks.find((n) => n.name === i.network)!;
      mine.push(`${c.name} ${i.network} ${i.ip}/${net.subnet.split("/")[1]} ${i.mac} gw ${net.gateway}`);
    }
    for (const p of c.ports) mine.push(`${c.name} ${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.proto}`);
  }
  return { real: real.sort(), ours: mine.sort() };
}

describe("Docker 20.10 golden captures: addresses, MACs and host ports (docker inspect)", () => {
  for (const s of ALL) {
    it(`${s.scenario}/${s.step}`, () => {
      const { real, ours: mine } = addressing(ALL, s);
      expect(mine).toEqual(real);
    });
  }
});

describe("Docker 20.10 golden captures: ip6tables stays empty", () => {
  for (const s of ALL.filter((x) => existsSync(join(x.dir, "ip6tables-save.txt")))) {
    it(`${s.scenario}/${s.step}`, () => {
      const real = readFileSync(join(s.dir, "ip6tables-save.txt"), "utf8").split("\n").filter((l) => l && !l.startsWith("#")).join("\n");
      expect(simulated(ALL, s).rules.host!["ip6tables-save"] ?? "").toBe(real);
    });
  }
});

describe("Docker 20.10 golden captures (iptables-save, byte for byte)", () => {
  it("has the captured steps", () => expect(ALL.length).toBeGreaterThanOrEqual(60));
  for (const s of ALL) {
    it(`${s.scenario}/${s.step}`, () => expect(ours(ALL, s)).toBe(expected(s)));
  }
  for (const s of DIVERGING) {
    const reason = readFileSync(join(KNOWN, s.scenario, "REASON"), "utf8").trim();
    it.skip(`known divergence: ${s.scenario}/${s.step} (${reason})`, () => expect(ours(DIVERGING, s)).toBe(expected(s)));
  }
});
