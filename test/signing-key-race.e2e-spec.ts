import { SigningKeysService } from 'nest-oauth-server';
import { TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-database';

/**
 * Two applications with their own connections start at the same moment on an empty database: both
 * find no signing key and both try to create one. They must end up with one key, used by both.
 */
describe('signing key creation when instances start together', () => {
  it.each([1, 2, 3])('converges on one key (round %i)', async () => {
    const database = await createTestDatabase();
    // Migrate first and remove the key, so the two starts below race on the key alone.
    const first = await TestApp.create({ database });
    await first.dataSource().query('DELETE FROM signing_keys');
    await first.close();
    const apps = await Promise.all([TestApp.create({ database }), TestApp.create({ database })]);
    try {
      const [a, b] = apps.map((app) => app.get(SigningKeysService));
      expect(a.signingKey().kid).toBe(b.signingKey().kid);
      const [jwksA, jwksB] = await Promise.all([a.publicJwks(), b.publicJwks()]);
      expect(jwksA.keys).toHaveLength(1);
      expect(jwksB).toEqual(jwksA);
      const rows = await apps[0].dataSource().query('SELECT COUNT(*) AS n FROM signing_keys');
      expect(Number(rows[0].n)).toBe(1);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
      await database.drop();
    }
  });
});
