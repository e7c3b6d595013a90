import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";
import { resolverPorts, setupResolver } from "./dns.js";

const run = (s: ScenarioInput) => simulate(scenarioSchema.parse(s));

const USER_NET: ScenarioInput = {
  docker: { version: "20.10" },
  networks: [{ name: "app" }],
  containers: [{ name: "web", network: "app", ports: ["8080:80"] }, { name: "old" }],
};

describe("embedded DNS resolver rules (container netns)", () => {
  it("writes dockerd's rules, tcp above udp, with the resolver's two ports", () => {
    const r = setupResolver("web");
    const { udpPort: u, tcpPort: t } = resolverPorts();
    expect([r.udpPort, r.tcpPort]).toEqual([u, t]);
    expect(u).not.toBe(t);
    for (const p of [u, t]) expect(p >= 32768 && p <= 60999).toBe(true);
    const res = run(USER_NET);
    expect(res.rules.web!["iptables-save"]).toBe(`*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER_OUTPUT - [0:0]
:DOCKER_POSTROUTING - [0:0]
-A OUTPUT -d 127.0.0.11/32 -j DOCKER_OUTPUT
-A POSTROUTING -d 127.0.0.11/32 -j DOCKER_POSTROUTING
-A DOCKER_OUTPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 127.0.0.11:${t}
-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:${u}
-A DOCKER_POSTROUTING -s 127.0.0.11/32 -p tcp -m tcp --sport ${t} -j SNAT --to-source :53
-A DOCKER_POSTROUTING -s 127.0.0.11/32 -p udp -m udp --sport ${u} -j SNAT --to-source :53
COMMIT
`);
    // The check of the hook jump fails first (no chain yet), as dockerd's -C does.
    expect(res.rules.web!.commands![0]).toMatch(/^iptables --wait -t nat -C OUTPUT -d 127\.0\.0\.11 -j DOCKER_OUTPUT +# /);
    expect(res.rules.web!.commands).toHaveLength(10);
  });

  it("gives every user-network container the resolver (same fixed ports in each netns), and none to default-bridge, host or none containers", () => {
    const res = run({
      ...USER_NET,
      containers: [...USER_NET.containers!, { name: "db", network: "app" }, { name: "h", network: "host" }, { name: "n", network: "none" }],
    });
    expect(Object.keys(res.rules).sort()).toEqual(["db", "host", "web"]);
    expect(res.rules.db!["iptables-save"]).toBe(res.rules.web!["iptables-save"]);
    expect(res.rules.db!.commands).toEqual(res.rules.web!.commands);
  });

  it("one resolver for a container on two networks, also when the first is the default bridge", () => {
    const res = run({ docker: { version: "20.10" }, networks: [{ name: "front" }], containers: [{ name: "web", network: ["bridge", "front"] }] });
    expect(res.rules.web!["iptables-save"].match(/-j DNAT/g)).toHaveLength(2);
  });

  it("does not depend on --iptables, and is the same rule text in every release family", () => {
    const off = run({ ...USER_NET, daemon: { iptables: false } });
    expect(off.rules.web!["iptables-save"]).toBe(run(USER_NET).rules.web!["iptables-save"]);
    for (const version of ["27", "28", "29"])
      expect(run({ ...USER_NET, docker: { version } }).rules.web!["iptables-save"]).toBe(off.rules.web!["iptables-save"]);
  });

  it("29 with the nftables backend: table ip docker-dns instead, and the query is traced through it", () => {
    const { udpPort: u, tcpPort: t } = resolverPorts("web");
    const res = run({
      ...USER_NET, docker: { version: "29" }, daemon: { "firewall-backend": "nftables" }, host: { sysctl: { "net.ipv4.ip_forward": 1 } },
      flows: [{ from: "web", to: "127.0.0.11:53", proto: "udp" }],
    });
    expect(res.rules.web!["iptables-save"]).toBe("");
    expect(res.rules.web!.nft).toBe(`table ip docker-dns {
	chain dns-dnat {
		type nat hook output priority -100; policy accept;
		ip daddr 127.0.0.11 udp dport 53 counter packets 0 bytes 0 dnat to 127.0.0.11:${u}
		ip daddr 127.0.0.11 tcp dport 53 counter packets 0 bytes 0 dnat to 127.0.0.11:${t}
	}

	chain dns-snat {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 127.0.0.11 udp sport ${u} counter packets 0 bytes 0 snat to :53
		ip saddr 127.0.0.11 tcp sport ${t} counter packets 0 bytes 0 snat to :53
	}
}
`);
    expect(res.traces[0]).toMatchObject({ verdict: "delivered", connects: true, deliveredTo: { namespace: "web", port: u } });
    expect(res.traces[0]!.steps.map((x) => `${x.namespace} ${x.chain} ${x.verdict}`)).toEqual(["web dns-dnat DNAT", "web dns-snat policy ACCEPT"]);
  });

  it("pasted container rules win over the generated ones; an ip6tables-only paste keeps them", () => {
    const pasted = "*filter\n-A OUTPUT -p udp -j DROP\nCOMMIT\n";
    const res = run({ ...USER_NET, rules: { web: { "iptables-save": pasted } } });
    expect(res.rules.web!["iptables-save"]).not.toContain("DOCKER_OUTPUT");
    expect(res.rules.web!.commands).toBeUndefined();
    const v6 = run({ ...USER_NET, rules: { web: { "ip6tables-save": "*filter\nCOMMIT\n" } } });
    expect(v6.rules.web!["iptables-save"]).toContain("DOCKER_OUTPUT");
  });
});

describe("a DNS query to 127.0.0.11:53", () => {
  const { udpPort, tcpPort } = resolverPorts("web");
  const res = run({
    ...USER_NET,
    flows: [
      { from: "web", to: "127.0.0.11:53", proto: "udp" },
      { from: "web", to: "127.0.0.11:53", proto: "tcp" },
    ],
  });

  for (const [i, proto, port] of [[0, "udp", udpPort], [1, "tcp", tcpPort]] as const)
    it(`${proto}: DNAT in the container's nat OUTPUT, delivered to the resolver`, () => {
      const t = res.traces[i]!;
      expect(t.verdict).toBe("delivered");
      expect(t.connects).toBe(true);
      expect(t.deliveredTo).toEqual({ namespace: "web", ip: "127.0.0.11", port });
      expect(t.steps.map((s) => `${s.namespace} ${s.table} ${s.chain} ${s.verdict}`)).toEqual([
        "web nat OUTPUT JUMP:DOCKER_OUTPUT",
        "web nat DOCKER_OUTPUT DNAT",
        "web nat POSTROUTING JUMP:DOCKER_POSTROUTING",
        "web nat POSTROUTING policy ACCEPT",
      ]);
      expect(t.steps[1]!.packet).toMatchObject({ src: "127.0.0.1", dst: "127.0.0.11", dport: port });
    });

  it("the answer comes back from 127.0.0.11:53 (conntrack undoes the DNAT before INPUT)", () => {
    const filter = "*filter\n-A INPUT -s 127.0.0.11/32 -p udp -m udp --sport 53 -j ACCEPT\nCOMMIT\n";
    const again = run({
      ...USER_NET,
      rules: { web: { "iptables-save": res.rules.web!["iptables-save"] + filter } },
      flows: [{ from: "web", to: "127.0.0.11:53", proto: "udp" }],
    });
    const reply = again.traces[0]!.reply!;
    expect(reply.verdict).toBe("delivered");
    expect(reply.steps.map((s) => s.rule)).toContain("-A INPUT -s 127.0.0.11/32 -p udp -m udp --sport 53 -j ACCEPT");
  });

  it("no resolver on the default bridge: nothing rewrites 127.0.0.11:53", () => {
    const t = run({ ...USER_NET, flows: [{ from: "old", to: "127.0.0.11:53", proto: "udp" }] }).traces[0]!;
    expect(t.steps).toEqual([]);
    expect(t.deliveredTo).toEqual({ namespace: "old", ip: "127.0.0.11", port: 53 });
  });
});

describe("real Docker 20.10 (captures test/golden/docker-20.10/d*-dns*): the resolver listens where the rules point", () => {
  const root = join(import.meta.dirname, "../../test/golden/docker-20.10");
  const files = readdirSync(root)
    .filter((d) => /^d\d+-dns/.test(d))
    .flatMap((d) => readdirSync(join(root, d)).filter((s) => /^\d\d-/.test(s)).map((s) => join(root, d, s)))
    .flatMap((dir) => readdirSync(dir).filter((f) => /^ctr-.+-ss\.txt$/.test(f)).map((f) => join(dir, f)));

  it("has captures", () => expect(files.length).toBeGreaterThanOrEqual(8));
  for (const ss of files)
    it(ss.split("/").slice(-3).join("/"), () => {
      const rules = readFileSync(ss.replace(/-ss\.txt$/, "-iptables-save.txt"), "utf8");
      const dnat = [...rules.matchAll(/-p (tcp|udp) -m \1 --dport 53 -j DNAT --to-destination 127\.0\.0\.11:(\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
      const listening = [...readFileSync(ss, "utf8").matchAll(/^(tcp|udp)\s+\S+\s+\d+\s+\d+\s+127\.0\.0\.11:(\d+)\s/gm)].map((m) => `${m[1]} ${m[2]}`);
      expect(listening.sort()).toEqual(dnat.sort());
    });
});
