import { Inject, Injectable, Optional } from '@nestjs/common';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { JSONWebKeySet } from 'jose';
import { Clock } from '../../common/clock';
import { runtimeConfig, RuntimeConfig } from '../../config/runtime.config';
import { blockedAddressReason, isLoopbackHost } from './outbound-address';
import { MAX_JWKS_BYTES, parsePublicJwkSet } from './public-jwk-set';

export interface JwksFetchOptions {
  /** Loopback hosts (and http to them) are reachable: development and tests only. */
  allowLoopback: boolean;
  timeoutMs: number;
  maxBytes: number;
  /** A fetched set is used this long before it is fetched again. */
  cacheTtlMs: number;
  /** At most one fetch per URI in this interval, whatever asks (unknown kid, failures). */
  minRefetchMs: number;
  /** URIs remembered at once; the oldest goes first. */
  maxEntries: number;
}

export class JwksFetchError extends Error {}

interface CacheEntry {
  jwks?: JSONWebKeySet;
  fetchedAt: number;
  /** Last attempt, successful or not (the refetch rate limit). */
  attemptedAt: number;
  error?: string;
  inFlight?: Promise<JSONWebKeySet>;
}

export const JWKS_FETCH_DEFAULTS: Omit<JwksFetchOptions, 'allowLoopback'> = {
  timeoutMs: 3000,
  maxBytes: MAX_JWKS_BYTES,
  cacheTtlMs: 5 * 60_000,
  minRefetchMs: 30_000,
  maxEntries: 1000,
};

/**
 * Fetches a client's `jwks_uri` without letting a registration turn the server into a proxy into
 * its own network (SSRF): https only (http only to loopback, and loopback only outside production),
 * every address the name resolves to is checked before connecting — in the socket's own lookup, so
 * a DNS answer that changes between check and connect (rebinding) is checked too —, no redirects
 * (a 3xx is a failure), a deadline for the whole exchange, a size cap while reading, and a cache
 * with a per-URI refetch limit so assertions cannot make the server fetch on demand.
 */
@Injectable()
export class JwksFetcher {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly options: JwksFetchOptions;

  constructor(
    private readonly clock: Clock,
    @Optional() options?: JwksFetchOptions,
    @Optional() @Inject(runtimeConfig.KEY) runtime?: RuntimeConfig,
  ) {
    // Loopback is how a developer runs a client next to the server; in production it would let
    // a registration reach the server's own admin or metrics ports.
    this.options = options ?? { ...JWKS_FETCH_DEFAULTS, allowLoopback: !runtime?.production };
  }

  /**
   * The client's key set: from the cache while fresh; `refresh` (an unknown kid) fetches again
   * unless the URI was fetched within minRefetchMs.
   */
  async get(uri: string, refresh = false): Promise<JSONWebKeySet> {
    const now = this.clock.now();
    const entry = this.cache.get(uri);
    if (entry?.inFlight) return entry.inFlight;
    if (entry) {
      const fresh = entry.jwks !== undefined && now - entry.fetchedAt < this.options.cacheTtlMs && !refresh;
      const limited = now - entry.attemptedAt < this.options.minRefetchMs;
      if (fresh || (limited && entry.jwks !== undefined)) return entry.jwks!;
      if (limited) throw new JwksFetchError(entry.error ?? 'jwks_uri fetch failed recently');
    }
    const next: CacheEntry = { jwks: entry?.jwks, fetchedAt: entry?.fetchedAt ?? 0, attemptedAt: now };
    next.inFlight = this.fetch(uri).then(
      (jwks) => {
        Object.assign(next, { jwks, fetchedAt: this.clock.now(), error: undefined, inFlight: undefined });
        return jwks;
      },
      (error: unknown) => {
        // A failed fetch keeps no stale set past its TTL use: the client's keys are unknown.
        Object.assign(next, { jwks: undefined, error: (error as Error).message, inFlight: undefined });
        throw error;
      },
    );
    this.remember(uri, next);
    return next.inFlight;
  }

  private remember(uri: string, entry: CacheEntry): void {
    this.cache.delete(uri);
    this.cache.set(uri, entry);
    while (this.cache.size > this.options.maxEntries) this.cache.delete(this.cache.keys().next().value!);
  }

  private async fetch(uri: string): Promise<JSONWebKeySet> {
    const url = this.checkedUrl(uri);
    const body = await this.download(url);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new JwksFetchError('jwks_uri did not answer JSON');
    }
    try {
      return await parsePublicJwkSet(parsed);
    } catch (error) {
      throw new JwksFetchError(`jwks_uri: ${(error as Error).message}`);
    }
  }

  private checkedUrl(uri: string): URL {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new JwksFetchError('jwks_uri is not a URL');
    }
    const loopback = isLoopbackHost(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new JwksFetchError('jwks_uri must be https (http only to loopback)');
    if (url.username || url.password) throw new JwksFetchError('jwks_uri must not carry credentials');
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    // An IP literal is connected to without a lookup: check it here.
    if (isIP(literal) !== 0) {
      const reason = blockedAddressReason(literal, this.options.allowLoopback);
      if (reason) throw new JwksFetchError(`jwks_uri host is a ${reason}`);
    }
    // A name (localhost included) is checked on the addresses it resolves to, in download()'s lookup.
    return url;
  }

  private download(url: URL): Promise<string> {
    const { timeoutMs, maxBytes, allowLoopback } = this.options;
    const lookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, '', 0);
        const list = addresses as LookupAddress[];
        // Every answer is checked, not only the one used: a mixed answer is refused outright.
        const bad = list.map((a) => blockedAddressReason(a.address, allowLoopback)).find(Boolean);
        if (bad || list.length === 0) return callback(new JwksFetchError(`jwks_uri host resolves to a ${bad ?? 'nothing'}`), '', 0);
        if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        callback(null, list[0].address, list[0].family);
      });
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<string>((resolve, reject) => {
      const req = send(url, { method: 'GET', lookup, agent: false, headers: { accept: 'application/jwk-set+json, application/json' } });
      const fail = (error: Error) => {
        clearTimeout(timer);
        req.destroy();
        reject(error instanceof JwksFetchError ? error : new JwksFetchError(`jwks_uri fetch failed: ${error.message}`));
      };
      // One deadline for connect, headers and body: a slow-drip server cannot hold the request.
      const timer = setTimeout(() => fail(new JwksFetchError(`jwks_uri did not answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', fail);
      req.on('response', (res: IncomingMessage) => {
        // No redirects: a 3xx could point anywhere, including inside our network.
        if (res.statusCode !== 200) return fail(new JwksFetchError(`jwks_uri answered HTTP ${res.statusCode}${res.statusCode! >= 300 && res.statusCode! < 400 ? ' (redirects are not followed)' : ''}`));
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) return fail(new JwksFetchError(`jwks_uri answer is larger than ${maxBytes} bytes`));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return fail(new JwksFetchError(`jwks_uri answer is larger than ${maxBytes} bytes`));
          chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          if (size <= maxBytes) resolve(Buffer.concat(chunks).toString('utf8'));
        });
      });
      req.end();
    });
  }
}
