/** The `kid` and `alg` a token is signed with, for its JOSE header. */
export interface SignerKeyRef {
  kid: string;
  alg: string;
}

/**
 * Signs access tokens. TokenIssuer knows only this contract, so the private key may live elsewhere
 * (a KMS or HSM signer implementing it) without TokenIssuer changing. The local implementation
 * signs with the active key of SigningKeysService.
 */
export abstract class AccessTokenSigner {
  /** Returns a compact JWS over `payload`; `header` is merged into the JOSE header (typ...). */
  abstract sign(payload: Record<string, unknown>, header: Record<string, unknown>): string;
}
