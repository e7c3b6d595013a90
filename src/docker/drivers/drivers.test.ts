// Network drivers other than bridge: the example scenarios' expectations (traces), the device
// semantics flow by flow, and Docker's refusals. macvlan is checked against the kernel in
// test/kernel/drivers.test.ts and against Docker 20.10 in test/golden (m01, m02).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../engine.js";
import { EngineError } from "../../errors.js";
import { checkResult } from "../../render/check.js";
import { scenarioSchema, type ScenarioInput } from "../../scenario/schema.js";

const EXAMPLES = join(import.meta.dirname, "../../../examples");

function run(s: ScenarioInput) {
  return simulate(scenarioSchema.parse(s));
}

function refusal(s: ScenarioInput): { pointer: string; message: string } {
  try {
    run(s);
  } catch (e) {
    if (e instanceof EngineError) return e.errors[0]!;
    throw e;
  }
  throw new Error("the scenario was accepted");
}

describe("example scenarios: every expectation holds", () => {
  for (const file of ["macvlan.json", "ipvlan-l2.json", "ipvlan-l3.json", "remote-plugin.json", "host-none.json"])
    it(file, () => {
      const scenario = scenarioSchema.parse(JSON.parse(readFileSync(join(EXAMPLES, file), "utf8")));
      const report = checkResult(scenario, simulate(scenario));
      expect(report.failures).toEqual([]);
      expect(report.checks).toBeGreaterThanOrEqual(9);
    });
});

const MACVLAN = (mode: string, extra: string[] = []): ScenarioInput => ({
  docker: { version: "20.10" },
  commands: [
    `docker network create -d macvlan --subnet 203.0.113.0/24 --gateway 203.0.113.1 --ip-range 203.0.113.128/25 -o parent=eth0 -o macvlan_mode=${mode} lan`,
    "docker run -d --name a --network lan img",
    "docker run -d --name b --network lan img",
    ...extra,
  ],
});

describe("macvlan", () => {
  it("writes no iptables rule, publishes nothing, addresses and MACs as a bridge would", () => {
    const r = run({ ...MACVLAN("bridge"), commands: [...MACVLAN("bridge").commands!, "docker run -d --name p --network lan -p 8080:80 img"] });
    const plain = run({ docker: { version: "20.10" } });
    expect(r.rules.host!["iptables-save"]).toBe(plain.rules.host!["iptables-save"]);
    const p = r.containers.find((c) => c.name === "p")!;
    expect(p.ports).toEqual([]);
    expect(p.interfaces).toEqual([{ network: "lan", name: "eth0", ip: "203.0.113.130", mac: "02:42:cb:00:71:82", hostVeth: "" }]);
    expect(r.networks.find((n) => n.name === "lan")).toMatchObject({ driver: "macvlan", bridge: "", parent: "eth0", mode: "bridge", subnet: "203.0.113.0/24", gateway: "203.0.113.1" });
  });

  it("never passes the host's netfilter: a DOCKER-USER DROP does not stop LAN traffic to a child", () => {
    const r = run({
      ...MACVLAN("bridge"),
      rules: { host: { "iptables-save": "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -j DROP\nCOMMIT\n" } },
      flows: [{ from: "203.0.113.99", to: "a:80" }],
    });
    expect(r.traces[0]).toMatchObject({ verdict: "delivered", connects: true, deliveredTo: { namespace: "a" } });
    expect(r.traces[0]!.steps.filter((s) => s.namespace === "host")).toEqual([]);
    expect(r.traces[0]!.hops.map((h) => h.detail)).toContain("host/eth0 hands the frame to its macvlan child a/eth0 (the host's netfilter never sees it)");
  });

  for (const [mode, talk] of [["bridge", true], ["private", false], ["vepa", false]] as const)
    it(`${mode} mode: siblings ${talk ? "talk" : "do not talk"}; the LAN reaches both`, () => {
      const r = run({ ...MACVLAN(mode), flows: [{ from: "a", to: "b:80" }, { from: "203.0.113.99", to: "b:80" }] });
      expect(r.traces[0]!.connects).toBe(talk);
      expect(r.traces[0]!.verdict).toBe(talk ? "delivered" : "unroutable");
      expect(r.traces[1]!.connects).toBe(true);
    });

  it("the parent and its children cannot talk, in both directions", () => {
    const r = run({ ...MACVLAN("bridge"), flows: [{ from: "host", to: "a:80" }, { from: "a", to: "host:22" }] });
    expect(r.traces.map((t) => [t.verdict, t.connects])).toEqual([["unroutable", false], ["unroutable", false]]);
    expect(r.traces[0]!.reason).toMatch(/never receive what the parent itself sends/);
  });

  it("passthru: a second container is refused as the kernel does", () => {
    const e = refusal(MACVLAN("passthru"));
    expect(e.pointer).toBe("/commands/2");
    expect(e.message).toMatch(/^failed to create the macvlan port: invalid argument/);
  });

  it("--internal: Docker's dummy parent dm-<id>; the children talk, nothing leaves", () => {
    const r = run({
      docker: { version: "20.10" },
      networks: [{ name: "iso", driver: "macvlan", subnet: "10.77.0.0/24", internal: true, options: { parent: "eth0" } }],
      containers: [{ name: "a", network: "iso" }, { name: "b", network: "iso" }],
      flows: [{ from: "a", to: "b:80" }, { from: "a", to: "198.51.100.7:443" }],
    });
    expect(r.traces.map((t) => t.verdict)).toEqual(["delivered", "unroutable"]);
  });

  it("Docker's refusals", () => {
    const net = (options: Record<string, string>, name = "m") => ({ name, driver: "macvlan" as const, subnet: `10.${name.length}.0.0/24`, options });
    expect(refusal({ networks: [net({ parent: "eth0", macvlan_mode: "hub" })] })).toEqual({
      pointer: "/networks/0/options/macvlan_mode", message: "requested macvlan mode 'hub' is not valid, 'bridge' mode is the macvlan driver default",
    });
    expect(refusal({ networks: [net({ parent: "eth9" })] })).toEqual({ pointer: "/networks/0/options/parent", message: "-o parent interface was not found on the host: eth9" });
    expect(refusal({ networks: [net({ parent: "eth0.60" })] }).message).toMatch(/failed to create eth0.60 vlan link: operation not supported/);
    expect(refusal({ networks: [net({ parent: "eth0" }), net({ parent: "eth0" }, "mm")] })).toMatchObject({ pointer: "/networks/1/options/parent" });
    expect(refusal({ networks: [net({ parent: "eth0", "com.docker.network.bridge.name": "x" })] }).pointer).toBe("/networks/0/options/com.docker.network.bridge.name");
    expect(refusal({ networks: [{ ...net({ parent: "eth0" }), subnet6: "fd00:1::/64" }] })).toEqual({ pointer: "/networks/0/subnet6", message: "IPv6 on a macvlan network is not simulated yet" });
  });

  it("docker network connect to a macvlan network whose name sorts first takes the published ports away (20.10, capture m02)", () => {
    const r = run({
      docker: { version: "20.10" },
      commands: [
        "docker network create -d macvlan -o parent=eth0 -o macvlan_mode=private mvp",
        "docker network create nb",
        "docker run -d --name b1 --network nb -p 8081:80 img",
        "docker network connect mvp b1",
      ],
    });
    expect(r.containers[0]!.ports).toEqual([]);
    expect(r.rules.host!["iptables-save"]).not.toMatch(/8081/);
  });
});

describe("ipvlan (engine only: this machine's kernel has no ipvlan)", () => {
  const ipvlan = (options: Record<string, string>, flows: ScenarioInput["flows"], subnet = "10.60.0.0/24"): ScenarioInput => ({
    docker: { version: "20.10" },
    networks: [{ name: "iv", driver: "ipvlan", subnet, options: { parent: "eth0", ...options } }],
    containers: [{ name: "a", network: "iv" }, { name: "b", network: "iv" }],
    flows,
  });

  it("children share the parent's MAC", () => {
    const r = run(ipvlan({}, []));
    expect(r.containers.map((c) => c.interfaces[0]!.mac)).toEqual(["02:42:cb:00:71:0a", "02:42:cb:00:71:0a"]);
  });

  for (const [flag, talk] of [["bridge", true], ["private", false], ["vepa", false]] as const)
    it(`ipvlan_flag ${flag}: siblings ${talk ? "talk" : "do not"}`, () => {
      const r = run(ipvlan({ ipvlan_mode: "l3", ipvlan_flag: flag }, [{ from: "a", to: "b:80" }]));
      expect(r.traces[0]!.connects).toBe(talk);
    });

  const MASQ = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.60.0.0/24 -o eth0 -j MASQUERADE\nCOMMIT\n";

  it("l3: egress goes through the host's OUTPUT and POSTROUTING (a host MASQUERADE applies), ingress does not", () => {
    const r = run({ ...ipvlan({ ipvlan_mode: "l3" }, [{ from: "a", to: "198.51.100.7:443" }, { from: "external", to: "a:80" }]), rules: { host: { "iptables-save": MASQ } } });
    const out = r.traces[0]!;
    expect(out.steps.filter((s) => s.namespace === "host").map((s) => `${s.chain} ${s.rule}`)).toEqual([
      "OUTPUT -P OUTPUT ACCEPT", "POSTROUTING -A POSTROUTING -s 10.60.0.0/24 -o eth0 -j MASQUERADE",
    ]);
    expect(out.steps.at(-1)!.packet.src).toBe("203.0.113.10");
    // the masqueraded reply reaches the host, which is un-NATed but has no route back to the child
    expect(out.connects).toBe(false);
    const inbound = r.traces[1]!;
    expect(inbound.connects).toBe(true);
    expect(inbound.steps.filter((s) => s.namespace === "host")).toEqual([]);
  });

  it("l3s: the host's conntrack un-NATs the masqueraded reply and hands it to the child", () => {
    const r = run({ ...ipvlan({ ipvlan_mode: "l3s" }, [{ from: "a", to: "198.51.100.7:443" }]), rules: { host: { "iptables-save": MASQ } } });
    expect(r.traces[0]!.connects).toBe(true);
    expect(r.traces[0]!.reply!.hops.map((h) => h.detail)).toContain("ipvlan l3s: host passes the packet through its INPUT hook to a/eth0");
  });

  it("l3s: ingress passes the host's PREROUTING and INPUT hooks", () => {
    const r = run({
      ...ipvlan({ ipvlan_mode: "l3s" }, [{ from: "external", to: "a:80" }]),
      rules: { host: { "iptables-save": "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -d 10.60.0.2/32 -p tcp --dport 80 -j DROP\nCOMMIT\n" } },
    });
    expect(r.traces[0]).toMatchObject({ verdict: "dropped", reason: "filter INPUT" });
  });

  it("l2: LAN in, host blocked", () => {
    const r = run(ipvlan({}, [{ from: "203.0.113.99", to: "a:80" }, { from: "host", to: "a:80" }], "203.0.113.0/24"));
    expect(r.traces.map((t) => t.connects)).toEqual([true, false]);
  });

  it("a macvlan and an ipvlan network may share a parent, their children may not (the kernel's EBUSY)", () => {
    const s: ScenarioInput = {
      docker: { version: "20.10" },
      networks: [{ name: "mv", driver: "macvlan", subnet: "192.168.50.0/24", options: { parent: "eth0" } }, { name: "iv", driver: "ipvlan", subnet: "192.168.70.0/24", options: { parent: "eth0", ipvlan_mode: "l3" } }],
      containers: [{ name: "m1", network: "mv" }],
    };
    expect(run(s).networks.map((n) => n.mode)).toEqual([undefined, "bridge", "l3/bridge"]);
    expect(refusal({ ...s, containers: [{ name: "m1", network: "mv" }, { name: "i1", network: "iv" }] })).toMatchObject({ pointer: "/containers/1/network" });
  });

  it("Docker's refusals", () => {
    expect(refusal(ipvlan({ ipvlan_mode: "l4" }, []))).toEqual({ pointer: "/networks/0/options/ipvlan_mode", message: "requested ipvlan mode 'l4' is not valid, 'l2' mode is the ipvlan driver default" });
    expect(refusal(ipvlan({ ipvlan_flag: "hub" }, [])).pointer).toBe("/networks/0/options/ipvlan_flag");
  });
});

describe("remote (plugin) driver", () => {
  const plugin = (extra: object = {}): ScenarioInput => ({
    docker: { version: "20.10" },
    networks: [{ name: "pn", driver: "remote", subnet: "10.9.0.0/24", plugin: { name: "p", Join: { Gateway: "10.9.0.1" }, hostSide: { bridge: "plug0" }, ...extra } }],
    containers: [{ name: "a", network: "pn", ports: ["8080:80"] }],
  });

  it("dockerd adds no rule of its own; the plugin's commands are logged as its own", () => {
    const r = run(plugin({ rules: ["-t nat -A POSTROUTING -s 10.9.0.0/24 ! -o plug0 -j MASQUERADE"] }));
    const save = r.rules.host!["iptables-save"];
    expect(save).toContain("-A POSTROUTING -s 10.9.0.0/24 ! -o plug0 -j MASQUERADE");
    expect(save).not.toMatch(/8080|10\.9\.0\.2/);
    expect(r.rules.host!.commands!.at(-1)).toBe("iptables --wait -t nat -A POSTROUTING -s 10.9.0.0/24 ! -o plug0 -j MASQUERADE   # plugin p");
    expect(r.networks[1]).toMatchObject({ driver: "remote", bridge: "plug0" });
  });

  it("Join: DstPrefix names the interface, CreateEndpoint's MacAddress is the container's", () => {
    const r = run(plugin({ CreateEndpoint: { Interface: { MacAddress: "0A:58:0A:09:00:02" } }, Join: { InterfaceName: { SrcName: "tap0", DstPrefix: "ens" }, Gateway: "10.9.0.1" } }));
    expect(r.containers[0]!.interfaces[0]).toMatchObject({ name: "ens0", mac: "0a:58:0a:09:00:02", ip: "10.9.0.2" });
  });

  it("DisableGatewayService without a Gateway: no default route; neither at all: docker_gwbridge, refused", () => {
    const r = run({ ...plugin({ Join: { DisableGatewayService: true } }), flows: [{ from: "a", to: "198.51.100.7:443" }] });
    expect(r.traces[0]!.verdict).toBe("unroutable");
    expect(refusal(plugin({ Join: {} })).pointer).toBe("/networks/0/plugin/Join");
    const routed = run({ ...plugin({ Join: { StaticRoutes: [{ Destination: "0.0.0.0/0", RouteType: 1 }] }, hostSide: { route: true } }), flows: [{ from: "a", to: "198.51.100.7:443" }] });
    // an on-link default route: the host side answers for every address (proxy ARP, Calico style),
    // and forwards it; Docker's FORWARD policy DROP applies since this plugin added no rule
    expect(routed.traces[0]).toMatchObject({ verdict: "dropped", reason: "filter FORWARD" });
  });

  it("refusals name the field", () => {
    expect(refusal({ networks: [{ name: "pn", driver: "remote" }] }).pointer).toBe("/networks/0/plugin");
    expect(refusal(plugin({ rules: ["-t nat -A NOPE -j ACCEPT"] })).pointer).toBe("/networks/0/plugin/rules/0");
    expect(refusal({ networks: [{ name: "b", plugin: { name: "p" } }] }).pointer).toBe("/networks/0/plugin");
    expect(refusal(plugin({ Join: { StaticRoutes: [{ Destination: "10.1.0.0/16", RouteType: 0 }] } })).pointer).toBe("/networks/0/plugin/Join/StaticRoutes/0/NextHop");
  });
});

describe("host and null drivers", () => {
  it("a user network with -d host or -d null is refused as Docker does", () => {
    expect(refusal({ commands: ["docker network create -d host hnet"] })).toEqual({
      pointer: "/commands/0", message: "only one instance of \"host\" network is allowed (Docker's own; a container joins it with --network host)",
    });
    expect(refusal({ commands: ["docker network create -d null nnet"] }).message).toMatch(/^only one instance of "null" network is allowed/);
  });

  it("--network host: a flow to the container is the host's socket, no DNAT and no rule", () => {
    const r = run({ docker: { version: "20.10" }, commands: ["docker run -d --name hh --network host -p 8080:80 img"], flows: [{ from: "external", to: "hh:80" }] });
    expect(r.traces[0]).toMatchObject({ verdict: "delivered", connects: true, deliveredTo: { namespace: "host", ip: "203.0.113.10", port: 80 } });
    expect(r.traces[0]!.steps.some((s) => s.rule.includes("DNAT"))).toBe(false);
  });

  it("--network none: only loopback; a flow to it has no address to go to", () => {
    const base: ScenarioInput = { docker: { version: "20.10" }, commands: ["docker run -d --name nn --network none img"] };
    const r = run({ ...base, flows: [{ from: "nn", to: "198.51.100.7:80" }, { from: "nn", to: "localhost:80" }] });
    expect(r.traces.map((t) => t.verdict)).toEqual(["unroutable", "delivered"]);
    expect(refusal({ ...base, flows: [{ from: "external", to: "nn:80" }] }).pointer).toBe("/flows/0/to");
  });
});

describe("macvlan/ipvlan networks vs Docker 20.10's network inspect (captures m01-m04)", () => {
  const ROOT = join(import.meta.dirname, "../../../test/golden/docker-20.10");
  const dirs = readdirSync(ROOT).filter((d) => /^m\d\d-/.test(d)).sort();
  it("has the captures", () => expect(dirs.length).toBeGreaterThanOrEqual(4));
  for (const dir of dirs) {
    const steps = readdirSync(join(ROOT, dir)).filter((s) => /^\d\d-/.test(s)).sort();
    const last = steps.at(-1)!;
    it(`${dir}/${last}: subnet, gateway, parent and mode of each driver network`, () => {
      const commands = steps.flatMap((s) => readFileSync(join(ROOT, dir, s, "commands.sh"), "utf8").split("\n"))
        .map((l) => (l.startsWith("# daemon flags:") ? `dockerd ${l.slice(15).trim()}`.trim() : l))
        .filter((l, i, all) => l.trim() && !l.startsWith("#") && (!l.startsWith("dockerd") || all.indexOf(l) === i));
      const r = run({ docker: { version: "20.10.24" }, commands });
      const summary = JSON.parse(readFileSync(join(ROOT, dir, last, "summary.json"), "utf8"));
      const real = summary.networks.filter((n: any) => n.driver === "macvlan" || n.driver === "ipvlan").map((n: any) => ({
        name: n.name, driver: n.driver, subnet: n.ipam_config[0].Subnet, parent: n.options.parent,
        mode: n.driver === "macvlan" ? (n.options.macvlan_mode ?? "bridge") : `${n.options.ipvlan_mode ?? "l2"}/bridge`,
        // Docker records a gateway only when one was given or the subnet was drawn from a pool
        ...(n.ipam_config[0].Gateway ? { gateway: n.ipam_config[0].Gateway } : {}),
      }));
      const ours = r.networks.filter((n) => n.driver === "macvlan" || n.driver === "ipvlan").map((n) => {
        const want = real.find((x: any) => x.name === n.name);
        return { name: n.name, driver: n.driver, subnet: n.subnet, parent: n.parent, mode: n.mode, ...(want?.gateway ? { gateway: n.gateway } : {}) };
      });
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      expect(ours.sort(byName)).toEqual(real.sort(byName));
    });
  }
});
