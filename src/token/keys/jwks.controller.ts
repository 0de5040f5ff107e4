import { Controller, Get, Header } from '@nestjs/common';
import { SigningKeysService } from './signing-keys.service';

@Controller()
export class JwksController {
  constructor(private readonly keys: SigningKeysService) {}

  /** The `jwks_uri` of the metadata document (RFC 8414 §2), public keys only. */
  @Get('.well-known/jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): Promise<{ keys: Record<string, string>[] }> {
    return this.keys.publicJwks();
  }
}
