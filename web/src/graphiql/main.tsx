// GraphiQL for browsers at /graphql: its own entry and chunk, same-origin endpoint, Monaco's
// workers bundled (no CDN). Staff paste `{"Authorization": "Bearer …"}` into the headers tab.
// The schema is the committed SDL, bundled: the API's depth limit refuses GraphiQL's own
// introspection query (QUERY_TOO_COMPLEX), so the explorer does not ask for it.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { buildSchema } from 'graphql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import sdl from '../../../schema.graphql?raw';

const wsScheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  subscriptionUrl: `${wsScheme}://${window.location.host}/graphql`,
});
const schema = buildSchema(sdl);

const root = document.getElementById('graphiql');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <GraphiQL
        fetcher={fetcher}
        schema={schema}
        defaultHeaders={'{\n  "Authorization": "Bearer "\n}'}
      />
    </StrictMode>,
  );
}
