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

      const serves = (c.ports ?? []).length > 0 && !(pod.initContainers ?? []).includes(c);
      if (serves && (!c.readinessProbe || !c.livenessProbe))
        v('probes', `${cid} serves on a port but lacks a ${!c.readinessProbe ? 'readinessProbe' : 'livenessProbe'}`);

      if (isTrainerImage(String(c.image ?? ''))) {
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

export const formatViolations = (vs: Violation[]) => vs.map((x) => `${x.object}: [${x.rule}] ${x.message}`).join('\n');
