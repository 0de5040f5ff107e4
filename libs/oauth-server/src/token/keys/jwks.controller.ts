import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { keysConfig, KeysConfig } from '../../config/keys.config';
import { allowAnyOrigin } from '../../cors/cors-headers';
import { OAuthRoutes } from '../../oauth/oauth-routes.decorator';
import { SigningKeysService } from './signing-keys.service';

@Controller()
@OAuthRoutes()
export class JwksController {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(keysConfig.KEY) private readonly config: KeysConfig,
  ) {}

  /**
   * The `jwks_uri` of the metadata document (RFC 8414 §2), public keys only. Its max-age
   * (JWKS_MAX_AGE) is what the pending period of a new key is derived from (SigningKeySchedule);
   * readable from any origin (browser-side token verification).
   */
  @Get('.well-known/jwks.json')
  jwks(@Res({ passthrough: true }) response: Response): Promise<{ keys: Record<string, string>[] }> {
    response.setHeader('Cache-Control', `public, max-age=${this.config.jwksMaxAge}`);
    allowAnyOrigin(response);
    return this.keys.publicJwks();
  }
}
