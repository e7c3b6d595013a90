// `wrangler dev` (both workers, as `npm start` runs them) on a free loopback port, for tests
// that need the real local server: permalinks surviving a restart, the playground in a browser.
// The process is started in its own group and killed as a group; every wait is bounded.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface DevServer {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, ms: number, child: ChildProcess): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && child.exitCode === null) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {}
}

function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-child.pid!, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts wrangler dev persisting to `persistTo`; resolves once /healthz answers. */
export async function startDev(persistTo: string, timeoutMs = 60_000): Promise<DevServer> {
  const port = await freePort();
  const inspector = await freePort();
  const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", WRANGLER_SEND_ERROR_REPORTS: "false", WRANGLER_HIDE_BANNER: "true", CI: "1" };
  const args = ["wrangler", "dev", "-c", "wrangler.toml", "-c", "workers/sandbox/wrangler.toml", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--persist-to", persistTo, "--show-interactive-dev-session=false"];
  const child = spawn("npx", args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  // Done when the whole group is gone (npx exits before wrangler and workerd do).
  const stop = async () => {
    killGroup(child, "SIGTERM");
    const end = Date.now() + 5_000;
    while (groupAlive(child) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive(child)) killGroup(child, "SIGKILL");
    while (groupAlive(child) && Date.now() < end + 2_000) await new Promise((r) => setTimeout(r, 100));
  };
  if (!(await waitFor(`${url}/healthz`, timeoutMs, child))) {
    await stop();
    throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs} ms:\n${log.slice(-2000)}`);
  }
  return { url, stop };
}
