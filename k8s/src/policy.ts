// Deployment policy for rendered cinemap manifests: the rules a careful platform
// team enforces in admission (resources, probes, non-root, pinned images, GPU
// requests, no overlapping retrains, no secrets in git). Each violation names the
// object, the container and what to change.
import type { K8sObject } from './kustomize';
import { podTemplate, parseImage } from './kustomize';

export interface Violation {
  rule: string;
  object: string;
  message: string;
}

/** Trainer images whose tag ends in -cpu run the native engine; all others are the CUDA image. */
export const isCpuTrainerImage = (image: string) =>
  /(^|\/)trainer$/.test(parseImage(image).name) && /-cpu$/.test(parseImage(image).tag ?? '');
/** Secrets that switch a feature on by existing (API keys): references to them must be optional. */
export const OPTIONAL_SECRETS = ['cinemap-api-keys'];

/** The CloudNativePG Barman Cloud plugin (WAL archiving, base backups, recovery). */
export const BARMAN_PLUGIN = 'barman-cloud.cloudnative-pg.io';
export const isTrainerImage = (image: string) => /(^|\/)trainer$/.test(parseImage(image).name);

export function checkPolicies(objects: K8sObject[], opts: { namespace?: string } = {}): Violation[] {
  const out: Violation[] = [];
  const ns = opts.namespace ?? 'cinemap';
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.name}`;
    const v = (rule: string, message: string) => out.push({ rule, object: id, message });

    if (o.kind !== 'Namespace' && o.metadata.namespace !== ns)
      v(
        'namespace',
        `metadata.namespace is "${o.metadata.namespace ?? '(unset)'}"; every object belongs in "${ns}" (set namespace: in the kustomization)`,
      );

    if (o.kind === 'Secret' && (Object.keys(o.data ?? {}).length || Object.keys(o.stringData ?? {}).length)) {
      v(
        'no-secret-data',
        'a Secret with literal data/stringData is committed; create it out of band (docs/deploy.md) and keep only the reference',
      );
    }
    if (o.kind === 'CronJob' && o.spec?.concurrencyPolicy !== 'Forbid') {
      v(
        'cronjob-forbid-overlap',
        `spec.concurrencyPolicy is "${o.spec?.concurrencyPolicy ?? 'Allow (default)'}"; set Forbid so two ingest/train runs never overlap`,
      );
    }

    if (o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/component'] === 'model') checkModelJob(o, v);

    if (o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/')) {
      if (o.spec?.backup?.barmanObjectStore)
        v(
          'backups',
          'spec.backup.barmanObjectStore is deprecated since CloudNativePG 1.26: archive through the Barman Cloud plugin (spec.plugins + an ObjectStore)',
        );
      const archivers = ((o.spec?.plugins ?? []) as any[]).filter(
        (p) => p.name === BARMAN_PLUGIN && p.isWALArchiver === true && p.enabled !== false,
      );
      if (!archivers.length)
        v(
          'backups',
          `no WAL archiver: add spec.plugins [{name: ${BARMAN_PLUGIN}, isWALArchiver: true, parameters: {barmanObjectName: ...}}], or the cluster cannot be restored to a point in time`,
        );
      for (const a of archivers) {
        const store = objects.find(
          (x) =>
            x.kind === 'ObjectStore' && x.metadata.name === a.parameters?.barmanObjectName && x.metadata.namespace === o.metadata.namespace,
        );
        if (!store)
          v(
            'backups',
            `plugin ${BARMAN_PLUGIN} names ObjectStore ${JSON.stringify(a.parameters?.barmanObjectName)}, which is not among these manifests`,
          );
        else if (!store.spec?.retentionPolicy)
          v('backups', `ObjectStore ${store.metadata.name} has no spec.retentionPolicy: backups would pile up forever`);
      }
    }
    if (o.kind === 'ScheduledBackup' || (o.kind === 'Backup' && o.apiVersion.startsWith('postgresql.cnpg.io/'))) {
      const cluster = objects.find(
        (x) => x.kind === 'Cluster' && x.metadata.name === o.spec?.cluster?.name && x.metadata.namespace === o.metadata.namespace,
      );
      if (!cluster) v('backups', `spec.cluster.name ${JSON.stringify(o.spec?.cluster?.name)} is not a Cluster among these manifests`);
      if (o.spec?.method !== 'plugin' || o.spec?.pluginConfiguration?.name !== BARMAN_PLUGIN)
        v(
          'backups',
          `spec.method must be plugin with pluginConfiguration.name ${BARMAN_PLUGIN} (the in-tree barmanObjectStore method is deprecated)`,
        );
      else if (cluster && !((cluster.spec?.plugins ?? []) as any[]).some((p) => p.name === BARMAN_PLUGIN))
        v('backups', `Cluster ${cluster.metadata.name} does not use ${BARMAN_PLUGIN}, so this backup could not run`);
    }

    const tpl = podTemplate(o);
    if (!tpl) continue;
    const pod = tpl.spec ?? {};
    if (pod.automountServiceAccountToken !== false)
      v('no-sa-token', 'pod spec must set automountServiceAccountToken: false (cinemap never calls the Kubernetes API)');
    const psc = pod.securityContext ?? {};
    if (psc.seccompProfile?.type !== 'RuntimeDefault') v('seccomp', 'pod securityContext.seccompProfile.type must be RuntimeDefault');

    const containers: any[] = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
    for (const c of containers) {
      const cid = `container "${c.name}"`;
      const img = parseImage(String(c.image ?? ''));
      if (!c.image || (!img.tag && !img.digest))
        v('pinned-image', `${cid}: image "${c.image}" has no tag; pin a version (and ideally a digest)`);
      else if (img.tag === 'latest') v('pinned-image', `${cid}: image "${c.image}" uses :latest; pin a version`);

      const r = c.resources ?? {};
      for (const k of ['cpu', 'memory']) if (!r.requests?.[k]) v('resources', `${cid}: resources.requests.${k} is missing`);
      if (!r.limits?.memory) v('resources', `${cid}: resources.limits.memory is missing`);

      const sc = c.securityContext ?? {};
      const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
      const uid = sc.runAsUser ?? psc.runAsUser;
      if (nonRoot !== true) v('non-root', `${cid}: runAsNonRoot must be true (pod or container securityContext)`);
      if (uid === 0) v('non-root', `${cid}: runAsUser is 0 (root)`);
      if (sc.allowPrivilegeEscalation !== false) v('non-root', `${cid}: securityContext.allowPrivilegeEscalation must be false`);
      if (sc.readOnlyRootFilesystem !== true)
        v('read-only-root', `${cid}: securityContext.readOnlyRootFilesystem must be true (write to /tmp or CINEMAP_HOME volumes)`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL'))
        v('drop-capabilities', `${cid}: securityContext.capabilities.drop must include ALL`);
      if ((sc.capabilities?.add ?? []).length) v('drop-capabilities', `${cid}: adds capabilities ${JSON.stringify(sc.capabilities.add)}`);

      for (const e of (c.env ?? []) as any[]) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && OPTIONAL_SECRETS.includes(ref.name) && ref.optional !== true)
          v(
            'optional-secret',
            `${cid}: env ${e.name} reads Secret ${ref.name}, which exists only when the feature is on: set optional: true or the pod never starts without it`,
          );
      }

      const serves = (c.ports ?? []).length > 0 && !(pod.initContainers ?? []).includes(c);
      if (serves && (!c.readinessProbe || !c.livenessProbe))
        v('probes', `${cid} serves on a port but lacks a ${!c.readinessProbe ? 'readinessProbe' : 'livenessProbe'}`);

      // The model command (rollback) runs from the trainer image but never trains: no GPU.
      const runsModelCommand = ((c.command ?? []) as string[]).some((a) => a.endsWith('/model.js'));
      if (isTrainerImage(String(c.image ?? '')) && !runsModelCommand) {
        const gpu = Number(r.limits?.['nvidia.com/gpu'] ?? 0);
        if (isCpuTrainerImage(c.image)) {
          if (gpu > 0) v('gpu-trainer', `${cid}: the CPU trainer image requests a GPU it cannot use`);
        } else {
          if (gpu < 1) v('gpu-trainer', `${cid}: the CUDA trainer image must set resources.limits["nvidia.com/gpu"]: 1`);
          if (!(pod.tolerations ?? []).some((t: any) => t.key === 'nvidia.com/gpu' && (t.effect ?? 'NoSchedule') === 'NoSchedule'))
            v('gpu-trainer', `${cid}: add a toleration for the nvidia.com/gpu NoSchedule taint of GPU nodes`);
          if (!pod.nodeSelector || !Object.keys(pod.nodeSelector).some((k) => k.startsWith('nvidia.com/')))
            v('gpu-trainer', `${cid}: add a nodeSelector for GPU nodes (e.g. nvidia.com/gpu.present: "true")`);
        }
      }
    }

    if (o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'gateway') {
      const g = (pod.containers ?? []).find((c: any) => c.name === 'gateway');
      if (g?.readinessProbe?.httpGet?.path !== '/health/ready') v('gateway-probes', 'gateway readinessProbe must GET /health/ready');
      if (g?.livenessProbe?.httpGet?.path !== '/health/live') v('gateway-probes', 'gateway livenessProbe must GET /health/live');
      const a = tpl.metadata?.annotations ?? {};
      if (a['prometheus.io/scrape'] !== 'true' || a['prometheus.io/path'] !== '/metrics')
        v('metrics', 'gateway pod template needs prometheus.io/scrape: "true" and prometheus.io/path: /metrics annotations');
    }
  }
  return out;
}

/** The rollback Job: applying the tree must never change the served run, and a refusal is never retried. */
function checkModelJob(o: K8sObject, v: (rule: string, message: string) => void): void {
  if (o.spec?.suspend !== true)
    v('model-job', 'spec.suspend must be true: applying the overlay must never activate or delete a run by itself');
  if (o.spec?.backoffLimit !== 0)
    v('model-job', `spec.backoffLimit is ${o.spec?.backoffLimit ?? '6 (default)'}; set 0: a refused rollback is final`);
  const c = o.spec?.template?.spec?.containers?.[0];
  const cmd = [...(c?.command ?? []), ...(c?.args ?? [])].join(' ');
  if (!/dist\/apps\/trainer\/model\.js (list|activate \d+|delete \d+)$/.test(cmd))
    v('model-job', `container runs "${cmd}"; expected node dist/apps/trainer/model.js list | activate <run> | delete <run>`);
}

export const formatViolations = (vs: Violation[]) => vs.map((x) => `${x.object}: [${x.rule}] ${x.message}`).join('\n');
