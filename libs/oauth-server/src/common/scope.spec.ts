import { OAuthError } from '../oauth/oauth-error';
import { resolveRequestedScope } from './scope';

const refusal = (requested: string | undefined, registered: string): OAuthError => {
  try {
    resolveRequestedScope(requested, registered);
  } catch (error) {
    return error as OAuthError;
  }
  throw new Error('expected invalid_scope');
};

describe('resolveRequestedScope: the one scope policy (RFC 6749 §3.3, §6)', () => {
  it.each([
    ['omitted → the registered default', undefined, 'read write', 'read write'],
    ['empty (§3.2: as if omitted) → the registered default', '', 'read write', 'read write'],
    ['the default is normalised', undefined, ' write  read write ', 'write read'],
    ['a subset', 'read', 'read write', 'read'],
    ['all of it, in any order, repeated spaces tolerated', 'write  read', 'read write', 'write read'],
    ['duplicates collapse', 'read read', 'read write', 'read'],
    ['omitted with an empty registration → no scope at all, never "everything"', undefined, '', ''],
  ])('%s', (_case, requested, registered, granted) => {
    expect(resolveRequestedScope(requested, registered)).toBe(granted);
  });

  it.each([
    ['anything requested of an empty registration', 'read', ''],
    ['beyond the registered scope', 'read admin', 'read write'],
    ['malformed (a quote, §3.3 scope-token)', 'read "x"', 'read write'],
    ['malformed (a backslash)', 'read\\', 'read write'],
    ['only spaces', '   ', 'read write'],
  ])('%s → invalid_scope', (_case, requested, registered) => {
    const error = refusal(requested, registered);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error.code).toBe('invalid_scope');
    expect(error.status).toBe(400);
  });

  it('names what the request exceeded (a refresh: the original grant)', () => {
    expect(() => resolveRequestedScope('admin', 'read', 'the scope originally granted')).toThrow('exceeds the scope originally granted');
  });
});
