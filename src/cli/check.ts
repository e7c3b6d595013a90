// `nfplay check FILE...`: scenario files (JSON with `expect`) and Markdown pages with ```nfplay
// blocks, each checked against a fresh simulation. Exit 0 all pass, 1 a check failed, 2 bad input.
import { glob, readFile, writeFile } from "node:fs/promises";
import { parseScenarioText } from "../api/scenario-text.js";
import { validationProblem, type Problem } from "../api/problem.js";
import { checkResult } from "../render/check.js";
import { unifiedDiff } from "../render/diff.js";
import { render } from "../render/formats.js";
import { scenarioSchema, type Scenario } from "../scenario/schema.js";
import { findBlocks, normalizeOutput, rewriteBlocks, type DocBlock } from "./doc-blocks.js";
import { junitXml, type JunitCase } from "./junit.js";
import { resultId } from "./result-id.js";
import { EngineThread } from "./run-in-thread.js";

export interface CheckOptions {
  files: string[];
  update: boolean;
  junit: string | null;
  dockerVersion: string | null;
  timeoutMs: number;
}

type Outcome = { kind: "pass"; checks: number } | { kind: "fail"; message: string } | { kind: "error"; message: string };

/** A checked scenario: its `expect` failures, and for docs the rendered output and whether it differs. */
type Checked = { kind: "error"; message: string } | { kind: "checked"; checks: number; expectFailure: string | null; outputFailure: string | null; output: string | null };

async function expand(patterns: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of patterns) {
    if (!/[*?[{]/.test(p)) files.push(p);
    else for await (const f of glob(p)) files.push(f);
  }
  return [...new Set(files)].sort();
}

const problemText = (p: Problem) => [`${p.title}: ${p.detail}`, ...p.errors.map((e) => `  ${e.pointer || "(document)"}: ${e.message}`)].join("\n");

/** Simulate one scenario and run its checks; `expected` (docs) is compared with the rendered output. */
async function checkScenario(raw: unknown, options: CheckOptions, block: DocBlock | null, thread: EngineThread): Promise<Checked> {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) return { kind: "error", message: problemText(validationProblem(parsed.error)) };
  const scenario: Scenario = options.dockerVersion ? { ...parsed.data, docker: { ...parsed.data.docker, version: options.dockerVersion } } : parsed.data;
  const run = await thread.run(scenario, await resultId(scenario), options.timeoutMs);
  if (!run.ok) {
    if ("timedOut" in run) return { kind: "error", message: `the simulation took longer than ${options.timeoutMs} ms` };
    if ("crashed" in run) return { kind: "error", message: `internal error: ${run.crashed.message}` };
    return { kind: "error", message: problemText(run.problem) };
  }
  const report = checkResult(scenario, run.result);
  const checked = { kind: "checked" as const, checks: report.checks, expectFailure: report.pass ? null : report.text.trimEnd(), outputFailure: null as string | null, output: null as string | null };
  if (!block) return checked;
  checked.output = render(run.result, block.format, { scenario }).body;
  checked.checks++;
  if (!block.expected) checked.outputFailure = "no expected-output block after it (run with --update to add one)";
  else {
    const diff = unifiedDiff(`${normalizeOutput(block.expected.text)}\n`, `${normalizeOutput(checked.output)}\n`, "expected", "actual");
    if (diff) checked.outputFailure = `the output differs from the expected block:\n${diff.trimEnd()}`;
  }
  return checked;
}

function outcomeOf(c: Checked, update: boolean): Outcome {
  if (c.kind === "error") return c;
  const failures = [c.expectFailure, update ? null : c.outputFailure].filter((f) => f !== null);
  return failures.length ? { kind: "fail", message: failures.join("\n") } : { kind: "pass", checks: c.checks };
}

export async function checkCommand(options: CheckOptions): Promise<number> {
  const thread = new EngineThread();
  try {
    return await checkFiles(options, thread);
  } finally {
    await thread.close();
  }
}

async function checkFiles(options: CheckOptions, thread: EngineThread): Promise<number> {
  const files = await expand(options.files);
  if (files.length === 0) {
    process.stderr.write(`nfplay: no file matches ${options.files.join(" ")}\n`);
    return 2;
  }
  const suites: { name: string; cases: JunitCase[] }[] = [];
  let failed = 0;
  let errors = 0;
  const report = (name: string, o: Outcome, seconds: number, cases: JunitCase[]) => {
    if (o.kind === "pass") process.stdout.write(`ok   ${name} (${o.checks} check${o.checks === 1 ? "" : "s"})\n`);
    else {
      process.stdout.write(`${o.kind === "fail" ? "FAIL" : "ERROR"} ${name}\n${o.message.replace(/^/gm, "  ")}\n`);
      if (o.kind === "fail") failed++;
      else errors++;
    }
    cases.push({ name, seconds, ...(o.kind === "fail" ? { failure: o.message } : o.kind === "error" ? { error: o.message } : {}) });
  };

  for (const file of files) {
    const cases: JunitCase[] = [];
    suites.push({ name: file, cases });
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      report(file, { kind: "error", message: `cannot read: ${(err as Error).message}` }, 0, cases);
      continue;
    }
    if (!/\.(md|markdown)$/i.test(file)) {
      const started = performance.now();
      const parsed = parseScenarioText(text);
      const o = parsed.ok ? outcomeOf(await checkScenario(parsed.value, options, null, thread), false) : ({ kind: "error", message: `line ${parsed.line}: ${parsed.message}` } as const);
      report(file, o, (performance.now() - started) / 1000, cases);
      continue;
    }
    const blocks = findBlocks(text);
    const updates: { block: DocBlock; output: string }[] = [];
    for (const block of blocks) {
      const started = performance.now();
      const name = `${file}:${block.line}`;
      let checked: Checked;
      if (block.error) checked = { kind: "error", message: block.error };
      else {
        const parsed = parseScenarioText(block.source);
        checked = parsed.ok ? await checkScenario(parsed.value, options, block, thread) : { kind: "error", message: `line ${block.line + parsed.line}: ${parsed.message}` };
      }
      if (options.update && checked.kind === "checked" && checked.outputFailure !== null && checked.output !== null) {
        updates.push({ block, output: checked.output });
        process.stdout.write(`upd  ${name}\n`);
      }
      const o = outcomeOf(checked, options.update);
      report(name, o, (performance.now() - started) / 1000, cases);
    }
    if (updates.length) await writeFile(file, rewriteBlocks(text, updates));
  }
  if (options.junit) await writeFile(options.junit, junitXml(suites));
  const total = suites.reduce((n, s) => n + s.cases.length, 0);
  process.stdout.write(`${total - failed - errors} passed, ${failed} failed, ${errors} invalid\n`);
  return errors > 0 ? 2 : failed > 0 ? 1 : 0;
}
