// Sends graphql-js's getIntrospectionQuery to the GraphQL endpoint given as
// the first argument, with no option, with each of its options alone and
// with all of them, under both response media types, and rebuilds the
// client schema of each answer with buildClientSchema (which throws on
// anything malformed) and checks it with assertValidSchema. Prints one
// JSON object: each run's options, media type, HTTP status, content type
// and error, if any; and printSchema of the all-options schema.
import {
  assertValidSchema,
  buildClientSchema,
  getIntrospectionQuery,
  printSchema,
} from 'graphql';

const url = process.argv[2];
if (!url) {
  console.error('usage: node introspect.mjs URL');
  process.exit(2);
}
const names = ['descriptions', 'specifiedByUrl', 'directiveIsRepeatable', 'schemaDescription', 'inputValueDeprecation', 'oneOf'];
const all = Object.fromEntries(names.map((n) => [n, true]));
const sets = [['none', {}], ...names.map((n) => [n, { [n]: true, ...(n === 'descriptions' ? {} : { descriptions: false }) }]), ['all', all]];
const runs = [];
let sdl = '';
for (const [name, options] of sets) {
  for (const accept of ['application/graphql-response+json', 'application/json']) {
    const run = { options: name, accept };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify({ query: getIntrospectionQuery(options), operationName: 'IntrospectionQuery' }),
      });
      run.status = res.status;
      run.contentType = res.headers.get('content-type');
      const body = await res.json();
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      const schema = buildClientSchema(body.data);
      assertValidSchema(schema);
      run.types = Object.keys(schema.getTypeMap()).length;
      if (name === 'all' && accept === 'application/json') sdl = printSchema(schema);
    } catch (e) {
      run.error = String(e && e.message ? e.message : e);
    }
    runs.push(run);
  }
}
console.log(JSON.stringify({ runs, sdl }));
