// The OpenAPI document, generated from the same zod schemas that validate requests, so the
// published description cannot drift from what the API accepts.
import { z } from "zod";
import { scenarioSchema } from "../scenario/schema.js";
import { problemSchema } from "./problem.js";
import pkg from "../../package.json";
import { FORMATS, THEMES } from "../scenario/formats.js";

/**
 * The Result's top level as the contract names it. The engine owns the full shape; this
 * documents the fields clients rely on without restating every nested one.
 */
export const resultSchema = z.looseObject({
  id: z.string().describe("nanoid of this simulation"),
  docker: z.looseObject({ version: z.string(), family: z.string() }),
  networks: z.array(z.looseObject({ name: z.string(), driver: z.string() })),
  containers: z.array(z.looseObject({ name: z.string() })),
  rules: z.record(z.string(), z.record(z.string(), z.string())).describe("per network namespace: iptables-save, ip6tables-save, nft text"),
  traces: z.array(
    z.looseObject({
      name: z.string(),
      verdict: z.enum(["delivered", "dropped", "rejected", "unroutable"]),
      connects: z.boolean(),
      steps: z.array(z.looseObject({})),
    }),
  ),
});

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  // Refinements (address checks) have no JSON Schema form; "any" keeps the rest of the schema.
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" });
  return rest;
}

const formatParam = { name: "format", in: "query", schema: { enum: [...FORMATS], default: "json" } };
const themeParam = { name: "theme", in: "query", schema: { enum: [...THEMES], default: "auto" }, description: "svg/html colours" };

/** Every POST body may be gzip- or deflate-compressed (undone up to the same size limit). */
const contentEncodingParam = {
  name: "content-encoding",
  in: "header",
  schema: { enum: ["identity", "gzip", "x-gzip", "deflate"] },
  description: "a compressed body is inflated up to the body limit; any other coding is a 415",
};
const scenarioBody = {
  required: true,
  content: {
    "application/json": { schema: { $ref: "#/components/schemas/Scenario" } },
    "text/plain": { schema: { type: "string" }, description: "the docs' text form: docker commands, flow lines, docker-version" },
  },
};
const diffBody = {
  required: true,
  content: {
    "application/json": {
      schema: {
        oneOf: [
          { type: "object", required: ["a", "b"], additionalProperties: false, properties: { a: { $ref: "#/components/schemas/Scenario" }, b: { $ref: "#/components/schemas/Scenario" } } },
          {
            type: "object",
            required: ["scenario", "versions"],
            additionalProperties: false,
            properties: { scenario: { $ref: "#/components/schemas/Scenario" }, versions: { type: "array", minItems: 2, maxItems: 2, items: { type: "string", pattern: "^\\d+(\\.\\d+){0,2}$" } } },
          },
        ],
      },
    },
  },
};

const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

export function buildOpenApi(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "nfplay",
      version: pkg.version,
      description: "Simulate the iptables rules Docker writes and trace packets through them.",
    },
    paths: {
      "/simulate": {
        post: {
          operationId: "simulate",
          summary: "Simulate a Docker host and trace flows through its netfilter rules",
          requestBody: scenarioBody,
          parameters: [formatParam, themeParam, contentEncodingParam],
          responses: {
            "200": { description: "The simulation", content: { "application/json": { schema: { $ref: "#/components/schemas/Result" } } } },
            "400": problemResponse("Invalid JSON or a scenario that does not match the schema"),
            "413": problemResponse("Body larger than the limit"),
            "415": problemResponse("A Content-Encoding other than gzip or deflate"),
            "422": problemResponse("A valid scenario describing something impossible, or too much work"),
          },
        },
        get: {
          operationId: "simulateGet",
          summary: "Kroki-style: the scenario JSON zlib-deflated and base64url-encoded in ?scenario=; with ?v=VERSION cached forever",
          parameters: [
            { name: "scenario", in: "query", required: true, schema: { type: "string" } },
            { name: "v", in: "query", schema: { type: "string" }, description: "nfplay version: makes the URL immutable" },
            formatParam,
            themeParam,
          ],
          responses: {
            "200": { description: "The result in the asked format; ETag, Cache-Control" },
            "304": { description: "Not modified (If-None-Match)" },
            "400": problemResponse("A bad query parameter (named in errors[].parameter) or an invalid scenario"),
            "413": problemResponse("The scenario is too large"),
            "422": problemResponse("A valid scenario describing something impossible, or too much work"),
          },
        },
      },
      "/share": {
        post: {
          operationId: "share",
          summary: "Store a scenario under a content-addressed id (the same scenario always gets the same id)",
          requestBody: scenarioBody,
          parameters: [contentEncodingParam],
          responses: {
            "201": { description: "Stored: { id, url, embed, svg }" },
            "200": { description: "Already stored: { id, url, embed, svg }" },
            "400": problemResponse("Invalid scenario"),
            "413": problemResponse("Body larger than the limit"),
            "415": problemResponse("A Content-Encoding other than gzip or deflate"),
          },
        },
      },
      "/s/{id}": {
        get: {
          operationId: "shared",
          summary: "Simulate a shared scenario (cacheable forever: immutable, ETag)",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9_-]{12}$" } }, formatParam, themeParam],
          responses: {
            "200": { description: "The result in the asked format" },
            "304": { description: "Not modified (If-None-Match)" },
            "404": problemResponse("No such share"),
            "422": problemResponse("The shared scenario cannot be simulated (anymore)"),
          },
        },
      },
      "/embed/{id}": {
        get: {
          operationId: "embed",
          summary: "An HTML page of a shared scenario's traces for an iframe (strict CSP, no script)",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }, themeParam],
          responses: { "200": { description: "text/html" }, "304": { description: "Not modified (If-None-Match)" }, "404": problemResponse("No such share") },
        },
      },
      "/oembed": {
        get: {
          operationId: "oembed",
          summary: "oEmbed (rich) for a /s/{id} or /embed/{id} URL",
          parameters: [
            { name: "url", in: "query", required: true, schema: { type: "string" } },
            { name: "maxwidth", in: "query", schema: { type: "integer" } },
            { name: "maxheight", in: "query", schema: { type: "integer" } },
          ],
          responses: { "200": { description: "oEmbed JSON" }, "404": problemResponse("Not a share of this service") },
        },
      },
      "/check": {
        post: {
          operationId: "check",
          summary: "Check a scenario's expect (per flow, rules, golden iptables-save): 200 with pass/fail and a readable report",
          parameters: [{ name: "docker-version", in: "query", schema: { type: "string" } }, { name: "format", in: "query", schema: { enum: ["json", "text"] } }, contentEncodingParam],
          requestBody: scenarioBody,
          responses: {
            "200": { description: "{ pass, checks, failures, report, summary }" },
            "400": problemResponse("Invalid scenario or parameter"),
            "413": problemResponse("Body larger than the limit"),
            "415": problemResponse("A Content-Encoding other than gzip or deflate"),
            "422": problemResponse("A valid scenario describing something impossible (errors[].parameter names ?docker-version= when it is at fault)"),
          },
        },
      },
      "/diff": {
        post: {
          operationId: "diff",
          summary: "Rule diff (unified) and trace differences: { a, b } scenarios, or { scenario, versions: [v1, v2] }",
          parameters: [{ name: "format", in: "query", schema: { enum: ["json", "text"] } }, contentEncodingParam],
          requestBody: diffBody,
          responses: {
            "200": { description: "{ same, rules: { changed, diff }, traces: [...] }" },
            "400": problemResponse("Invalid request (pointers under /a, /b, /scenario or /versions)"),
            "413": problemResponse("Body larger than twice the scenario limit"),
            "415": problemResponse("A Content-Encoding other than gzip or deflate"),
            "422": problemResponse("A side describing something impossible (pointers under /a, /b, /scenario or /versions/N)"),
          },
        },
      },
      "/": { get: { operationId: "playground", responses: { "200": { description: "The playground page (text/html)" } } } },
      "/healthz": { get: { operationId: "healthz", responses: { "200": { description: "The service is up" } } } },
      "/openapi.json": { get: { operationId: "openapi", responses: { "200": { description: "This document" } } } },
    },
    components: {
      schemas: {
        Scenario: jsonSchema(scenarioSchema, "input"),
        Result: jsonSchema(resultSchema, "output"),
        Problem: jsonSchema(problemSchema, "output"),
      },
    },
  };
}
