// The nfplay CLI. `nfplay simulate FILE|-`: the same validation and problem+json as POST
// /simulate, with the engine in a worker thread. Exit codes: 0 result on stdout; 2 invalid
// input (problem on stderr, as the API's 400/413/422); 3 timeout; 1 internal error; 64 usage.
// `nfplay check`, `nfplay diff` and `nfplay url` are described in USAGE.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { LIMITS, scenarioSchema, type Scenario } from "../scenario/schema.js";
import { internalProblem, parseJsonBytes, problem, tooLargeProblem, validationProblem, type Problem } from "../api/problem.js";
import { encodeScenario } from "../api/codec.js";
import { parseScenarioText, scenarioTextProblem } from "../api/scenario-text.js";
import { resultId } from "./result-id.js";
import { runInThread } from "./run-in-thread.js";
import { FORMATS, isFormat, isTheme, render, THEMES, type Format, type Theme } from "../render/formats.js";
import { diffResults, renderResultDiff } from "../render/diff.js";
import { checkCommand } from "./check.js";
import pkg from "../../package.json" with { type: "json" };

export const EXIT = { ok: 0, internal: 1, invalid: 2, timeout: 3, usage: 64 } as const;

const USAGE = `usage: nfplay simulate [--timeout MS] [--format F] [--theme T] FILE|-
       nfplay check [--update] [--junit FILE] [--docker-version V] FILE|GLOB...
       nfplay diff [--format json|text] A.json B.json
       nfplay diff --versions V1,V2 FILE
       nfplay url [--format F] [--base URL] FILE|-

simulate    FILE is a scenario as JSON (see README.md), or docker commands and "flow" lines;
            "-" reads standard input
  --timeout   wall-clock limit for the simulation in milliseconds (default 10000)
  --format    ${FORMATS.join(" | ")}
              (default json)
  --theme     ${THEMES.join(" | ")} colours of svg/html (default auto: prefers-color-scheme)
check       runs each scenario's "expect" checks; in Markdown files (*.md) checks every
            \`\`\`nfplay block against the fenced block after it (exit 1 on a failure, 2 on bad input)
  --update    rewrite the expected-output blocks with the current output
  --junit     also write JUnit XML to FILE
  --docker-version  check against this Docker release instead of the scenario's
diff        rule diff (unified) and trace differences: two scenarios, or one under two
            Docker releases (exit 0 same, 1 different)
url         prints the Kroki-style GET URL of the scenario (--base, default $NFPLAY_URL or
            http://localhost:8787), versioned with v= so it is cached forever

-h, --help / -V, --version   this text / the nfplay version, on stdout

Invalid input prints application/problem+json on stderr and exits 2; a timeout exits 3.`;

type Command =
  | { command: "simulate"; file: string; timeoutMs: number; format: Format; theme: Theme }
  | { command: "check"; files: string[]; update: boolean; junit: string | null; dockerVersion: string | null; timeoutMs: number }
  | { command: "diff"; files: string[]; versions: [string, string] | null; format: "json" | "text"; timeoutMs: number }
  | { command: "url"; file: string; format: Format; base: string };

export async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options === "help" || options === "version") {
    // Asked for, so it is the output: stdout, exit 0 (`nfplay --help | less` works).
    process.stdout.write(options === "help" ? USAGE + "\n" : `nfplay ${pkg.version}\n`);
    return EXIT.ok;
  }
  if (typeof options === "string") {
    process.stderr.write(`nfplay: ${options}\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (options.command === "check") return checkCommand(options);
  if (options.command === "diff") return diffCommand(options);
  if (options.command === "url") return urlCommand(options);
  return simulateCommand(options);
}

const VERSION_RE = /^\d+(\.\d+){0,2}$/;

/** The options, or a message for a usage error ("help" / "version" when those were asked for). */
function parseOptions(argv: string[]): Command | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        timeout: { type: "string", default: "10000" },
        format: { type: "string" },
        theme: { type: "string", default: "auto" },
        update: { type: "boolean", default: false },
        junit: { type: "string" },
        "docker-version": { type: "string" },
        versions: { type: "string" },
        base: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
  } catch (err) {
    return (err as Error).message;
  }
  if (parsed.values.help) return "help";
  if (parsed.values.version) return "version";
  const [command, ...rest] = parsed.positionals;
  const timeoutMs = Number(parsed.values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return "--timeout must be a positive integer (milliseconds)";
  const format = parsed.values.format ?? "json";
  switch (command) {
    case "simulate": {
      if (rest.length !== 1) return "simulate takes exactly one FILE (or - for stdin)";
      if (!isFormat(format)) return `--format must be one of ${FORMATS.join(", ")}`;
      const theme = parsed.values.theme!;
      if (!isTheme(theme)) return `--theme must be one of ${THEMES.join(", ")}`;
      return { command, file: rest[0]!, timeoutMs, format, theme };
    }
    case "check": {
      if (rest.length === 0) return "check takes at least one FILE or GLOB";
      const dv = parsed.values["docker-version"] ?? null;
      if (dv !== null && !VERSION_RE.test(dv)) return '--docker-version must be a Docker release such as "20.10" or "27"';
      return { command, files: rest, update: parsed.values.update!, junit: parsed.values.junit ?? null, dockerVersion: dv, timeoutMs };
    }
    case "diff": {
      if (format !== "json" && format !== "text") return "diff --format must be json or text";
      const v = parsed.values.versions?.split(",");
      if (v && (v.length !== 2 || !v.every((x) => VERSION_RE.test(x)))) return "--versions takes two Docker releases, e.g. 20.10,27";
      if (v ? rest.length !== 1 : rest.length !== 2) return "diff takes two FILEs, or one FILE with --versions";
      return { command, files: rest, versions: v ? [v[0]!, v[1]!] : null, format: parsed.values.format ? format : "text", timeoutMs };
    }
    case "url": {
      if (rest.length !== 1) return "url takes exactly one FILE (or - for stdin)";
      const f = parsed.values.format ?? "svg";
      if (!isFormat(f)) return `--format must be one of ${FORMATS.join(", ")}`;
      return { command, file: rest[0]!, format: f, base: (parsed.values.base ?? process.env.NFPLAY_URL ?? "http://localhost:8787").replace(/\/+$/, "") };
    }
    case undefined:
      return "missing command";
    default:
      return `unknown command "${command}"`;
  }
}

/** Read and validate a scenario file (JSON, or the docs' text form); a problem, or null after a usage error. */
async function loadScenario(file: string): Promise<Scenario | Problem | null> {
  const input = await readInput(file);
  if (input === null) return null;
  if (!(input instanceof Uint8Array)) return input;
  const head = new TextDecoder().decode(input.subarray(0, 64)).trimStart();
  let value: unknown;
  if (head === "" || head.startsWith("{") || head.startsWith("[")) {
    const json = parseJsonBytes(input);
    if (!json.ok) return json.problem;
    value = json.value;
  } else {
    const text = parseScenarioText(new TextDecoder().decode(input));
    if (!text.ok) return scenarioTextProblem(text);
    value = text.value;
  }
  const parsed = scenarioSchema.safeParse(value);
  return parsed.success ? parsed.data : validationProblem(parsed.error);
}

const isProblem = (x: unknown): x is Problem => typeof x === "object" && x !== null && "status" in x && "type" in x;

async function simulateCommand({ file, timeoutMs, format, theme }: Extract<Command, { command: "simulate" }>): Promise<number> {
  const scenario = await loadScenario(file);
  if (scenario === null) return EXIT.usage;
  if (isProblem(scenario)) return fail(scenario);
  const outcome = await runInThread(scenario, await resultId(scenario), timeoutMs);
  if (outcome.ok) {
    process.stdout.write(render(outcome.result, format, { scenario, theme }).body);
    return EXIT.ok;
  }
  return failRun(outcome, timeoutMs);
}

function failRun(outcome: Exclude<Awaited<ReturnType<typeof runInThread>>, { ok: true }>, timeoutMs: number): number {
  if ("timedOut" in outcome) {
    return fail(problem("timeout", 422, "The simulation took too long", `stopped after --timeout ${timeoutMs} ms`), EXIT.timeout);
  }
  if ("crashed" in outcome) return fail(internalProblem(outcome.crashed.message));
  return fail(outcome.problem);
}

async function diffCommand({ files, versions, format, timeoutMs }: Extract<Command, { command: "diff" }>): Promise<number> {
  const scenarios: Scenario[] = [];
  for (const f of files) {
    const s = await loadScenario(f);
    if (s === null) return EXIT.usage;
    if (isProblem(s)) return fail(s);
    scenarios.push(s);
  }
  const [a, b] = versions
    ? versions.map((v) => ({ ...scenarios[0]!, docker: { ...scenarios[0]!.docker, version: v } }))
    : [scenarios[0]!, scenarios[1]!];
  const [ra, rb] = await Promise.all([runInThread(a!, await resultId(a), timeoutMs), runInThread(b!, await resultId(b), timeoutMs)]);
  if (!ra.ok) return failRun(ra, timeoutMs);
  if (!rb.ok) return failRun(rb, timeoutMs);
  const d = diffResults(ra.result, rb.result);
  process.stdout.write(format === "json" ? `${JSON.stringify(d, null, 2)}\n` : renderResultDiff(d));
  return d.same ? EXIT.ok : 1;
}

async function urlCommand({ file, format, base }: Extract<Command, { command: "url" }>): Promise<number> {
  const scenario = await loadScenario(file);
  if (scenario === null) return EXIT.usage;
  if (isProblem(scenario)) return fail(scenario);
  const url = `${base}/simulate?format=${format}&v=${pkg.version}&scenario=${await encodeScenario(scenario)}`;
  process.stdout.write(`${url}\n`);
  if (url.length > MAX_URL_BYTES) {
    process.stderr.write(`nfplay: warning: this URL is ${url.length} bytes; Cloudflare accepts at most ${MAX_URL_BYTES} (16 KB) of URL, so a deployed nfplay cannot serve it. POST the scenario to ${base}/share and use its "svg" URL instead.\n`);
  }
  return EXIT.ok;
}

/** Cloudflare's limit on a request URL (Workers platform limits: "URL size 16 KB"). */
const MAX_URL_BYTES = 16 * 1024;

/** Print a problem on stderr; 4xx problems are the user's input (exit 2), others ours (1). */
function fail(p: Problem, code?: number): number {
  process.stderr.write(JSON.stringify(p, null, 2) + "\n");
  return code ?? (p.status >= 400 && p.status < 500 ? EXIT.invalid : EXIT.internal);
}

/**
 * The input text, a 413 problem when it exceeds the API's body limit (same input, same
 * answer as the API), or null after reporting an unreadable file.
 */
async function readInput(file: string): Promise<Uint8Array | Problem | null> {
  let bytes: Buffer;
  try {
    bytes = file === "-" ? await readStdin(LIMITS.bodyBytes) : await readFile(file);
  } catch (err) {
    process.stderr.write(`nfplay: cannot read ${file}: ${(err as Error).message}\n`);
    return null;
  }
  if (bytes.byteLength > LIMITS.bodyBytes) return tooLargeProblem(LIMITS.bodyBytes);
  return bytes;
}

/** Stdin, stopping one byte past the limit: enough to know it is too large. */
async function readStdin(limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.byteLength;
    if (total > limit) break;
  }
  return Buffer.concat(chunks);
}
