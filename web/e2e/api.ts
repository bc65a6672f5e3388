// Direct GraphQL calls for setting up data and for checking what the API refuses.
import { expect, type APIRequestContext } from '@playwright/test';
import { emailOf, env, type Who } from './env';

export interface GqlResult<T> {
  data?: T | null;
  errors?: {
    message: string;
    extensions?: { code?: string; fields?: { field: string; message: string }[] };
  }[];
}

export async function gql<T>(
  request: APIRequestContext,
  token: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResult<T>> {
  const response = await request.post('/graphql', {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    data: { query, variables },
  });
  return (await response.json()) as GqlResult<T>;
}

export async function ok<T>(result: Promise<GqlResult<T>>): Promise<T> {
  const r = await result;
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  if (!r.data) throw new Error('no data');
  return r.data;
}

export async function tokenOf(request: APIRequestContext, who: Who): Promise<string> {
  const data = await ok(
    gql<{ login: { token: string } }>(
      request,
      null,
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
      { e: emailOf(who), p: env.password },
    ),
  );
  return data.login.token;
}

/** A draft campaign that started an hour ago (so it has a report), optionally launched. */
export async function createCampaign(
  request: APIRequestContext,
  token: string,
  name: string,
  options: { launch?: boolean; startedDaysAgo?: number } = {},
): Promise<string> {
  const startsAt = new Date(
    Date.now() - (options.startedDaysAgo ?? 0) * 86_400_000 - 3600_000,
  ).toISOString();
  const { createCampaign } = await ok(
    gql<{ createCampaign: { id: string } }>(
      request,
      token,
      'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }',
      {
        i: {
          name,
          startsAt,
          currency: 'EUR',
          landingUrl: 'https://shop.example/welcome',
          goals: [
            {
              name: 'Acquisition',
              objectives: [
                {
                  name: 'More customers',
                  kpis: [{ metric: 'NEW_CUSTOMERS', target: 50, due: '2030-01-01' }],
                },
              ],
            },
          ],
        },
      },
    ),
  );
  await ok(
    gql(
      request,
      token,
      'mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { id } }',
      {
        c: createCampaign.id,
        i: { side: 'REFERRER', trigger: 'FIRST_PURCHASE', kind: 'FIXED', amountMinor: '1000' },
      },
    ),
  );
  await ok(
    gql(
      request,
      token,
      'mutation($c: UUID!, $i: MaterialInput!) { setCampaignMaterial(campaignId: $c, input: $i) { id } }',
      {
        c: createCampaign.id,
        i: {
          channel: 'EMAIL',
          shareText: 'Join me: {{referral_link}}',
          emailSubject: 'A gift from {{first_name}}',
          emailHtml: '<p>Use <a href="{{referral_link}}">my link</a></p>',
          emailText: 'Use my link: {{referral_link}}',
        },
      },
    ),
  );
  if (options.launch) {
    await ok(
      gql(request, token, 'mutation($id: UUID!) { launchCampaign(id: $id) { id } }', {
        id: createCampaign.id,
      }),
    );
  }
  return createCampaign.id;
}

export async function enrolMany(
  request: APIRequestContext,
  token: string,
  campaignId: string,
  prefix: string,
  count: number,
): Promise<{ enrolmentId: string; participantId: string }[]> {
  const participants = Array.from({ length: count }, (_, i) => ({
    externalId: `${prefix}-${i}`,
    email: `${prefix}-${i}@people.test`.toLowerCase(),
    firstName: `P${i}`,
  }));
  const data = await ok(
    gql<{
      enrollParticipants: {
        enrolments: { id: string; participantId: string }[];
        errors: unknown[];
      };
    }>(
      request,
      token,
      'mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { enrolments { id participantId } errors { index field message } } }',
      { c: campaignId, p: participants },
    ),
  );
  expect(data.enrollParticipants.errors).toEqual([]);
  return data.enrollParticipants.enrolments.map((e) => ({
    enrolmentId: e.id,
    participantId: e.participantId,
  }));
}

export async function campaignNames(request: APIRequestContext, token: string): Promise<string[]> {
  const names: string[] = [];
  let after: string | null = null;
  for (;;) {
    const data: {
      campaigns: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: { name: string }[];
      };
    } = await ok(
      gql(
        request,
        token,
        'query($a: String) { campaigns(first: 100, after: $a) { pageInfo { hasNextPage endCursor } nodes { name } } }',
        {
          a: after,
        },
      ),
    );
    names.push(...data.campaigns.nodes.map((n) => n.name));
    if (!data.campaigns.pageInfo.hasNextPage) return names;
    after = data.campaigns.pageInfo.endCursor;
  }
}
