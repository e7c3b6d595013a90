// The result's `warnings`: known pitfalls, each derived from the model, the rules and hidden
// probe flows run through the engine (never from the scenario's text).
import type { DockerHost } from "../docker/model.js";
import type { Endpoints } from "../net/flows.js";
import type { World } from "../net/topology.js";
import type { Budget } from "../netfilter/evaluate.js";

/** What a warning points at; every field optional. */
export interface WarningRef {
  container?: string;
  network?: string;
  /** A published port as Docker prints it ("0.0.0.0:8080->80/tcp") or a bare "80/tcp". */
  port?: string;
  /** Rule text as iptables-save prints it, or a "-P CHAIN POLICY". */
  rule?: string;
  namespace?: string;
  /** The flow that shows it: a hidden probe ("external -> host:8080/tcp"), not one of `traces`. */
  flow?: string;
}

export interface Warning {
  /** Stable kebab-case id. */
  code: string;
  message: string;
  refs?: WarningRef[];
}

export interface ExplainContext {
  docker: DockerHost;
  world: World;
  endpoints: Endpoints;
  /** Whether the host's rules were pasted (then Docker did not write them). */
  hostPasted: boolean;
  budget: Budget;
  /** Numbers the hidden probes (their client ports), so a simulation is reproducible. */
  seq: { n: number };
}
