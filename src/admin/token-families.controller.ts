import { BadRequestException, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { FamilyView, RevokeResult, TokenFamiliesAdmin } from '../token/refresh-tokens/token-families-admin.service';
import { AdminController } from './admin-controller.decorator';

/**
 * Admin API over TokenFamiliesAdmin ("log out everywhere"), behind the admin API key.
 *   GET    /admin/token-families?subject=SUB
 *   DELETE /admin/token-families?subject=SUB | ?client_id=ID
 *   DELETE /admin/token-families/:id
 */
@AdminController('token-families')
export class TokenFamiliesController {
  constructor(private readonly families: TokenFamiliesAdmin) {}

  @Get()
  list(@Query('subject') subject?: unknown): Promise<FamilyView[]> {
    if (!isText(subject)) throw new BadRequestException('subject is required');
    return this.families.listLive(subject);
  }

  @Delete()
  @HttpCode(200)
  revokeMany(@Query('subject') subject?: unknown, @Query('client_id') clientId?: unknown): Promise<RevokeResult> {
    // A repeated query parameter arrives as an array: refuse it rather than guess.
    if (isText(subject) === isText(clientId)) throw new BadRequestException('give exactly one of subject, client_id');
    return this.families.revoke(isText(subject) ? { subject } : { clientId: clientId as string });
  }

  @Delete(':id')
  @HttpCode(200)
  revokeOne(@Param('id') familyId: string): Promise<RevokeResult> {
    return this.families.revoke({ familyId });
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
