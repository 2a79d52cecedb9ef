// Checks of the monitoring objects against what the gateway really exports: every
// PromQL expression (alerting rules, dashboard queries, dashboard variables) must
// parse (the Prometheus project's own PromQL grammar, @prometheus-io/lezer-promql),
// name only metrics of the gateway's registry, label names those metrics or the
// scrape add, and, for labels with a closed value set (error codes, routes, pool
// states, operations), only values the gateway can produce: a rule on a metric or a
// value that never exists would simply never fire. Also: ServiceMonitors select a
// Service and port that exist, rules carry what an on-call needs, and the Grafana
// dashboard matches @grafana/schema's Dashboard model.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { buildSchema } from 'graphql';
import type { SyntaxNode } from '@lezer/common';
import type { K8sObject } from './kustomize';
import { selects } from './netpol';
import { DeclaredTypes, closest, type TypeRef } from './declared-types';
import type { Violation } from './policy';
import { createMetrics, ERROR_CODE_LABELS, OTHER_OPERATION_LABELS, ROUTE_LABELS } from '@cinemap/gateway/metrics';

const ROOT = join(__dirname, '..', '..');

export interface MetricInfo {
  /** series name as queried (histograms: _bucket, _sum, _count) */
  name: string;
  type: string;
  labels: string[];
}

export interface MetricCatalogue {
  metrics: Map<string, MetricInfo>;
  /** label -> the only values it can take (labels not listed are open) */
  closedValues: Map<string, Set<string>>;
}

/** Labels Prometheus adds to every series of a ServiceMonitor target. */
export const TARGET_LABELS = ['job', 'instance', 'namespace', 'service', 'pod', 'container', 'endpoint'];

/**
 * The gateway's metrics, read from its real registry (apps/gateway/src/http/metrics.ts,
 * default Node metrics included): createMetrics only reads the pool and the model store
 * inside collect(), so empty stand-ins are enough to list names and labels.
 */
export function gatewayCatalogue(): MetricCatalogue {
  const store = { current: null, upToDate: true, swaps: 0 } as never;
  const reg = createMetrics({ backend: 'pglite' } as never, store, []).registry;
  const metrics = new Map<string, MetricInfo>();
  for (const m of reg.getMetricsAsArray() as unknown as { name: string; type: string; labelNames?: string[] }[]) {
    const labels = [...(m.labelNames ?? [])];
    const add = (name: string, extra: string[] = []) => metrics.set(name, { name, type: m.type, labels: [...labels, ...extra] });
    if (m.type === 'histogram') {
      add(`${m.name}_bucket`, ['le']);
      add(`${m.name}_sum`);
      add(`${m.name}_count`);
    } else if (m.type === 'summary') {
      add(m.name, ['quantile']);
      add(`${m.name}_sum`);
      add(`${m.name}_count`);
    } else add(m.name);
  }
  // Default metrics whose labels prom-client sets inside collect() (not in labelNames).
  for (const [name, label] of [
    ['cinemap_gateway_nodejs_heap_space_size_total_bytes', 'space'],
    ['cinemap_gateway_nodejs_heap_space_size_used_bytes', 'space'],
    ['cinemap_gateway_nodejs_heap_space_size_available_bytes', 'space'],
    ['cinemap_gateway_nodejs_version_info', 'version'],
    ['cinemap_gateway_nodejs_active_resources', 'type'],
    ['cinemap_gateway_nodejs_active_handles', 'type'],
    ['cinemap_gateway_nodejs_active_requests', 'type'],
  ] as const) {
    const m = metrics.get(name);
    if (m && !m.labels.includes(label)) m.labels.push(label);
  }
  const rootFields = Object.keys(
    buildSchema(readFileSync(join(ROOT, 'apps/gateway/schema.graphql'), 'utf8'))
      .getQueryType()
      ?.getFields() ?? {},
  );
  const closedValues = new Map<string, Set<string>>([
    ['code', new Set(ERROR_CODE_LABELS)],
    ['route', new Set(ROUTE_LABELS)],
    ['operation', new Set([...rootFields, ...OTHER_OPERATION_LABELS])],
    ['state', new Set(['total', 'idle', 'waiting'])],
  ]);
  return { metrics, closedValues };
}

export interface PromQLProblem {
  message: string;
}

/**
 * Problems of one PromQL expression: syntax (with the column), unknown metrics, label
 * names no selected metric has, label values outside a closed set. `vars` replaces
 * Grafana variables first (names without the `$`).
 */
export function checkPromQL(expr: string, cat: MetricCatalogue, vars?: Set<string>): string[] {
  const out: string[] = [];
  let text = expr;
  if (vars) {
    text = expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b)!;
      if (name.startsWith('__'))
        return ['__rate_interval', '__interval', '__range'].includes(name) ? '5m' : (out.push(`unknown Grafana variable $${name}`), '5m');
      if (!vars.has(name)) out.push(`$${name} is not a variable of the dashboard (templating.list)`);
      return 'var';
    });
  }
  const tree = parser.parse(text);
  const selected: MetricInfo[] = [];
  const matchers: { label: string; op: string; value: string }[] = [];
  const grouping: string[] = [];
  let syntax: string | null = null;
  tree.iterate({
    enter(n) {
      if (n.type.isError && !syntax) {
        const col = n.from + 1;
        syntax = `PromQL syntax error at column ${col}: ${JSON.stringify(text.slice(Math.max(0, n.from - 15), n.from))} ⟨here⟩ ${JSON.stringify(text.slice(n.from, n.from + 15))}`;
      }
      if (n.name === 'VectorSelector') {
        const node = n.node;
        const ident = node.getChild('Identifier');
        const ms = readMatchers(node.getChild('LabelMatchers'), text);
        const nameMatcher = ms.find((m) => m.label === '__name__' && m.op === '=');
        const name = ident ? text.slice(ident.from, ident.to) : nameMatcher?.value;
        if (!name) out.push(`selector ${JSON.stringify(text.slice(n.from, n.to))} names no metric`);
        else {
          const info = cat.metrics.get(name);
          if (!info) {
            const hint = closest(name, [...cat.metrics.keys()]);
            out.push(`metric ${name} is not exported by the gateway${hint ? ` (did you mean ${hint}?)` : ''}`);
          } else {
            selected.push(info);
            for (const m of ms) {
              if (m.label === '__name__') continue;
              if (!info.labels.includes(m.label) && !TARGET_LABELS.includes(m.label)) {
                const hint = closest(m.label, [...info.labels, ...TARGET_LABELS]);
                out.push(
                  `${name} has no label "${m.label}"${hint ? ` (did you mean "${hint}"?)` : ''}; it has ${[...info.labels, ...TARGET_LABELS].join(', ')}`,
                );
              }
            }
          }
        }
        matchers.push(...ms);
        return false;
      }
      if (n.name === 'GroupingLabels') {
        for (let c = n.node.firstChild; c; c = c.nextSibling) if (c.name === 'LabelName') grouping.push(text.slice(c.from, c.to));
      }
      return undefined;
    },
  });
  if (syntax) return [...out, syntax];
  for (const m of matchers) {
    const allowed = cat.closedValues.get(m.label);
    if (!allowed || m.op === '!=' || m.op === '!~') continue;
    const values = m.op === '=' ? [m.value] : /^[\w|]+$/.test(m.value) ? m.value.split('|') : null;
    for (const v of values ?? [])
      if (!allowed.has(v)) out.push(`label ${m.label}="${v}" never occurs: the gateway's ${m.label} values are ${[...allowed].join(', ')}`);
  }
  const known = new Set([...selected.flatMap((m) => m.labels), ...TARGET_LABELS]);
  for (const g of grouping)
    if (!known.has(g)) out.push(`grouping label "${g}" is on none of the selected metrics (${[...known].join(', ')})`);
  return out;
}

function readMatchers(list: SyntaxNode | null, text: string): { label: string; op: string; value: string }[] {
  const out: { label: string; op: string; value: string }[] = [];
  for (let c = list?.firstChild ?? null; c; c = c.nextSibling) {
    if (c.name !== 'UnquotedLabelMatcher' && c.name !== 'QuotedLabelMatcher') continue;
    const name = c.getChild('LabelName') ?? c.getChild('QuotedLabelName');
    const op = c.getChild('MatchOp');
    const str = c.getChild('StringLiteral');
    if (!name || !op || !str) continue;
    const raw = text.slice(str.from, str.to);
    let value = raw.slice(1, -1);
    try {
      value = raw.startsWith('`') ? raw.slice(1, -1) : JSON.parse(raw.startsWith("'") ? `"${raw.slice(1, -1).replace(/"/g, '\\"')}"` : raw);
    } catch {
      /* keep the raw inside */
    }
    out.push({ label: text.slice(name.from, name.to).replace(/^"|"$/g, ''), op: text.slice(op.from, op.to), value });
  }
  return out;
}

const SEVERITIES = ['critical', 'warning', 'info'];

/** ServiceMonitor selectors and ports, and PrometheusRule alerts, of rendered objects. */
export function checkMonitoring(objects: K8sObject[], cat: MetricCatalogue): Violation[] {
  const out: Violation[] = [];
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.name}`;
    const v = (rule: string, message: string) => out.push({ rule, object: id, message });
    if (o.kind === 'ServiceMonitor') {
      const namespaces: string[] | 'any' = o.spec.namespaceSelector?.any
        ? 'any'
        : (o.spec.namespaceSelector?.matchNames ?? [o.metadata.namespace]);
      const services = objects.filter(
        (s) =>
          s.kind === 'Service' &&
          (namespaces === 'any' || namespaces.includes(s.metadata.namespace!)) &&
          selects(o.spec.selector, s.metadata.labels ?? {}),
      );
      if (!services.length)
        v(
          'servicemonitor-target',
          `spec.selector ${JSON.stringify(o.spec.selector)} matches no Service in ${namespaces === 'any' ? 'any namespace' : namespaces.join(', ')}: Prometheus would scrape nothing`,
        );
      for (const [i, e] of ((o.spec.endpoints ?? []) as any[]).entries()) {
        for (const s of services) {
          const ports = (s.spec.ports ?? []) as any[];
          const port =
            e.port !== undefined
              ? ports.find((p) => p.name === e.port)
              : e.targetPort !== undefined
                ? ports.find((p) => p.targetPort === e.targetPort || p.port === e.targetPort)
                : undefined;
          if (!port)
            v(
              'servicemonitor-target',
              `spec.endpoints[${i}] scrapes port ${JSON.stringify(e.port ?? e.targetPort)}, which Service/${s.metadata.name} does not have (ports: ${ports.map((p) => p.name ?? p.port).join(', ')})`,
            );
        }
        if ((e.path ?? '/metrics') !== '/metrics')
          v('servicemonitor-target', `spec.endpoints[${i}].path is ${JSON.stringify(e.path)}; the gateway serves metrics at /metrics`);
      }
    }
    if (o.kind === 'PrometheusRule') {
      const names = new Set<string>();
      for (const [gi, g] of ((o.spec.groups ?? []) as any[]).entries()) {
        for (const [ri, r] of ((g.rules ?? []) as any[]).entries()) {
          const at = `spec.groups[${gi}].rules[${ri}]${r.alert ? ` (${r.alert})` : r.record ? ` (${r.record})` : ''}`;
          for (const p of checkPromQL(String(r.expr ?? ''), cat)) v('promql', `${at}.expr: ${p}`);
          if (!r.alert) continue;
          if (names.has(r.alert)) v('alert', `${at}: alert name ${r.alert} is used twice`);
          names.add(r.alert);
          if (!r.for) v('alert', `${at}: no "for": one bad scrape would page; wait a few minutes (for: 5m)`);
          if (!SEVERITIES.includes(r.labels?.severity))
            v(
              'alert',
              `${at}: labels.severity is ${JSON.stringify(r.labels?.severity)}; use one of ${SEVERITIES.join(', ')} (Alertmanager routes on it)`,
            );
          for (const a of ['summary', 'description'])
            if (!r.annotations?.[a]) v('alert', `${at}: annotations.${a} is missing (the on-call reads it)`);
        }
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------ Grafana

/** The Grafana types a dashboard is checked against (panel options per panel type). */
const GRAFANA_TYPES: Record<string, TypeRef> = {
  dashboard: { module: '@grafana/schema', name: 'Dashboard' },
  'options:timeseries': {
    module: '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen',
    name: 'Options',
  },
  'options:stat': { module: '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen', name: 'Options' },
  'custom:timeseries': {
    module: '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen',
    name: 'FieldConfig',
  },
  'query:prometheus': { module: './k8s/src/grafana-prometheus-query', name: 'PrometheusQuery' },
};

let grafanaTypes: DeclaredTypes | undefined;

/** Problems of a Grafana dashboard JSON model (the text of the file). */
export function checkDashboard(text: string, cat: MetricCatalogue, file = 'dashboard.json'): string[] {
  let d: any;
  try {
    d = JSON.parse(text);
  } catch (e) {
    return [`${file}: not JSON: ${(e as Error).message}`];
  }
  grafanaTypes ??= DeclaredTypes.load(ROOT, GRAFANA_TYPES);
  const types = grafanaTypes;
  const out: string[] = [];
  const panelTypeAt = new Map<string, string>();
  const errs = types.check(d, 'dashboard', {
    strict: true,
    override(path, value, typeName) {
      if (/^panels\[\d+\]$/.test(path) && typeName === 'Panel') panelTypeAt.set(path, String((value as any).type));
      const panel = /^(panels\[\d+\])\.(options|fieldConfig\.defaults\.custom|targets\[\d+\])$/.exec(path);
      if (!panel) return undefined;
      const kind = panel[2].startsWith('targets') ? 'query' : panel[2] === 'options' ? 'options' : 'custom';
      const key =
        kind === 'query'
          ? `query:${(value as any).datasource?.type ?? d.panels?.[Number(/\d+/.exec(panel[1])![0])]?.datasource?.type}`
          : `${kind}:${panelTypeAt.get(panel[1])}`;
      if (types.has(key)) return key;
      out.push(`${file} ${path}: no schema for ${key} here; add it to GRAFANA_TYPES in k8s/src/monitoring.ts`);
      return 'skip';
    },
  });
  for (const e of errs) out.push(`${file} ${e.path}: ${e.message}`);
  if (!d.uid) out.push(`${file}: uid is missing (Grafana would make a new dashboard on every load)`);
  const vars = new Set<string>(((d.templating?.list ?? []) as any[]).map((x) => x.name));
  if (!((d.templating?.list ?? []) as any[]).some((x) => x.type === 'datasource' && x.query === 'prometheus'))
    out.push(`${file}: no datasource variable of type prometheus (templating.list): the dashboard would be tied to one data source`);
  const ids = new Set<number>();
  for (const [i, p] of ((d.panels ?? []) as any[]).entries()) {
    if (ids.has(p.id)) out.push(`${file} panels[${i}]: id ${p.id} is used twice`);
    ids.add(p.id);
    for (const [j, t] of ((p.targets ?? []) as any[]).entries()) {
      if (typeof t.expr !== 'string') continue;
      for (const e of checkPromQL(t.expr, cat, vars)) out.push(`${file} panels[${i}] (${p.title}) targets[${j}]: ${e}`);
    }
  }
  for (const [i, x] of ((d.templating?.list ?? []) as any[]).entries()) {
    if (x.type !== 'query') continue;
    const q = typeof x.query === 'string' ? x.query : x.query?.query;
    const m = /^label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)$/.exec(String(q));
    if (!m) {
      out.push(`${file} templating.list[${i}] (${x.name}): query ${JSON.stringify(q)} is not label_values(<selector>, <label>)`);
      continue;
    }
    for (const e of checkPromQL(m[1], cat, vars)) out.push(`${file} templating.list[${i}] (${x.name}): ${e}`);
    const metric = /^[a-zA-Z_:][\w:]*/.exec(m[1])?.[0];
    const info = metric ? cat.metrics.get(metric) : undefined;
    if (info && !info.labels.includes(m[2]) && !TARGET_LABELS.includes(m[2]))
      out.push(`${file} templating.list[${i}] (${x.name}): ${metric} has no label "${m[2]}"`);
  }
  return out;
}

/** Label of the ConfigMaps Grafana's dashboard sidecar loads (kube-prometheus-stack default). */
export const DASHBOARD_LABEL = 'grafana_dashboard';

/** checkDashboard over every dashboard ConfigMap of rendered objects. */
export function checkDashboards(objects: K8sObject[], cat: MetricCatalogue): Violation[] {
  const out: Violation[] = [];
  for (const o of objects) {
    if (o.kind !== 'ConfigMap' || o.metadata.labels?.[DASHBOARD_LABEL] === undefined) continue;
    const files = Object.entries((o.data ?? {}) as Record<string, string>);
    if (!files.length)
      out.push({
        rule: 'dashboard',
        object: `ConfigMap/${o.metadata.name}`,
        message: `labelled ${DASHBOARD_LABEL} but holds no dashboard`,
      });
    for (const [file, text] of files) {
      if (!file.endsWith('.json')) {
        out.push({
          rule: 'dashboard',
          object: `ConfigMap/${o.metadata.name}`,
          message: `${file}: the Grafana sidecar loads only *.json keys`,
        });
        continue;
      }
      for (const m of checkDashboard(text, cat, file)) out.push({ rule: 'dashboard', object: `ConfigMap/${o.metadata.name}`, message: m });
    }
  }
  return out;
}
