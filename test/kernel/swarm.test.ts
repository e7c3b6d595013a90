// The two-node swarm against the Linux kernel. nfplay's own swarm world (src/docker/swarm/) is
// rebuilt in network namespaces: the LAN (external), each node's host namespace with docker0 and
// docker_gwbridge, its ingress_sbox, one namespace per overlay network with br0 and a REAL vxlan
// device (created in the node's namespace, then moved, so its UDP socket stays in the node, as
// libnetwork does), and the tasks. Every namespace gets exactly the iptables commands nfplay says
// dockerd runs there (the `commands` of the result, replayed with the real iptables), then one flow
// is traced with xtables-monitor in every namespace and compared, namespace by namespace, with
// nfplay's trace (both directions).
//
// IPVS: this kernel has no CONFIG_IP_VS. For the one connection a flow opens, IPVS (in the
// ingress_sbox, or in a user overlay's lb_ namespace for a service VIP) does to that packet what a
// DNAT of its virtual address to the real server nfplay's scheduler chose does (destination
// rewritten, port kept, conntrack's reply tuple pointing at the real server). In that one
// namespace the kernel gets, instead of IPVS:
//   "-t nat -A PREROUTING -d VADDR/32 -p tcp --dport VPORT -j DNAT --to-destination RS:PORT"
// and the comparison accounts for the two differences:
//   1. IPVS rewrites at LOCAL_IN (the packet first takes the INPUT path: mangle INPUT, then the
//      ip_vs_in step) and sends it on through LOCAL_OUT; the DNAT rewrites in nat PREROUTING and
//      the packet is forwarded. So there nfplay's mangle INPUT lines and its "IPVS -> RS" step are
//      compared with the kernel's DNAT line, and nfplay's reply step ip_vs_out is not expected.
//   2. "-m ipvs --ipvs" needs skb->ipvs_property, which only IPVS sets: the kernel gets the SNAT
//      rule with "-m conntrack --ctstate DNAT" instead (the packets IPVS handles are exactly those
//      of the connection it rewrote), and the comparison maps that one rule text back.
// Everything else (the node hosts, including the VXLAN UDP packets through OUTPUT/POSTROUTING and
// PREROUTING, and the tasks) must match line for line. Root + iptables-nft + vxlan; skipped loudly
// elsewhere.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { formatAddr } from "../../src/net/address.js";
import type { Namespace, World } from "../../src/net/topology.js";
import { simulate } from "../../src/engine.js";
import { buildSwarm } from "../../src/docker/swarm/model.js";
import { buildSwarmWorld } from "../../src/docker/swarm/world.js";
import { resolverPorts } from "../../src/docker/dns.js";
import type { SimulationResult, Trace } from "../../src/result.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { ourLines } from "./compare.js";
import { kernelAvailable, parseTrace, ruleSequence, type KernelPacket } from "./harness.js";

const PREFIX = `nfsk${process.pid}`;
const avail = kernelAvailable();
const vxlanOk = avail.ok && probeVxlan();
if (!avail.ok) console.warn(`\n!!!! KERNEL SWARM TESTS SKIPPED: ${avail.reason}\n`);
else if (!vxlanOk) console.warn("\n!!!! KERNEL SWARM TESTS SKIPPED: cannot create a vxlan device in a namespace\n");

const example = JSON.parse(readFileSync(new URL("../../examples/swarm-ingress.json", import.meta.url), "utf8")) as ScenarioInput;
const attachable = JSON.parse(readFileSync(new URL("../../examples/swarm-attachable.json", import.meta.url), "utf8")) as ScenarioInput;
const hostMode = JSON.parse(readFileSync(new URL("../../examples/swarm-host-mode.json", import.meta.url), "utf8")) as ScenarioInput;
const FENCE_PORT = 65111;

function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10000, input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: rc=${r.status} ${r.stderr}`);
  return r.stdout;
}

function probeVxlan(): boolean {
  const ns = `${PREFIX}-probe`;
  try {
    sh("ip", ["netns", "add", ns]);
    sh("ip", ["-n", ns, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789"]);
    return true;
  } catch {
    return false;
  } finally {
    spawnSync("ip", ["netns", "del", ns], { timeout: 5000 });
  }
}

const kname = (ns: string) => `${PREFIX}-${ns.replace(/\//g, "_")}`;

/** nfplay's world, as real namespaces: interfaces, addresses, routes, neighbours and vxlan fdb entries. */
class KernelSwarm {
  readonly created: string[] = [];
  readonly procs: ChildProcess[] = [];

  constructor(private world: World, private result: SimulationResult, private dnat: IpvsStandIn | null) {}

  build(): void {
    for (const ns of this.world.namespaces.values()) {
      sh("ip", ["netns", "add", kname(ns.name)]);
      this.created.push(kname(ns.name));
      this.ip(ns, "link", "set", "lo", "up");
      for (const k of ["all", "default"]) this.sysctl(ns, `net.ipv4.conf.${k}.rp_filter`, "0");
      this.sysctl(ns, "net.ipv4.ip_forward", ns.ipForward ? "1" : "0");
    }
    for (const ns of this.world.namespaces.values()) for (const i of ns.ifaces.values()) if (i.kind === "bridge") this.ip(ns, "link", "add", i.name, "type", "bridge");
    const done = new Set<string>();
    for (const ns of this.world.namespaces.values())
      for (const i of ns.ifaces.values()) {
        if (i.kind === "veth" && i.peer && !done.has(`${ns.name}/${i.name}`)) {
          this.ip(ns, "link", "add", i.name, "type", "veth", "peer", "name", i.peer.iface, "netns", kname(i.peer.ns));
          done.add(`${ns.name}/${i.name}`).add(`${i.peer.ns}/${i.peer.iface}`);
        }
        if (i.vxlan) {
          // created in the node (the underlay keeps the UDP socket), then moved into the overlay namespace
          const under = this.world.get(i.vxlan.underlay);
          const tmp = `vx${i.vxlan.vni}`;
          this.ip(under, "link", "add", tmp, "type", "vxlan", "id", `${i.vxlan.vni}`, "dstport", "4789", "proxy", "l2miss", "l3miss");
          this.ip(under, "link", "set", tmp, "netns", kname(ns.name));
          this.ip(ns, "link", "set", tmp, "name", i.name);
        }
      }
    for (const ns of this.world.namespaces.values()) {
      for (const i of ns.ifaces.values()) {
        if (i.kind === "loopback") continue;
        this.ip(ns, "link", "set", i.name, "address", i.mac);
        for (const a of i.addrs) if (typeof a.ip === "number") this.ip(ns, "addr", "add", `${formatAddr(a.ip)}/${a.net.prefix}`, "dev", i.name);
        if (i.master) this.ip(ns, "link", "set", i.name, "master", i.master);
        this.ip(ns, "link", "set", i.name, "up");
        if (i.routeLocalnet) this.sysctl(ns, `net.ipv4.conf.${i.name}.route_localnet`, "1");
      }
      for (const r of ns.routes) {
        if (typeof r.dst.addr !== "number") continue;
        // the kernel adds a connected route with each address; only the others are added here
        const connected = ns.ifaces.get(r.dev)?.addrs.some((a) => a.net.addr === r.dst.addr && a.net.prefix === r.dst.prefix);
        if (connected && !r.via) continue;
        this.ip(ns, "route", "replace", `${formatAddr(r.dst.addr)}/${r.dst.prefix}`, "dev", r.dev, ...(r.via ? ["via", formatAddr(r.via)] : []));
      }
      if (ns.bridgeNfCall) this.sysctl(ns, "net.bridge.bridge-nf-call-iptables", "1");
    }
    this.overlayForwarding();
    this.rules();
  }

  /** libnetwork's peerAdd: the remote endpoint's MAC answered by vxlan0 (proxy ARP) and sent to its node. */
  private overlayForwarding(): void {
    for (const ns of this.world.namespaces.values())
      for (const i of ns.ifaces.values()) {
        if (!i.vxlan) continue;
        for (const [ip, vtep] of i.vxlan.fdb) {
          const mac = this.macOf(ip, vtep);
          this.ip(ns, "neigh", "replace", formatAddr(ip), "lladdr", mac, "dev", i.name, "nud", "permanent");
          sh("ip", ["netns", "exec", kname(ns.name), "bridge", "fdb", "replace", mac, "dev", i.name, "dst", formatAddr(vtep), "self", "permanent"]);
        }
      }
  }

  private macOf(ip: number | bigint, vtep: number | bigint): string {
    for (const ns of this.world.namespaces.values())
      for (const i of ns.ifaces.values()) if (i.kind === "veth" && i.addrs.some((a) => a.ip === ip)) return i.mac;
    throw new Error(`no endpoint ${formatAddr(ip)} (on ${formatAddr(vtep)})`);
  }

  /** Replays dockerd's iptables commands as nfplay logged them; the ingress_sbox gets the IPVS stand-in. */
  private rules(): void {
    for (const [name, r] of Object.entries(this.result.rules)) {
      const ns = this.world.get(name);
      // (a logged error can span lines; ip6tables commands play no part in these IPv4 flows)
      let cmds = (r.commands ?? []).filter((c) => !c.startsWith("ip6tables ")).map((c) => c.replace(/\s+#[\s\S]*$/, "").replace(/^iptables --wait /, "").split(" "));
      const d = this.dnat;
      if (d && name === d.ns) {
        cmds = cmds.map((a) => (a.includes("ipvs") ? a.flatMap((x) => (x === "ipvs" ? ["conntrack"] : x === "--ipvs" ? ["--ctstate", "DNAT"] : [x])) : a));
        cmds.push(["-t", "nat", "-A", "PREROUTING", "-d", `${d.vaddr}/32`, "-p", "tcp", "--dport", `${d.vport}`, "-j", "DNAT", "--to-destination", `${d.rs}:${d.port}`]);
      }
      // one shell per namespace; a failing command (dockerd's -C checks) fails there as it did for dockerd
      const script = cmds.map((argv) => `iptables --wait ${argv.join(" ")} 2>/dev/null`);
      // instrumentation: TRACE the SYN/SYN-ACK and their VXLAN carriers (outer IP length 60 + 50), and the fences
      for (const chain of ["PREROUTING", "OUTPUT"])
        for (const rule of [
          "-p tcp -m tcp --tcp-flags SYN SYN -j TRACE",
          "-p udp -m udp --dport 4789 -m length --length 110 -j TRACE",
          `-p udp -m udp --dport ${FENCE_PORT} -j TRACE`,
        ])
          script.push(`iptables -t raw -A ${chain} ${rule} || exit 3`);
      sh("ip", ["netns", "exec", kname(ns.name), "sh", "-s"], `${script.join("\n")}\n`);
    }
  }

  private ip(ns: Namespace, ...args: string[]): void {
    sh("ip", ["-n", kname(ns.name), ...args]);
  }

  private sysctl(ns: Namespace, key: string, value: string): void {
    spawnSync("ip", ["netns", "exec", kname(ns.name), "sysctl", "-qw", `${key}=${value}`], { timeout: 5000 });
  }

  start(ns: string, argv: string[]): { proc: ChildProcess; out: string[] } {
    const proc = spawn("ip", ["netns", "exec", kname(ns), ...argv], { stdio: ["ignore", "pipe", "pipe"] });
    this.procs.push(proc);
    const out: string[] = [];
    proc.stdout!.on("data", (d: Buffer) => out.push(...d.toString().split("\n").filter(Boolean)));
    return { proc, out };
  }

  destroy(): void {
    for (const p of this.procs) if (p.pid !== undefined && p.exitCode === null) try { process.kill(p.pid, "SIGKILL"); } catch { /* gone */ }
    for (const ns of this.created.reverse()) spawnSync("ip", ["netns", "del", ns], { timeout: 5000 });
  }
}

const SERVER = `import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind((sys.argv[1],int(sys.argv[2]))); s.listen(8)
print("READY",flush=True)
while True:
  c,a=s.accept(); c.close()`;
const CLIENT = `import socket,sys
s=socket.socket(); s.settimeout(2)
if sys.argv[3]: s.bind((sys.argv[3],0))
try:
  s.connect((sys.argv[1],int(sys.argv[2]))); print("OK")
except Exception as e: print("FAIL",e)`;
const FENCE = `import socket,sys
socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(b"f",("127.0.0.1",int(sys.argv[1])))`;

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

interface KernelRun {
  connected: boolean;
  byNs: Map<string, KernelPacket[]>;
}

/** One flow in a fresh copy of the swarm: listeners, monitors (fenced), the client, the traces. */
async function runInKernel(input: ScenarioInput, trace: Trace, flow: { from: string; dst: string; port: number; src?: string }, listen: { ns: string; port: number }[]): Promise<KernelRun> {
  const scenario = scenarioSchema.parse(input);
  const result = simulate(scenario);
  const world = buildSwarmWorld(buildSwarm(scenario));
  const k = new KernelSwarm(world, result, standIn(trace));
  try {
    k.build();
    for (const l of listen) {
      const srv = k.start(l.ns, ["python3", "-c", SERVER, "0.0.0.0", `${l.port}`]);
      if (!(await until(() => srv.out.includes("READY"), 5000))) throw new Error(`listener in ${l.ns} did not start`);
    }
    const monitors = new Map<string, string[]>();
    for (const ns of world.namespaces.values()) {
      if (ns.kind === "external" || !ns.ruleset) continue;
      const m = k.start(ns.name, ["xtables-monitor", "--trace"]);
      monitors.set(ns.name, m.out);
    }
    const fence = async () => {
      for (const [ns, out] of monitors) {
        const before = out.filter((l) => l.includes(`DPORT=${FENCE_PORT}`)).length;
        const seen = () => out.filter((l) => l.includes(`DPORT=${FENCE_PORT}`)).length > before;
        for (let i = 0; i < 40 && !seen(); i++) {
          spawnSync("ip", ["netns", "exec", kname(ns), "python3", "-c", FENCE, `${FENCE_PORT}`], { timeout: 5000 });
          await until(seen, 100);
        }
        if (!seen()) throw new Error(`xtables-monitor in ${ns} shows nothing`);
      }
    };
    await fence();
    const client = spawnSync("ip", ["netns", "exec", kname(flow.from), "python3", "-c", CLIENT, flow.dst, `${flow.port}`, flow.src ?? ""], { encoding: "utf8", timeout: 10000 });
    await fence();
    const byNs = new Map<string, KernelPacket[]>();
    for (const [ns, out] of monitors) {
      // A raw chain nfplay's ruleset has (28.2+ nodes: DROP of direct access) is Docker's, not only the TRACE rules'.
      // (iptables-nft registers a built-in chain once a rule is added to it, as nfplay traces it)
      const save = result.rules[ns]?.["iptables-save"] ?? "";
      const raw = save.includes("*raw\n") ? save.slice(save.indexOf("*raw\n"), save.indexOf("COMMIT", save.indexOf("*raw\n"))) : "";
      const rawChainsBefore = new Set(["PREROUTING", "OUTPUT"].filter((c) => raw.includes(`\n-A ${c} `)).map((c) => `raw:${c}`));
      const packets = parseTrace(out.join("\n"), { ns, rawChainsBefore, dropPacket: (p) => p.dport === FENCE_PORT || p.sport === FENCE_PORT });
      for (const p of packets) p.lines = p.lines.filter((l) => !(l.table === "raw" && l.kind === "rule" && l.rule?.endsWith("-j TRACE")));
      byNs.set(ns, packets);
    }
    if (process.env.NFPLAY_SWARM_DEBUG) for (const [ns, out] of monitors) console.log(`=== ${ns}\n${out.join("\n")}`), console.log(client.stdout);
    return { connected: client.stdout.trim() === "OK", byNs };
  } finally {
    k.destroy();
  }
}

interface IpvsStandIn {
  ns: string;
  vaddr: string;
  vport: number;
  rs: string;
  port: number;
}

/** The DNAT that stands in for the flow's IPVS step: its virtual address (the packet before) and real server. */
function standIn(trace: Trace): IpvsStandIn | null {
  const i = trace.steps.findIndex((s) => s.table === "ipvs");
  if (i < 0) return null;
  const s = trace.steps[i]!;
  const before = trace.steps.slice(0, i).reverse().find((x) => x.namespace === s.namespace)!;
  return { ns: s.namespace, vaddr: before.packet.dst, vport: before.packet.dport!, rs: s.packet.dst, port: s.packet.dport! };
}

/** nfplay's lines of one namespace, in one direction, as the kernel prints them (IPVS mapped, see the header). */
function ours(steps: Trace["steps"], ns: string, d: IpvsStandIn | null, reply: boolean): string[] {
  const lines: string[] = [];
  for (const s of steps.filter((x) => x.namespace === ns)) {
    if (s.table === "ipvs") {
      if (!reply && d) lines.push(`nat:PREROUTING:rule:ACCEPT -A PREROUTING -d ${d.vaddr}/32 -p tcp -m tcp --dport ${d.vport} -j DNAT --to-destination ${d.rs}:${d.port}`);
      continue;
    }
    lines.push(...ourLines([s], ns).map((l) => l.replace("-m ipvs --ipvs", "-m conntrack --ctstate DNAT")));
  }
  // the DNATed packet is forwarded, so it never takes the INPUT path IPVS sees it on
  if (steps.some((s) => s.namespace === ns && s.table === "ipvs" && s.hook === "INPUT")) return lines.filter((l) => !l.startsWith("mangle:INPUT:"));
  return lines;
}

/** The kernel's lines of one namespace, split by direction: SYN vs SYN-ACK, and VXLAN carriers by their outer addresses. */
function kernelLines(packets: KernelPacket[], forwardOuter: Set<string>, reply: boolean): string[] {
  const isReply = (p: KernelPacket) => (p.proto === "tcp" ? p.flags.split(" ").includes("ACK") : !forwardOuter.has(`${p.src}>${p.dst}`));
  const lines = ruleSequence(packets.filter((p) => isReply(p) === reply));
  // a dropped SYN is retransmitted: the same lines repeat; keep one pass
  for (let n = 1; n < lines.length; n++)
    if (lines.length % n === 0 && lines.every((l, i) => l === lines[i % n])) return lines.slice(0, n);
  return lines;
}

const FLOWS: { name: string; input?: ScenarioInput; flow: { from: string; to: string }; kernel: { from: string; dst: string; port: number; src?: string }; listen: { ns: string; port: number }[] }[] = [
  { name: "external -> node1:8080 (ingress routing mesh to web.2 on node2)", flow: { from: "external", to: "node1:8080" }, kernel: { from: "external", dst: "203.0.113.10", port: 8080, src: "198.51.100.7" }, listen: [{ ns: "web.2", port: 80 }] },
  // Docker 28 and 29 nodes (DOCKER-INGRESS from DOCKER-FORWARD, conntrack replies, raw DROP of direct access to docker_gwbridge endpoints)
  ...["28.5.2", "29.7.2"].map((version) => ({ name: `Docker ${version}: external -> node1:8080 (ingress routing mesh to web.2 on node2)`, input: { ...example, docker: { version } }, flow: { from: "external", to: "node1:8080" }, kernel: { from: "external", dst: "203.0.113.10", port: 8080, src: "198.51.100.7" }, listen: [{ ns: "web.2", port: 80 }] })),
  { name: "node1 -> localhost:8080 (nat OUTPUT DNAT, route_localnet on docker_gwbridge, MASQUERADE)", flow: { from: "node1", to: "localhost:8080" }, kernel: { from: "node1", dst: "127.0.0.1", port: 8080 }, listen: [{ ns: "web.2", port: 80 }] },
  { name: "node2 -> node1:8080 (through node1's ingress_sbox and back to web.2 on node2)", flow: { from: "node2", to: "node1:8080" }, kernel: { from: "node2", dst: "203.0.113.10", port: 8080 }, listen: [{ ns: "web.2", port: 80 }] },
  { name: "web.1 -> web.2 over the app overlay", flow: { from: "web.1", to: "web.2:80" }, kernel: { from: "web.1", dst: "10.0.1.4", port: 80 }, listen: [{ ns: "web.2", port: 80 }] },
  { name: "web.1 -> service VIP web:80 (node1's lb_ namespace, IPVS to web.2 on node2)", flow: { from: "web.1", to: "web:80" }, kernel: { from: "web.1", dst: "10.0.1.2", port: 80 }, listen: [{ ns: "web.2", port: 80 }, { ns: "web.1", port: 80 }] },
  { name: "web.1 -> internet via docker_gwbridge", flow: { from: "web.1", to: "198.51.100.7:443" }, kernel: { from: "web.1", dst: "198.51.100.7", port: 443 }, listen: [{ ns: "external", port: 443 }] },
  { name: "web.2 -> web.1's ingress address, unpublished port", flow: { from: "web.2", to: "10.0.0.5:81" }, kernel: { from: "web.2", dst: "10.0.0.5", port: 81 }, listen: [] },
  { name: "web.1 -> 127.0.0.11:53 (the task's embedded DNS rules, DNAT to the resolver's tcp socket)", flow: { from: "web.1", to: "127.0.0.11:53" }, kernel: { from: "web.1", dst: "127.0.0.11", port: 53 }, listen: [{ ns: "web.1", port: resolverPorts().tcpPort }] },
  { name: "standalone container on node2 -> web.1 on node1 over the attachable overlay", input: attachable, flow: { from: "client", to: "web.1:80" }, kernel: { from: "client", dst: "10.0.1.3", port: 80 }, listen: [{ ns: "web.1", port: 80 }] },
  { name: "standalone container -> service VIP web:80 (node2's lb_ namespace, IPVS to web.1 on node1)", input: attachable, flow: { from: "client", to: "web:80" }, kernel: { from: "client", dst: "10.0.1.2", port: 80 }, listen: [{ ns: "web.1", port: 80 }] },
  { name: "mode=host: external -> node1:8080 (DOCKER DNAT to web.1's docker_gwbridge address)", input: hostMode, flow: { from: "external", to: "node1:8080" }, kernel: { from: "external", dst: "203.0.113.10", port: 8080, src: "198.51.100.7" }, listen: [{ ns: "web.1", port: 80 }] },
];

/** Namespaces left by a run of this file whose process is gone. */
function cleanupStale(): void {
  for (const line of sh("ip", ["netns", "list"]).split("\n")) {
    const m = /^(nfsk(\d+)-\S+)/.exec(line);
    if (!m) continue;
    try {
      process.kill(Number(m[2]), 0);
    } catch {
      spawnSync("ip", ["netns", "del", m[1]!], { timeout: 5000 });
    }
  }
}

describe.skipIf(!vxlanOk)("swarm vs the kernel (IPVS replaced by its DNAT for the flow's one connection)", () => {
  cleanupStale();
  afterAll(() => {
    const left = sh("iptables-save", []).split("\n").filter((l) => l && !l.startsWith("#"));
    expect(left, "root namespace ruleset must stay empty").toEqual([]);
  });

  for (const c of FLOWS)
    it(c.name, async () => {
      const input: ScenarioInput = { ...(c.input ?? example), flows: [c.flow] };
      const r = simulate(scenarioSchema.parse(input));
      const trace = r.traces[0]!;
      const d = standIn(trace);
      const k = await runInKernel(input, trace, c.kernel, c.listen);
      expect(k.connected, "connects").toBe(trace.connects);
      const forwardOuter = new Set(trace.steps.filter((s) => s.packet.dport === 4789).map((s) => `${s.packet.src}>${s.packet.dst}`));
      // every namespace nfplay's trace crosses (with rules) must show up in the kernel's traces, and only those
      const withLines = (steps: Trace["steps"]) => new Set(steps.map((s) => s.namespace).filter((ns) => k.byNs.has(ns)));
      const kernelNs = new Set([...k.byNs].filter(([, p]) => p.some((x) => x.lines.length)).map(([ns]) => ns));
      expect(kernelNs, "namespaces with netfilter events").toEqual(new Set([...withLines(trace.steps), ...withLines(trace.reply?.steps ?? [])]));
      for (const [ns, packets] of k.byNs) {
        expect.soft(kernelLines(packets, forwardOuter, false), `${ns}: first packet`).toEqual(ours(trace.steps, ns, d, false));
        expect.soft(kernelLines(packets, forwardOuter, true), `${ns}: reply`).toEqual(ours(trace.reply?.steps ?? [], ns, d, true));
      }
    }, 60000);
});
