// Permalinks survive a restart of the local server: POST /share on one `wrangler dev`, stop
// it, start another on the same persistence directory, and read the share back.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startDev, type DevServer } from "./dev-server.ts";
import pkg from "../../package.json" with { type: "json" };

describe("wrangler dev keeps shares across restarts", () => {
  let server: DevServer | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("reads a share back after a restart", { timeout: 180_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), "nfplay-dev-"));
    const seed = await readFile("examples/seed.json", "utf8");
    server = await startDev(dir);
    const res = await fetch(`${server.url}/share`, { method: "POST", body: seed, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(201);
    const share = (await res.json()) as { id: string; url: string };
    expect(share.url).toBe(`${server.url}/s/${share.id}`);
    const before = await (await fetch(`${server.url}/s/${share.id}?format=svg`)).text();
    await server.stop();

    server = await startDev(dir);
    const after = await fetch(`${server.url}/s/${share.id}?format=svg&v=${pkg.version}`);
    expect(after.status).toBe(200);
    expect(after.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await after.text()).toBe(before);
    const again = await fetch(`${server.url}/share`, { method: "POST", body: seed, headers: { "content-type": "application/json" } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(share.id);
  });
});
