import { BadRequestException, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { CONTROL_CHARACTERS, FamilyView, NoStore, RevokeResult, TokenFamiliesAdmin } from 'nest-oauth-server';
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
  @NoStore()
  list(@Query('subject') subject?: unknown): Promise<FamilyView[]> {
    assertNoControlCharacters({ subject });
    if (!isText(subject)) throw new BadRequestException('subject is required');
    return this.families.listLive(subject);
  }

  @Delete()
  @NoStore()
  @HttpCode(200)
  revokeMany(@Query('subject') subject?: unknown, @Query('client_id') clientId?: unknown): Promise<RevokeResult> {
    assertNoControlCharacters({ subject, client_id: clientId });
    // A repeated query parameter arrives as an array: refuse it rather than guess.
    if (isText(subject) === isText(clientId)) throw new BadRequestException('give exactly one of subject, client_id');
    return this.families.revoke(isText(subject) ? { subject } : { clientId: clientId as string });
  }

  @Delete(':id')
  @NoStore()
  @HttpCode(200)
  revokeOne(@Param('id') familyId: string): Promise<RevokeResult> {
    assertNoControlCharacters({ id: familyId });
    return this.families.revoke({ familyId });
  }
}

/**
 * No identifier here holds control characters, and a NUL must not reach PostgreSQL, which refuses
 * it in a query (a 500: hostile-input finding). Refused as a bad request instead.
 */
function assertNoControlCharacters(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && CONTROL_CHARACTERS.test(value)) throw new BadRequestException(`${name} must not contain control characters`);
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
