import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { digestsEqual, sha256Hex } from '../common/secure-random';
import { microserviceConfig, MicroserviceConfig } from '../config/microservice.config';

/**
 * Every message carries the shared secret in its `secret` member. Both sides are hashed first so
 * the comparison is constant-time whatever the presented length. The member is removed before
 * validation, so the secret never reaches a handler, a reply or a log line.
 */
@Injectable()
export class SharedSecretGuard implements CanActivate {
  private readonly expectedHash: string;

  constructor(@Inject(microserviceConfig.KEY) config: MicroserviceConfig) {
    this.expectedHash = sha256Hex(config.secret);
  }

  canActivate(context: ExecutionContext): boolean {
    const data: unknown = context.switchToRpc().getData();
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new RpcException({ error: 'invalid_request', error_description: 'The payload must be a JSON object' });
    }
    const message = data as Record<string, unknown>;
    const presented = typeof message.secret === 'string' ? message.secret : '';
    delete message.secret;
    if (!digestsEqual(sha256Hex(presented), this.expectedHash) || presented === '') {
      throw new RpcException({ error: 'unauthorized', error_description: 'Missing or wrong shared secret' });
    }
    return true;
  }
}
