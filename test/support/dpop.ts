import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK, SignJWT } from 'jose';
import type { TestApp } from './test-app';

export const TOKEN_URL = 'http://localhost:3000/oauth/token';

export interface ProofOptions {
  htm?: string;
  htu?: string;
  /** Epoch seconds; default: the app's (fake) clock. */
  iat?: number;
  jti?: string | null;
  nonce?: string;
  accessToken?: string;
  typ?: string;
  /** Replaces the public JWK in the header (e.g. with private members). */
  jwk?: JWK;
  extraClaims?: Record<string, unknown>;
}

/** A client's DPoP key pair that signs RFC 9449 §4.2 proofs against the app's fake clock. */
export class DpopKey {
  private constructor(
    readonly alg: string,
    private readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    readonly jkt: string,
    private readonly privateJwk: JWK,
  ) {}

  static async generate(alg = 'ES256'): Promise<DpopKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    return new DpopKey(alg, privateKey, publicJwk, await calculateJwkThumbprint(publicJwk), await exportJWK(privateKey));
  }

  get privateMembersJwk(): JWK {
    return this.privateJwk;
  }

  async proof(t: TestApp, options: ProofOptions = {}): Promise<string> {
    const claims: Record<string, unknown> = {
      htm: options.htm ?? 'POST',
      htu: options.htu ?? TOKEN_URL,
      iat: options.iat ?? Math.floor(t.clock.now() / 1000),
      ...(options.jti === null ? {} : { jti: options.jti ?? randomUUID() }),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      ...(options.accessToken === undefined ? {} : { ath: createHash('sha256').update(options.accessToken).digest('base64url') }),
      ...options.extraClaims,
    };
    return new SignJWT(claims).setProtectedHeader({ alg: this.alg, typ: options.typ ?? 'dpop+jwt', jwk: options.jwk ?? this.publicJwk }).sign(this.privateKey);
  }
}
