import { graphql } from '../graphql/generated';

export const CreateCampaignMutation = graphql(`
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      ...CampaignFields
    }
  }
`);

export const UpdateCampaignMutation = graphql(`
  mutation UpdateCampaign($id: UUID!, $input: UpdateCampaignInput!) {
    updateCampaign(id: $id, input: $input) {
      ...CampaignFields
    }
  }
`);

export const AddRewardRuleMutation = graphql(`
  mutation AddRewardRule($campaignId: UUID!, $input: RewardRuleInput!) {
    addRewardRule(campaignId: $campaignId, input: $input) {
      id
    }
  }
`);

export const RemoveRewardRuleMutation = graphql(`
  mutation RemoveRewardRule($id: UUID!) {
    removeRewardRule(id: $id) {
      ...CampaignFields
    }
  }
`);

export const SetMaterialMutation = graphql(`
  mutation SetMaterial($campaignId: UUID!, $input: MaterialInput!) {
    setCampaignMaterial(campaignId: $campaignId, input: $input) {
      id
      channel
    }
  }
`);

export const SetVariantsMutation = graphql(`
  mutation SetVariants($campaignId: UUID!, $variants: [VariantInput!]!) {
    setCampaignVariants(campaignId: $campaignId, variants: $variants) {
      id
      name
      weight
    }
  }
`);

export const LaunchCampaignMutation = graphql(`
  mutation LaunchCampaign($id: UUID!) {
    launchCampaign(id: $id) {
      id
      status
      launchedAt
    }
  }
`);

export const PauseCampaignMutation = graphql(`
  mutation PauseCampaign($id: UUID!) {
    pauseCampaign(id: $id) {
      id
      status
    }
  }
`);

export const ResumeCampaignMutation = graphql(`
  mutation ResumeCampaign($id: UUID!) {
    resumeCampaign(id: $id) {
      id
      status
    }
  }
`);

export const EndCampaignMutation = graphql(`
  mutation EndCampaign($id: UUID!) {
    endCampaign(id: $id) {
      id
      status
      endedAt
    }
  }
`);

export const ImportCampaignMutation = graphql(`
  mutation ImportCampaign($document: JSON!, $name: String) {
    importCampaign(document: $document, name: $name) {
      id
      name
    }
  }
`);
