import { createHmac, generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';

/** A client key pair and its public JWK (for registration). */
export interface ClientKey {
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
  alg: 'ES256' | 'EdDSA' | 'RS256' | 'PS256';
}

export function clientKey(alg: ClientKey['alg'] = 'ES256', kid: string = randomUUID()): ClientKey {
  const pair =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : alg === 'EdDSA' ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: pair.privateKey, publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), kid }, alg };
}

/**
 * A client assertion signed by hand (node:crypto, no JOSE library), so tests can also build the
 * malformed ones a library would refuse to produce (alg none, HS256 keyed with the public key, ...).
 */
export function clientAssertion(key: ClientKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const encode = (part: Record<string, unknown>) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const fullHeader = { alg: key.alg, kid: key.publicJwk.kid, typ: 'JWT', ...header };
  const input = `${encode(fullHeader)}.${encode(claims)}`;
  const alg = fullHeader.alg as string;
  let signature: Buffer;
  if (alg === 'none') signature = Buffer.alloc(0);
  else if (alg === 'HS256') signature = createHmac('sha256', JSON.stringify(key.publicJwk)).update(input).digest();
  else if (alg === 'ES256') signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  else if (alg === 'EdDSA') signature = sign(null, Buffer.from(input), key.privateKey);
  else if (alg === 'PS256') signature = sign('sha256', Buffer.from(input), { key: key.privateKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 });
  else signature = sign('sha256', Buffer.from(input), key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** RFC 7523 §3 claims for `clientId` at `audience`, valid for 60 s from `nowMs`. */
export function assertionClaims(clientId: string, audience: string, nowMs: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(nowMs / 1000);
  return { iss: clientId, sub: clientId, aud: audience, iat: now, exp: now + 60, jti: randomUUID(), ...extra };
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
