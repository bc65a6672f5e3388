import { graphql } from '../graphql/generated';

export const ReportRowFieldsFragment = graphql(`
  fragment ReportRowFields on ReportRow {
    key
    label
    clicks
    uniqueVisitors
    leads
    customers
    orders
    revenue {
      amountMinor
      currency
    }
    rewardCost {
      amountMinor
      currency
    }
    conversionRate {
      value
      low
      high
    }
  }
`);

export const CampaignReportQuery = graphql(`
  query CampaignReport(
    $campaignId: UUID!
    $from: NaiveDate
    $to: NaiveDate
    $granularity: ReportGranularity!
  ) {
    campaign(id: $campaignId) {
      id
      name
      status
      startsAt
      currency
      budget {
        amountMinor
        currency
      }
    }
    campaignReport(campaignId: $campaignId, from: $from, to: $to, granularity: $granularity) {
      campaignId
      from
      to
      timeZone
      granularity
      funnel {
        clicks
        uniqueVisitors
        uniqueVisitorsExact
        leads
        approved
        inReview
        rejected
        customers
        orders
      }
      clickToLead {
        value
      }
      leadToCustomer {
        value
      }
      clickToCustomer {
        value
        low
        high
      }
      fraudRejectionRate {
        value
      }
      revenue {
        amountMinor
        currency
      }
      rewardCost {
        amountMinor
        currency
      }
      referrerRewardCost {
        amountMinor
        currency
      }
      refereeRewardCost {
        amountMinor
        currency
      }
      roi
      costPerAcquisition {
        amountMinor
        currency
      }
      averageOrderValue {
        amountMinor
        currency
      }
      participants
      kFactor
      byChannel {
        ...ReportRowFields
      }
      byVariant {
        ...ReportRowFields
      }
      series {
        ...ReportRowFields
      }
      topReferrers {
        participantId
        externalId
        clicks
        uniqueVisitors
        leads
        customers
        revenue {
          amountMinor
          currency
        }
      }
      holdout {
        invited
        heldOut
        invitedBuyerRate {
          value
        }
        heldOutBuyerRate {
          value
        }
        incrementalRevenue {
          value
          low
          high
        }
        incrementalConversions {
          value
          low
          high
        }
        incrementalCostPerAcquisition
      }
      kpis {
        focusArea
        objective
        metric
        target
        due
        value
        status
        projected
        runRatePerDay
        neededPerDay
      }
      insights {
        kind
        finding
        evidence
        action
        significant
        pValue
        sample
        dismissal {
          kind
          note
          dismissedAt
        }
      }
      cohorts {
        month
        kind
        customers
        months {
          monthsSince
          month
          repeatRevenue {
            amountMinor
            currency
          }
          repeatPurchaseRate {
            value
          }
        }
      }
    }
    appliedRecommendations(campaignId: $campaignId) {
      id
      kind
      note
      appliedAt
    }
  }
`);

export const ProgramHealthQuery = graphql(`
  query ProgramHealth($from: DateTime!, $to: DateTime!) {
    programHealth(from: $from, to: $to) {
      from
      to
      campaignSetupSuccess {
        value
        successes
        trials
      }
      participation {
        value
        successes
        trials
      }
      attributionCorrectness {
        value
        successes
        trials
      }
      fraudPrevention {
        value
        successes
        trials
      }
      analysisQuality {
        value
        successes
        trials
      }
      rewardReleaseToPaidP50Hours
      rewardReleaseToPaidP95Hours
      rewardsSettled
      trackingAccuracy {
        clicksReceived
        clicksRecorded
        clicksLost
        conversionReports
        conversionReportsFailed
      }
      incentives {
        campaignId
        name
        referrerRewardKind
        referrerRewardMinor
        referrerRewardBps
        currency
        clicks
        customers
        participation {
          value
        }
        conversion {
          value
        }
      }
    }
  }
`);

/** The campaigns a comparison may pick from (the newest 100: the API's largest page). */
export const CompareOptionsQuery = graphql(`
  query CompareOptions {
    campaigns(first: 100) {
      nodes {
        id
        name
        startsAt
      }
    }
  }
`);

/** A campaign's headline numbers: the campaign list's columns, the comparison's first ones. */
export const CampaignHeadlineFragment = graphql(`
  fragment CampaignHeadline on CampaignReport {
    campaignId
    funnel {
      clicks
      customers
    }
    revenue {
      amountMinor
      currency
    }
    rewardCost {
      amountMinor
      currency
    }
    roi
  }
`);

/** Several campaigns' numbers over one period, in the order asked. */
export const CompareCampaignsQuery = graphql(`
  query CompareCampaigns($ids: [UUID!]!, $from: NaiveDate, $to: NaiveDate) {
    compareCampaigns(campaignIds: $ids, from: $from, to: $to) {
      ...CampaignHeadline
      from
      to
      clickToCustomer {
        value
      }
      costPerAcquisition {
        amountMinor
        currency
      }
      kFactor
    }
  }
`);
