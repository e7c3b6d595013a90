// explain(): the warnings of a simulation, one module per pitfall, in this order. Each module
// derives its warning from the model, the rules and hidden probe flows through the engine.
import { BudgetExceededError } from "../netfilter/evaluate.js";
import { directRoutingToContainers } from "./direct-routing-to-containers.js";
import { dockerUserMatchesAfterDnat } from "./docker-user-matches-after-dnat.js";
import { forwardPolicyDrop } from "./forward-policy-drop.js";
import { iccOffSameNetwork } from "./icc-off-same-network.js";
import { ipForwardOff } from "./ip-forward-off.js";
import { localhostPublishedReachableFromLan } from "./localhost-published-reachable-from-lan.js";
import { publishedPortBypassesInput } from "./published-port-bypasses-input.js";
import { publishedPortUnreachableFromOtherNetwork } from "./published-port-unreachable-from-other-network.js";
import type { ExplainContext, Warning } from "./types.js";

export type { Warning, WarningRef, ExplainContext } from "./types.js";

const MODULES: ((ctx: ExplainContext) => Warning[])[] = [
  publishedPortBypassesInput,
  dockerUserMatchesAfterDnat,
  directRoutingToContainers,
  localhostPublishedReachableFromLan,
  iccOffSameNetwork,
  publishedPortUnreachableFromOtherNetwork,
  forwardPolicyDrop,
  ipForwardOff,
];

/** The probes get their own budget: running out of it ends the explanation, never the simulation. */
export const EXPLAIN_BUDGET = 2_000_000;

export function explain(ctx: Omit<ExplainContext, "budget" | "seq">, budgetLeft: number): Warning[] {
  const full: ExplainContext = { ...ctx, budget: { left: Math.min(budgetLeft, EXPLAIN_BUDGET) }, seq: { n: 0 } };
  const out: Warning[] = [];
  for (const m of MODULES) {
    try {
      out.push(...m(full));
    } catch (e) {
      if (e instanceof BudgetExceededError) break;
      throw e;
    }
  }
  return out;
}
