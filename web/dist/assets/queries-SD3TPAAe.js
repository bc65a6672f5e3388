import{r as e,t}from"./rolldown-runtime-BLXQ4ufn.js";import{$ as n,At as r,D as i,Et as a,H as o,J as s,Lt as c,Mt as l,Pt as u,Q as d,Tt as f,W as p,_t as m,dt as h,gt as g,lt as _,n as v,tt as y,u as b,vt as x,w as S,wt as C}from"./index-Dd7UZLk7.js";import{i as w,o as T}from"./preload-helper-EqXGIwet.js";import{a as E}from"./urls-77wa8_rU.js";import{t as D}from"./Popover-CaS9t_Um.js";import{c as O,o as k,r as A}from"./format-DlWW-V9f.js";import{t as j}from"./Modal-Bm7QXdZS.js";import{t as M}from"./Card-8C1_1Xk3.js";import{t as N}from"./Progress-Drf1uZiP.js";import{t as P}from"./Table-DL_b_GeH.js";import{a as F,c as I,i as L,l as R,n as z,o as B,r as V,s as H,t as U}from"./PresetsList-9icxwdSE.js";var W=e(R(),1);function G({type:e,date:t,locale:n,format:r,labelSeparator:i}){let a=e=>(0,W.default)(e).locale(n).format(r);return e==="default"?t===null?``:a(t):e===`multiple`?t.map(a).join(`, `):e===`range`&&Array.isArray(t)?t[0]&&t[1]?`${a(t[0])} ${i} ${a(t[1])}`:t[0]?`${a(t[0])} ${i} `:``:``}function K({formatter:e,...t}){return(e||G)(t)}var q=t(((e,t,n)=>{var r;(function(n,i){typeof e==`object`&&t!==void 0?t.exports=i():typeof r==`function`&&r.amd?r(i):(n=typeof globalThis<`u`?globalThis:n||self).dayjs_plugin_advancedFormat=i()})(n,(function(){return function(e,t){var n=t.prototype,r=n.format;n.format=function(e){var t=this,n=this.$locale();if(!this.isValid())return r.bind(this)(e);var i=this.$utils(),a=(e||`YYYY-MM-DDTHH:mm:ssZ`).replace(/\[([^\]]+)]|Q|wo|ww|w|WW|W|zzz|z|gggg|GGGG|Do|X|x|k{1,2}|S/g,(function(e){switch(e){case`Q`:return Math.ceil((t.$M+1)/3);case`Do`:return n.ordinal(t.$D);case`gggg`:return t.weekYear();case`GGGG`:return t.isoWeekYear();case`wo`:return n.ordinal(t.week(),`W`);case`w`:case`ww`:return i.s(t.week(),e===`w`?1:2,`0`);case`W`:case`WW`:return i.s(t.isoWeek(),e===`W`?1:2,`0`);case`k`:case`kk`:return i.s(String(t.$H===0?24:t.$H),e===`k`?1:2,`0`);case`X`:return Math.floor(t.$d.getTime()/1e3);case`x`:return t.$d.getTime();case`z`:return`[`+t.offsetName()+`]`;case`zzz`:return`[`+t.offsetName(`long`)+`]`;default:return e}}));return r.bind(this)(a)}}}))})),ee=t(((e,t,n)=>{var r;(function(n,i){typeof e==`object`&&t!==void 0?t.exports=i():typeof r==`function`&&r.amd?r(i):(n=typeof globalThis<`u`?globalThis:n||self).dayjs_plugin_quarterOfYear=i()})(n,(function(){var e=`month`,t=`quarter`;return function(n,r){var i=r.prototype;i.quarter=function(e){return this.$utils().u(e)?Math.ceil((this.month()+1)/3):this.month(this.month()%3+3*(e-1))};var a=i.add;i.add=function(n,r){return n=Number(n),this.$utils().p(r)===t?this.add(3*n,e):a.bind(this)(n,r)};var o=i.startOf;i.startOf=function(n,r){var i=this.$utils(),a=!!i.u(r)||r;if(i.p(n)===t){var s=this.quarter()-1;return a?this.month(3*s).startOf(e).startOf(`day`):this.month(3*s+2).endOf(e).endOf(`day`)}return o.bind(this)(n,r)}}}))})),J=e(T(),1),Y=w(),te=e(q(),1),ne=e(ee(),1);W.default.extend(te.default),W.default.extend(ne.default);function re(e){return(0,W.default)(e).startOf(`quarter`).format(`YYYY-MM-DD`)}var X={input:`m_6fa5e2aa`,dropdown:`m_63764d31`},Z=h(e=>{let{inputProps:t,wrapperProps:i,placeholder:a,classNames:o,styles:s,unstyled:c,popoverProps:f,modalProps:p,dropdownType:m,children:h,formattedValue:g,dropdownHandlers:_,dropdownOpened:v,onClick:y,clearable:b,clearSectionMode:x,onClear:S,clearButtonProps:w,rightSection:T,shouldClear:E,readOnly:O,disabled:k,value:A,name:M,form:N,type:P,onDropdownClose:F,withTime:I,withPresets:L,ref:R,...z}=d(`PickerInputBase`,{size:`sm`},e),V=l(t.id),H=(0,J.useRef)(null),U=(0,J.useRef)(null),W=(0,J.useRef)(!1);u(()=>{if(v){W.current=!1;return}if(!W.current)return;let e=document.activeElement;(!e||e===document.body||U.current?.contains(e))&&H.current?.focus({preventScroll:!0})},[v]);let G=(0,Y.jsx)(n.ClearButton,{onClick:S,unstyled:c,...w}),K=()=>{P===`range`&&Array.isArray(A)&&A[0]&&!A[1]&&S(),_.close()};return(0,Y.jsxs)(Y.Fragment,{children:[m===`modal`&&!O&&(0,Y.jsx)(j,{opened:v,onClose:K,withCloseButton:!1,size:`auto`,"data-dates-modal":!0,unstyled:c,...p,children:h}),(0,Y.jsx)(n.Wrapper,{...i,id:V,children:(0,Y.jsxs)(D,{id:V,position:`bottom-start`,opened:v,trapFocus:!0,returnFocus:!1,unstyled:c,onClose:F,...f,disabled:f?.disabled||m===`modal`||O,onChange:e=>{e||(f?.onClose?.(),K())},children:[(0,Y.jsx)(D.Target,{children:(0,Y.jsx)(n,{"data-dates-input":!0,"data-read-only":O||void 0,disabled:k,component:`button`,type:`button`,multiline:!0,onClick:e=>{y?.(e),_.toggle()},__clearSection:G,__clearable:b&&E&&!O&&!k,__clearSectionMode:x,rightSection:T,...t,classNames:{...o,input:C(X.input,o?.input)},...z,ref:r(H,R),children:g||(0,Y.jsx)(n.Placeholder,{error:t.error,unstyled:c,classNames:o,styles:s,__staticSelector:t.__staticSelector,children:a})})}),(0,Y.jsx)(D.Dropdown,{"data-dates-dropdown":!0,"data-with-presets":L||void 0,className:c?void 0:X.dropdown,ref:U,onKeyDown:()=>{W.current=!0},onPointerDown:()=>{W.current=!1},children:h})]})}),(0,Y.jsx)(B,{value:A,name:M,form:N,type:P,withTime:I})]})});Z.classes=X,Z.displayName=`@mantine/dates/PickerInputBase`;function ie(e,t){let n=[...t].sort((e,t)=>(0,W.default)(e).isAfter((0,W.default)(t))?1:-1);return(0,W.default)(n[0]).startOf(`day`).subtract(1,`ms`).isBefore(e)&&(0,W.default)(n[1]).endOf(`day`).add(1,`ms`).isAfter(e)}function ae({type:e,level:t,value:n,defaultValue:r,onChange:i,allowSingleDateInRange:a,allowDeselect:o,onMouseLeave:s}){let[c,l]=L({type:e,value:n,defaultValue:r,onChange:i}),[u,d]=(0,J.useState)(e===`range`&&c[0]&&!c[1]?c[0]:null),[f,p]=(0,J.useState)(null),m=(e,n)=>t===`quarter`?re(e)===re(n):(0,W.default)(e).isSame(n,t),h=t=>{if(e===`range`){if(u&&!c[1]){if(m(t,u)&&!a){d(null),p(null),l([null,null]);return}let e=[t,u];e.sort((e,t)=>(0,W.default)(e).isAfter((0,W.default)(t))?1:-1),l(e),p(null),d(null);return}if(c[0]&&!c[1]&&m(t,c[0])&&!a){d(null),p(null),l([null,null]);return}l([t,null]),p(null),d(t)}else e===`multiple`?c.some(e=>m(e,t))?l(c.filter(e=>!m(e,t))):l([...c,t]):c&&o&&m(t,c)?l(null):l(t)},g=e=>u&&f?ie(e,[f,u]):c[0]&&c[1]?ie(e,c):!1,_=e===`range`?e=>{s?.(e),p(null)}:s,v=e=>c[0]&&m(e,c[0])?!(f&&(0,W.default)(f).isBefore(c[0])):!1,y=e=>c[1]?m(e,c[1]):!c[0]||!f?!1:(0,W.default)(f).isBefore(c[0])&&m(e,c[0]),b=t=>{if(e===`range`)return{selected:c.some(e=>e&&m(e,t)),inRange:g(t),firstInRange:v(t),lastInRange:y(t),"data-autofocus":!!c[0]&&m(c[0],t)||void 0};if(e===`multiple`)return{selected:c.some(e=>e&&m(e,t)),"data-autofocus":!!c[0]&&m(c[0],t)||void 0};let n=m(c,t);return{selected:n,"data-autofocus":n||void 0}},x=e===`range`&&u?p:()=>{};return(0,J.useEffect)(()=>{if(e===`range`){if(c[0]&&!c[1])d(c[0]);else{let e=c[0]==null&&c[1]==null,t=c[0]!=null&&c[1]!=null;(e||t)&&(d(null),p(null))}}},[c]),{onDateChange:h,onRootMouseLeave:_,onHoveredDateChange:x,getControlProps:b,_value:c,setValue:l}}var oe={datePickerRoot:`m_765a40cf`,presetsList:`m_d6a681e1`,presetButton:`m_acd30b22`},se=f((e,{size:t})=>({datePickerRoot:{"--preset-font-size":c(t)}})),ce={type:`default`,defaultLevel:`month`,numberOfColumns:1,size:`sm`},Q=h(e=>{let t=x(`DatePicker`,ce,e),{allowDeselect:n,allowSingleDateInRange:r,value:i,defaultValue:a,onChange:o,onMouseLeave:s,classNames:c,styles:l,__staticSelector:u,__onDayClick:d,__onDayMouseEnter:f,__onPresetSelect:p,__stopPropagation:h,presets:v,className:y,style:b,unstyled:S,size:C,vars:w,attributes:T,fullWidth:E,...D}=t,{calendarProps:O,others:k}=z(D),A=(0,J.useRef)(null),j=(0,J.useRef)(null),M=g({name:u||`DatePicker`,classes:oe,props:t,className:y,style:b,classNames:c,styles:l,unstyled:S,attributes:T,rootSelector:v?`datePickerRoot`:void 0,varsResolver:se,vars:w}),{onDateChange:N,onRootMouseLeave:P,onHoveredDateChange:I,getControlProps:L,_value:R,setValue:B}=ae({type:k.type,level:`day`,allowDeselect:n,allowSingleDateInRange:r,value:i,defaultValue:a,onChange:o,onMouseLeave:s}),{resolvedClassNames:H,resolvedStyles:G}=m({classNames:c,styles:l,props:t}),K=(0,Y.jsx)(V,{classNames:H,styles:G,__staticSelector:u||`DatePicker`,onMouseLeave:P,size:C,fullWidth:E,...O,...v?{}:k,__stopPropagation:h,__setDateRef:A,__setLevelRef:j,minLevel:O.minLevel||`month`,__onDayMouseEnter:(e,t)=>{I(t),f?.(e,t)},__onDayClick:(e,t)=>{N(t),d?.(e,t)},getDayProps:e=>({...L(e),...O.getDayProps?.(e)}),getMonthControlProps:e=>({selected:typeof R==`string`&&F(e,R),...O.getMonthControlProps?.(e)}),getYearControlProps:e=>({selected:typeof R==`string`&&(0,W.default)(e).isSame(R,`year`),...O.getYearControlProps?.(e)}),hideOutsideDates:O.hideOutsideDates??O.numberOfColumns!==1,attributes:T,...v?{}:{className:y,style:b}});if(!v)return K;let q=e=>{let t=Array.isArray(e)?e[0]:e;t!==void 0&&(A.current?.(t),j.current?.(`month`),p?p(e):B(e))};return(0,Y.jsxs)(_,{...M(`datePickerRoot`),size:C,...k,children:[(0,Y.jsx)(U,{...M(`presetsList`),presets:v,onPresetSelect:q,buttonProps:M(`presetButton`),stopPropagation:h}),K]})});Q.classes=V.classes,Q.varsResolver=se,Q.displayName=`@mantine/dates/DatePicker`;function le({type:e,value:t,defaultValue:n,onChange:r,locale:i,format:o,closeOnChange:s,sortDates:c,labelSeparator:l,valueFormatter:u}){let d=H(),[f,p]=a(!1),[m,h]=L({type:e,value:t,defaultValue:n,onChange:r}),g=K({type:e,date:m,locale:d.getLocale(i),format:o,labelSeparator:d.getLabelSeparator(l),formatter:u}),_=t=>{s&&(e==="default"&&p.close(),e===`range`&&t[0]&&t[1]&&p.close()),h(c&&e===`multiple`?[...t].sort((e,t)=>(0,W.default)(e).isAfter((0,W.default)(t))?1:-1):t)};return{_value:m,setValue:_,onClear:()=>_(e===`range`?[null,null]:e===`multiple`?[]:null),shouldClear:e===`range`?!!m[0]:e===`multiple`?m.length>0:m!==null,formattedValue:g,dropdownOpened:f,dropdownHandlers:p}}var ue={type:`default`,size:`sm`,valueFormat:`MMMM D, YYYY`,closeOnChange:!0,sortDates:!0,dropdownType:`popover`},$=h(e=>{let t=x([`Input`,`InputWrapper`,`DatePickerInput`],ue,e),{type:n,value:r,defaultValue:i,onChange:a,valueFormat:o,labelSeparator:s,locale:c,classNames:l,styles:u,unstyled:d,closeOnChange:f,size:p,variant:h,dropdownType:g,sortDates:_,minDate:v,maxDate:y,vars:b,defaultDate:S,valueFormatter:C,presets:w,attributes:T,...E}=t,{resolvedClassNames:D,resolvedStyles:O}=m({classNames:l,styles:u,props:t}),{calendarProps:k,others:A}=z(E),{_value:j,setValue:M,formattedValue:N,dropdownHandlers:P,dropdownOpened:F,onClear:L,shouldClear:R}=le({type:n,value:r,defaultValue:i,onChange:a,locale:c,format:o,labelSeparator:s,closeOnChange:f,sortDates:_,valueFormatter:C}),B=Array.isArray(j)?j[0]||S:j||S;return(0,Y.jsx)(Z,{formattedValue:N,withPresets:!!w,dropdownOpened:F,dropdownHandlers:P,classNames:D,styles:O,unstyled:d,onClear:L,shouldClear:R,value:j,size:p,variant:h,dropdownType:g,...A,type:n,__staticSelector:`DatePickerInput`,attributes:T,children:(0,Y.jsx)(Q,{...k,size:p,variant:h,type:n,value:j,defaultDate:B||I({maxDate:y,minDate:v}),onChange:M,locale:c,classNames:D,styles:O,unstyled:d,__staticSelector:`DatePickerInput`,__stopPropagation:g===`popover`,minDate:v,maxDate:y,presets:w,attributes:T})})});$.classes={...Z.classes,...Q.classes},$.displayName=`@mantine/dates/DatePickerInput`;function de(e){return(0,Y.jsxs)(M,{withBorder:!0,padding:`sm`,children:[(0,Y.jsx)(s,{size:`xs`,fw:600,c:`dimmed`,children:e.label}),(0,Y.jsx)(s,{fw:700,size:`lg`,"data-testid":e.testId,children:e.value}),e.hint?(0,Y.jsx)(s,{size:`xs`,children:e.hint}):null]})}function fe(e){return(0,Y.jsxs)(p,{gap:`xs`,component:`section`,"aria-labelledby":e.id,children:[(0,Y.jsx)(o,{order:2,size:`h4`,id:e.id,children:e.title}),e.children]})}function pe(e){return(0,Y.jsx)(E,{cols:{base:2,sm:3,lg:5},children:e.children})}function me(e){let t=e.stages.map(e=>Number(e.value)),n=Math.max(1,t[0]??1);return(0,Y.jsx)(p,{gap:6,children:e.stages.map((e,r)=>(0,Y.jsxs)(y,{gap:`sm`,wrap:`nowrap`,children:[(0,Y.jsx)(s,{size:`sm`,w:110,children:e.label}),(0,Y.jsx)(N,{value:(t[r]??0)/n*100,style:{flex:1},"aria-label":e.label}),(0,Y.jsx)(s,{size:`sm`,w:80,ta:`right`,children:A(e.value)})]},e.label))})}function he(e,t){if(e===`channel`){let e=v.find(e=>e.toLowerCase()===t.key.toLowerCase());return e?b(e):t.label||i(`report.noChannel`)}return t.label||t.key||`—`}function ge(e){return e.rows.length===0?(0,Y.jsx)(s,{size:`sm`,children:i(`report.noRows`)}):(0,Y.jsx)(P.ScrollContainer,{minWidth:640,children:(0,Y.jsxs)(P,{striped:!0,children:[(0,Y.jsx)(`caption`,{style:{textAlign:`left`,fontSize:`var(--mantine-font-size-xs)`},children:e.caption}),(0,Y.jsx)(P.Thead,{children:(0,Y.jsxs)(P.Tr,{children:[(0,Y.jsx)(P.Th,{children:i(`report.col.group`)}),(0,Y.jsx)(P.Th,{ta:`right`,children:i(`metric.clicks`)}),(0,Y.jsx)(P.Th,{ta:`right`,children:i(`report.leads`)}),(0,Y.jsx)(P.Th,{ta:`right`,children:i(`metric.customers`)}),(0,Y.jsx)(P.Th,{ta:`right`,children:i(`metric.revenue`)}),(0,Y.jsx)(P.Th,{ta:`right`,children:i(`metric.rewardCost`)}),(0,Y.jsx)(P.Th,{ta:`right`,children:i(`report.conversion`)})]})}),(0,Y.jsx)(P.Tbody,{children:e.rows.map(t=>(0,Y.jsxs)(P.Tr,{children:[(0,Y.jsx)(P.Td,{children:he(e.kind,t)}),(0,Y.jsx)(P.Td,{ta:`right`,children:A(t.clicks)}),(0,Y.jsx)(P.Td,{ta:`right`,children:A(t.leads)}),(0,Y.jsx)(P.Td,{ta:`right`,children:A(t.customers)}),(0,Y.jsx)(P.Td,{ta:`right`,children:k(t.revenue)}),(0,Y.jsx)(P.Td,{ta:`right`,children:k(t.rewardCost)}),(0,Y.jsx)(P.Td,{ta:`right`,children:O(t.conversionRate.value)})]},t.key))})]})})}function _e(e,t){return Number(e.amountMinor)/10**t}S(`
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
`);var ve=S(`
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
`),ye=S(`
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
`);export{fe as a,_e as c,me as i,$ as l,ye as n,de as o,ge as r,pe as s,ve as t};