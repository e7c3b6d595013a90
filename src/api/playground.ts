// GET /: the playground. One self-contained page (inline style and script, no external
// resource) allowed by a strict CSP that names the hashes of exactly that style and script.
// It talks only to this API: POST /simulate (text or JSON) and POST /share.

export const SAMPLE = `# The seed story: publish port 8888 of "web" on 8543.
docker-version 20.10
docker run -d --name web -p 8543:8888 image
flow internet to web: external -> host:8543
flow web to internet: web -> 198.51.100.7:443
flow host to localhost: host -> localhost:8543
`;

export const PLAYGROUND_STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--accent:#0969da;--bad:#cf222e}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--accent:#4493f8;--bad:#f85149}}
body{margin:0;font:14px system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{padding:10px 16px;border-bottom:1px solid var(--line)}h1{font-size:18px;margin:0}header p{margin:4px 0 0;color:var(--muted)}
main{display:grid;grid-template-columns:minmax(320px,1fr) 2fr;gap:16px;padding:16px}
textarea{width:100%;box-sizing:border-box;height:320px;font:13px ui-monospace,Menlo,Consolas,monospace;background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:6px;padding:8px}
button{font:inherit;padding:6px 14px;margin:8px 8px 0 0;border-radius:6px;border:1px solid var(--line);background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:transparent;color:var(--fg)}
pre{font:12px ui-monospace,Menlo,Consolas,monospace;border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;max-height:420px;margin:0}
h2{font-size:15px;margin:16px 0 6px}#error{color:var(--bad);white-space:pre-wrap}
#diagram{overflow:auto;border:1px solid var(--line);border-radius:6px;padding:4px}#diagram img{display:block;max-width:none}
input[readonly]{width:100%;box-sizing:border-box;font:12px ui-monospace,Menlo,monospace;margin:4px 0;background:var(--bg);color:var(--fg);border:1px solid var(--line);padding:4px}
label{color:var(--muted);font-size:12px}
`;

export const PLAYGROUND_SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
function body() { return $("scenario").value; }
async function call(path) {
  const res = await fetch(path, { method: "POST", headers: { "content-type": "text/plain; charset=utf-8" }, body: body() });
  if (!res.ok) {
    let p; try { p = await res.json(); } catch { p = { title: res.statusText, detail: "", errors: [] }; }
    const lines = [p.title + (p.detail ? ": " + p.detail : "")].concat((p.errors || []).map((e) => (e.pointer || e.parameter || "") + " " + e.message));
    throw new Error(lines.join("\\n"));
  }
  return res;
}
let svgUrl = null;
async function run() {
  $("error").textContent = ""; $("status").textContent = "running…";
  try {
    const [summary, walk, rules, svg] = await Promise.all([
      call("/simulate?format=summary").then((r) => r.text()),
      call("/simulate?format=walkthrough").then((r) => r.text()),
      call("/simulate?format=iptables-save").then((r) => r.text()),
      call("/simulate?format=svg").then((r) => r.blob()),
    ]);
    $("summary").textContent = summary; $("trace").textContent = walk; $("rules").textContent = rules;
    if (svgUrl) URL.revokeObjectURL(svgUrl);
    svgUrl = URL.createObjectURL(svg);
    const img = document.createElement("img"); img.src = svgUrl; img.alt = "packet paths";
    $("diagram").replaceChildren(img);
    $("status").textContent = "done";
  } catch (e) { $("error").textContent = e.message; $("status").textContent = "failed"; }
}
async function share() {
  $("error").textContent = "";
  try {
    const s = await (await call("/share")).json();
    $("permalink").value = s.url;
    $("embed").value = '<iframe src="' + s.embed + '" width="100%" height="480" style="border:0" loading="lazy" title="nfplay trace"></iframe>';
    $("image").value = '<img src="' + s.svg + '" alt="nfplay trace">';
    $("shared").hidden = false;
  } catch (e) { $("error").textContent = e.message; }
}
async function copy(id) { try { await navigator.clipboard.writeText($(id).value); } catch { $(id).select(); } }
$("run").addEventListener("click", run);
$("share").addEventListener("click", share);
for (const b of document.querySelectorAll("[data-copy]")) b.addEventListener("click", () => copy(b.dataset.copy));
$("scenario").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(); });
`;

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function playgroundPage(version: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nfplay playground</title>
<style>${PLAYGROUND_STYLE}</style>
</head>
<body>
<header><h1>nfplay playground</h1><p>Docker's iptables rules and the packets through them: edit the scenario (JSON, or docker commands and <code>flow</code> lines), then Run. nfplay ${escape(version)}.</p></header>
<main>
<section>
<label for="scenario">Scenario</label>
<textarea id="scenario" spellcheck="false">${escape(SAMPLE)}</textarea>
<button id="run" type="button">Run</button><button id="share" type="button" class="secondary">Share</button><span id="status" role="status"></span>
<div id="error" role="alert"></div>
<div id="shared" hidden>
<h2>Share</h2>
<label>Permalink</label><input id="permalink" readonly><button type="button" class="secondary" data-copy="permalink">Copy</button>
<label>Embed (iframe)</label><input id="embed" readonly><button type="button" class="secondary" data-copy="embed">Copy</button>
<label>Image (SVG)</label><input id="image" readonly><button type="button" class="secondary" data-copy="image">Copy</button>
</div>
</section>
<section>
<h2>Verdicts</h2><pre id="summary"></pre>
<h2>Packet paths</h2><div id="diagram"></div>
<h2>Traces</h2><pre id="trace"></pre>
<h2>Rules (iptables-save)</h2><pre id="rules"></pre>
</section>
</main>
<script>${PLAYGROUND_SCRIPT}</script>
</body>
</html>
`;
}
