// Runs graphql-http's serverAudits against the GraphQL endpoint given as
// the first argument and prints one JSON array: each audit's id, name
// (which starts with MUST, SHOULD or MAY), status (ok, warn or error) and,
// when not ok, the reason.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const results = [];
for (const audit of serverAudits({ url })) {
  const r = await audit.fn();
  const out = { id: r.id, name: r.name, status: r.status };
  if (r.status !== 'ok') out.reason = r.reason;
  results.push(out);
}
console.log(JSON.stringify(results));
