import { redirectUriProblem } from './redirect-uri';

describe('redirectUriProblem (RFC 6749 §3.1.2)', () => {
  it.each(['https://app.example/callback', 'http://127.0.0.1:8080/cb?x=1', 'com.example.app:/oauth2redirect'])('accepts %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeNull();
  });

  it.each([
    ['/callback', /absolute/],
    ['callback', /absolute/],
    ['https://app.example/cb#frag', /fragment/],
    ['https://app.example/cb#', /fragment/],
    ['javascript:alert(1)', /scheme/],
    ['data:text/html,hi', /scheme/],
    ['https://app.example/a b', /whitespace/],
    [`https://app.example/${'a'.repeat(2000)}`, /longer/],
  ])('rejects %s', (uri, problem) => {
    expect(redirectUriProblem(uri)).toMatch(problem);
  });
});
