// iptables-restore: load saved text into a Ruleset. Errors are worded as iptables-restore 1.8.9
// (nf_tables) words them, with the line: a parse error stops at its line ("Error occurred at
// line: N"), a kernel refusal is reported when the table is committed ("line N: RULE_APPEND
// failed ...").
import { IptablesError, restoreMessage, runCommand } from "./interpreter.js";
import { splitLine } from "./quote.js";
import { progName } from "./rule.js";
import { Ruleset, TABLE_NAMES } from "./ruleset.js";
import type { TableName } from "./types.js";

export class RestoreError extends Error {
  /** `message` is what the tool prints on stderr; `line` the input line it names. */
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/** A table being read: its chain lines and rule lines, in the order of the file. */
interface Pending {
  table: TableName;
  lines: ({ chain: string; policy: string; line: number } | { argv: string[]; line: number })[];
}

/** iptables-restore, or ip6tables-restore when rs is an IPv6 ruleset (new Ruleset("ipv6")). */
export function restoreRuleset(text: string, rs: Ruleset = new Ruleset()): Ruleset {
  const prog = progName(rs.family);
  const error = (line: number, e: IptablesError) => new RestoreError(line, restoreMessage(e, prog, line));
  // "line N failed" with no reason: a line iptables-restore cannot place (no table open).
  const misplaced = (line: number) => new RestoreError(line, `${prog}-restore: line ${line} failed`);
  let cur: Pending | null = null;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("*")) {
      // Inside a table, "*nat" is read as a rule line: its first word is a bad argument.
      if (cur) throw error(lineNo, new IptablesError("bare", `Bad argument \`${line.split(/\s+/)[0]}'`));
      const name = line.slice(1) as TableName;
      if (!TABLE_NAMES.includes(name)) throw error(lineNo, new IptablesError("table", name));
      cur = { table: name, lines: [] };
    } else if (!cur) throw misplaced(lineNo);
    else if (line === "COMMIT") {
      commit(rs, cur, error, lineNo);
      cur = null;
    } else if (line.startsWith(":")) {
      const m = /^:(\S+)(?:\s+(\S+)(?:\s+\[\d+:\d+\])?)?$/.exec(line);
      if (!m?.[2]) throw error(lineNo, new IptablesError("param", `${prog}-restore: line ${lineNo} policy invalid`));
      cur.lines.push({ chain: m[1]!, policy: m[2], line: lineNo });
    } else {
      let argv: string[];
      try {
        argv = splitLine(line.replace(/^\[\d+:\d+\]\s*/, ""));
      } catch (e) {
        throw error(lineNo, new IptablesError("param", (e as Error).message));
      }
      if (argv.includes("-t") || argv.includes("--table"))
        throw error(lineNo, new IptablesError("param", "The -t option cannot be used in iptables-restore.\n"));
      cur.lines.push({ argv, line: lineNo });
    }
  }
  // iptables-restore counts the lines it read and names the next one.
  const read = text.endsWith("\n") ? lines.length - 1 : lines.length;
  if (cur) throw new RestoreError(read + 1, `${prog}-restore: COMMIT expected at line ${read + 1}`);
  return rs;
}

type ErrorAt = (line: number, e: IptablesError) => RestoreError;

// Like the real tool, a table is replaced as a whole and its lines apply in order: a rule may
// only jump to a chain declared above it (else "Chain 'X' does not exist", at the COMMIT line).
// A rule the kernel refuses fails the whole table at COMMIT; a later line's parse error is
// found first.
function commit(rs: Ruleset, p: Pending, error: ErrorAt, commitLine: number): void {
  rs.tables.delete(p.table);
  const t = rs.table(p.table);
  let refused: RestoreError | null = null;
  const apply = (argv: string[], line: number) => {
    try {
      // -C/-D answer "Bad rule" as a result, not an exception (Docker checks it).
      const res = runCommand(rs, ["-t", p.table, ...argv]);
      if (!res.ok) throw error(line, new IptablesError("kernel", res.error!.replace(/^\S+: /, "")));
    } catch (e) {
      if (!(e instanceof IptablesError)) throw e;
      // iptables-nft-restore resolves jumps when it commits: it names the COMMIT line.
      if (e.kind === "param" && /^Chain '.*' does not exist$/.test(e.reason)) throw error(commitLine, e);
      if (e.kind !== "batch") throw error(line, e);
      refused ??= error(line, e);
    }
  };
  for (const l of p.lines) {
    if ("argv" in l) {
      apply(l.argv, l.line);
      continue;
    }
    const existing = t.chains.get(l.chain);
    if (existing?.builtin) {
      if (l.policy !== "ACCEPT" && l.policy !== "DROP") throw error(l.line, new IptablesError("kernel", "Bad policy name."));
      existing.policy = l.policy;
      existing.instantiated = true;
    } else if (!existing) apply(["-N", l.chain], l.line); // a user chain's policy word is ignored
  }
  if (refused) throw refused;
}
