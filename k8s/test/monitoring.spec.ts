// Observability (issue 16 #5): the ServiceMonitor scrapes the gateway Service's
// metrics port, every alert and dashboard query parses and uses only metrics, labels
// and label values the gateway really exports (read from its registry, not from a
// list kept here), the rules carry what an on-call needs, and the dashboard matches
// @grafana/schema's model. Each check also fails on a planted mistake.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { render, type K8sObject } from '../src/kustomize';
import { checkDashboard, checkDashboards, checkMonitoring, checkPromQL, gatewayCatalogue, type MetricCatalogue } from '../src/monitoring';

const K8S = join(__dirname, '..');
const prod = render(join(K8S, 'overlays/prod')).map((r) => r.object);
const fresh = () => prod.map((o) => structuredClone(o));
const pick = (objs: K8sObject[], kind: string, name: string) => objs.find((x) => x.kind === kind && x.metadata.name === name)!;
const dashboardText = readFileSync(join(K8S, 'monitoring/cinemap-gateway.json'), 'utf8');
let cat: MetricCatalogue;
beforeAll(() => {
  cat = gatewayCatalogue();
});
const problems = (objs: K8sObject[]) =>
  [...checkMonitoring(objs, cat), ...checkDashboards(objs, cat)].map((v) => `${v.object} [${v.rule}] ${v.message}`).join('\n');

describe('the metric catalogue is the gateway registry', () => {
  it('has the gateway metrics the rules rely on, histogram series and their labels', () => {
    for (const m of [
      'cinemap_model_run_id',
      'cinemap_model_up_to_date',
      'cinemap_graphql_errors_total',
      'cinemap_http_requests_total',
      'cinemap_db_pool_connections',
      'cinemap_gateway_process_resident_memory_bytes',
    ])
      expect(cat.metrics.has(m)).toBe(true);
    expect(cat.metrics.get('cinemap_graphql_operation_duration_seconds_bucket')!.labels).toEqual(['operation', 'le']);
    expect(cat.metrics.get('cinemap_graphql_errors_total')!.labels.sort()).toEqual(['code', 'operation']);
    expect(cat.closedValues.get('code')).toContain('DATABASE_UNAVAILABLE');
    expect(cat.closedValues.get('operation')).toContain('similarMovies'); // from apps/gateway/schema.graphql
  });
});

describe('prod monitoring, as rendered', () => {
  it('holds a ServiceMonitor, a PrometheusRule with 5 alerts and the dashboard ConfigMap', () => {
    const rule = pick(prod, 'PrometheusRule', 'cinemap-gateway');
    expect(rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert))).toEqual([
      'CinemapGatewayErrorRatio',
      'CinemapGatewayLatencyP99',
      'CinemapNoActiveModel',
      'CinemapDatabaseUnavailable',
      'CinemapModelStale',
    ]);
    const cm = pick(prod, 'ConfigMap', 'cinemap-grafana-dashboard');
    expect(cm.metadata.labels!.grafana_dashboard).toBe('1');
    expect(cm.data['cinemap-gateway.json']).toBe(dashboardText);
    expect(pick(prod, 'ServiceMonitor', 'cinemap-gateway').metadata.namespace).toBe('cinemap');
  });

  it('passes every monitoring check', () => {
    expect(problems(fresh())).toBe('');
  });
});

describe('PromQL checks', () => {
  it('accept what the gateway exports, with scrape labels and closed label values', () => {
    expect(
      checkPromQL(
        'sum by (namespace, code) (rate(cinemap_graphql_errors_total{code=~"DATABASE_UNAVAILABLE|DATABASE_TIMEOUT", pod!=""}[5m])) > 0',
        cat,
      ),
    ).toEqual([]);
    expect(
      checkPromQL(
        'histogram_quantile(0.99, sum by (le) (rate(cinemap_graphql_operation_duration_seconds_bucket{operation="similarMovies"}[5m])))',
        cat,
      ),
    ).toEqual([]);
  });

  it('a syntax error names the column', () => {
    expect(checkPromQL('rate(cinemap_http_requests_total[5m]', cat).join('\n')).toMatch(/PromQL syntax error at column \d+/);
    expect(checkPromQL('rat(cinemap_http_requests_total[5m])', cat).join('\n')).toMatch(/PromQL syntax error/);
  });

  it('a metric the gateway does not export, a label it lacks, a grouping label on none of them, a value it never produces', () => {
    expect(checkPromQL('rate(cinemap_requests_total[5m])', cat)).toEqual([
      'metric cinemap_requests_total is not exported by the gateway (did you mean cinemap_http_requests_total?)',
    ]);
    expect(checkPromQL('cinemap_http_requests_total{rout="ready"}', cat).join('\n')).toMatch(
      /cinemap_http_requests_total has no label "rout" \(did you mean "route"\?\)/,
    );
    expect(checkPromQL('sum by (nmespace) (cinemap_model_run_id)', cat).join('\n')).toMatch(
      /grouping label "nmespace" is on none of the selected metrics/,
    );
    expect(checkPromQL('cinemap_graphql_errors_total{code="DATABASE_DOWN"}', cat).join('\n')).toMatch(
      /label code="DATABASE_DOWN" never occurs/,
    );
    expect(checkPromQL('cinemap_http_requests_total{route=~"ready|healthz"}', cat).join('\n')).toMatch(
      /label route="healthz" never occurs/,
    );
  });
});

describe('monitoring checks catch planted mistakes', () => {
  it('an alert on a metric the gateway does not export', () => {
    const objs = fresh();
    pick(objs, 'PrometheusRule', 'cinemap-gateway').spec.groups[0].rules[2].expr = 'min by (namespace) (cinemap_active_model) == 0';
    expect(problems(objs)).toMatch(
      /PrometheusRule\/cinemap-gateway \[promql\] spec\.groups\[0\]\.rules\[2\] \(CinemapNoActiveModel\)\.expr: metric cinemap_active_model is not exported by the gateway/,
    );
  });

  it('an alert without for, severity or description, and a duplicate name', () => {
    const objs = fresh();
    const rules = pick(objs, 'PrometheusRule', 'cinemap-gateway').spec.groups[0].rules;
    delete rules[0].for;
    rules[1].labels.severity = 'page';
    delete rules[2].annotations.description;
    rules[3].alert = rules[4].alert;
    const p = problems(objs);
    expect(p).toMatch(/rules\[0\] \(CinemapGatewayErrorRatio\): no "for"/);
    expect(p).toMatch(/rules\[1\] \(CinemapGatewayLatencyP99\): labels\.severity is "page"/);
    expect(p).toMatch(/rules\[2\] \(CinemapNoActiveModel\): annotations\.description is missing/);
    expect(p).toMatch(/alert name CinemapModelStale is used twice/);
  });

  it('a ServiceMonitor that selects no Service, or a port the Service lacks', () => {
    const objs = fresh();
    const sm = pick(objs, 'ServiceMonitor', 'cinemap-gateway');
    sm.spec.endpoints[0].port = 'metrics';
    let p = problems(objs);
    expect(p).toMatch(
      /ServiceMonitor\/cinemap-gateway \[servicemonitor-target\] spec\.endpoints\[0\] scrapes port "metrics", which Service\/cinemap-gateway does not have \(ports: http\)/,
    );
    sm.spec.selector.matchLabels['app.kubernetes.io/component'] = 'api';
    p = problems(objs);
    expect(p).toMatch(/spec\.selector .* matches no Service in cinemap: Prometheus would scrape nothing/);
  });

  it('a dashboard query on an unknown metric, an undefined variable, a misspelt panel field, a wrong type, a panel option typo', () => {
    const d = JSON.parse(dashboardText);
    d.panels[4].targets[0].expr = 'sum(rate(cinemap_http_request_total{namespace="$namespace"}[$__rate_interval]))';
    d.panels[5].targets[0].expr = d.panels[5].targets[0].expr.replace('$namespace', '$ns');
    d.panels[6].titel = d.panels[6].title;
    d.panels[7].gridPos.w = 'wide';
    d.panels[8].options.legend.placment = 'bottom';
    d.panels[9].targets[0].legendFromat = '{{pod}}';
    const p = checkDashboard(JSON.stringify(d), cat, 'board.json').join('\n');
    expect(p).toMatch(
      /board\.json panels\[4\] \(HTTP requests by route and status\) targets\[0\]: metric cinemap_http_request_total is not exported by the gateway \(did you mean cinemap_http_requests_total\?\)/,
    );
    expect(p).toMatch(/panels\[5\] .* targets\[0\]: \$ns is not a variable of the dashboard/);
    expect(p).toMatch(/panels\[6\]\.titel: unknown field "titel" \(Panel has no such field; did you mean "title"\?\)/);
    expect(p).toMatch(/panels\[7\]\.gridPos\.w: must be number \(got "wide"\)/);
    expect(p).toMatch(/panels\[8\]\.options\.legend\.placment: unknown field "placment"/);
    expect(p).toMatch(
      /panels\[9\]\.targets\[0\]\.legendFromat: unknown field "legendFromat" \(PrometheusQuery has no such field; did you mean "legendFormat"\?\)/,
    );
  });

  it('a dashboard without uid or datasource variable, a duplicate panel id, a bad variable query', () => {
    const d = JSON.parse(dashboardText);
    delete d.uid;
    d.templating.list = d.templating.list.filter((x: any) => x.type !== 'datasource');
    d.panels[1].id = d.panels[0].id;
    d.templating.list[0].query.query = 'label_values(cinemap_model_run_id, nmespace)';
    const p = checkDashboard(JSON.stringify(d), cat, 'board.json').join('\n');
    expect(p).toMatch(/board\.json: uid is missing/);
    expect(p).toMatch(/no datasource variable of type prometheus/);
    expect(p).toMatch(/panels\[1\]: id 1 is used twice/);
    expect(p).toMatch(/cinemap_model_run_id has no label "nmespace"/);
  });

  it('a dashboard ConfigMap whose JSON does not parse', () => {
    const objs = fresh();
    pick(objs, 'ConfigMap', 'cinemap-grafana-dashboard').data['cinemap-gateway.json'] = '{"title": ';
    expect(problems(objs)).toMatch(/ConfigMap\/cinemap-grafana-dashboard \[dashboard\] cinemap-gateway\.json: not JSON/);
  });
});
