import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, type CryptoKey, importJWK, type JWK, type JWTHeaderParameters, jwtVerify } from 'jose';
import { Clock } from '../common/clock';
import { dpopConfig, DpopConfig } from '../config/dpop.config';
import { ReplayCache } from '../replay/replay-cache.service';
import { DpopNonces } from './dpop-nonces.service';

/** What a request offers for verification; `htu` is the URL the server itself is known by. */
export interface DpopProofRequest {
  /** Every `DPoP` header value of the request (RFC 9449 §4.3 step 1: exactly one is allowed). */
  proofs: string[];
  method: string;
  /** The request's URL without query and fragment, built from configuration (never from Host). */
  htu: string;
  /** Presented with the proof at a resource server: `ath` must be its hash (RFC 9449 §4.3 step 12). */
  accessToken?: string;
  /** RFC 9449 §8: the proof must carry a nonce this server issued. */
  requireNonce?: boolean;
}

export interface VerifiedDpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's public key (the `cnf.jkt` of bound tokens, §6.1). */
  jkt: string;
}

/** Why a proof was refused: `use_dpop_nonce` asks the client to retry with the given nonce. */
export class DpopProofError extends Error {
  constructor(
    readonly kind: 'invalid_dpop_proof' | 'use_dpop_nonce',
    readonly debug: string,
  ) {
    super(`${kind}: ${debug}`);
  }
}

const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** JWK members of private (or symmetric) keys; a proof's `jwk` MUST be public (RFC 9449 §4.3 step 7). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** Imported public keys kept per (alg, thumbprint): importing costs more than verifying. */
const KEY_CACHE_SIZE = 1000;

/** The one implementation of RFC 9449 §4.3, used by the token endpoint and the resource-server guard. */
@Injectable()
export class DpopProofVerifier {
  private readonly keys = new Map<string, CryptoKey>();

  constructor(
    private readonly replay: ReplayCache,
    private readonly nonces: DpopNonces,
    private readonly clock: Clock,
    @Inject(dpopConfig.KEY) private readonly config: DpopConfig,
  ) {}

  get algorithms(): readonly string[] {
    return this.config.signingAlgorithms;
  }

  async verify(request: DpopProofRequest): Promise<VerifiedDpopProof> {
    // §4.3 step 1: exactly one DPoP HTTP request header field.
    if (request.proofs.length !== 1) throw invalid(`${request.proofs.length} DPoP headers`);
    const proof = request.proofs[0];
    // §4.3 step 2: a well-formed JWT in compact serialisation.
    if (proof.length > MAX_PROOF_LENGTH || !JWS_COMPACT.test(proof)) throw invalid('not a compact JWS');
    const nowSeconds = this.clock.now() / 1000;
    let verified: Awaited<ReturnType<typeof jwtVerify>>;
    let jkt = '';
    try {
      // §4.3 steps 4-7: typ dpop+jwt, an asymmetric algorithm we accept (never none or HMAC: the
      // allow-list has neither), a public `jwk` header, a signature that verifies with that key.
      verified = await jwtVerify(
        proof,
        async (header) => {
          const resolved = await this.publicKeyOf(header);
          jkt = resolved.jkt;
          return resolved.key;
        },
        { typ: 'dpop+jwt', algorithms: [...this.config.signingAlgorithms], currentDate: new Date(this.clock.now()) },
      );
    } catch (error) {
      throw invalid(`JWS does not verify (${error instanceof Error ? error.message : 'unknown'})`);
    }
    const { payload } = verified;
    // §4.3 step 3: all required claims, with the types §4.2 gives them.
    const { jti, htm, htu, iat } = payload;
    if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) throw invalid('jti missing or too long');
    if (typeof htm !== 'string' || typeof htu !== 'string' || typeof iat !== 'number') throw invalid('htm, htu or iat missing');
    // §4.3 step 8: htm matches the request method.
    if (htm !== request.method) throw invalid('htm does not match the request method');
    // §4.3 step 9: htu matches the request URL, ignoring query and fragment, after normalisation.
    if (normalisedHtu(htu) !== normalisedHtu(request.htu)) throw invalid('htu does not match the request URL');
    // §4.3 step 11, §11.1: iat within an acceptable window (max age, plus clock skew either way).
    if (iat > nowSeconds + this.config.clockSkew || iat < nowSeconds - this.config.proofMaxAge - this.config.clockSkew) throw invalid('iat outside the acceptable window');
    if (request.accessToken !== undefined) {
      // §4.3 step 12: ath is the base64url SHA-256 of the access token presented with the proof.
      if (payload.ath !== createHash('sha256').update(request.accessToken, 'ascii').digest('base64url')) throw invalid('ath does not match the access token');
    }
    // §4.3 step 10, §8: when nonces are on, the nonce must be one this server issued lately.
    if (request.requireNonce && !this.nonces.isValid(payload.nonce)) throw new DpopProofError('use_dpop_nonce', 'nonce missing or stale');
    // §11.1: a proof is single-use. Remembered (across instances) until it could no longer pass the
    // iat check anyway; keyed by key and jti, so one client's jti cannot block another's.
    const expiresAtMs = (iat + this.config.proofMaxAge + this.config.clockSkew) * 1000;
    if (!(await this.replay.useOnce('dpop', `${jkt}:${jti}`, expiresAtMs))) throw invalid('proof replayed (jti already used)');
    return { jkt };
  }

  /**
   * The `jwk` header as a public key for `alg`, and its RFC 7638 thumbprint (the `cnf.jkt` of
   * bound tokens, §6.1). A key with private members is refused (§4.3 step 7) before any import.
   */
  private async publicKeyOf(header: JWTHeaderParameters): Promise<{ key: CryptoKey; jkt: string }> {
    const jwk = header.jwk as JWK | undefined;
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new Error('no jwk header');
    if (PRIVATE_MEMBERS.some((member) => member in jwk)) throw new Error('jwk is not a public key');
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    const cacheKey = `${header.alg}:${jkt}`;
    let key = this.keys.get(cacheKey);
    if (!key) {
      const imported = await importJWK(jwk, header.alg);
      if (imported instanceof Uint8Array || imported.type !== 'public') throw new Error('jwk is not a public key');
      key = imported;
      // Oldest first out: a Map iterates in insertion order.
      if (this.keys.size >= KEY_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(cacheKey, key);
    }
    return { key, jkt };
  }
}

function invalid(debug: string): DpopProofError {
  return new DpopProofError('invalid_dpop_proof', debug);
}

/**
 * RFC 9449 §4.3 step 9 and RFC 3986 §6.2.2-6.2.3: scheme and host case, default port, empty path
 * and dot segments are normalised (WHATWG URL does all of these); query and fragment dropped.
 * Not a URL at all → a value that matches nothing.
 */
function normalisedHtu(value: string): string {
  try {
    const url = new URL(value);
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') return '\0';
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '\0';
  }
}

/** Every DPoP header of a request, counted from the raw headers (Node joins repeated ones). */
export function dpopHeaders(rawHeaders: string[]): string[] {
  const values: string[] = [];
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index].toLowerCase() === 'dpop') values.push(...rawHeaders[index + 1].split(','));
  }
  return values.map((value) => value.trim());
}
