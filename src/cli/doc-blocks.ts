// ```nfplay blocks in Markdown: a scenario (JSON, or docker commands and flow lines), and the
// fenced block after it that holds the expected output. Pure text in, text out, so `--update`
// rewrites only the expected blocks and leaves every other byte of the page alone.
import { isFormat, type Format } from "../scenario/formats.js";

export interface DocBlock {
  /** 1-based line of the opening ```nfplay fence. */
  line: number;
  source: string;
  format: Format;
  /** The expected-output block: its content and the line range of its content (0-based, end exclusive). */
  expected: { text: string; from: number; to: number; fence: string } | null;
  /** Where a missing expected block goes (0-based line index after the nfplay block). */
  insertAt: number;
  error?: string;
}

interface Fence {
  open: number;
  close: number;
  info: string;
  marker: string;
  body: string;
}

function fences(lines: string[]): Fence[] {
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {0,3}(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i]!);
    if (!m) continue;
    const marker = m[1]!;
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ {0,3}${marker[0] === "`" ? "`" : "~"}{${marker.length},}\\s*$`).test(lines[j]!)) j++;
    out.push({ open: i, close: j, info: m[2]!.trim(), marker, body: lines.slice(i + 1, j).join("\n") });
    i = j;
  }
  return out;
}

const EXPECTED_INFO = /^(text|console|output|plain)?$/;

export function findBlocks(markdown: string): DocBlock[] {
  const lines = markdown.split("\n");
  const fs = fences(lines);
  const blocks: DocBlock[] = [];
  fs.forEach((f, k) => {
    const [lang, ...opts] = f.info.split(/\s+/);
    if (lang !== "nfplay") return;
    let format: Format = "summary";
    let error: string | undefined;
    for (const o of opts) {
      const [key, value] = o.split("=");
      if (key === "format" && value && isFormat(value)) format = value;
      else error = `unknown option "${o}" (expected format=FORMAT)`;
    }
    const next = fs[k + 1];
    const expected = next && EXPECTED_INFO.test(next.info) ? { text: next.body, from: next.open + 1, to: next.close, fence: next.marker } : null;
    blocks.push({ line: f.open + 1, source: f.body, format, expected, insertAt: f.close + 1, ...(error ? { error } : {}) });
  });
  return blocks;
}

/** Texts compare without trailing spaces or trailing blank lines. */
export function normalizeOutput(text: string): string {
  return text.split("\n").map((l) => l.trimEnd()).join("\n").replace(/\n+$/, "");
}

/** The page with each block's expected output replaced (or inserted after the block). */
export function rewriteBlocks(markdown: string, updates: { block: DocBlock; output: string }[]): string {
  const lines = markdown.split("\n");
  // From the bottom up, so earlier line numbers stay valid.
  const sorted = [...updates].sort((a, b) => b.block.line - a.block.line);
  for (const { block, output } of sorted) {
    const body = normalizeOutput(output).split("\n");
    const fence = block.expected?.fence ?? "```";
    const longest = Math.max(0, ...body.map((l) => /^`+/.exec(l)?.[0].length ?? 0));
    if (block.expected && longest < fence.length) lines.splice(block.expected.from, block.expected.to - block.expected.from, ...body);
    else if (block.expected) {
      const f = "`".repeat(longest + 1);
      lines.splice(block.expected.from - 1, block.expected.to - block.expected.from + 2, `${f}text`, ...body, f);
    } else {
      const f = "`".repeat(Math.max(3, longest + 1));
      lines.splice(block.insertAt, 0, "", `${f}text`, ...body, f);
    }
  }
  return lines.join("\n");
}
