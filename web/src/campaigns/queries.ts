import { graphql } from '../graphql/generated';

export const CampaignListQuery = graphql(`
  query CampaignList(
    $first: Int!
    $after: String
    $filter: CampaignFilter
    $withNumbers: Boolean!
  ) {
    campaigns(first: $first, after: $after, filter: $filter) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        status
        startsAt
        endsAt
        currency
        budget {
          amountMinor
          currency
        }
        headline @include(if: $withNumbers) {
          clicks
          customers
          revenue {
            amountMinor
            currency
          }
          rewardCost {
            amountMinor
            currency
          }
          roi
          budgetUsedShare
        }
      }
    }
  }
`);

export const CampaignFieldsFragment = graphql(`
  fragment CampaignFields on Campaign {
    id
    name
    description
    status
    startsAt
    endsAt
    timeZone
    currency
    budget {
      amountMinor
      currency
    }
    attributionWindowDays
    attributionModel
    holdDays
    landingUrl
    holdoutBps
    createdAt
    updatedAt
    launchedAt
    endedAt
    goals {
      name
      objectives {
        name
        kpis {
          metric
          target
          due
        }
      }
    }
    audience {
      tagsAny
      tagsAll
      minOrders
      countries
    }
    rewardRules {
      id
      side
      trigger
      maxPurchases
      minOrder {
        amountMinor
        currency
      }
      kind
      rewardType
      amount {
        amountMinor
        currency
      }
      bps
      tiers {
        fromCount
        amountMinor
      }
      milestones {
        atCount
        bonusMinor
      }
      perReferrerCap {
        amountMinor
        currency
      }
      variantId
    }
    materials {
      id
      channel
      shareText
      emailSubject
      emailHtml
      emailText
      updatedAt
    }
    variants {
      id
      name
      weight
      stoppedAt
      stopReason
    }
  }
`);

export const CampaignQuery = graphql(`
  query Campaign($id: UUID!) {
    campaign(id: $id) {
      ...CampaignFields
    }
  }
`);

export const ExportCampaignQuery = graphql(`
  query ExportCampaign($id: UUID!) {
    exportCampaign(id: $id)
  }
`);
