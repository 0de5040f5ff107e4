import { OAuthError } from './oauth-error';
import { OAuthParams } from './oauth-params';

const parse = (body: string | Buffer) => OAuthParams.parse(Buffer.isBuffer(body) ? body : Buffer.from(body));

describe('OAuthParams.parse (application/x-www-form-urlencoded, RFC 6749 Appendix B)', () => {
  it('decodes + as space and percent-escapes as UTF-8', () => {
    const params = parse('scope=read+write&name=J%C3%BCrgen%20x');
    expect(params.get('scope')).toBe('read write');
    expect(params.get('name')).toBe('Jürgen x');
  });

  it('treats empty values as omitted (RFC 6749 §3.2)', () => {
    const params = parse('a=&b&c=1');
    expect(params.has('a')).toBe(false);
    expect(params.has('b')).toBe(false);
    expect(params.get('c')).toBe('1');
  });

  it.each([
    ['a repeated parameter', 'a=1&a=2'],
    ['bad percent-encoding', 'a=%zz'],
    ['percent-encoded invalid UTF-8', 'a=%ff'],
    ['a control character', 'a=1%0A'],
    ['too many parameters', Array.from({ length: 65 }, (_, i) => `p${i}=1`).join('&')],
  ])('rejects %s with invalid_request', (_name, body) => {
    expect(() => parse(body)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('rejects a body that is not UTF-8', () => {
    expect(() => parse(Buffer.from([0x61, 0x3d, 0xc3]))).toThrow(OAuthError);
  });

  it('require() names the missing parameter', () => {
    expect(() => parse('a=1').require('grant_type')).toThrow(/grant_type/);
  });
});
