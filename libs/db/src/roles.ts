// Login for cinemap's group roles. Migrations create the roles NOLOGIN; a deployment
// that wants to log in as them directly (Kubernetes: the cinemap-db-roles Secret →
// CINEMAP_{WRITER,GATEWAY,ANALYST}_PASSWORD) gives them LOGIN and a password here.
import type { Queryable } from './db';

export const ROLE_PASSWORD_ENV = {
  cinemap_writer: 'CINEMAP_WRITER_PASSWORD',
  cinemap_gateway: 'CINEMAP_GATEWAY_PASSWORD',
  cinemap_analyst: 'CINEMAP_ANALYST_PASSWORD',
} as const;

export type CinemapRole = keyof typeof ROLE_PASSWORD_ENV;

/** Sets LOGIN + password for each role given; returns the roles changed. */
export async function setRolePasswords(db: Queryable, passwords: Partial<Record<CinemapRole, string>>): Promise<CinemapRole[]> {
  const changed: CinemapRole[] = [];
  for (const role of Object.keys(ROLE_PASSWORD_ENV) as CinemapRole[]) {
    const pw = passwords[role];
    if (!pw) continue;
    // Passwords cannot be bound parameters in ALTER ROLE: quote them with format(%L).
    const [{ stmt }] = await db.query<{ stmt: string }>("SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', $1::text, $2::text) AS stmt", [
      role,
      pw,
    ]);
    await db.exec(stmt);
    changed.push(role);
  }
  return changed;
}
