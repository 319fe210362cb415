// The real graphql-sse client (npm, "distinct connections" mode) against a
// hearsay server, driven by api/sse_client_test.go:
//
//   node client.mjs URL WANT
//
// subscribes to graphChanged, prints one JSON line per thing that happens
// ({"connected": reconnected}, {"seq", "id", "op"} per change, {"errors"}
// for a next carrying errors) and exits 0 after WANT changes, 1 on an
// error or after 30 s. The client does not send Last-Event-ID by itself:
// the headers function sends the seq of the last change received, as the
// README tells graphql-sse users to do, so a reconnect resumes where the
// stream broke off.
import { createClient } from 'graphql-sse';

const [url, wantArg] = process.argv.slice(2);
const want = Number(wantArg);
const print = (v) => process.stdout.write(JSON.stringify(v) + '\n');

let last = '';
const client = createClient({
  url: url + '/graphql',
  retryAttempts: 20,
  retry: () => new Promise((resolve) => setTimeout(resolve, 300)),
  headers: () => (last ? { 'Last-Event-ID': last } : {}),
});

const timer = setTimeout(() => {
  print({ fatal: 'timed out' });
  process.exit(1);
}, 30_000);

let got = 0;
client.subscribe(
  { query: 'subscription { graphChanged { seq kind id op } }' },
  {
    next(result) {
      if (result.errors) {
        print({ errors: result.errors });
        return;
      }
      const c = result.data.graphChanged;
      last = c.seq;
      print({ seq: c.seq, id: c.id, op: c.op });
      if (++got === want) {
        clearTimeout(timer);
        client.dispose();
        process.exit(0);
      }
    },
    error(err) {
      print({ fatal: String(err && err.message ? err.message : err) });
      process.exit(1);
    },
    complete() {
      print({ fatal: 'completed' });
      process.exit(1);
    },
  },
  { connected: (reconnected) => print({ connected: reconnected }) },
);
