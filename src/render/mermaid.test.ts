import { describe, expect, it } from "vitest";
import { fixture } from "./fixtures/load.js";
import { renderMermaid } from "./mermaid.js";

describe("mermaid flowchart", () => {
  it("draws each path: traversals, then the verdict", () => {
    const { scenario, result } = fixture("seed");
    const m = renderMermaid(result, { scenario });
    expect(m.startsWith("flowchart TD\n")).toBe(true);
    expect(m).toContain('t0n0["<b>host · PREROUTING · nat</b><br/>PREROUTING #35;1 → JUMP:DOCKER<br/>DOCKER #35;2 → DNAT"]');
    expect(m).toContain('t0v(["delivered to web 172.17.0.2:8888; connects"])');
    expect(m).toContain("t0n2 --> t0v");
    expect(m.match(/^  subgraph /gm)).toHaveLength(3);
  });
  it("leaves no quote, angle bracket or backtick of user text in a label", () => {
    const { scenario, result } = fixture("hostile");
    const m = renderMermaid(result, { scenario });
    const labels = [...m.matchAll(/\["(.*?)"\]/g)].map((x) => x[1]!.replace(/<\/?b>|<br\/>/g, ""));
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) expect(l).not.toMatch(/["<>`]/);
    expect(m).toContain("x#34;#62;#60;script#62;alert(1)#60;/script#62;");
  });
});
