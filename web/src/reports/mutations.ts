import { graphql } from '../graphql/generated';

export const ApplyRecommendationMutation = graphql(`
  mutation ApplyRecommendation($campaignId: UUID!, $kind: String!, $note: String) {
    applyRecommendation(campaignId: $campaignId, kind: $kind, note: $note) {
      id
      kind
      note
      appliedAt
    }
  }
`);
