import { Inject, Injectable, RequestMethod } from '@nestjs/common';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { Clock } from '../common/clock';
import { appConfig, AppConfig } from '../config/app.config';
import { OAuthRoutePaths } from '../oauth/oauth-route-paths.service';
import { ReplayCache } from '../replay/replay-cache.service';
import { CLIENT_ASSERTION_ALGORITHMS } from './client-auth-method';
import { ClientEntity } from './client.entity';
import { JwksFetcher } from './jwks/jwks-fetcher.service';

/** RFC 7523 §3 item 4 lets the server bound `exp`; an assertion is for one request, not a session. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** Clock skew tolerated on exp, nbf and iat. */
const CLOCK_TOLERANCE_SECONDS = 30;
const MAX_ASSERTION_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
const ALGORITHMS: string[] = [...CLIENT_ASSERTION_ALGORITHMS];

/**
 * Verifies a client assertion (RFC 7523 §3; OpenID Connect Core §9 `private_key_jwt`) against the
 * client's registered public keys. Returns why it fails, or undefined; the caller decides, so that
 * an unknown or unfit client does the same work (a signature check against a dummy key) and
 * answers alike.
 */
@Injectable()
export class ClientAssertionVerifier {
  private readonly dummyKeys = new Map<string, Promise<CryptoKey>>();
  /** Inline key sets by their JSON text: jose then keeps the imported keys instead of importing per request. */
  private readonly inlineSets = new Map<string, JWTVerifyGetKey>();

  constructor(
    private readonly fetcher: JwksFetcher,
    private readonly replay: ReplayCache,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly paths: OAuthRoutePaths,
  ) {}

  /** The audiences accepted (RFC 7523 §3 item 3): the issuer identifier (draft-ietf-oauth-rfc7523bis) or the token endpoint URL. */
  audiences(): string[] {
    return [this.app.issuer, this.paths.urlOf(RequestMethod.POST, '/oauth/token')];
  }

  /**
   * `client` is the registration to verify against, or null when there is none fit for this method
   * (unknown, disabled, another method): the checks still run, against a dummy key, and fail.
   */
  async failure(assertion: string, clientId: string, client: ClientEntity | null): Promise<string | undefined> {
    if (assertion.length > MAX_ASSERTION_LENGTH) return 'client_assertion too long';
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(assertion).alg;
    } catch {
      return 'client_assertion is not a JWS';
    }
    // Asymmetric algorithms only: never `none`, never HMAC keyed with a public key (algorithm confusion).
    if (typeof alg !== 'string' || !ALGORITHMS.includes(alg)) return `client_assertion alg ${String(alg).slice(0, 16)} is not allowed`;
    const now = this.clock.now();
    let payload: JWTPayload;
    try {
      payload = await this.verifyWith(assertion, clientId, client, alg, now);
    } catch (error) {
      return client === null ? 'no client fit for private_key_jwt' : describe(error);
    }
    if (client === null) return 'no client fit for private_key_jwt';
    const nowSeconds = now / 1000;
    const exp = payload.exp!;
    // RFC 7523 §3 item 4: the server may reject an exp unreasonably far in the future.
    if (exp - nowSeconds > MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) return `client_assertion lifetime exceeds ${MAX_ASSERTION_LIFETIME_SECONDS} s`;
    if (payload.iat !== undefined) {
      if (payload.iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) return 'client_assertion iat is in the future';
      if (exp - payload.iat > MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) return `client_assertion lifetime exceeds ${MAX_ASSERTION_LIFETIME_SECONDS} s`;
    }
    const jti = payload.jti;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) return 'client_assertion jti missing or too long';
    // RFC 7523 §3 item 7: the server may ensure a JWT is not replayed by remembering its jti until exp;
    // OpenID Connect Core §9 says it MUST be used once. Remembered across instances (ReplayCache), until
    // exp plus the tolerated skew, since the assertion is accepted that long.
    const first = await this.replay.useOnce('client_assertion', `${clientId}:${jti}`, (exp + CLOCK_TOLERANCE_SECONDS) * 1000);
    return first ? undefined : 'client_assertion jti already used';
  }

  private async verifyWith(assertion: string, clientId: string, client: ClientEntity | null, alg: string, now: number): Promise<JWTPayload> {
    const options = {
      algorithms: ALGORITHMS,
      // RFC 7523 §3 items 1-2: iss and sub MUST both be the client_id.
      issuer: clientId,
      subject: clientId,
      // RFC 7523 §3 item 3: aud MUST identify the authorization server.
      audience: this.audiences(),
      // RFC 7523 §3 item 4: exp MUST be present; jti is how single use is enforced (item 7).
      requiredClaims: ['exp', 'jti'],
      currentDate: new Date(now),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
    if (client === null) {
      // The same signature work as a real check; the dummy key never matches.
      return (await jwtVerify(assertion, await this.dummyKey(alg), options)).payload;
    }
    if (client.jwks !== null) return (await jwtVerify(assertion, this.inlineSet(client.jwks), options)).payload;
    if (client.jwksUri === null) throw new Error('client has no jwks or jwks_uri');
    const uri = client.jwksUri;
    try {
      return (await jwtVerify(assertion, keySet(await this.fetcher.get(uri)), options)).payload;
    } catch (error) {
      // A kid we do not know may be a key the client just rotated in: fetch again, once (rate-limited in the fetcher).
      if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
      return (await jwtVerify(assertion, keySet(await this.fetcher.get(uri, true)), options)).payload;
    }
  }

  private inlineSet(jwks: string): JWTVerifyGetKey {
    let set = this.inlineSets.get(jwks);
    if (!set) {
      set = keySet(JSON.parse(jwks) as JSONWebKeySet);
      // Bounded: an updated registration leaves its old text behind.
      if (this.inlineSets.size >= 1000) this.inlineSets.delete(this.inlineSets.keys().next().value!);
      this.inlineSets.set(jwks, set);
    }
    return set;
  }

  private dummyKey(alg: string): Promise<CryptoKey> {
    let key = this.dummyKeys.get(alg);
    if (!key) {
      key = generateKeyPair(alg).then((pair) => pair.publicKey);
      this.dummyKeys.set(alg, key);
    }
    return key;
  }
}

function keySet(jwks: JSONWebKeySet): JWTVerifyGetKey {
  return createLocalJWKSet(jwks);
}

/** A short reason for the security event; never the assertion itself. */
function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `client_assertion ${error.claim} check failed: ${error.reason}`;
  if (error instanceof joseErrors.JWTExpired) return 'client_assertion expired';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'client_assertion kid matches no registered key';
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys) return 'client_assertion matches several registered keys';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'client_assertion signature invalid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'client_assertion alg not allowed';
  if (error instanceof joseErrors.JOSEError) return `client_assertion invalid (${error.code})`;
  return `client_assertion keys unavailable: ${(error as Error)?.message ?? error}`;
}
