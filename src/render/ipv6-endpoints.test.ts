// An IPv6 address with a port is written "[fd00::2]:80" in every text form ("fd00::2:80" reads
// as a longer address), while IPv4 stays "172.17.0.2:80".
import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { scenarioSchema } from "../scenario/schema.js";
import { FORMATS } from "../scenario/formats.js";
import { endpoint } from "./common.js";
import { render } from "./formats.js";

const scenario = scenarioSchema.parse({
  docker: { version: "27" },
  host: { interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1", address6: "2001:db8:1::10/64", gateway6: "2001:db8:1::1" }] },
  networks: [{ name: "v6", subnet: "172.30.0.0/24", subnet6: "fd00:1::/64" }],
  containers: [{ name: "web", network: "v6", ports: ["8080:80"] }],
  flows: [{ from: "external", to: "host:8080", family: "ipv6" }, { from: "host", to: "[fd00:1::2]:80" }],
});

describe("IPv6 endpoints in renderers", () => {
  it("brackets an IPv6 address that has a port", () => {
    expect(endpoint("fd00::2", 80)).toBe("[fd00::2]:80");
    expect(endpoint("fd00::2", null)).toBe("fd00::2");
    expect(endpoint("172.17.0.2", 80)).toBe("172.17.0.2:80");
  });

  const result = simulate(scenario);
  it("traces the flows to the container's IPv6 address", () => {
    expect(result.traces.map((t) => t.deliveredTo?.ip)).toEqual(["fd00:1::2", "fd00:1::2"]);
  });
  it.each(FORMATS.filter((f) => !["json", "iptables-save", "ip6tables-save", "nft", "iptables-S", "iptables-L"].includes(f)))("%s", (format) => {
    const text = String(render(result, format, { scenario }).body);
    expect(text).not.toMatch(/(?<![\[\w:])fd00:1::2:80\b/);
    if (format !== "svg" && format !== "mermaid" && format !== "html") expect(text).toContain("[fd00:1::2]:80");
  });
});
