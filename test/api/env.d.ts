// Types for `cloudflare:workers` inside the test pool: the API worker's bindings and its
// default export (what `exports.default.fetch()` calls).
type NfplayApiEnv = import("../../src/api/env.ts").Env;

declare namespace Cloudflare {
  interface Env extends NfplayApiEnv {}
  interface GlobalProps {
    mainModule: typeof import("../../src/api/index.ts");
  }
}
