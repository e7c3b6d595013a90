// A remote (plugin) network driver: libnetwork's remote driver forwards NetworkDriver.* calls
// to a plugin over HTTP (docs/remote.md, drivers/remote/api). Docker itself installs no
// iptables rule for such a network and publishes no port (the plugin gets
// ProgramExternalConnectivity and may do what it likes). The scenario declares the plugin's
// answers in libnetwork's JSON: CreateEndpoint's Interface (a MacAddress when Docker's IPAM
// already gave the address), Join's InterfaceName (the plugin's veth end, moved into the
// container and renamed DstPrefix+N), Gateway, StaticRoutes and DisableGatewayService, plus
// what the protocol does not carry: how the host side is wired (a bridge holding the gateway,
// or a /32 route per container, Calico style) and the iptables commands the plugin runs.
import { parse } from "shell-quote";
import { impossible } from "../../errors.js";
import { parseCidr, parseIPv4, type Cidr, type IPv4 } from "../../net/address.js";
import type { Ipt } from "../ipt.js";
import type { NetworkSpec, PluginSpec } from "../../scenario/schema.js";

export interface RemoteConfig {
  kind: "remote";
  plugin: string;
  mac: string | null;
  dstPrefix: string;
  srcName: string | null;
  gateway: IPv4 | null;
  routes: { dst: Cidr; via: IPv4 | null }[];
  disableGatewayService: boolean;
  hostSide: { bridge: string } | { route: true };
  rules: string[];
}

export function remoteConfig(spec: NetworkSpec, at: string): RemoteConfig {
  const p: PluginSpec | undefined = spec.plugin;
  if (!p) throw impossible(`${at}/plugin`, `driver "remote" needs "plugin": the plugin's name and its CreateEndpoint/Join answers`);
  if (spec.options && Object.keys(spec.options).length)
    throw impossible(`${at}/options`, "options of a remote network go to the plugin (NetworkDriver.CreateNetwork); nfplay does not interpret them: describe the plugin's answers in \"plugin\"");
  const join = p.Join ?? {};
  const routes = (join.StaticRoutes ?? []).map((r, k) => {
    if (r.RouteType === 0 && !r.NextHop) throw impossible(`${at}/plugin/Join/StaticRoutes/${k}/NextHop`, "a RouteType 0 (next hop) route needs a NextHop");
    return { dst: parseCidr(r.Destination), via: r.RouteType === 0 ? parseIPv4(r.NextHop!) : null };
  });
  // libnetwork's sandbox.needDefaultGW: an endpoint with no gateway (and no default route) gets a
  // second one on docker_gwbridge, a bridge network of its own, which nfplay does not build.
  const defaultRoute = routes.some((r) => r.dst.prefix === 0);
  if (!join.Gateway && !defaultRoute && !join.DisableGatewayService && !spec.internal)
    throw impossible(`${at}/plugin/Join`, "Join gives no Gateway: Docker would also connect the container to docker_gwbridge, which is not simulated; give a Gateway, a 0.0.0.0/0 StaticRoute, or DisableGatewayService: true");
  return {
    kind: "remote", plugin: p.name, mac: p.CreateEndpoint?.Interface?.MacAddress?.toLowerCase() ?? null,
    dstPrefix: join.InterfaceName?.DstPrefix ?? "eth", srcName: join.InterfaceName?.SrcName ?? null,
    gateway: join.Gateway ? parseIPv4(join.Gateway) : null, routes, disableGatewayService: join.DisableGatewayService ?? false,
    hostSide: p.hostSide ?? { route: true }, rules: p.rules ?? [],
  };
}

/** NetworkDriver.CreateNetwork: the plugin's own iptables commands, through nfplay's interpreter. */
export function runPluginRules(ipt: Ipt, cfg: RemoteConfig, at: string): void {
  cfg.rules.forEach((line, k) => {
    const argv = parse(line.replace(/^\s*iptables\s+/, "")).map((t) => {
      if (typeof t !== "string") throw impossible(`${at}/plugin/rules/${k}`, "shell operators are not supported in a plugin rule");
      return t;
    });
    if (!ipt.run(...argv)) {
      const error = ipt.log[ipt.log.length - 1]!.split("   # ")[1] ?? "iptables failed";
      throw impossible(`${at}/plugin/rules/${k}`, `the plugin's iptables command failed: ${error}`);
    }
    // dockerd did not run it: the command log says whose it is
    ipt.log[ipt.log.length - 1] += `   # plugin ${cfg.plugin}`;
  });
}
