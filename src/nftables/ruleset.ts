// An nftables ruleset and the interpreter of nft scripts against it. A script is one
// transaction, as with `nft -f`: when a command fails, nothing of the script is applied, and
// the error names the line like nft does (in nft's own words where it matters).
import { parseScript, type Command, type RawElement } from "./parse.js";
import { NftError, type DataType, type NftChain, type NftFamily, type NftSet, type NftTable, type Stmt, type Verdict } from "./types.js";
import { parseValue, TYPE_NAMES } from "./values.js";

const ENOENT = "No such file or directory";

export class NftRuleset {
  tables: NftTable[] = [];
  private handle = 0;
  /** needsConntrack() is asked for every packet: remembered until the next script. */
  private conntrack: boolean | null = null;

  table(family: NftFamily, name: string): NftTable | undefined {
    return this.tables.find((t) => t.family === family && t.name === name);
  }

  /** Apply a script atomically; throws NftError (and changes nothing) if a command fails. */
  run(script: string): void {
    const cmds = parseScript(script);
    const saved = this.snapshot();
    this.conntrack = null;
    try {
      for (const c of cmds) this.apply(c);
      this.validate();
    } catch (e) {
      this.restore(saved);
      throw e;
    }
  }

  isEmpty(): boolean {
    return this.tables.length === 0;
  }

  /** Conntrack is loaded as soon as a rule asks about connections or a nat chain exists. */
  needsConntrack(): boolean {
    return (this.conntrack ??= this.tables.some((t) => [...t.chains.values()].some((c) => c.base?.type === "nat" || c.rules.some((r) => r.stmts.some((s) => s.kind === "match" && s.field.startsWith("ct "))))));
  }

  private snapshot(): { tables: NftTable[]; handle: number } {
    return { tables: this.tables.map(cloneTable), handle: this.handle };
  }

  private restore(s: { tables: NftTable[]; handle: number }): void {
    this.tables = s.tables;
    this.handle = s.handle;
  }

  private need(family: NftFamily, name: string, line: number): NftTable {
    const t = this.table(family, name);
    if (!t) throw new NftError(`line ${line}: table ${family} ${name}: ${ENOENT}`);
    return t;
  }

  private chainOf(t: NftTable, name: string, line: number): NftChain {
    const c = t.chains.get(name);
    if (!c) throw new NftError(`${line ? `line ${line}: ` : ""}chain ${t.family} ${t.name} ${name}: ${ENOENT}`);
    return c;
  }

  private setOf(t: NftTable, name: string, line: number): NftSet {
    const s = t.sets.get(name);
    if (!s) throw new NftError(`${line ? `line ${line}: ` : ""}set ${t.family} ${t.name} ${name}: ${ENOENT}`);
    return s;
  }

  private apply(c: Command): void {
    if (c.obj === "ruleset") {
      this.tables = [];
      return;
    }
    const existing = this.table(c.family, c.table);
    if (c.obj === "table") {
      if (c.op === "add" || c.op === "create") {
        if (existing && c.op === "create") throw new NftError(`line ${c.line}: table ${c.family} ${c.table}: File exists`);
        if (!existing) this.tables.push({ family: c.family, name: c.table, sets: new Map(), chains: new Map() });
      } else if (c.op === "flush") for (const ch of this.need(c.family, c.table, c.line).chains.values()) ch.rules = [];
      else {
        this.need(c.family, c.table, c.line);
        this.tables = this.tables.filter((t) => t !== existing);
      }
      return;
    }
    const t = this.need(c.family, c.table, c.line);
    switch (c.obj) {
      case "chain": return this.chainCmd(t, c);
      case "rule": return this.ruleCmd(t, c);
      case "set": return this.setCmd(t, c);
      case "element": return this.elementCmd(t, c);
    }
  }

  private chainCmd(t: NftTable, c: Extract<Command, { obj: "chain" }>): void {
    const ch = t.chains.get(c.chain);
    if (c.op === "add" || c.op === "create") {
      if (ch && c.op === "create") throw new NftError(`line ${c.line}: chain ${c.chain}: File exists`);
      if (!ch) t.chains.set(c.chain, { name: c.chain, base: c.base, rules: [] });
      else if (c.base) {
        if (ch.base && (ch.base.type !== c.base.type || ch.base.hook !== c.base.hook || ch.base.priority !== c.base.priority))
          throw new NftError(`line ${c.line}: chain ${c.chain}: Device or resource busy (cannot change its hook or priority)`);
        ch.base = c.base;
      }
      return;
    }
    const found = this.chainOf(t, c.chain, c.line);
    if (c.op === "flush") found.rules = [];
    else {
      // The kernel deletes the chain's rules with it, but not a chain something still jumps to.
      const users = [...t.chains.values()].filter((o) => o !== found && jumpsOf(t, o).includes(c.chain));
      const inMaps = [...t.sets.values()].filter((s) => s.elements.some((e) => e.verdict && "chain" in e.verdict && e.verdict.chain === c.chain));
      if (users.length || inMaps.length)
        throw new NftError(`line ${c.line}: delete chain ${c.chain}: Device or resource busy (still the target of ${[...users.map((u) => `chain ${u.name}`), ...inMaps.map((m) => `map ${m.name}`)].join(", ")})`);
      t.chains.delete(c.chain);
    }
  }

  private ruleCmd(t: NftTable, c: Extract<Command, { obj: "rule" }>): void {
    const ch = this.chainOf(t, c.chain, c.line);
    if (c.op === "delete") {
      const before = ch.rules.length;
      ch.rules = ch.rules.filter((r) => r.handle !== c.handle);
      if (ch.rules.length === before) throw new NftError(`line ${c.line}: rule handle ${c.handle}: ${ENOENT}`);
      return;
    }
    const rule = { stmts: c.stmts, line: c.line, handle: ++this.handle };
    let at = c.op === "add" ? ch.rules.length : 0;
    if (c.handle !== null) {
      const i = ch.rules.findIndex((r) => r.handle === c.handle);
      if (i < 0) throw new NftError(`line ${c.line}: rule handle ${c.handle}: ${ENOENT}`);
      at = c.op === "add" ? i + 1 : i;
    } else if (c.index !== null) {
      if (c.index >= ch.rules.length) throw new NftError(`line ${c.line}: rule index ${c.index}: ${ENOENT}`);
      at = c.op === "add" ? c.index + 1 : c.index;
    }
    ch.rules.splice(at, 0, rule);
  }

  /** The kernel checks references when the rule is added: jump targets and sets must exist. */
  private checked(t: NftTable, s: Stmt, line: number): Stmt {
    const target = (v: Verdict) => {
      if (v.kind !== "jump" && v.kind !== "goto") return;
      const to = this.chainOf(t, v.chain, line);
      if (to.base) throw new NftError(`line ${line}: ${v.kind} ${v.chain}: Operation not supported (a base chain cannot be a jump target)`);
    };
    if (s.kind === "verdict") target(s.verdict);
    if (s.kind === "vmap") {
      if (typeof s.map === "string") {
        const m = this.setOf(t, s.map, line);
        if (m.valueType !== "verdict") throw new NftError(`line ${line}: @${s.map} is not a verdict map`);
      } else s.map.forEach((e) => target(e.verdict));
    }
    if (s.kind === "match" && typeof s.value === "object" && "ref" in s.value) this.setOf(t, s.value.ref, line);
    return s;
  }

  private setCmd(t: NftTable, c: Extract<Command, { obj: "set" }>): void {
    const s = t.sets.get(c.set);
    if (c.op === "add" || c.op === "create") {
      if (s && c.op === "create") throw new NftError(`line ${c.line}: set ${c.set}: File exists`);
      if (s) return;
      const type = (name: string): DataType => {
        if (!TYPE_NAMES.includes(name as DataType)) throw new NftError(`line ${c.line}: set type "${name}" is not supported (${TYPE_NAMES.join(", ")})`);
        return name as DataType;
      };
      t.sets.set(c.set, { name: c.set, map: c.decl.map, keyType: type(c.decl.keyType), valueType: c.decl.valueType ? type(c.decl.valueType) : null, flags: c.decl.flags, elements: [] });
      return;
    }
    const found = this.setOf(t, c.set, c.line);
    if (c.op === "flush") found.elements = [];
    else t.sets.delete(c.set);
  }

  private elementCmd(t: NftTable, c: Extract<Command, { obj: "element" }>): void {
    const s = this.setOf(t, c.set, c.line);
    for (const raw of c.elements) {
      const key = this.key(s, raw, c.line);
      const i = s.elements.findIndex((e) => e.key === key);
      if (c.op === "delete") {
        if (i < 0) throw new NftError(`line ${c.line}: element ${key} of ${c.set}: ${ENOENT}`);
        s.elements.splice(i, 1);
        continue;
      }
      if (s.map && !raw.verdict) throw new NftError(`line ${c.line}: map ${c.set} needs key : value`);
      if (i >= 0) {
        if (JSON.stringify(s.elements[i]!.verdict) !== JSON.stringify(raw.verdict)) throw new NftError(`line ${c.line}: element ${key} of ${c.set}: File exists`);
        continue;
      }
      s.elements.push({ key, verdict: raw.verdict });
    }
  }

  private key(s: NftSet, raw: RawElement, line: number): string {
    try {
      return parseValue(s.keyType, raw.key);
    } catch (e) {
      throw new NftError(`line ${line}: ${(e as Error).message}`);
    }
  }

  /** Checks at commit (a script may refer to what it declares later): references, no loops. */
  private validate(): void {
    for (const t of this.tables) {
      for (const s of t.sets.values()) for (const e of s.elements) if (e.verdict) this.checked(t, { kind: "verdict", verdict: e.verdict }, 0);
      for (const c of t.chains.values()) for (const r of c.rules) for (const s of r.stmts) this.checked(t, s, r.line ?? 0);
      const done = new Set<string>();
      const visit = (name: string, path: string[]): void => {
        if (path.includes(name)) throw new NftError(`loop detected: ${[...path, name].join(" -> ")} (Too many levels of symbolic links)`);
        if (done.has(name)) return;
        for (const to of jumpsOf(t, t.chains.get(name)!)) visit(to, [...path, name]);
        done.add(name);
      };
      for (const c of t.chains.values()) if (c.base) visit(c.name, []);
    }
  }
}

function jumpsOf(t: NftTable, c: NftChain): string[] {
  const out: string[] = [];
  const add = (v: Verdict | null) => v && (v.kind === "jump" || v.kind === "goto") && out.push(v.chain);
  for (const r of c.rules)
    for (const s of r.stmts) {
      if (s.kind === "verdict") add(s.verdict);
      if (s.kind === "vmap") for (const e of typeof s.map === "string" ? t.sets.get(s.map)?.elements ?? [] : s.map) add(e.verdict);
    }
  return out;
}

function cloneTable(t: NftTable): NftTable {
  return {
    family: t.family, name: t.name,
    sets: new Map([...t.sets].map(([k, s]) => [k, { ...s, flags: [...s.flags], elements: [...s.elements] }])),
    chains: new Map([...t.chains].map(([k, c]) => [k, { ...c, base: c.base && { ...c.base }, rules: [...c.rules] }])),
  };
}
