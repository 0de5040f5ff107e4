import { ClientCache } from './client-cache';

describe('ClientCache', () => {
  let now: number;
  let version: number;
  let versionReads: number;
  let loads: number;
  let stored: Map<string, string>;
  const readVersion = async () => {
    versionReads++;
    return String(version);
  };
  const load = (id: string) => async () => {
    loads++;
    return stored.get(id) ?? null;
  };
  const cache = (maxStalenessMs = 1000, capacity = 10) => new ClientCache<string>(readVersion, maxStalenessMs, capacity, () => now);

  beforeEach(() => {
    now = 0;
    version = 1;
    versionReads = 0;
    loads = 0;
    stored = new Map([['a', 'row a'], ['b', 'row b']]);
  });

  it('keeps a row (and an unknown id as null) between lookups: one load each, one version read per staleness window', async () => {
    const c = cache();
    expect(await c.get('a', load('a'))).toBe('row a');
    expect(await c.get('a', load('a'))).toBe('row a');
    expect(await c.get('nope', load('nope'))).toBeNull();
    expect(await c.get('nope', load('nope'))).toBeNull();
    expect(loads).toBe(2);
    expect(versionReads).toBe(1);
  });

  it('invalidate(): the next lookup reads the row again', async () => {
    const c = cache();
    await c.get('a', load('a'));
    stored.set('a', 'row a, disabled');
    c.invalidate();
    expect(await c.get('a', load('a'))).toBe('row a, disabled');
  });

  it('a row read while an invalidation happened is not kept', async () => {
    const c = cache();
    let release!: () => void;
    const slow = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return 'row a, before the write';
    };
    const pending = c.get('a', slow);
    await new Promise((resolve) => setImmediate(resolve));
    stored.set('a', 'row a, after the write');
    c.invalidate();
    release();
    expect(await pending).toBe('row a, before the write');
    expect(await c.get('a', load('a'))).toBe('row a, after the write');
  });

  it('a write elsewhere (version bumped) is seen once the staleness window has passed, not before', async () => {
    const c = cache(1000);
    await c.get('a', load('a'));
    stored.set('a', 'row a, rotated elsewhere');
    version++;
    now = 999;
    expect(await c.get('a', load('a'))).toBe('row a');
    now = 1000;
    expect(await c.get('a', load('a'))).toBe('row a, rotated elsewhere');
  });

  it('an unchanged version keeps the rows', async () => {
    const c = cache(1000);
    await c.get('a', load('a'));
    now = 5000;
    await c.get('a', load('a'));
    expect(loads).toBe(1);
    expect(versionReads).toBe(2);
  });

  it('staleness 0: the version is read before every lookup, so a write elsewhere is seen by the next one', async () => {
    const c = cache(0);
    await c.get('a', load('a'));
    stored.set('a', 'row a, updated elsewhere');
    version++;
    expect(await c.get('a', load('a'))).toBe('row a, updated elsewhere');
    expect(versionReads).toBe(2);
  });

  it('concurrent lookups share one version read', async () => {
    const c = cache(1000);
    await Promise.all([c.get('a', load('a')), c.get('b', load('b')), c.get('a', load('a'))]);
    expect(versionReads).toBe(1);
  });

  it('a failed version read fails the lookup (as the database read would) and is retried by the next', async () => {
    const failing = new ClientCache<string>(async () => {
      versionReads++;
      if (versionReads === 1) throw new Error('database down');
      return '1';
    }, 1000, 10, () => now);
    await expect(failing.get('a', load('a'))).rejects.toThrow('database down');
    expect(await failing.get('a', load('a'))).toBe('row a');
  });

  it('holds at most `capacity` ids, evicting the least recently used', async () => {
    const c = cache(1000, 2);
    await c.get('a', load('a'));
    await c.get('b', load('b'));
    await c.get('a', load('a'));
    await c.get('x', load('x'));
    loads = 0;
    await c.get('a', load('a'));
    expect(loads).toBe(0);
    await c.get('b', load('b'));
    expect(loads).toBe(1);
  });
});
