// Applies iptables commands (-N -X -F -A -I -C -D -P) to a Ruleset the way the iptables binary
// does, including its error messages, so that Docker's "-C then -A" logic can be replayed.
import { parseRule, RuleParseError } from "./rule.js";
import { BUILTIN_CHAINS, findRule, flushChain, insertRule, newChain, removeRule, TABLE_NAMES, type Chain, type Ruleset, type Table } from "./ruleset.js";
import { isStandard, type Hook, type Rule, type TableName } from "./types.js";

export interface CommandResult {
  ok: boolean;
  error?: string;
}

export class IptablesError extends Error {}

const COMMANDS: Record<string, string> = {
  "-A": "A", "--append": "A", "-I": "I", "--insert": "I", "-D": "D", "--delete": "D",
  "-C": "C", "--check": "C", "-N": "N", "--new-chain": "N", "-X": "X", "--delete-chain": "X",
  "-F": "F", "--flush": "F", "-P": "P", "--policy": "P",
};

const MAX_CHAIN_NAME = 28; // XT_EXTENSION_MAXNAMELEN - 1

function fail(msg: string): never {
  throw new IptablesError(msg);
}

function chainOf(t: Table, name: string): Chain {
  const c = t.chains.get(name);
  if (!c) fail("iptables: No chain/target/match by that name.");
  return c;
}

function checkTarget(t: Table, chain: Chain, rule: Rule): void {
  for (const m of rule.matches)
    if (m.module.hooks && chain.builtin && !m.module.hooks.includes(chain.name as Hook))
      fail(`iptables: ${m.module.name} match: used from hooks ${chain.name}, but only valid from ${m.module.hooks.join("/")}`);
  const tg = rule.target;
  if (isStandard(tg)) {
    if (tg.kind === "jump" || tg.kind === "goto") {
      const dest = t.chains.get(tg.chain);
      if (!dest || dest.builtin) fail(`iptables v1.8.9 (nf_tables): Chain '${tg.chain}' does not exist`);
      if (reaches(t, tg.chain, chain.name, new Set())) fail("iptables: Too many levels of symbolic links.");
    }
    if (tg.kind === "verdict" && tg.verdict === "RETURN" && chain.builtin) return; // allowed; acts as policy
    return;
  }
  const mod = tg.module;
  if (mod.tables && !mod.tables.includes(t.name))
    fail(`iptables: ${mod.name} target: only valid in ${mod.tables.join("/")} table, not ${t.name}`);
  if (mod.hooks && chain.builtin && !mod.hooks.includes(chain.name as Hook))
    fail(`iptables: ${mod.name} target: used from hooks ${chain.name}, but only usable from ${mod.hooks.join("/")}`);
}

/** Would jumping from `from` to `to` close a loop (the kernel's mark_source_chains check)? */
function reaches(t: Table, start: string, goal: string, seen: Set<string>): boolean {
  if (start === goal) return true;
  if (seen.has(start)) return false;
  seen.add(start);
  for (const r of t.chains.get(start)?.rules ?? []) {
    const tg = r.target;
    if (isStandard(tg) && (tg.kind === "jump" || tg.kind === "goto") && reaches(t, tg.chain, goal, seen)) return true;
  }
  return false;
}

// Docker checks a rule (-C) and then adds it (-A/-I) with the same words: parse them once.
let lastSpec: { key: string; rule: Rule } | null = null;

function parseSpec(argv: string[]): Rule {
  const key = argv.join("\u0000");
  if (lastSpec?.key === key) return lastSpec.rule;
  try {
    const rule = parseRule(argv);
    lastSpec = { key, rule };
    return rule;
  } catch (e) {
    if (e instanceof RuleParseError) fail(`iptables v1.8.9 (nf_tables): ${e.message}`);
    throw e;
  }
}

function ruleNumber(text: string | undefined, max: number): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  if (n < 1 || n > max) fail("iptables: Index of insertion too big.");
  return n;
}

function run(rs: Ruleset, argv: string[]): CommandResult | void {
  let table: TableName = "filter";
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-t" || a === "--table") {
      const name = argv[++i] as TableName;
      if (!TABLE_NAMES.includes(name)) fail(`iptables v1.8.9 (nf_tables): table '${name}' does not exist`);
      table = name;
    } else if (a === "--wait" || a === "-w") {
      if (/^\d+$/.test(argv[i + 1] ?? "")) i++;
    } else rest.push(a);
  }
  const cmd = COMMANDS[rest[0] ?? ""];
  if (!cmd) fail(`iptables v1.8.9 (nf_tables): no command specified`);
  const chainName = rest[1];
  const args = rest.slice(2);
  const t = rs.table(table);
  switch (cmd) {
    case "N": {
      if (!chainName) fail("iptables: -N requires a chain name");
      if (t.chains.has(chainName)) fail("iptables: Chain already exists.");
      if (chainName.length > MAX_CHAIN_NAME || chainName.startsWith("-")) fail(`iptables: chain name \`${chainName}' is invalid`);
      t.chains.set(chainName, newChain(chainName, false));
      return;
    }
    case "X": {
      const names = chainName ? [chainName] : [...t.chains.values()].filter((c) => !c.builtin).map((c) => c.name);
      for (const name of names) deleteChain(t, name);
      return;
    }
    case "F": {
      const chains = chainName ? [chainOf(t, chainName)] : [...t.chains.values()];
      for (const c of chains) flushChain(c);
      return;
    }
    case "P": {
      const c = chainOf(t, chainName ?? "");
      const policy = args[0];
      if (!c.builtin) fail("iptables: Bad built-in chain name.");
      if (policy !== "ACCEPT" && policy !== "DROP") fail("iptables: Bad policy name.");
      c.policy = policy;
      c.instantiated = true;
      return;
    }
    case "A":
    case "I":
    case "C":
    case "D":
      return ruleCommand(t, cmd, chainName, args);
  }
}

function deleteChain(t: Table, name: string): void {
  const c = chainOf(t, name);
  if (c.builtin) fail("iptables: Can't delete built-in chain.");
  if (c.rules.length) fail("iptables: Directory not empty.");
  for (const other of t.chains.values())
    for (const r of other.rules) {
      const tg = r.target;
      if (isStandard(tg) && (tg.kind === "jump" || tg.kind === "goto") && tg.chain === name)
        fail("iptables: Too many links.");
    }
  t.chains.delete(name);
}

// A missed -C is Docker's most common call: answer it without the cost of an exception.
const NO_MATCH: CommandResult = { ok: false, error: "iptables: Bad rule (does a matching rule exist in that chain?)." };

function ruleCommand(t: Table, cmd: string, chainName: string | undefined, args: string[]): CommandResult | void {
  const c = chainOf(t, chainName ?? "");
  if (cmd === "D" && args.length === 1 && /^\d+$/.test(args[0]!)) {
    const n = ruleNumber(args[0], c.rules.length);
    if (n === null) fail("iptables: Index of deletion too big.");
    removeRule(c, n - 1);
    return;
  }
  const pos = cmd === "I" ? ruleNumber(args[0], c.rules.length + 1) : null;
  const rule = parseSpec(pos === null ? args : args.slice(1));
  checkTarget(t, c, rule);
  const at = findRule(c, rule.spec);
  if (cmd === "C" || cmd === "D") {
    if (at < 0) return NO_MATCH;
    if (cmd === "D") removeRule(c, at);
    return;
  }
  c.instantiated = true;
  insertRule(c, cmd === "A" ? c.rules.length : (pos ?? 1) - 1, rule);
}

/** Run one iptables command; failures are results (Docker checks them), not exceptions. */
export function applyCommand(rs: Ruleset, argv: string[]): CommandResult {
  try {
    return run(rs, argv) ?? { ok: true };
  } catch (e) {
    if (e instanceof IptablesError) return { ok: false, error: e.message };
    throw e;
  }
}

export { BUILTIN_CHAINS };
