import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DatabaseUnavailableError, hashRefreshToken, mintRefreshToken, type RefreshTokenStore, type StoredRefreshToken, TokenFamilyEntity, type Transactions } from 'nest-oauth-server';

/** What one adapter under test provides. */
export interface StorageContractSubject {
  store: RefreshTokenStore;
  transactions: Transactions;
  /** An existing client id (families reference their client). */
  clientId: string;
  now(): number;
  /** The unit-of-work deadline the subject was booted with, in ms. */
  timeoutMs: number;
  /** True when writes of an open transaction are invisible to other connections (not SQLite's single connection). */
  isolatedConnections: boolean;
  /** The number of families of `familyId` seen from outside any unit of work, on another connection where there is one. */
  familiesSeenOutside(familyId: string): Promise<number>;
  close(): Promise<void>;
}

/** Settles with `promise`, or fails the test once `ms` passed: a deadlock shows as this failure, not as a hung suite. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The contract every RefreshTokenStore adapter, with the Transactions it joins, must pass. Called
 * once per adapter and driver (test/storage-contract.e2e-spec.ts; PostgreSQL with jest.pg.config.js).
 */
export function refreshTokenStoreContract(adapter: string, boot: () => Promise<StorageContractSubject>): void {
  describe(`RefreshTokenStore contract: ${adapter}`, () => {
    let s: StorageContractSubject;

    beforeAll(async () => {
      s = await boot();
    });
    afterAll(() => s.close());

    function newFamily(now = s.now()) {
      const family = Object.assign(new TokenFamilyEntity(), {
        id: randomUUID(),
        clientId: s.clientId,
        subject: 'contract',
        scope: 'read',
        createdAt: now,
        expiresAt: now + 3_600_000,
        lastUsedAt: now,
        revokedAt: null,
        revokedReason: null,
        dpopJkt: null,
      });
      const first = mintRefreshToken({ familyId: family.id, parentId: null, generation: 0, issuedAt: now, idleTtlSeconds: 600 });
      return { family, first };
    }

    async function storedFamily(): Promise<{ value: string; stored: StoredRefreshToken }> {
      const { family, first } = newFamily();
      await s.store.createFamily(family, first.entity);
      return { value: first.value, stored: (await s.store.findByHash(first.entity.tokenHash))! };
    }

    const successorOf = (stored: StoredRefreshToken, now = s.now()) =>
      mintRefreshToken({ familyId: stored.family.id, parentId: stored.token.id, generation: stored.token.generation + 1, issuedAt: now, idleTtlSeconds: 600 });

    /** A custom grant's work: consume its own record (here: a refresh token) and start a new family, in one unit. */
    async function consumeAndStart(stored: StoredRefreshToken) {
      const { family, first } = newFamily();
      const consumed = await s.store.consume(stored.token, successorOf(stored).entity, s.now());
      if (!consumed) throw new Error('already consumed');
      await s.store.createFamily(family, first.entity);
      return family;
    }

    it('stores a family with its first token and finds it by hash; an unknown hash is null', async () => {
      const { stored } = await storedFamily();
      expect(stored.token).toMatchObject({ parentId: null, generation: 0, consumedAt: null });
      expect(stored.family).toMatchObject({ clientId: s.clientId, subject: 'contract', scope: 'read', revokedAt: null });
      expect(await s.store.findByHash(hashRefreshToken('no such token'))).toBeNull();
    });

    it('compare-and-set rotation: of many concurrent consumes of one token exactly one wins, and only its successor is stored', async () => {
      const { stored } = await storedFamily();
      const successors = Array.from({ length: 8 }, () => successorOf(stored));
      const results = await Promise.all(successors.map((successor) => s.store.consume(stored.token, successor.entity, s.now())));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = successors[results.indexOf(true)];
      expect((await s.store.findSuccessor(stored.token.id))?.id).toBe(winner.entity.id);
      for (const loser of successors.filter((_, index) => !results[index])) expect(await s.store.findByHash(loser.entity.tokenHash)).toBeNull();
    });

    it('revokes a family once (its first reason stays), after which none of its tokens rotates', async () => {
      const { stored } = await storedFamily();
      expect(await s.store.revokeFamily(stored.family.id, s.now(), 'first')).toBe(true);
      expect(await s.store.revokeFamily(stored.family.id, s.now(), 'second')).toBe(false);
      expect((await s.store.findByHash(stored.token.tokenHash))!.family).toMatchObject({ revokedAt: s.now(), revokedReason: 'first' });
      expect(await s.store.consume(stored.token, successorOf(stored).entity, s.now())).toBe(false);
      expect(await s.store.liveFamilies({ id: stored.family.id }, s.now())).toEqual([]);
    });

    it('counts replays of an unused successor up to the limit', async () => {
      const { stored } = await storedFamily();
      const successor = successorOf(stored);
      await s.store.consume(stored.token, successor.entity, s.now());
      expect([await s.store.recordReplay(successor.entity.id, 2), await s.store.recordReplay(successor.entity.id, 2), await s.store.recordReplay(successor.entity.id, 2)]).toEqual([true, true, false]);
    });

    it('a custom-grant-like unit (consume own record + start a family) commits both, without deadlock', async () => {
      const { stored } = await storedFamily();
      const family = await within(s.transactions.run(() => consumeAndStart(stored)), Math.min(2000, s.timeoutMs / 2), 'the unit of work');
      expect((await s.store.findByHash(stored.token.tokenHash))!.token.consumedAt).not.toBeNull();
      expect(await s.familiesSeenOutside(family.id)).toBe(1);
      // The store still answers calls made outside any unit of work.
      await within(storedFamily(), 2000, 'a call after the unit of work');
    });

    it('a unit that fails after both writes leaves neither behind (rollback undoes both)', async () => {
      const { stored } = await storedFamily();
      let familyId = '';
      const failing = s.transactions.run(async () => {
        familyId = (await consumeAndStart(stored)).id;
        throw new Error('the grant failed after both writes');
      });
      await expect(within(failing, 2000, 'the failing unit')).rejects.toThrow('the grant failed after both writes');
      expect((await s.store.findByHash(stored.token.tokenHash))!.token.consumedAt).toBeNull();
      expect(await s.familiesSeenOutside(familyId)).toBe(0);
      // Rolled back whole, the same unit can run again and win.
      await s.transactions.run(() => consumeAndStart(stored));
    });

    it('the same race inside units of work still has exactly one winner, and the losers store nothing', async () => {
      const { stored } = await storedFamily();
      const outcomes = await within(Promise.allSettled(Array.from({ length: 4 }, () => s.transactions.run(() => consumeAndStart(stored)))), 5000, 'racing units');
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome as PromiseRejectedResult).reason.message)).toEqual(['already consumed', 'already consumed', 'already consumed']);
    });

    it('before the commit, the unit\'s writes are its own (invisible to other connections where there are any)', async () => {
      const { family, first } = newFamily();
      let seenInside = -1;
      await s.transactions.run(async () => {
        await s.store.createFamily(family, first.entity);
        // Inside the unit, its own write is there.
        expect(await s.store.findByHash(first.entity.tokenHash)).not.toBeNull();
        if (s.isolatedConnections) seenInside = await s.familiesSeenOutside(family.id);
      });
      if (s.isolatedConnections) expect(seenInside).toBe(0);
      expect(await s.familiesSeenOutside(family.id)).toBe(1);
    });

    it('a nested run joins the outer one: the outer failure undoes the inner writes too', async () => {
      const { stored } = await storedFamily();
      let familyId = '';
      await expect(
        s.transactions.run(async () => {
          familyId = (await s.transactions.run(() => consumeAndStart(stored))).id;
          throw new Error('outer failed');
        }),
      ).rejects.toThrow('outer failed');
      expect((await s.store.findByHash(stored.token.tokenHash))!.token.consumedAt).toBeNull();
      expect(await s.familiesSeenOutside(familyId)).toBe(0);
    });

    it('a failing call inside a unit is undone alone; the unit goes on and commits the rest', async () => {
      const { family, first } = newFamily();
      const duplicate = newFamily();
      await s.transactions.run(async () => {
        await s.store.createFamily(family, first.entity);
        // The same family id again: the insert fails (primary key), its savepoint rolls back, the transaction stays usable.
        await expect(s.store.createFamily(Object.assign(duplicate.family, { id: family.id }), duplicate.first.entity)).rejects.toThrow();
        await s.store.revokeFamily(family.id, s.now(), 'inside');
      });
      expect((await s.store.findByHash(first.entity.tokenHash))!.family.revokedReason).toBe('inside');
      expect(await s.store.findByHash(duplicate.first.entity.tokenHash)).toBeNull();
    });

    it('calls made concurrently inside one unit run one after another on its connection: a failing one is undone alone, the others commit', async () => {
      const families = Array.from({ length: 4 }, () => newFamily());
      const duplicate = newFamily();
      duplicate.family.id = families[1].family.id;
      const calls = [...families.slice(0, 2), duplicate, ...families.slice(2)];
      const outcomes = await within(
        s.transactions.run(() => Promise.allSettled(calls.map(({ family, first }) => s.store.createFamily(family, first.entity)))),
        3000,
        'concurrent calls',
      );
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      for (const { first } of families) expect(await s.store.findByHash(first.entity.tokenHash)).not.toBeNull();
      expect(await s.store.findByHash(duplicate.first.entity.tokenHash)).toBeNull();
    });

    it('a call made after its unit ended (from a timer set inside it) runs as a unit of its own', async () => {
      const { family, first } = newFamily();
      let later!: Promise<StoredRefreshToken | null>;
      await s.transactions.run(async () => {
        await s.store.createFamily(family, first.entity);
        later = new Promise((resolve) => setTimeout(resolve, 20)).then(() => s.store.findByHash(first.entity.tokenHash));
      });
      expect(await within(later, 2000, 'the later call')).not.toBeNull();
    });

    it('afterCommit work runs after the commit, and never after a rollback', async () => {
      const ran: string[] = [];
      await s.transactions.run(async () => {
        s.transactions.afterCommit(() => ran.push('committed'));
        expect(ran).toEqual([]);
      });
      await s.transactions.run(async () => s.transactions.afterCommit(() => ran.push('committed again')));
      await expect(
        s.transactions.run(async () => {
          s.transactions.afterCommit(() => ran.push('must not run'));
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      expect(ran).toEqual(['committed', 'committed again']);
      // A failing callback is logged, not reported as a failure of the unit that did commit.
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const { family, first } = newFamily();
      await s.transactions.run(async () => {
        await s.store.createFamily(family, first.entity);
        s.transactions.afterCommit(() => {
          throw new Error('callback failed');
        });
        s.transactions.afterCommit(() => ran.push('after the failing one'));
      });
      expect(await s.familiesSeenOutside(family.id)).toBe(1);
      expect(ran).toEqual(['committed', 'committed again', 'after the failing one']);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('callback failed'));
      logged.mockRestore();
      ran.pop();
      // Outside a unit of work there is nothing to wait for.
      s.transactions.afterCommit(() => ran.push('at once'));
      expect(ran).toEqual(['committed', 'committed again', 'at once']);
    });

    it('a sibling call rolled back does not drop the afterCommit work of another call of the unit (review M5)', async () => {
      const ran: string[] = [];
      const { family, first } = newFamily();
      const duplicate = newFamily();
      duplicate.family.id = family.id;
      // families.start's shape: a write, then its announcement registered; meanwhile a sibling fails and is caught.
      const start = async () => {
        await s.store.createFamily(family, first.entity);
        s.transactions.afterCommit(() => ran.push('announced'));
      };
      const failing = () => s.store.createFamily(duplicate.family, duplicate.first.entity).then(() => 'stored', () => 'failed');
      const [, sibling] = await s.transactions.run(() => Promise.all([start(), failing()]));
      expect(sibling).toBe('failed');
      expect(await s.familiesSeenOutside(family.id)).toBe(1);
      expect(ran).toEqual(['announced']);
      // A rolled-back nested unit still discards its own work.
      await s.transactions.run(async () => {
        await expect(
          s.transactions.run(async () => {
            s.transactions.afterCommit(() => ran.push('must not run'));
            throw new Error('inner failed');
          }),
        ).rejects.toThrow('inner failed');
        s.transactions.afterCommit(() => ran.push('outer'));
      });
      expect(ran).toEqual(['announced', 'outer']);
    });

    it('keeps the deadline: a unit outliving it is refused (nothing committed) and the store goes on answering', async () => {
      const { family, first } = newFamily();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const late = s.transactions.run(async () => {
        await s.store.createFamily(family, first.entity);
        await held;
      });
      await expect(within(late, s.timeoutMs + 2000, 'the late unit')).rejects.toBeInstanceOf(DatabaseUnavailableError);
      release();
      // The refused unit was rolled back (on SQLite at its deadline); the next calls are not stuck behind it.
      await within(storedFamily(), 3000, 'a call after the refused unit');
      expect(await s.familiesSeenOutside(family.id)).toBe(0);
    });

    it('a unit still awaiting something else at its deadline releases the database at once, and its later calls fail (review M1)', async () => {
      const { family, first } = newFamily();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let later: Promise<unknown> | undefined;
      const hung = s.transactions.run(async () => {
        await s.store.createFamily(family, first.entity);
        await held; // a grant awaiting a hung upstream call: I/O that does not belong inside run()
        later = s.store.revokeFamily(family.id, s.now(), 'after the deadline');
        await later;
      });
      await expect(within(hung, s.timeoutMs + 2000, 'the hung unit')).rejects.toBeInstanceOf(DatabaseUnavailableError);
      // Its work is still pending, yet every other call goes on (on SQLite: the one queue was released).
      await within(storedFamily(), 2000, 'a call while the refused unit still runs');
      expect(await s.familiesSeenOutside(family.id)).toBe(0);
      release();
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The refused unit's later calls fail: they neither start a unit of their own nor join another's.
      await expect(later).rejects.toBeInstanceOf(DatabaseUnavailableError);
      expect(await s.familiesSeenOutside(family.id)).toBe(0);
    });
  });
}
