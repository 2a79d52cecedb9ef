// The kustomize subset behaves like kustomize on small, hand-checked inputs, and
// refuses what it does not implement instead of ignoring it.
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render, strategicMerge, applyJson6902, parseImage, KustomizeError } from '../src/kustomize';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'kust-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

const K = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';
const deploy = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {a: "1"}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: web, image: "acme/web:1.0", env: [{name: A, value: "1"}, {name: B, value: "2"}]}
        - {name: side, image: "registry:5000/acme/side"}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
`;

describe('kustomize subset', () => {
  it('applies base, then the overlay: patches, namespace, labels, images', () => {
    const root = tree({
      'base/kustomization.yaml': `${K}resources: [deploy.yaml]\n`,
      'base/deploy.yaml': deploy,
      'ov/kustomization.yaml': `${K}namespace: shop
resources: [../base]
labels: [{pairs: {team: x}, includeTemplates: true}]
images: [{name: acme/web, newName: reg.io/web, newTag: "2.0"}, {name: registry:5000/acme/side, digest: "sha256:abc"}]
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        template:
          spec:
            containers:
              - name: web
                env: [{name: B, value: "3"}, {name: C, value: "4"}]
  - target: {kind: Deployment, name: web}
    patch: |-
      - {op: replace, path: /spec/replicas, value: 5}
      - {op: add, path: /metadata/annotations, value: {x: "y"}}
`,
    });
    const out = render(join(root, 'ov'));
    const d = out.find((o) => o.object.kind === 'Deployment')!.object;
    const ns = out.find((o) => o.object.kind === 'Namespace')!.object;
    expect(d.metadata.namespace).toBe('shop');
    expect(ns.metadata.namespace).toBeUndefined();
    expect(d.metadata.labels).toEqual({ a: '1', team: 'x' });
    expect(d.spec.selector.matchLabels).toEqual({ app: 'web' }); // selectors untouched
    expect(d.spec.template.metadata.labels).toEqual({ app: 'web', team: 'x' });
    expect(d.spec.replicas).toBe(5);
    expect(d.metadata.annotations).toEqual({ x: 'y' });
    const [web, side] = d.spec.template.spec.containers;
    expect(web.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '3' },
      { name: 'C', value: '4' },
    ]);
    expect(web.image).toBe('reg.io/web:2.0');
    expect(side.image).toBe('registry:5000/acme/side@sha256:abc');
  });

  it('configMapGenerator: one key per file (or key=path), labels from options, no hash suffix', () => {
    const root = tree({
      'm/kustomization.yaml': `${K}namespace: shop
configMapGenerator:
  - name: dash
    files: [board.json, other=extra/x.txt]
    options: {disableNameSuffixHash: true, labels: {grafana_dashboard: "1"}}
`,
      'm/board.json': '{"title": "b"}',
      'm/extra/x.txt': 'hello',
    });
    const [cm] = render(join(root, 'm')).map((r) => r.object);
    expect(cm).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'dash', namespace: 'shop', labels: { grafana_dashboard: '1' } },
      data: { 'board.json': '{"title": "b"}', other: 'hello' },
    });
  });

  it('configMapGenerator refuses hashed names, files outside the directory and missing files', () => {
    const gen = (g: string) => () =>
      render(join(tree({ 'm/kustomization.yaml': `${K}configMapGenerator: [${g}]\n`, 'm/a.json': '{}', 'x.json': '{}' }), 'm'));
    expect(gen('{name: d, files: [a.json]}')).toThrow(/set options.disableNameSuffixHash: true/);
    expect(gen('{name: d, files: [../x.json], options: {disableNameSuffixHash: true}}')).toThrow(/outside the kustomization directory/);
    expect(gen('{name: d, files: [b.json], options: {disableNameSuffixHash: true}}')).toThrow(/file "b.json" does not exist/);
    expect(gen('{name: d, literals: [a=b], options: {disableNameSuffixHash: true}}')).toThrow(/unsupported field "literals"/);
  });

  it('a strategic-merge patch with $patch: delete at its top removes the resource', () => {
    const root = tree({
      'b/kustomization.yaml': `${K}resources: [deploy.yaml]\n`,
      'b/deploy.yaml': deploy,
      'o/kustomization.yaml': `${K}resources: [../b]\npatches:\n  - patch: |-\n      $patch: delete\n      apiVersion: v1\n      kind: Namespace\n      metadata: {name: shop}\n`,
    });
    expect(render(join(root, 'o')).map((r) => r.object.kind)).toEqual(['Deployment']);
  });

  it('strategic merge: null deletes a key, $patch: delete removes a list item, plain lists are replaced', () => {
    expect(strategicMerge({ a: 1, b: 2 }, { b: null }, '')).toEqual({ a: 1 });
    expect(strategicMerge({ containers: [{ name: 'a' }, { name: 'b' }] }, { containers: [{ name: 'a', $patch: 'delete' }] }, '')).toEqual({
      containers: [{ name: 'b' }],
    });
    expect(strategicMerge({ args: ['x', 'y'] }, { args: ['z'] }, '')).toEqual({ args: ['z'] });
  });

  it('JSON 6902: escaped paths, array append; errors name the op and the missing path', () => {
    expect(
      applyJson6902(
        { l: { 'a/b': 1 }, xs: [1] },
        [
          { op: 'remove', path: '/l/a~1b' },
          { op: 'add', path: '/xs/-', value: 2 },
        ],
        'w',
      ),
    ).toEqual({ l: {}, xs: [1, 2] });
    expect(() => applyJson6902({ a: {} }, [{ op: 'remove', path: '/a/b' }], 'here')).toThrow(
      'here: op 0 (remove /a/b): nothing at that path',
    );
    expect(() => applyJson6902({}, [{ op: 'move', path: '/a', from: '/b' }], 'here')).toThrow(/"move" is not supported/);
  });

  it('parses image references with registry ports, tags and digests', () => {
    expect(parseImage('registry:5000/a/b')).toEqual({ name: 'registry:5000/a/b' });
    expect(parseImage('a/b:1.2@sha256:ff')).toEqual({ name: 'a/b', tag: '1.2', digest: 'sha256:ff' });
  });

  it('refuses unsupported fields, includeSelectors, duplicates and dangling patches', () => {
    const base = { 'b/deploy.yaml': deploy };
    expect(() =>
      render(join(tree({ ...base, 'b/kustomization.yaml': `${K}commonLabels: {a: b}\nresources: [deploy.yaml]\n` }), 'b')),
    ).toThrow(/field "commonLabels" is not supported/);
    expect(() =>
      render(
        join(
          tree({ ...base, 'b/kustomization.yaml': `${K}resources: [deploy.yaml]\nlabels: [{pairs: {a: b}, includeSelectors: true}]\n` }),
          'b',
        ),
      ),
    ).toThrow(/includeSelectors: true is not supported/);
    expect(() => render(join(tree({ ...base, 'b/kustomization.yaml': `${K}resources: [deploy.yaml, deploy.yaml]\n` }), 'b'))).toThrow(
      /Deployment "web" is defined twice/,
    );
    expect(() =>
      render(
        join(
          tree({
            ...base,
            'b/kustomization.yaml': `${K}resources: [deploy.yaml]\npatches: [{patch: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: api}}"}]\n`,
          }),
          'b',
        ),
      ),
    ).toThrow(KustomizeError);
    expect(() => render(join(tree({ ...base, 'b/kustomization.yaml': `${K}resources: [missing.yaml]\n` }), 'b'))).toThrow(
      /resource "missing.yaml" does not exist/,
    );
  });
});
