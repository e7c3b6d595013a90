// The iptables-save (or `nft list ruleset`) of every namespace that has rules; the host's alone
// needs no header.
import type { SimulationResult } from "../result.js";

export function renderNftText(result: SimulationResult): string {
  const names = Object.keys(result.rules).filter((ns) => result.rules[ns]!.nft !== undefined);
  if (names.length === 1 && names[0] === "host") return result.rules.host!.nft!;
  return names.map((ns) => `# namespace: ${ns}\n${result.rules[ns]!.nft}`).join("\n");
}

/** ip6tables-save of every namespace that has IPv6 rules ("" when none has: ip6tables is empty). */
export function renderIp6Text(result: SimulationResult): string {
  const names = Object.keys(result.rules).filter((ns) => result.rules[ns]!["ip6tables-save"] !== undefined);
  if (names.length === 1 && names[0] === "host") return result.rules.host!["ip6tables-save"]!;
  return names.map((ns) => `# namespace: ${ns}\n${result.rules[ns]!["ip6tables-save"]}`).join("\n");
}

export function renderRulesText(result: SimulationResult): string {
  const names = Object.keys(result.rules);
  if (names.length === 1 && names[0] === "host") return result.rules.host!["iptables-save"];
  return names.map((ns) => `# namespace: ${ns}\n${result.rules[ns]!["iptables-save"]}`).join("\n");
}
