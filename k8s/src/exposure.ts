// Cross-object checks of the way in from outside (Ingress, Gateway API Gateway and
// HTTPRoute): every backend is a Service port that exists, every route hangs off a
// listener that exists and admits it, public hosts are HTTPS only (plain HTTP may only
// redirect), cert-manager is asked for each certificate with annotations it knows,
// and no route reaches the gateway's internal endpoints (/metrics, /health/*) while
// the API and the explorer page are reachable.
//
// impliedCertificates() writes down the Certificate objects cert-manager's
// ingress-shim / gateway-shim would create from those annotations, so that they are
// validated against cert-manager's own schema like any other object.
import type { K8sObject } from './kustomize';
import type { Violation } from './policy';
import { closest } from './declared-types';

/** Paths of the gateway's HTTP server that must stay inside the cluster. */
export const INTERNAL_PATHS = ['/metrics', '/health/live', '/health/ready'];
/** Paths a public route must reach: the API, the explorer page and one of its hashed assets. */
export const PUBLIC_PATHS = ['/graphql', '/', '/assets/index-0123abcd.js'];

/**
 * The annotations cert-manager reads on an Ingress or a Gateway, and the Certificate
 * field each sets (cert-manager docs, "Annotations"; the value is split on commas
 * where the field is a list). The issuer annotations are handled on their own.
 */
const CERT_ANNOTATIONS: Record<string, { field: string[]; list?: boolean; int?: boolean }> = {
  'cert-manager.io/common-name': { field: ['commonName'] },
  'cert-manager.io/alt-names': { field: ['dnsNames'], list: true },
  'cert-manager.io/email-sans': { field: ['emailAddresses'], list: true },
  'cert-manager.io/ip-sans': { field: ['ipAddresses'], list: true },
  'cert-manager.io/uri-sans': { field: ['uris'], list: true },
  'cert-manager.io/duration': { field: ['duration'] },
  'cert-manager.io/renew-before': { field: ['renewBefore'] },
  'cert-manager.io/renew-before-percentage': { field: ['renewBeforePercentage'], int: true },
  'cert-manager.io/usages': { field: ['usages'], list: true },
  'cert-manager.io/revision-history-limit': { field: ['revisionHistoryLimit'], int: true },
  'cert-manager.io/private-key-algorithm': { field: ['privateKey', 'algorithm'] },
  'cert-manager.io/private-key-encoding': { field: ['privateKey', 'encoding'] },
  'cert-manager.io/private-key-size': { field: ['privateKey', 'size'], int: true },
  'cert-manager.io/private-key-rotation-policy': { field: ['privateKey', 'rotationPolicy'] },
  'cert-manager.io/subject-organizations': { field: ['subject', 'organizations'], list: true },
  'cert-manager.io/subject-organizationalunits': { field: ['subject', 'organizationalUnits'], list: true },
  'cert-manager.io/subject-countries': { field: ['subject', 'countries'], list: true },
  'cert-manager.io/subject-provinces': { field: ['subject', 'provinces'], list: true },
  'cert-manager.io/subject-localities': { field: ['subject', 'localities'], list: true },
  'cert-manager.io/subject-postalcodes': { field: ['subject', 'postalCodes'], list: true },
  'cert-manager.io/subject-streetaddresses': { field: ['subject', 'streetAddresses'], list: true },
  'cert-manager.io/subject-serialnumber': { field: ['subject', 'serialNumber'] },
};
const ISSUER_ANNOTATIONS = [
  'cert-manager.io/cluster-issuer',
  'cert-manager.io/issuer',
  'cert-manager.io/issuer-kind',
  'cert-manager.io/issuer-group',
  'cert-manager.io/issuer-name',
];
const OTHER_ANNOTATIONS = [
  'acme.cert-manager.io/http01-edit-in-place',
  'acme.cert-manager.io/http01-ingress-class',
  'acme.cert-manager.io/http01-ingress-ingressclassname',
  'cert-manager.io/secret-template',
];
const KNOWN = [...Object.keys(CERT_ANNOTATIONS), ...ISSUER_ANNOTATIONS, ...OTHER_ANNOTATIONS];

/** Ingress path semantics (Exact; Prefix by path elements; ImplementationSpecific taken as Prefix, the wider reading). */
export function ingressPathMatches(pathType: string, path: string, request: string): boolean {
  if (pathType === 'Exact') return request === path;
  return elementPrefix(path, request);
}

/** HTTPRoute path semantics (Exact, PathPrefix by path elements, RegularExpression); no match = every path. */
export function routeMatchMatches(match: any, request: string): boolean {
  const p = match?.path;
  if (!p) return true;
  const value = p.value ?? '/';
  if ((p.type ?? 'PathPrefix') === 'Exact') return request === value;
  if (p.type === 'RegularExpression') return new RegExp(`^(?:${value})$`).test(request);
  return elementPrefix(value, request);
}

function elementPrefix(prefix: string, request: string): boolean {
  const p = prefix.replace(/\/+$/, '');
  return p === '' || request === p || request.startsWith(`${p}/`);
}

const hostMatches = (pattern: string | undefined, host: string) =>
  !pattern ||
  pattern === host ||
  (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)) && host.split('.').length === pattern.split('.').length);

export function checkExposure(objects: K8sObject[]): Violation[] {
  const out: Violation[] = [];
  const services = objects.filter((o) => o.kind === 'Service');
  const serviceOf = (ns: string | undefined, name: string) => services.find((s) => s.metadata.name === name && s.metadata.namespace === ns);

  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.name}`;
    const v = (rule: string, message: string) => out.push({ rule, object: id, message });
    if (o.kind === 'Ingress' || o.kind === 'Gateway') checkCertManagerAnnotations(o, v);

    if (o.kind === 'Ingress') {
      const tlsHosts = new Set<string>(((o.spec.tls ?? []) as any[]).flatMap((t) => t.hosts ?? []));
      for (const [i, t] of ((o.spec.tls ?? []) as any[]).entries())
        if (!t.secretName) v('tls', `spec.tls[${i}] has no secretName: cert-manager needs one to store the certificate in`);
      const backends: { where: string; svc: any }[] = [];
      if (o.spec.defaultBackend) backends.push({ where: 'spec.defaultBackend', svc: o.spec.defaultBackend.service });
      for (const [ri, r] of ((o.spec.rules ?? []) as any[]).entries()) {
        if (!r.host) v('tls', `spec.rules[${ri}] has no host: it answers any name, and no certificate can be issued for it`);
        else if (!tlsHosts.has(r.host)) v('tls', `spec.rules[${ri}] host ${r.host} is not in spec.tls: it would be served over plain HTTP`);
        for (const [pi, p] of ((r.http?.paths ?? []) as any[]).entries())
          backends.push({ where: `spec.rules[${ri}].http.paths[${pi}]`, svc: p.backend?.service });
      }
      for (const h of tlsHosts)
        if (!((o.spec.rules ?? []) as any[]).some((r) => r.host === h))
          v('tls', `spec.tls host ${h} has no rule: a certificate would be issued for a name nothing serves`);
      for (const b of backends) {
        if (!b.svc) {
          v('route-backend', `${b.where}: backend is not a Service`);
          continue;
        }
        checkServicePort(
          serviceOf(o.metadata.namespace, b.svc.name),
          b.svc.name,
          b.svc.port?.name ?? b.svc.port?.number,
          `${b.where}.backend`,
          v,
        );
      }
      const reaches = (path: string) =>
        ((o.spec.rules ?? []) as any[]).some((r) =>
          ((r.http?.paths ?? []) as any[]).some((p) => ingressPathMatches(p.pathType, p.path, path)),
        ) || !!o.spec.defaultBackend;
      for (const p of INTERNAL_PATHS)
        if (reaches(p)) v('internal-paths', `${p} is routed to the public: route only /graphql (Exact), / (Exact) and /assets (Prefix)`);
      for (const p of PUBLIC_PATHS)
        if (!reaches(p)) v('public-paths', `${p} is not routed: the API and the explorer page (/, /assets/*) must be reachable`);
    }

    if (o.kind === 'Gateway') {
      for (const [i, l] of ((o.spec.listeners ?? []) as any[]).entries()) {
        if (l.protocol === 'HTTPS') {
          if (l.tls?.mode !== undefined && l.tls.mode !== 'Terminate')
            v(
              'tls',
              `spec.listeners[${i}] (${l.name}): tls.mode ${l.tls.mode}; the gateway speaks plain HTTP behind it, so terminate TLS here`,
            );
          if (!(l.tls?.certificateRefs ?? []).length) v('tls', `spec.listeners[${i}] (${l.name}): HTTPS without tls.certificateRefs`);
          if (!l.hostname) v('tls', `spec.listeners[${i}] (${l.name}): no hostname, so cert-manager cannot tell which name to certify`);
        }
      }
    }

    if (o.kind === 'HTTPRoute') {
      const attached: any[] = [];
      for (const [i, ref] of ((o.spec.parentRefs ?? []) as any[]).entries()) {
        if ((ref.kind ?? 'Gateway') !== 'Gateway') continue;
        const ns = ref.namespace ?? o.metadata.namespace;
        const gw = objects.find((g) => g.kind === 'Gateway' && g.metadata.name === ref.name && g.metadata.namespace === ns);
        if (!gw) {
          if (ns === o.metadata.namespace) v('route-parent', `spec.parentRefs[${i}]: no Gateway ${ref.name} in ${ns}`);
          continue; // a shared Gateway elsewhere: not part of these manifests
        }
        const listeners = ((gw.spec.listeners ?? []) as any[]).filter((l) => ref.sectionName === undefined || l.name === ref.sectionName);
        if (!listeners.length)
          v(
            'route-parent',
            `spec.parentRefs[${i}]: Gateway ${ref.name} has no listener ${JSON.stringify(ref.sectionName)} (it has ${((gw.spec.listeners ?? []) as any[]).map((l) => l.name).join(', ')})`,
          );
        for (const l of listeners) {
          const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
          if (from === 'Same' && gw.metadata.namespace !== o.metadata.namespace)
            v('route-parent', `listener ${l.name} admits routes of its own namespace only`);
          const hosts: string[] = o.spec.hostnames ?? [];
          if (l.hostname && hosts.length && !hosts.some((h) => hostMatches(l.hostname, h) || hostMatches(h, l.hostname)))
            v(
              'route-parent',
              `spec.hostnames ${hosts.join(', ')} do not match listener ${l.name} (${l.hostname}): the route would never attach`,
            );
          attached.push(l);
        }
      }
      const rules = (o.spec.rules ?? []) as any[];
      for (const [ri, r] of rules.entries()) {
        for (const [bi, b] of ((r.backendRefs ?? []) as any[]).entries()) {
          if ((b.kind ?? 'Service') !== 'Service' || (b.group ?? '') !== '') {
            v('route-backend', `spec.rules[${ri}].backendRefs[${bi}]: not a Service`);
            continue;
          }
          if (b.namespace && b.namespace !== o.metadata.namespace) continue;
          checkServicePort(serviceOf(o.metadata.namespace, b.name), b.name, b.port, `spec.rules[${ri}].backendRefs[${bi}]`, v);
        }
      }
      const redirectsOnly = rules.every(
        (r) =>
          !(r.backendRefs ?? []).length &&
          (r.filters ?? []).some((f: any) => f.type === 'RequestRedirect' && f.requestRedirect?.scheme === 'https'),
      );
      const plain = attached.filter((l) => l.protocol === 'HTTP');
      if (plain.length && !redirectsOnly)
        v(
          'tls',
          `attached to plain-HTTP listener ${plain.map((l) => l.name).join(', ')} but does more than redirect to https: the API would be served unencrypted`,
        );
      const reaches = (path: string) =>
        rules.some(
          (r) =>
            (r.backendRefs ?? []).length && (!(r.matches ?? []).length || (r.matches as any[]).some((m) => routeMatchMatches(m, path))),
        );
      const serves = rules.some((r) => (r.backendRefs ?? []).length);
      if (serves) {
        for (const p of INTERNAL_PATHS)
          if (reaches(p))
            v('internal-paths', `${p} is routed to the public: match only /graphql (Exact), / (Exact) and /assets (PathPrefix)`);
        for (const p of PUBLIC_PATHS)
          if (!reaches(p)) v('public-paths', `${p} is not routed: the API and the explorer page (/, /assets/*) must be reachable`);
      }
    }
  }
  return out;
}

function checkServicePort(
  svc: K8sObject | undefined,
  name: string,
  port: string | number | undefined,
  where: string,
  v: (rule: string, message: string) => void,
): void {
  if (!svc) return v('route-backend', `${where}: no Service ${name} among these manifests`);
  const ports = (svc.spec.ports ?? []) as any[];
  if (!ports.some((p) => p.name === port || p.port === port))
    v(
      'route-backend',
      `${where}: Service ${name} has no port ${JSON.stringify(port)} (it has ${ports.map((p) => `${p.name ?? ''}:${p.port}`).join(', ')})`,
    );
}

function checkCertManagerAnnotations(o: K8sObject, v: (rule: string, message: string) => void): void {
  const a = o.metadata.annotations ?? {};
  for (const k of Object.keys(a)) {
    if (!/(^|\.)cert-manager\.io\//.test(k) || KNOWN.includes(k)) continue;
    const hint = closest(k, KNOWN);
    v(
      'cert-manager',
      `annotation ${k} is not one cert-manager reads on an ${o.kind}${hint ? ` (did you mean ${hint}?)` : ''}; it would be ignored`,
    );
  }
  const tls =
    o.kind === 'Ingress' ? (o.spec.tls ?? []).length > 0 : ((o.spec.listeners ?? []) as any[]).some((l) => l.protocol === 'HTTPS');
  const issuers = ['cert-manager.io/cluster-issuer', 'cert-manager.io/issuer'].filter((k) => a[k]);
  if (tls && !issuers.length)
    v(
      'cert-manager',
      'TLS without a cert-manager.io/cluster-issuer (or issuer) annotation: nothing would issue or renew the certificate (no Secret is ever committed)',
    );
  if (issuers.length > 1)
    v('cert-manager', 'both cert-manager.io/cluster-issuer and cert-manager.io/issuer are set; cert-manager refuses the object');
}

/** The Certificates cert-manager would create from the annotated Ingresses and Gateways. */
export function impliedCertificates(objects: K8sObject[]): K8sObject[] {
  const out: K8sObject[] = [];
  for (const o of objects) {
    if (o.kind !== 'Ingress' && o.kind !== 'Gateway') continue;
    const a = o.metadata.annotations ?? {};
    const issuer = a['cert-manager.io/cluster-issuer'] ?? a['cert-manager.io/issuer'];
    if (!issuer) continue;
    const issuerRef: Record<string, string> = {
      name: issuer,
      kind: a['cert-manager.io/issuer-kind'] ?? (a['cert-manager.io/cluster-issuer'] ? 'ClusterIssuer' : 'Issuer'),
      group: a['cert-manager.io/issuer-group'] ?? 'cert-manager.io',
    };
    const targets: { secretName: string; dnsNames: string[] }[] =
      o.kind === 'Ingress'
        ? ((o.spec.tls ?? []) as any[]).filter((t) => t.secretName).map((t) => ({ secretName: t.secretName, dnsNames: t.hosts ?? [] }))
        : ((o.spec.listeners ?? []) as any[])
            .filter((l) => l.protocol === 'HTTPS' && l.hostname)
            .flatMap((l) => ((l.tls?.certificateRefs ?? []) as any[]).map((r) => ({ secretName: r.name, dnsNames: [l.hostname] })));
    const merged = new Map<string, string[]>();
    for (const t of targets) merged.set(t.secretName, [...new Set([...(merged.get(t.secretName) ?? []), ...t.dnsNames])]);
    for (const [secretName, dnsNames] of merged) {
      const spec: Record<string, any> = { secretName, dnsNames, issuerRef };
      for (const [k, def] of Object.entries(CERT_ANNOTATIONS)) {
        if (a[k] === undefined) continue;
        const raw = a[k];
        const value: unknown = def.list
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : def.int && /^-?\d+$/.test(raw)
            ? Number(raw)
            : raw;
        let at = spec;
        for (const f of def.field.slice(0, -1)) at = at[f] ??= {};
        at[def.field[def.field.length - 1]] = value;
      }
      out.push({
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: {
          name: secretName,
          namespace: o.metadata.namespace,
          annotations: { 'cinemap.io/implied-by': `${o.kind}/${o.metadata.name}` },
        },
        spec,
      });
    }
  }
  return out;
}
