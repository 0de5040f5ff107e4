import { s256Challenge, verifierMatches } from './pkce';

describe('PKCE S256 (RFC 7636)', () => {
  // RFC 7636 Appendix B.
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

  it('computes the Appendix B challenge', () => {
    expect(s256Challenge(verifier)).toBe(challenge);
  });

  it.each([
    ['the right verifier', verifier, true],
    ['another verifier', `${verifier.slice(0, -1)}Y`, false],
    ['a verifier shorter than 43 characters', 'abc', false],
    ['a verifier with characters outside unreserved', `${verifier}!`, false],
    ['the challenge itself (plain)', challenge, false],
  ])('%s → %s', (_name, candidate, expected) => {
    expect(verifierMatches(candidate, challenge)).toBe(expected);
  });
});
