// A standalone SVG of each packet's path: one column per flow, one box per chain traversal
// (namespace, hook, table, the rules that matched), arrows, and the verdict. Colours come from
// CSS variables: light, dark, or the reader's prefers-color-scheme ("auto", the default).
// Every piece of user text goes through escapeXml; the document has no script, no link, no
// foreignObject and no external reference.
import type { SimulationResult } from "../result.js";
import { escapeXml, natChange, NAT_TARGETS, packetSummary, protoOf, traversals, truncate, verdictWords, type RenderOptions, type Step, type Theme, answerOf } from "./common.js";

const CHAR = 7.4; // advance of one 12px monospace character
const LINE = 16;
const PAD = 10;
const GAP = 24;
const COLUMN_GAP = 32;
const MAX_CHARS = 72;

const LIGHT = "--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--box:#f6f8fa;--stroke:#d1d9e0;--ok:#1a7f37;--okbg:#dafbe1;--bad:#cf222e;--badbg:#ffebe9;--nat:#8250df";
const DARK = "--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--box:#151b23;--stroke:#3d444d;--ok:#3fb950;--okbg:#12261e;--bad:#f85149;--badbg:#25171c;--nat:#ab7df8";

export function svgStyle(theme: Theme, scope = "svg.nfplay"): string {
  const vars = theme === "dark" ? DARK : LIGHT;
  const auto = theme === "auto" ? `@media (prefers-color-scheme: dark){${scope}{${DARK}}}` : "";
  return (
    `${scope}{${vars}}${auto}` +
    `${scope} text{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:var(--fg)}` +
    `${scope} .bg{fill:var(--bg)}${scope} .box{fill:var(--box);stroke:var(--stroke)}` +
    `${scope} .title{font-weight:bold;font-size:13px}${scope} .muted{fill:var(--muted)}${scope} .nat{fill:var(--nat)}` +
    `${scope} .arrow{stroke:var(--muted);fill:none}${scope} .head{fill:var(--muted)}` +
    `${scope} .ok{fill:var(--okbg);stroke:var(--ok)}${scope} .bad{fill:var(--badbg);stroke:var(--bad)}` +
    `${scope} .oktext{fill:var(--ok);font-weight:bold}${scope} .badtext{fill:var(--bad);font-weight:bold}`
  );
}

interface Line {
  text: string;
  cls?: string;
}

interface Box {
  lines: Line[];
  kind: "step" | "ok" | "bad";
}

function stepLine(s: Step): string {
  const at = s.ruleNumber === null ? "policy" : `rule ${s.ruleNumber}`;
  return `${s.chain} ${at} -> ${s.verdict.replace(/^policy /, "")}`;
}

function boxesOf(steps: Step[]): Box[] {
  let prev: Step["packet"] | null = null;
  return traversals(steps).map((tr) => {
    const lines: Line[] = [{ text: `${tr.namespace} · ${tr.hook} · ${tr.table}`, cls: "title" }];
    for (const s of tr.steps) {
      lines.push({ text: stepLine(s) });
      const change = prev ? natChange(prev, s.packet) : "";
      if (change && NAT_TARGETS.has(s.verdict)) lines.push({ text: change, cls: "nat" });
      prev = s.packet;
    }
    return { lines, kind: "step" as const };
  });
}

interface Column {
  header: Line[];
  boxes: Box[];
  width: number;
}

function columnOf(result: SimulationResult, i: number, options: RenderOptions): Column {
  const t = result.traces[i]!;
  const proto = protoOf(options, i, t);
  const header: Line[] = [{ text: t.name, cls: "title" }];
  if (t.steps[0]) header.push({ text: packetSummary(t.steps[0].packet, proto), cls: "muted" });
  const boxes = boxesOf(t.steps);
  boxes.push({ lines: [{ text: verdictWords(t), cls: t.connects ? "oktext" : "badtext" }], kind: t.connects ? "ok" : "bad" });
  const answer = answerOf(t);
  if (answer) {
    boxes.push(...boxesOf(answer.steps).map((b) => ({ ...b, lines: [{ text: "reply", cls: "muted" }, ...b.lines] })));
    const ok = answer.verdict === "delivered";
    boxes.push({ lines: [{ text: `reply ${answer.verdict}`, cls: ok ? "oktext" : "badtext" }], kind: ok ? "ok" : "bad" });
  }
  for (const l of [...header, ...boxes.flatMap((b) => b.lines)]) l.text = truncate(l.text, MAX_CHARS);
  const chars = Math.max(...[...header, ...boxes.flatMap((b) => b.lines)].map((l) => l.text.length));
  return { header, boxes, width: Math.ceil(chars * CHAR + 2 * PAD) };
}

function text(x: number, y: number, l: Line): string {
  return `<text x="${x}" y="${y}"${l.cls ? ` class="${l.cls}"` : ""}>${escapeXml(l.text)}</text>`;
}

export function renderSvg(result: SimulationResult, options: RenderOptions = {}): string {
  const theme = options.theme ?? "auto";
  const columns = result.traces.map((_, i) => columnOf(result, i, options));
  const parts: string[] = [];
  let x = PAD * 2;
  let height = 0;
  for (const col of columns) {
    let y = PAD * 2 + 12;
    for (const l of col.header) {
      parts.push(text(x, y, l));
      y += LINE;
    }
    y += 8;
    col.boxes.forEach((b, k) => {
      const h = b.lines.length * LINE + PAD;
      const cls = b.kind === "step" ? "box" : b.kind;
      parts.push(`<rect class="${cls}" x="${x}" y="${y}" width="${col.width}" height="${h}" rx="6"/>`);
      b.lines.forEach((l, n) => parts.push(text(x + PAD, y + PAD + 8 + n * LINE, l)));
      y += h;
      if (k < col.boxes.length - 1) {
        const cx = x + col.width / 2;
        parts.push(`<path class="arrow" d="M${cx} ${y + 2}V${y + GAP - 6}"/><path class="head" d="M${cx - 4} ${y + GAP - 8}L${cx + 4} ${y + GAP - 8}L${cx} ${y + GAP - 2}Z"/>`);
        y += GAP;
      }
    });
    height = Math.max(height, y + PAD * 2);
    x += col.width + COLUMN_GAP;
  }
  const width = Math.max(240, Math.ceil(x - COLUMN_GAP + PAD * 2));
  height = Math.max(height, 60);
  const title = `nfplay: ${result.traces.map((t) => t.name).join(", ") || "no flows"}`;
  if (columns.length === 0) parts.push(text(PAD * 2, PAD * 2 + 12, { text: "no flows to trace", cls: "muted" }));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="nfplay" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">` +
    `<title>${escapeXml(truncate(title, 200))}</title>` +
    `<style>${svgStyle(theme)}</style>` +
    `<rect class="bg" width="100%" height="100%"/>` +
    `${parts.join("")}</svg>\n`
  );
}
