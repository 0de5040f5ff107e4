import { createPublicKey, verify } from 'node:crypto';

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export function decodeJwt(token: string): DecodedJwt {
  const [header, payload] = token.split('.');
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: json(header), payload: json(payload) };
}

/** Verifies a compact JWS against a JWKS with node:crypto alone, independent of the service's code. */
export function verifyWithJwks(token: string, jwks: { keys: Record<string, string>[] }): boolean {
  const [header, payload, signature] = token.split('.');
  const { kid, alg } = decodeJwt(token).header as { kid: string; alg: string };
  const jwk = jwks.keys.find((key) => key.kid === kid);
  if (!jwk || jwk.alg !== alg) return false;
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature, 'base64url');
  return alg === 'ES256'
    ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig)
    : verify('sha256', data, key, sig);
}
