import { Module } from '@nestjs/common';
import { AuthorizeModule, ClientsModule, TokenModule } from 'nest-oauth-server';
import { AdminApiKeyGuard } from './admin-api-key.guard';
import { ClientLifecycleService } from './client-lifecycle.service';
import { ClientsController } from './clients.controller';
import { LoginRequestsController } from './login-requests.controller';
import { SigningKeysController } from './signing-keys.controller';
import { TokenFamiliesController } from './token-families.controller';

/**
 * The admin API (/admin), for trusted back ends such as the login application. Every controller
 * here is declared with `@AdminController(path)`, which puts it behind `AdminApiKeyGuard` and binds
 * its JSON body parser (`AdminJsonGuard`) to its routes.
 */
@Module({
  imports: [AuthorizeModule, TokenModule, ClientsModule],
  controllers: [LoginRequestsController, TokenFamiliesController, ClientsController, SigningKeysController],
  providers: [AdminApiKeyGuard, ClientLifecycleService],
  exports: [AdminApiKeyGuard, ClientLifecycleService],
})
export class AdminModule {}
