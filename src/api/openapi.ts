// The OpenAPI document, generated from the same zod schemas that validate requests, so the
// published description cannot drift from what the API accepts.
import { z } from "zod";
import { scenarioSchema } from "../scenario/schema.js";
import { problemSchema } from "./problem.js";
import pkg from "../../package.json";

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
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/Scenario" } } },
          },
          responses: {
            "200": { description: "The simulation", content: { "application/json": { schema: { $ref: "#/components/schemas/Result" } } } },
            "400": problemResponse("Invalid JSON or a scenario that does not match the schema"),
            "413": problemResponse("Body larger than the limit"),
            "422": problemResponse("A valid scenario describing something impossible, or too much work"),
          },
        },
      },
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
