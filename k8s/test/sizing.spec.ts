// Sizing (issue 16 #4): every request and limit the overlays set for cinemap's own
// processes and the databases covers the measured figures in k8s/sizing.json (the
// table in docs/deploy.md "Sizing"). A lowered limit, or a new measurement above a
// limit, fails here instead of as an OOM kill in a cluster.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { render, podTemplate, type K8sObject } from '../src/kustomize';

const K8S = join(__dirname, '..');
const sizing = JSON.parse(readFileSync(join(K8S, 'sizing.json'), 'utf8'));
const c = sizing.cases;
const overlays = ['overlays/dev', 'overlays/prod', 'overlays/prod-gateway-api'];
const objectsOf = (o: string) => render(join(K8S, o)).map((r) => r.object);

/** A Kubernetes quantity in MiB (memory) or cores (cpu). */
function quantity(q: string | number | undefined): number {
  if (q === undefined) return NaN;
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G)?$/.exec(String(q));
  if (!m) throw new Error(`not a quantity: ${q}`);
  const n = Number(m[1]);
  const unit: Record<string, number> = {
    '': 1,
    m: 1e-3,
    Ki: 1 / 1024,
    Mi: 1,
    Gi: 1024,
    Ti: 1024 * 1024,
    k: 1e3 / 1048576,
    M: 1e6 / 1048576,
    G: 1e9 / 1048576,
  };
  return n * unit[m[2] ?? ''];
}
const bytesToMiB = (q: string) => quantity(q) / (/(m|Ki|Mi|Gi|Ti|k|M|G)$/.test(q) ? 1 : 1048576);

interface Requirement {
  what: string;
  /** containers it applies to */
  pick: (o: K8sObject, container: any, init: boolean) => boolean;
  /** MiB the request must reach, and the limit */
  request: number;
  limit: number;
}

const gatewayMem = c['latest-curated'].gateway.swapPeakMiB + c.small.gateway.responseCacheMiB;
const requirements: Requirement[] = [
  {
    what: 'gateway: request ≥ idle, limit ≥ hot-swap peak + a full response cache (default curation)',
    pick: (o, ct) => o.kind === 'Deployment' && ct.name === 'gateway',
    request: c['latest-curated'].gateway.idleMiB,
    limit: Math.max(gatewayMem, c['latest-curated'].gateway.startPeakMiB),
  },
  {
    what: 'ingest: request and limit ≥ the largest measured peak',
    pick: (_o, ct) => ct.name === 'ingest',
    request: Math.max(...Object.values<any>(c).map((x) => x.ingest.peakMiB)),
    limit: Math.max(...Object.values<any>(c).map((x) => x.ingest.peakMiB)),
  },
  {
    what: 'train: limit ≥ the largest measured peak, request ≥ the default curation peak',
    pick: (_o, ct) => ct.name === 'train',
    request: c['latest-curated'].train.peakMiB,
    limit: Math.max(...Object.values<any>(c).map((x) => x.train.peakMiB)),
  },
];

function violations(objects: K8sObject[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    const spec = podTemplate(o)?.spec;
    for (const [init, list] of [
      [true, spec?.initContainers ?? []],
      [false, spec?.containers ?? []],
    ] as const) {
      for (const ct of list) {
        for (const r of requirements) {
          if (!r.pick(o, ct, init)) continue;
          const req = quantity(ct.resources?.requests?.memory);
          const lim = quantity(ct.resources?.limits?.memory);
          if (!(req >= r.request))
            out.push(
              `${o.kind}/${o.metadata.name} ${ct.name}: memory request ${ct.resources?.requests?.memory} < ${r.request} MiB (${r.what})`,
            );
          if (!(lim >= r.limit))
            out.push(`${o.kind}/${o.metadata.name} ${ct.name}: memory limit ${ct.resources?.limits?.memory} < ${r.limit} MiB (${r.what})`);
        }
      }
    }
    if (o.kind === 'Cluster') {
      // Old and new ratings coexist during an ingest; a year of monthly runs is kept (no --keep-runs).
      const need = 2 * c['latest-uncurated'].postgres.databaseMiB + 12 * c['latest-uncurated'].postgres.perRunMiB;
      if (!(quantity(o.spec.storage.size) >= need))
        out.push(
          `Cluster/${o.metadata.name}: storage ${o.spec.storage.size} < ${need} MiB (two uncurated datasets during an ingest + 12 runs)`,
        );
      const pg = o.spec.postgresql.parameters;
      const mem = bytesToMiB(pg.shared_buffers.replace(/B$/, 'i')) + bytesToMiB(pg.maintenance_work_mem.replace(/B$/, 'i'));
      if (!(quantity(o.spec.resources.limits.memory) >= mem + 1024))
        out.push(
          `Cluster/${o.metadata.name}: memory limit ${o.spec.resources.limits.memory} leaves under 1 GiB beside shared_buffers + maintenance_work_mem (HNSW builds)`,
        );
    }
    if (o.kind === 'StatefulSet' && o.metadata.name === 'postgres') {
      const need = 2 * c['latest-curated'].postgres.databaseMiB + 12 * c['latest-curated'].postgres.perRunMiB;
      const size = quantity(o.spec.volumeClaimTemplates[0].spec.resources.requests.storage);
      if (!(size >= need))
        out.push(`StatefulSet/postgres: volume ${size} MiB < ${need} MiB (two default-curation datasets during an ingest + 12 runs)`);
    }
  }
  return out;
}

describe('requests and limits cover the measurements (k8s/sizing.json)', () => {
  it('the figures are dated, on a named machine, for the three dataset sizes', () => {
    expect(sizing.measured.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sizing.measured.machine).toMatch(/core/);
    expect(Object.keys(c)).toEqual(['small', 'latest-curated', 'latest-uncurated']);
  });

  it('parses Kubernetes quantities', () => {
    expect([quantity('768Mi'), quantity('2Gi'), quantity('500m'), quantity('1'), quantity('1024Ki')]).toEqual([768, 2048, 0.5, 1, 1]);
    expect(() => quantity('2 GB')).toThrow(/not a quantity/);
  });

  it.each(overlays)('%s', (overlay) => {
    const objs = objectsOf(overlay);
    // every requirement applies somewhere (a renamed container would silently escape it)
    for (const r of requirements)
      expect(
        objs.some((o) =>
          [...(podTemplate(o)?.spec?.containers ?? []), ...(podTemplate(o)?.spec?.initContainers ?? [])].some((ct: any) =>
            r.pick(o, ct, false),
          ),
        ),
      ).toBe(true);
    expect(violations(objs)).toEqual([]);
  });

  it('planted: a gateway limit below the measured hot swap + cache, a trainer limit below its peak, too little database storage', () => {
    const objs = objectsOf('overlays/prod').map((o) => structuredClone(o));
    const gw = objs.find((o) => o.kind === 'Deployment')!;
    gw.spec.template.spec.containers[0].resources.limits.memory = '512Mi';
    objs.find((o) => o.kind === 'Job' && o.metadata.name === 'cinemap-train')!.spec.template.spec.containers[0].resources.limits.memory =
      '1Gi';
    objs.find((o) => o.kind === 'Cluster')!.spec.storage.size = '10Gi';
    const v = violations(objs).join('\n');
    expect(v).toMatch(/Deployment\/cinemap-gateway gateway: memory limit 512Mi < 561 MiB/);
    expect(v).toMatch(/Job\/cinemap-train train: memory limit 1Gi < 1595 MiB/);
    expect(v).toMatch(/Cluster\/cinemap-pg: storage 10Gi < 14184 MiB/);
  });
});
