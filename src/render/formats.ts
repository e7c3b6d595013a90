// The result in the forms users ask for with ?format= (API) or --format (CLI).
import type { SimulationResult } from "../result.js";
import { renderXtablesTrace } from "./xtables.js";

import type { Format } from "../scenario/formats.js";

export { FORMATS, isFormat, type Format } from "../scenario/formats.js";

/** iptables-save of every namespace that has rules; the host's alone needs no header. */
function renderRules(result: SimulationResult): string {
  const names = Object.keys(result.rules);
  if (names.length === 1 && names[0] === "host") return result.rules.host!["iptables-save"];
  return names.map((ns) => `# namespace: ${ns}\n${result.rules[ns]!["iptables-save"]}`).join("\n");
}

export function render(result: SimulationResult, format: Format): { contentType: string; body: string } {
  if (format === "iptables-save") return { contentType: "text/plain; charset=utf-8", body: renderRules(result) };
  if (format === "trace") return { contentType: "text/plain; charset=utf-8", body: renderXtablesTrace(result) };
  return { contentType: "application/json", body: `${JSON.stringify(result, null, 2)}\n` };
}
