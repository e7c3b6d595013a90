// A Mermaid flowchart of each packet's path: one node per chain traversal (hook, table, the
// rules that matched), then the verdict. Labels use Mermaid's entity codes for every character
// its grammar or HTML labels would interpret, so user text stays text.
import type { SimulationResult } from "../result.js";
import { escapeMermaid, protoOf, traversals, verdictWords, type RenderOptions, type Step, answerOf } from "./common.js";

function stepLabel(s: Step): string {
  const what = s.ruleNumber === null ? "policy" : `#${s.ruleNumber}`;
  return escapeMermaid(`${s.chain} ${what} → ${s.verdict.replace(/^policy /, "")}`);
}

export function renderMermaid(result: SimulationResult, options: RenderOptions = {}): string {
  const out = ["flowchart TD"];
  result.traces.forEach((t, i) => {
    const id = `t${i}`;
    out.push(`  subgraph ${id}["${escapeMermaid(`${t.name} (${protoOf(options, i, t)})`)}"]`, "    direction TB");
    const nodes: string[] = [];
    traversals(t.steps).forEach((tr, j) => {
      const node = `${id}n${j}`;
      const title = escapeMermaid(`${tr.namespace} · ${tr.hook} · ${tr.table}`);
      out.push(`    ${node}["<b>${title}</b><br/>${tr.steps.map(stepLabel).join("<br/>")}"]`);
      nodes.push(node);
    });
    const verdict = `${id}v`;
    out.push(`    ${verdict}(["${escapeMermaid(verdictWords(t))}"])`);
    nodes.push(verdict);
    const answer = answerOf(t);
    if (answer) {
      out.push(`    ${id}r(["${escapeMermaid(`reply ${answer.verdict}`)}"])`);
      nodes.push(`${id}r`);
    }
    for (let k = 1; k < nodes.length; k++) out.push(`    ${nodes[k - 1]} --> ${nodes[k]}`);
    out.push("  end");
    out.push(`  class ${verdict} ${t.connects ? "ok" : "bad"}`);
  });
  out.push("  classDef ok fill:#dafbe1,stroke:#1a7f37,color:#1a7f37", "  classDef bad fill:#ffebe9,stroke:#cf222e,color:#cf222e");
  return `${out.join("\n")}\n`;
}
