// Evaluates NetworkPolicies the way a CNI does (for the subset cinemap uses:
// podSelector/namespaceSelector matchLabels and matchExpressions In/Exists,
// ipBlock, TCP/UDP ports), so tests can ask "may pod A open a connection to
// pod B on port P?" of the rendered manifests instead of eyeballing YAML.
import type { K8sObject } from './kustomize';

export interface Endpoint {
  /** pod labels; undefined = not a pod (an address outside the cluster) */
  labels?: Record<string, string>;
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  /** for non-pod endpoints */
  ip?: string;
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

export function selects(sel: Selector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return true;
  if (!labels) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(labels[e.key])) return false;
  }
  return true;
}

function ipInCidr(ip: string, cidr: string): boolean {
  const toInt = (s: string) => s.split('.').reduce((a, b) => (a << 8) + Number(b), 0) >>> 0;
  const [base, bits] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) === (toInt(base) & mask);
}

function peerMatches(peer: any, ep: Endpoint, policyNs: string): boolean {
  if (peer.ipBlock) {
    if (!ep.ip) return false;
    return ipInCidr(ep.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => ipInCidr(ep.ip!, c));
  }
  if (!ep.labels) return false;
  if (peer.namespaceSelector) {
    if (!selects(peer.namespaceSelector, ep.namespaceLabels ?? {})) return false;
  } else if (ep.namespace !== policyNs) return false;
  return selects(peer.podSelector, ep.labels);
}

function portMatches(ports: any[] | undefined, port: number, protocol: string): boolean {
  if (!ports || !ports.length) return true;
  return ports.some(
    (p) =>
      (p.protocol ?? 'TCP') === protocol &&
      (p.port === undefined || p.port === port || (p.endPort !== undefined && port >= p.port && port <= p.endPort)),
  );
}

/** Is a connection from `src` to `dst` on port/protocol allowed (both the egress and the ingress side)? */
export function allowed(policies: K8sObject[], src: Endpoint, dst: Endpoint, port: number, protocol = 'TCP'): boolean {
  const side = (ep: Endpoint, type: 'Ingress' | 'Egress', other: Endpoint) => {
    if (!ep.labels) return true; // not a pod: no NetworkPolicy applies to it
    const applying = policies.filter(
      (p) =>
        p.kind === 'NetworkPolicy' &&
        p.metadata.namespace === ep.namespace &&
        (p.spec.policyTypes ?? ['Ingress']).includes(type) &&
        selects(p.spec.podSelector, ep.labels),
    );
    if (!applying.length) return true;
    const key = type === 'Ingress' ? 'ingress' : 'egress';
    const peerKey = type === 'Ingress' ? 'from' : 'to';
    return applying.some((p) =>
      (p.spec[key] ?? []).some(
        (rule: any) =>
          portMatches(rule.ports, port, protocol) &&
          (!rule[peerKey] || rule[peerKey].some((peer: any) => peerMatches(peer, other, p.metadata.namespace!))),
      ),
    );
  };
  return side(src, 'Egress', dst) && side(dst, 'Ingress', src);
}

/** The labels of the pods a workload creates (its pod template's labels). */
export function podLabels(o: K8sObject): Record<string, string> {
  const t = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
  return t.metadata?.labels ?? {};
}
