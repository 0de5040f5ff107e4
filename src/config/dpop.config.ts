import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnvironment } from './environment';

/** RFC 9449 (DPoP). Times in seconds, as in the environment. */
export const dpopConfig = registerAs('dpop', () => {
  const env = loadEnvironment();
  return {
    signingAlgorithms: [...new Set(env.DPOP_SIGNING_ALGS.split(',').map((alg) => alg.trim()))],
    proofMaxAge: env.DPOP_PROOF_MAX_AGE,
    clockSkew: env.DPOP_CLOCK_SKEW,
    nonceRequired: env.DPOP_NONCE_REQUIRED === 'true',
    /** A nonce is valid in the time step it was made and the next one (RFC 9449 §8: the server decides). */
    nonceStep: 300,
  };
});

export type DpopConfig = ConfigType<typeof dpopConfig>;
