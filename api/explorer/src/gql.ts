// gql.ts: the explorer's only network code. Every request goes to /graphql
// on the page's own origin (the CSP allows connect-src 'self' only).
import { createClient, Client } from 'graphql-sse';

export class GraphQLError extends Error {}

// query POSTs one operation and returns its data, or throws the first error.
export async function query<T = any>(q: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token) headers['Authorization'] = 'Bearer ' + token;
  const res = await fetch('/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: q, variables }),
    credentials: 'same-origin',
  });
  let body: any;
  try {
    body = await res.json();
  } catch {
    throw new GraphQLError(`the server answered ${res.status} ${res.statusText} with no JSON`);
  }
  if (body.errors && body.errors.length) {
    const e = body.errors[0];
    const code = e.extensions && e.extensions.code ? ` (${e.extensions.code})` : '';
    throw new GraphQLError((e.message || 'error') + code);
  }
  if (!res.ok) throw new GraphQLError(`the server answered ${res.status} ${res.statusText}`);
  return body.data as T;
}

let client: Client | null = null;

// sse returns the page's one graphql-sse client, in "distinct connections"
// mode: each subscription is its own POST /graphql with
// Accept: text/event-stream.
function sse(): Client {
  if (!client) {
    client = createClient({
      url: '/graphql',
      singleConnection: false,
      retryAttempts: 3,
      credentials: 'same-origin',
    });
  }
  return client;
}

// subscribe runs a subscription and calls onEvent for each event's data.
// onState hears 'live' once the first event or connection arrives, and
// 'off' with a reason when the server refuses the subscription (a server
// without subscriptions answers an error) or the stream fails for good:
// the page then works as before, without live updates. It returns a
// function that ends the subscription.
export function subscribe(
  q: string,
  variables: Record<string, unknown>,
  onEvent: (data: any) => void,
  onState: (state: 'connecting' | 'live' | 'off', reason?: string) => void,
): () => void {
  let ended = false;
  onState('connecting');
  let dispose: () => void = () => {};
  try {
    dispose = sse().subscribe(
      { query: q, variables },
      {
        next(v: any) {
          if (ended) return;
          if (v && v.errors && v.errors.length) {
            onState('off', v.errors[0].message || 'the server refused the subscription');
            return;
          }
          onState('live');
          onEvent(v ? v.data : null);
        },
        error(err: unknown) {
          if (ended) return;
          onState('off', describe(err));
        },
        complete() {
          if (!ended) onState('off', 'the server ended the stream');
        },
      },
      {
        connected() {
          if (!ended) onState('live');
        },
      } as any,
    );
  } catch (err) {
    onState('off', describe(err));
  }
  return () => {
    ended = true;
    dispose();
  };
}

function describe(err: unknown): string {
  if (err && typeof err === 'object') {
    const r = (err as any).response;
    if (r && typeof r.status === 'number') return `the server answered ${r.status}`;
    if ((err as any).message) return String((err as any).message);
    if (Array.isArray(err) && err.length && err[0].message) return String(err[0].message);
  }
  return String(err);
}
