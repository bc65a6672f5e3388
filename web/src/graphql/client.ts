// The urql client: same-origin /graphql over HTTP (uploads as GraphQL multipart requests, which
// @urql/core sends when a variable holds a File), subscriptions over graphql-ws on the same host.
// The bearer token comes from the in-memory session on every request; a request refused as
// UNAUTHENTICATED is retried once after a refresh (authFetch.ts). Same-origin credentials let the
// browser send the httpOnly session cookie, which only refreshSession and signOut read.
import {
  Client,
  cacheExchange,
  fetchExchange,
  mapExchange,
  subscriptionExchange,
} from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { session } from '../auth/session';
import { createAuthFetch } from './authFetch';
import { classifyError } from './errors';

/**
 * The socket for new subscriptions, the token its connection_init sent and the user it names.
 * A refreshed token is used lazily: the next subscription opens a new socket with it, and the
 * old one closes once its own subscriptions have ended.
 */
interface Socket {
  client: WsClient;
  token: string | null;
  userId: string | null;
  active: number;
  retired: boolean;
}

let socket: Socket | null = null;

function openSocket(): Socket {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const token = session.token();
  const opened: Socket = {
    token,
    userId: session.get()?.user.id ?? null,
    active: 0,
    retired: false,
    client: createWsClient({
      url: `${scheme}://${window.location.host}/graphql`,
      lazy: true,
      // Read on each (re)connect: a reconnect after a refresh presents the newest token.
      connectionParams: () => {
        const current = session.token() ?? token;
        return current ? { authorization: `Bearer ${current}` } : {};
      },
    }),
  };
  return opened;
}

function retire(old: Socket): void {
  old.retired = true;
  if (old.active === 0) void old.client.dispose();
}

function socketForNewSubscription(): Socket {
  if (socket && socket.token !== session.token()) {
    retire(socket);
    socket = null;
  }
  socket ??= openSocket();
  return socket;
}

// Another user, or nobody: no socket authenticated as the previous one may stay open.
session.subscribe(() => {
  if (socket && socket.userId !== (session.get()?.user.id ?? null)) {
    void socket.client.dispose();
    socket = null;
  }
});

export function createApiClient(): Client {
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetch: createAuthFetch({
      fetch: (input, init) => fetch(input, init),
      renew: (used) => session.renew(used),
    }),
    fetchOptions: () => {
      const token = session.token();
      return {
        credentials: 'same-origin',
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
          // The session is over (even a refresh was refused): every screen sends the person
          // back to sign in, keeping the URL.
          if (classifyError(error).kind === 'unauthenticated') session.end('expired');
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const used = socketForNewSubscription();
              used.active += 1;
              let done = false;
              const release = () => {
                if (done) return;
                done = true;
                used.active -= 1;
                if (used.retired && used.active === 0) void used.client.dispose();
              };
              const dispose = used.client.subscribe(input, {
                next: (value) => sink.next(value as Parameters<typeof sink.next>[0]),
                error: (error) => {
                  release();
                  sink.error(error);
                },
                complete: () => {
                  release();
                  sink.complete();
                },
              });
              return {
                unsubscribe: () => {
                  dispose();
                  release();
                },
              };
            },
          };
        },
      }),
    ],
  });
}
