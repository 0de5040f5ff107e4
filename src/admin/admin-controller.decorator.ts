import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { AdminApiKeyGuard } from './admin-api-key.guard';

/** A controller under /admin, behind the admin API key. Use it for every admin controller. */
export function AdminController(path: string): ClassDecorator {
  return applyDecorators(Controller(`admin/${path}`), UseGuards(AdminApiKeyGuard));
}
