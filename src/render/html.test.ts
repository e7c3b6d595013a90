import { describe, expect, it } from "vitest";
import { fixture, inertMarkupProblems } from "./fixtures/load.js";
import { renderHtml } from "./html.js";

describe("html fragment", () => {
  it("embeds the diagram, the steps and the rules", () => {
    const { scenario, result } = fixture("seed");
    const html = renderHtml(result, { scenario });
    expect(html).toMatch(/^<div class="nfplay-embed" data-nfplay-id="fixture-seed">\n<style>/);
    expect(html).toContain('<div class="diagram"><svg ');
    expect(html).toContain("<td>2: <code>-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8543 -j DNAT --to-destination 172.17.0.2:8888</code></td>");
    expect(html).toContain("<details><summary>Rules (iptables-save)</summary><pre>*filter\n");
    expect(inertMarkupProblems(html)).toEqual([]);
  });
  it("escapes hostile flow names and comments", () => {
    const { scenario, result } = fixture("hostile");
    const html = renderHtml(result, { scenario });
    expect(inertMarkupProblems(html)).toEqual([]);
    expect(html).toContain("<h3>x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; <small>(tcp)</small></h3>");
    expect(html).toContain("--comment &quot;x\\&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot; -j ACCEPT</code>");
  });
});
