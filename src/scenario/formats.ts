// The output forms a caller can ask for (?format= on the API, --format on the CLI). Kept apart
// from the renderers so the API worker can check the name without bundling any engine code.
export const FORMATS = [
  "json",
  "iptables-save",
  "ip6tables-save",
  "nft",
  "trace",
  "iptables-S",
  "iptables-L",
  "walkthrough",
  "summary",
  "markdown",
  "mermaid",
  "svg",
  "html",
] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(f: string): f is Format {
  return (FORMATS as readonly string[]).includes(f);
}

/** Colours of the svg and html forms: fixed, or the reader's prefers-color-scheme. */
export const THEMES = ["light", "dark", "auto"] as const;
export type Theme = (typeof THEMES)[number];

export function isTheme(t: string): t is Theme {
  return (THEMES as readonly string[]).includes(t);
}

export const CONTENT_TYPES: Record<Format, string> = {
  json: "application/json",
  "iptables-save": "text/plain; charset=utf-8",
  "ip6tables-save": "text/plain; charset=utf-8",
  nft: "text/plain; charset=utf-8",
  trace: "text/plain; charset=utf-8",
  "iptables-S": "text/plain; charset=utf-8",
  "iptables-L": "text/plain; charset=utf-8",
  walkthrough: "text/plain; charset=utf-8",
  summary: "text/plain; charset=utf-8",
  markdown: "text/markdown; charset=utf-8",
  mermaid: "text/plain; charset=utf-8",
  svg: "image/svg+xml",
  html: "text/html; charset=utf-8",
};
