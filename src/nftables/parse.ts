// nft's input language, the part Docker and `nft list ruleset` use: commands (`add rule ip t c
// …`, `flush chain …`, `delete element …`) and table blocks (`table ip t { chain c { … } }`),
// parsed into commands for the interpreter (ruleset.ts). Statements become typed Stmt values.
import { FAMILIES, FIELD_TYPES, NftError, type BaseSpec, type ChainType, type Field, type NftFamily, type NftHook, type Stmt, type Verdict } from "./types.js";
import { parseValue } from "./values.js";

interface Token {
  t: "word" | "str" | "nl" | "{" | "}" | "," | "@";
  v: string;
  line: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n" || c === ";") {
      out.push({ t: "nl", v: c, line });
      if (c === "\n") line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r" || c === "\\") i++;
    else if (c === "#") while (i < text.length && text[i] !== "\n") i++;
    else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new NftError(`line ${line}: unterminated string`);
      out.push({ t: "str", v: text.slice(i + 1, end), line });
      i = end + 1;
    } else if (c === "{" || c === "}" || c === "," || c === "@") {
      out.push({ t: c, v: c, line });
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s{},;@"#]/.test(text[j]!)) j++;
      let w = text.slice(i, j);
      // `"key": value` and `key: value` in map elements: the colon is its own token.
      if (w.length > 1 && w.endsWith(":") && !w.endsWith("::")) {
        out.push({ t: "word", v: w.slice(0, -1), line });
        w = ":";
      }
      out.push({ t: "word", v: w, line });
      i = j;
    }
  }
  return out;
}

export interface RawElement {
  key: string[];
  verdict: Verdict | null;
}

export interface SetDecl {
  map: boolean;
  keyType: string;
  valueType: string | null;
  flags: string[];
}

interface Where {
  family: NftFamily;
  table: string;
  line: number;
}

export type Command =
  | (Where & { op: "add" | "create" | "flush" | "delete"; obj: "table" })
  | (Where & { op: "add" | "create"; obj: "chain"; chain: string; base: BaseSpec | null })
  | (Where & { op: "flush" | "delete"; obj: "chain"; chain: string })
  | (Where & { op: "add" | "insert"; obj: "rule"; chain: string; stmts: Stmt[]; handle: number | null; index: number | null })
  | (Where & { op: "delete"; obj: "rule"; chain: string; handle: number })
  | (Where & { op: "add" | "create"; obj: "set"; set: string; decl: SetDecl })
  | (Where & { op: "flush" | "delete"; obj: "set"; set: string })
  | (Where & { op: "add" | "delete"; obj: "element"; set: string; elements: RawElement[] })
  | { op: "flush"; obj: "ruleset"; line: number };

const HOOKS = ["prerouting", "input", "forward", "output", "postrouting"];
const PRIORITIES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

class Parser {
  private i = 0;
  readonly cmds: Command[] = [];
  constructor(private toks: Token[]) {}

  private peek(k = 0): Token | undefined {
    return this.toks[this.i + k];
  }
  private line(): number {
    return this.peek()?.line ?? this.toks[this.toks.length - 1]?.line ?? 1;
  }
  private fail(msg: string): never {
    throw new NftError(`line ${this.line()}: ${msg}`);
  }
  private next(): Token {
    const t = this.toks[this.i++];
    if (!t) this.fail("unexpected end of input");
    return t;
  }
  private word(what: string): string {
    const t = this.next();
    if (t.t !== "word" && t.t !== "str") this.fail(`expected ${what}, got "${t.v}"`);
    return t.v;
  }
  private expect(t: Token["t"]): void {
    const got = this.next();
    if (got.t !== t) this.fail(`expected "${t === "nl" ? ";" : t}", got "${got.v}"`);
  }
  private is(v: string, k = 0): boolean {
    const t = this.peek(k);
    return !!t && (t.t === "word" || t.t === v) && t.v === v;
  }
  private eat(v: string): boolean {
    if (!this.is(v)) return false;
    this.i++;
    return true;
  }
  private skipNl(): void {
    while (this.peek()?.t === "nl") this.i++;
  }
  private endOfLine(): boolean {
    const t = this.peek();
    return !t || t.t === "nl" || t.t === "}";
  }

  script(): Command[] {
    for (this.skipNl(); this.peek(); this.skipNl()) this.command();
    return this.cmds;
  }

  private where(): Where {
    const line = this.line();
    const family = FAMILIES.includes(this.peek()?.v ?? "") && this.peek(1)?.t === "word" ? (this.next().v as NftFamily) : "ip";
    if (["arp", "bridge", "netdev"].includes(this.peek()?.v ?? "")) this.fail(`family "${this.peek()!.v}" is not simulated (ip, ip6, inet are)`);
    return { family, table: this.word("a table name"), line };
  }

  private command(): void {
    const head = this.word("a command");
    const verbs = ["add", "create", "insert", "flush", "delete", "destroy"];
    const op = verbs.includes(head) ? head : "add";
    const obj = verbs.includes(head) ? this.word("an object (table, chain, rule, set, map, element)") : head;
    if (op === "flush" && obj === "ruleset") return void this.cmds.push({ op: "flush", obj: "ruleset", line: this.line() });
    if (op === "destroy") this.fail("destroy is not supported (nft 1.0.6 has no destroy)");
    const w = this.where();
    switch (obj) {
      case "table": {
        if (op === "insert") this.fail("insert table is not a command");
        this.cmds.push({ ...w, op: op as "add", obj: "table" });
        if (this.peek()?.t === "{") this.tableBlock(w);
        return;
      }
      case "chain": {
        const chain = this.word("a chain name");
        if (op === "flush" || op === "delete") return void this.cmds.push({ ...w, op, obj: "chain", chain });
        if (op === "insert") this.fail("insert chain is not a command");
        return this.chainDecl({ ...w, line: this.line() }, chain, op as "add");
      }
      case "rule": {
        const chain = this.word("a chain name");
        if (op === "delete") {
          if (!this.eat("handle")) this.fail("delete rule needs: handle N");
          return void this.cmds.push({ ...w, op, obj: "rule", chain, handle: this.int() });
        }
        if (op !== "add" && op !== "insert") this.fail(`${op} rule is not supported`);
        let handle: number | null = null;
        let index: number | null = null;
        if (this.eat("position") || this.eat("handle")) handle = this.int();
        else if (this.eat("index")) index = this.int();
        return void this.cmds.push({ ...w, op, obj: "rule", chain, stmts: this.statements(), handle, index });
      }
      case "set": case "map": {
        const set = this.word(`a ${obj} name`);
        if (op === "flush" || op === "delete") return void this.cmds.push({ ...w, op, obj: "set", set });
        return this.setDecl(w, set, obj === "map", op as "add");
      }
      case "element": {
        const set = this.word("a set name");
        if (op !== "add" && op !== "delete" && op !== "create") this.fail(`${op} element is not supported`);
        return void this.cmds.push({ ...w, op: op === "delete" ? "delete" : "add", obj: "element", set, elements: this.elements() });
      }
      default:
        this.fail(`"${head}${obj !== head ? ` ${obj}` : ""}" is not supported (table, chain, rule, set, map and element commands are)`);
    }
  }

  private int(): number {
    const w = this.word("a number");
    if (!/^\d+$/.test(w)) this.fail(`expected a number, got "${w}"`);
    return Number(w);
  }

  private tableBlock(w: Where): void {
    this.expect("{");
    for (this.skipNl(); this.peek()?.t !== "}"; this.skipNl()) {
      const kind = this.word("chain, set, map or flags");
      const line = this.line();
      if (kind === "chain") this.chainDecl({ ...w, line }, this.word("a chain name"), "add", true);
      else if (kind === "set" || kind === "map") this.setDecl({ ...w, line }, this.word(`a ${kind} name`), kind === "map", "add");
      else if (kind === "flags" || kind === "comment") while (!this.endOfLine()) this.next();
      else this.fail(`"${kind}" is not supported in a table block`);
    }
    this.expect("}");
  }

  private chainDecl(w: Where, chain: string, op: "add" | "create", inBlock = false): void {
    if (this.peek()?.t !== "{") {
      if (inBlock) this.fail(`chain ${chain}: expected "{"`);
      return void this.cmds.push({ ...w, op, obj: "chain", chain, base: null });
    }
    this.expect("{");
    let base: BaseSpec | null = null;
    const rules: Command[] = [];
    for (this.skipNl(); this.peek()?.t !== "}"; this.skipNl()) {
      if (this.is("type") && this.peek(2)?.v === "hook") base = this.baseSpec();
      else if (this.eat("policy")) {
        if (!base) this.fail("policy needs a base chain (type … hook …)");
        base.policy = this.policy();
      } else if (this.is("comment") && this.peek(1)?.t === "str" && this.peek(2)?.t !== "word") this.i += 2;
      else rules.push({ ...w, line: this.line(), op: "add", obj: "rule", chain, stmts: this.statements(), handle: null, index: null });
    }
    this.expect("}");
    this.cmds.push({ ...w, op, obj: "chain", chain, base }, ...rules);
  }

  private policy(): "accept" | "drop" {
    const p = this.word("accept or drop");
    if (p !== "accept" && p !== "drop") this.fail(`policy "${p}" is not accept or drop`);
    return p;
  }

  private baseSpec(): BaseSpec {
    this.eat("type");
    const type = this.word("a chain type");
    if (!["filter", "nat", "route"].includes(type)) this.fail(`chain type "${type}" is not filter, nat or route`);
    this.eat("hook");
    const hook = this.word("a hook");
    if (!HOOKS.includes(hook)) this.fail(`hook "${hook}" is not one of ${HOOKS.join(", ")}`);
    if (this.eat("device")) this.fail("device is for netdev chains, which are not simulated");
    if (!this.eat("priority")) this.fail("a base chain needs a priority");
    const spec: BaseSpec = { type: type as ChainType, hook: hook as NftHook, priority: this.priority(hook), policy: "accept" };
    if (this.peek()?.t === "nl") this.i++;
    if (this.eat("policy")) spec.policy = this.policy();
    return spec;
  }

  private priority(hook: string): number {
    const w = this.word("a priority");
    // nft: "invalid priority expression value in this context"
    if ((w === "dstnat" && hook !== "prerouting") || (w === "srcnat" && hook !== "postrouting")) this.fail(`priority ${w} is not valid on the ${hook} hook (use a number)`);
    let n = PRIORITIES[w] ?? (/^-?\d+$/.test(w) ? Number(w) : NaN);
    if (Number.isNaN(n)) this.fail(`priority "${w}" is not a number or a standard name`);
    if (this.is("+") || this.is("-")) {
      const sign = this.next().v === "+" ? 1 : -1;
      n += sign * this.int();
    }
    return n;
  }

  private setDecl(w: Where, set: string, map: boolean, op: "add" | "create"): void {
    this.expect("{");
    const decl: SetDecl = { map, keyType: "", valueType: null, flags: [] };
    let elements: RawElement[] | null = null;
    for (this.skipNl(); this.peek()?.t !== "}"; this.skipNl()) {
      const k = this.word("type, flags or elements");
      if (k === "type") {
        decl.keyType = this.word("a type");
        if (map) {
          if (this.word(":") !== ":") this.fail("a map type is `type KEY : VALUE`");
          decl.valueType = this.word("a value type");
        }
      } else if (k === "flags") {
        do decl.flags.push(this.word("a flag"));
        while (this.peek()?.t === "," && this.i++);
      } else if (k === "elements") {
        if (this.word("=") !== "=") this.fail("expected elements = { … }");
        elements = this.elements();
      } else if (k === "typeof") this.fail("typeof sets are not supported; use type");
      else if (k === "size" || k === "policy" || k === "comment" || k === "counter") while (!this.endOfLine()) this.next();
      else this.fail(`"${k}" is not supported in a ${map ? "map" : "set"}`);
    }
    this.expect("}");
    if (!decl.keyType) this.fail(`${map ? "map" : "set"} ${set} needs a type`);
    this.cmds.push({ ...w, op, obj: "set", set, decl });
    if (elements) this.cmds.push({ ...w, op: "add", obj: "element", set, elements });
  }

  /** `{ k, k }` or `{ k : verdict, … }`; newlines inside braces are just space. */
  private elements(): RawElement[] {
    this.expect("{");
    const out: RawElement[] = [];
    for (;;) {
      this.skipNl();
      if (this.peek()?.t === "}") break;
      const key = [this.word("an element")];
      let verdict: Verdict | null = null;
      this.skipNl();
      if (this.is(":")) {
        this.i++;
        verdict = this.verdict(this.word("a verdict"));
      }
      out.push({ key, verdict });
      this.skipNl();
      if (this.peek()?.t === ",") this.i++;
      else if (this.peek()?.t !== "}") this.fail(`expected "," or "}", got "${this.peek()?.v}"`);
    }
    this.expect("}");
    return out;
  }

  private verdict(w: string): Verdict {
    if (w === "accept" || w === "drop" || w === "return" || w === "continue") return { kind: w };
    if (w === "jump" || w === "goto") return { kind: w, chain: this.word("a chain name") };
    return this.fail(`"${w}" is not a verdict`);
  }

  /** A rule's statements, to the end of the line. */
  statements(): Stmt[] {
    const out: Stmt[] = [];
    while (!this.endOfLine()) out.push(this.statement());
    if (out.length === 0) this.fail("empty rule");
    return out;
  }

  private statement(): Stmt {
    const w = this.word("a statement");
    switch (w) {
      case "counter": {
        let packets = 0;
        let bytes = 0;
        if (this.eat("packets")) packets = this.int();
        if (this.eat("bytes")) bytes = this.int();
        return { kind: "counter", packets, bytes };
      }
      case "accept": case "drop": case "return": case "continue": case "jump": case "goto":
        return { kind: "verdict", verdict: this.verdict(w) };
      case "reject": {
        if (!this.eat("with")) return { kind: "reject", with: null };
        const words: string[] = [];
        while (!this.endOfLine() && !this.is("comment") && !this.is("counter")) words.push(this.next().v);
        return { kind: "reject", with: words.filter((x) => x !== "type").join(" ") };
      }
      case "dnat": case "snat": case "masquerade": case "redirect": return this.nat(w);
      case "comment": return { kind: "comment", text: this.word("a comment") };
      case "notrack": return { kind: "notrack" };
      case "log": {
        let prefix: string | null = null;
        if (this.eat("prefix")) prefix = this.word("a prefix");
        return { kind: "log", prefix };
      }
      default: {
        this.i--;
        return this.match();
      }
    }
  }

  private nat(type: "dnat" | "snat" | "masquerade" | "redirect"): Stmt {
    if (type === "dnat" || type === "snat") {
      if (this.is("ip") || this.is("ip6")) this.i++;
      if (!this.eat("to")) this.fail(`${type} needs: to ADDRESS[:PORT]`);
      const to = this.word("an address");
      const m = /^\[?([0-9a-fA-F:.]+?)\]?(?::(\d+))?$/.exec(to);
      const v4 = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(to);
      const hit = v4 ?? (to.startsWith("[") ? m : null) ?? (to.includes(".") ? null : [to, to, undefined]);
      if (!hit) this.fail(`"${to}" is not ADDRESS[:PORT]`);
      return { kind: "nat", type, addr: hit[1]!, port: hit[2] === undefined ? null : Number(hit[2]) };
    }
    let port: number | null = null;
    if (this.eat("to")) port = Number(this.word(":PORT").replace(/^:/, ""));
    return { kind: "nat", type, addr: null, port };
  }

  private field(): Field {
    const a = this.word("a match");
    if (a === "meta" && (this.is("iifname") || this.is("oifname"))) return this.next().v as Field;
    if (a === "meta" && this.is("nftrace")) this.fail("internal");
    const two = `${a} ${this.peek()?.v ?? ""}`;
    if (a === "fib") {
      const dir = this.word("saddr or daddr");
      if (!this.eat("type")) this.fail("only `fib saddr|daddr type` is supported");
      return `fib ${dir} type` as Field;
    }
    if (a in FIELD_TYPES) return a as Field;
    if (two in FIELD_TYPES) {
      this.i++;
      return two as Field;
    }
    return this.fail(`"${two.trim()}" is not a supported match (iifname, oifname, ip/ip6 saddr/daddr, tcp/udp/th dport/sport, ct state/status, fib, meta l4proto/mark)`);
  }

  private match(): Stmt {
    if (this.is("meta") && this.is("nftrace", 1)) {
      this.i += 2;
      if (!this.eat("set")) this.fail("meta nftrace set 0|1");
      return { kind: "nftrace", value: this.int() };
    }
    const field = this.field();
    const type = FIELD_TYPES[field];
    let mask: number | null = null;
    if (this.eat("and") || this.eat("&")) mask = Number(this.word("a mask"));
    if (this.eat("vmap")) {
      if (this.peek()?.t === "@") {
        this.i++;
        return { kind: "vmap", field, map: this.word("a map name") };
      }
      const items = this.elements().map((e) => {
        if (!e.verdict) this.fail("a vmap element needs : verdict");
        return { key: this.typed(type, e.key), verdict: e.verdict };
      });
      return { kind: "vmap", field, map: items };
    }
    let op: "==" | "!=" = "==";
    if (this.eat("!=") || this.eat("ne")) op = "!=";
    else if (this.eat("==") || this.eat("eq")) op = "==";
    if (this.peek()?.t === "@") {
      this.i++;
      return { kind: "match", field, mask, op, value: { ref: this.word("a set name") } };
    }
    if (this.peek()?.t === "{") return { kind: "match", field, mask, op, value: { set: this.elements().map((e) => this.typed(type, e.key)) } };
    const words = [this.word("a value")];
    while (this.peek()?.t === ",") {
      this.i++;
      words.push(this.word("a value"));
    }
    return { kind: "match", field, mask, op, value: this.typed(type, words) };
  }

  private typed(type: Parameters<typeof parseValue>[0], words: string[]): string {
    try {
      return parseValue(type, words);
    } catch (e) {
      return this.fail((e as Error).message);
    }
  }
}

/** Parse an nft script (`nft -f` input, or `nft list ruleset` output). */
export function parseScript(text: string): Command[] {
  return new Parser(tokenize(text)).script();
}

/** Parse one rule's statements (what follows `add rule FAMILY TABLE CHAIN`). */
export function parseRule(text: string): Stmt[] {
  const p = new Parser(tokenize(text));
  return p.statements();
}
