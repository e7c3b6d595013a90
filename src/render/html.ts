// An HTML fragment for embedding: the SVG of the paths, then each trace's steps as a table and
// the rules in a <details>. Styles are scoped to .nfplay-embed; no script, no external resource,
// and every piece of user text is escaped.
import type { SimulationResult } from "../result.js";
import { escapeXml, protoOf, stepVerdict, verdictWords, type RenderOptions, answerOf } from "./common.js";
import { renderRulesText } from "./rules-text.js";
import { renderSvg } from "./svg.js";

const STYLE =
  ".nfplay-embed{font:14px system-ui,sans-serif;color:inherit}.nfplay-embed table{border-collapse:collapse;font-size:12px}" +
  ".nfplay-embed td,.nfplay-embed th{border:1px solid #8884;padding:2px 6px;text-align:left;vertical-align:top}" +
  ".nfplay-embed code,.nfplay-embed pre{font:12px ui-monospace,Menlo,Consolas,monospace}.nfplay-embed pre{overflow:auto;padding:8px;border:1px solid #8884}" +
  ".nfplay-embed .ok{color:#1a7f37}.nfplay-embed .bad{color:#cf222e}.nfplay-embed .diagram{overflow:auto}";

export function renderHtml(result: SimulationResult, options: RenderOptions = {}): string {
  const out: string[] = [`<div class="nfplay-embed" data-nfplay-id="${escapeXml(result.id)}">`, `<style>${STYLE}</style>`];
  out.push(`<div class="diagram">${renderSvg(result, options).trimEnd()}</div>`);
  if (result.warnings?.length)
    out.push(`<section class="warnings"><h3>Warnings</h3><ul>${result.warnings.map((w) => `<li class="bad"><code>${escapeXml(w.code)}</code>: ${escapeXml(w.message)}</li>`).join("")}</ul></section>`);
  result.traces.forEach((t, i) => {
    out.push(`<section class="trace"><h3>${escapeXml(t.name)} <small>(${escapeXml(protoOf(options, i, t))})</small></h3>`);
    out.push(`<p class="${t.connects ? "ok" : "bad"}">${escapeXml(verdictWords(t))}</p>`);
    out.push("<table><thead><tr><th>#</th><th>where</th><th>chain</th><th>rule</th><th>verdict</th></tr></thead><tbody>");
    const rows = [...t.steps.map((s) => ({ s, reply: false })), ...(answerOf(t)?.steps ?? []).map((s) => ({ s, reply: true }))];
    rows.forEach(({ s, reply }, n) => {
      const where = `${reply ? "reply: " : ""}${s.namespace} ${s.hook} ${s.table}`;
      const rule = s.ruleNumber === null ? "(policy)" : `${s.ruleNumber}: <code>${escapeXml(s.rule)}</code>`;
      out.push(`<tr><td>${n + 1}</td><td>${escapeXml(where)}</td><td>${escapeXml(s.chain)}</td><td>${rule}</td><td>${escapeXml(stepVerdict(s.verdict))}</td></tr>`);
    });
    out.push("</tbody></table></section>");
  });
  out.push(`<details><summary>Rules (iptables-save)</summary><pre>${escapeXml(renderRulesText(result))}</pre></details>`);
  out.push("</div>");
  return `${out.join("\n")}\n`;
}
