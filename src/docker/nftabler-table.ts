// How dockerd 29 talks to nftables (daemon/libnetwork/internal/nftables @docker-v29.7.2): it
// keeps its own model of each table (chains whose rules sit in numbered groups, verdict maps)
// and, for every batch of changes, renders one `nft -f` script from
// incremental_update.nft.gotmpl: declare the table, its maps and the chains it touches,
// flush those chains, then write them out again whole. Go templates walk maps in key order, so
// maps, chains and elements come out sorted by name; that order is the order nft creates them in.
import { NftError } from "../nftables/types.js";
import type { NftRuleset } from "../nftables/ruleset.js";

export type Obj =
  | { kind: "base"; name: string; type: "filter" | "nat"; hook: string; priority: number }
  | { kind: "chain"; name: string }
  | { kind: "rule"; chain: string; group: number; rule: string[]; ignoreExist?: boolean }
  | { kind: "map"; name: string; type: string }
  | { kind: "element"; map: string; key: string; value: string };

/** A batch of creations and deletions, applied together (moby's nftables.Modifier). */
export class Modifier {
  readonly cmds: { obj: Obj; del: boolean }[] = [];
  create(o: Obj): void {
    this.cmds.push({ obj: o, del: false });
  }
  delete(o: Obj): void {
    this.cmds.push({ obj: o, del: true });
  }
  /** Undo: the commands in reverse order, creations turned into deletions and back. */
  reverse(): Modifier {
    const r = new Modifier();
    for (const c of [...this.cmds].reverse()) r.cmds.push({ obj: c.obj, del: !c.del });
    return r;
  }
}

interface ChainState {
  base: Extract<Obj, { kind: "base" }> | null;
  groups: Map<number, string[]>;
  mustFlush: boolean;
}

interface MapState {
  type: string;
  elements: Map<string, string>;
  added: Map<string, string>;
  deleted: Set<string>;
  mustFlush: boolean;
}

const byKey = <T>(m: Map<string, T>): [string, T][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export class MobyTable {
  private mustFlush = true;
  private chains = new Map<string, ChainState>();
  private maps = new Map<string, MapState>();
  private deleteCommands: string[] = [];

  constructor(readonly family: "ip" | "ip6", readonly name: string, private nft: NftRuleset, private log: string[]) {}

  apply(tm: Modifier): void {
    for (const c of tm.cmds) c.del ? this.remove(c.obj) : this.create(c.obj);
    const script = this.script();
    this.log.push(`nft -f - <<'EOF'\n${script}EOF`);
    try {
      this.nft.run(script);
    } catch (e) {
      if (e instanceof NftError) throw new Error(`dockerd's nft script failed (a bug in nfplay's nftabler): ${e.message}\n${script}`);
      throw e;
    }
    this.updatesApplied();
  }

  private create(o: Obj): void {
    switch (o.kind) {
      case "base": case "chain":
        if (this.chains.has(o.name)) throw new Error(`chain '${o.name}' already exists`);
        this.chains.set(o.name, { base: o.kind === "base" ? o : null, groups: new Map(), mustFlush: true });
        return;
      case "rule": {
        const c = this.chains.get(o.chain);
        if (!c) throw new Error(`chain '${o.chain}' does not exist`);
        const rule = o.rule.join(" ");
        const g = c.groups.get(o.group) ?? [];
        if (g.includes(rule)) {
          if (o.ignoreExist) return;
          throw new Error(`adding rule:'${rule}' chain:'${o.chain}' group:${o.group}: rule exists`);
        }
        c.groups.set(o.group, [...g, rule]);
        c.mustFlush = true;
        return;
      }
      case "map":
        if (this.maps.has(o.name)) throw new Error(`map '${o.name}' already exists`);
        this.maps.set(o.name, { type: o.type, elements: new Map(), added: new Map(), deleted: new Set(), mustFlush: true });
        return;
      case "element": {
        const m = this.maps.get(o.map);
        if (!m) throw new Error(`cannot add to map '${o.map}', it does not exist`);
        if (m.elements.has(o.key)) throw new Error(`map '${o.map}' already contains element '${o.key}'`);
        m.elements.set(o.key, o.value);
        m.added.set(o.key, o.value);
        m.deleted.delete(o.key);
      }
    }
  }

  private remove(o: Obj): void {
    switch (o.kind) {
      case "base": case "chain": {
        const c = this.chains.get(o.name);
        if (!c) throw new Error(`cannot delete chain '${o.name}', it does not exist`);
        if (c.groups.size) throw new Error(`cannot delete chain '${o.name}', it is not empty`);
        this.chains.delete(o.name);
        this.deleteCommands.push(`delete chain ${this.family} ${this.name} ${o.name}`);
        return;
      }
      case "rule": {
        const c = this.chains.get(o.chain);
        if (!c) throw new Error(`chain '${o.chain}' does not exist`);
        const rule = o.rule.join(" ");
        const g = c.groups.get(o.group) ?? [];
        if (!g.includes(rule)) {
          if (o.ignoreExist) return;
          throw new Error(`deleting rule:'${rule}' chain:'${o.chain}' group:${o.group}: rule does not exist`);
        }
        const rest = g.filter((r) => r !== rule);
        if (rest.length) c.groups.set(o.group, rest);
        else c.groups.delete(o.group);
        c.mustFlush = true;
        return;
      }
      case "map": {
        const m = this.maps.get(o.name);
        if (!m || m.elements.size) throw new Error(`cannot delete map '${o.name}'`);
        this.maps.delete(o.name);
        this.deleteCommands.push(`delete map ${this.family} ${this.name} ${o.name}`);
        return;
      }
      case "element": {
        const m = this.maps.get(o.map);
        if (!m?.elements.has(o.key)) throw new Error(`cannot delete '${o.key}' from map '${o.map}', it does not exist`);
        m.elements.delete(o.key);
        m.added.delete(o.key);
        m.deleted.add(o.key);
      }
    }
  }

  /** The chain's rules: groups in ascending order, each in insertion order (chain.Rules()). */
  private rules(c: ChainState): string[] {
    return [...c.groups.keys()].sort((a, b) => a - b).flatMap((g) => c.groups.get(g)!);
  }

  private header(name: string, c: ChainState): string {
    const b = c.base;
    return `\tchain ${name} {\n${b ? `\t\ttype ${b.type} hook ${b.hook} priority ${b.priority}; policy accept;\n` : ""}`;
  }

  private script(): string {
    const f = this.family;
    const t = this.name;
    const maps = byKey(this.maps);
    const flushed = byKey(this.chains).filter(([, c]) => c.mustFlush);
    const out: string[] = [`table ${f} ${t} {\n`];
    for (const [name, m] of maps) out.push(`\tmap ${name} {\n\t\t${m.type}\n\t}\n`);
    for (const [name, c] of flushed) out.push(`${this.header(name, c)}\t} ;\n`);
    out.push("}\n");
    if (this.mustFlush) out.push(`flush table ${f} ${t}\n`);
    for (const [name, m] of maps) if (m.mustFlush) out.push(`flush map ${f} ${t} ${name}\n`);
    for (const [name] of flushed) out.push(`flush chain ${f} ${t} ${name}\n`);
    for (const [name, m] of maps) if (m.deleted.size) out.push(`delete element ${f} ${t} ${name} { ${[...m.deleted].sort().map((k) => `${k}, `).join("")}}\n`);
    for (const d of this.deleteCommands) out.push(`${d}\n`);
    out.push(`table ${f} ${t} {\n`);
    for (const [name, c] of flushed) out.push(`${this.header(name, c)}${this.rules(c).map((r) => `\t\t${r}\n`).join("")}\t}\n`);
    out.push("}\n");
    for (const [name, m] of maps)
      if (m.added.size) out.push(`add element ${f} ${t} ${name} { ${byKey(m.added).map(([k, v]) => `${k} : ${v}, `).join("")}}\n`);
    return out.join("");
  }

  private updatesApplied(): void {
    this.mustFlush = false;
    this.deleteCommands = [];
    for (const c of this.chains.values()) c.mustFlush = false;
    for (const m of this.maps.values()) {
      m.added = new Map();
      m.deleted = new Set();
      m.mustFlush = false;
    }
  }
}
