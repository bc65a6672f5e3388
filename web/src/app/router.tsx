// Routes: the sign-in page is in the first chunk; every other screen is its own lazy chunk.
import { lazy, type ComponentType, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, type RouteObject } from 'react-router';
import { RequireAuth } from '../auth/RequireAuth';
import { SignIn } from '../auth/views/SignIn';
import { NotFound } from './NotFound';
import { RequireCapability } from './RequireCapability';
import { ROUTES, type RouteId } from './routePaths';
import { Shell } from './Shell';

const screens: Record<Exclude<RouteId, 'signIn' | 'notFound'>, ComponentType> = {
  campaigns: lazy(() => import('../campaigns/views/CampaignList')),
  campaignNew: lazy(() => import('../campaigns/views/CampaignBuilder')),
  compare: lazy(() => import('../reports/views/CampaignCompare')),
  campaign: lazy(() => import('../campaigns/views/CampaignDetail')),
  campaignEdit: lazy(() => import('../campaigns/views/CampaignBuilder')),
  participants: lazy(() => import('../participants/views/ParticipantList')),
  participantLinks: lazy(() => import('../participants/views/ParticipantLinks')),
  report: lazy(() => import('../reports/views/CampaignReport')),
  health: lazy(() => import('../reports/views/ProgramHealth')),
};

function element(id: RouteId): ReactNode {
  if (id === 'signIn') return <SignIn />;
  if (id === 'notFound') return <NotFound />;
  const Screen = screens[id];
  const spec = ROUTES.find((r) => r.id === id);
  const screen = <Screen />;
  return spec?.capability ? (
    <RequireCapability capability={spec.capability}>{screen}</RequireCapability>
  ) : (
    screen
  );
}

export function createRouter() {
  const inside: RouteObject[] = ROUTES.filter((r) => r.id !== 'signIn').map((r) => ({
    path: r.path,
    element: element(r.id),
  }));
  return createBrowserRouter([
    { path: '/sign-in', element: element('signIn') },
    {
      path: '/',
      element: (
        <RequireAuth>
          <Shell />
        </RequireAuth>
      ),
      children: [{ index: true, element: <Navigate replace to="/campaigns" /> }, ...inside],
    },
  ]);
}
