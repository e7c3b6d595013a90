// iptables-restore: load saved text into a Ruleset. Errors name the line, like the real tool
// ("iptables-restore: line 7 failed").
import { applyCommand } from "./interpreter.js";
import { splitLine } from "./quote.js";

import { Ruleset, TABLE_NAMES } from "./ruleset.js";
import type { TableName } from "./types.js";

export class RestoreError extends Error {
  constructor(readonly line: number, readonly reason: string, prog = "iptables") {
    super(`${prog}-restore: line ${line} failed: ${reason}`);
  }
}

interface Pending {
  table: TableName;
  chains: { name: string; policy: string; line: number }[];
  rules: { argv: string[]; line: number }[];
}

/** iptables-restore, or ip6tables-restore when rs is an IPv6 ruleset (new Ruleset("ipv6")). */
export function restoreRuleset(text: string, rs: Ruleset = new Ruleset()): Ruleset {
  if (rs.family === "ipv4") return restoreInto(text, rs);
  try {
    return restoreInto(text, rs);
  } catch (e) {
    if (e instanceof RestoreError) throw new RestoreError(e.line, e.reason, "ip6tables");
    throw e;
  }
}

function restoreInto(text: string, rs: Ruleset): Ruleset {
  let cur: Pending | null = null;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("*")) {
      if (cur) throw new RestoreError(lineNo, "table not committed before the next one");
      const name = line.slice(1) as TableName;
      if (!TABLE_NAMES.includes(name)) throw new RestoreError(lineNo, `unknown table "${name}"`);
      cur = { table: name, chains: [], rules: [] };
    } else if (!cur) throw new RestoreError(lineNo, "rule or chain outside of a table (missing *table line)");
    else if (line === "COMMIT") {
      commit(rs, cur);
      cur = null;
    } else if (line.startsWith(":")) {
      const m = /^:(\S+)\s+(\S+)(?:\s+\[\d+:\d+\])?$/.exec(line);
      if (!m) throw new RestoreError(lineNo, `bad chain line "${line}"`);
      cur.chains.push({ name: m[1]!, policy: m[2]!, line: lineNo });
    } else {
      let argv: string[];
      try {
        argv = splitLine(line.replace(/^\[\d+:\d+\]\s*/, ""));
      } catch (e) {
        throw new RestoreError(lineNo, (e as Error).message);
      }
      cur.rules.push({ argv, line: lineNo });
    }
  }
  if (cur) throw new RestoreError(lines.length, "COMMIT expected at the end of the table");
  return rs;
}

function must(rs: Ruleset, argv: string[], line: number): void {
  const r = applyCommand(rs, argv);
  if (!r.ok) throw new RestoreError(line, r.error ?? "failed");
}

// Like the real tool, a table is replaced as a whole and all chains are declared before any
// rule is added, so rules may jump to chains declared later in the file.
function commit(rs: Ruleset, p: Pending): void {
  rs.tables.delete(p.table);
  const t = rs.table(p.table);
  for (const c of p.chains) {
    const existing = t.chains.get(c.name);
    if (existing?.builtin) {
      if (c.policy !== "ACCEPT" && c.policy !== "DROP") throw new RestoreError(c.line, `bad policy "${c.policy}"`);
      existing.policy = c.policy;
      existing.instantiated = true;
    } else if (c.policy !== "-") throw new RestoreError(c.line, `Can't set policy \`${c.policy}' on \`${c.name}' (not a built-in chain)`);
    else must(rs, ["-t", p.table, "-N", c.name], c.line);
  }
  for (const r of p.rules) {
    if (r.argv[0] !== "-A" && r.argv[0] !== "-I") throw new RestoreError(r.line, `unexpected "${r.argv[0]}"`);
    must(rs, ["-t", p.table, ...r.argv], r.line);
  }
}
