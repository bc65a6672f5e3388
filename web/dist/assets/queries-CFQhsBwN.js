import{r as e}from"./rolldown-runtime-BLXQ4ufn.js";import{Bt as t,It as n,Mt as r,Rt as i,bt as a,dt as o,it as s,jt as c,kt as l,ot as u,pt as d,rt as f,wt as p,x as m}from"./index-gha9WLlh.js";import{a as h,i as g,o as _}from"./preload-helper-EqXGIwet.js";import{g as v,l as y}from"./floating-ui.react-dom-BXsEC3q3.js";var b=e(_(),1);function x(e){let t=(0,b.useRef)(e);return(0,b.useEffect)(()=>{t.current=e}),(0,b.useMemo)(()=>((...e)=>t.current?.(...e)),[])}function S(e,t){let{delay:n,flushOnUnmount:r,leading:i,maxWait:a}=typeof t==`number`?{delay:t,flushOnUnmount:!1,leading:!1,maxWait:void 0}:t,o=x(e),s=(0,b.useRef)(0),c=(0,b.useRef)(0),l=(0,b.useRef)(null),u=(0,b.useMemo)(()=>{let e=Object.assign((...t)=>{window.clearTimeout(s.current),l.current=t;let r=e._isFirstCall;e._isFirstCall=!1;function u(){window.clearTimeout(s.current),window.clearTimeout(c.current),s.current=0,c.current=0,e._isFirstCall=!0,e._hasPendingCallback=!1}function d(){a!==void 0&&c.current===0&&(c.current=window.setTimeout(()=>{if(c.current=0,s.current!==0&&e._hasPendingCallback){let e=l.current;u(),o(...e)}},a))}if(i&&r){o(...t),e.flush=()=>{s.current!==0&&u()},e.cancel=()=>{u()},s.current=window.setTimeout(()=>{u()},n),d();return}if(i&&!r){e._hasPendingCallback=!0,e.flush=()=>{s.current!==0&&(u(),o(...t))},e.cancel=()=>{u()},s.current=window.setTimeout(()=>{u()},n),d();return}e._hasPendingCallback=!0;let f=()=>{s.current!==0&&(u(),o(...t))};e.flush=f,e.cancel=()=>{u()},s.current=window.setTimeout(f,n),d()},{flush:()=>{},cancel:()=>{},isPending:()=>e._hasPendingCallback,_isFirstCall:!0,_hasPendingCallback:!1});return e},[o,n,i,a]);return(0,b.useEffect)(()=>()=>{r?u.flush():u.cancel()},[u,r]),u}var[C,w]=i(`ScrollArea.Root component was not found in tree`);function T(e,t){let n=(0,b.useEffectEvent)(t);l(()=>{let t=0;if(e){let r=new ResizeObserver(()=>{cancelAnimationFrame(t),t=window.requestAnimationFrame(n)});return r.observe(e),()=>{window.cancelAnimationFrame(t),r.unobserve(e)}}},[e])}var E=g();function D(e){let{style:t,...n}=e,r=w(),[i,a]=(0,b.useState)(0),[o,s]=(0,b.useState)(0),c=!!(i&&o);return T(r.scrollbarX,()=>{let e=r.scrollbarX?.offsetHeight||0;r.onCornerHeightChange(e),s(e)}),T(r.scrollbarY,()=>{let e=r.scrollbarY?.offsetWidth||0;r.onCornerWidthChange(e),a(e)}),c?(0,E.jsx)(`div`,{...n,style:{...t,width:i,height:o}}):null}function O(e){let t=w(),n=!!(t.scrollbarX&&t.scrollbarY);return t.type!==`scroll`&&n?(0,E.jsx)(D,{...e}):null}var k={scrollHideDelay:1e3,type:`hover`};function A(e){let{type:t,scrollHideDelay:n,scrollbars:r,getStyles:i,ref:a,...o}=d(`ScrollAreaRoot`,k,e),[c,l]=(0,b.useState)(null),[u,f]=(0,b.useState)(null),[m,h]=(0,b.useState)(null),[g,_]=(0,b.useState)(null),[v,y]=(0,b.useState)(null),[x,S]=(0,b.useState)(0),[w,T]=(0,b.useState)(0),[D,O]=(0,b.useState)(!1),[A,j]=(0,b.useState)(!1),M=p(a,l);return(0,E.jsx)(C,{value:{type:t,scrollHideDelay:n,scrollArea:c,viewport:u,onViewportChange:f,content:m,onContentChange:h,scrollbarX:g,onScrollbarXChange:_,scrollbarXEnabled:D,onScrollbarXEnabledChange:O,scrollbarY:v,onScrollbarYChange:y,scrollbarYEnabled:A,onScrollbarYEnabledChange:j,onCornerWidthChange:S,onCornerHeightChange:T,getStyles:i},children:(0,E.jsx)(s,{...o,ref:M,__vars:{"--sa-corner-width":r===`xy`?`${x}px`:`0px`,"--sa-corner-height":r===`xy`?`${w}px`:`0px`}})})}A.displayName=`@mantine/core/ScrollAreaRoot`;function j(e,t){let n=e/t;return Number.isNaN(n)?0:n}function M(e){let t=j(e.viewport,e.content),n=e.scrollbar.paddingStart+e.scrollbar.paddingEnd,r=(e.scrollbar.size-n)*t;return Math.max(r,18)}function N(e,t){return n=>{if(e[0]===e[1]||t[0]===t[1])return t[0];let r=(t[1]-t[0])/(e[1]-e[0]);return t[0]+r*(n-e[0])}}function P(e,[t,n]){return Math.min(n,Math.max(t,e))}function F(e,t,n=`ltr`){let r=M(t),i=t.scrollbar.paddingStart+t.scrollbar.paddingEnd,a=t.scrollbar.size-i,o=t.content-t.viewport,s=a-r,c=P(e,n===`ltr`?[0,o]:[o*-1,0]);return N([0,o],[0,s])(c)}function I(e,t,n,r=`ltr`){let i=M(n),a=i/2,o=t||a,s=i-o,c=n.scrollbar.paddingStart+o,l=n.scrollbar.size-n.scrollbar.paddingEnd-s,u=n.content-n.viewport,d=r===`ltr`?[0,u]:[u*-1,0];return N([c,l],d)(e)}function L(e,t){return e>0&&e<t}function R(e){return e?parseInt(e,10):0}function z(e,t,{checkForDefaultPrevented:n=!0}={}){return r=>{e?.(r),n!==!1&&r.defaultPrevented||t?.(r)}}var[ee,B]=i(`ScrollAreaScrollbar was not found in tree`);function V(e){let{sizes:t,hasThumb:n,onThumbChange:r,onThumbPointerUp:i,onThumbPointerDown:a,onThumbPositionChange:o,onDragScroll:s,onWheelScroll:c,onResize:l,ref:u,...d}=e,f=w(),[m,h]=(0,b.useState)(null),g=p(u,h),_=(0,b.useRef)(null),v=(0,b.useRef)(``),y=t.content-t.viewport,C=(0,b.useEffectEvent)(e=>c(e,y)),D=x(o),O=S(l,10),k=e=>{if(_.current){let t=e.clientX-_.current.left,n=e.clientY-_.current.top;s({x:t,y:n})}};return(0,b.useEffect)(()=>{if(!m)return;let e=e=>C(e);return m.addEventListener(`wheel`,e,{passive:!1}),()=>m.removeEventListener(`wheel`,e)},[m]),(0,b.useEffect)(D,[t,D]),T(m,O),T(f.content,O),(0,E.jsx)(ee,{value:{scrollbar:m,hasThumb:n,onThumbChange:x(r),onThumbPointerUp:x(i),onThumbPositionChange:D,onThumbPointerDown:x(a)},children:(0,E.jsx)(`div`,{...d,ref:g,"data-mantine-scrollbar":!0,style:{position:`absolute`,...d.style},onPointerDown:z(e.onPointerDown,e=>{e.preventDefault(),e.button===0&&(e.target.setPointerCapture(e.pointerId),_.current=m.getBoundingClientRect(),v.current=document.body.style.webkitUserSelect,document.body.style.webkitUserSelect=`none`,k(e))}),onPointerMove:z(e.onPointerMove,k),onPointerUp:z(e.onPointerUp,e=>{let t=e.target;t.hasPointerCapture(e.pointerId)&&(e.preventDefault(),t.releasePointerCapture(e.pointerId))}),onLostPointerCapture:()=>{document.body.style.webkitUserSelect=v.current,_.current=null}})})}var H=e=>{let{sizes:t,onSizesChange:n,style:r,ref:i,...a}=e,o=w(),[s,c]=(0,b.useState)(),l=(0,b.useRef)(null),u=p(i,l,o.onScrollbarXChange);return(0,b.useEffect)(()=>{l.current&&c(getComputedStyle(l.current))},[l]),(0,E.jsx)(V,{"data-orientation":`horizontal`,...a,ref:u,sizes:t,style:{...r,"--sa-thumb-width":`${M(t)}px`},onThumbPointerDown:t=>e.onThumbPointerDown(t.x),onDragScroll:t=>e.onDragScroll(t.x),onWheelScroll:(t,n)=>{if(o.viewport){let r=o.viewport.scrollLeft+t.deltaX;e.onWheelScroll(r),L(r,n)&&t.preventDefault()}},onResize:()=>{l.current&&o.viewport&&s&&n({content:o.viewport.scrollWidth,viewport:o.viewport.offsetWidth,scrollbar:{size:l.current.clientWidth,paddingStart:R(s.paddingLeft),paddingEnd:R(s.paddingRight)}})}})};H.displayName=`@mantine/core/ScrollAreaScrollbarX`;function U(e){let{sizes:t,onSizesChange:n,style:r,ref:i,...a}=e,o=w(),[s,c]=(0,b.useState)(),l=(0,b.useRef)(null),u=p(i,l,o.onScrollbarYChange);return(0,b.useEffect)(()=>{l.current&&c(window.getComputedStyle(l.current))},[]),(0,E.jsx)(V,{...a,"data-orientation":`vertical`,ref:u,sizes:t,style:{"--sa-thumb-height":`${M(t)}px`,...r},onThumbPointerDown:t=>e.onThumbPointerDown(t.y),onDragScroll:t=>e.onDragScroll(t.y),onWheelScroll:(t,n)=>{if(o.viewport){let r=o.viewport.scrollTop+t.deltaY;e.onWheelScroll(r),L(r,n)&&t.preventDefault()}},onResize:()=>{l.current&&o.viewport&&s&&n({content:o.viewport.scrollHeight,viewport:o.viewport.offsetHeight,scrollbar:{size:l.current.clientHeight,paddingStart:R(s.paddingTop),paddingEnd:R(s.paddingBottom)}})}})}U.displayName=`@mantine/core/ScrollAreaScrollbarY`;function W(e){let{orientation:t=`vertical`,...n}=e,{dir:r}=f(),i=w(),a=(0,b.useRef)(null),o=(0,b.useRef)(0),[s,c]=(0,b.useState)({content:0,viewport:0,scrollbar:{size:0,paddingStart:0,paddingEnd:0}}),l=j(s.viewport,s.content),u={...n,sizes:s,onSizesChange:c,hasThumb:l>0&&l<1,onThumbChange:e=>{a.current=e},onThumbPointerUp:()=>{o.current=0},onThumbPointerDown:e=>{o.current=e}},d=(e,t)=>I(e,o.current,s,t);return t===`horizontal`?(0,E.jsx)(H,{...u,onThumbPositionChange:()=>{if(i.viewport&&a.current){let e=F(i.viewport.scrollLeft,s,r);a.current.style.transform=`translate3d(${e}px, 0, 0)`}},onWheelScroll:e=>{i.viewport&&(i.viewport.scrollLeft=e)},onDragScroll:e=>{i.viewport&&(i.viewport.scrollLeft=d(e,r))}}):t===`vertical`?(0,E.jsx)(U,{...u,onThumbPositionChange:()=>{if(i.viewport&&a.current){let e=F(i.viewport.scrollTop,s);s.scrollbar.size===0?a.current.style.setProperty(`--thumb-opacity`,`0`):a.current.style.setProperty(`--thumb-opacity`,`1`),a.current.style.transform=`translate3d(0, ${e}px, 0)`}},onWheelScroll:e=>{i.viewport&&(i.viewport.scrollTop=e)},onDragScroll:e=>{i.viewport&&(i.viewport.scrollTop=d(e))}}):null}W.displayName=`@mantine/core/ScrollAreaScrollbarVisible`;function G(e){let t=w(),{forceMount:n,...r}=e,[i,a]=(0,b.useState)(!1),o=e.orientation===`horizontal`,s=S(()=>{if(t.viewport){let e=t.viewport.offsetWidth<t.viewport.scrollWidth,n=t.viewport.offsetHeight<t.viewport.scrollHeight;a(o?e:n)}},10);return T(t.viewport,s),T(t.content,s),n||i?(0,E.jsx)(W,{"data-state":i?`visible`:`hidden`,...r}):null}G.displayName=`@mantine/core/ScrollAreaScrollbarAuto`;function K(e){let{forceMount:t,...n}=e,r=w(),[i,a]=(0,b.useState)(!1);return(0,b.useEffect)(()=>{let{scrollArea:e}=r,t=0;if(e){let n=()=>{window.clearTimeout(t),a(!0)},i=()=>{t=window.setTimeout(()=>a(!1),r.scrollHideDelay)};return e.addEventListener(`pointerenter`,n),e.addEventListener(`pointerleave`,i),()=>{window.clearTimeout(t),e.removeEventListener(`pointerenter`,n),e.removeEventListener(`pointerleave`,i)}}},[r.scrollArea,r.scrollHideDelay]),t||i?(0,E.jsx)(G,{"data-state":i?`visible`:`hidden`,...n}):null}K.displayName=`@mantine/core/ScrollAreaScrollbarHover`;function te(e){let{forceMount:t,...n}=e,r=w(),i=e.orientation===`horizontal`,[a,o]=(0,b.useState)(`hidden`),s=S(()=>o(`idle`),100);return(0,b.useEffect)(()=>{if(a===`idle`){let e=window.setTimeout(()=>o(`hidden`),r.scrollHideDelay);return()=>window.clearTimeout(e)}},[a,r.scrollHideDelay]),(0,b.useEffect)(()=>{let{viewport:e}=r,t=i?`scrollLeft`:`scrollTop`;if(e){let n=e[t],r=()=>{let r=e[t];n!==r&&(o(`scrolling`),s()),n=r};return e.addEventListener(`scroll`,r),()=>e.removeEventListener(`scroll`,r)}},[r.viewport,i,s]),t||a!==`hidden`?(0,E.jsx)(W,{"data-state":a===`hidden`?`hidden`:`visible`,...n,onPointerEnter:z(e.onPointerEnter,()=>o(`interacting`)),onPointerLeave:z(e.onPointerLeave,()=>o(`idle`))}):null}function q(e){let{forceMount:t,...n}=e,r=w(),{onScrollbarXEnabledChange:i,onScrollbarYEnabledChange:a}=r,o=e.orientation===`horizontal`;return(0,b.useEffect)(()=>(o?i(!0):a(!0),()=>{o?i(!1):a(!1)}),[o,i,a]),r.type===`hover`?(0,E.jsx)(K,{...n,forceMount:t}):r.type===`scroll`?(0,E.jsx)(te,{...n,forceMount:t}):r.type===`auto`?(0,E.jsx)(G,{...n,forceMount:t}):r.type===`always`?(0,E.jsx)(W,{...n}):null}q.displayName=`@mantine/core/ScrollAreaScrollbar`;function ne(e,t=()=>{}){let n={left:e.scrollLeft,top:e.scrollTop},r=0;return(function i(){let a={left:e.scrollLeft,top:e.scrollTop},o=n.left!==a.left,s=n.top!==a.top;(o||s)&&t(),n=a,r=window.requestAnimationFrame(i)})(),()=>window.cancelAnimationFrame(r)}function re(e){let{style:t,ref:n,...r}=e,i=w(),a=B(),{onThumbPositionChange:o}=a,s=p(n,a.onThumbChange),c=(0,b.useRef)(void 0),l=S(()=>{c.current&&=(c.current(),void 0)},100);return(0,b.useEffect)(()=>{let{viewport:e}=i;if(e){let t=()=>{if(l(),!c.current){let t=ne(e,o);c.current=t,o()}};return o(),e.addEventListener(`scroll`,t),()=>{e.removeEventListener(`scroll`,t),c.current?.(),c.current=void 0}}},[i.viewport,l,o]),(0,E.jsx)(`div`,{"data-state":a.hasThumb?`visible`:`hidden`,...r,ref:s,style:{width:`var(--sa-thumb-width)`,height:`var(--sa-thumb-height)`,...t},onPointerDownCapture:z(e.onPointerDownCapture,e=>{let t=e.target.getBoundingClientRect(),n=e.clientX-t.left,r=e.clientY-t.top;a.onThumbPointerDown({x:n,y:r})}),onPointerUp:z(e.onPointerUp,a.onThumbPointerUp)})}re.displayName=`@mantine/core/ScrollAreaThumb`;function J(e){let{forceMount:t,...n}=e,r=B();return t||r.hasThumb?(0,E.jsx)(re,{...n}):null}J.displayName=`@mantine/core/ScrollAreaThumb`;function ie({children:e,style:t,ref:n,onWheel:r,...i}){let a=w(),o=p(n,a.onViewportChange),c=e=>{if(r?.(e),a.scrollbarXEnabled&&a.viewport&&e.shiftKey){let{scrollTop:t,scrollHeight:n,clientHeight:r,scrollWidth:i,clientWidth:o}=a.viewport,s=t<1,c=t>=n-r-1;i>o&&(s||c)&&e.stopPropagation()}};return(0,E.jsx)(s,{...i,ref:o,onWheel:c,"data-scrollarea-viewport":!0,style:{overflowX:a.scrollbarXEnabled?`scroll`:`hidden`,overflowY:a.scrollbarYEnabled?`scroll`:`hidden`,...t},children:(0,E.jsx)(`div`,{...a.getStyles(`content`),ref:a.onContentChange,children:e})})}ie.displayName=`@mantine/core/ScrollAreaViewport`;var Y={root:`m_d57069b5`,content:`m_b1336c6`,viewport:`m_c0783ff9`,viewportInner:`m_f8f631dd`,scrollbar:`m_c44ba933`,thumb:`m_d8b5e363`,corner:`m_21657268`},X=typeof document<`u`?b.useLayoutEffect:function(){},ae={...b}.useInsertionEffect||(e=>e());function oe(e){let t=b.useRef(()=>{});return ae(()=>{t.current=e}),b.useCallback(function(){var e=[...arguments];return t.current==null?void 0:t.current(...e)},[])}h();function se(e){let t=b.useRef(void 0),n=b.useCallback(t=>{let n=e.map(e=>{if(e!=null){if(typeof e==`function`){let n=e,r=n(t);return typeof r==`function`?r:()=>{n(null)}}return e.current=t,()=>{e.current=null}}});return()=>{n.forEach(e=>e?.())}},e);return b.useMemo(()=>e.every(e=>e==null)?null:e=>{t.current&&=(t.current(),void 0),e!=null&&(t.current=n(e))},e)}var ce=`ArrowLeft`,le=`ArrowRight`,ue=`ArrowUp`,de=`ArrowDown`,fe=[ce,le],pe=[ue,de];[...fe,...pe];var me={...b},he=!1,ge=0,_e=()=>`floating-ui-`+Math.random().toString(36).slice(2,6)+ge++;function ve(){let[e,t]=b.useState(()=>he?_e():void 0);return X(()=>{e??t(_e())},[]),b.useEffect(()=>{he=!0},[]),e}var ye=me.useId||ve;function be(){let e=new Map;return{emit(t,n){var r;(r=e.get(t))==null||r.forEach(e=>e(n))},on(t,n){e.has(t)||e.set(t,new Set),e.get(t).add(n)},off(t,n){var r;(r=e.get(t))==null||r.delete(n)}}}var xe=b.createContext(null),Se=b.createContext(null),Ce=()=>b.useContext(xe)?.id||null,we=()=>b.useContext(Se);function Te(e){let{open:t=!1,onOpenChange:n,elements:r}=e,i=ye(),a=b.useRef({}),[o]=b.useState(()=>be()),s=Ce()!=null,[c,l]=b.useState(r.reference),u=oe((e,t,r)=>{a.current.openEvent=e?t:void 0,o.emit(`openchange`,{open:e,event:t,reason:r,nested:s}),n?.(e,t,r)}),d=b.useMemo(()=>({setPositionReference:l}),[]),f=b.useMemo(()=>({reference:c||r.reference||null,floating:r.floating||null,domReference:r.reference}),[c,r.reference,r.floating]);return b.useMemo(()=>({dataRef:a,open:t,onOpenChange:u,elements:f,events:o,floatingId:i,refs:d}),[t,u,f,o,i,d])}function Ee(e){let{elements:t,...n}=e===void 0?{}:e,{nodeId:r}=n,i=Te({...n,elements:{reference:t?.reference??null,floating:t?.floating??null}}),a=n.rootContext||i,o=a.elements,[s,c]=b.useState(null),[l,u]=b.useState(null),d=o?.domReference||s,f=b.useRef(null),p=we();X(()=>{d&&(f.current=d)},[d]);let m=y({...n,elements:{...o,...l&&{reference:l}}}),h=b.useCallback(e=>{let t=v(e)?{getBoundingClientRect:()=>e.getBoundingClientRect(),getClientRects:()=>e.getClientRects(),contextElement:e}:e;u(t),m.refs.setReference(t)},[m.refs]),g=b.useCallback(e=>{(v(e)||e===null)&&(f.current=e,c(e)),(v(m.refs.reference.current)||m.refs.reference.current===null||e!==null&&!v(e))&&m.refs.setReference(e)},[m.refs]),_=b.useMemo(()=>({...m.refs,setReference:g,setPositionReference:h,domReference:f}),[m.refs,g,h]),x=b.useMemo(()=>({...m.elements,domReference:d}),[m.elements,d]),S=b.useMemo(()=>({...m,...a,refs:_,elements:x,nodeId:r}),[m,_,x,r,a]);return X(()=>{a.dataRef.current.floatingContext=S;let e=p?.nodesRef.current.find(e=>e.id===r);e&&(e.context=S)}),b.useMemo(()=>({...m,context:S,refs:_,elements:x}),[m,_,x,S])}var De={scrollHideDelay:1e3,type:`hover`,scrollbars:`xy`},Oe=a((e,{scrollbarSize:n,overscrollBehavior:r,scrollbars:i})=>{let a=r;return r&&i&&(i===`x`?a=`${r} auto`:i===`y`&&(a=`auto ${r}`)),{root:{"--scrollarea-scrollbar-size":t(n),"--scrollarea-over-scroll-behavior":a,"--scrollarea-offset-size":void 0}}}),Z=u(e=>{let t=d(`ScrollArea`,De,e),{classNames:n,className:r,style:i,styles:a,unstyled:s,scrollbarSize:c,vars:u,type:f,scrollHideDelay:p,viewportProps:m,viewportRef:h,onScrollPositionChange:g,children:_,offsetScrollbars:v,scrollbars:y,onBottomReached:x,onTopReached:S,onLeftReached:C,onRightReached:w,overscrollBehavior:D,startScrollPosition:k,verticalScrollbarPosition:j,attributes:M,...N}=t,[P,F]=(0,b.useState)(!1),[I,L]=(0,b.useState)(!1),[R,z]=(0,b.useState)(!1),ee=(0,b.useRef)(!0),B=(0,b.useRef)(!1),V=(0,b.useRef)(!0),H=(0,b.useRef)(!1),U=o({name:`ScrollArea`,props:t,classes:Y,className:r,style:i,classNames:n,styles:a,unstyled:s,attributes:M,vars:u,varsResolver:Oe}),W=(0,b.useRef)(null),[G,K]=(0,b.useState)(null),te=se([h,W,(0,b.useCallback)(e=>{K(t=>t===e?t:e)},[])]);return T(v===`present`?G:null,()=>{let e=W.current;e&&(L(e.scrollHeight>e.clientHeight),z(e.scrollWidth>e.clientWidth))}),l(()=>{k&&W.current&&W.current.scrollTo({left:k.x??0,top:k.y??0})},[]),(0,E.jsxs)(A,{getStyles:U,type:f===`never`?`always`:f,scrollHideDelay:p,scrollbars:y,...U(`root`),...N,children:[(0,E.jsx)(ie,{...m,...U(`viewport`,{style:m?.style}),ref:te,"data-offset-scrollbars":v===!0?`xy`:v||void 0,"data-scrollbars":y||void 0,"data-vertical-scrollbar-position":j||void 0,"data-horizontal-hidden":v===`present`&&!R?`true`:void 0,"data-vertical-hidden":v===`present`&&!I?`true`:void 0,onScroll:e=>{m?.onScroll?.(e),g?.({x:e.currentTarget.scrollLeft,y:e.currentTarget.scrollTop});let{scrollTop:t,scrollHeight:n,clientHeight:r,scrollLeft:i,scrollWidth:a,clientWidth:o}=e.currentTarget,s=t-(n-r)>=-1,c=t===0;s&&!B.current&&x?.(),c&&!ee.current&&S?.(),B.current=s,ee.current=c;let l=i-(a-o)>=-1,u=i===0;l&&!H.current&&w?.(),u&&!V.current&&C?.(),H.current=l,V.current=u},children:_}),(y===`xy`||y===`x`)&&(0,E.jsx)(q,{...U(`scrollbar`),orientation:`horizontal`,"data-vertical-scrollbar-position":j||void 0,"data-hidden":f===`never`||v===`present`&&!R||void 0,forceMount:!0,onMouseEnter:()=>F(!0),onMouseLeave:()=>F(!1),children:(0,E.jsx)(J,{...U(`thumb`)})}),(y===`xy`||y===`y`)&&(0,E.jsx)(q,{...U(`scrollbar`),orientation:`vertical`,"data-vertical-scrollbar-position":j||void 0,"data-hidden":f===`never`||v===`present`&&!I||void 0,forceMount:!0,onMouseEnter:()=>F(!0),onMouseLeave:()=>F(!1),children:(0,E.jsx)(J,{...U(`thumb`)})}),(0,E.jsx)(O,{...U(`corner`),"data-vertical-scrollbar-position":j||void 0,"data-hovered":P||void 0,"data-hidden":f===`never`||void 0})]})});Z.displayName=`@mantine/core/ScrollArea`;var ke=u(e=>{let{children:t,classNames:n,styles:r,scrollbarSize:i,scrollHideDelay:a,type:o,dir:c,offsetScrollbars:l,overscrollBehavior:u,viewportRef:f,onScrollPositionChange:p,unstyled:m,variant:h,viewportProps:g,scrollbars:_,style:v,vars:y,onBottomReached:x,onTopReached:S,startScrollPosition:C,verticalScrollbarPosition:w,onOverflowChange:D,...O}=d(`ScrollAreaAutosize`,De,e),k=(0,b.useRef)(null),[A,j]=(0,b.useState)(null),M=se([f,k,(0,b.useCallback)(e=>{j(t=>t===e?t:e)},[])]),N=(0,b.useRef)(!1),P=(0,b.useRef)(!1),F=(0,b.useEffectEvent)(()=>{let e=k.current;if(!e||!D)return;let t=e.scrollHeight>e.clientHeight;t!==N.current&&(P.current?D(t):(P.current=!0,t&&D(!0)),N.current=t)});return T(D?A:null,F),(0,E.jsx)(s,{...O,variant:h,style:[{display:`flex`,overflow:`hidden`},v],children:(0,E.jsx)(s,{style:{display:`flex`,flexDirection:`column`,flex:1,overflow:`hidden`,..._===`y`&&{minWidth:0},..._===`x`&&{minHeight:0},..._===`xy`&&{minWidth:0,minHeight:0},..._===!1&&{minWidth:0,minHeight:0}},children:(0,E.jsx)(Z,{classNames:n,styles:r,scrollHideDelay:a,scrollbarSize:i,type:o,dir:c,offsetScrollbars:l,overscrollBehavior:u,viewportRef:M,onScrollPositionChange:p,unstyled:m,variant:h,viewportProps:g,vars:y,scrollbars:_,onBottomReached:x,onTopReached:S,startScrollPosition:C,verticalScrollbarPosition:w,"data-autosize":`true`,children:t})})})});Z.classes=Y,Z.varsResolver=Oe,ke.displayName=`@mantine/core/ScrollAreaAutosize`,ke.classes=Y,Z.Autosize=ke;var[Ae,je]=i(`List component was not found in tree`),Me={root:`m_abbac491`,item:`m_abb6bec2`,itemWrapper:`m_75cd9f71`,itemIcon:`m_60f83e5b`},Ne=u(e=>{let{classNames:t,className:n,style:r,styles:i,vars:a,icon:o,children:c,mod:l,...u}=d(`ListItem`,null,e),f=je(),p=o||f.icon,m={classNames:t,styles:i};return(0,E.jsx)(s,{...f.getStyles(`item`,{...m,className:n,style:r}),component:`li`,mod:[{"with-icon":!!p,centered:f.center},l],...u,children:(0,E.jsxs)(`div`,{...f.getStyles(`itemWrapper`,m),children:[p&&(0,E.jsx)(`span`,{...f.getStyles(`itemIcon`,m),children:p}),(0,E.jsx)(`span`,{...f.getStyles(`itemLabel`,m),children:c})]})})});Ne.classes=Me,Ne.displayName=`@mantine/core/ListItem`;var Pe={type:`unordered`},Fe=a((e,{size:t,spacing:i})=>({root:{"--list-fz":c(t),"--list-lh":r(t),"--list-spacing":n(i)}})),Q=u(e=>{let t=d(`List`,Pe,e),{classNames:n,className:r,style:i,styles:a,unstyled:c,vars:l,children:u,type:f,withPadding:p,icon:m,spacing:h,center:g,listStyleType:_,mod:v,attributes:y,...b}=t,x=o({name:`List`,classes:Me,props:t,className:r,style:i,classNames:n,styles:a,unstyled:c,attributes:y,vars:l,varsResolver:Fe});return(0,E.jsx)(Ae,{value:{center:g,icon:m,getStyles:x},children:(0,E.jsx)(s,{...x(`root`,{style:{listStyleType:_}}),component:f===`unordered`?`ul`:`ol`,mod:[{"with-padding":p,type:m?`none`:_},v],...b,children:u})})});Q.classes=Me,Q.varsResolver=Fe,Q.displayName=`@mantine/core/List`,Q.Item=Ne;var Ie=`-`;function Le(e){return{after:e.get(`after`),trail:e.getAll(`trail`)}}function Re(e,t){let n=new URLSearchParams(e);n.delete(`after`),n.delete(`trail`),t.after&&n.set(`after`,t.after);for(let e of t.trail)n.append(`trail`,e);return n}function ze(e,t){return{after:t,trail:[...e.trail,e.after??Ie]}}function Be(e){let t=e.trail.slice(0,-1),n=e.trail[e.trail.length-1];return{after:n===void 0||n===Ie?null:n,trail:t}}function Ve(e){return e.trail.length+1}var He=[`settings`,`rewards`,`materials`,`variants`],Ue={list(e={}){let t=new URLSearchParams;e.status&&t.set(`status`,e.status),e.page&&(t=Re(t,e.page));let n=t.toString();return n?`/campaigns?${n}`:`/campaigns`},create(){return`/campaigns/new`},detail(e){return`/campaigns/${encodeURIComponent(e)}`},edit(e,t=`settings`){let n=`/campaigns/${encodeURIComponent(e)}/edit`;return t===`settings`?n:`${n}?tab=${t}`}};function We(e){return He.find(t=>t===e)??`settings`}function Ge(e){return[`DRAFT`,`ACTIVE`,`PAUSED`,`ENDED`].find(t=>t===e)??null}function $(){return typeof navigator>`u`?`en-US`:navigator.language||`en-US`}function Ke(e){try{return new Intl.NumberFormat(`en`,{style:`currency`,currency:e}).resolvedOptions().maximumFractionDigits??2}catch{return 2}}function qe(e,t){let n=e.startsWith(`-`),r=(n?e.slice(1):e).replace(/^0+(?=\d)/,``);if(t===0)return`${n?`-`:``}${r}`;let i=r.padStart(t+1,`0`),a=i.slice(0,i.length-t),o=i.slice(i.length-t);return`${n?`-`:``}${a}.${o}`}function Je(e,t){let n=e.trim().replace(/\s/g,``).replace(`,`,`.`),r=/^(-?)(\d*)(?:\.(\d*))?$/.exec(n);if(!r||n===``||n===`-`||n===`.`)return null;let[,i=``,a=``,o=``]=r,s=Ke(t||`USD`);if(o.length>s)return null;let c=BigInt(`${a||`0`}${o.padEnd(s,`0`)}`);return c===0n?`0`:`${i}${c.toString()}`}function Ye(e,t=$()){if(!e)return`—`;let n=Ke(e.currency),r=qe(e.amountMinor,n);return new Intl.NumberFormat(t,{style:`currency`,currency:e.currency}).format(r)}function Xe(e,t=$()){if(e==null)return`—`;let n=typeof e==`string`?BigInt(e):e;return new Intl.NumberFormat(t).format(n)}function Ze(e,t=$(),n=2){return e==null||!Number.isFinite(e)?`—`:new Intl.NumberFormat(t,{maximumFractionDigits:n}).format(e)}function Qe(e,t=$()){return e==null||!Number.isFinite(e)?`—`:new Intl.NumberFormat(t,{style:`percent`,maximumFractionDigits:1}).format(e)}function $e(e,t=$(),n){if(!e)return`—`;let r=new Date(e);return Number.isNaN(r.getTime())?e:new Intl.DateTimeFormat(t,{dateStyle:`medium`,timeStyle:`short`,...n?{timeZone:n}:{}}).format(r)}function et(e,t=$()){if(!e)return`—`;let n=/^(\d{4})-(\d{2})-(\d{2})$/.exec(e);if(!n)return e;let r=new Date(Date.UTC(Number(n[1]),Number(n[2])-1,Number(n[3])));return new Intl.DateTimeFormat(t,{dateStyle:`medium`,timeZone:`UTC`}).format(r)}var tt=m(`
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      ...CampaignFields
    }
  }
`),nt=m(`
  mutation UpdateCampaign($id: UUID!, $input: UpdateCampaignInput!) {
    updateCampaign(id: $id, input: $input) {
      ...CampaignFields
    }
  }
`),rt=m(`
  mutation AddRewardRule($campaignId: UUID!, $input: RewardRuleInput!) {
    addRewardRule(campaignId: $campaignId, input: $input) {
      id
    }
  }
`),it=m(`
  mutation RemoveRewardRule($id: UUID!) {
    removeRewardRule(id: $id) {
      ...CampaignFields
    }
  }
`),at=m(`
  mutation SetMaterial($campaignId: UUID!, $input: MaterialInput!) {
    setCampaignMaterial(campaignId: $campaignId, input: $input) {
      id
      channel
    }
  }
`),ot=m(`
  mutation SetVariants($campaignId: UUID!, $variants: [VariantInput!]!) {
    setCampaignVariants(campaignId: $campaignId, variants: $variants) {
      id
      name
      weight
    }
  }
`),st=m(`
  mutation LaunchCampaign($id: UUID!) {
    launchCampaign(id: $id) {
      id
      status
      launchedAt
    }
  }
`),ct=m(`
  mutation PauseCampaign($id: UUID!) {
    pauseCampaign(id: $id) {
      id
      status
    }
  }
`),lt=m(`
  mutation ResumeCampaign($id: UUID!) {
    resumeCampaign(id: $id) {
      id
      status
    }
  }
`),ut=m(`
  mutation EndCampaign($id: UUID!) {
    endCampaign(id: $id) {
      id
      status
      endedAt
    }
  }
`),dt=m(`
  mutation ImportCampaign($document: JSON!, $name: String) {
    importCampaign(document: $document, name: $name) {
      id
      name
    }
  }
`),ft=m(`
  query CampaignList($first: Int!, $after: String, $filter: CampaignFilter) {
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
      }
    }
  }
`),pt=m(`
  query CampaignHeadlines($ids: [UUID!]!) {
    compareCampaigns(campaignIds: $ids) {
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
  }
`);m(`
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
`);var mt=m(`
  query Campaign($id: UUID!) {
    campaign(id: $id) {
      ...CampaignFields
    }
  }
`),ht=m(`
  query ExportCampaign($id: UUID!) {
    exportCampaign(id: $id)
  }
`);export{Ve as A,Qe as C,Ge as D,Ue as E,Z as F,Ee as I,R as L,Le as M,Re as N,We as O,Q as P,x as R,Ze as S,He as T,Je as _,rt as a,et as b,dt as c,it as d,lt as f,Ke as g,nt as h,ht as i,Be as j,ze as k,st as l,ot as m,ft as n,tt as o,at as p,mt as r,ut as s,pt as t,ct as u,Xe as v,qe as w,Ye as x,$e as y};