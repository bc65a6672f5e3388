// The urql client: same-origin /graphql over HTTP (uploads as GraphQL multipart requests, which
// @urql/core sends when a variable holds a File), subscriptions over graphql-ws on the same host.
// The bearer token comes from the in-memory session on every request.
import {
  Client,
  cacheExchange,
  fetchExchange,
  mapExchange,
  subscriptionExchange,
} from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { session } from '../auth/session';
import { classifyError } from './errors';

let ws: WsClient | null = null;

function wsClient(): WsClient {
  if (!ws) {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    ws = createWsClient({
      url: `${scheme}://${window.location.host}/graphql`,
      lazy: true,
      connectionParams: () => {
        const token = session.token();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
    });
  }
  return ws;
}

// A new session must not reuse a socket authenticated as the previous one.
session.subscribe(() => {
  if (ws) {
    void ws.dispose();
    ws = null;
  }
});

export function createApiClient(): Client {
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: () => {
      const token = session.token();
      return {
        headers: {
          accept: 'application/graphql-response+json, application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      };
    },
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          // The session is over: every screen sends the person back to sign in (keeping the URL).
          if (classifyError(error).kind === 'unauthenticated') session.end('expired');
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const dispose = wsClient().subscribe(input, sink);
              return { unsubscribe: dispose };
            },
          };
        },
      }),
    ],
  });
}
