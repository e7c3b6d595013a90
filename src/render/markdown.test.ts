import { describe, expect, it } from "vitest";
import { fixture } from "./fixtures/load.js";
import { renderMarkdown } from "./markdown.js";

describe("markdown report", () => {
  it("puts the rules in a fence and one table per trace", () => {
    const { scenario, result } = fixture("seed");
    const md = renderMarkdown(result, { scenario });
    expect(md).toMatch(/### Rules\n\n```text\n\*filter\n[\s\S]*COMMIT\n```\n/);
    expect(md.match(/^\| # \| where \| chain \| rule \| verdict \| packet after \|$/gm)).toHaveLength(3);
    expect(md).toContain("| 2 | host PREROUTING nat | DOCKER | 2: `-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8543 -j DNAT --to-destination 172.17.0.2:8888` | DNAT | 198.51.100.7:40000 → 172.17.0.2:8888 |");
  });
  it("makes flow names and comments inert", () => {
    const { scenario, result } = fixture("hostile");
    const md = renderMarkdown(result, { scenario });
    // Fenced blocks and code spans are literal text in Markdown; everything else must be escaped.
    const outsideFences = md.replace(/^(`{3,})text\n[\s\S]*?^\1$/gm, "").replace(/`[^`\n]*`/g, "");
    expect(outsideFences).not.toMatch(/<script|<img|<svg/i);
    expect(md).toContain("### x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; (tcp)");
    // A pipe cannot split the table row, backticks cannot open a code span.
    expect(md).toContain("&lt;/svg&gt;&lt;svg onload=alert(3)&gt; &amp; \\]\\]&gt; \\| \\`code\\` #quot;");
    for (const row of md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| #") )) {
      expect(row.replace(/\\\|/g, "").split("|").length).toBe(8);
    }
  });
});
