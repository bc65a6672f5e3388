import { graphql } from '../graphql/generated';

export const CampaignEnrolmentsQuery = graphql(`
  query CampaignEnrolments($id: UUID!, $first: Int!, $after: String, $search: String) {
    campaign(id: $id) {
      id
      name
      status
      enrolments(first: $first, after: $after, search: $search) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          participantId
          eligible
          bucket
          createdAt
          referralCode
          participant {
            id
            externalId
            email
            firstName
            country
            tags
            orderCount
          }
        }
      }
    }
  }
`);

export const ParticipantLinksQuery = graphql(`
  query ParticipantLinks($participantId: UUID!, $campaignId: UUID!) {
    campaign(id: $campaignId) {
      id
      name
      status
    }
    participant(id: $participantId) {
      id
      externalId
      email
      firstName
      links(campaignId: $campaignId) {
        id
        code
        kind
        channel
        url
        createdAt
        stats {
          clicks
          uniqueVisitors
        }
      }
    }
  }
`);

export const ParticipantImportQuery = graphql(`
  query ParticipantImport($id: UUID!) {
    participantImport(id: $id) {
      id
      fileName
      state
      totalRows
      processedRows
      importedRows
      skippedRows
      failedRows
      failure
      createdAt
      finishedAt
    }
  }
`);

export const ImportErrorsQuery = graphql(`
  query ImportErrors($id: UUID!, $first: Int!, $after: String) {
    participantImport(id: $id) {
      id
      errors(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          line
          column
          code
          message
        }
      }
    }
  }
`);
