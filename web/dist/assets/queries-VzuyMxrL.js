import{r as e,t}from"./rolldown-runtime-BLXQ4ufn.js";import{$ as n,Dt as r,Et as i,H as a,It as o,J as s,Mt as c,Ot as l,Pt as u,Q as d,W as f,_t as p,ft as m,j as h,k as g,n as _,tt as v,u as y,ut as b,vt as x,yt as S,zt as C}from"./index-BsS-ujUN.js";import{i as w,o as T}from"./preload-helper-EqXGIwet.js";import{t as E}from"./SimpleGrid-VVMYFaZB.js";import{t as D}from"./Popover-DCmLNsPs.js";import{c as O,o as k,r as A}from"./format-ysgtLBao.js";import{t as j}from"./Modal-BWxwkKiB.js";import{t as M}from"./Card-DWxHf2xj.js";import{t as N}from"./Progress-z7jwxluy.js";import{n as P,t as F}from"./ScrollTable-CPsChrqN.js";import{a as I,c as L,i as R,l as z,n as B,o as V,r as H,s as U,t as W}from"./PresetsList-CJXMOjqc.js";var G=e(z(),1);function K({type:e,date:t,locale:n,format:r,labelSeparator:i}){let a=e=>(0,G.default)(e).locale(n).format(r);return e==="default"?t===null?``:a(t):e===`multiple`?t.map(a).join(`, `):e===`range`&&Array.isArray(t)?t[0]&&t[1]?`${a(t[0])} ${i} ${a(t[1])}`:t[0]?`${a(t[0])} ${i} `:``:``}function ee({formatter:e,...t}){return(e||K)(t)}var te=t(((e,t,n)=>{var r;(function(n,i){typeof e==`object`&&t!==void 0?t.exports=i():typeof r==`function`&&r.amd?r(i):(n=typeof globalThis<`u`?globalThis:n||self).dayjs_plugin_advancedFormat=i()})(n,(function(){return function(e,t){var n=t.prototype,r=n.format;n.format=function(e){var t=this,n=this.$locale();if(!this.isValid())return r.bind(this)(e);var i=this.$utils(),a=(e||`YYYY-MM-DDTHH:mm:ssZ`).replace(/\[([^\]]+)]|Q|wo|ww|w|WW|W|zzz|z|gggg|GGGG|Do|X|x|k{1,2}|S/g,(function(e){switch(e){case`Q`:return Math.ceil((t.$M+1)/3);case`Do`:return n.ordinal(t.$D);case`gggg`:return t.weekYear();case`GGGG`:return t.isoWeekYear();case`wo`:return n.ordinal(t.week(),`W`);case`w`:case`ww`:return i.s(t.week(),e===`w`?1:2,`0`);case`W`:case`WW`:return i.s(t.isoWeek(),e===`W`?1:2,`0`);case`k`:case`kk`:return i.s(String(t.$H===0?24:t.$H),e===`k`?1:2,`0`);case`X`:return Math.floor(t.$d.getTime()/1e3);case`x`:return t.$d.getTime();case`z`:return`[`+t.offsetName()+`]`;case`zzz`:return`[`+t.offsetName(`long`)+`]`;default:return e}}));return r.bind(this)(a)}}}))})),ne=t(((e,t,n)=>{var r;(function(n,i){typeof e==`object`&&t!==void 0?t.exports=i():typeof r==`function`&&r.amd?r(i):(n=typeof globalThis<`u`?globalThis:n||self).dayjs_plugin_quarterOfYear=i()})(n,(function(){var e=`month`,t=`quarter`;return function(n,r){var i=r.prototype;i.quarter=function(e){return this.$utils().u(e)?Math.ceil((this.month()+1)/3):this.month(this.month()%3+3*(e-1))};var a=i.add;i.add=function(n,r){return n=Number(n),this.$utils().p(r)===t?this.add(3*n,e):a.bind(this)(n,r)};var o=i.startOf;i.startOf=function(n,r){var i=this.$utils(),a=!!i.u(r)||r;if(i.p(n)===t){var s=this.quarter()-1;return a?this.month(3*s).startOf(e).startOf(`day`):this.month(3*s+2).endOf(e).endOf(`day`)}return o.bind(this)(n,r)}}}))})),q=e(T(),1),J=w(),re=e(te(),1),ie=e(ne(),1);G.default.extend(re.default),G.default.extend(ie.default);function Y(e){return(0,G.default)(e).startOf(`quarter`).format(`YYYY-MM-DD`)}var X={input:`m_6fa5e2aa`,dropdown:`m_63764d31`},Z=m(e=>{let{inputProps:t,wrapperProps:r,placeholder:a,classNames:s,styles:l,unstyled:f,popoverProps:p,modalProps:m,dropdownType:h,children:g,formattedValue:_,dropdownHandlers:v,dropdownOpened:y,onClick:b,clearable:x,clearSectionMode:S,onClear:C,clearButtonProps:w,rightSection:T,shouldClear:E,readOnly:O,disabled:k,value:A,name:M,form:N,type:P,onDropdownClose:F,withTime:I,withPresets:L,ref:R,...z}=d(`PickerInputBase`,{size:`sm`},e),B=u(t.id),H=(0,q.useRef)(null),U=(0,q.useRef)(null),W=(0,q.useRef)(!1);o(()=>{if(y){W.current=!1;return}if(!W.current)return;let e=document.activeElement;(!e||e===document.body||U.current?.contains(e))&&H.current?.focus({preventScroll:!0})},[y]);let G=(0,J.jsx)(n.ClearButton,{onClick:C,unstyled:f,...w}),K=()=>{P===`range`&&Array.isArray(A)&&A[0]&&!A[1]&&C(),v.close()};return(0,J.jsxs)(J.Fragment,{children:[h===`modal`&&!O&&(0,J.jsx)(j,{opened:y,onClose:K,withCloseButton:!1,size:`auto`,"data-dates-modal":!0,unstyled:f,...m,children:g}),(0,J.jsx)(n.Wrapper,{...r,id:B,children:(0,J.jsxs)(D,{id:B,position:`bottom-start`,opened:y,trapFocus:!0,returnFocus:!1,unstyled:f,onClose:F,...p,disabled:p?.disabled||h===`modal`||O,onChange:e=>{e||(p?.onClose?.(),K())},children:[(0,J.jsx)(D.Target,{children:(0,J.jsx)(n,{"data-dates-input":!0,"data-read-only":O||void 0,disabled:k,component:`button`,type:`button`,multiline:!0,onClick:e=>{b?.(e),v.toggle()},__clearSection:G,__clearable:x&&E&&!O&&!k,__clearSectionMode:S,rightSection:T,...t,classNames:{...s,input:i(X.input,s?.input)},...z,ref:c(H,R),children:_||(0,J.jsx)(n.Placeholder,{error:t.error,unstyled:f,classNames:s,styles:l,__staticSelector:t.__staticSelector,children:a})})}),(0,J.jsx)(D.Dropdown,{"data-dates-dropdown":!0,"data-with-presets":L||void 0,className:f?void 0:X.dropdown,ref:U,onKeyDown:()=>{W.current=!0},onPointerDown:()=>{W.current=!1},children:g})]})}),(0,J.jsx)(V,{value:A,name:M,form:N,type:P,withTime:I})]})});Z.classes=X,Z.displayName=`@mantine/dates/PickerInputBase`;function ae(e,t){let n=[...t].sort((e,t)=>(0,G.default)(e).isAfter((0,G.default)(t))?1:-1);return(0,G.default)(n[0]).startOf(`day`).subtract(1,`ms`).isBefore(e)&&(0,G.default)(n[1]).endOf(`day`).add(1,`ms`).isAfter(e)}function oe({type:e,level:t,value:n,defaultValue:r,onChange:i,allowSingleDateInRange:a,allowDeselect:o,onMouseLeave:s}){let[c,l]=R({type:e,value:n,defaultValue:r,onChange:i}),[u,d]=(0,q.useState)(e===`range`&&c[0]&&!c[1]?c[0]:null),[f,p]=(0,q.useState)(null),m=(e,n)=>t===`quarter`?Y(e)===Y(n):(0,G.default)(e).isSame(n,t),h=t=>{if(e===`range`){if(u&&!c[1]){if(m(t,u)&&!a){d(null),p(null),l([null,null]);return}let e=[t,u];e.sort((e,t)=>(0,G.default)(e).isAfter((0,G.default)(t))?1:-1),l(e),p(null),d(null);return}if(c[0]&&!c[1]&&m(t,c[0])&&!a){d(null),p(null),l([null,null]);return}l([t,null]),p(null),d(t)}else e===`multiple`?c.some(e=>m(e,t))?l(c.filter(e=>!m(e,t))):l([...c,t]):c&&o&&m(t,c)?l(null):l(t)},g=e=>u&&f?ae(e,[f,u]):c[0]&&c[1]?ae(e,c):!1,_=e===`range`?e=>{s?.(e),p(null)}:s,v=e=>c[0]&&m(e,c[0])?!(f&&(0,G.default)(f).isBefore(c[0])):!1,y=e=>c[1]?m(e,c[1]):!c[0]||!f?!1:(0,G.default)(f).isBefore(c[0])&&m(e,c[0]),b=t=>{if(e===`range`)return{selected:c.some(e=>e&&m(e,t)),inRange:g(t),firstInRange:v(t),lastInRange:y(t),"data-autofocus":!!c[0]&&m(c[0],t)||void 0};if(e===`multiple`)return{selected:c.some(e=>e&&m(e,t)),"data-autofocus":!!c[0]&&m(c[0],t)||void 0};let n=m(c,t);return{selected:n,"data-autofocus":n||void 0}},x=e===`range`&&u?p:()=>{};return(0,q.useEffect)(()=>{if(e===`range`){if(c[0]&&!c[1])d(c[0]);else{let e=c[0]==null&&c[1]==null,t=c[0]!=null&&c[1]!=null;(e||t)&&(d(null),p(null))}}},[c]),{onDateChange:h,onRootMouseLeave:_,onHoveredDateChange:x,getControlProps:b,_value:c,setValue:l}}var se={datePickerRoot:`m_765a40cf`,presetsList:`m_d6a681e1`,presetButton:`m_acd30b22`},ce=r((e,{size:t})=>({datePickerRoot:{"--preset-font-size":C(t)}})),le={type:`default`,defaultLevel:`month`,numberOfColumns:1,size:`sm`},Q=m(e=>{let t=S(`DatePicker`,le,e),{allowDeselect:n,allowSingleDateInRange:r,value:i,defaultValue:a,onChange:o,onMouseLeave:s,classNames:c,styles:l,__staticSelector:u,__onDayClick:d,__onDayMouseEnter:f,__onPresetSelect:m,__stopPropagation:h,presets:g,className:_,style:v,unstyled:y,size:C,vars:w,attributes:T,fullWidth:E,...D}=t,{calendarProps:O,others:k}=B(D),A=(0,q.useRef)(null),j=(0,q.useRef)(null),M=p({name:u||`DatePicker`,classes:se,props:t,className:_,style:v,classNames:c,styles:l,unstyled:y,attributes:T,rootSelector:g?`datePickerRoot`:void 0,varsResolver:ce,vars:w}),{onDateChange:N,onRootMouseLeave:P,onHoveredDateChange:F,getControlProps:L,_value:R,setValue:z}=oe({type:k.type,level:`day`,allowDeselect:n,allowSingleDateInRange:r,value:i,defaultValue:a,onChange:o,onMouseLeave:s}),{resolvedClassNames:V,resolvedStyles:U}=x({classNames:c,styles:l,props:t}),K=(0,J.jsx)(H,{classNames:V,styles:U,__staticSelector:u||`DatePicker`,onMouseLeave:P,size:C,fullWidth:E,...O,...g?{}:k,__stopPropagation:h,__setDateRef:A,__setLevelRef:j,minLevel:O.minLevel||`month`,__onDayMouseEnter:(e,t)=>{F(t),f?.(e,t)},__onDayClick:(e,t)=>{N(t),d?.(e,t)},getDayProps:e=>({...L(e),...O.getDayProps?.(e)}),getMonthControlProps:e=>({selected:typeof R==`string`&&I(e,R),...O.getMonthControlProps?.(e)}),getYearControlProps:e=>({selected:typeof R==`string`&&(0,G.default)(e).isSame(R,`year`),...O.getYearControlProps?.(e)}),hideOutsideDates:O.hideOutsideDates??O.numberOfColumns!==1,attributes:T,...g?{}:{className:_,style:v}});if(!g)return K;let ee=e=>{let t=Array.isArray(e)?e[0]:e;t!==void 0&&(A.current?.(t),j.current?.(`month`),m?m(e):z(e))};return(0,J.jsxs)(b,{...M(`datePickerRoot`),size:C,...k,children:[(0,J.jsx)(W,{...M(`presetsList`),presets:g,onPresetSelect:ee,buttonProps:M(`presetButton`),stopPropagation:h}),K]})});Q.classes=H.classes,Q.varsResolver=ce,Q.displayName=`@mantine/dates/DatePicker`;function ue({type:e,value:t,defaultValue:n,onChange:r,locale:i,format:a,closeOnChange:o,sortDates:s,labelSeparator:c,valueFormatter:u}){let d=U(),[f,p]=l(!1),[m,h]=R({type:e,value:t,defaultValue:n,onChange:r}),g=ee({type:e,date:m,locale:d.getLocale(i),format:a,labelSeparator:d.getLabelSeparator(c),formatter:u}),_=t=>{o&&(e==="default"&&p.close(),e===`range`&&t[0]&&t[1]&&p.close()),h(s&&e===`multiple`?[...t].sort((e,t)=>(0,G.default)(e).isAfter((0,G.default)(t))?1:-1):t)};return{_value:m,setValue:_,onClear:()=>_(e===`range`?[null,null]:e===`multiple`?[]:null),shouldClear:e===`range`?!!m[0]:e===`multiple`?m.length>0:m!==null,formattedValue:g,dropdownOpened:f,dropdownHandlers:p}}var de={type:`default`,size:`sm`,valueFormat:`MMMM D, YYYY`,closeOnChange:!0,sortDates:!0,dropdownType:`popover`},$=m(e=>{let t=S([`Input`,`InputWrapper`,`DatePickerInput`],de,e),{type:n,value:r,defaultValue:i,onChange:a,valueFormat:o,labelSeparator:s,locale:c,classNames:l,styles:u,unstyled:d,closeOnChange:f,size:p,variant:m,dropdownType:h,sortDates:g,minDate:_,maxDate:v,vars:y,defaultDate:b,valueFormatter:C,presets:w,attributes:T,...E}=t,{resolvedClassNames:D,resolvedStyles:O}=x({classNames:l,styles:u,props:t}),{calendarProps:k,others:A}=B(E),{_value:j,setValue:M,formattedValue:N,dropdownHandlers:P,dropdownOpened:F,onClear:I,shouldClear:R}=ue({type:n,value:r,defaultValue:i,onChange:a,locale:c,format:o,labelSeparator:s,closeOnChange:f,sortDates:g,valueFormatter:C}),z=Array.isArray(j)?j[0]||b:j||b;return(0,J.jsx)(Z,{formattedValue:N,withPresets:!!w,dropdownOpened:F,dropdownHandlers:P,classNames:D,styles:O,unstyled:d,onClear:I,shouldClear:R,value:j,size:p,variant:m,dropdownType:h,...A,type:n,__staticSelector:`DatePickerInput`,attributes:T,children:(0,J.jsx)(Q,{...k,size:p,variant:m,type:n,value:j,defaultDate:z||L({maxDate:v,minDate:_}),onChange:M,locale:c,classNames:D,styles:O,unstyled:d,__staticSelector:`DatePickerInput`,__stopPropagation:h===`popover`,minDate:_,maxDate:v,presets:w,attributes:T})})});$.classes={...Z.classes,...Q.classes},$.displayName=`@mantine/dates/DatePickerInput`;function fe(e){return(0,J.jsxs)(M,{withBorder:!0,padding:`sm`,children:[(0,J.jsx)(s,{size:`xs`,fw:600,c:`dimmed`,children:e.label}),(0,J.jsx)(s,{fw:700,size:`lg`,"data-testid":e.testId,children:e.value}),e.hint?(0,J.jsx)(s,{size:`xs`,children:e.hint}):null]})}function pe(e){return(0,J.jsxs)(f,{gap:`xs`,component:`section`,"aria-labelledby":e.id,children:[(0,J.jsx)(a,{order:2,size:`h4`,id:e.id,children:e.title}),e.children]})}function me(e){return(0,J.jsx)(E,{cols:{base:2,sm:3,lg:5},children:e.children})}function he(e){let t=e.stages.map(e=>Number(e.value)),n=Math.max(1,t[0]??1);return(0,J.jsx)(f,{gap:6,children:e.stages.map((e,r)=>(0,J.jsxs)(v,{gap:`sm`,wrap:`nowrap`,children:[(0,J.jsx)(s,{size:`sm`,w:110,children:e.label}),(0,J.jsx)(N,{value:(t[r]??0)/n*100,style:{flex:1},"aria-label":e.label}),(0,J.jsx)(s,{size:`sm`,w:80,ta:`right`,children:A(e.value)})]},e.label))})}function ge(e,t){if(e===`channel`){let e=_.find(e=>e.toLowerCase()===t.key.toLowerCase());return e?y(e):t.label||g(`report.noChannel`)}return t.label||t.key||`—`}function _e(e){return e.rows.length===0?(0,J.jsx)(s,{size:`sm`,children:g(`report.noRows`)}):(0,J.jsx)(F,{minWidth:640,children:(0,J.jsxs)(P,{striped:!0,children:[(0,J.jsx)(`caption`,{style:{textAlign:`left`,fontSize:`var(--mantine-font-size-xs)`},children:e.caption}),(0,J.jsx)(P.Thead,{children:(0,J.jsxs)(P.Tr,{children:[(0,J.jsx)(P.Th,{children:g(`report.col.group`)}),(0,J.jsx)(P.Th,{ta:`right`,children:g(`metric.clicks`)}),(0,J.jsx)(P.Th,{ta:`right`,children:g(`report.leads`)}),(0,J.jsx)(P.Th,{ta:`right`,children:g(`metric.customers`)}),(0,J.jsx)(P.Th,{ta:`right`,children:g(`metric.revenue`)}),(0,J.jsx)(P.Th,{ta:`right`,children:g(`metric.rewardCost`)}),(0,J.jsx)(P.Th,{ta:`right`,children:g(`report.conversion`)})]})}),(0,J.jsx)(P.Tbody,{children:e.rows.map(t=>(0,J.jsxs)(P.Tr,{children:[(0,J.jsx)(P.Td,{children:ge(e.kind,t)}),(0,J.jsx)(P.Td,{ta:`right`,children:A(t.clicks)}),(0,J.jsx)(P.Td,{ta:`right`,children:A(t.leads)}),(0,J.jsx)(P.Td,{ta:`right`,children:A(t.customers)}),(0,J.jsx)(P.Td,{ta:`right`,children:k(t.revenue)}),(0,J.jsx)(P.Td,{ta:`right`,children:k(t.rewardCost)}),(0,J.jsx)(P.Td,{ta:`right`,children:O(t.conversionRate.value)})]},t.key))})]})})}function ve(e,t){return Number(e.amountMinor)/10**t}h(`
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
`);var ye=h(`
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
`),be=h(`
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
`),xe=h(`
  query CompareOptions {
    campaigns(first: 100) {
      nodes {
        id
        name
        startsAt
      }
    }
  }
`);h(`
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
`);var Se=h(`
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
`);export{_e as a,fe as c,$ as d,be as i,me as l,Se as n,he as o,xe as r,pe as s,ye as t,ve as u};