// `nft list ruleset` as nft 1.0.x prints it: tables in creation order, each with its sets and
// maps, then its chains; base chains with named priorities; rules in canonical form (implied
// protocol matches dropped, strings quoted, counters with their numbers unless stateless).
import type { NftRuleset } from "./ruleset.js";
import { FIELD_TYPES, type BaseSpec, type NftChain, type NftRule, type NftSet, type NftTable, type Stmt, type Verdict } from "./types.js";
import { compareValues, printValue } from "./values.js";

export interface PrintOptions {
  /** `nft -s`: counters without their numbers. */
  stateless?: boolean;
}

const STD_PRIORITIES: [string, number, string | null][] = [
  ["raw", -300, null], ["mangle", -150, null], ["dstnat", -100, "prerouting"], ["filter", 0, null], ["security", 50, null], ["srcnat", 100, "postrouting"],
];

/** A priority as nft names it: a standard name, name ± offset (up to 10), or the number. */
export function printPriority(base: BaseSpec): string {
  for (const [name, value, hook] of STD_PRIORITIES) {
    if (hook && hook !== base.hook) continue;
    const off = base.priority - value;
    if (off === 0) return name;
    if (Math.abs(off) <= 10) return `${name} ${off > 0 ? "+" : "-"} ${Math.abs(off)}`;
  }
  return `${base.priority}`;
}

export function printVerdict(v: Verdict): string {
  return v.kind === "jump" || v.kind === "goto" ? `${v.kind} ${v.chain}` : v.kind;
}

const TRANSPORT = ["tcp", "udp", "sctp"];

/** `meta l4proto tcp` / `ip protocol tcp` before a tcp match is the match's own dependency. */
function implied(stmts: Stmt[], i: number): boolean {
  const s = stmts[i]!;
  if (s.kind !== "match" || (s.field !== "meta l4proto" && s.field !== "ip protocol" && s.field !== "ip6 nexthdr") || s.op !== "==" || typeof s.value !== "string") return false;
  const proto = s.value;
  return TRANSPORT.includes(proto) && stmts.slice(i + 1).some((n) => (n.kind === "match" || n.kind === "vmap") && n.field.startsWith(`${proto} `));
}

function printMatch(s: Extract<Stmt, { kind: "match" }>): string {
  const type = FIELD_TYPES[s.field];
  const op = s.op === "!=" ? "!= " : "";
  const v = s.value;
  const value = typeof v === "string" ? printValue(type, v) : "ref" in v ? `@${v.ref}` : printSet(type, v.set);
  if (s.mask !== null) return `${s.field} & 0x${s.mask.toString(16).padStart(8, "0")} ${s.op} ${value}`;
  return `${s.field} ${op}${value}`;
}

function printSet(type: Parameters<typeof printValue>[0], items: string[]): string {
  // A one-element anonymous set is just the value.
  const sorted = [...items].sort((a, b) => compareValues(type, a, b));
  return sorted.length === 1 ? printValue(type, sorted[0]!) : `{ ${sorted.map((x) => printValue(type, x)).join(", ")} }`;
}

function printStmt(s: Stmt, o: PrintOptions): string {
  switch (s.kind) {
    case "match": return printMatch(s);
    case "vmap": {
      const type = FIELD_TYPES[s.field];
      const map = typeof s.map === "string" ? `@${s.map}` : `{ ${[...s.map].sort((a, b) => compareValues(type, a.key, b.key)).map((e) => `${printValue(type, e.key)} : ${printVerdict(e.verdict)}`).join(", ")} }`;
      return `${s.field} vmap ${map}`;
    }
    case "counter": return o.stateless ? "counter" : `counter packets ${s.packets} bytes ${s.bytes}`;
    case "verdict": return printVerdict(s.verdict);
    case "reject": return s.with ? `reject with ${s.with.replace(/^(icmpx?|icmpv6) (?!type )/, "$1 ")}` : "reject";
    case "nat": {
      if (s.type === "masquerade" || s.type === "redirect") return s.port === null ? s.type : `${s.type} to :${s.port}`;
      const addr = s.addr!.includes(":") && s.port !== null ? `[${s.addr}]` : s.addr;
      return `${s.type} to ${addr}${s.port === null ? "" : `:${s.port}`}`;
    }
    case "comment": return `comment "${s.text}"`;
    case "nftrace": return `meta nftrace set ${s.value}`;
    case "log": return s.prefix === null ? "log" : `log prefix "${s.prefix}"`;
    case "notrack": return "notrack";
  }
}

/** One rule as `nft list` prints it (without its handle). */
export function printRule(r: NftRule, o: PrintOptions = {}): string {
  // nft prints the comment last, whatever its place in the input.
  const body = r.stmts.filter((s, i) => s.kind !== "comment" && !implied(r.stmts, i)).map((s) => printStmt(s, o));
  const comment = r.stmts.find((s) => s.kind === "comment");
  return [...body, ...(comment ? [printStmt(comment, o)] : [])].join(" ");
}

export function printBase(b: BaseSpec): string {
  return `type ${b.type} hook ${b.hook} priority ${printPriority(b)}; policy ${b.policy};`;
}

function printSetBlock(s: NftSet): string[] {
  const type = s.map ? `type ${s.keyType} : ${s.valueType}` : `type ${s.keyType}`;
  const lines = [`\t${s.map ? "map" : "set"} ${s.name} {`, `\t\t${type}`];
  if (s.flags.length) lines.push(`\t\tflags ${s.flags.join(",")}`);
  if (s.elements.length) {
    const els = [...s.elements].sort((a, b) => compareValues(s.keyType, a.key, b.key)).map((e) => `${printValue(s.keyType, e.key)}${e.verdict ? ` : ${printVerdict(e.verdict)}` : ""}`);
    // nft wraps a map's elements one per line; a set's several per line (not modelled: one per line).
    lines.push(`\t\telements = { ${els.join(",\n\t\t\t     ")} }`);
  }
  lines.push("\t}");
  return lines;
}

function printChain(c: NftChain, o: PrintOptions): string[] {
  return [`\tchain ${c.name} {`, ...(c.base ? [`\t\t${printBase(c.base)}`] : []), ...c.rules.map((r) => `\t\t${printRule(r, o)}`), "\t}"];
}

export function printTable(t: NftTable, o: PrintOptions = {}): string {
  const blocks = [...[...t.sets.values()].map(printSetBlock), ...[...t.chains.values()].map((c) => printChain(c, o))];
  return `table ${t.family} ${t.name} {\n${blocks.map((b) => b.join("\n")).join("\n\n")}${blocks.length ? "\n" : ""}}\n`;
}

/** `nft list ruleset`. */
export function printRuleset(rs: NftRuleset, o: PrintOptions = {}): string {
  return rs.tables.map((t) => printTable(t, o)).join("");
}
