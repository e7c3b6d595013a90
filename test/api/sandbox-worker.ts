// Miniflare options for the sandbox worker in the workerd test pool. Kept in step with
// workers/sandbox/wrangler.toml: same name (the API's service binding targets it by name)
// and compatibility date.
export const SANDBOX_BUILD = ".build/sandbox";

export const sandboxWorker = {
  name: "nfplay-sandbox",
  modules: true,
  scriptPath: `${SANDBOX_BUILD}/index.js`,
  compatibilityDate: "2026-11-01",
};
