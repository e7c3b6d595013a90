// nfplay's nftables backend (Docker 29, "firewall-backend": "nftables") against moby's own
// goldens, copied as data into test/golden/moby/docker-v29.7.2/:
//
// - TestNftabler/*.golden: `nft list table ip|ip6 docker-bridges` after the bridge driver's
//   nftabler alone set up one bridge br-dummy 192.168.0.0/24 (fd49:efd7:54aa::/64), endpoint
//   192.168.0.2, tcp 8080->80 (on 127.0.0.1 with bindlh) (libnetwork drivers/bridge/internal/
//   nftabler/nftabler_test.go). moby's test rewrites "priority -100" of nat-OUTPUT to
//   "priority dstnat" before comparing; so do we. Each parameter combination becomes a
//   scenario (daemon.bridge "none": no docker0); our table is compared byte for byte.
// - nftablesdoc/*.md: a real daemon's `nft -s list table ip docker-bridges`, the page's full
//   listing compared byte for byte, and every excerpt on the page found in ours.
//
// Every golden is compared (wsl2mirrored=true through a host interface named loopback0); the
// routed ones (a host port a daemon never hands a routed network) drive the nftabler directly,
// like moby.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { NftRuleset } from "../../src/nftables/ruleset.js";
import { printRuleset, printTable } from "../../src/nftables/print.js";
import { BRIDGE_PAGES, WSL2_INTERFACES } from "./moby-pages.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import type { DaemonConfig, DockerNetwork, Endpoint } from "../../src/docker/model.js";
import { Nftabler } from "../../src/docker/nftabler.js";
import { parseCidr, parseCidr6, parseIPv4, parseIPv6 } from "../../src/net/address.js";

const DIR = join(import.meta.dirname, "moby", "docker-v29.7.2");
const VERSIONS = ["29.0.0", "29.7.2"];

/** One table of an `nft list ruleset` text, as `nft list table FAMILY NAME` prints it. */
function tableOf(ruleset: string, family: string): string {
  const start = ruleset.indexOf(`table ${family} docker-bridges {\n`);
  if (start < 0) return "";
  return ruleset.slice(start, ruleset.indexOf("\n}\n", start) + 3);
}

const asMoby = (t: string) => t.replace("type nat hook output priority -100", "type nat hook output priority dstnat");

function nftOf(input: ScenarioInput): string {
  const host = simulate(scenarioSchema.parse(input)).rules.host!;
  expect(host["iptables-save"], "no iptables rules with the nftables backend").toBe("");
  return host.nft ?? "";
}

// ---------------------------------------------------------------- TestNftabler goldens

interface Golden {
  family: "ip" | "ip6";
  cleaned: boolean;
  wsl2: boolean;
  hairpin: boolean;
  internal: boolean;
  icc: boolean;
  masq: boolean;
  snat: boolean;
  gwm: string;
  bindlh: boolean;
}

function parseName(name: string): Golden {
  const m = /^(.*)__(ip6?)\.golden$/.exec(name)!;
  const kv = new Map(m[1]!.split(",").map((p) => p.split("=") as [string, string]));
  const b = (k: string) => kv.get(k) === "true";
  return {
    family: m[2] as "ip" | "ip6", cleaned: kv.has("cleaned"), wsl2: b("wsl2mirrored"), hairpin: b("hairpin"), internal: b("internal"),
    icc: kv.has("icc") ? b("icc") : true, masq: b("masq"), snat: b("snat"), gwm: kv.get("gwm") ?? "nat", bindlh: b("bindlh"),
  };
}

/**
 * wsl2mirrored=true: moby's test sets the firewaller's WSL2Mirrored flag, which a daemon sets when
 * the host has a loopback0 interface (WSL2 mirrored networking, wsl2_linux.go): nfplay reads a
 * host interface named loopback0 as that, as for the iptables goldens.
 */

function scenario(version: string, g: Golden): ScenarioInput {
  const base = {
    docker: { version },
    daemon: { bridge: "none", "userland-proxy": !g.hairpin, "firewall-backend": "nftables" as const },
    host: {
      ...(g.wsl2 ? { interfaces: WSL2_INTERFACES } : {}),
      sysctl: { "net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1, "net.ipv6.conf.default.forwarding": 1 },
    },
  };
  if (g.cleaned) return base;
  const options: Record<string, string> = {
    "com.docker.network.bridge.name": "br-dummy",
    "com.docker.network.bridge.enable_icc": `${g.icc}`,
  };
  if (!g.internal) {
    options["com.docker.network.bridge.enable_ip_masquerade"] = `${g.masq}`;
    options["com.docker.network.bridge.gateway_mode_ipv4"] = g.gwm;
    options["com.docker.network.bridge.gateway_mode_ipv6"] = g.gwm;
    if (g.snat) options["com.docker.network.host_ipv4"] = "192.168.123.0";
    if (g.snat) options["com.docker.network.host_ipv6"] = "fd34:d0d4:672f::123";
  }
  // moby's endpoint has fd49:efd7:54aa::1, which a daemon would give the bridge: move the
  // gateway aside (no rule mentions it) so the container can have that address.
  const network = { name: "dummy", subnet: "192.168.0.0/24", subnet6: "fd49:efd7:54aa::/64", gateway6: "fd49:efd7:54aa::ff", internal: g.internal, options };
  return {
    ...base,
    networks: [network],
    containers: [{ name: "ctr", network: "dummy", ip: "192.168.0.2", ip6: "fd49:efd7:54aa::1", ports: g.bindlh ? ["127.0.0.1:8080:80", "[::1]:8080:80"] : ["8080:80"] }],
  };
}

/**
 * moby's test hands the firewaller host port 8080 on a routed network, which a daemon never does
 * (it gives such bindings host port 0 first, port_mapping_linux.go): those goldens drive nfplay's
 * nftabler directly with the test's own arguments, as moby's unit test drives its own.
 */
function direct(g: Golden): string {
  const nft = new NftRuleset();
  const daemon = { userlandProxy: !g.hairpin, iptables: true, ip6tables: true, ipForward: true, allowDirectRouting: false, wsl2Mirrored: g.wsl2 };
  const fw = new Nftabler(nft, [], daemon as DaemonConfig, { "net.ipv6.conf.all.forwarding": 1, "net.ipv6.conf.default.forwarding": 1 });
  fw.start(true);
  const net = {
    name: "dummy", bridge: "br-dummy", internal: false, icc: g.icc, masquerade: g.masq, trustedInterfaces: [],
    subnet: parseCidr("192.168.0.0/24"), gatewayMode: g.gwm, hostIpv4: g.snat ? "192.168.123.0" : null,
    subnet6: parseCidr6("fd49:efd7:54aa::/64"), gatewayMode6: g.gwm, hostIpv6: g.snat ? "fd34:d0d4:672f::123" : null,
  } as unknown as DockerNetwork;
  fw.bridgeNetwork(net);
  const ep = { network: net, ip: parseIPv4("192.168.0.2"), ip6: parseIPv6("fd49:efd7:54aa::1") } as Endpoint;
  fw.joinEndpoint(ep);
  const pb = (hostIp: string) => ({ hostIp, hostPort: 8080, containerPort: 80, proto: "tcp" as const });
  fw.publish(ep, g.bindlh ? [pb("127.0.0.1"), pb("::1")] : [pb("0.0.0.0"), pb("::")]);
  return printRuleset(nft);
}

const viaFirewaller = (g: Golden) => g.gwm === "routed" && !g.internal && !g.cleaned;

const files = readdirSync(join(DIR, "TestNftabler")).filter((f) => f.endsWith(".golden")).sort();

for (const version of VERSIONS)
  describe(`moby docker-v29.7.2 TestNftabler goldens as Docker ${version}`, () => {
    it("has the goldens", () => expect(files.length).toBe(282));
    for (const f of files) {
      const g = parseName(f);
      it(`${f}${viaFirewaller(g) ? " (the nftabler called directly)" : ""}`, () => {
        const golden = readFileSync(join(DIR, "TestNftabler", f), "utf8");
        const ours = viaFirewaller(g) ? direct(g) : nftOf(scenario(version, g));
        expect(asMoby(tableOf(ours, g.family))).toBe(golden);
      });
    }
  });

// moby's "cleaned" goldens are taken after DelPorts, DelEndpoint and DelNetworkLevelRules: the
// same, through a container's and a network's removal.
describe("moby docker-v29.7.2 TestNftabler cleaned goldens, after docker rm and docker network rm", () => {
  for (const f of files.filter((n) => n.startsWith("cleaned,"))) {
    const g = parseName(f);
    it(f, () => {
      const input: ScenarioInput = {
        ...scenario("29.7.2", { ...g, cleaned: true }),
        commands: [
          "docker network create -o com.docker.network.bridge.name=br-dummy --subnet 192.168.0.0/24 --ipv6 --subnet fd49:efd7:54aa::/64 dummy",
          "docker run -d --name ctr --network dummy -p 8080:80 nginx",
          "docker rm -f ctr",
          "docker network rm dummy",
        ],
      };
      const ours = nftOf(input);
      // The network's rules came (in both families) and went again.
      const log = simulate(scenarioSchema.parse(input)).rules.host!.commands!.join("\n");
      expect(log).toContain("ip6 saddr fd49:efd7:54aa::/64");
      expect(log).toContain("delete chain ip docker-bridges filter-forward-in__br-dummy");
      const golden = readFileSync(join(DIR, "TestNftabler", f), "utf8");
      expect(asMoby(tableOf(ours, g.family))).toBe(golden);
    });
  }
});

// ---------------------------------------------------------------- nftablesdoc pages

/** The page's indented blocks (4 spaces), unindented; the first one is the full table. */
function docBlocks(md: string): string[] {
  const blocks: string[] = [];
  let cur: string[] | null = null;
  for (const line of md.split("\n")) {
    if (line.startsWith("    ") || (cur && line === "")) (cur ??= []).push(line.slice(4));
    else if (cur) {
      blocks.push(cur.join("\n").replace(/\n+$/, "\n"));
      cur = null;
    }
  }
  if (cur) blocks.push(cur.join("\n"));
  // Listings only: prose indented as a list continuation is not one.
  return blocks.filter((b) => b.startsWith("table ") || b.startsWith("\t"));
}

const PAGES = BRIDGE_PAGES;

const pages = readdirSync(join(DIR, "nftablesdoc")).sort();

for (const version of VERSIONS)
  describe(`moby docker-v29.7.2 nftablesdoc pages as Docker ${version}`, () => {
    it("has every page a scenario", () => expect(pages.filter((p) => !PAGES[p])).toEqual([]));
    for (const page of pages) {
      const extra = PAGES[page];
      if (!extra) continue;
      it(page, () => {
        const input = { ...extra, daemon: { ...extra.daemon, "firewall-backend": "nftables" as const }, docker: { version }, host: { sysctl: { "net.ipv4.ip_forward": 1 } } };
        const ours = new NftRuleset();
        ours.run(nftOf(input)); // the page shows `nft -s`: print ours stateless
        const table = asMoby(printTable(ours.table("ip", "docker-bridges")!, { stateless: true }));
        const [full, ...excerpts] = docBlocks(readFileSync(join(DIR, "nftablesdoc", page), "utf8"));
        expect(full!.startsWith("table ip docker-bridges {")).toBe(true);
        expect(table).toBe(full);
        // An excerpt may put chains that are apart in the table one after the other.
        for (const x of excerpts.flatMap((e) => e.split("\n\n"))) expect(table, `excerpt:\n${x}`).toContain(x.replace(/\n$/, ""));
      });
    }
  });

describe("nft list ruleset round trip", () => {
  it("parses and reprints every golden unchanged", () => {
    for (const f of files) {
      // Undo moby's rewrite: nft itself refuses "dstnat" on the output hook.
      const text = readFileSync(join(DIR, "TestNftabler", f), "utf8").replace("type nat hook output priority dstnat", "type nat hook output priority -100");
      const rs = new NftRuleset();
      rs.run(text);
      expect(printRuleset(rs), f).toBe(text);
    }
  });
});
