import { corsOriginProblem, validCorsOrigins } from './cors-origin';

describe('corsOriginProblem', () => {
  it.each([
    'https://app.example',
    'https://app.example:8443',
    'http://localhost:8080',
    'http://127.0.0.1:5173',
    'http://[::1]:3000',
    'https://xn--bcher-kva.example',
  ])('accepts %s', (origin) => {
    expect(corsOriginProblem(origin)).toBeNull();
  });

  it.each([
    ['https://app.example/', 'path'],
    ['https://app.example/spa', 'path'],
    ['https://*.app.example', 'wildcard'],
    ['*', 'wildcard'],
    ['http://app.example', 'https'],
    ['http://10.0.0.1:8080', 'https'],
    ['ftp://app.example', 'https'],
    ['null', 'scheme://host'],
    ['app.example', 'scheme://host'],
    ['https://App.Example', 'exactly'],
    ['https://app.example:443', 'exactly'],
    ['https://app.example?x=1', 'only'],
    ['https://app.example#x', 'only'],
    ['https://user@app.example', 'only'],
  ])('refuses %s (%s)', (origin, reason) => {
    expect(corsOriginProblem(origin)).toContain(reason);
  });

  it('refuses an overlong origin', () => {
    expect(corsOriginProblem(`https://${'a'.repeat(2000)}.example`)).toContain('longer');
  });

  it('de-duplicates a valid list and throws the first problem of a bad one', () => {
    expect(validCorsOrigins(['https://a.example', 'https://a.example'], (p) => new Error(p))).toEqual(['https://a.example']);
    expect(() => validCorsOrigins(['https://a.example', 'https://b.example/'], (p) => new Error(p))).toThrow('path');
  });
});
