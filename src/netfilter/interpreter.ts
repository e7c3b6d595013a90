// Applies iptables commands (-N -X -F -A -I -C -D -P) to a Ruleset the way the iptables binary
// does, including its error messages, so that Docker's "-C then -A" logic can be replayed.
import { parseRule, progName, RuleParseError } from "./rule.js";
import { BUILTIN_CHAINS, findRule, flushChain, insertRule, newChain, removeRule, TABLE_NAMES, type Chain, type Ruleset, type Table } from "./ruleset.js";
import { isStandard, type Hook, type Rule, type TableName } from "./types.js";
import type { Family } from "../net/address.js";
import { currentIpsets } from "./ipset.js";

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

// The program of the command being run ("iptables" or "ip6tables"): messages start with it.
let prog = "iptables";

function fail(msg: string): never {
  throw new IptablesError(prog === "iptables" ? msg : msg.replace(/^iptables/, prog));
}

function chainOf(t: Table, name: string): Chain {
  const c = t.chains.get(name);
  if (!c) fail("iptables: No chain/target/match by that name.");
  return c;
}

// iptables refuses an interface that a built-in chain never has (userspace check, builtins only).
const NO_IN: readonly string[] = ["OUTPUT", "POSTROUTING"];
const NO_OUT: readonly string[] = ["PREROUTING", "INPUT"];

function checkHeader(t: Table, chain: Chain, rule: Rule): void {
  const h = rule.header;
  if (chain.builtin && h.in && NO_IN.includes(chain.name)) fail(`iptables v1.8.9 (nf_tables): Can't use -i with ${chain.name}`);
  if (chain.builtin && h.out && NO_OUT.includes(chain.name)) fail(`iptables v1.8.9 (nf_tables): Can't use -o with ${chain.name}`);
  // iptables-nft turns "! -s 0.0.0.0/0" into a negated zero-length compare, which nf_tables refuses.
  if ((h.src?.neg && h.src.cidr.prefix === 0) || (h.dst?.neg && h.dst.cidr.prefix === 0))
    fail(`iptables: RULE_APPEND failed (Invalid argument): rule in chain ${chain.name}`);
  const tg = rule.target;
  if (t.name === "nat" && isStandard(tg) && tg.kind === "verdict" && tg.verdict === "DROP")
    fail('iptables v1.8.9 (nf_tables): The "nat" table is not intended for filtering, the use of DROP is therefore inhibited.');
}

/** The hooks each module of a rule may run from (the kernel's checkentry), by module name. */
function restrictions(rule: Rule): { what: string; hooks: readonly Hook[] }[] {
  const out: { what: string; hooks: readonly Hook[] }[] = [];
  for (const m of rule.matches) {
    const hooks = m.module.validHooks?.(m.opts) ?? m.module.hooks;
    if (hooks) out.push({ what: `${m.module.name} match`, hooks });
  }
  const tg = rule.target;
  if (!isStandard(tg) && tg.module.hooks) out.push({ what: `${tg.module.name} target`, hooks: tg.module.hooks });
  return out;
}

function checkHooks(rule: Rule, hooks: readonly string[], chain: string): void {
  for (const r of restrictions(rule))
    for (const hook of hooks)
      if (!r.hooks.includes(hook as Hook))
        fail(`iptables: ${r.what}: used from hooks ${hook} (via ${chain}), but only usable from ${r.hooks.join("/")}`);
}

/** Built-in chains from which a chain is reached, through jumps and gotos. */
function hooksReaching(t: Table, name: string): string[] {
  return [...t.chains.values()].filter((c) => c.builtin && reaches(t, c.name, name, new Set())).map((c) => c.name);
}

/** Chains reachable from a chain, itself included. */
function reachable(t: Table, from: string, seen = new Set<string>()): Set<string> {
  if (seen.has(from)) return seen;
  seen.add(from);
  for (const to of t.chains.get(from)?.jumps.keys() ?? []) reachable(t, to, seen);
  return seen;
}

function checkTarget(t: Table, chain: Chain, rule: Rule): void {
  checkHeader(t, chain, rule);
  const tg = rule.target;
  if (!isStandard(tg) && tg.module.tables && !tg.module.tables.includes(t.name))
    fail(`iptables: ${tg.module.name} target: only valid in ${tg.module.tables.join("/")} table, not ${t.name}`);
  const hooks = chain.builtin ? [chain.name] : hooksReaching(t, chain.name);
  checkHooks(rule, hooks, chain.name);
  if (isStandard(tg) && (tg.kind === "jump" || tg.kind === "goto")) {
    const dest = t.chains.get(tg.chain);
    if (!dest || dest.builtin) fail(`iptables v1.8.9 (nf_tables): Chain '${tg.chain}' does not exist`);
    if (reaches(t, tg.chain, chain.name, new Set())) fail("iptables: Too many levels of symbolic links.");
    // Everything the jump makes reachable now also runs from this chain's hooks.
    if (hooks.length) for (const c of reachable(t, tg.chain)) for (const r of t.chains.get(c)!.rules) checkHooks(r, hooks, c);
  }
}

/** Would jumping from `from` to `to` close a loop (the kernel's mark_source_chains check)? */
function reaches(t: Table, start: string, goal: string, seen: Set<string>): boolean {
  if (start === goal) return true;
  if (seen.has(start)) return false;
  seen.add(start);
  for (const to of t.chains.get(start)?.jumps.keys() ?? []) if (reaches(t, to, goal, seen)) return true;
  return false;
}

// Docker checks a rule (-C) and then adds it (-A/-I) with the same words: parse them once.
let lastSpec: { key: string; rule: Rule } | null = null;

function parseSpec(argv: string[], family: Family): Rule {
  // -m set resolves set names in the namespace's ipsets: the same words may mean another set.
  const key = `${family}\u0000${currentIpsets()?.id ?? 0}\u0000${argv.join("\u0000")}`;
  if (lastSpec?.key === key) return lastSpec.rule;
  try {
    const rule = parseRule(argv, family);
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
      return ruleCommand(t, cmd, chainName, args, rs.family);
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

function ruleCommand(t: Table, cmd: string, chainName: string | undefined, args: string[], family: Family): CommandResult | void {
  const c = chainOf(t, chainName ?? "");
  if (cmd === "D" && args.length === 1 && /^\d+$/.test(args[0]!)) {
    const n = ruleNumber(args[0], c.rules.length);
    if (n === null) fail("iptables: Index of deletion too big.");
    removeRule(c, n - 1);
    return;
  }
  const pos = cmd === "I" ? ruleNumber(args[0], c.rules.length + 1) : null;
  const rule = parseSpec(pos === null ? args : args.slice(1), family);
  checkTarget(t, c, rule);
  const at = findRule(c, rule.spec);
  if (cmd === "C" || cmd === "D") {
    if (at < 0) return prog === "iptables" ? NO_MATCH : { ok: false, error: NO_MATCH.error!.replace(/^iptables/, prog) };
    if (cmd === "D") removeRule(c, at);
    return;
  }
  c.instantiated = true;
  insertRule(c, cmd === "A" ? c.rules.length : (pos ?? 1) - 1, rule);
}

/** Run one iptables command; failures are results (Docker checks them), not exceptions. */
export function applyCommand(rs: Ruleset, argv: string[]): CommandResult {
  prog = progName(rs.family);
  try {
    return run(rs, argv) ?? { ok: true };
  } catch (e) {
    if (e instanceof IptablesError) return { ok: false, error: e.message };
    throw e;
  }
}

export { BUILTIN_CHAINS };
