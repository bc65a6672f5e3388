import { graphql } from '../graphql/generated';

export const EnrollParticipantMutation = graphql(`
  mutation EnrollParticipant($campaignId: UUID!, $input: ParticipantInput!) {
    enrollParticipant(campaignId: $campaignId, input: $input) {
      id
      participantId
      bucket
      referralCode
    }
  }
`);

/** A GraphQL multipart request: urql sends it as multipart/form-data because `file` is a File. */
export const ImportParticipantsMutation = graphql(`
  mutation ImportParticipants($campaignId: UUID!, $file: Upload!) {
    importParticipants(campaignId: $campaignId, file: $file) {
      id
      state
      totalRows
    }
  }
`);

export const CreateReferralLinkMutation = graphql(`
  mutation CreateReferralLink($enrolmentId: UUID!, $channel: Channel, $vanity: String) {
    createReferralLink(enrolmentId: $enrolmentId, channel: $channel, vanity: $vanity) {
      id
      code
    }
  }
`);
