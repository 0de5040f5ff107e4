import { importJWK, type JSONWebKeySet, type JWK } from 'jose';

/** A JWK Set larger than this is refused (registration and jwks_uri alike). */
export const MAX_JWKS_BYTES = 64 * 1024;
const MAX_KEYS = 20;
/** RFC 7517 §6/§7 (and RFC 8037): members that only a private or symmetric key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const KEY_TYPES = ['EC', 'OKP', 'RSA'];

export class JwkSetError extends Error {}

/**
 * A client's JWK Set (RFC 7517 §5), checked to hold public signing keys only: a registration must
 * never store a private key (a leaked database would then authenticate as the client), and an `oct`
 * key would reopen HMAC verification with a key that is not secret. Each key must import.
 */
export async function parsePublicJwkSet(input: unknown): Promise<JSONWebKeySet> {
  let value = input;
  if (typeof value === 'string') {
    if (Buffer.byteLength(value, 'utf8') > MAX_JWKS_BYTES) throw new JwkSetError(`jwks is larger than ${MAX_JWKS_BYTES} bytes`);
    try {
      value = JSON.parse(value);
    } catch {
      throw new JwkSetError('jwks is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new JwkSetError('jwks must be a JWK Set: an object with a "keys" array (RFC 7517 §5)');
  }
  const keys = (value as { keys: unknown[] }).keys;
  if (keys.length === 0 || keys.length > MAX_KEYS) throw new JwkSetError(`jwks must hold 1-${MAX_KEYS} keys`);
  const checked: JWK[] = [];
  for (const [index, key] of keys.entries()) {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new JwkSetError(`jwks key ${index} is not an object`);
    const jwk = key as JWK;
    if (typeof jwk.kty !== 'string' || !KEY_TYPES.includes(jwk.kty)) throw new JwkSetError(`jwks key ${index}: kty must be one of ${KEY_TYPES.join(', ')} (public signing keys)`);
    const secret = PRIVATE_MEMBERS.filter((member) => member in jwk);
    if (secret.length > 0) throw new JwkSetError(`jwks key ${index} has private key members (${secret.join(', ')}): register public keys only`);
    if (jwk.use !== undefined && jwk.use !== 'sig') throw new JwkSetError(`jwks key ${index}: use must be "sig"`);
    if (jwk.kid !== undefined && typeof jwk.kid !== 'string') throw new JwkSetError(`jwks key ${index}: kid must be a string`);
    try {
      // An explicit alg keeps jose from guessing; the algorithm list is enforced at verification.
      await importJWK(jwk, importAlgorithm(jwk));
    } catch {
      throw new JwkSetError(`jwks key ${index} is not a valid ${jwk.kty} public key`);
    }
    if (jwk.kty === 'RSA' && Buffer.from(String(jwk.n), 'base64url').length * 8 < 2048) throw new JwkSetError(`jwks key ${index}: RSA keys must be 2048 bits or more`);
    checked.push(jwk);
  }
  return { keys: checked };
}

function importAlgorithm(jwk: JWK): string {
  if (typeof jwk.alg === 'string') return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP') return 'EdDSA';
  return jwk.crv === 'P-384' ? 'ES384' : jwk.crv === 'P-521' ? 'ES512' : 'ES256';
}
