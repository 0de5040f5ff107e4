import { BadRequestException, Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { FamilyView, RevokeResult, TokenFamiliesAdmin } from '../token/refresh-tokens/token-families-admin.service';

/**
 * Admin API over TokenFamiliesAdmin ("log out everywhere"). Not registered by this branch: it
 * belongs in the AdminModule, behind that module's admin authentication.
 *   GET    /admin/token-families?subject=SUB
 *   DELETE /admin/token-families?subject=SUB | ?client_id=ID
 *   DELETE /admin/token-families/:id
 */
@Controller('admin/token-families')
export class TokenFamiliesController {
  constructor(private readonly families: TokenFamiliesAdmin) {}

  @Get()
  list(@Query('subject') subject?: string): Promise<FamilyView[]> {
    if (!subject) throw new BadRequestException('subject is required');
    return this.families.listLive(subject);
  }

  @Delete()
  @HttpCode(200)
  revokeMany(@Query('subject') subject?: string, @Query('client_id') clientId?: string): Promise<RevokeResult> {
    if (!subject === !clientId) throw new BadRequestException('give exactly one of subject, client_id');
    return this.families.revoke(subject ? { subject } : { clientId: clientId! });
  }

  @Delete(':id')
  @HttpCode(200)
  revokeOne(@Param('id') familyId: string): Promise<RevokeResult> {
    return this.families.revoke({ familyId });
  }
}
