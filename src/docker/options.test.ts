// Daemon and bridge-network options (src/docker/options.ts, OPTIONS.md): default-network-opts,
// inhibit_ipv4, container_iface_prefix, boolean option values, address pools for docker0, the
// accepted-but-ignored settings and the known-but-unsimulated ones (422 naming them).
import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { EngineError } from "../errors.js";
import { importCommands } from "../scenario/commands.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";

const run = (input: ScenarioInput) => simulate(scenarioSchema.parse(input));
const save = (input: ScenarioInput) => run(input).rules.host!["iptables-save"];

/** The JSON pointer and message of the error simulate() throws for the input. */
function failure(input: ScenarioInput): { pointer: string; message: string; status: number } {
  try {
    run(input);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    return { ...e.errors[0]!, status: e.status };
  }
  throw new Error("expected an error");
}

const NO_ICC = { "com.docker.network.bridge.enable_icc": "false" };

describe("default-network-opts (24+)", () => {
  it("gives a new bridge network the daemon's options, not docker0, and a network's own option wins", () => {
    const rules = save({
      docker: { version: "24" },
      daemon: { "default-network-opts": { bridge: NO_ICC } },
      networks: [
        { name: "net1", options: { "com.docker.network.bridge.name": "br-one" } },
        { name: "net2", options: { "com.docker.network.bridge.name": "br-two", "com.docker.network.bridge.enable_icc": "true" } },
      ],
    });
    expect(rules).toContain("-A FORWARD -i br-one -o br-one -j DROP");
    expect(rules).toContain("-A FORWARD -i br-two -o br-two -j ACCEPT");
    expect(rules).toContain("-A FORWARD -i docker0 -o docker0 -j ACCEPT");
  });
  it("applies to networks created by commands too (docker network create after dockerd --default-network-opt)", () => {
    const rules = save({
      docker: { version: "29" },
      commands: ["dockerd --default-network-opt bridge=com.docker.network.bridge.enable_ip_masquerade=false", "docker network create -o com.docker.network.bridge.name=br-one net1"],
    });
    expect(rules).not.toMatch(/-s \S+ ! -o br-one -j MASQUERADE/);
    expect(rules).toMatch(/-s 172\.17\.0\.0\/16 ! -o docker0 -j MASQUERADE/);
  });
  it("does not exist before 24; an unknown option in it names its key", () => {
    expect(failure({ docker: { version: "23" }, daemon: { "default-network-opts": { bridge: NO_ICC } } })).toMatchObject({ status: 422, pointer: "/daemon/default-network-opts" });
    expect(failure({ docker: { version: "27" }, daemon: { "default-network-opts": { bridge: { "com.docker.network.bridge.nope": "1" } } } }))
      .toMatchObject({ pointer: "/daemon/default-network-opts/bridge/com.docker.network.bridge.nope" });
  });
});

describe("boolean bridge options are read like Go's strconv.ParseBool", () => {
  it("\"0\" turns icc off; an unreadable value is a 422 naming the option", () => {
    const rules = save({ docker: { version: "20.10" }, networks: [{ name: "n", options: { "com.docker.network.bridge.name": "br-n", "com.docker.network.bridge.enable_icc": "0" } }] });
    expect(rules).toContain("-A FORWARD -i br-n -o br-n -j DROP");
    expect(failure({ networks: [{ name: "n", options: { "com.docker.network.bridge.enable_ip_masquerade": "no" } }] }))
      .toMatchObject({ status: 422, pointer: "/networks/0/options/com.docker.network.bridge.enable_ip_masquerade" });
    expect(failure({ networks: [{ name: "n", options: { "com.docker.network.bridge.host_binding_ipv4": "nope" } }] }))
      .toMatchObject({ status: 422, pointer: "/networks/0/options/com.docker.network.bridge.host_binding_ipv4" });
  });
});

describe("com.docker.network.bridge.inhibit_ipv4", () => {
  const base = (inhibit: boolean): ScenarioInput => ({
    docker: { version: "20.10" },
    networks: [{ name: "n", options: inhibit ? { "com.docker.network.bridge.inhibit_ipv4": "true" } : {} }],
    containers: [{ name: "web", network: "n" }],
    flows: [{ from: "web", to: "93.184.216.34:80" }],
  });
  it("leaves the rules alone but the bridge has no address: the container's gateway does not answer", () => {
    const on = run(base(true)), off = run(base(false));
    expect(on.rules.host!["iptables-save"]).toBe(off.rules.host!["iptables-save"]);
    expect(off.traces[0]!.verdict).toBe("delivered");
    expect(on.traces[0]!.verdict).not.toBe("delivered");
  });
});

describe("no IPv4 gateway (28+ GetSkipGwAlloc): gateway mode isolated, or inhibit_ipv4 on an --internal network", () => {
  const net = (options: Record<string, string>, version = "28"): ScenarioInput => ({
    docker: { version },
    networks: [{ name: "iso", internal: true, subnet: "192.0.2.0/24", options: { "com.docker.network.bridge.name": "br-iso", ...options } }],
    containers: [{ name: "a", network: "iso" }, { name: "b", network: "iso" }],
    flows: [{ from: "a", to: "b:80" }, { from: "a", to: "host:80" }],
  });
  it.each([
    ["gateway_mode_ipv4=isolated", { "com.docker.network.bridge.gateway_mode_ipv4": "isolated" }],
    ["inhibit_ipv4 + internal", { "com.docker.network.bridge.inhibit_ipv4": "true" }],
  ])("%s: containers from .1, no bridge address, same internal rules; containers reach each other, not the host", (_, options) => {
    const r = run(net(options));
    const plain = run(net({}));
    expect(r.rules.host!["iptables-save"]).toBe(plain.rules.host!["iptables-save"]);
    expect(r.networks.find((n) => n.name === "iso")).toMatchObject({ gateway: "" });
    expect(r.containers.map((c) => c.interfaces[0]!.ip)).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(plain.containers.map((c) => c.interfaces[0]!.ip)).toEqual(["192.0.2.2", "192.0.2.3"]);
    expect(r.traces.map((t) => t.verdict)).toEqual(["delivered", "unroutable"]);
  });
  it("20.10 still reserves the gateway with inhibit_ipv4 on an internal network; isolated needs --internal, 28+ and IPv4", () => {
    expect(run(net({ "com.docker.network.bridge.inhibit_ipv4": "true" }, "20.10")).containers[0]!.interfaces[0]!.ip).toBe("192.0.2.2");
    const open: ScenarioInput = { docker: { version: "28" }, networks: [{ name: "n", options: { "com.docker.network.bridge.gateway_mode_ipv4": "isolated" } }] };
    expect(failure(open)).toMatchObject({ pointer: "/networks/0/options/com.docker.network.bridge.gateway_mode_ipv4", message: expect.stringContaining("internal") });
    expect(failure(net({ "com.docker.network.bridge.gateway_mode_ipv4": "isolated" }, "27"))).toMatchObject({ status: 422 });
    expect(failure({ ...net({ "com.docker.network.bridge.gateway_mode_ipv4": "isolated" }), networks: [{ name: "iso", internal: true, gateway: "10.0.0.1", subnet: "10.0.0.0/24", options: { "com.docker.network.bridge.gateway_mode_ipv4": "isolated" } }] }))
      .toMatchObject({ pointer: "/networks/0/gateway" });
  });
});

describe("bridge-accept-fwmark (29+, iptables backend)", () => {
  it("puts one ACCEPT for the mark on top of DOCKER-FORWARD, as dockerd writes it (decimal) and iptables-save prints it (hex)", () => {
    const r = run({ docker: { version: "29" }, daemon: { "bridge-accept-fwmark": "0x2/3" }, networks: [{ name: "n" }, { name: "i", internal: true }] });
    const forward = r.rules.host!["iptables-save"].split("\n").filter((l) => l.startsWith("-A DOCKER-FORWARD"));
    expect(forward[0]).toBe("-A DOCKER-FORWARD -m mark --mark 0x2/0x3 -j ACCEPT");
    expect(forward.filter((l) => l.includes("mark"))).toHaveLength(1);
    expect(r.rules.host!.commands).toContain("iptables --wait -t filter -I DOCKER-FORWARD -m mark --mark 2/3 -j ACCEPT");
  });
  it("nftables backend: \"meta mark\" accept in each non-internal bridge's forward-in chain, before ICC (nftabler group order)", () => {
    const nft = run({
      docker: { version: "29" }, daemon: { "firewall-backend": "nftables", "bridge-accept-fwmark": "0x10" }, host: { sysctl: { "net.ipv4.ip_forward": 1 } },
      networks: [{ name: "n", options: { "com.docker.network.bridge.name": "br-n" } }, { name: "i", internal: true, options: { "com.docker.network.bridge.name": "br-i" } }],
    }).rules.host!.nft!;
    const chain = (br: string) => nft.split(`chain filter-forward-in__${br} {`)[1]!.split("}")[0]!.trim().split("\n").map((l) => l.trim());
    // What the kernel's nft printed back for this ruleset (loaded with nft -f in a scratch netns).
    expect(chain("br-n")).toEqual([
      "ct state established,related counter packets 0 bytes 0 accept",
      'meta mark 0x00000010 counter packets 0 bytes 0 accept comment "ALLOW FW MARK"',
      'iifname "br-n" counter packets 0 bytes 0 accept comment "ICC"',
      'counter packets 0 bytes 0 drop comment "UNPUBLISHED PORT DROP"',
    ]);
    expect(chain("br-i").some((l) => l.includes("mark"))).toBe(false);
  });
  it("needs 29 and a valid MARK[/MASK]; a mask is not simulated with nftables", () => {
    expect(failure({ docker: { version: "28" }, daemon: { "bridge-accept-fwmark": "1" } })).toMatchObject({ pointer: "/daemon/bridge-accept-fwmark" });
    expect(failure({ docker: { version: "29" }, daemon: { "bridge-accept-fwmark": "1/2/3" } })).toMatchObject({ pointer: "/daemon/bridge-accept-fwmark" });
    expect(failure({ docker: { version: "29" }, daemon: { "bridge-accept-fwmark": "1/3", "firewall-backend": "nftables" } })).toMatchObject({ pointer: "/daemon/bridge-accept-fwmark" });
  });
});

describe("com.docker.network.container_iface_prefix", () => {
  it("names the container's interface PREFIX<N>, numbered per prefix like libnetwork", () => {
    const r = run({
      networks: [{ name: "lan", options: { "com.docker.network.container_iface_prefix": "lan" } }, { name: "plain" }, { name: "lan2", options: { "com.docker.network.container_iface_prefix": "lan" } }],
      containers: [{ name: "web", network: ["lan", "plain", "lan2"] }],
      flows: [{ from: "web", to: "93.184.216.34:80" }],
    });
    const names = r.containers.find((c) => c.name === "web")!.interfaces.map((i) => i.name);
    expect(names).toEqual(["lan0", "eth0", "lan1"]);
    expect(r.traces[0]!.verdict).toBe("delivered");
  });
  it("also for docker network connect", () => {
    const r = run({ commands: ["docker network create -o com.docker.network.container_iface_prefix=lan lan", "docker run -d --name web nginx", "docker network connect lan web", "docker network create plain", "docker network connect plain web"] });
    expect(r.containers[0]!.interfaces.map((i) => i.name)).toEqual(["eth0", "lan0", "eth1"]);
  });
  it("refuses a prefix that cannot make an interface name", () => {
    expect(failure({ networks: [{ name: "n", options: { "com.docker.network.container_iface_prefix": "a very long prefix" } }] }))
      .toMatchObject({ status: 422, pointer: "/networks/0/options/com.docker.network.container_iface_prefix" });
  });
});

describe("docker0's subnet from the address pools (no --bip, no --fixed-cidr)", () => {
  it("takes the first pool's first subnet, user networks the next ones (27+ as 20.10, capture o01)", () => {
    const r = run({ docker: { version: "28" }, daemon: { "default-address-pools": [{ base: "10.10.0.0/16", size: 24 }] }, networks: [{ name: "n" }] });
    expect(r.networks.map((n) => [n.name, n.subnet])).toEqual([["bridge", "10.10.0.0/24"], ["n", "10.10.1.0/24"]]);
  });
  it("--fixed-cidr alone: 20.10 keeps 172.17.0.0/16 (capture h17), 23.0.4+ makes fixed-cidr the subnet (initBridgeDriver)", () => {
    const docker0 = (version: string) => {
      const r = run({ docker: { version }, daemon: { "fixed-cidr": "172.17.128.0/17" }, containers: [{ name: "web" }] });
      return [r.networks.find((n) => n.name === "bridge")!.subnet, r.networks.find((n) => n.name === "bridge")!.gateway, r.containers[0]!.interfaces[0]!.ip];
    };
    expect(docker0("20.10")).toEqual(["172.17.0.0/16", "172.17.128.0", "172.17.128.1"]);
    expect(docker0("23.0.3")).toEqual(["172.17.0.0/16", "172.17.128.0", "172.17.128.1"]);
    expect(docker0("23.0.4")).toEqual(["172.17.128.0/17", "172.17.128.1", "172.17.128.2"]);
    expect(docker0("28")).toEqual(["172.17.128.0/17", "172.17.128.1", "172.17.128.2"]);
  });
  it("skips a pool subnet the host's own interface is on", () => {
    const r = run({ host: { interfaces: [{ name: "eth0", address: "172.17.0.10/16", gateway: "172.17.0.1" }] } });
    expect(r.networks.find((n) => n.name === "bridge")!.subnet).toBe("172.18.0.0/16");
  });
});

describe("daemon settings accepted without effect", () => {
  it("userland-proxy-path and network-control-plane-mtu change nothing", () => {
    const plain = save({ docker: { version: "27" }, containers: [{ name: "web", ports: ["8080:80"] }] });
    expect(save({ docker: { version: "27" }, daemon: { "userland-proxy-path": "/usr/libexec/docker/docker-proxy", "network-control-plane-mtu": 1400 }, containers: [{ name: "web", ports: ["8080:80"] }] })).toBe(plain);
  });
});

describe("dockerd flags for these settings (commands importer)", () => {
  it("reads --default-address-pool, --default-network-opt and the accepted flags", () => {
    const { daemon } = importCommands([
      "dockerd --default-address-pool base=10.10.0.0/16,size=24 --default-address-pool base=10.20.0.0/16,size=26 --default-network-opt bridge=com.docker.network.driver.mtu=1400 --userland-proxy-path=/usr/bin/docker-proxy --bip6 fd00::1/64",
    ]);
    expect(daemon).toEqual({
      "default-address-pools": [{ base: "10.10.0.0/16", size: 24 }, { base: "10.20.0.0/16", size: 26 }],
      "default-network-opts": { bridge: { "com.docker.network.driver.mtu": "1400" } },
      "userland-proxy-path": "/usr/bin/docker-proxy",
      bip6: "fd00::1/64",
    });
  });
  it("refuses a malformed pool or default option with the command's pointer", () => {
    expect(() => importCommands(["dockerd --default-address-pool 10.10.0.0/16"])).toThrow(/base=CIDR,size=N/);
    expect(() => importCommands(["dockerd --default-network-opt mtu=1400"])).toThrow(/DRIVER=KEY=VALUE/);
  });
});

describe("--iptables=false with ip6tables on", () => {
  const input = (version: string, daemon: Record<string, unknown> = {}): ScenarioInput => ({
    docker: { version },
    daemon: { iptables: false, ...daemon },
    networks: [{ name: "n", subnet6: "fd00:1::/64", options: { "com.docker.network.bridge.name": "br-n" } }],
    containers: [{ name: "web", network: "n", ports: ["8080:80"] }],
  });
  it("27+: no iptables rule, the ip6tables rules exactly as with iptables on (each family on its own)", () => {
    for (const version of ["27", "28", "29"]) {
      const off = run(input(version)).rules.host!, on = run({ ...input(version), daemon: {} }).rules.host!;
      expect(off["iptables-save"]).toBe("");
      expect(off["ip6tables-save"]).toBe(on["ip6tables-save"]);
      expect(off["ip6tables-save"]).toMatch(/-A DOCKER (! -s fe80::\/10 )?! -i br-n -p tcp -m tcp --dport 8080 -j DNAT --to-destination \[fd00:1::2\]:80/);
      expect(off.commands!.every((c) => c.startsWith("ip6tables "))).toBe(true);
    }
  });
  it("turns ip-masq off (docker0's NAT66 goes), refuses icc=false, and up to 26 the daemon does not start", () => {
    const v6 = run({ docker: { version: "27" }, daemon: { iptables: false, ipv6: true, "fixed-cidr-v6": "fd00:9::/64" } }).rules.host!["ip6tables-save"]!;
    expect(v6).not.toContain("-s fd00:9::/64 ! -o docker0 -j MASQUERADE");
    expect(failure(input("27", { icc: false }))).toMatchObject({ pointer: "/daemon/icc" });
    expect(failure(input("20.10", { ip6tables: true }))).toMatchObject({ pointer: "/daemon/ip6tables", message: expect.stringContaining("EnableIPTable is disabled") });
    expect(run(input("20.10")).rules.host!["ip6tables-save"]).toBe("");
  });
});

describe("daemon ip (--ip) with an IPv6 address", () => {
  it.each(["20.10", "27", "29"])("%s: docker0's bindings without a host address bind only that address, served by docker-proxy (capture o05)", (version) => {
    const r = run({
      docker: { version },
      daemon: { ip: "0:0::1" },
      containers: [{ name: "web", ports: ["8080:80", "127.0.0.1:8081:81"] }],
      flows: [{ from: "host", to: "[::1]:8080", family: "ipv6" }, { from: "external", to: "host:8080" }],
    });
    expect(r.containers[0]!.ports.map((p) => `${p.hostIp}:${p.hostPort}`).sort()).toEqual(["127.0.0.1:8081", "::1:8080"]);
    expect(r.rules.host!["iptables-save"]).not.toContain("--dport 8080");
    expect(r.traces.map((t) => t.connects)).toEqual([true, false]); // no IPv4 listener, no DNAT
  });
});

describe("bip6 (28+): docker0's IPv6 address and subnet", () => {
  it("gives docker0 that address, its subnet the NAT66 and ip6tables rules, containers the lowest free address", () => {
    const r = run({ docker: { version: "28" }, daemon: { ipv6: true, bip6: "fd00:9::1:1/64" },
      host: { interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1", address6: "2001:db8:1::10/64", gateway6: "2001:db8:1::1" }] }, containers: [{ name: "web", ports: ["8080:80"] }], flows: [{ from: "web", to: "[2001:db8::1]:443", family: "ipv6" }] });
    expect(r.networks.find((n) => n.name === "bridge")).toMatchObject({ subnet6: "fd00:9::/64", gateway6: "fd00:9::1:1" });
    expect(r.containers[0]!.interfaces[0]!.ip6).toBe("fd00:9::1");
    expect(r.rules.host!["ip6tables-save"]).toContain("-A POSTROUTING -s fd00:9::/64 ! -o docker0 -j MASQUERADE");
    expect(r.traces[0]!.verdict).toBe("delivered");
  });
  it("exists from 28 and is not simulated together with fixed-cidr-v6", () => {
    expect(failure({ docker: { version: "27" }, daemon: { ipv6: true, bip6: "fd00:9::1/64" } })).toMatchObject({ pointer: "/daemon/bip6" });
    expect(failure({ docker: { version: "29" }, daemon: { ipv6: true, bip6: "fd00:9::1/64", "fixed-cidr-v6": "fd00:9::/80" } })).toMatchObject({ pointer: "/daemon/bip6" });
  });
});

describe("options checked against moby's source only (no golden covers them)", () => {
  it("ip-forward-no-drop (28+): forwarding turned on, FORWARD policy left ACCEPT (setupIPv4Forwarding)", () => {
    const policy = (daemon: Record<string, unknown>) => /:FORWARD (\w+)/.exec(save({ docker: { version: "28" }, daemon }))![1];
    expect(policy({})).toBe("DROP");
    expect(policy({ "ip-forward-no-drop": true })).toBe("ACCEPT");
    expect(failure({ docker: { version: "27" }, daemon: { "ip-forward-no-drop": true } })).toMatchObject({ pointer: "/daemon/ip-forward-no-drop" });
  });
  it("trusted_host_interfaces (28.2+): a raw ACCEPT per interface before the direct-access DROP (iptabler filterDirectAccess)", () => {
    const raw = (version: string) => save({
      docker: { version },
      networks: [{ name: "n", subnet: "192.0.2.0/24", options: { "com.docker.network.bridge.name": "br-n", "com.docker.network.bridge.trusted_host_interfaces": "eth1::eth2" } }],
      containers: [{ name: "web", network: "n", ports: ["8080:80"] }],
    }).split("\n").filter((l) => l.startsWith("-A PREROUTING -d 192.0.2.2/32"));
    const expected = ["-A PREROUTING -d 192.0.2.2/32 -i eth1 -j ACCEPT", "-A PREROUTING -d 192.0.2.2/32 -i eth2 -j ACCEPT", "-A PREROUTING -d 192.0.2.2/32 ! -i br-n -j DROP"];
    expect(raw("28.2.0")).toEqual(expected);
    expect(raw("29")).toEqual(expected);
  });
});

describe("default-gateway(-v6): docker0's containers route via another address (captures o06, o07)", () => {
  it("IPv6: the container's IPv6 gateway, inside docker0's IPv6 subnet; ignored without IPv6", () => {
    const r = run({ docker: { version: "28" }, daemon: { ipv6: true, "fixed-cidr-v6": "fd00:1::/64", "default-gateway-v6": "fd00:1::254" }, containers: [{ name: "web" }] });
    expect(r.containers[0]!.interfaces[0]).toMatchObject({ gateway6: "fd00:1::254" });
    expect(r.containers[0]!.interfaces[0]!.gateway).toBeUndefined();
    expect(failure({ docker: { version: "28" }, daemon: { ipv6: true, "fixed-cidr-v6": "fd00:1::/64", "default-gateway-v6": "fd00:2::1" } })).toMatchObject({ pointer: "/daemon/default-gateway-v6" });
    expect(run({ daemon: { "default-gateway-v6": "fd00:2::1" }, containers: [{ name: "web" }] }).containers[0]!.interfaces[0]!.gateway6).toBeUndefined();
  });
  it("reserves it, reports it as the container's gateway, keeps the rules; with nothing there the packet finds no neighbour", () => {
    const input = (daemon: Record<string, unknown>): ScenarioInput => ({
      docker: { version: "27" }, daemon, containers: [{ name: "web", ports: ["8080:80"] }, { name: "b" }], flows: [{ from: "web", to: "93.184.216.34:80" }],
    });
    const r = run(input({ "default-gateway": "172.17.0.2" })), plain = run(input({}));
    expect(r.rules.host!["iptables-save"]).toBe(plain.rules.host!["iptables-save"].replaceAll("172.17.0.2/", "172.17.0.3/").replaceAll("172.17.0.2:", "172.17.0.3:"));
    expect(r.containers.map((c) => [c.interfaces[0]!.ip, c.interfaces[0]!.gateway])).toEqual([["172.17.0.3", "172.17.0.2"], ["172.17.0.4", "172.17.0.2"]]);
    expect(plain.containers[0]!.interfaces[0]!.gateway).toBeUndefined();
    expect(r.traces[0]).toMatchObject({ verdict: "unroutable", reason: expect.stringContaining("172.17.0.2") });
    expect(failure(input({ "default-gateway": "10.0.0.1" }))).toMatchObject({ pointer: "/daemon/default-gateway" });
  });
});
