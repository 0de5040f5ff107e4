import { randomUUID, webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Clock } from '../common/clock';
import type { DpopConfig } from '../config/dpop.config';
import type { ReplayCache } from '../replay/replay-cache.service';
import type { DpopNonces } from './dpop-nonces.service';
import { dpopHeaders, DpopProofVerifier } from './dpop-proof-verifier.service';

const NOW = Date.UTC(2026, 0, 1);
const config: DpopConfig = { signingAlgorithms: ['ES256', 'RS256', 'PS256'], proofMaxAge: 60, clockSkew: 5, nonceRequired: false, nonceStep: 300 };
const HTU = 'https://as.example/oauth/token';

function verifier(used = new Set<string>()): DpopProofVerifier {
  const replay = { useOnce: async (_ns: string, id: string) => (used.has(id) ? false : (used.add(id), true)) } as unknown as ReplayCache;
  const clock = Object.assign(new Clock(), { now: () => NOW });
  return new DpopProofVerifier(replay, {} as DpopNonces, clock, config);
}

async function proof(alg = 'ES256', keys?: Awaited<ReturnType<typeof generateKeyPair>>) {
  const { privateKey, publicKey } = keys ?? (await generateKeyPair(alg));
  return new SignJWT({ jti: randomUUID(), htm: 'POST', htu: HTU, iat: NOW / 1000 })
    .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
    .sign(privateKey);
}

describe('DpopProofVerifier', () => {
  it('one RSA key under RS256 and PS256: the same jkt, each verified with its own algorithm', async () => {
    const v = verifier();
    const keys = await generateKeyPair('RS256', { extractable: true });
    const rs = await v.verify({ proofs: [await proof('RS256', keys)], method: 'POST', htu: HTU });
    // PS256 with the key pair generated for RS256: WebCrypto needs a key imported for RSA-PSS.
    const psKeys = { privateKey: await importAs(keys.privateKey, 'PS256'), publicKey: keys.publicKey };
    const ps = await v.verify({ proofs: [await proof('PS256', psKeys)], method: 'POST', htu: HTU });
    expect(ps.jkt).toBe(rs.jkt);
  });

  it('keeps at most 1000 imported keys', async () => {
    const v = verifier();
    const keys = await Promise.all(Array.from({ length: 1001 }, () => generateKeyPair('ES256')));
    for (const pair of keys) await v.verify({ proofs: [await proof('ES256', pair)], method: 'POST', htu: HTU });
    expect((v as unknown as { keys: Map<string, unknown> }).keys.size).toBe(1000);
  });

  it('htu: scheme/host case and the default port are normalised; another port is another URL', async () => {
    const v = verifier();
    const keys = await generateKeyPair('ES256');
    const signed = (htu: string) =>
      exportJWK(keys.publicKey).then((jwk) => new SignJWT({ jti: randomUUID(), htm: 'POST', htu, iat: NOW / 1000 }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(keys.privateKey));
    await expect(v.verify({ proofs: [await signed('HTTPS://AS.example:443/oauth/token#x')], method: 'POST', htu: HTU })).resolves.toBeDefined();
    await expect(v.verify({ proofs: [await signed('https://as.example:8443/oauth/token')], method: 'POST', htu: HTU })).rejects.toMatchObject({ kind: 'invalid_dpop_proof' });
    await expect(v.verify({ proofs: [await signed('https://as.example/oauth/./token')], method: 'POST', htu: HTU })).resolves.toBeDefined();
  });
});

describe('dpopHeaders', () => {
  it('counts repeated headers and comma-joined values as several proofs', () => {
    expect(dpopHeaders(['Host', 'x', 'DPoP', 'a.b.c'])).toEqual(['a.b.c']);
    expect(dpopHeaders(['dpop', 'a.b.c', 'DPOP', 'd.e.f'])).toHaveLength(2);
    expect(dpopHeaders(['DPoP', 'a.b.c, d.e.f'])).toHaveLength(2);
    expect(dpopHeaders(['Authorization', 'DPoP x'])).toEqual([]);
  });
});

type CryptoKey = webcrypto.CryptoKey;

async function importAs(privateKey: CryptoKey, alg: 'PS256'): Promise<CryptoKey> {
  const jwk = await crypto.subtle.exportKey('jwk', privateKey);
  delete jwk.alg;
  return crypto.subtle.importKey('jwk', { ...jwk, key_ops: ['sign'] }, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']) as Promise<CryptoKey>;
}
