import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Clock } from '../common/clock';
import { appConfig, AppConfig } from '../config/app.config';
import { SigningKeysService } from '../token/keys/signing-keys.service';
import { FAMILY_ID_CLAIM } from '../token/token-issuer.service';

/** The claims of an access token minted by TokenIssuer (RFC 9068 §2.2). */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope?: string;
  familyId?: string;
  /** RFC 9449 §6.1: the DPoP key the token is bound to. */
  cnf?: { jkt: string };
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_JWT_LENGTH = 8192;

/**
 * Verifies an access token this service issued: a known signing key (by `kid`, with that key's own
 * algorithm, never the one the header claims), the RFC 9068 `typ`, our issuer and an unexpired
 * `exp` by the service clock. Anything else is null: callers only need "ours and live" or not.
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: SigningKeysService,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  static looksLikeJwt(token: string): boolean {
    return token.length <= MAX_JWT_LENGTH && JWT_SHAPE.test(token);
  }

  async verify(token: string): Promise<AccessTokenClaims | null> {
    if (!AccessTokenVerifier.looksLikeJwt(token)) return null;
    const header = this.header(token);
    // RFC 9068 §4: resource servers MUST verify typ is "at+jwt" (or "application/at+jwt").
    if (!header || typeof header.kid !== 'string' || !isAccessTokenType(header.typ)) return null;
    const key = await this.keys.publicKey(header.kid);
    if (!key) return null;
    try {
      const payload = this.jwt.verify<Record<string, unknown>>(token, {
        publicKey: key.key as unknown as string,
        algorithms: [key.alg as 'ES256' | 'RS256'],
        issuer: this.app.issuer,
        clockTimestamp: Math.floor(this.clock.now() / 1000),
      });
      return toClaims(payload);
    } catch {
      return null;
    }
  }

  private header(token: string): { kid?: unknown; typ?: unknown } | null {
    try {
      const decoded = this.jwt.decode<{ header?: { kid?: unknown; typ?: unknown } } | null>(token, { complete: true });
      return decoded?.header ?? null;
    } catch {
      return null;
    }
  }
}

function isAccessTokenType(typ: unknown): boolean {
  return typeof typ === 'string' && ['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase());
}

function toClaims(payload: Record<string, unknown>): AccessTokenClaims | null {
  const { iss, sub, aud, exp, iat, jti, client_id, scope } = payload;
  const familyId = payload[FAMILY_ID_CLAIM];
  const strings = [iss, sub, jti, client_id].every((value) => typeof value === 'string' && value !== '');
  if (!strings || typeof exp !== 'number' || typeof iat !== 'number') return null;
  if (typeof aud !== 'string' && !Array.isArray(aud)) return null;
  if ((scope !== undefined && typeof scope !== 'string') || (familyId !== undefined && typeof familyId !== 'string')) return null;
  const { cnf } = payload as { cnf?: { jkt?: unknown } };
  if (cnf !== undefined && (typeof cnf !== 'object' || cnf === null || typeof cnf.jkt !== 'string')) return null;
  return {
    iss: iss as string,
    sub: sub as string,
    aud: aud as string | string[],
    exp,
    iat,
    jti: jti as string,
    client_id: client_id as string,
    ...(scope === undefined ? {} : { scope: scope as string }),
    ...(familyId === undefined ? {} : { familyId: familyId as string }),
    ...(cnf === undefined ? {} : { cnf: { jkt: cnf.jkt as string } }),
  };
}
