// Python baselines (pandas for parsing, PyTorch for the fast.ai reference) come from
// Debian's packages: the machine's default python3 may be another interpreter without
// them. Installed here when missing and we may (root with apt-get); otherwise the
// caller's row says why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const installed = new Set<string>();

/** A python3 that can `import <module>`, installing Debian's `<debPackage>` when allowed. */
export function findPython(module: string, debPackage: string, purpose: string): string | { why: string } {
  const candidates = ['/usr/bin/python3', 'python3'];
  const has = (py: string) => spawnSync(py, ['-c', `import ${module}`], { encoding: 'utf8' }).status === 0;
  for (const py of candidates) if (has(py)) return py;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && !installed.has(debPackage)) {
    installed.add(debPackage);
    console.error(`bench: installing Debian ${debPackage} for ${purpose} …`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update', '-qq'], { stdio: 'ignore', env });
    spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-qq', debPackage], { stdio: 'ignore', env });
    if (has('/usr/bin/python3')) return '/usr/bin/python3';
    return { why: `${debPackage} could not be installed (apt-get failed)` };
  }
  return { why: `${module} is not importable and cannot be installed here (needs root and apt-get)` };
}
