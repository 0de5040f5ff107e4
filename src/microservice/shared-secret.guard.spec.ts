import type { ExecutionContext } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { MicroserviceConfig } from '../config/microservice.config';
import { SharedSecretGuard } from './shared-secret.guard';

const secret = 'k'.repeat(40);
const guard = new SharedSecretGuard({ secret } as MicroserviceConfig);
const contextFor = (data: unknown) => ({ switchToRpc: () => ({ getData: () => data }) }) as unknown as ExecutionContext;

describe('SharedSecretGuard', () => {
  it('lets the right secret through and removes it from the payload', () => {
    const data = { secret, token: 't' };
    expect(guard.canActivate(contextFor(data))).toBe(true);
    expect(data).toEqual({ token: 't' });
  });

  it.each([
    ['missing', {}],
    ['wrong', { secret: 'k'.repeat(39) + 'x' }],
    ['a prefix', { secret: 'k'.repeat(39) }],
    ['empty', { secret: '' }],
    ['not a string', { secret: ['k'.repeat(40)] }],
  ])('rejects a %s secret', (_case, data) => {
    expect(() => guard.canActivate(contextFor(data))).toThrow(RpcException);
    expect(data).not.toHaveProperty('secret');
  });

  it('rejects a payload that is not an object', () => {
    for (const data of ['x', 1, null, undefined, [secret]]) expect(() => guard.canActivate(contextFor(data))).toThrow(RpcException);
  });

  it('an empty configured secret accepts nothing', () => {
    const unconfigured = new SharedSecretGuard({ secret: '' } as MicroserviceConfig);
    expect(() => unconfigured.canActivate(contextFor({ secret: '' }))).toThrow(RpcException);
  });
});
