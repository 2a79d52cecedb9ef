// Writes apps/gateway/schema.graphql from the code (the drift test compares them).
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { printGatewaySchema } from '../graphql/schema';

if (process.argv.includes('--help')) {
  console.log(
    'Usage: node dist/apps/gateway/schema.js [--out apps/gateway/schema.graphql]\nPrints the GraphQL schema the gateway serves into the committed schema file.',
  );
  process.exit(0);
}
const i = process.argv.indexOf('--out');
const out = i > 0 ? process.argv[i + 1] : 'apps/gateway/schema.graphql';
printGatewaySchema().then((s) => {
  writeFileSync(out, s);
  console.log(`wrote ${out}`);
});
