import { describe, expect, it } from "vitest";
import { findBlocks, normalizeOutput, rewriteBlocks } from "./doc-blocks.js";

const PAGE = [
  "# Title", "", "```nfplay", "docker run -d --name web -p 80:80 nginx", "flow external -> host:80", "```", "", "prints:", "", "```text", "old output", "```",
  "", "```nfplay format=walkthrough", '{"flows":[]}', "```", "", "```sh", "echo unrelated", "```", "",
].join("\n");

describe("findBlocks", () => {
  it("finds nfplay blocks, their format and the expected block after them", () => {
    const blocks = findBlocks(PAGE);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatchObject({ line: 3, format: "summary", source: "docker run -d --name web -p 80:80 nginx\nflow external -> host:80", expected: { text: "old output" } });
    // A ```sh block is not expected output.
    expect(blocks[1]).toMatchObject({ line: 14, format: "walkthrough", expected: null });
  });
  it("reports an unknown option", () => {
    expect(findBlocks("```nfplay colour=red\n{}\n```\n")[0]!.error).toMatch(/unknown option/);
  });
});

describe("rewriteBlocks", () => {
  it("replaces expected output and inserts missing blocks, leaving the rest alone", () => {
    const blocks = findBlocks(PAGE);
    const out = rewriteBlocks(PAGE, [{ block: blocks[0]!, output: "new 1\nnew 2\n" }, { block: blocks[1]!, output: "walk\n" }]);
    expect(out).toContain("prints:\n\n```text\nnew 1\nnew 2\n```\n");
    expect(out).toContain('```nfplay format=walkthrough\n{"flows":[]}\n```\n\n```text\nwalk\n```\n\n```sh\necho unrelated\n```\n');
    expect(findBlocks(out).map((b) => normalizeOutput(b.expected!.text))).toEqual(["new 1\nnew 2", "walk"]);
  });
});
