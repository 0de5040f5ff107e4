import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { tokenConfig, TokenConfig } from '../../config/token.config';
import { allowAnyOrigin } from '../../cors/cors-headers';
import { SigningKeysService } from './signing-keys.service';

@Controller()
export class JwksController {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(tokenConfig.KEY) private readonly token: TokenConfig,
  ) {}

  /**
   * The `jwks_uri` of the metadata document (RFC 8414 §2), public keys only. Cacheable for
   * JWKS_MAX_AGE seconds and readable from any origin (browser-side token verification).
   */
  @Get('.well-known/jwks.json')
  jwks(@Res({ passthrough: true }) res: Response): Promise<{ keys: Record<string, string>[] }> {
    res.setHeader('Cache-Control', `public, max-age=${this.token.jwksMaxAge}`);
    allowAnyOrigin(res);
    return this.keys.publicJwks();
  }
}
