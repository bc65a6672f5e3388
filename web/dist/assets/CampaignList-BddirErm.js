import{r as e}from"./rolldown-runtime-BLXQ4ufn.js";import{A as t,B as n,C as r,D as i,E as a,F as o,H as s,I as c,L as l,M as u,N as d,O as f,P as p,R as m,S as h,T as g,U as _,V as v,W as y,_ as b,a as x,b as S,c as C,d as w,f as T,g as E,h as D,i as O,j as k,k as A,l as j,m as M,n as N,o as P,p as ee,r as te,s as F,t as ne,u as I,v as L,w as R,x as re,y as z,z as ie}from"./index-DtTCN3wF.js";import{a as B,i as ae,o as oe}from"./preload-helper-EqXGIwet.js";function V(e,t){if(e===t||Number.isNaN(e)&&Number.isNaN(t))return!0;if(!(e instanceof Object)||!(t instanceof Object))return!1;let n=Object.keys(e),{length:r}=n;if(r!==Object.keys(t).length)return!1;for(let i=0;i<r;i+=1){let r=n[i];if(!(r in t)||e[r]!==t[r]&&!(Number.isNaN(e[r])&&Number.isNaN(t[r])))return!1}return!0}var H=e(oe(),1);function U(e){let t=(0,H.useRef)(e);return(0,H.useEffect)(()=>{t.current=e}),(0,H.useMemo)(()=>((...e)=>t.current?.(...e)),[])}function W(e,t){let{delay:n,flushOnUnmount:r,leading:i,maxWait:a}=typeof t==`number`?{delay:t,flushOnUnmount:!1,leading:!1,maxWait:void 0}:t,o=U(e),s=(0,H.useRef)(0),c=(0,H.useRef)(0),l=(0,H.useRef)(null),u=(0,H.useMemo)(()=>{let e=Object.assign((...t)=>{window.clearTimeout(s.current),l.current=t;let r=e._isFirstCall;e._isFirstCall=!1;function u(){window.clearTimeout(s.current),window.clearTimeout(c.current),s.current=0,c.current=0,e._isFirstCall=!0,e._hasPendingCallback=!1}function d(){a!==void 0&&c.current===0&&(c.current=window.setTimeout(()=>{if(c.current=0,s.current!==0&&e._hasPendingCallback){let e=l.current;u(),o(...e)}},a))}if(i&&r){o(...t),e.flush=()=>{s.current!==0&&u()},e.cancel=()=>{u()},s.current=window.setTimeout(()=>{u()},n),d();return}if(i&&!r){e._hasPendingCallback=!0,e.flush=()=>{s.current!==0&&(u(),o(...t))},e.cancel=()=>{u()},s.current=window.setTimeout(()=>{u()},n),d();return}e._hasPendingCallback=!0;let f=()=>{s.current!==0&&(u(),o(...t))};e.flush=f,e.cancel=()=>{u()},s.current=window.setTimeout(f,n),d()},{flush:()=>{},cancel:()=>{},isPending:()=>e._hasPendingCallback,_isFirstCall:!0,_hasPendingCallback:!1});return e},[o,n,i,a]);return(0,H.useEffect)(()=>()=>{r?u.flush():u.cancel()},[u,r]),u}function se(e,t){if(!e||!t)return!1;if(e===t)return!0;if(e.length!==t.length)return!1;for(let n=0;n<e.length;n+=1)if(!V(e[n],t[n]))return!1;return!0}function ce(e){let t=(0,H.useRef)([]),n=(0,H.useRef)(0);return se(t.current,e)||(t.current=e,n.current+=1),[n.current]}function le(e,t){(0,H.useEffect)(e,ce(t))}function ue(e,t,n={autoInvoke:!1}){let r=(0,H.useRef)(null),i=U(e),a=(0,H.useCallback)((...e)=>{r.current||=window.setTimeout(()=>{r.current=null,i(...e)},t)},[t]),o=(0,H.useCallback)(()=>{r.current&&=(window.clearTimeout(r.current),null)},[]);return(0,H.useEffect)(()=>(n.autoInvoke&&a(),o),[o,a]),{start:a,clear:o}}function de(e,t,n){let r=(0,H.useRef)(null);(0,H.useEffect)(()=>{r.current&&=(r.current.disconnect(),null);let i=typeof n==`function`?n():n;return i&&(r.current=new MutationObserver(e),r.current.observe(i,t)),()=>{r.current&&=(r.current.disconnect(),null)}},[e,t,n])}function fe(){let[e,t]=(0,H.useState)(!1);return(0,H.useEffect)(()=>t(!0),[]),e}function pe(){return`development`}function me(e){return typeof e==`string`||typeof e==`number`||typeof e==`boolean`||typeof e==`bigint`}var[he,G]=_(`ScrollArea.Root component was not found in tree`);function K(e,t){let n=(0,H.useEffectEvent)(t);l(()=>{let t=0;if(e){let r=new ResizeObserver(()=>{cancelAnimationFrame(t),t=window.requestAnimationFrame(n)});return r.observe(e),()=>{window.cancelAnimationFrame(t),r.unobserve(e)}}},[e])}var q=ae();function ge(e){let{style:t,...n}=e,r=G(),[i,a]=(0,H.useState)(0),[o,s]=(0,H.useState)(0),c=!!(i&&o);return K(r.scrollbarX,()=>{let e=r.scrollbarX?.offsetHeight||0;r.onCornerHeightChange(e),s(e)}),K(r.scrollbarY,()=>{let e=r.scrollbarY?.offsetWidth||0;r.onCornerWidthChange(e),a(e)}),c?(0,q.jsx)(`div`,{...n,style:{...t,width:i,height:o}}):null}function _e(e){let t=G(),n=!!(t.scrollbarX&&t.scrollbarY);return t.type!==`scroll`&&n?(0,q.jsx)(ge,{...e}):null}var ve={scrollHideDelay:1e3,type:`hover`};function ye(e){let{type:t,scrollHideDelay:n,scrollbars:a,getStyles:s,ref:c,...l}=i(`ScrollAreaRoot`,ve,e),[u,d]=(0,H.useState)(null),[f,p]=(0,H.useState)(null),[m,h]=(0,H.useState)(null),[g,_]=(0,H.useState)(null),[v,y]=(0,H.useState)(null),[b,x]=(0,H.useState)(0),[S,C]=(0,H.useState)(0),[w,T]=(0,H.useState)(!1),[E,D]=(0,H.useState)(!1),O=o(c,d);return(0,q.jsx)(he,{value:{type:t,scrollHideDelay:n,scrollArea:u,viewport:f,onViewportChange:p,content:m,onContentChange:h,scrollbarX:g,onScrollbarXChange:_,scrollbarXEnabled:w,onScrollbarXEnabledChange:T,scrollbarY:v,onScrollbarYChange:y,scrollbarYEnabled:E,onScrollbarYEnabledChange:D,onCornerWidthChange:x,onCornerHeightChange:C,getStyles:s},children:(0,q.jsx)(r,{...l,ref:O,__vars:{"--sa-corner-width":a===`xy`?`${b}px`:`0px`,"--sa-corner-height":a===`xy`?`${S}px`:`0px`}})})}ye.displayName=`@mantine/core/ScrollAreaRoot`;function be(e,t){let n=e/t;return Number.isNaN(n)?0:n}function xe(e){let t=be(e.viewport,e.content),n=e.scrollbar.paddingStart+e.scrollbar.paddingEnd,r=(e.scrollbar.size-n)*t;return Math.max(r,18)}function Se(e,t){return n=>{if(e[0]===e[1]||t[0]===t[1])return t[0];let r=(t[1]-t[0])/(e[1]-e[0]);return t[0]+r*(n-e[0])}}function Ce(e,[t,n]){return Math.min(n,Math.max(t,e))}function we(e,t,n=`ltr`){let r=xe(t),i=t.scrollbar.paddingStart+t.scrollbar.paddingEnd,a=t.scrollbar.size-i,o=t.content-t.viewport,s=a-r,c=Ce(e,n===`ltr`?[0,o]:[o*-1,0]);return Se([0,o],[0,s])(c)}function Te(e,t,n,r=`ltr`){let i=xe(n),a=i/2,o=t||a,s=i-o,c=n.scrollbar.paddingStart+o,l=n.scrollbar.size-n.scrollbar.paddingEnd-s,u=n.content-n.viewport,d=r===`ltr`?[0,u]:[u*-1,0];return Se([c,l],d)(e)}function Ee(e,t){return e>0&&e<t}function J(e){return e?parseInt(e,10):0}function Y(e,t,{checkForDefaultPrevented:n=!0}={}){return r=>{e?.(r),n!==!1&&r.defaultPrevented||t?.(r)}}var[De,Oe]=_(`ScrollAreaScrollbar was not found in tree`);function ke(e){let{sizes:t,hasThumb:n,onThumbChange:r,onThumbPointerUp:i,onThumbPointerDown:a,onThumbPositionChange:s,onDragScroll:c,onWheelScroll:l,onResize:u,ref:d,...f}=e,p=G(),[m,h]=(0,H.useState)(null),g=o(d,h),_=(0,H.useRef)(null),v=(0,H.useRef)(``),y=t.content-t.viewport,b=(0,H.useEffectEvent)(e=>l(e,y)),x=U(s),S=W(u,10),C=e=>{if(_.current){let t=e.clientX-_.current.left,n=e.clientY-_.current.top;c({x:t,y:n})}};return(0,H.useEffect)(()=>{if(!m)return;let e=e=>b(e);return m.addEventListener(`wheel`,e,{passive:!1}),()=>m.removeEventListener(`wheel`,e)},[m]),(0,H.useEffect)(x,[t,x]),K(m,S),K(p.content,S),(0,q.jsx)(De,{value:{scrollbar:m,hasThumb:n,onThumbChange:U(r),onThumbPointerUp:U(i),onThumbPositionChange:x,onThumbPointerDown:U(a)},children:(0,q.jsx)(`div`,{...f,ref:g,"data-mantine-scrollbar":!0,style:{position:`absolute`,...f.style},onPointerDown:Y(e.onPointerDown,e=>{e.preventDefault(),e.button===0&&(e.target.setPointerCapture(e.pointerId),_.current=m.getBoundingClientRect(),v.current=document.body.style.webkitUserSelect,document.body.style.webkitUserSelect=`none`,C(e))}),onPointerMove:Y(e.onPointerMove,C),onPointerUp:Y(e.onPointerUp,e=>{let t=e.target;t.hasPointerCapture(e.pointerId)&&(e.preventDefault(),t.releasePointerCapture(e.pointerId))}),onLostPointerCapture:()=>{document.body.style.webkitUserSelect=v.current,_.current=null}})})}var Ae=e=>{let{sizes:t,onSizesChange:n,style:r,ref:i,...a}=e,s=G(),[c,l]=(0,H.useState)(),u=(0,H.useRef)(null),d=o(i,u,s.onScrollbarXChange);return(0,H.useEffect)(()=>{u.current&&l(getComputedStyle(u.current))},[u]),(0,q.jsx)(ke,{"data-orientation":`horizontal`,...a,ref:d,sizes:t,style:{...r,"--sa-thumb-width":`${xe(t)}px`},onThumbPointerDown:t=>e.onThumbPointerDown(t.x),onDragScroll:t=>e.onDragScroll(t.x),onWheelScroll:(t,n)=>{if(s.viewport){let r=s.viewport.scrollLeft+t.deltaX;e.onWheelScroll(r),Ee(r,n)&&t.preventDefault()}},onResize:()=>{u.current&&s.viewport&&c&&n({content:s.viewport.scrollWidth,viewport:s.viewport.offsetWidth,scrollbar:{size:u.current.clientWidth,paddingStart:J(c.paddingLeft),paddingEnd:J(c.paddingRight)}})}})};Ae.displayName=`@mantine/core/ScrollAreaScrollbarX`;function je(e){let{sizes:t,onSizesChange:n,style:r,ref:i,...a}=e,s=G(),[c,l]=(0,H.useState)(),u=(0,H.useRef)(null),d=o(i,u,s.onScrollbarYChange);return(0,H.useEffect)(()=>{u.current&&l(window.getComputedStyle(u.current))},[]),(0,q.jsx)(ke,{...a,"data-orientation":`vertical`,ref:d,sizes:t,style:{"--sa-thumb-height":`${xe(t)}px`,...r},onThumbPointerDown:t=>e.onThumbPointerDown(t.y),onDragScroll:t=>e.onDragScroll(t.y),onWheelScroll:(t,n)=>{if(s.viewport){let r=s.viewport.scrollTop+t.deltaY;e.onWheelScroll(r),Ee(r,n)&&t.preventDefault()}},onResize:()=>{u.current&&s.viewport&&c&&n({content:s.viewport.scrollHeight,viewport:s.viewport.offsetHeight,scrollbar:{size:u.current.clientHeight,paddingStart:J(c.paddingTop),paddingEnd:J(c.paddingBottom)}})}})}je.displayName=`@mantine/core/ScrollAreaScrollbarY`;function Me(e){let{orientation:t=`vertical`,...n}=e,{dir:r}=h(),i=G(),a=(0,H.useRef)(null),o=(0,H.useRef)(0),[s,c]=(0,H.useState)({content:0,viewport:0,scrollbar:{size:0,paddingStart:0,paddingEnd:0}}),l=be(s.viewport,s.content),u={...n,sizes:s,onSizesChange:c,hasThumb:l>0&&l<1,onThumbChange:e=>{a.current=e},onThumbPointerUp:()=>{o.current=0},onThumbPointerDown:e=>{o.current=e}},d=(e,t)=>Te(e,o.current,s,t);return t===`horizontal`?(0,q.jsx)(Ae,{...u,onThumbPositionChange:()=>{if(i.viewport&&a.current){let e=we(i.viewport.scrollLeft,s,r);a.current.style.transform=`translate3d(${e}px, 0, 0)`}},onWheelScroll:e=>{i.viewport&&(i.viewport.scrollLeft=e)},onDragScroll:e=>{i.viewport&&(i.viewport.scrollLeft=d(e,r))}}):t===`vertical`?(0,q.jsx)(je,{...u,onThumbPositionChange:()=>{if(i.viewport&&a.current){let e=we(i.viewport.scrollTop,s);s.scrollbar.size===0?a.current.style.setProperty(`--thumb-opacity`,`0`):a.current.style.setProperty(`--thumb-opacity`,`1`),a.current.style.transform=`translate3d(0, ${e}px, 0)`}},onWheelScroll:e=>{i.viewport&&(i.viewport.scrollTop=e)},onDragScroll:e=>{i.viewport&&(i.viewport.scrollTop=d(e))}}):null}Me.displayName=`@mantine/core/ScrollAreaScrollbarVisible`;function Ne(e){let t=G(),{forceMount:n,...r}=e,[i,a]=(0,H.useState)(!1),o=e.orientation===`horizontal`,s=W(()=>{if(t.viewport){let e=t.viewport.offsetWidth<t.viewport.scrollWidth,n=t.viewport.offsetHeight<t.viewport.scrollHeight;a(o?e:n)}},10);return K(t.viewport,s),K(t.content,s),n||i?(0,q.jsx)(Me,{"data-state":i?`visible`:`hidden`,...r}):null}Ne.displayName=`@mantine/core/ScrollAreaScrollbarAuto`;function Pe(e){let{forceMount:t,...n}=e,r=G(),[i,a]=(0,H.useState)(!1);return(0,H.useEffect)(()=>{let{scrollArea:e}=r,t=0;if(e){let n=()=>{window.clearTimeout(t),a(!0)},i=()=>{t=window.setTimeout(()=>a(!1),r.scrollHideDelay)};return e.addEventListener(`pointerenter`,n),e.addEventListener(`pointerleave`,i),()=>{window.clearTimeout(t),e.removeEventListener(`pointerenter`,n),e.removeEventListener(`pointerleave`,i)}}},[r.scrollArea,r.scrollHideDelay]),t||i?(0,q.jsx)(Ne,{"data-state":i?`visible`:`hidden`,...n}):null}Pe.displayName=`@mantine/core/ScrollAreaScrollbarHover`;function Fe(e){let{forceMount:t,...n}=e,r=G(),i=e.orientation===`horizontal`,[a,o]=(0,H.useState)(`hidden`),s=W(()=>o(`idle`),100);return(0,H.useEffect)(()=>{if(a===`idle`){let e=window.setTimeout(()=>o(`hidden`),r.scrollHideDelay);return()=>window.clearTimeout(e)}},[a,r.scrollHideDelay]),(0,H.useEffect)(()=>{let{viewport:e}=r,t=i?`scrollLeft`:`scrollTop`;if(e){let n=e[t],r=()=>{let r=e[t];n!==r&&(o(`scrolling`),s()),n=r};return e.addEventListener(`scroll`,r),()=>e.removeEventListener(`scroll`,r)}},[r.viewport,i,s]),t||a!==`hidden`?(0,q.jsx)(Me,{"data-state":a===`hidden`?`hidden`:`visible`,...n,onPointerEnter:Y(e.onPointerEnter,()=>o(`interacting`)),onPointerLeave:Y(e.onPointerLeave,()=>o(`idle`))}):null}function Ie(e){let{forceMount:t,...n}=e,r=G(),{onScrollbarXEnabledChange:i,onScrollbarYEnabledChange:a}=r,o=e.orientation===`horizontal`;return(0,H.useEffect)(()=>(o?i(!0):a(!0),()=>{o?i(!1):a(!1)}),[o,i,a]),r.type===`hover`?(0,q.jsx)(Pe,{...n,forceMount:t}):r.type===`scroll`?(0,q.jsx)(Fe,{...n,forceMount:t}):r.type===`auto`?(0,q.jsx)(Ne,{...n,forceMount:t}):r.type===`always`?(0,q.jsx)(Me,{...n}):null}Ie.displayName=`@mantine/core/ScrollAreaScrollbar`;function Le(e,t=()=>{}){let n={left:e.scrollLeft,top:e.scrollTop},r=0;return(function i(){let a={left:e.scrollLeft,top:e.scrollTop},o=n.left!==a.left,s=n.top!==a.top;(o||s)&&t(),n=a,r=window.requestAnimationFrame(i)})(),()=>window.cancelAnimationFrame(r)}function Re(e){let{style:t,ref:n,...r}=e,i=G(),a=Oe(),{onThumbPositionChange:s}=a,c=o(n,a.onThumbChange),l=(0,H.useRef)(void 0),u=W(()=>{l.current&&=(l.current(),void 0)},100);return(0,H.useEffect)(()=>{let{viewport:e}=i;if(e){let t=()=>{if(u(),!l.current){let t=Le(e,s);l.current=t,s()}};return s(),e.addEventListener(`scroll`,t),()=>{e.removeEventListener(`scroll`,t),l.current?.(),l.current=void 0}}},[i.viewport,u,s]),(0,q.jsx)(`div`,{"data-state":a.hasThumb?`visible`:`hidden`,...r,ref:c,style:{width:`var(--sa-thumb-width)`,height:`var(--sa-thumb-height)`,...t},onPointerDownCapture:Y(e.onPointerDownCapture,e=>{let t=e.target.getBoundingClientRect(),n=e.clientX-t.left,r=e.clientY-t.top;a.onThumbPointerDown({x:n,y:r})}),onPointerUp:Y(e.onPointerUp,a.onThumbPointerUp)})}Re.displayName=`@mantine/core/ScrollAreaThumb`;function ze(e){let{forceMount:t,...n}=e,r=Oe();return t||r.hasThumb?(0,q.jsx)(Re,{...n}):null}ze.displayName=`@mantine/core/ScrollAreaThumb`;function Be({children:e,style:t,ref:n,onWheel:i,...a}){let s=G(),c=o(n,s.onViewportChange),l=e=>{if(i?.(e),s.scrollbarXEnabled&&s.viewport&&e.shiftKey){let{scrollTop:t,scrollHeight:n,clientHeight:r,scrollWidth:i,clientWidth:a}=s.viewport,o=t<1,c=t>=n-r-1;i>a&&(o||c)&&e.stopPropagation()}};return(0,q.jsx)(r,{...a,ref:c,onWheel:l,"data-scrollarea-viewport":!0,style:{overflowX:s.scrollbarXEnabled?`scroll`:`hidden`,overflowY:s.scrollbarYEnabled?`scroll`:`hidden`,...t},children:(0,q.jsx)(`div`,{...s.getStyles(`content`),ref:s.onContentChange,children:e})})}Be.displayName=`@mantine/core/ScrollAreaViewport`;var Ve={root:`m_d57069b5`,content:`m_b1336c6`,viewport:`m_c0783ff9`,viewportInner:`m_f8f631dd`,scrollbar:`m_c44ba933`,thumb:`m_d8b5e363`,corner:`m_21657268`};typeof document<`u`&&H.useLayoutEffect,{...H}.useInsertionEffect,B();function He(e){let t=H.useRef(void 0),n=H.useCallback(t=>{let n=e.map(e=>{if(e!=null){if(typeof e==`function`){let n=e,r=n(t);return typeof r==`function`?r:()=>{n(null)}}return e.current=t,()=>{e.current=null}}});return()=>{n.forEach(e=>e?.())}},e);return H.useMemo(()=>e.every(e=>e==null)?null:e=>{t.current&&=(t.current(),void 0),e!=null&&(t.current=n(e))},e)}var Ue=`ArrowLeft`,We=`ArrowRight`,Ge=`ArrowUp`,Ke=`ArrowDown`,qe=[Ue,We],Je=[Ge,Ke];[...qe,...Je],{...H}.useId;var Ye={scrollHideDelay:1e3,type:`hover`,scrollbars:`xy`},Xe=k((e,{scrollbarSize:t,overscrollBehavior:n,scrollbars:r})=>{let i=n;return n&&r&&(r===`x`?i=`${n} auto`:r===`y`&&(i=`auto ${n}`)),{root:{"--scrollarea-scrollbar-size":y(t),"--scrollarea-over-scroll-behavior":i,"--scrollarea-offset-size":void 0}}}),X=R(e=>{let t=i(`ScrollArea`,Ye,e),{classNames:n,className:r,style:o,styles:s,unstyled:c,scrollbarSize:u,vars:d,type:f,scrollHideDelay:p,viewportProps:m,viewportRef:h,onScrollPositionChange:g,children:_,offsetScrollbars:v,scrollbars:y,onBottomReached:b,onTopReached:x,onLeftReached:S,onRightReached:C,overscrollBehavior:w,startScrollPosition:T,verticalScrollbarPosition:E,attributes:D,...O}=t,[k,A]=(0,H.useState)(!1),[j,M]=(0,H.useState)(!1),[N,P]=(0,H.useState)(!1),ee=(0,H.useRef)(!0),te=(0,H.useRef)(!1),F=(0,H.useRef)(!0),ne=(0,H.useRef)(!1),I=a({name:`ScrollArea`,props:t,classes:Ve,className:r,style:o,classNames:n,styles:s,unstyled:c,attributes:D,vars:d,varsResolver:Xe}),L=(0,H.useRef)(null),[R,re]=(0,H.useState)(null),z=He([h,L,(0,H.useCallback)(e=>{re(t=>t===e?t:e)},[])]);return K(v===`present`?R:null,()=>{let e=L.current;e&&(M(e.scrollHeight>e.clientHeight),P(e.scrollWidth>e.clientWidth))}),l(()=>{T&&L.current&&L.current.scrollTo({left:T.x??0,top:T.y??0})},[]),(0,q.jsxs)(ye,{getStyles:I,type:f===`never`?`always`:f,scrollHideDelay:p,scrollbars:y,...I(`root`),...O,children:[(0,q.jsx)(Be,{...m,...I(`viewport`,{style:m?.style}),ref:z,"data-offset-scrollbars":v===!0?`xy`:v||void 0,"data-scrollbars":y||void 0,"data-vertical-scrollbar-position":E||void 0,"data-horizontal-hidden":v===`present`&&!N?`true`:void 0,"data-vertical-hidden":v===`present`&&!j?`true`:void 0,onScroll:e=>{m?.onScroll?.(e),g?.({x:e.currentTarget.scrollLeft,y:e.currentTarget.scrollTop});let{scrollTop:t,scrollHeight:n,clientHeight:r,scrollLeft:i,scrollWidth:a,clientWidth:o}=e.currentTarget,s=t-(n-r)>=-1,c=t===0;s&&!te.current&&b?.(),c&&!ee.current&&x?.(),te.current=s,ee.current=c;let l=i-(a-o)>=-1,u=i===0;l&&!ne.current&&C?.(),u&&!F.current&&S?.(),ne.current=l,F.current=u},children:_}),(y===`xy`||y===`x`)&&(0,q.jsx)(Ie,{...I(`scrollbar`),orientation:`horizontal`,"data-vertical-scrollbar-position":E||void 0,"data-hidden":f===`never`||v===`present`&&!N||void 0,forceMount:!0,onMouseEnter:()=>A(!0),onMouseLeave:()=>A(!1),children:(0,q.jsx)(ze,{...I(`thumb`)})}),(y===`xy`||y===`y`)&&(0,q.jsx)(Ie,{...I(`scrollbar`),orientation:`vertical`,"data-vertical-scrollbar-position":E||void 0,"data-hidden":f===`never`||v===`present`&&!j||void 0,forceMount:!0,onMouseEnter:()=>A(!0),onMouseLeave:()=>A(!1),children:(0,q.jsx)(ze,{...I(`thumb`)})}),(0,q.jsx)(_e,{...I(`corner`),"data-vertical-scrollbar-position":E||void 0,"data-hovered":k||void 0,"data-hidden":f===`never`||void 0})]})});X.displayName=`@mantine/core/ScrollArea`;var Ze=R(e=>{let{children:t,classNames:n,styles:a,scrollbarSize:o,scrollHideDelay:s,type:c,dir:l,offsetScrollbars:u,overscrollBehavior:d,viewportRef:f,onScrollPositionChange:p,unstyled:m,variant:h,viewportProps:g,scrollbars:_,style:v,vars:y,onBottomReached:b,onTopReached:x,startScrollPosition:S,verticalScrollbarPosition:C,onOverflowChange:w,...T}=i(`ScrollAreaAutosize`,Ye,e),E=(0,H.useRef)(null),[D,O]=(0,H.useState)(null),k=He([f,E,(0,H.useCallback)(e=>{O(t=>t===e?t:e)},[])]),A=(0,H.useRef)(!1),j=(0,H.useRef)(!1),M=(0,H.useEffectEvent)(()=>{let e=E.current;if(!e||!w)return;let t=e.scrollHeight>e.clientHeight;t!==A.current&&(j.current?w(t):(j.current=!0,t&&w(!0)),A.current=t)});return K(w?D:null,M),(0,q.jsx)(r,{...T,variant:h,style:[{display:`flex`,overflow:`hidden`},v],children:(0,q.jsx)(r,{style:{display:`flex`,flexDirection:`column`,flex:1,overflow:`hidden`,..._===`y`&&{minWidth:0},..._===`x`&&{minHeight:0},..._===`xy`&&{minWidth:0,minHeight:0},..._===!1&&{minWidth:0,minHeight:0}},children:(0,q.jsx)(X,{classNames:n,styles:a,scrollHideDelay:s,scrollbarSize:o,type:c,dir:l,offsetScrollbars:u,overscrollBehavior:d,viewportRef:k,onScrollPositionChange:p,unstyled:m,variant:h,viewportProps:g,vars:y,scrollbars:_,onBottomReached:b,onTopReached:x,startScrollPosition:S,verticalScrollbarPosition:C,"data-autosize":`true`,children:t})})})});X.classes=Ve,X.varsResolver=Xe,Ze.displayName=`@mantine/core/ScrollAreaAutosize`,Ze.classes=Ve,X.Autosize=Ze;function Qe(e,t){if(!t||!e)return!1;let n=t.parentNode;for(;n!=null;){if(n===e)return!0;n=n.parentNode}return!1}function $e({target:e,parent:t,ref:n,displayAfterTransitionEnd:r,onTransitionStart:i,onTransitionEnd:a}){let o=(0,H.useRef)(-1),s=(0,H.useRef)(e),[c,l]=(0,H.useState)(!1),[u,d]=(0,H.useState)(typeof r==`boolean`&&r),f=()=>{if(!e||!t||!n.current)return;let r=e.getBoundingClientRect(),i=t.getBoundingClientRect(),a=t.offsetWidth===0?1:i.width/t.offsetWidth,o=t.offsetHeight===0?1:i.height/t.offsetHeight,s=window.getComputedStyle(e),c=window.getComputedStyle(t),l=J(s.borderTopWidth)+J(c.borderTopWidth),u=J(s.borderLeftWidth)+J(c.borderLeftWidth),d={top:(r.top-i.top)/o-l,left:(r.left-i.left)/a-u,width:r.width/a,height:r.height/o};n.current.style.transform=`translateY(${d.top}px) translateX(${d.left}px)`,n.current.style.width=`${d.width}px`,n.current.style.height=`${d.height}px`},p=()=>{window.clearTimeout(o.current),n.current&&(n.current.style.transitionDuration=`0ms`),f(),o.current=window.setTimeout(()=>{n.current&&(n.current.style.transitionDuration=``)},30)},m=(0,H.useRef)(null),h=(0,H.useRef)(null),g=(0,H.useRef)(null);return(0,H.useEffect)(()=>{if(c&&s.current!==e&&i&&i(),s.current=e,f(),e)return m.current=new ResizeObserver(p),m.current.observe(e),t&&(h.current=new ResizeObserver(p),h.current.observe(t),g.current=new MutationObserver(()=>{t.contains(e)&&f()}),g.current.observe(t,{childList:!0,subtree:!0})),()=>{m.current?.disconnect(),h.current?.disconnect(),g.current?.disconnect()}},[t,e]),(0,H.useEffect)(()=>{if(t){let e=e=>{Qe(e.target,t)&&(p(),d(!1))};return t.addEventListener(`transitionend`,e),()=>{t.removeEventListener(`transitionend`,e)}}},[t]),(0,H.useEffect)(()=>{if(n.current&&a){let e=e=>{e.propertyName===`transform`&&a()};return n.current.addEventListener(`transitionend`,e),()=>{n.current?.removeEventListener(`transitionend`,e)}}},[a]),ue(()=>{pe()!==`test`&&l(!0)},20,{autoInvoke:!0}),de(e=>{e.forEach(e=>{e.type===`attributes`&&e.attributeName===`dir`&&p()})},{attributes:!0,attributeFilter:[`dir`]},()=>document.documentElement),{initialized:c,hidden:u}}var et={root:`m_96b553a6`},tt=k((e,{transitionDuration:t},{shouldReduceMotion:n})=>({root:{"--transition-duration":e.respectReducedMotion&&n?`0ms`:typeof t==`number`?`${t}ms`:t||`150ms`}})),nt=R(e=>{let t=i(`FloatingIndicator`,null,e),{classNames:n,className:s,style:c,styles:l,unstyled:d,vars:f,target:p,parent:m,transitionDuration:h,mod:g,displayAfterTransitionEnd:_,onTransitionStart:v,onTransitionEnd:y,attributes:b,ref:x,...S}=t,C=u(),w=a({name:`FloatingIndicator`,classes:et,props:t,className:s,style:c,classNames:n,styles:l,unstyled:d,attributes:b,vars:f,varsResolver:tt,stylesCtx:{shouldReduceMotion:C}}),T=(0,H.useRef)(null),{initialized:E,hidden:D}=$e({target:p,parent:m,ref:T,displayAfterTransitionEnd:_,onTransitionStart:v,onTransitionEnd:y}),O=o(x,T);return!p||!m?null:(0,q.jsx)(r,{ref:O,mod:[{initialized:E,hidden:D},g],...w(`root`),...S})});nt.displayName=`@mantine/core/FloatingIndicator`,nt.classes=et,nt.varsResolver=tt;var rt=g(e=>{let{onChange:t,children:n,multiple:r,accept:a,name:s,form:c,resetRef:l,disabled:u,capture:d,inputProps:f,ref:m,...h}=i(`FileButton`,null,e),g=(0,H.useRef)(null),_=()=>{!u&&g.current?.click()};return p(l,()=>{g.current&&(g.current.value=``)}),(0,q.jsxs)(q.Fragment,{children:[(0,q.jsx)(`input`,{style:{display:`none`},type:`file`,accept:a,multiple:r,onChange:e=>{if(e.currentTarget.files===null)return t(r?[]:null);t(r?Array.from(e.currentTarget.files):e.currentTarget.files[0]||null)},ref:o(m,g),name:s,form:c,capture:d,...f}),n({onClick:_,...h})]})});rt.displayName=`@mantine/core/FileButton`;var[it,at]=_(`List component was not found in tree`),ot={root:`m_abbac491`,item:`m_abb6bec2`,itemWrapper:`m_75cd9f71`,itemIcon:`m_60f83e5b`},st=R(e=>{let{classNames:t,className:n,style:a,styles:o,vars:s,icon:c,children:l,mod:u,...d}=i(`ListItem`,null,e),f=at(),p=c||f.icon,m={classNames:t,styles:o};return(0,q.jsx)(r,{...f.getStyles(`item`,{...m,className:n,style:a}),component:`li`,mod:[{"with-icon":!!p,centered:f.center},u],...d,children:(0,q.jsxs)(`div`,{...f.getStyles(`itemWrapper`,m),children:[p&&(0,q.jsx)(`span`,{...f.getStyles(`itemIcon`,m),children:p}),(0,q.jsx)(`span`,{...f.getStyles(`itemLabel`,m),children:l})]})})});st.classes=ot,st.displayName=`@mantine/core/ListItem`;var ct={type:`unordered`},lt=k((e,{size:t,spacing:n})=>({root:{"--list-fz":m(t),"--list-lh":ie(t),"--list-spacing":s(n)}})),Z=R(e=>{let t=i(`List`,ct,e),{classNames:n,className:o,style:s,styles:c,unstyled:l,vars:u,children:d,type:f,withPadding:p,icon:m,spacing:h,center:g,listStyleType:_,mod:v,attributes:y,...b}=t,x=a({name:`List`,classes:ot,props:t,className:o,style:s,classNames:n,styles:c,unstyled:l,attributes:y,vars:u,varsResolver:lt});return(0,q.jsx)(it,{value:{center:g,icon:m,getStyles:x},children:(0,q.jsx)(r,{...x(`root`,{style:{listStyleType:_}}),component:f===`unordered`?`ul`:`ol`,mod:[{"with-padding":p,type:m?`none`:_},v],...b,children:d})})});Z.classes=ot,Z.varsResolver=lt,Z.displayName=`@mantine/core/List`,Z.Item=st;var ut={root:`m_cf365364`,indicator:`m_9e182ccd`,label:`m_1738fcb2`,input:`m_1714d588`,control:`m_69686b9b`,innerLabel:`m_78882f40`},dt={withItemsBorders:!0},ft=k((e,{radius:r,color:i,transitionDuration:a,size:o,transitionTimingFunction:s})=>({root:{"--sc-radius":r===void 0?void 0:n(r),"--sc-color":i?t(i,e):void 0,"--sc-shadow":i?void 0:`var(--mantine-shadow-xs)`,"--sc-transition-duration":a===void 0?void 0:`${a}ms`,"--sc-transition-timing-function":s,"--sc-padding":v(o,`sc-padding`),"--sc-font-size":m(o)}})),pt=g(e=>{let t=i(`SegmentedControl`,dt,e),{classNames:n,className:s,style:l,styles:u,unstyled:p,vars:m,data:h,value:g,defaultValue:_,onChange:v,size:y,name:b,disabled:x,readOnly:S,fullWidth:C,orientation:w,radius:T,color:E,transitionDuration:D,transitionTimingFunction:O,variant:k,autoContrast:j,withItemsBorders:M,mod:N,attributes:P,ref:ee,...te}=t,F=a({name:`SegmentedControl`,props:t,classes:ut,className:s,style:l,classNames:n,styles:u,unstyled:p,attributes:P,vars:m,varsResolver:ft}),ne=f(),I=h.map(e=>me(e)?{label:`${e}`,value:e}:e),L=fe(),[R,re]=(0,H.useState)(0),[z,ie]=(0,H.useState)(null),[B,ae]=(0,H.useState)({}),oe=(e,t)=>{e!==null&&B[t]!==e&&(B[t]=e,ae({...B}))},[V,U]=d({value:g,defaultValue:_,finalValue:Array.isArray(h)?I.find(e=>!e.disabled)?.value??h[0]?.value??null:null,onChange:v}),W=c(b),se=I.map(e=>`${e.value}`),ce=I.map(e=>(0,H.createElement)(r,{...F(`control`),mod:{active:V===e.value,orientation:w},key:`${e.value}`},(0,H.createElement)(`input`,{...F(`input`),disabled:x||e.disabled,type:`radio`,name:W,value:`${e.value}`,id:`${W}-${e.value}`,checked:V===e.value,onChange:()=>!S&&U(e.value),"data-focus-ring":ne.focusRing,key:`${e.value}-input`}),(0,H.createElement)(r,{component:`label`,...F(`label`),mod:{active:V===e.value&&!(x||e.disabled),disabled:x||e.disabled,"read-only":S},htmlFor:`${W}-${e.value}`,ref:t=>oe(t,`${e.value}`),__vars:{"--sc-label-color":E===void 0?void 0:A({color:E,theme:ne,autoContrast:j})},key:`${e.value}-label`},(0,q.jsx)(`span`,{...F(`innerLabel`),children:e.label})))),ue=o(ee,ie);return le(()=>{re(e=>e+1)},[h.length]),le(()=>{ae(e=>{let t={};return se.forEach(n=>{n in e&&(t[n]=e[n])}),Object.keys(t).length===Object.keys(e).length?e:t})},[se]),h.length===0?null:(0,q.jsxs)(r,{...F(`root`),variant:k,size:y,ref:ue,mod:[{"full-width":C,orientation:w,initialized:L,"with-items-borders":M},N],...te,role:`radiogroup`,"data-disabled":x,children:[V!==void 0&&(0,q.jsx)(nt,{target:B[`${V}`],parent:z,component:`span`,transitionDuration:`var(--sc-transition-duration)`,...F(`indicator`)},R),ce]})});pt.classes=ut,pt.varsResolver=ft,pt.displayName=`@mantine/core/SegmentedControl`;var[mt,ht]=_(`Table component was not found in the tree`),gt={table:`m_b23fa0ef`,th:`m_4e7aa4f3`,tr:`m_4e7aa4fd`,td:`m_4e7aa4ef`,tbody:`m_b2404537`,thead:`m_b242d975`,caption:`m_9e5a3ac7`,scrollContainer:`m_a100c15`,scrollContainerInner:`m_62259741`};function _t(e,t){if(!t)return;let n={};return t.columnBorder&&e.withColumnBorders&&(n[`data-with-column-border`]=!0),t.rowBorder&&e.withRowBorders&&(n[`data-with-row-border`]=!0),t.striped&&e.striped&&(n[`data-striped`]=e.striped),t.highlightOnHover&&e.highlightOnHover&&(n[`data-hover`]=!0),t.captionSide&&e.captionSide&&(n[`data-side`]=e.captionSide),t.stickyHeader&&e.stickyHeader&&(n[`data-sticky`]=!0),n}function Q(e,t){let n=`Table${e.charAt(0).toUpperCase()}${e.slice(1)}`,a=R(a=>{let o=i(n,{},a),{classNames:s,className:c,style:l,styles:u,...d}=o,f=ht();return(0,q.jsx)(r,{component:e,..._t(f,t),...f.getStyles(e,{className:c,classNames:s,style:l,styles:u,props:o}),...d})});return a.displayName=`@mantine/core/${n}`,a.classes=gt,a}var vt=Q(`th`,{columnBorder:!0}),yt=Q(`td`,{columnBorder:!0}),bt=Q(`tr`,{rowBorder:!0,striped:!0,highlightOnHover:!0}),xt=Q(`thead`,{stickyHeader:!0}),St=Q(`tbody`),Ct=Q(`tfoot`),wt=Q(`caption`,{captionSide:!0}),Tt={type:`scrollarea`},Et=k((e,{minWidth:t,maxHeight:n,type:r})=>({scrollContainer:{"--table-min-width":y(t),"--table-max-height":y(n),"--table-overflow":r===`native`?`auto`:void 0}})),Dt=R(e=>{let t=i(`TableScrollContainer`,Tt,e),{classNames:n,className:o,style:s,styles:c,unstyled:l,vars:u,children:d,minWidth:f,maxHeight:p,type:m,scrollAreaProps:h,attributes:g,..._}=t,v=a({name:`TableScrollContainer`,classes:gt,props:t,className:o,style:s,classNames:n,styles:c,unstyled:l,attributes:g,vars:u,varsResolver:Et,rootSelector:`scrollContainer`});return(0,q.jsx)(r,{component:m===`scrollarea`?X:`div`,...m===`scrollarea`?p?{offsetScrollbars:`xy`,...h}:{offsetScrollbars:`x`,...h}:{},...v(`scrollContainer`),..._,children:(0,q.jsx)(`div`,{...v(`scrollContainerInner`),children:d})})});Dt.classes=gt,Dt.varsResolver=Et,Dt.displayName=`@mantine/core/TableScrollContainer`;function Ot({data:e}){return(0,q.jsxs)(q.Fragment,{children:[e.caption&&(0,q.jsx)(wt,{children:e.caption}),e.head&&(0,q.jsx)(xt,{children:(0,q.jsx)(bt,{children:e.head.map((e,t)=>(0,q.jsx)(vt,{children:e},t))})}),e.body&&(0,q.jsx)(St,{children:e.body.map((e,t)=>(0,q.jsx)(bt,{children:e.map((e,t)=>(0,q.jsx)(yt,{children:e},t))},t))}),e.foot&&(0,q.jsx)(Ct,{children:(0,q.jsx)(bt,{children:e.foot.map((e,t)=>(0,q.jsx)(vt,{children:e},t))})})]})}Ot.displayName=`@mantine/core/TableDataRenderer`;var kt={withRowBorders:!0,verticalSpacing:7},At=k((e,{layout:n,captionSide:r,horizontalSpacing:i,verticalSpacing:a,borderColor:o,stripedColor:c,highlightOnHoverColor:l,striped:u,highlightOnHover:d,stickyHeaderOffset:f,stickyHeader:p})=>({table:{"--table-layout":n,"--table-caption-side":r,"--table-horizontal-spacing":s(i),"--table-vertical-spacing":s(a),"--table-border-color":o?t(o,e):void 0,"--table-striped-color":u&&c?t(c,e):void 0,"--table-highlight-on-hover-color":d&&l?t(l,e):void 0,"--table-sticky-header-offset":p?y(f):void 0}})),$=R(e=>{let t=i(`Table`,kt,e),{classNames:n,className:o,style:s,styles:c,unstyled:l,vars:u,horizontalSpacing:d,verticalSpacing:f,captionSide:p,stripedColor:m,highlightOnHoverColor:h,striped:g,highlightOnHover:_,withColumnBorders:v,withRowBorders:y,withTableBorder:b,borderColor:x,layout:S,data:C,children:w,stickyHeader:T,stickyHeaderOffset:E,mod:D,tabularNums:O,attributes:k,...A}=t,j=a({name:`Table`,props:t,className:o,style:s,classes:gt,classNames:n,styles:c,unstyled:l,attributes:k,rootSelector:`table`,vars:u,varsResolver:At,stable:!0}),M=g===!0?`odd`:g||void 0,N=p||`bottom`,P=(0,H.useMemo)(()=>({getStyles:j,stickyHeader:T,striped:M,highlightOnHover:_,withColumnBorders:v,withRowBorders:y,captionSide:N}),[j,T,M,_,v,y,N]);return(0,q.jsx)(mt,{value:P,children:(0,q.jsx)(r,{component:`table`,mod:[{withTableBorder:b,tabularNums:O},D],...j(`table`),...A,children:w||!!C&&(0,q.jsx)(Ot,{data:C})})})});$.classes=gt,$.varsResolver=At,$.displayName=`@mantine/core/Table`,$.Td=yt,$.Th=vt,$.Tr=bt,$.Thead=xt,$.Tbody=St,$.Tfoot=Ct,$.Caption=wt,$.ScrollContainer=Dt,$.DataRenderer=Ot;var jt=`-`;function Mt(e){return{after:e.get(`after`),trail:e.getAll(`trail`)}}function Nt(e,t){let n=new URLSearchParams(e);n.delete(`after`),n.delete(`trail`),t.after&&n.set(`after`,t.after);for(let e of t.trail)n.append(`trail`,e);return n}function Pt(e,t){return{after:t,trail:[...e.trail,e.after??jt]}}function Ft(e){let t=e.trail.slice(0,-1),n=e.trail[e.trail.length-1];return{after:n===void 0||n===jt?null:n,trail:t}}function It(e){return e.trail.length+1}function Lt(e){let t=It(e.page);return(0,q.jsxs)(re,{component:`nav`,"aria-label":e.label,justify:`space-between`,gap:`xs`,children:[(0,q.jsx)(E,{variant:`default`,disabled:t===1,onClick:()=>e.onChange(Ft(e.page)),children:j(`paging.previous`)}),(0,q.jsx)(z,{size:`sm`,"aria-live":`polite`,children:j(`paging.page`,{number:t})}),(0,q.jsx)(E,{variant:`default`,disabled:!e.hasNextPage||!e.endCursor,onClick:()=>{e.endCursor&&e.onChange(Pt(e.page,e.endCursor))},children:j(`paging.next`)})]})}function Rt(){return typeof navigator>`u`?`en-US`:navigator.language||`en-US`}function zt(e){try{return new Intl.NumberFormat(`en`,{style:`currency`,currency:e}).resolvedOptions().maximumFractionDigits??2}catch{return 2}}function Bt(e,t){let n=e.startsWith(`-`),r=(n?e.slice(1):e).replace(/^0+(?=\d)/,``);if(t===0)return`${n?`-`:``}${r}`;let i=r.padStart(t+1,`0`),a=i.slice(0,i.length-t),o=i.slice(i.length-t);return`${n?`-`:``}${a}.${o}`}function Vt(e,t=Rt()){if(!e)return`—`;let n=zt(e.currency),r=Bt(e.amountMinor,n);return new Intl.NumberFormat(t,{style:`currency`,currency:e.currency}).format(r)}function Ht(e,t=Rt()){if(e==null)return`—`;let n=typeof e==`string`?BigInt(e):e;return new Intl.NumberFormat(t).format(n)}function Ut(e,t=Rt(),n=2){return e==null||!Number.isFinite(e)?`—`:new Intl.NumberFormat(t,{maximumFractionDigits:n}).format(e)}function Wt(e,t=Rt()){return e==null||!Number.isFinite(e)?`—`:new Intl.NumberFormat(t,{style:`percent`,maximumFractionDigits:1}).format(e)}function Gt(e,t=Rt(),n){if(!e)return`—`;let r=new Date(e);return Number.isNaN(r.getTime())?e:new Intl.DateTimeFormat(t,{dateStyle:`medium`,timeStyle:`short`,...n?{timeZone:n}:{}}).format(r)}function Kt(e,t){if(!e||!t||e.currency!==t.currency)return null;let n=BigInt(t.amountMinor);return n<=0n?null:Number(BigInt(e.amountMinor)*10000n/n)/1e4}F(`
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      ...CampaignFields
    }
  }
`),F(`
  mutation UpdateCampaign($id: UUID!, $input: UpdateCampaignInput!) {
    updateCampaign(id: $id, input: $input) {
      ...CampaignFields
    }
  }
`),F(`
  mutation AddRewardRule($campaignId: UUID!, $input: RewardRuleInput!) {
    addRewardRule(campaignId: $campaignId, input: $input) {
      id
    }
  }
`),F(`
  mutation RemoveRewardRule($id: UUID!) {
    removeRewardRule(id: $id) {
      ...CampaignFields
    }
  }
`),F(`
  mutation SetMaterial($campaignId: UUID!, $input: MaterialInput!) {
    setCampaignMaterial(campaignId: $campaignId, input: $input) {
      id
      channel
    }
  }
`),F(`
  mutation SetVariants($campaignId: UUID!, $variants: [VariantInput!]!) {
    setCampaignVariants(campaignId: $campaignId, variants: $variants) {
      id
      name
      weight
    }
  }
`),F(`
  mutation LaunchCampaign($id: UUID!) {
    launchCampaign(id: $id) {
      id
      status
      launchedAt
    }
  }
`),F(`
  mutation PauseCampaign($id: UUID!) {
    pauseCampaign(id: $id) {
      id
      status
    }
  }
`),F(`
  mutation ResumeCampaign($id: UUID!) {
    resumeCampaign(id: $id) {
      id
      status
    }
  }
`),F(`
  mutation EndCampaign($id: UUID!) {
    endCampaign(id: $id) {
      id
      status
      endedAt
    }
  }
`);var qt=F(`
  mutation ImportCampaign($document: JSON!, $name: String) {
    importCampaign(document: $document, name: $name) {
      id
      name
    }
  }
`),Jt={list(e={}){let t=new URLSearchParams;e.status&&t.set(`status`,e.status),e.page&&(t=Nt(t,e.page));let n=t.toString();return n?`/campaigns?${n}`:`/campaigns`},create(){return`/campaigns/new`},detail(e){return`/campaigns/${encodeURIComponent(e)}`},edit(e,t=`settings`){let n=`/campaigns/${encodeURIComponent(e)}/edit`;return t===`settings`?n:`${n}?tab=${t}`}};function Yt(e){return[`DRAFT`,`ACTIVE`,`PAUSED`,`ENDED`].find(t=>t===e)??null}function Xt(){let e=ee(),t=C(qt),[n,r]=(0,H.useState)([]),[i,a]=(0,H.useState)(!1),o=async n=>{if(!n)return;r([]),a(!1);let i;try{i=JSON.parse(await n.text())}catch{a(!0);return}let o=await t.run({document:i});o.data?e(Jt.detail(o.data.importCampaign.id)):r(o.unplaced)};return(0,q.jsxs)(D,{gap:`xs`,children:[(0,q.jsx)(rt,{accept:`application/json,.json`,onChange:e=>void o(e),children:e=>(0,q.jsx)(E,{variant:`default`,loading:t.fetching,...e,children:j(`campaigns.importDesign`)})}),i?(0,q.jsx)(S,{color:`red`,role:`alert`,children:j(`campaigns.importNotJson`)}):null,n.length>0?(0,q.jsx)(S,{color:`red`,role:`alert`,title:j(`campaigns.importRefused`),children:(0,q.jsx)(Z,{size:`sm`,children:n.map(e=>(0,q.jsxs)(Z.Item,{children:[e.field,`: `,e.message]},`${e.field}:${e.message}`))})}):null]})}function Zt(e){return(0,q.jsx)(b,{color:ne[e.status],variant:`filled`,autoContrast:!0,children:N(e.status)})}var Qt=F(`
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
`),$t=F(`
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
`);F(`
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
`),F(`
  query Campaign($id: UUID!) {
    campaign(id: $id) {
      ...CampaignFields
    }
  }
`),F(`
  query ExportCampaign($id: UUID!) {
    exportCampaign(id: $id)
  }
`);var en=10,tn=[`ALL`,`DRAFT`,`ACTIVE`,`PAUSED`,`ENDED`];function nn(){let[e]=M(),t=ee(),n=Mt(e),r=Yt(e.get(`status`)),i=I(`campaigns.edit`),a=I(`reports.read`),[o,s]=w({query:Qt,variables:{first:en,after:n.after,filter:r?{status:r}:null}}),c=o.data?.campaigns.nodes,[l]=(0,H.useState)(()=>Date.now()),u=(0,H.useMemo)(()=>(c??[]).filter(e=>new Date(e.startsAt).getTime()<=l).map(e=>e.id),[c,l]),[d]=w({query:$t,variables:{ids:u},pause:!a||u.length===0}),f=new Map((d.data?.compareCampaigns??[]).map(e=>[e.campaignId,e])),p=a&&u.length>0&&!d.data&&!d.error,m=!!o.data&&!p;return(0,q.jsxs)(x,{title:j(`campaigns.title`),ready:m,actions:i?(0,q.jsxs)(q.Fragment,{children:[(0,q.jsx)(E,{component:T,to:Jt.create(),children:j(`campaigns.new`)}),(0,q.jsx)(Xt,{})]}):null,children:[(0,q.jsx)(pt,{"aria-label":j(`campaigns.filter`),value:r??`ALL`,data:tn.map(e=>({value:e,label:e===`ALL`?j(`campaigns.all`):N(e)})),onChange:e=>void t(Jt.list({status:Yt(e)})),style:{alignSelf:`flex-start`,maxWidth:`100%`,overflowX:`auto`}}),o.error?(0,q.jsx)(P,{error:o.error,retry:()=>s({requestPolicy:`network-only`})}):null,d.error?(0,q.jsx)(P,{error:d.error}):null,!o.data&&!o.error?(0,q.jsx)(O,{}):null,c&&c.length===0?(0,q.jsx)(te,{children:j(`campaigns.empty`)}):null,c&&c.length>0?(0,q.jsx)($.ScrollContainer,{minWidth:860,children:(0,q.jsxs)($,{striped:!0,highlightOnHover:!0,children:[(0,q.jsx)($.Thead,{children:(0,q.jsxs)($.Tr,{children:[(0,q.jsx)($.Th,{children:j(`campaigns.col.name`)}),(0,q.jsx)($.Th,{children:j(`campaigns.col.status`)}),(0,q.jsx)($.Th,{children:j(`campaigns.col.starts`)}),a?(0,q.jsxs)(q.Fragment,{children:[(0,q.jsx)($.Th,{ta:`right`,children:j(`metric.clicks`)}),(0,q.jsx)($.Th,{ta:`right`,children:j(`metric.customers`)}),(0,q.jsx)($.Th,{ta:`right`,children:j(`metric.revenue`)}),(0,q.jsx)($.Th,{ta:`right`,children:j(`metric.rewardCost`)}),(0,q.jsx)($.Th,{ta:`right`,children:j(`metric.roi`)}),(0,q.jsx)($.Th,{ta:`right`,children:j(`metric.budgetUsed`)})]}):null]})}),(0,q.jsx)($.Tbody,{children:c.map(e=>{let t=f.get(e.id),n=Kt(t?.rewardCost,e.budget);return(0,q.jsxs)($.Tr,{children:[(0,q.jsx)($.Td,{children:(0,q.jsx)(L,{component:T,to:Jt.detail(e.id),children:e.name})}),(0,q.jsx)($.Td,{children:(0,q.jsx)(Zt,{status:e.status})}),(0,q.jsx)($.Td,{children:(0,q.jsx)(z,{size:`sm`,children:Gt(e.startsAt)})}),a?(0,q.jsxs)(q.Fragment,{children:[(0,q.jsx)($.Td,{ta:`right`,children:t?Ht(t.funnel.clicks):`—`}),(0,q.jsx)($.Td,{ta:`right`,children:t?Ht(t.funnel.customers):`—`}),(0,q.jsx)($.Td,{ta:`right`,children:t?Vt(t.revenue):`—`}),(0,q.jsx)($.Td,{ta:`right`,children:t?Vt(t.rewardCost):`—`}),(0,q.jsx)($.Td,{ta:`right`,children:t?Ut(t.roi):`—`}),(0,q.jsx)($.Td,{ta:`right`,children:n===null?`—`:Wt(n)})]}):null]},e.id)})})]})}):null,o.data?(0,q.jsx)(Lt,{label:j(`campaigns.paging`),page:n,hasNextPage:o.data.campaigns.pageInfo.hasNextPage,endCursor:o.data.campaigns.pageInfo.endCursor,onChange:e=>void t(Jt.list({status:r,page:e}))}):null,a?null:(0,q.jsx)(re,{children:(0,q.jsx)(z,{size:`sm`,c:`dimmed`,children:j(`campaigns.noNumbers`)})})]})}export{nn as default};