import { blockedAddressReason, isLoopbackHost } from './outbound-address';
import { jwksUriProblem } from './jwks-uri';

describe('jwks_uri address rules', () => {
  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('lets the public address %s through', (address) => {
    expect(blockedAddressReason(address, false)).toBeUndefined();
  });

  it.each([
    '10.1.2.3',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '::',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '64:ff9b::10.0.0.1',
  ])('refuses %s', (address) => {
    expect(blockedAddressReason(address, true)).toMatch(/private, link-local or reserved/);
  });

  it('treats loopback (also mapped) as allowed only when told so', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(blockedAddressReason(address, true)).toBeUndefined();
      expect(blockedAddressReason(address, false)).toBe('loopback address');
    }
  });

  it('knows loopback hosts by name and literal', () => {
    expect(['localhost', '127.0.0.1', '[::1]'].map(isLoopbackHost)).toEqual([true, true, true]);
    expect(['example.com', '10.0.0.1', '[fe80::1]'].map(isLoopbackHost)).toEqual([false, false, false]);
  });

  it('registration: https, or http to loopback; no credentials or fragment', () => {
    expect(jwksUriProblem('https://keys.example/jwks')).toBeUndefined();
    expect(jwksUriProblem('http://localhost:8080/jwks')).toBeUndefined();
    expect(jwksUriProblem('http://keys.example/jwks')).toMatch(/https/);
    expect(jwksUriProblem('ftp://keys.example/jwks')).toMatch(/https/);
    expect(jwksUriProblem('https://u:p@keys.example/jwks')).toMatch(/credentials/);
    expect(jwksUriProblem('https://keys.example/jwks#x')).toMatch(/fragment/);
    expect(jwksUriProblem('/relative')).toMatch(/absolute/);
  });
});
