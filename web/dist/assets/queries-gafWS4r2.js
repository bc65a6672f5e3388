import{Bt as e,Dt as t,Kt as n,Wt as r,_t as i,ft as a,j as o,ut as s,yt as c,zt as l}from"./index-BsS-ujUN.js";import{i as u}from"./preload-helper-EqXGIwet.js";var[d,f]=n(`List component was not found in tree`),p={root:`m_abbac491`,item:`m_abb6bec2`,itemWrapper:`m_75cd9f71`,itemIcon:`m_60f83e5b`},m=u(),h=a(e=>{let{classNames:t,className:n,style:r,styles:i,vars:a,icon:o,children:l,mod:u,...d}=c(`ListItem`,null,e),p=f(),h=o||p.icon,g={classNames:t,styles:i};return(0,m.jsx)(s,{...p.getStyles(`item`,{...g,className:n,style:r}),component:`li`,mod:[{"with-icon":!!h,centered:p.center},u],...d,children:(0,m.jsxs)(`div`,{...p.getStyles(`itemWrapper`,g),children:[h&&(0,m.jsx)(`span`,{...p.getStyles(`itemIcon`,g),children:h}),(0,m.jsx)(`span`,{...p.getStyles(`itemLabel`,g),children:l})]})})});h.classes=p,h.displayName=`@mantine/core/ListItem`;var g={type:`unordered`},_=t((t,{size:n,spacing:i})=>({root:{"--list-fz":l(n),"--list-lh":e(n),"--list-spacing":r(i)}})),v=a(e=>{let t=c(`List`,g,e),{classNames:n,className:r,style:a,styles:o,unstyled:l,vars:u,children:f,type:h,withPadding:v,icon:y,spacing:b,center:x,listStyleType:S,mod:C,attributes:w,...T}=t,E=i({name:`List`,classes:p,props:t,className:r,style:a,classNames:n,styles:o,unstyled:l,attributes:w,vars:u,varsResolver:_});return(0,m.jsx)(d,{value:{center:x,icon:y,getStyles:E},children:(0,m.jsx)(s,{...E(`root`,{style:{listStyleType:S}}),component:h===`unordered`?`ul`:`ol`,mod:[{"with-padding":v,type:y?`none`:S},C],...T,children:f})})});v.classes=p,v.varsResolver=_,v.displayName=`@mantine/core/List`,v.Item=h;var y=o(`
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      ...CampaignFields
    }
  }
`),b=o(`
  mutation UpdateCampaign($id: UUID!, $input: UpdateCampaignInput!) {
    updateCampaign(id: $id, input: $input) {
      ...CampaignFields
    }
  }
`),x=o(`
  mutation AddRewardRule($campaignId: UUID!, $input: RewardRuleInput!) {
    addRewardRule(campaignId: $campaignId, input: $input) {
      id
    }
  }
`),S=o(`
  mutation RemoveRewardRule($id: UUID!) {
    removeRewardRule(id: $id) {
      ...CampaignFields
    }
  }
`),C=o(`
  mutation SetMaterial($campaignId: UUID!, $input: MaterialInput!) {
    setCampaignMaterial(campaignId: $campaignId, input: $input) {
      id
      channel
    }
  }
`),w=o(`
  mutation SetVariants($campaignId: UUID!, $variants: [VariantInput!]!) {
    setCampaignVariants(campaignId: $campaignId, variants: $variants) {
      id
      name
      weight
    }
  }
`),T=o(`
  mutation LaunchCampaign($id: UUID!) {
    launchCampaign(id: $id) {
      id
      status
      launchedAt
    }
  }
`),E=o(`
  mutation PauseCampaign($id: UUID!) {
    pauseCampaign(id: $id) {
      id
      status
    }
  }
`),D=o(`
  mutation ResumeCampaign($id: UUID!) {
    resumeCampaign(id: $id) {
      id
      status
    }
  }
`),O=o(`
  mutation EndCampaign($id: UUID!) {
    endCampaign(id: $id) {
      id
      status
      endedAt
    }
  }
`),k=o(`
  mutation ImportCampaign($document: JSON!, $name: String) {
    importCampaign(document: $document, name: $name) {
      id
      name
    }
  }
`),A=o(`
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
`);o(`
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
`);var j=o(`
  query Campaign($id: UUID!) {
    campaign(id: $id) {
      ...CampaignFields
    }
  }
`),M=o(`
  query ExportCampaign($id: UUID!) {
    exportCampaign(id: $id)
  }
`);export{y as a,T as c,D as d,C as f,v as h,x as i,E as l,b as m,j as n,O as o,w as p,M as r,k as s,A as t,S as u};