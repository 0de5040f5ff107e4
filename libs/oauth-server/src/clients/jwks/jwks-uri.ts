import { isLoopbackHost } from './outbound-address';

/**
 * Why a jwks_uri cannot be registered, or undefined. An absolute https URL without credentials or
 * fragment; http only to a loopback host (development). Where it may connect is decided again at
 * each fetch (JwksFetcher: resolved addresses, production refuses loopback).
 */
export function jwksUriProblem(uri: string): string | undefined {
  if (uri.length > 2048) return 'jwks_uri is longer than 2048 characters';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'jwks_uri must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) return 'jwks_uri must be https (http only to a loopback host)';
  if (url.username || url.password) return 'jwks_uri must not carry credentials';
  if (url.hash) return 'jwks_uri must not have a fragment';
  return undefined;
}
