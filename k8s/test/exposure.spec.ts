// The way in (issue 16 #1): the prod overlay's Ingress and the prod-gateway-api
// overlay's Gateway + HTTPRoutes reach the gateway Service over HTTPS only, with a
// certificate cert-manager issues (and the Certificate it would create is valid
// against cert-manager's schema), route the API and the explorer but never /metrics
// or /health/*. Each rule also fails on a planted mistake.
import { join } from 'node:path';
import { render, overlayDirs, type K8sObject } from '../src/kustomize';
import { SchemaValidator, formatErrors } from '../src/validate';
import { checkExposure, impliedCertificates, ingressPathMatches, routeMatchMatches } from '../src/exposure';

const K8S = join(__dirname, '..');
const rendered = new Map(overlayDirs(K8S).map((d) => [d.slice(K8S.length + 1), render(d).map((r) => r.object)]));
const all = (overlay: string) => rendered.get(overlay)!.map((o) => structuredClone(o));
const pick = (objs: K8sObject[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o;
};
const problems = (objs: K8sObject[]) =>
  checkExposure(objs)
    .map((v) => `${v.object} [${v.rule}] ${v.message}`)
    .join('\n');

let validator: SchemaValidator;
beforeAll(async () => {
  validator = await SchemaValidator.create(join(K8S, 'schemas'));
});

describe('the way in, as rendered', () => {
  it('prod has the Ingress, prod-gateway-api the Gateway and routes instead, dev neither (port-forward)', () => {
    const kinds = (o: string) =>
      rendered
        .get(o)!
        .filter((x) => ['Ingress', 'Gateway', 'HTTPRoute'].includes(x.kind))
        .map((x) => `${x.kind}/${x.metadata.name}`);
    expect(kinds('overlays/prod')).toEqual(['Ingress/cinemap']);
    expect(kinds('overlays/prod-gateway-api').sort()).toEqual(['Gateway/cinemap', 'HTTPRoute/cinemap', 'HTTPRoute/cinemap-http-redirect']);
    expect(kinds('overlays/dev')).toEqual([]);
    // The variant is prod in everything else.
    const rest = (o: string) =>
      rendered
        .get(o)!
        .filter((x) => !['Ingress', 'Gateway', 'HTTPRoute'].includes(x.kind))
        .map((x) => `${x.kind}/${x.metadata.name}`)
        .sort();
    expect(rest('overlays/prod-gateway-api')).toEqual(rest('overlays/prod'));
  });

  it.each(['overlays/dev', 'overlays/prod', 'overlays/prod-gateway-api'])('%s passes every exposure rule', (overlay) => {
    expect(problems(all(overlay))).toBe('');
  });

  it('cert-manager would create one valid Certificate for cinemap.example.com from a ClusterIssuer, in both variants', () => {
    for (const overlay of ['overlays/prod', 'overlays/prod-gateway-api']) {
      const certs = impliedCertificates(all(overlay));
      expect(certs.map((c) => c.spec)).toEqual([
        {
          secretName: 'cinemap-tls',
          dnsNames: ['cinemap.example.com'],
          issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer', group: 'cert-manager.io' },
        },
      ]);
      expect(formatErrors(certs.flatMap((c) => validator.validate(c)))).toBe('');
    }
  });

  it('path matching follows the Ingress and Gateway API rules', () => {
    expect(ingressPathMatches('Prefix', '/assets', '/assets/x.js')).toBe(true);
    expect(ingressPathMatches('Prefix', '/assets', '/assetsx')).toBe(false);
    expect(ingressPathMatches('Prefix', '/', '/metrics')).toBe(true);
    expect(ingressPathMatches('Exact', '/', '/metrics')).toBe(false);
    expect(ingressPathMatches('ImplementationSpecific', '/health', '/health/ready')).toBe(true);
    expect(routeMatchMatches({ path: { type: 'PathPrefix', value: '/assets/' } }, '/assets/a.js')).toBe(true);
    expect(routeMatchMatches({ path: { type: 'RegularExpression', value: '/(graphql|metrics)' } }, '/metrics')).toBe(true);
    expect(routeMatchMatches({}, '/health/live')).toBe(true);
  });
});

describe('exposure rules catch planted mistakes', () => {
  it('an Ingress routing everything (/metrics and /health public)', () => {
    const objs = all('overlays/prod');
    pick(objs, 'Ingress', 'cinemap').spec.rules[0].http.paths[2].pathType = 'Prefix';
    const p = problems(objs);
    expect(p).toMatch(/Ingress\/cinemap \[internal-paths\] \/metrics is routed to the public/);
    expect(p).toMatch(/\/health\/ready is routed to the public/);
  });

  it('an Ingress that forgets the explorer assets, a host without TLS, a TLS block without secret', () => {
    const objs = all('overlays/prod');
    const ing = pick(objs, 'Ingress', 'cinemap');
    ing.spec.rules[0].http.paths.splice(1, 1);
    ing.spec.rules.push({
      host: 'api.example.com',
      http: { paths: [{ path: '/graphql', pathType: 'Exact', backend: { service: { name: 'cinemap-gateway', port: { name: 'http' } } } }] },
    });
    delete ing.spec.tls[0].secretName;
    const p = problems(objs);
    expect(p).toMatch(/\[public-paths\] \/assets\/index-0123abcd\.js is not routed/);
    expect(p).toMatch(/\[tls\] spec\.rules\[1\] host api\.example\.com is not in spec\.tls: it would be served over plain HTTP/);
    expect(p).toMatch(/\[tls\] spec\.tls\[0\] has no secretName/);
  });

  it('a backend Service or port that does not exist', () => {
    const objs = all('overlays/prod');
    const ing = pick(objs, 'Ingress', 'cinemap');
    ing.spec.rules[0].http.paths[0].backend.service.name = 'cinemap-gatway';
    ing.spec.rules[0].http.paths[1].backend.service.port = { name: 'web' };
    const p = problems(objs);
    expect(p).toMatch(/spec\.rules\[0\]\.http\.paths\[0\]\.backend: no Service cinemap-gatway/);
    expect(p).toMatch(/spec\.rules\[0\]\.http\.paths\[1\]\.backend: Service cinemap-gateway has no port "web" \(it has http:80\)/);
  });

  it('no issuer annotation, a misspelt cert-manager annotation, both issuer kinds', () => {
    const objs = all('overlays/prod');
    const ing = pick(objs, 'Ingress', 'cinemap');
    ing.metadata.annotations = { 'cert-manager.io/cluster-isuer': 'letsencrypt-prod' };
    let p = problems(objs);
    expect(p).toMatch(
      /\[cert-manager\] annotation cert-manager\.io\/cluster-isuer is not one cert-manager reads on an Ingress \(did you mean cert-manager\.io\/cluster-issuer\?\)/,
    );
    expect(p).toMatch(/\[cert-manager\] TLS without a cert-manager\.io\/cluster-issuer/);
    ing.metadata.annotations = { 'cert-manager.io/cluster-issuer': 'a', 'cert-manager.io/issuer': 'b' };
    p = problems(objs);
    expect(p).toMatch(/both cert-manager\.io\/cluster-issuer and cert-manager\.io\/issuer are set/);
  });

  it('an annotation value cert-manager would turn into an invalid Certificate', () => {
    const objs = all('overlays/prod');
    const ing = pick(objs, 'Ingress', 'cinemap');
    ing.metadata.annotations!['cert-manager.io/private-key-algorithm'] = 'RSB';
    ing.metadata.annotations!['cert-manager.io/revision-history-limit'] = 'three';
    const [cert] = impliedCertificates(objs);
    const e = formatErrors(validator.validate(cert));
    expect(e).toMatch(/Certificate\/cinemap-tls spec\.privateKey\.algorithm: must be equal to one of the allowed values/);
    expect(e).toMatch(/spec\.revisionHistoryLimit: must be integer/);
  });

  it('an HTTPRoute on a listener or Gateway that does not exist, with hostnames the listener refuses', () => {
    const objs = all('overlays/prod-gateway-api');
    const route = pick(objs, 'HTTPRoute', 'cinemap');
    route.spec.parentRefs[0].sectionName = 'tls';
    let p = problems(objs);
    expect(p).toMatch(
      /HTTPRoute\/cinemap \[route-parent\] spec\.parentRefs\[0\]: Gateway cinemap has no listener "tls" \(it has https, http\)/,
    );
    route.spec.parentRefs[0] = { name: 'cinemap-gw', sectionName: 'https' };
    p = problems(objs);
    expect(p).toMatch(/spec\.parentRefs\[0\]: no Gateway cinemap-gw in cinemap/);
    route.spec.parentRefs[0] = { name: 'cinemap', sectionName: 'https' };
    route.spec.hostnames = ['www.example.org'];
    expect(problems(objs)).toMatch(/spec\.hostnames www\.example\.org do not match listener https \(cinemap\.example\.com\)/);
  });

  it('an HTTPRoute serving the API on the plain-HTTP listener, or routing /metrics', () => {
    const objs = all('overlays/prod-gateway-api');
    pick(objs, 'HTTPRoute', 'cinemap').spec.parentRefs.push({ name: 'cinemap', sectionName: 'http' });
    expect(problems(objs)).toMatch(/HTTPRoute\/cinemap \[tls\] attached to plain-HTTP listener http but does more than redirect to https/);
    const objs2 = all('overlays/prod-gateway-api');
    pick(objs2, 'HTTPRoute', 'cinemap').spec.rules[0].matches[2] = { path: { type: 'PathPrefix', value: '/' } };
    expect(problems(objs2)).toMatch(/\[internal-paths\] \/metrics is routed to the public/);
  });

  it('an HTTPS listener without certificate or hostname, and a backendRef port the Service lacks', () => {
    const objs = all('overlays/prod-gateway-api');
    const l = pick(objs, 'Gateway', 'cinemap').spec.listeners[0];
    delete l.tls.certificateRefs;
    delete l.hostname;
    pick(objs, 'HTTPRoute', 'cinemap').spec.rules[0].backendRefs[0].port = 4000;
    const p = problems(objs);
    expect(p).toMatch(/Gateway\/cinemap \[tls\] spec\.listeners\[0\] \(https\): HTTPS without tls\.certificateRefs/);
    expect(p).toMatch(/spec\.listeners\[0\] \(https\): no hostname/);
    expect(p).toMatch(/backendRefs\[0\]: Service cinemap-gateway has no port 4000/);
  });
});
