// Given the kustomize overlays, when rendered, then every object validates against
// the official Kubernetes schemas (kubernetes-models 5.1.0 + @kubernetes/client-node
// 2.0.1 field maps), its vendored CRD (CloudNativePG; the Barman Cloud ObjectStore
// through the Cluster CRD) or its kubernetes-models CRD package (Prometheus Operator,
// Gateway API, cert-manager), passes the deployment policy, and the NetworkPolicies
// let exactly the intended connections through. Each check is also shown to fail on
// a planted mistake. (The way in: exposure.spec.ts; monitoring: monitoring.spec.ts.)
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { render, overlayDirs, readYamlDocuments, type K8sObject, type Rendered } from '../src/kustomize';
import { SchemaValidator, formatErrors } from '../src/validate';
import { checkPolicies, formatViolations } from '../src/policy';
import { allowed, podLabels, type Endpoint } from '../src/netpol';

const K8S = join(__dirname, '..');
const dirs = [join(K8S, 'base'), ...overlayDirs(K8S)];
const rendered = new Map<string, Rendered[]>(dirs.map((d) => [d.slice(K8S.length + 1), render(d)]));
const objects = (name: string) => rendered.get(name)!.map((r) => r.object);
const find = (name: string, kind: string, n: string) => {
  const o = objects(name).find((x) => x.kind === kind && x.metadata.name === n);
  if (!o) throw new Error(`${kind}/${n} not rendered in ${name}`);
  return structuredClone(o) as K8sObject;
};

let validator: SchemaValidator;
beforeAll(async () => {
  validator = await SchemaValidator.create(join(K8S, 'schemas'));
});

describe('rendered overlays', () => {
  it('renders base, dev and prod', () => {
    expect([...rendered.keys()]).toEqual(['base', 'overlays/dev', 'overlays/prod', 'overlays/prod-gateway-api']);
  });

  it.each([...rendered.keys()])('%s: every object is valid against its schema', (name) => {
    const errors = objects(name).flatMap((o) => validator.validate(o));
    expect(formatErrors(errors)).toBe('');
  });

  it.each([...rendered.keys()])('%s: every object passes the deployment policy', (name) => {
    expect(formatViolations(checkPolicies(objects(name)))).toBe('');
  });

  it('dev runs one pgvector Postgres and the CPU trainer; prod runs CloudNativePG with backups, HPA and PDB', () => {
    const kinds = (n: string) => objects(n).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds('overlays/dev')).toEqual(expect.arrayContaining(['StatefulSet/postgres', 'Service/postgres']));
    expect(find('overlays/dev', 'StatefulSet', 'postgres').spec.template.spec.containers[0].image).toBe('pgvector/pgvector:0.8.0-pg17');
    expect(find('overlays/dev', 'Job', 'cinemap-train').spec.template.spec.containers[0].image).toBe('cinemap/trainer:0.1.0-cpu');
    expect(kinds('overlays/prod')).toEqual(
      expect.arrayContaining([
        'Cluster/cinemap-pg',
        'ScheduledBackup/cinemap-pg-daily',
        'HorizontalPodAutoscaler/cinemap-gateway',
        'PodDisruptionBudget/cinemap-gateway',
      ]),
    );
    expect(kinds('overlays/prod')).not.toContain('StatefulSet/postgres');
    const cluster = find('overlays/prod', 'Cluster', 'cinemap-pg');
    expect(cluster.spec.instances).toBe(3);
    expect(cluster.spec.backup).toBeUndefined(); // the deprecated in-tree barmanObjectStore is gone
    expect(cluster.spec.plugins).toEqual([
      { name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'cinemap-backups' } },
    ]);
    expect(cluster.spec.imageName).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:17\.\d+-standard-bookworm/);
    const store = find('overlays/prod', 'ObjectStore', 'cinemap-backups');
    expect(store.spec.configuration.s3Credentials.accessKeyId.name).toBe('cinemap-backup-s3');
    expect(store.spec.retentionPolicy).toBe('30d');
    const daily = find('overlays/prod', 'ScheduledBackup', 'cinemap-pg-daily');
    expect(daily.spec).toMatchObject({
      cluster: { name: 'cinemap-pg' },
      method: 'plugin',
      pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
    });
    // The HPA owns the replica count in prod.
    expect(find('overlays/prod', 'Deployment', 'cinemap-gateway').spec.replicas).toBeUndefined();
    expect(find('overlays/prod', 'Job', 'cinemap-train').spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(find('overlays/prod', 'Deployment', 'cinemap-gateway').spec.template.spec.containers[0].image).toBe(
      'registry.example.com/cinemap/gateway:0.1.0',
    );
  });

  it('the monthly CronJob ingests (init container) then trains, never twice at once', () => {
    const cj = find('overlays/prod', 'CronJob', 'cinemap-retrain');
    const pod = cj.spec.jobTemplate.spec.template.spec;
    expect(cj.spec.concurrencyPolicy).toBe('Forbid');
    expect(cj.spec.schedule.split(' ')).toHaveLength(5);
    expect(cj.spec.schedule.split(' ')[3]).toBe('*'); // every month
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['ingest']);
    expect(pod.containers.map((c: any) => c.name)).toEqual(['train']);
  });

  it.each(['overlays/dev', 'overlays/prod'])(
    '%s: the rollback Job runs model.js from the trainer image, suspended, as the writer, without a GPU',
    (o) => {
      const j = find(o, 'Job', 'cinemap-model');
      const c = j.spec.template.spec.containers[0];
      expect(j.spec.suspend).toBe(true);
      expect(j.spec.backoffLimit).toBe(0);
      expect([...c.command, ...c.args]).toEqual(['node', 'dist/apps/trainer/model.js', 'list']);
      expect(c.image).toBe(find(o, 'Job', 'cinemap-train').spec.template.spec.containers[0].image);
      expect(c.env).toContainEqual({
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: 'cinemap-db-writer', key: 'DATABASE_URL' } },
      });
      expect(c.resources.limits['nvidia.com/gpu']).toBeUndefined();
      expect(j.spec.template.spec.nodeSelector).toBeUndefined();
    },
  );

  it('the migrations Job runs migrate.js with the role passwords, as an admin connection', () => {
    const c = find('base', 'Job', 'cinemap-migrate').spec.template.spec.containers[0];
    expect(c.command).toEqual(['node', 'dist/libs/db/migrate.js']);
    expect(c.envFrom).toContainEqual({ secretRef: { name: 'cinemap-db-roles' } });
  });

  it('no committed YAML under k8s/ holds a Secret with data', () => {
    const yamls: string[] = [];
    const walk = (d: string) =>
      readdirSync(d, { withFileTypes: true }).forEach((e) => {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(e.name) && !p.includes(`${join(K8S, 'schemas')}`)) yamls.push(p);
      });
    walk(K8S);
    expect(yamls.length).toBeGreaterThan(10);
    const secrets = yamls.flatMap((f) =>
      (readYamlDocuments(f) as any[]).filter((o) => o?.kind === 'Secret' && (o.data || o.stringData)).map(() => f),
    );
    expect(secrets).toEqual([]);
    // and the words are at least mentioned nowhere as literal passwords
    for (const f of yamls) expect(readFileSync(f, 'utf8')).not.toMatch(/postgres(ql)?:\/\/[^:\s]+:[^@\s$]+@/);
  });
});

describe('restore into a new cluster (k8s/restore)', () => {
  const restore = render(join(K8S, 'restore')).map((r) => r.object);
  const r1 = () => structuredClone(restore.find((o) => o.kind === 'Cluster')!) as K8sObject;

  it('is valid against the CloudNativePG CRD and passes the policy next to prod', () => {
    expect(formatErrors(restore.flatMap((o) => validator.validate(o)))).toBe('');
    expect(formatViolations(checkPolicies([...objects('overlays/prod'), ...restore]))).toBe('');
  });

  it('recovers from cinemap-pg in the prod ObjectStore and archives under its own server name', () => {
    const c = r1();
    expect(c.metadata.name).not.toBe('cinemap-pg');
    const src = c.spec.externalClusters.find((e: any) => e.name === c.spec.bootstrap.recovery.source);
    expect(src.plugin).toEqual({
      name: 'barman-cloud.cloudnative-pg.io',
      parameters: { barmanObjectName: 'cinemap-backups', serverName: 'cinemap-pg' },
    });
    expect(c.spec.plugins[0].parameters).toEqual({ barmanObjectName: 'cinemap-backups', serverName: c.metadata.name });
  });

  it('is the prod cluster in everything but name and bootstrap (image, sizing, parameters, labels)', () => {
    const { bootstrap: _b, externalClusters: _e, plugins: _p, ...restored } = r1().spec;
    const { bootstrap: _b2, plugins: _p2, ...prod } = find('overlays/prod', 'Cluster', 'cinemap-pg').spec;
    expect(restored).toEqual(prod);
  });

  it('its instances replicate, recover from the object store and serve the gateway under the prod NetworkPolicies', () => {
    const pol = [...objects('overlays/prod'), ...restore].filter((o) => o.kind === 'NetworkPolicy');
    const at = (labels: Record<string, string>): Endpoint => ({
      labels,
      namespace: 'cinemap',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'cinemap' },
    });
    const inst = at({ ...r1().spec.inheritedMetadata.labels, 'cnpg.io/cluster': 'cinemap-pg-r1' });
    expect(allowed(pol, inst, inst, 5432)).toBe(true);
    expect(allowed(pol, inst, { ip: '52.216.0.1' }, 443)).toBe(true);
    expect(allowed(pol, at(podLabels(find('overlays/prod', 'Deployment', 'cinemap-gateway'))), inst, 5432)).toBe(true);
    expect(allowed(pol, at({ app: 'debug-shell' }), inst, 5432)).toBe(false);
  });

  it('fails the checks when the recovery source names no ObjectStore or a field is misspelt', () => {
    const c = r1();
    c.spec.plugins[0].parameters.barmanObjectName = 'cinemap-backup';
    c.spec.bootstrap.recovery.recoveryTarget = { targetTim: '2026-12-01 09:55:00+00' };
    expect(formatViolations(checkPolicies([...objects('overlays/prod'), c]))).toMatch(
      /names ObjectStore "cinemap-backup", which is not among these manifests/,
    );
    expect(formatErrors(validator.validate(c))).toMatch(
      /spec\.bootstrap\.recovery\.recoveryTarget: must NOT have additional properties "targetTim"/,
    );
  });
});

describe('the render CLI (k8s/src/bin/render.ts)', () => {
  const tsx = join(K8S, '..', 'node_modules', '.bin', 'tsx');
  const cli = (...args: string[]) =>
    spawnSync(tsx, [join(K8S, 'src/bin/render.ts'), ...args], { cwd: join(K8S, '..'), encoding: 'utf8', timeout: 120_000 });

  it('prints a valid overlay; checks k8s/restore in the context of prod, and refuses it alone naming what is missing', () => {
    const prod = cli('k8s/overlays/prod');
    expect(prod.status).toBe(0);
    expect(prod.stdout).toMatch(/kind: ObjectStore/);
    const alone = cli('k8s/restore');
    expect(alone.status).toBe(1);
    expect(alone.stderr).toMatch(
      /Cluster\/cinemap-pg-r1: \[backups\] plugin barman-cloud\.cloudnative-pg\.io names ObjectStore "cinemap-backups", which is not among these manifests/,
    );
    const withProd = cli('k8s/restore', '--context', 'k8s/overlays/prod');
    expect([withProd.status, withProd.stderr]).toEqual([0, '']);
    expect(withProd.stdout).not.toMatch(/kind: ObjectStore/); // context objects are checked, not printed
  }, 180_000);
});

describe('schema validation catches planted mistakes', () => {
  const errorsOf = (o: K8sObject) => formatErrors(validator.validate(o));

  it('a typo in a container field (kubernetes-models alone accepts it)', () => {
    const d = find('base', 'Deployment', 'cinemap-gateway');
    d.spec.template.spec.containers[0].readinesProbe = d.spec.template.spec.containers[0].readinessProbe;
    expect(errorsOf(d)).toMatch(
      /spec\.template\.spec\.containers\[0\]\.readinesProbe: unknown field "readinesProbe".*did you mean "readinessProbe"/,
    );
  });

  it('a typo deep in a CronJob pod spec', () => {
    const cj = find('base', 'CronJob', 'cinemap-retrain');
    cj.spec.jobTemplate.spec.template.spec.tolerations[0].efect = 'NoSchedule';
    expect(errorsOf(cj)).toMatch(/tolerations\[0\]\.efect: unknown field/);
  });

  it('a wrong type and a missing required field', () => {
    const d = find('base', 'Deployment', 'cinemap-gateway');
    d.spec.replicas = 'two';
    delete d.spec.template.spec.containers[0].name;
    const e = errorsOf(d);
    expect(e).toMatch(/spec\.replicas: must be integer/);
    expect(e).toMatch(/spec\.template\.spec\.containers\[0\]: must have required property name/);
  });

  it('an unknown kind or apiVersion', () => {
    const d = find('base', 'Deployment', 'cinemap-gateway');
    expect(errorsOf({ ...d, apiVersion: 'extensions/v1beta1' })).toMatch(/extensions\/v1beta1 Deployment is not served by Kubernetes 1.36/);
    expect(errorsOf({ ...d, kind: 'Deploymnet' })).toMatch(/not served/);
  });

  it('a typo in the CloudNativePG Cluster spec (CRD schema with extra fields forbidden)', () => {
    const c = find('overlays/prod', 'Cluster', 'cinemap-pg');
    c.spec.plugins[0].isWalArchiver = true;
    c.spec.storage.sise = '1Gi';
    const e = errorsOf(c);
    expect(e).toMatch(/spec\.plugins\.0: must NOT have additional properties "isWalArchiver"/);
    expect(e).toMatch(/spec\.storage: must NOT have additional properties "sise"/);
  });

  it('the Barman Cloud ObjectStore: a typo in its configuration, a bad retention, a serverName, a sidecar setting', () => {
    const o = find('overlays/prod', 'ObjectStore', 'cinemap-backups');
    o.spec.configuration.destinationPth = o.spec.configuration.destinationPath;
    delete o.spec.configuration.destinationPath;
    o.spec.configuration.wal.compression = 'zip';
    o.spec.retentionPolicy = '30 days';
    o.spec.configuration.serverName = 'cinemap-pg';
    o.spec.instanceSidecarConfiguration = { logLevel: 'debug' };
    const e = errorsOf(o);
    expect(e).toMatch(/spec\.configuration: must NOT have additional properties "destinationPth"/);
    expect(e).toMatch(/spec\.configuration: must have required property 'destinationPath'/);
    expect(e).toMatch(/spec\.configuration\.wal\.compression: must be equal to one of the allowed values/);
    expect(e).toMatch(/spec\.retentionPolicy: must match pattern/);
    expect(e).toMatch(/spec\.configuration: must NOT have additional properties "serverName"/);
    expect(e).toMatch(/spec: must NOT have additional properties "instanceSidecarConfiguration"/);
  });

  it('custom resources of the kubernetes-models CRD packages: a typo, a wrong type, a bad enum, a missing field, an unlisted kind', () => {
    const sm = find('overlays/prod', 'ServiceMonitor', 'cinemap-gateway');
    sm.spec.endpoints[0].pth = '/metrics';
    sm.spec.endpoints[0].interval = 30;
    delete sm.spec.selector;
    let e = errorsOf(sm);
    expect(e).toMatch(
      /spec\.endpoints\[0\]\.pth: unknown field "pth" \(Endpoint has no such field; did you mean "path"\?\) \[declared-types\]/,
    );
    expect(e).toMatch(/spec\.endpoints\[0\]\.interval: must be string \[kubernetes-models\]/);
    expect(e).toMatch(/spec: must have required property selector \[kubernetes-models\]/);
    const rule = find('overlays/prod', 'PrometheusRule', 'cinemap-gateway');
    rule.spec.groups[0].rules[0].fro = '5m';
    expect(errorsOf(rule)).toMatch(
      /spec\.groups\[0\]\.rules\[0\]\.fro: unknown field "fro" \(Rule has no such field; did you mean "for"\?\)/,
    );
    const route = find('overlays/prod-gateway-api', 'HTTPRoute', 'cinemap');
    route.spec.rules[0].matches[0].path.type = 'Exakt';
    route.spec.rules[0].backendRefs[0].prot = 80;
    e = errorsOf(route);
    expect(e).toMatch(/spec\.rules\[0\]\.matches\[0\]\.path\.type: must be equal to one of the allowed values \[kubernetes-models\]/);
    expect(e).toMatch(/spec\.rules\[0\]\.backendRefs\[0\]\.prot: unknown field "prot".*did you mean "port"/);
    const gw = find('overlays/prod-gateway-api', 'Gateway', 'cinemap');
    gw.spec.listeners[0].port = '443';
    (gw.metadata as any).anotations = {};
    e = errorsOf(gw);
    expect(e).toMatch(/spec\.listeners\[0\]\.port: must be integer/);
    expect(e).toMatch(/metadata\.anotations: unknown field "anotations".*did you mean "annotations"/);
    expect(
      errorsOf({ apiVersion: 'monitoring.coreos.com/v1', kind: 'Probe', metadata: { name: 'x', namespace: 'cinemap' }, spec: {} }),
    ).toMatch(/monitoring\.coreos\.com\/v1 Probe is not among the custom resources checked here/);
  });

  it('a wrong type, a bad enum value and a missing field in CRDs', () => {
    const c = find('overlays/prod', 'Cluster', 'cinemap-pg');
    c.spec.instances = 'three';
    expect(errorsOf(c)).toMatch(/spec\.instances: must be integer/);
    const b = find('overlays/prod', 'ScheduledBackup', 'cinemap-pg-daily');
    b.spec.method = 'tape';
    delete b.spec.schedule;
    const e = errorsOf(b);
    expect(e).toMatch(/spec\.method: must be equal to one of the allowed values/);
    expect(e).toMatch(/must have required property 'schedule'/);
  });

  it('a typo in a custom resource metadata', () => {
    const c = find('overlays/prod', 'Cluster', 'cinemap-pg');
    (c.metadata as any).lables = { a: 'b' };
    expect(errorsOf(c)).toMatch(/metadata\.lables: unknown field "lables".*did you mean "labels"/);
  });
});

describe('policy catches planted mistakes', () => {
  const rulesOf = (o: K8sObject) =>
    checkPolicies([o])
      .map((v) => `${v.rule}: ${v.message}`)
      .join('\n');

  it('a container without resources', () => {
    const d = find('base', 'Deployment', 'cinemap-gateway');
    delete d.spec.template.spec.containers[0].resources.requests;
    expect(rulesOf(d)).toMatch(/resources: container "gateway": resources.requests.cpu is missing/);
  });

  it('a serving container without probes, and the gateway with wrong probe paths', () => {
    const d = find('base', 'Deployment', 'cinemap-gateway');
    delete d.spec.template.spec.containers[0].livenessProbe;
    d.spec.template.spec.containers[0].readinessProbe.httpGet.path = '/';
    const r = rulesOf(d);
    expect(r).toMatch(/probes: container "gateway" serves on a port but lacks a livenessProbe/);
    expect(r).toMatch(/gateway-probes: gateway readinessProbe must GET \/health\/ready/);
  });

  it('root, privilege escalation, writable root filesystem, kept capabilities, service-account token', () => {
    const j = find('base', 'Job', 'cinemap-ingest');
    const pod = j.spec.template.spec;
    pod.securityContext.runAsNonRoot = false;
    pod.securityContext.runAsUser = 0;
    delete pod.containers[0].securityContext;
    delete pod.automountServiceAccountToken;
    const r = rulesOf(j);
    for (const rule of [
      'non-root: container "ingest": runAsNonRoot',
      'non-root: container "ingest": runAsUser is 0',
      'allowPrivilegeEscalation',
      'read-only-root',
      'drop-capabilities',
      'no-sa-token',
    ])
      expect(r).toContain(rule);
  });

  it('an image with :latest or no tag', () => {
    const j = find('base', 'Job', 'cinemap-migrate');
    j.spec.template.spec.containers[0].image = 'cinemap/ingest:latest';
    expect(rulesOf(j)).toMatch(/pinned-image: .*uses :latest/);
    j.spec.template.spec.containers[0].image = 'registry:5000/cinemap/ingest';
    expect(rulesOf(j)).toMatch(/pinned-image: .*has no tag/);
  });

  it('a GPU trainer Job without the GPU limit, toleration or nodeSelector', () => {
    const j = find('base', 'Job', 'cinemap-train');
    delete j.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'];
    delete j.spec.template.spec.tolerations;
    delete j.spec.template.spec.nodeSelector;
    const r = rulesOf(j);
    expect(r).toMatch(/gpu-trainer: .*limits\["nvidia.com\/gpu"\]: 1/);
    expect(r).toMatch(/gpu-trainer: .*toleration/);
    expect(r).toMatch(/gpu-trainer: .*nodeSelector/);
  });

  it('a rollback Job that would run on apply, retry a refusal, or run something else', () => {
    const j = find('overlays/prod', 'Job', 'cinemap-model');
    expect(rulesOf(j)).toBe('');
    j.spec.suspend = false;
    delete j.spec.backoffLimit;
    j.spec.template.spec.containers[0].args = ['activate', 'latest'];
    const r = rulesOf(j);
    expect(r).toMatch(/model-job: spec.suspend must be true/);
    expect(r).toMatch(/model-job: spec.backoffLimit is 6 \(default\); set 0/);
    expect(r).toMatch(/model-job: container runs "node dist\/apps\/trainer\/model.js activate latest"/);
  });

  it('the GPU rule spares only the model command: the CUDA trainer image running its trainer still needs a GPU', () => {
    const j = find('overlays/prod', 'Job', 'cinemap-model');
    delete j.spec.template.spec.containers[0].command;
    expect(rulesOf(j)).toMatch(/gpu-trainer: .*limits\["nvidia.com\/gpu"\]: 1/);
  });

  it('a CronJob that allows overlapping runs', () => {
    const cj = find('base', 'CronJob', 'cinemap-retrain');
    delete cj.spec.concurrencyPolicy;
    expect(rulesOf(cj)).toMatch(/cronjob-forbid-overlap: spec.concurrencyPolicy is "Allow \(default\)"/);
  });

  it('a Secret with literal data', () => {
    const s = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cinemap-db-writer', namespace: 'cinemap' },
      stringData: { DATABASE_URL: 'postgres://u:p@h/db' },
    } as K8sObject;
    expect(rulesOf(s)).toMatch(/no-secret-data/);
  });

  it('API protection is off by default and wired for the Ingress in prod; a required API-key Secret is caught', () => {
    expect(find('base', 'ConfigMap', 'cinemap-config').data).toMatchObject({
      CINEMAP_RATE_LIMIT_RPS: '0',
      CINEMAP_TRUSTED_PROXY_HOPS: '0',
    });
    expect(find('overlays/prod', 'ConfigMap', 'cinemap-config').data.CINEMAP_TRUSTED_PROXY_HOPS).toBe('1');
    const d = find('base', 'Deployment', 'cinemap-gateway');
    const env = d.spec.template.spec.containers[0].env.find((e: any) => e.name === 'CINEMAP_API_KEY_HASHES');
    expect(env.valueFrom.secretKeyRef).toEqual({ name: 'cinemap-api-keys', key: 'CINEMAP_API_KEY_HASHES', optional: true });
    delete env.valueFrom.secretKeyRef.optional;
    expect(rulesOf(d)).toMatch(
      /optional-secret: container "gateway": env CINEMAP_API_KEY_HASHES reads Secret cinemap-api-keys, which exists only when the feature is on/,
    );
  });

  it('backups: the deprecated in-tree object store, no WAL archiver, a dangling ObjectStore, no retention, a backup on the old method', () => {
    const all = objects('overlays/prod').map((o) => structuredClone(o));
    const c = all.find((o) => o.kind === 'Cluster')!;
    const rulesOfAll = () =>
      checkPolicies(all)
        .map((v) => `${v.object} ${v.rule}: ${v.message}`)
        .join('\n');
    expect(rulesOfAll()).toBe('');
    c.spec.backup = { barmanObjectStore: { destinationPath: 's3://x/' } };
    c.spec.plugins[0].parameters.barmanObjectName = 'cinemap-backup';
    all.find((o) => o.kind === 'ObjectStore')!.spec.retentionPolicy = undefined;
    const b = all.find((o) => o.kind === 'ScheduledBackup')!;
    b.spec.method = 'barmanObjectStore';
    let r = rulesOfAll();
    expect(r).toMatch(/Cluster\/cinemap-pg backups: spec\.backup\.barmanObjectStore is deprecated/);
    expect(r).toMatch(/names ObjectStore "cinemap-backup", which is not among these manifests/);
    expect(r).toMatch(/ScheduledBackup\/cinemap-pg-daily backups: spec\.method must be plugin/);
    c.spec.plugins[0].parameters.barmanObjectName = 'cinemap-backups';
    c.spec.plugins[0].isWALArchiver = false;
    r = rulesOfAll();
    expect(r).toMatch(/no WAL archiver/);
    c.spec.plugins[0].isWALArchiver = true;
    expect(rulesOfAll()).toMatch(/ObjectStore cinemap-backups has no spec\.retentionPolicy/);
  });

  it('an object outside the namespace and a gateway without scrape annotations', () => {
    const d = find('base', 'Deployment', 'cinemap-gateway');
    delete d.metadata.namespace;
    d.spec.template.metadata.annotations = {};
    const r = rulesOf(d);
    expect(r).toMatch(/namespace: metadata.namespace is "\(unset\)"/);
    expect(r).toMatch(/metrics: gateway pod template needs prometheus.io\/scrape/);
  });
});

describe('NetworkPolicies', () => {
  const ns = (labels: Record<string, string>): Endpoint => ({
    labels,
    namespace: 'cinemap',
    namespaceLabels: { 'kubernetes.io/metadata.name': 'cinemap' },
  });
  const internet: Endpoint = { ip: '203.0.113.7' };
  for (const overlay of ['overlays/dev', 'overlays/prod']) {
    describe(overlay, () => {
      const objs = objects(overlay);
      const pol = objs.filter((o) => o.kind === 'NetworkPolicy');
      const pod = (kind: string, name: string) => ns(podLabels(objs.find((o) => o.kind === kind && o.metadata.name === name)!));
      const db =
        overlay === 'overlays/dev'
          ? pod('StatefulSet', 'postgres')
          : ns({ ...find(overlay, 'Cluster', 'cinemap-pg').spec.inheritedMetadata.labels, 'cnpg.io/cluster': 'cinemap-pg' });
      const gateway = pod('Deployment', 'cinemap-gateway');
      const jobs = [
        pod('Job', 'cinemap-ingest'),
        pod('Job', 'cinemap-train'),
        pod('Job', 'cinemap-migrate'),
        pod('Job', 'cinemap-model'),
        pod('CronJob', 'cinemap-retrain'),
      ];
      const stranger = ns({ app: 'debug-shell' });

      it('the gateway and every job reach the database on 5432; nothing else does', () => {
        expect(allowed(pol, gateway, db, 5432)).toBe(true);
        for (const j of jobs) expect(allowed(pol, j, db, 5432)).toBe(true);
        expect(allowed(pol, stranger, db, 5432)).toBe(false);
        expect(allowed(pol, internet, db, 5432)).toBe(false);
        expect(
          allowed(pol, { ...ns({ app: 'x' }), namespace: 'other', namespaceLabels: { 'kubernetes.io/metadata.name': 'other' } }, db, 5432),
        ).toBe(false);
      });

      it('ingress reaches only the gateway, on its port', () => {
        expect(allowed(pol, internet, gateway, 4000)).toBe(true);
        expect(allowed(pol, internet, gateway, 22)).toBe(false);
        for (const j of jobs) expect(allowed(pol, internet, j, 4000)).toBe(false);
      });

      it('ingest pods reach the MovieLens host on 443; the gateway and the trainer do not', () => {
        expect(allowed(pol, pod('Job', 'cinemap-ingest'), internet, 443)).toBe(true);
        expect(allowed(pol, pod('CronJob', 'cinemap-retrain'), internet, 443)).toBe(true);
        expect(allowed(pol, gateway, internet, 443)).toBe(false);
        expect(allowed(pol, pod('Job', 'cinemap-train'), internet, 443)).toBe(false);
      });

      it('Prometheus in its own namespace scrapes the gateway on its metrics port', () => {
        const prometheus: Endpoint = {
          labels: { 'app.kubernetes.io/name': 'prometheus' },
          namespace: 'monitoring',
          namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
        };
        const svc = find(overlay, 'Service', 'cinemap-gateway');
        const container = find(overlay, 'Deployment', 'cinemap-gateway').spec.template.spec.containers[0];
        const port = container.ports.find((p: any) => p.name === svc.spec.ports[0].targetPort).containerPort;
        expect(allowed(pol, prometheus, gateway, port)).toBe(true);
      });

      it('fails when a planted policy opens the database to every pod', () => {
        const leak = {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'oops', namespace: 'cinemap' },
          spec: {
            podSelector: { matchLabels: { 'cinemap.io/role': 'database' } },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ podSelector: {} }] }],
          },
        } as K8sObject;
        const egressAll = {
          ...leak,
          metadata: { name: 'oops-egress', namespace: 'cinemap' },
          spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
        } as K8sObject;
        expect(allowed([...pol, leak, egressAll], stranger, db, 5432)).toBe(true);
      });
    });
  }
});
