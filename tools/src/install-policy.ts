// Checks package.json's install policy against package-lock.json, so `npm ci` stays
// quiet and deliberate: every locked package with an install script is named in
// allowScripts (true: must run, false: denied), each entry has its one-line reason in
// "//allowScripts" ("allow: ..." / "deny: ..."), and engines.node is a floor that every
// locked package accepts (otherwise npm ci prints EBADENGINE on that very Node).
import semver from 'semver';

export interface PackageJson {
  engines?: { node?: string };
  allowScripts?: Record<string, boolean>;
  '//allowScripts'?: Record<string, string>;
}
export interface LockFile {
  packages: Record<string, { version?: string; hasInstallScript?: boolean; inBundle?: boolean; engines?: { node?: string } | string[] }>;
}

/** "node_modules/a/node_modules/@b/c" -> "@b/c" */
export const lockName = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

export function installScriptProblems(pkg: PackageJson, lock: LockFile): string[] {
  const out: string[] = [];
  const policy = pkg.allowScripts ?? {};
  const reasons = pkg['//allowScripts'] ?? {};
  const withScripts = new Set<string>();
  for (const [path, p] of Object.entries(lock.packages)) {
    // npm never runs a bundled dependency's scripts, whatever the policy says.
    if (!path || !p.hasInstallScript || p.inBundle) continue;
    const name = lockName(path);
    withScripts.add(name);
    if (!(name in policy))
      out.push(
        `${name}@${p.version} has an install script that allowScripts does not name: read it, then add "${name}": true (must run) or false (deny) and its reason in "//allowScripts"`,
      );
  }
  for (const [key, value] of Object.entries(policy)) {
    // The lockfile records no resolved URLs (omit-lockfile-registry-resolved), so npm cannot
    // verify a pinned version and refuses a pinned allow: entries must be bare names.
    if (/.@/.test(key))
      out.push(`allowScripts "${key}": use the bare name; npm refuses a version-pinned allow when the lockfile has no resolved URLs`);
    if (typeof value !== 'boolean') out.push(`allowScripts "${key}": the value must be true or false, not ${JSON.stringify(value)}`);
    if (!withScripts.has(key))
      out.push(
        `allowScripts "${key}": no locked package of that name has an install script any more; remove it (npm install-scripts prune)`,
      );
    const reason = reasons[key];
    const verb = value === true ? 'allow' : 'deny';
    if (!reason) out.push(`allowScripts "${key}" has no reason: add "${key}": "${verb}: <why>" to "//allowScripts"`);
    else if (!reason.startsWith(`${verb}: `))
      out.push(`"//allowScripts" "${key}" must start with "${verb}: " (allowScripts says ${value})`);
  }
  for (const key of Object.keys(reasons))
    if (!(key in policy)) out.push(`"//allowScripts" "${key}" explains an entry allowScripts does not have`);
  return out;
}

/** Locked packages whose engines.node rejects `version` (the floor, or a Node CI runs). */
export function enginesRejecting(lock: LockFile, version: string): string[] {
  const out: string[] = [];
  for (const [path, p] of Object.entries(lock.packages)) {
    const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
    if (!path || !range) continue;
    if (!semver.satisfies(version, range)) out.push(`${lockName(path)}@${p.version} needs Node ${range}`);
  }
  return out;
}
