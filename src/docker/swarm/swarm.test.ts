// A two-node Docker 20.10 swarm end to end: the ingress routing mesh (DOCKER-INGRESS, the
// ingress_sbox's IPVS, VXLAN between the nodes), docker_gwbridge, and a user overlay network.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalizeResolverPorts } from "../../../test/golden/resolver-ports.js";
import { simulate } from "../../engine.js";
import { EngineError } from "../../errors.js";
import { Ruleset } from "../../netfilter/ruleset.js";
import { applyCommand } from "../../netfilter/interpreter.js";
import { saveRuleset } from "../../netfilter/save.js";
import { scenarioSchema, type ScenarioInput } from "../../scenario/schema.js";

const CAPTURE = new URL("../../../test/golden/docker-20.10/s01-swarm-ingress/capture/", import.meta.url);
const example = JSON.parse(readFileSync(new URL("../../../examples/swarm-ingress.json", import.meta.url), "utf8")) as ScenarioInput;

function run(input: ScenarioInput) {
  return simulate(scenarioSchema.parse(input), { id: "t" });
}

function pointerOf(input: ScenarioInput): string {
  try {
    run(input);
  } catch (e) {
    if (e instanceof EngineError) return `${e.status} ${e.errors[0]!.pointer}`;
    throw e;
  }
  return "no error";
}

const macOf = (ip: string) => `02:42:${ip.split(".").map((b) => Number(b).toString(16).padStart(2, "0")).join(":")}`;
const rulesOnly = (text: string) => text.split("\n").filter((l) => l.startsWith("-A ") || l.startsWith(":") || l.startsWith("*"));

describe("two-node swarm, service web (2 replicas, 8080:80, network app)", () => {
  const r = run(example);
  const [mesh, egress, overlay, unpublished] = r.traces;

  it("places tasks round robin and addresses them like the 20.10 capture", () => {
    expect(r.swarm!.services[0]).toMatchObject({ vips: { ingress: "10.0.0.4", app: "10.0.1.2" }, fwmark: 256, tasks: [{ name: "web.1", node: "node1" }, { name: "web.2", node: "node2" }] });
    expect(r.swarm!.nodes.map((n) => n.ingressSbox)).toEqual([{ ingress: "10.0.0.2", gwbridge: "172.18.0.2" }, { ingress: "10.0.0.3", gwbridge: "172.18.0.2" }]);
    const web2 = r.containers.find((c) => c.name === "web.2")!;
    // capture: eth0 app 10.0.1.4, eth1 ingress 10.0.0.6, eth2 docker_gwbridge 172.18.0.3 (02:42 + IPv4 MACs)
    expect(web2.interfaces.map((i) => [i.network, i.name, i.ip, i.mac])).toEqual([
      ["app", "eth0", "10.0.1.4", "02:42:0a:00:01:04"], ["ingress", "eth1", "10.0.0.6", "02:42:0a:00:00:06"], ["docker_gwbridge", "eth2", "172.18.0.3", "02:42:ac:12:00:03"],
    ]);
    expect(r.networks.find((n) => n.name === "ingress")).toMatchObject({ subnet: "10.0.0.0/24", gateway: "10.0.0.1", vni: 4096 });
    expect(r.networks.find((n) => n.name === "app")).toMatchObject({ subnet: "10.0.1.0/24", vni: 4097 });
  });

  it("uses the addresses, MACs and VXLAN IDs the real swarm used (as sets: placement differs)", () => {
    const real = new Map<string, Set<string>>();
    for (const n of ["node1", "node2"])
      for (const net of JSON.parse(readFileSync(new URL(`${n}/docker-network-inspect.json`, CAPTURE), "utf8")) as any[]) {
        for (const c of Object.values(net.Containers ?? {}) as any[]) {
          const task = c.Name.startsWith("web.") || (c.Name.startsWith("gateway_") && c.Name !== "gateway_ingress-sbox");
          const key = `${net.Name} ${task ? "task" : c.Name}`;
          real.set(key, (real.get(key) ?? new Set()).add(`${c.IPv4Address} ${c.MacAddress}`));
        }
        if (net.Driver === "overlay") real.set(`${net.Name} vni`, new Set([net.Options["com.docker.network.driver.overlay.vxlanid_list"]]));
      }
    const ours = new Map<string, Set<string>>();
    const add = (k: string, v: string) => ours.set(k, (ours.get(k) ?? new Set()).add(v));
    for (const c of r.containers) for (const i of c.interfaces) add(`${i.network} task`, `${i.ip}/${i.network === "docker_gwbridge" ? 16 : 24} ${i.mac}`);
    for (const n of r.swarm!.nodes) {
      add("ingress ingress-endpoint", `${n.ingressSbox.ingress}/24 ${macOf(n.ingressSbox.ingress)}`);
      add("docker_gwbridge gateway_ingress-sbox", `${n.ingressSbox.gwbridge}/16 ${macOf(n.ingressSbox.gwbridge)}`);
    }
    for (const n of r.networks) if (n.vni) add(`${n.name} vni`, String(n.vni));
    for (const key of ["ingress task", "app task", "docker_gwbridge task", "ingress ingress-endpoint", "docker_gwbridge gateway_ingress-sbox", "ingress vni", "app vni"])
      expect(ours.get(key), key).toEqual(real.get(key));
  });

  it("external -> node1:8080 is DNATed to the ingress_sbox, IPVS picks web.2 on node2, VXLAN carries it there", () => {
    expect(mesh).toMatchObject({ verdict: "delivered", deliveredTo: { namespace: "web.2", ip: "10.0.0.6", port: 80 }, connects: true });
    const at = (ns: string) => mesh!.steps.filter((s) => s.namespace === ns).map((s) => `${s.hook} ${s.rule} => ${s.verdict}`);
    expect(at("node1")).toContain("PREROUTING -A DOCKER-INGRESS -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:8080 => DNAT");
    expect(at("node1")).toContain("FORWARD -A DOCKER-INGRESS -p tcp -m tcp --dport 8080 -j ACCEPT => ACCEPT");
    expect(at("node1/ingress_sbox")).toEqual([
      "PREROUTING -A PREROUTING -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x100/0xffffffff => MARK",
      "PREROUTING -P PREROUTING ACCEPT => policy ACCEPT",
      "INPUT -P INPUT ACCEPT => policy ACCEPT",
      "INPUT IPVS fwmark 256 (0x100) rr, masquerade: 10.0.0.6, 10.0.0.5 => IPVS → 10.0.0.6:8080",
      "POSTROUTING -A POSTROUTING -d 10.0.0.0/24 -m ipvs --ipvs -j SNAT --to-source 10.0.0.2 => SNAT",
    ]);
    // the encapsulated packet crosses node1's OUTPUT/POSTROUTING and node2's PREROUTING as UDP 4789
    const udp = mesh!.steps.filter((s) => s.packet.dport === 4789);
    expect(new Set(udp.map((s) => `${s.namespace} ${s.hook}`))).toEqual(new Set(["node1 OUTPUT", "node1 POSTROUTING", "node2 PREROUTING"]));
    expect(udp.every((s) => s.packet.src === "203.0.113.10" && s.packet.dst === "203.0.113.11")).toBe(true);
    expect(mesh!.hops.some((h) => h.event === "vxlan" && h.detail.includes("VNI 4096"))).toBe(true);
    expect(at("web.2")).toEqual([
      "PREROUTING -A PREROUTING -d 10.0.0.6/32 -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 80 => REDIRECT",
      "INPUT -A INPUT -d 10.0.0.6/32 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT => ACCEPT",
    ]);
    const ipvsReply = mesh!.reply!.steps.find((s) => s.table === "ipvs")!;
    expect(ipvsReply).toMatchObject({ namespace: "node1/ingress_sbox", hook: "FORWARD", packet: { src: "172.18.0.2", sport: 8080, dst: "198.51.100.7" } });
    expect(mesh!.reply!.steps.at(-1)!.rule).toBe("-A DOCKER-INGRESS -p tcp -m state --state RELATED,ESTABLISHED -m tcp --sport 8080 -j ACCEPT");
  });

  it("IPVS round robin: the next connection through node1 goes to web.1", () => {
    const two = run({ ...example, flows: [{ from: "external", to: "node1:8080" }, { from: "external", to: "node1:8080" }, { from: "external", to: "node2:8080" }] });
    expect(two.traces.map((t) => t.deliveredTo?.namespace)).toEqual(["web.2", "web.1", "web.2"]);
    expect(two.traces.every((t) => t.connects)).toBe(true);
  });

  it("an established connection: the ACK keeps the VIP through PREROUTING and IPVS forwards it again at LOCAL_IN", () => {
    const est = run({ ...example, flows: [{ from: "external", to: "node1:8080", state: "established" }] }).traces[0]!;
    expect(est).toMatchObject({ verdict: "delivered", deliveredTo: { namespace: "web.2", ip: "10.0.0.6", port: 80 }, connects: true });
    const ipvs = est.steps.find((s) => s.table === "ipvs")!;
    expect(ipvs).toMatchObject({ namespace: "node1/ingress_sbox", hook: "INPUT", verdict: "IPVS → 10.0.0.6:8080 (existing connection)", packet: { ct: "ESTABLISHED" } });
    // no nat rule runs for an established connection; the SNAT binding still applies
    expect(est.steps.filter((s) => s.table === "nat")).toEqual([]);
    expect(est.steps.filter((s) => s.namespace === "web.2").at(-1)!.packet).toMatchObject({ src: "10.0.0.2", dst: "10.0.0.6", dport: 80 });
  });

  it("a task reaches the internet through docker_gwbridge and its MASQUERADE", () => {
    expect(egress).toMatchObject({ verdict: "delivered", connects: true, deliveredTo: { namespace: "external" } });
    const masq = egress!.steps.find((s) => s.verdict === "MASQUERADE")!;
    expect(masq).toMatchObject({ namespace: "node1", rule: "-A POSTROUTING -s 172.18.0.0/16 ! -o docker_gwbridge -j MASQUERADE", packet: { src: "203.0.113.10" } });
  });

  it("task to task across nodes over the user overlay (VNI 4097)", () => {
    expect(overlay).toMatchObject({ verdict: "delivered", connects: true, deliveredTo: { namespace: "web.2", ip: "10.0.1.4", port: 80 } });
    expect(overlay!.hops.filter((h) => h.event === "vxlan").map((h) => h.namespace)).toEqual(["node1/1-" + r.networks.find((n) => n.name === "app")!.id!.slice(0, 10), "node2"]);
  });

  it("a port not published on the ingress address is dropped by the task's own rules", () => {
    expect(unpublished).toMatchObject({ verdict: "dropped", connects: false, reason: "filter OUTPUT" });
    expect(unpublished!.steps.at(-1)!.rule).toBe("-A OUTPUT -s 10.0.0.6/32 -p tcp -j DROP");
  });

  it("matches the real 20.10 capture where the daemon got that far (no IPVS on the capture kernel)", () => {
    // host: the captured docker_gwbridge/docker0 rules are ours without the ingress additions
    const ours = rulesOnly(r.rules.node1!["iptables-save"]).filter((l) => !l.includes("DOCKER-INGRESS") && !l.includes("--src-type LOCAL -j MASQUERADE"));
    expect(ours).toEqual(rulesOnly(readFileSync(new URL("node1/iptables-save.txt", CAPTURE), "utf8")));
  });

  // Each sandbox's iptables-save, as captured (nft iptables-save prints tables filter, nat; "#" lines dropped).
  const sandboxes = ["node1", "node2"].flatMap((n) =>
    readdirSync(new URL(`${n}/`, CAPTURE)).filter((f) => f.startsWith("netns-") && f !== "netns-list.txt").map((f) => {
      const text = readFileSync(new URL(`${n}/${f}`, CAPTURE), "utf8");
      return { node: n, name: f.slice(6, -4), text, rules: text.split("--- iptables-save\n")[1]!.split("\n").filter((l) => !l.startsWith("#")).join("\n") };
    }));
  const ingressIpOf = (text: string) => /inet (10\.0\.0\.\d+)\/24/.exec(text)?.[1];

  it.each(["10.0.0.5", "10.0.0.6"])("task with ingress address %s: the redirector's and the embedded DNS rules, byte for byte but the resolver's ports", (ip) => {
    const real = sandboxes.find((x) => /^[0-9a-f]{12}$/.test(x.name) && ingressIpOf(x.text) === ip)!;
    const task = r.containers.find((c) => c.interfaces.some((i) => i.ip === ip))!.name; // wherever the scheduler put it
    expect(real.rules).toContain("DOCKER_OUTPUT");
    expect(normalizeResolverPorts(r.rules[task]!["iptables-save"])).toBe(normalizeResolverPorts(real.rules));
  });

  it.each(["node1", "node2"])("%s's ingress_sbox and lb_app: the embedded DNS rules, byte for byte but the resolver's ports (IPVS rules left out: the capture kernel has no IPVS)", (node) => {
    const n = r.swarm!.nodes.find((x) => x.name === node)!;
    for (const [kind, ns] of [["ingress_sbox", `${node}/ingress_sbox`], ["lb_", n.namespaces.find((x) => x.includes("/lb_"))!]] as const) {
      const real = sandboxes.find((x) => x.node === node && x.name.startsWith(kind))!;
      expect(real.rules, `${node} ${kind}`).toContain("DOCKER_OUTPUT");
      expect(normalizeResolverPorts(withoutIpvs(r.rules[ns]!["iptables-save"])), `${node} ${kind}`).toBe(normalizeResolverPorts(real.rules));
    }
  });

  it.each(["node1", "node2"])("%s's lb-app endpoint has the address the real swarm gave it (reverse node order)", (node) => {
    const real = sandboxes.find((x) => x.node === node && x.name.startsWith("lb_"))!;
    const lb = r.swarm!.nodes.find((x) => x.name === node)!.namespaces.find((x) => x.includes("/lb_"))!;
    const snat = /--to-source (\S+)/.exec(r.rules[lb]!["iptables-save"].split("\n").find((l) => l.includes("-m ipvs"))!)![1];
    expect(snat).toBe(/inet (10\.0\.1\.\d+)\/24/.exec(real.text)![1]);
  });

  it("a task asks the embedded DNS server: DNAT in its own nat OUTPUT to dockerd's socket", () => {
    const q = run({ ...example, flows: [{ from: "web.1", to: "127.0.0.11:53", proto: "udp" }] }).traces[0]!;
    expect(q).toMatchObject({ verdict: "delivered", connects: true, deliveredTo: { namespace: "web.1", ip: "127.0.0.11" } });
    // the task's filter table (the redirector's) sees it too; back through lo the packet keeps its
    // conntrack entry, so nat PREROUTING is not consulted again
    expect(q.steps.map((x) => `${x.namespace} ${x.table} ${x.chain} ${x.verdict}`)).toEqual([
      "web.1 nat OUTPUT JUMP:DOCKER_OUTPUT", "web.1 nat DOCKER_OUTPUT DNAT", "web.1 filter OUTPUT policy ACCEPT",
      "web.1 nat POSTROUTING JUMP:DOCKER_POSTROUTING", "web.1 nat POSTROUTING policy ACCEPT", "web.1 filter INPUT policy ACCEPT",
    ]);
    expect(q.deliveredTo!.port).toBe(Number(/127\.0\.0\.11:(\d+)/.exec(r.rules["web.1"]!["iptables-save"].split("\n").find((l) => l.includes("-p udp -m udp --dport 53"))!)![1]));
  });
});

/** What libnetwork's fwMarker adds once IPVS works (the mangle table, the -m ipvs SNAT): the capture kernel stops before. */
function withoutIpvs(save: string): string {
  return save.replace(/\*mangle\n[^]*?COMMIT\n/, "").split("\n").filter((l) => !l.includes("-m ipvs --ipvs")).join("\n");
}


describe("service VIPs on a user overlay: the node's lb_ namespace", () => {
  const input: ScenarioInput = {
    ...example,
    swarm: { ...example.swarm!, services: [...example.swarm!.services!, { name: "api", replicas: 2, networks: ["app"] }] },
    flows: [{ from: "web.1", to: "api:9000" }, { from: "web.1", to: "api:9000" }, { from: "api.2", to: "web:80" }],
  };
  const r = run(input);
  const lb1 = r.swarm!.nodes[0]!.namespaces.find((n) => n.includes("/lb_"))!;

  it("gives each node with tasks on app an lb endpoint after the tasks, with the VIP mark and the IPVS SNAT", () => {
    expect(r.swarm!.services.map((s) => [s.name, s.vips, s.fwmark])).toEqual([
      ["web", { ingress: "10.0.0.4", app: "10.0.1.2" }, 256], ["api", { app: "10.0.1.5" }, 257],
    ]);
    expect(rulesOnly(r.rules[lb1]!["iptables-save"]).filter((l) => l.startsWith("-A") && !l.includes("127.0.0.11"))).toEqual([
      "-A INPUT -d 10.0.1.2/32 -j MARK --set-xmark 0x100/0xffffffff",
      "-A INPUT -d 10.0.1.5/32 -j MARK --set-xmark 0x101/0xffffffff",
      "-A POSTROUTING -d 10.0.1.0/24 -m ipvs --ipvs -j SNAT --to-source 10.0.1.9",
    ]);
  });

  it("load-balances a task's connections to the VIP round robin, across nodes, and answers from the VIP", () => {
    expect(r.traces.map((t) => [t.deliveredTo?.namespace, t.connects])).toEqual([["api.2", true], ["api.1", true], ["web.2", true]]);
    const [first] = r.traces;
    expect(first!.steps.find((s) => s.table === "ipvs")).toMatchObject({ namespace: lb1, verdict: "IPVS → 10.0.1.7:9000" });
    expect(first!.hops.some((h) => h.event === "vxlan")).toBe(true);
    expect(first!.reply!.steps.at(-1)!.packet).toMatchObject({ src: "10.0.1.5", sport: 9000, dst: "10.0.1.3" });
  });
});

describe("mode=host publishing (published=8080,target=80,mode=host)", () => {
  const hostMode = JSON.parse(readFileSync(new URL("../../../examples/swarm-host-mode.json", import.meta.url), "utf8")) as ScenarioInput;
  const r = run(hostMode);

  it("maps the port on docker_gwbridge of the node that runs the task, through the bridge dialect; no routing mesh", () => {
    const node1 = r.rules.node1!["iptables-save"];
    expect(node1).toContain("-A DOCKER ! -i docker_gwbridge -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.3:80");
    expect(node1).toContain("-A DOCKER -d 172.18.0.3/32 ! -i docker_gwbridge -o docker_gwbridge -p tcp -m tcp --dport 80 -j ACCEPT");
    expect(node1).toContain("-A POSTROUTING -s 172.18.0.3/32 -d 172.18.0.3/32 -p tcp -m tcp --dport 80 -j MASQUERADE");
    expect(node1).not.toContain("DOCKER-INGRESS");
    expect(r.rules.node2!["iptables-save"]).not.toContain("--dport 8080");
    // the same rules as a standalone container with -p 8080:80 on that bridge
    const bridge = run({ docker: { version: "20.10" }, host: { interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1" }] },
      networks: [{ name: "docker_gwbridge", subnet: "172.18.0.0/16", options: { "com.docker.network.bridge.name": "docker_gwbridge", "com.docker.network.bridge.enable_icc": "false", "com.docker.network.bridge.enable_ip_masquerade": "true" } }],
      containers: [{ name: "web.1", network: "docker_gwbridge", ip: "172.18.0.3", ports: ["8080:80"] }] });
    expect(node1).toBe(bridge.rules.host!["iptables-save"]);
    // the task is on app and docker_gwbridge only (no ingress endpoint, no redirector)
    expect(r.containers[0]!.interfaces.map((i) => i.network)).toEqual(["app", "docker_gwbridge"]);
    expect(r.rules["web.1"]!["iptables-save"]).not.toContain("REDIRECT");
    expect(r.swarm!.services[0]!.ports).toEqual(["8080:80/tcp mode=host"]);
  });

  it("delivers external -> node1:8080 to the task; node2 (no task) refuses it", () => {
    const [on, off] = r.traces;
    expect(on).toMatchObject({ verdict: "delivered", connects: true, deliveredTo: { namespace: "web.1", ip: "172.18.0.3", port: 80 } });
    expect(on!.steps.find((s) => s.verdict === "DNAT")).toMatchObject({ namespace: "node1", rule: "-A DOCKER ! -i docker_gwbridge -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.3:80" });
    expect(on!.hops.some((h) => h.event === "vxlan")).toBe(false);
    expect(off).toMatchObject({ connects: false, deliveredTo: { namespace: "node2", port: 8080 } });
  });

  it("node1 -> localhost:8080 goes through docker-proxy to the task", () => {
    const t = run({ ...hostMode, flows: [{ from: "node1", to: "localhost:8080" }] }).traces[0]!;
    expect(t).toMatchObject({ connects: true });
    expect(t.hops.some((h) => h.event === "proxy")).toBe(true);
  });

  it("two tasks on one node cannot both bind the port (the scheduler leaves one pending): 422", () => {
    const two = { ...hostMode, swarm: { ...hostMode.swarm!, services: [{ ...hostMode.swarm!.services![0]!, replicas: 3 }] } };
    expect(pointerOf(two)).toBe("422 /swarm/services/0/replicas");
    const mixed = { ...hostMode, swarm: { ...hostMode.swarm!, services: [...hostMode.swarm!.services!, { name: "api", publish: ["8080:80"], networks: ["app"] }] } };
    expect(pointerOf(mixed)).toBe("422 /swarm/services/1/publish/0");
  });
});

describe("a standalone container on an attachable overlay (docker run --network app on node2)", () => {
  const attachable = JSON.parse(readFileSync(new URL("../../../examples/swarm-attachable.json", import.meta.url), "utf8")) as ScenarioInput;
  const r = run(attachable);
  const [toTask, toVip, fromTask, egress] = r.traces;

  it("gets an app address after the tasks, docker_gwbridge as its gateway, the embedded DNS rules, and its node an lb_ namespace", () => {
    const client = r.containers.find((c) => c.name === "client")!;
    expect(client.node).toBe("node2");
    expect(client.interfaces.map((i) => [i.network, i.name, i.ip])).toEqual([["app", "eth0", "10.0.1.4"], ["docker_gwbridge", "eth1", "172.18.0.3"]]);
    expect(r.rules.client!["iptables-save"]).toContain("-A OUTPUT -d 127.0.0.11/32 -j DOCKER_OUTPUT");
    expect(r.swarm!.services.map((s) => s.name)).toEqual(["web"]);
    expect(r.swarm!.nodes[1]!.namespaces.some((n) => n.includes("/lb_"))).toBe(true);
  });

  it("reaches a task on the other node over VXLAN, both ways", () => {
    expect(toTask).toMatchObject({ verdict: "delivered", connects: true, deliveredTo: { namespace: "web.1", ip: "10.0.1.3", port: 80 } });
    expect(toTask!.hops.some((h) => h.event === "vxlan" && h.detail.includes("VNI 4097"))).toBe(true);
    expect(fromTask).toMatchObject({ verdict: "delivered", connects: true, deliveredTo: { namespace: "client", ip: "10.0.1.4", port: 5432 } });
  });

  it("reaches the service VIP through its own node's lb_ namespace (IPVS), and the internet through docker_gwbridge", () => {
    const lb2 = r.swarm!.nodes[1]!.namespaces.find((n) => n.includes("/lb_"))!;
    expect(toVip).toMatchObject({ verdict: "delivered", connects: true, deliveredTo: { namespace: "web.1" } });
    expect(toVip!.steps.find((s) => s.table === "ipvs")).toMatchObject({ namespace: lb2, verdict: "IPVS → 10.0.1.3:80" });
    expect(egress!.steps.find((s) => s.verdict === "MASQUERADE")).toMatchObject({ namespace: "node2" });
  });

  it("-p on an overlay container maps the port on docker_gwbridge of its node", () => {
    const p = run({ ...attachable, containers: [{ name: "client", network: "app", node: "node2", ports: ["5432:5432"] }], flows: [{ from: "external", to: "node2:5432" }, { from: "external", to: "node1:5432" }] });
    expect(p.rules.node2!["iptables-save"]).toContain("-A DOCKER ! -i docker_gwbridge -p tcp -m tcp --dport 5432 -j DNAT --to-destination 172.18.0.3:5432");
    expect(p.traces[0]).toMatchObject({ connects: true, deliveredTo: { namespace: "client", port: 5432 } });
    // node1 has no such mapping, and nothing listens there
    expect(p.traces[1]).toMatchObject({ connects: false, deliveredTo: { namespace: "node1", port: 5432 } });
  });

  it.each([
    ["a network that is not attachable", { networks: [{ name: "app", driver: "overlay" }] }, "422 /containers/0/network"],
    ["an unknown node", { containers: [{ name: "client", network: "app", node: "node9" }] }, "422 /containers/0/node"],
    ["no network (the default bridge)", { containers: [{ name: "client", node: "node2" }] }, "422 /containers/0/network"],
    ["a name taken by a task", { containers: [{ name: "web.1", network: "app" }] }, "422 /containers/0/name"],
    ["a node without a swarm", { swarm: undefined, networks: undefined, containers: [{ name: "c", node: "node1" }] }, "422 /containers/0/node"],
  ] as [string, Partial<ScenarioInput>, string][])("%s: %s", (_n, change, want) => {
    expect(pointerOf({ ...attachable, flows: [], ...change })).toBe(want);
  });
});

describe("-m ipvs", () => {
  it("saves as iptables-save prints it", () => {
    const rs = new Ruleset();
    expect(applyCommand(rs, ["-t", "nat", "-A", "POSTROUTING", "-m", "ipvs", "--ipvs", "-d", "10.0.0.0/24", "-j", "SNAT", "--to-source", "10.0.0.2"]).ok).toBe(true);
    expect(applyCommand(rs, ["-t", "nat", "-A", "POSTROUTING", "-m", "ipvs", "!", "--ipvs", "-j", "ACCEPT"]).ok).toBe(true);
    expect(saveRuleset(rs)).toContain("-A POSTROUTING -d 10.0.0.0/24 -m ipvs --ipvs -j SNAT --to-source 10.0.0.2\n-A POSTROUTING -m ipvs ! --ipvs -j ACCEPT\n");
    expect(applyCommand(rs, ["-t", "nat", "-A", "POSTROUTING", "-m", "ipvs", "--vaddr", "10.0.0.4", "-j", "ACCEPT"]).ok).toBe(false);
  });
});

describe("bad swarm input is a 422 naming the field", () => {
  const base = example;
  it.each([
    ["overlay without a swarm", { networks: [{ name: "app", driver: "overlay" }] }, "422 /networks/0/driver"],
    ["a release other than 20.10, 28 and 29", { ...base, docker: { version: "27" } }, "422 /docker/version"],
    ["host interfaces (each node's address comes from swarm.nodes)", { ...base, host: { interfaces: [{ name: "eth1", address: "198.51.100.2/24" }] } }, "422 /host/interfaces"],
    ["an unknown network", { ...base, swarm: { ...base.swarm!, services: [{ name: "web", networks: ["nope"] }] } }, "422 /swarm/services/0/networks/0"],
    ["an unknown placement", { ...base, swarm: { ...base.swarm!, services: [{ name: "web", placement: ["node9"] }] } }, "422 /swarm/services/0/placement/0"],
    ["nodes on two LANs", { ...base, swarm: { nodes: [{ name: "a", address: "203.0.113.10/24", role: "manager" }, { name: "b", address: "198.18.0.2/24" }] } }, "422 /swarm/nodes/1/address"],
    ["a service on no overlay at all (default bridge)", { ...base, swarm: { ...base.swarm!, services: [{ name: "web", publish: [{ published: 80, target: 80, mode: "host" }] }] } }, "422 /swarm/services/0/networks"],
    ["two services on one port", { ...base, swarm: { ...base.swarm!, services: [{ name: "a", publish: ["80:80"] }, { name: "b", publish: ["80:8080"] }] } }, "422 /swarm/services/1/publish/0"],
  ] as [string, ScenarioInput, string][])("%s", (_name, input, want) => {
    expect(pointerOf(input)).toBe(want);
  });
});

describe("docker swarm commands", () => {
  const fromCommands = JSON.parse(readFileSync(new URL("../../../examples/swarm-commands.json", import.meta.url), "utf8")) as ScenarioInput;

  it("describe the same swarm as the JSON form", () => {
    const a = run(fromCommands);
    const b = run({ ...example, flows: fromCommands.flows });
    expect(a.rules).toEqual(b.rules);
    expect(a.swarm).toEqual(b.swarm);
    expect(a.traces.map((t) => [t.verdict, t.deliveredTo?.namespace, t.connects])).toEqual([["delivered", "web.2", true], ["delivered", "web.1", true]]);
  });

  it.each([
    ["join before init", ["docker swarm join --advertise-addr 203.0.113.11 203.0.113.10:2377"], "400 /commands/0"],
    ["no --advertise-addr", ["docker swarm init"], "400 /commands/0"],
    ["a service without a swarm", ["docker service create --name web nginx"], "400 /commands/0"],
    ["an unknown flag", ["docker swarm init --advertise-addr 203.0.113.10", "docker service create --bogus 1 nginx"], "400 /commands/1"],
    ["docker run next to a swarm", ["docker swarm init --advertise-addr 203.0.113.10", "docker run -d nginx"], "422 /commands/1"],
    ["a bridge network next to a swarm", ["docker swarm init --advertise-addr 203.0.113.10", "docker network create br"], "422 /commands/1"],
    ["both forms", ["docker swarm init --advertise-addr 203.0.113.10"], "400 /commands"],
  ])("%s", (name, commands, want) => {
    const input: ScenarioInput = name === "both forms" ? { ...example, commands } : { docker: { version: "20.10" }, commands };
    expect(pointerOf(input)).toBe(want);
  });
});

describe("a service with no task yet", () => {
  it("programs nothing: libnetwork sets up load balancing with the first backend", () => {
    const r = run({ ...example, swarm: { ...example.swarm!, services: [{ name: "web", replicas: 0, publish: ["8080:80"], networks: ["app"] }] }, flows: [{ from: "external", to: "node1:8080" }] });
    expect(r.rules.node1!["iptables-save"]).not.toContain("DOCKER-INGRESS");
    // the ingress_sbox has only its embedded DNS rules (as captured)
    expect(r.rules["node1/ingress_sbox"]!["iptables-save"]).not.toMatch(/mangle|ipvs/);
    expect(r.rules["node1/ingress_sbox"]!["iptables-save"]).toContain("-A OUTPUT -d 127.0.0.11/32 -j DOCKER_OUTPUT");
    expect(r.traces[0]).toMatchObject({ verdict: "delivered", deliveredTo: { namespace: "node1", port: 8080 } });
  });
});

// 28 and 29: the host rules of a single-node swarm are compared with moby's iptablesdoc
// swarm-portmap.md pages (test/golden/moby.test.ts); here the parts the pages do not show.
describe("Docker 28 and 29 swarm nodes", () => {
  const twoNodes = (version: string): ScenarioInput => ({
    docker: { version },
    swarm: { nodes: [{ name: "node1", address: "203.0.113.10/24", role: "manager" }, { name: "node2", address: "203.0.113.11/24" }], services: [{ name: "web", replicas: 1, publish: ["8080:80"] }] },
    flows: [{ from: "external", to: "node2:8080" }, { from: "external", to: "node1:8080" }],
  });

  for (const version of ["28.0.0", "28.5.2", "29.7.2"])
    it(`Docker ${version}: the routing mesh reaches web.1 (on node1) through either node`, () => {
      const r = run(twoNodes(version));
      for (const t of r.traces) expect(t).toMatchObject({ connects: true, deliveredTo: { namespace: "web.1", port: 80 } });
    });

  it("28.2+: every docker_gwbridge endpoint (ingress-sbox, then the node's tasks) gets its DROP of direct access", () => {
    const raw = (version: string, node: string) => run(twoNodes(version)).rules[node]!["iptables-save"].split("\n").filter((l) => l.startsWith("-A PREROUTING -d"));
    expect(raw("28.5.2", "node1")).toEqual(["-A PREROUTING -d 172.18.0.2/32 ! -i docker_gwbridge -j DROP", "-A PREROUTING -d 172.18.0.3/32 ! -i docker_gwbridge -j DROP"]);
    expect(raw("29.7.2", "node2")).toEqual(["-A PREROUTING -d 172.18.0.2/32 ! -i docker_gwbridge -j DROP"]);
    expect(raw("28.0.0", "node1")).toEqual([]); // filterDirectAccess per endpoint came in 28.2
  });

  it("29 re-inserts the DOCKER-INGRESS jumps on top for each service (EnsureJumpRule); the rules end the same", () => {
    const input = twoNodes("29.7.2");
    input.swarm!.services = [{ name: "web", publish: ["8080:80"] }, { name: "api", publish: ["9090:90"] }];
    const node1 = run(input).rules.node1!;
    expect(node1.commands!.filter((c) => c.includes("-D DOCKER-FORWARD -j DOCKER-INGRESS"))).toHaveLength(1);
    expect(node1["iptables-save"]).toContain("-A DOCKER-FORWARD -j DOCKER-INGRESS\n-A DOCKER-FORWARD -j DOCKER-CT\n");
    expect(node1["iptables-save"].match(/-j DOCKER-INGRESS/g)).toHaveLength(3);
  });
});
