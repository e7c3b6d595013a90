// Bindings of the API worker (see wrangler.toml). The sandbox type is imported as a type only:
// it gives typed RPC without bundling the engine into this worker.
import type Sandbox from "../../workers/sandbox/index.js";

export interface Env {
  SANDBOX: Service<Sandbox>;
  /** Shared scenarios (POST /share): key "s:" + share id, value the canonical scenario JSON. */
  SHARES: KVNamespace;
}
