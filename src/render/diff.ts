// Unified diffs (for golden rules and the rule diff between two scenarios or Docker releases)
// and the differences between two simulations' traces.
import type { SimulationResult, Trace } from "../result.js";
import { renderRulesText } from "./rules-text.js";
import { endpoint, answerOf } from "./common.js";

type Op = { kind: " " | "-" | "+"; line: string; a: number; b: number };

/** Line edit script by longest common subsequence; big inputs fall back to replace-all. */
function editScript(a: string[], b: string[]): Op[] {
  // Common head and tail first: rule sets usually differ in a few lines.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const ops: Op[] = [];
  for (let i = 0; i < head; i++) ops.push({ kind: " ", line: a[i]!, a: i, b: i });
  const n = am.length;
  const m = bm.length;
  if (n * m > 4_000_000) {
    am.forEach((line, i) => ops.push({ kind: "-", line, a: head + i, b: head }));
    bm.forEach((line, j) => ops.push({ kind: "+", line, a: head + n, b: head + j }));
  } else {
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = am[i] === bm[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) ops.push({ kind: " ", line: am[i]!, a: head + i++, b: head + j++ });
      // Deletions before insertions, as diff -u prints a changed line.
      else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ kind: "-", line: am[i]!, a: head + i++, b: head + j });
      else ops.push({ kind: "+", line: bm[j]!, a: head + i, b: head + j++ });
    }
  }
  for (let k = 0; k < tail; k++) ops.push({ kind: " ", line: a[a.length - tail + k]!, a: a.length - tail + k, b: b.length - tail + k });
  return ops;
}

function lines(text: string): string[] {
  const out = text.split("\n");
  if (out.at(-1) === "") out.pop();
  return out;
}

/** `diff -u` text ("" when equal), `context` lines around each change. */
export function unifiedDiff(aText: string, bText: string, aName = "a", bName = "b", context = 3): string {
  const ops = editScript(lines(aText), lines(bText));
  if (ops.every((o) => o.kind === " ")) return "";
  const out = [`--- ${aName}`, `+++ ${bName}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.kind === " ") {
      k++;
      continue;
    }
    let start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while changes are closer than 2 * context lines.
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== " ") end++;
      let next = end;
      while (next < ops.length && ops[next]!.kind === " ") next++;
      if (next < ops.length && next - end <= 2 * context) end = next;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.kind !== "+").length;
    const bCount = hunk.filter((o) => o.kind !== "-").length;
    const aStart = hunk[0]!.a + (aCount ? 1 : 0);
    const bStart = hunk[0]!.b + (bCount ? 1 : 0);
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`, ...hunk.map((o) => `${o.kind}${o.line}`));
    k = end;
    start = end;
  }
  return `${out.join("\n")}\n`;
}

export interface TraceSide {
  verdict: Trace["verdict"];
  connects: boolean;
  deliveredTo: string | null;
}

export interface TraceDiff {
  name: string;
  changed: boolean;
  a: TraceSide | null;
  b: TraceSide | null;
  /** Unified diff of the steps, one line per step ("" when the paths are the same). */
  steps: string;
}

export interface ResultDiff {
  a: { docker: SimulationResult["docker"] };
  b: { docker: SimulationResult["docker"] };
  same: boolean;
  rules: { changed: boolean; diff: string };
  traces: TraceDiff[];
}

function side(t: Trace | undefined): TraceSide | null {
  if (!t) return null;
  return { verdict: t.verdict, connects: t.connects, deliveredTo: t.deliveredTo ? `${t.deliveredTo.namespace} ${endpoint(t.deliveredTo.ip, t.deliveredTo.port)}` : null };
}

function stepLines(t: Trace | undefined): string {
  if (!t) return "";
  const one = (s: Trace["steps"][number], reply: boolean) => `${reply ? "reply " : ""}${s.namespace} ${s.table}:${s.chain} ${s.ruleNumber === null ? s.verdict : `${s.rule} => ${s.verdict}`}\n`;
  return [...t.steps.map((s) => one(s, false)), ...(answerOf(t)?.steps ?? []).map((s) => one(s, true))].join("");
}

// Besides iptables-save: a release that changes only IPv6 rules, the nftables backend's table or
// the ipsets (28.0.0) is not "identical".
const OTHER_RULES = ["ip6tables-save", "nft", "ipset-save"] as const;

/** One kind of rules text of every namespace that has it (the host's alone needs no header). */
function rulesOfKind(r: SimulationResult, kind: (typeof OTHER_RULES)[number]): string {
  const names = Object.keys(r.rules).filter((ns) => r.rules[ns]![kind]);
  if (names.length === 1 && names[0] === "host") return r.rules.host![kind]!;
  return names.map((ns) => `# namespace: ${ns}\n${r.rules[ns]![kind]}`).join("\n");
}

export function diffResults(a: SimulationResult, b: SimulationResult, aName = "a", bName = "b"): ResultDiff {
  const rules = [
    unifiedDiff(renderRulesText(a), renderRulesText(b), `${aName}/iptables-save`, `${bName}/iptables-save`),
    ...OTHER_RULES.map((kind) => unifiedDiff(rulesOfKind(a, kind), rulesOfKind(b, kind), `${aName}/${kind}`, `${bName}/${kind}`)),
  ].join("");
  const traces: TraceDiff[] = [];
  for (let i = 0; i < Math.max(a.traces.length, b.traces.length); i++) {
    const ta = a.traces[i];
    const tb = b.traces[i];
    const steps = unifiedDiff(stepLines(ta), stepLines(tb), `${aName}/steps`, `${bName}/steps`);
    const sa = side(ta);
    const sb = side(tb);
    traces.push({ name: (ta ?? tb)!.name, changed: steps !== "" || JSON.stringify(sa) !== JSON.stringify(sb), a: sa, b: sb, steps });
  }
  return { a: { docker: a.docker }, b: { docker: b.docker }, same: rules === "" && traces.every((t) => !t.changed), rules: { changed: rules !== "", diff: rules }, traces };
}

const sideText = (s: TraceSide | null) => (s ? `${s.verdict}${s.deliveredTo ? ` to ${s.deliveredTo}` : ""}; ${s.connects ? "connects" : "does not connect"}` : "(no such flow)");

export function renderResultDiff(d: ResultDiff): string {
  const out = [`# a: Docker ${d.a.docker?.version ?? "-"}   b: Docker ${d.b.docker?.version ?? "-"}`];
  out.push(d.rules.changed ? d.rules.diff.trimEnd() : "# rules: identical");
  for (const t of d.traces) {
    out.push(`# flow ${t.name}: ${t.changed ? "changed" : "same"}`);
    if (JSON.stringify(t.a) !== JSON.stringify(t.b)) out.push(`-${sideText(t.a)}`, `+${sideText(t.b)}`);
    if (t.steps) out.push(t.steps.trimEnd());
  }
  return `${out.join("\n")}\n`;
}
