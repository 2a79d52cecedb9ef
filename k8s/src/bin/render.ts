// Prints an overlay rendered by cinemap's kustomize subset (k8s/src/kustomize.ts),
// validated against the offline schemas and policies, as one YAML stream:
//   npx tsx k8s/src/bin/render.ts k8s/overlays/prod > prod.yaml
// Exits non-zero, listing every problem, if the overlay fails validation or policy.
import { stringify } from 'yaml';
import { join } from 'node:path';
import { render } from '../kustomize';
import { SchemaValidator, formatErrors } from '../validate';
import { checkPolicies, formatViolations } from '../policy';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir || dir === '--help') {
    console.log(
      'Usage: npx tsx k8s/src/bin/render.ts <kustomization dir>   (e.g. k8s/overlays/dev)\nPrints the rendered YAML; fails on schema or policy errors.',
    );
    process.exit(dir ? 0 : 2);
  }
  const items = render(dir);
  const validator = await SchemaValidator.create(join(__dirname, '..', '..', 'schemas'));
  const errors = items.flatMap((i) => validator.validate(i.object));
  const violations = checkPolicies(items.map((i) => i.object));
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
