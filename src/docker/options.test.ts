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
  it("on an --internal network in 28+ (no gateway allocated) is a 422", () => {
    expect(failure({ docker: { version: "28" }, networks: [{ name: "n", internal: true, options: { "com.docker.network.bridge.inhibit_ipv4": "true" } }] }))
      .toMatchObject({ pointer: "/networks/0/options/com.docker.network.bridge.inhibit_ipv4" });
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
});

describe("docker0's subnet from the address pools (no --bip, no --fixed-cidr)", () => {
  it("takes the first pool's first subnet, user networks the next ones (27+ as 20.10, capture o01)", () => {
    const r = run({ docker: { version: "28" }, daemon: { "default-address-pools": [{ base: "10.10.0.0/16", size: 24 }] }, networks: [{ name: "n" }] });
    expect(r.networks.map((n) => [n.name, n.subnet])).toEqual([["bridge", "10.10.0.0/24"], ["n", "10.10.1.0/24"]]);
  });
  it("skips a pool subnet the host's own interface is on", () => {
    const r = run({ host: { interfaces: [{ name: "eth0", address: "172.17.0.10/16", gateway: "172.17.0.1" }] } });
    expect(r.networks.find((n) => n.name === "bridge")!.subnet).toBe("172.18.0.0/16");
  });
});

describe("daemon settings accepted without effect, and known ones not simulated", () => {
  it("userland-proxy-path and network-control-plane-mtu change nothing", () => {
    const plain = save({ docker: { version: "27" }, containers: [{ name: "web", ports: ["8080:80"] }] });
    expect(save({ docker: { version: "27" }, daemon: { "userland-proxy-path": "/usr/libexec/docker/docker-proxy", "network-control-plane-mtu": 1400 }, containers: [{ name: "web", ports: ["8080:80"] }] })).toBe(plain);
  });
  it.each([
    ["bip6", "fd00:1::1/64"],
    ["default-gateway", "172.17.0.254"],
    ["default-gateway-v6", "fd00::254"],
    ["bridge-accept-fwmark", "0x1/0xff"],
  ] as const)("%s is a 422 naming it", (key, value) => {
    expect(failure({ docker: { version: "29" }, daemon: { [key]: value } })).toMatchObject({ status: 422, pointer: `/daemon/${key}` });
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
