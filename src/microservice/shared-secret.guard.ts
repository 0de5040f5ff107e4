import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { microserviceConfig, MicroserviceConfig } from '../config/microservice.config';
import { SharedSecret } from './shared-secret';

/**
 * Every message carries the shared secret in its `secret` member (compared by SharedSecret). The
 * member is removed before validation, so the secret never reaches a handler, a reply or a log line.
 */
@Injectable()
export class SharedSecretGuard implements CanActivate {
  private readonly secret: SharedSecret;

  constructor(@Inject(microserviceConfig.KEY) config: MicroserviceConfig) {
    this.secret = new SharedSecret(config.secret);
  }

  canActivate(context: ExecutionContext): boolean {
    const data: unknown = context.switchToRpc().getData();
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new RpcException({ error: 'invalid_request', error_description: 'The payload must be a JSON object' });
    }
    const message = data as Record<string, unknown>;
    const presented = message.secret;
    delete message.secret;
    if (!this.secret.matches(presented)) {
      throw new RpcException({ error: 'unauthorized', error_description: 'Missing or wrong shared secret' });
    }
    return true;
  }
}
