import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AccessTokenSigner } from './access-token-signer';
import { SigningKeysService } from './signing-keys.service';

/** Signs in process with the key SigningKeysService chose for this instant (node:crypto via jsonwebtoken). */
@Injectable()
export class LocalAccessTokenSigner extends AccessTokenSigner {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: SigningKeysService,
  ) {
    super();
  }

  sign(payload: Record<string, unknown>, header: Record<string, unknown>): string {
    const key = this.keys.signingKey();
    return this.jwt.sign(payload, {
      algorithm: key.alg as 'ES256' | 'RS256',
      privateKey: key.privateKey as unknown as string,
      header: { ...header, alg: key.alg, kid: key.kid },
    });
  }
}
