// --ip-forward=false (and a host whose net.ipv4.ip_forward is 0): the host is not a router, so
// nothing a container sends leaves the host and no published port is reachable from outside
// through DNAT. The probe: the first container on a bridge network -> the internet.
import { probeFlow } from "./probe.js";
import type { ExplainContext, Warning } from "./types.js";

export const CODE = "ip-forward-off";

export function ipForwardOff(ctx: ExplainContext): Warning[] {
  if (ctx.world.get("host").ipForward) return [];
  const c = ctx.docker.containers.find((x) => x.mode === "bridge" && x.endpoints.some((e) => !e.network.internal));
  if (!c) return [];
  const probe = probeFlow(ctx, c.name, "198.51.100.7:443");
  if (!probe || probe.trace.verdict === "delivered" || !probe.trace.reason?.includes("ip_forward=0")) return [];
  return [{
    code: CODE,
    message:
      `net.ipv4.ip_forward is 0 on this host${ctx.docker.daemon.ipForward ? "" : " (dockerd --ip-forward=false)"}: it does not route, so ${c.name} cannot reach ` +
      `anything outside the host and published ports are unreachable from other machines (except through docker-proxy).`,
    refs: [{ container: c.name, namespace: "host", flow: probe.name }],
  }];
}
