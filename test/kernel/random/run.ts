// One random case: the engine and the kernel get the same iptables-save text and the same flow; their
// traces (both directions), whether the flow connects, and whether the ruleset is accepted at all, must agree.
import { simulate } from "../../../src/engine.js";
import { EngineError } from "../../../src/errors.js";
import type { SimulationResult } from "../../../src/result.js";
import { scenarioSchema, type ScenarioInput } from "../../../src/scenario/schema.js";
import { ourLines } from "../compare.js";
import { AVOID_KNOWN } from "./gen.js";
import { ruleSequence, runKernelFlow, type KernelPacket, type KernelResult, type KernelTopology } from "../harness.js";
import { kernelFlowOf, topologyOf } from "../scenario-topology.js";

export const EXT_IP = "198.51.100.7";

export interface CaseFlow { from: string; to: string; proto: "tcp" | "udp" }

export function scenarioOf(rules: string | null, flow: CaseFlow): ScenarioInput {
  return {
    docker: { version: "20.10" },
    containers: [{ name: "web", ports: ["8080:80"] }, { name: "client" }],
    ...(rules === null ? {} : { rules: { host: { "iptables-save": rules } } }),
    flows: [flow],
  };
}

// The topology conversion of differential.test.ts (scenario-topology.ts), with two differences: hostRules is
// the generated text itself (not the engine's re-save of it: the kernel's iptables-save form must come out
// of the kernel), and the listeners are exactly the engine's sockets (autoListeners off), so that a DNAT to
// a port nobody listens on is refused in both.
function topologyFor(result: SimulationResult, rules: string, listeners: KernelTopology["listeners"]): KernelTopology {
  return { ...topologyOf(result, true), hostRules: rules, listeners };
}

/** The engine's sockets: published container ports, plus the flow's destination (flows.ts listenForFlow). */
function listenersOf(result: SimulationResult, f: CaseFlow): { listeners: KernelTopology["listeners"]; proxyPorts: Set<string> } {
  const listeners: KernelTopology["listeners"] = [];
  const proxyPorts = new Set<string>();
  for (const c of result.containers)
    for (const p of c.ports) {
      listeners.push({ ns: c.name, ip: "0.0.0.0", port: p.containerPort, proto: p.proto as "tcp" | "udp" });
      proxyPorts.add(`${p.hostPort}/${p.proto}`);
    }
  const [target, portText] = f.to.split(":");
  const port = Number(portText);
  const ns = target === "host" || target === "localhost" ? "host" : target === EXT_IP ? "external" : target!;
  const owned = ns === "host" && proxyPorts.has(`${port}/${f.proto}`);
  // A UDP server bound to 0.0.0.0 answers from the address routing picks (e.g. ext answers a container from
  // 203.0.113.1, not 198.51.100.7): conntrack then sees a new connection. The engine's server answers from
  // the address it was asked on, i.e. a server bound to that address.
  const ip = f.proto === "udp" ? kernelFlowOf(result, f).dstIp : "0.0.0.0";
  if (!owned && !listeners.some((l) => l.ns === ns && l.port === port && l.proto === f.proto))
    listeners.push({ ns, ip, port, proto: f.proto });
  return { listeners, proxyPorts };
}

// ---------------------------------------------------------------------------------------------------------
// Splitting the kernel's packets into legs
// ---------------------------------------------------------------------------------------------------------

/** Destination ports in the generator are all below this; client and proxy ports (ephemeral) are above. */
const EPHEMERAL = 32768;

export interface KernelLegs {
  /** the flow's direction: client SYN / datagram, then (userland proxy) the proxy's SYN to the container */
  forward: string[];
  /** the answer to the client (SYN-ACK, UDP reply, ICMP error of a closed UDP port) */
  reply: string[];
  /** the container's SYN-ACK to the proxy: the engine does not trace it (only compared through `connects`) */
  relayReply: string[];
  /** ICMP sent by REJECT: of the request, the engine's reply (REJECT's answer); of the answer, not traced by the engine */
  rejectError: string[];
}

const ipId = (p: KernelPacket) => /\bID=(\d+)/.exec(p.header)?.[1] ?? "";
const sameShape = (p: KernelPacket) => JSON.stringify([p.in, p.out, p.src, p.dst, p.sport, p.dport, p.flags, p.proto, p.lines]);

/**
 * compare.ts's kernelLegs() tells directions apart by the engine's ports and drops ICMP replies; here the
 * legs come from the kernel's own packets:
 *  - tcp/udp with dport < 32768 go to the server (client leg = the connection of the first such packet,
 *    later ones are the proxy's); retransmitted SYNs (same path, another IP ID) are left out;
 *  - tcp/udp with dport >= 32768 are answers; identical retransmitted SYN-ACKs are left out;
 *  - ICMP is the closed-port answer to a UDP datagram, or REJECT's error (when the engine says "rejected").
 */
export function splitKernel(packets: KernelPacket[], rejected: boolean, local = false): KernelLegs {
  const legs: KernelLegs = { forward: [], reply: [], relayReply: [], rejectError: [] };
  const firstId = new Map<number, string>(); // client port -> IP ID of its first packet
  let clientPort: number | null = null;
  const seenReply = new Set<string>();
  for (const p of packets) {
    if (p.proto === "icmp" || p.proto === "other") {
      // errors about the harness's own loopback fence packets (e.g. REJECT in OUTPUT) are not the flow's
      if (!local && p.src === "127.0.0.1" && p.dst === "127.0.0.1") continue;
      (rejected ? legs.rejectError : legs.reply).push(...ruleSequence([p]));
      continue;
    }
    if (p.dport < EPHEMERAL) {
      clientPort ??= p.sport;
      const id = ipId(p);
      if (!firstId.has(p.sport)) firstId.set(p.sport, id);
      else if (p.proto === "tcp" && firstId.get(p.sport) !== id) continue; // retransmitted SYN
      legs.forward.push(...ruleSequence([p]));
    } else {
      const key = sameShape(p);
      if (seenReply.has(key)) continue; // retransmitted SYN-ACK
      seenReply.add(key);
      if (clientPort === null || p.dport === clientPort) legs.reply.push(...ruleSequence([p]));
      else legs.relayReply.push(...ruleSequence([p]));
    }
  }
  return legs;
}

// ---------------------------------------------------------------------------------------------------------
// One case
// ---------------------------------------------------------------------------------------------------------

export interface CaseOutcome {
  ok: boolean;
  problems: string[];
  report: string;
  ms: number;
}

const indent = (lines: string[]) => (lines.length ? lines.map((l) => `      ${l}`).join("\n") : "      (none)");

/** opts.strict: no tolerance for known engine bugs (regressions.test.ts) */
export async function runCase(rules: string, flow: CaseFlow, opts: { clientTimeoutMs?: number; strict?: boolean } = {}): Promise<CaseOutcome> {
  const avoidKnown = AVOID_KNOWN && !opts.strict;
  const t0 = performance.now();
  const problems: string[] = [];
  // the engine
  let engineError: string | null = null;
  let result: SimulationResult | null = null;
  try {
    result = simulate(scenarioSchema.parse(scenarioOf(rules, flow)));
  } catch (e) {
    if (e instanceof EngineError && e.errors.some((x) => x.pointer.startsWith("/rules/host"))) engineError = e.message;
    else engineError = `ENGINE FAILED (not a restore error): ${e instanceof EngineError ? e.message : (e as Error).stack}`;
  }
  // the kernel: same topology as the engine's (built without the pasted rules, so that it exists even when
  // the engine refuses them)
  const base = simulate(scenarioSchema.parse(scenarioOf(null, flow)));
  const { listeners, proxyPorts } = listenersOf(base, flow);
  let kernel: KernelResult | null = null;
  let kernelRestoreError: string | null = null;
  for (let attempt = 0; ; attempt++) {
    try {
      kernel = await runKernelFlow(topologyFor(base, rules, listeners), kernelFlowOf(base, flow), {
        extRoutesToContainers: base.networks.map((n) => n.subnet),
        autoListeners: false,
        pruneEmptyBuiltins: false, // the engine traverses every builtin chain the text declares, like the kernel
        clientTimeoutMs: opts.clientTimeoutMs ?? 1200,
      });
      break;
    } catch (e) {
      const msg = (e as Error).message;
      if (/iptables-restore \(host\) failed/.test(msg)) { kernelRestoreError = msg; break; }
      if (attempt >= 1) throw e; // a harness problem, not a disagreement
    }
  }

  const out: string[] = [];
  out.push(`  flow: ${flow.from} -> ${flow.to}/${flow.proto}`);
  out.push(`  ruleset:\n${rules.trimEnd().split("\n").map((l) => `      ${l}`).join("\n")}`);
  if (engineError !== null || kernelRestoreError !== null) {
    if (engineError?.startsWith("ENGINE FAILED") && !(avoidKnown && kernelRestoreError && /restoreRuleset|parseRule/.test(engineError)))
      problems.push("engine failed"); // R7 (known): an option error of a match/target escapes as an internal error
    else if (engineError?.startsWith("ENGINE FAILED")) out.push("  KNOWN ENGINE BUG, not counted: R7 (option error thrown as an internal error)");
    else if ((engineError === null) !== (kernelRestoreError === null))
      problems.push(`ruleset accepted by ${engineError === null ? "the engine" : "the kernel"} only`);
    out.push(`  engine: ${engineError ?? "accepted"}`);
    out.push(`  kernel: ${kernelRestoreError ?? "accepted"}`);
    return { ok: problems.length === 0, problems, report: [`  PROBLEMS: ${problems.join("; ") || "none"}`, ...out].join("\n"), ms: performance.now() - t0 };
  }

  const trace = result!.traces[0]!;
  const rejected = trace.verdict === "rejected" || trace.reply?.verdict === "rejected";
  const legs = splitKernel(kernel!.packets, rejected, flow.to.startsWith("localhost:"));
  const oursFwd = ourLines(trace.steps);
  const oursRep = ourLines((trace.reply ?? trace.rejectReply)?.steps ?? []);
  // A TCP SYN to a closed port is answered with RST, which the harness does not trace (SYN-flagged only).
  const d = trace.deliveredTo;
  const listening = !d || flow.proto !== "tcp" || (d.namespace === "host" && proxyPorts.has(`${d.port}/tcp`)) ||
    listeners.some((l) => l.ns === d.namespace && l.port === d.port && l.proto === flow.proto);
  if (oursFwd.join("\n") !== legs.forward.join("\n")) problems.push("forward trace differs");
  // When the first packet is refused, the engine's rejectReply is REJECT's answer: the ICMP error (the TCP
  // reset of tcp-reset is not traced by the harness here).
  const refused = trace.verdict === "rejected";
  const resetNotTraced = refused && /tcp-reset/.test(trace.reason ?? "");
  const kernelRep = refused ? legs.rejectError : legs.reply;
  if (listening && !resetNotTraced && oursRep.join("\n") !== kernelRep.join("\n")) problems.push("reply trace differs");
  if (trace.connects !== kernel!.connected) problems.push(`connects: ours ${trace.connects}, kernel ${kernel!.connected}`);
  // R10 (regressions.test.ts): the engine relays through docker-proxy although the client's handshake failed
  const fwdPrefix = legs.forward.join("\n") === oursFwd.slice(0, legs.forward.length).join("\n");
  const known = !avoidKnown || problems.length === 0 ? null
    : trace.hops.some((h) => h.event === "proxy") && trace.reply?.verdict !== "delivered" ? "R10: docker-proxy relays before the handshake completed"
    // the SYN and SYN-ACK paths agree, but the kernel's connection fails afterwards: the handshake's ACK or the
    // data (ESTABLISHED, original direction) was dropped, which the engine does not walk
    : fwdPrefix && /martian source 127\./.test(trace.reason ?? "") && !kernel!.connected
      ? "R15: a 127.0.0.1-sourced packet DNATed out of lo is dropped at the reroute after nat OUTPUT"
    : trace.connects && !kernel!.connected && fwdPrefix && (!listening || oursRep.join("\n") === legs.reply.slice(0, oursRep.length).join("\n"))
      ? "R13: connects ignores the ACK/data packets of the connection" : null;

  out.push(`  ours:   verdict ${trace.verdict}${trace.reason ? ` (${trace.reason})` : ""}, connects ${trace.connects}${d ? `, delivered to ${d.namespace} ${d.ip}:${d.port}` : ""}`);
  out.push(`  kernel: ${kernel!.clientResult}`);
  out.push(`    ours forward:\n${indent(oursFwd)}`);
  out.push(`    kernel forward:\n${indent(legs.forward)}`);
  out.push(`    ours reply${listening && !resetNotTraced ? "" : " (not compared: RST is not traced)"}${refused ? " (REJECT's answer)" : ""}:\n${indent(oursRep)}`);
  out.push(`    kernel reply:\n${indent(legs.reply)}`);
  if (legs.relayReply.length) out.push(`    kernel relay reply (container -> proxy, not traced by the engine):\n${indent(legs.relayReply)}`);
  if (legs.rejectError.length) out.push(`    kernel REJECT error packet${refused ? "" : " (of the answer: not traced by the engine)"}:\n${indent(legs.rejectError)}`);
  const notes = kernel!.notes.filter((n) => !/^auto listener/.test(n));
  if (notes.length) out.push(`    kernel notes: ${notes.join(" | ")}`);
  if (known) out.push(`  KNOWN ENGINE BUG, not counted: ${known}`);
  return { ok: problems.length === 0 || known !== null, problems, report: [`  PROBLEMS: ${problems.join("; ") || "none"}`, ...out].join("\n"), ms: performance.now() - t0 };
}
