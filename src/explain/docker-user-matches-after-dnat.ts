// DOCKER-USER runs in filter FORWARD, after nat PREROUTING has DNATed the packet: a rule there that
// matches a published *host* port (--dport 8080 for -p 8080:80) never sees it; the packet carries the
// container's address and port by then. Docker docs, "Packet filtering and firewalls": match the
// original destination with -m conntrack --ctorigdstport. The probe shows the rule is passed over.
import { saveRuleset } from "../netfilter/save.js";
import { probeFlow } from "./probe.js";
import { publishedPorts } from "./ports.js";
import type { ExplainContext, Warning } from "./types.js";

export const CODE = "docker-user-matches-after-dnat";

export function dockerUserMatchesAfterDnat(ctx: ExplainContext): Warning[] {
  const rs = ctx.world.get("host").ruleset;
  if (!rs?.tables.get("filter")?.chains.get("DOCKER-USER")?.rules.length) return [];
  // Cheap guard before printing the whole ruleset: no DOCKER-USER rule (in any table) names a --dport.
  if (![...rs.tables.values()].some((t) => t.chains.get("DOCKER-USER")?.rules.some((r) => r.spec.includes("--dport ")))) return [];
  const userRules = saveRuleset(rs).split("\n").filter((l) => l.startsWith("-A DOCKER-USER ") && l.includes("--dport "));
  const out: Warning[] = [];
  for (const p of publishedPorts(ctx.docker.containers)) {
    const b = p.binding;
    if (b.hostPort === b.containerPort || (b.proto !== "tcp" && b.proto !== "udp")) continue;
    const stale = userRules.filter((r) => new RegExp(`--dport ${b.hostPort}(?!\\d)`).test(r) && r.includes(`-p ${b.proto}`));
    if (stale.length === 0) continue;
    const probe = probeFlow(ctx, "external", `host:${b.hostPort}`, b.proto);
    if (!probe || !probe.trace.steps.some((s) => s.chain === "DOCKER-USER")) continue;
    const missed = stale.filter((r) => !probe.trace.steps.some((s) => s.rule === r));
    for (const rule of missed)
      out.push({
        code: CODE,
        message:
          `"${rule}" never matches traffic to the published port ${b.hostPort}/${b.proto} of ${p.container.name}: DOCKER-USER sees the packet after ` +
          `DNAT, addressed to ${p.container.name}'s port ${b.containerPort}. Match -m conntrack --ctorigdstport ${b.hostPort} (or --dport ${b.containerPort}) instead.`,
        refs: [{ namespace: "host", rule }, { container: p.container.name, port: p.label, flow: probe.name }],
      });
  }
  return out;
}
