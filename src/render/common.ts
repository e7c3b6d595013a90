// Helpers shared by the renderers: escaping for every output language, the packet line, and
// the grouping of a trace's steps into traversals (one base chain of one table at one hook).
import type { SimulationResult, Trace } from "../result.js";
import type { Scenario } from "../scenario/schema.js";

export type Step = Trace["steps"][number];
export type Theme = "light" | "dark" | "auto";
export const THEMES = ["light", "dark", "auto"] as const;

export interface RenderOptions {
  /** The validated scenario: gives each flow's protocol (the result does not repeat it). */
  scenario?: Scenario;
  /** svg/html colours: fixed light, fixed dark, or the reader's prefers-color-scheme (default). */
  theme?: Theme;
}

export interface Rendered {
  contentType: string;
  body: string;
}

/** XML/HTML text and attribute escaping: the five characters that can end a text or attribute. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Text for a Markdown table cell: HTML-inert, no pipe or newline that would end the cell. */
export function escapeMarkdownCell(s: string): string {
  return escapeXml(s).replace(/[\\`*_[\]|]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

/** A code fence longer than any backtick run inside the text, so the text cannot close it. */
export function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

/** Mermaid label text: its entity codes (#quot; #35;) instead of the characters it parses. */
export function escapeMermaid(s: string): string {
  return s.replace(/[#"<>&`]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\r?\n/g, " ");
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function protoOf(options: RenderOptions, index: number, trace: Trace): string {
  const fromScenario = options.scenario?.flows?.[index]?.proto;
  if (fromScenario) return fromScenario;
  return trace.steps[0]?.packet.sport === null ? "icmp" : "tcp";
}

/** "ip:port", with an IPv6 address in brackets ("[fd00::2]:80") as every tool writes it. */
export function endpoint(ip: string, port: number | null): string {
  return port === null ? ip : ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function packetSummary(p: Step["packet"], proto?: string): string {
  const parts = [`${proto ? `${proto} ` : ""}${endpoint(p.src, p.sport)} -> ${endpoint(p.dst, p.dport)}`];
  if (p.in) parts.push(`in ${p.in}`);
  if (p.out) parts.push(`out ${p.out}`);
  parts.push(`ct ${p.ct}`);
  return parts.join(", ");
}

/** What NAT changed between two packets ("" when nothing): "destination A -> B". */
export function natChange(before: Step["packet"], after: Step["packet"]): string {
  const out: string[] = [];
  const src = [endpoint(before.src, before.sport), endpoint(after.src, after.sport)];
  const dst = [endpoint(before.dst, before.dport), endpoint(after.dst, after.dport)];
  if (src[0] !== src[1]) out.push(`source ${src[0]} -> ${src[1]}`);
  if (dst[0] !== dst[1]) out.push(`destination ${dst[0]} -> ${dst[1]}`);
  return out.join(", ");
}

export const NAT_TARGETS = new Set(["DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP"]);

export interface Traversal {
  namespace: string;
  hook: string;
  table: string;
  steps: Step[];
}

/** Consecutive steps in one namespace/hook/table, split again when the base chain restarts. */
export function traversals(steps: Step[]): Traversal[] {
  const out: Traversal[] = [];
  for (const s of steps) {
    const last = out.at(-1);
    const restart = s.chain === s.hook && s.ruleNumber === 1;
    if (last && last.namespace === s.namespace && last.hook === s.hook && last.table === s.table && !restart) last.steps.push(s);
    else out.push({ namespace: s.namespace, hook: s.hook, table: s.table, steps: [s] });
  }
  return out;
}

export function verdictWords(t: Pick<Trace, "verdict" | "deliveredTo" | "connects" | "reason">): string {
  const to = t.deliveredTo ? ` to ${t.deliveredTo.namespace} ${endpoint(t.deliveredTo.ip, t.deliveredTo.port)}` : "";
  const reason = t.reason ? ` (${t.reason})` : "";
  return `${t.verdict}${to}${reason}; ${t.connects ? "connects" : "does not connect"}`;
}

export function stepVerdict(v: string): string {
  if (v.startsWith("JUMP:")) return `jump to ${v.slice(5)}`;
  if (v.startsWith("GOTO:")) return `go to ${v.slice(5)}`;
  if (v === "RETURN") return "return to the calling chain";
  if (v.startsWith("policy ")) return `chain policy ${v.slice(7)}`;
  return v;
}

/** Namespaces that hold rules, the host first. */
export function ruleNamespaces(result: SimulationResult): string[] {
  return Object.keys(result.rules).sort((a, b) => (a === "host" ? -1 : b === "host" ? 1 : 0));
}

export interface SavedTable {
  name: string;
  chains: { name: string; policy: string | null }[];
  rules: string[];
}

/** The tables of an iptables-save text (comments and counters dropped). */
export function parseSave(text: string): SavedTable[] {
  const tables: SavedTable[] = [];
  let cur: SavedTable | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("*")) tables.push((cur = { name: line.slice(1), chains: [], rules: [] }));
    else if (line.startsWith(":") && cur) {
      const [name, policy] = line.slice(1).split(/\s+/);
      cur.chains.push({ name: name!, policy: policy && policy !== "-" ? policy : null });
    } else if (line.startsWith("-A ") && cur) cur.rules.push(line);
  }
  return tables;
}

/** What came back to the sender: the reply, or the answer a REJECT sent (ICMP error, TCP reset). */
export function answerOf(t: Trace): Trace["reply"] {
  return t.reply ?? t.rejectReply ?? null;
}
