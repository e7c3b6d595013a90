// The result in the forms users ask for with ?format= (API) or --format (CLI).
import type { SimulationResult } from "../result.js";
import { CONTENT_TYPES, type Format } from "../scenario/formats.js";
import type { RenderOptions, Rendered } from "./common.js";
import { renderHtml } from "./html.js";
import { renderIptablesL } from "./iptables-L.js";
import { renderIptablesS } from "./iptables-S.js";
import { renderMarkdown } from "./markdown.js";
import { renderMermaid } from "./mermaid.js";
import { renderIp6Text, renderNftText, renderRulesText } from "./rules-text.js";
import { renderSummary } from "./summary.js";
import { renderSvg } from "./svg.js";
import { renderWalkthrough } from "./walkthrough.js";
import { renderXtablesTrace } from "./xtables.js";

export { CONTENT_TYPES, FORMATS, isFormat, isTheme, THEMES, type Format, type Theme } from "../scenario/formats.js";
export type { RenderOptions, Rendered } from "./common.js";

const RENDERERS: Record<Format, (r: SimulationResult, o: RenderOptions) => string> = {
  json: (r) => `${JSON.stringify(r, null, 2)}\n`,
  "iptables-save": renderRulesText,
  "ip6tables-save": renderIp6Text,
  nft: renderNftText,
  trace: renderXtablesTrace,
  "iptables-S": renderIptablesS,
  "iptables-L": renderIptablesL,
  walkthrough: renderWalkthrough,
  summary: renderSummary,
  markdown: renderMarkdown,
  mermaid: renderMermaid,
  svg: renderSvg,
  html: renderHtml,
};

export function render(result: SimulationResult, format: Format, options: RenderOptions = {}): Rendered {
  return { contentType: CONTENT_TYPES[format], body: RENDERERS[format](result, options) };
}
