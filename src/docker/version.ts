// Which Docker release a scenario asks for, and which rule family (dialect) reproduces it.
import { impossible } from "../errors.js";
import { VERSION_TEXT } from "../scenario/schema.js";

/**
 * The rule families of shared/reference/docker-firewall-rules.md: A 20.10-26.1 (classic),
 * B 27.x (classic + ip6tables on + gateway modes), C 28.0.0 (ipset-based FORWARD rules),
 * D 28.0.1-28.5 (DOCKER-FORWARD/-BRIDGE/-CT, raw table), E 29.x (DOCKER-INTERNAL).
 */
export type Dialect = "A" | "B" | "C" | "D" | "E";

export interface DockerVersion {
  version: string; // full x.y.z
  family: string; // the contract's family key: "20.10", "23" .. "29"
  dialect: Dialect;
  /** First port handed out for -P (ip_local_port_range, clamped in 20.10.0-20.10.21). */
  ephemeralStart: number;
}

// Newest patch release of each supported line.
const RELEASES: Record<string, string> = {
  "20.10": "20.10.24",
  "23": "23.0.15",
  "24": "24.0.9",
  "25": "25.0.5",
  "26": "26.1.4",
  "27": "27.5.1",
  "28": "28.5.2",
  "29": "29.7.2",
};

// (Object.keys would list the integer-like keys "23".."29" before "20.10".)
export const SUPPORTED = Object.keys(RELEASES).sort((a, b) => compareVersions(a, b));
/** The newest supported release line. */
export const DEFAULT_VERSION = SUPPORTED[SUPPORTED.length - 1]!;

function familyOf(version: string): string | undefined {
  const [major, minor] = version.split(".");
  if (major === "20" && (minor === undefined || minor === "10")) return "20.10";
  return major !== undefined && RELEASES[major] ? major : undefined;
}

/** Compare dotted versions numerically: <0, 0, >0. */
export function compareVersions(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function atLeast(v: DockerVersion, release: string): boolean {
  return compareVersions(v.version, release) >= 0;
}

function dialectOf(family: string, full: string): Dialect {
  if (family === "27") return "B";
  if (family === "28") {
    return full === "28.0.0" ? "C" : "D";
  }
  if (family === "29") return "E";
  return "A";
}

/** "v20.10.24", "20.10.24+dfsg1", "27.0.0-rc.1", "Docker version 20.10.24, build 297e128" -> the x[.y[.z]] part. */
export function normalizeVersion(text: string): string {
  return VERSION_TEXT.exec(text.trim())?.[1] ?? text;
}

export function resolveVersion(requested: string | undefined): DockerVersion {
  const asked = normalizeVersion(requested ?? DEFAULT_VERSION);
  const family = familyOf(asked);
  if (!family)
    throw impossible("/docker/version", `Docker ${asked} is not supported yet; supported: ${SUPPORTED.join(", ")} (any x.y.z of those lines)`);
  const parts = asked.split(".");
  const full = parts.length === 1 ? RELEASES[family]! : knownRelease(asked, family);
  const [, minor, patch] = full.split(".").map(Number);
  const clamped = family === "20.10" && minor === 10 && (patch ?? 0) <= 21;
  // 20.10.22+ and 23+: the kernel's ip_local_port_range as is (default 32768-60999).
  return { version: full, family, dialect: dialectOf(family, full), ephemeralStart: clamped ? 49153 : 32768 };
}

// Newest patch of each 27-29 minor line (moby tags), so "28.0" means 28.0.4, not family C's 28.0.0.
const MINORS: Record<string, string> = {
  "27.0": "27.0.3", "27.1": "27.1.2", "27.2": "27.2.1", "27.3": "27.3.1", "27.4": "27.4.1", "27.5": "27.5.1",
  "28.0": "28.0.4", "28.1": "28.1.1", "28.2": "28.2.2", "28.3": "28.3.3", "28.4": "28.4.0", "28.5": "28.5.2",
  "29.0": "29.0.4", "29.1": "29.1.5", "29.2": "29.2.1", "29.3": "29.3.1", "29.4": "29.4.3", "29.5": "29.5.3",
  "29.6": "29.6.2", "29.7": "29.7.2",
};

// Minor lines before 27 that are not their family's newest (RELEASES has those).
const OLDER_MINORS: Record<string, string> = { "26.0": "26.0.2" };

/** The newest release of an x.y line nfplay knows of, if the line exists. */
function newestOfLine(line: string, family: string): string | undefined {
  return MINORS[line] ?? OLDER_MINORS[line] ?? (RELEASES[family]!.startsWith(`${line}.`) ? RELEASES[family]! : undefined);
}

/**
 * "28.1" -> the newest 28.1.x; "26.1.3" as is. A line or patch newer than any release nfplay
 * knows of (29.99.0, 26.1.5) did not exist when its rules were captured: a 422 naming the newest.
 */
function knownRelease(asked: string, family: string): string {
  const [major, minor, patch] = asked.split(".");
  const line = `${major}.${minor}`;
  const newest = newestOfLine(line, family);
  if (!newest)
    throw impossible("/docker/version", `Docker ${asked} does not exist (no ${line} release line); the newest ${family} release nfplay knows is ${RELEASES[family]}`);
  if (patch === undefined) return newest;
  if (Number(patch) > Number(newest.split(".")[2]))
    throw impossible("/docker/version", `Docker ${asked} does not exist as far as nfplay knows: the newest ${line} release is ${newest}`);
  return `${line}.${Number(patch)}`;
}
