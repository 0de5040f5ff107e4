import type { INestApplication } from '@nestjs/common';
import { HostExceptionFilter } from './common/host-exception.filter';

/** What main.ts does to the application, shared with the e2e tests so they test the same app. */
export function configureApp(app: INestApplication): INestApplication {
  app.setGlobalPrefix('api');
  // The host's own error body for its own routes; the OAuth endpoints keep RFC 6749 §5.2 bodies
  // because the library binds its filter to its controllers, which wins over a global one.
  app.useGlobalFilters(new HostExceptionFilter());
  return app;
}
