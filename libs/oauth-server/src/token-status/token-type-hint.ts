/** RFC 7009 §2.1 / RFC 7662 §2.1 `token_type_hint` values this service issues tokens for. */
export const TOKEN_TYPE_HINTS = ['access_token', 'refresh_token'] as const;
export type TokenTypeHint = (typeof TOKEN_TYPE_HINTS)[number];

export function isTokenTypeHint(value: string | undefined): value is TokenTypeHint {
  return (TOKEN_TYPE_HINTS as readonly string[]).includes(value as string);
}
