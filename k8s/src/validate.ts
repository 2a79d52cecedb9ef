// Offline schema validation of rendered manifests, in three layers:
//  1. kubernetes-models 5 (the official Kubernetes OpenAPI, compiled to JSON
//     Schema): wrong types, missing required fields, bad enums. Its schemas allow
//     extra properties, so a typo'd field name passes it.
//  2. A walk along @kubernetes/client-node 2's generated models
//     (`attributeTypeMap` lists every field each type has): any field name a type
//     does not have is reported, with the closest real name as a hint.
//  3. Custom resources (CloudNativePG Cluster, ScheduledBackup): Ajv over the CRD's
//     openAPIV3Schema from k8s/schemas/, with additionalProperties forbidden wherever
//     the schema lists properties and does not say x-kubernetes-preserve-unknown-fields.
//     metadata is walked as V1ObjectMeta. CEL rules (x-kubernetes-validations) are
//     not evaluated here: the API server checks those.
//     The Barman Cloud plugin's ObjectStore has no vendored CRD: its spec.configuration
//     is the very type of the Cluster's spec.backup.barmanObjectStore, so it is checked
//     against that part of the vendored Cluster CRD (see objectStoreSchema).
//  4. Custom resources of other operators (Prometheus Operator, Gateway API,
//     cert-manager): the kubernetes-models CRD packages, i.e. their generated
//     validators (types, required fields, enums, patterns) like layer 1, plus a walk
//     along the same packages' TypeScript declarations for field names they lack
//     (declared-types.ts). Only the kinds in CRD_KINDS are accepted, so a new kind
//     gets its checks on purpose, never a silent pass.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import type { K8sObject } from './kustomize';
import { DeclaredTypes, closest } from './declared-types';

/** apiVersion -> the kubernetes-models package that models it and the kinds cinemap may use. */
export const CRD_KINDS: Record<string, { pkg: string; kinds: string[] }> = {
  'monitoring.coreos.com/v1': { pkg: '@kubernetes-models/prometheus-operator', kinds: ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'] },
  'gateway.networking.k8s.io/v1': { pkg: '@kubernetes-models/gateway-api', kinds: ['Gateway', 'HTTPRoute', 'GRPCRoute'] },
  'gateway.networking.k8s.io/v1beta1': { pkg: '@kubernetes-models/gateway-api', kinds: ['ReferenceGrant'] },
  'cert-manager.io/v1': { pkg: '@kubernetes-models/cert-manager', kinds: ['Certificate', 'Issuer', 'ClusterIssuer'] },
};

export interface SchemaError {
  /** kind/name of the object */
  object: string;
  /** dotted path inside the object */
  path: string;
  message: string;
  layer: 'kubernetes-models' | 'client-node' | 'crd' | 'declared-types';
}

type AttributeMap = { name: string; baseName: string; type: string }[];
type ModelClass = { getAttributeTypeMap(): AttributeMap };
/** A kubernetes-models group/version module: kind name -> model class with validate(). */
type KindModule = Record<string, (new (o: unknown) => { validate(): void }) | undefined>;

export class SchemaValidator {
  private crdValidators = new Map<string, ValidateFunction>();

  private constructor(
    private models: Record<string, unknown>,
    private kinds: Map<string, KindModule>,
    private declared: DeclaredTypes,
    crdDir: string,
  ) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    for (const f of readdirSync(crdDir).filter((x) => x.endsWith('.yaml'))) {
      const crd = parse(readFileSync(join(crdDir, f), 'utf8'));
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions) {
        const schema = closeSchema(structuredClone(v.schema.openAPIV3Schema));
        // metadata is ObjectMeta; it is checked by the client-node walk instead.
        schema.properties.metadata = { type: 'object' };
        this.crdValidators.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, ajv.compile(schema));
        if (crd.spec.names.kind === 'Cluster' && crd.spec.group === 'postgresql.cnpg.io') {
          this.crdValidators.set('barmancloud.cnpg.io/v1/ObjectStore', ajv.compile(objectStoreSchema(schema)));
        }
      }
    }
  }

  /**
   * @kubernetes/client-node and kubernetes-models are ESM-only, hence the async factory:
   * it imports every group/version kubernetes-models exports (~1 s) so that validate()
   * stays synchronous.
   */
  static async create(crdDir: string): Promise<SchemaValidator> {
    const models = (await import('@kubernetes/client-node')) as unknown as Record<string, unknown>;
    const kinds = new Map<string, KindModule>();
    for (const gv of kubernetesModelsApiVersions()) kinds.set(gv, (await import(`kubernetes-models/${gv}`)) as KindModule);
    if (!kinds.has('v1') || !kinds.has('apps/v1'))
      throw new Error('kubernetes-models exports no v1 or apps/v1 module: its package layout changed; update k8s/src/validate.ts');
    const refs: Record<string, { module: string; name: string }> = {};
    for (const [gv, { pkg, kinds: ks }] of Object.entries(CRD_KINDS)) {
      const mod = (await import(`${pkg}/${gv}`)) as KindModule;
      for (const k of ks) {
        if (!mod[k]) throw new Error(`${pkg} has no ${gv} ${k}: its package layout changed; update CRD_KINDS in k8s/src/validate.ts`);
        refs[`${gv}/${k}`] = { module: `${pkg}/${gv}/${k}`, name: `I${k}` };
      }
      kinds.set(gv, mod);
    }
    const declared = DeclaredTypes.load(join(__dirname, '..', '..'), refs);
    return new SchemaValidator(models, kinds, declared, crdDir);
  }

  crdKinds(): string[] {
    return [...this.crdValidators.keys()];
  }

  validate(o: K8sObject): SchemaError[] {
    const id = `${o.kind}/${o.metadata?.name}`;
    const crd = this.crdValidators.get(`${o.apiVersion}/${o.kind}`);
    if (crd) {
      const errors: SchemaError[] = [];
      if (!crd(o)) {
        for (const e of crd.errors ?? []) {
          const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as any).additionalProperty}"` : '';
          errors.push({
            object: id,
            path: e.instancePath.replace(/^\//, '').replace(/\//g, '.'),
            message: `${e.message}${extra}`,
            layer: 'crd',
          });
        }
      }
      errors.push(...this.walk(o.metadata, 'V1ObjectMeta', 'metadata', id));
      return errors;
    }
    const third = CRD_KINDS[o.apiVersion];
    if (third) {
      if (!third.kinds.includes(o.kind))
        return [
          {
            object: id,
            path: 'kind',
            message: `${o.apiVersion} ${o.kind} is not among the custom resources checked here (${third.kinds.join(', ')}); add it to CRD_KINDS in k8s/src/validate.ts`,
            layer: 'declared-types',
          },
        ];
      const fields = this.declared
        .check(o, `${o.apiVersion}/${o.kind}`)
        .map((e) => ({ object: id, path: e.path, message: e.message, layer: 'declared-types' as const }));
      return [...this.validateModels(o, id), ...fields];
    }
    const model = this.modelName(o);
    if (typeof (this.models[model] as ModelClass | undefined)?.getAttributeTypeMap !== 'function') {
      return [
        {
          object: id,
          path: 'apiVersion',
          message: `${o.apiVersion} ${o.kind} is not served by Kubernetes 1.36 (no client-node model ${model}); use a current apiVersion`,
          layer: 'client-node',
        },
      ];
    }
    return [...this.validateModels(o, id), ...this.walk(o, model, '', id)];
  }

  private validateModels(o: K8sObject, id: string): SchemaError[] {
    const mod = this.kinds.get(o.apiVersion);
    if (!mod)
      return [
        { object: id, path: 'apiVersion', message: `no Kubernetes schema for apiVersion "${o.apiVersion}"`, layer: 'kubernetes-models' },
      ];
    const Model = mod[o.kind];
    if (!Model) return [{ object: id, path: 'kind', message: `no kind "${o.kind}" in ${o.apiVersion}`, layer: 'kubernetes-models' }];
    try {
      new Model(o).validate();
      return [];
    } catch (e: any) {
      // Ajv-style message: "data/spec/x must be string, data must have required property 'y'"
      // Nested generated validators can report one error twice: keep each once.
      return [...new Set(String(e.message).split(/, (?=data)/))].map((m) => {
        const [, p = '', msg = m] = /^data\/?(\S*) (.*)$/.exec(m) ?? [];
        const path = p
          .split('/')
          .filter(Boolean)
          .map((x, i) => (/^\d+$/.test(x) ? `[${x}]` : i ? `.${x}` : x))
          .join('');
        return { object: id, path, message: msg, layer: 'kubernetes-models' as const };
      });
    }
  }

  private modelName(o: K8sObject): string {
    const version = o.apiVersion.split('/').pop()!;
    return version[0].toUpperCase() + version.slice(1) + o.kind;
  }

  /** Walk `value` as client-node type `type`, reporting field names the type lacks. */
  private walk(value: unknown, type: string, path: string, id: string): SchemaError[] {
    if (value === undefined || value === null) return [];
    const err = (message: string): SchemaError[] => [{ object: id, path, message, layer: 'client-node' }];
    const arr = /^Array<(.+)>$/.exec(type);
    if (arr) {
      if (!Array.isArray(value)) return err(`must be a list (${type})`);
      return value.flatMap((v, i) => this.walk(v, arr[1], `${path}[${i}]`, id));
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) {
      if (typeof value !== 'object' || Array.isArray(value)) return err(`must be a map (${type})`);
      return Object.entries(value).flatMap(([k, v]) => this.walk(v, map[1], `${path}.${k}`, id));
    }
    if (['string', 'number', 'boolean', 'Date', 'any', 'IntOrString', 'object'].includes(type)) return [];
    const cls = this.models[type] as ModelClass | undefined;
    if (!cls || typeof cls.getAttributeTypeMap !== 'function') return err(`internal: no client-node model "${type}"`);
    if (typeof value !== 'object' || Array.isArray(value)) return err(`must be an object (${type})`);
    const attrs = cls.getAttributeTypeMap();
    const out: SchemaError[] = [];
    for (const [k, v] of Object.entries(value)) {
      const a = attrs.find((x) => x.baseName === k);
      const p = path ? `${path}.${k}` : k;
      if (!a) {
        const hint = closest(
          k,
          attrs.map((x) => x.baseName),
        );
        out.push({
          object: id,
          path: p,
          message: `unknown field "${k}" (${type} has no such field${hint ? `; did you mean "${hint}"?` : ''})`,
          layer: 'client-node',
        });
        continue;
      }
      out.push(...this.walk(v, a.type, p, id));
    }
    return out;
  }
}

/** The group/versions kubernetes-models publishes ("v1", "apps/v1", ...), read from its package exports. */
function kubernetesModelsApiVersions(): string[] {
  // Its exports map offers no package.json and only `import` entry points, so
  // require.resolve cannot find it: look where Node would.
  const dir = (require.resolve.paths('kubernetes-models') ?? [])
    .map((p) => join(p, 'kubernetes-models'))
    .find((d) => existsSync(join(d, 'package.json')));
  if (!dir) throw new Error('kubernetes-models is not installed: run npm ci');
  const exports = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports;
  return Object.keys(exports)
    .map((k) => k.slice(2))
    .filter((k) => /^(?:[a-z0-9.-]+\/)?v\d+(?:alpha|beta)?\d*$/.test(k));
}

/**
 * The Barman Cloud plugin's ObjectStore (barmancloud.cnpg.io/v1), from the vendored
 * Cluster CRD: the plugin documents spec.configuration as the same
 * BarmanObjectStoreConfiguration as the Cluster's spec.backup.barmanObjectStore, and
 * spec.retentionPolicy as a recovery window ("30d"). Its instanceSidecarConfiguration
 * is not modelled (refused), and configuration.serverName must stay empty (the plugin
 * takes the server name from the Cluster's plugin parameters).
 */
export function objectStoreSchema(closedClusterSchema: any): any {
  const configuration = structuredClone(closedClusterSchema.properties.spec.properties.backup.properties.barmanObjectStore);
  delete configuration.properties.serverName;
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    additionalProperties: false,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        required: ['configuration'],
        additionalProperties: false,
        properties: { configuration, retentionPolicy: { type: 'string', pattern: '^[1-9][0-9]*[dwm]$' } },
      },
    },
  };
}

/** Forbid properties a CRD schema does not declare (as the API server's pruning would drop them silently). */
export function closeSchema(s: any): any {
  if (!s || typeof s !== 'object') return s;
  if (Array.isArray(s)) return s.map(closeSchema);
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') for (const p of Object.keys(v)) (v as any)[p] = closeSchema((v as any)[p]);
    else if (typeof v === 'object') s[k] = closeSchema(v);
  }
  if (s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) s.additionalProperties = false;
  return s;
}

export const formatErrors = (errs: SchemaError[]) => errs.map((e) => `${e.object} ${e.path}: ${e.message} [${e.layer}]`).join('\n');
