import { describe, expect, it } from "vitest";
import { parseScenarioText } from "./scenario-text.ts";

describe("parseScenarioText", () => {
  it("reads docker commands, flows and the docker version", () => {
    const r = parseScenarioText("# the story\ndocker-version 20.10\n$ docker run -d --name web \\\n   -p 8543:8888 image\nflow internet to web: external -> host:8543\nflow web -> 198.51.100.7:53 udp\n");
    expect(r).toEqual({
      ok: true,
      value: {
        docker: { version: "20.10" },
        commands: ["docker run -d --name web -p 8543:8888 image"],
        flows: [{ name: "internet to web", from: "external", to: "host:8543" }, { from: "web", to: "198.51.100.7:53", proto: "udp" }],
      },
    });
  });
  it("passes JSON through", () => {
    expect(parseScenarioText(' {"flows": []}')).toEqual({ ok: true, value: { flows: [] } });
  });
  it("names the line it cannot read", () => {
    expect(parseScenarioText("docker run -d x\ncurl localhost")).toMatchObject({ ok: false, line: 2 });
  });
});
