// Applies iptables commands (-N -X -F -A -I -C -D -P) to a Ruleset the way the iptables binary
// does, including its error messages, so that Docker's "-C then -A" logic can be replayed.
import { parseRule, progName, RuleParseError } from "./rule.js";
import { BUILTIN_CHAINS, findRule, flushChain, insertRule, newChain, removeRule, TABLE_NAMES, type Chain, type Ruleset, type Table } from "./ruleset.js";
import { isStandard, type Hook, type Rule, type TableName } from "./types.js";
import type { Family } from "../net/address.js";
import { currentIpsets } from "./ipset.js";
import { isXtablesTarget } from "./xtables-names.js";

export interface CommandResult {
  ok: boolean;
  /** What the tool prints on stderr, exactly (no final newline). */
  error?: string;
  /** The tool's exit status: 1 a kernel refusal, 2 a parameter problem, 3 no such table, 4 a netlink batch error. */
  status?: number;
}

/**
 * How iptables 1.8.9 (nf_tables) reports a failure, which decides both the words around the
 * message and the exit status, for a single command and for iptables-restore:
 * - "param": xtables_error(PARAMETER_PROBLEM): "PROG v1.8.9 (nf_tables): MSG" and the -h hint (exit 2)
 * - "bare": the same without the version prefix ("Bad argument `x'")
 * - "kernel": an errno that nft_strerror() maps to a sentence: "PROG: MSG" (exit 1)
 * - "batch": the kernel refused the netlink batch: "PROG v1.8.9 (nf_tables):  OP failed (ERR): ..." (exit 4)
 * - "table": an unknown -t table (exit 3)
 */
export type ErrorKind = "param" | "bare" | "kernel" | "batch" | "table";

export class IptablesError extends Error {
  constructor(readonly kind: ErrorKind, readonly reason: string) {
    super(reason);
  }
}

const VERSION = "v1.8.9 (nf_tables)";
const STATUS: Record<ErrorKind, number> = { param: 2, bare: 2, kernel: 1, batch: 4, table: 3 };

function helpHint(p: string): string {
  return `Try \`${p} -h' or '${p} --help' for more information.`;
}

/** The stderr of `PROG ...` (PROG: iptables or ip6tables) failing with this error. */
export function commandMessage(e: IptablesError, p: string): string {
  switch (e.kind) {
    case "param": return `${p} ${VERSION}: ${e.reason}\n${helpHint(p)}`;
    case "bare": return `${e.reason}\n${helpHint(p)}`;
    case "kernel": return `${p}: ${e.reason}`;
    case "batch": return `${p} ${VERSION}:  ${e.reason}`;
    case "table": return `${p} ${VERSION}: ${e.reason}\nPerhaps ${p} or your kernel needs to be upgraded.`;
  }
}

/** The stderr of `PROG-restore` failing with this error on line `line`. */
export function restoreMessage(e: IptablesError, p: string, line: number): string {
  const r = `${p}-restore`;
  switch (e.kind) {
    case "param": return `${r} ${VERSION}: ${e.reason}\nError occurred at line: ${line}\n${helpHint(r)}`;
    case "bare": return `${e.reason}\nError occurred at line: ${line}\n${helpHint(r)}`;
    case "kernel": return `${r}: line ${line} failed: ${e.reason.replace(/ Run `dmesg' for more information\.$/, "")}`;
    case "batch": return `${r} ${VERSION}: \nline ${line}: ${e.reason}`;
    case "table": return `${r} ${VERSION}: ${r}: line ${line} table name '${e.reason}' invalid\nError occurred at line: ${line}\n${helpHint(r)}`;
  }
}

const COMMANDS: Record<string, string> = {
  "-A": "A", "--append": "A", "-I": "I", "--insert": "I", "-D": "D", "--delete": "D",
  "-C": "C", "--check": "C", "-N": "N", "--new-chain": "N", "-X": "X", "--delete-chain": "X",
  "-F": "F", "--flush": "F", "-P": "P", "--policy": "P",
};

const MAX_CHAIN_NAME = 28; // XT_EXTENSION_MAXNAMELEN - 1

function fail(kind: ErrorKind, reason: string): never {
  throw new IptablesError(kind, reason);
}

/** The kernel refused the rule: nf_tables answers the whole batch with one errno. */
function refuse(op: string, errno: string, what: string): never {
  fail("batch", `${op} failed (${errno}): ${what}`);
}

function chainOf(t: Table, name: string): Chain {
  const c = t.chains.get(name);
  if (!c) fail("kernel", "No chain/target/match by that name.");
  return c;
}

// iptables refuses an interface that a built-in chain never has (userspace check, builtins only).
const NO_IN: readonly string[] = ["OUTPUT", "POSTROUTING"];
const NO_OUT: readonly string[] = ["PREROUTING", "INPUT"];

/** Userspace checks of a rule, made for -C and -D too. */
function checkHeader(t: Table, chain: Chain, rule: Rule): void {
  const h = rule.header;
  if (chain.builtin && h.in && NO_IN.includes(chain.name)) fail("param", `Can't use -i with ${chain.name}\n`);
  if (chain.builtin && h.out && NO_OUT.includes(chain.name)) fail("param", `Can't use -o with ${chain.name}\n`);
  const tg = rule.target;
  if (t.name === "nat" && isStandard(tg) && tg.kind === "verdict" && tg.verdict === "DROP")
    fail("param", '\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n');
  if (isStandard(tg) && (tg.kind === "jump" || tg.kind === "goto") && !t.chains.has(tg.chain))
    fail("param", `Chain '${tg.chain}' does not exist`);
  // iptables-nft writes --sport/--dport as payload compares, which need the protocol: a
  // negated -p is enough (it only checks that -p is not another protocol).
  for (const m of rule.matches)
    if ((m.module.name === "tcp" || m.module.name === "udp") && m.module.save(m.opts) !== "" && !(h.proto?.neg || h.proto?.proto === m.module.name))
      fail("param", `${m.module.name.toUpperCase()} match requires '-p ${m.module.name}'`);
}

// Matches the kernel's xt compat layer checks against the rule's -p (xt_tcp's checkentry...).
const PROTO_MATCHES: Record<string, string> = { tcp: "tcp", udp: "udp", sctp: "sctp", icmp: "icmp", icmp6: "icmpv6" };

/** A protocol match the kernel loads as an xt match: -p must be its protocol, not negated. */
function protoMismatch(rule: Rule): boolean {
  const h = rule.header;
  return rule.matches.some((m) => {
    const want = PROTO_MATCHES[m.module.name];
    if (!want) return false;
    // With options, tcp/udp are nft payload compares (checked in userspace above).
    if ((want === "tcp" || want === "udp") && m.module.save(m.opts) !== "") return false;
    return !h.proto || h.proto.neg || h.proto.proto !== want;
  });
}

/** The hooks each module of a rule may run from (the kernel's checkentry), by module name. */
function restrictions(rule: Rule): (readonly Hook[])[] {
  const out: (readonly Hook[])[] = [];
  for (const m of rule.matches) {
    const hooks = m.module.validHooks?.(m.opts) ?? m.module.hooks;
    if (hooks) out.push(hooks);
  }
  const tg = rule.target;
  if (!isStandard(tg) && tg.module.hooks) out.push(tg.module.hooks);
  return out;
}

function usableFrom(rule: Rule, hooks: readonly string[]): boolean {
  return restrictions(rule).every((ok) => hooks.every((hook) => ok.includes(hook as Hook)));
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

/**
 * The kernel's checks when the rule is added (nf_tables validates a chain only from the base
 * chains that reach it): the target's table, each module's hooks, jumps and loops. The kernel
 * names the chain the rule went into, whatever deeper rule it refused.
 */
function checkKernel(t: Table, chain: Chain, rule: Rule, op: string): void {
  const what = `rule in chain ${chain.name}`;
  const h = rule.header;
  // iptables-nft turns "! -s 0.0.0.0/0" into a negated zero-length compare, which nf_tables refuses.
  if ((h.src?.neg && h.src.cidr.prefix === 0) || (h.dst?.neg && h.dst.cidr.prefix === 0)) refuse(op, "Invalid argument", what);
  if (rule.matches.some((m) => m.module.tables && !m.module.tables.includes(t.name))) refuse(op, "Invalid argument", what);
  if (protoMismatch(rule)) refuse(op, "Invalid argument", what);
  const tg = rule.target;
  if (!isStandard(tg) && tg.module.tables && !tg.module.tables.includes(t.name)) refuse(op, "Invalid argument", what);
  const hooks = chain.builtin ? [chain.name] : hooksReaching(t, chain.name);
  if (!usableFrom(rule, hooks)) refuse(op, "Invalid argument", what);
  if (!isStandard(tg) || (tg.kind !== "jump" && tg.kind !== "goto")) return;
  if (t.chains.get(tg.chain)!.builtin) refuse(op, "Operation not supported", what);
  if (!hooks.length) return;
  // A loop among the chains this jump makes reachable from a base chain.
  if (reaches(t, tg.chain, chain.name, new Set()) || hasLoop(t, tg.chain)) refuse(op, "Too many links", what);
  // Everything the jump makes reachable now also runs from this chain's hooks.
  for (const c of reachable(t, tg.chain)) for (const r of t.chains.get(c)!.rules) if (!usableFrom(r, hooks)) refuse(op, "Invalid argument", what);
}

/** Whether the jumps from a chain ever come back to a chain on the way (a cycle). */
function hasLoop(t: Table, from: string, path = new Set<string>(), done = new Set<string>()): boolean {
  if (path.has(from)) return true;
  if (done.has(from)) return false;
  path.add(from);
  for (const to of t.chains.get(from)?.jumps.keys() ?? []) if (hasLoop(t, to, path, done)) return true;
  path.delete(from);
  done.add(from);
  return false;
}

/** Whether `goal` is reachable from `start` through jumps and gotos. */
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
    if (e instanceof RuleParseError) fail(/^Bad argument /.test(e.message) ? "bare" : "param", e.message);
    throw e;
  }
}

/** -I/-D's rule number, or null when the next word is not one. */
function ruleNumber(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  if (n < 1) fail("param", `Invalid rule number \`${text}'`);
  return n;
}

interface Command {
  table: TableName;
  cmd: string;
  chainName: string | undefined;
  args: string[];
}

function parseCommand(argv: string[]): Command {
  let table: TableName = "filter";
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-t" || a === "--table") {
      const name = argv[++i] as TableName;
      if (!TABLE_NAMES.includes(name)) fail("table", `table '${name}' does not exist`);
      table = name;
    } else if (a === "--wait" || a === "-w") {
      if (/^\d+$/.test(argv[i + 1] ?? "")) i++;
    } else rest.push(a);
  }
  const cmd = COMMANDS[rest[0] ?? ""];
  if (!cmd) fail("param", "no command specified");
  if (!rest[1] && "AIDCNP".includes(cmd)) fail("param", `option "${rest[0]}" requires an argument`);
  return { table, cmd, chainName: rest[1], args: rest.slice(2) };
}

function run(rs: Ruleset, argv: string[]): CommandResult | void {
  const { table, cmd, chainName, args } = parseCommand(argv);
  const t = rs.table(table);
  switch (cmd) {
    case "N": {
      const name = chainName!;
      checkChainName(name, rs.family);
      if (t.chains.has(name)) fail("kernel", "Chain already exists.");
      t.chains.set(name, newChain(name, false));
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
      const c = t.chains.get(chainName ?? "");
      const policy = args[0];
      if (!c?.builtin) fail("kernel", "Bad built-in chain name.");
      if (policy !== "ACCEPT" && policy !== "DROP") fail("kernel", "Bad policy name. Run `dmesg' for more information.");
      c.policy = policy;
      c.instantiated = true;
      return;
    }
    case "A":
    case "I":
    case "C":
    case "D":
      return ruleCommand(t, cmd, chainName!, args, rs.family);
  }
}

/** iptables' assert_valid_chain_name, in its order. */
function checkChainName(name: string, family: Family): void {
  if (name.length > MAX_CHAIN_NAME) fail("param", `chain name \`${name}' too long (must be under ${MAX_CHAIN_NAME + 1} chars)`);
  if (name.startsWith("-") || name.startsWith("!")) fail("param", `chain name not allowed to start with \`${name[0]}'`);
  if (isXtablesTarget(name, family)) fail("param", "chain name may not clash with target name");
  if (/\s/.test(name)) fail("param", `Invalid chain name \`${name}'`);
}

function deleteChain(t: Table, name: string): void {
  const c = chainOf(t, name);
  // iptables-nft creates a built-in chain on first use; until then, it does not exist.
  if (c.builtin && !c.instantiated) fail("kernel", "No chain/target/match by that name.");
  const busy = () => refuse("CHAIN_DEL", "Device or resource busy", `chain ${name}`);
  if (c.builtin || c.rules.length) busy();
  for (const other of t.chains.values())
    for (const r of other.rules) {
      const tg = r.target;
      if (isStandard(tg) && (tg.kind === "jump" || tg.kind === "goto") && tg.chain === name) busy();
    }
  t.chains.delete(name);
}

// A missed -C is Docker's most common call: answer it without the cost of an exception.
const NO_MATCH = "Bad rule (does a matching rule exist in that chain?).";

function ruleCommand(t: Table, cmd: string, chainName: string, args: string[], family: Family): CommandResult | void {
  const c = chainOf(t, chainName);
  if (cmd === "D" && args.length === 1 && /^\d+$/.test(args[0]!)) {
    const n = ruleNumber(args[0])!;
    // iptables-nft creates a built-in chain on first use; until then, it does not exist.
    if (c.builtin && !c.instantiated) fail("kernel", "No chain/target/match by that name.");
    if (n > c.rules.length) fail("kernel", "Index of deletion too big.");
    removeRule(c, n - 1);
    return;
  }
  const pos = cmd === "I" ? ruleNumber(args[0]) : null;
  const rule = parseSpec(pos === null ? args : args.slice(1), family);
  checkHeader(t, c, rule);
  const at = cmd === "C" || cmd === "D" ? findRule(c, rule.spec) : -1;
  if (cmd === "C" || cmd === "D") {
    if (at < 0) return { ok: false, error: `${prog}: ${NO_MATCH}`, status: 1 };
    if (cmd === "D") removeRule(c, at);
    return;
  }
  if (pos !== null && pos > c.rules.length + 1) fail("kernel", "Index of insertion too big.");
  checkKernel(t, c, rule, cmd === "A" ? "RULE_APPEND" : "RULE_INSERT");
  c.instantiated = true;
  insertRule(c, cmd === "A" ? c.rules.length : (pos ?? 1) - 1, rule);
}

// The program of the command being run ("iptables" or "ip6tables"): messages start with it.
let prog = "iptables";

/** Run one iptables command; a failure is an IptablesError (iptables-restore words it its own way). */
export function runCommand(rs: Ruleset, argv: string[]): CommandResult {
  prog = progName(rs.family);
  return run(rs, argv) ?? { ok: true };
}

/** Run one iptables command; failures are results (Docker checks them), not exceptions. */
export function applyCommand(rs: Ruleset, argv: string[]): CommandResult {
  try {
    return runCommand(rs, argv);
  } catch (e) {
    if (e instanceof IptablesError) return { ok: false, error: commandMessage(e, prog), status: STATUS[e.kind] };
    throw e;
  }
}

export { BUILTIN_CHAINS };
