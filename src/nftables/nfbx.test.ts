import { it } from "vitest";
import { simulate } from "../engine.js";
import { scenarioSchema } from "../scenario/schema.js";
it("x", () => {
  const r = simulate(scenarioSchema.parse({ docker: { version: "29.7.2" }, daemon: { "firewall-backend": "nftables", "userland-proxy": false }, host: { sysctl: { "net.ipv4.ip_forward": 1 } },
    containers: [{ name: "web", ports: ["8080:80", "127.0.0.1:5353:53/udp"] }, { name: "client" }],
    flows: [{ from: "external", to: "host:8080", proto: "tcp" }, { from: "web", to: "host:8080", proto: "tcp" }, { from: "external", to: "203.0.113.10:5353", proto: "udp" }] }));
  for (const t of r.traces) { console.log(t.name, t.verdict, t.connects, JSON.stringify(t.deliveredTo), t.reason); for (const s of [...t.steps, ...(t.reply?.steps ?? [])]) console.log("  ", s.namespace, s.hook, s.chain, s.ruleNumber, s.rule, "=>", s.verdict, JSON.stringify(s.packet));
    console.log("reply", t.reply?.verdict, JSON.stringify(t.reply?.hops)); }
});
