import { CanActivate, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { authorizationConfig, AuthorizationConfig } from '../config/authorization.config';

/**
 * The code flow's back-channel endpoints (PAR) exist only with a login application (LOGIN_URL),
 * like /oauth/authorize. A guard listed before ClientAuthGuard, so an endpoint that is off answers
 * 404 before any client authentication work.
 */
@Injectable()
export class CodeFlowEnabledGuard implements CanActivate {
  constructor(@Inject(authorizationConfig.KEY) private readonly config: AuthorizationConfig) {}

  canActivate(): boolean {
    if (this.config.loginUrl === undefined) throw new NotFoundException();
    return true;
  }
}
