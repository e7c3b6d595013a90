// Puts an nfplay trace and a kernel trace (xtables-monitor --trace) side by side as
// "table:chain:kind:verdict rule" lines, the way the kernel prints them.
import type { Trace } from "../../src/result.js";
import type { KernelPacket } from "./harness.js";
import { ruleSequence } from "./harness.js";
import { kernelVerdict } from "../../src/render/xtables.js";

type Step = Trace["steps"][number];


export function ourLines(steps: Step[], ns = "host"): string[] {
  return steps
    .filter((s) => s.namespace === ns)
    .map((s) => {
      if (s.ruleNumber === null) return `${s.table}:${s.chain}:policy:${s.verdict.replace(/^policy /, "")}`;
      return `${s.table}:${s.chain}:rule:${kernelVerdict(s.verdict)} ${s.rule}`;
    });
}

/** A dropped TCP SYN is retransmitted: the kernel shows the same path several times. */
function collapseRepeats(lines: string[], n: number): string[] {
  if (n === 0 || lines.length <= n || lines.length % n !== 0) return lines;
  const first = lines.slice(0, n);
  for (let i = n; i < lines.length; i += n) if (lines.slice(i, i + n).join("\n") !== first.join("\n")) return lines;
  return first;
}

const isAck = (p: KernelPacket) => p.flags.split(" ").includes("ACK");

/** Split kernel packets into the flow's direction and the answer's, using our packets' ports. */
export function kernelLegs(trace: Trace, packets: KernelPacket[], ns = "host"): { forward: string[]; reply: string[] } {
  const ours = ourLines(trace.steps, ns);
  const fwdPorts = new Set(trace.steps.map((s) => s.packet.dport));
  const replyPorts = new Set(((trace.reply ?? trace.rejectReply)?.steps ?? []).map((s) => s.packet.sport));
  const tcp = packets.some((p) => p.proto === "tcp");
  const forward = packets.filter((p) => (tcp ? !isAck(p) : fwdPorts.has(p.dport)));
  const reply = packets.filter((p) => (tcp ? isAck(p) : !fwdPorts.has(p.dport)) && (replyPorts.size === 0 || replyPorts.has(p.sport)));
  return { forward: collapseRepeats(ruleSequence(forward), ours.length), reply: ruleSequence(reply) };
}

/**
 * The kernel's two directions of a flow, side by side with ours: UDP split by the client's port
 * (a DNAT that changes the port defeats the split by destination port), TCP by kernelLegs.
 */
export function kernelDirections(trace: Trace, packets: KernelPacket[], proto: string | undefined): { forward: [string[], string[]]; reply: [string[], string[]] } {
  const ours = { forward: ourLines(trace.steps), reply: ourLines((trace.reply ?? trace.rejectReply)?.steps ?? []) };
  if (proto === "udp") {
    const client = packets[0]?.sport;
    return {
      forward: [ours.forward, ruleSequence(packets.filter((p) => p.sport === client))],
      reply: [ours.reply, ruleSequence(packets.filter((p) => p.dport === client))],
    };
  }
  const legs = kernelLegs(trace, packets);
  return { forward: [ours.forward, legs.forward], reply: [ours.reply, legs.reply] };
}
