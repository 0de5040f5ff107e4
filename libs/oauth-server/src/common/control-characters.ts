/**
 * No OAuth parameter admits control characters (RFC 6749 Appendix A: VSCHAR/NQCHAR/
 * UNICODECHARNOCRLF), and a NUL breaks PostgreSQL queries (it is refused). The one pattern every
 * check that keeps them out uses: form parsing, client credentials, login subjects, RPC messages.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}
