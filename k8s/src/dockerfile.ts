// A small Dockerfile parser (the subset cinemap's Dockerfiles use: comments, `\`
// continuations, JSON and shell forms, global ARG defaults substituted into FROM,
// multi-stage builds) and the image rules the k8s policy also enforces:
// pinned base images, a non-root final USER, npm ci with production deps only,
// and a HEALTHCHECK where the image serves.
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name?: string;
  /** the FROM image, with global ARG defaults substituted */
  from: string;
  line: number;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export class DockerfileError extends Error {}

export function parseDockerfile(text: string, file = 'Dockerfile'): ParsedDockerfile {
  const lines = text.split(/\r?\n/);
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let l = lines[i];
    if (/^\s*(#.*)?$/.test(l)) continue;
    // Continuation lines; comment lines inside a continuation are dropped, as Docker does.
    while (/\\\s*$/.test(l) && i + 1 < lines.length) {
      l = l.replace(/\\\s*$/, ' ');
      i++;
      if (/^\s*#/.test(lines[i])) {
        l += ' \\';
        continue;
      }
      l += lines[i];
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(l);
    if (!m) throw new DockerfileError(`${file}:${start + 1}: cannot parse "${l.trim()}"`);
    if (/<</.test(m[2]) && /^(RUN|COPY)$/i.test(m[1]))
      throw new DockerfileError(`${file}:${start + 1}: heredocs are not supported by this parser`);
    instructions.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: start + 1 });
  }
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      const image = parts[0]?.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n) => {
        if (!(n in globalArgs))
          throw new DockerfileError(`${file}:${ins.line}: FROM uses $${n}, which has no ARG default before the first FROM`);
        return globalArgs[n];
      });
      if (!image) throw new DockerfileError(`${file}:${ins.line}: FROM needs an image`);
      const as = parts.findIndex((p) => p.toUpperCase() === 'AS');
      stages.push({ from: image, name: as >= 0 ? parts[as + 1] : undefined, line: ins.line, instructions: [] });
    } else if (!stages.length) {
      if (ins.keyword !== 'ARG') throw new DockerfileError(`${file}:${ins.line}: only ARG may come before the first FROM`);
      const [k, v] = ins.args.split('=');
      if (v !== undefined) globalArgs[k.trim()] = v.trim().replace(/^"(.*)"$/, '$1');
    } else stages[stages.length - 1].instructions.push(ins);
  }
  if (!stages.length) throw new DockerfileError(`${file}: no FROM instruction`);
  return { globalArgs, stages };
}

export interface DockerfileRules {
  /** require a HEALTHCHECK in the final stage (images that serve) */
  healthcheck?: boolean;
}

export interface DockerViolation {
  rule: string;
  line: number;
  message: string;
}

export function checkDockerfile(d: ParsedDockerfile, rules: DockerfileRules = {}): DockerViolation[] {
  const out: DockerViolation[] = [];
  const stageNames = new Set<string>();
  for (const s of d.stages) {
    if (!stageNames.has(s.from)) {
      const at = s.from.indexOf('@');
      const ref = at >= 0 ? s.from.slice(0, at) : s.from;
      const colon = ref.lastIndexOf(':');
      const tag = colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : undefined;
      if (s.from === 'scratch') {
        /* nothing to pin */
      } else if (!tag && at < 0)
        out.push({
          rule: 'pinned-from',
          line: s.line,
          message: `FROM ${s.from} has no tag; pin a version (e.g. node:24.22.3-bookworm-slim) and ideally a digest`,
        });
      else if (tag && (tag === 'latest' || !/\d/.test(tag)))
        out.push({ rule: 'pinned-from', line: s.line, message: `FROM ${s.from}: tag "${tag}" is not a version; pin one` });
    }
    if (s.name) stageNames.add(s.name);
  }

  const final = d.stages[d.stages.length - 1];
  const users = final.instructions.filter((i) => i.keyword === 'USER');
  const last = users[users.length - 1];
  if (!last)
    out.push({
      rule: 'non-root-user',
      line: final.line,
      message: 'the final stage has no USER; add USER 1000:1000 (a numeric non-root uid)',
    });
  else {
    const user = last.args.split(':')[0];
    if (user === 'root' || user === '0')
      out.push({ rule: 'non-root-user', line: last.line, message: `the final stage runs as "${last.args}"; switch to a non-root uid` });
    else if (!/^\d+$/.test(user))
      out.push({
        rule: 'non-root-user',
        line: last.line,
        message: `USER ${last.args}: use a numeric uid so Kubernetes' runAsNonRoot can verify it`,
      });
  }

  const runs = d.stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN'));
  for (const r of runs)
    if (/\bnpm\s+(install|i)\b/.test(r.args))
      out.push({ rule: 'npm-ci', line: r.line, message: 'use "npm ci" (reproducible from package-lock.json), not "npm install"' });
  // The node_modules that reach the final stage must be production-only.
  const copied = final.instructions.filter((i) => i.keyword === 'COPY' && /--from=\S+\s+\S*node_modules/.test(i.args));
  for (const c of copied) {
    const from = /--from=(\S+)/.exec(c.args)![1];
    const src = d.stages.find((s) => s.name === from);
    if (!src?.instructions.some((i) => i.keyword === 'RUN' && /\bnpm\s+ci\b/.test(i.args) && /--omit=dev\b/.test(i.args))) {
      out.push({
        rule: 'production-deps',
        line: c.line,
        message: `node_modules copied from stage "${from}", which does not run "npm ci --omit=dev"`,
      });
    }
  }
  if (!copied.length && !final.instructions.some((i) => i.keyword === 'RUN' && /--omit=dev\b/.test(i.args))) {
    out.push({
      rule: 'production-deps',
      line: final.line,
      message: 'the final stage gets no production-only node_modules (npm ci --omit=dev)',
    });
  }

  if (rules.healthcheck) {
    const hc = final.instructions.filter((i) => i.keyword === 'HEALTHCHECK').pop();
    if (!hc || /^NONE\b/i.test(hc.args))
      out.push({ rule: 'healthcheck', line: final.line, message: 'the final stage needs a HEALTHCHECK (the image serves HTTP)' });
  }
  return out;
}
