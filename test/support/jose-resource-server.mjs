// A resource server as users write one: jose's createRemoteJWKSet over our jwks_uri. It runs in its
// own process (jose 6 is ESM only). The cache never expires and never refetches on an unknown kid by
// itself: the test says when a JWKS_MAX_AGE has passed on the fake clock ({"op":"reload"}), so an
// unknown kid between refetches fails exactly as it would at a strict cache.
// Protocol: one JSON request per stdin line, one JSON answer per stdout line, matched by `id`.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createInterface } from 'node:readline';

const jwks = createRemoteJWKSet(new URL(process.env.JWKS_URI), { cacheMaxAge: Infinity, cooldownDuration: Infinity });

async function handle(request) {
  if (request.op === 'reload') {
    await jwks.reload();
    return {};
  }
  if (request.op === 'verify') {
    const results = [];
    for (const token of request.tokens) {
      try {
        await jwtVerify(token, jwks, { issuer: process.env.ISSUER, typ: 'at+jwt', currentDate: new Date(request.now) });
        results.push({ ok: true, kid: decodeProtectedHeader(token).kid });
      } catch (error) {
        results.push({ ok: false, kid: decodeProtectedHeader(token).kid, error: `${error.code ?? error.name}: ${error.message}` });
      }
    }
    return { results };
  }
  throw new Error(`unknown op ${request.op}`);
}

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line);
  const answer = await handle(request).catch((error) => ({ error: String(error) }));
  process.stdout.write(`${JSON.stringify({ id: request.id, ...answer })}\n`);
}
