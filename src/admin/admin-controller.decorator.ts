import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { JSON_BODY, OAuthRoutes } from 'nest-oauth-server';
import { AdminApiKeyGuard } from './admin-api-key.guard';
import { AdminJsonGuard } from './admin-json.guard';

/**
 * A controller under /admin, behind the admin API key, with its error bodies and JSON body parser
 * bound to its routes (the key is checked first, so nobody else gets a body parsed). Use it for
 * every admin controller.
 */
export function AdminController(path: string): ClassDecorator {
  return applyDecorators(Controller(`admin/${path}`), JSON_BODY, OAuthRoutes(), UseGuards(AdminApiKeyGuard, AdminJsonGuard));
}
