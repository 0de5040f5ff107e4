// Resource servers verifying the service's access tokens (RFC 9068) from its jwks_uri:
//  - jose 6: createRemoteJWKSet + jwtVerify
//  - passport-jwt 4 + jwks-rsa 4 in an Express app, pinned to algorithms: ['ES256'].
// Input: ISSUER, AUDIENCE, TOKENS (a JSON array). Output: per token, what each verifier said.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import express from 'express';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import jwksRsa from 'jwks-rsa';
import { print } from './user-agent.mjs';

const { ISSUER, AUDIENCE, TOKENS } = process.env;
const tokens = JSON.parse(TOKENS);
const jwksUri = `${ISSUER}/.well-known/jwks.json`;

const JWKS = createRemoteJWKSet(new URL(jwksUri));
const viaJose = async (token) => {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, JWKS, { issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', algorithms: ['ES256'] });
    return { ok: true, sub: payload.sub, typ: protectedHeader.typ };
  } catch (error) {
    return { ok: false, code: error.code };
  }
};

passport.use(
  new JwtStrategy(
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: jwksRsa.passportJwtSecret({ jwksUri, cache: true, rateLimit: true }),
      issuer: ISSUER,
      audience: AUDIENCE,
      // RFC 8725 §3.1: accept only the algorithm the service signs with (jwks-rsa 4 serves EC keys).
      algorithms: ['ES256'],
    },
    (payload, done) => done(null, { sub: payload.sub, scope: payload.scope }),
  ),
);
const app = express();
app.use(passport.initialize());
app.get('/me', passport.authenticate('jwt', { session: false }), (req, res) => res.json(req.user));
const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
const viaPassport = async (token) => {
  const res = await fetch(`http://127.0.0.1:${server.address().port}/me`, { headers: { authorization: `Bearer ${token}` } });
  return res.ok ? { ok: true, sub: (await res.json()).sub } : { ok: false, status: res.status };
};

const results = [];
for (const token of tokens) results.push({ jose: await viaJose(token), passport: await viaPassport(token) });
server.close();
print(results);
