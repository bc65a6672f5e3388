import '@mantine/core/styles.css';
import '@mantine/dates/styles.css';
import '@mantine/notifications/styles.css';
import './app/global.css';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { Provider as UrqlProvider } from 'urql';
import { createApiClient } from './graphql/client';
import { createRouter } from './app/router';
import { theme } from './app/theme';

const client = createApiClient();
const router = createRouter();
const root = document.getElementById('root');

if (root) {
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme}>
        <Notifications />
        <UrqlProvider value={client}>
          <RouterProvider router={router} />
        </UrqlProvider>
      </MantineProvider>
    </StrictMode>,
  );
}
