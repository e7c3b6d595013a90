// The playground (GET /) in a real Chromium, served by `wrangler dev` on loopback: type a
// scenario, click Run, read the trace; share it; and open hostile embeds and SVGs to prove
// nothing in them runs. Needs Debian's chromium (.ci/run installs it); skipped, loudly, without.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDev, type DevServer } from "./dev-server.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available) console.warn(`\n*** SKIPPED test/browser/playground.test.ts: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH) ***\n`);

const HOSTILE = {
  rules: { host: { "iptables-save": '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "x\\"><script>alert(1)</script>" -j ACCEPT\nCOMMIT\n' } },
  flows: [{ name: 'x"><script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>', from: "external", to: "host:22" }],
};

describe.skipIf(!available)("the playground in Chromium", () => {
  let server: DevServer;
  let browser: Browser;
  let dir: string;
  const dialogs: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nfplay-browser-"));
    server = await startDev(dir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      timeout: 30_000,
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    page.on("dialog", async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    return page;
  }

  it("runs the sample scenario and shows traces, rules and the diagram", { timeout: 60_000 }, async () => {
    const started = performance.now();
    const page = await open(`${server.url}/`);
    await page.click("#run");
    // Locators, not page-side functions: the page's CSP forbids eval, and this file is
    // typechecked without the DOM library.
    await page.locator("#status", { hasText: /^done$/ }).waitFor();
    const summary = await page.textContent("#summary");
    expect(summary).toContain("internet to web (tcp): delivered to web 172.17.0.2:8888; connects");
    expect(await page.textContent("#trace")).toContain("changed by the last rule: destination 203.0.113.10:8543 -> 172.17.0.2:8888");
    expect(await page.textContent("#rules")).toMatch(/^\*filter\n/);
    const width = await page.$eval("#diagram img", (img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    expect(width).toBeGreaterThan(300);
    expect(errors).toEqual([]);
    console.log(`playground: page load + Run + 4 renders in ${(performance.now() - started).toFixed(0)} ms`);
    await page.close();
  });

  it("shows the API's error for a bad scenario, then shares a good one", { timeout: 60_000 }, async () => {
    const page = await open(`${server.url}/`);
    await page.fill("#scenario", "docker run -d --name web -p 8080:80 nginx\ncurl localhost:8080");
    await page.click("#run");
    await page.locator("#status", { hasText: /^failed$/ }).waitFor();
    expect(await page.textContent("#error")).toMatch(/line 2: expected a docker command/);
    await page.fill("#scenario", "docker run -d --name web -p 8080:80 nginx\nflow external -> host:8080");
    await page.click("#share");
    await page.waitForSelector("#shared:not([hidden])");
    const permalink = await page.inputValue("#permalink");
    expect(permalink).toMatch(new RegExp(`^${server.url}/s/[A-Za-z0-9_-]{12}$`));
    expect(await page.inputValue("#embed")).toMatch(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\/[A-Za-z0-9_-]{12}" /);
    const res = await fetch(permalink);
    expect(((await res.json()) as { traces: { connects: boolean }[] }).traces[0]!.connects).toBe(true);
    await page.close();
  });

  it("runs nothing from hostile flow names and comments in the embed, SVG and HTML", { timeout: 60_000 }, async () => {
    const share = (await (await fetch(`${server.url}/share`, { method: "POST", body: JSON.stringify(HOSTILE) })).json()) as { id: string; embed: string; svg: string };
    const before = dialogs.length;
    for (const url of [share.embed, share.svg, `${server.url}/s/${share.id}?format=html`]) {
      const page = await open(url);
      await page.waitForLoadState("load");
      expect(await page.locator("script, img[onerror], [onload]").count()).toBe(0);
      await page.close();
    }
    // The iframe embed, as a docs page would include it.
    const host = await open(`${server.url}/healthz`);
    await host.setContent(`<iframe src="${share.embed}" width="800" height="600"></iframe>`);
    const frame = await (await host.waitForSelector("iframe")).contentFrame();
    await frame!.waitForSelector("h3");
    // The flow's heading (a "Warnings" heading may come first) shows the name as text.
    expect(await frame!.locator("h3").allTextContents()).toContainEqual(expect.stringContaining('x"><script>alert(1)</script>'));
    await host.close();
    expect(dialogs.slice(before)).toEqual([]);
    // Control: the same text unescaped does run, so the detector above can see it.
    const control = await open(`${server.url}/healthz`);
    await control.setContent(`<p>${HOSTILE.flows[0]!.name}</p>`);
    await control.waitForTimeout(300);
    await control.close();
    expect(dialogs.slice(before).length).toBeGreaterThan(0);
  });
});
