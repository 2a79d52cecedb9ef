// A small, strict kustomize renderer: just the features cinemap's kustomizations
// use, so the overlays can be rendered and validated offline (no kubectl or
// kustomize binary on the build machines; Debian's kubectl 1.20 rejects `labels:`).
//
// Supported, with kustomize's semantics:
//   resources   files (multi-document YAML) and directories (their kustomization.yaml)
//   namespace   set on every namespaced object (not on Namespace itself)
//   labels      pairs added to metadata.labels; includeTemplates also adds them to
//               pod templates; includeSelectors: true is refused (selectors are immutable)
//   images      name -> newName / newTag / digest on containers and initContainers
//   patches     strategic-merge (a YAML object, matched by kind + name, or by target;
//               `$patch: delete` at its top removes the whole resource) and JSON 6902
//               (a YAML list of ops; needs a target)
//   configMapGenerator
//               name + files (key = file name, or key=path) + options.labels/annotations;
//               only with options.disableNameSuffixHash: true (a hashed name would need
//               kustomize's name-reference rewriting, which this renderer does not do)
// Order, as in kustomize: resources and generators, then patches, namespace, labels, images.
// Any other field is an error, so nothing is ever silently ignored.
import { readFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

export type K8sObject = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

/** A rendered object and the file it came from (for error messages). */
export interface Rendered {
  object: K8sObject;
  source: string;
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'configMapGenerator', 'images', 'patches']);

/** Kinds that are cluster-scoped (the namespace transformer leaves them alone). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
]);

export class KustomizeError extends Error {}

export function readYamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: unknown[] = [];
  for (const d of docs) {
    if (d.errors.length) throw new KustomizeError(`${file}: YAML error: ${d.errors[0].message}`);
    const v = d.toJS();
    if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}

/** Render the kustomization in `dir` (a directory holding kustomization.yaml). */
export function render(dir: string, root = dir): Rendered[] {
  const kfile = join(dir, 'kustomization.yaml');
  if (!existsSync(kfile))
    throw new KustomizeError(`${dir}: no kustomization.yaml here (resources must be files or kustomization directories)`);
  const k = parse(readFileSync(kfile, 'utf8')) ?? {};
  const where = relative(root, kfile) || kfile;
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization') {
    throw new KustomizeError(`${where}: expected apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization`);
  }
  for (const f of Object.keys(k)) {
    if (!SUPPORTED_FIELDS.has(f))
      throw new KustomizeError(
        `${where}: field "${f}" is not supported by this renderer (supported: ${[...SUPPORTED_FIELDS].join(', ')}); extend k8s/src/kustomize.ts or use a supported field`,
      );
  }

  let items: Rendered[] = [];
  for (const r of (k.resources ?? []) as string[]) {
    const p = join(dir, r);
    if (!existsSync(p)) throw new KustomizeError(`${where}: resource "${r}" does not exist`);
    if (statSync(p).isDirectory()) items.push(...render(p, root));
    else {
      for (const o of readYamlDocuments(p)) {
        assertObject(o, p);
        items.push({ object: o as K8sObject, source: relative(root, p) || p });
      }
    }
  }
  for (const [i, g] of ((k.configMapGenerator ?? []) as any[]).entries())
    items.push(generateConfigMap(g, dir, where, `${where}: configMapGenerator[${i}]`));
  checkUnique(items, where);

  for (const [i, patch] of ((k.patches ?? []) as any[]).entries()) applyPatch(items, patch, dir, `${where}: patches[${i}]`);
  if (k.namespace) {
    for (const it of items) if (!CLUSTER_SCOPED.has(it.object.kind)) it.object.metadata.namespace = k.namespace;
  }
  for (const [i, l] of ((k.labels ?? []) as any[]).entries()) applyLabels(items, l, `${where}: labels[${i}]`);
  for (const [i, img] of ((k.images ?? []) as any[]).entries()) applyImage(items, img, `${where}: images[${i}]`);
  checkUnique(items, where);
  return items;
}

function assertObject(o: unknown, file: string): asserts o is K8sObject {
  const x = o as any;
  if (
    !x ||
    typeof x !== 'object' ||
    Array.isArray(x) ||
    typeof x.apiVersion !== 'string' ||
    typeof x.kind !== 'string' ||
    typeof x.metadata?.name !== 'string'
  ) {
    throw new KustomizeError(`${file}: every document needs apiVersion, kind and metadata.name`);
  }
}

const idOf = (o: K8sObject) =>
  `${o.apiVersion.split('/').length > 1 ? o.apiVersion.split('/')[0] : ''}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function checkUnique(items: Rendered[], where: string): void {
  const seen = new Map<string, string>();
  for (const it of items) {
    const id = idOf(it.object);
    if (seen.has(id))
      throw new KustomizeError(
        `${where}: ${it.object.kind} "${it.object.metadata.name}" is defined twice (${seen.get(id)} and ${it.source})`,
      );
    seen.set(id, it.source);
  }
}

// ---------------------------------------------------------------- patches

interface Target {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

function matches(o: K8sObject, t: Target): boolean {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  return (
    (t.group === undefined || t.group === group) &&
    (t.version === undefined || t.version === version) &&
    (t.kind === undefined || t.kind === o.kind) &&
    (t.name === undefined || t.name === o.metadata.name) &&
    (t.namespace === undefined || t.namespace === o.metadata.namespace)
  );
}

function applyPatch(items: Rendered[], p: any, dir: string, where: string): void {
  const allowed = new Set(['path', 'patch', 'target']);
  for (const f of Object.keys(p ?? {}))
    if (!allowed.has(f)) throw new KustomizeError(`${where}: unsupported field "${f}" (use path, patch, target)`);
  if ((p.path === undefined) === (p.patch === undefined)) throw new KustomizeError(`${where}: give exactly one of path or patch`);
  const text = p.path !== undefined ? readFileSync(join(dir, p.path), 'utf8') : String(p.patch);
  const body = parse(text);
  const target: Target | undefined = p.target;
  if (Array.isArray(body)) {
    if (!target) throw new KustomizeError(`${where}: a JSON 6902 patch (a list of operations) needs a target`);
    const hit = items.filter((it) => matches(it.object, target));
    if (!hit.length) throw new KustomizeError(`${where}: target ${JSON.stringify(target)} matches no object`);
    for (const it of hit) it.object = applyJson6902(it.object, body, `${where} on ${it.object.kind}/${it.object.metadata.name}`);
    return;
  }
  if (!body || typeof body !== 'object')
    throw new KustomizeError(`${where}: patch is neither an object (strategic merge) nor a list (JSON 6902)`);
  const t: Target = target ?? { kind: body.kind, name: body.metadata?.name };
  if (!t.kind || !t.name) throw new KustomizeError(`${where}: a strategic-merge patch needs kind and metadata.name (or a target)`);
  const hit = items.filter((it) => matches(it.object, t));
  if (!hit.length) throw new KustomizeError(`${where}: ${t.kind} "${t.name}" not found among the resources`);
  for (const it of hit) {
    // `$patch: delete` at the top of a strategic-merge patch removes the resource itself.
    if (body.$patch === 'delete') {
      items.splice(items.indexOf(it), 1);
      continue;
    }
    const patchBody = target ? { ...body, metadata: { ...body.metadata, name: it.object.metadata.name } } : body;
    it.object = strategicMerge(it.object, patchBody, '') as K8sObject;
  }
}

function generateConfigMap(g: any, dir: string, kfile: string, where: string): Rendered {
  const allowed = new Set(['name', 'files', 'options']);
  for (const f of Object.keys(g ?? {}))
    if (!allowed.has(f)) throw new KustomizeError(`${where}: unsupported field "${f}" (use name, files, options)`);
  if (typeof g.name !== 'string' || !g.name) throw new KustomizeError(`${where}: name is required`);
  const opts = g.options ?? {};
  for (const f of Object.keys(opts))
    if (!['disableNameSuffixHash', 'labels', 'annotations'].includes(f))
      throw new KustomizeError(`${where}: options.${f} is not supported`);
  if (opts.disableNameSuffixHash !== true)
    throw new KustomizeError(`${where}: set options.disableNameSuffixHash: true (hashed names are not supported by this renderer)`);
  const data: Record<string, string> = {};
  for (const entry of (g.files ?? []) as string[]) {
    const [key, rel] = entry.includes('=') ? entry.split('=', 2) : [entry.split('/').pop()!, entry];
    const p = join(dir, rel);
    if (rel.split('/').includes('..'))
      throw new KustomizeError(`${where}: file "${rel}" is outside the kustomization directory (kustomize's load restrictor refuses it)`);
    if (!existsSync(p)) throw new KustomizeError(`${where}: file "${rel}" does not exist`);
    if (key in data) throw new KustomizeError(`${where}: key "${key}" is given twice`);
    data[key] = readFileSync(p, 'utf8');
  }
  const metadata: K8sObject['metadata'] = { name: g.name };
  if (opts.labels) metadata.labels = { ...opts.labels };
  if (opts.annotations) metadata.annotations = { ...opts.annotations };
  return { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data }, source: `${kfile} configMapGenerator ${g.name}` };
}

/**
 * Merge keys of the Kubernetes list fields the patches may touch (from the API's
 * x-kubernetes-patch-merge-key). Lists not named here are replaced, as kustomize does
 * for lists without a merge key.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

export function strategicMerge(base: unknown, patch: unknown, key: string): unknown {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    const mk = MERGE_KEYS[key];
    if (!mk || !Array.isArray(base)) return clone(patch.filter((x) => !(x && x.$patch === 'delete')));
    // Service ports merge on `port`, container ports on `containerPort`.
    const k2 = key === 'ports' && patch.some((x) => x && 'port' in x && !('containerPort' in x)) ? 'port' : mk;
    const out = clone(base) as any[];
    for (const item of patch) {
      const idx = out.findIndex((b) => b?.[k2] === item?.[k2]);
      if (item?.$patch === 'delete') {
        if (idx >= 0) out.splice(idx, 1);
        continue;
      }
      if (idx >= 0) out[idx] = strategicMerge(out[idx], item, '');
      else out.push(clone(item));
    }
    return out;
  }
  if (patch && typeof patch === 'object') {
    if ((patch as any).$patch === 'replace') {
      const { $patch: _, ...rest } = patch as any;
      return clone(rest);
    }
    if ((patch as any).$patch === 'delete') return undefined;
    const out: any = base && typeof base === 'object' && !Array.isArray(base) ? clone(base) : {};
    for (const [k, v] of Object.entries(patch)) {
      const merged = strategicMerge(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  return patch;
}

const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

export function applyJson6902<T>(doc: T, ops: any[], where: string): T {
  const out = clone(doc) as any;
  for (const [i, op] of ops.entries()) {
    if (typeof op?.path !== 'string' || !op.path.startsWith('/'))
      throw new KustomizeError(`${where}: op ${i} needs a path starting with "/"`);
    const parts = op.path.split('/').slice(1).map(unescape);
    const last = parts.pop()!;
    let parent = out;
    for (const p of parts) {
      parent = Array.isArray(parent) ? parent[Number(p)] : parent?.[p];
      if (parent === undefined || parent === null)
        throw new KustomizeError(`${where}: op ${i} (${op.op} ${op.path}): "${p}" does not exist`);
    }
    const exists = Array.isArray(parent) ? Number(last) < parent.length : Object.prototype.hasOwnProperty.call(parent, last);
    switch (op.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, clone(op.value));
        else parent[last] = clone(op.value);
        break;
      case 'replace':
      case 'remove':
        if (!exists) throw new KustomizeError(`${where}: op ${i} (${op.op} ${op.path}): nothing at that path`);
        if (op.op === 'remove') {
          if (Array.isArray(parent)) parent.splice(Number(last), 1);
          else delete parent[last];
        } else parent[Array.isArray(parent) ? Number(last) : last] = clone(op.value);
        break;
      default:
        throw new KustomizeError(`${where}: op ${i}: "${op.op}" is not supported (add, replace, remove)`);
    }
  }
  return out;
}

// ---------------------------------------------------------------- labels, images

/** The pod template of a workload, if it has one. */
export function podTemplate(o: K8sObject): { metadata?: any; spec: any } | undefined {
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template;
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'].includes(o.kind)) return o.spec?.template;
  return undefined;
}

function applyLabels(items: Rendered[], l: any, where: string): void {
  const allowed = new Set(['pairs', 'includeSelectors', 'includeTemplates']);
  for (const f of Object.keys(l ?? {})) if (!allowed.has(f)) throw new KustomizeError(`${where}: unsupported field "${f}"`);
  if (l.includeSelectors)
    throw new KustomizeError(`${where}: includeSelectors: true is not supported (selectors are immutable; changing them breaks upgrades)`);
  for (const it of items) {
    const o = it.object;
    o.metadata.labels = { ...(o.metadata.labels ?? {}), ...l.pairs };
    if (l.includeTemplates) {
      const t = podTemplate(o);
      if (t) t.metadata = { ...(t.metadata ?? {}), labels: { ...(t.metadata?.labels ?? {}), ...l.pairs } };
      if (o.kind === 'CronJob' && o.spec?.jobTemplate) {
        const jt = o.spec.jobTemplate;
        jt.metadata = { ...(jt.metadata ?? {}), labels: { ...(jt.metadata?.labels ?? {}), ...l.pairs } };
      }
    }
  }
}

/** Split an image reference into name, tag and digest (registry ports are not tags). */
export function parseImage(ref: string): { name: string; tag?: string; digest?: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}

function applyImage(items: Rendered[], img: any, where: string): void {
  const allowed = new Set(['name', 'newName', 'newTag', 'digest']);
  for (const f of Object.keys(img ?? {})) if (!allowed.has(f)) throw new KustomizeError(`${where}: unsupported field "${f}"`);
  if (!img.name) throw new KustomizeError(`${where}: name is required`);
  for (const it of items) {
    const spec = podTemplate(it.object)?.spec;
    for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
      const cur = parseImage(String(c.image));
      if (cur.name !== img.name) continue;
      const name = img.newName ?? cur.name;
      const tag = img.newTag !== undefined ? String(img.newTag) : cur.tag;
      const digest = img.digest ?? (img.newTag !== undefined ? undefined : cur.digest);
      c.image = name + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : '');
    }
  }
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** Directories of every overlay under k8s/overlays. */
export function overlayDirs(k8sRoot: string): string[] {
  const base = join(k8sRoot, 'overlays');
  return readdirSync(base)
    .map((d) => join(base, d))
    .filter((d) => existsSync(join(d, 'kustomization.yaml')))
    .sort();
}
