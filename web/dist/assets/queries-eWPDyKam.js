import{j as e}from"./index-BsS-ujUN.js";var t=e(`
  mutation EnrollParticipant($campaignId: UUID!, $input: ParticipantInput!) {
    enrollParticipant(campaignId: $campaignId, input: $input) {
      id
      participantId
      bucket
      referralCode
    }
  }
`),n=e(`
  mutation ImportParticipants($campaignId: UUID!, $file: Upload!) {
    importParticipants(campaignId: $campaignId, file: $file) {
      id
      state
      totalRows
    }
  }
`),r=e(`
  mutation CreateReferralLink($enrolmentId: UUID!, $channel: Channel, $vanity: String) {
    createReferralLink(enrolmentId: $enrolmentId, channel: $channel, vanity: $vanity) {
      id
      code
    }
  }
`),i=e(`
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
`),a=e(`
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
`),o=e(`
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
`),s=e(`
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
`);export{r as a,a as i,s as n,t as o,o as r,n as s,i as t};