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

export const DismissRecommendationMutation = graphql(`
  mutation DismissRecommendation($campaignId: UUID!, $kind: String!, $note: String) {
    dismissRecommendation(campaignId: $campaignId, kind: $kind, note: $note) {
      kind
      note
      dismissedAt
    }
  }
`);

export const RestoreRecommendationMutation = graphql(`
  mutation RestoreRecommendation($campaignId: UUID!, $kind: String!) {
    restoreRecommendation(campaignId: $campaignId, kind: $kind)
  }
`);
