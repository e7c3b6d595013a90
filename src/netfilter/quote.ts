// iptables-save's quoting (xtables_save_string) and the matching tokenizer for
// iptables-restore input lines.

const PLAIN = /^[_\-0-9a-zA-Z]+$/;

export function saveString(value: string): string {
  if (PLAIN.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

/** Split one iptables-restore line into argv, honouring "double quotes" and backslashes. */
export function splitLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inQuote = false;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (c === '"') {
      inQuote = !inQuote;
      has = true;
    } else if (!inQuote && (c === " " || c === "\t")) {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (inQuote) throw new Error("unterminated quote");
  if (has) out.push(cur);
  return out;
}
