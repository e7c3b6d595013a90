// iptables-save's output format, as iptables-nft 1.8.9 prints it (without the # lines).
import { ruleLine, SAVE_TABLE_ORDER, type Ruleset } from "./ruleset.js";

export interface SaveOptions {
  /** Packet/byte counters per built-in chain, e.g. from a traced flow ("-c" style headers). */
  counters?: (table: string, chain: string) => [number, number];
}

export function saveRuleset(rs: Ruleset, opts: SaveOptions = {}): string {
  const out: string[] = [];
  for (const name of SAVE_TABLE_ORDER) {
    const t = rs.tables.get(name);
    if (!t) continue;
    out.push(`*${name}`);
    const chains = [...t.chains.values()];
    const builtins = chains.filter((c) => c.builtin);
    // User chains sorted by name with strcmp (byte order), as iptables-nft >= 1.8.7 does.
    const users = chains.filter((c) => !c.builtin).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of builtins) {
      const [p, b] = opts.counters?.(name, c.name) ?? [0, 0];
      out.push(`:${c.name} ${c.policy} [${p}:${b}]`);
    }
    for (const c of users) out.push(`:${c.name} - [0:0]`);
    for (const c of [...builtins, ...users]) for (const r of c.rules) out.push(ruleLine(c.name, r));
    out.push("COMMIT");
  }
  return out.length ? `${out.join("\n")}\n` : "";
}
