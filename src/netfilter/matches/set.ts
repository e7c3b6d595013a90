// -m set [!] --match-set NAME src|dst[,src|dst...] [--return-nomatch] [! --update-counters]
// [! --update-subcounters] (libxt_set.c, revision 4). The set is looked up by name in the
// namespace's ipsets when the rule is loaded, like the kernel's checkentry; a set that does not
// exist fails the rule with iptables' own message.
import { currentIpsets, ipsetTest, type Dir, type Ipset, type IpsetStore } from "../ipset.js";
import type { MatchModule } from "../types.js";

interface SetOpts {
  name: string | null;
  set: Ipset | null;
  store: IpsetStore | null;
  dirs: Dir[];
  neg: boolean;
  returnNomatch: boolean;
  noCounters: boolean;
  noSubcounters: boolean;
}

const FAMILY_NAME = { ipv4: "IPv4", ipv6: "IPv6" } as const;

export const set: MatchModule<SetOpts> = {
  name: "set",
  options: [
    "match-set", "set", "return-nomatch", "update-counters", "update-subcounters",
    "packets-eq", "packets-lt", "packets-gt", "bytes-eq", "bytes-lt", "bytes-gt",
  ],
  create: () => ({ name: null, set: null, store: null, dirs: [], neg: false, returnNomatch: false, noCounters: false, noSubcounters: false }),
  parse(o, option, neg, args, rule) {
    if (option === "return-nomatch") {
      o.returnNomatch = true;
      return;
    }
    if (option === "update-counters" || option === "update-subcounters") {
      // Only the negated form exists: counters are updated by default.
      if (!neg) throw new Error(`--${option} is the default: only "! --${option}" is an option`);
      if (option === "update-counters") o.noCounters = true;
      else o.noSubcounters = true;
      return;
    }
    if (option.startsWith("packets-") || option.startsWith("bytes-"))
      throw new Error(`set match: --${option} is not supported by nfplay (it needs the set's counters)`);
    if (o.name !== null) throw new Error("--match-set can be specified only once");
    const name = args.value(option);
    const flags = args.value(option);
    if (name.length > 31) throw new Error(`setname \`${name}' too long, max 31 characters.`);
    const dirs = flags.split(",");
    if (dirs.length > 6) throw new Error("Can't be more src/dst options than 6.");
    if (!dirs.every((d) => d === "src" || d === "dst")) throw new Error(`You must specify (the comma separated list of) 'src' or 'dst'.`);
    const store = currentIpsets();
    const found = store?.get(name);
    if (!found) throw new Error(`Set ${name} doesn't exist.\n`);
    const family = rule.family ?? "ipv4";
    if (found.family !== null && found.family !== family)
      throw new Error(`The protocol family of set ${name} is ${FAMILY_NAME[found.family]}, which is not applicable.`);
    Object.assign(o, { name, set: found, store, dirs: dirs as Dir[], neg });
  },
  finish(o) {
    if (o.name === null) throw new Error("You must specify `--match-set' with proper arguments");
  },
  save(o) {
    const parts = [`${o.neg ? "! " : ""}--match-set ${o.name} ${o.dirs.join(",")}`];
    if (o.returnNomatch) parts.push("--return-nomatch");
    if (o.noCounters) parts.push("! --update-counters");
    if (o.noSubcounters) parts.push("! --update-subcounters");
    return parts.join(" ");
  },
  match: (o, { packet }) => ipsetTest(o.store!, o.set!, packet, o.dirs, o.returnNomatch) !== o.neg,
};
