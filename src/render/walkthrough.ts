// A readable walk through each trace: one block per chain traversal, the rule that matched
// and what it decided, and "changed by the last rule" where NAT rewrote the packet.
import type { SimulationResult, Trace } from "../result.js";
import { entryPacket, previousStep } from "./xtables.js";
import { NAT_TARGETS, natChange, packetSummary, protoOf, stepVerdict, traversals, verdictWords, type RenderOptions, type Step, answerOf } from "./common.js";

function walkSteps(steps: Step[], proto: string, out: string[], indent: string): void {
  // The same packet one step earlier (skipping a VXLAN outer packet around the inner one).
  const before = (s: Step) => previousStep(steps, steps.indexOf(s));
  for (const tr of traversals(steps)) {
    out.push(`${indent}[${tr.namespace}] ${tr.hook} hook, ${tr.table} table`);
    // As it entered the hook, even when the first rule NATs it (the same rule as the xtables trace).
    out.push(`${indent}  packet: ${packetSummary(entryPacket(tr.steps[0]!, before(tr.steps[0]!)), tr.steps[0]!.packet.proto ?? proto)}`);
    let chain = "";
    for (const s of tr.steps) {
      if (s.chain !== chain) out.push(`${indent}  chain ${(chain = s.chain)}`);
      if (s.ruleNumber === null) out.push(`${indent}    no rule decided: ${stepVerdict(s.verdict)}`);
      else out.push(`${indent}    rule ${s.ruleNumber}: ${s.rule}`, `${indent}      -> ${stepVerdict(s.verdict)}`);
      // Only against the same packet before this rule (not another namespace's or a VXLAN outer one).
      const change = NAT_TARGETS.has(s.verdict) ? natChange(entryPacket(s, before(s)), s.packet) : "";
      if (change) out.push(`${indent}      changed by the last rule: ${change}`);
    }
  }
}

function walkTrace(t: Trace, proto: string): string[] {
  const out = [`Flow "${t.name}" (${proto})`, `  result: ${verdictWords(t)}`];
  if (t.steps.length === 0) out.push("  no rule or policy was consulted");
  walkSteps(t.steps, proto, out, "  ");
  const answer = answerOf(t);
  if (answer) {
    out.push(`  reply: ${answer.verdict}`);
    if (answer.steps.length === 0) out.push("    no rule or policy was consulted");
    walkSteps(answer.steps, proto, out, "    ");
  }
  return out;
}

export function renderWalkthrough(result: SimulationResult, options: RenderOptions = {}): string {
  const head = result.docker ? [`Docker ${result.docker.version}`, ""] : [];
  const blocks = result.traces.map((t, i) => walkTrace(t, protoOf(options, i, t)).join("\n"));
  return `${[...head, blocks.join("\n\n")].join("\n")}\n`;
}
