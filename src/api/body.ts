// Reading a request body without trusting its Content-Length: the header is checked first
// (cheap rejection), then the bytes actually read are counted, so a chunked or lying client
// cannot make the worker buffer more than the limit.
import { tooLargeProblem, type Problem } from "./problem.js";

export type Body = { ok: true; bytes: Uint8Array } | { ok: false; problem: Problem };

export async function readBody(request: Request, limit: number): Promise<Body> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return { ok: false, problem: tooLargeProblem(limit) };
  const bytes = await readAtMost(request.body, limit);
  if (bytes === null) return { ok: false, problem: tooLargeProblem(limit) };
  return { ok: true, bytes };
}

/** The stream's bytes, or null as soon as more than `limit` bytes arrive. */
export async function readAtMost(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | null> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
