// The fields of a Grafana panel target on a Prometheus data source, for the dashboard
// check in monitoring.ts. Grafana's Prometheus data source declares them in its own
// query schema, which @grafana/schema 13 does not ship (it carries only the core
// panels and a few other data sources), so they are written down here: a target with
// any other field is reported as a typo.
import type { DataQuery } from '@grafana/schema';

export interface PrometheusQuery extends DataQuery {
  /** the PromQL expression */
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  exemplar?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  interval?: string;
  intervalFactor?: number;
  editorMode?: 'code' | 'builder';
}
