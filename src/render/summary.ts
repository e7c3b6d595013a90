// One line per flow: what a tutorial's reader would check ("does curl work?"). The default
// output of docs checks (`nfplay check docs/*.md`), short enough to keep in a page.
import type { SimulationResult } from "../result.js";
import { protoOf, verdictWords, type RenderOptions } from "./common.js";

export function renderSummary(result: SimulationResult, options: RenderOptions = {}): string {
  const flows = result.traces.map((t, i) => `${t.name} (${protoOf(options, i, t)}): ${verdictWords(t)}\n`).join("");
  return flows + (result.warnings ?? []).map((w) => `warning ${w.code}: ${w.message}\n`).join("");
}
