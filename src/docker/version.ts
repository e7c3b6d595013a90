// Which Docker release a scenario asks for, and which rule family (dialect) reproduces it.
import { impossible } from "../errors.js";

export interface DockerVersion {
  version: string; // full x.y.z
  family: string; // the contract's family key: "20.10", "23" .. "29"
  dialect: "A";
  /** First port handed out for -P (ip_local_port_range, clamped in 20.10.0-20.10.21). */
  ephemeralStart: number;
}

// Newest patch release of each supported line. Family A (20.10-26.1) is the "classic" layout;
// 27+ arrive with the next rule families.
const RELEASES: Record<string, string> = {
  "20.10": "20.10.24",
  "23": "23.0.15",
  "24": "24.0.9",
  "25": "25.0.5",
  "26": "26.1.4",
};

export const DEFAULT_VERSION = "26";
export const SUPPORTED = Object.keys(RELEASES);

function familyOf(version: string): string | undefined {
  const [major, minor] = version.split(".");
  if (major === "20" && (minor === undefined || minor === "10")) return "20.10";
  return major !== undefined && RELEASES[major] ? major : undefined;
}

export function resolveVersion(requested: string | undefined): DockerVersion {
  const asked = requested ?? DEFAULT_VERSION;
  const family = familyOf(asked);
  if (!family)
    throw impossible("/docker/version", `Docker ${asked} is not supported yet; supported: ${SUPPORTED.join(", ")} (any x.y.z of those lines)`);
  const parts = asked.split(".");
  const full = parts.length === 3 ? asked : RELEASES[family]!;
  const [, minor, patch] = full.split(".").map(Number);
  const clamped = family === "20.10" && minor === 10 && (patch ?? 0) <= 21;
  return { version: full, family, dialect: "A", ephemeralStart: clamped ? 49153 : 32768 };
}
