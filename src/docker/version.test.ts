// Versions as people paste them, and releases that do not exist.
import { describe, expect, it } from "vitest";
import { engineErrorOf } from "../../test/engine-error.js";
import { simulate } from "../engine.js";
import { scenarioSchema } from "../scenario/schema.js";
import { resolveVersion } from "./version.js";

const refusal = (v: string) => engineErrorOf(() => resolveVersion(v), v);

describe("docker.version as pasted", () => {
  it.each([
    ["20.10.24+dfsg1", "20.10.24", "20.10"], // Debian's docker.io `docker --version`
    ["v20.10.24", "20.10.24", "20.10"],
    ["Docker version 20.10.24, build 297e128", "20.10.24", "20.10"],
    ["Docker version 20.10.24+dfsg1, build 297e128", "20.10.24", "20.10"],
    ["27.0.0-rc.1", "27.0.0", "27"], // a pre-release: its family, simulated as the release
    ["5:27.5.1-1~debian.12~bookworm".slice(2), "27.5.1", "27"],
    ["26.0", "26.0.2", "26"],
    ["26.1.3", "26.1.3", "26"],
  ])("%s -> %s (%s)", (text, version, family) => {
    expect(scenarioSchema.safeParse({ docker: { version: text } }).success).toBe(true);
    expect(resolveVersion(text)).toMatchObject({ version, family });
  });

  it("refuses releases that do not exist, naming the newest known", () => {
    expect(refusal("29.99.0").errors).toEqual([{ pointer: "/docker/version", message: expect.stringContaining("the newest 29 release nfplay knows is 29.7.2") }]);
    expect(refusal("26.1.5").errors[0]!.message).toContain("the newest 26.1 release is 26.1.4");
    expect(refusal("20.10.25").errors[0]!.message).toContain("20.10.24");
    expect(refusal("28.6").errors[0]!.message).toContain("28.5.2");
    expect(refusal("26.1.5").status).toBe(422);
  });

  it("is a 422 at /docker/version from simulate, and the schema still refuses junk", () => {
    expect(() => simulate(scenarioSchema.parse({ docker: { version: "26.1.5" } }))).toThrow(/26\.1\.4/);
    for (const bad of ["latest", "20.10.24 extra", "v", "Docker 20"]) expect(scenarioSchema.safeParse({ docker: { version: bad } }).success).toBe(false);
  });
});
