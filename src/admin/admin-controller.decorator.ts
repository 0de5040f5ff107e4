import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { AdminApiKeyGuard } from './admin-api-key.guard';
import { AdminJsonGuard } from './admin-json.guard';

/**
 * A controller under /admin, behind the admin API key, with its JSON body parser bound to its
 * routes (the key is checked first, so nobody else gets a body read). Use it for every admin controller.
 */
export function AdminController(path: string): ClassDecorator {
  return applyDecorators(Controller(`admin/${path}`), UseGuards(AdminApiKeyGuard, AdminJsonGuard));
}
