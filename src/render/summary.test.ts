import { describe, expect, it } from "vitest";
import { fixture } from "./fixtures/load.js";
import { renderSummary } from "./summary.js";

describe("summary", () => {
  it("is one line per flow", () => {
    const { scenario, result } = fixture("seed");
    expect(renderSummary(result, { scenario })).toBe(
      "internet to web (tcp): delivered to web 172.17.0.2:8888; connects\n" +
        "web to internet (tcp): delivered to external 198.51.100.7:443; connects\n" +
        "host to localhost (tcp): delivered to web 172.17.0.2:8888; connects\n",
    );
  });
});
