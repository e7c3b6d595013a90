// What moby's iptablesdoc / nftablesdoc pages set up (integration/network/bridge/*doc), as nfplay
// scenarios: the daemon, networks and containers of each page. Shared by moby.test.ts and
// moby-nft.test.ts; each adds the release, the backend and the host.
import type { ScenarioInput } from "../../src/scenario/schema.js";

export type PageScenario = Omit<ScenarioInput, "docker" | "host">;

const bridge1 = (extra: Record<string, string> = {}) => ({
  name: "bridge1", subnet: "192.0.2.0/24", gateway: "192.0.2.1", options: { "com.docker.network.bridge.name": "bridge1", ...extra },
});
const c1 = (ports = ["8080:80"]) => [{ name: "c1", network: "bridge1", ports }];
const GWM = "com.docker.network.bridge.gateway_mode_ipv4";

/** The pages both backends have. */
export const BRIDGE_PAGES: Record<string, PageScenario> = {
  "new-daemon.md": {},
  "usernet-portmap.md": { networks: [bridge1()], containers: c1() },
  "usernet-portmap-noproxy.md": { daemon: { "userland-proxy": false }, networks: [bridge1()], containers: c1() },
  "usernet-portmap-noicc.md": { networks: [bridge1({ "com.docker.network.bridge.enable_icc": "false" })], containers: c1() },
  "usernet-portmap-routed.md": { networks: [bridge1({ [GWM]: "routed" })], containers: c1() },
  "usernet-portmap-natunprot.md": { networks: [bridge1({ [GWM]: "nat-unprotected" })], containers: c1() },
  "usernet-portmap-lo.md": { networks: [bridge1()], containers: c1(["127.0.0.1:8080:80"]) },
  "usernet-internal.md": {
    networks: [
      { name: "bridgeICC", subnet: "192.0.2.0/24", gateway: "192.0.2.1", internal: true, options: { "com.docker.network.bridge.name": "bridgeICC" } },
      {
        name: "bridgeNoICC", subnet: "198.51.100.0/24", gateway: "198.51.100.1", internal: true,
        options: { "com.docker.network.bridge.name": "bridgeNoICC", "com.docker.network.bridge.enable_icc": "false" },
      },
    ],
    containers: [{ name: "c1", network: "bridgeICC" }, { name: "c2", network: "bridgeNoICC" }],
  },
};

/** The same host with WSL2 mirrored networking: the `loopback0` interface tells dockerd. */
export const WSL2_INTERFACES = [
  { name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1" },
  { name: "loopback0", address: "10.255.255.254/32" },
];
