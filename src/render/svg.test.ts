import { describe, expect, it } from "vitest";
import { fixture, inertMarkupProblems } from "./fixtures/load.js";
import { renderSvg } from "./svg.js";

describe("svg", () => {
  const { scenario, result } = fixture("seed");
  const svg = renderSvg(result, { scenario });
  it("is a standalone SVG document with one column per flow", () => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="nfplay" width="\d+" height="\d+" viewBox="0 0 \d+ \d+" role="img"><title>nfplay: internet to web, web to internet, host to localhost<\/title>/);
    expect(svg.endsWith("</svg>\n")).toBe(true);
    for (const t of result.traces) expect(svg).toContain(`>${t.name}</text>`);
    expect(svg).toContain(">DOCKER rule 2 -&gt; DNAT</text>");
    expect(svg).toContain('class="nat">destination 203.0.113.10:8543 -&gt; 172.17.0.2:8888</text>');
    expect(inertMarkupProblems(svg)).toEqual([]);
  });
  it("follows prefers-color-scheme by default, or a fixed theme", () => {
    expect(svg).toContain("@media (prefers-color-scheme: dark)");
    const dark = renderSvg(result, { scenario, theme: "dark" });
    expect(dark).not.toContain("prefers-color-scheme");
    expect(dark).toContain("--bg:#0d1117");
    expect(renderSvg(result, { scenario, theme: "light" })).toContain("--bg:#ffffff");
  });
  it("escapes markup in flow names and rule comments", () => {
    const hostile = fixture("hostile");
    const out = renderSvg(hostile.result, { scenario: hostile.scenario });
    expect(inertMarkupProblems(out)).toEqual([]);
    expect(out).toContain("x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;");
    expect(out).toContain("&lt;/svg&gt;&lt;svg onload=alert(3)&gt; &amp; ]]&gt;");
  });
  it("is deterministic", () => {
    expect(renderSvg(result, { scenario })).toBe(svg);
  });
});
