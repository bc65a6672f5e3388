// A marketing manager builds a double-sided tiered campaign with a KPI goal and materials for
// two channels, launches it and enrols a participant; a friend follows the link and the shop's
// server reports the purchase; the report then shows the click, customer, revenue and reward cost.
import { expect, test } from './fixtures';
import { gql, ok, tokenOf } from './api';
import { env, unique } from './env';
import { BuilderPage } from './pages/BuilderPage';
import { CampaignPages } from './pages/CampaignPages';
import { SignInPage } from './pages/SignInPage';

const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

test('marketing manager builds, launches and reads the report of a referral campaign', async ({
  page,
  request,
}) => {
  const name = unique('Spring friends');
  await SignInPage.as(page, 'marketing');

  await page.getByRole('link', { name: 'New campaign' }).click();
  const builder = new BuilderPage(page);
  await builder.field('Name').fill(name);
  await builder.field('Description').fill('Give €10, get up to €15');
  await builder.field('Landing URL').fill('https://shop.example/welcome');
  await builder.field('Budget').fill('5000');
  await builder.addKpiGoal(
    'Acquisition',
    'Grow new customers',
    'New customers',
    '100',
    '2030-06-30',
  );
  await builder.create();

  await builder.addTieredReferrerRule(
    [
      [1, '10'],
      [5, '15'],
    ],
    [10, '50'],
    '500',
  );
  await builder.addFixedRefereeRule('5');
  await expect(page.getByText('Referee (friend)').first()).toBeVisible();

  await builder.tab('Materials');
  await builder.setMaterial('Email', {
    share: 'Shop with me: {{referral_link}}',
    subject: '{{first_name}}, a gift for your friends',
    html: '<p>Hi {{first_name}}, share <a href="{{referral_link}}">your link</a>.</p>',
    text: 'Hi {{first_name}}, share {{referral_link}}',
  });
  await expect(page.getByTestId('preview-share')).toContainText('/r/ALEX7Q');
  await expect(page.getByTestId('preview-subject')).toHaveText('Alex, a gift for your friends');
  await builder.setMaterial('Social', {
    share: 'I love this shop: {{referral_link}} ({{reward_summary}})',
  });

  const campaign = new CampaignPages(page);
  await campaign.overview();
  await campaign.lifecycle('Launch', name);
  await expect(page.getByText('Active', { exact: true })).toBeVisible();

  await campaign.participants();
  const customer = unique('cust').replace(' ', '-');
  await campaign.enrol(customer, `${customer}@people.test`);
  const urls = await campaign.openLinksOf(customer);
  expect(urls.length).toBeGreaterThan(0);
  const code = new URL(urls[0] ?? '').pathname.split('/').pop() ?? '';
  expect(code).not.toBe('');

  // The friend follows the link: a 302 to the landing page carrying gv_click.
  const click = await request.get(`/r/${code}`, {
    maxRedirects: 0,
    headers: { 'user-agent': BROWSER_UA },
  });
  expect(click.status()).toBe(302);
  const location = new URL(click.headers().location ?? '');
  const clickId = location.searchParams.get('gv_click');
  expect(clickId).toBeTruthy();
  // Clicks are stored by a batch writer a few milliseconds after the redirect; a purchase
  // reported with the click id before then is refused ("no such click"). Wait until the link
  // counts it, as a shop's customer would take longer than that to buy.
  const admin = await tokenOf(request, 'admin');
  const campaignId = /\/campaigns\/([0-9a-f-]{36})/.exec(page.url())?.[1];
  expect(campaignId).toBeTruthy();
  type Enrolments = {
    campaign: {
      enrolments: { edges: { node: { links: { code: string; stats: { clicks: string } }[] } }[] };
    };
  };
  await expect
    .poll(async () => {
      const data = await ok(
        gql<Enrolments>(
          request,
          admin,
          'query($c: UUID!) { campaign(id: $c) { enrolments(first: 10) { edges { node { links { code stats { clicks } } } } } } }',
          { c: campaignId },
        ),
      );
      const links = data.campaign.enrolments.edges.flatMap((e) => e.node.links);
      return links.find((l) => l.code === code)?.stats.clicks;
    })
    .toBe('1');

  // The shop's server reports the purchase with its secret key.
  const order = unique('order').replace(' ', '-');
  const conversion = await request.post('/graphql', {
    headers: { authorization: `Bearer ${env.secretKey}` },
    data: {
      query:
        'mutation($i: ConversionInput!) { trackConversion(input: $i) { duplicate notAttributed conversion { id } } }',
      variables: {
        i: {
          orderId: order,
          customerId: `friend-${order}`,
          email: `friend-${order}@people.test`,
          amountMinor: '12000',
          currency: 'EUR',
          clickId,
          code,
          userAgent: BROWSER_UA,
        },
      },
    },
  });
  const body = (await conversion.json()) as {
    data?: { trackConversion: { notAttributed: string | null } };
    errors?: unknown;
  };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(body.data?.trackConversion.notAttributed).toBeNull();

  await campaign.report();
  await campaign.refreshReportUntil('stat-clicks', /^1$/);
  await campaign.refreshReportUntil('stat-customers', /^1$/);
  await expect(page.getByTestId('stat-revenue')).toHaveText('€120.00');
  await campaign.refreshReportUntil('stat-reward-cost', /^€15\.00$/);
});
