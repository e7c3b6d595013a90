// Byte-for-byte comparison with real Docker 20.10.24 (Debian docker.io) captures: each step's
// docker commands, replayed through nfplay, must give the iptables-save the daemon left.
// Only "#" lines differ (timestamps), and bridge names, which Docker draws at random.
// Captured with test/golden/capture/capture.sh (see its README); addresses, MACs and host ports
// are compared with docker inspect too. known-divergence/ holds captures nfplay does not match yet.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normalizeResolverPorts } from "./resolver-ports.js";
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

/** A container as `docker inspect` printed it (for its IPv6 addresses, which summary.json leaves out). */
function inspected(s: Step, name: string): any {
  const file = join(s.dir, "docker-inspect-containers.json");
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")).find((c: any) => c.Name === `/${name}`);
}

const hasIPv6 = (s: Step, name: string) => Object.values<any>(inspected(s, name)?.NetworkSettings?.Networks ?? {}).some((e) => e.GlobalIPv6Address);

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

function ours(all: Step[], s: Step, key: "iptables-save" | "ip6tables-save" = "iptables-save"): string {
  const result = simulated(all, s);
  let text = result.rules.host![key] ?? "";
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
    for (const [net, e] of Object.entries<any>(inspected(s, c.name)?.NetworkSettings?.Networks ?? {}))
      if (e.GlobalIPv6Address) real.push(`${c.name} ${net} ${e.GlobalIPv6Address}/${e.GlobalIPv6PrefixLen} gw ${e.IPv6Gateway}`);
    for (const [port, binds] of Object.entries<any>(c.ports_actual ?? {}))
      // nfplay lists the "::" twin of a binding only for a container with IPv6 (for others it is docker-proxy's alone)
      for (const b of binds ?? []) if (b.HostIp !== "::" || hasIPv6(s, c.name)) real.push(`${c.name} ${b.HostIp}:${b.HostPort}->${port}`);
  }
  const mine: string[] = [];
  for (const n of result.networks) {
    if (n.driver !== "bridge") continue;
    const cfg = summary.networks.find((x: any) => x.name === n.name)?.ipam_config?.[0];
    mine.push(`network ${n.name} ${n.subnet}${cfg?.Gateway ? ` gw ${n.gateway}` : ""}`);
    const cfg6 = summary.networks.find((x: any) => x.name === n.name)?.ipam_config?.[1];
    if (n.subnet6) mine.push(`network ${n.name} ${n.subnet6}${cfg6?.Gateway ? ` gw ${n.gateway6}` : ""}`);
  }
  for (const c of result.containers) {
    for (const i of c.interfaces) {
      const net = result.networks.find((n) => n.name === i.network)!;
      mine.push(`${c.name} ${i.network} ${i.ip}/${net.subnet.split("/")[1]} ${i.mac} gw ${i.gateway ?? net.gateway}`);
      if (i.ip6) mine.push(`${c.name} ${i.network} ${i.ip6}/${net.subnet6!.split("/")[1]} gw ${i.gateway6 ?? net.gateway6}`);
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

// Empty without --ip6tables; the i6-* captures (--ipv6 --experimental --ip6tables) hold Docker's IPv6 rules.
describe("Docker 20.10 golden captures (ip6tables-save, byte for byte)", () => {
  const withIp6 = ALL.filter((x) => existsSync(join(x.dir, "ip6tables-save.txt")));
  it("has IPv6 captures", () => expect(withIp6.filter((x) => x.scenario.startsWith("i6-")).length).toBeGreaterThanOrEqual(8));
  for (const s of withIp6) {
    it(`${s.scenario}/${s.step}`, () => {
      const real = readFileSync(join(s.dir, "ip6tables-save.txt"), "utf8").split("\n").filter((l) => l && !l.startsWith("#")).join("\n");
      expect(ours(ALL, s, "ip6tables-save").split("\n").filter((l) => l && !l.startsWith("#")).join("\n")).toBe(real);
    });
  }
});


/** Steps with container captures (ctr-<name>-iptables-save.txt: iptables-save inside the container's netns). */
const CONTAINER_RULES = ALL.flatMap((s) =>
  readdirSync(s.dir).flatMap((f) => {
    const m = /^ctr-(.+)-iptables-save\.txt$/.exec(f);
    return m ? [{ s, container: m[1]!, file: join(s.dir, f) }] : [];
  }),
);

describe("Docker 20.10 golden captures: rules inside containers (embedded DNS), byte for byte but the resolver's ports", () => {
  it("has container captures", () => expect(CONTAINER_RULES.length).toBeGreaterThanOrEqual(8));
  for (const { s, container, file } of CONTAINER_RULES) {
    it(`${s.scenario}/${s.step} ${container}`, () => {
      const real = readFileSync(file, "utf8").split("\n").filter((l) => !l.startsWith("#")).join("\n");
      const mine = simulated(ALL, s).rules[container]?.["iptables-save"] ?? "";
      expect(normalizeResolverPorts(mine)).toBe(normalizeResolverPorts(real));
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
