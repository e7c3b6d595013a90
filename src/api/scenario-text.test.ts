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
  it("keeps iptables lines (the docs' DOCKER-USER example) among the commands, in order", () => {
    const r = parseScenarioText("docker run -d -p 8080:80 --name web nginx\nsudo iptables -I DOCKER-USER -i eth0 ! -s 192.168.1.1 -j DROP\n$ ip6tables -w -A DOCKER-USER -j RETURN\n");
    expect(r).toEqual({
      ok: true,
      value: { commands: ["docker run -d -p 8080:80 --name web nginx", "iptables -I DOCKER-USER -i eth0 ! -s 192.168.1.1 -j DROP", "ip6tables -w -A DOCKER-USER -j RETURN"] },
    });
  });
  it("passes JSON through", () => {
    expect(parseScenarioText(' {"flows": []}')).toEqual({ ok: true, value: { flows: [] } });
  });
  it("names the line it cannot read", () => {
    expect(parseScenarioText("docker run -d x\ncurl localhost")).toMatchObject({ ok: false, line: 2 });
  });
});
