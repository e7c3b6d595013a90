// A report ready to paste into an issue or a doc: the rules in a fenced block, one table per
// trace. User text is made inert: HTML-escaped in tables, fenced so it cannot close its fence.
import type { SimulationResult } from "../result.js";
import { endpoint, escapeMarkdownCell, fenceFor, protoOf, stepVerdict, verdictWords, type RenderOptions, answerOf } from "./common.js";
import { renderRulesText } from "./rules-text.js";

export function renderMarkdown(result: SimulationResult, options: RenderOptions = {}): string {
  const out: string[] = ["## nfplay report", ""];
  if (result.docker) out.push(`Docker ${escapeMarkdownCell(result.docker.version)}, simulated by nfplay.`, "");
  if (result.warnings?.length) {
    out.push("### Warnings", "");
    for (const w of result.warnings) out.push(`- **${escapeMarkdownCell(w.code)}**: ${escapeMarkdownCell(w.message)}`);
    out.push("");
  }
  const rules = renderRulesText(result);
  const fence = fenceFor(rules);
  out.push("### Rules", "", `${fence}text`, rules.trimEnd(), fence, "");
  result.traces.forEach((t, i) => {
    out.push(`### ${escapeMarkdownCell(t.name)} (${protoOf(options, i, t)})`, "", `**${escapeMarkdownCell(verdictWords(t))}**`, "");
    out.push("| # | where | chain | rule | verdict | packet after |", "|---|---|---|---|---|---|");
    const rows = [...t.steps.map((s) => ({ s, reply: false })), ...(answerOf(t)?.steps ?? []).map((s) => ({ s, reply: true }))];
    rows.forEach(({ s, reply }, n) => {
      const where = `${reply ? "reply: " : ""}${s.namespace} ${s.hook} ${s.table}`;
      const rule = s.ruleNumber === null ? "(policy)" : `${s.ruleNumber}: \`${s.rule.replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
      const p = s.packet;
      const packet = `${endpoint(p.src, p.sport)} → ${endpoint(p.dst, p.dport)}`;
      out.push(`| ${n + 1} | ${escapeMarkdownCell(where)} | ${escapeMarkdownCell(s.chain)} | ${rule} | ${escapeMarkdownCell(stepVerdict(s.verdict))} | ${escapeMarkdownCell(packet)} |`);
    });
    const answer = answerOf(t);
    if (answer) out.push("", `Reply: ${escapeMarkdownCell(answer.verdict)}.`);
    out.push("");
  });
  return out.join("\n");
}
