// JUnit XML for CI dashboards: one <testsuite> per checked file, one <testcase> per block.

export interface JunitCase {
  name: string;
  seconds: number;
  failure?: string;
  error?: string;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

export function junitXml(suites: { name: string; cases: JunitCase[] }[]): string {
  const count = (cs: JunitCase[], k: "failure" | "error") => cs.filter((c) => c[k] !== undefined).length;
  const all = suites.flatMap((s) => s.cases);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="nfplay check" tests="${all.length}" failures="${count(all, "failure")}" errors="${count(all, "error")}">`];
  for (const s of suites) {
    const time = s.cases.reduce((t, c) => t + c.seconds, 0).toFixed(3);
    out.push(`  <testsuite name="${esc(s.name)}" tests="${s.cases.length}" failures="${count(s.cases, "failure")}" errors="${count(s.cases, "error")}" time="${time}">`);
    for (const c of s.cases) {
      const head = `    <testcase classname="${esc(s.name)}" name="${esc(c.name)}" time="${c.seconds.toFixed(3)}"`;
      if (c.failure !== undefined) out.push(`${head}>`, `      <failure message="${esc(c.failure.split("\n")[0]!)}">${esc(c.failure)}</failure>`, "    </testcase>");
      else if (c.error !== undefined) out.push(`${head}>`, `      <error message="${esc(c.error.split("\n")[0]!)}">${esc(c.error)}</error>`, "    </testcase>");
      else out.push(`${head}/>`);
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}
