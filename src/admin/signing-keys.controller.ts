import { Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { KeysAdmin, KeysListing, NoStore, SigningKeyView } from 'nest-oauth-server';
import { AdminController } from './admin-controller.decorator';

/**
 * Admin API over the signing-key lifecycle, behind the admin API key (same operations as keys:*).
 *   GET  /admin/signing-keys              the keys, their states and the derived timings
 *   POST /admin/signing-keys/rotate       a pending key, signing after the propagation delay
 *   POST /admin/signing-keys/:kid/retire  emergency: unpublished now, its tokens rejected
 */
@AdminController('signing-keys')
export class SigningKeysController {
  constructor(private readonly keys: KeysAdmin) {}

  @Get()
  @NoStore()
  list(): Promise<KeysListing> {
    return this.keys.list();
  }

  @Post('rotate')
  @NoStore()
  @HttpCode(201)
  rotate(): Promise<SigningKeyView> {
    return this.keys.rotate();
  }

  @Post(':kid/retire')
  @NoStore()
  @HttpCode(200)
  async retire(@Param('kid') kid: string): Promise<NonNullable<Awaited<ReturnType<KeysAdmin['retire']>>>> {
    // A kid is a base64url JWK thumbprint (RFC 7638); anything else cannot name a key.
    const result = /^[A-Za-z0-9_-]{1,64}$/.test(kid) ? await this.keys.retire(kid) : null;
    if (!result) throw new NotFoundException('no published signing key has that kid');
    return result;
  }
}
