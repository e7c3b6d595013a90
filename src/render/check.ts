// `expect` checks: a scenario's expectations against its simulation, as a pass/fail report
// with readable differences (a unified diff for the golden iptables-save). Pure: runs in the
// sandbox worker (POST /check) and in the CLI (nfplay check).
import type { SimulationResult, Trace } from "../result.js";
import type { Scenario } from "../scenario/schema.js";
import { endpoint, verdictWords, answerOf } from "./common.js";
import { unifiedDiff } from "./diff.js";

export interface CheckFailure {
  /** JSON pointer of the expectation in the scenario. */
  pointer: string;
  message: string;
  diff?: string;
}

export interface CheckReport {
  pass: boolean;
  checks: number;
  failures: CheckFailure[];
  /** Readable report: one line per failure (diffs indented), then a total. */
  text: string;
}

/** iptables-save without comment lines and with counters zeroed: what a golden file compares. */
export function normalizeSave(text: string): string {
  return `${text
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.replace(/^(:\S+ \S+) \[\d+:\d+\]$/, "$1 [0:0]"))
    .join("\n")}\n`;
}

function deliveredMatches(expected: string, t: Trace): boolean {
  const d = t.deliveredTo;
  if (!d) return false;
  // "[fd00::2]:80", and the unbracketed "fd00::2:80" that earlier versions printed
  return [d.namespace, d.ip, endpoint(d.namespace, d.port), endpoint(d.ip, d.port), `${d.ip}:${d.port}`].includes(expected);
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

export function checkResult(scenario: Scenario, result: SimulationResult): CheckReport {
  const failures: CheckFailure[] = [];
  let checks = 0;
  const check = (ok: boolean, pointer: string, message: string, diff?: string) => {
    checks++;
    if (!ok) failures.push(diff ? { pointer, message, diff } : { pointer, message });
  };

  (scenario.flows ?? []).forEach((flow, i) => {
    const e = flow.expect;
    const t = result.traces[i];
    if (!e || !t) return;
    const at = `/flows/${i}/expect`;
    const label = `flow "${t.name}"`;
    if (e.verdict !== undefined) check(t.verdict === e.verdict, `${at}/verdict`, `${label}: expected verdict ${e.verdict}, got ${verdictWords(t)}`);
    if (e.connects !== undefined) check(t.connects === e.connects, `${at}/connects`, `${label}: expected it ${e.connects ? "to connect" : "not to connect"}, got ${verdictWords(t)}`);
    if (e.deliveredTo !== undefined) check(deliveredMatches(e.deliveredTo, t), `${at}/deliveredTo`, `${label}: expected delivery to ${e.deliveredTo}, got ${verdictWords(t)}`);
    const passes = e.passes === undefined ? [] : Array.isArray(e.passes) ? e.passes : [e.passes];
    const rules = [...t.steps, ...(answerOf(t)?.steps ?? [])].map((s) => squash(s.rule));
    passes.forEach((rule, k) => {
      const ok = rules.some((r) => r.includes(squash(rule)));
      const where = Array.isArray(e.passes) ? `${at}/passes/${k}` : `${at}/passes`;
      check(ok, where, `${label}: no step matched a rule containing "${rule}"; the steps were:\n${rules.map((r) => `    ${r}`).join("\n")}`);
    });
  });

  // Any of the host's (and containers') rule texts: iptables-save, ip6tables-save and nft.
  const allRules = Object.values(result.rules)
    .flatMap((r) => [r["iptables-save"], r["ip6tables-save"] ?? "", r.nft ?? ""].flatMap((text) => text.split("\n")))
    .map(squash);
  const re = scenario.expect?.rules;
  re?.mustContain?.forEach((rule, k) => check(allRules.some((l) => l.includes(squash(rule))), `/expect/rules/mustContain/${k}`, `the rules do not contain "${rule}"`));
  re?.mustNotContain?.forEach((rule, k) => {
    const hits = allRules.filter((l) => l.includes(squash(rule)));
    check(hits.length === 0, `/expect/rules/mustNotContain/${k}`, `the rules contain "${rule}": ${hits.join(" | ")}`);
  });
  const golden = scenario.expect?.["iptables-save"];
  if (golden !== undefined) {
    const actual = normalizeSave(result.rules.host?.["iptables-save"] ?? "");
    const diff = unifiedDiff(normalizeSave(golden), actual, "expected/iptables-save", "actual/iptables-save");
    check(diff === "", "/expect/iptables-save", "the host's iptables-save differs from the golden text", diff);
  }

  const text = [
    ...failures.map((f) => `FAIL ${f.pointer}: ${f.message}${f.diff ? `\n${f.diff.trimEnd().replace(/^/gm, "    ")}` : ""}`),
    failures.length === 0 ? `ok: ${checks} check${checks === 1 ? "" : "s"} passed` : `${failures.length} of ${checks} checks failed`,
  ].join("\n");
  return { pass: failures.length === 0, checks, failures, text: `${text}\n` };
}
