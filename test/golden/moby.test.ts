// nfplay against moby's own golden outputs (copied as data into test/golden/moby/<tag>/):
//
// - TestIptabler/*.golden: `iptables-save -t raw`, `-t filter`, `-t nat` of the bridge driver's
//   firewaller alone (libnetwork drivers/bridge/internal/iptabler/iptabler_test.go), in a fresh
//   netns: one bridge br-dummy 192.168.0.0/24, container 192.168.0.2, tcp 8080->80 (on 127.0.0.1
//   with bindlh), forwarding already on; dual-stack: also fd49:efd7:54aa::/64, container ::1, and
//   the `__ip6tables` goldens hold its ip6tables rules. Each parameter combination becomes an nfplay
//   scenario (daemon.bridge "none" so that docker0 does not exist); our output is compared table by table,
//   byte for byte after dropping "#" lines. The goldens hold no DOCKER-USER (the controller, not
//   the firewaller, creates it), so its three lines are the one thing removed from ours.
// - iptablesdoc/*.md: a real daemon's `iptables -S` per table (integration/network/bridge/
//   iptablesdoc), compared line for line with our iptables-save turned into -S form.
//
// Every golden and page is compared: wsl2mirrored=true through a host interface named loopback0,
// moby's routed fixtures (a host port no daemon hands a routed network) by calling the dialect
// directly, swarm-portmap.md through a single-node swarm scenario (its node's host rules).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { BRIDGE_PAGES, WSL2_INTERFACES, type PageScenario } from "./moby-pages.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { buildDocker } from "../../src/docker/model.js";
import { saveRuleset } from "../../src/netfilter/save.js";

const ROOT = join(import.meta.dirname, "moby");

// Each tag's data, and the releases it holds for (moby's trees are identical across them).
const IPTABLER: Record<string, string[]> = {
  "v28.5.2": ["28.2.0", "28.5.2"],
  "docker-v29.7.2": ["29.0.0", "29.7.2"],
};
const DOCS: Record<string, string[]> = {
  "v28.0.0": ["28.0.0"],
  "v28.0.1": ["28.0.1", "28.1.1"],
  "v28.2.0": ["28.2.0", "28.2.1"],
  "v28.5.2": ["28.2.2", "28.5.2"],
  "docker-v29.7.2": ["29.0.0", "29.7.2"],
};

const TABLES = ["raw", "filter", "nat"] as const;
const BUILTINS: Record<string, string[]> = { raw: ["PREROUTING", "OUTPUT"], filter: ["INPUT", "FORWARD", "OUTPUT"], nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"] };

/** What `iptables-save -t TABLE` prints: the table, or its empty built-in chains if unused. */
function saveTable(all: string, table: string): string {
  const lines = all.split("\n");
  const start = lines.indexOf(`*${table}`);
  if (start < 0) return [`*${table}`, ...BUILTINS[table]!.map((c) => `:${c} ACCEPT [0:0]`), "COMMIT", ""].join("\n");
  return `${lines.slice(start, lines.indexOf("COMMIT", start) + 1).join("\n")}\n`;
}

function splitGolden(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const body = text.split("\n").filter((l) => !l.startsWith("#")).join("\n");
  for (const t of TABLES) out.set(t, saveTable(body, t));
  return out;
}

const withoutUserChain = (save: string) =>
  save.split("\n").filter((l) => l !== ":DOCKER-USER - [0:0]" && l !== "-A FORWARD -j DOCKER-USER" && !l.startsWith("-A DOCKER-USER ")).join("\n");

function run(input: ScenarioInput): { v4: string; v6: string } {
  const host = simulate(scenarioSchema.parse(input)).rules.host!;
  return { v4: withoutUserChain(host["iptables-save"]), v6: withoutUserChain(host["ip6tables-save"] ?? "") };
}

// ---------------------------------------------------------------- TestIptabler goldens

interface Params {
  hairpin: boolean;
  internal: boolean;
  icc: boolean;
  masq?: boolean;
  snat?: boolean;
  gwm?: string;
  bindlh?: boolean;
}

function parseName(name: string): { params: Params | null; cleaned: boolean; no: boolean; wsl2: boolean; family: string } {
  const m = /^(?:TestIptabler_)?(.*)__(ip6?tables)\.golden$/.exec(name)!;
  const kv = new Map(m[1]!.split(",").map((p) => p.split("=") as [string, string]));
  const b = (k: string) => (kv.has(k) ? kv.get(k) === "true" : undefined);
  return {
    family: m[2]!,
    no: m[1] === "no",
    cleaned: kv.has("cleaned"),
    wsl2: b("wsl2mirrored") === true,
    params: { hairpin: b("hairpin")!, internal: b("internal") ?? false, icc: b("icc") ?? true, masq: b("masq"), snat: b("snat"), gwm: kv.get("gwm"), bindlh: b("bindlh") },
  };
}

/**
 * wsl2mirrored=true: moby's test sets the firewaller's WSL2Mirrored flag, which a daemon sets when
 * the host has a loopback0 interface (WSL2 mirrored networking; plus /usr/bin/wslinfo). nfplay
 * reads a host interface named loopback0 as that (its address plays no part in the rules).
 */

/**
 * moby's test network: 192.168.0.0/24 and, with IPv6, fd49:efd7:54aa::/64 with the container on
 * fd49:efd7:54aa::1 (so the gateway is moved off ::1; it shows in no rule). With bindlh the test
 * binds 127.0.0.1 and ::1, which a daemon does for "127.0.0.1:8080:80" plus "[::1]:8080:80".
 */
function iptablerScenario(version: string, p: Params, withNetwork: boolean, ipv6: boolean, wsl2: boolean): ScenarioInput {
  const options: Record<string, string> = {
    "com.docker.network.bridge.name": "br-dummy",
    "com.docker.network.bridge.enable_icc": `${p.icc}`,
  };
  if (!p.internal) {
    options["com.docker.network.bridge.enable_ip_masquerade"] = `${p.masq}`;
    options["com.docker.network.bridge.gateway_mode_ipv4"] = p.gwm!;
    if (ipv6) options["com.docker.network.bridge.gateway_mode_ipv6"] = p.gwm!;
    if (p.snat) options["com.docker.network.host_ipv4"] = "192.168.123.0";
    if (p.snat && ipv6) options["com.docker.network.host_ipv6"] = "fd34:d0d4:672f::123";
  }
  const v6net = ipv6 ? { subnet6: "fd49:efd7:54aa::/64", gateway6: "fd49:efd7:54aa::ff" } : {};
  const ports = p.bindlh ? ["127.0.0.1:8080:80", ...(ipv6 ? ["[::1]:8080:80"] : [])] : ["8080:80"];
  return {
    docker: { version },
    daemon: { bridge: "none", "userland-proxy": !p.hairpin },
    // forwarding already on in both families: Docker leaves the FORWARD policies alone
    host: { ...(wsl2 ? { interfaces: WSL2_INTERFACES } : {}), sysctl: { "net.ipv4.ip_forward": 1, ...(ipv6 ? { "net.ipv6.conf.all.forwarding": 1 } : {}) } },
    ...(withNetwork
      ? {
          networks: [{ name: "dummy", subnet: "192.168.0.0/24", internal: p.internal, options, ...v6net }],
          containers: [{ name: "ctr", network: "dummy", ports, ...(ipv6 ? { ip6: "fd49:efd7:54aa::1" } : {}) }],
        }
      : {}),
  };
}

/**
 * moby's test hands the firewaller host port 8080 on a routed network, which a daemon never does
 * (it gives such bindings host port 0 first, port_mapping_linux.go): those goldens build the
 * network and its endpoint through a scenario, then call nfplay's dialect with the test's own
 * bindings, as moby's unit test calls its firewaller (usernet-portmap-routed.md covers the daemon).
 */
function viaFirewaller(input: ScenarioInput, bindlh: boolean): { v4: string; v6: string } {
  const spec = scenarioSchema.parse({ ...input, containers: input.containers!.map((c) => ({ ...c, ports: [] })) });
  const docker = buildDocker(spec);
  const ep = docker.containers[0]!.endpoints[0]!;
  const pb = (hostIp: string) => ({ hostIp, hostPort: 8080, containerPort: 80, proto: "tcp" as const });
  docker.runtime!.dialect!.publish(ep, bindlh ? [pb("127.0.0.1"), pb("::1")] : [pb("0.0.0.0"), pb("::")]);
  return { v4: withoutUserChain(saveRuleset(docker.ruleset)), v6: withoutUserChain(docker.ruleset6 ? saveRuleset(docker.ruleset6) : "") };
}

const routed = (g: ReturnType<typeof parseName>) => g.params!.gwm === "routed" && !g.params!.internal && !g.cleaned && !g.no;

for (const [tag, versions] of Object.entries(IPTABLER)) {
  const dir = join(ROOT, tag, "TestIptabler");
  const files = readdirSync(dir).filter((f) => f.endsWith(".golden")).sort();
  for (const version of versions)
    describe(`moby ${tag} TestIptabler goldens as Docker ${version}`, () => {
      it("has the goldens", () => expect(files.length).toBeGreaterThan(200));
      for (const f of files) {
        const g = parseName(f);
        it(`${f}${routed(g) ? " (the dialect called directly)" : ""}`, () => {
          const p = g.params!;
          const input = g.no
            ? { docker: { version }, daemon: { bridge: "none", iptables: g.family !== "iptables", ip6tables: g.family !== "ip6tables" }, host: { sysctl: { "net.ipv4.ip_forward": 1 } } }
            : iptablerScenario(version, p, !g.cleaned, true, g.wsl2);
          const out = routed(g) ? viaFirewaller(input, p.bindlh!) : run(input);
          const ours = g.family === "iptables" ? out.v4 : out.v6;
          const expected = splitGolden(readFileSync(join(dir, f), "utf8"));
          for (const t of TABLES) expect(saveTable(ours, t), `table ${t}`).toBe(expected.get(t));
        });
      }
    });
}

// ---------------------------------------------------------------- iptablesdoc pages

/** Our iptables-save of one table as `iptables -S -t TABLE` prints it. */
function dashS(save: string, table: string): string[] {
  return saveTable(save, table)
    .split("\n")
    .flatMap((l) => {
      const chain = /^:(\S+) (\S+) /.exec(l);
      if (chain) return [chain[2] === "-" ? `-N ${chain[1]}` : `-P ${chain[1]} ${chain[2]}`];
      return l.startsWith("-A ") ? [l] : [];
    });
}

/** The `iptables -S` blocks of a page: [table, lines]; "DOCKER" is `iptables -S DOCKER`. */
function docBlocks(md: string): [string, string[]][] {
  const blocks: string[][] = [];
  let cur: string[] | null = null;
  for (const line of md.split("\n")) {
    const m = /^ {4}(-[PNA] .*?)\s*$/.exec(line);
    if (m) (cur ??= blocks[blocks.push([]) - 1]!).push(m[1]!);
    else cur = null;
  }
  return blocks.map((b) => {
    const policies = b.filter((l) => l.startsWith("-P ")).map((l) => l.split(" ")[1]).join(",");
    const table = Object.keys(BUILTINS).find((t) => BUILTINS[t]!.join(",") === policies) ?? "DOCKER";
    return [table, b];
  });
}

const PAGES: Record<string, PageScenario | string> = {
  ...BRIDGE_PAGES,
  // `docker service create -p 8080:80 busybox top` on a single-node swarm: the node's host rules
  // (docker_gwbridge, DOCKER-INGRESS). The page shows the filter and nat tables only.
  "swarm-portmap.md": {
    swarm: { nodes: [{ name: "node1", address: "203.0.113.10/24", role: "manager" }], services: [{ name: "web", replicas: 1, publish: ["8080:80"] }] },
  },
};

for (const [tag, versions] of Object.entries(DOCS)) {
  const dir = join(ROOT, tag, "iptablesdoc");
  for (const version of versions)
    describe(`moby ${tag} iptablesdoc pages as Docker ${version}`, () => {
      for (const page of readdirSync(dir).sort()) {
        const scenario = PAGES[page];
        if (typeof scenario !== "object") {
          it.skip(`${page} — not supported: ${scenario ?? "no scenario for this page"}`, () => {});
          continue;
        }
        it(page, () => {
          const rules = simulate(scenarioSchema.parse({ ...scenario, docker: { version }, host: { sysctl: { "net.ipv4.ip_forward": 1 } } })).rules;
          const save = (scenario.swarm ? rules.node1 : rules.host)!["iptables-save"];
          const blocks = docBlocks(readFileSync(join(dir, page), "utf8"));
          expect(blocks.length).toBeGreaterThan(0);
          for (const [table, lines] of blocks) {
            const ours = table === "DOCKER" ? ["-N DOCKER", ...dashS(save, "filter").filter((l) => l.startsWith("-A DOCKER "))] : dashS(save, table);
            expect(ours, `${table} block`).toEqual(lines);
          }
        });
      }
    });
}
