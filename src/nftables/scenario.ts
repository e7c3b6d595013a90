// The nftables rulesets of a scenario's namespaces: Docker's (nftables backend) on the host,
// or what the user pasted as `rules.<ns>.nft` (`nft list ruleset` text, or any nft script).
import { invalid } from "../errors.js";
import type { World } from "../net/topology.js";
import type { Scenario } from "../scenario/schema.js";
import { NftRuleset } from "./ruleset.js";
import { NftError } from "./types.js";

function pasted(s: Scenario, ns: string): NftRuleset | null {
  const text = s.rules?.[ns]?.nft;
  if (text === undefined) return null;
  const rs = new NftRuleset();
  try {
    rs.run(text);
  } catch (e) {
    if (e instanceof NftError) throw invalid(`/rules/${ns}/nft`, e.message);
    throw e;
  }
  return rs;
}

/** Pasted rules of a namespace replace all Docker wrote there, iptables and nftables alike. */
export function loadNftRules(world: World, s: Scenario, docker: NftRuleset | null): void {
  for (const ns of world.namespaces.values()) {
    const own = s.rules?.[ns.name];
    if (ns.name === "host") ns.nft = own?.nft !== undefined || own?.["iptables-save"] !== undefined ? pasted(s, "host") : docker;
    else if (own?.nft !== undefined) ns.nft = pasted(s, ns.name);
  }
}

