// `iptables -t TABLE -S` for every table of every namespace with rules: the policies (-P) of
// the built-in chains, the user chains (-N), then the rules (-A), as iptables prints them.
import type { SimulationResult } from "../result.js";
import { parseSave, ruleNamespaces } from "./common.js";

export function renderIptablesS(result: SimulationResult): string {
  const out: string[] = [];
  const namespaces = ruleNamespaces(result);
  for (const ns of namespaces) {
    if (namespaces.length > 1 || ns !== "host") out.push(`# namespace: ${ns}`);
    for (const t of parseSave(result.rules[ns]!["iptables-save"])) {
      out.push(`# iptables -t ${t.name} -S`);
      for (const c of t.chains) if (c.policy !== null) out.push(`-P ${c.name} ${c.policy}`);
      for (const c of t.chains) if (c.policy === null) out.push(`-N ${c.name}`);
      out.push(...t.rules, "");
    }
  }
  return out.join("\n");
}
