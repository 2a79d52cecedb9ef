// Prints an overlay rendered by cinemap's kustomize subset (k8s/src/kustomize.ts),
// validated against the offline schemas and policies, as one YAML stream:
//   npx tsx k8s/src/bin/render.ts k8s/overlays/prod > prod.yaml
// Exits non-zero, listing every problem, if the overlay fails validation or policy
// (schemas, deployment policy, the way in, monitoring against the gateway's metrics).
import { stringify } from 'yaml';
import { join } from 'node:path';
import { render } from '../kustomize';
import { SchemaValidator, formatErrors } from '../validate';
import { checkPolicies, formatViolations } from '../policy';
import { checkExposure, impliedCertificates } from '../exposure';
import { checkDashboards, checkMonitoring, gatewayCatalogue } from '../monitoring';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dir = args[0];
  if (!dir || dir === '--help' || dir.startsWith('--')) {
    console.log(
      "Usage: npx tsx k8s/src/bin/render.ts <kustomization dir> [--context <dir>]   (e.g. k8s/overlays/dev)\nPrints the rendered YAML; fails on schema or policy errors.\n--context: check the policy against that kustomization's objects too, without printing them\n(e.g. k8s/restore --context k8s/overlays/prod: the restore names the prod ObjectStore).",
    );
    process.exit(dir === '--help' ? 0 : 2);
  }
  const ci = args.indexOf('--context');
  if (ci >= 0 && !args[ci + 1]) {
    console.error('--context needs a kustomization directory');
    process.exit(2);
  }
  const items = render(dir);
  const objects = items.map((i) => i.object);
  const context = ci >= 0 ? render(args[ci + 1]).map((i) => i.object) : [];
  const validator = await SchemaValidator.create(join(__dirname, '..', '..', 'schemas'));
  const errors = [...objects, ...impliedCertificates(objects)].flatMap((o) => validator.validate(o));
  const catalogue = gatewayCatalogue();
  const all = [...context, ...objects];
  const mine = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
  const violations = [
    ...checkPolicies(all),
    ...checkExposure(all),
    ...checkMonitoring(all, catalogue),
    ...checkDashboards(all, catalogue),
  ].filter((v) => mine.has(v.object));
  if (errors.length || violations.length) {
    console.error([formatErrors(errors), formatViolations(violations)].filter(Boolean).join('\n'));
    process.exit(1);
  }
  process.stdout.write(items.map((i) => stringify(i.object)).join('---\n'));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
