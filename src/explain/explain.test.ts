// Each warning: a scenario that runs into the pitfall (the warning is there, with its refs) and
// one that does not (no such warning), so no warning can be produced by the scenario's text alone.
import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";
import { renderHtml } from "../render/html.js";
import { renderMarkdown } from "../render/markdown.js";
import { renderSummary } from "../render/summary.js";

const run = (s: ScenarioInput) => simulate(scenarioSchema.parse(s));
const codes = (s: ScenarioInput) => (run(s).warnings ?? []).map((w) => w.code);
const warning = (s: ScenarioInput, code: string) => run(s).warnings?.find((w) => w.code === code);

const SEED: ScenarioInput = { docker: { version: "20.10" }, containers: [{ name: "web", ports: ["8543:8888"] }] };
const seedRules = run(SEED).rules.host!["iptables-save"];

/** The seed's own rules, pasted back with a host firewall in filter INPUT (ufw-like: policy DROP, ssh allowed). */
function withInputFirewall(policy: "DROP" | "ACCEPT"): string {
  return seedRules
    .replace(":INPUT ACCEPT [0:0]", `:INPUT ${policy} [0:0]`)
    .replace(":DOCKER - [0:0]\n", ":DOCKER - [0:0]\n:ufw-user-input - [0:0]\n")
    .replace("-A FORWARD -j DOCKER-USER\n", "-A INPUT -i lo -j ACCEPT\n-A INPUT -j ufw-user-input\n-A FORWARD -j DOCKER-USER\n")
    .replace("COMMIT\n*nat", "-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n*nat");
}

describe("warnings", () => {
  it("the seed has none, and the field is absent", () => {
    expect(run(SEED).warnings).toBeUndefined();
  });

  describe("published-port-bypasses-input", () => {
    it("INPUT drops, but the published port is DNATed and forwarded to the container", () => {
      const w = warning({ ...SEED, rules: { host: { "iptables-save": withInputFirewall("DROP") } } }, "published-port-bypasses-input")!;
      expect(w.message).toContain("8543/tcp of web");
      expect(w.refs).toEqual([
        { container: "web", port: "0.0.0.0:8543->8888/tcp", flow: "external -> host:8543/tcp" },
        { namespace: "host", rule: "-P INPUT DROP" },
        { namespace: "host", rule: "-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 8888 -j ACCEPT" },
      ]);
    });
    it("not when INPUT accepts the port, nor for a port published on 127.0.0.1", () => {
      expect(codes({ ...SEED, rules: { host: { "iptables-save": withInputFirewall("ACCEPT") } } })).not.toContain("published-port-bypasses-input");
      const local = run({ docker: { version: "20.10" }, containers: [{ name: "web", ports: ["127.0.0.1:8543:8888"] }] }).rules.host!["iptables-save"];
      const firewalled = local.replace(":INPUT ACCEPT [0:0]", ":INPUT DROP [0:0]");
      expect(codes({ docker: { version: "20.10" }, containers: [{ name: "web", ports: ["127.0.0.1:8543:8888"] }], rules: { host: { "iptables-save": firewalled } } }))
        .not.toContain("published-port-bypasses-input");
    });
  });

  describe("docker-user-matches-after-dnat", () => {
    const withUserRule = (port: number) => seedRules.replace("-A DOCKER-USER -j RETURN", `-A DOCKER-USER -p tcp -m tcp --dport ${port} -j DROP\n-A DOCKER-USER -j RETURN`);
    it("a DOCKER-USER rule on the host port never matches", () => {
      const w = warning({ ...SEED, rules: { host: { "iptables-save": withUserRule(8543) } } }, "docker-user-matches-after-dnat")!;
      expect(w.refs![0]).toEqual({ namespace: "host", rule: "-A DOCKER-USER -p tcp -m tcp --dport 8543 -j DROP" });
      expect(w.message).toContain("--ctorigdstport 8543");
    });
    it("not for a rule on the container port (it matches: the probe is dropped there)", () => {
      expect(codes({ ...SEED, rules: { host: { "iptables-save": withUserRule(8888) } } })).not.toContain("docker-user-matches-after-dnat");
    });
  });

  describe("direct-routing-to-containers", () => {
    it("20.10 with forwarding already on (FORWARD policy ACCEPT): unpublished ports are reachable", () => {
      const w = warning({ ...SEED, host: { sysctl: { "net.ipv4.ip_forward": 1 } } }, "direct-routing-to-containers")!;
      expect(w.refs).toEqual([
        { container: "web", network: "bridge", port: "22/tcp", flow: "external -> 172.17.0.2:22/tcp" },
        { namespace: "host", rule: "-P FORWARD ACCEPT" },
      ]);
    });
    it("20.10: a port published on 127.0.0.1 answers at the container's address", () => {
      const w = warning({ docker: { version: "20.10" }, containers: [{ name: "web", ports: ["127.0.0.1:8080:80"] }] }, "direct-routing-to-containers")!;
      expect(w.refs![0]).toEqual({ container: "web", network: "bridge", port: "127.0.0.1:8080->80/tcp", flow: "external -> 172.17.0.2:80/tcp" });
    });
    it("not in 20.10 with Docker's FORWARD policy DROP, nor in 28 (raw PREROUTING drops), whatever the policy", () => {
      expect(codes(SEED)).not.toContain("direct-routing-to-containers");
      for (const version of ["28", "29"]) {
        expect(codes({ ...SEED, docker: { version }, host: { sysctl: { "net.ipv4.ip_forward": 1 } } })).not.toContain("direct-routing-to-containers");
        expect(codes({ docker: { version }, containers: [{ name: "web", ports: ["127.0.0.1:8080:80"] }] })).not.toContain("direct-routing-to-containers");
      }
    });
    it("28.2+ with --allow-direct-routing: published container ports answer at the container's address again (unpublished ones stay dropped in filter DOCKER)", () => {
      const w = warning({ docker: { version: "28" }, daemon: { "allow-direct-routing": true }, containers: [{ name: "web", ports: ["127.0.0.1:8080:80"] }] }, "direct-routing-to-containers")!;
      expect(w.refs![0]).toMatchObject({ container: "web", port: "127.0.0.1:8080->80/tcp" });
      expect(w.refs).toHaveLength(2);
    });
  });

  describe("localhost-published-reachable-from-lan", () => {
    const LOCAL = (version: string, proxy = true): ScenarioInput => ({
      docker: { version }, daemon: { "userland-proxy": proxy }, containers: [{ name: "web", ports: ["127.0.0.1:8080:80"] }],
    });
    it("20.10 (proxy on or off): a crafted packet to 127.0.0.1:8080 from the LAN is DNATed to the container", () => {
      for (const proxy of [true, false]) {
        const w = warning(LOCAL("20.10", proxy), "localhost-published-reachable-from-lan")!;
        expect(w.refs![0]).toEqual({ container: "web", port: "127.0.0.1:8080->80/tcp", flow: "LAN neighbour 203.0.113.254 on eth0 -> 127.0.0.1:8080/tcp" });
        expect(w.refs![1]!.rule).toMatch(/^-A DOCKER -d 127\.0\.0\.1\/32 .*-j DNAT --to-destination 172\.17\.0\.2:80$/);
      }
    });
    it("not in 28 or 29 (raw PREROUTING drops it), nor for a port published on all addresses", () => {
      expect(codes(LOCAL("28"))).not.toContain("localhost-published-reachable-from-lan");
      expect(codes(LOCAL("29", false))).not.toContain("localhost-published-reachable-from-lan");
      expect(codes(SEED)).not.toContain("localhost-published-reachable-from-lan");
    });
  });

  describe("icc-off-same-network", () => {
    const ICC = (proxy: boolean, icc = "false"): ScenarioInput => ({
      docker: { version: "20.10" }, daemon: { "userland-proxy": proxy },
      networks: [{ name: "quiet", options: { "com.docker.network.bridge.enable_icc": icc } }],
      containers: [{ name: "a", network: "quiet", ports: ["8080:80"] }, { name: "b", network: "quiet" }],
    });
    it("direct traffic dropped, the published port via the host still connects (docker-proxy)", () => {
      const w = warning(ICC(true), "icc-off-same-network")!;
      expect(w.message).toContain("docker-proxy relays it");
      expect(w.refs![0]).toMatchObject({ network: "quiet", container: "b", flow: "b -> a:80/tcp" });
      expect(w.refs![0]!.rule).toMatch(/^-A FORWARD -i br-\w+ -o br-\w+ -j DROP$/);
      expect(w.refs![1]).toEqual({ container: "a", port: "0.0.0.0:8080->80/tcp", flow: "b -> host:8080/tcp" });
    });
    it("not with icc on, and not without the proxy (hairpin NAT is dropped by the same icc rule)", () => {
      expect(codes(ICC(true, "true"))).not.toContain("icc-off-same-network");
      expect(codes(ICC(false))).not.toContain("icc-off-same-network");
    });
  });

  describe("published-port-unreachable-from-other-network", () => {
    const TWO = (version: string, proxy: boolean): ScenarioInput => ({
      docker: { version }, daemon: { "userland-proxy": proxy }, networks: [{ name: "na" }, { name: "nb" }],
      containers: [{ name: "a", network: "na", ports: ["8080:80"] }, { name: "b", network: "nb" }],
    });
    it("20.10-28 without the proxy: DNATed into the other bridge, dropped by the isolation rules", () => {
      for (const version of ["20.10", "28"]) {
        const w = warning(TWO(version, false), "published-port-unreachable-from-other-network")!;
        expect(w.refs![0]).toMatchObject({ container: "b", network: "nb", flow: "b -> host:8080/tcp" });
        expect(w.refs![0]!.rule).toMatch(/^-A DOCKER-ISOLATION-STAGE-2 -o br-\w+ -j DROP$/);
        expect(w.refs![1]).toEqual({ container: "a", network: "na", port: "0.0.0.0:8080->80/tcp", flow: "external -> host:8080/tcp" });
      }
    });
    it("not with the proxy (skip-DNAT rule, docker-proxy relays), and not in 29 (no isolation chains)", () => {
      expect(codes(TWO("20.10", true))).not.toContain("published-port-unreachable-from-other-network");
      expect(codes(TWO("29", false))).not.toContain("published-port-unreachable-from-other-network");
    });
  });

  describe("forward-policy-drop", () => {
    const ROUTER: ScenarioInput = {
      ...SEED,
      host: { interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1" }, { name: "eth1", address: "192.168.1.1/24" }] },
    };
    it("a host with a LAN side: Docker's FORWARD DROP policy stops the traffic it routes", () => {
      const w = warning(ROUTER, "forward-policy-drop")!;
      expect(w.refs).toEqual([{ namespace: "host", rule: "-P FORWARD DROP", flow: "LAN neighbour 192.168.1.254 on eth1 -> 198.51.100.7:443/tcp" }]);
    });
    it("not when forwarding was on before dockerd (policy left ACCEPT), nor on a host with one interface", () => {
      expect(codes({ ...ROUTER, host: { ...ROUTER.host, sysctl: { "net.ipv4.ip_forward": 1 } } })).not.toContain("forward-policy-drop");
      expect(codes(SEED)).not.toContain("forward-policy-drop");
    });
  });

  describe("ip-forward-off", () => {
    it("--ip-forward=false on a host that does not route: containers cannot get out", () => {
      const w = warning({ ...SEED, daemon: { "ip-forward": false } }, "ip-forward-off")!;
      expect(w.refs).toEqual([{ container: "web", namespace: "host", flow: "web -> 198.51.100.7:443/tcp" }]);
    });
    it("not when the host already routes", () => {
      expect(codes({ ...SEED, daemon: { "ip-forward": false }, host: { sysctl: { "net.ipv4.ip_forward": 1 } } })).not.toContain("ip-forward-off");
    });
  });

  it("hidden probes leave the traces alone, and the result is reproducible", () => {
    const s: ScenarioInput = {
      docker: { version: "20.10" }, containers: [{ name: "web", ports: ["127.0.0.1:8080:80"] }],
      flows: [{ from: "external", to: "web:80" }, { from: "host", to: "localhost:8080" }],
    };
    const a = run(s);
    expect(a.warnings?.length).toBe(2);
    expect(a.traces.map((t) => t.name)).toEqual(["external -> web:80/tcp", "host -> localhost:8080/tcp"]);
    // The user's own flow to the container is the direct-routing probe: same outcome, separately traced.
    expect(a.traces[0]!.connects).toBe(true);
    expect(run(s)).toEqual(a);
    expect(run({ ...s, flows: [] }).warnings).toEqual(a.warnings);
  });

  it("the summary, Markdown and HTML renderers show them (escaped); nothing when there are none", () => {
    const r = run({
      docker: { version: "20.10" }, containers: [{ name: "web", ports: ["127.0.0.1:8080:80"] }], flows: [{ from: "host", to: "localhost:8080" }],
    });
    expect(renderSummary(r).split("\n").filter((l) => l.startsWith("warning "))).toEqual([
      `warning direct-routing-to-containers: ${r.warnings![0]!.message}`,
      `warning localhost-published-reachable-from-lan: ${r.warnings![1]!.message}`,
    ]);
    expect(renderMarkdown(r)).toContain("### Warnings\n\n- **direct-routing-to-containers**: ");
    const html = renderHtml(r);
    expect(html).toContain('<section class="warnings"><h3>Warnings</h3><ul><li class="bad"><code>direct-routing-to-containers</code>: ');
    expect(html).toContain("a machine on eth0&#39;s network"); // the apostrophe is escaped
    const quiet = run({ ...SEED, flows: [{ from: "external", to: "host:8543" }] });
    expect(renderSummary(quiet)).not.toContain("warning");
    expect(renderMarkdown(quiet)).not.toContain("### Warnings");
    expect(renderHtml(quiet)).not.toContain("warnings");
  });
});
