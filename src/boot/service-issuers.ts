import type { DatabaseService } from 'nest-oauth-server';

/** Issuers seen at a server boot within this long count as "the servers' issuer". */
const RECENT_MS = 7 * 24 * 3600 * 1000;

/**
 * Every server records the issuer it booted with (service_issuers). Instances of one deployment
 * must share one issuer: a token signed under another is inactive at the others' introspection and
 * rejected by resource servers that check `iss` (RFC 9068 §4, RFC 8414 §2).
 */
export async function recordServerIssuer(database: DatabaseService, issuer: string, now: number): Promise<string[]> {
  const others = (await recentIssuers(database, now)).filter((other) => other !== issuer);
  await database.sqlRun((sql) =>
    sql.run(
      'INSERT INTO service_issuers (issuer, last_booted_at) VALUES ($1, $2) ON CONFLICT (issuer) DO UPDATE SET last_booted_at = excluded.last_booted_at',
      [issuer, now],
    ),
  );
  return others;
}

/** Issuers servers booted with recently, newest first. */
export async function recentIssuers(database: DatabaseService, now: number): Promise<string[]> {
  const rows = await database.sqlRun((sql) =>
    sql.all<{ issuer: string }>('SELECT issuer FROM service_issuers WHERE last_booted_at >= $1 ORDER BY last_booted_at DESC', [now - RECENT_MS]),
  );
  return rows.map((row) => row.issuer);
}

export function issuerMismatchWarning(issuer: string, others: string[], who: 'this server' | 'this CLI'): string {
  return `${who} uses ISSUER "${issuer}" but servers on this database recently booted with ${others.map((other) => `"${other}"`).join(', ')}: tokens signed under one are inactive at the other; set the same ISSUER everywhere`;
}
