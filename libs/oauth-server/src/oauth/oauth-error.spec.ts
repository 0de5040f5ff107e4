import { OAuthError } from './oauth-error';
import { OAuthParams } from './oauth-params';

const NQSCHAR = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

describe('OAuthError body (RFC 6749 §5.2)', () => {
  // Regression: found by test/hostile-input.e2e-spec.ts — a repeated parameter's name was quoted
  // with '"' (and could carry any Unicode) in error_description, which §5.2 forbids.
  it.each(['', 'scope', 'é😀', 'a"b\\c', '\u202e', 'x'.repeat(100)])('keeps error_description within NQSCHAR for parameter %j', (name) => {
    const body = Buffer.from(`${encodeURIComponent(name)}=1&${encodeURIComponent(name)}=2`);
    const error = (() => {
      try {
        OAuthParams.parse(body);
      } catch (caught) {
        return caught as OAuthError;
      }
      throw new Error('expected a repeated-parameter error');
    })();
    expect(error.toJSON().error_description).toMatch(NQSCHAR);
    expect(error.toJSON().error).toBe('invalid_request');
  });

  it('keeps printable ASCII descriptions readable', () => {
    expect(OAuthError.invalidRequest('Missing required parameter "grant_type"').toJSON().error_description).toBe(
      "Missing required parameter 'grant_type'",
    );
  });
});
