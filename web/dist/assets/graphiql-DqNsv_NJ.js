const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["assets/dist-CFLpQDq_.js","assets/rolldown-runtime-BLXQ4ufn.js","assets/graphql-BCME3LoB.js","assets/mouseTarget-xtl5QDWN.js","assets/monaco-editor-Df_OhVu3.js","assets/preload-helper-EqXGIwet.js","assets/monaco-editor-B9WiNxkw.css","assets/lite-yoH23VSw.js","assets/babel-D-TrB9ka.js"])))=>i.map(i=>d[i]);
import{n as e,r as t,t as n}from"./rolldown-runtime-BLXQ4ufn.js";import{a as r,i,n as a,o,r as s,t as c}from"./preload-helper-EqXGIwet.js";import{a as l,c as u,d,f,g as p,h as m,l as h,m as g,n as _,o as v,p as y,r as b,s as x,t as S,u as C}from"./floating-ui.react-dom-BXsEC3q3.js";function w(e,t){if(!e)throw Error(t)}function T(e){return typeof e==`object`&&!!e}function E(e,t){let n=/\r\n|[\n\r]/g,r=1,i=t+1,a;for(;(a=n.exec(e.body))&&a.index<t;)r++,i=t+1-(a.index+a[0].length);return{line:r,column:i}}function D(e){if(e.length<2)return e.map(({source:e,start:t})=>E(e,t));let t=new Map;e.forEach(({source:e,start:n},r)=>{let i=t.get(e);i===void 0&&(i=[],t.set(e,i)),i.push({position:n,index:r})});let n=Array(e.length);for(let[e,r]of t){let t=/\r\n|[\n\r]/g,i=t.exec(e.body),a=1,o=0;r.sort((e,t)=>e.position-t.position);for(let{position:s,index:c}of r){for(;i!==null&&i.index<s;)o=i.index+i[0].length,a++,i=t.exec(e.body);n[c]={line:a,column:s+1-o}}}return n}function O(e){return k(e.source,E(e.source,e.start))}function k(e,t){let n=e.locationOffset.column-1,r=``.padStart(n)+e.body,i=t.line-1,a=e.locationOffset.line-1,o=t.line+a,s=t.line===1?n:0,c=t.column+s,l=`${e.name}:${o}:${c}\n`,u=r.split(/\r\n|[\n\r]/g),d=u[i];if(d.length>120){let e=Math.floor(c/80),t=c%80,n=[];for(let e=0;e<d.length;e+=80)n.push(d.slice(e,e+80));return l+A([[`${o} |`,n[0]],...n.slice(1,e+1).map(e=>[`|`,e]),[`|`,`^`.padStart(t)],[`|`,n[e+1]]])}return l+A([[`${o-1} |`,u[i-1]],[`${o} |`,d],[`|`,`^`.padStart(c)],[`${o+1} |`,u[i+1]]])}function A(e){let t=e.filter(([e,t])=>t!==void 0),n=Math.max(...t.map(([e])=>e.length));return t.map(([e,t])=>e.padStart(n)+(t?` `+t:``)).join(`
`)}function j(e){let t=e[0];return t==null||`kind`in t||`length`in t?{nodes:t,source:e[1],positions:e[2],path:e[3],originalError:e[4],extensions:e[5]}:t}var M=class e extends Error{constructor(t,...n){let{nodes:r,source:i,positions:a,path:o,originalError:s,extensions:c}=j(n);super(t),this.name=`GraphQLError`,this.path=o??void 0,this.originalError=s??void 0,this.nodes=N(Array.isArray(r)?r:r?[r]:void 0);let l=N(this.nodes?.map(e=>e.loc).filter(e=>e!=null));this.source=i??l?.[0]?.source,this.positions=a??l?.map(e=>e.start),this.locations=a&&i?D(a.map(e=>({source:i,start:e}))):l&&D(l);let u=T(s?.extensions)?s?.extensions:void 0;this.extensions=c??u??Object.create(null),Object.defineProperties(this,{message:{writable:!0,enumerable:!0},name:{enumerable:!1},nodes:{enumerable:!1},source:{enumerable:!1},positions:{enumerable:!1},originalError:{enumerable:!1}}),s!=null&&s.stack?Object.defineProperty(this,"stack",{value:s.stack,writable:!0,configurable:!0}):Error.captureStackTrace?Error.captureStackTrace(this,e):Object.defineProperty(this,"stack",{value:Error().stack,writable:!0,configurable:!0})}get[Symbol.toStringTag](){return`GraphQLError`}toString(){let e=this.message;if(this.nodes)for(let t of this.nodes)t.loc&&(e+=`

`+O(t.loc));else if(this.source&&this.locations)for(let t of this.locations)e+=`

`+k(this.source,t);return e}toJSON(){let e={message:this.message};return this.locations!=null&&(e.locations=this.locations),this.path!=null&&(e.path=this.path),this.extensions!=null&&Object.keys(this.extensions).length>0&&(e.extensions=this.extensions),e}};function N(e){return e===void 0||e.length===0?void 0:e}function P(e,t,n){return new M(`Syntax Error: ${n}`,{source:e,positions:[t]})}var ee=class{constructor(e,t,n){this.start=e.start,this.end=t.end,this.startToken=e,this.endToken=t,this.source=n}get[Symbol.toStringTag](){return`Location`}toJSON(){return{start:this.start,end:this.end}}},te=class{constructor(e,t,n,r,i,a){this.kind=e,this.start=t,this.end=n,this.line=r,this.column=i,this.value=a,this.prev=null,this.next=null}get[Symbol.toStringTag](){return`Token`}toJSON(){return{kind:this.kind,value:this.value,line:this.line,column:this.column}}},ne={Name:[],Document:[`definitions`],OperationDefinition:[`description`,`name`,`variableDefinitions`,`directives`,`selectionSet`],VariableDefinition:[`description`,`variable`,`type`,`defaultValue`,`directives`],Variable:[`name`],SelectionSet:[`selections`],Field:[`alias`,`name`,`arguments`,`directives`,`selectionSet`],Argument:[`name`,`value`],FragmentSpread:[`name`,`directives`],InlineFragment:[`typeCondition`,`directives`,`selectionSet`],FragmentDefinition:[`description`,`name`,`variableDefinitions`,`typeCondition`,`directives`,`selectionSet`],IntValue:[],FloatValue:[],StringValue:[],BooleanValue:[],NullValue:[],EnumValue:[],ListValue:[`values`],ObjectValue:[`fields`],ObjectField:[`name`,`value`],Directive:[`name`,`arguments`],NamedType:[`name`],ListType:[`type`],NonNullType:[`type`],SchemaDefinition:[`description`,`directives`,`operationTypes`],OperationTypeDefinition:[`type`],ScalarTypeDefinition:[`description`,`name`,`directives`],ObjectTypeDefinition:[`description`,`name`,`interfaces`,`directives`,`fields`],FieldDefinition:[`description`,`name`,`arguments`,`type`,`directives`],InputValueDefinition:[`description`,`name`,`type`,`defaultValue`,`directives`],InterfaceTypeDefinition:[`description`,`name`,`interfaces`,`directives`,`fields`],UnionTypeDefinition:[`description`,`name`,`directives`,`types`],EnumTypeDefinition:[`description`,`name`,`directives`,`values`],EnumValueDefinition:[`description`,`name`,`directives`],InputObjectTypeDefinition:[`description`,`name`,`directives`,`fields`],DirectiveDefinition:[`description`,`name`,`arguments`,`directives`,`locations`],SchemaExtension:[`directives`,`operationTypes`],DirectiveExtension:[`name`,`directives`],ScalarTypeExtension:[`name`,`directives`],ObjectTypeExtension:[`name`,`interfaces`,`directives`,`fields`],InterfaceTypeExtension:[`name`,`interfaces`,`directives`,`fields`],UnionTypeExtension:[`name`,`directives`,`types`],EnumTypeExtension:[`name`,`directives`,`values`],InputObjectTypeExtension:[`name`,`directives`,`fields`],TypeCoordinate:[`name`],MemberCoordinate:[`name`,`memberName`],ArgumentCoordinate:[`name`,`fieldName`,`argumentName`],DirectiveCoordinate:[`name`],DirectiveArgumentCoordinate:[`name`,`argumentName`]},re=new Set(Object.keys(ne));function ie(e){let t=e?.kind;return typeof t==`string`&&re.has(t)}var ae;(function(e){e.QUERY=`query`,e.MUTATION=`mutation`,e.SUBSCRIPTION=`subscription`})(ae||={});var F;(function(e){e.QUERY=`QUERY`,e.MUTATION=`MUTATION`,e.SUBSCRIPTION=`SUBSCRIPTION`,e.FIELD=`FIELD`,e.FRAGMENT_DEFINITION=`FRAGMENT_DEFINITION`,e.FRAGMENT_SPREAD=`FRAGMENT_SPREAD`,e.INLINE_FRAGMENT=`INLINE_FRAGMENT`,e.VARIABLE_DEFINITION=`VARIABLE_DEFINITION`,e.SCHEMA=`SCHEMA`,e.SCALAR=`SCALAR`,e.OBJECT=`OBJECT`,e.FIELD_DEFINITION=`FIELD_DEFINITION`,e.ARGUMENT_DEFINITION=`ARGUMENT_DEFINITION`,e.INTERFACE=`INTERFACE`,e.UNION=`UNION`,e.ENUM=`ENUM`,e.ENUM_VALUE=`ENUM_VALUE`,e.INPUT_OBJECT=`INPUT_OBJECT`,e.INPUT_FIELD_DEFINITION=`INPUT_FIELD_DEFINITION`,e.DIRECTIVE_DEFINITION=`DIRECTIVE_DEFINITION`})(F||={});var I;(function(e){e.NAME=`Name`,e.DOCUMENT=`Document`,e.OPERATION_DEFINITION=`OperationDefinition`,e.VARIABLE_DEFINITION=`VariableDefinition`,e.SELECTION_SET=`SelectionSet`,e.FIELD=`Field`,e.ARGUMENT=`Argument`,e.FRAGMENT_SPREAD=`FragmentSpread`,e.INLINE_FRAGMENT=`InlineFragment`,e.FRAGMENT_DEFINITION=`FragmentDefinition`,e.VARIABLE=`Variable`,e.INT=`IntValue`,e.FLOAT=`FloatValue`,e.STRING=`StringValue`,e.BOOLEAN=`BooleanValue`,e.NULL=`NullValue`,e.ENUM=`EnumValue`,e.LIST=`ListValue`,e.OBJECT=`ObjectValue`,e.OBJECT_FIELD=`ObjectField`,e.DIRECTIVE=`Directive`,e.NAMED_TYPE=`NamedType`,e.LIST_TYPE=`ListType`,e.NON_NULL_TYPE=`NonNullType`,e.SCHEMA_DEFINITION=`SchemaDefinition`,e.OPERATION_TYPE_DEFINITION=`OperationTypeDefinition`,e.SCALAR_TYPE_DEFINITION=`ScalarTypeDefinition`,e.OBJECT_TYPE_DEFINITION=`ObjectTypeDefinition`,e.FIELD_DEFINITION=`FieldDefinition`,e.INPUT_VALUE_DEFINITION=`InputValueDefinition`,e.INTERFACE_TYPE_DEFINITION=`InterfaceTypeDefinition`,e.UNION_TYPE_DEFINITION=`UnionTypeDefinition`,e.ENUM_TYPE_DEFINITION=`EnumTypeDefinition`,e.ENUM_VALUE_DEFINITION=`EnumValueDefinition`,e.INPUT_OBJECT_TYPE_DEFINITION=`InputObjectTypeDefinition`,e.DIRECTIVE_DEFINITION=`DirectiveDefinition`,e.SCHEMA_EXTENSION=`SchemaExtension`,e.DIRECTIVE_EXTENSION=`DirectiveExtension`,e.SCALAR_TYPE_EXTENSION=`ScalarTypeExtension`,e.OBJECT_TYPE_EXTENSION=`ObjectTypeExtension`,e.INTERFACE_TYPE_EXTENSION=`InterfaceTypeExtension`,e.UNION_TYPE_EXTENSION=`UnionTypeExtension`,e.ENUM_TYPE_EXTENSION=`EnumTypeExtension`,e.INPUT_OBJECT_TYPE_EXTENSION=`InputObjectTypeExtension`,e.TYPE_COORDINATE=`TypeCoordinate`,e.MEMBER_COORDINATE=`MemberCoordinate`,e.ARGUMENT_COORDINATE=`ArgumentCoordinate`,e.DIRECTIVE_COORDINATE=`DirectiveCoordinate`,e.DIRECTIVE_ARGUMENT_COORDINATE=`DirectiveArgumentCoordinate`})(I||={});function oe(e){return e===9||e===32}function se(e){return e>=48&&e<=57}function ce(e){return e>=97&&e<=122||e>=65&&e<=90}function le(e){return ce(e)||e===95}function ue(e){return ce(e)||se(e)||e===95}function de(e){let t=2**53-1,n=null,r=-1;for(let i=0;i<e.length;++i){let a=e[i],o=fe(a);o!==a.length&&(n??=i,r=i,i!==0&&o<t&&(t=o))}return e.map((e,n)=>n===0?e:e.slice(t)).slice(n??0,r+1)}function fe(e){let t=0;for(;t<e.length&&oe(e.charCodeAt(t));)++t;return t}function pe(e){if(e===``)return!0;let t=!0,n=!1,r=!0,i=!1;for(let a=0;a<e.length;++a)switch(e.codePointAt(a)){case 0:case 1:case 2:case 3:case 4:case 5:case 6:case 7:case 8:case 11:case 12:case 14:case 15:case 13:return!1;case 10:if(t&&!i)return!1;i=!0,t=!0,n=!1;break;case 9:case 32:n||=t;break;default:r&&=n,t=!1}return!(t||r&&i)}function me(e,t){let n=e.replace(/"""/g,`\\"""`),r=n.split(/\r\n|[\n\r]/g),i=r.length===1,a=r.length>1&&r.slice(1).every(e=>e.length===0||oe(e.charCodeAt(0))),o=n.endsWith(`\\"""`),s=e.endsWith(`"`)&&!o,c=e.endsWith(`\\`),l=s||c,u=!(t!=null&&t.minimize)&&(!i||e.length>70||l||a||o),d=``,f=i&&oe(e.charCodeAt(0));return(u&&!f||a)&&(d+=`
`),d+=n,(u||l)&&(d+=`
`),`"""`+d+`"""`}var L;(function(e){e.SOF=`<SOF>`,e.EOF=`<EOF>`,e.BANG=`!`,e.DOLLAR=`$`,e.AMP=`&`,e.PAREN_L=`(`,e.PAREN_R=`)`,e.DOT=`.`,e.SPREAD=`...`,e.COLON=`:`,e.EQUALS=`=`,e.AT=`@`,e.BRACKET_L=`[`,e.BRACKET_R=`]`,e.BRACE_L=`{`,e.PIPE=`|`,e.BRACE_R=`}`,e.NAME=`Name`,e.INT=`Int`,e.FLOAT=`Float`,e.STRING=`String`,e.BLOCK_STRING=`BlockString`,e.COMMENT=`Comment`})(L||={});var he=class{constructor(e){let t=new te(L.SOF,0,0,0,0);this.source=e,this.lastToken=t,this.token=t,this.line=1,this.lineStart=0,this._maxComments=void 0,this._commentCount=0}get[Symbol.toStringTag](){return`Lexer`}advance(){return this.lastToken=this.token,this.token=this.lookahead()}lookahead(){let e=this.token;if(e.kind!==L.EOF)do if(e.next)e=e.next;else{let t=Ce(this,e.end);e.next=t,t.prev=e,e=t}while(e.kind===L.COMMENT);return e}};function ge(e){return e===L.BANG||e===L.DOLLAR||e===L.AMP||e===L.PAREN_L||e===L.PAREN_R||e===L.DOT||e===L.SPREAD||e===L.COLON||e===L.EQUALS||e===L.AT||e===L.BRACKET_L||e===L.BRACKET_R||e===L.BRACE_L||e===L.PIPE||e===L.BRACE_R}function _e(e){return e>=0&&e<=55295||e>=57344&&e<=1114111}function ve(e,t){return ye(e.charCodeAt(t))&&be(e.charCodeAt(t+1))}function ye(e){return e>=55296&&e<=56319}function be(e){return e>=56320&&e<=57343}function xe(e,t){let n=e.source.body.codePointAt(t);if(n===void 0)return L.EOF;if(n>=32&&n<=126){let e=String.fromCodePoint(n);return e===`"`?`'"'`:`"${e}"`}return`U+`+n.toString(16).toUpperCase().padStart(4,`0`)}function Se(e,t,n,r,i){return new te(t,n,r,e.line,1+n-e.lineStart,i)}function Ce(e,t){let n=e.source.body,r=n.length,i=t;for(;i<r;){let t=n.charCodeAt(i);switch(t){case 65279:case 9:case 32:case 44:++i;continue;case 10:++i,++e.line,e.lineStart=i;continue;case 13:n.charCodeAt(i+1)===10?i+=2:++i,++e.line,e.lineStart=i;continue;case 35:return we(e,i);case 33:return Se(e,L.BANG,i,i+1);case 36:return Se(e,L.DOLLAR,i,i+1);case 38:return Se(e,L.AMP,i,i+1);case 40:return Se(e,L.PAREN_L,i,i+1);case 41:return Se(e,L.PAREN_R,i,i+1);case 46:if(n.charCodeAt(i+1)===46&&n.charCodeAt(i+2)===46)return Se(e,L.SPREAD,i,i+3);break;case 58:return Se(e,L.COLON,i,i+1);case 61:return Se(e,L.EQUALS,i,i+1);case 64:return Se(e,L.AT,i,i+1);case 91:return Se(e,L.BRACKET_L,i,i+1);case 93:return Se(e,L.BRACKET_R,i,i+1);case 123:return Se(e,L.BRACE_L,i,i+1);case 124:return Se(e,L.PIPE,i,i+1);case 125:return Se(e,L.BRACE_R,i,i+1);case 34:return n.charCodeAt(i+1)===34&&n.charCodeAt(i+2)===34?Ne(e,i):De(e,i)}if(se(t)||t===45)return Te(e,i,t);if(le(t))return Pe(e,i);throw P(e.source,i,t===39?`Unexpected single quote character ('), did you mean to use a double quote (")?`:_e(t)||ve(n,i)?`Unexpected character: ${xe(e,i)}.`:`Invalid character: ${xe(e,i)}.`)}return Se(e,L.EOF,r,r)}function we(e,t){let n=e._maxComments;if(n!==void 0){let r=e._commentCount+1;if(r>n)throw P(e.source,t,`Document contains more than ${n} comments. Parsing aborted.`);e._commentCount=r}let r=e.source.body,i=r.length,a=t+1;for(;a<i;){let e=r.charCodeAt(a);if(e===10||e===13)break;if(_e(e))++a;else if(ve(r,a))a+=2;else break}return Se(e,L.COMMENT,t,a,r.slice(t+1,a))}function Te(e,t,n){let r=e.source.body,i=t,a=n,o=!1;if(a===45&&(a=r.charCodeAt(++i)),a===48){if(a=r.charCodeAt(++i),se(a))throw P(e.source,i,`Invalid number, unexpected digit after 0: ${xe(e,i)}.`)}else i=Ee(e,i,a),a=r.charCodeAt(i);if(a===46&&(o=!0,a=r.charCodeAt(++i),i=Ee(e,i,a),a=r.charCodeAt(i)),(a===69||a===101)&&(o=!0,a=r.charCodeAt(++i),(a===43||a===45)&&(a=r.charCodeAt(++i)),i=Ee(e,i,a),a=r.charCodeAt(i)),a===46||le(a))throw P(e.source,i,`Invalid number, expected digit but got: ${xe(e,i)}.`);return Se(e,o?L.FLOAT:L.INT,t,i,r.slice(t,i))}function Ee(e,t,n){if(!se(n))throw P(e.source,t,`Invalid number, expected digit but got: ${xe(e,t)}.`);let r=e.source.body,i=t+1;for(;se(r.charCodeAt(i));)++i;return i}function De(e,t){let n=e.source.body,r=n.length,i=t+1,a=i,o=``;for(;i<r;){let r=n.charCodeAt(i);if(r===34)return o+=n.slice(a,i),Se(e,L.STRING,t,i+1,o);if(r===92){o+=n.slice(a,i);let t=n.charCodeAt(i+1)===117?n.charCodeAt(i+2)===123?Oe(e,i):ke(e,i):Me(e,i);o+=t.value,i+=t.size,a=i}else{if(r===10||r===13)break;if(_e(r))++i;else if(ve(n,i))i+=2;else throw P(e.source,i,`Invalid character within String: ${xe(e,i)}.`)}}throw P(e.source,i,`Unterminated string.`)}function Oe(e,t){let n=e.source.body,r=0,i=3;for(;i<12;){let e=n.charCodeAt(t+i++);if(e===125){if(i<5||!_e(r))break;return{value:String.fromCodePoint(r),size:i}}if(r=r<<4|je(e),r<0)break}throw P(e.source,t,`Invalid Unicode escape sequence: "${n.slice(t,t+i)}".`)}function ke(e,t){let n=e.source.body,r=Ae(n,t+2);if(_e(r))return{value:String.fromCodePoint(r),size:6};if(ye(r)&&n.charCodeAt(t+6)===92&&n.charCodeAt(t+7)===117){let e=Ae(n,t+8);if(be(e))return{value:String.fromCodePoint(r,e),size:12}}throw P(e.source,t,`Invalid Unicode escape sequence: "${n.slice(t,t+6)}".`)}function Ae(e,t){return je(e.charCodeAt(t))<<12|je(e.charCodeAt(t+1))<<8|je(e.charCodeAt(t+2))<<4|je(e.charCodeAt(t+3))}function je(e){return e>=48&&e<=57?e-48:e>=65&&e<=70?e-55:e>=97&&e<=102?e-87:-1}function Me(e,t){let n=e.source.body;switch(n.charCodeAt(t+1)){case 34:return{value:`"`,size:2};case 92:return{value:`\\`,size:2};case 47:return{value:`/`,size:2};case 98:return{value:`\b`,size:2};case 102:return{value:`\f`,size:2};case 110:return{value:`
`,size:2};case 114:return{value:`\r`,size:2};case 116:return{value:`	`,size:2}}throw P(e.source,t,`Invalid character escape sequence: "${n.slice(t,t+2)}".`)}function Ne(e,t){let n=e.source.body,r=n.length,i=e.lineStart,a=t+3,o=a,s=``,c=[];for(;a<r;){let r=n.charCodeAt(a);if(r===34&&n.charCodeAt(a+1)===34&&n.charCodeAt(a+2)===34){s+=n.slice(o,a),c.push(s);let r=Se(e,L.BLOCK_STRING,t,a+3,de(c).join(`
`));return e.line+=c.length-1,e.lineStart=i,r}if(r===92&&n.charCodeAt(a+1)===34&&n.charCodeAt(a+2)===34&&n.charCodeAt(a+3)===34)s+=n.slice(o,a),o=a+1,a+=4;else if(r===10||r===13)s+=n.slice(o,a),c.push(s),r===13&&n.charCodeAt(a+1)===10?a+=2:++a,s=``,o=a,i=a;else if(_e(r))++a;else if(ve(n,a))a+=2;else throw P(e.source,a,`Invalid character within String: ${xe(e,a)}.`)}throw P(e.source,a,`Unterminated string.`)}function Pe(e,t){let n=e.source.body,r=n.length,i=t+1;for(;i<r&&ue(n.charCodeAt(i));)++i;return Se(e,L.NAME,t,i,n.slice(t,i))}var Fe=10,Ie=2;function R(e){return Le(e,[])}function Le(e,t){switch(typeof e){case`string`:return JSON.stringify(e);case`function`:return e.name?`[function ${e.name}]`:`[function]`;case`object`:return Re(e,t);default:return String(e)}}function Re(e,t){if(e===null)return`null`;if(t.includes(e))return`[Circular]`;let n=[...t,e];if(ze(e)){let t=e.toJSON();if(t!==e)return typeof t==`string`?t:Le(t,n)}else if(Array.isArray(e))return Ve(e,n);return Be(e,n)}function ze(e){return typeof e.toJSON==`function`}function Be(e,t){let n=Object.entries(e);return n.length===0?`{}`:t.length>Ie?`[`+He(e)+`]`:`{ `+n.map(([e,n])=>e+`: `+Le(n,t)).join(`, `)+` }`}function Ve(e,t){if(e.length===0)return`[]`;if(t.length>Ie)return`[Array]`;let n=Math.min(Fe,e.length),r=e.length-n,i=[];for(let r=0;r<n;++r)i.push(Le(e[r],t));return r===1?i.push(`... 1 more item`):r>1&&i.push(`... ${r} more items`),`[`+i.join(`, `)+`]`}function He(e){let t=Object.prototype.toString.call(e).replace(/^\[object /,``).replace(/]$/,``);if(t===`Object`&&typeof e.constructor==`function`){let t=e.constructor.name;if(typeof t==`string`&&t!==``)return t}return t}var Ue=globalThis.process?function(e,t){return e instanceof t}:function(e,t){if(e instanceof t)return!0;if(typeof e==`object`&&e){let n=t.prototype[Symbol.toStringTag];if(n===(Symbol.toStringTag in e?e[Symbol.toStringTag]:e.constructor?.name)){let t=R(e);throw Error(`Cannot use ${n} "${t}" from another module or realm.

Ensure that there is only one instance of "graphql" in the node_modules
directory. If different versions of "graphql" are the dependencies of other
relied on modules, use "resolutions" to ensure only one version is installed.

https://yarnpkg.com/en/docs/selective-version-resolutions

Duplicate "graphql" modules cannot be used at the same time since different
versions may have different capabilities and behavior. The data from one
version used in the function from another could produce confusing and
spurious results.`)}}return!1},We=class{constructor(e,t=`GraphQL request`,n={line:1,column:1}){typeof e==`string`||w(!1,`Body must be a string. Received: ${R(e)}.`),this.body=e,this.name=t,this.locationOffset=n,this.locationOffset.line>0||w(!1,`line in locationOffset is 1-indexed and must be positive.`),this.locationOffset.column>0||w(!1,`column in locationOffset is 1-indexed and must be positive.`)}get[Symbol.toStringTag](){return`Source`}};function Ge(e){return Ue(e,We)}function Ke(e,t){let n=new Je(e,t),r=n.parseDocument();return Object.defineProperty(r,"tokenCount",{enumerable:!1,value:n.tokenCount}),r}function qe(e,t){let n=new Je(e,t);n.expectToken(L.SOF);let r=n.parseValueLiteral(!1);return n.expectToken(L.EOF),r}var Je=class{constructor(e,t={}){let{lexer:n,...r}=t;if(n)this._lexer=n;else{let t=Ge(e)?e:new We(e);this._lexer=new he(t)}this._options=r,this._tokenCounter=0,this._lexer._maxComments=t?.maxComments,this._lexer._commentCount=0;let i=t?.maxSourceLength;if(i!==void 0&&this._lexer.source.body.length>i)throw P(this._lexer.source,i,`Source contains more than ${i} UTF-16 code units. Parsing aborted.`)}get tokenCount(){return this._tokenCounter}parseName(){let e=this.expectToken(L.NAME);return this.node(e,{kind:I.NAME,value:e.value})}parseDocument(){return this.node(this._lexer.token,{kind:I.DOCUMENT,definitions:this.many(L.SOF,this.parseDefinition,L.EOF)})}parseDefinition(){if(this.peek(L.BRACE_L))return this.parseOperationDefinition();let e=this.peekDescription(),t=e?this._lexer.lookahead():this._lexer.token;if(e&&t.kind===L.BRACE_L)throw P(this._lexer.source,this._lexer.token.start,`Unexpected description, descriptions are not supported on shorthand queries.`);if(t.kind===L.NAME){switch(t.value){case`schema`:return this.parseSchemaDefinition();case`scalar`:return this.parseScalarTypeDefinition();case`type`:return this.parseObjectTypeDefinition();case`interface`:return this.parseInterfaceTypeDefinition();case`union`:return this.parseUnionTypeDefinition();case`enum`:return this.parseEnumTypeDefinition();case`input`:return this.parseInputObjectTypeDefinition();case`directive`:return this.parseDirectiveDefinition()}switch(t.value){case`query`:case`mutation`:case`subscription`:return this.parseOperationDefinition();case`fragment`:return this.parseFragmentDefinition()}if(e)throw P(this._lexer.source,this._lexer.token.start,`Unexpected description, only GraphQL definitions support descriptions.`);if(t.value===`extend`)return this.parseTypeSystemExtension()}throw this.unexpected(t)}parseOperationDefinition(){let e=this._lexer.token;if(this.peek(L.BRACE_L))return this.node(e,{kind:I.OPERATION_DEFINITION,operation:ae.QUERY,description:void 0,name:void 0,variableDefinitions:[],directives:[],selectionSet:this.parseSelectionSet()});let t=this.parseDescription(),n=this.parseOperationType(),r;return this.peek(L.NAME)&&(r=this.parseName()),this.node(e,{kind:I.OPERATION_DEFINITION,operation:n,description:t,name:r,variableDefinitions:this.parseVariableDefinitions(),directives:this.parseDirectives(!1),selectionSet:this.parseSelectionSet()})}parseOperationType(){let e=this.expectToken(L.NAME);switch(e.value){case`query`:return ae.QUERY;case`mutation`:return ae.MUTATION;case`subscription`:return ae.SUBSCRIPTION}throw this.unexpected(e)}parseVariableDefinitions(){return this.optionalMany(L.PAREN_L,this.parseVariableDefinition,L.PAREN_R)}parseVariableDefinition(){return this.node(this._lexer.token,{kind:I.VARIABLE_DEFINITION,description:this.parseDescription(),variable:this.parseVariable(),type:(this.expectToken(L.COLON),this.parseTypeReference()),defaultValue:this.expectOptionalToken(L.EQUALS)?this.parseConstValueLiteral():void 0,directives:this.parseConstDirectives()})}parseVariable(){let e=this._lexer.token;return this.expectToken(L.DOLLAR),this.node(e,{kind:I.VARIABLE,name:this.parseName()})}parseSelectionSet(){return this.node(this._lexer.token,{kind:I.SELECTION_SET,selections:this.many(L.BRACE_L,this.parseSelection,L.BRACE_R)})}parseSelection(){return this.peek(L.SPREAD)?this.parseFragment():this.parseField()}parseField(){let e=this._lexer.token,t=this.parseName(),n,r;return this.expectOptionalToken(L.COLON)?(n=t,r=this.parseName()):r=t,this.node(e,{kind:I.FIELD,alias:n,name:r,arguments:this.parseArguments(!1),directives:this.parseDirectives(!1),selectionSet:this.peek(L.BRACE_L)?this.parseSelectionSet():void 0})}parseArguments(e){let t=e?this.parseConstArgument:this.parseArgument;return this.optionalMany(L.PAREN_L,t,L.PAREN_R)}parseArgument(e=!1){let t=this._lexer.token,n=this.parseName();return this.expectToken(L.COLON),this.node(t,{kind:I.ARGUMENT,name:n,value:this.parseValueLiteral(e)})}parseConstArgument(){return this.parseArgument(!0)}parseFragment(){let e=this._lexer.token;this.expectToken(L.SPREAD);let t=this.expectOptionalKeyword(`on`);return!t&&this.peek(L.NAME)?this.node(e,{kind:I.FRAGMENT_SPREAD,name:this.parseFragmentName(),directives:this.parseDirectives(!1)}):this.node(e,{kind:I.INLINE_FRAGMENT,typeCondition:t?this.parseNamedType():void 0,directives:this.parseDirectives(!1),selectionSet:this.parseSelectionSet()})}parseFragmentDefinition(){let e=this._lexer.token,t=this.parseDescription();return this.expectKeyword(`fragment`),this._options.allowLegacyFragmentVariables===!0?this.node(e,{kind:I.FRAGMENT_DEFINITION,description:t,name:this.parseFragmentName(),variableDefinitions:this.parseVariableDefinitions(),typeCondition:(this.expectKeyword(`on`),this.parseNamedType()),directives:this.parseDirectives(!1),selectionSet:this.parseSelectionSet()}):this.node(e,{kind:I.FRAGMENT_DEFINITION,description:t,name:this.parseFragmentName(),typeCondition:(this.expectKeyword(`on`),this.parseNamedType()),directives:this.parseDirectives(!1),selectionSet:this.parseSelectionSet()})}parseFragmentName(){if(this._lexer.token.value===`on`)throw this.unexpected();return this.parseName()}parseValueLiteral(e){let t=this._lexer.token;switch(t.kind){case L.BRACKET_L:return this.parseList(e);case L.BRACE_L:return this.parseObject(e);case L.INT:return this.advanceLexer(),this.node(t,{kind:I.INT,value:t.value});case L.FLOAT:return this.advanceLexer(),this.node(t,{kind:I.FLOAT,value:t.value});case L.STRING:case L.BLOCK_STRING:return this.parseStringLiteral();case L.NAME:switch(this.advanceLexer(),t.value){case`true`:return this.node(t,{kind:I.BOOLEAN,value:!0});case`false`:return this.node(t,{kind:I.BOOLEAN,value:!1});case`null`:return this.node(t,{kind:I.NULL});default:return this.node(t,{kind:I.ENUM,value:t.value})}case L.DOLLAR:if(e){if(this.expectToken(L.DOLLAR),this._lexer.token.kind===L.NAME){let e=this._lexer.token.value;throw P(this._lexer.source,t.start,`Unexpected variable "$${e}" in constant value.`)}throw this.unexpected(t)}return this.parseVariable();default:throw this.unexpected()}}parseConstValueLiteral(){return this.parseValueLiteral(!0)}parseStringLiteral(){let e=this._lexer.token;return this.advanceLexer(),this.node(e,{kind:I.STRING,value:e.value,block:e.kind===L.BLOCK_STRING})}parseList(e){return this.node(this._lexer.token,{kind:I.LIST,values:this.any(L.BRACKET_L,()=>this.parseValueLiteral(e),L.BRACKET_R)})}parseObject(e){return this.node(this._lexer.token,{kind:I.OBJECT,fields:this.any(L.BRACE_L,()=>this.parseObjectField(e),L.BRACE_R)})}parseObjectField(e){let t=this._lexer.token,n=this.parseName();return this.expectToken(L.COLON),this.node(t,{kind:I.OBJECT_FIELD,name:n,value:this.parseValueLiteral(e)})}parseDirectives(e){let t=[];for(;this.peek(L.AT);)t.push(this.parseDirective(e));return t}parseConstDirectives(){return this.parseDirectives(!0)}parseDirective(e){let t=this._lexer.token;return this.expectToken(L.AT),this.node(t,{kind:I.DIRECTIVE,name:this.parseName(),arguments:this.parseArguments(e)})}parseTypeReference(){let e=this._lexer.token,t;if(this.expectOptionalToken(L.BRACKET_L)){let n=this.parseTypeReference();this.expectToken(L.BRACKET_R),t=this.node(e,{kind:I.LIST_TYPE,type:n})}else t=this.parseNamedType();return this.expectOptionalToken(L.BANG)?this.node(e,{kind:I.NON_NULL_TYPE,type:t}):t}parseNamedType(){return this.node(this._lexer.token,{kind:I.NAMED_TYPE,name:this.parseName()})}peekDescription(){return this.peek(L.STRING)||this.peek(L.BLOCK_STRING)}parseDescription(){if(this.peekDescription())return this.parseStringLiteral()}parseSchemaDefinition(){let e=this._lexer.token,t=this.parseDescription();this.expectKeyword(`schema`);let n=this.parseConstDirectives(),r=this.many(L.BRACE_L,this.parseOperationTypeDefinition,L.BRACE_R);return this.node(e,{kind:I.SCHEMA_DEFINITION,description:t,directives:n,operationTypes:r})}parseOperationTypeDefinition(){let e=this._lexer.token,t=this.parseOperationType();this.expectToken(L.COLON);let n=this.parseNamedType();return this.node(e,{kind:I.OPERATION_TYPE_DEFINITION,operation:t,type:n})}parseScalarTypeDefinition(){let e=this._lexer.token,t=this.parseDescription();this.expectKeyword(`scalar`);let n=this.parseName(),r=this.parseConstDirectives();return this.node(e,{kind:I.SCALAR_TYPE_DEFINITION,description:t,name:n,directives:r})}parseObjectTypeDefinition(){let e=this._lexer.token,t=this.parseDescription();this.expectKeyword(`type`);let n=this.parseName(),r=this.parseImplementsInterfaces(),i=this.parseConstDirectives(),a=this.parseFieldsDefinition();return this.node(e,{kind:I.OBJECT_TYPE_DEFINITION,description:t,name:n,interfaces:r,directives:i,fields:a})}parseImplementsInterfaces(){return this.expectOptionalKeyword(`implements`)?this.delimitedMany(L.AMP,this.parseNamedType):[]}parseFieldsDefinition(){return this.optionalMany(L.BRACE_L,this.parseFieldDefinition,L.BRACE_R)}parseFieldDefinition(){let e=this._lexer.token,t=this.parseDescription(),n=this.parseName(),r=this.parseArgumentDefs();this.expectToken(L.COLON);let i=this.parseTypeReference(),a=this.parseConstDirectives();return this.node(e,{kind:I.FIELD_DEFINITION,description:t,name:n,arguments:r,type:i,directives:a})}parseArgumentDefs(){return this.optionalMany(L.PAREN_L,this.parseInputValueDef,L.PAREN_R)}parseInputValueDef(){let e=this._lexer.token,t=this.parseDescription(),n=this.parseName();this.expectToken(L.COLON);let r=this.parseTypeReference(),i;this.expectOptionalToken(L.EQUALS)&&(i=this.parseConstValueLiteral());let a=this.parseConstDirectives();return this.node(e,{kind:I.INPUT_VALUE_DEFINITION,description:t,name:n,type:r,defaultValue:i,directives:a})}parseInterfaceTypeDefinition(){let e=this._lexer.token,t=this.parseDescription();this.expectKeyword(`interface`);let n=this.parseName(),r=this.parseImplementsInterfaces(),i=this.parseConstDirectives(),a=this.parseFieldsDefinition();return this.node(e,{kind:I.INTERFACE_TYPE_DEFINITION,description:t,name:n,interfaces:r,directives:i,fields:a})}parseUnionTypeDefinition(){let e=this._lexer.token,t=this.parseDescription();this.expectKeyword(`union`);let n=this.parseName(),r=this.parseConstDirectives(),i=this.parseUnionMemberTypes();return this.node(e,{kind:I.UNION_TYPE_DEFINITION,description:t,name:n,directives:r,types:i})}parseUnionMemberTypes(){return this.expectOptionalToken(L.EQUALS)?this.delimitedMany(L.PIPE,this.parseNamedType):[]}parseEnumTypeDefinition(){let e=this._lexer.token,t=this.parseDescription();this.expectKeyword(`enum`);let n=this.parseName(),r=this.parseConstDirectives(),i=this.parseEnumValuesDefinition();return this.node(e,{kind:I.ENUM_TYPE_DEFINITION,description:t,name:n,directives:r,values:i})}parseEnumValuesDefinition(){return this.optionalMany(L.BRACE_L,this.parseEnumValueDefinition,L.BRACE_R)}parseEnumValueDefinition(){let e=this._lexer.token,t=this.parseDescription(),n=this.parseEnumValueName(),r=this.parseConstDirectives();return this.node(e,{kind:I.ENUM_VALUE_DEFINITION,description:t,name:n,directives:r})}parseEnumValueName(){if(this._lexer.token.value===`true`||this._lexer.token.value===`false`||this._lexer.token.value===`null`)throw P(this._lexer.source,this._lexer.token.start,`${Ye(this._lexer.token)} is reserved and cannot be used for an enum value.`);return this.parseName()}parseInputObjectTypeDefinition(){let e=this._lexer.token,t=this.parseDescription();this.expectKeyword(`input`);let n=this.parseName(),r=this.parseConstDirectives(),i=this.parseInputFieldsDefinition();return this.node(e,{kind:I.INPUT_OBJECT_TYPE_DEFINITION,description:t,name:n,directives:r,fields:i})}parseInputFieldsDefinition(){return this.optionalMany(L.BRACE_L,this.parseInputValueDef,L.BRACE_R)}parseTypeSystemExtension(){let e=this._lexer.lookahead();if(e.kind===L.NAME)switch(e.value){case`schema`:return this.parseSchemaExtension();case`scalar`:return this.parseScalarTypeExtension();case`type`:return this.parseObjectTypeExtension();case`interface`:return this.parseInterfaceTypeExtension();case`union`:return this.parseUnionTypeExtension();case`enum`:return this.parseEnumTypeExtension();case`input`:return this.parseInputObjectTypeExtension();case`directive`:if(this._options.experimentalDirectivesOnDirectiveDefinitions)return this.parseDirectiveDefinitionExtension()}throw this.unexpected(e)}parseSchemaExtension(){let e=this._lexer.token;this.expectKeyword(`extend`),this.expectKeyword(`schema`);let t=this.parseConstDirectives(),n=this.optionalMany(L.BRACE_L,this.parseOperationTypeDefinition,L.BRACE_R);if(t.length===0&&n.length===0)throw this.unexpected();return this.node(e,{kind:I.SCHEMA_EXTENSION,directives:t,operationTypes:n})}parseScalarTypeExtension(){let e=this._lexer.token;this.expectKeyword(`extend`),this.expectKeyword(`scalar`);let t=this.parseName(),n=this.parseConstDirectives();if(n.length===0)throw this.unexpected();return this.node(e,{kind:I.SCALAR_TYPE_EXTENSION,name:t,directives:n})}parseObjectTypeExtension(){let e=this._lexer.token;this.expectKeyword(`extend`),this.expectKeyword(`type`);let t=this.parseName(),n=this.parseImplementsInterfaces(),r=this.parseConstDirectives(),i=this.parseFieldsDefinition();if(n.length===0&&r.length===0&&i.length===0)throw this.unexpected();return this.node(e,{kind:I.OBJECT_TYPE_EXTENSION,name:t,interfaces:n,directives:r,fields:i})}parseInterfaceTypeExtension(){let e=this._lexer.token;this.expectKeyword(`extend`),this.expectKeyword(`interface`);let t=this.parseName(),n=this.parseImplementsInterfaces(),r=this.parseConstDirectives(),i=this.parseFieldsDefinition();if(n.length===0&&r.length===0&&i.length===0)throw this.unexpected();return this.node(e,{kind:I.INTERFACE_TYPE_EXTENSION,name:t,interfaces:n,directives:r,fields:i})}parseUnionTypeExtension(){let e=this._lexer.token;this.expectKeyword(`extend`),this.expectKeyword(`union`);let t=this.parseName(),n=this.parseConstDirectives(),r=this.parseUnionMemberTypes();if(n.length===0&&r.length===0)throw this.unexpected();return this.node(e,{kind:I.UNION_TYPE_EXTENSION,name:t,directives:n,types:r})}parseEnumTypeExtension(){let e=this._lexer.token;this.expectKeyword(`extend`),this.expectKeyword(`enum`);let t=this.parseName(),n=this.parseConstDirectives(),r=this.parseEnumValuesDefinition();if(n.length===0&&r.length===0)throw this.unexpected();return this.node(e,{kind:I.ENUM_TYPE_EXTENSION,name:t,directives:n,values:r})}parseInputObjectTypeExtension(){let e=this._lexer.token;this.expectKeyword(`extend`),this.expectKeyword(`input`);let t=this.parseName(),n=this.parseConstDirectives(),r=this.parseInputFieldsDefinition();if(n.length===0&&r.length===0)throw this.unexpected();return this.node(e,{kind:I.INPUT_OBJECT_TYPE_EXTENSION,name:t,directives:n,fields:r})}parseDirectiveDefinitionExtension(){let e=this._lexer.token;this.expectKeyword(`extend`),this.expectKeyword(`directive`),this.expectToken(L.AT);let t=this.parseName(),n=this.parseConstDirectives();if(n.length===0)throw this.unexpected();return this.node(e,{kind:I.DIRECTIVE_EXTENSION,name:t,directives:n})}parseDirectiveDefinition(){let e=this._lexer.token,t=this.parseDescription();this.expectKeyword(`directive`),this.expectToken(L.AT);let n=this.parseName(),r=this.parseArgumentDefs(),i=this._options.experimentalDirectivesOnDirectiveDefinitions?this.parseConstDirectives():[],a=this.expectOptionalKeyword(`repeatable`);this.expectKeyword(`on`);let o=this.parseDirectiveLocations();return this.node(e,{kind:I.DIRECTIVE_DEFINITION,description:t,name:n,arguments:r,directives:i,repeatable:a,locations:o})}parseDirectiveLocations(){return this.delimitedMany(L.PIPE,this.parseDirectiveLocation)}parseDirectiveLocation(){let e=this._lexer.token,t=this.parseName();if(Object.prototype.hasOwnProperty.call(F,t.value))return t;throw this.unexpected(e)}parseSchemaCoordinate(){let e=this._lexer.token,t=this.expectOptionalToken(L.AT),n=this.parseName(),r;!t&&this.expectOptionalToken(L.DOT)&&(r=this.parseName());let i;return(t||r)&&this.expectOptionalToken(L.PAREN_L)&&(i=this.parseName(),this.expectToken(L.COLON),this.expectToken(L.PAREN_R)),t?i?this.node(e,{kind:I.DIRECTIVE_ARGUMENT_COORDINATE,name:n,argumentName:i}):this.node(e,{kind:I.DIRECTIVE_COORDINATE,name:n}):r?i?this.node(e,{kind:I.ARGUMENT_COORDINATE,name:n,fieldName:r,argumentName:i}):this.node(e,{kind:I.MEMBER_COORDINATE,name:n,memberName:r}):this.node(e,{kind:I.TYPE_COORDINATE,name:n})}node(e,t){return this._options.noLocation!==!0&&(t.loc=new ee(e,this._lexer.lastToken,this._lexer.source)),t}peek(e){return this._lexer.token.kind===e}expectToken(e){let t=this._lexer.token;if(t.kind===e)return this.advanceLexer(),t;throw P(this._lexer.source,t.start,`Expected ${Xe(e)}, found ${Ye(t)}.`)}expectOptionalToken(e){return this._lexer.token.kind===e&&(this.advanceLexer(),!0)}expectKeyword(e){let t=this._lexer.token;if(t.kind===L.NAME&&t.value===e)this.advanceLexer();else throw P(this._lexer.source,t.start,`Expected "${e}", found ${Ye(t)}.`)}expectOptionalKeyword(e){let t=this._lexer.token;return t.kind===L.NAME&&t.value===e&&(this.advanceLexer(),!0)}unexpected(e){let t=e??this._lexer.token;return P(this._lexer.source,t.start,`Unexpected ${Ye(t)}.`)}any(e,t,n){this.expectToken(e);let r=[];for(;!this.expectOptionalToken(n);)r.push(t.call(this));return r}optionalMany(e,t,n){if(this.expectOptionalToken(e)){let e=[];do e.push(t.call(this));while(!this.expectOptionalToken(n));return e}return[]}many(e,t,n){this.expectToken(e);let r=[];do r.push(t.call(this));while(!this.expectOptionalToken(n));return r}delimitedMany(e,t){this.expectOptionalToken(e);let n=[];do n.push(t.call(this));while(this.expectOptionalToken(e));return n}advanceLexer(){let{maxLexicalTokens:e=this._options.maxTokens}=this._options,t=this._lexer.advance();if(t.kind!==L.EOF&&(++this._tokenCounter,e!==void 0&&this._tokenCounter>e))throw P(this._lexer.source,t.start,`Document contains more that ${e} tokens. Parsing aborted.`)}};function Ye(e){let t=e.value;return Xe(e.kind)+(t==null?``:` "${t}"`)}function Xe(e){return ge(e)?`"${e}"`:e}var Ze=5;function Qe(e,t){let[n,r]=t?[e,t]:[void 0,e],i=` Did you mean `;n&&(i+=n+` `);let a=r.map(e=>`"${e}"`);switch(a.length){case 0:return``;case 1:return i+a[0]+`?`;case 2:return i+a[0]+` or `+a[1]+`?`}let o=a.slice(0,Ze),s=o.pop();return i+o.join(`, `)+`, or `+s+`?`}function $e(e){return e}function et(e,t){let n=Object.create(null);for(let r of e)n[t(r)]=r;return n}function tt(e,t,n){let r=Object.create(null);for(let i of e)r[t(i)]=n(i);return r}function nt(e,t){let n=Object.create(null);for(let r of Object.keys(e))n[r]=t(e[r],r);return n}function rt(e,t){let n=0,r=0;for(;n<e.length&&r<t.length;){let i=e.charCodeAt(n),a=t.charCodeAt(r);if(ot(i)&&ot(a)){let o=0;do++n,o=o*10+i-it,i=e.charCodeAt(n);while(ot(i)&&o>0);let s=0;do++r,s=s*10+a-it,a=t.charCodeAt(r);while(ot(a)&&s>0);if(o<s)return-1;if(o>s)return 1}else{if(i<a)return-1;if(i>a)return 1;++n,++r}}return e.length-t.length}var it=48,at=57;function ot(e){return!isNaN(e)&&it<=e&&e<=at}function st(e,t){let n=Object.create(null),r=new ct(e),i=Math.floor(e.length*.4)+1;for(let e of t){let t=r.measure(e,i);t!==void 0&&(n[e]=t)}return Object.keys(n).sort((e,t)=>{let r=n[e]-n[t];return r===0?rt(e,t):r})}var ct=class{constructor(e){this._input=e,this._inputLowerCase=e.toLowerCase(),this._inputArray=lt(this._inputLowerCase),this._rows=[Array(e.length+1).fill(0),Array(e.length+1).fill(0),Array(e.length+1).fill(0)]}measure(e,t){if(this._input===e)return 0;let n=e.toLowerCase();if(this._inputLowerCase===n)return 1;let r=lt(n),i=this._inputArray;if(r.length<i.length){let e=r;r=i,i=e}let a=r.length,o=i.length;if(a-o>t)return;let s=this._rows;for(let e=0;e<=o;e++)s[0][e]=e;for(let e=1;e<=a;e++){let n=s[(e-1)%3],a=s[e%3],c=a[0]=e;for(let t=1;t<=o;t++){let o=r[e-1]===i[t-1]?0:1,l=Math.min(n[t]+1,a[t-1]+1,n[t-1]+o);if(e>1&&t>1&&r[e-1]===i[t-2]&&r[e-2]===i[t-1]){let n=s[(e-2)%3][t-2];l=Math.min(l,n+1)}l<c&&(c=l),a[t]=l}if(c>t)return}let c=s[a%3][o];return c<=t?c:void 0}};function lt(e){let t=e.length,n=Array(t);for(let r=0;r<t;++r)n[r]=e.charCodeAt(r);return n}function ut(e){if(e==null)return Object.create(null);if(Object.getPrototypeOf(e)===null)return e;let t=Object.create(null);for(let[n,r]of Object.entries(e))t[n]=r;return t}function dt(e){return`"${e.replace(ft,pt)}"`}var ft=/[\x00-\x1f\x22\x5c\x7f-\x9f]/g;function pt(e){return mt[e.charCodeAt(0)]}var mt=`\\u0000.\\u0001.\\u0002.\\u0003.\\u0004.\\u0005.\\u0006.\\u0007.\\b.\\t.\\n.\\u000B.\\f.\\r.\\u000E.\\u000F.\\u0010.\\u0011.\\u0012.\\u0013.\\u0014.\\u0015.\\u0016.\\u0017.\\u0018.\\u0019.\\u001A.\\u001B.\\u001C.\\u001D.\\u001E.\\u001F...\\"..........................................................\\\\...................................\\u007F.\\u0080.\\u0081.\\u0082.\\u0083.\\u0084.\\u0085.\\u0086.\\u0087.\\u0088.\\u0089.\\u008A.\\u008B.\\u008C.\\u008D.\\u008E.\\u008F.\\u0090.\\u0091.\\u0092.\\u0093.\\u0094.\\u0095.\\u0096.\\u0097.\\u0098.\\u0099.\\u009A.\\u009B.\\u009C.\\u009D.\\u009E.\\u009F`.split(`.`);function ht(e,t){let n=[],r={parent:[e],keys:void 0,results:[],index:-1},i;do{let e;r.index++;let a=r.keys===void 0?r.parent.length:r.keys.length;if(r.index===a)i=r.results,e=r.keys===void 0?void 0:r.results.kind,r=n.pop();else{if(i=r.keys===void 0?r.parent[r.index]:r.parent[r.keys[r.index]],i==null&&n.length!==0)continue;if(Array.isArray(i)){if(i.length!==0){n.push(r),r={parent:i,keys:void 0,results:[],index:-1};continue}}else{let t=i;e=t?.kind;let a=typeof e==`string`?ne[e]:void 0;if(!Array.isArray(a))throw Error(`Invalid AST Node: ${R(i)}.`);if(a.length!==0){n.push(r),r={parent:t,keys:a,results:{...t},index:-1};continue}}}e!==void 0&&(i=(0,t[e])?.(i)),r.keys===void 0?r.results.push(i):r.results[r.keys[r.index]]=i}while(n.length!==0);return i}function gt(e,t){return xt(ht(e,St),t?.maxIndentDepth??1/0)}function _t(e){return gt(e,{maxIndentDepth:100})}var vt=80,yt=class e{next=void 0;tail=this;indentBefore=!1;dedentAfter=!1;constructor(e=``,t=!1){this.length=e.length,this.lines=e.includes(`
`)?e.split(`
`):e,this.newlines=typeof this.lines==`string`?0:this.lines.length-1,this.isBlockString=t}append(t){if(t.length===0)return this;let n=typeof t==`string`?new e(t):t;return this.tail.next=n,this.tail=n.tail,this.length+=n.length,this.newlines+=n.newlines,this}indent(){return this.length===0||(this.indentBefore=!0,this.tail.dedentAfter=!0,this.length+=2*(this.newlines+1)),this}},bt=new yt;function xt(e,t){let n=``,r=``,i=0,a=``,o=e;for(;o!==void 0;){let e=o.lines;if(o.indentBefore&&(i<t&&(a+=`  `,r+=`  `),i++),typeof e==`string`)r+=e;else{r+=e[0];let s=!o.isBlockString&&i>=t?` `:`
`+a;for(let t=1;t<e.length;t++)n+=r,r=s+e[t]}o.dedentAfter&&(i--,a=a.slice(0,i*2)),o=o.next}return n+r}var St={Name:e=>new yt(e.value),Variable:e=>z([`$`,e.name]),Document:e=>z(e.definitions,`

`),OperationDefinition(e){let t=Tt(e.variableDefinitions)?B(`(
`,z(e.variableDefinitions,`
`),`
)`):B(`(`,z(e.variableDefinitions,`, `),`)`),n=z([B(``,e.description,`
`),z([e.operation,z([e.name,t]),z(e.directives,` `)],` `)]);return z([e.operation===`query`&&n.length===e.operation.length?``:z([n,` `]),e.selectionSet])},VariableDefinition:({variable:e,type:t,defaultValue:n,directives:r,description:i})=>z([B(``,i,`
`),e,`: `,t,B(` = `,n),B(` `,z(r,` `))]),SelectionSet:({selections:e})=>wt(e),Field({alias:e,name:t,arguments:n,directives:r,selectionSet:i}){return z([Et(z([B(``,e,`: `),t],``),n),B(` `,z(r,` `)),B(` `,i)])},Argument:({name:e,value:t})=>z([e,`: `,t]),FragmentSpread:({name:e,directives:t})=>z([`...`,e,B(` `,z(t,` `))]),InlineFragment:({typeCondition:e,directives:t,selectionSet:n})=>z([`...`,B(`on `,e),z(t,` `),n],` `),FragmentDefinition:({name:e,typeCondition:t,variableDefinitions:n,directives:r,selectionSet:i,description:a})=>z([B(``,a,`
`),`fragment `,e,B(`(`,z(n,`, `),`)`),` on `,t,` `,B(``,z(r,` `),` `),i]),IntValue:({value:e})=>new yt(e),FloatValue:({value:e})=>new yt(e),StringValue:({value:e,block:t})=>new yt(t===!0?me(e):dt(e),t===!0),BooleanValue:({value:e})=>new yt(e?`true`:`false`),NullValue:()=>new yt(`null`),EnumValue:({value:e})=>new yt(e),ListValue:({values:e})=>z([`[`,z(e,`, `),`]`]),ObjectValue:({fields:e})=>z([`{`,z(e,`, `),`}`]),ObjectField:({name:e,value:t})=>z([e,`: `,t]),Directive:({name:e,arguments:t})=>z([`@`,e,B(`(`,z(t,`, `),`)`)]),NamedType:({name:e})=>e,ListType:({type:e})=>z([`[`,e,`]`]),NonNullType:({type:e})=>z([e,`!`]),SchemaDefinition:({description:e,directives:t,operationTypes:n})=>z([B(``,e,`
`),z([`schema`,z(t,` `),wt(n)],` `)]),OperationTypeDefinition:({operation:e,type:t})=>z([e,`: `,t]),ScalarTypeDefinition:({description:e,name:t,directives:n})=>z([B(``,e,`
`),z([`scalar`,t,z(n,` `)],` `)]),ObjectTypeDefinition:({description:e,name:t,interfaces:n,directives:r,fields:i})=>z([B(``,e,`
`),z([`type`,t,B(`implements `,z(n,` & `)),z(r,` `),wt(i)],` `)]),FieldDefinition:({description:e,name:t,arguments:n,type:r,directives:i})=>z([B(``,e,`
`),t,Tt(n)?B(`(
`,z(n,`
`).indent(),`
)`):B(`(`,z(n,`, `),`)`),`: `,r,B(` `,z(i,` `))]),InputValueDefinition:({description:e,name:t,type:n,defaultValue:r,directives:i})=>z([B(``,e,`
`),t,`: `,n,B(` = `,r),B(` `,z(i,` `))]),InterfaceTypeDefinition:({description:e,name:t,interfaces:n,directives:r,fields:i})=>z([B(``,e,`
`),z([`interface`,t,B(`implements `,z(n,` & `)),z(r,` `),wt(i)],` `)]),UnionTypeDefinition:({description:e,name:t,directives:n,types:r})=>z([B(``,e,`
`),z([`union`,t,z(n,` `),B(`= `,z(r,` | `))],` `)]),EnumTypeDefinition:({description:e,name:t,directives:n,values:r})=>z([B(``,e,`
`),z([`enum`,t,z(n,` `),wt(r)],` `)]),EnumValueDefinition:({description:e,name:t,directives:n})=>z([B(``,e,`
`),z([t,z(n,` `)],` `)]),InputObjectTypeDefinition:({description:e,name:t,directives:n,fields:r})=>z([B(``,e,`
`),z([`input`,t,z(n,` `),wt(r)],` `)]),DirectiveDefinition:({description:e,name:t,arguments:n,directives:r,repeatable:i,locations:a})=>z([B(``,e,`
`),`directive @`,t,Tt(n)?B(`(
`,z(n,`
`).indent(),`
)`):B(`(`,z(n,`, `),`)`),B(` `,z(r,` `)),i?` repeatable`:``,` on `,z(a,` | `)]),SchemaExtension:({directives:e,operationTypes:t})=>z([`extend schema`,z(e,` `),wt(t)],` `),ScalarTypeExtension:({name:e,directives:t})=>z([`extend scalar`,e,z(t,` `)],` `),ObjectTypeExtension:({name:e,interfaces:t,directives:n,fields:r})=>z([`extend type`,e,B(`implements `,z(t,` & `)),z(n,` `),wt(r)],` `),InterfaceTypeExtension:({name:e,interfaces:t,directives:n,fields:r})=>z([`extend interface`,e,B(`implements `,z(t,` & `)),z(n,` `),wt(r)],` `),UnionTypeExtension:({name:e,directives:t,types:n})=>z([`extend union`,e,z(t,` `),B(`= `,z(n,` | `))],` `),EnumTypeExtension:({name:e,directives:t,values:n})=>z([`extend enum`,e,z(t,` `),wt(n)],` `),InputObjectTypeExtension:({name:e,directives:t,fields:n})=>z([`extend input`,e,z(t,` `),wt(n)],` `),DirectiveExtension:({name:e,directives:t})=>z([z([`extend directive @`,e]),z(t,` `)],` `),TypeCoordinate:({name:e})=>e,MemberCoordinate:({name:e,memberName:t})=>z([e,B(`.`,t)]),ArgumentCoordinate:({name:e,fieldName:t,argumentName:n})=>z([e,B(`.`,t),B(`(`,n,`:)`)]),DirectiveCoordinate:({name:e})=>z([`@`,e]),DirectiveArgumentCoordinate:({name:e,argumentName:t})=>z([`@`,e,B(`(`,t,`:)`)])};function z(e,t=``){if(e==null||e.length===0)return bt;let n=bt;for(let r of e)r!==void 0&&r.length!==0&&(n.length===0?n=typeof r==`string`?new yt(r):r:(t!==``&&n.append(t),n.append(r)));return n}function Ct(e,t){let n=0;for(let r of e)r.length!==0&&(n+=(n===0?0:t.length)+r.length);return n}function wt(e){return B(`{
`,z(e,`
`).indent(),`
}`)}function B(e,t,n=``){return t!=null&&t.length!==0?e===``?t.append(n):new yt(e).append(t).append(n):bt}function Tt(e){return e?.some(e=>e.newlines!==0)??!1}function Et(e,t){return t==null||t.length===0?e:z([e,e.length+Ct(t,`, `)+2>vt?B(`(
`,z(t,`
`).indent(),`
)`):B(`(`,z(t,`, `),`)`)])}function Dt(e,t){switch(e.kind){case I.NULL:return null;case I.INT:return parseInt(e.value,10);case I.FLOAT:return parseFloat(e.value);case I.STRING:case I.ENUM:case I.BOOLEAN:return e.value;case I.LIST:return e.values.map(e=>Dt(e,t));case I.OBJECT:return tt(e.fields,e=>e.name.value,e=>Dt(e.value,t));case I.VARIABLE:return t?.[e.name.value]}}function Ot(e){if(e??w(!1,`Must provide name.`),typeof e==`string`||w(!1,`Expected name to be a string.`),e.length===0)throw new M(`Expected name to be a non-empty string.`);for(let t=1;t<e.length;++t)if(!ue(e.charCodeAt(t)))throw new M(`Names must only contain [_a-zA-Z0-9] but "${e}" does not.`);if(!le(e.charCodeAt(0)))throw new M(`Names must start with [_a-zA-Z] but "${e}" does not.`);return e}function kt(e){if(e===`true`||e===`false`||e===`null`)throw new M(`Enum values cannot be named: ${e}`);return Ot(e)}function At(e){return jt(e)||Mt(e)||Pt(e)||It(e)||Lt(e)||Rt(e)||zt(e)||Bt(e)}function jt(e){return Ue(e,tn)}function Mt(e){return Ue(e,nn)}function Nt(e){if(!Mt(e))throw Error(`Expected ${R(e)} to be a GraphQL Object type.`);return e}function Pt(e){return Ue(e,dn)}function Ft(e){if(!Pt(e))throw Error(`Expected ${R(e)} to be a GraphQL Interface type.`);return e}function It(e){return Ue(e,fn)}function Lt(e){return Ue(e,mn)}function Rt(e){return Ue(e,_n)}function zt(e){return Ue(e,Kt)}function Bt(e){return Ue(e,V)}function Vt(e){return jt(e)||Lt(e)||Rt(e)||qt(e)&&Vt(e.ofType)}function Ht(e){return jt(e)||Mt(e)||Pt(e)||It(e)||Lt(e)||qt(e)&&Ht(e.ofType)}function Ut(e){return jt(e)||Lt(e)}function Wt(e){return Mt(e)||Pt(e)||It(e)}function Gt(e){return Pt(e)||It(e)}var Kt=class{constructor(e){At(e)||w(!1,`Expected ${R(e)} to be a GraphQL type.`),this.ofType=e}get[Symbol.toStringTag](){return`GraphQLList`}toString(){return`[`+String(this.ofType)+`]`}toJSON(){return this.toString()}},V=class{constructor(e){Jt(e)||w(!1,`Expected ${R(e)} to be a GraphQL nullable type.`),this.ofType=e}get[Symbol.toStringTag](){return`GraphQLNonNull`}toString(){return String(this.ofType)+`!`}toJSON(){return this.toString()}};function qt(e){return zt(e)||Bt(e)}function Jt(e){return At(e)&&!Bt(e)}function Yt(e){if(!Jt(e))throw Error(`Expected ${R(e)} to be a GraphQL nullable type.`);return e}function Xt(e){if(e)return Bt(e)?e.ofType:e}function Zt(e){return jt(e)||Mt(e)||Pt(e)||It(e)||Lt(e)||Rt(e)}function Qt(e){if(e){let t=e;for(;qt(t);)t=t.ofType;return t}}function $t(e){return typeof e==`function`?e():e}function en(e){return typeof e==`function`?e():e}var tn=class{constructor(e){let t=e.parseValue??$e;this.name=Ot(e.name),this.description=e.description,this.specifiedByURL=e.specifiedByURL,this.serialize=e.serialize??$e,this.parseValue=t,this.parseLiteral=e.parseLiteral??((e,n)=>t(Dt(e,n))),this.extensions=ut(e.extensions),this.astNode=e.astNode,this.extensionASTNodes=e.extensionASTNodes??[],e.specifiedByURL==null||typeof e.specifiedByURL==`string`||w(!1,`${this.name} must provide "specifiedByURL" as a string, but got: ${R(e.specifiedByURL)}.`),e.serialize==null||typeof e.serialize==`function`||w(!1,`${this.name} must provide "serialize" function. If this custom Scalar is also used as an input type, ensure "parseValue" and "parseLiteral" functions are also provided.`),e.parseLiteral&&(typeof e.parseValue==`function`&&typeof e.parseLiteral==`function`||w(!1,`${this.name} must provide both "parseValue" and "parseLiteral" functions.`))}get[Symbol.toStringTag](){return`GraphQLScalarType`}toConfig(){return{name:this.name,description:this.description,specifiedByURL:this.specifiedByURL,serialize:this.serialize,parseValue:this.parseValue,parseLiteral:this.parseLiteral,extensions:this.extensions,astNode:this.astNode,extensionASTNodes:this.extensionASTNodes}}toString(){return this.name}toJSON(){return this.toString()}},nn=class{constructor(e){this.name=Ot(e.name),this.description=e.description,this.isTypeOf=e.isTypeOf,this.extensions=ut(e.extensions),this.astNode=e.astNode,this.extensionASTNodes=e.extensionASTNodes??[],this._fields=()=>an(e),this._interfaces=()=>rn(e),e.isTypeOf==null||typeof e.isTypeOf==`function`||w(!1,`${this.name} must provide "isTypeOf" as a function, but got: ${R(e.isTypeOf)}.`)}get[Symbol.toStringTag](){return`GraphQLObjectType`}getFields(){return typeof this._fields==`function`&&(this._fields=this._fields()),this._fields}getInterfaces(){return typeof this._interfaces==`function`&&(this._interfaces=this._interfaces()),this._interfaces}toConfig(){return{name:this.name,description:this.description,interfaces:this.getInterfaces(),fields:cn(this.getFields()),isTypeOf:this.isTypeOf,extensions:this.extensions,astNode:this.astNode,extensionASTNodes:this.extensionASTNodes}}toString(){return this.name}toJSON(){return this.toString()}};function rn(e){let t=$t(e.interfaces??[]);return Array.isArray(t)||w(!1,`${e.name} interfaces must be an Array or a function which returns an Array.`),t}function an(e){let t=en(e.fields);return sn(t)||w(!1,`${e.name} fields must be an object with field names as keys or a function which returns such an object.`),nt(t,(t,n)=>{sn(t)||w(!1,`${e.name}.${n} field config must be an object.`),t.resolve==null||typeof t.resolve==`function`||w(!1,`${e.name}.${n} field resolver must be a function if provided, but got: ${R(t.resolve)}.`);let r=t.args??{};return sn(r)||w(!1,`${e.name}.${n} args must be an object with argument names as keys.`),{name:Ot(n),description:t.description,type:t.type,args:on(r),resolve:t.resolve,subscribe:t.subscribe,deprecationReason:t.deprecationReason,extensions:ut(t.extensions),astNode:t.astNode}})}function on(e){return Object.entries(e).map(([e,t])=>({name:Ot(e),description:t.description,type:t.type,defaultValue:t.defaultValue,deprecationReason:t.deprecationReason,extensions:ut(t.extensions),astNode:t.astNode}))}function sn(e){return T(e)&&!Array.isArray(e)}function cn(e){return nt(e,e=>({description:e.description,type:e.type,args:ln(e.args),resolve:e.resolve,subscribe:e.subscribe,deprecationReason:e.deprecationReason,extensions:e.extensions,astNode:e.astNode}))}function ln(e){return tt(e,e=>e.name,e=>({description:e.description,type:e.type,defaultValue:e.defaultValue,deprecationReason:e.deprecationReason,extensions:e.extensions,astNode:e.astNode}))}function un(e){return Bt(e.type)&&e.defaultValue===void 0}var dn=class{constructor(e){this.name=Ot(e.name),this.description=e.description,this.resolveType=e.resolveType,this.extensions=ut(e.extensions),this.astNode=e.astNode,this.extensionASTNodes=e.extensionASTNodes??[],this._fields=an.bind(void 0,e),this._interfaces=rn.bind(void 0,e),e.resolveType==null||typeof e.resolveType==`function`||w(!1,`${this.name} must provide "resolveType" as a function, but got: ${R(e.resolveType)}.`)}get[Symbol.toStringTag](){return`GraphQLInterfaceType`}getFields(){return typeof this._fields==`function`&&(this._fields=this._fields()),this._fields}getInterfaces(){return typeof this._interfaces==`function`&&(this._interfaces=this._interfaces()),this._interfaces}toConfig(){return{name:this.name,description:this.description,interfaces:this.getInterfaces(),fields:cn(this.getFields()),resolveType:this.resolveType,extensions:this.extensions,astNode:this.astNode,extensionASTNodes:this.extensionASTNodes}}toString(){return this.name}toJSON(){return this.toString()}},fn=class{constructor(e){this.name=Ot(e.name),this.description=e.description,this.resolveType=e.resolveType,this.extensions=ut(e.extensions),this.astNode=e.astNode,this.extensionASTNodes=e.extensionASTNodes??[],this._types=pn.bind(void 0,e),e.resolveType==null||typeof e.resolveType==`function`||w(!1,`${this.name} must provide "resolveType" as a function, but got: ${R(e.resolveType)}.`)}get[Symbol.toStringTag](){return`GraphQLUnionType`}getTypes(){return typeof this._types==`function`&&(this._types=this._types()),this._types}toConfig(){return{name:this.name,description:this.description,types:this.getTypes(),resolveType:this.resolveType,extensions:this.extensions,astNode:this.astNode,extensionASTNodes:this.extensionASTNodes}}toString(){return this.name}toJSON(){return this.toString()}};function pn(e){let t=$t(e.types);return Array.isArray(t)||w(!1,`Must provide Array of types or a function which returns such an array for Union ${e.name}.`),t}var mn=class{constructor(e){this.name=Ot(e.name),this.description=e.description,this.extensions=ut(e.extensions),this.astNode=e.astNode,this.extensionASTNodes=e.extensionASTNodes??[],this._values=typeof e.values==`function`?e.values:gn(this.name,e.values),this._valueLookup=null,this._nameLookup=null}get[Symbol.toStringTag](){return`GraphQLEnumType`}getValues(){return typeof this._values==`function`&&(this._values=gn(this.name,this._values())),this._values}getValue(e){return this._nameLookup===null&&(this._nameLookup=et(this.getValues(),e=>e.name)),this._nameLookup[e]}serialize(e){this._valueLookup===null&&(this._valueLookup=new Map(this.getValues().map(e=>[e.value,e])));let t=this._valueLookup.get(e);if(t===void 0)throw new M(`Enum "${this.name}" cannot represent value: ${R(e)}`);return t.name}parseValue(e,t){if(typeof e!=`string`){let n=R(e);throw new M(`Enum "${this.name}" cannot represent non-string value: ${n}.`+(t?``:hn(this,n)))}let n=this.getValue(e);if(n==null)throw new M(`Value "${e}" does not exist in "${this.name}" enum.`+(t?``:hn(this,e)));return n.value}parseLiteral(e,t,n){if(e.kind!==I.ENUM){let t=_t(e);throw new M(`Enum "${this.name}" cannot represent non-enum value: ${t}.`+(n?``:hn(this,t)),{nodes:e})}let r=this.getValue(e.value);if(r==null){let t=_t(e);throw new M(`Value "${t}" does not exist in "${this.name}" enum.`+(n?``:hn(this,t)),{nodes:e})}return r.value}toConfig(){let e=tt(this.getValues(),e=>e.name,e=>({description:e.description,value:e.value,deprecationReason:e.deprecationReason,extensions:e.extensions,astNode:e.astNode}));return{name:this.name,description:this.description,values:e,extensions:this.extensions,astNode:this.astNode,extensionASTNodes:this.extensionASTNodes}}toString(){return this.name}toJSON(){return this.toString()}};function hn(e,t){return Qe(`the enum value`,st(t,e.getValues().map(e=>e.name)))}function gn(e,t){return sn(t)||w(!1,`${e} values must be an object with value names as keys.`),Object.entries(t).map(([t,n])=>(sn(n)||w(!1,`${e}.${t} must refer to an object with a "value" key representing an internal value but got: ${R(n)}.`),{name:kt(t),description:n.description,value:n.value===void 0?t:n.value,deprecationReason:n.deprecationReason,extensions:ut(n.extensions),astNode:n.astNode}))}var _n=class{constructor(e){this.name=Ot(e.name),this.description=e.description,this.extensions=ut(e.extensions),this.astNode=e.astNode,this.extensionASTNodes=e.extensionASTNodes??[],this.isOneOf=e.isOneOf??!1,this._fields=vn.bind(void 0,e)}get[Symbol.toStringTag](){return`GraphQLInputObjectType`}getFields(){return typeof this._fields==`function`&&(this._fields=this._fields()),this._fields}toConfig(){let e=nt(this.getFields(),e=>({description:e.description,type:e.type,defaultValue:e.defaultValue,deprecationReason:e.deprecationReason,extensions:e.extensions,astNode:e.astNode}));return{name:this.name,description:this.description,fields:e,extensions:this.extensions,astNode:this.astNode,extensionASTNodes:this.extensionASTNodes,isOneOf:this.isOneOf}}toString(){return this.name}toJSON(){return this.toString()}};function vn(e){let t=en(e.fields);return sn(t)||w(!1,`${e.name} fields must be an object with field names as keys or a function which returns such an object.`),nt(t,(t,n)=>(!(`resolve`in t)||w(!1,`${e.name}.${n} field has a resolve property, but Input Types cannot define resolvers.`),{name:Ot(n),description:t.description,type:t.type,defaultValue:t.defaultValue,deprecationReason:t.deprecationReason,extensions:ut(t.extensions),astNode:t.astNode}))}function yn(e){return Bt(e.type)&&e.defaultValue===void 0}function bn(e,t){return e===t?!0:Bt(e)&&Bt(t)||zt(e)&&zt(t)?bn(e.ofType,t.ofType):!1}function xn(e,t,n){return t===n?!0:Bt(n)?Bt(t)?xn(e,t.ofType,n.ofType):!1:Bt(t)?xn(e,t.ofType,n):zt(n)?zt(t)?xn(e,t.ofType,n.ofType):!1:!zt(t)&&Gt(n)&&(Pt(t)||Mt(t))&&e.isSubType(n,t)}function Sn(e,t,n){return t===n?!0:Gt(t)?Gt(n)?e.getPossibleTypes(t).some(t=>e.isSubType(n,t)):e.isSubType(t,n):Gt(n)?e.isSubType(n,t):!1}var Cn=new tn({name:`Int`,description:"The `Int` scalar type represents non-fractional signed whole numeric values. Int can represent values between -(2^31) and 2^31 - 1.",serialize(e){let t=An(e);if(typeof t==`boolean`)return+!!t;let n=t;if(typeof t==`string`&&t!==``&&(n=Number(t)),typeof n!=`number`||!Number.isInteger(n))throw new M(`Int cannot represent non-integer value: ${R(t)}`);if(n>0x7fffffff||n<-0x80000000)throw new M(`Int cannot represent non 32-bit signed integer value: `+R(t));return n},parseValue(e){if(typeof e!=`number`||!Number.isInteger(e))throw new M(`Int cannot represent non-integer value: ${R(e)}`);if(e>0x7fffffff||e<-0x80000000)throw new M(`Int cannot represent non 32-bit signed integer value: ${e}`);return e},parseLiteral(e){if(e.kind!==I.INT)throw new M(`Int cannot represent non-integer value: ${_t(e)}`,{nodes:e});let t=parseInt(e.value,10);if(t>0x7fffffff||t<-0x80000000)throw new M(`Int cannot represent non 32-bit signed integer value: ${e.value}`,{nodes:e});return t}}),wn=new tn({name:`Float`,description:"The `Float` scalar type represents signed double-precision fractional values as specified by [IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point).",serialize(e){let t=An(e);if(typeof t==`boolean`)return+!!t;let n=t;if(typeof t==`string`&&t!==``&&(n=Number(t)),typeof n!=`number`||!Number.isFinite(n))throw new M(`Float cannot represent non numeric value: ${R(t)}`);return n},parseValue(e){if(typeof e!=`number`||!Number.isFinite(e))throw new M(`Float cannot represent non numeric value: ${R(e)}`);return e},parseLiteral(e){if(e.kind!==I.FLOAT&&e.kind!==I.INT)throw new M(`Float cannot represent non numeric value: ${_t(e)}`,e);return parseFloat(e.value)}}),Tn=new tn({name:`String`,description:"The `String` scalar type represents textual data, represented as UTF-8 character sequences. The String type is most often used by GraphQL to represent free-form human-readable text.",serialize(e){let t=An(e);if(typeof t==`string`)return t;if(typeof t==`boolean`)return t?`true`:`false`;if(typeof t==`number`&&Number.isFinite(t))return t.toString();throw new M(`String cannot represent value: ${R(e)}`)},parseValue(e){if(typeof e!=`string`)throw new M(`String cannot represent a non string value: ${R(e)}`);return e},parseLiteral(e){if(e.kind!==I.STRING)throw new M(`String cannot represent a non string value: ${_t(e)}`,{nodes:e});return e.value}}),En=new tn({name:`Boolean`,description:"The `Boolean` scalar type represents `true` or `false`.",serialize(e){let t=An(e);if(typeof t==`boolean`)return t;if(Number.isFinite(t))return t!==0;throw new M(`Boolean cannot represent a non boolean value: ${R(t)}`)},parseValue(e){if(typeof e!=`boolean`)throw new M(`Boolean cannot represent a non boolean value: ${R(e)}`);return e},parseLiteral(e){if(e.kind!==I.BOOLEAN)throw new M(`Boolean cannot represent a non boolean value: ${_t(e)}`,{nodes:e});return e.value}}),Dn=new tn({name:`ID`,description:'The `ID` scalar type represents a unique identifier, often used to refetch an object or as key for a cache. The ID type appears in a JSON response as a String; however, it is not intended to be human-readable. When expected as an input type, any string (such as `"4"`) or integer (such as `4`) input value will be accepted as an ID.',serialize(e){let t=An(e);if(typeof t==`string`)return t;if(Number.isInteger(t))return String(t);throw new M(`ID cannot represent value: ${R(e)}`)},parseValue(e){if(typeof e==`string`)return e;if(typeof e==`number`&&Number.isInteger(e))return e.toString();throw new M(`ID cannot represent value: ${R(e)}`)},parseLiteral(e){if(e.kind!==I.STRING&&e.kind!==I.INT)throw new M(`ID cannot represent a non-string and non-integer value: `+_t(e),{nodes:e});return e.value}}),On=Object.freeze([Tn,Cn,wn,En,Dn]);function kn(e){return On.some(({name:t})=>e.name===t)}function An(e){if(T(e)){if(typeof e.valueOf==`function`){let t=e.valueOf();if(!T(t))return t}if(typeof e.toJSON==`function`)return e.toJSON()}return e}function jn(e){return Ue(e,Mn)}var Mn=class{constructor(e){this.name=Ot(e.name),this.description=e.description,this.locations=e.locations,this.isRepeatable=e.isRepeatable??!1,this.deprecationReason=e.deprecationReason,this.extensions=ut(e.extensions),this.astNode=e.astNode,this.extensionASTNodes=e.extensionASTNodes??[],Array.isArray(e.locations)||w(!1,`@${e.name} locations must be an Array.`);let t=e.args??{};T(t)&&!Array.isArray(t)||w(!1,`@${e.name} args must be an object with argument names as keys.`),this.args=on(t)}get[Symbol.toStringTag](){return`GraphQLDirective`}toConfig(){return{name:this.name,description:this.description,locations:this.locations,args:ln(this.args),isRepeatable:this.isRepeatable,deprecationReason:this.deprecationReason,extensions:this.extensions,astNode:this.astNode,extensionASTNodes:this.extensionASTNodes}}toString(){return`@`+this.name}toJSON(){return this.toString()}},Nn=new Mn({name:`include`,description:"Directs the executor to include this field or fragment only when the `if` argument is true.",locations:[F.FIELD,F.FRAGMENT_SPREAD,F.INLINE_FRAGMENT],args:{if:{type:new V(En),description:`Included when true.`}}}),Pn=new Mn({name:`skip`,description:"Directs the executor to skip this field or fragment when the `if` argument is true.",locations:[F.FIELD,F.FRAGMENT_SPREAD,F.INLINE_FRAGMENT],args:{if:{type:new V(En),description:`Skipped when true.`}}}),Fn=new Mn({name:`deprecated`,description:`Marks an element of a GraphQL schema as no longer supported.`,locations:[F.FIELD_DEFINITION,F.ARGUMENT_DEFINITION,F.INPUT_FIELD_DEFINITION,F.ENUM_VALUE,F.DIRECTIVE_DEFINITION],args:{reason:{type:Tn,description:`Explains why this element was deprecated, usually also including a suggestion for how to access supported similar data. Formatted using the Markdown syntax, as specified by [CommonMark](https://commonmark.org/).`,defaultValue:`No longer supported`}}}),In=new Mn({name:`specifiedBy`,description:`Exposes a URL that specifies the behavior of this scalar.`,locations:[F.SCALAR],args:{url:{type:new V(Tn),description:`The URL that specifies the behavior of this scalar.`}}}),Ln=new Mn({name:`oneOf`,description:"Indicates exactly one field must be supplied and this field must not be `null`.",locations:[F.INPUT_OBJECT],args:{}}),Rn=Object.freeze([Nn,Pn,Fn,In,Ln]);function zn(e){return Rn.some(({name:t})=>t===e.name)}function Bn(e,t){if(!e)throw Error(t??`Unexpected invariant triggered.`)}function Vn(e){return typeof e==`object`&&typeof e?.[Symbol.iterator]==`function`}function Hn(e,t){if(Bt(t)){let n=Hn(e,t.ofType);return n?.kind===I.NULL?null:n}if(e===null)return{kind:I.NULL};if(e===void 0)return null;if(zt(t)){let n=t.ofType;if(Vn(e)){let t=[];for(let r of e){let e=Hn(r,n);e!=null&&t.push(e)}return{kind:I.LIST,values:t}}return Hn(e,n)}if(Rt(t)){if(!T(e))return null;let n=[];for(let r of Object.values(t.getFields())){let t=Hn(e[r.name],r.type);t&&n.push({kind:I.OBJECT_FIELD,name:{kind:I.NAME,value:r.name},value:t})}return{kind:I.OBJECT,fields:n}}if(Ut(t)){let n=t.serialize(e);if(n==null)return null;if(typeof n==`boolean`)return{kind:I.BOOLEAN,value:n};if(typeof n==`number`&&Number.isFinite(n)){let e=String(n);return Un.test(e)?{kind:I.INT,value:e}:{kind:I.FLOAT,value:e}}if(typeof n==`string`)return Lt(t)?{kind:I.ENUM,value:n}:t===Dn&&Un.test(n)?{kind:I.INT,value:n}:{kind:I.STRING,value:n};throw TypeError(`Cannot convert value to AST: ${R(n)}.`)}Bn(!1,`Unexpected input type: `+R(t))}var Un=/^-?(?:0|[1-9][0-9]*)$/,Wn=new nn({name:`__Schema`,description:`A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all available types and directives on the server, as well as the entry points for query, mutation, and subscription operations.`,fields:()=>({description:{type:Tn,resolve:e=>e.description},types:{description:`A list of all types supported by this server.`,type:new V(new Kt(new V(qn))),resolve(e){return Object.values(e.getTypeMap())}},queryType:{description:`The type that query operations will be rooted at.`,type:new V(qn),resolve:e=>e.getQueryType()},mutationType:{description:`If this server supports mutation, the type that mutation operations will be rooted at.`,type:qn,resolve:e=>e.getMutationType()},subscriptionType:{description:`If this server support subscription, the type that subscription operations will be rooted at.`,type:qn,resolve:e=>e.getSubscriptionType()},directives:{description:`A list of all directives supported by this server.`,type:new V(new Kt(new V(Gn))),args:{includeDeprecated:{type:new V(En),defaultValue:!1}},resolve:(e,{includeDeprecated:t})=>t?e.getDirectives():e.getDirectives().filter(e=>e.deprecationReason==null)}})}),Gn=new nn({name:`__Directive`,description:`A Directive provides a way to describe alternate runtime execution and type validation behavior in a GraphQL document.

In some cases, you need to provide options to alter GraphQL's execution behavior in ways field arguments will not suffice, such as conditionally including or skipping a field. Directives provide this by describing additional information to the executor.`,fields:()=>({name:{type:new V(Tn),resolve:e=>e.name},description:{type:Tn,resolve:e=>e.description},isRepeatable:{type:new V(En),resolve:e=>e.isRepeatable},locations:{type:new V(new Kt(new V(Kn))),resolve:e=>e.locations},args:{type:new V(new Kt(new V(Yn))),args:{includeDeprecated:{type:En,defaultValue:!1}},resolve(e,{includeDeprecated:t}){return t?e.args:e.args.filter(e=>e.deprecationReason==null)}},isDeprecated:{type:new V(En),resolve:e=>e.deprecationReason!=null},deprecationReason:{type:Tn,resolve:e=>e.deprecationReason}})}),Kn=new mn({name:`__DirectiveLocation`,description:`A Directive can be adjacent to many parts of the GraphQL language, a __DirectiveLocation describes one such possible adjacencies.`,values:{QUERY:{value:F.QUERY,description:`Location adjacent to a query operation.`},MUTATION:{value:F.MUTATION,description:`Location adjacent to a mutation operation.`},SUBSCRIPTION:{value:F.SUBSCRIPTION,description:`Location adjacent to a subscription operation.`},FIELD:{value:F.FIELD,description:`Location adjacent to a field.`},FRAGMENT_DEFINITION:{value:F.FRAGMENT_DEFINITION,description:`Location adjacent to a fragment definition.`},FRAGMENT_SPREAD:{value:F.FRAGMENT_SPREAD,description:`Location adjacent to a fragment spread.`},INLINE_FRAGMENT:{value:F.INLINE_FRAGMENT,description:`Location adjacent to an inline fragment.`},VARIABLE_DEFINITION:{value:F.VARIABLE_DEFINITION,description:`Location adjacent to a variable definition.`},SCHEMA:{value:F.SCHEMA,description:`Location adjacent to a schema definition.`},SCALAR:{value:F.SCALAR,description:`Location adjacent to a scalar definition.`},OBJECT:{value:F.OBJECT,description:`Location adjacent to an object type definition.`},FIELD_DEFINITION:{value:F.FIELD_DEFINITION,description:`Location adjacent to a field definition.`},ARGUMENT_DEFINITION:{value:F.ARGUMENT_DEFINITION,description:`Location adjacent to an argument definition.`},INTERFACE:{value:F.INTERFACE,description:`Location adjacent to an interface definition.`},UNION:{value:F.UNION,description:`Location adjacent to a union definition.`},ENUM:{value:F.ENUM,description:`Location adjacent to an enum definition.`},ENUM_VALUE:{value:F.ENUM_VALUE,description:`Location adjacent to an enum value definition.`},INPUT_OBJECT:{value:F.INPUT_OBJECT,description:`Location adjacent to an input object type definition.`},INPUT_FIELD_DEFINITION:{value:F.INPUT_FIELD_DEFINITION,description:`Location adjacent to an input object field definition.`},DIRECTIVE_DEFINITION:{value:F.DIRECTIVE_DEFINITION,description:`Location adjacent to a directive definition.`}}}),qn=new nn({name:`__Type`,description:"The fundamental unit of any GraphQL Schema is the type. There are many kinds of types in GraphQL as represented by the `__TypeKind` enum.\n\nDepending on the kind of a type, certain fields describe information about that type. Scalar types provide no information beyond a name, description and optional `specifiedByURL`, while Enum types provide their values. Object and Interface types provide the fields they describe. Abstract types, Union and Interface, provide the Object types possible at runtime. List and NonNull types compose other types.",fields:()=>({kind:{type:new V(Qn),resolve(e){if(jt(e))return Zn.SCALAR;if(Mt(e))return Zn.OBJECT;if(Pt(e))return Zn.INTERFACE;if(It(e))return Zn.UNION;if(Lt(e))return Zn.ENUM;if(Rt(e))return Zn.INPUT_OBJECT;if(zt(e))return Zn.LIST;if(Bt(e))return Zn.NON_NULL;Bn(!1,`Unexpected type: "${R(e)}".`)}},name:{type:Tn,resolve:e=>`name`in e?e.name:void 0},description:{type:Tn,resolve:e=>`description`in e?e.description:void 0},specifiedByURL:{type:Tn,resolve:e=>`specifiedByURL`in e?e.specifiedByURL:void 0},fields:{type:new Kt(new V(Jn)),args:{includeDeprecated:{type:En,defaultValue:!1}},resolve(e,{includeDeprecated:t}){if(Mt(e)||Pt(e)){let n=Object.values(e.getFields());return t?n:n.filter(e=>e.deprecationReason==null)}}},interfaces:{type:new Kt(new V(qn)),resolve(e){if(Mt(e)||Pt(e))return e.getInterfaces()}},possibleTypes:{type:new Kt(new V(qn)),resolve(e,t,n,{schema:r}){if(Gt(e))return r.getPossibleTypes(e)}},enumValues:{type:new Kt(new V(Xn)),args:{includeDeprecated:{type:En,defaultValue:!1}},resolve(e,{includeDeprecated:t}){if(Lt(e)){let n=e.getValues();return t?n:n.filter(e=>e.deprecationReason==null)}}},inputFields:{type:new Kt(new V(Yn)),args:{includeDeprecated:{type:En,defaultValue:!1}},resolve(e,{includeDeprecated:t}){if(Rt(e)){let n=Object.values(e.getFields());return t?n:n.filter(e=>e.deprecationReason==null)}}},ofType:{type:qn,resolve:e=>`ofType`in e?e.ofType:void 0},isOneOf:{type:En,resolve:e=>{if(Rt(e))return e.isOneOf}}})}),Jn=new nn({name:`__Field`,description:`Object and Interface types are described by a list of Fields, each of which has a name, potentially a list of arguments, and a return type.`,fields:()=>({name:{type:new V(Tn),resolve:e=>e.name},description:{type:Tn,resolve:e=>e.description},args:{type:new V(new Kt(new V(Yn))),args:{includeDeprecated:{type:En,defaultValue:!1}},resolve(e,{includeDeprecated:t}){return t?e.args:e.args.filter(e=>e.deprecationReason==null)}},type:{type:new V(qn),resolve:e=>e.type},isDeprecated:{type:new V(En),resolve:e=>e.deprecationReason!=null},deprecationReason:{type:Tn,resolve:e=>e.deprecationReason}})}),Yn=new nn({name:`__InputValue`,description:`Arguments provided to Fields or Directives and the input fields of an InputObject are represented as Input Values which describe their type and optionally a default value.`,fields:()=>({name:{type:new V(Tn),resolve:e=>e.name},description:{type:Tn,resolve:e=>e.description},type:{type:new V(qn),resolve:e=>e.type},defaultValue:{type:Tn,description:`A GraphQL-formatted string representing the default value for this input value.`,resolve(e){let{type:t,defaultValue:n}=e,r=Hn(n,t);return r?gt(r):null}},isDeprecated:{type:new V(En),resolve:e=>e.deprecationReason!=null},deprecationReason:{type:Tn,resolve:e=>e.deprecationReason}})}),Xn=new nn({name:`__EnumValue`,description:`One possible value for a given Enum. Enum values are unique values, not a placeholder for a string or numeric value. However an Enum value is returned in a JSON response as a string.`,fields:()=>({name:{type:new V(Tn),resolve:e=>e.name},description:{type:Tn,resolve:e=>e.description},isDeprecated:{type:new V(En),resolve:e=>e.deprecationReason!=null},deprecationReason:{type:Tn,resolve:e=>e.deprecationReason}})}),Zn;(function(e){e.SCALAR=`SCALAR`,e.OBJECT=`OBJECT`,e.INTERFACE=`INTERFACE`,e.UNION=`UNION`,e.ENUM=`ENUM`,e.INPUT_OBJECT=`INPUT_OBJECT`,e.LIST=`LIST`,e.NON_NULL=`NON_NULL`})(Zn||={});var Qn=new mn({name:`__TypeKind`,description:"An enum describing what kind of type a given `__Type` is.",values:{SCALAR:{value:Zn.SCALAR,description:`Indicates this type is a scalar.`},OBJECT:{value:Zn.OBJECT,description:"Indicates this type is an object. `fields` and `interfaces` are valid fields."},INTERFACE:{value:Zn.INTERFACE,description:"Indicates this type is an interface. `fields`, `interfaces`, and `possibleTypes` are valid fields."},UNION:{value:Zn.UNION,description:"Indicates this type is a union. `possibleTypes` is a valid field."},ENUM:{value:Zn.ENUM,description:"Indicates this type is an enum. `enumValues` is a valid field."},INPUT_OBJECT:{value:Zn.INPUT_OBJECT,description:"Indicates this type is an input object. `inputFields` is a valid field."},LIST:{value:Zn.LIST,description:"Indicates this type is a list. `ofType` is a valid field."},NON_NULL:{value:Zn.NON_NULL,description:"Indicates this type is a non-null. `ofType` is a valid field."}}}),$n={name:`__schema`,type:new V(Wn),description:`Access the current type schema of this server.`,args:[],resolve:(e,t,n,{schema:r})=>r,deprecationReason:void 0,extensions:Object.create(null),astNode:void 0},er={name:`__type`,type:qn,description:`Request the type information of a single type.`,args:[{name:`name`,description:void 0,type:new V(Tn),defaultValue:void 0,deprecationReason:void 0,extensions:Object.create(null),astNode:void 0}],resolve:(e,{name:t},n,{schema:r})=>r.getType(t),deprecationReason:void 0,extensions:Object.create(null),astNode:void 0},tr={name:`__typename`,type:new V(Tn),description:`The name of the current Object type at runtime.`,args:[],resolve:(e,t,n,{parentType:r})=>r.name,deprecationReason:void 0,extensions:Object.create(null),astNode:void 0},nr=Object.freeze([Wn,Gn,Kn,qn,Jn,Yn,Xn,Qn]);function rr(e){return nr.some(({name:t})=>e.name===t)}function ir(e){return Ue(e,or)}function ar(e){if(!ir(e))throw Error(`Expected ${R(e)} to be a GraphQL schema.`);return e}var or=class{constructor(e){this.__validationErrors=e.assumeValid===!0?[]:void 0,T(e)||w(!1,`Must provide configuration object.`),!e.types||Array.isArray(e.types)||w(!1,`"types" must be Array if provided but got: ${R(e.types)}.`),!e.directives||Array.isArray(e.directives)||w(!1,`"directives" must be Array if provided but got: ${R(e.directives)}.`),this.description=e.description,this.extensions=ut(e.extensions),this.astNode=e.astNode,this.extensionASTNodes=e.extensionASTNodes??[],this._queryType=e.query,this._mutationType=e.mutation,this._subscriptionType=e.subscription,this._directives=e.directives??Rn;let t=new Set(e.types);if(e.types!=null)for(let n of e.types)t.delete(n),sr(n,t);this._queryType!=null&&sr(this._queryType,t),this._mutationType!=null&&sr(this._mutationType,t),this._subscriptionType!=null&&sr(this._subscriptionType,t);for(let e of this._directives)if(jn(e))for(let n of e.args)sr(n.type,t);sr(Wn,t),this._typeMap=Object.create(null),this._subTypeMap=Object.create(null),this._implementationsMap=Object.create(null);for(let e of t){if(e==null)continue;let t=e.name;if(t||w(!1,`One of the provided types for building the Schema is missing a name.`),this._typeMap[t]!==void 0)throw Error(`Schema must contain uniquely named types but contains multiple types named "${t}".`);if(this._typeMap[t]=e,Pt(e)){for(let t of e.getInterfaces())if(Pt(t)){let n=this._implementationsMap[t.name];n===void 0&&(n=this._implementationsMap[t.name]={objects:[],interfaces:[]}),n.interfaces.push(e)}}else if(Mt(e)){for(let t of e.getInterfaces())if(Pt(t)){let n=this._implementationsMap[t.name];n===void 0&&(n=this._implementationsMap[t.name]={objects:[],interfaces:[]}),n.objects.push(e)}}}}get[Symbol.toStringTag](){return`GraphQLSchema`}getQueryType(){return this._queryType}getMutationType(){return this._mutationType}getSubscriptionType(){return this._subscriptionType}getRootType(e){switch(e){case ae.QUERY:return this.getQueryType();case ae.MUTATION:return this.getMutationType();case ae.SUBSCRIPTION:return this.getSubscriptionType()}}getTypeMap(){return this._typeMap}getType(e){return this.getTypeMap()[e]}getPossibleTypes(e){return It(e)?e.getTypes():this.getImplementations(e).objects}getImplementations(e){return this._implementationsMap[e.name]??{objects:[],interfaces:[]}}isSubType(e,t){let n=this._subTypeMap[e.name];if(n===void 0){if(n=Object.create(null),It(e))for(let t of e.getTypes())n[t.name]=!0;else{let t=this.getImplementations(e);for(let e of t.objects)n[e.name]=!0;for(let e of t.interfaces)n[e.name]=!0}this._subTypeMap[e.name]=n}return n[t.name]!==void 0}getDirectives(){return this._directives}getDirective(e){return this.getDirectives().find(t=>t.name===e)}toConfig(){return{description:this.description,query:this.getQueryType(),mutation:this.getMutationType(),subscription:this.getSubscriptionType(),types:Object.values(this.getTypeMap()),directives:this.getDirectives(),extensions:this.extensions,astNode:this.astNode,extensionASTNodes:this.extensionASTNodes,assumeValid:this.__validationErrors!==void 0}}};function sr(e,t){let n=Qt(e);if(!t.has(n)){if(t.add(n),It(n))for(let e of n.getTypes())sr(e,t);else if(Mt(n)||Pt(n)){for(let e of n.getInterfaces())sr(e,t);for(let e of Object.values(n.getFields())){sr(e.type,t);for(let n of e.args)sr(n.type,t)}}else if(Rt(n))for(let e of Object.values(n.getFields()))sr(e.type,t)}return t}function cr(e){if(ar(e),e.__validationErrors)return e.__validationErrors;let t=new lr(e);ur(t),fr(t),mr(t);let n=t.getErrors();return e.__validationErrors=n,n}var lr=class{constructor(e){this._errors=[],this.schema=e}reportError(e,t){let n=Array.isArray(t)?t.filter(Boolean):t;this._errors.push(new M(e,{nodes:n}))}getErrors(){return this._errors}};function ur(e){let t=e.schema,n=t.getQueryType();n?Mt(n)||e.reportError(`Query root type must be Object type, it cannot be ${R(n)}.`,dr(t,ae.QUERY)??n.astNode):e.reportError(`Query root type must be provided.`,t.astNode);let r=t.getMutationType();r&&!Mt(r)&&e.reportError(`Mutation root type must be Object type if provided, it cannot be ${R(r)}.`,dr(t,ae.MUTATION)??r.astNode);let i=t.getSubscriptionType();i&&!Mt(i)&&e.reportError(`Subscription root type must be Object type if provided, it cannot be ${R(i)}.`,dr(t,ae.SUBSCRIPTION)??i.astNode)}function dr(e,t){return[e.astNode,...e.extensionASTNodes].flatMap(e=>e?.operationTypes??[]).find(e=>e.operation===t)?.type}function fr(e){for(let t of e.schema.getDirectives())if(!jn(t))e.reportError(`Expected directive but got: ${R(t)}.`,t?.astNode);else{pr(e,t),t.locations.length===0&&e.reportError(`Directive @${t.name} must include 1 or more locations.`,t.astNode);for(let n of t.args)pr(e,n),Vt(n.type)||e.reportError(`The type of @${t.name}(${n.name}:) must be Input Type but got: ${R(n.type)}.`,n.astNode),un(n)&&n.deprecationReason!=null&&e.reportError(`Required argument @${t.name}(${n.name}:) cannot be deprecated.`,[Er(n.astNode),n.astNode?.type])}}function pr(e,t){t.name.startsWith(`__`)&&e.reportError(`Name "${t.name}" must not begin with "__", which is reserved by GraphQL introspection.`,t.astNode)}function mr(e){let t=Cr(e),n=e.schema.getTypeMap();for(let r of Object.values(n))Zt(r)?(rr(r)||pr(e,r),Mt(r)||Pt(r)?(hr(e,r),gr(e,r)):It(r)?yr(e,r):Lt(r)?br(e,r):Rt(r)&&(xr(e,r),t(r))):e.reportError(`Expected GraphQL named type but got: ${R(r)}.`,r.astNode)}function hr(e,t){let n=Object.values(t.getFields());n.length===0&&e.reportError(`Type ${t.name} must define one or more fields.`,[t.astNode,...t.extensionASTNodes]);for(let r of n){pr(e,r),Ht(r.type)||e.reportError(`The type of ${t.name}.${r.name} must be Output Type but got: ${R(r.type)}.`,r.astNode?.type);for(let n of r.args){let i=n.name;pr(e,n),Vt(n.type)||e.reportError(`The type of ${t.name}.${r.name}(${i}:) must be Input Type but got: ${R(n.type)}.`,n.astNode?.type),un(n)&&n.deprecationReason!=null&&e.reportError(`Required argument ${t.name}.${r.name}(${i}:) cannot be deprecated.`,[Er(n.astNode),n.astNode?.type])}}}function gr(e,t){let n=Object.create(null);for(let r of t.getInterfaces())Pt(r)?t===r?e.reportError(`Type ${t.name} cannot implement itself because it would create a circular reference.`,wr(t,r)):n[r.name]?e.reportError(`Type ${t.name} can only implement ${r.name} once.`,wr(t,r)):(n[r.name]=!0,vr(e,t,r),_r(e,t,r)):e.reportError(`Type ${R(t)} must only implement Interface types, it cannot implement ${R(r)}.`,wr(t,r))}function _r(e,t,n){let r=t.getFields();for(let i of Object.values(n.getFields())){let a=i.name,o=r[a];if(!o)e.reportError(`Interface field ${n.name}.${a} expected but ${t.name} does not provide it.`,[i.astNode,t.astNode,...t.extensionASTNodes]);else{xn(e.schema,o.type,i.type)||e.reportError(`Interface field ${n.name}.${a} expects type ${R(i.type)} but ${t.name}.${a} is type ${R(o.type)}.`,[i.astNode?.type,o.astNode?.type]);for(let r of i.args){let i=r.name,s=o.args.find(e=>e.name===i);s?bn(r.type,s.type)||e.reportError(`Interface field argument ${n.name}.${a}(${i}:) expects type ${R(r.type)} but ${t.name}.${a}(${i}:) is type ${R(s.type)}.`,[r.astNode?.type,s.astNode?.type]):e.reportError(`Interface field argument ${n.name}.${a}(${i}:) expected but ${t.name}.${a} does not provide it.`,[r.astNode,o.astNode])}for(let r of o.args){let o=r.name;!i.args.find(e=>e.name===o)&&un(r)&&e.reportError(`Object field ${t.name}.${a} includes required argument ${o} that is missing from the Interface field ${n.name}.${a}.`,[r.astNode,i.astNode])}}}}function vr(e,t,n){let r=t.getInterfaces();for(let i of n.getInterfaces())r.includes(i)||e.reportError(i===t?`Type ${t.name} cannot implement ${n.name} because it would create a circular reference.`:`Type ${t.name} must implement ${i.name} because it is implemented by ${n.name}.`,[...wr(n,i),...wr(t,n)])}function yr(e,t){let n=t.getTypes();n.length===0&&e.reportError(`Union type ${t.name} must define one or more member types.`,[t.astNode,...t.extensionASTNodes]);let r=Object.create(null);for(let i of n)r[i.name]?e.reportError(`Union type ${t.name} can only include type ${i.name} once.`,Tr(t,i.name)):(r[i.name]=!0,Mt(i)||e.reportError(`Union type ${t.name} can only include Object types, it cannot include ${R(i)}.`,Tr(t,String(i))))}function br(e,t){let n=t.getValues();n.length===0&&e.reportError(`Enum type ${t.name} must define one or more values.`,[t.astNode,...t.extensionASTNodes]);for(let t of n)pr(e,t)}function xr(e,t){let n=Object.values(t.getFields());n.length===0&&e.reportError(`Input Object type ${t.name} must define one or more fields.`,[t.astNode,...t.extensionASTNodes]);for(let r of n)pr(e,r),Vt(r.type)||e.reportError(`The type of ${t.name}.${r.name} must be Input Type but got: ${R(r.type)}.`,r.astNode?.type),yn(r)&&r.deprecationReason!=null&&e.reportError(`Required input field ${t.name}.${r.name} cannot be deprecated.`,[Er(r.astNode),r.astNode?.type]),t.isOneOf&&Sr(t,r,e)}function Sr(e,t,n){Bt(t.type)&&n.reportError(`OneOf input field ${e.name}.${t.name} must be nullable.`,t.astNode?.type),t.defaultValue!==void 0&&n.reportError(`OneOf input field ${e.name}.${t.name} cannot have a default value.`,t.astNode)}function Cr(e){let t=Object.create(null),n=[],r=Object.create(null);return i;function i(a){if(t[a.name])return;t[a.name]=!0,r[a.name]=n.length;let o=Object.values(a.getFields());for(let t of o)if(Bt(t.type)&&Rt(t.type.ofType)){let a=t.type.ofType,o=r[a.name];if(n.push(t),o===void 0)i(a);else{let t=n.slice(o),r=t.map(e=>e.name).join(`.`);e.reportError(`Cannot reference Input Object "${a.name}" within itself through a series of non-null fields: "${r}".`,t.map(e=>e.astNode))}n.pop()}r[a.name]=void 0}}function wr(e,t){let{astNode:n,extensionASTNodes:r}=e;return(n==null?r:[n,...r]).flatMap(e=>e.interfaces??[]).filter(e=>e.name.value===t.name)}function Tr(e,t){let{astNode:n,extensionASTNodes:r}=e;return(n==null?r:[n,...r]).flatMap(e=>e.types??[]).filter(e=>e.name.value===t)}function Er(e){return e?.directives?.find(e=>e.name.value===Fn.name)}var Dr=Object.freeze({});function Or(e,t,n=ne){let r=new Map;for(let e of Object.values(I))r.set(e,Ar(t,e));let i,a=Array.isArray(e),o=[e],s=-1,c=[],l=e,u,d,f=[],p=[];do{s++;let e=s===o.length,m=e&&c.length!==0;if(e){if(u=p.length===0?void 0:f[f.length-1],l=d,d=p.pop(),m){if(a){l=l.slice();let e=0;for(let[t,n]of c){let r=t-e;n===null?(l.splice(r,1),e++):l[r]=n}}else{l={...l};for(let[e,t]of c)l[e]=t}}s=i.index,o=i.keys,c=i.edits,a=i.inArray,i=i.prev}else if(d){if(u=a?s:o[s],l=d[u],l==null)continue;f.push(u)}let h;if(!Array.isArray(l)){if(ie(l)||w(!1,`Invalid AST Node: ${R(l)}.`),h=(e?r.get(l.kind)?.leave:r.get(l.kind)?.enter)?.call(t,l,u,d,f,p),h===Dr)break;if(h===!1){if(!e){f.pop();continue}}else if(h!==void 0&&(c.push([u,h]),!e)){if(ie(h))l=h;else{f.pop();continue}}}h===void 0&&m&&c.push([u,l]),e?f.pop():(i={inArray:a,index:s,keys:o,edits:c,prev:i},a=Array.isArray(l),o=a?l:n[l.kind]??[],s=-1,c=[],d&&p.push(d),d=l)}while(i!==void 0);return c.length===0?e:c[c.length-1][1]}function kr(e){let t=Array(e.length).fill(null),n=Object.create(null);for(let r of Object.values(I)){let i=!1,a=Array(e.length).fill(void 0),o=Array(e.length).fill(void 0);for(let t=0;t<e.length;++t){let{enter:n,leave:s}=Ar(e[t],r);i||=n!=null||s!=null,a[t]=n,o[t]=s}i&&(n[r]={enter(...n){let r=n[0];for(let i=0;i<e.length;i++)if(t[i]===null){let o=a[i]?.apply(e[i],n);if(o===!1)t[i]=r;else if(o===Dr)t[i]=Dr;else if(o!==void 0)return o}},leave(...n){let r=n[0];for(let i=0;i<e.length;i++)if(t[i]===null){let r=o[i]?.apply(e[i],n);if(r===Dr)t[i]=Dr;else if(r!==void 0&&r!==!1)return r}else t[i]===r&&(t[i]=null)}})}return n}function Ar(e,t){let n=e[t];return typeof n==`object`?n:typeof n==`function`?{enter:n,leave:void 0}:{enter:e.enter,leave:e.leave}}function jr(e,t){switch(t.kind){case I.LIST_TYPE:{let n=jr(e,t.type);return n&&new Kt(n)}case I.NON_NULL_TYPE:{let n=jr(e,t.type);return n&&new V(n)}case I.NAMED_TYPE:return e.getType(t.name.value)}}var Mr=class{constructor(e,t,n){this._schema=e,this._typeStack=[],this._parentTypeStack=[],this._inputTypeStack=[],this._fieldDefStack=[],this._defaultValueStack=[],this._directive=null,this._argument=null,this._enumValue=null,this._getFieldDef=n??Nr,t&&(Vt(t)&&this._inputTypeStack.push(t),Wt(t)&&this._parentTypeStack.push(t),Ht(t)&&this._typeStack.push(t))}get[Symbol.toStringTag](){return`TypeInfo`}getType(){if(this._typeStack.length>0)return this._typeStack[this._typeStack.length-1]}getParentType(){if(this._parentTypeStack.length>0)return this._parentTypeStack[this._parentTypeStack.length-1]}getInputType(){if(this._inputTypeStack.length>0)return this._inputTypeStack[this._inputTypeStack.length-1]}getParentInputType(){if(this._inputTypeStack.length>1)return this._inputTypeStack[this._inputTypeStack.length-2]}getFieldDef(){if(this._fieldDefStack.length>0)return this._fieldDefStack[this._fieldDefStack.length-1]}getDefaultValue(){if(this._defaultValueStack.length>0)return this._defaultValueStack[this._defaultValueStack.length-1]}getDirective(){return this._directive}getArgument(){return this._argument}getEnumValue(){return this._enumValue}enter(e){let t=this._schema;switch(e.kind){case I.SELECTION_SET:{let e=Qt(this.getType());this._parentTypeStack.push(Wt(e)?e:void 0);break}case I.FIELD:{let n=this.getParentType(),r,i;n&&(r=this._getFieldDef(t,n,e),r&&(i=r.type)),this._fieldDefStack.push(r),this._typeStack.push(Ht(i)?i:void 0);break}case I.DIRECTIVE:this._directive=t.getDirective(e.name.value);break;case I.OPERATION_DEFINITION:{let n=t.getRootType(e.operation);this._typeStack.push(Mt(n)?n:void 0);break}case I.INLINE_FRAGMENT:case I.FRAGMENT_DEFINITION:{let n=e.typeCondition,r=n?jr(t,n):Qt(this.getType());this._typeStack.push(Ht(r)?r:void 0);break}case I.VARIABLE_DEFINITION:{let n=jr(t,e.type);this._inputTypeStack.push(Vt(n)?n:void 0);break}case I.ARGUMENT:{let t,n,r=this.getDirective()??this.getFieldDef();r&&(t=r.args.find(t=>t.name===e.name.value),t&&(n=t.type)),this._argument=t,this._defaultValueStack.push(t?t.defaultValue:void 0),this._inputTypeStack.push(Vt(n)?n:void 0);break}case I.LIST:{let e=Xt(this.getInputType()),t=zt(e)?e.ofType:e;this._defaultValueStack.push(void 0),this._inputTypeStack.push(Vt(t)?t:void 0);break}case I.OBJECT_FIELD:{let t=Qt(this.getInputType()),n,r;Rt(t)&&(r=t.getFields()[e.name.value],r&&(n=r.type)),this._defaultValueStack.push(r?r.defaultValue:void 0),this._inputTypeStack.push(Vt(n)?n:void 0);break}case I.ENUM:{let t=Qt(this.getInputType()),n;Lt(t)&&(n=t.getValue(e.value)),this._enumValue=n;break}}}leave(e){switch(e.kind){case I.SELECTION_SET:this._parentTypeStack.pop();break;case I.FIELD:this._fieldDefStack.pop(),this._typeStack.pop();break;case I.DIRECTIVE:this._directive=null;break;case I.OPERATION_DEFINITION:case I.INLINE_FRAGMENT:case I.FRAGMENT_DEFINITION:this._typeStack.pop();break;case I.VARIABLE_DEFINITION:this._inputTypeStack.pop();break;case I.ARGUMENT:this._argument=null,this._defaultValueStack.pop(),this._inputTypeStack.pop();break;case I.LIST:case I.OBJECT_FIELD:this._defaultValueStack.pop(),this._inputTypeStack.pop();break;case I.ENUM:this._enumValue=null}}};function Nr(e,t,n){let r=n.name.value;if(r===$n.name&&e.getQueryType()===t)return $n;if(r===er.name&&e.getQueryType()===t)return er;if(r===tr.name&&Wt(t))return tr;if(Mt(t)||Pt(t))return t.getFields()[r]}function Pr(e,t){return{enter(...n){let r=n[0];e.enter(r);let i=Ar(t,r.kind).enter;if(i){let a=i.apply(t,n);return a!==void 0&&(e.leave(r),ie(a)&&e.enter(a)),a}},leave(...n){let r=n[0],i=Ar(t,r.kind).leave,a;return i&&(a=i.apply(t,n)),e.leave(r),a}}}function Fr(e){return e.kind===I.OPERATION_DEFINITION||e.kind===I.FRAGMENT_DEFINITION}function Ir(e){return e.kind===I.SCHEMA_DEFINITION||Lr(e)||e.kind===I.DIRECTIVE_DEFINITION}function Lr(e){return e.kind===I.SCALAR_TYPE_DEFINITION||e.kind===I.OBJECT_TYPE_DEFINITION||e.kind===I.INTERFACE_TYPE_DEFINITION||e.kind===I.UNION_TYPE_DEFINITION||e.kind===I.ENUM_TYPE_DEFINITION||e.kind===I.INPUT_OBJECT_TYPE_DEFINITION}function Rr(e){return e.kind===I.SCHEMA_EXTENSION||e.kind===I.DIRECTIVE_EXTENSION||zr(e)}function zr(e){return e.kind===I.SCALAR_TYPE_EXTENSION||e.kind===I.OBJECT_TYPE_EXTENSION||e.kind===I.INTERFACE_TYPE_EXTENSION||e.kind===I.UNION_TYPE_EXTENSION||e.kind===I.ENUM_TYPE_EXTENSION||e.kind===I.INPUT_OBJECT_TYPE_EXTENSION}function Br(e){return{Document(t){for(let n of t.definitions)if(!Fr(n)){let t=n.kind===I.SCHEMA_DEFINITION||n.kind===I.SCHEMA_EXTENSION?`schema`:`"`+n.name.value+`"`;e.reportError(new M(`The ${t} definition is not executable.`,{nodes:n}))}return!1}}}function Vr(e){return{Field(t){let n=e.getParentType();if(n&&!e.getFieldDef()){let r=e.getSchema(),i=t.name.value,a=Qe(`to use an inline fragment on`,e.hideSuggestions?[]:Hr(r,n,i));a===``&&(a=Qe(e.hideSuggestions?[]:Ur(n,i))),e.reportError(new M(`Cannot query field "${i}" on type "${n.name}".`+a,{nodes:t}))}}}}function Hr(e,t,n){if(!Gt(t))return[];let r=new Set,i=Object.create(null);for(let a of e.getPossibleTypes(t))if(a.getFields()[n]){r.add(a),i[a.name]=1;for(let e of a.getInterfaces())e.getFields()[n]&&(r.add(e),i[e.name]=(i[e.name]??0)+1)}return[...r].sort((t,n)=>{let r=i[n.name]-i[t.name];return r===0?Pt(t)&&e.isSubType(t,n)?-1:Pt(n)&&e.isSubType(n,t)?1:rt(t.name,n.name):r}).map(e=>e.name)}function Ur(e,t){return Mt(e)||Pt(e)?st(t,Object.keys(e.getFields())):[]}function Wr(e){return{InlineFragment(t){let n=t.typeCondition;if(n){let t=jr(e.getSchema(),n);if(t&&!Wt(t)){let t=gt(n);e.reportError(new M(`Fragment cannot condition on non composite type "${t}".`,{nodes:n}))}}},FragmentDefinition(t){let n=jr(e.getSchema(),t.typeCondition);if(n&&!Wt(n)){let n=gt(t.typeCondition);e.reportError(new M(`Fragment "${t.name.value}" cannot condition on non composite type "${n}".`,{nodes:t.typeCondition}))}}}}function Gr(e){return{...Kr(e),Argument(t){let n=e.getArgument(),r=e.getFieldDef(),i=e.getParentType();if(!n&&r&&i){let n=t.name.value,a=e.hideSuggestions?[]:st(n,r.args.map(e=>e.name));e.reportError(new M(`Unknown argument "${n}" on field "${i.name}.${r.name}".`+Qe(a),{nodes:t}))}}}}function Kr(e){let t=Object.create(null),n=e.getSchema(),r=n?n.getDirectives():Rn;for(let e of r)t[e.name]=new Set(e.args.map(e=>e.name));let i=e.getDocument().definitions;for(let e of i)if(e.kind===I.DIRECTIVE_DEFINITION){let n=e.arguments??[];t[e.name.value]=new Set(n.map(e=>e.name.value))}return{Directive(n){let r=n.name.value,i=t[r];if(n.arguments&&i)for(let t of n.arguments){let n=t.name.value;if(!i.has(n)){let a=e.hideSuggestions?[]:st(n,Array.from(i));e.reportError(new M(`Unknown argument "${n}" on directive "@${r}".`+(e.hideSuggestions?``:Qe(a)),{nodes:t}))}}return!1}}}function qr(e){let t=Object.create(null),n=e.getSchema(),r=n?n.getDirectives():Rn;for(let e of r)t[e.name]=e.locations;let i=e.getDocument().definitions;for(let e of i)e.kind===I.DIRECTIVE_DEFINITION&&(t[e.name.value]=e.locations.map(e=>e.value));return{Directive(n,r,i,a,o){let s=n.name.value,c=t[s];if(!c){e.reportError(new M(`Unknown directive "@${s}".`,{nodes:n}));return}let l=Jr(o);l&&!c.includes(l)&&e.reportError(new M(`Directive "@${s}" may not be used on ${l}.`,{nodes:n}))}}}function Jr(e){let t=e[e.length-1];switch(`kind`in t||Bn(!1),t.kind){case I.OPERATION_DEFINITION:return Yr(t.operation);case I.FIELD:return F.FIELD;case I.FRAGMENT_SPREAD:return F.FRAGMENT_SPREAD;case I.INLINE_FRAGMENT:return F.INLINE_FRAGMENT;case I.FRAGMENT_DEFINITION:return F.FRAGMENT_DEFINITION;case I.VARIABLE_DEFINITION:return F.VARIABLE_DEFINITION;case I.SCHEMA_DEFINITION:case I.SCHEMA_EXTENSION:return F.SCHEMA;case I.SCALAR_TYPE_DEFINITION:case I.SCALAR_TYPE_EXTENSION:return F.SCALAR;case I.OBJECT_TYPE_DEFINITION:case I.OBJECT_TYPE_EXTENSION:return F.OBJECT;case I.FIELD_DEFINITION:return F.FIELD_DEFINITION;case I.INTERFACE_TYPE_DEFINITION:case I.INTERFACE_TYPE_EXTENSION:return F.INTERFACE;case I.UNION_TYPE_DEFINITION:case I.UNION_TYPE_EXTENSION:return F.UNION;case I.ENUM_TYPE_DEFINITION:case I.ENUM_TYPE_EXTENSION:return F.ENUM;case I.ENUM_VALUE_DEFINITION:return F.ENUM_VALUE;case I.INPUT_OBJECT_TYPE_DEFINITION:case I.INPUT_OBJECT_TYPE_EXTENSION:return F.INPUT_OBJECT;case I.INPUT_VALUE_DEFINITION:{let t=e[e.length-3];return`kind`in t||Bn(!1),t.kind===I.INPUT_OBJECT_TYPE_DEFINITION?F.INPUT_FIELD_DEFINITION:F.ARGUMENT_DEFINITION}case I.DIRECTIVE_DEFINITION:case I.DIRECTIVE_EXTENSION:return F.DIRECTIVE_DEFINITION;default:Bn(!1,`Unexpected kind: `+R(t.kind))}}function Yr(e){switch(e){case ae.QUERY:return F.QUERY;case ae.MUTATION:return F.MUTATION;case ae.SUBSCRIPTION:return F.SUBSCRIPTION}}function Xr(e){return{FragmentSpread(t){let n=t.name.value;e.getFragment(n)||e.reportError(new M(`Unknown fragment "${n}".`,{nodes:t.name}))}}}function Zr(e){let t=e.getSchema(),n=t?t.getTypeMap():Object.create(null),r=Object.create(null);for(let t of e.getDocument().definitions)Lr(t)&&(r[t.name.value]=!0);let i=[...Object.keys(n),...Object.keys(r)];return{NamedType(t,a,o,s,c){let l=t.name.value;if(!n[l]&&!r[l]){let n=c[2]??o,r=n!=null&&$r(n);if(r&&Qr.includes(l))return;let a=e.hideSuggestions?[]:st(l,r?Qr.concat(i):i);e.reportError(new M(`Unknown type "${l}".`+Qe(a),{nodes:t}))}}}}var Qr=[...On,...nr].map(e=>e.name);function $r(e){return`kind`in e&&(Ir(e)||Rr(e))}function ei(e){let t=0;return{Document(e){t=e.definitions.filter(e=>e.kind===I.OPERATION_DEFINITION).length},OperationDefinition(n){!n.name&&t>1&&e.reportError(new M(`This anonymous operation must be the only defined operation.`,{nodes:n}))}}}function ti(e){let t=e.getSchema(),n=t?.astNode??t?.getQueryType()??t?.getMutationType()??t?.getSubscriptionType(),r=0;return{SchemaDefinition(t){n?e.reportError(new M(`Cannot define a new schema within a schema extension.`,{nodes:t})):(r>0&&e.reportError(new M(`Must provide only one schema definition.`,{nodes:t})),++r)}}}var ni=3;function ri(e){let t=Object.create(null),n=Object.create(null);function r(i,a,o=0){if(i.kind===I.FRAGMENT_SPREAD){let s=i.name.value,c=n[s];if(c!==void 0&&c<=o)return!0;let l=a[s],u=t[s];if(l!==void 0&&l>=o||u!==void 0&&u>=o)return!1;let d=e.getFragment(s);return d?(a[s]=o,r(d,a,o)?(n[s]=o,!0):(t[s]=o,!1)):!1}if(i.kind===I.FIELD&&(i.name.value===`fields`||i.name.value===`interfaces`||i.name.value===`possibleTypes`||i.name.value===`inputFields`)&&(o++,o>=ni))return!0;if(`selectionSet`in i&&i.selectionSet){for(let e of i.selectionSet.selections)if(r(e,a,o))return!0}return!1}return{Field(t){if((t.name.value===`__schema`||t.name.value===`__type`)&&r(t,Object.create(null)))return e.reportError(new M(`Maximum introspection depth exceeded`,{nodes:[t]})),!1}}}function ii(e){let t=Object.create(null),n=[],r=Object.create(null);return{OperationDefinition:()=>!1,FragmentDefinition(e){return i(e),!1}};function i(a){if(t[a.name.value])return;let o=a.name.value;t[o]=!0;let s=e.getFragmentSpreads(a.selectionSet);if(s.length!==0){r[o]=n.length;for(let t of s){let a=t.name.value,o=r[a];if(n.push(t),o===void 0){let t=e.getFragment(a);t&&i(t)}else{let t=n.slice(o),r=t.slice(0,-1).map(e=>`"`+e.name.value+`"`).join(`, `);e.reportError(new M(`Cannot spread fragment "${a}" within itself`+(r===``?`.`:` via ${r}.`),{nodes:t}))}n.pop()}r[o]=void 0}}}function ai(e){let t=Object.create(null);return{OperationDefinition:{enter(){t=Object.create(null)},leave(n){let r=e.getRecursiveVariableUsages(n);for(let{node:i}of r){let r=i.name.value;t[r]!==!0&&e.reportError(new M(n.name?`Variable "$${r}" is not defined by operation "${n.name.value}".`:`Variable "$${r}" is not defined.`,{nodes:[i,n]}))}}},VariableDefinition(e){t[e.variable.name.value]=!0}}}function oi(e){let t=[],n=[];return{OperationDefinition(e){return t.push(e),!1},FragmentDefinition(e){return n.push(e),!1},Document:{leave(){let r=new Set(e.getRecursivelyReferencedFragmentsForOperations(t).map(e=>e.name.value));for(let t of n){let n=t.name.value;r.has(n)||e.reportError(new M(`Fragment "${n}" is never used.`,{nodes:t}))}}}}}function si(e){let t=[];return{OperationDefinition:{enter(){t=[]},leave(n){let r=Object.create(null),i=e.getRecursiveVariableUsages(n);for(let{node:e}of i)r[e.name.value]=!0;for(let i of t){let t=i.variable.name.value;r[t]!==!0&&e.reportError(new M(n.name?`Variable "$${t}" is never used in operation "${n.name.value}".`:`Variable "$${t}" is never used.`,{nodes:i}))}}},VariableDefinition(e){t.push(e)}}}var ci=new M(`Validation aborted.`),li=1e3,ui=20,di=5e5;function fi(e){let t={comparedFragmentPairs:new Ni,cachedCollectFieldsResults:new Map,stringifiedValues:new Map,remainingComplexityBudget:di};return{SelectionSet(n,r,i){if(i&&`kind`in i&&i.kind===I.INLINE_FRAGMENT||n.selections.length<=1&&n.selections[0]?.kind!==I.INLINE_FRAGMENT)return;let a=pi(e,t,e.getParentType(),n);for(let{responseName:t,reason:n,fields1:r,fields2:i}of a)e.reportError(new M(`Fields "${ji(t)}" conflict because ${n}. Use different aliases on the fields to fetch both if this was intentional.`,{nodes:r.concat(i)}))}}}function pi(e,t,n,r){let i=[],a=Ei(e,t,n,r);if(_i(e,i,t,a.groupedFieldSet),a.fragmentNames.length!==0&&(a.groupedFieldSet.size!==0||a.fragmentNames.length>1))for(let n=0;n<a.fragmentNames.length;n++){mi(e,i,t,!1,a,a.fragmentNames[n]);for(let r=n+1;r<a.fragmentNames.length;r++)hi(e,i,t,!1,a.fragmentNames[n],a.fragmentNames[r])}return i}function mi(e,t,n,r,i,a){if(Mi(n,1),i.groupedFieldSet.size===0)return;let o=i.comparedFragments??=new Map,s=o.get(a);if(s===!1||r&&s===!0)return;o.set(a,r);let c=e.getFragment(a);if(!c)return;let l=Di(e,n,c);if(i!==l){vi(e,t,n,r,i,l);for(let a of l.fragmentNames)mi(e,t,n,r,i,a)}}function hi(e,t,n,r,i,a){Mi(n,2);let{comparedFragmentPairs:o}=n;if(i===a||o.has(i,a,r))return;o.add(i,a,r);let s=e.getFragment(i),c=e.getFragment(a);if(!s||!c)return;let l=Di(e,n,s),u=Di(e,n,c);vi(e,t,n,r,l,u);for(let a of u.fragmentNames)hi(e,t,n,r,i,a);for(let i of l.fragmentNames)hi(e,t,n,r,i,a)}function gi(e,t,n,r,i,a,o){let s=[],c=Ei(e,t,r,i),l=Ei(e,t,a,o);vi(e,s,t,n,c,l);for(let r of l.fragmentNames)mi(e,s,t,n,c,r);for(let r of c.fragmentNames)mi(e,s,t,n,l,r);for(let r of c.fragmentNames)for(let i of l.fragmentNames)hi(e,s,t,n,r,i);return s}function _i(e,t,n,r){for(let[i,a]of r)if(a.length>1)for(let r=0;r<a.length;r++)for(let o=r+1;o<a.length;o++){let s=bi(e,n,!1,i,a[r],a[o]);s&&t.push(s)}}function vi(e,t,n,r,i,a){if(i.groupedFieldSet.size!==0&&a.groupedFieldSet.size!==0)for(let{responseName:o,fields1:s,fields2:c}of yi(n,i,a))for(let i of s)for(let a of c){let s=bi(e,n,r,o,i,a);s&&t.push(s)}}function yi(e,t,n){let r=t.overlappingFields??=new Map,i=r.get(n);if(i!==void 0)return i;let a=[];for(let[r,i]of t.groupedFieldSet){Mi(e,1);let t=n.groupedFieldSet.get(r);t!==void 0&&a.push({responseName:r,fields1:i,fields2:t})}return r.set(n,a),a}function bi(e,t,n,r,i,a){let{parentType:o,node:s,definition:c}=i,{parentType:l,node:u,definition:d}=a,f=n||o!==l&&Mt(o)&&Mt(l);if(Mi(t,2),i.isSimpleLeaf&&a.isSimpleLeaf&&c?.type===d?.type&&s.name.value===u.name.value)return;if(!f){let e=xi(i),n=xi(a),o=e.comparisons.get(n);if(o===void 0){let r=s.name.value,i=u.name.value;o=r===i?Ci(t,e.arguments,n.arguments)?null:`they have differing arguments`:`"${ji(r)}" and "${ji(i)}" are different fields`,e.comparisons.set(n,o)}if(o!==null)return{responseName:r,reason:o,fields1:[s],fields2:[u]}}let p=c?.type,m=d?.type;if(p&&m&&Ti(t,p,m)){let e=xi(i),t=xi(a);return{responseName:r,reason:`they return conflicting types "${e.typeString??=R(p)}" and "${t.typeString??=R(m)}"`,fields1:[s],fields2:[u]}}let h=s.selectionSet,g=u.selectionSet;if(h&&g)return ki(gi(e,t,f,xi(i).namedType,h,xi(a).namedType,g),r,s,u)}function xi(e){return e.info===void 0&&(e.info={comparisons:new Map,namedType:Qt(e.definition?.type),arguments:Si(e.node.arguments)}),e.info}function Si(e){if(e===void 0||e.length===0)return;let t=new Map;for(let{name:n,value:r}of e)t.set(n.value,r);return{nodes:e,values:t}}function Ci(e,t,n){if(t===void 0)return n===void 0;if(t.nodes.length!==n?.nodes.length)return!1;let r=n.values;return t.nodes.every(t=>{Mi(e,1);let n=r.get(t.name.value);return n!==void 0&&wi(e,t.value)===wi(e,n)})}function wi(e,t){let n=e.stringifiedValues.get(t);if(n!==void 0)return n;let r=JSON.stringify(t,(e,t)=>{if(!ie(t))return t;switch(t.kind){case I.VARIABLE:return[t.kind,t.name.value];case I.OBJECT:return[t.kind,t.fields.slice().sort((e,t)=>e.name.value<t.name.value?-1:+(e.name.value>t.name.value))];case I.OBJECT_FIELD:return[t.name.value,t.value];case I.LIST:return[t.kind,t.values];case I.STRING:return[t.kind,t.value,t.block===!0];default:return[t.kind,`value`in t?t.value:null]}});return e.stringifiedValues.set(t,r),r}function Ti(e,t,n){return t!==n&&(Mi(e,1),zt(t)?!zt(n)||Ti(e,t.ofType,n.ofType):zt(n)?!0:Bt(t)?!Bt(n)||Ti(e,t.ofType,n.ofType):Bt(n)?!0:Ut(t)||Ut(n)?t!==n:!1)}function Ei(e,t,n,r){let{cachedCollectFieldsResults:i}=t,a=i.get(n);a===void 0&&(a=new Map,i.set(n,a));let o=a.get(r);if(o)return o;let s=new Map,c=new Set;Oi(e,n,r,s,c);let l={groupedFieldSet:s,fragmentNames:[...c]};return a.set(r,l),l}function Di(e,t,n){return Ei(e,t,jr(e.getSchema(),n.typeCondition),n.selectionSet)}function Oi(e,t,n,r,i){for(let a of n.selections)switch(a.kind){case I.FIELD:{let e=a.name.value,n;(Mt(t)||Pt(t))&&(n=t.getFields()[e]);let i=a.alias?a.alias.value:e,o=r.get(i);o===void 0&&(o=[],r.set(i,o)),o.push({parentType:t,node:a,definition:n,isSimpleLeaf:(a.arguments?.length??0)===0&&!a.selectionSet});break}case I.FRAGMENT_SPREAD:i.add(a.name.value);break;case I.INLINE_FRAGMENT:{let n=a.typeCondition;Oi(e,n?jr(e.getSchema(),n):t,a.selectionSet,r,i);break}}}function ki(e,t,n,r){if(e.length>0){let i=``;for(let{responseName:t,reason:n}of e)if(i+=(i===``?``:` and `)+`subfields "${ji(t)}" conflict because ${n}`,i.length>li)break;return{responseName:t,reason:ji(i),fields1:Ai(n,e,`fields1`),fields2:Ai(r,e,`fields2`)}}}function Ai(e,t,n){let r=[e];for(let e of t){let t=ui-r.length,i=e[n].slice(-t);if(r.push(...i),r.length===ui)break}return r}function ji(e){return e.length>li?e.slice(0,li)+`...`:e}function Mi(e,t){if(e.remainingComplexityBudget-=t,e.remainingComplexityBudget<0)throw ci}var Ni=class{constructor(){this._data=new Map}has(e,t,n){return this._has(e,t,n)||this._has(t,e,n)}_has(e,t,n){let r=this._data.get(e)?.get(t);return r===void 0?!1:n?!0:n===r}add(e,t,n){let r=this._data.get(e);r===void 0?this._data.set(e,new Map([[t,n]])):r.set(t,n)}};function Pi(e){return{InlineFragment(t){let n=e.getType(),r=e.getParentType();if(Wt(n)&&Wt(r)&&!Sn(e.getSchema(),n,r)){let i=R(r),a=R(n);e.reportError(new M(`Fragment cannot be spread here as objects of type "${i}" can never be of type "${a}".`,{nodes:t}))}},FragmentSpread(t){let n=t.name.value,r=Fi(e,n),i=e.getParentType();if(r&&i&&!Sn(e.getSchema(),r,i)){let a=R(i),o=R(r);e.reportError(new M(`Fragment "${n}" cannot be spread here as objects of type "${a}" can never be of type "${o}".`,{nodes:t}))}}}}function Fi(e,t){let n=e.getFragment(t);if(n){let t=jr(e.getSchema(),n.typeCondition);if(Wt(t))return t}}function Ii(e){let t=e.getSchema(),n=Object.create(null);for(let t of e.getDocument().definitions)Lr(t)&&(n[t.name.value]=t);return{ScalarTypeExtension:r,ObjectTypeExtension:r,InterfaceTypeExtension:r,UnionTypeExtension:r,EnumTypeExtension:r,InputObjectTypeExtension:r};function r(r){let i=r.name.value,a=n[i],o=t?.getType(i),s;if(a?s=Li[a.kind]:o&&(s=Ri(o)),s){if(s!==r.kind){let t=zi(r.kind);e.reportError(new M(`Cannot extend non-${t} type "${i}".`,{nodes:a?[a,r]:r}))}}else{let a=st(i,Object.keys({...n,...t?.getTypeMap()}));e.reportError(new M(`Cannot extend type "${i}" because it is not defined.`+Qe(a),{nodes:r.name}))}}}var Li={[I.SCALAR_TYPE_DEFINITION]:I.SCALAR_TYPE_EXTENSION,[I.OBJECT_TYPE_DEFINITION]:I.OBJECT_TYPE_EXTENSION,[I.INTERFACE_TYPE_DEFINITION]:I.INTERFACE_TYPE_EXTENSION,[I.UNION_TYPE_DEFINITION]:I.UNION_TYPE_EXTENSION,[I.ENUM_TYPE_DEFINITION]:I.ENUM_TYPE_EXTENSION,[I.INPUT_OBJECT_TYPE_DEFINITION]:I.INPUT_OBJECT_TYPE_EXTENSION};function Ri(e){if(jt(e))return I.SCALAR_TYPE_EXTENSION;if(Mt(e))return I.OBJECT_TYPE_EXTENSION;if(Pt(e))return I.INTERFACE_TYPE_EXTENSION;if(It(e))return I.UNION_TYPE_EXTENSION;if(Lt(e))return I.ENUM_TYPE_EXTENSION;if(Rt(e))return I.INPUT_OBJECT_TYPE_EXTENSION;Bn(!1,`Unexpected type: `+R(e))}function zi(e){switch(e){case I.SCALAR_TYPE_EXTENSION:return`scalar`;case I.OBJECT_TYPE_EXTENSION:return`object`;case I.INTERFACE_TYPE_EXTENSION:return`interface`;case I.UNION_TYPE_EXTENSION:return`union`;case I.ENUM_TYPE_EXTENSION:return`enum`;case I.INPUT_OBJECT_TYPE_EXTENSION:return`input object`;default:Bn(!1,`Unexpected kind: `+R(e))}}function Bi(e){return{...Vi(e),Field:{leave(t){let n=e.getFieldDef();if(!n)return!1;let r=new Set(t.arguments?.map(e=>e.name.value));for(let i of n.args)if(!r.has(i.name)&&un(i)){let r=R(i.type);e.reportError(new M(`Field "${n.name}" argument "${i.name}" of type "${r}" is required, but it was not provided.`,{nodes:t}))}}}}}function Vi(e){let t=Object.create(null),n=e.getSchema()?.getDirectives()??Rn;for(let e of n)t[e.name]=et(e.args.filter(un),e=>e.name);let r=e.getDocument().definitions;for(let e of r)if(e.kind===I.DIRECTIVE_DEFINITION){let n=e.arguments??[];t[e.name.value]=et(n.filter(Hi),e=>e.name.value)}return{Directive:{leave(n){let r=n.name.value,i=t[r];if(i){let t=n.arguments??[],a=new Set(t.map(e=>e.name.value));for(let[t,o]of Object.entries(i))if(!a.has(t)){let i=At(o.type)?R(o.type):gt(o.type);e.reportError(new M(`Directive "@${r}" argument "${t}" of type "${i}" is required, but it was not provided.`,{nodes:n}))}}}}}}function Hi(e){return e.type.kind===I.NON_NULL_TYPE&&e.defaultValue==null}function Ui(e){return{Field(t){let n=e.getType(),r=t.selectionSet;if(n){if(Ut(Qt(n))){if(r){let i=t.name.value,a=R(n);e.reportError(new M(`Field "${i}" must not have a selection since type "${a}" has no subfields.`,{nodes:r}))}}else if(!r){let r=t.name.value,i=R(n);e.reportError(new M(`Field "${r}" of type "${i}" must have a selection of subfields. Did you mean "${r} { ... }"?`,{nodes:t}))}else if(r.selections.length===0){let r=t.name.value,i=R(n);e.reportError(new M(`Field "${r}" of type "${i}" must have at least one field selected.`,{nodes:t}))}}}}}function Wi(e,t,n){if(e){if(e.kind===I.VARIABLE){let r=e.name.value;if(n==null||!Ki(n,r)||n[r]===void 0)return;let i=n[r];return i===null&&Bt(t)?void 0:i}if(Bt(t))return e.kind===I.NULL?void 0:Wi(e,t.ofType,n);if(e.kind===I.NULL)return null;if(zt(t)){let r=t.ofType;if(e.kind===I.LIST){let t=[];for(let i of e.values)if(Gi(i,n)){if(Bt(r))return;t.push(null)}else{let e=Wi(i,r,n);if(e===void 0)return;t.push(e)}return t}let i=Wi(e,r,n);return i===void 0?void 0:[i]}if(Rt(t)){if(e.kind!==I.OBJECT)return;let r=Object.create(null),i=et(e.fields,e=>e.name.value);for(let e of Object.values(t.getFields())){let t=i[e.name];if(!t||Gi(t.value,n)){if(e.defaultValue!==void 0)r[e.name]=e.defaultValue;else if(Bt(e.type))return;continue}let a=Wi(t.value,e.type,n);if(a===void 0)return;r[e.name]=a}if(t.isOneOf){let e=Object.keys(r);if(e.length!==1||r[e[0]]===null)return}return r}if(Ut(t)){let r;try{r=t.parseLiteral(e,n)}catch{return}return r===void 0?void 0:r}Bn(!1,`Unexpected input type: `+R(t))}}function Gi(e,t){return e.kind===I.VARIABLE&&(t==null||!Ki(t,e.name.value)||t[e.name.value]===void 0)}function Ki(e,t){return Object.prototype.hasOwnProperty.call(e,t)}function qi(e,t,n){let r=Object.create(null),i=et(t.arguments??[],e=>e.name.value);for(let a of e.args){let e=a.name,o=a.type,s=i[e];if(!s){if(a.defaultValue!==void 0)r[e]=a.defaultValue;else if(Bt(o))throw new M(`Argument "${e}" of required type "${R(o)}" was not provided.`,{nodes:t});continue}let c=s.value,l=c.kind===I.NULL;if(c.kind===I.VARIABLE){let t=c.name.value;if(n==null||!Yi(n,t)){if(a.defaultValue!==void 0)r[e]=a.defaultValue;else if(Bt(o))throw new M(`Argument "${e}" of required type "${R(o)}" was provided the variable "$${t}" which was not provided a runtime value.`,{nodes:c});continue}l=n[t]==null}if(l&&Bt(o))throw new M(`Argument "${e}" of non-null type "${R(o)}" must not be null.`,{nodes:c});let u=Wi(c,o,n);if(u===void 0)throw new M(`Argument "${e}" has invalid value ${_t(c)}.`,{nodes:c});r[e]=u}return{...r}}function Ji(e,t,n){let r=t.directives?.find(t=>t.name.value===e.name);if(r)return qi(e,r,n)}function Yi(e,t){return Object.prototype.hasOwnProperty.call(e,t)}function Xi(e,t,n,r,i,a){let o=new Map;return Zi(e,t,n,r,i,o,new Set,a),o}function Zi(e,t,n,r,i,a,o,s){s?.(i);for(let c of i.selections)switch(c.kind){case I.FIELD:{if(!Qi(n,c))continue;let e=ea(c),t=a.get(e);t===void 0?a.set(e,[c]):t.push(c);break}case I.INLINE_FRAGMENT:if(!Qi(n,c)||!$i(e,c,r))continue;Zi(e,t,n,r,c.selectionSet,a,o,s);break;case I.FRAGMENT_SPREAD:{let i=c.name.value;if(o.has(i)||!Qi(n,c))continue;o.add(i);let l=t[i];if(!l||!$i(e,l,r))continue;Zi(e,t,n,r,l.selectionSet,a,o,s);break}}}function Qi(e,t){return Ji(Pn,t,e)?.if!==!0&&Ji(Nn,t,e)?.if!==!1}function $i(e,t,n){let r=t.typeCondition;if(!r)return!0;let i=jr(e,r);return i===n?!0:Gt(i)?e.isSubType(i,n):!1}function ea(e){return e.alias?e.alias.value:e.name.value}function ta(e){let t;function n(t){e.spendFragmentWork(t.selections.length);for(let n of t.selections){let t=n.directives;if(t!==void 0){e.spendFragmentWork(t.length);for(let n of t)(n.name.value===`skip`||n.name.value===`include`)&&e.spendFragmentWork(n.arguments?.length??0)}}}return{OperationDefinition(r){if(r.operation===`subscription`){let i=e.getSchema(),a=i.getSubscriptionType();if(a){let o=r.name?r.name.value:null,s=Object.create(null);if(t===void 0){t=Object.create(null);let n=e.getDocument().definitions;e.spendFragmentWork(n.length);for(let e of n)e.kind===I.FRAGMENT_DEFINITION&&(t[e.name.value]=e)}let c=Xi(i,t,s,a,r.selectionSet,n);if(c.size>1){let t=[...c.values()].slice(1).flat();e.reportError(new M(o==null?`Anonymous Subscription must select only one top level field.`:`Subscription "${o}" must select only one top level field.`,{nodes:t}))}for(let t of c.values())t[0].name.value.startsWith(`__`)&&e.reportError(new M(o==null?`Anonymous Subscription must not select an introspection top level field.`:`Subscription "${o}" must not select an introspection top level field.`,{nodes:t}))}}}}}function na(e,t){let n=new Map;for(let r of e){let e=t(r),i=n.get(e);i===void 0?n.set(e,[r]):i.push(r)}return n}function ra(e){return{DirectiveDefinition(e){let t=e.arguments??[];return n(`@${e.name.value}`,t)},InterfaceTypeDefinition:t,InterfaceTypeExtension:t,ObjectTypeDefinition:t,ObjectTypeExtension:t};function t(e){let t=e.name.value,r=e.fields??[];for(let e of r){let r=e.name.value,i=e.arguments??[];n(`${t}.${r}`,i)}return!1}function n(t,n){let r=na(n,e=>e.name.value);for(let[n,i]of r)i.length>1&&e.reportError(new M(`Argument "${t}(${n}:)" can only be defined once.`,{nodes:i.map(e=>e.name)}));return!1}}function ia(e){return{Field:t,Directive:t};function t(t){let n=na(t.arguments??[],e=>e.name.value);for(let[t,r]of n)r.length>1&&e.reportError(new M(`There can be only one argument named "${t}".`,{nodes:r.map(e=>e.name)}))}}function aa(e){let t=Object.create(null),n=e.getSchema();return{DirectiveDefinition(r){let i=r.name.value;if(n!=null&&n.getDirective(i))e.reportError(new M(`Directive "@${i}" already exists in the schema. It cannot be redefined.`,{nodes:r.name}));else return t[i]?e.reportError(new M(`There can be only one directive named "@${i}".`,{nodes:[t[i],r.name]})):t[i]=r.name,!1}}}function oa(e){let t=Object.create(null),n=e.getSchema(),r=n?n.getDirectives():Rn;for(let e of r)t[e.name]=!e.isRepeatable;let i=e.getDocument().definitions;for(let e of i)e.kind===I.DIRECTIVE_DEFINITION&&(t[e.name.value]=!e.repeatable);let a=Object.create(null),o=Object.create(null),s=Object.create(null);return{enter(n){if(!(`directives`in n)||!n.directives)return;let r;if(n.kind===I.SCHEMA_DEFINITION||n.kind===I.SCHEMA_EXTENSION)r=a;else if(Lr(n)||zr(n)){let e=n.name.value;r=o[e],r===void 0&&(o[e]=r=Object.create(null))}else if(n.kind===I.DIRECTIVE_DEFINITION||n.kind===I.DIRECTIVE_EXTENSION){let e=n.name.value;r=s[e],r===void 0&&(s[e]=r=Object.create(null))}else r=Object.create(null);for(let i of n.directives){let n=i.name.value;t[n]&&(r[n]?e.reportError(new M(`The directive "@${n}" can only be used once at this location.`,{nodes:[r[n],i]})):r[n]=i)}}}}function sa(e){let t=e.getSchema(),n=t?t.getTypeMap():Object.create(null),r=Object.create(null);return{EnumTypeDefinition:i,EnumTypeExtension:i};function i(t){let i=t.name.value;r[i]||(r[i]=Object.create(null));let a=t.values??[],o=r[i];for(let t of a){let r=t.name.value,a=n[i];Lt(a)&&a.getValue(r)?e.reportError(new M(`Enum value "${i}.${r}" already exists in the schema. It cannot also be defined in this type extension.`,{nodes:t.name})):o[r]?e.reportError(new M(`Enum value "${i}.${r}" can only be defined once.`,{nodes:[o[r],t.name]})):o[r]=t.name}return!1}}function ca(e){let t=e.getSchema(),n=t?t.getTypeMap():Object.create(null),r=Object.create(null);return{InputObjectTypeDefinition:i,InputObjectTypeExtension:i,InterfaceTypeDefinition:i,InterfaceTypeExtension:i,ObjectTypeDefinition:i,ObjectTypeExtension:i};function i(t){let i=t.name.value;r[i]||(r[i]=Object.create(null));let a=t.fields??[],o=r[i];for(let t of a){let r=t.name.value;la(n[i],r)?e.reportError(new M(`Field "${i}.${r}" already exists in the schema. It cannot also be defined in this type extension.`,{nodes:t.name})):o[r]?e.reportError(new M(`Field "${i}.${r}" can only be defined once.`,{nodes:[o[r],t.name]})):o[r]=t.name}return!1}}function la(e,t){return Mt(e)||Pt(e)||Rt(e)?e.getFields()[t]!=null:!1}function ua(e){let t=Object.create(null);return{OperationDefinition:()=>!1,FragmentDefinition(n){let r=n.name.value;return t[r]?e.reportError(new M(`There can be only one fragment named "${r}".`,{nodes:[t[r],n.name]})):t[r]=n.name,!1}}}function da(e){let t=[],n=Object.create(null);return{ObjectValue:{enter(){t.push(n),n=Object.create(null)},leave(){let e=t.pop();e||Bn(!1),n=e}},ObjectField(t){let r=t.name.value;n[r]?e.reportError(new M(`There can be only one input field named "${r}".`,{nodes:[n[r],t.name]})):n[r]=t.name}}}function fa(e){let t=Object.create(null);return{OperationDefinition(n){let r=n.name;return r&&(t[r.value]?e.reportError(new M(`There can be only one operation named "${r.value}".`,{nodes:[t[r.value],r]})):t[r.value]=r),!1},FragmentDefinition:()=>!1}}function pa(e){let t=e.getSchema(),n=Object.create(null),r=t?{query:t.getQueryType(),mutation:t.getMutationType(),subscription:t.getSubscriptionType()}:{};return{SchemaDefinition:i,SchemaExtension:i};function i(t){let i=t.operationTypes??[];for(let t of i){let i=t.operation,a=n[i];r[i]?e.reportError(new M(`Type for ${i} already defined in the schema. It cannot be redefined.`,{nodes:t})):a?e.reportError(new M(`There can be only one ${i} type in schema.`,{nodes:[a,t]})):n[i]=t}return!1}}function ma(e){let t=Object.create(null),n=e.getSchema();return{ScalarTypeDefinition:r,ObjectTypeDefinition:r,InterfaceTypeDefinition:r,UnionTypeDefinition:r,EnumTypeDefinition:r,InputObjectTypeDefinition:r};function r(r){let i=r.name.value;if(n!=null&&n.getType(i))e.reportError(new M(`Type "${i}" already exists in the schema. It cannot also be defined in this type definition.`,{nodes:r.name}));else return t[i]?e.reportError(new M(`There can be only one type named "${i}".`,{nodes:[t[i],r.name]})):t[i]=r.name,!1}}function ha(e){return{OperationDefinition(t){let n=na(t.variableDefinitions??[],e=>e.variable.name.value);for(let[t,r]of n)r.length>1&&e.reportError(new M(`There can be only one variable named "$${t}".`,{nodes:r.map(e=>e.variable.name)}))}}}function ga(e){return{ListValue(t){if(!zt(Xt(e.getParentInputType())))return _a(e,t),!1},ObjectValue(t){let n=Qt(e.getInputType());if(!Rt(n))return _a(e,t),!1;let r=et(t.fields,e=>e.name.value);for(let i of Object.values(n.getFields()))if(!r[i.name]&&yn(i)){let r=R(i.type);e.reportError(new M(`Field "${n.name}.${i.name}" of required type "${r}" was not provided.`,{nodes:t}))}n.isOneOf&&va(e,t,n,r)},ObjectField(t){let n=Qt(e.getParentInputType());if(!e.getInputType()&&Rt(n)){let r=e.hideSuggestions?[]:st(t.name.value,Object.keys(n.getFields()));e.reportError(new M(`Field "${t.name.value}" is not defined by type "${n.name}".`+Qe(r),{nodes:t}))}},NullValue(t){let n=e.getInputType();Bt(n)&&e.reportError(new M(`Expected value of type "${R(n)}", found ${_t(t)}.`,{nodes:t}))},EnumValue:t=>_a(e,t),IntValue:t=>_a(e,t),FloatValue:t=>_a(e,t),StringValue:t=>_a(e,t),BooleanValue:t=>_a(e,t)}}function _a(e,t){let n=e.getInputType();if(!n)return;let r=Qt(n);if(Ut(r))try{if((Lt(r)?r.parseLiteral(t,void 0,e.hideSuggestions):r.parseLiteral(t,void 0))===void 0){let r=R(n);e.reportError(new M(`Expected value of type "${r}", found ${_t(t)}.`,{nodes:t}))}}catch(r){let i=R(n);r instanceof M?e.reportError(r):e.reportError(new M(`Expected value of type "${i}", found ${_t(t)}; `+r.message,{nodes:t,originalError:r}))}else{let r=R(n);e.reportError(new M(`Expected value of type "${r}", found ${_t(t)}.`,{nodes:t}))}}function va(e,t,n,r){let i=Object.keys(r);if(i.length!==1){e.reportError(new M(`OneOf Input Object "${n.name}" must specify exactly one key.`,{nodes:[t]}));return}let a=r[i[0]]?.value;a&&a.kind!==I.NULL||e.reportError(new M(`Field "${n.name}.${i[0]}" must be non-null.`,{nodes:[t]}))}function ya(e){return{VariableDefinition(t){let n=jr(e.getSchema(),t.type);if(n!==void 0&&!Vt(n)){let n=t.variable.name.value,r=gt(t.type);e.reportError(new M(`Variable "$${n}" cannot be non-input type "${r}".`,{nodes:t.type}))}}}}function ba(e){let t=Object.create(null);return{OperationDefinition:{enter(){t=Object.create(null)},leave(n){let r=e.getRecursiveVariableUsages(n);for(let{node:n,type:i,defaultValue:a,parentType:o}of r){let r=n.name.value,s=t[r];if(s&&i){let t=e.getSchema(),c=jr(t,s.type);if(c&&!xa(t,c,s.defaultValue,i,a)){let t=R(c),a=R(i);e.reportError(new M(`Variable "$${r}" of type "${t}" used in position expecting type "${a}".`,{nodes:[s,n]}))}Rt(o)&&o.isOneOf&&Jt(c)&&e.reportError(new M(`Variable "$${r}" is of type "${c}" but must be non-nullable to be used for OneOf Input Object "${o}".`,{nodes:[s,n]}))}}}},VariableDefinition(e){t[e.variable.name.value]=e}}}function xa(e,t,n,r,i){return Bt(r)&&!Bt(t)?(n==null||n.kind===I.NULL)&&i===void 0?!1:xn(e,t,r.ofType):xn(e,t,r)}var Sa=Object.freeze([ri]);Object.freeze([Br,fa,ei,ta,Zr,Wr,ya,Ui,Vr,ua,Xr,oi,Pi,ii,ha,ai,si,qr,oa,Gr,ia,ga,Bi,ba,fi,da,...Sa]);var Ca=Object.freeze([ti,pa,ma,sa,ca,ra,aa,Zr,qr,oa,Ii,Kr,ia,da,Vi]),wa=class{constructor(){this._entries=new Map,this._memberIds=new Map,this._nextMemberId=0}get(e){return this._entries.get(this._key(e))}set(e,t){this._entries.set(this._key(e),t)}_key(e){let t=[];for(let n of e){let e=this._memberIds.get(n);e===void 0&&(e=this._nextMemberId++,this._memberIds.set(n,e)),t.push(e)}return t.sort((e,t)=>e-t),t.join(`,`)}},Ta=class{_remainingFragmentWork=5e4;constructor(e,t){this._ast=e,this._fragments=void 0,this._fragmentSpreads=new Map,this._recursivelyReferencedFragments=new wa,this._onError=t}get[Symbol.toStringTag](){return`ASTValidationContext`}reportError(e){this._onError(e)}getDocument(){return this._ast}getFragment(e){let t;if(this._fragments)t=this._fragments;else{t=Object.create(null);for(let e of this.getDocument().definitions)e.kind===I.FRAGMENT_DEFINITION&&(t[e.name.value]=e);this._fragments=t}return t[e]}getFragmentSpreads(e){let t=this._fragmentSpreads.get(e);if(!t){t=[];let n=[e],r;for(;r=n.pop();)for(let e of r.selections)e.kind===I.FRAGMENT_SPREAD?t.push(e):e.selectionSet&&n.push(e.selectionSet);this._fragmentSpreads.set(e,t)}return t}getRecursivelyReferencedFragments(e){return this.getRecursivelyReferencedFragmentsForOperations([e])}getRecursivelyReferencedFragmentsForOperations(e){let t=new Set(e.flatMap(({selectionSet:e})=>this.getFragmentSpreads(e).map(({name:e})=>e.value))),n=this._recursivelyReferencedFragments.get(t);if(!n){n=[],this.spendFragmentWork(t.size);let e=new Set(t);for(let t of e){let r=this.getFragment(t);if(r){n.push(r);let t=this.getFragmentSpreads(r.selectionSet);this.spendFragmentWork(t.length);for(let n of t)e.add(n.name.value)}}this._recursivelyReferencedFragments.set(t,n)}return n}spendFragmentWork(e){if(this._remainingFragmentWork-=e,this._remainingFragmentWork<0)throw ci}},Ea=class extends Ta{constructor(e,t,n){super(e,n),this._schema=t}get hideSuggestions(){return!1}get[Symbol.toStringTag](){return`SDLValidationContext`}getSchema(){return this._schema}};nt(ne,e=>e.filter(e=>e!==`description`));function Da(e,t,n=Ca){let r=[],i=new Ea(e,t,e=>{r.push(e)});return Or(e,kr(n.map(e=>e(i)))),r}function Oa(e){let t=Da(e);if(t.length!==0)throw Error(t.map(e=>e.message).join(`

`))}function ka(e){let t={descriptions:!0,specifiedByUrl:!1,directiveIsRepeatable:!1,schemaDescription:!1,inputValueDeprecation:!1,experimentalDirectiveDeprecation:!1,oneOf:!1,typeDepth:9,...e},n=t.descriptions?`description`:``,r=t.specifiedByUrl?`specifiedByURL`:``,i=t.directiveIsRepeatable?`isRepeatable`:``,a=t.schemaDescription?n:``;function o(e){return t.inputValueDeprecation?e:``}function s(e){return t.experimentalDirectiveDeprecation?e:``}let c=t.oneOf?`isOneOf`:``;function l(e,t){if(e<=0)return``;if(e>100)throw Error(`Please set typeDepth to a reasonable value between 0 and 100; the default is 9.`);return`
${t}ofType {
${t}  name
${t}  kind${l(e-1,t+`  `)}
${t}}`}return`
    query IntrospectionQuery {
      __schema {
        ${a}
        queryType { name kind }
        mutationType { name kind }
        subscriptionType { name kind }
        types {
          ...FullType
        }
        directives${s(`(includeDeprecated: true)`)} {
          name
          ${n}
          ${i}
          ${s(`isDeprecated`)}
          ${s(`deprecationReason`)}
          locations
          args${o(`(includeDeprecated: true)`)} {
            ...InputValue
          }
        }
      }
    }

    fragment FullType on __Type {
      kind
      name
      ${n}
      ${r}
      ${c}
      fields(includeDeprecated: true) {
        name
        ${n}
        args${o(`(includeDeprecated: true)`)} {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields${o(`(includeDeprecated: true)`)} {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        ${n}
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }

    fragment InputValue on __InputValue {
      name
      ${n}
      type { ...TypeRef }
      defaultValue
      ${o(`isDeprecated`)}
      ${o(`deprecationReason`)}
    }

    fragment TypeRef on __Type {
      kind
      name${l(t.typeDepth,`      `)}
    }
  `}function Aa(e,t){T(e)&&T(e.__schema)||w(!1,`Invalid or incomplete introspection result. Ensure that you are passing "data" property of introspection response and no "errors" was returned alongside: ${R(e)}.`);let n=e.__schema,r=tt(n.types,e=>e.name,e=>f(e));for(let e of[...On,...nr])r[e.name]&&(r[e.name]=e);let i=n.queryType?u(n.queryType):null,a=n.mutationType?u(n.mutationType):null,o=n.subscriptionType?u(n.subscriptionType):null,s=n.directives?n.directives.map(E):[];return new or({description:n.description,query:i,mutation:a,subscription:o,types:Object.values(r),directives:s,assumeValid:t?.assumeValid});function c(e){if(e.kind===Zn.LIST){let t=e.ofType;if(!t)throw Error(`Decorated type deeper than introspection query.`);return new Kt(c(t))}if(e.kind===Zn.NON_NULL){let t=e.ofType;if(!t)throw Error(`Decorated type deeper than introspection query.`);return new V(Yt(c(t)))}return l(e)}function l(e){let t=e.name;if(!t)throw Error(`Unknown type reference: ${R(e)}.`);let n=r[t];if(!n)throw Error(`Invalid or incomplete schema, unknown type: ${t}. Ensure that a full introspection query is used in order to build a client schema.`);return n}function u(e){return Nt(l(e))}function d(e){return Ft(l(e))}function f(e){if(e!=null&&e.name!=null&&e.kind!=null)switch(e.kind){case Zn.SCALAR:return p(e);case Zn.OBJECT:return h(e);case Zn.INTERFACE:return g(e);case Zn.UNION:return _(e);case Zn.ENUM:return v(e);case Zn.INPUT_OBJECT:return y(e)}let t=R(e);throw Error(`Invalid or incomplete introspection result. Ensure that a full introspection query is used in order to build a client schema: ${t}.`)}function p(e){return new tn({name:e.name,description:e.description,specifiedByURL:e.specifiedByURL})}function m(e){if(e.interfaces===null&&e.kind===Zn.INTERFACE)return[];if(!e.interfaces){let t=R(e);throw Error(`Introspection result missing interfaces: ${t}.`)}return e.interfaces.map(d)}function h(e){return new nn({name:e.name,description:e.description,interfaces:()=>m(e),fields:()=>b(e)})}function g(e){return new dn({name:e.name,description:e.description,interfaces:()=>m(e),fields:()=>b(e)})}function _(e){if(!e.possibleTypes){let t=R(e);throw Error(`Introspection result missing possibleTypes: ${t}.`)}return new fn({name:e.name,description:e.description,types:()=>e.possibleTypes.map(u)})}function v(e){if(!e.enumValues){let t=R(e);throw Error(`Introspection result missing enumValues: ${t}.`)}return new mn({name:e.name,description:e.description,values:tt(e.enumValues,e=>e.name,e=>({description:e.description,deprecationReason:e.deprecationReason}))})}function y(e){if(!e.inputFields){let t=R(e);throw Error(`Introspection result missing inputFields: ${t}.`)}return new _n({name:e.name,description:e.description,fields:()=>S(e.inputFields),isOneOf:e.isOneOf})}function b(e){if(!e.fields)throw Error(`Introspection result missing fields: ${R(e)}.`);return tt(e.fields,e=>e.name,x)}function x(e){let t=c(e.type);if(!Ht(t)){let e=R(t);throw Error(`Introspection must provide output type for fields, but received: ${e}.`)}if(!e.args){let t=R(e);throw Error(`Introspection result missing field args: ${t}.`)}return{description:e.description,deprecationReason:e.deprecationReason,type:t,args:S(e.args)}}function S(e){return tt(e,e=>e.name,C)}function C(e){let t=c(e.type);if(!Vt(t)){let e=R(t);throw Error(`Introspection must provide input type for arguments, but received: ${e}.`)}let n=e.defaultValue==null?void 0:Wi(qe(e.defaultValue),t);return{description:e.description,type:t,defaultValue:n,deprecationReason:e.deprecationReason}}function E(e){if(!e.args){let t=R(e);throw Error(`Introspection result missing directive args: ${t}.`)}if(!e.locations){let t=R(e);throw Error(`Introspection result missing directive locations: ${t}.`)}return new Mn({name:e.name,description:e.description,isRepeatable:e.isRepeatable,deprecationReason:e.deprecationReason,locations:e.locations.slice(),args:S(e.args)})}}function ja(e,t,n){let r=[],i=Object.create(null),a=Object.create(null),o=[],s,c=[];for(let e of t.definitions)if(e.kind===I.SCHEMA_DEFINITION)s=e;else if(e.kind===I.SCHEMA_EXTENSION)c.push(e);else if(Lr(e))r.push(e);else if(zr(e)){let t=e.name.value,n=i[t];i[t]=n?n.concat([e]):[e]}else if(e.kind===I.DIRECTIVE_DEFINITION)o.push(e);else if(e.kind===I.DIRECTIVE_EXTENSION){let t=e.name.value,n=a[t];a[t]=n?n.concat([e]):[e]}if(Object.keys(i).length===0&&r.length===0&&Object.keys(a).length===0&&o.length===0&&c.length===0&&s==null)return e;let l=Object.create(null);for(let t of e.types)l[t.name]=g(t);for(let e of r){let t=e.name.value;l[t]=Ma[t]??te(e)}let u=Object.create(null);for(let t of e.directives)u[t.name]=E(t);let d={query:e.query&&m(e.query),mutation:e.mutation&&m(e.mutation),subscription:e.subscription&&m(e.subscription),...s&&T([s]),...T(c)},f=Object.values(u);return{description:s?.description?.value,...d,types:Object.values(l),directives:[...f.map(h),...o.map(k)],extensions:Object.create(null),astNode:s??e.astNode,extensionASTNodes:e.extensionASTNodes.concat(c),assumeValid:n?.assumeValid??!1};function p(e){return zt(e)?new Kt(p(e.ofType)):Bt(e)?new V(p(e.ofType)):m(e)}function m(e){return l[e.name]}function h(e){let t=e.toConfig();return new Mn({...t,args:nt(t.args,w)})}function g(e){if(rr(e)||kn(e))return e;if(jt(e))return y(e);if(Mt(e))return b(e);if(Pt(e))return x(e);if(It(e))return S(e);if(Lt(e))return v(e);if(Rt(e))return _(e);Bn(!1,`Unexpected type: `+R(e))}function _(e){let t=e.toConfig(),n=i[t.name]??[];return new _n({...t,fields:()=>({...nt(t.fields,e=>({...e,type:p(e.type)})),...M(n)}),extensionASTNodes:t.extensionASTNodes.concat(n)})}function v(e){let t=e.toConfig(),n=i[e.name]??[];return new mn({...t,values:{...t.values,...N(n)},extensionASTNodes:t.extensionASTNodes.concat(n)})}function y(e){let t=e.toConfig(),n=i[t.name]??[],r=t.specifiedByURL;for(let e of n)r=Pa(e)??r;return new tn({...t,specifiedByURL:r,extensionASTNodes:t.extensionASTNodes.concat(n)})}function b(e){let t=e.toConfig(),n=i[t.name]??[];return new nn({...t,interfaces:()=>[...e.getInterfaces().map(m),...P(n)],fields:()=>({...nt(t.fields,C),...A(n)}),extensionASTNodes:t.extensionASTNodes.concat(n)})}function x(e){let t=e.toConfig(),n=i[t.name]??[];return new dn({...t,interfaces:()=>[...e.getInterfaces().map(m),...P(n)],fields:()=>({...nt(t.fields,C),...A(n)}),extensionASTNodes:t.extensionASTNodes.concat(n)})}function S(e){let t=e.toConfig(),n=i[t.name]??[];return new fn({...t,types:()=>[...e.getTypes().map(m),...ee(n)],extensionASTNodes:t.extensionASTNodes.concat(n)})}function C(e){return{...e,type:p(e.type),args:e.args&&nt(e.args,w)}}function w(e){return{...e,type:p(e.type)}}function T(e){let t={};for(let n of e){let e=n.operationTypes??[];for(let n of e)t[n.operation]=D(n.type)}return t}function E(e){let t=e.toConfig(),n=a[t.name]??[],r=t.deprecationReason??n.map(e=>Na(e)).find(e=>e!=null);return new Mn({...t,deprecationReason:r,extensionASTNodes:t.extensionASTNodes.concat(n)})}function D(e){let t=e.name.value,n=Ma[t]??l[t];if(n===void 0)throw Error(`Unknown type: "${t}".`);return n}function O(e){return e.kind===I.LIST_TYPE?new Kt(O(e.type)):e.kind===I.NON_NULL_TYPE?new V(O(e.type)):D(e)}function k(e){let t=a[e.name.value]??[],n=Na(e)??t.map(e=>Na(e)).find(e=>e!=null);return new Mn({name:e.name.value,description:e.description?.value,locations:e.locations.map(({value:e})=>e),isRepeatable:e.repeatable,args:j(e.arguments),deprecationReason:n,astNode:e,extensionASTNodes:t})}function A(e){let t=Object.create(null);for(let n of e){let e=n.fields??[];for(let n of e)t[n.name.value]={type:O(n.type),description:n.description?.value,args:j(n.arguments),deprecationReason:Na(n),astNode:n}}return t}function j(e){let t=e??[],n=Object.create(null);for(let e of t){let t=O(e.type);n[e.name.value]={type:t,description:e.description?.value,defaultValue:Wi(e.defaultValue,t),deprecationReason:Na(e),astNode:e}}return n}function M(e){let t=Object.create(null);for(let n of e){let e=n.fields??[];for(let n of e){let e=O(n.type);t[n.name.value]={type:e,description:n.description?.value,defaultValue:Wi(n.defaultValue,e),deprecationReason:Na(n),astNode:n}}}return t}function N(e){let t=Object.create(null);for(let n of e){let e=n.values??[];for(let n of e)t[n.name.value]={description:n.description?.value,deprecationReason:Na(n),astNode:n}}return t}function P(e){return e.flatMap(e=>e.interfaces?.map(D)??[])}function ee(e){return e.flatMap(e=>e.types?.map(D)??[])}function te(e){let t=e.name.value,n=i[t]??[];switch(e.kind){case I.OBJECT_TYPE_DEFINITION:{let r=[e,...n];return new nn({name:t,description:e.description?.value,interfaces:()=>P(r),fields:()=>A(r),astNode:e,extensionASTNodes:n})}case I.INTERFACE_TYPE_DEFINITION:{let r=[e,...n];return new dn({name:t,description:e.description?.value,interfaces:()=>P(r),fields:()=>A(r),astNode:e,extensionASTNodes:n})}case I.ENUM_TYPE_DEFINITION:{let r=[e,...n];return new mn({name:t,description:e.description?.value,values:N(r),astNode:e,extensionASTNodes:n})}case I.UNION_TYPE_DEFINITION:{let r=[e,...n];return new fn({name:t,description:e.description?.value,types:()=>ee(r),astNode:e,extensionASTNodes:n})}case I.SCALAR_TYPE_DEFINITION:return new tn({name:t,description:e.description?.value,specifiedByURL:Pa(e),astNode:e,extensionASTNodes:n});case I.INPUT_OBJECT_TYPE_DEFINITION:{let r=[e,...n];return new _n({name:t,description:e.description?.value,fields:()=>M(r),astNode:e,extensionASTNodes:n,isOneOf:Fa(e)})}}}}var Ma=et([...On,...nr],e=>e.name);function Na(e){return Ji(Fn,e)?.reason}function Pa(e){return Ji(In,e)?.url}function Fa(e){return!!Ji(Ln,e)}function Ia(e,t){e!=null&&e.kind===I.DOCUMENT||w(!1,`Must provide valid Document AST.`),t?.assumeValid!==!0&&t?.assumeValidSDL!==!0&&Oa(e);let n=ja({description:void 0,types:[],directives:[],extensions:Object.create(null),extensionASTNodes:[],assumeValid:!1},e,t);if(n.astNode==null)for(let e of n.types)switch(e.name){case`Query`:n.query=e;break;case`Mutation`:n.mutation=e;break;case`Subscription`:n.subscription=e}let r=[...n.directives,...Rn.filter(e=>n.directives.every(t=>t.name!==e.name))];return new or({...n,directives:r})}function La(e,t){return Ia(Ke(e,t),{assumeValidSDL:t?.assumeValidSDL,assumeValid:t?.assumeValid})}function Ra(e){return Ba(e,e=>!zn(e),za)}function za(e){return!kn(e)&&!rr(e)}function Ba(e,t,n){let r=e.getDirectives().filter(t),i=Object.values(e.getTypeMap()).filter(n);return[Va(e),...r.map(e=>to(e)),...i.map(e=>Ua(e))].filter(Boolean).join(`

`)}function Va(e){if(e.description==null&&Ha(e))return;let t=[],n=e.getQueryType();n&&t.push(`  query: ${n.name}`);let r=e.getMutationType();r&&t.push(`  mutation: ${r.name}`);let i=e.getSubscriptionType();return i&&t.push(`  subscription: ${i.name}`),io(e)+`schema {\n${t.join(`
`)}\n}`}function Ha(e){let t=e.getQueryType();if(t&&t.name!==`Query`)return!1;let n=e.getMutationType();if(n&&n.name!==`Mutation`)return!1;let r=e.getSubscriptionType();return!(r&&r.name!==`Subscription`)}function Ua(e){if(jt(e))return Wa(e);if(Mt(e))return Ka(e);if(Pt(e))return qa(e);if(It(e))return Ja(e);if(Lt(e))return Ya(e);if(Rt(e))return Xa(e);Bn(!1,`Unexpected type: `+R(e))}function Wa(e){return io(e)+`scalar ${e.name}`+ro(e)}function Ga(e){let t=e.getInterfaces();return t.length?` implements `+t.map(e=>e.name).join(` & `):``}function Ka(e){return io(e)+`type ${e.name}`+Ga(e)+Za(e)}function qa(e){return io(e)+`interface ${e.name}`+Ga(e)+Za(e)}function Ja(e){let t=e.getTypes(),n=t.length?` = `+t.join(` | `):``;return io(e)+`union `+e.name+n}function Ya(e){let t=e.getValues().map((e,t)=>io(e,`  `,!t)+`  `+e.name+no(e.deprecationReason));return io(e)+`enum ${e.name}`+Qa(t)}function Xa(e){let t=Object.values(e.getFields()).map((e,t)=>io(e,`  `,!t)+`  `+eo(e));return io(e)+`input ${e.name}`+(e.isOneOf?` @oneOf`:``)+Qa(t)}function Za(e){return Qa(Object.values(e.getFields()).map((e,t)=>io(e,`  `,!t)+`  `+e.name+$a(e.args,`  `)+`: `+String(e.type)+no(e.deprecationReason)))}function Qa(e){return e.length===0?``:` {
`+e.join(`
`)+`
}`}function $a(e,t=``){return e.length===0?``:e.every(e=>!e.description)?`(`+e.map(eo).join(`, `)+`)`:`(
`+e.map((e,n)=>io(e,`  `+t,!n)+`  `+t+eo(e)).join(`
`)+`
`+t+`)`}function eo(e){let t=Hn(e.defaultValue,e.type),n=e.name+`: `+String(e.type);return t&&(n+=` = ${gt(t)}`),n+no(e.deprecationReason)}function to(e){return io(e)+`directive @`+e.name+$a(e.args)+no(e.deprecationReason)+(e.isRepeatable?` repeatable`:``)+` on `+e.locations.join(` | `)}function no(e){return e==null?``:e===`No longer supported`?` @deprecated`:` @deprecated(reason: ${gt({kind:I.STRING,value:e})})`}function ro(e){return e.specifiedByURL==null?``:` @specifiedBy(url: ${gt({kind:I.STRING,value:e.specifiedByURL})})`}function io(e,t=``,n=!0){let{description:r}=e;if(r==null)return``;let i=gt({kind:I.STRING,value:r,block:pe(r)});return(t&&!n?`
`+t:t)+i.replace(/\n/g,`
`+t)+`
`}function ao(e){return new Worker(`/assets/json.worker-u2U2_qnQ.js`,{name:e?.name})}function oo(e){return new Worker(`/assets/graphql.worker-BGkusozr.js`,{name:e?.name})}function so(e){return new Worker(`/assets/editor.worker-BIgRgkG9.js`,{name:e?.name})}globalThis.MonacoEnvironment={getWorker(e,t){switch(console.info(`setup-workers/vite`,{label:t}),t){case`json`:return new ao;case`graphql`:return new oo}return new so}};var co=Object.defineProperty,lo=Object.defineProperties,uo=Object.getOwnPropertyDescriptors,fo=Object.getOwnPropertySymbols,po=Object.prototype.hasOwnProperty,mo=Object.prototype.propertyIsEnumerable,ho=(e,t)=>(t=Symbol[e])?t:Symbol.for(`Symbol.`+e),go=(e,t,n)=>t in e?co(e,t,{enumerable:!0,configurable:!0,writable:!0,value:n}):e[t]=n,_o=(e,t)=>{for(var n in t||={})po.call(t,n)&&go(e,n,t[n]);if(fo)for(var n of fo(t))mo.call(t,n)&&go(e,n,t[n]);return e},vo=(e,t)=>lo(e,uo(t)),yo=function(e,t){this[0]=e,this[1]=t},bo=(e,t,n)=>{var r=(e,t,i,a)=>{try{var o=n[e](t),s=(t=o.value)instanceof yo,c=o.done;Promise.resolve(s?t[0]:t).then(n=>s?r(e===`return`?e:`next`,t[1]?{done:n.done,value:n.value}:n,i,a):i({value:n,done:c})).catch(e=>r(`throw`,e,i,a))}catch(e){a(e)}},i=e=>a[e]=t=>new Promise((n,i)=>r(e,t,n,i)),a={};return n=n.apply(e,t),a[ho(`asyncIterator`)]=()=>a,i(`next`),i(`throw`),i(`return`),a},xo=(e,t,n)=>(t=e[ho(`asyncIterator`)])?t.call(e):(e=e[ho(`iterator`)](),t={},n=(n,r)=>(r=e[n])&&(t[n]=t=>new Promise((n,i,a)=>(t=r.call(e,t),a=t.done,Promise.resolve(t.value).then(e=>n({value:e,done:a}),i)))),n(`next`),n(`return`),t);function So(e){return typeof e==`object`&&!!e&&typeof e.then==`function`}function Co(e){return new Promise((t,n)=>{let r=e.subscribe({next(e){t(e),r.unsubscribe()},error:n,complete(){n(Error(`no value resolved`))}})})}function wo(e){return typeof e==`object`&&!!e&&`subscribe`in e&&typeof e.subscribe==`function`}function To(e){return typeof e==`object`&&!!e&&(e[Symbol.toStringTag]===`AsyncGenerator`||Symbol.asyncIterator in e)}async function Eo(e){let t=(`return`in e?e:e[Symbol.asyncIterator]()).return?.bind(e),n=await(`next`in e?e:e[Symbol.asyncIterator]()).next.bind(e)();return t?.(),n.value}async function Do(e){let t=await e;return To(t)?Eo(t):wo(t)?Co(t):t}async function Oo(e,t){if(!e.ok||!e.body||e.bodyUsed)return e;let n=e.headers.get(`content-type`);if(!n||!~n.indexOf(`multipart/`))return e;let r=n.indexOf(`boundary=`),i=`-`;if(~r){let e=r+9,t=n.indexOf(`;`,e);i=n.slice(e,t>-1?t:void 0).trim().replace(/"/g,``)}return async function*(e,t,n){let r,i,a,o=new TextDecoder(`utf8`),s=e.getReader(),c=!n||!n.multiple,l=t.length,u=``,d=[];try{let e;e:for(;!(e=await s.read()).done;){let n=o.decode(e.value,{stream:!0});r=u.length,u+=n;let s=n.indexOf(t);for(~s?r+=s:r=u.indexOf(t),d=[];~r;){let e=u.slice(0,r),n=u.slice(r+l);if(i){let t=e.indexOf(`\r
\r
`)+4,r=e.lastIndexOf(`\r
`,t),i=!1,o=e.slice(t,r>-1?void 0:r),s=String(e.slice(0,t)).trim().split(`\r
`),l={},u=s.length;for(;a=s[--u];a=a.split(`: `),l[a.shift().toLowerCase()]=a.join(`: `));if(a=l[`content-type`],a&&~a.indexOf(`application/json`))try{o=JSON.parse(o),i=!0}catch{}if(a={headers:l,body:o,json:i},c?yield a:d.push(a),n.slice(0,2)===`--`)break e}else t=`\r
`+t,i=l+=2;u=n,r=u.indexOf(t)}d.length&&(yield d)}}finally{d.length&&(yield d),await s.cancel()}}(e.body,`--${i}`,t)}function ko(e,t,n){let r=(async function*(){yield*e})(),i=r.return.bind(r);if(t&&(r.return=(...e)=>(t(),i(...e))),n){let e=r.throw.bind(r);r.throw=t=>(n(t),e(t))}return r}function Ao(){let e={};return e.promise=new Promise((t,n)=>{e.resolve=t,e.reject=n}),e}function jo(){let e={type:`running`},t=Ao(),n=[];function r(r){e.type===`running`&&(n.push(r),t.resolve(),t=Ao())}return{pushValue:r,asyncIterableIterator:ko((async function*(){for(;;)if(n.length>0)yield n.shift();else{if(e.type===`error`)throw e.error;if(e.type===`finished`)return;await t.promise}})(),()=>{e.type===`running`&&(e={type:`finished`},t.resolve())},n=>{e.type===`running`&&(e={type:`error`,error:n},t.resolve())})}}var Mo=e=>{let{pushValue:t,asyncIterableIterator:n}=jo(),r=e({next:e=>{t(e)},complete:()=>{n.return()},error:e=>{n.throw(e)}}),i=n.return,a;return n.return=()=>(a===void 0&&(r(),a=i()),a),n};function No(e){return typeof e==`object`&&!!e&&(e[Symbol.toStringTag]===`AsyncGenerator`||Symbol.asyncIterator&&Symbol.asyncIterator in e)}var Po=e=>typeof e==`object`&&!!e&&`code`in e,Fo=(e,t)=>{let n=!1;return Or(e,{OperationDefinition(e){t===e.name?.value&&e.operation===`subscription`&&(n=!0)}}),n},Io=(e,t)=>async(n,r)=>(await t(e.url,{method:`POST`,body:JSON.stringify(n),headers:_o(_o({"content-type":`application/json`,accept:`application/graphql-response+json, application/json;q=0.9`},e.headers),r?.headers)})).json();async function Lo(e,t){let n;try{let{createClient:r}=await c(async()=>{let{createClient:e}=await import(`./dist-CFLpQDq_.js`).then(e=>e.t);return{createClient:e}},__vite__mapDeps([0,1]));return n=r({url:e,connectionParams:t}),Ro(n)}catch(t){if(Po(t)&&t.code===`MODULE_NOT_FOUND`)throw Error(`You need to install the 'graphql-ws' package to use websockets when passing a 'subscriptionUrl'`);console.error(`Error creating websocket client for ${e}`,t)}}var Ro=e=>t=>Mo(n=>e.subscribe(t,vo(_o({},n),{error(e){e instanceof CloseEvent?n.error(Error(`Socket closed with event ${e.code} ${e.reason||``}`.trim())):n.error(e)}}))),zo=e=>t=>{let n=e.request(t);return Mo(e=>n.subscribe(e).unsubscribe)},Bo=(e,t)=>function(n,r){return bo(this,null,function*(){let i=yield new yo(t(e.url,{method:`POST`,body:JSON.stringify(n),headers:_o(_o({"content-type":`application/json`,accept:`application/json, multipart/mixed`},e.headers),r?.headers)}).then(e=>Oo(e,{multiple:!0})));if(!No(i))return yield i.json();try{for(var a=xo(i),o,s,c;o=!(s=yield new yo(a.next())).done;o=!1){let e=s.value;if(e.some(e=>!e.json)){let t=e.map(e=>`Headers::
${e.headers}

Body::
${e.body}`);throw Error(`Expected multipart chunks to be of json type. got:
${t}`)}yield e.map(e=>e.body)}}catch(e){c=[e]}finally{try{o&&(s=a.return)&&(yield new yo(s.call(a)))}finally{if(c)throw c[0]}}})};async function Vo(e,t){if(e.wsClient)return Ro(e.wsClient);if(e.subscriptionUrl)return Lo(e.subscriptionUrl,_o(_o({},e.wsConnectionParams),t?.headers));let n=e.legacyClient||e.legacyWsClient;if(n)return zo(n)}function Ho(e){let t=e.fetch||typeof window<`u`&&window.fetch;if(!t)throw Error(`No valid fetcher implementation available`);e.enableIncrementalDelivery=e.enableIncrementalDelivery!==!1;let n=Io(e,t),r=e.enableIncrementalDelivery?Bo(e,t):n;return async(t,i)=>{if(t.operationName===`IntrospectionQuery`)return(e.schemaFetcher||n)(t,i);if(i!=null&&i.documentAST&&Fo(i.documentAST,t.operationName||void 0)){let n=await Vo(e,i);if(!n)throw Error(`Your GraphiQL createFetcher is not properly configured for websocket subscriptions yet. ${e.subscriptionUrl?`Provided URL ${e.subscriptionUrl} failed`:`Please provide subscriptionUrl, wsClient or legacyClient option first.`}`);return n(t)}return r(t,i)}}function Uo(e){return JSON.stringify(e,null,2)}function Wo(e){return vo(_o({},e),{message:e.message,stack:e.stack})}function Go(e){return e instanceof Error?Wo(e):e}function Ko(e){return Uo(Array.isArray(e)?{errors:e.map(e=>Go(e))}:{errors:[Go(e)]})}function qo(e){return Uo(e)}function Jo(e,t,n){let r=[];if(!e||!t)return{insertions:r,result:t};let i;try{i=Ke(t)}catch{return{insertions:r,result:t}}let a=n||Yo,o=new Mr(e);return Or(i,{leave(e){o.leave(e)},enter(e){if(o.enter(e),e.kind===`Field`&&!e.selectionSet){let n=Xo($o(o.getType()),a);if(n&&e.loc){let i=Qo(t,e.loc.start);r.push({index:e.loc.end,string:` `+gt(n).replaceAll(`
`,`
`+i)})}}}}),{insertions:r,result:Zo(t,r)}}function Yo(e){if(!(`getFields`in e))return[];let t=e.getFields();if(t.id)return[`id`];if(t.edges)return[`edges`];if(t.node)return[`node`];let n=[];for(let e of Object.keys(t))Ut(t[e].type)&&n.push(e);return n}function Xo(e,t){let n=Qt(e);if(!e||Ut(e))return;let r=t(n);if(Array.isArray(r)&&r.length!==0&&`getFields`in n)return{kind:I.SELECTION_SET,selections:r.map(e=>{let r=n.getFields()[e],i=r?r.type:null;return{kind:I.FIELD,name:{kind:I.NAME,value:e},selectionSet:Xo(i,t)}})}}function Zo(e,t){if(t.length===0)return e;let n=``,r=0;for(let{index:i,string:a}of t)n+=e.slice(r,i)+a,r=i;return n+=e.slice(r),n}function Qo(e,t){let n=t,r=t;for(;n;){let t=e.charCodeAt(n-1);if(t===10||t===13||t===8232||t===8233)break;n--,t!==9&&t!==11&&t!==12&&t!==32&&t!==160&&(r=n)}return e.slice(n,r)}function $o(e){if(e)return e}function es(e,t){var n;let r=new Map,i=[];for(let a of e)if(a.kind===`Field`){let e=t(a),o=r.get(e);if((n=a.directives)!=null&&n.length){let e=_o({},a);i.push(e)}else if(o!=null&&o.selectionSet&&a.selectionSet)o.selectionSet.selections=[...o.selectionSet.selections,...a.selectionSet.selections];else if(!o){let t=_o({},a);r.set(e,t),i.push(t)}}else i.push(a);return i}function ts(e,t,n){let r=n?Qt(n).name:null,i=[],a=[];for(let o of t){if(o.kind===`FragmentSpread`){let t=o.name.value;if(!o.directives||o.directives.length===0){if(a.includes(t))continue;a.push(t)}let n=e[o.name.value];if(n){let{typeCondition:e,directives:t,selectionSet:r}=n;o={kind:I.INLINE_FRAGMENT,typeCondition:e,directives:t,selectionSet:r}}}if(o.kind===I.INLINE_FRAGMENT&&(!o.directives||o.directives?.length===0)){let t=o.typeCondition?o.typeCondition.name.value:null;if(!t||t===r){i.push(...ts(e,o.selectionSet.selections,n));continue}}i.push(o)}return i}function ns(e,t){let n=t?new Mr(t):null,r=Object.create(null);for(let t of e.definitions)t.kind===I.FRAGMENT_DEFINITION&&(r[t.name.value]=t);let i={SelectionSet(e){let t=n?n.getParentType():null,{selections:i}=e;return i=ts(r,i,t),vo(_o({},e),{selections:i})},FragmentDefinition(){return null}};return Or(Or(e,n?Pr(n,i):i),{SelectionSet(e){let{selections:t}=e;return t=es(t,e=>e.alias?e.alias.value:e.name.value),vo(_o({},e),{selections:t})},FragmentDefinition(){return null}})}function rs(e,t,n){if(!n||n.length<1)return;let r=n.map(e=>e.name?.value);if(t&&r.includes(t))return t;if(t&&e){let n=e.map(e=>e.name?.value).indexOf(t);if(n!==-1&&n<r.length)return r[n]}return r[0]}function is(e,t){return t instanceof DOMException&&(t.code===22||t.code===1014||t.name===`QuotaExceededError`||t.name===`NS_ERROR_DOM_QUOTA_REACHED`)&&e.length!==0}var as=class{constructor(e){this.storage=e||(e===null||typeof window>`u`?null:{getItem:localStorage.getItem.bind(localStorage),setItem:localStorage.setItem.bind(localStorage),removeItem:localStorage.removeItem.bind(localStorage),get length(){let e=0;for(let t in localStorage)t.indexOf(`${os}:`)===0&&(e+=1);return e},clear(){for(let e in localStorage)e.indexOf(`${os}:`)===0&&localStorage.removeItem(e)}})}get(e){if(!this.storage)return null;let t=`${os}:${e}`,n=this.storage.getItem(t);return n===`null`||n===`undefined`?(this.storage.removeItem(t),null):n||null}set(e,t){let n=!1,r=null;if(this.storage){let i=`${os}:${e}`;if(t)try{this.storage.setItem(i,t)}catch(e){r=e instanceof Error?e:Error(`${e}`),n=is(this.storage,e)}else this.storage.removeItem(i)}return{isQuotaError:n,error:r}}clear(){this.storage&&this.storage.clear()}},os=`graphiql`,ss=class{constructor(e,t,n=null){this.key=e,this.storage=t,this.maxSize=n,this.items=this.fetchAll()}get length(){return this.items.length}contains(e){return this.items.some(t=>t.query===e.query&&t.variables===e.variables&&t.headers===e.headers&&t.operationName===e.operationName)}edit(e,t){if(typeof t==`number`&&this.items[t]){let n=this.items[t];if(n.query===e.query&&n.variables===e.variables&&n.headers===e.headers&&n.operationName===e.operationName){this.items.splice(t,1,e),this.save();return}}let n=this.items.findIndex(t=>t.query===e.query&&t.variables===e.variables&&t.headers===e.headers&&t.operationName===e.operationName);n!==-1&&(this.items.splice(n,1,e),this.save())}delete(e){let t=this.items.findIndex(t=>t.query===e.query&&t.variables===e.variables&&t.headers===e.headers&&t.operationName===e.operationName);t!==-1&&(this.items.splice(t,1),this.save())}fetchRecent(){return this.items.at(-1)}fetchAll(){let e=this.storage.get(this.key);return e?JSON.parse(e)[this.key]:[]}push(e){let t=[...this.items,e];this.maxSize&&t.length>this.maxSize&&t.shift();for(let e=0;e<5;e++){let e=this.storage.set(this.key,JSON.stringify({[this.key]:t}));if(!(e!=null&&e.error))this.items=t;else if(e.isQuotaError&&this.maxSize)t.shift();else return}}save(){this.storage.set(this.key,JSON.stringify({[this.key]:this.items}))}},cs=1e5,ls=class{constructor(e,t){this.storage=e,this.maxHistoryLength=t,this.updateHistory=({query:e,variables:t,headers:n,operationName:r})=>{if(!this.shouldSaveQuery(e,t,n,this.history.fetchRecent()))return;this.history.push({query:e,variables:t,headers:n,operationName:r});let i=this.history.items,a=this.favorite.items;this.queries=i.concat(a)},this.deleteHistory=({query:e,variables:t,headers:n,operationName:r,favorite:i},a=!1)=>{function o(i){let a=i.items.find(i=>i.query===e&&i.variables===t&&i.headers===n&&i.operationName===r);a&&i.delete(a)}(i||a)&&o(this.favorite),(!i||a)&&o(this.history),this.queries=[...this.history.items,...this.favorite.items]},this.history=new ss(`queries`,this.storage,this.maxHistoryLength),this.favorite=new ss(`favorites`,this.storage,null),this.queries=[...this.history.fetchAll(),...this.favorite.fetchAll()]}shouldSaveQuery(e,t,n,r){if(!e)return!1;try{Ke(e)}catch{return!1}return e.length>cs?!1:!r||!(JSON.stringify(e)===JSON.stringify(r.query)&&(JSON.stringify(t)===JSON.stringify(r.variables)&&(JSON.stringify(n)===JSON.stringify(r.headers)||n&&!r.headers)||t&&!r.variables))}toggleFavorite({query:e,variables:t,headers:n,operationName:r,label:i,favorite:a}){let o={query:e,variables:t,headers:n,operationName:r,label:i};a?(o.favorite=!1,this.favorite.delete(o),this.history.push(o)):(o.favorite=!0,this.favorite.push(o),this.history.delete(o)),this.queries=[...this.history.items,...this.favorite.items]}editLabel({query:e,variables:t,headers:n,operationName:r,label:i,favorite:a},o){let s={query:e,variables:t,headers:n,operationName:r,label:i};a?this.favorite.edit(vo(_o({},s),{favorite:a}),o):this.history.edit(s,o),this.queries=[...this.history.items,...this.favorite.items]}},us=n(((e,t)=>{var n=Object.create,r=Object.defineProperty,i=Object.getOwnPropertyDescriptor,a=Object.getOwnPropertyNames,s=Object.getPrototypeOf,c=Object.prototype.hasOwnProperty,l=(e,t)=>{for(var n in t)r(e,n,{get:t[n],enumerable:!0})},u=(e,t,n,o)=>{if(t&&typeof t==`object`||typeof t==`function`)for(let s of a(t))!c.call(e,s)&&s!==n&&r(e,s,{get:()=>t[s],enumerable:!(o=i(t,s))||o.enumerable});return e},d=(e,t,i)=>(i=e==null?{}:n(s(e)),u(t||!e||!e.__esModule?r(i,`default`,{value:e,enumerable:!0}):i,e)),f=e=>u(r({},`__esModule`,{value:!0}),e),p={};l(p,{$dispatcherGuard:()=>T,$makeReadOnly:()=>D,$reset:()=>E,$structuralCheck:()=>P,c:()=>b,clearRenderCounterRegistry:()=>k,renderCounterRegistry:()=>O,useRenderCounter:()=>M}),t.exports=f(p);var m=d(o()),{useRef:h,useEffect:g,isValidElement:_}=m,v=m.__CLIENT_INTERNALS_DO_NOT_USE_OR_WARN_USERS_THEY_CANNOT_UPGRADE??m.__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED,y=Symbol.for(`react.memo_cache_sentinel`),b=typeof m.__COMPILER_RUNTIME?.c==`function`?m.__COMPILER_RUNTIME.c:function(e){return m.useMemo(()=>{let t=Array(e);for(let n=0;n<e;n++)t[n]=y;return t[y]=!0,t},[])},x={};[`readContext`,`useCallback`,`useContext`,`useEffect`,`useImperativeHandle`,`useInsertionEffect`,`useLayoutEffect`,`useMemo`,`useReducer`,`useRef`,`useState`,`useDebugValue`,`useDeferredValue`,`useTransition`,`useMutableSource`,`useSyncExternalStore`,`useId`,`unstable_isNewReconciler`,`getCacheSignal`,`getCacheForType`,`useCacheRefresh`].forEach(e=>{x[e]=()=>{throw Error(`[React] Unexpected React hook call (${e}) from a React compiled function. Check that all hooks are called directly and named according to convention ('use[A-Z]') `)}});var S=null;x.useMemoCache=e=>{if(S==null)throw Error(`React Compiler internal invariant violation: unexpected null dispatcher`);return S.useMemoCache(e)};function C(e){return v.ReactCurrentDispatcher.current=e,v.ReactCurrentDispatcher.current}var w=[];function T(e){let t=v.ReactCurrentDispatcher.current;if(e===0){if(w.push(t),w.length===1&&(S=t),t===x)throw Error(`[React] Unexpected call to custom hook or component from a React compiled function. Check that (1) all hooks are called directly and named according to convention ('use[A-Z]') and (2) components are returned as JSX instead of being directly invoked.`);C(x)}else if(e===1){let e=w.pop();if(e==null)throw Error(`React Compiler internal error: unexpected null in guard stack`);w.length===0&&(S=null),C(e)}else if(e===2)w.push(t),C(S);else if(e===3){let e=w.pop();if(e==null)throw Error(`React Compiler internal error: unexpected null in guard stack`);C(e)}else throw Error(`React Compiler internal error: unreachable block`+e)}function E(e){for(let t=0;t<e.length;t++)e[t]=y}function D(){throw Error(`TODO: implement $makeReadOnly in react-compiler-runtime`)}var O=new Map;function k(){for(let e of O.values())e.forEach(e=>{e.count=0})}function A(e,t){let n=O.get(e);n??(n=new Set,O.set(e,n)),n.add(t)}function j(e,t){O.get(e)?.delete(t)}function M(e){let t=h(null);t.current!=null&&(t.current.count+=1),g(()=>{if(t.current==null){let n={count:0};A(e,n),t.current=n}return()=>{t.current!==null&&j(e,t.current)}})}var N=new Set;function P(e,t,n,r,i,a){function o(e,t,o,s){let c=`${r}:${a} [${i}] ${n}${o} changed from ${e} to ${t} at depth ${s}`;N.has(c)||(N.add(c),console.error(c))}function s(e,t,n,r){if(!(r>2)&&e!==t){if(typeof e!=typeof t)o(`type ${typeof e}`,`type ${typeof t}`,n,r);else if(typeof e==`object`){let i=Array.isArray(e),a=Array.isArray(t);if(e===null&&t!==null)o(`null`,`type ${typeof t}`,n,r);else if(t===null)o(`type ${typeof e}`,`null`,n,r);else if(e instanceof Map){if(!(t instanceof Map))o(`Map instance`,`other value`,n,r);else if(e.size!==t.size)o(`Map instance with size ${e.size}`,`Map instance with size ${t.size}`,n,r);else for(let[i,a]of e)t.has(i)?s(a,t.get(i),`${n}.get(${i})`,r+1):o(`Map instance with key ${i}`,`Map instance without key ${i}`,n,r)}else if(t instanceof Map)o(`other value`,`Map instance`,n,r);else if(e instanceof Set){if(!(t instanceof Set))o(`Set instance`,`other value`,n,r);else if(e.size!==t.size)o(`Set instance with size ${e.size}`,`Set instance with size ${t.size}`,n,r);else for(let i of t)e.has(i)||o(`Set instance without element ${i}`,`Set instance with element ${i}`,n,r)}else if(t instanceof Set)o(`other value`,`Set instance`,n,r);else if(i||a){if(i!==a)o(`type ${i?`array`:`object`}`,`type ${a?`array`:`object`}`,n,r);else if(e.length!==t.length)o(`array with length ${e.length}`,`array with length ${t.length}`,n,r);else for(let i=0;i<e.length;i++)s(e[i],t[i],`${n}[${i}]`,r+1)}else if(_(e)||_(t))_(e)===_(t)?e.type===t.type?s(e.props,t.props,`[props of ${n}]`,r+1):o(`React element of type ${e.type}`,`React element of type ${t.type}`,n,r):o(`type ${_(e)?`React element`:`object`}`,`type ${_(t)?`React element`:`object`}`,n,r);else{for(let i in t)i in e||o(`object without key ${i}`,`object with key ${i}`,n,r);for(let i in e)i in t?s(e[i],t[i],`${n}.${i}`,r+1):o(`object with key ${i}`,`object without key ${i}`,n,r)}}else if(typeof e==`function`)return;else isNaN(e)||isNaN(t)?isNaN(e)!==isNaN(t)&&o(`${isNaN(e)?`NaN`:`non-NaN value`}`,`${isNaN(t)?`NaN`:`non-NaN value`}`,n,r):e!==t&&o(e,t,n,r)}}s(e,t,``,0)}0&&(t.exports={$dispatcherGuard:T,$makeReadOnly:D,$reset:E,$structuralCheck:P,c:b,clearRenderCounterRegistry:k,renderCounterRegistry:O,useRenderCounter:M})}));function ds(e){return()=>{for(let t of e)t.dispose()}}var fs=e=>{let t,n=new Set,r=(e,r)=>{let i=typeof e==`function`?e(t):e;if(!Object.is(i,t)){let e=t;t=r??(typeof i!=`object`||!i)?i:Object.assign({},t,i),n.forEach(n=>n(t,e))}},i=()=>t,a={setState:r,getState:i,getInitialState:()=>o,subscribe:e=>(n.add(e),()=>n.delete(e))},o=t=e(r,i,a);return a},ps=(e=>e?fs(e):fs),H=t(o(),1),ms=e=>e;function hs(e,t=ms){let n=H.useSyncExternalStore(e.subscribe,H.useCallback(()=>t(e.getState()),[e,t]),()=>t(e.getInitialState()));return H.useDebugValue(n),n}var gs=e=>{let t=ps(e),n=e=>hs(t,e);return Object.assign(n,t),n},_s=(e=>e?gs(e):gs),vs=e=>Symbol.iterator in e,ys=e=>`entries`in e,bs=(e,t)=>{let n=e instanceof Map?e:new Map(e.entries()),r=t instanceof Map?t:new Map(t.entries());if(n.size!==r.size)return!1;for(let[e,t]of n)if(!r.has(e)||!Object.is(t,r.get(e)))return!1;return!0},xs=(e,t)=>{let n=e[Symbol.iterator](),r=t[Symbol.iterator](),i=n.next(),a=r.next();for(;!i.done&&!a.done;){if(!Object.is(i.value,a.value))return!1;i=n.next(),a=r.next()}return!!i.done&&!!a.done};function Ss(e,t){return Object.is(e,t)?!0:typeof e!=`object`||!e||typeof t!=`object`||!t||Object.getPrototypeOf(e)!==Object.getPrototypeOf(t)?!1:vs(e)&&vs(t)?ys(e)&&ys(t)?bs(e,t):xs(e,t):bs({entries:()=>Object.entries(e)},{entries:()=>Object.entries(t)})}function Cs(e){let t=H.useRef(void 0);return n=>{let r=e(n);return Ss(t.current,r)?t.current:t.current=r}}var ws=(e=>t=>hs(e,t&&Cs(t))),Ts;(function(e){e[e.Unknown=0]=`Unknown`,e[e.Disabled=1]=`Disabled`,e[e.Enabled=2]=`Enabled`})(Ts||={});var Es;(function(e){e[e.Invoke=1]=`Invoke`,e[e.Auto=2]=`Auto`})(Es||={});var Ds;(function(e){e[e.None=0]=`None`,e[e.KeepWhitespace=1]=`KeepWhitespace`,e[e.InsertAsSnippet=4]=`InsertAsSnippet`})(Ds||={});var Os;(function(e){e[e.Method=0]=`Method`,e[e.Function=1]=`Function`,e[e.Constructor=2]=`Constructor`,e[e.Field=3]=`Field`,e[e.Variable=4]=`Variable`,e[e.Class=5]=`Class`,e[e.Struct=6]=`Struct`,e[e.Interface=7]=`Interface`,e[e.Module=8]=`Module`,e[e.Property=9]=`Property`,e[e.Event=10]=`Event`,e[e.Operator=11]=`Operator`,e[e.Unit=12]=`Unit`,e[e.Value=13]=`Value`,e[e.Constant=14]=`Constant`,e[e.Enum=15]=`Enum`,e[e.EnumMember=16]=`EnumMember`,e[e.Keyword=17]=`Keyword`,e[e.Text=18]=`Text`,e[e.Color=19]=`Color`,e[e.File=20]=`File`,e[e.Reference=21]=`Reference`,e[e.Customcolor=22]=`Customcolor`,e[e.Folder=23]=`Folder`,e[e.TypeParameter=24]=`TypeParameter`,e[e.User=25]=`User`,e[e.Issue=26]=`Issue`,e[e.Snippet=27]=`Snippet`})(Os||={});var ks;(function(e){e[e.Deprecated=1]=`Deprecated`})(ks||={});var As;(function(e){e[e.Invoke=0]=`Invoke`,e[e.TriggerCharacter=1]=`TriggerCharacter`,e[e.TriggerForIncompleteCompletions=2]=`TriggerForIncompleteCompletions`})(As||={});var js;(function(e){e[e.EXACT=0]=`EXACT`,e[e.ABOVE=1]=`ABOVE`,e[e.BELOW=2]=`BELOW`})(js||={});var Ms;(function(e){e[e.NotSet=0]=`NotSet`,e[e.ContentFlush=1]=`ContentFlush`,e[e.RecoverFromMarkers=2]=`RecoverFromMarkers`,e[e.Explicit=3]=`Explicit`,e[e.Paste=4]=`Paste`,e[e.Undo=5]=`Undo`,e[e.Redo=6]=`Redo`})(Ms||={});var Ns;(function(e){e[e.LF=1]=`LF`,e[e.CRLF=2]=`CRLF`})(Ns||={});var Ps;(function(e){e[e.Text=0]=`Text`,e[e.Read=1]=`Read`,e[e.Write=2]=`Write`})(Ps||={});var Fs;(function(e){e[e.None=0]=`None`,e[e.Keep=1]=`Keep`,e[e.Brackets=2]=`Brackets`,e[e.Advanced=3]=`Advanced`,e[e.Full=4]=`Full`})(Fs||={});var Is;(function(e){e[e.acceptSuggestionOnCommitCharacter=0]=`acceptSuggestionOnCommitCharacter`,e[e.acceptSuggestionOnEnter=1]=`acceptSuggestionOnEnter`,e[e.accessibilitySupport=2]=`accessibilitySupport`,e[e.accessibilityPageSize=3]=`accessibilityPageSize`,e[e.ariaLabel=4]=`ariaLabel`,e[e.ariaRequired=5]=`ariaRequired`,e[e.autoClosingBrackets=6]=`autoClosingBrackets`,e[e.autoClosingComments=7]=`autoClosingComments`,e[e.screenReaderAnnounceInlineSuggestion=8]=`screenReaderAnnounceInlineSuggestion`,e[e.autoClosingDelete=9]=`autoClosingDelete`,e[e.autoClosingOvertype=10]=`autoClosingOvertype`,e[e.autoClosingQuotes=11]=`autoClosingQuotes`,e[e.autoIndent=12]=`autoIndent`,e[e.automaticLayout=13]=`automaticLayout`,e[e.autoSurround=14]=`autoSurround`,e[e.bracketPairColorization=15]=`bracketPairColorization`,e[e.guides=16]=`guides`,e[e.codeLens=17]=`codeLens`,e[e.codeLensFontFamily=18]=`codeLensFontFamily`,e[e.codeLensFontSize=19]=`codeLensFontSize`,e[e.colorDecorators=20]=`colorDecorators`,e[e.colorDecoratorsLimit=21]=`colorDecoratorsLimit`,e[e.columnSelection=22]=`columnSelection`,e[e.comments=23]=`comments`,e[e.contextmenu=24]=`contextmenu`,e[e.copyWithSyntaxHighlighting=25]=`copyWithSyntaxHighlighting`,e[e.cursorBlinking=26]=`cursorBlinking`,e[e.cursorSmoothCaretAnimation=27]=`cursorSmoothCaretAnimation`,e[e.cursorStyle=28]=`cursorStyle`,e[e.cursorSurroundingLines=29]=`cursorSurroundingLines`,e[e.cursorSurroundingLinesStyle=30]=`cursorSurroundingLinesStyle`,e[e.cursorWidth=31]=`cursorWidth`,e[e.disableLayerHinting=32]=`disableLayerHinting`,e[e.disableMonospaceOptimizations=33]=`disableMonospaceOptimizations`,e[e.domReadOnly=34]=`domReadOnly`,e[e.dragAndDrop=35]=`dragAndDrop`,e[e.dropIntoEditor=36]=`dropIntoEditor`,e[e.emptySelectionClipboard=37]=`emptySelectionClipboard`,e[e.experimentalWhitespaceRendering=38]=`experimentalWhitespaceRendering`,e[e.extraEditorClassName=39]=`extraEditorClassName`,e[e.fastScrollSensitivity=40]=`fastScrollSensitivity`,e[e.find=41]=`find`,e[e.fixedOverflowWidgets=42]=`fixedOverflowWidgets`,e[e.folding=43]=`folding`,e[e.foldingStrategy=44]=`foldingStrategy`,e[e.foldingHighlight=45]=`foldingHighlight`,e[e.foldingImportsByDefault=46]=`foldingImportsByDefault`,e[e.foldingMaximumRegions=47]=`foldingMaximumRegions`,e[e.unfoldOnClickAfterEndOfLine=48]=`unfoldOnClickAfterEndOfLine`,e[e.fontFamily=49]=`fontFamily`,e[e.fontInfo=50]=`fontInfo`,e[e.fontLigatures=51]=`fontLigatures`,e[e.fontSize=52]=`fontSize`,e[e.fontWeight=53]=`fontWeight`,e[e.fontVariations=54]=`fontVariations`,e[e.formatOnPaste=55]=`formatOnPaste`,e[e.formatOnType=56]=`formatOnType`,e[e.glyphMargin=57]=`glyphMargin`,e[e.gotoLocation=58]=`gotoLocation`,e[e.hideCursorInOverviewRuler=59]=`hideCursorInOverviewRuler`,e[e.hover=60]=`hover`,e[e.inDiffEditor=61]=`inDiffEditor`,e[e.inlineSuggest=62]=`inlineSuggest`,e[e.inlineEdit=63]=`inlineEdit`,e[e.letterSpacing=64]=`letterSpacing`,e[e.lightbulb=65]=`lightbulb`,e[e.lineDecorationsWidth=66]=`lineDecorationsWidth`,e[e.lineHeight=67]=`lineHeight`,e[e.lineNumbers=68]=`lineNumbers`,e[e.lineNumbersMinChars=69]=`lineNumbersMinChars`,e[e.linkedEditing=70]=`linkedEditing`,e[e.links=71]=`links`,e[e.matchBrackets=72]=`matchBrackets`,e[e.minimap=73]=`minimap`,e[e.mouseStyle=74]=`mouseStyle`,e[e.mouseWheelScrollSensitivity=75]=`mouseWheelScrollSensitivity`,e[e.mouseWheelZoom=76]=`mouseWheelZoom`,e[e.multiCursorMergeOverlapping=77]=`multiCursorMergeOverlapping`,e[e.multiCursorModifier=78]=`multiCursorModifier`,e[e.multiCursorPaste=79]=`multiCursorPaste`,e[e.multiCursorLimit=80]=`multiCursorLimit`,e[e.occurrencesHighlight=81]=`occurrencesHighlight`,e[e.overviewRulerBorder=82]=`overviewRulerBorder`,e[e.overviewRulerLanes=83]=`overviewRulerLanes`,e[e.padding=84]=`padding`,e[e.pasteAs=85]=`pasteAs`,e[e.parameterHints=86]=`parameterHints`,e[e.peekWidgetDefaultFocus=87]=`peekWidgetDefaultFocus`,e[e.placeholder=88]=`placeholder`,e[e.definitionLinkOpensInPeek=89]=`definitionLinkOpensInPeek`,e[e.quickSuggestions=90]=`quickSuggestions`,e[e.quickSuggestionsDelay=91]=`quickSuggestionsDelay`,e[e.readOnly=92]=`readOnly`,e[e.readOnlyMessage=93]=`readOnlyMessage`,e[e.renameOnType=94]=`renameOnType`,e[e.renderControlCharacters=95]=`renderControlCharacters`,e[e.renderFinalNewline=96]=`renderFinalNewline`,e[e.renderLineHighlight=97]=`renderLineHighlight`,e[e.renderLineHighlightOnlyWhenFocus=98]=`renderLineHighlightOnlyWhenFocus`,e[e.renderValidationDecorations=99]=`renderValidationDecorations`,e[e.renderWhitespace=100]=`renderWhitespace`,e[e.revealHorizontalRightPadding=101]=`revealHorizontalRightPadding`,e[e.roundedSelection=102]=`roundedSelection`,e[e.rulers=103]=`rulers`,e[e.scrollbar=104]=`scrollbar`,e[e.scrollBeyondLastColumn=105]=`scrollBeyondLastColumn`,e[e.scrollBeyondLastLine=106]=`scrollBeyondLastLine`,e[e.scrollPredominantAxis=107]=`scrollPredominantAxis`,e[e.selectionClipboard=108]=`selectionClipboard`,e[e.selectionHighlight=109]=`selectionHighlight`,e[e.selectOnLineNumbers=110]=`selectOnLineNumbers`,e[e.showFoldingControls=111]=`showFoldingControls`,e[e.showUnused=112]=`showUnused`,e[e.snippetSuggestions=113]=`snippetSuggestions`,e[e.smartSelect=114]=`smartSelect`,e[e.smoothScrolling=115]=`smoothScrolling`,e[e.stickyScroll=116]=`stickyScroll`,e[e.stickyTabStops=117]=`stickyTabStops`,e[e.stopRenderingLineAfter=118]=`stopRenderingLineAfter`,e[e.suggest=119]=`suggest`,e[e.suggestFontSize=120]=`suggestFontSize`,e[e.suggestLineHeight=121]=`suggestLineHeight`,e[e.suggestOnTriggerCharacters=122]=`suggestOnTriggerCharacters`,e[e.suggestSelection=123]=`suggestSelection`,e[e.tabCompletion=124]=`tabCompletion`,e[e.tabIndex=125]=`tabIndex`,e[e.unicodeHighlighting=126]=`unicodeHighlighting`,e[e.unusualLineTerminators=127]=`unusualLineTerminators`,e[e.useShadowDOM=128]=`useShadowDOM`,e[e.useTabStops=129]=`useTabStops`,e[e.wordBreak=130]=`wordBreak`,e[e.wordSegmenterLocales=131]=`wordSegmenterLocales`,e[e.wordSeparators=132]=`wordSeparators`,e[e.wordWrap=133]=`wordWrap`,e[e.wordWrapBreakAfterCharacters=134]=`wordWrapBreakAfterCharacters`,e[e.wordWrapBreakBeforeCharacters=135]=`wordWrapBreakBeforeCharacters`,e[e.wordWrapColumn=136]=`wordWrapColumn`,e[e.wordWrapOverride1=137]=`wordWrapOverride1`,e[e.wordWrapOverride2=138]=`wordWrapOverride2`,e[e.wrappingIndent=139]=`wrappingIndent`,e[e.wrappingStrategy=140]=`wrappingStrategy`,e[e.showDeprecated=141]=`showDeprecated`,e[e.inlayHints=142]=`inlayHints`,e[e.editorClassName=143]=`editorClassName`,e[e.pixelRatio=144]=`pixelRatio`,e[e.tabFocusMode=145]=`tabFocusMode`,e[e.layoutInfo=146]=`layoutInfo`,e[e.wrappingInfo=147]=`wrappingInfo`,e[e.defaultColorDecorators=148]=`defaultColorDecorators`,e[e.colorDecoratorsActivatedOn=149]=`colorDecoratorsActivatedOn`,e[e.inlineCompletionsAccessibilityVerbose=150]=`inlineCompletionsAccessibilityVerbose`})(Is||={});var Ls;(function(e){e[e.TextDefined=0]=`TextDefined`,e[e.LF=1]=`LF`,e[e.CRLF=2]=`CRLF`})(Ls||={});var Rs;(function(e){e[e.LF=0]=`LF`,e[e.CRLF=1]=`CRLF`})(Rs||={});var zs;(function(e){e[e.Left=1]=`Left`,e[e.Center=2]=`Center`,e[e.Right=3]=`Right`})(zs||={});var Bs;(function(e){e[e.Increase=0]=`Increase`,e[e.Decrease=1]=`Decrease`})(Bs||={});var Vs;(function(e){e[e.None=0]=`None`,e[e.Indent=1]=`Indent`,e[e.IndentOutdent=2]=`IndentOutdent`,e[e.Outdent=3]=`Outdent`})(Vs||={});var Hs;(function(e){e[e.Both=0]=`Both`,e[e.Right=1]=`Right`,e[e.Left=2]=`Left`,e[e.None=3]=`None`})(Hs||={});var Us;(function(e){e[e.Type=1]=`Type`,e[e.Parameter=2]=`Parameter`})(Us||={});var Ws;(function(e){e[e.Automatic=0]=`Automatic`,e[e.Explicit=1]=`Explicit`})(Ws||={});var Gs;(function(e){e[e.Invoke=0]=`Invoke`,e[e.Automatic=1]=`Automatic`})(Gs||={});var Ks;(function(e){e[e.DependsOnKbLayout=-1]=`DependsOnKbLayout`,e[e.Unknown=0]=`Unknown`,e[e.Backspace=1]=`Backspace`,e[e.Tab=2]=`Tab`,e[e.Enter=3]=`Enter`,e[e.Shift=4]=`Shift`,e[e.Ctrl=5]=`Ctrl`,e[e.Alt=6]=`Alt`,e[e.PauseBreak=7]=`PauseBreak`,e[e.CapsLock=8]=`CapsLock`,e[e.Escape=9]=`Escape`,e[e.Space=10]=`Space`,e[e.PageUp=11]=`PageUp`,e[e.PageDown=12]=`PageDown`,e[e.End=13]=`End`,e[e.Home=14]=`Home`,e[e.LeftArrow=15]=`LeftArrow`,e[e.UpArrow=16]=`UpArrow`,e[e.RightArrow=17]=`RightArrow`,e[e.DownArrow=18]=`DownArrow`,e[e.Insert=19]=`Insert`,e[e.Delete=20]=`Delete`,e[e.Digit0=21]=`Digit0`,e[e.Digit1=22]=`Digit1`,e[e.Digit2=23]=`Digit2`,e[e.Digit3=24]=`Digit3`,e[e.Digit4=25]=`Digit4`,e[e.Digit5=26]=`Digit5`,e[e.Digit6=27]=`Digit6`,e[e.Digit7=28]=`Digit7`,e[e.Digit8=29]=`Digit8`,e[e.Digit9=30]=`Digit9`,e[e.KeyA=31]=`KeyA`,e[e.KeyB=32]=`KeyB`,e[e.KeyC=33]=`KeyC`,e[e.KeyD=34]=`KeyD`,e[e.KeyE=35]=`KeyE`,e[e.KeyF=36]=`KeyF`,e[e.KeyG=37]=`KeyG`,e[e.KeyH=38]=`KeyH`,e[e.KeyI=39]=`KeyI`,e[e.KeyJ=40]=`KeyJ`,e[e.KeyK=41]=`KeyK`,e[e.KeyL=42]=`KeyL`,e[e.KeyM=43]=`KeyM`,e[e.KeyN=44]=`KeyN`,e[e.KeyO=45]=`KeyO`,e[e.KeyP=46]=`KeyP`,e[e.KeyQ=47]=`KeyQ`,e[e.KeyR=48]=`KeyR`,e[e.KeyS=49]=`KeyS`,e[e.KeyT=50]=`KeyT`,e[e.KeyU=51]=`KeyU`,e[e.KeyV=52]=`KeyV`,e[e.KeyW=53]=`KeyW`,e[e.KeyX=54]=`KeyX`,e[e.KeyY=55]=`KeyY`,e[e.KeyZ=56]=`KeyZ`,e[e.Meta=57]=`Meta`,e[e.ContextMenu=58]=`ContextMenu`,e[e.F1=59]=`F1`,e[e.F2=60]=`F2`,e[e.F3=61]=`F3`,e[e.F4=62]=`F4`,e[e.F5=63]=`F5`,e[e.F6=64]=`F6`,e[e.F7=65]=`F7`,e[e.F8=66]=`F8`,e[e.F9=67]=`F9`,e[e.F10=68]=`F10`,e[e.F11=69]=`F11`,e[e.F12=70]=`F12`,e[e.F13=71]=`F13`,e[e.F14=72]=`F14`,e[e.F15=73]=`F15`,e[e.F16=74]=`F16`,e[e.F17=75]=`F17`,e[e.F18=76]=`F18`,e[e.F19=77]=`F19`,e[e.F20=78]=`F20`,e[e.F21=79]=`F21`,e[e.F22=80]=`F22`,e[e.F23=81]=`F23`,e[e.F24=82]=`F24`,e[e.NumLock=83]=`NumLock`,e[e.ScrollLock=84]=`ScrollLock`,e[e.Semicolon=85]=`Semicolon`,e[e.Equal=86]=`Equal`,e[e.Comma=87]=`Comma`,e[e.Minus=88]=`Minus`,e[e.Period=89]=`Period`,e[e.Slash=90]=`Slash`,e[e.Backquote=91]=`Backquote`,e[e.BracketLeft=92]=`BracketLeft`,e[e.Backslash=93]=`Backslash`,e[e.BracketRight=94]=`BracketRight`,e[e.Quote=95]=`Quote`,e[e.OEM_8=96]=`OEM_8`,e[e.IntlBackslash=97]=`IntlBackslash`,e[e.Numpad0=98]=`Numpad0`,e[e.Numpad1=99]=`Numpad1`,e[e.Numpad2=100]=`Numpad2`,e[e.Numpad3=101]=`Numpad3`,e[e.Numpad4=102]=`Numpad4`,e[e.Numpad5=103]=`Numpad5`,e[e.Numpad6=104]=`Numpad6`,e[e.Numpad7=105]=`Numpad7`,e[e.Numpad8=106]=`Numpad8`,e[e.Numpad9=107]=`Numpad9`,e[e.NumpadMultiply=108]=`NumpadMultiply`,e[e.NumpadAdd=109]=`NumpadAdd`,e[e.NUMPAD_SEPARATOR=110]=`NUMPAD_SEPARATOR`,e[e.NumpadSubtract=111]=`NumpadSubtract`,e[e.NumpadDecimal=112]=`NumpadDecimal`,e[e.NumpadDivide=113]=`NumpadDivide`,e[e.KEY_IN_COMPOSITION=114]=`KEY_IN_COMPOSITION`,e[e.ABNT_C1=115]=`ABNT_C1`,e[e.ABNT_C2=116]=`ABNT_C2`,e[e.AudioVolumeMute=117]=`AudioVolumeMute`,e[e.AudioVolumeUp=118]=`AudioVolumeUp`,e[e.AudioVolumeDown=119]=`AudioVolumeDown`,e[e.BrowserSearch=120]=`BrowserSearch`,e[e.BrowserHome=121]=`BrowserHome`,e[e.BrowserBack=122]=`BrowserBack`,e[e.BrowserForward=123]=`BrowserForward`,e[e.MediaTrackNext=124]=`MediaTrackNext`,e[e.MediaTrackPrevious=125]=`MediaTrackPrevious`,e[e.MediaStop=126]=`MediaStop`,e[e.MediaPlayPause=127]=`MediaPlayPause`,e[e.LaunchMediaPlayer=128]=`LaunchMediaPlayer`,e[e.LaunchMail=129]=`LaunchMail`,e[e.LaunchApp2=130]=`LaunchApp2`,e[e.Clear=131]=`Clear`,e[e.MAX_VALUE=132]=`MAX_VALUE`})(Ks||={});var qs;(function(e){e[e.Hint=1]=`Hint`,e[e.Info=2]=`Info`,e[e.Warning=4]=`Warning`,e[e.Error=8]=`Error`})(qs||={});var Js;(function(e){e[e.Unnecessary=1]=`Unnecessary`,e[e.Deprecated=2]=`Deprecated`})(Js||={});var Ys;(function(e){e[e.Inline=1]=`Inline`,e[e.Gutter=2]=`Gutter`})(Ys||={});var Xs;(function(e){e[e.Normal=1]=`Normal`,e[e.Underlined=2]=`Underlined`})(Xs||={});var Zs;(function(e){e[e.UNKNOWN=0]=`UNKNOWN`,e[e.TEXTAREA=1]=`TEXTAREA`,e[e.GUTTER_GLYPH_MARGIN=2]=`GUTTER_GLYPH_MARGIN`,e[e.GUTTER_LINE_NUMBERS=3]=`GUTTER_LINE_NUMBERS`,e[e.GUTTER_LINE_DECORATIONS=4]=`GUTTER_LINE_DECORATIONS`,e[e.GUTTER_VIEW_ZONE=5]=`GUTTER_VIEW_ZONE`,e[e.CONTENT_TEXT=6]=`CONTENT_TEXT`,e[e.CONTENT_EMPTY=7]=`CONTENT_EMPTY`,e[e.CONTENT_VIEW_ZONE=8]=`CONTENT_VIEW_ZONE`,e[e.CONTENT_WIDGET=9]=`CONTENT_WIDGET`,e[e.OVERVIEW_RULER=10]=`OVERVIEW_RULER`,e[e.SCROLLBAR=11]=`SCROLLBAR`,e[e.OVERLAY_WIDGET=12]=`OVERLAY_WIDGET`,e[e.OUTSIDE_EDITOR=13]=`OUTSIDE_EDITOR`})(Zs||={});var Qs;(function(e){e[e.AIGenerated=1]=`AIGenerated`})(Qs||={});var $s;(function(e){e[e.Invoke=0]=`Invoke`,e[e.Automatic=1]=`Automatic`})($s||={});var ec;(function(e){e[e.TOP_RIGHT_CORNER=0]=`TOP_RIGHT_CORNER`,e[e.BOTTOM_RIGHT_CORNER=1]=`BOTTOM_RIGHT_CORNER`,e[e.TOP_CENTER=2]=`TOP_CENTER`})(ec||={});var tc;(function(e){e[e.Left=1]=`Left`,e[e.Center=2]=`Center`,e[e.Right=4]=`Right`,e[e.Full=7]=`Full`})(tc||={});var nc;(function(e){e[e.Word=0]=`Word`,e[e.Line=1]=`Line`,e[e.Suggest=2]=`Suggest`})(nc||={});var rc;(function(e){e[e.Left=0]=`Left`,e[e.Right=1]=`Right`,e[e.None=2]=`None`,e[e.LeftOfInjectedText=3]=`LeftOfInjectedText`,e[e.RightOfInjectedText=4]=`RightOfInjectedText`})(rc||={});var ic;(function(e){e[e.Off=0]=`Off`,e[e.On=1]=`On`,e[e.Relative=2]=`Relative`,e[e.Interval=3]=`Interval`,e[e.Custom=4]=`Custom`})(ic||={});var ac;(function(e){e[e.None=0]=`None`,e[e.Text=1]=`Text`,e[e.Blocks=2]=`Blocks`})(ac||={});var oc;(function(e){e[e.Smooth=0]=`Smooth`,e[e.Immediate=1]=`Immediate`})(oc||={});var sc;(function(e){e[e.Auto=1]=`Auto`,e[e.Hidden=2]=`Hidden`,e[e.Visible=3]=`Visible`})(sc||={});var cc;(function(e){e[e.LTR=0]=`LTR`,e[e.RTL=1]=`RTL`})(cc||={});var lc;(function(e){e.Off=`off`,e.OnCode=`onCode`,e.On=`on`})(lc||={});var uc;(function(e){e[e.Invoke=1]=`Invoke`,e[e.TriggerCharacter=2]=`TriggerCharacter`,e[e.ContentChange=3]=`ContentChange`})(uc||={});var dc;(function(e){e[e.File=0]=`File`,e[e.Module=1]=`Module`,e[e.Namespace=2]=`Namespace`,e[e.Package=3]=`Package`,e[e.Class=4]=`Class`,e[e.Method=5]=`Method`,e[e.Property=6]=`Property`,e[e.Field=7]=`Field`,e[e.Constructor=8]=`Constructor`,e[e.Enum=9]=`Enum`,e[e.Interface=10]=`Interface`,e[e.Function=11]=`Function`,e[e.Variable=12]=`Variable`,e[e.Constant=13]=`Constant`,e[e.String=14]=`String`,e[e.Number=15]=`Number`,e[e.Boolean=16]=`Boolean`,e[e.Array=17]=`Array`,e[e.Object=18]=`Object`,e[e.Key=19]=`Key`,e[e.Null=20]=`Null`,e[e.EnumMember=21]=`EnumMember`,e[e.Struct=22]=`Struct`,e[e.Event=23]=`Event`,e[e.Operator=24]=`Operator`,e[e.TypeParameter=25]=`TypeParameter`})(dc||={});var fc;(function(e){e[e.Deprecated=1]=`Deprecated`})(fc||={});var pc;(function(e){e[e.Hidden=0]=`Hidden`,e[e.Blink=1]=`Blink`,e[e.Smooth=2]=`Smooth`,e[e.Phase=3]=`Phase`,e[e.Expand=4]=`Expand`,e[e.Solid=5]=`Solid`})(pc||={});var mc;(function(e){e[e.Line=1]=`Line`,e[e.Block=2]=`Block`,e[e.Underline=3]=`Underline`,e[e.LineThin=4]=`LineThin`,e[e.BlockOutline=5]=`BlockOutline`,e[e.UnderlineThin=6]=`UnderlineThin`})(mc||={});var hc;(function(e){e[e.AlwaysGrowsWhenTypingAtEdges=0]=`AlwaysGrowsWhenTypingAtEdges`,e[e.NeverGrowsWhenTypingAtEdges=1]=`NeverGrowsWhenTypingAtEdges`,e[e.GrowsOnlyWhenTypingBefore=2]=`GrowsOnlyWhenTypingBefore`,e[e.GrowsOnlyWhenTypingAfter=3]=`GrowsOnlyWhenTypingAfter`})(hc||={});var gc;(function(e){e[e.None=0]=`None`,e[e.Same=1]=`Same`,e[e.Indent=2]=`Indent`,e[e.DeepIndent=3]=`DeepIndent`})(gc||={});var _c=new class{constructor(){this.listeners=[],this.unexpectedErrorHandler=function(e){setTimeout(()=>{throw e.stack?Oc.isErrorNoTelemetry(e)?new Oc(e.message+`

`+e.stack):Error(e.message+`

`+e.stack):e},0)}}emit(e){this.listeners.forEach(t=>{t(e)})}onUnexpectedError(e){this.unexpectedErrorHandler(e),this.emit(e)}onUnexpectedExternalError(e){this.unexpectedErrorHandler(e)}};function vc(e){Sc(e)||_c.onUnexpectedError(e)}function yc(e){Sc(e)||_c.onUnexpectedExternalError(e)}function bc(e){if(e instanceof Error){let{name:t,message:n}=e;return{$isError:!0,name:t,message:n,stack:e.stacktrace||e.stack,noTelemetry:Oc.isErrorNoTelemetry(e)}}return e}var xc=`Canceled`;function Sc(e){return e instanceof Cc||e instanceof Error&&e.name===xc&&e.message===xc}var Cc=class extends Error{constructor(){super(xc),this.name=this.message}};function wc(){let e=Error(xc);return e.name=e.message,e}function Tc(e){return Error(e?`Illegal argument: ${e}`:`Illegal argument`)}function Ec(e){return Error(e?`Illegal state: ${e}`:`Illegal state`)}var Dc=class extends Error{constructor(e){super(`NotSupported`),e&&(this.message=e)}},Oc=class e extends Error{constructor(e){super(e),this.name=`CodeExpectedError`}static fromError(t){if(t instanceof e)return t;let n=new e;return n.message=t.message,n.stack=t.stack,n}static isErrorNoTelemetry(e){return e.name===`CodeExpectedError`}},kc=class e extends Error{constructor(t){super(t||`An unexpected bug occurred.`),Object.setPrototypeOf(this,e.prototype)}};function Ac(e,t){let n=this,r=!1,i;return function(){if(r)return i;if(r=!0,t)try{i=e.apply(n,arguments)}finally{t()}else i=e.apply(n,arguments);return i}}var jc;(function(e){function t(e){return e&&typeof e==`object`&&typeof e[Symbol.iterator]==`function`}e.is=t;let n=Object.freeze([]);e.empty=function(){return n};function*r(e){yield e}e.single=r,e.wrap=function(e){return t(e)?e:r(e)},e.from=function(e){return e||n},e.reverse=function*(e){for(let t=e.length-1;t>=0;t--)yield e[t]},e.isEmpty=function(e){return!e||e[Symbol.iterator]().next().done===!0},e.first=function(e){return e[Symbol.iterator]().next().value},e.some=function(e,t){let n=0;for(let r of e)if(t(r,n++))return!0;return!1},e.find=function(e,t){for(let n of e)if(t(n))return n},e.filter=function*(e,t){for(let n of e)t(n)&&(yield n)},e.map=function*(e,t){let n=0;for(let r of e)yield t(r,n++)},e.flatMap=function*(e,t){let n=0;for(let r of e)yield*t(r,n++)},e.concat=function*(...e){for(let t of e)yield*t},e.reduce=function(e,t,n){let r=n;for(let n of e)r=t(r,n);return r},e.slice=function*(e,t,n=e.length){for(t<0&&(t+=e.length),n<0?n+=e.length:n>e.length&&(n=e.length);t<n;t++)yield e[t]},e.consume=function(t,n=1/0){let r=[];if(n===0)return[r,t];let i=t[Symbol.iterator]();for(let t=0;t<n;t++){let t=i.next();if(t.done)return[r,e.empty()];r.push(t.value)}return[r,{[Symbol.iterator](){return i}}]},e.asyncToArray=async function(e){let t=[];for await(let n of e)t.push(n);return Promise.resolve(t)}})(jc||={});var Mc=null;function Nc(e){return Mc?.trackDisposable(e),e}function Pc(e){Mc?.markAsDisposed(e)}function Fc(e,t){Mc?.setParent(e,t)}function Ic(e){return Mc?.markAsSingleton(e),e}function Lc(e){return typeof e==`object`&&!!e&&typeof e.dispose==`function`&&e.dispose.length===0}function Rc(e){if(jc.is(e)){let t=[];for(let n of e)if(n)try{n.dispose()}catch(e){t.push(e)}if(t.length===1)throw t[0];if(t.length>1)throw AggregateError(t,`Encountered errors while disposing of store`);return Array.isArray(e)?[]:e}if(e)return e.dispose(),e}function zc(...e){return Bc(()=>Rc(e))}function Bc(e){let t=Nc({dispose:Ac(()=>{Pc(t),e()})});return t}var Vc=class e{static{this.DISABLE_DISPOSED_WARNING=!1}constructor(){this._toDispose=new Set,this._isDisposed=!1,Nc(this)}dispose(){this._isDisposed||(Pc(this),this._isDisposed=!0,this.clear())}get isDisposed(){return this._isDisposed}clear(){if(this._toDispose.size!==0)try{Rc(this._toDispose)}finally{this._toDispose.clear()}}add(t){if(!t)return t;if(t===this)throw Error(`Cannot register a disposable on itself!`);return Fc(t,this),this._isDisposed?e.DISABLE_DISPOSED_WARNING||console.warn(Error(`Trying to add a disposable to a DisposableStore that has already been disposed of. The added object will be leaked!`).stack):this._toDispose.add(t),t}deleteAndLeak(e){e&&this._toDispose.has(e)&&(this._toDispose.delete(e),Fc(e,null))}},Hc=class{static{this.None=Object.freeze({dispose(){}})}constructor(){this._store=new Vc,Nc(this),Fc(this._store,this)}dispose(){Pc(this),this._store.dispose()}_register(e){if(e===this)throw Error(`Cannot register a disposable on itself!`);return this._store.add(e)}},Uc=class{constructor(){this._isDisposed=!1,Nc(this)}get value(){return this._isDisposed?void 0:this._value}set value(e){this._isDisposed||e===this._value||(this._value?.dispose(),e&&Fc(e,this),this._value=e)}clear(){this.value=void 0}dispose(){this._isDisposed=!0,Pc(this),this._value?.dispose(),this._value=void 0}},Wc=class{constructor(e){this._disposable=e,this._counter=1}acquire(){return this._counter++,this}release(){return--this._counter===0&&this._disposable.dispose(),this}},Gc=class{constructor(e){this.object=e}dispose(){}},Kc=class{constructor(){this._store=new Map,this._isDisposed=!1,Nc(this)}dispose(){Pc(this),this._isDisposed=!0,this.clearAndDisposeAll()}clearAndDisposeAll(){if(this._store.size)try{Rc(this._store.values())}finally{this._store.clear()}}get(e){return this._store.get(e)}set(e,t,n=!1){this._isDisposed&&console.warn(Error(`Trying to add a disposable to a DisposableMap that has already been disposed of. The added object will be leaked!`).stack),n||this._store.get(e)?.dispose(),this._store.set(e,t)}deleteAndDispose(e){this._store.get(e)?.dispose(),this._store.delete(e)}[Symbol.iterator](){return this._store[Symbol.iterator]()}},qc=class e{static{this.Undefined=new e(void 0)}constructor(t){this.element=t,this.next=e.Undefined,this.prev=e.Undefined}},Jc=class{constructor(){this._first=qc.Undefined,this._last=qc.Undefined,this._size=0}get size(){return this._size}isEmpty(){return this._first===qc.Undefined}clear(){let e=this._first;for(;e!==qc.Undefined;){let t=e.next;e.prev=qc.Undefined,e.next=qc.Undefined,e=t}this._first=qc.Undefined,this._last=qc.Undefined,this._size=0}unshift(e){return this._insert(e,!1)}push(e){return this._insert(e,!0)}_insert(e,t){let n=new qc(e);if(this._first===qc.Undefined)this._first=n,this._last=n;else if(t){let e=this._last;this._last=n,n.prev=e,e.next=n}else{let e=this._first;this._first=n,n.next=e,e.prev=n}this._size+=1;let r=!1;return()=>{r||(r=!0,this._remove(n))}}shift(){if(this._first!==qc.Undefined){let e=this._first.element;return this._remove(this._first),e}}pop(){if(this._last!==qc.Undefined){let e=this._last.element;return this._remove(this._last),e}}_remove(e){if(e.prev!==qc.Undefined&&e.next!==qc.Undefined){let t=e.prev;t.next=e.next,e.next.prev=t}else e.prev===qc.Undefined&&e.next===qc.Undefined?(this._first=qc.Undefined,this._last=qc.Undefined):e.next===qc.Undefined?(this._last=this._last.prev,this._last.next=qc.Undefined):e.prev===qc.Undefined&&(this._first=this._first.next,this._first.prev=qc.Undefined);--this._size}*[Symbol.iterator](){let e=this._first;for(;e!==qc.Undefined;)yield e.element,e=e.next}},Yc=globalThis.performance&&typeof globalThis.performance.now==`function`,Xc=class e{static create(t){return new e(t)}constructor(e){this._now=Yc&&e===!1?Date.now:globalThis.performance.now.bind(globalThis.performance),this._startTime=this._now(),this._stopTime=-1}stop(){this._stopTime=this._now()}reset(){this._startTime=this._now(),this._stopTime=-1}elapsed(){return this._stopTime===-1?this._now()-this._startTime:this._stopTime-this._startTime}},Zc;(function(e){e.None=()=>Hc.None,e.defer=function(e,t){return o(e,()=>void 0,0,void 0,!0,void 0,t)};function t(e){return(t,n=null,r)=>{let i=!1,a;return a=e(e=>{if(!i)return a?a.dispose():i=!0,t.call(n,e)},null,r),i&&a.dispose(),a}}e.once=t,e.onceIf=function(t,n){return e.once(e.filter(t,n))};function n(e,t,n){return i((n,r=null,i)=>e(e=>n.call(r,t(e)),null,i),n)}e.map=n,e.forEach=function(e,t,n){return i((n,r=null,i)=>e(e=>{t(e),n.call(r,e)},null,i),n)};function r(e,t,n){return i((n,r=null,i)=>e(e=>t(e)&&n.call(r,e),null,i),n)}e.filter=r,e.signal=function(e){return e},e.any=function(...e){return(t,n=null,r)=>a(zc(...e.map(e=>e(e=>t.call(n,e)))),r)},e.reduce=function(e,t,r,i){let a=r;return n(e,e=>(a=t(a,e),a),i)};function i(e,t){let n,r=new ol({onWillAddFirstListener(){n=e(r.fire,r)},onDidRemoveLastListener(){n?.dispose()}});return t?.add(r),r.event}function a(e,t){return t instanceof Array?t.push(e):t&&t.add(e),e}function o(e,t,n=100,r=!1,i=!1,a,o){let s,c,l,u=0,d,f=new ol({leakWarningThreshold:a,onWillAddFirstListener(){s=e(e=>{u++,c=t(c,e),r&&!l&&(f.fire(c),c=void 0),d=()=>{let e=c;c=void 0,l=void 0,(!r||u>1)&&f.fire(e),u=0},typeof n==`number`?(clearTimeout(l),l=setTimeout(d,n)):l===void 0&&(l=0,queueMicrotask(d))})},onWillRemoveListener(){i&&u>0&&d?.()},onDidRemoveLastListener(){d=void 0,s.dispose()}});return o?.add(f),f.event}e.debounce=o,e.accumulate=function(t,n=0,r){return e.debounce(t,(e,t)=>e?(e.push(t),e):[t],n,void 0,!0,void 0,r)},e.latch=function(e,t=(e,t)=>e===t,n){let i=!0,a;return r(e,e=>{let n=i||!t(e,a);return i=!1,a=e,n},n)},e.split=function(t,n,r){return[e.filter(t,n,r),e.filter(t,e=>!n(e),r)]},e.buffer=function(e,t=!1,n=[],r){let i=n.slice(),a=e(e=>{i?i.push(e):s.fire(e)});r&&r.add(a);let o=()=>{i?.forEach(e=>s.fire(e)),i=null},s=new ol({onWillAddFirstListener(){a||(a=e(e=>s.fire(e)),r&&r.add(a))},onDidAddFirstListener(){i&&(t?setTimeout(o):o())},onDidRemoveLastListener(){a&&a.dispose(),a=null}});return r&&r.add(s),s.event},e.chain=function(e,t){return(n,r,i)=>{let a=t(new c);return e(function(e){let t=a.evaluate(e);t!==s&&n.call(r,t)},void 0,i)}};let s=Symbol(`HaltChainable`);class c{constructor(){this.steps=[]}map(e){return this.steps.push(e),this}forEach(e){return this.steps.push(t=>(e(t),t)),this}filter(e){return this.steps.push(t=>e(t)?t:s),this}reduce(e,t){let n=t;return this.steps.push(t=>(n=e(n,t),n)),this}latch(e=(e,t)=>e===t){let t=!0,n;return this.steps.push(r=>{let i=t||!e(r,n);return t=!1,n=r,i?r:s}),this}evaluate(e){for(let t of this.steps)if(e=t(e),e===s)break;return e}}e.fromNodeEventEmitter=function(e,t,n=e=>e){let r=(...e)=>i.fire(n(...e)),i=new ol({onWillAddFirstListener:()=>e.on(t,r),onDidRemoveLastListener:()=>e.removeListener(t,r)});return i.event},e.fromDOMEventEmitter=function(e,t,n=e=>e){let r=(...e)=>i.fire(n(...e)),i=new ol({onWillAddFirstListener:()=>e.addEventListener(t,r),onDidRemoveLastListener:()=>e.removeEventListener(t,r)});return i.event},e.toPromise=function(e){return new Promise(n=>t(e)(n))},e.fromPromise=function(e){let t=new ol;return e.then(e=>{t.fire(e)},()=>{t.fire(void 0)}).finally(()=>{t.dispose()}),t.event},e.forward=function(e,t){return e(e=>t.fire(e))},e.runAndSubscribe=function(e,t,n){return t(n),e(e=>t(e))};class l{constructor(e,t){this._observable=e,this._counter=0,this._hasChanged=!1;let n={onWillAddFirstListener:()=>{e.addObserver(this),this._observable.reportChanges()},onDidRemoveLastListener:()=>{e.removeObserver(this)}};this.emitter=new ol(n),t&&t.add(this.emitter)}beginUpdate(e){this._counter++}handlePossibleChange(e){}handleChange(e,t){this._hasChanged=!0}endUpdate(e){this._counter--,this._counter===0&&(this._observable.reportChanges(),this._hasChanged&&(this._hasChanged=!1,this.emitter.fire(this._observable.get())))}}e.fromObservable=function(e,t){return new l(e,t).emitter.event},e.fromObservableLight=function(e){return(t,n,r)=>{let i=0,a=!1,o={beginUpdate(){i++},endUpdate(){i--,i===0&&(e.reportChanges(),a&&(a=!1,t.call(n)))},handlePossibleChange(){},handleChange(){a=!0}};e.addObserver(o),e.reportChanges();let s={dispose(){e.removeObserver(o)}};return r instanceof Vc?r.add(s):Array.isArray(r)&&r.push(s),s}}})(Zc||={});var Qc=class e{static{this.all=new Set}static{this._idPool=0}constructor(t){this.listenerCount=0,this.invocationCount=0,this.elapsedOverall=0,this.durations=[],this.name=`${t}_${e._idPool++}`,e.all.add(this)}start(e){this._stopWatch=new Xc,this.listenerCount=e}stop(){if(this._stopWatch){let e=this._stopWatch.elapsed();this.durations.push(e),this.elapsedOverall+=e,this.invocationCount+=1,this._stopWatch=void 0}}},$c=-1,el=class e{static{this._idPool=1}constructor(t,n,r=(e._idPool++).toString(16).padStart(3,`0`)){this._errorHandler=t,this.threshold=n,this.name=r,this._warnCountdown=0}dispose(){this._stacks?.clear()}check(e,t){let n=this.threshold;if(n<=0||t<n)return;this._stacks||=new Map;let r=this._stacks.get(e.value)||0;if(this._stacks.set(e.value,r+1),--this._warnCountdown,this._warnCountdown<=0){this._warnCountdown=n*.5;let[e,r]=this.getMostFrequentStack(),i=`[${this.name}] potential listener LEAK detected, having ${t} listeners already. MOST frequent listener (${r}):`;console.warn(i),console.warn(e);let a=new nl(i,e);this._errorHandler(a)}return()=>{let t=this._stacks.get(e.value)||0;this._stacks.set(e.value,t-1)}}getMostFrequentStack(){if(!this._stacks)return;let e,t=0;for(let[n,r]of this._stacks)(!e||t<r)&&(e=[n,r],t=r);return e}},tl=class e{static create(){return new e(Error().stack??``)}constructor(e){this.value=e}print(){console.warn(this.value.split(`
`).slice(2).join(`
`))}},nl=class extends Error{constructor(e,t){super(e),this.name=`ListenerLeakError`,this.stack=t}},rl=class extends Error{constructor(e,t){super(e),this.name=`ListenerRefusalError`,this.stack=t}},il=class{constructor(e){this.value=e}},al=2,ol=class{constructor(e){this._size=0,this._options=e,this._leakageMon=this._options?.leakWarningThreshold?new el(e?.onListenerError??vc,this._options?.leakWarningThreshold??$c):void 0,this._perfMon=this._options?._profName?new Qc(this._options._profName):void 0,this._deliveryQueue=this._options?.deliveryQueue}dispose(){this._disposed||(this._disposed=!0,this._deliveryQueue?.current===this&&this._deliveryQueue.reset(),this._listeners&&(this._listeners=void 0,this._size=0),this._options?.onDidRemoveLastListener?.(),this._leakageMon?.dispose())}get event(){return this._event??=(e,t,n)=>{if(this._leakageMon&&this._size>this._leakageMon.threshold**2){let e=`[${this._leakageMon.name}] REFUSES to accept new listeners because it exceeded its threshold by far (${this._size} vs ${this._leakageMon.threshold})`;console.warn(e);let t=this._leakageMon.getMostFrequentStack()??[`UNKNOWN stack`,-1],n=new rl(`${e}. HINT: Stack shows most frequent listener (${t[1]}-times)`,t[0]);return(this._options?.onListenerError||vc)(n),Hc.None}if(this._disposed)return Hc.None;t&&(e=e.bind(t));let r=new il(e),i;this._leakageMon&&this._size>=Math.ceil(this._leakageMon.threshold*.2)&&(r.stack=tl.create(),i=this._leakageMon.check(r.stack,this._size+1)),this._listeners?this._listeners instanceof il?(this._deliveryQueue??=new cl,this._listeners=[this._listeners,r]):this._listeners.push(r):(this._options?.onWillAddFirstListener?.(this),this._listeners=r,this._options?.onDidAddFirstListener?.(this)),this._size++;let a=Bc(()=>{i?.(),this._removeListener(r)});return n instanceof Vc?n.add(a):Array.isArray(n)&&n.push(a),a},this._event}_removeListener(e){if(this._options?.onWillRemoveListener?.(this),!this._listeners)return;if(this._size===1){this._listeners=void 0,this._options?.onDidRemoveLastListener?.(this),this._size=0;return}let t=this._listeners,n=t.indexOf(e);if(n===-1)throw console.log(`disposed?`,this._disposed),console.log(`size?`,this._size),console.log(`arr?`,JSON.stringify(this._listeners)),Error(`Attempted to dispose unknown listener`);this._size--,t[n]=void 0;let r=this._deliveryQueue.current===this;if(this._size*al<=t.length){let e=0;for(let n=0;n<t.length;n++)t[n]?t[e++]=t[n]:r&&(this._deliveryQueue.end--,e<this._deliveryQueue.i&&this._deliveryQueue.i--);t.length=e}}_deliver(e,t){if(!e)return;let n=this._options?.onListenerError||vc;if(!n)e.value(t);else try{e.value(t)}catch(e){n(e)}}_deliverQueue(e){let t=e.current._listeners;for(;e.i<e.end;)this._deliver(t[e.i++],e.value);e.reset()}fire(e){if(this._deliveryQueue?.current&&(this._deliverQueue(this._deliveryQueue),this._perfMon?.stop()),this._perfMon?.start(this._size),this._listeners){if(this._listeners instanceof il)this._deliver(this._listeners,e);else{let t=this._deliveryQueue;t.enqueue(this,e,this._listeners.length),this._deliverQueue(t)}}this._perfMon?.stop()}hasListeners(){return this._size>0}},sl=()=>new cl,cl=class{constructor(){this.i=-1,this.end=0}enqueue(e,t,n){this.i=0,this.end=n,this.current=e,this.value=t}reset(){this.i=this.end,this.current=void 0,this.value=void 0}},ll=class extends ol{constructor(e){super(e),this._isPaused=0,this._eventQueue=new Jc,this._mergeFn=e?.merge}pause(){this._isPaused++}resume(){if(this._isPaused!==0&&--this._isPaused===0){if(this._mergeFn){if(this._eventQueue.size>0){let e=Array.from(this._eventQueue);this._eventQueue.clear(),super.fire(this._mergeFn(e))}}else for(;!this._isPaused&&this._eventQueue.size!==0;)super.fire(this._eventQueue.shift())}}fire(e){this._size&&(this._isPaused===0?super.fire(e):this._eventQueue.push(e))}},ul=class extends ll{constructor(e){super(e),this._delay=e.delay??100}fire(e){this._handle||=(this.pause(),setTimeout(()=>{this._handle=void 0,this.resume()},this._delay)),super.fire(e)}},dl=class extends ol{constructor(e){super(e),this._queuedEvents=[],this._mergeFn=e?.merge}fire(e){this.hasListeners()&&(this._queuedEvents.push(e),this._queuedEvents.length===1&&queueMicrotask(()=>{this._mergeFn?super.fire(this._mergeFn(this._queuedEvents)):this._queuedEvents.forEach(e=>super.fire(e)),this._queuedEvents=[]}))}},fl=class{constructor(){this.hasListeners=!1,this.events=[],this.emitter=new ol({onWillAddFirstListener:()=>this.onFirstListenerAdd(),onDidRemoveLastListener:()=>this.onLastListenerRemove()})}get event(){return this.emitter.event}add(e){let t={event:e,listener:null};return this.events.push(t),this.hasListeners&&this.hook(t),Bc(Ac(()=>{this.hasListeners&&this.unhook(t);let e=this.events.indexOf(t);this.events.splice(e,1)}))}onFirstListenerAdd(){this.hasListeners=!0,this.events.forEach(e=>this.hook(e))}onLastListenerRemove(){this.hasListeners=!1,this.events.forEach(e=>this.unhook(e))}hook(e){e.listener=e.event(e=>this.emitter.fire(e))}unhook(e){e.listener?.dispose(),e.listener=null}dispose(){this.emitter.dispose();for(let e of this.events)e.listener?.dispose();this.events=[]}},pl=class{constructor(){this.data=[]}wrapEvent(e,t,n){return(r,i,a)=>e(e=>{let a=this.data[this.data.length-1];if(!t){a?a.buffers.push(()=>r.call(i,e)):r.call(i,e);return}let o=a;o?(o.items??=[],o.items.push(e),o.buffers.length===0&&a.buffers.push(()=>{o.reducedResult??=n?o.items.reduce(t,n):o.items.reduce(t),r.call(i,o.reducedResult)})):r.call(i,t(n,e))},void 0,a)}bufferEvents(e){let t={buffers:[]};this.data.push(t);let n=e();return this.data.pop(),t.buffers.forEach(e=>e()),n}},ml=class{constructor(){this.listening=!1,this.inputEvent=Zc.None,this.inputEventListener=Hc.None,this.emitter=new ol({onDidAddFirstListener:()=>{this.listening=!0,this.inputEventListener=this.inputEvent(this.emitter.fire,this.emitter)},onDidRemoveLastListener:()=>{this.listening=!1,this.inputEventListener.dispose()}}),this.event=this.emitter.event}set input(e){this.inputEvent=e,this.listening&&(this.inputEventListener.dispose(),this.inputEventListener=e(this.emitter.fire,this.emitter))}dispose(){this.inputEventListener.dispose(),this.emitter.dispose()}},hl=Object.freeze(function(e,t){let n=setTimeout(e.bind(t),0);return{dispose(){clearTimeout(n)}}}),gl;(function(e){e.isCancellationToken=function(t){return t===e.None||t===e.Cancelled||t instanceof _l?!0:!t||typeof t!=`object`?!1:typeof t.isCancellationRequested==`boolean`&&typeof t.onCancellationRequested==`function`},e.None=Object.freeze({isCancellationRequested:!1,onCancellationRequested:Zc.None}),e.Cancelled=Object.freeze({isCancellationRequested:!0,onCancellationRequested:hl})})(gl||={});var _l=class{constructor(){this._isCancelled=!1,this._emitter=null}cancel(){this._isCancelled||(this._isCancelled=!0,this._emitter&&(this._emitter.fire(void 0),this.dispose()))}get isCancellationRequested(){return this._isCancelled}get onCancellationRequested(){return this._isCancelled?hl:(this._emitter||=new ol,this._emitter.event)}dispose(){this._emitter&&=(this._emitter.dispose(),null)}},vl=class{constructor(e){this._token=void 0,this._parentListener=void 0,this._parentListener=e&&e.onCancellationRequested(this.cancel,this)}get token(){return this._token||=new _l,this._token}cancel(){this._token?this._token instanceof _l&&this._token.cancel():this._token=gl.Cancelled}dispose(e=!1){e&&this.cancel(),this._parentListener?.dispose(),this._token?this._token instanceof _l&&this._token.dispose():this._token=gl.None}};function yl(e){let t=new vl;return e.add({dispose(){t.cancel()}}),t.token}var bl=class{constructor(){this._keyCodeToStr=[],this._strToKeyCode=Object.create(null)}define(e,t){this._keyCodeToStr[e]=t,this._strToKeyCode[t.toLowerCase()]=e}keyCodeToStr(e){return this._keyCodeToStr[e]}strToKeyCode(e){return this._strToKeyCode[e.toLowerCase()]||0}},xl=new bl,Sl=new bl,Cl=new bl,wl=Array(230),Tl={},El=[],Dl=Object.create(null),Ol=Object.create(null),kl=[],Al=[];for(let e=0;e<=193;e++)kl[e]=-1;for(let e=0;e<=132;e++)Al[e]=-1;(function(){let e=[[1,0,`None`,0,`unknown`,0,`VK_UNKNOWN`,``,``],[1,1,`Hyper`,0,``,0,``,``,``],[1,2,`Super`,0,``,0,``,``,``],[1,3,`Fn`,0,``,0,``,``,``],[1,4,`FnLock`,0,``,0,``,``,``],[1,5,`Suspend`,0,``,0,``,``,``],[1,6,`Resume`,0,``,0,``,``,``],[1,7,`Turbo`,0,``,0,``,``,``],[1,8,`Sleep`,0,``,0,`VK_SLEEP`,``,``],[1,9,`WakeUp`,0,``,0,``,``,``],[0,10,`KeyA`,31,`A`,65,`VK_A`,``,``],[0,11,`KeyB`,32,`B`,66,`VK_B`,``,``],[0,12,`KeyC`,33,`C`,67,`VK_C`,``,``],[0,13,`KeyD`,34,`D`,68,`VK_D`,``,``],[0,14,`KeyE`,35,`E`,69,`VK_E`,``,``],[0,15,`KeyF`,36,`F`,70,`VK_F`,``,``],[0,16,`KeyG`,37,`G`,71,`VK_G`,``,``],[0,17,`KeyH`,38,`H`,72,`VK_H`,``,``],[0,18,`KeyI`,39,`I`,73,`VK_I`,``,``],[0,19,`KeyJ`,40,`J`,74,`VK_J`,``,``],[0,20,`KeyK`,41,`K`,75,`VK_K`,``,``],[0,21,`KeyL`,42,`L`,76,`VK_L`,``,``],[0,22,`KeyM`,43,`M`,77,`VK_M`,``,``],[0,23,`KeyN`,44,`N`,78,`VK_N`,``,``],[0,24,`KeyO`,45,`O`,79,`VK_O`,``,``],[0,25,`KeyP`,46,`P`,80,`VK_P`,``,``],[0,26,`KeyQ`,47,`Q`,81,`VK_Q`,``,``],[0,27,`KeyR`,48,`R`,82,`VK_R`,``,``],[0,28,`KeyS`,49,`S`,83,`VK_S`,``,``],[0,29,`KeyT`,50,`T`,84,`VK_T`,``,``],[0,30,`KeyU`,51,`U`,85,`VK_U`,``,``],[0,31,`KeyV`,52,`V`,86,`VK_V`,``,``],[0,32,`KeyW`,53,`W`,87,`VK_W`,``,``],[0,33,`KeyX`,54,`X`,88,`VK_X`,``,``],[0,34,`KeyY`,55,`Y`,89,`VK_Y`,``,``],[0,35,`KeyZ`,56,`Z`,90,`VK_Z`,``,``],[0,36,`Digit1`,22,`1`,49,`VK_1`,``,``],[0,37,`Digit2`,23,`2`,50,`VK_2`,``,``],[0,38,`Digit3`,24,`3`,51,`VK_3`,``,``],[0,39,`Digit4`,25,`4`,52,`VK_4`,``,``],[0,40,`Digit5`,26,`5`,53,`VK_5`,``,``],[0,41,`Digit6`,27,`6`,54,`VK_6`,``,``],[0,42,`Digit7`,28,`7`,55,`VK_7`,``,``],[0,43,`Digit8`,29,`8`,56,`VK_8`,``,``],[0,44,`Digit9`,30,`9`,57,`VK_9`,``,``],[0,45,`Digit0`,21,`0`,48,`VK_0`,``,``],[1,46,`Enter`,3,`Enter`,13,`VK_RETURN`,``,``],[1,47,`Escape`,9,`Escape`,27,`VK_ESCAPE`,``,``],[1,48,`Backspace`,1,`Backspace`,8,`VK_BACK`,``,``],[1,49,`Tab`,2,`Tab`,9,`VK_TAB`,``,``],[1,50,`Space`,10,`Space`,32,`VK_SPACE`,``,``],[0,51,`Minus`,88,`-`,189,`VK_OEM_MINUS`,`-`,`OEM_MINUS`],[0,52,`Equal`,86,`=`,187,`VK_OEM_PLUS`,`=`,`OEM_PLUS`],[0,53,`BracketLeft`,92,`[`,219,`VK_OEM_4`,`[`,`OEM_4`],[0,54,`BracketRight`,94,`]`,221,`VK_OEM_6`,`]`,`OEM_6`],[0,55,`Backslash`,93,`\\`,220,`VK_OEM_5`,`\\`,`OEM_5`],[0,56,`IntlHash`,0,``,0,``,``,``],[0,57,`Semicolon`,85,`;`,186,`VK_OEM_1`,`;`,`OEM_1`],[0,58,`Quote`,95,`'`,222,`VK_OEM_7`,`'`,`OEM_7`],[0,59,`Backquote`,91,"`",192,`VK_OEM_3`,"`",`OEM_3`],[0,60,`Comma`,87,`,`,188,`VK_OEM_COMMA`,`,`,`OEM_COMMA`],[0,61,`Period`,89,`.`,190,`VK_OEM_PERIOD`,`.`,`OEM_PERIOD`],[0,62,`Slash`,90,`/`,191,`VK_OEM_2`,`/`,`OEM_2`],[1,63,`CapsLock`,8,`CapsLock`,20,`VK_CAPITAL`,``,``],[1,64,`F1`,59,`F1`,112,`VK_F1`,``,``],[1,65,`F2`,60,`F2`,113,`VK_F2`,``,``],[1,66,`F3`,61,`F3`,114,`VK_F3`,``,``],[1,67,`F4`,62,`F4`,115,`VK_F4`,``,``],[1,68,`F5`,63,`F5`,116,`VK_F5`,``,``],[1,69,`F6`,64,`F6`,117,`VK_F6`,``,``],[1,70,`F7`,65,`F7`,118,`VK_F7`,``,``],[1,71,`F8`,66,`F8`,119,`VK_F8`,``,``],[1,72,`F9`,67,`F9`,120,`VK_F9`,``,``],[1,73,`F10`,68,`F10`,121,`VK_F10`,``,``],[1,74,`F11`,69,`F11`,122,`VK_F11`,``,``],[1,75,`F12`,70,`F12`,123,`VK_F12`,``,``],[1,76,`PrintScreen`,0,``,0,``,``,``],[1,77,`ScrollLock`,84,`ScrollLock`,145,`VK_SCROLL`,``,``],[1,78,`Pause`,7,`PauseBreak`,19,`VK_PAUSE`,``,``],[1,79,`Insert`,19,`Insert`,45,`VK_INSERT`,``,``],[1,80,`Home`,14,`Home`,36,`VK_HOME`,``,``],[1,81,`PageUp`,11,`PageUp`,33,`VK_PRIOR`,``,``],[1,82,`Delete`,20,`Delete`,46,`VK_DELETE`,``,``],[1,83,`End`,13,`End`,35,`VK_END`,``,``],[1,84,`PageDown`,12,`PageDown`,34,`VK_NEXT`,``,``],[1,85,`ArrowRight`,17,`RightArrow`,39,`VK_RIGHT`,`Right`,``],[1,86,`ArrowLeft`,15,`LeftArrow`,37,`VK_LEFT`,`Left`,``],[1,87,`ArrowDown`,18,`DownArrow`,40,`VK_DOWN`,`Down`,``],[1,88,`ArrowUp`,16,`UpArrow`,38,`VK_UP`,`Up`,``],[1,89,`NumLock`,83,`NumLock`,144,`VK_NUMLOCK`,``,``],[1,90,`NumpadDivide`,113,`NumPad_Divide`,111,`VK_DIVIDE`,``,``],[1,91,`NumpadMultiply`,108,`NumPad_Multiply`,106,`VK_MULTIPLY`,``,``],[1,92,`NumpadSubtract`,111,`NumPad_Subtract`,109,`VK_SUBTRACT`,``,``],[1,93,`NumpadAdd`,109,`NumPad_Add`,107,`VK_ADD`,``,``],[1,94,`NumpadEnter`,3,``,0,``,``,``],[1,95,`Numpad1`,99,`NumPad1`,97,`VK_NUMPAD1`,``,``],[1,96,`Numpad2`,100,`NumPad2`,98,`VK_NUMPAD2`,``,``],[1,97,`Numpad3`,101,`NumPad3`,99,`VK_NUMPAD3`,``,``],[1,98,`Numpad4`,102,`NumPad4`,100,`VK_NUMPAD4`,``,``],[1,99,`Numpad5`,103,`NumPad5`,101,`VK_NUMPAD5`,``,``],[1,100,`Numpad6`,104,`NumPad6`,102,`VK_NUMPAD6`,``,``],[1,101,`Numpad7`,105,`NumPad7`,103,`VK_NUMPAD7`,``,``],[1,102,`Numpad8`,106,`NumPad8`,104,`VK_NUMPAD8`,``,``],[1,103,`Numpad9`,107,`NumPad9`,105,`VK_NUMPAD9`,``,``],[1,104,`Numpad0`,98,`NumPad0`,96,`VK_NUMPAD0`,``,``],[1,105,`NumpadDecimal`,112,`NumPad_Decimal`,110,`VK_DECIMAL`,``,``],[0,106,`IntlBackslash`,97,`OEM_102`,226,`VK_OEM_102`,``,``],[1,107,`ContextMenu`,58,`ContextMenu`,93,``,``,``],[1,108,`Power`,0,``,0,``,``,``],[1,109,`NumpadEqual`,0,``,0,``,``,``],[1,110,`F13`,71,`F13`,124,`VK_F13`,``,``],[1,111,`F14`,72,`F14`,125,`VK_F14`,``,``],[1,112,`F15`,73,`F15`,126,`VK_F15`,``,``],[1,113,`F16`,74,`F16`,127,`VK_F16`,``,``],[1,114,`F17`,75,`F17`,128,`VK_F17`,``,``],[1,115,`F18`,76,`F18`,129,`VK_F18`,``,``],[1,116,`F19`,77,`F19`,130,`VK_F19`,``,``],[1,117,`F20`,78,`F20`,131,`VK_F20`,``,``],[1,118,`F21`,79,`F21`,132,`VK_F21`,``,``],[1,119,`F22`,80,`F22`,133,`VK_F22`,``,``],[1,120,`F23`,81,`F23`,134,`VK_F23`,``,``],[1,121,`F24`,82,`F24`,135,`VK_F24`,``,``],[1,122,`Open`,0,``,0,``,``,``],[1,123,`Help`,0,``,0,``,``,``],[1,124,`Select`,0,``,0,``,``,``],[1,125,`Again`,0,``,0,``,``,``],[1,126,`Undo`,0,``,0,``,``,``],[1,127,`Cut`,0,``,0,``,``,``],[1,128,`Copy`,0,``,0,``,``,``],[1,129,`Paste`,0,``,0,``,``,``],[1,130,`Find`,0,``,0,``,``,``],[1,131,`AudioVolumeMute`,117,`AudioVolumeMute`,173,`VK_VOLUME_MUTE`,``,``],[1,132,`AudioVolumeUp`,118,`AudioVolumeUp`,175,`VK_VOLUME_UP`,``,``],[1,133,`AudioVolumeDown`,119,`AudioVolumeDown`,174,`VK_VOLUME_DOWN`,``,``],[1,134,`NumpadComma`,110,`NumPad_Separator`,108,`VK_SEPARATOR`,``,``],[0,135,`IntlRo`,115,`ABNT_C1`,193,`VK_ABNT_C1`,``,``],[1,136,`KanaMode`,0,``,0,``,``,``],[0,137,`IntlYen`,0,``,0,``,``,``],[1,138,`Convert`,0,``,0,``,``,``],[1,139,`NonConvert`,0,``,0,``,``,``],[1,140,`Lang1`,0,``,0,``,``,``],[1,141,`Lang2`,0,``,0,``,``,``],[1,142,`Lang3`,0,``,0,``,``,``],[1,143,`Lang4`,0,``,0,``,``,``],[1,144,`Lang5`,0,``,0,``,``,``],[1,145,`Abort`,0,``,0,``,``,``],[1,146,`Props`,0,``,0,``,``,``],[1,147,`NumpadParenLeft`,0,``,0,``,``,``],[1,148,`NumpadParenRight`,0,``,0,``,``,``],[1,149,`NumpadBackspace`,0,``,0,``,``,``],[1,150,`NumpadMemoryStore`,0,``,0,``,``,``],[1,151,`NumpadMemoryRecall`,0,``,0,``,``,``],[1,152,`NumpadMemoryClear`,0,``,0,``,``,``],[1,153,`NumpadMemoryAdd`,0,``,0,``,``,``],[1,154,`NumpadMemorySubtract`,0,``,0,``,``,``],[1,155,`NumpadClear`,131,`Clear`,12,`VK_CLEAR`,``,``],[1,156,`NumpadClearEntry`,0,``,0,``,``,``],[1,0,``,5,`Ctrl`,17,`VK_CONTROL`,``,``],[1,0,``,4,`Shift`,16,`VK_SHIFT`,``,``],[1,0,``,6,`Alt`,18,`VK_MENU`,``,``],[1,0,``,57,`Meta`,91,`VK_COMMAND`,``,``],[1,157,`ControlLeft`,5,``,0,`VK_LCONTROL`,``,``],[1,158,`ShiftLeft`,4,``,0,`VK_LSHIFT`,``,``],[1,159,`AltLeft`,6,``,0,`VK_LMENU`,``,``],[1,160,`MetaLeft`,57,``,0,`VK_LWIN`,``,``],[1,161,`ControlRight`,5,``,0,`VK_RCONTROL`,``,``],[1,162,`ShiftRight`,4,``,0,`VK_RSHIFT`,``,``],[1,163,`AltRight`,6,``,0,`VK_RMENU`,``,``],[1,164,`MetaRight`,57,``,0,`VK_RWIN`,``,``],[1,165,`BrightnessUp`,0,``,0,``,``,``],[1,166,`BrightnessDown`,0,``,0,``,``,``],[1,167,`MediaPlay`,0,``,0,``,``,``],[1,168,`MediaRecord`,0,``,0,``,``,``],[1,169,`MediaFastForward`,0,``,0,``,``,``],[1,170,`MediaRewind`,0,``,0,``,``,``],[1,171,`MediaTrackNext`,124,`MediaTrackNext`,176,`VK_MEDIA_NEXT_TRACK`,``,``],[1,172,`MediaTrackPrevious`,125,`MediaTrackPrevious`,177,`VK_MEDIA_PREV_TRACK`,``,``],[1,173,`MediaStop`,126,`MediaStop`,178,`VK_MEDIA_STOP`,``,``],[1,174,`Eject`,0,``,0,``,``,``],[1,175,`MediaPlayPause`,127,`MediaPlayPause`,179,`VK_MEDIA_PLAY_PAUSE`,``,``],[1,176,`MediaSelect`,128,`LaunchMediaPlayer`,181,`VK_MEDIA_LAUNCH_MEDIA_SELECT`,``,``],[1,177,`LaunchMail`,129,`LaunchMail`,180,`VK_MEDIA_LAUNCH_MAIL`,``,``],[1,178,`LaunchApp2`,130,`LaunchApp2`,183,`VK_MEDIA_LAUNCH_APP2`,``,``],[1,179,`LaunchApp1`,0,``,0,`VK_MEDIA_LAUNCH_APP1`,``,``],[1,180,`SelectTask`,0,``,0,``,``,``],[1,181,`LaunchScreenSaver`,0,``,0,``,``,``],[1,182,`BrowserSearch`,120,`BrowserSearch`,170,`VK_BROWSER_SEARCH`,``,``],[1,183,`BrowserHome`,121,`BrowserHome`,172,`VK_BROWSER_HOME`,``,``],[1,184,`BrowserBack`,122,`BrowserBack`,166,`VK_BROWSER_BACK`,``,``],[1,185,`BrowserForward`,123,`BrowserForward`,167,`VK_BROWSER_FORWARD`,``,``],[1,186,`BrowserStop`,0,``,0,`VK_BROWSER_STOP`,``,``],[1,187,`BrowserRefresh`,0,``,0,`VK_BROWSER_REFRESH`,``,``],[1,188,`BrowserFavorites`,0,``,0,`VK_BROWSER_FAVORITES`,``,``],[1,189,`ZoomToggle`,0,``,0,``,``,``],[1,190,`MailReply`,0,``,0,``,``,``],[1,191,`MailForward`,0,``,0,``,``,``],[1,192,`MailSend`,0,``,0,``,``,``],[1,0,``,114,`KeyInComposition`,229,``,``,``],[1,0,``,116,`ABNT_C2`,194,`VK_ABNT_C2`,``,``],[1,0,``,96,`OEM_8`,223,`VK_OEM_8`,``,``],[1,0,``,0,``,0,`VK_KANA`,``,``],[1,0,``,0,``,0,`VK_HANGUL`,``,``],[1,0,``,0,``,0,`VK_JUNJA`,``,``],[1,0,``,0,``,0,`VK_FINAL`,``,``],[1,0,``,0,``,0,`VK_HANJA`,``,``],[1,0,``,0,``,0,`VK_KANJI`,``,``],[1,0,``,0,``,0,`VK_CONVERT`,``,``],[1,0,``,0,``,0,`VK_NONCONVERT`,``,``],[1,0,``,0,``,0,`VK_ACCEPT`,``,``],[1,0,``,0,``,0,`VK_MODECHANGE`,``,``],[1,0,``,0,``,0,`VK_SELECT`,``,``],[1,0,``,0,``,0,`VK_PRINT`,``,``],[1,0,``,0,``,0,`VK_EXECUTE`,``,``],[1,0,``,0,``,0,`VK_SNAPSHOT`,``,``],[1,0,``,0,``,0,`VK_HELP`,``,``],[1,0,``,0,``,0,`VK_APPS`,``,``],[1,0,``,0,``,0,`VK_PROCESSKEY`,``,``],[1,0,``,0,``,0,`VK_PACKET`,``,``],[1,0,``,0,``,0,`VK_DBE_SBCSCHAR`,``,``],[1,0,``,0,``,0,`VK_DBE_DBCSCHAR`,``,``],[1,0,``,0,``,0,`VK_ATTN`,``,``],[1,0,``,0,``,0,`VK_CRSEL`,``,``],[1,0,``,0,``,0,`VK_EXSEL`,``,``],[1,0,``,0,``,0,`VK_EREOF`,``,``],[1,0,``,0,``,0,`VK_PLAY`,``,``],[1,0,``,0,``,0,`VK_ZOOM`,``,``],[1,0,``,0,``,0,`VK_NONAME`,``,``],[1,0,``,0,``,0,`VK_PA1`,``,``],[1,0,``,0,``,0,`VK_OEM_CLEAR`,``,``]],t=[],n=[];for(let r of e){let[e,i,a,o,s,c,l,u,d]=r;if(n[i]||(n[i]=!0,El[i]=a,Dl[a]=i,Ol[a.toLowerCase()]=i,e&&(kl[i]=o,o!==0&&o!==3&&o!==5&&o!==4&&o!==6&&o!==57&&(Al[o]=i))),!t[o]){if(t[o]=!0,!s)throw Error(`String representation missing for key code ${o} around scan code ${a}`);xl.define(o,s),Sl.define(o,u||s),Cl.define(o,d||u||s)}c&&(wl[c]=o),l&&(Tl[l]=o)}Al[3]=46})();var jl;(function(e){e.toString=function(e){return xl.keyCodeToStr(e)},e.fromString=function(e){return xl.strToKeyCode(e)},e.toUserSettingsUS=function(e){return Sl.keyCodeToStr(e)},e.toUserSettingsGeneral=function(e){return Cl.keyCodeToStr(e)},e.fromUserSettings=function(e){return Sl.strToKeyCode(e)||Cl.strToKeyCode(e)},e.toElectronAccelerator=function(e){if(e>=98&&e<=113)return null;switch(e){case 16:return`Up`;case 18:return`Down`;case 15:return`Left`;case 17:return`Right`}return xl.keyCodeToStr(e)}})(jl||={});function Ml(e,t){return(e|(t&65535)<<16>>>0)>>>0}function Nl(){return globalThis._VSCODE_NLS_MESSAGES}function Pl(){return globalThis._VSCODE_NLS_LANGUAGE}var Fl=Pl()===`pseudo`||typeof document<`u`&&document.location&&document.location.hash.indexOf(`pseudo=true`)>=0;function Il(e,t){let n;return n=t.length===0?e:e.replace(/\{(\d+)\}/g,(e,n)=>{let r=t[n[0]],i=e;return typeof r==`string`?i=r:(typeof r==`number`||typeof r==`boolean`||r==null)&&(i=String(r)),i}),Fl&&(n=`［`+n.replace(/[aouei]/g,`$&$&`)+`］`),n}function Ll(e,t,...n){return Il(typeof e==`number`?Rl(e,t):t,n)}function Rl(e,t){let n=Nl()?.[e];if(typeof n!=`string`){if(typeof t==`string`)return t;throw Error(`!!! NLS MISSING: ${e} !!!`)}return n}function zl(e,t,...n){let r;r=typeof e==`number`?Rl(e,t):t;let i=Il(r,n);return{value:i,original:t===r?i:Il(t,n)}}var Bl=!1,Vl=!1,Hl=!1,Ul=!1,Wl=!1,Gl=!1,Kl=!1,ql=`en`,Jl=void 0,Yl=globalThis,Xl=void 0;Yl.vscode!==void 0&&Yl.vscode.process!==void 0?Xl=Yl.vscode.process:typeof process<`u`&&typeof process?.versions?.node==`string`&&(Xl=process);var Zl=typeof Xl?.versions?.electron==`string`&&Xl?.type===`renderer`;if(typeof Xl==`object`){Bl=Xl.platform===`win32`,Vl=Xl.platform===`darwin`,Hl=Xl.platform===`linux`,Hl&&Xl.env.SNAP&&Xl.env.SNAP_REVISION,Xl.env.CI||Xl.env.BUILD_ARTIFACTSTAGINGDIRECTORY,ql=`en`;let e=Xl.env.VSCODE_NLS_CONFIG;if(e)try{let t=JSON.parse(e);t.userLocale,t.osLocale,ql=t.resolvedLanguage||`en`,t.languagePack?.translationsConfigFile}catch{}Ul=!0}else typeof navigator==`object`&&!Zl?(Jl=navigator.userAgent,Bl=Jl.indexOf(`Windows`)>=0,Vl=Jl.indexOf(`Macintosh`)>=0,Gl=(Jl.indexOf(`Macintosh`)>=0||Jl.indexOf(`iPad`)>=0||Jl.indexOf(`iPhone`)>=0)&&!!navigator.maxTouchPoints&&navigator.maxTouchPoints>0,Hl=Jl.indexOf(`Linux`)>=0,Kl=Jl?.indexOf(`Mobi`)>=0,Wl=!0,ql=Pl()||`en`,navigator.language.toLowerCase()):console.error(`Unable to resolve platform.`);var Ql=Bl,$l=Vl,eu=Hl,tu=Ul,nu=Wl,ru=Wl&&typeof Yl.importScripts==`function`?Yl.origin:void 0,iu=Gl,au=Kl,ou=Jl,su=ql,cu=typeof Yl.postMessage==`function`&&!Yl.importScripts,lu=(()=>{if(cu){let e=[];Yl.addEventListener(`message`,t=>{if(t.data&&t.data.vscodeScheduleAsyncWork)for(let n=0,r=e.length;n<r;n++){let r=e[n];if(r.id===t.data.vscodeScheduleAsyncWork){e.splice(n,1),r.callback();return}}});let t=0;return n=>{let r=++t;e.push({id:r,callback:n}),Yl.postMessage({vscodeScheduleAsyncWork:r},`*`)}}return e=>setTimeout(e)})(),uu=Vl||Gl?2:Bl?1:3,du=!0,fu=!1;function pu(){if(!fu){fu=!0;let e=new Uint8Array(2);e[0]=1,e[1]=2,du=new Uint16Array(e.buffer)[0]===513}return du}var mu=!!(ou&&ou.indexOf(`Chrome`)>=0),hu=!!(ou&&ou.indexOf(`Firefox`)>=0),gu=!!(!mu&&ou&&ou.indexOf(`Safari`)>=0),_u=!!(ou&&ou.indexOf(`Edg/`)>=0),vu=!!(ou&&ou.indexOf(`Android`)>=0),yu,bu=globalThis.vscode;if(bu!==void 0&&bu.process!==void 0){let e=bu.process;yu={get platform(){return e.platform},get arch(){return e.arch},get env(){return e.env},cwd(){return e.cwd()}}}else yu=typeof process<`u`&&typeof process?.versions?.node==`string`?{get platform(){return process.platform},get arch(){return process.arch},get env(){return{}},cwd(){return{}.VSCODE_CWD||process.cwd()}}:{get platform(){return Ql?`win32`:$l?`darwin`:`linux`},get arch(){},get env(){return{}},cwd(){return`/`}};var xu=yu.cwd,Su=yu.env,Cu=yu.platform,wu=65,Tu=97,Eu=90,Du=122,Ou=46,ku=47,Au=92,ju=58,Mu=63,Nu=class extends Error{constructor(e,t,n){let r;typeof t==`string`&&t.indexOf(`not `)===0?(r=`must not be`,t=t.replace(/^not /,``)):r=`must be`;let i=`The "${e}" ${e.indexOf(`.`)===-1?`argument`:`property`} ${r} of type ${t}`;i+=`. Received type ${typeof n}`,super(i),this.code=`ERR_INVALID_ARG_TYPE`}};function Pu(e,t){if(typeof e!=`object`||!e)throw new Nu(t,`Object`,e)}function Fu(e,t){if(typeof e!=`string`)throw new Nu(t,`string`,e)}var Iu=Cu===`win32`;function U(e){return e===ku||e===Au}function Lu(e){return e===ku}function Ru(e){return e>=wu&&e<=Eu||e>=Tu&&e<=Du}function zu(e,t,n,r){let i=``,a=0,o=-1,s=0,c=0;for(let l=0;l<=e.length;++l){if(l<e.length)c=e.charCodeAt(l);else if(r(c))break;else c=ku;if(r(c)){if(o!==l-1&&s!==1){if(s===2){if(i.length<2||a!==2||i.charCodeAt(i.length-1)!==Ou||i.charCodeAt(i.length-2)!==Ou){if(i.length>2){let e=i.lastIndexOf(n);e===-1?(i=``,a=0):(i=i.slice(0,e),a=i.length-1-i.lastIndexOf(n)),o=l,s=0;continue}if(i.length!==0){i=``,a=0,o=l,s=0;continue}}t&&(i+=i.length>0?`${n}..`:`..`,a=2)}else i.length>0?i+=`${n}${e.slice(o+1,l)}`:i=e.slice(o+1,l),a=l-o-1}o=l,s=0}else c===Ou&&s!==-1?++s:s=-1}return i}function Bu(e){return e?`${e[0]===`.`?``:`.`}${e}`:``}function Vu(e,t){Pu(t,`pathObject`);let n=t.dir||t.root,r=t.base||`${t.name||``}${Bu(t.ext)}`;return n?n===t.root?`${n}${r}`:`${n}${e}${r}`:r}var Hu={resolve(...e){let t=``,n=``,r=!1;for(let i=e.length-1;i>=-1;i--){let a;if(i>=0){if(a=e[i],Fu(a,`paths[${i}]`),a.length===0)continue}else t.length===0?a=xu():(a=Su[`=${t}`]||xu(),(a===void 0||a.slice(0,2).toLowerCase()!==t.toLowerCase()&&a.charCodeAt(2)===Au)&&(a=`${t}\\`));let o=a.length,s=0,c=``,l=!1,u=a.charCodeAt(0);if(o===1)U(u)&&(s=1,l=!0);else if(U(u)){if(l=!0,U(a.charCodeAt(1))){let e=2,t=e;for(;e<o&&!U(a.charCodeAt(e));)e++;if(e<o&&e!==t){let n=a.slice(t,e);for(t=e;e<o&&U(a.charCodeAt(e));)e++;if(e<o&&e!==t){for(t=e;e<o&&!U(a.charCodeAt(e));)e++;(e===o||e!==t)&&(c=`\\\\${n}\\${a.slice(t,e)}`,s=e)}}}else s=1}else Ru(u)&&a.charCodeAt(1)===ju&&(c=a.slice(0,2),s=2,o>2&&U(a.charCodeAt(2))&&(l=!0,s=3));if(c.length>0){if(t.length>0){if(c.toLowerCase()!==t.toLowerCase())continue}else t=c}if(r){if(t.length>0)break}else if(n=`${a.slice(s)}\\${n}`,r=l,l&&t.length>0)break}return n=zu(n,!r,`\\`,U),r?`${t}\\${n}`:`${t}${n}`||`.`},normalize(e){Fu(e,`path`);let t=e.length;if(t===0)return`.`;let n=0,r,i=!1,a=e.charCodeAt(0);if(t===1)return Lu(a)?`\\`:e;if(U(a)){if(i=!0,U(e.charCodeAt(1))){let i=2,a=i;for(;i<t&&!U(e.charCodeAt(i));)i++;if(i<t&&i!==a){let o=e.slice(a,i);for(a=i;i<t&&U(e.charCodeAt(i));)i++;if(i<t&&i!==a){for(a=i;i<t&&!U(e.charCodeAt(i));)i++;if(i===t)return`\\\\${o}\\${e.slice(a)}\\`;i!==a&&(r=`\\\\${o}\\${e.slice(a,i)}`,n=i)}}}else n=1}else Ru(a)&&e.charCodeAt(1)===ju&&(r=e.slice(0,2),n=2,t>2&&U(e.charCodeAt(2))&&(i=!0,n=3));let o=n<t?zu(e.slice(n),!i,`\\`,U):``;return o.length===0&&!i&&(o=`.`),o.length>0&&U(e.charCodeAt(t-1))&&(o+=`\\`),r===void 0?i?`\\${o}`:o:i?`${r}\\${o}`:`${r}${o}`},isAbsolute(e){Fu(e,`path`);let t=e.length;if(t===0)return!1;let n=e.charCodeAt(0);return U(n)||t>2&&Ru(n)&&e.charCodeAt(1)===ju&&U(e.charCodeAt(2))},join(...e){if(e.length===0)return`.`;let t,n;for(let r=0;r<e.length;++r){let i=e[r];Fu(i,`path`),i.length>0&&(t===void 0?t=n=i:t+=`\\${i}`)}if(t===void 0)return`.`;let r=!0,i=0;if(typeof n==`string`&&U(n.charCodeAt(0))){++i;let e=n.length;e>1&&U(n.charCodeAt(1))&&(++i,e>2&&(U(n.charCodeAt(2))?++i:r=!1))}if(r){for(;i<t.length&&U(t.charCodeAt(i));)i++;i>=2&&(t=`\\${t.slice(i)}`)}return Hu.normalize(t)},relative(e,t){if(Fu(e,`from`),Fu(t,`to`),e===t)return``;let n=Hu.resolve(e),r=Hu.resolve(t);if(n===r||(e=n.toLowerCase(),t=r.toLowerCase(),e===t))return``;let i=0;for(;i<e.length&&e.charCodeAt(i)===Au;)i++;let a=e.length;for(;a-1>i&&e.charCodeAt(a-1)===Au;)a--;let o=a-i,s=0;for(;s<t.length&&t.charCodeAt(s)===Au;)s++;let c=t.length;for(;c-1>s&&t.charCodeAt(c-1)===Au;)c--;let l=c-s,u=o<l?o:l,d=-1,f=0;for(;f<u;f++){let n=e.charCodeAt(i+f);if(n!==t.charCodeAt(s+f))break;n===Au&&(d=f)}if(f!==u){if(d===-1)return r}else{if(l>u){if(t.charCodeAt(s+f)===Au)return r.slice(s+f+1);if(f===2)return r.slice(s+f)}o>u&&(e.charCodeAt(i+f)===Au?d=f:f===2&&(d=3)),d===-1&&(d=0)}let p=``;for(f=i+d+1;f<=a;++f)(f===a||e.charCodeAt(f)===Au)&&(p+=p.length===0?`..`:`\\..`);return s+=d,p.length>0?`${p}${r.slice(s,c)}`:(r.charCodeAt(s)===Au&&++s,r.slice(s,c))},toNamespacedPath(e){if(typeof e!=`string`||e.length===0)return e;let t=Hu.resolve(e);if(t.length<=2)return e;if(t.charCodeAt(0)===Au){if(t.charCodeAt(1)===Au){let e=t.charCodeAt(2);if(e!==Mu&&e!==Ou)return`\\\\?\\UNC\\${t.slice(2)}`}}else if(Ru(t.charCodeAt(0))&&t.charCodeAt(1)===ju&&t.charCodeAt(2)===Au)return`\\\\?\\${t}`;return e},dirname(e){Fu(e,`path`);let t=e.length;if(t===0)return`.`;let n=-1,r=0,i=e.charCodeAt(0);if(t===1)return U(i)?e:`.`;if(U(i)){if(n=r=1,U(e.charCodeAt(1))){let i=2,a=i;for(;i<t&&!U(e.charCodeAt(i));)i++;if(i<t&&i!==a){for(a=i;i<t&&U(e.charCodeAt(i));)i++;if(i<t&&i!==a){for(a=i;i<t&&!U(e.charCodeAt(i));)i++;if(i===t)return e;i!==a&&(n=r=i+1)}}}}else Ru(i)&&e.charCodeAt(1)===ju&&(n=t>2&&U(e.charCodeAt(2))?3:2,r=n);let a=-1,o=!0;for(let n=t-1;n>=r;--n)if(U(e.charCodeAt(n))){if(!o){a=n;break}}else o=!1;if(a===-1){if(n===-1)return`.`;a=n}return e.slice(0,a)},basename(e,t){t!==void 0&&Fu(t,`suffix`),Fu(e,`path`);let n=0,r=-1,i=!0,a;if(e.length>=2&&Ru(e.charCodeAt(0))&&e.charCodeAt(1)===ju&&(n=2),t!==void 0&&t.length>0&&t.length<=e.length){if(t===e)return``;let o=t.length-1,s=-1;for(a=e.length-1;a>=n;--a){let c=e.charCodeAt(a);if(U(c)){if(!i){n=a+1;break}}else s===-1&&(i=!1,s=a+1),o>=0&&(c===t.charCodeAt(o)?--o===-1&&(r=a):(o=-1,r=s))}return n===r?r=s:r===-1&&(r=e.length),e.slice(n,r)}for(a=e.length-1;a>=n;--a)if(U(e.charCodeAt(a))){if(!i){n=a+1;break}}else r===-1&&(i=!1,r=a+1);return r===-1?``:e.slice(n,r)},extname(e){Fu(e,`path`);let t=0,n=-1,r=0,i=-1,a=!0,o=0;e.length>=2&&e.charCodeAt(1)===ju&&Ru(e.charCodeAt(0))&&(t=r=2);for(let s=e.length-1;s>=t;--s){let t=e.charCodeAt(s);if(U(t)){if(!a){r=s+1;break}}else i===-1&&(a=!1,i=s+1),t===Ou?n===-1?n=s:o!==1&&(o=1):n!==-1&&(o=-1)}return n===-1||i===-1||o===0||o===1&&n===i-1&&n===r+1?``:e.slice(n,i)},format:Vu.bind(null,`\\`),parse(e){Fu(e,`path`);let t={root:``,dir:``,base:``,ext:``,name:``};if(e.length===0)return t;let n=e.length,r=0,i=e.charCodeAt(0);if(n===1)return U(i)?(t.root=t.dir=e,t):(t.base=t.name=e,t);if(U(i)){if(r=1,U(e.charCodeAt(1))){let t=2,i=t;for(;t<n&&!U(e.charCodeAt(t));)t++;if(t<n&&t!==i){for(i=t;t<n&&U(e.charCodeAt(t));)t++;if(t<n&&t!==i){for(i=t;t<n&&!U(e.charCodeAt(t));)t++;t===n?r=t:t!==i&&(r=t+1)}}}}else if(Ru(i)&&e.charCodeAt(1)===ju){if(n<=2)return t.root=t.dir=e,t;if(r=2,U(e.charCodeAt(2))){if(n===3)return t.root=t.dir=e,t;r=3}}r>0&&(t.root=e.slice(0,r));let a=-1,o=r,s=-1,c=!0,l=e.length-1,u=0;for(;l>=r;--l)if(i=e.charCodeAt(l),U(i)){if(!c){o=l+1;break}}else s===-1&&(c=!1,s=l+1),i===Ou?a===-1?a=l:u!==1&&(u=1):a!==-1&&(u=-1);return s!==-1&&(a===-1||u===0||u===1&&a===s-1&&a===o+1?t.base=t.name=e.slice(o,s):(t.name=e.slice(o,a),t.base=e.slice(o,s),t.ext=e.slice(a,s))),t.dir=o>0&&o!==r?e.slice(0,o-1):t.root,t},sep:`\\`,delimiter:`;`,win32:null,posix:null},Uu=(()=>{if(Iu){let e=/\\/g;return()=>{let t=xu().replace(e,`/`);return t.slice(t.indexOf(`/`))}}return()=>xu()})(),Wu={resolve(...e){let t=``,n=!1;for(let r=e.length-1;r>=-1&&!n;r--){let i=r>=0?e[r]:Uu();Fu(i,`paths[${r}]`),i.length!==0&&(t=`${i}/${t}`,n=i.charCodeAt(0)===ku)}return t=zu(t,!n,`/`,Lu),n?`/${t}`:t.length>0?t:`.`},normalize(e){if(Fu(e,`path`),e.length===0)return`.`;let t=e.charCodeAt(0)===ku,n=e.charCodeAt(e.length-1)===ku;return e=zu(e,!t,`/`,Lu),e.length===0?t?`/`:n?`./`:`.`:(n&&(e+=`/`),t?`/${e}`:e)},isAbsolute(e){return Fu(e,`path`),e.length>0&&e.charCodeAt(0)===ku},join(...e){if(e.length===0)return`.`;let t;for(let n=0;n<e.length;++n){let r=e[n];Fu(r,`path`),r.length>0&&(t===void 0?t=r:t+=`/${r}`)}return t===void 0?`.`:Wu.normalize(t)},relative(e,t){if(Fu(e,`from`),Fu(t,`to`),e===t||(e=Wu.resolve(e),t=Wu.resolve(t),e===t))return``;let n=e.length,r=n-1,i=t.length-1,a=r<i?r:i,o=-1,s=0;for(;s<a;s++){let n=e.charCodeAt(1+s);if(n!==t.charCodeAt(1+s))break;n===ku&&(o=s)}if(s===a){if(i>a){if(t.charCodeAt(1+s)===ku)return t.slice(1+s+1);if(s===0)return t.slice(1+s)}else r>a&&(e.charCodeAt(1+s)===ku?o=s:s===0&&(o=0))}let c=``;for(s=1+o+1;s<=n;++s)(s===n||e.charCodeAt(s)===ku)&&(c+=c.length===0?`..`:`/..`);return`${c}${t.slice(1+o)}`},toNamespacedPath(e){return e},dirname(e){if(Fu(e,`path`),e.length===0)return`.`;let t=e.charCodeAt(0)===ku,n=-1,r=!0;for(let t=e.length-1;t>=1;--t)if(e.charCodeAt(t)===ku){if(!r){n=t;break}}else r=!1;return n===-1?t?`/`:`.`:t&&n===1?`//`:e.slice(0,n)},basename(e,t){t!==void 0&&Fu(t,`ext`),Fu(e,`path`);let n=0,r=-1,i=!0,a;if(t!==void 0&&t.length>0&&t.length<=e.length){if(t===e)return``;let o=t.length-1,s=-1;for(a=e.length-1;a>=0;--a){let c=e.charCodeAt(a);if(c===ku){if(!i){n=a+1;break}}else s===-1&&(i=!1,s=a+1),o>=0&&(c===t.charCodeAt(o)?--o===-1&&(r=a):(o=-1,r=s))}return n===r?r=s:r===-1&&(r=e.length),e.slice(n,r)}for(a=e.length-1;a>=0;--a)if(e.charCodeAt(a)===ku){if(!i){n=a+1;break}}else r===-1&&(i=!1,r=a+1);return r===-1?``:e.slice(n,r)},extname(e){Fu(e,`path`);let t=-1,n=0,r=-1,i=!0,a=0;for(let o=e.length-1;o>=0;--o){let s=e.charCodeAt(o);if(s===ku){if(!i){n=o+1;break}}else r===-1&&(i=!1,r=o+1),s===Ou?t===-1?t=o:a!==1&&(a=1):t!==-1&&(a=-1)}return t===-1||r===-1||a===0||a===1&&t===r-1&&t===n+1?``:e.slice(t,r)},format:Vu.bind(null,`/`),parse(e){Fu(e,`path`);let t={root:``,dir:``,base:``,ext:``,name:``};if(e.length===0)return t;let n=e.charCodeAt(0)===ku,r;n?(t.root=`/`,r=1):r=0;let i=-1,a=0,o=-1,s=!0,c=e.length-1,l=0;for(;c>=r;--c){let t=e.charCodeAt(c);if(t===ku){if(!s){a=c+1;break}}else o===-1&&(s=!1,o=c+1),t===Ou?i===-1?i=c:l!==1&&(l=1):i!==-1&&(l=-1)}if(o!==-1){let r=a===0&&n?1:a;i===-1||l===0||l===1&&i===o-1&&i===a+1?t.base=t.name=e.slice(r,o):(t.name=e.slice(r,i),t.base=e.slice(r,o),t.ext=e.slice(i,o))}return a>0?t.dir=e.slice(0,a-1):n&&(t.dir=`/`),t},sep:`/`,delimiter:`:`,win32:null,posix:null};Wu.win32=Hu.win32=Hu,Wu.posix=Hu.posix=Wu;var Gu=Iu?Hu.normalize:Wu.normalize,Ku=Iu?Hu.join:Wu.join,qu=Iu?Hu.resolve:Wu.resolve,Ju=Iu?Hu.relative:Wu.relative,Yu=Iu?Hu.dirname:Wu.dirname,Xu=Iu?Hu.basename:Wu.basename,Zu=Iu?Hu.extname:Wu.extname,Qu=Iu?Hu.sep:Wu.sep,$u=/^\w[\w\d+.-]*$/,ed=/^\//,td=/^\/\//;function nd(e,t){if(!e.scheme&&t)throw Error(`[UriError]: Scheme is missing: {scheme: "", authority: "${e.authority}", path: "${e.path}", query: "${e.query}", fragment: "${e.fragment}"}`);if(e.scheme&&!$u.test(e.scheme))throw Error(`[UriError]: Scheme contains illegal characters.`);if(e.path){if(e.authority){if(!ed.test(e.path))throw Error(`[UriError]: If a URI contains an authority component, then the path component must either be empty or begin with a slash ("/") character`)}else if(td.test(e.path))throw Error(`[UriError]: If a URI does not contain an authority component, then the path cannot begin with two slash characters ("//")`)}}function rd(e,t){return!e&&!t?`file`:e}function id(e,t){switch(e){case`https`:case`http`:case`file`:t?t[0]!==od&&(t=od+t):t=od}return t}var ad=``,od=`/`,sd=/^(([^:/?#]+?):)?(\/\/([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?/,cd=class e{static isUri(t){return t instanceof e?!0:t?typeof t.authority==`string`&&typeof t.fragment==`string`&&typeof t.path==`string`&&typeof t.query==`string`&&typeof t.scheme==`string`&&typeof t.fsPath==`string`&&typeof t.with==`function`&&typeof t.toString==`function`:!1}constructor(e,t,n,r,i,a=!1){typeof e==`object`?(this.scheme=e.scheme||ad,this.authority=e.authority||ad,this.path=e.path||ad,this.query=e.query||ad,this.fragment=e.fragment||ad):(this.scheme=rd(e,a),this.authority=t||ad,this.path=id(this.scheme,n||ad),this.query=r||ad,this.fragment=i||ad,nd(this,a))}get fsPath(){return md(this,!1)}with(e){if(!e)return this;let{scheme:t,authority:n,path:r,query:i,fragment:a}=e;return t===void 0?t=this.scheme:t===null&&(t=ad),n===void 0?n=this.authority:n===null&&(n=ad),r===void 0?r=this.path:r===null&&(r=ad),i===void 0?i=this.query:i===null&&(i=ad),a===void 0?a=this.fragment:a===null&&(a=ad),t===this.scheme&&n===this.authority&&r===this.path&&i===this.query&&a===this.fragment?this:new ud(t,n,r,i,a)}static parse(e,t=!1){let n=sd.exec(e);return n?new ud(n[2]||ad,vd(n[4]||ad),vd(n[5]||ad),vd(n[7]||ad),vd(n[9]||ad),t):new ud(ad,ad,ad,ad,ad)}static file(e){let t=ad;if(Ql&&(e=e.replace(/\\/g,od)),e[0]===od&&e[1]===od){let n=e.indexOf(od,2);n===-1?(t=e.substring(2),e=od):(t=e.substring(2,n),e=e.substring(n)||od)}return new ud(`file`,t,e,ad,ad)}static from(e,t){return new ud(e.scheme,e.authority,e.path,e.query,e.fragment,t)}static joinPath(t,...n){if(!t.path)throw Error(`[UriError]: cannot call joinPath on URI without path`);let r;return r=Ql&&t.scheme===`file`?e.file(Hu.join(md(t,!0),...n)).path:Wu.join(t.path,...n),t.with({path:r})}toString(e=!1){return hd(this,e)}toJSON(){return this}static revive(t){if(!t||t instanceof e)return t;{let e=new ud(t);return e._formatted=t.external??null,e._fsPath=t._sep===ld?t.fsPath??null:null,e}}},ld=Ql?1:void 0,ud=class extends cd{constructor(){super(...arguments),this._formatted=null,this._fsPath=null}get fsPath(){return this._fsPath||=md(this,!1),this._fsPath}toString(e=!1){return e?hd(this,!0):(this._formatted||=hd(this,!1),this._formatted)}toJSON(){let e={$mid:1};return this._fsPath&&(e.fsPath=this._fsPath,e._sep=ld),this._formatted&&(e.external=this._formatted),this.path&&(e.path=this.path),this.scheme&&(e.scheme=this.scheme),this.authority&&(e.authority=this.authority),this.query&&(e.query=this.query),this.fragment&&(e.fragment=this.fragment),e}},dd={58:`%3A`,47:`%2F`,63:`%3F`,35:`%23`,91:`%5B`,93:`%5D`,64:`%40`,33:`%21`,36:`%24`,38:`%26`,39:`%27`,40:`%28`,41:`%29`,42:`%2A`,43:`%2B`,44:`%2C`,59:`%3B`,61:`%3D`,32:`%20`};function fd(e,t,n){let r,i=-1;for(let a=0;a<e.length;a++){let o=e.charCodeAt(a);if(o>=97&&o<=122||o>=65&&o<=90||o>=48&&o<=57||o===45||o===46||o===95||o===126||t&&o===47||n&&o===91||n&&o===93||n&&o===58)i!==-1&&(r+=encodeURIComponent(e.substring(i,a)),i=-1),r!==void 0&&(r+=e.charAt(a));else{r===void 0&&(r=e.substr(0,a));let t=dd[o];t===void 0?i===-1&&(i=a):(i!==-1&&(r+=encodeURIComponent(e.substring(i,a)),i=-1),r+=t)}}return i!==-1&&(r+=encodeURIComponent(e.substring(i))),r===void 0?e:r}function pd(e){let t;for(let n=0;n<e.length;n++){let r=e.charCodeAt(n);r===35||r===63?(t===void 0&&(t=e.substr(0,n)),t+=dd[r]):t!==void 0&&(t+=e[n])}return t===void 0?e:t}function md(e,t){let n;return n=e.authority&&e.path.length>1&&e.scheme===`file`?`//${e.authority}${e.path}`:e.path.charCodeAt(0)===47&&(e.path.charCodeAt(1)>=65&&e.path.charCodeAt(1)<=90||e.path.charCodeAt(1)>=97&&e.path.charCodeAt(1)<=122)&&e.path.charCodeAt(2)===58?t?e.path.substr(1):e.path[1].toLowerCase()+e.path.substr(2):e.path,Ql&&(n=n.replace(/\//g,`\\`)),n}function hd(e,t){let n=t?pd:fd,r=``,{scheme:i,authority:a,path:o,query:s,fragment:c}=e;if(i&&(r+=i,r+=`:`),(a||i===`file`)&&(r+=od,r+=od),a){let e=a.indexOf(`@`);if(e!==-1){let t=a.substr(0,e);a=a.substr(e+1),e=t.lastIndexOf(`:`),e===-1?r+=n(t,!1,!1):(r+=n(t.substr(0,e),!1,!1),r+=`:`,r+=n(t.substr(e+1),!1,!0)),r+=`@`}a=a.toLowerCase(),e=a.lastIndexOf(`:`),e===-1?r+=n(a,!1,!0):(r+=n(a.substr(0,e),!1,!0),r+=a.substr(e))}if(o){if(o.length>=3&&o.charCodeAt(0)===47&&o.charCodeAt(2)===58){let e=o.charCodeAt(1);e>=65&&e<=90&&(o=`/${String.fromCharCode(e+32)}:${o.substr(3)}`)}else if(o.length>=2&&o.charCodeAt(1)===58){let e=o.charCodeAt(0);e>=65&&e<=90&&(o=`${String.fromCharCode(e+32)}:${o.substr(2)}`)}r+=n(o,!0,!1)}return s&&(r+=`?`,r+=n(s,!1,!1)),c&&(r+=`#`,r+=t?c:fd(c,!1,!1)),r}function gd(e){try{return decodeURIComponent(e)}catch{return e.length>3?e.substr(0,3)+gd(e.substr(3)):e}}var _d=/(%[0-9A-Za-z][0-9A-Za-z])+/g;function vd(e){return e.match(_d)?e.replace(_d,e=>gd(e)):e}var yd=class e{constructor(e,t){this.lineNumber=e,this.column=t}with(t=this.lineNumber,n=this.column){return t===this.lineNumber&&n===this.column?this:new e(t,n)}delta(e=0,t=0){return this.with(this.lineNumber+e,this.column+t)}equals(t){return e.equals(this,t)}static equals(e,t){return!e&&!t||!!e&&!!t&&e.lineNumber===t.lineNumber&&e.column===t.column}isBefore(t){return e.isBefore(this,t)}static isBefore(e,t){return e.lineNumber<t.lineNumber?!0:t.lineNumber<e.lineNumber?!1:e.column<t.column}isBeforeOrEqual(t){return e.isBeforeOrEqual(this,t)}static isBeforeOrEqual(e,t){return e.lineNumber<t.lineNumber?!0:t.lineNumber<e.lineNumber?!1:e.column<=t.column}static compare(e,t){let n=e.lineNumber|0,r=t.lineNumber|0;return n===r?(e.column|0)-(t.column|0):n-r}clone(){return new e(this.lineNumber,this.column)}toString(){return`(`+this.lineNumber+`,`+this.column+`)`}static lift(t){return new e(t.lineNumber,t.column)}static isIPosition(e){return e&&typeof e.lineNumber==`number`&&typeof e.column==`number`}toJSON(){return{lineNumber:this.lineNumber,column:this.column}}},bd=class e{constructor(e,t,n,r){e>n||e===n&&t>r?(this.startLineNumber=n,this.startColumn=r,this.endLineNumber=e,this.endColumn=t):(this.startLineNumber=e,this.startColumn=t,this.endLineNumber=n,this.endColumn=r)}isEmpty(){return e.isEmpty(this)}static isEmpty(e){return e.startLineNumber===e.endLineNumber&&e.startColumn===e.endColumn}containsPosition(t){return e.containsPosition(this,t)}static containsPosition(e,t){return!(t.lineNumber<e.startLineNumber||t.lineNumber>e.endLineNumber||t.lineNumber===e.startLineNumber&&t.column<e.startColumn||t.lineNumber===e.endLineNumber&&t.column>e.endColumn)}static strictContainsPosition(e,t){return!(t.lineNumber<e.startLineNumber||t.lineNumber>e.endLineNumber||t.lineNumber===e.startLineNumber&&t.column<=e.startColumn||t.lineNumber===e.endLineNumber&&t.column>=e.endColumn)}containsRange(t){return e.containsRange(this,t)}static containsRange(e,t){return!(t.startLineNumber<e.startLineNumber||t.endLineNumber<e.startLineNumber||t.startLineNumber>e.endLineNumber||t.endLineNumber>e.endLineNumber||t.startLineNumber===e.startLineNumber&&t.startColumn<e.startColumn||t.endLineNumber===e.endLineNumber&&t.endColumn>e.endColumn)}strictContainsRange(t){return e.strictContainsRange(this,t)}static strictContainsRange(e,t){return!(t.startLineNumber<e.startLineNumber||t.endLineNumber<e.startLineNumber||t.startLineNumber>e.endLineNumber||t.endLineNumber>e.endLineNumber||t.startLineNumber===e.startLineNumber&&t.startColumn<=e.startColumn||t.endLineNumber===e.endLineNumber&&t.endColumn>=e.endColumn)}plusRange(t){return e.plusRange(this,t)}static plusRange(t,n){let r,i,a,o;return n.startLineNumber<t.startLineNumber?(r=n.startLineNumber,i=n.startColumn):n.startLineNumber===t.startLineNumber?(r=n.startLineNumber,i=Math.min(n.startColumn,t.startColumn)):(r=t.startLineNumber,i=t.startColumn),n.endLineNumber>t.endLineNumber?(a=n.endLineNumber,o=n.endColumn):n.endLineNumber===t.endLineNumber?(a=n.endLineNumber,o=Math.max(n.endColumn,t.endColumn)):(a=t.endLineNumber,o=t.endColumn),new e(r,i,a,o)}intersectRanges(t){return e.intersectRanges(this,t)}static intersectRanges(t,n){let r=t.startLineNumber,i=t.startColumn,a=t.endLineNumber,o=t.endColumn,s=n.startLineNumber,c=n.startColumn,l=n.endLineNumber,u=n.endColumn;return r<s?(r=s,i=c):r===s&&(i=Math.max(i,c)),a>l?(a=l,o=u):a===l&&(o=Math.min(o,u)),r>a||r===a&&i>o?null:new e(r,i,a,o)}equalsRange(t){return e.equalsRange(this,t)}static equalsRange(e,t){return!e&&!t||!!e&&!!t&&e.startLineNumber===t.startLineNumber&&e.startColumn===t.startColumn&&e.endLineNumber===t.endLineNumber&&e.endColumn===t.endColumn}getEndPosition(){return e.getEndPosition(this)}static getEndPosition(e){return new yd(e.endLineNumber,e.endColumn)}getStartPosition(){return e.getStartPosition(this)}static getStartPosition(e){return new yd(e.startLineNumber,e.startColumn)}toString(){return`[`+this.startLineNumber+`,`+this.startColumn+` -> `+this.endLineNumber+`,`+this.endColumn+`]`}setEndPosition(t,n){return new e(this.startLineNumber,this.startColumn,t,n)}setStartPosition(t,n){return new e(t,n,this.endLineNumber,this.endColumn)}collapseToStart(){return e.collapseToStart(this)}static collapseToStart(t){return new e(t.startLineNumber,t.startColumn,t.startLineNumber,t.startColumn)}collapseToEnd(){return e.collapseToEnd(this)}static collapseToEnd(t){return new e(t.endLineNumber,t.endColumn,t.endLineNumber,t.endColumn)}delta(t){return new e(this.startLineNumber+t,this.startColumn,this.endLineNumber+t,this.endColumn)}static fromPositions(t,n=t){return new e(t.lineNumber,t.column,n.lineNumber,n.column)}static lift(t){return t?new e(t.startLineNumber,t.startColumn,t.endLineNumber,t.endColumn):null}static isIRange(e){return e&&typeof e.startLineNumber==`number`&&typeof e.startColumn==`number`&&typeof e.endLineNumber==`number`&&typeof e.endColumn==`number`}static areIntersectingOrTouching(e,t){return!(e.endLineNumber<t.startLineNumber||e.endLineNumber===t.startLineNumber&&e.endColumn<t.startColumn||t.endLineNumber<e.startLineNumber||t.endLineNumber===e.startLineNumber&&t.endColumn<e.startColumn)}static areIntersecting(e,t){return!(e.endLineNumber<t.startLineNumber||e.endLineNumber===t.startLineNumber&&e.endColumn<=t.startColumn||t.endLineNumber<e.startLineNumber||t.endLineNumber===e.startLineNumber&&t.endColumn<=e.startColumn)}static compareRangesUsingStarts(e,t){if(e&&t){let n=e.startLineNumber|0,r=t.startLineNumber|0;if(n===r){let n=e.startColumn|0,r=t.startColumn|0;if(n===r){let n=e.endLineNumber|0,r=t.endLineNumber|0;return n===r?(e.endColumn|0)-(t.endColumn|0):n-r}return n-r}return n-r}return!!e-+!!t}static compareRangesUsingEnds(e,t){return e.endLineNumber===t.endLineNumber?e.endColumn===t.endColumn?e.startLineNumber===t.startLineNumber?e.startColumn-t.startColumn:e.startLineNumber-t.startLineNumber:e.endColumn-t.endColumn:e.endLineNumber-t.endLineNumber}static spansMultipleLines(e){return e.endLineNumber>e.startLineNumber}toJSON(){return this}},xd=class e extends bd{constructor(e,t,n,r){super(e,t,n,r),this.selectionStartLineNumber=e,this.selectionStartColumn=t,this.positionLineNumber=n,this.positionColumn=r}toString(){return`[`+this.selectionStartLineNumber+`,`+this.selectionStartColumn+` -> `+this.positionLineNumber+`,`+this.positionColumn+`]`}equalsSelection(t){return e.selectionsEqual(this,t)}static selectionsEqual(e,t){return e.selectionStartLineNumber===t.selectionStartLineNumber&&e.selectionStartColumn===t.selectionStartColumn&&e.positionLineNumber===t.positionLineNumber&&e.positionColumn===t.positionColumn}getDirection(){return this.selectionStartLineNumber===this.startLineNumber&&this.selectionStartColumn===this.startColumn?0:1}setEndPosition(t,n){return this.getDirection()===0?new e(this.startLineNumber,this.startColumn,t,n):new e(t,n,this.startLineNumber,this.startColumn)}getPosition(){return new yd(this.positionLineNumber,this.positionColumn)}getSelectionStart(){return new yd(this.selectionStartLineNumber,this.selectionStartColumn)}setStartPosition(t,n){return this.getDirection()===0?new e(t,n,this.endLineNumber,this.endColumn):new e(this.endLineNumber,this.endColumn,t,n)}static fromPositions(t,n=t){return new e(t.lineNumber,t.column,n.lineNumber,n.column)}static fromRange(t,n){return n===0?new e(t.startLineNumber,t.startColumn,t.endLineNumber,t.endColumn):new e(t.endLineNumber,t.endColumn,t.startLineNumber,t.startColumn)}static liftSelection(t){return new e(t.selectionStartLineNumber,t.selectionStartColumn,t.positionLineNumber,t.positionColumn)}static selectionsArrEqual(e,t){if(e&&!t||!e&&t)return!1;if(!e&&!t)return!0;if(e.length!==t.length)return!1;for(let n=0,r=e.length;n<r;n++)if(!this.selectionsEqual(e[n],t[n]))return!1;return!0}static isISelection(e){return e&&typeof e.selectionStartLineNumber==`number`&&typeof e.selectionStartColumn==`number`&&typeof e.positionLineNumber==`number`&&typeof e.positionColumn==`number`}static createWithDirection(t,n,r,i,a){return a===0?new e(t,n,r,i):new e(r,i,t,n)}};function Sd(e){return typeof e==`string`}function Cd(e){return typeof e==`object`&&!!e&&!Array.isArray(e)&&!(e instanceof RegExp)&&!(e instanceof Date)}function wd(e){let t=Object.getPrototypeOf(Uint8Array);return typeof e==`object`&&e instanceof t}function Td(e){return typeof e==`number`&&!isNaN(e)}function Ed(e){return!!e&&typeof e[Symbol.iterator]==`function`}function Dd(e){return e===!0||e===!1}function Od(e){return e===void 0}function kd(e){return!Ad(e)}function Ad(e){return Od(e)||e===null}function jd(e,t){if(!e)throw Error(t?`Unexpected type, expected '${t}'`:`Unexpected type`)}function Md(e){if(Ad(e))throw Error(`Assertion Failed: argument is undefined or null`);return e}function Nd(e){return typeof e==`function`}function Pd(e,t){let n=Math.min(e.length,t.length);for(let r=0;r<n;r++)Fd(e[r],t[r])}function Fd(e,t){if(Sd(t)){if(typeof e!==t)throw Error(`argument does not match constraint: typeof ${t}`)}else if(Nd(t)){try{if(e instanceof t)return}catch{}if(!Ad(e)&&e.constructor===t||t.length===1&&t.call(void 0,e)===!0)return;throw Error(`argument does not match one of these constraints: arg instanceof constraint, arg.constructor === constraint, nor constraint(arg) === true`)}}var Id=Object.create(null);function W(e,t){if(Sd(t)){let n=Id[t];if(n===void 0)throw Error(`${e} references an unknown codicon: ${t}`);t=n}return Id[e]=t,{id:e}}function Ld(){return Id}var Rd={add:W(`add`,6e4),plus:W(`plus`,6e4),gistNew:W(`gist-new`,6e4),repoCreate:W(`repo-create`,6e4),lightbulb:W(`lightbulb`,60001),lightBulb:W(`light-bulb`,60001),repo:W(`repo`,60002),repoDelete:W(`repo-delete`,60002),gistFork:W(`gist-fork`,60003),repoForked:W(`repo-forked`,60003),gitPullRequest:W(`git-pull-request`,60004),gitPullRequestAbandoned:W(`git-pull-request-abandoned`,60004),recordKeys:W(`record-keys`,60005),keyboard:W(`keyboard`,60005),tag:W(`tag`,60006),gitPullRequestLabel:W(`git-pull-request-label`,60006),tagAdd:W(`tag-add`,60006),tagRemove:W(`tag-remove`,60006),person:W(`person`,60007),personFollow:W(`person-follow`,60007),personOutline:W(`person-outline`,60007),personFilled:W(`person-filled`,60007),gitBranch:W(`git-branch`,60008),gitBranchCreate:W(`git-branch-create`,60008),gitBranchDelete:W(`git-branch-delete`,60008),sourceControl:W(`source-control`,60008),mirror:W(`mirror`,60009),mirrorPublic:W(`mirror-public`,60009),star:W(`star`,60010),starAdd:W(`star-add`,60010),starDelete:W(`star-delete`,60010),starEmpty:W(`star-empty`,60010),comment:W(`comment`,60011),commentAdd:W(`comment-add`,60011),alert:W(`alert`,60012),warning:W(`warning`,60012),search:W(`search`,60013),searchSave:W(`search-save`,60013),logOut:W(`log-out`,60014),signOut:W(`sign-out`,60014),logIn:W(`log-in`,60015),signIn:W(`sign-in`,60015),eye:W(`eye`,60016),eyeUnwatch:W(`eye-unwatch`,60016),eyeWatch:W(`eye-watch`,60016),circleFilled:W(`circle-filled`,60017),primitiveDot:W(`primitive-dot`,60017),closeDirty:W(`close-dirty`,60017),debugBreakpoint:W(`debug-breakpoint`,60017),debugBreakpointDisabled:W(`debug-breakpoint-disabled`,60017),debugHint:W(`debug-hint`,60017),terminalDecorationSuccess:W(`terminal-decoration-success`,60017),primitiveSquare:W(`primitive-square`,60018),edit:W(`edit`,60019),pencil:W(`pencil`,60019),info:W(`info`,60020),issueOpened:W(`issue-opened`,60020),gistPrivate:W(`gist-private`,60021),gitForkPrivate:W(`git-fork-private`,60021),lock:W(`lock`,60021),mirrorPrivate:W(`mirror-private`,60021),close:W(`close`,60022),removeClose:W(`remove-close`,60022),x:W(`x`,60022),repoSync:W(`repo-sync`,60023),sync:W(`sync`,60023),clone:W(`clone`,60024),desktopDownload:W(`desktop-download`,60024),beaker:W(`beaker`,60025),microscope:W(`microscope`,60025),vm:W(`vm`,60026),deviceDesktop:W(`device-desktop`,60026),file:W(`file`,60027),fileText:W(`file-text`,60027),more:W(`more`,60028),ellipsis:W(`ellipsis`,60028),kebabHorizontal:W(`kebab-horizontal`,60028),mailReply:W(`mail-reply`,60029),reply:W(`reply`,60029),organization:W(`organization`,60030),organizationFilled:W(`organization-filled`,60030),organizationOutline:W(`organization-outline`,60030),newFile:W(`new-file`,60031),fileAdd:W(`file-add`,60031),newFolder:W(`new-folder`,60032),fileDirectoryCreate:W(`file-directory-create`,60032),trash:W(`trash`,60033),trashcan:W(`trashcan`,60033),history:W(`history`,60034),clock:W(`clock`,60034),folder:W(`folder`,60035),fileDirectory:W(`file-directory`,60035),symbolFolder:W(`symbol-folder`,60035),logoGithub:W(`logo-github`,60036),markGithub:W(`mark-github`,60036),github:W(`github`,60036),terminal:W(`terminal`,60037),console:W(`console`,60037),repl:W(`repl`,60037),zap:W(`zap`,60038),symbolEvent:W(`symbol-event`,60038),error:W(`error`,60039),stop:W(`stop`,60039),variable:W(`variable`,60040),symbolVariable:W(`symbol-variable`,60040),array:W(`array`,60042),symbolArray:W(`symbol-array`,60042),symbolModule:W(`symbol-module`,60043),symbolPackage:W(`symbol-package`,60043),symbolNamespace:W(`symbol-namespace`,60043),symbolObject:W(`symbol-object`,60043),symbolMethod:W(`symbol-method`,60044),symbolFunction:W(`symbol-function`,60044),symbolConstructor:W(`symbol-constructor`,60044),symbolBoolean:W(`symbol-boolean`,60047),symbolNull:W(`symbol-null`,60047),symbolNumeric:W(`symbol-numeric`,60048),symbolNumber:W(`symbol-number`,60048),symbolStructure:W(`symbol-structure`,60049),symbolStruct:W(`symbol-struct`,60049),symbolParameter:W(`symbol-parameter`,60050),symbolTypeParameter:W(`symbol-type-parameter`,60050),symbolKey:W(`symbol-key`,60051),symbolText:W(`symbol-text`,60051),symbolReference:W(`symbol-reference`,60052),goToFile:W(`go-to-file`,60052),symbolEnum:W(`symbol-enum`,60053),symbolValue:W(`symbol-value`,60053),symbolRuler:W(`symbol-ruler`,60054),symbolUnit:W(`symbol-unit`,60054),activateBreakpoints:W(`activate-breakpoints`,60055),archive:W(`archive`,60056),arrowBoth:W(`arrow-both`,60057),arrowDown:W(`arrow-down`,60058),arrowLeft:W(`arrow-left`,60059),arrowRight:W(`arrow-right`,60060),arrowSmallDown:W(`arrow-small-down`,60061),arrowSmallLeft:W(`arrow-small-left`,60062),arrowSmallRight:W(`arrow-small-right`,60063),arrowSmallUp:W(`arrow-small-up`,60064),arrowUp:W(`arrow-up`,60065),bell:W(`bell`,60066),bold:W(`bold`,60067),book:W(`book`,60068),bookmark:W(`bookmark`,60069),debugBreakpointConditionalUnverified:W(`debug-breakpoint-conditional-unverified`,60070),debugBreakpointConditional:W(`debug-breakpoint-conditional`,60071),debugBreakpointConditionalDisabled:W(`debug-breakpoint-conditional-disabled`,60071),debugBreakpointDataUnverified:W(`debug-breakpoint-data-unverified`,60072),debugBreakpointData:W(`debug-breakpoint-data`,60073),debugBreakpointDataDisabled:W(`debug-breakpoint-data-disabled`,60073),debugBreakpointLogUnverified:W(`debug-breakpoint-log-unverified`,60074),debugBreakpointLog:W(`debug-breakpoint-log`,60075),debugBreakpointLogDisabled:W(`debug-breakpoint-log-disabled`,60075),briefcase:W(`briefcase`,60076),broadcast:W(`broadcast`,60077),browser:W(`browser`,60078),bug:W(`bug`,60079),calendar:W(`calendar`,60080),caseSensitive:W(`case-sensitive`,60081),check:W(`check`,60082),checklist:W(`checklist`,60083),chevronDown:W(`chevron-down`,60084),chevronLeft:W(`chevron-left`,60085),chevronRight:W(`chevron-right`,60086),chevronUp:W(`chevron-up`,60087),chromeClose:W(`chrome-close`,60088),chromeMaximize:W(`chrome-maximize`,60089),chromeMinimize:W(`chrome-minimize`,60090),chromeRestore:W(`chrome-restore`,60091),circleOutline:W(`circle-outline`,60092),circle:W(`circle`,60092),debugBreakpointUnverified:W(`debug-breakpoint-unverified`,60092),terminalDecorationIncomplete:W(`terminal-decoration-incomplete`,60092),circleSlash:W(`circle-slash`,60093),circuitBoard:W(`circuit-board`,60094),clearAll:W(`clear-all`,60095),clippy:W(`clippy`,60096),closeAll:W(`close-all`,60097),cloudDownload:W(`cloud-download`,60098),cloudUpload:W(`cloud-upload`,60099),code:W(`code`,60100),collapseAll:W(`collapse-all`,60101),colorMode:W(`color-mode`,60102),commentDiscussion:W(`comment-discussion`,60103),creditCard:W(`credit-card`,60105),dash:W(`dash`,60108),dashboard:W(`dashboard`,60109),database:W(`database`,60110),debugContinue:W(`debug-continue`,60111),debugDisconnect:W(`debug-disconnect`,60112),debugPause:W(`debug-pause`,60113),debugRestart:W(`debug-restart`,60114),debugStart:W(`debug-start`,60115),debugStepInto:W(`debug-step-into`,60116),debugStepOut:W(`debug-step-out`,60117),debugStepOver:W(`debug-step-over`,60118),debugStop:W(`debug-stop`,60119),debug:W(`debug`,60120),deviceCameraVideo:W(`device-camera-video`,60121),deviceCamera:W(`device-camera`,60122),deviceMobile:W(`device-mobile`,60123),diffAdded:W(`diff-added`,60124),diffIgnored:W(`diff-ignored`,60125),diffModified:W(`diff-modified`,60126),diffRemoved:W(`diff-removed`,60127),diffRenamed:W(`diff-renamed`,60128),diff:W(`diff`,60129),diffSidebyside:W(`diff-sidebyside`,60129),discard:W(`discard`,60130),editorLayout:W(`editor-layout`,60131),emptyWindow:W(`empty-window`,60132),exclude:W(`exclude`,60133),extensions:W(`extensions`,60134),eyeClosed:W(`eye-closed`,60135),fileBinary:W(`file-binary`,60136),fileCode:W(`file-code`,60137),fileMedia:W(`file-media`,60138),filePdf:W(`file-pdf`,60139),fileSubmodule:W(`file-submodule`,60140),fileSymlinkDirectory:W(`file-symlink-directory`,60141),fileSymlinkFile:W(`file-symlink-file`,60142),fileZip:W(`file-zip`,60143),files:W(`files`,60144),filter:W(`filter`,60145),flame:W(`flame`,60146),foldDown:W(`fold-down`,60147),foldUp:W(`fold-up`,60148),fold:W(`fold`,60149),folderActive:W(`folder-active`,60150),folderOpened:W(`folder-opened`,60151),gear:W(`gear`,60152),gift:W(`gift`,60153),gistSecret:W(`gist-secret`,60154),gist:W(`gist`,60155),gitCommit:W(`git-commit`,60156),gitCompare:W(`git-compare`,60157),compareChanges:W(`compare-changes`,60157),gitMerge:W(`git-merge`,60158),githubAction:W(`github-action`,60159),githubAlt:W(`github-alt`,60160),globe:W(`globe`,60161),grabber:W(`grabber`,60162),graph:W(`graph`,60163),gripper:W(`gripper`,60164),heart:W(`heart`,60165),home:W(`home`,60166),horizontalRule:W(`horizontal-rule`,60167),hubot:W(`hubot`,60168),inbox:W(`inbox`,60169),issueReopened:W(`issue-reopened`,60171),issues:W(`issues`,60172),italic:W(`italic`,60173),jersey:W(`jersey`,60174),json:W(`json`,60175),kebabVertical:W(`kebab-vertical`,60176),key:W(`key`,60177),law:W(`law`,60178),lightbulbAutofix:W(`lightbulb-autofix`,60179),linkExternal:W(`link-external`,60180),link:W(`link`,60181),listOrdered:W(`list-ordered`,60182),listUnordered:W(`list-unordered`,60183),liveShare:W(`live-share`,60184),loading:W(`loading`,60185),location:W(`location`,60186),mailRead:W(`mail-read`,60187),mail:W(`mail`,60188),markdown:W(`markdown`,60189),megaphone:W(`megaphone`,60190),mention:W(`mention`,60191),milestone:W(`milestone`,60192),gitPullRequestMilestone:W(`git-pull-request-milestone`,60192),mortarBoard:W(`mortar-board`,60193),move:W(`move`,60194),multipleWindows:W(`multiple-windows`,60195),mute:W(`mute`,60196),noNewline:W(`no-newline`,60197),note:W(`note`,60198),octoface:W(`octoface`,60199),openPreview:W(`open-preview`,60200),package:W(`package`,60201),paintcan:W(`paintcan`,60202),pin:W(`pin`,60203),play:W(`play`,60204),run:W(`run`,60204),plug:W(`plug`,60205),preserveCase:W(`preserve-case`,60206),preview:W(`preview`,60207),project:W(`project`,60208),pulse:W(`pulse`,60209),question:W(`question`,60210),quote:W(`quote`,60211),radioTower:W(`radio-tower`,60212),reactions:W(`reactions`,60213),references:W(`references`,60214),refresh:W(`refresh`,60215),regex:W(`regex`,60216),remoteExplorer:W(`remote-explorer`,60217),remote:W(`remote`,60218),remove:W(`remove`,60219),replaceAll:W(`replace-all`,60220),replace:W(`replace`,60221),repoClone:W(`repo-clone`,60222),repoForcePush:W(`repo-force-push`,60223),repoPull:W(`repo-pull`,60224),repoPush:W(`repo-push`,60225),report:W(`report`,60226),requestChanges:W(`request-changes`,60227),rocket:W(`rocket`,60228),rootFolderOpened:W(`root-folder-opened`,60229),rootFolder:W(`root-folder`,60230),rss:W(`rss`,60231),ruby:W(`ruby`,60232),saveAll:W(`save-all`,60233),saveAs:W(`save-as`,60234),save:W(`save`,60235),screenFull:W(`screen-full`,60236),screenNormal:W(`screen-normal`,60237),searchStop:W(`search-stop`,60238),server:W(`server`,60240),settingsGear:W(`settings-gear`,60241),settings:W(`settings`,60242),shield:W(`shield`,60243),smiley:W(`smiley`,60244),sortPrecedence:W(`sort-precedence`,60245),splitHorizontal:W(`split-horizontal`,60246),splitVertical:W(`split-vertical`,60247),squirrel:W(`squirrel`,60248),starFull:W(`star-full`,60249),starHalf:W(`star-half`,60250),symbolClass:W(`symbol-class`,60251),symbolColor:W(`symbol-color`,60252),symbolConstant:W(`symbol-constant`,60253),symbolEnumMember:W(`symbol-enum-member`,60254),symbolField:W(`symbol-field`,60255),symbolFile:W(`symbol-file`,60256),symbolInterface:W(`symbol-interface`,60257),symbolKeyword:W(`symbol-keyword`,60258),symbolMisc:W(`symbol-misc`,60259),symbolOperator:W(`symbol-operator`,60260),symbolProperty:W(`symbol-property`,60261),wrench:W(`wrench`,60261),wrenchSubaction:W(`wrench-subaction`,60261),symbolSnippet:W(`symbol-snippet`,60262),tasklist:W(`tasklist`,60263),telescope:W(`telescope`,60264),textSize:W(`text-size`,60265),threeBars:W(`three-bars`,60266),thumbsdown:W(`thumbsdown`,60267),thumbsup:W(`thumbsup`,60268),tools:W(`tools`,60269),triangleDown:W(`triangle-down`,60270),triangleLeft:W(`triangle-left`,60271),triangleRight:W(`triangle-right`,60272),triangleUp:W(`triangle-up`,60273),twitter:W(`twitter`,60274),unfold:W(`unfold`,60275),unlock:W(`unlock`,60276),unmute:W(`unmute`,60277),unverified:W(`unverified`,60278),verified:W(`verified`,60279),versions:W(`versions`,60280),vmActive:W(`vm-active`,60281),vmOutline:W(`vm-outline`,60282),vmRunning:W(`vm-running`,60283),watch:W(`watch`,60284),whitespace:W(`whitespace`,60285),wholeWord:W(`whole-word`,60286),window:W(`window`,60287),wordWrap:W(`word-wrap`,60288),zoomIn:W(`zoom-in`,60289),zoomOut:W(`zoom-out`,60290),listFilter:W(`list-filter`,60291),listFlat:W(`list-flat`,60292),listSelection:W(`list-selection`,60293),selection:W(`selection`,60293),listTree:W(`list-tree`,60294),debugBreakpointFunctionUnverified:W(`debug-breakpoint-function-unverified`,60295),debugBreakpointFunction:W(`debug-breakpoint-function`,60296),debugBreakpointFunctionDisabled:W(`debug-breakpoint-function-disabled`,60296),debugStackframeActive:W(`debug-stackframe-active`,60297),circleSmallFilled:W(`circle-small-filled`,60298),debugStackframeDot:W(`debug-stackframe-dot`,60298),terminalDecorationMark:W(`terminal-decoration-mark`,60298),debugStackframe:W(`debug-stackframe`,60299),debugStackframeFocused:W(`debug-stackframe-focused`,60299),debugBreakpointUnsupported:W(`debug-breakpoint-unsupported`,60300),symbolString:W(`symbol-string`,60301),debugReverseContinue:W(`debug-reverse-continue`,60302),debugStepBack:W(`debug-step-back`,60303),debugRestartFrame:W(`debug-restart-frame`,60304),debugAlt:W(`debug-alt`,60305),callIncoming:W(`call-incoming`,60306),callOutgoing:W(`call-outgoing`,60307),menu:W(`menu`,60308),expandAll:W(`expand-all`,60309),feedback:W(`feedback`,60310),gitPullRequestReviewer:W(`git-pull-request-reviewer`,60310),groupByRefType:W(`group-by-ref-type`,60311),ungroupByRefType:W(`ungroup-by-ref-type`,60312),account:W(`account`,60313),gitPullRequestAssignee:W(`git-pull-request-assignee`,60313),bellDot:W(`bell-dot`,60314),debugConsole:W(`debug-console`,60315),library:W(`library`,60316),output:W(`output`,60317),runAll:W(`run-all`,60318),syncIgnored:W(`sync-ignored`,60319),pinned:W(`pinned`,60320),githubInverted:W(`github-inverted`,60321),serverProcess:W(`server-process`,60322),serverEnvironment:W(`server-environment`,60323),pass:W(`pass`,60324),issueClosed:W(`issue-closed`,60324),stopCircle:W(`stop-circle`,60325),playCircle:W(`play-circle`,60326),record:W(`record`,60327),debugAltSmall:W(`debug-alt-small`,60328),vmConnect:W(`vm-connect`,60329),cloud:W(`cloud`,60330),merge:W(`merge`,60331),export:W(`export`,60332),graphLeft:W(`graph-left`,60333),magnet:W(`magnet`,60334),notebook:W(`notebook`,60335),redo:W(`redo`,60336),checkAll:W(`check-all`,60337),pinnedDirty:W(`pinned-dirty`,60338),passFilled:W(`pass-filled`,60339),circleLargeFilled:W(`circle-large-filled`,60340),circleLarge:W(`circle-large`,60341),circleLargeOutline:W(`circle-large-outline`,60341),combine:W(`combine`,60342),gather:W(`gather`,60342),table:W(`table`,60343),variableGroup:W(`variable-group`,60344),typeHierarchy:W(`type-hierarchy`,60345),typeHierarchySub:W(`type-hierarchy-sub`,60346),typeHierarchySuper:W(`type-hierarchy-super`,60347),gitPullRequestCreate:W(`git-pull-request-create`,60348),runAbove:W(`run-above`,60349),runBelow:W(`run-below`,60350),notebookTemplate:W(`notebook-template`,60351),debugRerun:W(`debug-rerun`,60352),workspaceTrusted:W(`workspace-trusted`,60353),workspaceUntrusted:W(`workspace-untrusted`,60354),workspaceUnknown:W(`workspace-unknown`,60355),terminalCmd:W(`terminal-cmd`,60356),terminalDebian:W(`terminal-debian`,60357),terminalLinux:W(`terminal-linux`,60358),terminalPowershell:W(`terminal-powershell`,60359),terminalTmux:W(`terminal-tmux`,60360),terminalUbuntu:W(`terminal-ubuntu`,60361),terminalBash:W(`terminal-bash`,60362),arrowSwap:W(`arrow-swap`,60363),copy:W(`copy`,60364),personAdd:W(`person-add`,60365),filterFilled:W(`filter-filled`,60366),wand:W(`wand`,60367),debugLineByLine:W(`debug-line-by-line`,60368),inspect:W(`inspect`,60369),layers:W(`layers`,60370),layersDot:W(`layers-dot`,60371),layersActive:W(`layers-active`,60372),compass:W(`compass`,60373),compassDot:W(`compass-dot`,60374),compassActive:W(`compass-active`,60375),azure:W(`azure`,60376),issueDraft:W(`issue-draft`,60377),gitPullRequestClosed:W(`git-pull-request-closed`,60378),gitPullRequestDraft:W(`git-pull-request-draft`,60379),debugAll:W(`debug-all`,60380),debugCoverage:W(`debug-coverage`,60381),runErrors:W(`run-errors`,60382),folderLibrary:W(`folder-library`,60383),debugContinueSmall:W(`debug-continue-small`,60384),beakerStop:W(`beaker-stop`,60385),graphLine:W(`graph-line`,60386),graphScatter:W(`graph-scatter`,60387),pieChart:W(`pie-chart`,60388),bracket:W(`bracket`,60175),bracketDot:W(`bracket-dot`,60389),bracketError:W(`bracket-error`,60390),lockSmall:W(`lock-small`,60391),azureDevops:W(`azure-devops`,60392),verifiedFilled:W(`verified-filled`,60393),newline:W(`newline`,60394),layout:W(`layout`,60395),layoutActivitybarLeft:W(`layout-activitybar-left`,60396),layoutActivitybarRight:W(`layout-activitybar-right`,60397),layoutPanelLeft:W(`layout-panel-left`,60398),layoutPanelCenter:W(`layout-panel-center`,60399),layoutPanelJustify:W(`layout-panel-justify`,60400),layoutPanelRight:W(`layout-panel-right`,60401),layoutPanel:W(`layout-panel`,60402),layoutSidebarLeft:W(`layout-sidebar-left`,60403),layoutSidebarRight:W(`layout-sidebar-right`,60404),layoutStatusbar:W(`layout-statusbar`,60405),layoutMenubar:W(`layout-menubar`,60406),layoutCentered:W(`layout-centered`,60407),target:W(`target`,60408),indent:W(`indent`,60409),recordSmall:W(`record-small`,60410),errorSmall:W(`error-small`,60411),terminalDecorationError:W(`terminal-decoration-error`,60411),arrowCircleDown:W(`arrow-circle-down`,60412),arrowCircleLeft:W(`arrow-circle-left`,60413),arrowCircleRight:W(`arrow-circle-right`,60414),arrowCircleUp:W(`arrow-circle-up`,60415),layoutSidebarRightOff:W(`layout-sidebar-right-off`,60416),layoutPanelOff:W(`layout-panel-off`,60417),layoutSidebarLeftOff:W(`layout-sidebar-left-off`,60418),blank:W(`blank`,60419),heartFilled:W(`heart-filled`,60420),map:W(`map`,60421),mapHorizontal:W(`map-horizontal`,60421),foldHorizontal:W(`fold-horizontal`,60421),mapFilled:W(`map-filled`,60422),mapHorizontalFilled:W(`map-horizontal-filled`,60422),foldHorizontalFilled:W(`fold-horizontal-filled`,60422),circleSmall:W(`circle-small`,60423),bellSlash:W(`bell-slash`,60424),bellSlashDot:W(`bell-slash-dot`,60425),commentUnresolved:W(`comment-unresolved`,60426),gitPullRequestGoToChanges:W(`git-pull-request-go-to-changes`,60427),gitPullRequestNewChanges:W(`git-pull-request-new-changes`,60428),searchFuzzy:W(`search-fuzzy`,60429),commentDraft:W(`comment-draft`,60430),send:W(`send`,60431),sparkle:W(`sparkle`,60432),insert:W(`insert`,60433),mic:W(`mic`,60434),thumbsdownFilled:W(`thumbsdown-filled`,60435),thumbsupFilled:W(`thumbsup-filled`,60436),coffee:W(`coffee`,60437),snake:W(`snake`,60438),game:W(`game`,60439),vr:W(`vr`,60440),chip:W(`chip`,60441),piano:W(`piano`,60442),music:W(`music`,60443),micFilled:W(`mic-filled`,60444),repoFetch:W(`repo-fetch`,60445),copilot:W(`copilot`,60446),lightbulbSparkle:W(`lightbulb-sparkle`,60447),robot:W(`robot`,60448),sparkleFilled:W(`sparkle-filled`,60449),diffSingle:W(`diff-single`,60450),diffMultiple:W(`diff-multiple`,60451),surroundWith:W(`surround-with`,60452),share:W(`share`,60453),gitStash:W(`git-stash`,60454),gitStashApply:W(`git-stash-apply`,60455),gitStashPop:W(`git-stash-pop`,60456),vscode:W(`vscode`,60457),vscodeInsiders:W(`vscode-insiders`,60458),codeOss:W(`code-oss`,60459),runCoverage:W(`run-coverage`,60460),runAllCoverage:W(`run-all-coverage`,60461),coverage:W(`coverage`,60462),githubProject:W(`github-project`,60463),mapVertical:W(`map-vertical`,60464),foldVertical:W(`fold-vertical`,60464),mapVerticalFilled:W(`map-vertical-filled`,60465),foldVerticalFilled:W(`fold-vertical-filled`,60465),goToSearch:W(`go-to-search`,60466),percentage:W(`percentage`,60467),sortPercentage:W(`sort-percentage`,60467),attach:W(`attach`,60468)},zd={dialogError:W(`dialog-error`,`error`),dialogWarning:W(`dialog-warning`,`warning`),dialogInfo:W(`dialog-info`,`info`),dialogClose:W(`dialog-close`,`close`),treeItemExpanded:W(`tree-item-expanded`,`chevron-down`),treeFilterOnTypeOn:W(`tree-filter-on-type-on`,`list-filter`),treeFilterOnTypeOff:W(`tree-filter-on-type-off`,`list-selection`),treeFilterClear:W(`tree-filter-clear`,`close`),treeItemLoading:W(`tree-item-loading`,`loading`),menuSelection:W(`menu-selection`,`check`),menuSubmenu:W(`menu-submenu`,`chevron-right`),menuBarMore:W(`menubar-more`,`more`),scrollbarButtonLeft:W(`scrollbar-button-left`,`triangle-left`),scrollbarButtonRight:W(`scrollbar-button-right`,`triangle-right`),scrollbarButtonUp:W(`scrollbar-button-up`,`triangle-up`),scrollbarButtonDown:W(`scrollbar-button-down`,`triangle-down`),toolBarMore:W(`toolbar-more`,`more`),quickInputBack:W(`quick-input-back`,`arrow-left`),dropDownButton:W(`drop-down-button`,60084),symbolCustomColor:W(`symbol-customcolor`,60252),exportIcon:W(`export`,60332),workspaceUnspecified:W(`workspace-unspecified`,60355),newLine:W(`newline`,60394),thumbsDownFilled:W(`thumbsdown-filled`,60435),thumbsUpFilled:W(`thumbsup-filled`,60436),gitFetch:W(`git-fetch`,60445),lightbulbSparkleAutofix:W(`lightbulb-sparkle-autofix`,60447),debugBreakpointPending:W(`debug-breakpoint-pending`,60377)},G={...Rd,...zd},Bd=class{constructor(){this._tokenizationSupports=new Map,this._factories=new Map,this._onDidChange=new ol,this.onDidChange=this._onDidChange.event,this._colorMap=null}handleChange(e){this._onDidChange.fire({changedLanguages:e,changedColorMap:!1})}register(e,t){return this._tokenizationSupports.set(e,t),this.handleChange([e]),Bc(()=>{this._tokenizationSupports.get(e)===t&&(this._tokenizationSupports.delete(e),this.handleChange([e]))})}get(e){return this._tokenizationSupports.get(e)||null}registerFactory(e,t){this._factories.get(e)?.dispose();let n=new Vd(this,e,t);return this._factories.set(e,n),Bc(()=>{let t=this._factories.get(e);t&&t===n&&(this._factories.delete(e),t.dispose())})}async getOrCreate(e){let t=this.get(e);if(t)return t;let n=this._factories.get(e);return!n||n.isResolved?null:(await n.resolve(),this.get(e))}isResolved(e){if(this.get(e))return!0;let t=this._factories.get(e);return!(t&&!t.isResolved)}setColorMap(e){this._colorMap=e,this._onDidChange.fire({changedLanguages:Array.from(this._tokenizationSupports.keys()),changedColorMap:!0})}getColorMap(){return this._colorMap}getDefaultBackground(){return this._colorMap&&this._colorMap.length>2?this._colorMap[2]:null}},Vd=class extends Hc{get isResolved(){return this._isResolved}constructor(e,t,n){super(),this._registry=e,this._languageId=t,this._factory=n,this._isDisposed=!1,this._resolvePromise=null,this._isResolved=!1}dispose(){this._isDisposed=!0,super.dispose()}async resolve(){return this._resolvePromise||=this._create(),this._resolvePromise}async _create(){let e=await this._factory.tokenizationSupport;this._isResolved=!0,e&&!this._isDisposed&&this._register(this._registry.register(this._languageId,e))}},Hd=class{constructor(e,t,n){this.offset=e,this.type=t,this.language=n,this._tokenBrand=void 0}toString(){return`(`+this.offset+`, `+this.type+`)`}},Ud=class{constructor(e,t){this.tokens=e,this.endState=t,this._tokenizationResultBrand=void 0}},Wd=class{constructor(e,t){this.tokens=e,this.endState=t,this._encodedTokenizationResultBrand=void 0}},Gd;(function(e){e[e.Increase=0]=`Increase`,e[e.Decrease=1]=`Decrease`})(Gd||={});var Kd;(function(e){let t=new Map;t.set(0,G.symbolMethod),t.set(1,G.symbolFunction),t.set(2,G.symbolConstructor),t.set(3,G.symbolField),t.set(4,G.symbolVariable),t.set(5,G.symbolClass),t.set(6,G.symbolStruct),t.set(7,G.symbolInterface),t.set(8,G.symbolModule),t.set(9,G.symbolProperty),t.set(10,G.symbolEvent),t.set(11,G.symbolOperator),t.set(12,G.symbolUnit),t.set(13,G.symbolValue),t.set(15,G.symbolEnum),t.set(14,G.symbolConstant),t.set(15,G.symbolEnum),t.set(16,G.symbolEnumMember),t.set(17,G.symbolKeyword),t.set(27,G.symbolSnippet),t.set(18,G.symbolText),t.set(19,G.symbolColor),t.set(20,G.symbolFile),t.set(21,G.symbolReference),t.set(22,G.symbolCustomColor),t.set(23,G.symbolFolder),t.set(24,G.symbolTypeParameter),t.set(25,G.account),t.set(26,G.issues),e.toIcon=function(e){let n=t.get(e);return n||=(console.info(`No codicon found for CompletionItemKind `+e),G.symbolProperty),n};let n=new Map;n.set(`method`,0),n.set(`function`,1),n.set(`constructor`,2),n.set(`field`,3),n.set(`variable`,4),n.set(`class`,5),n.set(`struct`,6),n.set(`interface`,7),n.set(`module`,8),n.set(`property`,9),n.set(`event`,10),n.set(`operator`,11),n.set(`unit`,12),n.set(`value`,13),n.set(`constant`,14),n.set(`enum`,15),n.set(`enum-member`,16),n.set(`enumMember`,16),n.set(`keyword`,17),n.set(`snippet`,27),n.set(`text`,18),n.set(`color`,19),n.set(`file`,20),n.set(`reference`,21),n.set(`customcolor`,22),n.set(`folder`,23),n.set(`type-parameter`,24),n.set(`typeParameter`,24),n.set(`account`,25),n.set(`issue`,26),e.fromString=function(e,t){let r=n.get(e);return r===void 0&&!t&&(r=9),r}})(Kd||={});var qd;(function(e){e[e.Automatic=0]=`Automatic`,e[e.Explicit=1]=`Explicit`})(qd||={});var Jd=class{constructor(e,t,n,r){this.range=e,this.text=t,this.completionKind=n,this.isSnippetText=r}equals(e){return bd.lift(this.range).equalsRange(e.range)&&this.text===e.text&&this.completionKind===e.completionKind&&this.isSnippetText===e.isSnippetText}},Yd;(function(e){e[e.Automatic=0]=`Automatic`,e[e.PasteAs=1]=`PasteAs`})(Yd||={});var Xd;(function(e){e[e.Invoke=1]=`Invoke`,e[e.TriggerCharacter=2]=`TriggerCharacter`,e[e.ContentChange=3]=`ContentChange`})(Xd||={});var Zd;(function(e){e[e.Text=0]=`Text`,e[e.Read=1]=`Read`,e[e.Write=2]=`Write`})(Zd||={});function Qd(e){return e&&cd.isUri(e.uri)&&bd.isIRange(e.range)&&(bd.isIRange(e.originSelectionRange)||bd.isIRange(e.targetSelectionRange))}var $d={17:Ll(`Array`,`array`),16:Ll(`Boolean`,`boolean`),4:Ll(`Class`,`class`),13:Ll(`Constant`,`constant`),8:Ll(`Constructor`,`constructor`),9:Ll(`Enum`,`enumeration`),21:Ll(`EnumMember`,`enumeration member`),23:Ll(`Event`,`event`),7:Ll(`Field`,`field`),0:Ll(`File`,`file`),11:Ll(`Function`,`function`),10:Ll(`Interface`,`interface`),19:Ll(`Key`,`key`),5:Ll(`Method`,`method`),1:Ll(`Module`,`module`),2:Ll(`Namespace`,`namespace`),20:Ll(`Null`,`null`),15:Ll(`Number`,`number`),18:Ll(`Object`,`object`),24:Ll(`Operator`,`operator`),3:Ll(`Package`,`package`),6:Ll(`Property`,`property`),14:Ll(`String`,`string`),22:Ll(`Struct`,`struct`),25:Ll(`TypeParameter`,`type parameter`),12:Ll(`Variable`,`variable`)};function ef(e,t){return Ll(`symbolAriaLabel`,`{0} ({1})`,e,$d[t])}var tf;(function(e){let t=new Map;t.set(0,G.symbolFile),t.set(1,G.symbolModule),t.set(2,G.symbolNamespace),t.set(3,G.symbolPackage),t.set(4,G.symbolClass),t.set(5,G.symbolMethod),t.set(6,G.symbolProperty),t.set(7,G.symbolField),t.set(8,G.symbolConstructor),t.set(9,G.symbolEnum),t.set(10,G.symbolInterface),t.set(11,G.symbolFunction),t.set(12,G.symbolVariable),t.set(13,G.symbolConstant),t.set(14,G.symbolString),t.set(15,G.symbolNumber),t.set(16,G.symbolBoolean),t.set(17,G.symbolArray),t.set(18,G.symbolObject),t.set(19,G.symbolKey),t.set(20,G.symbolNull),t.set(21,G.symbolEnumMember),t.set(22,G.symbolStruct),t.set(23,G.symbolEvent),t.set(24,G.symbolOperator),t.set(25,G.symbolTypeParameter),e.toIcon=function(e){let n=t.get(e);return n||=(console.info(`No codicon found for SymbolKind `+e),G.symbolProperty),n}})(tf||={});var nf=class e{static{this.Comment=new e(`comment`)}static{this.Imports=new e(`imports`)}static{this.Region=new e(`region`)}static fromValue(t){switch(t){case`comment`:return e.Comment;case`imports`:return e.Imports;case`region`:return e.Region}return new e(t)}constructor(e){this.value=e}},rf;(function(e){e[e.AIGenerated=1]=`AIGenerated`})(rf||={});var af;(function(e){e[e.Invoke=0]=`Invoke`,e[e.Automatic=1]=`Automatic`})(af||={});var of;(function(e){e.is=function(e){return!e||typeof e!=`object`?!1:typeof e.id==`string`&&typeof e.title==`string`}})(of||={});var sf;(function(e){e[e.Type=1]=`Type`,e[e.Parameter=2]=`Parameter`})(sf||={});var cf=class{constructor(e){this.createSupport=e,this._tokenizationSupport=null}dispose(){this._tokenizationSupport&&this._tokenizationSupport.then(e=>{e&&e.dispose()})}get tokenizationSupport(){return this._tokenizationSupport||=this.createSupport(),this._tokenizationSupport}},lf=new Bd,uf=new Bd,df;(function(e){e[e.Invoke=0]=`Invoke`,e[e.Automatic=1]=`Automatic`})(df||={});var ff=class{static{this.CtrlCmd=2048}static{this.Shift=1024}static{this.Alt=512}static{this.WinCtrl=256}static chord(e,t){return Ml(e,t)}};function pf(){return{editor:void 0,languages:void 0,CancellationTokenSource:vl,Emitter:ol,KeyCode:Ks,KeyMod:ff,Position:yd,Range:bd,Selection:xd,SelectionDirection:cc,MarkerSeverity:qs,MarkerTag:Js,Uri:cd,Token:Hd}}var mf=typeof navigator<`u`&&navigator.userAgent.includes(`Mac`);function hf(e,t=`⌘`){return mf?e.replace(`Ctrl`,t):e}var gf=Object.freeze({prettify:{key:`Shift-Ctrl-P`,keybindings:[ff.Shift|ff.WinCtrl|Ks.KeyP]},mergeFragments:{key:`Shift-Ctrl-M`,keybindings:[ff.Shift|ff.WinCtrl|Ks.KeyM]},runQuery:{key:`Ctrl-Enter`,keybindings:[ff.CtrlCmd|Ks.Enter]},autoComplete:{key:`Space`},copyQuery:{key:`Shift-Ctrl-C`,keybindings:[ff.Shift|ff.WinCtrl|Ks.KeyC]},refetchSchema:{key:`Shift-Ctrl-R`},searchInEditor:{key:`Ctrl-F`},searchInDocs:{key:`Ctrl-Alt-K`}}),_f={headers:`headers`,visiblePlugin:`visiblePlugin`,query:`query`,variables:`variables`,tabs:`tabState`,persistHeaders:`shouldPersistHeaders`,theme:`theme`},vf=`# Welcome to GraphiQL
#
# GraphiQL is an in-browser tool for writing, validating, and testing
# GraphQL queries.
#
# Type queries into this side of the screen, and you will see intelligent
# typeaheads aware of the current GraphQL type schema and live syntax and
# validation errors highlighted within the text.
#
# GraphQL queries typically start with a "{" character. Lines that start
# with a # are ignored.
#
# An example GraphQL query might look like:
#
#     {
#       field(arg: "value") {
#         subField
#       }
#     }
#
# Keyboard shortcuts:
#
#   Prettify query:  ${gf.prettify.key} (or press the prettify button)
#
#  Merge fragments:  ${gf.mergeFragments.key} (or press the merge button)
#
#        Run Query:  ${hf(gf.runQuery.key,`Cmd`)} (or press the play button)
#
#    Auto Complete:  ${gf.autoComplete.key} (or just start typing)
#

`,yf={prettify:{id:`graphql-prettify`,label:`Prettify Editors`,contextMenuGroupId:`graphql`,keybindings:gf.prettify.keybindings},mergeFragments:{id:`graphql-merge`,label:`Merge Fragments into Query`,contextMenuGroupId:`graphql`,keybindings:gf.mergeFragments.keybindings},runQuery:{id:`graphql-run`,label:`Run Operation`,contextMenuGroupId:`graphql`,keybindings:gf.runQuery.keybindings},copyQuery:{id:`graphql-copy`,label:`Copy Query`,contextMenuGroupId:`graphql`,keybindings:gf.copyQuery.keybindings}},bf={operation:`operation.graphql`,schema:`schema.graphql`,variables:`variables.json`,requestHeaders:`request-headers.json`,response:`response.json`},xf={allowComments:!0,trailingCommas:`ignore`},Sf={validateVariablesJSON:{},jsonDiagnosticSettings:{validate:!0,schemaValidation:`error`,...xf}},Cf=async e=>{let[n,{printers:r},{parsers:i}]=await Promise.all([c(()=>import(`./standalone-C7OBqaRO.js`),[]),c(()=>import(`./graphql-ytMI29Yp.js`),[]),c(()=>import(`./graphql-BCME3LoB.js`).then(e=>t(e.default)),__vite__mapDeps([2,1]))]);return n.format(e,{parser:`graphql`,plugins:[{printers:r},{parsers:i}]})},wf={dark:`graphiql-DARK`,light:`graphiql-LIGHT`},Tf={transparent:`#ffffff00`,bg:{dark:`#212a3b`,light:`#ffffffff`},primary:{dark:`#ff5794`,light:`#d60590`},primaryBg:{dark:`#ff579419`,light:`#d6059019`},secondary:{dark:`#b7c2d711`,light:`#3b4b6811`}},Ef=e=>({"editor.background":Tf.transparent,"scrollbar.shadow":Tf.transparent,"textLink.foreground":Tf.primary[e],"textLink.activeForeground":Tf.primary[e],"editorLink.activeForeground":Tf.primary[e],"editorHoverWidget.background":Tf.bg[e],"list.hoverBackground":Tf.primaryBg[e],"list.highlightForeground":Tf.primary[e],"list.focusHighlightForeground":Tf.primary[e],"menu.background":Tf.bg[e],"editorSuggestWidget.background":Tf.bg[e],"editorSuggestWidget.selectedBackground":Tf.primaryBg[e],"editorSuggestWidget.selectedForeground":Tf.primary[e],"quickInput.background":Tf.bg[e],"quickInputList.focusForeground":e===`dark`?`#ffffff`:`#444444`,"highlighted.label":Tf.primary[e],"quickInput.widget":Tf.primary[e],highlight:Tf.primary[e],"editorWidget.background":Tf.bg[e],"input.background":Tf.secondary[e],focusBorder:Tf.primary[e],"toolbar.hoverBackground":Tf.primaryBg[e],"inputOption.hoverBackground":Tf.primaryBg[e],"quickInputList.focusBackground":Tf.primaryBg[e],"editorWidget.resizeBorder":Tf.primary[e],"pickerGroup.foreground":Tf.primary[e],"menu.selectionBackground":Tf.primaryBg[e],"menu.selectionForeground":Tf.primary[e]}),Df={dark:{base:`vs-dark`,inherit:!0,colors:Ef(`dark`),rules:[{token:`argument.identifier.gql`,foreground:`#908aff`}]},light:{base:`vs`,inherit:!0,colors:Ef(`light`),rules:[{token:`argument.identifier.gql`,foreground:`#6c69ce`}]}};async function Of(){let{MouseTargetFactory:e}=await c(async()=>{let{MouseTargetFactory:e}=await import(`./mouseTarget-xtl5QDWN.js`).then(e=>e.a);return{MouseTargetFactory:e}},__vite__mapDeps([3,1])),t=e._doHitTestWithCaretPositionFromPoint;e._doHitTestWithCaretPositionFromPoint=(...e)=>{let[n,r]=e;return n.viewDomNode.ownerDocument.caretPositionFromPoint(r.clientX,r.clientY)?t(...e):{type:0}}}var kf=ps((e,t)=>({actions:{async initialize(n){if(t().monaco)return;let[r,{initializeMode:i}]=await Promise.all([c(()=>import(`./monaco-editor-Df_OhVu3.js`).then(e=>e.t),__vite__mapDeps([4,1,3,5,6])),c(()=>import(`./lite-yoH23VSw.js`),__vite__mapDeps([7,4,1,3,5,6]))]);globalThis.__MONACO=r,r.languages.json.jsonDefaults.setDiagnosticsOptions(xf),r.editor.defineTheme(wf.dark,Df.dark),r.editor.defineTheme(wf.light,Df.light),navigator.userAgent.includes(`Firefox/`)&&Of(),e({monaco:r,monacoGraphQL:i({diagnosticSettings:Sf,...n})})}}})),Af=ws(kf),jf=e=>{let t=e.currentTarget;t===document.activeElement&&e.code===`Enter`&&(e.preventDefault(),t.querySelector(`textarea`)?.focus())};function Mf({uri:e,value:t}){let{monaco:n}=kf.getState();if(!n)throw Error(`Monaco editor is not initialized`);let r=cd.file(e),i=n.editor.getModel(r),a=r.path.split(`.`).at(-1);return i??n.editor.createModel(t,a,r)}function Nf(e,t){let{model:n}=t;if(!n)throw Error(`options.model is required`);let r=n.uri.path.split(`.`).at(-1),{monaco:i}=kf.getState();if(!i)throw Error(`Monaco editor is not initialized`);return i.editor.create(e.current,{language:r,automaticLayout:!0,fontSize:15,minimap:{enabled:!1},tabSize:2,renderLineHighlight:`none`,stickyScroll:{enabled:!1},overviewRulerLanes:0,scrollbar:{verticalScrollbarSize:10},scrollBeyondLastLine:!1,fontFamily:`"Fira Code"`,fontLigatures:`"liga" off, "calt" off, "clig" off`,lineNumbersMinChars:2,roundedSelection:!1,tabIndex:-1,...t})}function Pf(e,t){let n;return function(...r){n&&clearTimeout(n),n=setTimeout(()=>{n=null,t(...r)},e)}}function Ff(e,t=!1){let n=e.length,r=0,i=``,a=0,o=16,s=0,c=0,l=0,u=0,d=0;function f(t,n){let i=0,a=0;for(;i<t||!n;){let t=e.charCodeAt(r);if(t>=48&&t<=57)a=a*16+t-48;else if(t>=65&&t<=70)a=a*16+t-65+10;else if(t>=97&&t<=102)a=a*16+t-97+10;else break;r++,i++}return i<t&&(a=-1),a}function p(e){r=e,i=``,a=0,o=16,d=0}function m(){let t=r;if(e.charCodeAt(r)===48)r++;else for(r++;r<e.length&&Rf(e.charCodeAt(r));)r++;if(r<e.length&&e.charCodeAt(r)===46){if(r++,r<e.length&&Rf(e.charCodeAt(r)))for(r++;r<e.length&&Rf(e.charCodeAt(r));)r++;else return d=3,e.substring(t,r)}let n=r;if(r<e.length&&(e.charCodeAt(r)===69||e.charCodeAt(r)===101)){if(r++,(r<e.length&&e.charCodeAt(r)===43||e.charCodeAt(r)===45)&&r++,r<e.length&&Rf(e.charCodeAt(r))){for(r++;r<e.length&&Rf(e.charCodeAt(r));)r++;n=r}else d=3}return e.substring(t,n)}function h(){let t=``,i=r;for(;;){if(r>=n){t+=e.substring(i,r),d=2;break}let a=e.charCodeAt(r);if(a===34){t+=e.substring(i,r),r++;break}if(a===92){if(t+=e.substring(i,r),r++,r>=n){d=2;break}switch(e.charCodeAt(r++)){case 34:t+=`"`;break;case 92:t+=`\\`;break;case 47:t+=`/`;break;case 98:t+=`\b`;break;case 102:t+=`\f`;break;case 110:t+=`
`;break;case 114:t+=`\r`;break;case 116:t+=`	`;break;case 117:let e=f(4,!0);e>=0?t+=String.fromCharCode(e):d=4;break;default:d=5}i=r}else{if(a>=0&&a<=31){if(Lf(a)){t+=e.substring(i,r),d=2;break}d=6}r++}}return t}function g(){if(i=``,d=0,a=r,c=s,u=l,r>=n)return a=n,o=17;let t=e.charCodeAt(r);if(If(t)){do r++,i+=String.fromCharCode(t),t=e.charCodeAt(r);while(If(t));return o=15}if(Lf(t))return r++,i+=String.fromCharCode(t),t===13&&e.charCodeAt(r)===10&&(r++,i+=`
`),s++,l=r,o=14;switch(t){case 123:return r++,o=1;case 125:return r++,o=2;case 91:return r++,o=3;case 93:return r++,o=4;case 58:return r++,o=6;case 44:return r++,o=5;case 34:return r++,i=h(),o=10;case 47:let c=r-1;if(e.charCodeAt(r+1)===47){for(r+=2;r<n&&!Lf(e.charCodeAt(r));)r++;return i=e.substring(c,r),o=12}if(e.charCodeAt(r+1)===42){r+=2;let t=n-1,a=!1;for(;r<t;){let t=e.charCodeAt(r);if(t===42&&e.charCodeAt(r+1)===47){r+=2,a=!0;break}r++,Lf(t)&&(t===13&&e.charCodeAt(r)===10&&r++,s++,l=r)}return a||(r++,d=1),i=e.substring(c,r),o=13}return i+=String.fromCharCode(t),r++,o=16;case 45:if(i+=String.fromCharCode(t),r++,r===n||!Rf(e.charCodeAt(r)))return o=16;case 48:case 49:case 50:case 51:case 52:case 53:case 54:case 55:case 56:case 57:return i+=m(),o=11;default:for(;r<n&&_(t);)r++,t=e.charCodeAt(r);if(a!==r){switch(i=e.substring(a,r),i){case`true`:return o=8;case`false`:return o=9;case`null`:return o=7}return o=16}return i+=String.fromCharCode(t),r++,o=16}}function _(e){if(If(e)||Lf(e))return!1;switch(e){case 125:case 93:case 123:case 91:case 34:case 58:case 44:case 47:return!1}return!0}function v(){let e;do e=g();while(e>=12&&e<=15);return e}return{setPosition:p,getPosition:()=>r,scan:t?v:g,getToken:()=>o,getTokenValue:()=>i,getTokenOffset:()=>a,getTokenLength:()=>r-a,getTokenStartLine:()=>c,getTokenStartCharacter:()=>a-u,getTokenError:()=>d}}function If(e){return e===32||e===9}function Lf(e){return e===10||e===13}function Rf(e){return e>=48&&e<=57}var zf;(function(e){e[e.lineFeed=10]=`lineFeed`,e[e.carriageReturn=13]=`carriageReturn`,e[e.space=32]=`space`,e[e._0=48]=`_0`,e[e._1=49]=`_1`,e[e._2=50]=`_2`,e[e._3=51]=`_3`,e[e._4=52]=`_4`,e[e._5=53]=`_5`,e[e._6=54]=`_6`,e[e._7=55]=`_7`,e[e._8=56]=`_8`,e[e._9=57]=`_9`,e[e.a=97]=`a`,e[e.b=98]=`b`,e[e.c=99]=`c`,e[e.d=100]=`d`,e[e.e=101]=`e`,e[e.f=102]=`f`,e[e.g=103]=`g`,e[e.h=104]=`h`,e[e.i=105]=`i`,e[e.j=106]=`j`,e[e.k=107]=`k`,e[e.l=108]=`l`,e[e.m=109]=`m`,e[e.n=110]=`n`,e[e.o=111]=`o`,e[e.p=112]=`p`,e[e.q=113]=`q`,e[e.r=114]=`r`,e[e.s=115]=`s`,e[e.t=116]=`t`,e[e.u=117]=`u`,e[e.v=118]=`v`,e[e.w=119]=`w`,e[e.x=120]=`x`,e[e.y=121]=`y`,e[e.z=122]=`z`,e[e.A=65]=`A`,e[e.B=66]=`B`,e[e.C=67]=`C`,e[e.D=68]=`D`,e[e.E=69]=`E`,e[e.F=70]=`F`,e[e.G=71]=`G`,e[e.H=72]=`H`,e[e.I=73]=`I`,e[e.J=74]=`J`,e[e.K=75]=`K`,e[e.L=76]=`L`,e[e.M=77]=`M`,e[e.N=78]=`N`,e[e.O=79]=`O`,e[e.P=80]=`P`,e[e.Q=81]=`Q`,e[e.R=82]=`R`,e[e.S=83]=`S`,e[e.T=84]=`T`,e[e.U=85]=`U`,e[e.V=86]=`V`,e[e.W=87]=`W`,e[e.X=88]=`X`,e[e.Y=89]=`Y`,e[e.Z=90]=`Z`,e[e.asterisk=42]=`asterisk`,e[e.backslash=92]=`backslash`,e[e.closeBrace=125]=`closeBrace`,e[e.closeBracket=93]=`closeBracket`,e[e.colon=58]=`colon`,e[e.comma=44]=`comma`,e[e.dot=46]=`dot`,e[e.doubleQuote=34]=`doubleQuote`,e[e.minus=45]=`minus`,e[e.openBrace=123]=`openBrace`,e[e.openBracket=91]=`openBracket`,e[e.plus=43]=`plus`,e[e.slash=47]=`slash`,e[e.formFeed=12]=`formFeed`,e[e.tab=9]=`tab`})(zf||={}),Array(20).fill(0).map((e,t)=>` `.repeat(t));var Bf=200;Array(Bf).fill(0).map((e,t)=>`
`+` `.repeat(t)),Array(Bf).fill(0).map((e,t)=>`\r`+` `.repeat(t)),Array(Bf).fill(0).map((e,t)=>`\r
`+` `.repeat(t)),Array(Bf).fill(0).map((e,t)=>`
`+`	`.repeat(t)),Array(Bf).fill(0).map((e,t)=>`\r`+`	`.repeat(t)),Array(Bf).fill(0).map((e,t)=>`\r
`+`	`.repeat(t));var Vf;(function(e){e.DEFAULT={allowTrailingComma:!1}})(Vf||={});function Hf(e,t=[],n=Vf.DEFAULT){let r=null,i=[],a=[];function o(e){Array.isArray(i)?i.push(e):r!==null&&(i[r]=e)}return Uf(e,{onObjectBegin:()=>{let e={};o(e),a.push(i),i=e,r=null},onObjectProperty:e=>{r=e},onObjectEnd:()=>{i=a.pop()},onArrayBegin:()=>{let e=[];o(e),a.push(i),i=e,r=null},onArrayEnd:()=>{i=a.pop()},onLiteralValue:o,onError:(e,n,r)=>{t.push({error:e,offset:n,length:r})}},n),i[0]}function Uf(e,t,n=Vf.DEFAULT){let r=Ff(e,!1),i=[],a=0;function o(e){return e?()=>a===0&&e(r.getTokenOffset(),r.getTokenLength(),r.getTokenStartLine(),r.getTokenStartCharacter()):()=>!0}function s(e){return e?t=>a===0&&e(t,r.getTokenOffset(),r.getTokenLength(),r.getTokenStartLine(),r.getTokenStartCharacter()):()=>!0}function c(e){return e?t=>a===0&&e(t,r.getTokenOffset(),r.getTokenLength(),r.getTokenStartLine(),r.getTokenStartCharacter(),()=>i.slice()):()=>!0}function l(e){return e?()=>{a>0?a++:e(r.getTokenOffset(),r.getTokenLength(),r.getTokenStartLine(),r.getTokenStartCharacter(),()=>i.slice())===!1&&(a=1)}:()=>!0}function u(e){return e?()=>{a>0&&a--,a===0&&e(r.getTokenOffset(),r.getTokenLength(),r.getTokenStartLine(),r.getTokenStartCharacter())}:()=>!0}let d=l(t.onObjectBegin),f=c(t.onObjectProperty),p=u(t.onObjectEnd),m=l(t.onArrayBegin),h=u(t.onArrayEnd),g=c(t.onLiteralValue),_=s(t.onSeparator),v=o(t.onComment),y=s(t.onError),b=n&&n.disallowComments,x=n&&n.allowTrailingComma;function S(){for(;;){let e=r.scan();switch(r.getTokenError()){case 4:C(14);break;case 5:C(15);break;case 3:C(13);break;case 1:b||C(11);break;case 2:C(12);break;case 6:C(16)}switch(e){case 12:case 13:b?C(10):v();break;case 16:C(1);break;case 15:case 14:break;default:return e}}}function C(e,t=[],n=[]){if(y(e),t.length+n.length>0){let e=r.getToken();for(;e!==17;){if(t.indexOf(e)!==-1){S();break}if(n.indexOf(e)!==-1)break;e=S()}}}function w(e){let t=r.getTokenValue();return e?g(t):(f(t),i.push(t)),S(),!0}function T(){switch(r.getToken()){case 11:let e=r.getTokenValue(),t=Number(e);isNaN(t)&&(C(2),t=0),g(t);break;case 7:g(null);break;case 8:g(!0);break;case 9:g(!1);break;default:return!1}return S(),!0}function E(){return r.getToken()===10?(w(!1),r.getToken()===6?(_(`:`),S(),k()||C(4,[],[2,5])):C(5,[],[2,5]),i.pop(),!0):(C(3,[],[2,5]),!1)}function D(){d(),S();let e=!1;for(;r.getToken()!==2&&r.getToken()!==17;){if(r.getToken()===5){if(e||C(4,[],[]),_(`,`),S(),r.getToken()===2&&x)break}else e&&C(6,[],[]);E()||C(4,[],[2,5]),e=!0}return p(),r.getToken()===2?S():C(7,[2],[]),!0}function O(){m(),S();let e=!0,t=!1;for(;r.getToken()!==4&&r.getToken()!==17;){if(r.getToken()===5){if(t||C(4,[],[]),_(`,`),S(),r.getToken()===4&&x)break}else t&&C(6,[],[]);e?(i.push(0),e=!1):i[i.length-1]++,k()||C(4,[],[4,5]),t=!0}return h(),e||i.pop(),r.getToken()===4?S():C(8,[4],[]),!0}function k(){switch(r.getToken()){case 3:return O();case 1:return D();case 10:return w(!0);default:return T()}}return S(),r.getToken()===17?n.allowEmptyContent?!0:(C(4,[],[]),!1):k()?(r.getToken()!==17&&C(9,[],[]),!0):(C(4,[],[]),!1)}var Wf;(function(e){e[e.None=0]=`None`,e[e.UnexpectedEndOfComment=1]=`UnexpectedEndOfComment`,e[e.UnexpectedEndOfString=2]=`UnexpectedEndOfString`,e[e.UnexpectedEndOfNumber=3]=`UnexpectedEndOfNumber`,e[e.InvalidUnicode=4]=`InvalidUnicode`,e[e.InvalidEscapeCharacter=5]=`InvalidEscapeCharacter`,e[e.InvalidCharacter=6]=`InvalidCharacter`})(Wf||={});var Gf;(function(e){e[e.OpenBraceToken=1]=`OpenBraceToken`,e[e.CloseBraceToken=2]=`CloseBraceToken`,e[e.OpenBracketToken=3]=`OpenBracketToken`,e[e.CloseBracketToken=4]=`CloseBracketToken`,e[e.CommaToken=5]=`CommaToken`,e[e.ColonToken=6]=`ColonToken`,e[e.NullKeyword=7]=`NullKeyword`,e[e.TrueKeyword=8]=`TrueKeyword`,e[e.FalseKeyword=9]=`FalseKeyword`,e[e.StringLiteral=10]=`StringLiteral`,e[e.NumericLiteral=11]=`NumericLiteral`,e[e.LineCommentTrivia=12]=`LineCommentTrivia`,e[e.BlockCommentTrivia=13]=`BlockCommentTrivia`,e[e.LineBreakTrivia=14]=`LineBreakTrivia`,e[e.Trivia=15]=`Trivia`,e[e.Unknown=16]=`Unknown`,e[e.EOF=17]=`EOF`})(Gf||={});var Kf=Hf,qf;(function(e){e[e.InvalidSymbol=1]=`InvalidSymbol`,e[e.InvalidNumberFormat=2]=`InvalidNumberFormat`,e[e.PropertyNameExpected=3]=`PropertyNameExpected`,e[e.ValueExpected=4]=`ValueExpected`,e[e.ColonExpected=5]=`ColonExpected`,e[e.CommaExpected=6]=`CommaExpected`,e[e.CloseBraceExpected=7]=`CloseBraceExpected`,e[e.CloseBracketExpected=8]=`CloseBracketExpected`,e[e.EndOfFileExpected=9]=`EndOfFileExpected`,e[e.InvalidCommentToken=10]=`InvalidCommentToken`,e[e.UnexpectedEndOfComment=11]=`UnexpectedEndOfComment`,e[e.UnexpectedEndOfString=12]=`UnexpectedEndOfString`,e[e.UnexpectedEndOfNumber=13]=`UnexpectedEndOfNumber`,e[e.InvalidUnicode=14]=`InvalidUnicode`,e[e.InvalidEscapeCharacter=15]=`InvalidEscapeCharacter`,e[e.InvalidCharacter=16]=`InvalidCharacter`})(qf||={});function Jf(e){switch(e){case 1:return`InvalidSymbol`;case 2:return`InvalidNumberFormat`;case 3:return`PropertyNameExpected`;case 4:return`ValueExpected`;case 5:return`ColonExpected`;case 6:return`CommaExpected`;case 7:return`CloseBraceExpected`;case 8:return`CloseBracketExpected`;case 9:return`EndOfFileExpected`;case 10:return`InvalidCommentToken`;case 11:return`UnexpectedEndOfComment`;case 12:return`UnexpectedEndOfString`;case 13:return`UnexpectedEndOfNumber`;case 14:return`InvalidUnicode`;case 15:return`InvalidEscapeCharacter`;case 16:return`InvalidCharacter`}return`<unknown ParseErrorCode>`}async function Yf(e){let[n,{printers:r},{parsers:i}]=await Promise.all([c(()=>import(`./standalone-C7OBqaRO.js`),[]),c(()=>import(`./estree-CWfu4lUs.js`),[]),c(()=>import(`./babel-D-TrB9ka.js`).then(e=>t(e.default)),__vite__mapDeps([8,1]))]);return n.format(e,{parser:`jsonc`,plugins:[{printers:r},{parsers:i}],printWidth:0})}var Xf=new Intl.ListFormat(`en`,{style:`long`,type:`conjunction`}),Zf={InvalidSymbol:`invalid symbol`,InvalidNumberFormat:`invalid number format`,PropertyNameExpected:`expected a property name`,ValueExpected:`expected a value`,ColonExpected:`expected a colon`,CommaExpected:`expected a comma`,CloseBraceExpected:`expected a closing brace`,CloseBracketExpected:`expected a closing bracket`,EndOfFileExpected:`expected end of file`,InvalidCommentToken:`invalid comment token`,UnexpectedEndOfComment:`unexpected end of comment`,UnexpectedEndOfString:`unexpected end of string`,UnexpectedEndOfNumber:`unexpected end of number`,InvalidUnicode:`invalid unicode`,InvalidEscapeCharacter:`invalid escape character`,InvalidCharacter:`invalid character`};function Qf(e,t){let n=e.slice(0,t),r=n.lastIndexOf(`
`)+1;return{line:n.split(`
`).length,column:t-r+1}}function $f(e){let t=[],n=Kf(e,t,{allowTrailingComma:!0,allowEmptyContent:!0});if(t.length){let n=Xf.format(t.map(({error:t,offset:n})=>{let r=Jf(t),{line:i,column:a}=Qf(e,n);return`${Zf[r]??r} at line ${i}, column ${a}`}));throw SyntaxError(n)}return n}function ep(e=``){let t;try{t=$f(e)}catch(e){throw Error(`are invalid JSON: ${e instanceof Error?e.message:e}.`)}if(t){if(typeof t!=`object`||Array.isArray(t))throw TypeError(`are not a JSON object.`);return t}}var tp={};function np(e){let t=tp[e];if(t)return t;t=tp[e]=[];for(let e=0;e<128;e++){let n=String.fromCharCode(e);t.push(n)}for(let n=0;n<e.length;n++){let r=e.charCodeAt(n);t[r]=`%`+(`0`+r.toString(16).toUpperCase()).slice(-2)}return t}function rp(e,t){typeof t!=`string`&&(t=rp.defaultChars);let n=np(t);return e.replace(/(%[a-f0-9]{2})+/gi,function(e){let t=``;for(let r=0,i=e.length;r<i;r+=3){let a=parseInt(e.slice(r+1,r+3),16);if(a<128)t+=n[a];else{if((a&224)==192&&r+3<i){let n=parseInt(e.slice(r+4,r+6),16);if((n&192)==128){let e=a<<6&1984|n&63;t+=e<128?`��`:String.fromCharCode(e),r+=3;continue}}if((a&240)==224&&r+6<i){let n=parseInt(e.slice(r+4,r+6),16),i=parseInt(e.slice(r+7,r+9),16);if((n&192)==128&&(i&192)==128){let e=a<<12&61440|n<<6&4032|i&63;t+=e<2048||e>=55296&&e<=57343?`���`:String.fromCharCode(e),r+=6;continue}}if((a&248)==240&&r+9<i){let n=parseInt(e.slice(r+4,r+6),16),i=parseInt(e.slice(r+7,r+9),16),o=parseInt(e.slice(r+10,r+12),16);if((n&192)==128&&(i&192)==128&&(o&192)==128){let e=a<<18&1835008|n<<12&258048|i<<6&4032|o&63;e<65536||e>1114111?t+=`����`:(e-=65536,t+=String.fromCharCode(55296+(e>>10),56320+(e&1023))),r+=9;continue}}t+=`�`}}return t})}rp.defaultChars=`;/?:@&=+$,#`,rp.componentChars=``;var ip={};function ap(e){let t=ip[e];if(t)return t;t=ip[e]=[];for(let e=0;e<128;e++){let n=String.fromCharCode(e);/^[0-9a-z]$/i.test(n)?t.push(n):t.push(`%`+(`0`+e.toString(16).toUpperCase()).slice(-2))}for(let n=0;n<e.length;n++)t[e.charCodeAt(n)]=e[n];return t}function op(e,t,n){typeof t!=`string`&&(n=t,t=op.defaultChars),n===void 0&&(n=!0);let r=ap(t),i=``;for(let t=0,a=e.length;t<a;t++){let o=e.charCodeAt(t);if(n&&o===37&&t+2<a&&/^[0-9a-f]{2}$/i.test(e.slice(t+1,t+3)))i+=e.slice(t,t+3),t+=2;else if(o<128)i+=r[o];else if(o>=55296&&o<=57343){if(o>=55296&&o<=56319&&t+1<a){let n=e.charCodeAt(t+1);if(n>=56320&&n<=57343){i+=encodeURIComponent(e[t]+e[t+1]),t++;continue}}i+=`%EF%BF%BD`}else i+=encodeURIComponent(e[t])}return i}op.defaultChars=`;/?:@&=+$,-_.!~*'()#`,op.componentChars=`-_.!~*'()`;function sp(e){let t=``;return t+=e.protocol||``,t+=e.slashes?`//`:``,t+=e.auth?e.auth+`@`:``,e.hostname&&e.hostname.indexOf(`:`)!==-1?t+=`[`+e.hostname+`]`:t+=e.hostname||``,t+=e.port?`:`+e.port:``,t+=e.pathname||``,t+=e.search||``,t+=e.hash||``,t}function cp(){this.protocol=null,this.slashes=null,this.auth=null,this.port=null,this.hostname=null,this.hash=null,this.search=null,this.pathname=null}var lp=/^([a-z0-9.+-]+:)/i,up=/:[0-9]*$/,dp=/^(\/\/?(?!\/)[^\?\s]*)(\?[^\s]*)?$/,fp=[`%`,`/`,`?`,`;`,`#`,`'`,`{`,`}`,`|`,`\\`,`^`,"`",`<`,`>`,`"`,"`",` `,`\r`,`
`,`	`],pp=[`/`,`?`,`#`],mp=255,hp=/^[+a-z0-9A-Z_-]{0,63}$/,gp=/^([+a-z0-9A-Z_-]{0,63})(.*)$/,_p={javascript:!0,"javascript:":!0},vp={http:!0,https:!0,ftp:!0,gopher:!0,file:!0,"http:":!0,"https:":!0,"ftp:":!0,"gopher:":!0,"file:":!0};function yp(e,t){if(e&&e instanceof cp)return e;let n=new cp;return n.parse(e,t),n}cp.prototype.parse=function(e,t){let n,r,i,a=e;if(a=a.trim(),!t&&e.split(`#`).length===1){let e=dp.exec(a);if(e)return this.pathname=e[1],e[2]&&(this.search=e[2]),this}let o=lp.exec(a);if(o&&(o=o[0],n=o.toLowerCase(),this.protocol=o,a=a.substr(o.length)),(t||o||a.match(/^\/\/[^@\/]+@[^@\/]+/))&&(i=a.substr(0,2)===`//`,i&&!(o&&_p[o])&&(a=a.substr(2),this.slashes=!0)),!_p[o]&&(i||o&&!vp[o])){let e=-1;for(let t=0;t<pp.length;t++)r=a.indexOf(pp[t]),r!==-1&&(e===-1||r<e)&&(e=r);let t,n;n=e===-1?a.lastIndexOf(`@`):a.lastIndexOf(`@`,e),n!==-1&&(t=a.slice(0,n),a=a.slice(n+1),this.auth=t),e=-1;for(let t=0;t<fp.length;t++)r=a.indexOf(fp[t]),r!==-1&&(e===-1||r<e)&&(e=r);e===-1&&(e=a.length),a[e-1]===`:`&&e--;let i=a.slice(0,e);a=a.slice(e),this.parseHost(i),this.hostname=this.hostname||``;let o=this.hostname[0]===`[`&&this.hostname[this.hostname.length-1]===`]`;if(!o){let e=this.hostname.split(/\./);for(let t=0,n=e.length;t<n;t++){let n=e[t];if(n&&!n.match(hp)){let r=``;for(let e=0,t=n.length;e<t;e++)n.charCodeAt(e)>127?r+=`x`:r+=n[e];if(!r.match(hp)){let r=e.slice(0,t),i=e.slice(t+1),o=n.match(gp);o&&(r.push(o[1]),i.unshift(o[2])),i.length&&(a=i.join(`.`)+a),this.hostname=r.join(`.`);break}}}}this.hostname.length>mp&&(this.hostname=``),o&&(this.hostname=this.hostname.substr(1,this.hostname.length-2))}let s=a.indexOf(`#`);s!==-1&&(this.hash=a.substr(s),a=a.slice(0,s));let c=a.indexOf(`?`);return c!==-1&&(this.search=a.substr(c),a=a.slice(0,c)),a&&(this.pathname=a),vp[n]&&this.hostname&&!this.pathname&&(this.pathname=``),this},cp.prototype.parseHost=function(e){let t=up.exec(e);t&&(t=t[0],t!==`:`&&(this.port=t.substr(1)),e=e.substr(0,e.length-t.length)),e&&(this.hostname=e)};var bp=e({decode:()=>rp,encode:()=>op,format:()=>sp,parse:()=>yp}),xp=e({Any:()=>Sp,Cc:()=>Cp,Cf:()=>wp,P:()=>Tp,S:()=>Ep,Z:()=>Dp}),Sp=/[\0-\uD7FF\uE000-\uFFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/,Cp=/[\0-\x1F\x7F-\x9F]/,wp=/[\xAD\u0600-\u0605\u061C\u06DD\u070F\u0890\u0891\u08E2\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|\uD804[\uDCBD\uDCCD]|\uD80D[\uDC30-\uDC3F]|\uD82F[\uDCA0-\uDCA3]|\uD834[\uDD73-\uDD7A]|\uDB40[\uDC01\uDC20-\uDC7F]/,Tp=/[!-#%-\*,-\/:;\?@\[-\]_\{\}\xA1\xA7\xAB\xB6\xB7\xBB\xBF\u037E\u0387\u055A-\u055F\u0589\u058A\u05BE\u05C0\u05C3\u05C6\u05F3\u05F4\u0609\u060A\u060C\u060D\u061B\u061D-\u061F\u066A-\u066D\u06D4\u0700-\u070D\u07F7-\u07F9\u0830-\u083E\u085E\u0964\u0965\u0970\u09FD\u0A76\u0AF0\u0C77\u0C84\u0DF4\u0E4F\u0E5A\u0E5B\u0F04-\u0F12\u0F14\u0F3A-\u0F3D\u0F85\u0FD0-\u0FD4\u0FD9\u0FDA\u104A-\u104F\u10FB\u1360-\u1368\u1400\u166E\u169B\u169C\u16EB-\u16ED\u1735\u1736\u17D4-\u17D6\u17D8-\u17DA\u1800-\u180A\u1944\u1945\u1A1E\u1A1F\u1AA0-\u1AA6\u1AA8-\u1AAD\u1B4E\u1B4F\u1B5A-\u1B60\u1B7D-\u1B7F\u1BFC-\u1BFF\u1C3B-\u1C3F\u1C7E\u1C7F\u1CC0-\u1CC7\u1CD3\u2010-\u2027\u2030-\u2043\u2045-\u2051\u2053-\u205E\u207D\u207E\u208D\u208E\u2308-\u230B\u2329\u232A\u2768-\u2775\u27C5\u27C6\u27E6-\u27EF\u2983-\u2998\u29D8-\u29DB\u29FC\u29FD\u2CF9-\u2CFC\u2CFE\u2CFF\u2D70\u2E00-\u2E2E\u2E30-\u2E4F\u2E52-\u2E5D\u3001-\u3003\u3008-\u3011\u3014-\u301F\u3030\u303D\u30A0\u30FB\uA4FE\uA4FF\uA60D-\uA60F\uA673\uA67E\uA6F2-\uA6F7\uA874-\uA877\uA8CE\uA8CF\uA8F8-\uA8FA\uA8FC\uA92E\uA92F\uA95F\uA9C1-\uA9CD\uA9DE\uA9DF\uAA5C-\uAA5F\uAADE\uAADF\uAAF0\uAAF1\uABEB\uFD3E\uFD3F\uFE10-\uFE19\uFE30-\uFE52\uFE54-\uFE61\uFE63\uFE68\uFE6A\uFE6B\uFF01-\uFF03\uFF05-\uFF0A\uFF0C-\uFF0F\uFF1A\uFF1B\uFF1F\uFF20\uFF3B-\uFF3D\uFF3F\uFF5B\uFF5D\uFF5F-\uFF65]|\uD800[\uDD00-\uDD02\uDF9F\uDFD0]|\uD801\uDD6F|\uD802[\uDC57\uDD1F\uDD3F\uDE50-\uDE58\uDE7F\uDEF0-\uDEF6\uDF39-\uDF3F\uDF99-\uDF9C]|\uD803[\uDD6E\uDEAD\uDED0\uDF55-\uDF59\uDF86-\uDF89]|\uD804[\uDC47-\uDC4D\uDCBB\uDCBC\uDCBE-\uDCC1\uDD40-\uDD43\uDD74\uDD75\uDDC5-\uDDC8\uDDCD\uDDDB\uDDDD-\uDDDF\uDE38-\uDE3D\uDEA9\uDFD4\uDFD5\uDFD7\uDFD8]|\uD805[\uDC4B-\uDC4F\uDC5A\uDC5B\uDC5D\uDCC6\uDDC1-\uDDD7\uDE41-\uDE43\uDE60-\uDE6C\uDEB9\uDF3C-\uDF3E]|\uD806[\uDC3B\uDD44-\uDD46\uDDE2\uDE3F-\uDE46\uDE9A-\uDE9C\uDE9E-\uDEA2\uDF00-\uDF09\uDFE1]|\uD807[\uDC41-\uDC45\uDC70\uDC71\uDEF7\uDEF8\uDF43-\uDF4F\uDFFF]|\uD809[\uDC70-\uDC74]|\uD80B[\uDFF1\uDFF2]|\uD81A[\uDE6E\uDE6F\uDEF5\uDF37-\uDF3B\uDF44]|\uD81B[\uDD6D-\uDD6F\uDE97-\uDE9A\uDFE2]|\uD82F\uDC9F|\uD836[\uDE87-\uDE8B]|\uD839\uDDFF|\uD83A[\uDD5E\uDD5F]/,Ep=/[\$\+<->\^`\|~\xA2-\xA6\xA8\xA9\xAC\xAE-\xB1\xB4\xB8\xD7\xF7\u02C2-\u02C5\u02D2-\u02DF\u02E5-\u02EB\u02ED\u02EF-\u02FF\u0375\u0384\u0385\u03F6\u0482\u058D-\u058F\u0606-\u0608\u060B\u060E\u060F\u06DE\u06E9\u06FD\u06FE\u07F6\u07FE\u07FF\u0888\u09F2\u09F3\u09FA\u09FB\u0AF1\u0B70\u0BF3-\u0BFA\u0C7F\u0D4F\u0D79\u0E3F\u0F01-\u0F03\u0F13\u0F15-\u0F17\u0F1A-\u0F1F\u0F34\u0F36\u0F38\u0FBE-\u0FC5\u0FC7-\u0FCC\u0FCE\u0FCF\u0FD5-\u0FD8\u109E\u109F\u1390-\u1399\u166D\u17DB\u1940\u19DE-\u19FF\u1B61-\u1B6A\u1B74-\u1B7C\u1FBD\u1FBF-\u1FC1\u1FCD-\u1FCF\u1FDD-\u1FDF\u1FED-\u1FEF\u1FFD\u1FFE\u2044\u2052\u207A-\u207C\u208A-\u208C\u20A0-\u20C1\u2100\u2101\u2103-\u2106\u2108\u2109\u2114\u2116-\u2118\u211E-\u2123\u2125\u2127\u2129\u212E\u213A\u213B\u2140-\u2144\u214A-\u214D\u214F\u218A\u218B\u2190-\u2307\u230C-\u2328\u232B-\u2429\u2440-\u244A\u249C-\u24E9\u2500-\u2767\u2794-\u27C4\u27C7-\u27E5\u27F0-\u2982\u2999-\u29D7\u29DC-\u29FB\u29FE-\u2B73\u2B76-\u2BFF\u2CE5-\u2CEA\u2E50\u2E51\u2E80-\u2E99\u2E9B-\u2EF3\u2F00-\u2FD5\u2FF0-\u2FFF\u3004\u3012\u3013\u3020\u3036\u3037\u303E\u303F\u309B\u309C\u3190\u3191\u3196-\u319F\u31C0-\u31E5\u31EF\u3200-\u321E\u322A-\u3247\u3250\u3260-\u327F\u328A-\u32B0\u32C0-\u33FF\u4DC0-\u4DFF\uA490-\uA4C6\uA700-\uA716\uA720\uA721\uA789\uA78A\uA828-\uA82B\uA836-\uA839\uAA77-\uAA79\uAB5B\uAB6A\uAB6B\uFB29\uFBB2-\uFBD2\uFD40-\uFD4F\uFD90\uFD91\uFDC8-\uFDCF\uFDFC-\uFDFF\uFE62\uFE64-\uFE66\uFE69\uFF04\uFF0B\uFF1C-\uFF1E\uFF3E\uFF40\uFF5C\uFF5E\uFFE0-\uFFE6\uFFE8-\uFFEE\uFFFC\uFFFD]|\uD800[\uDD37-\uDD3F\uDD79-\uDD89\uDD8C-\uDD8E\uDD90-\uDD9C\uDDA0\uDDD0-\uDDFC]|\uD802[\uDC77\uDC78\uDEC8]|\uD803[\uDD8E\uDD8F\uDED1-\uDED8]|\uD805\uDF3F|\uD807[\uDFD5-\uDFF1]|\uD81A[\uDF3C-\uDF3F\uDF45]|\uD82F\uDC9C|\uD833[\uDC00-\uDCEF\uDCFA-\uDCFC\uDD00-\uDEB3\uDEBA-\uDED0\uDEE0-\uDEF0\uDF50-\uDFC3]|\uD834[\uDC00-\uDCF5\uDD00-\uDD26\uDD29-\uDD64\uDD6A-\uDD6C\uDD83\uDD84\uDD8C-\uDDA9\uDDAE-\uDDEA\uDE00-\uDE41\uDE45\uDF00-\uDF56]|\uD835[\uDEC1\uDEDB\uDEFB\uDF15\uDF35\uDF4F\uDF6F\uDF89\uDFA9\uDFC3]|\uD836[\uDC00-\uDDFF\uDE37-\uDE3A\uDE6D-\uDE74\uDE76-\uDE83\uDE85\uDE86]|\uD838[\uDD4F\uDEFF]|\uD83B[\uDCAC\uDCB0\uDD2E\uDEF0\uDEF1]|\uD83C[\uDC00-\uDC2B\uDC30-\uDC93\uDCA0-\uDCAE\uDCB1-\uDCBF\uDCC1-\uDCCF\uDCD1-\uDCF5\uDD0D-\uDDAD\uDDE6-\uDE02\uDE10-\uDE3B\uDE40-\uDE48\uDE50\uDE51\uDE60-\uDE65\uDF00-\uDFFF]|\uD83D[\uDC00-\uDED8\uDEDC-\uDEEC\uDEF0-\uDEFC\uDF00-\uDFD9\uDFE0-\uDFEB\uDFF0]|\uD83E[\uDC00-\uDC0B\uDC10-\uDC47\uDC50-\uDC59\uDC60-\uDC87\uDC90-\uDCAD\uDCB0-\uDCBB\uDCC0\uDCC1\uDCD0-\uDCD8\uDD00-\uDE57\uDE60-\uDE6D\uDE70-\uDE7C\uDE80-\uDE8A\uDE8E-\uDEC6\uDEC8\uDECD-\uDEDC\uDEDF-\uDEEA\uDEEF-\uDEF8\uDF00-\uDF92\uDF94-\uDFEF\uDFFA]/,Dp=/[ \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/,Op=[8364,0,8218,402,8222,8230,8224,8225,710,8240,352,8249,338,0,381,0,0,8216,8217,8220,8221,8226,8211,8212,732,8482,353,8250,339,0,382,376];function kp(e){return e===0||e>=55296&&e<=57343||e>1114111}function Ap(e){return kp(e)?65533:e>=128&&e<=159&&Op[e-128]||e}function jp(e){return e-1>>>0<127||e-160>>>0<55136?String.fromCharCode(e):String.fromCodePoint(Ap(e))}var Mp=(()=>{let e=new Uint8Array(127),t=0;for(let n=33;n<=126;n++)n!==34&&n!==36&&n!==92&&(e[n]=t++);return e})();function Np(e,t,n,r,i,a){let o=e.length,s=a*90,c=0,l=()=>{let t=Mp[e.charCodeAt(c++)];return t<a?t:t*91-s+Mp[e.charCodeAt(c++)]},u=n-r,d=n+i,f=new Int32Array(d);f.fill(-1,r,a),f.fill(-1,a+u,d);let p=new Int32Array(d),m=new Int32Array(d);function h(t,n){let r=0,i=n,a=n+t;for(;i<a;){let t=Mp[e.charCodeAt(c++)];if(t<89)r+=t,f[i++]=r;else if(t===89){let t=Mp[e.charCodeAt(c++)]+2;for(;t--;)f[i++]=++r}else{let t=Mp[e.charCodeAt(c++)];r+=89+(t<90?t*91+Mp[e.charCodeAt(c++)]:Mp[e.charCodeAt(c++)]*8281+Mp[e.charCodeAt(c++)]*91+Mp[e.charCodeAt(c++)]),f[i++]=r}}}h(r,0),h(u,a);let g=new Int32Array(i*2),_=0,v=0;function y(e,t){for(let n=0;n<e;n++){let e=t+n,r=l(),i=l();g[v*2]=r,g[v*2+1]=i,v+=1,p[e]=_;let a=(f[r]<0?m[r]:1)+(f[i]<0?m[i]:1);m[e]=a,_+=a}}y(i-a+r,a+u),y(a-r,r);let b=new Uint16Array(_),x=0;for(let e=0;e<v;e++)for(let t=0;t<2;t++){let n=g[e*2+t],r=f[n];if(r<0){let e=p[n],t=e+m[n];for(;e<t;)b[x++]=b[e++]}else b[x++]=r}let S=new Uint16Array(t),C=0;for(;c<o;){let t=Mp[e.charCodeAt(c++)];t>=a&&(t=t*91-s+Mp[e.charCodeAt(c++)]);let n=f[t];if(n<0){let e=p[t],n=e+m[t];for(;e<n;)S[C++]=b[e++]}else S[C++]=n}return S}var Pp=Np("!}.&u%}'&}*'~!6*)%&,~!J~!J~%L~y<~!R,~~%Lu~~#GD~~#|)1#%}^%}2%+#.##%##%}&%##%'#%##&%#%#'%#&#%#&#'#%%#&#%##%#)%''%&%#%#'%#%%#%%}%%%#%#&(23#%%#&-%0%('1#(##%#'##+%'*.:1}#%#6-+(%'%%#%%%}#L'2351&('%}&/N'(0(/*-%(%%}#'+&T%7.2}#&%&#%#36/5##%&%%#&#%%#))2%%##%&&'0~!#*+&'%1~!%).'3q?&%'1~!.##%6(~!+%%%(Gw'rT~!E#<nA%#jZ~!H%(~!42##~!*31&~!G%U~#)5~#`3~!J~!Z~%]~%Y~%C~!q~!u~#kz~%#~!6'~!D~!U~!?~#T~!c%~!G#'~%7|~!G~!J~!G&~#pb~(Df}#%}*&}#%##%##%##&#-}&'#'&%#.++}%mI,#,@&(}*%}*'%&##&#%##%}&0}#.},U},%}+%}&%}#%##&}B%(}(%}+%)})%##%#&}&%##%&}<%}>%#%&}*%}(%}9%}/%})%}*%}*%}?&}&%}3%}&*#%})%#%#)}#&#-#+*%E%%'%'#%}#*V##&##I}#&&##%&%#&&Qf%%))w/0+&%#(#.%-''''++++7}>%4'',##1,#%#&%##&#'##&#*#9)%&%}#*}%,#+P(%A&%#'&##wSD',9E00#y#@}(+}&%&>~!#~!X}#*}(&&}(&}(,%}%&#+&}#&}I%#%}%)#(},'%#*}4%%#%}(''}#/##(##),%-##%%)#&}(.}&%#&}%%}*&#%},&&}&%}#%*'#%})%}D&}&%}-&}6&#&}-,%}#%})-(~+`~,=?~I9'9%~!,#%})%})%}@%}?%}(~!?~#<~#pP~#BG~#=1#%K+~#?#~%;)~#A~#mF1~#A'~'X%'~#lR~#N~'N~#r~#m#-~#i'?%#'%~#B%##%,%#~#_%#0%~#]732~,w~2+#:&#%&'0%&>%}#>##F+)#%&&#(+_}4&}-%}(&}@&}O7Fdf0@+/v4}&WU##&/0#&'('B#%}.%}'+#%}#%%&#&%#%##+#&#)#6#'#.},%}c%},%#%##%&#&%#&~#>'*-.%##%##%}#%%}%'~#)D1}#%*&~#_%%'(~#S2%'.}#~#=##*'*-%}&'%'##&&~'E%.#&~#M4}%%##&'%#~#O1##%&#'+~#<B%##%%'%+~#;#@%}#&%#&&%#(~#H1}'%'##&&~#?A}&'~#D#%32}'&&&&~#[}'(#%}'~#;C})&}%%#%~#=&%,3}%'(#%%~#^'#&&)#%'~#Y%-~#d-%'~#^%%&#&&&}#~#b~2t*&'~&(~&@~0%~e~3}%*''0})&}+~!9##-}#%-hD*)1fC#%/&/fB#40~!+#)*4~!+~!K'&:~!/*7~!.#~!H~!L':~%x&~!H#~!*~%1~!I#~!+A~#p'~!F~~#-#~,,(~.Z~!V~%;'B'mq-W~!N~%I%#&&#&}#%},%%}'%}+X#%}#&}(%}'%}<%}#%}%%'}'%}:~![)9@~%>~#UA%-%##&~!C%~!-.9:~!1~!-^2/:a~!y,D*J#-5)/4~%23,~#G~!L1~!0X3`~!2+~!!0-~&E~!W~!o,>Y&]~%cZx_&~#O*9#A#'#+I'%#)~!0B*-5A+-((F&*M#)(-7-5+'-3a5Vi~!Y~!?+[)%3),ERHm~!+:D,VG.+)?fB%%*(%)'(#&80%1'8`K8?`+'Z#&O&'H5#*9)A%%5&3))0%39+.*7#()&&*=4@**L)<'_&*+..;(#*+)./&0#3)%')-8(4ixD(&.}%,('aI:,)%,k2231T)I'#/-W7,/'Q#.'Y24+h')37</31&83##&0#),H(?'&?/1##%#&&#%''-%&&&#(&''&#.-'%#%%(,')*'&#&#'##%(%(#%('#&##%%%%('%#%#%%#%#&%##h>w+v<ayvyvcg.uuhKr}g/v|g>u9i[~>g5uI~=RvdwEg;v/g;uk!!TTSx]@RT!U!#!@VBRUU!'UTe-d0c`e&gSdicedFcrdTaqb.kYcAohdYd@a3e+d}dMdtd.aJ#bqcK`dle/e.e'dwdPdodddjbEb}ogd^ofdpduc6j?l%d{drdqc)d7bacOdQ%T#Y)X.sR[yH>6Vyv3[xwLu>vo'!*.[yBacahoj>6Rew3[xqdZa#!a&#^(X-[yG>6Vyu3[xvg3sEr|g.u/Ri9db0T#^(Xa)!-[y;>6Vylg4wKs{JwNZt3@3r=c4Z([xlg;wKt!cpq's@v7A'*a(a+!-a#[y<3Dt?3Dt'>6Vym3[xmg9rxsNJwLZt4~?r?db1T#`-!(Xa,!0[yS>6Vz%NuQs.g4wKtnJwNZtS@3r>c4Z([y%g;wKtrdga8!a(!#&T*Y-Xa#!a0<or[yc3Dtq>6Vz43[y3JwNZtf@3s!Ju}!%Dti:pm3c_%X#tjB5pkd6q!r]u?voC'*-a.a2!0a&a+[yI3DtI3Ds~3DtH>6Vyw3[xx;:s#~<5pKJwNZtE@3r~d`a)!a2T#a.(!+U.X1[yT3Dt`3Dtv>6Vz&3[y&g9rxwzcxstPu.<rAJwLZtT~?r@dZa%!a.&^*Za(/Reu[ya>6Vz23[y1g3sEr}wkg{NuQRg{ci(U#5@b`~,cg#U(2WnH5wugcRh7dX#T(Y,a'Ta!!a,[yZ<]mj>6Vz,3[y+Pv#5ReZKu+=,%!H}7ABwkaS?Rh:BcW(X#<]mrj:ubv/ARekdg%!(!a.*Ta(Y.X1!#sP>Rl*Dt6[y>>6Vyo3Wf*jOvuumvuRgRJuq*!:9<B@bX~3jVv&v@s@5Re[d/rQt{uAvo&a&a*)a2!,0Wf!3Dt0=Bs'>6Re}3[xy~<5s%JwJZt1~Gs)c;&!#2sJkNuXvzq7rxu,Re8dka4!a8(aEZ+a@Y.X1Xa)[yd=Bs(3DtP>6Vz53[y4cX#X&Re:avRe9~<5s&JwJZtQ~Gs*i^rzvdRg+Jv{%!2sbB@bX}kdga,!Za?&^*T1/!a'Dt+[y6>6Vyf3Wf%g/u;s4hGu6?Rh-JvZ,!c%#&RoX54Rivj7uyvf8RgTKvZB%*!2sGh<vu5Rgq<=C::9bb~#dZ#T&Ta6Y.X*Dt>[y93Wf)coZ(T,6VyifluvRgC@95@B@bX~/hFu34cC#T,k/unq8w8Q5RkUklwQuzunq8w8Q5Rk8d/rJu?v8w9)-&!a0a;a&aIWejg3sEr/h1s<DtDJvyZqY5aws3Jvy!&Wei~Hr1:au5@Bag>23E~5c:Z&bX};kKv?w&unuVu5Rjc;>bs)#~@:Rh.=ay<a]C;b`}Vd6s/t{uAvoaxa()!a,a7%-a#a2Dt,[yF2Wo[>6Vyt3[xuNuPRi&NuPwpi#RoWh?vf8Ri%Jv]!%Ri:KvxD!.'2WeAjZu`q9rxu,Re7woeAg-unLq(qA_/*2Wg_g3u5q^9:4E}/jTrxrzv=Wkkd~0UX#^^Xa-a1a5T&a=U1a'*aEa]!a*aPaA-adok[y54Rn>;:p3~Dp5g9rpsFNvZqjg3uJp4~<5p0Pw;5qlJwNZt*@3p1Pw:5p/Ou!5p2JvG'!6Vye=<qnJvh_[xhg3v,Rh3kOwOw-sDuev/Re^dha[a%!%!a+#Ta7)-5TaCaO!aka!a)sf[yb2>Rl!9ARiq5E}Qg=ucRkBE|oJrJ_@Wk~@Wk{JrJ_@Wk|@WkyJrJ_@Wk}@WkzJvO_[y2g-vMRmiKuYC!)&>Ri;>Ri<@3RkNc](X#@9Rk=g5vuRmhKvDB!+'=]meg3u4Rmgd)#Y'Vz3CARmfd`a+!%T'!+#Ta1Ta6TaM-sTDt9[yA9sYd'%Y#s[[xpj:ueunaXRgEjRq,v-vuqdd2'`#6Rev<32@5>:2<E}5xIo9a*X#Y(;5RePJvD_g>vyRgNj8w)v8<wggs:RgXiZt|vjx,hSq3ah!-(~@:Ro/Ou!5RhWj^v(pyw8unRhUdx-UY#^Ua.a3a70!)%UX1TaDa)'omRiRRhE[y:3Dsz=Br,>6Vyj3[xkg6ruwjcqsrPw;5r*Ku]D'Zt-@3r(~?r.i[vwv]dU1a--U#`a4(g/vsRhPOu!5RhLj:rmu9Wo!~@:wdh@g/vsRiTjXuvvNr}:RhBj^v(pyw8unRn]dz1UYa'a+^Y(!aETZalaRY.Ta?a4[yDJw1!#qLsW>6Vyrfzq-pLflpwRe|Js>%!Dt@3Dt&Jvy_[xs~HrnjMuwpsw'RecKu+D#'!t<~Grl~?rjg5u-x,gwp{ah!-(~@:Rg~Ou!5Rh'jXuvvNr}:Rh#cW#X/c;&!#2sLi[v7u7RgpJv)(!iLrxu,Re6j7v@s@5Se[e7d`aW!Za(a`T.a#!a3!&aDa-!9)Dt_=6s+3[x~~DR|h~DS6avhGun5RkZj3w)v-]mkKunB!&*]kb97R|i<ARk<c:Z(6Vy}Juh'!wziMRoS:F|vkLuauJv5vtvQRh1d='T+Y#VyO~DR|jcF#T'7R|g97R|kJv3'!ay<Rj,Jvh&!:ReXcsa6*a+#a#_aIRf9aLRf?c,Z&Rf5Rf7c.Z&Rf;Rf>cQ#%T'p-Rf8Rf=ct#%'(*!,p,Rf4p+Rf6Rf:Rf<d~'Ua%U*^UYa(!a,-!#a4YaTalaEX0a8a<Weo3Dt/3Dsx=Br93Wen~Dr;~<5p<JwNZt2@3p=Pw:5p;Ou!5r3c7&!#:p>3Ds}KvGB)_6Vyk2sM=<r7x'eovA(!hFu1ARf}cV#X&@r5j6rvwQa^Rf3c=Za'wkghJv__g;unRggA53B9=b^}%j6uduo5Jq;!(hIv%2Re`Ou4ARe_e%a#^^^Xa&!a*a2!&a6YaP!*ad!#a:aE/5Rn?[y@>6Vyp;:pE~DrY~<5pBJwNZt8@3pCh=rt3rWPw:5pAJup_[xoNuPpF9c!#'45pD5ARn)d8#X'X*3@rU72s]h>v<<sSjJpqvewOJq/(!hNw'5ReBk0s2u3w/w'5ReE5@Jq.!a+JQ!&WeU23d(#Y&RjG5]jBk!u7w&u0udARjEe#+^^^Ub#!a2/a`Z(agT1!a-a;|@TaG!aS[yV=Re~fow'RguNuPRe?bz#'>RoUWeL>:Cbb|?JwPZtVg6ruRmzJvD'!6Vz(g/vmRh~Jvy_[y(g9voRgyx*cy(#2>Ri2B9b]~9kIw9u7rluJu3Rg]dI#a%UY'@=p%CAx.gQZ&RhwwygtRm{x5g_Z'+ABqR9Woa=Bp&dV#^*Xa'!&@o{g4v]Rk;Jv{!%Rk[wkkiA5RkiwwfUB=x,fUuqC&*!>RfTg8v0RfV~ARfSd;rJsAuAv9wR'ae+/aO!a@aza/a#[yQ@Wg!2Wemg3sEr0JvB_g>uvReWg2v+Re=KupB_+[y!2AbY~-~Hr2AJwD!(h<~El>h<~El?Kun@+_:9b`}Kg-v/Ri3g;vtwyk_9]k_d=&T#*U.6qh@Ab`|K9:H|CJv[!&3Dtex'fDwC%!Rf[9WlMd[(^X,!a%Z06Vz!@WgBg=v~Rgvg,QRe@awd,#Y+jTv|Q~EfWj]uNr|~FRfXdy#Y&^Ua%!aO.!(a)Ua;=!a@aKap!a-,a!Ta]a[rSa]p?[y82sK=Bq~;:p:~<5p8Pw:5p7d'#Y'Wf(;RnRi[u4w&RgJJvG'!6Vyh=<r#ijuuv/sIKuYD'ZtG@3p9~Gr&d2#`(g<vtRgFj`u5w&rqpxRf2CJuY!+:wfnTOu!5Rg}jNs1ucv&RfwJvA!&3@q|BDcC#T,k/unq8w8Q5RkTklwQuzunq8w8Q5Rk9dga#!a'!a=#a0!:+Tb*b@aO.a4!aba8aFJv^}?!VyR~Dr<g;u%Rn.~<5p[x'e`wNZtR@3p]Pw:5pZhNvjBp.woe_g5u-r4JwF!%DtO3:ooc7&!#:p^3DtpLuGw(!+%)Dtk6Vz#2sd=<r8d'#Y([y#<x3gJt`w@!)%}MRiowzikRij=]ilxAf3,U(#B2Rf#g0v-Rm[ck{`U#]giKv3>)!&6Ri154s,KuGB_%@r68r:dJ|t`#X(9<E|u2@H|rx3gJu?w'!+'1Nu7Reg4=H~+9<wxgY95Rm]xLggZ-`(X}U2:Ri4h<uOawRmsJv__5@bb{jbV~3dka#a'a]!,#a+U=a>b6a3b%!/aKa/)!arwve^VyJ;:pR~DpTg3uJpS~<5pOPw;5qmPw:5pNOu!5pQJvG'!6Vyx=<qoJvA!{~Jup!%@qk7Rn/KvyD!}''[xz;>wkh'?Rh,x8gyt`w5D!&),(SgyccRgztJ@3pPB5p#d'(Y#<]mmifubw&RgoJvE&!82s^JvF&!8Rf,ADb]~;x=h'rNu]vK!,%'*0RnORh)4Rh*AqQg-vaRnNg;wHwkh'ba~4cE#Ta*x3gctyw@'!+%RnFRnD<4Rn@hFvK5RnCxWg[#`&a0Ua()`1Rm75Rg[c]%X#qi8Rg^NvdRj>BwzgZauwji7Rm6A4wgg]d1#&(*,.0a#Rm;Rm<Rm=Rm>Rm?Rm@RmARmBe%#^^^Xaea?aC/b+(,!a+a#!a/!>a&Ta<aKbD!2wphBRnk[yPw}hE|.=Br-3Dtm>6Vy~g6urRf.x,hPrNav!%'RnqRo%Ro#Nu;q[Pw;5r+JwNZtM@3r)d'#Y'Weh;xChL#`&RnmRnoKu}>%(!Rne~Bs-;2wjcussJv+'!aYSO}6@B<5?ba~8LrNvj!.%*ROwungw~ng~:9;Ri^>wtnig;wHRnixDh@|(UZ.x1h@|)!#:2<H|*xHn]#-UX'3Ro)z=iT}6ARns=Bwsn_wpnaRncw]aR(#UXa&Ua*a/=]iPd'#Y&Ro'WnXf{QRm2hNvj]nZd`'T~&1`{|`#9b]{}c:'!#Wl{>@=be}]?cl{{U#:5Abb}Jds#^YaF!a*b4a#a3aPa>&Tb!bH!*a_!Eau?/a&RjY<]gj>6Vz*;:pe~DrZg,QRj1JwNZtX@wihspcJvZ&!VyX9WmOJu|!|N2WmHJvh&!]ht~Bpbcn&T(!#RmQ<s7Nu;padH#X'`+WmJ@>RmKCARhnKup=!)&Wf+:RhqNuPpf9c!#'45pd5AwghpARn(Ls@w!%,)!RmP@Wfe<E|IJva!&WmNg8vsRmLd`*.`#Y'Xa!axRn*]hrA8Rhug5s@rXg8u!RmMd8#X'X*3@rV72smdI*#UY&RmICARho~GsgxVgd)Ta'U-Y&Xa!T#RnEWnA@Wffg1uDRi0hFvK5RnBxGnG&#`%owp)@wsf+bX}Ze-*1!a*^^^Ua|!#a.aq&Ya2!a>.a6!a:aO`aJDtL[y`@Wg#>6Vz12@wzoYRoZNuPRi!NuPRhzg=ucRi,@=b`{Yg=ucRi-ACJvB!&Sh[ebSh]ebi`wUuFRm4Jw2_[y0JvB!.<Ju(!&SoG}6Shd}6<Ju(!&SoH}6She}6Kur@._g5vHRieJvx!{L2G{Kx6gd'T#?Rh82Wi5cZ#X(g1w)Rm5dW-Y(Ta#!a)!#aYa=wnfE=su2>>bU{0j9udv:<svj8uQv-7RgHdE%#^'sq9sp=>Bb_{TJv`!&g/r|snj6v(us5d,#Y(56H}[978H}]Jw5!&g1rushJvB!+j;v{u5?zDhd}6}bj;v{u5?zDhe}6}ce*#`(^^^a[aea!=!a6a*aoXb1a.!aAbL!b>,b'aL!aV@Wf|2Wlg3[y/JwNZt^@3piPw:5pgJunZou3@rsJva&!Vy_g<v~Rm#JvG'!6Vz0=<r{Ju{%!:pj@WfsiXuJu3Rm:JvZ&!WfA~Bph@c4Z&Dtwax5rubx(#:awRk1@d,#Y&RfjRfid1#,Y(@Wfp2Wlrg5s@ryKu[@!,'=]ig9wlk?Rk>g5u-rqJvy'!@9RkQcH(T#=>Ri~@<wkj(Wj(KuZB*!&<7rw@9RkRcH(T#=>Ri}@<wkj)Wj)dg(Ta2Xa9X#`-!a*CARhg@@=I}d9x;c~#X%so=<sj>2@@=aybb}XjWv0Q~EfEj3vLv;<d,#Y(56H}`978H}_dgaPaFa'a/!#a3Y0a_a;a|!1(a7-[yE3[xt;:pJNvZrrg3uJrvJwNZt=@3pIh=rt3rxPw:5pGOu!5rpJvG'!6Vys=<rz@c4Z&Dt(ax5rtJvZ!&~BpH@wsfNg-vaRlNci*U#=<wei<F}a5@Jq.!a*JQ!%@qZ23d(#Y&RjH5]jCk!u7w&u0udARjFd/prq=tyvpaEa(a:.!a1aZ(@@=I}:9wpd%=<sX55w_h}@@=I{t=ay<aU@@=I}T=ay<2@@=I})?C9:9au@9Cb]}DP~=x-fAZ(2Wl1=ay<aU@@=I}>5@d##Y+jTv|vV~EfFj]uNpn~FRfGdgaK!Z2&!a8a-Tb({E!acTbM*!a(DtY[yYd'%Y#sl[y*hHvh>Re5x2c{Z}.j4uCvcawRiMd+#X+_x&d!},<5RkX;2Hzw@x,gavfB-!{CcF&T#Roe;RodwWbBg5urRgaKvHC*_6Vz+<4opieuew&Rmq@d]&Y)X,T#X0Rh}<BqP=4qS9:ReMg/ujReNJw0!/<Jui%!bd{kawwnemRelAxUa?a3#*.&UX(Ya+a/RhvRnQ<o}9Wmtd-#Y&RgSRmw9;Rmxay=Rmyg-vaRmuxEhSrNu,v-voC!%(aR.a(a7+1Ro1>Ro5CE{A9b]{@;5x#eO{:g;urRi+KrNA!%(Ro3>Ro79;Ri_Ku@>{;&!x%gX|{KunA_+g5QRj/g3u5Rj#g>uERj%wio/xRhS&!,!#^1U}wba{8>>@=be}qC@:D5ba{7Ku+A&!}x?ba}t>>@=be}se(aA^^^Uat!b0#{pa+awUazbGa#aLb9bgaWac'a5TbS=Br!d1#`%scp_Jvl!#rT>Re0JvX&!VyN=H{Fcm#U&:pY=ReaJv2&!]h0=]nUJvG'!6Vy|=<r%JrM_=]h2@Wlud'#)U'Wf'b]{i=]h/Jvh!&~BpWg=v]RnMx+ny#'Nu;pVwjnu=]nwxJnx,T#`&Reqwjnt=]nvieu9vrRjLLuYwP(#+!th@wih5pX~Gr'g5v/Rh4KunA'!-CARnP@wwiN:Rm_9x'cvw>!|l=<saKvAA!0&3@q}>w^e1bp#&Re2Re3BDx7gH#T|f5H|eKuZ>!%(:qNAH{]Jv6!+3B2B9=b^{X<5<B92:E{ZLvhwA(a;a%!igQuyRmad+#Y}m@3Rh5d8#X'X*:AqUAHzmaxwbh<aXRnVcF}RT#Nw&cj#U(BWnug/vsRntdka)(a3+.Zb7aYYan1!bVa@Xa}[y^@b[{G=H{+hFu73Rj&Pv#5ReQcK%T#sig1v{Rj'Ku+D#'!t]~Grm~?rkKuMB!01d5#`'Vy.ta3Dtu~Hroc8#'{^45s85AwZbP&!#Rn!wghxWn#KvEA!)&2RlA2RlBx:h|#(T,=]j09Wobz>x]z/@awRoTd+#Y(az]hFhCrm4d,#Y+jTv|Q~EfMj]uNr|~FRfOdCa!Xa9_X#@<plJvf!%b`{(9;Rgwc;.!#2x7cw#T|UDb]|T5Ju={(!=@E{&Jv)&!Ab`{'awJvf!~*>>@=be{#KuY>!+&4Ezyi[ugv&RjIdea+T)#UXa&T-T&a!Rh9auRmW=]kLg5vuRn+g3u4Rn-Ow6ARn,hHus5xNk?#UX(U~)/g8v0RkD~AwkkF?Ri.OuNBwkkA?Ri/d|a2`a*^UYa.!aBTZaTa'Xa;!(!2!-a#b2[yC>6Vyq3[xr2Wi?g1rusVh%s?DtF~<5rbJs;%!DtBfswKtCj[uvuSsEu3RgVx3o:u+wN'*Zt;@3rd~Grh~?rfg8w)Lq)qE&-a%!>bI|`jWv0vV~EfCjTv|vV~Ef@j]uNpn~FRfBcK#T']gWNu7x,k7q4ai(0!hHv8<RhmkMu9vrsBuev/RhlCJvB!,g<v{wchh~@:Rhji[vrv{wchi~@:RhkdS&a5UY#Ta!RgPwwiI5BwciI~@:Rh`x'iJvj'!5]iJPu8Bwch]~@:Rhach)U#h3rp]gLh@t|Ax,hTq3ah!-(~@:Ro0Ou!5RhXj^v(pyw8unRhVd|)`,^UYas!a?/a2Z'a^Ta{Tb7Ta(a#!a,Wf&9sZ3DtAadamov=Bqt3[xig8vsRm~>waiL2b`{QJv*_Ouv2qgj<v]v2BqfdR'X*X#Y-@3qr~Gqv~?p6hHv-]glPup5Lq+q?_%*b_{qF{n9b^{rOu4ARhpKvCD!+&~Bqp:5Dbb}nwoiKl&unuTuBv]v+ueunaXRf0=Jvh!0nKufu8v1w&w7q%w&uHrz:Rgnj5w,uxDJq/(!hNw'5ReCk0s2u3w/w'5ReFd>Za&!*UaA=<wkgsRnSJv^!%Refifw3vyRgOKu_B'!,<]gkiiu:w&Rh<=C@a^<B57@2F{[<B5@aW:=3away9A5aW=<B=C@a^<B57@2F{Ie-#`(^^^bCara.b8aza6!/bZ,!adTbnTbOb+aFaS!aAT9@Wf~2Wli3Dtl2@d,#Y&RfnRfmJwJZtN~GqyJva&!VyMg<v~Rm%iXuJu3Rm9Jv[_=]ih9wlkDRkCd1#`(@Wg>2Wls3cH#T(@<Rj*=>Ri|b~'#23s9h<~El.d'#Y&Dtxi^rzvdRl#d*#U%(o|B2s`hJwSaxRmDKv4B&!1:Rmdd5#`'Vx}to~Hq{x'f1v3(!BA5ba|bJv_&!Wfug1v]ReIdO+U/Y#&G}-8wze=Rh{g1v]ReHg/uQRf/by#)ibQwERl/cH#T(@<Rj+=>Ri{cNu+vlax-!(#a0qa9<Rii2;;bU{H;x<i=&X#Rk`<4wwi=C9H~8xAI(Y#<azRi@45wXI<B9;5bb~7dL(X#Xa(+!aL6Vy{g5QqOau:5au2@ay547EzbxOcU(UX-T#Ta#:Cbb|A?wjh/b_|SOw6ARgtihr}u7Rhy<d1#T)X1@@=I|~=ay<2@@=aybb}Sj3vLv;<d,#Y(56H}A978H}@dGpvs@uAu`vcw9*!aFa+ai%(b!aXa8.a?a[ozWey=sU2@G}Nch&U#Rf_WexKu+D#'!t:~Gr`~?r^j]uNr|~FRg*j^psurwJt|RmcKv)@&!)7Rkv~Br[@wxfO:Rl3co#U'6Rezj_q#vIuavjRltwzeyh@vr5JqD0!>aY?C9:9au@9Cb]}9cl#U*5;5<H||jbuus1ucv&Rfvg1v~d/pppzqFr^a--a~!aMat1(hFv;Wiz@@=Izoj5uuv-7Rix~Cw`fk2WlVcZ#X,k)u3vWs@u2]ktg;wEx'fBq(_2Wg/jTv|vV~EfoJv]!15x'hzqG!(P~EfU~CRl_j6v(us5x4i-#T(2WmZ?C2F|d>Kq<aj1!*jTqIsBv=Wl`~Cw`fi2WlWj`v0u*~>RlR=c>Z,k#u3vWs@u2]kr<c1Z+jTqIsBv=Wla~Cw`fm2WlXdmb3!a{(arZa`bkTa%TbQTa-a9+c'!aM!/[yL=Bqug.w'RifhFvyDRj.g>vgwyk^9]k^Jv3_@WfbAARkhJw2_[x|JvB_wkoIRoKwkoJRoLd'(Y#<]gm=<9<H|yd'%_X#skDtb3awwqkgNulRkgdB#^',9:p'hJwSaxRmEBwVb8@4=H|qLu+w50&!)@3qs~?pU>Awwn;;Rn=c:Z'ARn<=<qwKvC@!/&~BqqJv6!&]eVb^z^xRge'/a%+^`#Sge}6<4Rn3=]n0Pw2>Rn8Jw0!&>Rn:>Rn6cY#a7+!a&=<wkaNw~h3z_c5Z{=wjh#=]nLKv^D!&)Vyz=bW|swYb<WetcG#T(2wxa@qVx@gD#Y&b^|V5JwG&!5bb|pg/w&RgD@x=kHs=uAvn!a%%/'+RmSRh694Ro`g-vaRmRhHv-]mlxCcS#`&ba~.5cD#Ta)P~=d,#Y(56H{>978H{Dd_#{2^Y%_+qbbb{6g3sERhsbU{?dfa.,`a(Xa<!aiX#(55RiG54RiHcI#T'WiU3RiVNvdwtfcRlKNvdd,#Y&RlHRlExQgf.1*^T'X#Sgf}6Wn4=]hfPrk>Rn7Jw0!&>Rn5>Rn9Lunw?&a2!,5<oq@@wqfdRlJj5Q~=d,#Y(~ARfcOuN]fdDKw;ay(}i!547E}j?cI#T(@5bV}iCbV}hdv(^^Tb?a40,b##Tbo!a*bR!a<b|a/!aKai!aU[yK=]o^g:v>ReGJwPZtK<7Rh+h<~El,Pv#5ReR@awwxjCg,ulRjDJv6&!]j!z?aQeeg>w=Sh<eeJw;!&axEzOg,Qosc!#*:wkeJ]eJ>x'h-u(!%Ro.w~h.zPdNZ(X,Ya![x{;9ReY;wkgxRiF:x?ap#Y&RmUg<s2Rkod]+UY0TZ'!a&A9sw<=bczLNvuw{gqzNhJwSaxRmCKuLay!#&s_Rf-55b^{uJvZa!!c%#(55Ri654wmiu5RiuawLu,vp!+}^%b_}Y9;wkgxba}o>A9:=b^}zKuh=a''!3awRk3c*'!#aHRk6c+Z&Rk5Rk4Jv)&!awRjSawd9*`#0?C2@EzMj8u<uJ5RmbjQrquJu3x,k>uq@_+=ayb^|W~ARkEOuN]k@7dhzV^X/X&a-#zRzSb`zXcJzTT#2WkVKvDBzW!%FzY9;5bbzWjQrquJu3Jw3%!b`zU=ayb^zQd:#X(T-a!6Vyywxh}=b]{Jg=u1RiAdGp~qHtzv!w(wA+a+a;<!aJaYai'anasb(=azRmV:Cbb{MLq2vb!%')RjuRjrRjtRjqx3jnqCw3!%')Rk(Rk+Rk&Rk)Lq2vb!%')Rj{RjxRjzRjwLq2vb!%')RjsRjpRjfRjex3jcqCw3!%')Rk'Rk*RjkRjl9<CbbzfOu4ARhxLq2vb!%')RjyRjvRjhRjgx=joq*uKvb!%')+-Rk.Rk%Rj~Rk-Rk#Rj}x=jdq*uKvb!%')+-Rk,Rk!Rj|RjmRjjRjidAq&qKs@uAv8Aa.'*-a@a&0!aM@a5[y73Dsy3Ds|3Dt):wxgI2sHJwJZt.~Gqxwsf0ikrzt}Rl0Jvy_[xj~HqzKv_A|D!&WfP8axRoVcf,U#k(v]v+ueunaXRf1Ju}'!g8u#Ri=jQw!sCunLprq>!,')~<5qeGzq9F{W=c##%s5au:5aU3CBE|;d4#X(D!a&6Vygx(b;#(=]ed?C2F{N<capoq2r[a&!aPa9,'Pw;5s:@@=I|,55w_h|@@=IzcP~=x'fCqB_2Wl2>aU@@=I|1OuNBc1Z+jTqIsBv=Wlc~Cw`fl2WlZ~AcTa%!Z+jTqIsBv=Wlb~Cw`fh2WlYk+uNqJsBv=WlSg,u3dca3#UXaMYa)TaB-=cM|7T#<bI}l5@B932:aV2G{BOuNBJq:|M!5Ezt=<B=C@a^<B57@2F{v>cB{/T#=ay<bI{3Jv6!a.6BKq0ah&+!5E}HP~Ef{978BaU@@=Iza<7d#.Y#978BaU@@=IzH~AJq0!(@@=IzG978BaU@@=IzFe,aU*Y&^^^bvJb,b:bFad!a,c2Ta>aL.bo6!a#CbTa'T#Re{2Wlh2@G{yg6t~Ro_NvdRfticuRQRllJv3&!x&c|zs@Jw3!%RflwpfkRlpKuL;%(!Re<@G|C2GzdhIvuBwgjAg-u0RjAKQB%!(GzZ@G|5NuuRl7d='T+Y#Vy[g<v~Rm!==G|>JvA!)@wma=]m1ifuaw&RmnLs@vT'!|/+[y,g:v>ReTJw1!#qX=x!eC{bLu+wT&)ZtZauq_~Graci&U#F|89:r_Lupvq!.)&2RlG8RfaC=x!eF{_h?rpWlmd&'!#X|&]k::xJey#`'T|+<E|&2@H|%dE#(^,g;u.RiEg6vjRiC9xCkA{O|zY#g=ucRmXKs0@!&*@G|m@awRknJuh!,3d(}gY}eJvj!%Rm):Jw3!%Rm+Rm-Ls0w(&!a(a#@b[|6cZ#X'7RkxWgAOu4ARn'dH'U#Y*Vz-Wm'CARm}d]*#a%^a*T'aK!a<9bV{PC=p*Jw4!&SgxcbB5r]idw(wBRmF7xFkt#&`(Rm/Rm8E|!JuY_9:Rl5=wrgr2:bbxd@xXfB(a*#T+!.X0X1Ta/a'T&RlDRfL>RlyARl9b[z[>RfZ:RlL:RfRwlg/ARl;9;RlxKv,A/!%7s69<74=BA5ba{-8Bde#`a<XaKYa1,a'P~=wxfB2bZ}}?C972@@=I}r8@55B9;5bb}G978B2@@=aybb}3j3vLv;<Jw3&!>Rfk=ayb^}4~Ad1#`*@@=aybb{w2@>==<bbz]dx+UY#^UaF!a9!bB'Ya1.!ajXa#%olRhD[y=3Dt#Ov5BrHKuMB%!(Rf^Wep~HrJwkiQjKr|~FRg)Ku+D#'!t5~GrF~?rDdV)UY,Z/_7RkuG{<~BrBg,rlsO:235B@bX}|d?a1!#`(6Vyn5@d##Y+jTv|vV~EfIj]uNpn~FRfH7Lq2vb1!a9-978BaU@@=Iz9978BbU}#~AJq0!(@@=Iz8978BaU@@=Iz7~AJQ|}!978BbU}!JvkaK!AdUa21-U#`a+(g/vsRn~Ou!5RPj:rmu9WhOjXuvvNr}:RhAj^v(pyw8unRn[kPr}p|u7vwv]RiSBd;pppzq@qHQa?(b.!a.a`@.|xa(hFv;Wiyj5uuv-7Riw~Cw`fg2WlU978BbU|wOuNBJqG!(P~EfD~CRlQcZ#X,k)u3vWs@u2]ksg;wEx'f@q1_2Wg.j]uNpn~FRfqJv]!15x'h{qG!(@@=IzK~CRl^j6v(us5x4i,#T(2WmY?C2F{1>Kq<aj1!*jTqIsBv=Wld~Cw`fj2Wl[j`v0u*~>RlT=c>Z,k#u3vWs@u2]kq<c1Z+jTqIsBv=Wle~Cw`fn2Wl]dn1#c(a(b^a2!b/bAT(bj!aDa7bu,a_a{c0!2T0g:v>ReD2@G{42@G{5~DpM~<5rc=Bx6i>{RT#RnI@zCx]y]z:2Jv[!zr5Awyk]9]k]dD(Y+X#6Vz.g=wKtgwhaCwgmTWj2Lu,w%_+/[y-B;b^xeg3u3Rj-2@bX{*KrJ<!+'@Wg(g?QRlC@Jv`!%b[zIwsfII}8JQ_@w|kW|=Jv(%!AqcOuNBJvEzh!bYzjLs@wP#(0!oy@>RkdJwMZtc3Dtd@BcG#T'9bWxg2@2Fznd*#Y+;2x'c}w<zizixNgwa#Z'U+!/!a'!a+w~g~z6wcn{Rn}wcnzRn|5Rh%=]nJg5vuRmvNvdRlvcprJu}w*az*a#!%.a.'Bot9qT]kj@Wg'ay2Gzv@Jv`!%b[zEwsfHI}1;ck#Ux`<Cbbx_Lu+w!a&0*!wko*wwo,So,}6Juqxf!E}PigQuyRm`d3(`#8>Rn%:A5B;bZ~%KvhCa!a2!x>k7#Uxb@b{#xaRk7Jw0!)>wwhlShl}6>wwhmShm}6CJvB!.x'hhvj{!!5Bwkhhbaz}x'hivjz~!5Bwkhibaz|xEhTrNu,v-vpD!a%&/)a3a.,%Ro2t[CE{)@3re9b]{%wjo09:rgc:Z&Ro6=<riifuaw&RmoKrNA!%(Ro4>Ro89;Ri`dSaL'UYzxZb)7Rka3xRhT&!,!#^1U}vbaz{>>@=be}yC@:D5bazzKu+A&!}{?ba}y>>@=be}wxBh[t`u~vJvr!%a!a()a,a0a4RoC=]o;Ju(!%RoGRhdwjh`=]oAg>w#Ro?g5vuRo=NvdRl|Ku]C.!&;RoEJvB!%RoORoMBx'h[v+_?w~h`}~5?w~hd~!xKh]oiptu-utv.vp!#%&a30a@a'a+(a/aOp(o~p!RoDJu(!%RoHRhewjha=]oBNvdRl}g>w#Ro@g5vuRo>c[#X']o<CauRoRAd-#Y':RkpauRoQKu]C.!&;RoFJvB!%RoNRoPBx'h]v+_?w~ha}t5?w~he}ue!/UbhYacXaW^Tc&a;b:a-c/#b&aja1(!cL+!bKbt!bmcRc9aIc?8[yW3Dtt94Rg`Jv}!&SiRMzBhEebShEMNuPRe>x7gL#TzuwjirRipc<Z&>on;>z=h-MSh.Mwqczx'a7vj&!>Re4@=ResJt__NuPRi*NuPRi)j]uNr|~FRfzKrJ>_+@Wfy@Wf]2WocKrJ<!+'@Wg%g/QRl@@Jv`!&awRl<wsfFIzgLu(w*!.*&ShBMwvhIRhI9;RhNx1hK'!#Sn]Mx1hK~0!#:2<H~7cNu+w7D*'1ZtW>Rn1~?rOc:Z&Rn2=<rQ<7wjh&=BSnLMc]#X(6Vz)w[b=a!U#9wzgMc3#&(RgMRitRis<x,gKt`ax!&+SioM=BSilMc3#&(RgKRinRimKurB,!&SiQMzBhDebShDM6BJQ!(P~Efx978B2@@=I}WLrJw!!,a*&@G}O@9wkibRid@@x'fKwC!&SlDMSfLMjUv~Q~EfKKv3@a+!(hFv-]mpx/hYZ(C5RiWz<o/MwkhY?So/M@x,gbvfB*&!SgEM:SoeeehFu3:Rgbda(,^TZa)X/7Sg[eb:2RgI~BrMC@wgkc:wwkcRerx3h(uUvK!&*,SnOM4Sh*MArRg;wHRh(x=h;rJvPwI!a4',a'0@Wg&=BSh/Mg>w=Rh=g3w*wwgGRgGcW(X#;Sg}M2Gzk@Jv`!&awRl=wsfGIz`dKZ*T'Y-:RhR7RhQg5u-p`j6v(us5d,#Y+~Awkia?RicOuNBwkibba}Ld6p~tyu_vbAa'a+!a/'a3aEa8a!>Sh,ebJv{!&Sh@ebSaReb9;SgwebNuPRi(NvdRl)NuPRi'hHu^<Rm^Jvv_@Wl(g;u1Si/ebKu'B&!*Sh?eb@Wl'z@aPeb95Si.ebcpputyvjB)!,&a+0a%ShAMWeK@G}C@WfJ9;RhMwvhH9w{ia}ix,hJvRA1(!zAn[MRhHx1hJ~*!#hFv(BSn[MBJQ!(@@=I~'978B2@@=I}2db.Ua<'X}+T#a0XaG2G}E;wkg|wuh!Rh!x,hZu,@)!&So0MVy)C5RiXACJvB!&5RiY5RiZg8w)cG}*T#2@bU}=KsA>(!a.3wkhZba~(x,h^u(A!&(SoCMRhb5Bz=h[eb?w~hb~6x,h_u(A!&(SoDMRhc5Bz=h]eb?w~hc~6e)aA1T#T,^^^c-bMb&blcPaP(a/!0!bA=b5c@a(!bfbrc#2afwmhARnjwchORnp2Wlf3DtsNvdRl-2@wpa<]m0bx(#:awRk2@Jw3!%RfhwpfgRlnKQB%!(G{V@G|'NuuRl6d='T+Y#VyUg<v~Rl~==G|<Jv+'!aYShC}6@B<5?ba~8@Jw3'!g2QRljhLrpWlOd+#Y'g.w'rIg>w*wgj@g-u0Rj@Lu+wT&)ZtUauq]~GrGci&U#F|39:rELrNvj!.%*RhCwunfw~nf~:9;Ri]>wtnhg;wHRnhx3hDs@v~!/+'@Wfr@9RkSNu&Rlo=@<5GzoKs0@_+@Wl+@awRkmJuh!-3d(}pY#qWJvj!%Rm(:Jw3!%Rm,Rm*de&!1U-U#`)Re;@G|.@9Ri82@wjfvRlq=@<5GzpLvOvr!).&2RlF8Rf`C=x!eE{.Jw3_g2QRlkhLrpWlPde(!#U{s,UXa*Ta'[y'g:v>ReS;x0PZ&RnlRnn~HrKJw1}f!=x!eB|2w]aP(#Xa&a*Ta.Ua2a7=]iOd'#Y&Ro&WnWg;u.RiDg6vjRiBNvdRlzhNvj]nYJuW_2Wm3x)kFze{9d])!a.!,Y01!#&aC!a3RndC=ox~BrC@2b^{pg,rlse7x'ksuq!%Rm.E{xidw(wBRmGx9o+)X#wwo-So-}69:Rl4@xSf@a#XZ'X)X,Ta(/ARl8b[xc>RfY:RlI:RfQwlg.ARl:9;Rlwdn'#^XafaQa1X1TaHTa)@b[{zcZ#X'7RkwWg@Ou4ARn&x)kG#{,g7u/RkGdH'U#Y*Vz'Wm&CARm|bx#(A]gUbUzJj9Q~=d,#Y(56H}l978H{U7d,0#U*2>ABb_xZ978BbU{e~AJQ{g!978BbU{hxMh?ad{oUYZ.x1h?{l!#:2<H{mx3n[t{vl!,&a%3Ro(z=iS}6ARnr=Bwsn^wvn`Rnbd`*T}B0!#^X'BG{c9b]{a>>@=be}F?JvS!&BG{d7BG}(Bde#`a1X,Ya@!a'P~=wxf@2bZ}I56B2@@=aybb}08@55B9;5bb}<j3vLv;<Jw3&!>Rfg=ayb^}&OuNBKuLA!)a!P~=x#fD{f2@>==<bbzl?C972@@=Ix^d6rSu,v7w*C(0a)a6#B+a%!sQ[y?3Dt%3[xn~<5rLOu!5p@Ku+D#'!t7~GrP~?rNKvlaya7'!h+v-5qMg=t|cd,U#5AAaa5Abb{S@52B5@a[@52B5Gx[iXueu;d<#`a(!/549C;ag>23ExY5@Dah89b^~689Jv)!~2b[~1Lv'w(%*!a#bX|aPrmawRe]keu7uhv-q6rxu,q`xTo]/a5aU!bNaDXbi!b-!ao!b<bwA!#5@B932:aV2G|:d-)Y#hJrL>RhG<7@C5<H|_=Cau:5aj5@B932:bJ|ng>vIbs)#?C2F|9jPv0w.vISh-MKvUaz(.!9ABbb|[5;5<H|Eg>unwfh;9:4E|YjQsBt|vjx'hYq3!(?C2F|J:2<BaY?C2F|GOu!5x,g|p{ah!-(?C2F|c9:4E|OjXuvvNr}:Rh&i[w*t|cd+U#jJvsu)vsSn~Mkfrmu9p}u7vwv]So!McW#Xa!ax5@A5aY:5;5<H|>kJv~vYrquJu3x4ib#T)2@SmZM?C2F|Bj:rmu9@xPhI(a*a#U#`a3-5Abb|L~@:RhK9:4E|0@52B5G|#C::aY?C2F|-:2<BaY?C2F|.5Jvk!a)javYrquJu3x4ia#T)2@SmYM?C2F|HAxPhH(!a#U#`a*-5Abb|4~@:RhJ9:4E|R@52B5G|F:2<BaY?C2F|Sc^#Xa2j=Qq5CJvB!-g<v{z;hhM?C2F|Zi[vrv{z;hiM?C2F|XKsA>!a)-g<v{z;h[eb?C2F|]i[vrv{z;h]eb?C2F|^iZu.vix,hZq3ah!.(?C2F|QOu!5ShXM:2<BaY?C2F|P",13494,2713,49,25,61),Fp;(function(e){e[e.VALUE_LENGTH=49152]=`VALUE_LENGTH`,e[e.FLAG13=8192]=`FLAG13`,e[e.BRANCH_LENGTH=8064]=`BRANCH_LENGTH`,e[e.JUMP_TABLE=127]=`JUMP_TABLE`,e[e.VALUE_MASK=8191]=`VALUE_MASK`})(Fp||={});var Ip;(function(e){e[e.AMP=38]=`AMP`,e[e.NUM=35]=`NUM`,e[e.SEMI=59]=`SEMI`,e[e.EQUALS=61]=`EQUALS`,e[e.ZERO=48]=`ZERO`,e[e.NINE=57]=`NINE`,e[e.LOWER_A=97]=`LOWER_A`,e[e.LOWER_X=120]=`LOWER_X`})(Ip||={});var Lp=32,Rp=21,zp=2097151,Bp=2047,Vp=0;function Hp(e){let t=e>>>Rp;return t===Bp?Vp:t}function Up(e){return e-Ip.ZERO>>>0<=9}function Wp(e){return(e|Lp)-Ip.LOWER_A>>>0<=5}function Gp(e){return(e|Lp)-Ip.LOWER_A>>>0<=25}function Kp(e){return e===Ip.EQUALS||Gp(e)||Up(e)}var qp;(function(e){e[e.EntityStart=0]=`EntityStart`,e[e.NumericStart=1]=`NumericStart`,e[e.NumericDecimal=2]=`NumericDecimal`,e[e.NumericHex=3]=`NumericHex`,e[e.NamedEntity=4]=`NamedEntity`})(qp||={});var Jp;(function(e){e[e.Legacy=0]=`Legacy`,e[e.Strict=1]=`Strict`,e[e.Attribute=2]=`Attribute`})(Jp||={});function Yp(e,t,n,r){let i=(t&Fp.BRANCH_LENGTH)>>7,a=t&Fp.JUMP_TABLE;if(a){if(i===0)return r===a?n:-1;let t=r-a;if(t>>>0>=i)return-1;let o=e[n+t];return o===0?-1:n+i+o-1&65535}if(i===0)return-1;let o=i+1>>1,s=n+o+i;for(let t=0;t<i;t++){let i=e[n+(t>>1)]>>((t&1)<<3)&255;if(i===r)return s+e[n+o+t]&65535;if(i>r)return-1}return-1}function Xp(e,t,n){return n===1?String.fromCharCode(e[t]&Fp.VALUE_MASK):n===2?String.fromCharCode(e[t+1]):String.fromCharCode(e[t+1],e[t+2])}function Zp(e,t,n){let r=t+1,i=0,a=r;if(r<n&&(e.charCodeAt(r)|Lp)===Ip.LOWER_X)for(r+=1,a=r;r<n;){let t=e.charCodeAt(r);if(Up(t))i=i*16+(t-Ip.ZERO);else if(Wp(t))i=i*16+((t|Lp)-Ip.LOWER_A+10);else break;r+=1}else for(;r<n;){let t=e.charCodeAt(r)-Ip.ZERO;if(t>>>0>9)break;i=i*10+t,r+=1}if(r===a)return 0;r<n&&e.charCodeAt(r)===Ip.SEMI&&(r+=1),i>1114111&&(i=1114112);let o=r-t;return o>=Bp&&(Vp=o,o=Bp),o<<Rp|i}function Qp(e,t,n){let r=Pp,i=e.indexOf(`&`);if(i<0)return e;let a=e.length,o=0,s=``,c=r[0],l=c&Fp.JUMP_TABLE,u=(c&Fp.BRANCH_LENGTH)>>7;do{let c=i+1,d=e.charCodeAt(c),f,p;if(d===Ip.NUM){let n=Zp(e,c,a);f=Hp(n),t&&f>0&&e.charCodeAt(c+f-1)!==Ip.SEMI&&(f=0),p=f===0?``:jp(n&zp)}else if(Gp(d)){f=0,p=``;let n=d-l,i;if(n>>>0<u){let e=r[1+n];i=e===0?-1:u+e&65535}else i=-1;let o=0,s=0,m=i<0?0:r[i],h=c+1;e:for(;h<a;){for(;(m&(Fp.VALUE_LENGTH|Fp.FLAG13))===0&&(m&Fp.JUMP_TABLE)!==0;){let t=m&Fp.JUMP_TABLE,n=(m&Fp.BRANCH_LENGTH)>>7;if(n===0){if(e.charCodeAt(h)!==t)break e;i+=1}else{let a=e.charCodeAt(h)-t;if(a>>>0>=n)break e;let o=r[i+1+a];if(o===0)break e;i=i+n+o&65535}if(m=r[i],h+=1,h>=a)break e}if((m&(Fp.VALUE_LENGTH|Fp.FLAG13))===Fp.FLAG13){let t=(m&Fp.BRANCH_LENGTH)>>7;if(e.charCodeAt(h)!==(m&Fp.JUMP_TABLE))break;h+=1;let n=t-1,a=i+1,o=0;for(;o+1<n;o+=2){let t=r[a];if(e.charCodeAt(h)!==(t&255)||(h+=1,e.charCodeAt(h)!==(t>>8&255)))break e;h+=1,a+=1}if(o<n){if(e.charCodeAt(h)!==(r[a]&255))break;h+=1}i+=1+(t>>1),m=r[i];continue}let n=m>>>14,l=e.charCodeAt(h);if(n!==0){if(l===Ip.SEMI){f=h-c+1,p=n===1?String.fromCharCode(m&Fp.VALUE_MASK):Xp(r,i,n);break}if(!t&&(m&Fp.FLAG13)===0&&(f=h-c,o=i,s=n),n===1)break}let u=Yp(r,m,i+(n||1),l);if(u<0)break;i=u,m=r[i],h+=1}if(p===``){let e=m>>>14;e!==0&&!t&&(m&Fp.FLAG13)===0&&(f=h-c,o=i,s=e),f>0&&(p=Xp(r,o,s))}}else f=0,p=``;f===0||n&&d!==Ip.NUM&&e.charCodeAt(c+f-1)!==Ip.SEMI&&c+f<a&&Kp(e.charCodeAt(c+f))?i=c:(o<i&&(s+=e.slice(o,i)),s+=p,i=o=c+f),e.charCodeAt(i)!==Ip.AMP&&(i=e.indexOf(`&`,i))}while(i>=0);return s+e.slice(o)}function $p(e){return Qp(e,!0,!1)}var em=class{src_Any=Sp.source;src_Cc=Cp.source;src_Z=Dp.source;src_P=Tp.source;src_ZPCc=[this.src_Z,this.src_P,this.src_Cc].join(`|`);src_ZCc=[this.src_Z,this.src_Cc].join(`|`);cache={};opts={maxLength:1e4,urlAuth:!1,schema_names:[]};constructor(e={}){this.opts={...this.opts,...e}}set(e={}){return this.opts={...this.opts,...e},this.cache={},this}escapeRE(e){return e.replace(/[.?*+^$[\]\\(){}|-]/g,`\\$&`)}nestedPairRE(e,t,n=4){let r=this.escapeRE(e),i=this.escapeRE(t),a=`(?:(?!${this.src_ZCc}|${r}|${i}).)`,o=`${r}${a}{0,1000}${i}`;for(let e=2;e<=n;e++)o=`${r}(?:${a}|${o}){0,1000}${i}`;return o}get_text_separators(){return this.cache.text_separators??=/[><\uff5c]/}get_pseudo_letter(){return this.cache.src_pseudo_letter??=RegExp(`(?:(?!${this.get_text_separators().source}|${this.src_ZPCc})${this.src_Any})`)}get_ipv4_addr(){return this.cache.src_ip4??=RegExp(`(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])[.]){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])`)}get_ipv6_addr(){let e=`[0-9A-Fa-f]{1,4}`,t=`(?:(?:${e}:${e})|${this.get_ipv4_addr().source})`;return this.cache.src_ip6_addr??=RegExp(`(?:(?:${e}:){6}${t}|::(?:${e}:){5}${t}|(?:${e})?::(?:${e}:){4}${t}|(?:(?:${e}:){0,1}${e})?::(?:${e}:){3}${t}|(?:(?:${e}:){0,2}${e})?::(?:${e}:){2}${t}|(?:(?:${e}:){0,3}${e})?::${e}:${t}|(?:(?:${e}:){0,4}${e})?::${t}|(?:(?:${e}:){0,5}${e})?::${e}|(?:(?:${e}:){0,6}${e})?::)`)}get_ipv6_url_host(){return this.cache.src_ip6_host??=RegExp(`\\[${this.get_ipv6_addr().source}\\]`)}get_ipv6_mail_host(){return this.cache.src_ipv6_mail_host??=RegExp(`\\[IPv6:${this.get_ipv6_addr().source}\\]`)}get_auth(){return this.cache.src_auth??=RegExp(`(?:(?:(?!${this.src_ZCc}|[@/\\[\\]()]).){1,50}@)?`)}get_port(){return this.cache.src_port??=RegExp(`(?::(?:6(?:[0-4]\\d{3}|5(?:[0-4]\\d{2}|5(?:[0-2]\\d|3[0-5])))|[1-5]?\\d{1,4}))?`)}get_host_terminator(){return this.cache.src_host_terminator??=RegExp(`(?=$|${this.get_text_separators().source}|${this.src_ZPCc})(?!${this.opts[`---`]?`-(?!--)|`:`-|`}_|:\\d|\\.-|\\.(?!$|${this.src_ZPCc}))`)}get_path_terminator(){return this.cache.src_path_terminator??=RegExp(`${this.src_ZPCc}|${this.get_text_separators().source}`)}get_path(){return this.cache.src_path??=RegExp(`(?:[/?#](?:${this.nestedPairRE(`[`,`]`)}|${this.nestedPairRE(`(`,`)`)}|${this.nestedPairRE(`{`,`}`)}|\\"(?:(?!${this.src_ZCc}|["]).){1,100}\\"|\\'(?:(?!${this.src_ZCc}|[']).){1,100}\\'|\\'(?=${this.get_pseudo_letter().source}|[-])|\\.{2,20}[:]?[a-zA-Z0-9%/&]|\\.(?!${this.src_ZCc}|[.]|$)|`+(this.opts[`---`]?`\\-(?!--(?:[^-]|$))(?:-{0,19})|`:`\\-{1,20}|`)+`,(?!${this.src_ZCc}|$)|;(?!${this.src_ZCc}|$)|\\!{1,20}(?!${this.src_ZCc}|[!]|$)|\\?(?!${this.src_ZCc}|[?]|$)|`+this.get_path_extra().source+`[\\\\/:%@#&=_~*]|(?!${this.get_path_terminator().source}).){1,${this.opts.maxLength}}|\\/)?`)}get_mail_name(){return this.cache.src_mail_name??=RegExp("[-!#$%&'*+/=?^_`{|}~a-zA-Z0-9](?:[-!#$%&'*+/=?^_`{|}~a-zA-Z0-9]|[.](?=[-!#$%&'*+/=?^_`{|}~a-zA-Z0-9])){0,63}")}get_xn(){return this.cache.src_xn??=RegExp(`xn--[a-z0-9\\-]{1,59}`)}get_tld(){if(this.cache.tld)return this.cache.tld;let e=[...new Set(this.opts.tlds||[])].sort().reverse().join(`|`);return this.cache.tld=RegExp(`${e||`$#none#$`}|${this.get_xn().source}`),this.cache.tld}get_domain_root(){return this.cache.src_domain_root??=RegExp(`(?:`+this.get_xn().source+`|${this.get_pseudo_letter().source}{1,63})`)}get_domain(){return this.cache.src_domain??=RegExp(`(?:`+this.get_xn().source+`|(?:${this.get_pseudo_letter().source})|(?:${this.get_pseudo_letter().source}(?:-|${this.get_pseudo_letter().source}){0,61}${this.get_pseudo_letter().source}))`)}get_url_host_port(){return this.cache.url_host_port??=RegExp(`(?:`+this.get_ipv6_url_host().source+`|(?:(?:(?:${this.get_domain().source})\\.){0,10}${this.get_domain().source}))`+this.get_port().source+this.get_host_terminator().source)}get_fuzzy_url_host_port(){return this.cache.fuzzy_url_host_port??=RegExp(`(?:`+(this.opts.fuzzyIP?this.get_ipv4_addr().source+`|`:``)+`(?:(?:(?:${this.get_domain().source})\\.){1,10}(?:${this.get_tld().source})))`+this.get_host_terminator().source)}get_mail_host(){return this.cache.src_mail_host??=RegExp(`(?:`+this.get_ipv6_mail_host().source+`|(?:(?:(?:${this.get_domain().source})\\.){0,4}${this.get_domain().source}))`+this.get_host_terminator().source)}get_fuzzy_mail_host(){return this.cache.src_fuzzy_mail_host??=RegExp(`(?:`+this.get_ipv6_mail_host().source+`|(?:(?:(?:${this.get_domain().source})[.]){1,4}${this.get_domain_root().source}))`+this.get_host_terminator().source)}get_path_extra(){return this.cache.src_path_extra??=RegExp(``)}get_fuzzy_mail_host_search(){return this.cache.mail_fuzzy_host_search??=RegExp(`@${this.get_fuzzy_mail_host().source}`,`ig`)}get_fuzzy_link_search(){return this.cache.link_fuzzy_search??=RegExp(`(^|(?![.:/\\-_@])(?:[$+<=>^\`|\uff5c]|${this.src_ZPCc}))(?:(?![$+<=>^\`|\uff5c])${this.get_fuzzy_url_host_port().source}${this.get_path().source})`,`ig`)}get_http_validator(){return this.cache.http_validator??=RegExp(`\\/\\/`+(this.opts.urlAuth?this.get_auth().source:``)+this.get_url_host_port().source+this.get_path().source,`iy`)}get_relative_proto_validator(){return this.cache.relative_proto_validator??=RegExp((this.opts.urlAuth?this.get_auth().source:``)+`(?:localhost|${this.get_ipv6_url_host().source}|(?:(?:${this.get_domain().source})[.]){1,10}${this.get_domain_root().source})`+this.get_port().source+this.get_host_terminator().source+this.get_path().source,`iy`)}get_mail_name_validator(){return this.cache.mail_name_validator??=RegExp(`(?:^|${this.get_text_separators().source}|"|\\(|${this.src_ZCc})(${this.get_mail_name().source})$`)}get_mailto_validator(){return this.cache.mailto_validator??=RegExp(`${this.get_mail_name().source}@${this.get_mail_host().source}`,`iy`)}get_schema_names(){return this.cache.schema_names??=new RegExp((this.opts.schema_names||[]).map(e=>this.escapeRE(e)).join(`|`))}get_schema_search(){return this.cache.schema_search??=RegExp(`(^|(?!_)(?:[><\uff5c]|${this.src_ZPCc}))(${this.get_schema_names().source})`,`ig`)}get_schema_at_start(){return this.cache.schema_at_start??=RegExp(`^${this.get_schema_search().source}`,`i`)}},tm={validate:(e,t,n)=>{let r=n.re.get_http_validator();r.lastIndex=t;let i=r.exec(e);return i?i[0].length:0},normalize:(e,t)=>t.normalize(e)},nm={"http:":tm,"https:":tm,"ftp:":tm,"//":{validate:function(e,t,n){let r=n.re.get_relative_proto_validator();r.lastIndex=t;let i=r.exec(e);return i?t>=3&&e[t-3]===`:`||t>=3&&e[t-3]===`/`?0:i[0].length:0},normalize:(e,t)=>t.normalize(e)},"mailto:":{validate:function(e,t,n){let r=n.re.get_mailto_validator();r.lastIndex=t;let i=r.exec(e);return i?i[0].length:0},normalize:(e,t)=>t.normalize(e)}},rm=`a:cdefgilmnoqrstuwxz|b:abdefghijmnorstvwyz|c:acdfghiklmnoruvwxyz|d:ejkmoz|e:cegrstu|f:ijkmor|g:abdefghilmnpqrstuwy|h:kmnrtu|i:delmnoqrst|j:emop|k:eghimnprwyz|l:abcikrstuvy|m:acdeghklmnopqrstuvwxyz|n:acefgilopruz|o:m|p:aefghklmnrstwy|q:a|r:eosuw|s:abcdeghijklmnortuvxyz|t:cdfghjklmnortvwz|u:agksyz|v:aceginu|w:fs|y:et|z:amw`,im=`biz|com|edu|gov|net|org|pro|web|xxx|aero|asia|coop|info|museum|name|shop|рф`;function am(){let e=im.split(`|`);return rm.split(`|`).forEach(t=>{let n=t.indexOf(`:`),r=t.slice(0,n);for(let i of t.slice(n+1))e.push(r+i)}),e}var om={fuzzyLink:!1,fuzzyEmail:!0,fuzzyIP:!1,"---":!1,tlds:am(),urlAuth:!1,maxLength:1e4},sm=class{schema;index;lastIndex;raw;text;url;constructor(e,t,n,r){let i=e.slice(n,r);this.schema=t.toLowerCase(),this.index=n,this.lastIndex=r,this.raw=i,this.text=i,this.url=i}},cm=class{__opts__;__schemas__;re;constructor(e={}){let{rebuilder:t,...n}=e;this.__opts__={...om,...n},this.__schemas__={...nm},this.re=t||new em,this.re.set({...this.__opts__,schema_names:Object.keys(this.__schemas__)})}add(e,t=null){if(!t)delete this.__schemas__[e];else{let n={normalize:(e,t)=>t.normalize(e),...t};this.__schemas__[e]=n}return this.re.set({...this.__opts__,schema_names:Object.keys(this.__schemas__)}),this}set(e={}){return this.__opts__={...this.__opts__,...e},this.re.set({...this.__opts__,schema_names:Object.keys(this.__schemas__)}),this}test(e){if(!e.length)return!1;let t,n;for(n=this.re.get_schema_search(),n.lastIndex=0;(t=n.exec(e))!==null;)if(this.testSchemaAt(e,t[2],n.lastIndex))return!0;if(this.__opts__.fuzzyLink&&this.__schemas__[`http:`]&&(n=this.re.get_fuzzy_link_search(),n.lastIndex=0,n.exec(e)!==null))return!0;if(this.__opts__.fuzzyEmail&&this.__schemas__[`mailto:`]&&e.indexOf(`@`)>=0){let n=this.re.get_fuzzy_mail_host_search(),r=this.re.get_mail_name_validator();for(n.lastIndex=0;(t=n.exec(e))!==null;){let n=e.slice(Math.max(0,t.index-65),t.index);if(r.test(n))return!0}}return!1}testSchemaAt(e,t,n){return this.__schemas__[t.toLowerCase()]?this.__schemas__[t.toLowerCase()].validate(e.slice(0,n+this.__opts__.maxLength),n,this):0}match(e){let t=[],n=this.re.get_schema_search(),r,i,a,o,s,c,l=!1,u=!1,d=!1,f=0;if(!e.length)return null;for(n.lastIndex=0,this.__opts__.fuzzyLink&&this.__schemas__[`http:`]&&(r=this.re.get_fuzzy_link_search(),r.lastIndex=0),this.__opts__.fuzzyEmail&&this.__schemas__[`mailto:`]&&(i=this.re.get_fuzzy_mail_host_search(),i.lastIndex=0,a=this.re.get_mail_name_validator());;){let p=Math.max(f-1,0);if(i&&a&&!d&&(!s||s.index<f))for(i.lastIndex<p&&(i.lastIndex=p);;){let t=i.exec(e);if(!t){d=!0,s=void 0;break}let n=a.exec(e.slice(Math.max(0,t.index-65),t.index));if(n){if(s={schema:`mailto:`,index:t.index-n[1].length,lastIndex:t.index+t[0].length},s.index>=f)break;i.lastIndex<p&&(i.lastIndex=p)}}if(r&&!u&&(!o||o.index<f))for(r.lastIndex<p&&(r.lastIndex=p);;){let t=r.exec(e);if(!t){u=!0,o=void 0;break}if(o={schema:``,index:t.index+t[1].length,lastIndex:t.index+t[0].length},o.index>=f)break;r.lastIndex<p&&(r.lastIndex=p)}let m=s;(!m||o&&(o.index<m.index||o.index===m.index&&o.lastIndex>m.lastIndex))&&(m=o);let h;if(!l)for(;;){if(!c){n.lastIndex<p&&(n.lastIndex=p);let t=n.exec(e);if(!t){l=!0;break}c={schema:t[2],index:t.index+t[1].length,lastIndex:t.index+t[0].length}}if(c.index<f){c=void 0;continue}if(m&&c.index>m.index)break;let t=c;c=void 0;let r=this.testSchemaAt(e,t.schema,t.lastIndex);if(r){h={schema:t.schema,index:t.index,lastIndex:t.lastIndex+r};break}}let g=h;if((!g||s&&(s.index<g.index||s.index===g.index&&s.lastIndex>g.lastIndex))&&(g=s),(!g||o&&(o.index<g.index||o.index===g.index&&o.lastIndex>g.lastIndex))&&(g=o),!g)break;g===s?s=void 0:g===o&&(o=void 0);let _=new sm(e,g.schema,g.index,g.lastIndex);_.schema?this.__schemas__[_.schema].normalize(_,this):this.normalize(_),t.push(_),f=g.lastIndex}return t.length?t:null}matchAtStart(e){if(!e.length)return null;let t=this.re.get_schema_at_start().exec(e);if(!t)return null;let n=this.testSchemaAt(e,t[2],t[0].length);if(!n)return null;let r=new sm(e,t[2],t.index+t[1].length,t.index+t[0].length+n);return this.__schemas__[r.schema].normalize(r,this),r}tlds(e,t=!1){return e=Array.isArray(e)?e:[e],t?this.__opts__.tlds=this.__opts__.tlds.concat(e):this.__opts__.tlds=e,this.re.set({...this.__opts__,schema_names:Object.keys(this.__schemas__)}),this}normalize(e){e.schema||(e.url=`http://${e.url}`),e.schema===`mailto:`&&!/^mailto:/i.test(e.url)&&(e.url=`mailto:${e.url}`)}},lm=0x7fffffff,um=36,dm=1,fm=26,pm=38,mm=700,hm=72,gm=128,_m=`-`,vm=/^xn--/,ym=/[^\0-\x7F]/,bm=/[\x2E\u3002\uFF0E\uFF61]/g,xm={overflow:`Overflow: input needs wider integers to process`,"not-basic":`Illegal input >= 0x80 (not a basic code point)`,"invalid-input":`Invalid input`},Sm=35,Cm=Math.floor,wm=String.fromCharCode;function Tm(e){throw RangeError(xm[e])}function Em(e,t){let n=[],r=e.length;for(;r--;)n[r]=t(e[r]);return n}function Dm(e,t){let n=e.split(`@`),r=``;n.length>1&&(r=n[0]+`@`,e=n[1]),e=e.replace(bm,`.`);let i=Em(e.split(`.`),t).join(`.`);return r+i}function Om(e){let t=[],n=0,r=e.length;for(;n<r;){let i=e.charCodeAt(n++);if(i>=55296&&i<=56319&&n<r){let r=e.charCodeAt(n++);(r&64512)==56320?t.push(((i&1023)<<10)+(r&1023)+65536):(t.push(i),n--)}else t.push(i)}return t}var km=e=>String.fromCodePoint(...e),Am=function(e){return e>=48&&e<58?26+(e-48):e>=65&&e<91?e-65:e>=97&&e<123?e-97:um},jm=function(e,t){return e+22+75*(e<26)-((t!=0)<<5)},Mm=function(e,t,n){let r=0;for(e=n?Cm(e/mm):e>>1,e+=Cm(e/t);e>455;r+=um)e=Cm(e/Sm);return Cm(r+36*e/(e+pm))},Nm=function(e){let t=[],n=e.length,r=0,i=gm,a=hm,o=e.lastIndexOf(_m);o<0&&(o=0);for(let n=0;n<o;++n)e.charCodeAt(n)>=128&&Tm(`not-basic`),t.push(e.charCodeAt(n));for(let s=o>0?o+1:0;s<n;){let o=r;for(let t=1,i=um;;i+=um){s>=n&&Tm(`invalid-input`);let o=Am(e.charCodeAt(s++));o>=um&&Tm(`invalid-input`),o>Cm((lm-r)/t)&&Tm(`overflow`),r+=o*t;let c=i<=a?dm:i>=a+fm?fm:i-a;if(o<c)break;let l=um-c;t>Cm(lm/l)&&Tm(`overflow`),t*=l}let c=t.length+1;a=Mm(r-o,c,o==0),Cm(r/c)>lm-i&&Tm(`overflow`),i+=Cm(r/c),r%=c,t.splice(r++,0,i)}return String.fromCodePoint(...t)},Pm=function(e){let t=[];e=Om(e);let n=e.length,r=gm,i=0,a=hm;for(let n of e)n<128&&t.push(wm(n));let o=t.length,s=o;for(o&&t.push(_m);s<n;){let n=lm;for(let t of e)t>=r&&t<n&&(n=t);let c=s+1;n-r>Cm((lm-i)/c)&&Tm(`overflow`),i+=(n-r)*c,r=n;for(let n of e)if(n<r&&++i>lm&&Tm(`overflow`),n===r){let e=i;for(let n=um;;n+=um){let r=n<=a?dm:n>=a+fm?fm:n-a;if(e<r)break;let i=e-r,o=um-r;t.push(wm(jm(r+i%o,0))),e=Cm(i/o)}t.push(wm(jm(e,0))),a=Mm(i,c,s===o),i=0,++s}++i,++r}return t.join(``)},Fm={version:`2.3.1`,ucs2:{decode:Om,encode:km},decode:Nm,encode:Pm,toASCII:function(e){return Dm(e,function(e){return ym.test(e)?`xn--`+Pm(e):e})},toUnicode:function(e){return Dm(e,function(e){return vm.test(e)?Nm(e.slice(4).toLowerCase()):e})}},Im=Object.defineProperty,Lm=(e,t)=>{let n={};for(var r in e)Im(n,r,{get:e[r],enumerable:!0});return t||Im(n,Symbol.toStringTag,{value:`Module`}),n},Rm=Lm({arrayReplaceAt:()=>Bm,asciiTrim:()=>lh,callable:()=>zm,escapeHtml:()=>$m,escapeRE:()=>th,fromCodePoint:()=>Hm,isMdAsciiPunct:()=>oh,isPunctChar:()=>ih,isPunctCharCode:()=>ah,isSpace:()=>nh,isValidEntityCode:()=>Vm,isWhiteSpace:()=>rh,lib:()=>uh,normalizeReference:()=>sh,unescapeAll:()=>Jm,unescapeMd:()=>qm});function zm(e){let t=function(...n){return Reflect.construct(e,n,new.target&&new.target!==t?new.target:e)};return Object.defineProperty(t,"name",{value:e.name}),Object.setPrototypeOf(t,e),t.prototype=e.prototype,t}function Bm(e,t,n){return[].concat(e.slice(0,t),n,e.slice(t+1))}function Vm(e){return!(e>=55296&&e<=57343||e>=64976&&e<=65007||(e&65535)==65535||(e&65535)==65534||e>=0&&e<=8||e===11||e>=14&&e<=31||e>=127&&e<=159||e>1114111)}function Hm(e){if(e>65535){e-=65536;let t=55296+(e>>10),n=56320+(e&1023);return String.fromCharCode(t,n)}return String.fromCharCode(e)}var Um=/\\([!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~])/g,Wm=RegExp(`${Um.source}|&([a-z#][a-z0-9]{1,31});`,`gi`),Gm=/^#((?:x[a-f0-9]{1,8}|[0-9]{1,8}))$/i;function Km(e,t){if(t.charCodeAt(0)===35&&Gm.test(t)){let n=t[1].toLowerCase()===`x`?parseInt(t.slice(2),16):parseInt(t.slice(1),10);return Vm(n)?Hm(n):e}let n=$p(e);return n===e?e:n}function qm(e){return e.indexOf(`\\`)<0?e:e.replace(Um,`$1`)}function Jm(e){return e.indexOf(`\\`)<0&&e.indexOf(`&`)<0?e:e.replace(Wm,function(e,t,n){return t||Km(e,n)})}var Ym=/[&<>"]/,Xm=/[&<>"]/g,Zm={"&":`&amp;`,"<":`&lt;`,">":`&gt;`,'"':`&quot;`};function Qm(e){return Zm[e]}function $m(e){return Ym.test(e)?e.replace(Xm,Qm):e}var eh=/[.?*+^$[\]\\(){}|-]/g;function th(e){return e.replace(eh,`\\$&`)}function nh(e){switch(e){case 9:case 32:return!0}return!1}function rh(e){if(e>=8192&&e<=8202)return!0;switch(e){case 9:case 10:case 11:case 12:case 13:case 32:case 160:case 5760:case 8239:case 8287:case 12288:return!0}return!1}function ih(e){return Tp.test(e)||Ep.test(e)}function ah(e){return ih(Hm(e))}function oh(e){switch(e){case 33:case 34:case 35:case 36:case 37:case 38:case 39:case 40:case 41:case 42:case 43:case 44:case 45:case 46:case 47:case 58:case 59:case 60:case 61:case 62:case 63:case 64:case 91:case 92:case 93:case 94:case 95:case 96:case 123:case 124:case 125:case 126:return!0;default:return!1}}function sh(e){return e=e.trim().replace(/\s+/g,` `),e.toLowerCase().toUpperCase()}function ch(e){return e===32||e===9||e===10||e===13}function lh(e){let t=0;for(;t<e.length&&ch(e.charCodeAt(t));t++);let n=e.length-1;for(;n>=t&&ch(e.charCodeAt(n));n--);return e.slice(t,n+1)}var uh={mdurl:bp,ucmicro:xp};function dh(e,t,n){let r,i,a,o,s=e.posMax,c=e.pos;for(e.pos=t+1,r=1;e.pos<s;){if(a=e.src.charCodeAt(e.pos),a===93&&(r--,r===0)){i=!0;break}if(o=e.pos,e.md.inline.skipToken(e),a===91){if(o===e.pos-1)r++;else if(n)return e.pos=c,-1}}let l=-1;return i&&(l=e.pos),e.pos=c,l}function fh(e,t,n){let r,i=t,a={ok:!1,pos:0,str:``};if(e.charCodeAt(i)===60){for(i++;i<n;){if(r=e.charCodeAt(i),r===10||r===60)return a;if(r===62)return a.pos=i+1,a.str=Jm(e.slice(t+1,i)),a.ok=!0,a;r===92&&i+1<n?i+=2:i++}return a}let o=0;for(;i<n&&(r=e.charCodeAt(i),!(r===32||r<32||r===127));)if(r===92&&i+1<n){if(e.charCodeAt(i+1)===32){i++;continue}i+=2}else{if(r===40&&(o++,o>32))return a;if(r===41){if(o===0)break;o--}i++}return t===i||o!==0||(a.str=Jm(e.slice(t,i)),a.pos=i,a.ok=!0),a}function ph(e,t,n,r){let i,a=t,o={ok:!1,can_continue:!1,pos:0,str:``,marker:0};if(r)o.str=r.str,o.marker=r.marker;else{if(a>=n)return o;let r=e.charCodeAt(a);if(r!==34&&r!==39&&r!==40)return o;t++,a++,r===40&&(r=41),o.marker=r}for(;a<n;){if(i=e.charCodeAt(a),i===o.marker)return o.pos=a+1,o.str+=Jm(e.slice(t,a)),o.ok=!0,o;if(i===40&&o.marker===41)return o;i===92&&a+1<n&&a++,a++}return o.can_continue=!0,o.str+=Jm(e.slice(t,a)),o}var mh=Lm({parseLinkDestination:()=>fh,parseLinkLabel:()=>dh,parseLinkTitle:()=>ph});function hh(e){"@babel/helpers - typeof";return hh=typeof Symbol==`function`&&typeof Symbol.iterator==`symbol`?function(e){return typeof e}:function(e){return e&&typeof Symbol==`function`&&e.constructor===Symbol&&e!==Symbol.prototype?`symbol`:typeof e},hh(e)}function gh(e,t){if(hh(e)!=`object`||!e)return e;var n=e[Symbol.toPrimitive];if(n!==void 0){var r=n.call(e,t||`default`);if(hh(r)!=`object`)return r;throw TypeError(`@@toPrimitive must return a primitive value.`)}return(t===`string`?String:Number)(e)}function _h(e){var t=gh(e,`string`);return hh(t)==`symbol`?t:t+``}function K(e,t,n){return(t=_h(t))in e?Object.defineProperty(e,t,{value:n,enumerable:!0,configurable:!0,writable:!0}):e[t]=n,e}var vh=class{constructor(e,t,n){K(this,`map`,null),K(this,`level`,0),K(this,`children`,null),K(this,`content`,``),K(this,`markup`,``),K(this,`info`,``),K(this,`block`,!1),K(this,`hidden`,!1),this.type=e,this.tag=t,this.attrs=null,this.nesting=n,this.meta=null}attrIndex(e){if(!this.attrs)return-1;let t=this.attrs;for(let n=0,r=t.length;n<r;n++)if(t[n][0]===e)return n;return-1}attrPush(e){this.attrs?this.attrs.push(e):this.attrs=[e]}attrSet(e,t){let n=this.attrIndex(e),r=[e,t];n<0?this.attrPush(r):this.attrs[n]=r}attrGet(e){let t=this.attrIndex(e),n=null;return t>=0&&(n=this.attrs[t][1]),n}attrJoin(e,t){let n=this.attrIndex(e);n<0?this.attrPush([e,t]):this.attrs[n][1]=`${this.attrs[n][1]} ${t}`}},yh=class{constructor(){K(this,`__rules__`,[]),K(this,`__cache__`,null)}__find__(e){for(let t=0;t<this.__rules__.length;t++)if(this.__rules__[t].name===e)return t;return-1}__compile__(){let e=new Set;this.__rules__.forEach(t=>{t.enabled&&t.alt.forEach(t=>{t&&e.add(t)})}),this.__cache__=Object.create(null),this.__cache__[``]=[],this.__rules__.forEach(e=>{e.enabled&&this.__cache__[``].push(e.fn)}),e.forEach(e=>{this.__cache__[e]=[],this.__rules__.forEach(t=>{t.enabled&&t.alt.indexOf(e)>=0&&this.__cache__[e].push(t.fn)})})}at(e,t,n={}){let r=this.__find__(e);if(r===-1)throw Error(`Parser rule not found: ${e}`);this.__rules__[r].fn=t,this.__rules__[r].alt=n.alt||[],this.__cache__=null}before(e,t,n,r={}){let i=this.__find__(e);if(i===-1)throw Error(`Parser rule not found: ${e}`);this.__rules__.splice(i,0,{name:t,enabled:!0,fn:n,alt:r.alt||[]}),this.__cache__=null}after(e,t,n,r={}){let i=this.__find__(e);if(i===-1)throw Error(`Parser rule not found: ${e}`);this.__rules__.splice(i+1,0,{name:t,enabled:!0,fn:n,alt:r.alt||[]}),this.__cache__=null}push(e,t,n={}){this.__rules__.push({name:e,enabled:!0,fn:t,alt:n.alt||[]}),this.__cache__=null}enable(e,t=!1){Array.isArray(e)||(e=[e]);let n=[];return e.forEach(e=>{let r=this.__find__(e);if(r<0){if(t)return;throw Error(`Rules manager: invalid rule name ${e}`)}this.__rules__[r].enabled=!0,n.push(e)}),this.__cache__=null,n}enableOnly(e,t=!1){Array.isArray(e)||(e=[e]),this.__rules__.forEach(e=>{e.enabled=!1}),this.enable(e,t)}disable(e,t=!1){Array.isArray(e)||(e=[e]);let n=[];return e.forEach(e=>{let r=this.__find__(e);if(r<0){if(t)return;throw Error(`Rules manager: invalid rule name ${e}`)}this.__rules__[r].enabled=!1,n.push(e)}),this.__cache__=null,n}getRules(e){return this.__cache__||this.__compile__(),this.__cache__[e]||[]}},bh={};bh.code_inline=function(e,t,n,r,i){let a=e[t];return`<code${i.renderAttrs(a)}>${$m(a.content)}</code>`},bh.code_block=function(e,t,n,r,i){let a=e[t];return`<pre${i.renderAttrs(a)}><code>${$m(e[t].content)}</code></pre>\n`},bh.fence=function(e,t,n,r,i){let a=e[t],o=a.info?Jm(a.info).trim():``,s=``,c=``;if(o){let e=o.split(/(\s+)/g);s=e[0],c=e.slice(2).join(``)}let l;if(l=n.highlight&&n.highlight(a.content,s,c)||$m(a.content),l.indexOf(`<pre`)===0)return l+`
`;if(o){let e=a.attrIndex(`class`),t=a.attrs?a.attrs.slice():[];e<0?t.push([`class`,`${n.langPrefix}${s}`]):(t[e]=[t[e][0],t[e][1]],t[e][1]+=` ${n.langPrefix}${s}`);let r={attrs:t};return`<pre><code${i.renderAttrs(r)}>${l}</code></pre>\n`}return`<pre><code${i.renderAttrs(a)}>${l}</code></pre>\n`},bh.image=function(e,t,n,r,i){let a=e[t];return a.attrs[a.attrIndex(`alt`)][1]=i.renderInlineAsText(a.children,n,r),i.renderToken(e,t,n)},bh.hardbreak=function(e,t,n){return n.xhtmlOut?`<br />
`:`<br>
`},bh.softbreak=function(e,t,n){return n.breaks?n.xhtmlOut?`<br />
`:`<br>
`:`
`},bh.text=function(e,t){return $m(e[t].content)},bh.html_block=function(e,t){return e[t].content},bh.html_inline=function(e,t){return e[t].content};var xh=class{constructor(){K(this,`rules`,Object.assign({},bh))}renderAttrs(e){let t,n,r;if(!e.attrs)return``;for(r=``,t=0,n=e.attrs.length;t<n;t++)r+=` ${$m(e.attrs[t][0])}="${$m(String(e.attrs[t][1]))}"`;return r}renderToken(e,t,n){let r=e[t],i=``;if(r.hidden)return``;let a=t-1;for(;a>=0&&e[a].hidden&&e[a].nesting===0;)a--;r.block&&r.nesting!==-1&&a>=0&&e[a].hidden&&e[a].nesting===-1&&(i+=`
`),i+=(r.nesting===-1?`</`:`<`)+r.tag,i+=this.renderAttrs(r),r.nesting===0&&n.xhtmlOut&&(i+=` /`);let o=!1;if(r.block&&(o=!0,r.nesting===1)){let n=t+1;for(;n<e.length&&e[n].hidden&&e[n].nesting===0;)n++;if(n<e.length){let t=e[n];(t.type===`inline`||t.hidden||t.nesting===-1&&t.tag===r.tag)&&(o=!1)}}return i+=o?`>
`:`>`,i}renderInline(e,t,n){let r=``,i=this.rules;for(let a=0,o=e.length;a<o;a++){let o=e[a].type;i[o]===void 0?r+=this.renderToken(e,a,t):r+=i[o](e,a,t,n,this)}return r}renderInlineAsText(e,t,n){let r=``;for(let i=0,a=e.length;i<a;i++)switch(e[i].type){case`text`:case`code_inline`:r+=e[i].content;break;case`image`:r+=this.renderInlineAsText(e[i].children,t,n);break;case`html_inline`:case`html_block`:r+=e[i].content;break;case`softbreak`:case`hardbreak`:r+=`
`}return r}render(e,t,n){let r=``,i=this.rules;for(let a=0,o=e.length;a<o;a++){let o=e[a].type;o===`inline`?r+=this.renderInline(e[a].children,t,n):i[o]===void 0?r+=this.renderToken(e,a,t):r+=i[o](e,a,t,n,this)}return r}},Sh=class{constructor(e,t,n){K(this,`tokens`,[]),K(this,`inlineMode`,!1),K(this,`Token`,vh),this.src=e,this.env=n,this.md=t}},Ch=/\r\n?/g,wh=/\0/g;function Th(e){let t;t=e.src.replace(Ch,`
`),t=t.replace(wh,`�`),e.src=t}function Eh(e){let t;e.inlineMode?(t=new e.Token(`inline`,``,0),t.content=e.src,t.map=[0,1],t.children=[],e.tokens.push(t)):e.md.block.parse(e.src,e.md,e.env,e.tokens)}function Dh(e){let t=e.tokens,n=0;for(let e=0;e<t.length;e++)t[e].type!==`reference_definition`&&(e!==n&&(t[n]=t[e]),n++);t.length!==n&&(t.length=n)}function Oh(e){let t=e.tokens;for(let n=0,r=t.length;n<r;n++){let r=t[n];r.type===`inline`&&e.md.inline.parse(r.content,e.md,e.env,r.children)}}function kh(e){return/^<a[>\s]/i.test(e)}function Ah(e){return/^<\/a\s*>/i.test(e)}function jh(e){let t=e.tokens;if(e.md.options.linkify)for(let n=0,r=t.length;n<r;n++){if(t[n].type!==`inline`||!e.md.linkify.test(t[n].content))continue;let r=t[n].children,i=[],a=0;for(let t=r.length-1;t>=0;t--){let n=r[t];if(n.type===`link_close`)for(t--;r[t].level!==n.level&&r[t].type!==`link_open`;)t--;else if(n.type===`html_inline`&&(kh(n.content)&&a>0&&a--,Ah(n.content)&&a++),!(a>0)&&n.type===`text`&&e.md.linkify.test(n.content)){let a=n.content,o=e.md.linkify.match(a),s=[],c=n.level,l=0;o.length>0&&o[0].index===0&&t>0&&r[t-1].type===`text_special`&&(o=o.slice(1));for(let t=0;t<o.length;t++){let n=o[t].url,r=e.md.normalizeLink(n);if(!e.md.validateLink(r))continue;let i=o[t].text;i=o[t].schema?o[t].schema===`mailto:`&&!/^mailto:/i.test(i)?e.md.normalizeLinkText(`mailto:${i}`).replace(/^mailto:/,``):e.md.normalizeLinkText(i):e.md.normalizeLinkText(`http://${i}`).replace(/^http:\/\//,``);let u=o[t].index;if(u>l){let t=new e.Token(`text`,``,0);t.content=a.slice(l,u),t.level=c,s.push(t)}let d=new e.Token(`link_open`,`a`,1);d.attrs=[[`href`,r]],d.level=c++,d.markup=`linkify`,d.info=`auto`,s.push(d);let f=new e.Token(`text`,``,0);f.content=i,f.level=c,s.push(f);let p=new e.Token(`link_close`,`a`,-1);p.level=--c,p.markup=`linkify`,p.info=`auto`,s.push(p),l=o[t].lastIndex}if(l<a.length){let t=new e.Token(`text`,``,0);t.content=a.slice(l),t.level=c,s.push(t)}i.push({index:t,nodes:s})}}if(i.length>0){let e=r.length;for(let t of i)e+=t.nodes.length-1;let a=Array(e),o=0,s=0;i.reverse();for(let e=0;e<r.length;e++){let t=i[o];if(t?.index===e){for(let e of t.nodes)a[s++]=e;o++}else a[s++]=r[e]}t[n].children=a}}}var Mh=/\+-|\.\.|\?\?\?\?|!!!!|,,|--/,Nh=/\((c|tm|r)\)/i,Ph=/\((c|tm|r)\)/gi,Fh={c:`©`,r:`®`,tm:`™`};function Ih(e,t){return Fh[t.toLowerCase()]}function Lh(e){let t=0;for(let n=e.length-1;n>=0;n--){let r=e[n];r.type===`text`&&!t&&(r.content=r.content.replace(Ph,Ih)),r.type===`link_open`&&r.info===`auto`&&t--,r.type===`link_close`&&r.info===`auto`&&t++}}function Rh(e){let t=0;for(let n=e.length-1;n>=0;n--){let r=e[n];r.type===`text`&&!t&&Mh.test(r.content)&&(r.content=r.content.replace(/\+-/g,`±`).replace(/\.{2,}/g,`…`).replace(/([?!])…/g,`$1..`).replace(/([?!]){4,}/g,`$1$1$1`).replace(/,{2,}/g,`,`).replace(/(^|[^-])---(?=[^-]|$)/gm,`$1—`).replace(/(^|\s)--(?=\s|$)/gm,`$1–`).replace(/(^|[^-\s])--(?=[^-\s]|$)/gm,`$1–`)),r.type===`link_open`&&r.info===`auto`&&t--,r.type===`link_close`&&r.info===`auto`&&t++}}function zh(e){let t;if(e.md.options.typographer)for(t=e.tokens.length-1;t>=0;t--)e.tokens[t].type===`inline`&&(Nh.test(e.tokens[t].content)&&Lh(e.tokens[t].children),Mh.test(e.tokens[t].content)&&Rh(e.tokens[t].children))}var Bh=/['"]/,Vh=/['"]/g,Hh=`’`,Uh=1e3;function Wh(e,t,n){for(;e.length>n;){let n=e.pop();n.isSingleQuote?t.single=n.prevSameQuoteIdx:t.double=n.prevSameQuoteIdx}}function Gh(e,t,n,r){e[t]||(e[t]=[]),e[t].push({pos:n,ch:r})}function Kh(e,t){let n=``,r=0;t.sort((e,t)=>e.pos-t.pos);for(let i=0;i<t.length;i++){let a=t[i];n+=e.slice(r,a.pos)+a.ch,r=a.pos+1}return n+e.slice(r)}function qh(e,t){let n,r=[],i={single:-1,double:-1},a={};for(let o=0;o<e.length;o++){let s=e[o],c=e[o].level;for(n=r.length-1;n>=0&&!(r[n].level<=c);n--);if(Wh(r,i,n+1),s.type!==`text`)continue;let l=s.content,u=0,d=l.length;for(;u<d;){Vh.lastIndex=u;let s=Vh.exec(l);if(!s)break;let f=!0,p=!0;u=s.index+1;let m=s[0]===`'`,h=32;if(s.index-1>=0)h=l.charCodeAt(s.index-1);else for(n=o-1;n>=0&&e[n].type!==`softbreak`&&e[n].type!==`hardbreak`;n--)if(e[n].content){h=e[n].content.charCodeAt(e[n].content.length-1);break}let g=32;if(u<d)g=l.charCodeAt(u);else for(n=o+1;n<e.length&&e[n].type!==`softbreak`&&e[n].type!==`hardbreak`;n++)if(e[n].content){g=e[n].content.charCodeAt(0);break}let _=oh(h)||ah(h),v=oh(g)||ah(g),y=rh(h),b=rh(g);if(b?f=!1:v&&(y||_||(f=!1)),y?p=!1:_&&(b||v||(p=!1)),g===34&&s[0]===`"`&&h>=48&&h<=57&&(p=f=!1),f&&p&&(f=_,p=v),!f&&!p)m&&Gh(a,o,s.index,Hh);else{if(p&&(n=m?i.single:i.double,n>=0&&r[n].level===c)){let e=r[n],c,l;m?(c=t.md.options.quotes[2],l=t.md.options.quotes[3]):(c=t.md.options.quotes[0],l=t.md.options.quotes[1]),Gh(a,o,s.index,l),Gh(a,e.tokenIdx,e.contentPos,c),Wh(r,i,n);continue}if(f){if(r.length>=Uh)return;r.push({tokenIdx:o,contentPos:s.index,isSingleQuote:m,level:c,prevSameQuoteIdx:m?i.single:i.double}),m?i.single=r.length-1:i.double=r.length-1}else p&&m&&Gh(a,o,s.index,Hh)}}}Object.keys(a).forEach(function(t){let n=Number(t);e[n].content=Kh(e[n].content,a[t])})}function Jh(e){if(e.md.options.typographer)for(let t=e.tokens.length-1;t>=0;t--)e.tokens[t].type===`inline`&&Bh.test(e.tokens[t].content)&&qh(e.tokens[t].children,e)}function Yh(e){let t,n,r=e.length;for(t=0;t<r;t++)e[t].type===`text_special`&&(e[t].type=`text`);for(t=n=0;t<r;t++)e[t].type===`text`&&t+1<r&&e[t+1].type===`text`?e[t+1].content=e[t].content+e[t+1].content:(t!==n&&(e[n]=e[t]),n++);t!==n&&(e.length=n)}function Xh(e){let t,n,r=e.tokens,i=r.length;for(let e=0;e<i;e++){if(r[e].type!==`inline`)continue;let i=r[e].children,a=i.length;for(t=0;t<a;t++)i[t].type===`text_special`&&(i[t].type=`text`),i[t].children&&Yh(i[t].children);for(t=n=0;t<a;t++)i[t].type===`text`&&t+1<a&&i[t+1].type===`text`?i[t+1].content=i[t].content+i[t+1].content:(t!==n&&(i[n]=i[t]),n++);t!==n&&(i.length=n)}}var Zh=[[`normalize`,Th],[`block`,Eh],[`strip_references`,Dh],[`inline`,Oh],[`linkify`,jh],[`replacements`,zh],[`smartquotes`,Jh],[`text_join`,Xh]],Qh=class{constructor(){K(this,`ruler`,new yh),K(this,`State`,Sh);for(let e=0;e<Zh.length;e++)this.ruler.push(Zh[e][0],Zh[e][1])}process(e){let t=this.ruler.getRules(``);for(let n=0,r=t.length;n<r;n++)t[n](e)}},$h=class{constructor(e,t,n,r){K(this,`bMarks`,[]),K(this,`eMarks`,[]),K(this,`tShift`,[]),K(this,`sCount`,[]),K(this,`bsCount`,[]),K(this,`blkIndent`,0),K(this,`line`,0),K(this,`lineMax`,0),K(this,`tight`,!1),K(this,`listIndent`,-1),K(this,`parentType`,`root`),K(this,`level`,0),K(this,`Token`,vh),this.src=e,this.md=t,this.env=n,this.tokens=r;let i=this.src;for(let e=0,t=0,n=0,r=0,a=i.length,o=!1;t<a;t++){let s=i.charCodeAt(t);if(!o){if(nh(s)){n++,s===9?r+=4-r%4:r++;continue}o=!0}(s===10||t===a-1)&&(s!==10&&t++,this.bMarks.push(e),this.eMarks.push(t),this.tShift.push(n),this.sCount.push(r),this.bsCount.push(0),o=!1,n=0,r=0,e=t+1)}this.bMarks.push(i.length),this.eMarks.push(i.length),this.tShift.push(0),this.sCount.push(0),this.bsCount.push(0),this.lineMax=this.bMarks.length-1}push(e,t,n){let r=new vh(e,t,n);return r.block=!0,n<0&&this.level--,r.level=this.level,n>0&&this.level++,this.tokens.push(r),r}isEmpty(e){return this.bMarks[e]+this.tShift[e]>=this.eMarks[e]}skipEmptyLines(e){for(let t=this.lineMax;e<t&&!(this.bMarks[e]+this.tShift[e]<this.eMarks[e]);e++);return e}skipSpaces(e){for(let t=this.src.length;e<t&&nh(this.src.charCodeAt(e));e++);return e}skipSpacesBack(e,t){if(e<=t)return e;for(;e>t;)if(!nh(this.src.charCodeAt(--e)))return e+1;return e}skipChars(e,t){for(let n=this.src.length;e<n&&this.src.charCodeAt(e)===t;e++);return e}skipCharsBack(e,t,n){if(e<=n)return e;for(;e>n;)if(t!==this.src.charCodeAt(--e))return e+1;return e}getLines(e,t,n,r){if(e>=t)return``;let i=Array(t-e);for(let a=0,o=e;o<t;o++,a++){let e=0,s=this.bMarks[o],c=s,l;for(l=o+1<t||r?this.eMarks[o]+1:this.eMarks[o];c<l&&e<n;){let t=this.src.charCodeAt(c);if(nh(t))t===9?e+=4-(e+this.bsCount[o])%4:e++;else if(c-s<this.tShift[o])e++;else break;c++}e>n?i[a]=Array(e-n+1).join(` `)+this.src.slice(c,l):i[a]=this.src.slice(c,l)}return i.join(``)}},eg=65536;function tg(e,t){let n=e.bMarks[t]+e.tShift[t],r=e.eMarks[t];return e.src.slice(n,r)}function ng(e){let t=[],n=e.length,r=0,i=e.charCodeAt(r),a=!1,o=0,s=``;for(;r<n;)i===124&&(a?(s+=e.substring(o,r-1),o=r):(t.push(s+e.substring(o,r)),s=``,o=r+1)),a=i===92,r++,i=e.charCodeAt(r);return t.push(s+e.substring(o)),t}function rg(e,t,n,r){if(t+2>n)return!1;let i=t+1;if(e.sCount[i]<e.blkIndent||e.sCount[i]-e.blkIndent>=4)return!1;let a=e.bMarks[i]+e.tShift[i];if(a>=e.eMarks[i])return!1;let o=e.src.charCodeAt(a++);if(o!==124&&o!==45&&o!==58||a>=e.eMarks[i])return!1;let s=e.src.charCodeAt(a++);if(s!==124&&s!==45&&s!==58&&!nh(s)||o===45&&nh(s))return!1;for(;a<e.eMarks[i];){let t=e.src.charCodeAt(a);if(t!==124&&t!==45&&t!==58&&!nh(t))return!1;a++}let c=tg(e,t+1),l=c.split(`|`),u=[];for(let e=0;e<l.length;e++){let t=l[e].trim();if(!t){if(e===0||e===l.length-1)continue;return!1}if(!/^:?-+:?$/.test(t))return!1;t.charCodeAt(t.length-1)===58?u.push(t.charCodeAt(0)===58?`center`:`right`):t.charCodeAt(0)===58?u.push(`left`):u.push(``)}if(c=tg(e,t).trim(),c.indexOf(`|`)===-1||e.sCount[t]-e.blkIndent>=4)return!1;l=ng(c),l.length&&l[0]===``&&l.shift(),l.length&&l[l.length-1]===``&&l.pop();let d=l.length;if(d===0||d!==u.length)return!1;if(r)return!0;let f=e.parentType;e.parentType=`table`;let p=e.md.block.ruler.getRules(`blockquote`),m=e.push(`table_open`,`table`,1),h=[t,0];m.map=h;let g=e.push(`thead_open`,`thead`,1);g.map=[t,t+1];let _=e.push(`tr_open`,`tr`,1);_.map=[t,t+1];for(let t=0;t<l.length;t++){let n=e.push(`th_open`,`th`,1);u[t]&&(n.attrs=[[`style`,`text-align:${u[t]}`]]);let r=e.push(`inline`,``,0);r.content=l[t].trim(),r.children=[],e.push(`th_close`,`th`,-1)}e.push(`tr_close`,`tr`,-1),e.push(`thead_close`,`thead`,-1);let v,y=0;for(i=t+2;i<n&&!(e.sCount[i]<e.blkIndent);i++){let r=!1;for(let t=0,a=p.length;t<a;t++)if(p[t](e,i,n,!0)){r=!0;break}if(r||(c=tg(e,i).trim(),!c)||e.sCount[i]-e.blkIndent>=4||(l=ng(c),l.length&&l[0]===``&&l.shift(),l.length&&l[l.length-1]===``&&l.pop(),y+=d-l.length,y>eg))break;if(i===t+2){let n=e.push(`tbody_open`,`tbody`,1);n.map=v=[t+2,0]}let a=e.push(`tr_open`,`tr`,1);a.map=[i,i+1];for(let t=0;t<d;t++){let n=e.push(`td_open`,`td`,1);u[t]&&(n.attrs=[[`style`,`text-align:${u[t]}`]]);let r=e.push(`inline`,``,0);r.content=l[t]?l[t].trim():``,r.children=[],e.push(`td_close`,`td`,-1)}e.push(`tr_close`,`tr`,-1)}return v&&(e.push(`tbody_close`,`tbody`,-1),v[1]=i),e.push(`table_close`,`table`,-1),h[1]=i,e.parentType=f,e.line=i,!0}function ig(e,t,n){if(e.sCount[t]-e.blkIndent<4)return!1;let r=t+1,i=r;for(;r<n;)if(e.isEmpty(r))r++;else if(e.sCount[r]-e.blkIndent>=4)r++,i=r;else break;e.line=i;let a=e.push(`code_block`,`code`,0);return a.content=e.getLines(t,i,4+e.blkIndent,!1)+`
`,a.map=[t,e.line],!0}function ag(e,t,n,r){let i=e.bMarks[t]+e.tShift[t],a=e.eMarks[t];if(e.sCount[t]-e.blkIndent>=4||i+3>a)return!1;let o=e.src.charCodeAt(i);if(o!==126&&o!==96)return!1;let s=i;i=e.skipChars(i,o);let c=i-s;if(c<3)return!1;let l=e.src.slice(s,i),u=e.src.slice(i,a);if(o===96&&u.indexOf(String.fromCharCode(o))>=0)return!1;if(r)return!0;let d=t,f=!1;for(;d++,!(d>=n||(i=s=e.bMarks[d]+e.tShift[d],a=e.eMarks[d],i<a&&e.sCount[d]<e.blkIndent));)if(e.src.charCodeAt(i)===o&&!(e.sCount[d]-e.blkIndent>=4)&&(i=e.skipChars(i,o),!(i-s<c)&&(i=e.skipSpaces(i),!(i<a)))){f=!0;break}c=e.sCount[t],e.line=d+ +!!f;let p=e.push(`fence`,`code`,0);return p.info=u,p.content=e.getLines(t+1,d,c,!0),p.markup=l,p.map=[t,e.line],!0}function og(e,t,n,r){let i=e.bMarks[t]+e.tShift[t],a=e.eMarks[t],o=e.lineMax;if(e.sCount[t]-e.blkIndent>=4||e.src.charCodeAt(i)!==62)return!1;if(r)return!0;let s=[],c=[],l=[],u=[],d=e.md.block.ruler.getRules(`blockquote`),f=e.parentType;e.parentType=`blockquote`;let p=!1,m;for(m=t;m<n;m++){let t=e.sCount[m]<e.blkIndent;if(i=e.bMarks[m]+e.tShift[m],a=e.eMarks[m],i>=a)break;if(e.src.charCodeAt(i++)===62&&!t){let t=e.sCount[m]+1,n,r;e.src.charCodeAt(i)===32?(i++,t++,r=!1,n=!0):e.src.charCodeAt(i)===9?(n=!0,(e.bsCount[m]+t)%4==3?(i++,t++,r=!1):r=!0):n=!1;let o=t;for(s.push(e.bMarks[m]),e.bMarks[m]=i;i<a;){let t=e.src.charCodeAt(i);if(nh(t))t===9?o+=4-(o+e.bsCount[m]+ +!!r)%4:o++;else break;i++}p=i>=a,c.push(e.bsCount[m]),e.bsCount[m]=e.sCount[m]+1+ +!!n,l.push(e.sCount[m]),e.sCount[m]=o-t,u.push(e.tShift[m]),e.tShift[m]=i-e.bMarks[m];continue}if(p)break;let r=!1;for(let t=0,i=d.length;t<i;t++)if(d[t](e,m,n,!0)){r=!0;break}if(r){e.lineMax=m,e.blkIndent!==0&&(s.push(e.bMarks[m]),c.push(e.bsCount[m]),u.push(e.tShift[m]),l.push(e.sCount[m]),e.sCount[m]-=e.blkIndent);break}s.push(e.bMarks[m]),c.push(e.bsCount[m]),u.push(e.tShift[m]),l.push(e.sCount[m]),e.sCount[m]=-1}let h=e.blkIndent;e.blkIndent=0;let g=e.push(`blockquote_open`,`blockquote`,1);g.markup=`>`;let _=[t,0];g.map=_,e.md.block.tokenize(e,t,m);let v=e.push(`blockquote_close`,`blockquote`,-1);v.markup=`>`,e.lineMax=o,e.parentType=f,_[1]=e.line;for(let n=0;n<u.length;n++)e.bMarks[n+t]=s[n],e.tShift[n+t]=u[n],e.sCount[n+t]=l[n],e.bsCount[n+t]=c[n];return e.blkIndent=h,!0}function sg(e,t,n,r){let i=e.eMarks[t];if(e.sCount[t]-e.blkIndent>=4)return!1;let a=e.bMarks[t]+e.tShift[t],o=e.src.charCodeAt(a++);if(o!==42&&o!==45&&o!==95)return!1;let s=1;for(;a<i;){let t=e.src.charCodeAt(a++);if(t!==o&&!nh(t))return!1;t===o&&s++}if(s<3)return!1;if(r)return!0;e.line=t+1;let c=e.push(`hr`,`hr`,0);return c.map=[t,e.line],c.markup=Array(s+1).join(String.fromCharCode(o)),!0}function cg(e,t){let n=e.eMarks[t],r=e.bMarks[t]+e.tShift[t],i=e.src.charCodeAt(r++);return i!==42&&i!==45&&i!==43||r<n&&!nh(e.src.charCodeAt(r))?-1:r}function lg(e,t){let n=e.bMarks[t]+e.tShift[t],r=e.eMarks[t],i=n;if(i+1>=r)return-1;let a=e.src.charCodeAt(i++);if(a<48||a>57)return-1;for(;;){if(i>=r)return-1;if(a=e.src.charCodeAt(i++),a>=48&&a<=57){if(i-n>=10)return-1}else{if(a===41||a===46)break;return-1}}return i<r&&(a=e.src.charCodeAt(i),!nh(a))?-1:i}function ug(e,t){let n=e.level+2;for(let r=t+2,i=e.tokens.length-2;r<i;r++)e.tokens[r].level===n&&e.tokens[r].type===`paragraph_open`&&(e.tokens[r+2].hidden=!0,e.tokens[r].hidden=!0,r+=2)}function dg(e,t,n,r){let i,a,o,s,c=t,l=!0;if(e.sCount[c]-e.blkIndent>=4||e.listIndent>=0&&e.sCount[c]-e.listIndent>=4&&e.sCount[c]<e.blkIndent)return!1;let u=!1;r&&e.parentType===`paragraph`&&e.sCount[c]>=e.blkIndent&&(u=!0);let d,f,p;if((p=lg(e,c))>=0){if(d=!0,o=e.bMarks[c]+e.tShift[c],f=Number(e.src.slice(o,p-1)),u&&f!==1)return!1}else if((p=cg(e,c))>=0)d=!1;else return!1;if(u&&e.skipSpaces(p)>=e.eMarks[c])return!1;if(r)return!0;let m=e.src.charCodeAt(p-1),h=e.tokens.length;d?(s=e.push(`ordered_list_open`,`ol`,1),f!==1&&(s.attrs=[[`start`,f]])):s=e.push(`bullet_list_open`,`ul`,1);let g=[c,0];s.map=g,s.markup=String.fromCharCode(m);let _=!1,v=e.md.block.ruler.getRules(`list`),y=e.parentType;for(e.parentType=`list`;c<n;){a=p,i=e.eMarks[c];let t=e.sCount[c]+p-(e.bMarks[c]+e.tShift[c]),r=t;for(;a<i;){let t=e.src.charCodeAt(a);if(t===9)r+=4-(r+e.bsCount[c])%4;else if(t===32)r++;else break;a++}let u=a,f;f=u>=i?1:r-t,f>4&&(f=1);let h=t+f;s=e.push(`list_item_open`,`li`,1),s.markup=String.fromCharCode(m);let g=[c,0];s.map=g,d&&(s.info=e.src.slice(o,p-1));let y=e.tight,b=e.tShift[c],x=e.sCount[c],S=e.listIndent;if(e.listIndent=e.blkIndent,e.blkIndent=h,e.tight=!0,e.tShift[c]=u-e.bMarks[c],e.sCount[c]=r,u>=i&&e.isEmpty(c+1)?e.line=Math.min(e.line+2,n):e.md.block.tokenize(e,c,n),(!e.tight||_)&&(l=!1),_=e.line-c>1&&e.isEmpty(e.line-1),e.blkIndent=e.listIndent,e.listIndent=S,e.tShift[c]=b,e.sCount[c]=x,e.tight=y,s=e.push(`list_item_close`,`li`,-1),s.markup=String.fromCharCode(m),c=e.line,g[1]=c,c>=n||e.sCount[c]<e.blkIndent||e.sCount[c]-e.blkIndent>=4)break;let C=!1;for(let t=0,r=v.length;t<r;t++)if(v[t](e,c,n,!0)){C=!0;break}if(C)break;if(d){if(p=lg(e,c),p<0)break;o=e.bMarks[c]+e.tShift[c]}else if(p=cg(e,c),p<0)break;if(m!==e.src.charCodeAt(p-1))break}return s=d?e.push(`ordered_list_close`,`ol`,-1):e.push(`bullet_list_close`,`ul`,-1),s.markup=String.fromCharCode(m),g[1]=c,e.line=c,e.parentType=y,l&&ug(e,h),!0}var fg=999;function pg(e){let t=e.length;for(let n=0;n<e.length-1;n++){let r=e.charCodeAt(n);if(r<55296||r>56319)continue;let i=e.charCodeAt(n+1);i>=56320&&i<=57343&&(t--,n++)}return t}function mg(e,t){return Math.min(e.eMarks[t]+1,e.src.length)}function hg(e,t){let n=e.lineMax;if(t>=n||e.isEmpty(t))return-1;let r=!1;if(e.sCount[t]-e.blkIndent>3&&(r=!0),e.sCount[t]<0&&(r=!0),!r){let r=e.md.block.ruler.getRules(`reference`),i=e.parentType;e.parentType=`reference`;let a=!1;for(let i=0,o=r.length;i<o;i++)if(r[i](e,t,n,!0)){a=!0;break}if(e.parentType=i,a)return-1}return e.bMarks[t]+e.tShift[t]}function gg(e,t,n,r){let i=e.src,a=e.bMarks[t]+e.tShift[t],o=t+1;if(e.sCount[t]-e.blkIndent>=4||i.charCodeAt(a)!==91)return!1;let s=mg(e,t),c=``,l=-1,u=++a;for(;a<s;){if(c.length+a-u>fg*2)return!1;let t=i.charCodeAt(a);if(t===91)return!1;if(t===93){l=a;break}if(t===92&&(t=i.charCodeAt(++a)),t===10&&a<s){let t=hg(e,o);if(t<0)return!1;c+=i.slice(u,s),a=u=t,s=mg(e,o++)}else a++}if(l<0||i.charCodeAt(l+1)!==58||(c+=i.slice(u,l),c.length>fg&&pg(c)>fg))return!1;for(a=l+2;a<s;){let t=i.charCodeAt(a);if(t===10){let t=hg(e,o);if(t<0)break;a=t,s=mg(e,o++)}else if(nh(t))a++;else break}let d=e.md.helpers.parseLinkDestination(i,a,s);if(!d.ok)return!1;let f=e.md.normalizeLink(d.str);if(!e.md.validateLink(f))return!1;a=d.pos;let p=a,m=s,h=o;for(;a<s;){let t=i.charCodeAt(a);if(t===10){let t=hg(e,o);if(t<0)break;a=t,s=mg(e,o++)}else if(nh(t))a++;else break}let g=a,_=e.md.helpers.parseLinkTitle(i,a,s);for(;_.can_continue;){let t=hg(e,o);if(t<0)break;a=t,s=mg(e,o++),_=e.md.helpers.parseLinkTitle(i,a,s,_)}let v;for(g!==p&&_.ok?(v=_.str,a=_.pos):(v=``,a=p,s=m,o=h);a<s&&nh(i.charCodeAt(a));)a++;if(a<s&&i.charCodeAt(a)!==10&&v)for(v=``,a=p,s=m,o=h;a<s&&nh(i.charCodeAt(a));)a++;if(a<s&&i.charCodeAt(a)!==10)return!1;let y=sh(c);if(!y)return!1;if(r)return!0;e.env.references===void 0&&(e.env.references={}),e.env.references[y]===void 0&&(e.env.references[y]={title:v,href:f});let b=e.push(`reference_definition`,``,0);b.map=[t,o],b.hidden=!0;let x=Object.create(null);return x.label=y,b.meta=x,e.line=o,!0}var _g=`address.article.aside.base.basefont.blockquote.body.caption.center.col.colgroup.dd.details.dialog.dir.div.dl.dt.fieldset.figcaption.figure.footer.form.frame.frameset.h1.h2.h3.h4.h5.h6.head.header.hr.html.iframe.legend.li.link.main.menu.menuitem.nav.noframes.ol.optgroup.option.p.param.search.section.summary.table.tbody.td.tfoot.th.thead.title.tr.track.ul`.split(`.`),vg=`<[A-Za-z][A-Za-z0-9\\-]*(?:\\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\\s*=\\s*(?:[^"'=<>\`\\x00-\\x20]+|'[^']*'|"[^"]*"))?)*\\s*\\/?>`,yg=`<\\/[A-Za-z][A-Za-z0-9\\-]*\\s*>`;RegExp(`^(?:${vg}|${yg}|<!---?>|<!--(?:[^-]|-[^-]|--[^>])*-->|<[?][\\s\\S]*?[?]>|<![A-Za-z][^>]*>|<!\\[CDATA\\[[\\s\\S]*?\\]\\]>)`);var bg=RegExp(`^(?:${vg}|${yg})`),xg=[[/^<(script|pre|style|textarea)(?=(\s|>|$))/i,/<\/(script|pre|style|textarea)>/i,!0],[/^<!--/,/-->/,!0],[/^<\?/,/\?>/,!0],[/^<![A-Za-z]/,/>/,!0],[/^<!\[CDATA\[/,/\]\]>/,!0],[RegExp(`^</?(${_g.join(`|`)})(?=(\\s|/?>|$))`,`i`),/^$/,!0],[RegExp(`${bg.source}\\s*$`),/^$/,!1]];function Sg(e,t,n,r){let i=e.bMarks[t]+e.tShift[t],a=e.eMarks[t];if(e.sCount[t]-e.blkIndent>=4||!e.md.options.html||e.src.charCodeAt(i)!==60)return!1;let o=e.src.slice(i,a),s=0;for(;s<xg.length&&!xg[s][0].test(o);s++);if(s===xg.length)return!1;if(r)return xg[s][2];let c=t+1,l=xg[s][1].test(``);if(!xg[s][1].test(o)){for(;c<n&&!(e.sCount[c]<e.blkIndent&&(l||!e.isEmpty(c)));c++)if(i=e.bMarks[c]+e.tShift[c],a=e.eMarks[c],o=e.src.slice(i,a),xg[s][1].test(o)){o.length!==0&&c++;break}}e.line=c;let u=e.push(`html_block`,``,0);return u.map=[t,c],u.content=e.getLines(t,c,e.blkIndent,!0),!0}function Cg(e,t,n,r){let i=e.bMarks[t]+e.tShift[t],a=e.eMarks[t];if(e.sCount[t]-e.blkIndent>=4)return!1;let o=e.src.charCodeAt(i);if(o!==35||i>=a)return!1;let s=1;for(o=e.src.charCodeAt(++i);o===35&&i<a&&s<=6;)s++,o=e.src.charCodeAt(++i);if(s>6||i<a&&!nh(o))return!1;if(r)return!0;a=e.skipSpacesBack(a,i);let c=e.skipCharsBack(a,35,i);c>i&&nh(e.src.charCodeAt(c-1))&&(a=c),e.line=t+1;let l=e.push(`heading_open`,`h${s}`,1);l.markup=`########`.slice(0,s),l.map=[t,e.line];let u=e.push(`inline`,``,0);u.content=lh(e.src.slice(i,a)),u.map=[t,e.line],u.children=[];let d=e.push(`heading_close`,`h${s}`,-1);return d.markup=`########`.slice(0,s),!0}function wg(e,t,n){let r=e.md.block.ruler.getRules(`paragraph`);if(e.sCount[t]-e.blkIndent>=4)return!1;let i=e.parentType;e.parentType=`paragraph`;let a=0,o,s=t+1;for(;s<n&&!e.isEmpty(s);s++){if(e.sCount[s]-e.blkIndent>3)continue;if(e.sCount[s]>=e.blkIndent){let t=e.bMarks[s]+e.tShift[s],n=e.eMarks[s];if(t<n&&(o=e.src.charCodeAt(t),(o===45||o===61)&&(t=e.skipChars(t,o),t=e.skipSpaces(t),t>=n))){a=o===61?1:2;break}}if(e.sCount[s]<0)continue;let t=!1;for(let i=0,a=r.length;i<a;i++)if(r[i](e,s,n,!0)){t=!0;break}if(t)break}if(!a)return e.parentType=i,!1;let c=lh(e.getLines(t,s,e.blkIndent,!1));e.line=s+1;let l=e.push(`heading_open`,`h${a}`,1);l.markup=String.fromCharCode(o),l.map=[t,e.line];let u=e.push(`inline`,``,0);u.content=c,u.map=[t,e.line-1],u.children=[];let d=e.push(`heading_close`,`h${a}`,-1);return d.markup=String.fromCharCode(o),e.parentType=i,!0}function Tg(e,t,n){let r=e.md.block.ruler.getRules(`paragraph`),i=e.parentType,a=t+1;for(e.parentType=`paragraph`;a<n&&!e.isEmpty(a);a++){if(e.sCount[a]-e.blkIndent>3||e.sCount[a]<0)continue;let t=!1;for(let i=0,o=r.length;i<o;i++)if(r[i](e,a,n,!0)){t=!0;break}if(t)break}let o=lh(e.getLines(t,a,e.blkIndent,!1));e.line=a;let s=e.push(`paragraph_open`,`p`,1);s.map=[t,e.line];let c=e.push(`inline`,``,0);return c.content=o,c.map=[t,e.line],c.children=[],e.push(`paragraph_close`,`p`,-1),e.parentType=i,!0}var Eg=[[`table`,rg,[`paragraph`,`reference`]],[`code`,ig],[`fence`,ag,[`paragraph`,`reference`,`blockquote`,`list`]],[`blockquote`,og,[`paragraph`,`reference`,`blockquote`,`list`]],[`hr`,sg,[`paragraph`,`reference`,`blockquote`,`list`]],[`list`,dg,[`paragraph`,`reference`,`blockquote`]],[`reference`,gg],[`html_block`,Sg,[`paragraph`,`reference`,`blockquote`]],[`heading`,Cg,[`paragraph`,`reference`,`blockquote`]],[`lheading`,wg],[`paragraph`,Tg]],Dg=class{constructor(){K(this,`ruler`,new yh),K(this,`State`,$h);for(let e=0;e<Eg.length;e++)this.ruler.push(Eg[e][0],Eg[e][1],{alt:(Eg[e][2]||[]).slice()})}tokenize(e,t,n){let r=this.ruler.getRules(``),i=r.length,a=e.md.options.maxNesting,o=t,s=!1;for(;o<n&&(e.line=o=e.skipEmptyLines(o),!(o>=n||e.sCount[o]<e.blkIndent));){if(e.level>=a){e.line=n;break}let t=e.line,c=!1;for(let a=0;a<i;a++)if(c=r[a](e,o,n,!1),c){if(t>=e.line)throw Error(`block rule didn't increment state.line`);break}if(!c)throw Error(`none of the block rules matched`);e.tight=!s,e.isEmpty(e.line-1)&&(s=!0),o=e.line,o<n&&e.isEmpty(o)&&(s=!0,o++,e.line=o)}}parse(e,t,n,r){if(!e)return;let i=new this.State(e,t,n,r);this.tokenize(i,i.line,i.lineMax)}},Og=class{constructor(e,t,n,r){K(this,`pos`,0),K(this,`level`,0),K(this,`pending`,``),K(this,`pendingLevel`,0),K(this,`cache`,{}),K(this,`backticks`,{}),K(this,`backticksScanned`,!1),K(this,`skipHtmlSpecial`,!1),K(this,`linkLevel`,0),K(this,`delimiters`,[]),K(this,`_prev_delimiters`,[]),K(this,`Token`,vh),this.src=e,this.env=n,this.md=t,this.tokens=r,this.tokens_meta=Array(r.length),this.posMax=this.src.length}pushPending(){let e=new vh(`text`,``,0);return e.content=this.pending,e.level=this.pendingLevel,this.tokens.push(e),this.pending=``,e}push(e,t,n){this.pending&&this.pushPending();let r=new vh(e,t,n),i;return n<0&&(this.level--,this.delimiters=this._prev_delimiters.pop()),r.level=this.level,n>0&&(this.level++,this._prev_delimiters.push(this.delimiters),this.delimiters=[],i={delimiters:this.delimiters}),this.pendingLevel=this.level,this.tokens.push(r),this.tokens_meta.push(i),r}scanDelims(e,t){let n=this.posMax,r=this.src.charCodeAt(e),i;if(e===0)i=32;else if(e===1)i=this.src.charCodeAt(0),(i&63488)==55296&&(i=65533);else if(i=this.src.charCodeAt(e-1),(i&64512)==56320){let t=this.src.charCodeAt(e-2);i=(t&64512)==55296?65536+(t-55296<<10)+(i-56320):65533}else(i&64512)==55296&&(i=65533);let a=e;for(;a<n&&this.src.charCodeAt(a)===r;)a++;let o=a-e,s=a<n?this.src.charCodeAt(a):32;if((s&64512)==55296){let e=this.src.charCodeAt(a+1);s=(e&64512)==56320?65536+(s-55296<<10)+(e-56320):65533}else(s&64512)==56320&&(s=65533);let c=oh(i)||ah(i),l=oh(s)||ah(s),u=rh(i),d=rh(s),f=!d&&(!l||u||c),p=!u&&(!c||d||l);return{can_open:f&&(t||!p||c),can_close:p&&(t||!f||l),length:o}}};function kg(e){switch(e){case 10:case 33:case 35:case 36:case 37:case 38:case 42:case 43:case 45:case 58:case 60:case 61:case 62:case 64:case 91:case 92:case 93:case 94:case 95:case 96:case 123:case 125:case 126:return!0;default:return!1}}function Ag(e,t){let n=e.pos;for(;n<e.posMax&&!kg(e.src.charCodeAt(n));)n++;return n!==e.pos&&(t||(e.pending+=e.src.slice(e.pos,n)),e.pos=n,!0)}function jg(e){return e>=65&&e<=90||e>=97&&e<=122}function Mg(e){return e>=65&&e<=90||e>=97&&e<=122||e>=48&&e<=57||e===43||e===45||e===46}function Ng(e,t){if(!e.md.options.linkify||e.linkLevel>0)return!1;let n=e.pos,r=e.posMax;if(n+3>r||e.src.charCodeAt(n)!==58||e.src.charCodeAt(n+1)!==47||e.src.charCodeAt(n+2)!==47)return!1;let i=n-Math.min(10,e.pending.length,n),a=n;for(;a>i&&Mg(e.src.charCodeAt(a-1));)a--;if(a===n||!jg(e.src.charCodeAt(a)))return!1;let o=n-a,s=e.md.linkify.matchAtStart(e.src.slice(a));if(!s)return!1;let c=s.url;if(c.length<=o)return!1;let l=c.length;for(;l>0&&c.charCodeAt(l-1)===42;)l--;l!==c.length&&(c=c.slice(0,l));let u=e.md.normalizeLink(c);if(!e.md.validateLink(u))return!1;if(!t){e.pending=e.pending.slice(0,-o);let t=e.push(`link_open`,`a`,1);t.attrs=[[`href`,u]],t.markup=`linkify`,t.info=`auto`;let n=e.push(`text`,``,0);n.content=e.md.normalizeLinkText(c);let r=e.push(`link_close`,`a`,-1);r.markup=`linkify`,r.info=`auto`}return e.pos+=c.length-o,!0}function Pg(e,t){let n=e.pos;if(e.src.charCodeAt(n)!==10)return!1;let r=e.pending.length-1,i=e.posMax;if(!t){if(r>=0&&e.pending.charCodeAt(r)===32){if(r>=1&&e.pending.charCodeAt(r-1)===32){let t=r-1;for(;t>=1&&e.pending.charCodeAt(t-1)===32;)t--;e.pending=e.pending.slice(0,t),e.push(`hardbreak`,`br`,0)}else e.pending=e.pending.slice(0,-1),e.push(`softbreak`,`br`,0)}else e.push(`softbreak`,`br`,0)}for(n++;n<i&&nh(e.src.charCodeAt(n));)n++;return e.pos=n,!0}var Fg=[];for(let e=0;e<256;e++)Fg.push(0);`\\!"#$%&'()*+,./:;<=>?@[]^_\`{|}~-`.split(``).forEach(function(e){Fg[e.charCodeAt(0)]=1});function Ig(e,t){let n=e.pos,r=e.posMax;if(e.src.charCodeAt(n)!==92||(n++,n>=r))return!1;let i=e.src.charCodeAt(n);if(i===10){for(t||e.push(`hardbreak`,`br`,0),n++;n<r&&(i=e.src.charCodeAt(n),nh(i));)n++;return e.pos=n,!0}if(i===32){if(!t){let t=e.push(`text_special`,``,0);t.content=`\\`,t.markup=`\\`,t.info=`escape`}return e.pos=n,!0}let a=e.src[n];if(i>=55296&&i<=56319&&n+1<r){let t=e.src.charCodeAt(n+1);t>=56320&&t<=57343&&(a+=e.src[n+1],n++)}let o=`\\`+a;if(!t){let t=e.push(`text_special`,``,0);t.content=i<256&&Fg[i]!==0?a:o,t.markup=o,t.info=`escape`}return e.pos=n+1,!0}function Lg(e){let t={},n=0;for(;(n=e.indexOf("`",n))!==-1;){let r=n;for(;e.charCodeAt(++n)===96;);t[n-r]=r}return t}function Rg(e,t){let n=e.pos;if(e.src.charCodeAt(n)!==96)return!1;let r=e.posMax,i=n+1;for(;i<r&&e.src.charCodeAt(i)===96;)i++;let a=e.src.slice(n,i),o=a.length;if(e.backticksScanned||=(e.backticks=Lg(e.src),!0),(e.backticks[o]??-1)>=i){let n=i,s;for(;(s=e.src.indexOf("`",n))!==-1&&s<r;){for(n=s+1;e.src.charCodeAt(n)===96;)n++;if(n>r)break;if(n-s===o){if(!t){let t=e.push(`code_inline`,`code`,0);t.markup=a;let n=e.src.slice(i,s).replace(/\n/g,` `);n.startsWith(` `)&&n.endsWith(` `)&&/[^ ]/.test(n)&&(n=n.slice(1,-1)),t.content=n}return e.pos=n,!0}}}return t||(e.pending+=a),e.pos=i,!0}function zg(e,t){let n=e.pos,r=e.src.charCodeAt(n);if(t||r!==126)return!1;let i=e.scanDelims(e.pos,!0),a=i.length,o=String.fromCharCode(r);if(a<2)return!1;let s;a%2&&(s=e.push(`text`,``,0),s.content=o,a--);for(let t=0;t<a;t+=2)s=e.push(`text`,``,0),s.content=o+o,e.delimiters.push({marker:r,length:0,token:e.tokens.length-1,end:-1,open:i.can_open,close:i.can_close});return e.pos+=i.length,!0}function Bg(e,t){let n,r=[],i=t.length;for(let a=0;a<i;a++){let i=t[a];if(i.marker!==126||i.end===-1)continue;let o=t[i.end];n=e.tokens[i.token],n.type=`s_open`,n.tag=`s`,n.nesting=1,n.markup=`~~`,n.content=``,n=e.tokens[o.token],n.type=`s_close`,n.tag=`s`,n.nesting=-1,n.markup=`~~`,n.content=``,e.tokens[o.token-1].type===`text`&&e.tokens[o.token-1].content===`~`&&r.push(o.token-1)}for(;r.length;){let t=r.pop(),i=t+1;for(;i<e.tokens.length&&e.tokens[i].type===`s_close`;)i++;i--,t!==i&&(n=e.tokens[i],e.tokens[i]=e.tokens[t],e.tokens[t]=n)}}function Vg(e){let t=e.tokens_meta,n=e.tokens_meta.length;Bg(e,e.delimiters);for(let r=0;r<n;r++){let n=t[r]?.delimiters;n&&Bg(e,n)}}var Hg={tokenize:zg,postProcess:Vg};function Ug(e,t){let n=e.pos,r=e.src.charCodeAt(n);if(t||r!==95&&r!==42)return!1;let i=e.scanDelims(e.pos,r===42);for(let t=0;t<i.length;t++){let t=e.push(`text`,``,0);t.content=String.fromCharCode(r),e.delimiters.push({marker:r,length:i.length,token:e.tokens.length-1,end:-1,open:i.can_open,close:i.can_close})}return e.pos+=i.length,!0}function Wg(e,t){let n=t.length;for(let r=n-1;r>=0;r--){let n=t[r];if(n.marker!==95&&n.marker!==42||n.end===-1)continue;let i=t[n.end],a=r>0&&t[r-1].end===n.end+1&&t[r-1].marker===n.marker&&t[r-1].token===n.token-1&&t[n.end+1].token===i.token+1,o=String.fromCharCode(n.marker),s=e.tokens[n.token];s.type=a?`strong_open`:`em_open`,s.tag=a?`strong`:`em`,s.nesting=1,s.markup=a?o+o:o,s.content=``;let c=e.tokens[i.token];c.type=a?`strong_close`:`em_close`,c.tag=a?`strong`:`em`,c.nesting=-1,c.markup=a?o+o:o,c.content=``,a&&(e.tokens[t[r-1].token].content=``,e.tokens[t[n.end+1].token].content=``,r--)}}function Gg(e){let t=e.tokens_meta,n=e.tokens_meta.length;Wg(e,e.delimiters);for(let r=0;r<n;r++){let n=t[r]?.delimiters;n&&Wg(e,n)}}var Kg={tokenize:Ug,postProcess:Gg};function qg(e,t){let n,r,i,a,o=``,s=``,c=e.pos,l=!0;if(e.src.charCodeAt(e.pos)!==91)return!1;let u=e.pos,d=e.posMax,f=e.pos+1,p=e.md.helpers.parseLinkLabel(e,e.pos,!0);if(p<0)return!1;let m=p+1;if(m<d&&e.src.charCodeAt(m)===40){for(l=!1,m++;m<d&&(n=e.src.charCodeAt(m),nh(n)||n===10);m++);if(m>=d)return!1;if(c=m,i=e.md.helpers.parseLinkDestination(e.src,m,e.posMax),i.ok){for(o=e.md.normalizeLink(i.str),e.md.validateLink(o)?m=i.pos:o=``,c=m;m<d&&(n=e.src.charCodeAt(m),nh(n)||n===10);m++);if(i=e.md.helpers.parseLinkTitle(e.src,m,e.posMax),m<d&&c!==m&&i.ok)for(s=i.str,m=i.pos;m<d&&(n=e.src.charCodeAt(m),nh(n)||n===10);m++);}(m>=d||e.src.charCodeAt(m)!==41)&&(l=!0),m++}if(l){if(e.env.references===void 0)return!1;if(m<d&&e.src.charCodeAt(m)===91?(c=m+1,m=e.md.helpers.parseLinkLabel(e,m),m>=0?r=e.src.slice(c,m++):m=p+1):m=p+1,r||=e.src.slice(f,p),r=sh(r),a=e.env.references[r],!a)return e.pos=u,!1;o=a.href,s=a.title}if(!t){e.pos=f,e.posMax=p;let t=e.push(`link_open`,`a`,1),n=[[`href`,o]];if(t.attrs=n,s&&n.push([`title`,s]),r){let e=Object.create(null);e.label=r,t.meta=e}e.linkLevel++,e.md.inline.tokenize(e),e.linkLevel--,e.push(`link_close`,`a`,-1)}return e.pos=m,e.posMax=d,!0}function Jg(e,t){let n,r,i,a,o,s,c,l,u=``,d=e.pos,f=e.posMax;if(e.src.charCodeAt(e.pos)!==33||e.src.charCodeAt(e.pos+1)!==91)return!1;let p=e.pos+2,m=e.md.helpers.parseLinkLabel(e,e.pos+1,!1);if(m<0)return!1;if(a=m+1,a<f&&e.src.charCodeAt(a)===40){for(a++;a<f&&(n=e.src.charCodeAt(a),nh(n)||n===10);a++);if(a>=f)return!1;for(l=a,s=e.md.helpers.parseLinkDestination(e.src,a,e.posMax),s.ok&&(u=e.md.normalizeLink(s.str),e.md.validateLink(u)?a=s.pos:u=``),l=a;a<f&&(n=e.src.charCodeAt(a),nh(n)||n===10);a++);if(s=e.md.helpers.parseLinkTitle(e.src,a,e.posMax),a<f&&l!==a&&s.ok)for(c=s.str,a=s.pos;a<f&&(n=e.src.charCodeAt(a),nh(n)||n===10);a++);else c=``;if(a>=f||e.src.charCodeAt(a)!==41)return e.pos=d,!1;a++}else{if(e.env.references===void 0)return!1;if(a<f&&e.src.charCodeAt(a)===91?(l=a+1,a=e.md.helpers.parseLinkLabel(e,a),a>=0?i=e.src.slice(l,a++):a=m+1):a=m+1,i||=e.src.slice(p,m),i=sh(i),o=e.env.references[i],!o)return e.pos=d,!1;u=o.href,c=o.title}if(!t){r=e.src.slice(p,m);let t=[];e.md.inline.parse(r,e.md,e.env,t);let n=e.push(`image`,`img`,0),a=[[`src`,u],[`alt`,``]];if(n.attrs=a,n.children=t,n.content=r,c&&a.push([`title`,c]),i){let e=Object.create(null);e.label=i,n.meta=e}}return e.pos=a,e.posMax=f,!0}var Yg=/^([a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)$/,Xg=/^([a-zA-Z][a-zA-Z0-9+.-]{1,31}):([^<>\x00-\x20]*)$/;function Zg(e,t){let n=e.pos;if(e.src.charCodeAt(n)!==60)return!1;let r=e.pos,i=e.posMax;for(;;){if(++n>=i)return!1;let t=e.src.charCodeAt(n);if(t===60)return!1;if(t===62)break}let a=e.src.slice(r+1,n);if(Xg.test(a)){let n=e.md.normalizeLink(a);if(!e.md.validateLink(n))return!1;if(!t){let t=e.push(`link_open`,`a`,1);t.attrs=[[`href`,n]],t.markup=`autolink`,t.info=`auto`;let r=e.push(`text`,``,0);r.content=e.md.normalizeLinkText(a);let i=e.push(`link_close`,`a`,-1);i.markup=`autolink`,i.info=`auto`}return e.pos+=a.length+2,!0}if(Yg.test(a)){let n=e.md.normalizeLink(`mailto:${a}`);if(!e.md.validateLink(n))return!1;if(!t){let t=e.push(`link_open`,`a`,1);t.attrs=[[`href`,n]],t.markup=`autolink`,t.info=`auto`;let r=e.push(`text`,``,0);r.content=e.md.normalizeLinkText(a);let i=e.push(`link_close`,`a`,-1);i.markup=`autolink`,i.info=`auto`}return e.pos+=a.length+2,!0}return!1}function Qg(e){return/^<a[>\s]/i.test(e)}function $g(e){return/^<\/a\s*>/i.test(e)}function e_(e){let t=e|32;return t>=97&&t<=122}function t_(e,t){let n=e.src,r,i;if(n.startsWith(`<!--`,t)){if(n.startsWith(`>`,t+4))return t+5;if(n.startsWith(`->`,t+4))return t+6;r=t+4,i=`-->`}else if(n.startsWith(`<![CDATA[`,t))r=t+9,i=`]]>`;else if(n.charCodeAt(t+1)===63)r=t+2,i=`?>`;else if(e_(n.charCodeAt(t+2)))r=t+3,i=`>`;else return-1;if(e.skipHtmlSpecial)return-1;let a=n.indexOf(i,r);return a<0?(e.skipHtmlSpecial=!0,-1):a+i.length}function n_(e,t){if(!e.md.options.html)return!1;let n=e.posMax,r=e.pos;if(e.src.charCodeAt(r)!==60||r+2>=n)return!1;let i,a=e.src.charCodeAt(r+1);if(a===33||a===63)i=t_(e,r);else if(a===47||e_(a)){let t=e.src.slice(r).match(bg);i=t?r+t[0].length:-1}else return!1;if(i<0)return!1;if(!t){let t=e.push(`html_inline`,``,0);t.content=e.src.slice(r,i),Qg(t.content)&&e.linkLevel++,$g(t.content)&&e.linkLevel--}return e.pos=i,!0}var r_=/^&#((?:x[a-f0-9]{1,6}|[0-9]{1,7}));/i,i_=/^&([a-z][a-z0-9]{1,31});/i;function a_(e,t){let n=e.pos,r=e.posMax;if(e.src.charCodeAt(n)!==38||n+1>=r)return!1;if(e.src.charCodeAt(n+1)===35){let r=e.src.slice(n).match(r_);if(r){if(!t){let t=r[1][0].toLowerCase()===`x`?parseInt(r[1].slice(1),16):parseInt(r[1],10),n=e.push(`text_special`,``,0);n.content=Vm(t)?Hm(t):Hm(65533),n.markup=r[0],n.info=`entity`}return e.pos+=r[0].length,!0}}else{let r=e.src.slice(n).match(i_);if(r){let n=$p(r[0]);if(n!==r[0]){if(!t){let t=e.push(`text_special`,``,0);t.content=n,t.markup=r[0],t.info=`entity`}return e.pos+=r[0].length,!0}}}return!1}function o_(e){let t={},n=e.length;if(!n)return;let r=0,i=-2,a=[];for(let o=0;o<n;o++){let n=e[o];if(a.push(0),(e[r].marker!==n.marker||i!==n.token-1)&&(r=o),i=n.token,n.length=n.length||0,!n.close)continue;t.hasOwnProperty(n.marker)||(t[n.marker]=[-1,-1,-1,-1,-1,-1]);let s=t[n.marker][(n.open?3:0)+n.length%3],c=r-a[r]-1,l=c;for(;c>s;c-=a[c]+1){let t=e[c];if(t.marker===n.marker&&t.open&&t.end<0){let r=!1;if((t.close||n.open)&&(t.length+n.length)%3==0&&(t.length%3!=0||n.length%3!=0)&&(r=!0),!r){let r=c>0&&!e[c-1].open?a[c-1]+1:0;a[o]=o-c+r,a[c]=r,n.open=!1,t.end=o,t.close=!1,l=-1,i=-2;break}}}l!==-1&&(t[n.marker][(n.open?3:0)+(n.length||0)%3]=l)}}function s_(e){let t=e.tokens_meta,n=e.tokens_meta.length;o_(e.delimiters);for(let e=0;e<n;e++){let n=t[e]?.delimiters;n&&o_(n)}}function c_(e){let t,n,r=0,i=e.tokens,a=e.tokens.length;for(t=n=0;t<a;t++)i[t].nesting<0&&r--,i[t].level=r,i[t].nesting>0&&r++,i[t].type===`text`&&t+1<a&&i[t+1].type===`text`?i[t+1].content=i[t].content+i[t+1].content:(t!==n&&(i[n]=i[t]),n++);t!==n&&(i.length=n)}var l_=[[`text`,Ag],[`linkify`,Ng],[`newline`,Pg],[`escape`,Ig],[`backticks`,Rg],[`strikethrough`,Hg.tokenize],[`emphasis`,Kg.tokenize],[`link`,qg],[`image`,Jg],[`autolink`,Zg],[`html_inline`,n_],[`entity`,a_]],u_=[[`balance_pairs`,s_],[`strikethrough`,Hg.postProcess],[`emphasis`,Kg.postProcess],[`fragments_join`,c_]],d_=class{constructor(){K(this,`ruler`,new yh),K(this,`ruler2`,new yh),K(this,`State`,Og);for(let e=0;e<l_.length;e++)this.ruler.push(l_[e][0],l_[e][1]);for(let e=0;e<u_.length;e++)this.ruler2.push(u_[e][0],u_[e][1])}skipToken(e){let t=e.pos,n=this.ruler.getRules(``),r=n.length,i=e.md.options.maxNesting,a=e.cache;if(a[t]!==void 0){e.pos=a[t];return}let o=!1;if(e.level<i){for(let i=0;i<r;i++)if(e.level++,o=n[i](e,!0),e.level--,o){if(t>=e.pos)throw Error(`inline rule didn't increment state.pos`);break}}else e.pos=e.posMax;o||e.pos++,a[t]=e.pos}tokenize(e){let t=this.ruler.getRules(``),n=t.length,r=e.posMax,i=e.md.options.maxNesting;for(;e.pos<r;){let a=e.pos,o=!1;if(e.level<i){for(let r=0;r<n;r++)if(o=t[r](e,!1),o){if(a>=e.pos)throw Error(`inline rule didn't increment state.pos`);break}}if(o){if(e.pos>=r)break}else e.pending+=e.src[e.pos++]}e.pending&&e.pushPending()}parse(e,t,n,r){let i=new this.State(e,t,n,r);this.tokenize(i);let a=this.ruler2.getRules(``),o=a.length;for(let e=0;e<o;e++)a[e](i)}},f_={default:{options:{html:!1,xhtmlOut:!1,breaks:!1,langPrefix:`language-`,linkify:!1,typographer:!1,quotes:`“”‘’`,highlight:null,maxNesting:100},components:{core:{},block:{},inline:{}}},zero:{options:{html:!1,xhtmlOut:!1,breaks:!1,langPrefix:`language-`,linkify:!1,typographer:!1,quotes:`“”‘’`,highlight:null,maxNesting:20},components:{core:{rules:[`normalize`,`block`,`strip_references`,`inline`,`text_join`]},block:{rules:[`paragraph`]},inline:{rules:[`text`],rules2:[`balance_pairs`,`fragments_join`]}}},commonmark:{options:{html:!0,xhtmlOut:!0,breaks:!1,langPrefix:`language-`,linkify:!1,typographer:!1,quotes:`“”‘’`,highlight:null,maxNesting:20},components:{core:{rules:[`normalize`,`block`,`strip_references`,`inline`,`text_join`]},block:{rules:[`blockquote`,`code`,`fence`,`heading`,`hr`,`html_block`,`lheading`,`list`,`reference`,`paragraph`]},inline:{rules:[`autolink`,`backticks`,`emphasis`,`entity`,`escape`,`html_inline`,`image`,`link`,`newline`,`text`],rules2:[`balance_pairs`,`emphasis`,`fragments_join`]}}}},p_=/^(vbscript|javascript|file|data):/,m_=/^data:image\/(gif|png|jpeg|webp);/,h_=[`http:`,`https:`,`mailto:`],g_=class{validateLink(e){let t=e.trim().toLowerCase();return!p_.test(t)||m_.test(t)}normalizeLink(e){let t=yp(e,!0);if(t.hostname&&(!t.protocol||h_.indexOf(t.protocol)>=0))try{t.hostname=Fm.toASCII(t.hostname)}catch{}return t.auth&&=op(t.auth),t.hostname&&=op(t.hostname),t.pathname&&=op(t.pathname),t.search&&=op(t.search),t.hash&&=op(t.hash),sp(t)}normalizeLinkText(e){let t=yp(e,!0);if(t.hostname&&(!t.protocol||h_.indexOf(t.protocol)>=0))try{t.hostname=Fm.toUnicode(t.hostname)}catch{}return rp(sp(t),rp.defaultChars+`%`)}constructor(...e){K(this,`inline`,new d_),K(this,`block`,new Dg),K(this,`core`,new Qh),K(this,`renderer`,new xh),K(this,`linkify`,new cm),K(this,`utils`,Rm),K(this,`helpers`,Object.assign({},mh));let[t,n]=e;typeof t==`string`?(this.configure(t),n&&this.set(n)):(this.configure(`default`),this.set(t||{}))}set(e){return Object.assign(this.options,e),this}configure(e){let t;if(typeof e==`string`){let n=e;if(t=f_[n],!t)throw Error(`Wrong 'markdown-it' preset "${n}", check name`)}else t=e;if(!t)throw Error("Wrong `markdown-it` preset, can't be empty");t.options&&(this.options={...t.options});let n=t.components;if(n){[`core`,`block`,`inline`].forEach(e=>{let t=n[e]?.rules;t&&this[e].ruler.enableOnly(t)});let e=n.inline?.rules2;e&&this.inline.ruler2.enableOnly(e)}return this}enable(e,t=!1){let n=[];Array.isArray(e)||(e=[e]),[`core`,`block`,`inline`].forEach(t=>{n=n.concat(this[t].ruler.enable(e,!0))}),n=n.concat(this.inline.ruler2.enable(e,!0));let r=e.filter(e=>n.indexOf(e)<0);if(r.length&&!t)throw Error(`MarkdownIt. Failed to enable unknown rule(s): ${r}`);return this}disable(e,t=!1){let n=[];Array.isArray(e)||(e=[e]),[`core`,`block`,`inline`].forEach(t=>{n=n.concat(this[t].ruler.disable(e,!0))}),n=n.concat(this.inline.ruler2.disable(e,!0));let r=e.filter(e=>n.indexOf(e)<0);if(r.length&&!t)throw Error(`MarkdownIt. Failed to disable unknown rule(s): ${r}`);return this}use(e,...t){return e.apply(e,[this,...t]),this}parse(e,t){if(typeof e!=`string`)throw Error(`Input data should be a String`);let n=new this.core.State(e,this,t);return this.core.process(n),n.tokens}render(e,t={}){return this.renderer.render(this.parse(e,t),this.options,t)}parseInline(e,t){let n=new this.core.State(e,this,t);return n.inlineMode=!0,this.core.process(n),n.tokens}renderInline(e,t={}){return this.renderer.render(this.parseInline(e,t),this.options,t)}};K(g_,`Token`,vh),K(g_,`Ruler`,yh),K(g_,`Renderer`,xh),K(g_,`ParserCore`,Qh),K(g_,`StateCore`,Sh),K(g_,`ParserBlock`,Dg),K(g_,`StateBlock`,$h),K(g_,`ParserInline`,d_),K(g_,`StateInline`,Og);var __=new(zm(g_))({breaks:!1,linkify:!0});function v_(...e){return t=>{let n=Object.create(null);for(let r of e)n[r]=t[r];return n}}var y_=n(((e,t)=>{var n=Object.create,r=Object.defineProperty,i=Object.getOwnPropertyDescriptor,a=Object.getOwnPropertyNames,s=Object.getPrototypeOf,c=Object.prototype.hasOwnProperty,l=(e,t)=>{for(var n in t)r(e,n,{get:t[n],enumerable:!0})},u=(e,t,n,o)=>{if(t&&typeof t==`object`||typeof t==`function`)for(let s of a(t))!c.call(e,s)&&s!==n&&r(e,s,{get:()=>t[s],enumerable:!(o=i(t,s))||o.enumerable});return e},d=(e,t,i)=>(i=e==null?{}:n(s(e)),u(t||!e||!e.__esModule?r(i,`default`,{value:e,enumerable:!0}):i,e)),f=e=>u(r({},`__esModule`,{value:!0}),e),p={};l(p,{$dispatcherGuard:()=>T,$makeReadOnly:()=>D,$reset:()=>E,$structuralCheck:()=>P,c:()=>b,clearRenderCounterRegistry:()=>k,renderCounterRegistry:()=>O,useRenderCounter:()=>M}),t.exports=f(p);var m=d(o()),{useRef:h,useEffect:g,isValidElement:_}=m,v=m.__CLIENT_INTERNALS_DO_NOT_USE_OR_WARN_USERS_THEY_CANNOT_UPGRADE??m.__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED,y=Symbol.for(`react.memo_cache_sentinel`),b=typeof m.__COMPILER_RUNTIME?.c==`function`?m.__COMPILER_RUNTIME.c:function(e){return m.useMemo(()=>{let t=Array(e);for(let n=0;n<e;n++)t[n]=y;return t[y]=!0,t},[])},x={};[`readContext`,`useCallback`,`useContext`,`useEffect`,`useImperativeHandle`,`useInsertionEffect`,`useLayoutEffect`,`useMemo`,`useReducer`,`useRef`,`useState`,`useDebugValue`,`useDeferredValue`,`useTransition`,`useMutableSource`,`useSyncExternalStore`,`useId`,`unstable_isNewReconciler`,`getCacheSignal`,`getCacheForType`,`useCacheRefresh`].forEach(e=>{x[e]=()=>{throw Error(`[React] Unexpected React hook call (${e}) from a React compiled function. Check that all hooks are called directly and named according to convention ('use[A-Z]') `)}});var S=null;x.useMemoCache=e=>{if(S==null)throw Error(`React Compiler internal invariant violation: unexpected null dispatcher`);return S.useMemoCache(e)};function C(e){return v.ReactCurrentDispatcher.current=e,v.ReactCurrentDispatcher.current}var w=[];function T(e){let t=v.ReactCurrentDispatcher.current;if(e===0){if(w.push(t),w.length===1&&(S=t),t===x)throw Error(`[React] Unexpected call to custom hook or component from a React compiled function. Check that (1) all hooks are called directly and named according to convention ('use[A-Z]') and (2) components are returned as JSX instead of being directly invoked.`);C(x)}else if(e===1){let e=w.pop();if(e==null)throw Error(`React Compiler internal error: unexpected null in guard stack`);w.length===0&&(S=null),C(e)}else if(e===2)w.push(t),C(S);else if(e===3){let e=w.pop();if(e==null)throw Error(`React Compiler internal error: unexpected null in guard stack`);C(e)}else throw Error(`React Compiler internal error: unreachable block`+e)}function E(e){for(let t=0;t<e.length;t++)e[t]=y}function D(){throw Error(`TODO: implement $makeReadOnly in react-compiler-runtime`)}var O=new Map;function k(){for(let e of O.values())e.forEach(e=>{e.count=0})}function A(e,t){let n=O.get(e);n??(n=new Set,O.set(e,n)),n.add(t)}function j(e,t){O.get(e)?.delete(t)}function M(e){let t=h(null);t.current!=null&&(t.current.count+=1),g(()=>{if(t.current==null){let n={count:0};A(e,n),t.current=n}return()=>{t.current!==null&&j(e,t.current)}})}var N=new Set;function P(e,t,n,r,i,a){function o(e,t,o,s){let c=`${r}:${a} [${i}] ${n}${o} changed from ${e} to ${t} at depth ${s}`;N.has(c)||(N.add(c),console.error(c))}function s(e,t,n,r){if(!(r>2)&&e!==t){if(typeof e!=typeof t)o(`type ${typeof e}`,`type ${typeof t}`,n,r);else if(typeof e==`object`){let i=Array.isArray(e),a=Array.isArray(t);if(e===null&&t!==null)o(`null`,`type ${typeof t}`,n,r);else if(t===null)o(`type ${typeof e}`,`null`,n,r);else if(e instanceof Map){if(!(t instanceof Map))o(`Map instance`,`other value`,n,r);else if(e.size!==t.size)o(`Map instance with size ${e.size}`,`Map instance with size ${t.size}`,n,r);else for(let[i,a]of e)t.has(i)?s(a,t.get(i),`${n}.get(${i})`,r+1):o(`Map instance with key ${i}`,`Map instance without key ${i}`,n,r)}else if(t instanceof Map)o(`other value`,`Map instance`,n,r);else if(e instanceof Set){if(!(t instanceof Set))o(`Set instance`,`other value`,n,r);else if(e.size!==t.size)o(`Set instance with size ${e.size}`,`Set instance with size ${t.size}`,n,r);else for(let i of t)e.has(i)||o(`Set instance without element ${i}`,`Set instance with element ${i}`,n,r)}else if(t instanceof Set)o(`other value`,`Set instance`,n,r);else if(i||a){if(i!==a)o(`type ${i?`array`:`object`}`,`type ${a?`array`:`object`}`,n,r);else if(e.length!==t.length)o(`array with length ${e.length}`,`array with length ${t.length}`,n,r);else for(let i=0;i<e.length;i++)s(e[i],t[i],`${n}[${i}]`,r+1)}else if(_(e)||_(t))_(e)===_(t)?e.type===t.type?s(e.props,t.props,`[props of ${n}]`,r+1):o(`React element of type ${e.type}`,`React element of type ${t.type}`,n,r):o(`type ${_(e)?`React element`:`object`}`,`type ${_(t)?`React element`:`object`}`,n,r);else{for(let i in t)i in e||o(`object without key ${i}`,`object with key ${i}`,n,r);for(let i in e)i in t?s(e[i],t[i],`${n}.${i}`,r+1):o(`object with key ${i}`,`object without key ${i}`,n,r)}}else if(typeof e==`function`)return;else isNaN(e)||isNaN(t)?isNaN(e)!==isNaN(t)&&o(`${isNaN(e)?`NaN`:`non-NaN value`}`,`${isNaN(t)?`NaN`:`non-NaN value`}`,n,r):e!==t&&o(e,t,n,r)}}s(e,t,``,0)}0&&(t.exports={$dispatcherGuard:T,$makeReadOnly:D,$reset:E,$structuralCheck:P,c:b,clearRenderCounterRegistry:k,renderCounterRegistry:O,useRenderCounter:M})}))();function b_(e,t,n){let r=(0,y_.c)(10),{updateActiveTabValues:i}=Dv(),a;r[0]===n?a=r[1]:(a=e=>({editor:e[n===`variables`?`variableEditor`:`headerEditor`],storage:e.storage}),r[0]=n,r[1]=a);let{editor:o,storage:s}=Ev(a),c,l;r[2]!==e||r[3]!==o||r[4]!==s||r[5]!==t||r[6]!==n||r[7]!==i?(c=()=>{if(!o)return;let r=Pf(500,e=>{t!==null&&s.set(t,e)}),a=Pf(100,e=>{i({[n]:e})}),c=o.getModel().onDidChangeContent(t=>{let n=o.getValue();r(n),a(n),e?.(n)});return()=>{c.dispose()}},l=[e,o,t,n,i,s],r[2]=e,r[3]=o,r[4]=s,r[5]=t,r[6]=n,r[7]=i,r[8]=c,r[9]=l):(c=r[8],l=r[9]),(0,H.useEffect)(c,l)}var x_=(e,t)=>{let n=(0,y_.c)(4),r=(0,H.useRef)(!1),i,a;n[0]===Symbol.for(`react.memo_cache_sentinel`)?(i=()=>()=>{r.current=!1},a=[],n[0]=i,n[1]=a):(i=n[0],a=n[1]),(0,H.useEffect)(i,a);let o;n[2]===e?o=n[3]:(o=()=>{if(r.current)return e();r.current=!0},n[2]=e,n[3]=o),(0,H.useEffect)(o,t)};function S_({defaultQuery:e,defaultHeaders:t,headers:n,query:r,variables:i,defaultTabs:a=[{query:r??e,variables:i,headers:n??t}],shouldPersistHeaders:o,storage:s}){let c=s.get(_f.tabs);try{if(!c)throw Error(`Storage for tabs is empty`);let e=JSON.parse(c),t=o?n:void 0;if(C_(e)){let a=M_({query:r,variables:i,headers:t}),o=-1;for(let t=0;t<e.tabs.length;t++){let n=e.tabs[t];n.hash=M_({query:n.query,variables:n.variables,headers:n.headers}),n.hash===a&&(o=t)}let s=r!=null||i!=null||t!=null;if(o>=0)e.activeTabIndex=o;else if(!s&&e.tabs.length>0)e.activeTabIndex=Math.min(Math.max(e.activeTabIndex,0),e.tabs.length-1);else{let t=r?N_(r):null;e.tabs.push({id:j_(),hash:a,title:t||F_,query:r,variables:i,headers:n,operationName:t,response:null}),e.activeTabIndex=e.tabs.length-1}return e}throw Error(`Storage for tabs is invalid`)}catch{return{activeTabIndex:0,tabs:a.map(k_)}}}function C_(e){return e&&typeof e==`object`&&!Array.isArray(e)&&T_(e,`activeTabIndex`)&&`tabs`in e&&Array.isArray(e.tabs)&&e.tabs.every(w_)}function w_(e){return e&&typeof e==`object`&&!Array.isArray(e)&&E_(e,`id`)&&E_(e,`title`)&&D_(e,`query`)&&D_(e,`variables`)&&D_(e,`headers`)&&D_(e,`operationName`)&&D_(e,`response`)}function T_(e,t){return t in e&&typeof e[t]==`number`}function E_(e,t){return t in e&&typeof e[t]==`string`}function D_(e,t){return t in e&&(typeof e[t]==`string`||e[t]===null)}function O_(e,t=!1){return JSON.stringify(e,(e,n)=>e===`hash`||e===`response`||!t&&e===`headers`?null:n)}function k_({query:e=null,variables:t=null,headers:n=null}={}){let r=e?N_(e):null;return{id:j_(),hash:M_({query:e,variables:t,headers:n}),title:r||F_,query:e,variables:t,headers:n,operationName:r,response:null}}function A_(e,t){return{...e,tabs:e.tabs.map((n,r)=>{if(r!==e.activeTabIndex)return n;let i={...n,...t};return{...i,hash:M_(i),title:i.operationName||(i.query?N_(i.query):void 0)||F_}})}}function j_(){let e=()=>Math.floor((1+Math.random())*65536).toString(16).slice(1);return`${e()}${e()}-${e()}-${e()}-${e()}-${e()}${e()}${e()}`}function M_(e){return[e.query??``,e.variables??``,e.headers??``].join(`|`)}function N_(e){return/^(?!#).*(query|subscription|mutation)\s+([a-zA-Z0-9_]+)/m.exec(e)?.[2]??null}function P_(e){let t=e.get(_f.tabs);if(t){let n=JSON.parse(t);e.set(_f.tabs,JSON.stringify(n,(e,t)=>e===`headers`?null:t))}}var F_=`<untitled>`,I_=e=>(t,n)=>{function r({query:e,variables:t,headers:r,response:i}){let{queryEditor:a,variableEditor:o,headerEditor:s,responseEditor:c,defaultHeaders:l}=n();a?.setValue(e??``),o?.setValue(t??``),s?.setValue(r??l??``),c?.setValue(i??``)}function i(e){let{queryEditor:t,variableEditor:r,headerEditor:i,responseEditor:a,operationName:o}=n();return A_(e,{query:t?.getValue()??null,variables:r?.getValue()??null,headers:i?.getValue()??null,response:a?.getValue()??null,operationName:o??null})}let a={addTab(){t(({defaultHeaders:e,onTabChange:t,tabs:n,activeTabIndex:a,actions:o})=>{let s=i({tabs:n,activeTabIndex:a}),c={tabs:[...s.tabs,k_({headers:e})],activeTabIndex:s.tabs.length};return o.storeTabs(c),r(c.tabs[c.activeTabIndex]),t?.(c),c})},changeTab(e){t(({actions:t,onTabChange:n,tabs:i})=>{t.stop();let a={tabs:i,activeTabIndex:e};return t.storeTabs(a),r(a.tabs[a.activeTabIndex]),n?.(a),a})},moveTab(e){t(({onTabChange:t,actions:n,tabs:i,activeTabIndex:a})=>{let o=i[a],s={tabs:e,activeTabIndex:e.indexOf(o)};return n.storeTabs(s),r(s.tabs[s.activeTabIndex]),t?.(s),s})},closeTab(e){t(({activeTabIndex:t,onTabChange:n,actions:i,tabs:a})=>{t===e&&i.stop();let o={tabs:a.filter((t,n)=>e!==n),activeTabIndex:e>t?t:Math.max(t-1,0)};return i.storeTabs(o),r(o.tabs[o.activeTabIndex]),n?.(o),o})},updateActiveTabValues(e){t(({activeTabIndex:t,tabs:n,onTabChange:r,actions:i})=>{let a=A_({tabs:n,activeTabIndex:t},e);return i.storeTabs(a),r?.(a),a})},setEditor({headerEditor:e,queryEditor:n,responseEditor:r,variableEditor:i}){let a=Object.entries({headerEditor:e,queryEditor:n,responseEditor:r,variableEditor:i}).filter(([e,t])=>t);t(Object.fromEntries(a))},setOperationName(e){t(({onEditOperationName:t,actions:n})=>(n.updateActiveTabValues({operationName:e}),t?.(e),{operationName:e}))},setShouldPersistHeaders(e){let{headerEditor:r,tabs:i,activeTabIndex:a,storage:o}=n();if(e){o.set(_f.headers,r?.getValue()??``);let e=O_({tabs:i,activeTabIndex:a},!0);o.set(_f.tabs,e)}else o.set(_f.headers,``),P_(o);o.set(_f.persistHeaders,e.toString()),t({shouldPersistHeaders:e})},storeTabs({tabs:e,activeTabIndex:t}){let{shouldPersistHeaders:r,storage:i}=n();Pf(500,e=>{i.set(_f.tabs,e)})(O_({tabs:e,activeTabIndex:t},r))},setOperationFacts({documentAST:e,operationName:n,operations:r}){t({documentAST:e,operationName:n,operations:r})},async copyQuery(){let{queryEditor:e,onCopyQuery:t}=n();if(!e)return;let r=e.getValue();t?.(r);try{await navigator.clipboard.writeText(r)}catch(e){console.warn(`Failed to copy query!`,e)}},async prettifyEditors(){let{queryEditor:e,headerEditor:t,variableEditor:r,onPrettifyQuery:i}=n();if(r)try{let e=r.getValue(),t=await Yf(e);t!==e&&r.setValue(t)}catch(e){console.warn(`Parsing variables JSON failed, skip prettification.`,e)}if(t)try{let e=t.getValue(),n=await Yf(e);n!==e&&t.setValue(n)}catch(e){console.warn(`Parsing headers JSON failed, skip prettification.`,e)}if(e)try{let t=e.getValue(),n=await i(t);n!==t&&e.setValue(n)}catch(e){console.warn(`Parsing query failed, skip prettification.`,e)}},mergeQuery(){let{queryEditor:e,documentAST:t,schema:r}=n(),i=e?.getValue();t&&i&&e.setValue(gt(ns(t,r)))}};return{...e,actions:a}},L_;(function(e){e.is=function(e){return typeof e==`string`}})(L_||={});var R_;(function(e){e.is=function(e){return typeof e==`string`}})(R_||={});var z_;(function(e){e.MIN_VALUE=-0x80000000,e.MAX_VALUE=0x7fffffff,e.is=function(t){return typeof t==`number`&&e.MIN_VALUE<=t&&t<=e.MAX_VALUE}})(z_||={});var B_;(function(e){e.MIN_VALUE=0,e.MAX_VALUE=0x7fffffff,e.is=function(t){return typeof t==`number`&&e.MIN_VALUE<=t&&t<=e.MAX_VALUE}})(B_||={});var V_;(function(e){e.create=function(e,t){return e===Number.MAX_VALUE&&(e=B_.MAX_VALUE),t===Number.MAX_VALUE&&(t=B_.MAX_VALUE),{line:e,character:t}},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.uinteger(t.line)&&q.uinteger(t.character)}})(V_||={});var H_;(function(e){e.create=function(e,t,n,r){if(q.uinteger(e)&&q.uinteger(t)&&q.uinteger(n)&&q.uinteger(r))return{start:V_.create(e,t),end:V_.create(n,r)};if(V_.is(e)&&V_.is(t))return{start:e,end:t};throw Error(`Range#create called with invalid arguments[${e}, ${t}, ${n}, ${r}]`)},e.is=function(e){let t=e;return q.objectLiteral(t)&&V_.is(t.start)&&V_.is(t.end)}})(H_||={});var U_;(function(e){e.create=function(e,t){return{uri:e,range:t}},e.is=function(e){let t=e;return q.objectLiteral(t)&&H_.is(t.range)&&(q.string(t.uri)||q.undefined(t.uri))}})(U_||={});var W_;(function(e){e.create=function(e,t,n,r){return{targetUri:e,targetRange:t,targetSelectionRange:n,originSelectionRange:r}},e.is=function(e){let t=e;return q.objectLiteral(t)&&H_.is(t.targetRange)&&q.string(t.targetUri)&&H_.is(t.targetSelectionRange)&&(H_.is(t.originSelectionRange)||q.undefined(t.originSelectionRange))}})(W_||={});var G_;(function(e){e.create=function(e,t,n,r){return{red:e,green:t,blue:n,alpha:r}},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.numberRange(t.red,0,1)&&q.numberRange(t.green,0,1)&&q.numberRange(t.blue,0,1)&&q.numberRange(t.alpha,0,1)}})(G_||={});var K_;(function(e){e.create=function(e,t){return{range:e,color:t}},e.is=function(e){let t=e;return q.objectLiteral(t)&&H_.is(t.range)&&G_.is(t.color)}})(K_||={});var q_;(function(e){e.create=function(e,t,n){return{label:e,textEdit:t,additionalTextEdits:n}},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.string(t.label)&&(q.undefined(t.textEdit)||n1.is(t.textEdit))&&(q.undefined(t.additionalTextEdits)||q.typedArray(t.additionalTextEdits,n1.is))}})(q_||={});var J_;(function(e){e.Comment=`comment`,e.Imports=`imports`,e.Region=`region`})(J_||={});var Y_;(function(e){e.create=function(e,t,n,r,i,a){let o={startLine:e,endLine:t};return q.defined(n)&&(o.startCharacter=n),q.defined(r)&&(o.endCharacter=r),q.defined(i)&&(o.kind=i),q.defined(a)&&(o.collapsedText=a),o},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.uinteger(t.startLine)&&q.uinteger(t.endLine)&&(q.undefined(t.startCharacter)||q.uinteger(t.startCharacter))&&(q.undefined(t.endCharacter)||q.uinteger(t.endCharacter))&&(q.undefined(t.kind)||q.string(t.kind))}})(Y_||={});var X_;(function(e){e.create=function(e,t){return{location:e,message:t}},e.is=function(e){let t=e;return q.objectLiteral(t)&&U_.is(t.location)&&q.string(t.message)}})(X_||={});var Z_;(function(e){e.Error=1,e.Warning=2,e.Information=3,e.Hint=4})(Z_||={});var Q_;(function(e){e.Unnecessary=1,e.Deprecated=2})(Q_||={});var $_;(function(e){e.is=function(e){let t=e;return q.objectLiteral(t)&&q.string(t.href)}})($_||={});var e1;(function(e){e.create=function(e,t,n,r,i,a){let o={range:e,message:t};return q.defined(n)&&(o.severity=n),q.defined(r)&&(o.code=r),q.defined(i)&&(o.source=i),q.defined(a)&&(o.relatedInformation=a),o},e.is=function(e){let t=e;return q.objectLiteral(t)&&H_.is(t.range)&&(q.string(t.message)||v1.is(t.message))&&(q.number(t.severity)||q.undefined(t.severity))&&(q.integer(t.code)||q.string(t.code)||q.undefined(t.code))&&(q.undefined(t.codeDescription)||q.string(t.codeDescription?.href))&&(q.string(t.source)||q.undefined(t.source))&&(q.undefined(t.relatedInformation)||q.typedArray(t.relatedInformation,X_.is))},e.is3_17=function(e){return q.string(e.message)},e.getMessageString=function(e){if(q.string(e.message))return e.message;if(v1.is(e.message))return e.message.value;throw Error(`Unknown message type ${typeof e.message}`)}})(e1||={});var t1;(function(e){e.create=function(e,t,...n){let r={title:e,command:t};return q.defined(n)&&n.length>0&&(r.arguments=n),r},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.string(t.title)&&(t.tooltip===void 0||q.string(t.tooltip))&&q.string(t.command)}})(t1||={});var n1;(function(e){e.replace=function(e,t){return{range:e,newText:t}},e.insert=function(e,t){return{range:{start:e,end:e},newText:t}},e.del=function(e){return{range:e,newText:``}},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.string(t.newText)&&H_.is(t.range)}})(n1||={});var r1;(function(e){e.create=function(e,t,n){let r={label:e};return t!==void 0&&(r.needsConfirmation=t),n!==void 0&&(r.description=n),r},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.string(t.label)&&(q.boolean(t.needsConfirmation)||t.needsConfirmation===void 0)&&(q.string(t.description)||t.description===void 0)}})(r1||={});var i1;(function(e){e.is=function(e){let t=e;return q.string(t)}})(i1||={});var a1;(function(e){e.replace=function(e,t,n){return{range:e,newText:t,annotationId:n}},e.insert=function(e,t,n){return{range:{start:e,end:e},newText:t,annotationId:n}},e.del=function(e,t){return{range:e,newText:``,annotationId:t}},e.is=function(e){let t=e;return n1.is(t)&&(r1.is(t.annotationId)||i1.is(t.annotationId))}})(a1||={});var o1;(function(e){e.create=function(e,t){return{textDocument:e,edits:t}},e.is=function(e){let t=e;return q.objectLiteral(t)&&m1.is(t.textDocument)&&Array.isArray(t.edits)}})(o1||={});var s1;(function(e){e.create=function(e,t,n){let r={kind:`create`,uri:e};return t!==void 0&&(t.overwrite!==void 0||t.ignoreIfExists!==void 0)&&(r.options=t),n!==void 0&&(r.annotationId=n),r},e.is=function(e){let t=e;return t&&t.kind===`create`&&q.string(t.uri)&&(t.options===void 0||(t.options.overwrite===void 0||q.boolean(t.options.overwrite))&&(t.options.ignoreIfExists===void 0||q.boolean(t.options.ignoreIfExists)))&&(t.annotationId===void 0||i1.is(t.annotationId))}})(s1||={});var c1;(function(e){e.create=function(e,t,n,r){let i={kind:`rename`,oldUri:e,newUri:t};return n!==void 0&&(n.overwrite!==void 0||n.ignoreIfExists!==void 0)&&(i.options=n),r!==void 0&&(i.annotationId=r),i},e.is=function(e){let t=e;return t&&t.kind===`rename`&&q.string(t.oldUri)&&q.string(t.newUri)&&(t.options===void 0||(t.options.overwrite===void 0||q.boolean(t.options.overwrite))&&(t.options.ignoreIfExists===void 0||q.boolean(t.options.ignoreIfExists)))&&(t.annotationId===void 0||i1.is(t.annotationId))}})(c1||={});var l1;(function(e){e.create=function(e,t,n){let r={kind:`delete`,uri:e};return t!==void 0&&(t.recursive!==void 0||t.ignoreIfNotExists!==void 0)&&(r.options=t),n!==void 0&&(r.annotationId=n),r},e.is=function(e){let t=e;return t&&t.kind===`delete`&&q.string(t.uri)&&(t.options===void 0||(t.options.recursive===void 0||q.boolean(t.options.recursive))&&(t.options.ignoreIfNotExists===void 0||q.boolean(t.options.ignoreIfNotExists)))&&(t.annotationId===void 0||i1.is(t.annotationId))}})(l1||={});var u1;(function(e){e.is=function(e){let t=e;return t&&(t.changes!==void 0||t.documentChanges!==void 0)&&(t.documentChanges===void 0||t.documentChanges.every(e=>q.string(e.kind)?s1.is(e)||c1.is(e)||l1.is(e):o1.is(e)))}})(u1||={});var d1;(function(e){e.is=function(e){let t=e;return q.objectLiteral(t)&&H_.is(t.range)&&i0.isSnippet(t.snippet)&&(t.annotationId===void 0||r1.is(t.annotationId)||i1.is(t.annotationId))}})(d1||={});var f1;(function(e){e.create=function(e){return{uri:e}},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.string(t.uri)}})(f1||={});var p1;(function(e){e.create=function(e,t){return{uri:e,version:t}},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.string(t.uri)&&q.integer(t.version)}})(p1||={});var m1;(function(e){e.create=function(e,t){return{uri:e,version:t}},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.string(t.uri)&&(t.version===null||q.integer(t.version))}})(m1||={});var h1;(function(e){e.ABAP=`abap`,e.WindowsBat=`bat`,e.BibTeX=`bibtex`,e.Clojure=`clojure`,e.Coffeescript=`coffeescript`,e.C=`c`,e.CPP=`cpp`,e.CSharp=`csharp`,e.CSS=`css`,e.D=`d`,e.Delphi=`pascal`,e.Diff=`diff`,e.Dart=`dart`,e.Dockerfile=`dockerfile`,e.Elixir=`elixir`,e.Erlang=`erlang`,e.FSharp=`fsharp`,e.GitCommit=`git-commit`,e.GitRebase=`git-rebase`,e.Go=`go`,e.Groovy=`groovy`,e.Handlebars=`handlebars`,e.Haskell=`haskell`,e.HTML=`html`,e.Ini=`ini`,e.Java=`java`,e.JavaScript=`javascript`,e.JavaScriptReact=`javascriptreact`,e.JSON=`json`,e.LaTeX=`latex`,e.Less=`less`,e.Lua=`lua`,e.Makefile=`makefile`,e.Markdown=`markdown`,e.ObjectiveC=`objective-c`,e.ObjectiveCPP=`objective-cpp`,e.Pascal=`pascal`,e.Perl=`perl`,e.Perl6=`perl6`,e.PHP=`php`,e.Plaintext=`plaintext`,e.Powershell=`powershell`,e.Pug=`jade`,e.Python=`python`,e.R=`r`,e.Razor=`razor`,e.Ruby=`ruby`,e.Rust=`rust`,e.SCSS=`scss`,e.SASS=`sass`,e.Scala=`scala`,e.ShaderLab=`shaderlab`,e.ShellScript=`shellscript`,e.SQL=`sql`,e.Swift=`swift`,e.TypeScript=`typescript`,e.TypeScriptReact=`typescriptreact`,e.TeX=`tex`,e.VisualBasic=`vb`,e.XML=`xml`,e.XSL=`xsl`,e.YAML=`yaml`})(h1||={});var g1;(function(e){e.create=function(e,t,n,r){return{uri:e,languageId:t,version:n,text:r}},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.string(t.uri)&&q.string(t.languageId)&&q.integer(t.version)&&q.string(t.text)}})(g1||={});var _1;(function(e){e.PlainText=`plaintext`,e.Markdown=`markdown`,e.is=function(t){let n=t;return n===e.PlainText||n===e.Markdown}})(_1||={});var v1;(function(e){e.is=function(e){let t=e;return q.objectLiteral(e)&&_1.is(t.kind)&&q.string(t.value)}})(v1||={});var y1;(function(e){e.Text=1,e.Method=2,e.Function=3,e.Constructor=4,e.Field=5,e.Variable=6,e.Class=7,e.Interface=8,e.Module=9,e.Property=10,e.Unit=11,e.Value=12,e.Enum=13,e.Keyword=14,e.Snippet=15,e.Color=16,e.File=17,e.Reference=18,e.Folder=19,e.EnumMember=20,e.Constant=21,e.Struct=22,e.Event=23,e.Operator=24,e.TypeParameter=25})(y1||={});var b1;(function(e){e.PlainText=1,e.Snippet=2})(b1||={});var x1;(function(e){e.Deprecated=1})(x1||={});var S1;(function(e){e.create=function(e,t,n){return{newText:e,insert:t,replace:n}},e.is=function(e){let t=e;return t&&q.string(t.newText)&&H_.is(t.insert)&&H_.is(t.replace)}})(S1||={});var C1;(function(e){e.asIs=1,e.adjustIndentation=2})(C1||={});var w1;(function(e){e.Replace=1,e.Merge=2})(w1||={});var T1;(function(e){e.is=function(e){let t=e;return t&&(q.string(t.detail)||t.detail===void 0)&&(q.string(t.description)||t.description===void 0)}})(T1||={});var E1;(function(e){e.create=function(e){return{label:e}}})(E1||={});var D1;(function(e){e.create=function(e,t){return{items:e||[],isIncomplete:!!t}}})(D1||={});var O1;(function(e){e.fromPlainText=function(e){return e.replace(/[\\`*_{}[\]()#+\-.!]/g,`\\$&`)},e.is=function(e){let t=e;return q.string(t)||q.objectLiteral(t)&&q.string(t.language)&&q.string(t.value)}})(O1||={});var k1;(function(e){e.is=function(e){let t=e;return!!t&&q.objectLiteral(t)&&(v1.is(t.contents)||O1.is(t.contents)||q.typedArray(t.contents,O1.is))&&(e.range===void 0||H_.is(e.range))}})(k1||={});var A1;(function(e){e.create=function(e,t){return t?{label:e,documentation:t}:{label:e}}})(A1||={});var j1;(function(e){e.create=function(e,t,...n){let r={label:e};return q.defined(t)&&(r.documentation=t),r.parameters=q.defined(n)?n:[],r}})(j1||={});var M1;(function(e){e.Text=1,e.Read=2,e.Write=3})(M1||={});var N1;(function(e){e.create=function(e,t){let n={range:e};return q.number(t)&&(n.kind=t),n}})(N1||={});var P1;(function(e){e.File=1,e.Module=2,e.Namespace=3,e.Package=4,e.Class=5,e.Method=6,e.Property=7,e.Field=8,e.Constructor=9,e.Enum=10,e.Interface=11,e.Function=12,e.Variable=13,e.Constant=14,e.String=15,e.Number=16,e.Boolean=17,e.Array=18,e.Object=19,e.Key=20,e.Null=21,e.EnumMember=22,e.Struct=23,e.Event=24,e.Operator=25,e.TypeParameter=26})(P1||={});var F1;(function(e){e.Deprecated=1})(F1||={});var I1;(function(e){e.create=function(e,t,n,r,i){let a={name:e,kind:t,location:{uri:r,range:n}};return i&&(a.containerName=i),a}})(I1||={});var L1;(function(e){e.create=function(e,t,n,r){return r===void 0?{name:e,kind:t,location:{uri:n}}:{name:e,kind:t,location:{uri:n,range:r}}}})(L1||={});var R1;(function(e){e.create=function(e,t,n,r,i,a){let o={name:e,detail:t,kind:n,range:r,selectionRange:i};return a!==void 0&&(o.children=a),o},e.is=function(e){let t=e;return t&&q.string(t.name)&&q.number(t.kind)&&H_.is(t.range)&&H_.is(t.selectionRange)&&(t.detail===void 0||q.string(t.detail))&&(t.deprecated===void 0||q.boolean(t.deprecated))&&(t.children===void 0||Array.isArray(t.children))&&(t.tags===void 0||Array.isArray(t.tags))}})(R1||={});var z1;(function(e){e.Empty=``,e.QuickFix=`quickfix`,e.Refactor=`refactor`,e.RefactorExtract=`refactor.extract`,e.RefactorInline=`refactor.inline`,e.RefactorMove=`refactor.move`,e.RefactorRewrite=`refactor.rewrite`,e.Source=`source`,e.SourceOrganizeImports=`source.organizeImports`,e.SourceFixAll=`source.fixAll`,e.Notebook=`notebook`})(z1||={});var B1;(function(e){e.Invoked=1,e.Automatic=2})(B1||={});var V1;(function(e){e.create=function(e,t,n){let r={diagnostics:e};return t!=null&&(r.only=t),n!=null&&(r.triggerKind=n),r},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.typedArray(t.diagnostics,e1.is)&&(t.only===void 0||q.typedArray(t.only,q.string))&&(t.triggerKind===void 0||t.triggerKind===B1.Invoked||t.triggerKind===B1.Automatic)}})(V1||={});var H1;(function(e){e.LLMGenerated=1,e.is=function(t){return q.defined(t)&&t===e.LLMGenerated}})(H1||={});var U1;(function(e){e.create=function(e,t,n){let r={title:e},i=!0;return typeof t==`string`?(i=!1,r.kind=t):t1.is(t)?r.command=t:r.edit=t,i&&n!==void 0&&(r.kind=n),r},e.is=function(e){let t=e;return t&&q.string(t.title)&&(t.diagnostics===void 0||q.typedArray(t.diagnostics,e1.is))&&(t.kind===void 0||q.string(t.kind))&&(t.edit!==void 0||t.command!==void 0)&&(t.command===void 0||t1.is(t.command))&&(t.isPreferred===void 0||q.boolean(t.isPreferred))&&(t.edit===void 0||u1.is(t.edit))&&(t.tags===void 0||q.typedArray(t.tags,H1.is))}})(U1||={});var W1;(function(e){e.create=function(e,t){let n={range:e};return q.defined(t)&&(n.data=t),n},e.is=function(e){let t=e;return q.objectLiteral(t)&&H_.is(t.range)&&(q.undefined(t.command)||t1.is(t.command))}})(W1||={});var G1;(function(e){e.create=function(e,t){return{tabSize:e,insertSpaces:t}},e.is=function(e){let t=e;return q.objectLiteral(t)&&q.uinteger(t.tabSize)&&q.boolean(t.insertSpaces)}})(G1||={});var K1;(function(e){e.create=function(e,t,n){return{range:e,target:t,data:n}},e.is=function(e){let t=e;return q.objectLiteral(t)&&H_.is(t.range)&&(q.undefined(t.target)||q.string(t.target))}})(K1||={});var q1;(function(e){e.create=function(e,t){return{range:e,parent:t}},e.is=function(t){let n=t;return q.objectLiteral(n)&&H_.is(n.range)&&(n.parent===void 0||e.is(n.parent))}})(q1||={});var J1;(function(e){e.namespace=`namespace`,e.type=`type`,e.class=`class`,e.enum=`enum`,e.interface=`interface`,e.struct=`struct`,e.typeParameter=`typeParameter`,e.parameter=`parameter`,e.variable=`variable`,e.property=`property`,e.enumMember=`enumMember`,e.event=`event`,e.function=`function`,e.method=`method`,e.macro=`macro`,e.keyword=`keyword`,e.modifier=`modifier`,e.comment=`comment`,e.string=`string`,e.number=`number`,e.regexp=`regexp`,e.operator=`operator`,e.decorator=`decorator`,e.label=`label`})(J1||={});var Y1;(function(e){e.declaration=`declaration`,e.definition=`definition`,e.readonly=`readonly`,e.static=`static`,e.deprecated=`deprecated`,e.abstract=`abstract`,e.async=`async`,e.modification=`modification`,e.documentation=`documentation`,e.defaultLibrary=`defaultLibrary`})(Y1||={});var X1;(function(e){e.is=function(e){let t=e;return q.objectLiteral(t)&&(t.resultId===void 0||typeof t.resultId==`string`)&&Array.isArray(t.data)&&(t.data.length===0||typeof t.data[0]==`number`)}})(X1||={});var Z1;(function(e){e.create=function(e,t){return{range:e,text:t}},e.is=function(e){let t=e;return t!=null&&H_.is(t.range)&&q.string(t.text)}})(Z1||={});var Q1;(function(e){e.create=function(e,t,n){return{range:e,variableName:t,caseSensitiveLookup:n}},e.is=function(e){let t=e;return t!=null&&H_.is(t.range)&&q.boolean(t.caseSensitiveLookup)&&(q.string(t.variableName)||t.variableName===void 0)}})(Q1||={});var $1;(function(e){e.create=function(e,t){return{range:e,expression:t}},e.is=function(e){let t=e;return t!=null&&H_.is(t.range)&&(q.string(t.expression)||t.expression===void 0)}})($1||={});var e0;(function(e){e.create=function(e,t){return{frameId:e,stoppedLocation:t}},e.is=function(e){let t=e;return q.objectLiteral(t)&&H_.is(e.stoppedLocation)}})(e0||={});var t0;(function(e){e.Type=1,e.Parameter=2,e.is=function(e){return e===1||e===2}})(t0||={});var n0;(function(e){e.create=function(e){return{value:e}},e.is=function(e){let t=e;return q.objectLiteral(t)&&(t.tooltip===void 0||q.string(t.tooltip)||v1.is(t.tooltip))&&(t.location===void 0||U_.is(t.location))&&(t.command===void 0||t1.is(t.command))}})(n0||={});var r0;(function(e){e.create=function(e,t,n){let r={position:e,label:t};return n!==void 0&&(r.kind=n),r},e.is=function(e){let t=e;return q.objectLiteral(t)&&V_.is(t.position)&&(q.string(t.label)||q.typedArray(t.label,n0.is))&&(t.kind===void 0||t0.is(t.kind))&&t.textEdits===void 0||q.typedArray(t.textEdits,n1.is)&&(t.tooltip===void 0||q.string(t.tooltip)||v1.is(t.tooltip))&&(t.paddingLeft===void 0||q.boolean(t.paddingLeft))&&(t.paddingRight===void 0||q.boolean(t.paddingRight))}})(r0||={});var i0;(function(e){e.createSnippet=function(e){return{kind:`snippet`,value:e}},e.isSnippet=function(e){let t=e;return q.objectLiteral(t)&&t.kind===`snippet`&&q.string(t.value)}})(i0||={});var a0;(function(e){e.create=function(e,t,n,r){return{insertText:e,filterText:t,range:n,command:r}}})(a0||={});var o0;(function(e){e.create=function(e){return{items:e}}})(o0||={});var s0;(function(e){e.Invoked=1,e.Automatic=2})(s0||={});var c0;(function(e){e.create=function(e,t){return{range:e,text:t}}})(c0||={});var l0;(function(e){e.create=function(e,t){return{triggerKind:e,selectedCompletionInfo:t}}})(l0||={});var u0;(function(e){e.is=function(e){let t=e;return q.objectLiteral(t)&&R_.is(t.uri)&&q.string(t.name)}})(u0||={});var d0;(function(e){e.create=function(e,t,n,r){return new f0(e,t,n,r)},e.is=function(e){let t=e;return!!(q.objectLiteral(t)&&q.string(t.uri)&&(q.undefined(t.languageId)||q.string(t.languageId))&&q.uinteger(t.lineCount)&&q.func(t.getText)&&q.func(t.positionAt)&&q.func(t.offsetAt))},e.applyEdits=function(e,n){let r=e.getText(),i=t(n,(e,t)=>{let n=e.range.start.line-t.range.start.line;return n===0?e.range.start.character-t.range.start.character:n}),a=r.length;for(let t=i.length-1;t>=0;t--){let n=i[t],o=e.offsetAt(n.range.start),s=e.offsetAt(n.range.end);if(s<=a)r=r.substring(0,o)+n.newText+r.substring(s,r.length);else throw Error(`Overlapping edit`);a=o}return r};function t(e,n){if(e.length<=1)return e;let r=e.length/2|0,i=e.slice(0,r),a=e.slice(r);t(i,n),t(a,n);let o=0,s=0,c=0;for(;o<i.length&&s<a.length;)n(i[o],a[s])<=0?e[c++]=i[o++]:e[c++]=a[s++];for(;o<i.length;)e[c++]=i[o++];for(;s<a.length;)e[c++]=a[s++];return e}})(d0||={});var f0=class{constructor(e,t,n,r){this._uri=e,this._languageId=t,this._version=n,this._content=r,this._lineOffsets=void 0}get uri(){return this._uri}get languageId(){return this._languageId}get version(){return this._version}getText(e){if(e){let t=this.offsetAt(e.start),n=this.offsetAt(e.end);return this._content.substring(t,n)}return this._content}update(e,t){this._content=e.text,this._version=t,this._lineOffsets=void 0}getLineOffsets(){if(this._lineOffsets===void 0){let e=[],t=this._content,n=!0;for(let r=0;r<t.length;r++){n&&=(e.push(r),!1);let i=t.charAt(r);n=i===`\r`||i===`
`,i===`\r`&&r+1<t.length&&t.charAt(r+1)===`
`&&r++}n&&t.length>0&&e.push(t.length),this._lineOffsets=e}return this._lineOffsets}positionAt(e){e=Math.max(Math.min(e,this._content.length),0);let t=this.getLineOffsets(),n=0,r=t.length;if(r===0)return V_.create(0,e);for(;n<r;){let i=Math.floor((n+r)/2);t[i]>e?r=i:n=i+1}let i=n-1;return V_.create(i,e-t[i])}offsetAt(e){let t=this.getLineOffsets();if(e.line>=t.length)return this._content.length;if(e.line<0)return 0;let n=t[e.line],r=e.line+1<t.length?t[e.line+1]:this._content.length;return Math.max(Math.min(n+e.character,r),n)}get lineCount(){return this.getLineOffsets().length}},q;(function(e){let t=Object.prototype.toString;e.defined=function(e){return e!==void 0},e.undefined=function(e){return e===void 0},e.boolean=function(e){return e===!0||e===!1},e.string=function(e){return t.call(e)===`[object String]`},e.number=function(e){return t.call(e)===`[object Number]`},e.numberRange=function(e,n,r){return t.call(e)===`[object Number]`&&n<=e&&e<=r},e.integer=function(e){return t.call(e)===`[object Number]`&&-0x80000000<=e&&e<=0x7fffffff},e.uinteger=function(e){return t.call(e)===`[object Number]`&&0<=e&&e<=0x7fffffff},e.func=function(e){return t.call(e)===`[object Function]`},e.objectLiteral=function(e){return typeof e==`object`&&!!e},e.typedArray=function(e,t){return Array.isArray(e)&&e.every(t)}})(q||={});var p0=class{constructor(e){this._start=0,this._pos=0,this.getStartOfToken=()=>this._start,this.getCurrentPosition=()=>this._pos,this.eol=()=>this._sourceText.length===this._pos,this.sol=()=>this._pos===0,this.peek=()=>this._sourceText.charAt(this._pos)||null,this.next=()=>{let e=this._sourceText.charAt(this._pos);return this._pos++,e},this.eat=e=>{if(this._testNextCharacter(e))return this._start=this._pos,this._pos++,this._sourceText.charAt(this._pos-1)},this.eatWhile=e=>{let t=this._testNextCharacter(e),n=!1;for(t&&(n=t,this._start=this._pos);t;)this._pos++,t=this._testNextCharacter(e),n=!0;return n},this.eatSpace=()=>this.eatWhile(/[\s\u00a0]/),this.skipToEnd=()=>{this._pos=this._sourceText.length},this.skipTo=e=>{this._pos=e},this.match=(e,t=!0,n=!1)=>{let r=null,i=null;return typeof e==`string`?(i=new RegExp(e,n?`i`:`g`).test(this._sourceText.slice(this._pos,this._pos+e.length)),r=e):e instanceof RegExp&&(i=this._sourceText.slice(this._pos).match(e),r=i?.[0]),i!=null&&(typeof e==`string`||i instanceof Array&&this._sourceText.startsWith(i[0],this._pos))?(t&&(this._start=this._pos,r&&r.length&&(this._pos+=r.length)),i):!1},this.backUp=e=>{this._pos-=e},this.column=()=>this._pos,this.indentation=()=>{let e=this._sourceText.match(/\s*/),t=0;if(e&&e.length!==0){let n=e[0],r=0;for(;n.length>r;)n.charCodeAt(r)===9?t+=2:t++,r++}return t},this.current=()=>this._sourceText.slice(this._start,this._pos),this._sourceText=e}_testNextCharacter(e){let t=this._sourceText.charAt(this._pos),n=!1;return n=typeof e==`string`?t===e:e instanceof RegExp?e.test(t):e(t),n}};function m0(e){return{ofRule:e}}function J(e,t){return{ofRule:e,isList:!0,separator:t}}function h0(e,t){let n=e.match;return e.match=e=>{let r=!1;return n&&(r=n(e)),r&&t.every(t=>t.match&&!t.match(e))},e}function g0(e,t){return{style:t,match:t=>t.kind===e}}function Y(e,t){return{style:t||`punctuation`,match:t=>t.kind===`Punctuation`&&t.value===e}}var _0=e=>e===` `||e===`	`||e===`,`||e===`
`||e===`\r`||e===`﻿`||e===`\xA0`,v0={Name:/^[_A-Za-z][_0-9A-Za-z]*/,Punctuation:/^(?:!|\$|\(|\)|\.\.\.|:|=|&|@|\[|]|\{|\||\})/,Number:/^-?(?:0|(?:[1-9][0-9]*))(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?/,String:/^(?:"""(?:\\"""|[^"]|"[^"]|""[^"])*(?:""")?|"(?:[^"\\]|\\(?:"|\/|\\|b|f|n|r|t|u[0-9a-fA-F]{4}))*"?)/,Comment:/^#.*/},y0={Document:[J(`Definition`)],Definition(e){switch(e.value){case`{`:return`ShortQuery`;case`query`:return`Query`;case`mutation`:return`Mutation`;case`subscription`:return`Subscription`;case`fragment`:return I.FRAGMENT_DEFINITION;case`schema`:return`SchemaDef`;case`scalar`:return`ScalarDef`;case`type`:return`ObjectTypeDef`;case`interface`:return`InterfaceDef`;case`union`:return`UnionDef`;case`enum`:return`EnumDef`;case`input`:return`InputDef`;case`extend`:return`ExtendDef`;case`directive`:return`DirectiveDef`}},ShortQuery:[`SelectionSet`],Query:[x0(`query`),m0(S0(`def`)),m0(`VariableDefinitions`),J(`Directive`),`SelectionSet`],Mutation:[x0(`mutation`),m0(S0(`def`)),m0(`VariableDefinitions`),J(`Directive`),`SelectionSet`],Subscription:[x0(`subscription`),m0(S0(`def`)),m0(`VariableDefinitions`),J(`Directive`),`SelectionSet`],VariableDefinitions:[Y(`(`),J(`VariableDefinition`),Y(`)`)],VariableDefinition:[`Variable`,Y(`:`),`Type`,m0(`DefaultValue`)],Variable:[Y(`$`,`variable`),S0(`variable`)],DefaultValue:[Y(`=`),`Value`],SelectionSet:[Y(`{`),J(`Selection`),Y(`}`)],Selection(e,t){return e.value===`...`?t.match(/[\s\u00a0,]*(on\b|@|{)/,!1)?`InlineFragment`:`FragmentSpread`:t.match(/[\s\u00a0,]*:/,!1)?`AliasedField`:`Field`},AliasedField:[S0(`property`),Y(`:`),S0(`qualifier`),m0(`Arguments`),J(`Directive`),m0(`SelectionSet`)],Field:[S0(`property`),m0(`Arguments`),J(`Directive`),m0(`SelectionSet`)],Arguments:[Y(`(`),J(`Argument`),Y(`)`)],Argument:[S0(`attribute`),Y(`:`),`Value`],FragmentSpread:[Y(`...`),S0(`def`),J(`Directive`)],InlineFragment:[Y(`...`),m0(`TypeCondition`),J(`Directive`),`SelectionSet`],FragmentDefinition:[x0(`fragment`),m0(h0(S0(`def`),[x0(`on`)])),`TypeCondition`,J(`Directive`),`SelectionSet`],TypeCondition:[x0(`on`),`NamedType`],Value(e){switch(e.kind){case`Number`:return`NumberValue`;case`String`:return`StringValue`;case`Punctuation`:switch(e.value){case`[`:return`ListValue`;case`{`:return`ObjectValue`;case`$`:return`Variable`;case`&`:return`NamedType`}return null;case`Name`:switch(e.value){case`true`:case`false`:return`BooleanValue`}return e.value===`null`?`NullValue`:`EnumValue`}},NumberValue:[g0(`Number`,`number`)],StringValue:[{style:`string`,match:e=>e.kind===`String`,update(e,t){t.value.startsWith(`"""`)&&(e.inBlockstring=!t.value.slice(3).endsWith(`"""`))}}],BooleanValue:[g0(`Name`,`builtin`)],NullValue:[g0(`Name`,`keyword`)],EnumValue:[S0(`string-2`)],ListValue:[Y(`[`),J(`Value`),Y(`]`)],ObjectValue:[Y(`{`),J(`ObjectField`),Y(`}`)],ObjectField:[S0(`attribute`),Y(`:`),`Value`],Type(e){return e.value===`[`?`ListType`:`NonNullType`},ListType:[Y(`[`),`Type`,Y(`]`),m0(Y(`!`))],NonNullType:[`NamedType`,m0(Y(`!`))],NamedType:[C0(`atom`)],Directive:[Y(`@`,`meta`),S0(`meta`),m0(`Arguments`)],DirectiveDef:[x0(`directive`),Y(`@`,`meta`),S0(`meta`),m0(`ArgumentsDef`),x0(`on`),J(`DirectiveLocation`,Y(`|`))],InterfaceDef:[x0(`interface`),S0(`atom`),m0(`Implements`),J(`Directive`),m0(`FieldsDef`)],Implements:[x0(`implements`),J(`NamedType`,Y(`&`))],DirectiveLocation:[S0(`string-2`)],SchemaDef:[x0(`schema`),J(`Directive`),Y(`{`),J(`OperationTypeDef`),Y(`}`)],OperationTypeDef:[S0(`keyword`),Y(`:`),S0(`atom`)],ScalarDef:[x0(`scalar`),S0(`atom`),J(`Directive`)],ObjectTypeDef:[x0(`type`),S0(`atom`),m0(`Implements`),J(`Directive`),m0(`FieldsDef`)],FieldsDef:[Y(`{`),J(`FieldDef`),Y(`}`)],FieldDef:[S0(`property`),m0(`ArgumentsDef`),Y(`:`),`Type`,J(`Directive`)],ArgumentsDef:[Y(`(`),J(`InputValueDef`),Y(`)`)],InputValueDef:[S0(`attribute`),Y(`:`),`Type`,m0(`DefaultValue`),J(`Directive`)],UnionDef:[x0(`union`),S0(`atom`),J(`Directive`),Y(`=`),J(`UnionMember`,Y(`|`))],UnionMember:[`NamedType`],EnumDef:[x0(`enum`),S0(`atom`),J(`Directive`),m0(`EnumValuesDef`)],EnumValuesDef:[Y(`{`),J(`EnumValueDef`),Y(`}`)],EnumValueDef:[S0(`string-2`),J(`Directive`)],InputDef:[x0(`input`),S0(`atom`),J(`Directive`),m0(`InputFieldsDef`)],InputFieldsDef:[Y(`{`),J(`InputValueDef`),Y(`}`)],ExtendDef:[x0(`extend`),`ExtensionDefinition`],ExtensionDefinition(e){switch(e.value){case`schema`:return I.SCHEMA_EXTENSION;case`scalar`:return I.SCALAR_TYPE_EXTENSION;case`type`:return I.OBJECT_TYPE_EXTENSION;case`interface`:return I.INTERFACE_TYPE_EXTENSION;case`union`:return I.UNION_TYPE_EXTENSION;case`enum`:return I.ENUM_TYPE_EXTENSION;case`input`:return I.INPUT_OBJECT_TYPE_EXTENSION}},[I.SCHEMA_EXTENSION]:[`SchemaDef`],[I.SCALAR_TYPE_EXTENSION]:[`ScalarDef`],[I.OBJECT_TYPE_EXTENSION]:[`ObjectTypeDef`],[I.INTERFACE_TYPE_EXTENSION]:[`InterfaceDef`],[I.UNION_TYPE_EXTENSION]:[`UnionDef`],[I.ENUM_TYPE_EXTENSION]:[`EnumDef`],[I.INPUT_OBJECT_TYPE_EXTENSION]:[`InputDef`]},b0=Object.assign(Object.assign({},y0),{FragmentArguments:[Y(`(`),J(`FragmentArgument`),Y(`)`)],FragmentArgument:[S0(`attribute`),Y(`:`),`Value`],FragmentSpread:[Y(`...`),S0(`def`),m0(`FragmentArguments`),J(`Directive`)],FragmentDefinition:[x0(`fragment`),m0(h0(S0(`def`),[x0(`on`)])),m0(`VariableDefinitions`),`TypeCondition`,J(`Directive`),`SelectionSet`]});function x0(e){return{style:`keyword`,match:t=>t.kind===`Name`&&t.value===e}}function S0(e){return{style:e,match:e=>e.kind===`Name`,update(e,t){e.name=t.value}}}function C0(e){return{style:e,match:e=>e.kind===`Name`,update(e,t){e.prevState?.prevState&&(e.name=t.value,e.prevState.prevState.type=t.value)}}}function w0(e={}){let t=Object.assign({eatWhitespace:e=>e.eatWhile(_0),lexRules:v0,parseRules:e.experimentalFragmentArguments?b0:y0,editorConfig:{}},e);return{startState(){let e={level:0,step:0,name:null,kind:null,type:null,rule:null,needsSeparator:!1,prevState:null};return O0(t.parseRules,e,I.DOCUMENT),e},token(e,n){return T0(e,n,t)}}}function T0(e,t,n){if(t.inBlockstring)return e.match(/.*"""/)?(t.inBlockstring=!1,`string`):(e.skipToEnd(),`string`);let{lexRules:r,parseRules:i,eatWhitespace:a,editorConfig:o}=n;if(t.rule&&t.rule.length===0?k0(t):t.needsAdvance&&(t.needsAdvance=!1,A0(t,!0)),e.sol()){let n=o?.tabSize||2;t.indentLevel=Math.floor(e.indentation()/n)}if(a(e))return`ws`;let s=N0(r,e);if(!s)return e.match(/\S+/)||e.match(/\s/),O0(D0,t,`Invalid`),`invalidchar`;if(s.kind===`Comment`)return O0(D0,t,`Comment`),`comment`;let c=E0({},t);if(s.kind===`Punctuation`){if(/^[{([]/.test(s.value))t.indentLevel!==void 0&&(t.levels=(t.levels||[]).concat(t.indentLevel+1));else if(/^[})\]]/.test(s.value)){let e=t.levels=(t.levels||[]).slice(0,-1);t.indentLevel&&e.length>0&&e.at(-1)<t.indentLevel&&(t.indentLevel=e.at(-1))}}for(;t.rule;){let n=typeof t.rule==`function`?t.step===0?t.rule(s,e):null:t.rule[t.step];if(t.needsSeparator&&(n=n?.separator),n){if(n.ofRule&&(n=n.ofRule),typeof n==`string`){O0(i,t,n);continue}if(n.match?.call(n,s))return n.update&&n.update(t,s),s.kind===`Punctuation`?A0(t,!0):t.needsAdvance=!0,n.style}M0(t)}return E0(t,c),O0(D0,t,`Invalid`),`invalidchar`}function E0(e,t){let n=Object.keys(t);for(let r=0;r<n.length;r++)e[n[r]]=t[n[r]];return e}var D0={Invalid:[],Comment:[]};function O0(e,t,n){if(!e[n])throw TypeError(`Unknown rule: `+n);t.prevState=Object.assign({},t),t.kind=n,t.name=null,t.type=null,t.rule=e[n],t.step=0,t.needsSeparator=!1}function k0(e){e.prevState&&=(e.kind=e.prevState.kind,e.name=e.prevState.name,e.type=e.prevState.type,e.rule=e.prevState.rule,e.step=e.prevState.step,e.needsSeparator=e.prevState.needsSeparator,e.prevState.prevState)}function A0(e,t){if(j0(e)&&e.rule){let n=e.rule[e.step];if(n.separator){let{separator:t}=n;if(e.needsSeparator=!e.needsSeparator,!e.needsSeparator&&t.ofRule)return}if(t)return}for(e.needsSeparator=!1,e.step++;e.rule&&!(Array.isArray(e.rule)&&e.step<e.rule.length);)k0(e),e.rule&&(j0(e)?e.rule?.[e.step].separator&&(e.needsSeparator=!e.needsSeparator):(e.needsSeparator=!1,e.step++))}function j0(e){let t=Array.isArray(e.rule)&&typeof e.rule[e.step]!=`string`&&e.rule[e.step];return t&&t.isList}function M0(e){for(;e.rule&&!(Array.isArray(e.rule)&&e.rule[e.step].ofRule);)k0(e);e.rule&&A0(e,!1)}function N0(e,t){let n=Object.keys(e);for(let r=0;r<n.length;r++){let i=t.match(e[n[r]]);if(i&&i instanceof Array)return{kind:n[r],value:i[0]}}}function P0(e,t,n){let r=e.split(`
`),i=w0(n),a=i.startState(),o=``,s=new p0(``);for(let e=0;e<r.length;e++){for(s=new p0(r[e]);!s.eol()&&(o=i.token(s,a),t(s,a,o,e)!==`BREAK`););t(s,a,o,e),a.kind||(a=i.startState())}return{start:s.getStartOfToken(),end:s.getCurrentPosition(),string:s.current(),state:a,style:o}}var F0;(function(e){e.TYPE_SYSTEM=`TYPE_SYSTEM`,e.EXECUTABLE=`EXECUTABLE`,e.UNKNOWN=`UNKNOWN`})(F0||={});var I0=[I.SCHEMA_DEFINITION,I.OPERATION_TYPE_DEFINITION,I.SCALAR_TYPE_DEFINITION,I.OBJECT_TYPE_DEFINITION,I.INTERFACE_TYPE_DEFINITION,I.UNION_TYPE_DEFINITION,I.ENUM_TYPE_DEFINITION,I.INPUT_OBJECT_TYPE_DEFINITION,I.DIRECTIVE_DEFINITION,I.SCHEMA_EXTENSION,I.SCALAR_TYPE_EXTENSION,I.OBJECT_TYPE_EXTENSION,I.INTERFACE_TYPE_EXTENSION,I.UNION_TYPE_EXTENSION,I.ENUM_TYPE_EXTENSION,I.INPUT_OBJECT_TYPE_EXTENSION],L0=(e,t)=>{let n=F0.UNKNOWN;if(e)try{Or(G0(e,t),{enter(e){if(e.kind===`Document`)n=F0.EXECUTABLE;else return I0.includes(e.kind)?(n=F0.TYPE_SYSTEM,Dr):!1}})}catch{return n}return n};function R0(e,t,n){return t?.endsWith(`.graphqls`)?F0.TYPE_SYSTEM:L0(e,n)}function z0(e,t,n=0,r){let i=null,a=null,o=null,s=P0(e,(e,r,s,c)=>{if(!(c!==t.line||e.getCurrentPosition()+n<t.character+1))return i=s,a=Object.assign({},r),o=e.current(),`BREAK`},r);return{start:s.start,end:s.end,string:o||s.string,state:a||s.state,style:i||s.style}}function B0(e,t,n,r,i,a=0){let o=r||z0(e,t,a,i);if(!o)return null;let s=o.state.kind===`Invalid`?o.state.prevState:o.state;return s?{token:o,state:s,typeInfo:W0(n,o.state,i?.fragmentDefinitions),mode:i?.mode||R0(e,i?.uri,i)}:null}function V0(e,t,n){return n===$n.name&&e.getQueryType()===t?$n:n===er.name&&e.getQueryType()===t?er:n===tr.name&&Wt(t)?tr:`getFields`in t?t.getFields()[n]:null}function H0(e,t){let n=[],r=e;for(;r?.kind;)n.push(r),r=r.prevState;for(let e=n.length-1;e>=0;e--)t(n[e])}function U0(e,t,n){return n?(t.find(e=>e.name.value===n)?.variableDefinitions)?.flatMap(t=>{let n=jr(e,t.type);return n?[{name:t.variable.name.value,type:n,description:void 0}]:[]})??null:null}function W0(e,t,n=[]){let r,i,a,o,s,c,l,u,d,f,p,m;return H0(t,t=>{switch(t.kind){case K0.QUERY:case`ShortQuery`:p=e.getQueryType();break;case K0.MUTATION:p=e.getMutationType();break;case K0.SUBSCRIPTION:p=e.getSubscriptionType();break;case K0.INLINE_FRAGMENT:case K0.FRAGMENT_DEFINITION:t.type&&(p=e.getType(t.type));break;case K0.FIELD:case K0.ALIASED_FIELD:!p||!t.name?s=null:(s=f?V0(e,f,t.name):null,p=s?s.type:null);break;case K0.SELECTION_SET:f=Qt(p);break;case K0.DIRECTIVE:a=t.name?e.getDirective(t.name):null;break;case K0.INTERFACE_DEF:t.name&&(u=null,m=new dn({name:t.name,interfaces:[],fields:{}}));break;case K0.OBJECT_TYPE_DEF:t.name&&(m=null,u=new nn({name:t.name,interfaces:[],fields:{}}));break;case K0.ARGUMENTS:case K0.FRAGMENT_ARGUMENTS:if(t.prevState)switch(t.prevState.kind){case K0.FIELD:i=s&&s.args;break;case K0.DIRECTIVE:i=a&&a.args;break;case K0.FRAGMENT_SPREAD:i=U0(e,n,t.prevState.name);break;case K0.ALIASED_FIELD:{let n=t.prevState?.name;if(!n){i=null;break}let r=f?V0(e,f,n):null;if(!r){i=null;break}i=r.args;break}default:i=null}else i=null;break;case K0.ARGUMENT:case K0.FRAGMENT_ARGUMENT:if(i){for(let e=0;e<i.length;e++)if(i[e].name===t.name){r=i[e];break}}c=r?.type;break;case K0.VARIABLE_DEFINITION:case K0.VARIABLE:p=c;break;case K0.ENUM_VALUE:let h=Qt(c);o=h instanceof mn?h.getValues().find(e=>e.value===t.name):null;break;case K0.LIST_VALUE:let g=Xt(c);c=g instanceof Kt?g.ofType:null;break;case K0.OBJECT_VALUE:let _=Qt(c);l=_ instanceof _n?_:null,d=l?.getFields()??null;break;case K0.OBJECT_FIELD:let v=t.name&&d?d[t.name]:null;c=v?.type,s=v,p=s?s.type:null;break;case K0.NAMED_TYPE:t.name&&(p=e.getType(t.name))}}),{argDef:r,argDefs:i,directiveDef:a,enumValue:o,fieldDef:s,inputObjectType:l,inputType:c,objectFieldDefs:d,parentType:f,type:p,interfaceDef:m,objectTypeDef:u}}function G0(e,t){return Ke(e,t)}var K0=Object.assign(Object.assign({},I),{ALIASED_FIELD:`AliasedField`,ARGUMENTS:`Arguments`,FRAGMENT_ARGUMENTS:`FragmentArguments`,FRAGMENT_ARGUMENT:`FragmentArgument`,SHORT_QUERY:`ShortQuery`,QUERY:`Query`,MUTATION:`Mutation`,SUBSCRIPTION:`Subscription`,TYPE_CONDITION:`TypeCondition`,INVALID:`Invalid`,COMMENT:`Comment`,SCHEMA_DEF:`SchemaDef`,SCALAR_DEF:`ScalarDef`,OBJECT_TYPE_DEF:`ObjectTypeDef`,OBJECT_VALUE:`ObjectValue`,LIST_VALUE:`ListValue`,INTERFACE_DEF:`InterfaceDef`,UNION_DEF:`UnionDef`,ENUM_DEF:`EnumDef`,ENUM_VALUE:`EnumValue`,FIELD_DEF:`FieldDef`,INPUT_DEF:`InputDef`,INPUT_VALUE_DEF:`InputValueDef`,ARGUMENTS_DEF:`ArgumentsDef`,EXTEND_DEF:`ExtendDef`,EXTENSION_DEFINITION:`ExtensionDefinition`,DIRECTIVE_DEF:`DirectiveDef`,IMPLEMENTS:`Implements`,VARIABLE_DEFINITIONS:`VariableDefinitions`,TYPE:`Type`,VARIABLE:`Variable`}),q0;(function(e){e.Text=1,e.Method=2,e.Function=3,e.Constructor=4,e.Field=5,e.Variable=6,e.Class=7,e.Interface=8,e.Module=9,e.Property=10,e.Unit=11,e.Value=12,e.Enum=13,e.Keyword=14,e.Snippet=15,e.Color=16,e.File=17,e.Reference=18,e.Folder=19,e.EnumMember=20,e.Constant=21,e.Struct=22,e.Event=23,e.Operator=24,e.TypeParameter=25})(q0||={}),q0.Function,q0.Function,q0.Function,q0.Function,q0.Function,q0.Function,q0.Function,q0.Function,q0.Function,q0.Function,q0.Constructor;var J0=t(n(((e,t)=>{function n(e,t){if(e!=null)return e;var n=Error(t===void 0?`Got unexpected `+e:t);throw n.framesToPop=1,n}t.exports=n,t.exports.default=n,Object.defineProperty(t.exports,"__esModule",{value:!0})}))()),Y0=(e,t)=>{if(!t)return[];let n=new Map,r=new Set;Or(e,{FragmentDefinition(e){n.set(e.name.value,!0)},FragmentSpread(e){r.has(e.name.value)||r.add(e.name.value)}});let i=new Set;for(let e of r)!n.has(e)&&t.has(e)&&i.add((0,J0.default)(t.get(e)));let a=[];for(let e of i)Or(e,{FragmentSpread(e){!r.has(e.name.value)&&t.get(e.name.value)&&(i.add((0,J0.default)(t.get(e.name.value))),r.add(e.name.value))}}),n.has(e.name.value)||a.push(e);return a},X0=class{constructor(e,t){this.lessThanOrEqualTo=e=>this.line<e.line||this.line===e.line&&this.character<=e.character,this.line=e,this.character=t}setLine(e){this.line=e}setCharacter(e){this.character=e}};function Z0(e,t){let n=Object.create(null);for(let r of t.definitions)if(r.kind===`OperationDefinition`){let{variableDefinitions:t}=r;if(t)for(let{variable:r,type:i}of t){let t=jr(e,i);t?n[r.name.value]=t:i.kind===I.NAMED_TYPE&&i.name.value===`Float`&&(n[r.name.value]=wn)}}return n}function Q0(e,t){let n=t?Z0(t,e):void 0,r=[];return Or(e,{OperationDefinition(e){r.push(e)}}),{variableToType:n,operations:r}}function $0(e,t,n){if(t)try{let r=G0(t,n);return Object.assign(Object.assign({},Q0(r,e)),{documentAST:r})}catch{}}var ev={Error:`Error`,Warning:`Warning`,Information:`Information`,Hint:`Hint`};ev.Error,ev.Warning,ev.Information,ev.Hint;var tv=n(((e,t)=>{t.exports=function(e){return typeof e==`object`?e===null:typeof e!=`function`}})),nv=n(((e,t)=>{t.exports=function(e){return typeof e==`object`&&!!e&&Array.isArray(e)===!1}})),rv=n(((e,t)=>{var n=nv();function r(e){return n(e)===!0&&Object.prototype.toString.call(e)===`[object Object]`}t.exports=function(e){var t,n;return!(r(e)===!1||(t=e.constructor,typeof t!=`function`)||(n=t.prototype,r(n)===!1)||n.hasOwnProperty(`isPrototypeOf`)===!1)}})),iv=n(((e,t)=>{var{deleteProperty:n}=Reflect,r=tv(),i=rv(),a=e=>typeof e==`object`&&!!e||typeof e==`function`,o=e=>e===`__proto__`||e===`constructor`||e===`prototype`,s=e=>{if(!r(e))throw TypeError(`Object keys must be strings or symbols`);if(o(e))throw Error(`Cannot set unsafe key: "${e}"`)},c=e=>Array.isArray(e)?e.flat().map(String).join(`,`):e,l=(e,t)=>{if(typeof e!=`string`||!t)return e;let n=e+`;`;return t.arrays!==void 0&&(n+=`arrays=${t.arrays};`),t.separator!==void 0&&(n+=`separator=${t.separator};`),t.split!==void 0&&(n+=`split=${t.split};`),t.merge!==void 0&&(n+=`merge=${t.merge};`),t.preservePaths!==void 0&&(n+=`preservePaths=${t.preservePaths};`),n},u=(e,t,n)=>{let r=c(t?l(e,t):e);s(r);let i=m.cache.get(r)||n();return m.cache.set(r,i),i},d=(e,t={})=>{let n=t.separator||`.`,r=n!==`/`&&t.preservePaths;if(typeof e==`string`&&r!==!1&&/\//.test(e))return[e];let i=[],a=``,o=e=>{let t;e.trim()!==``&&Number.isInteger(t=Number(e))?i.push(t):i.push(e)};for(let t=0;t<e.length;t++){let r=e[t];r===`\\`?a+=e[++t]:r===n?(o(a),a=``):a+=r}return a&&o(a),i},f=(e,t)=>t&&typeof t.split==`function`?t.split(e):typeof e==`symbol`?[e]:Array.isArray(e)?e:u(e,t,()=>d(e,t)),p=(e,t,r,a)=>{if(s(t),r===void 0)n(e,t);else if(a&&a.merge){let n=a.merge===`function`?a.merge:Object.assign;e[t]=n&&i(e[t])&&i(r)?n(e[t],r):r}else e[t]=r;return e},m=(e,t,n,r)=>{if(!t||!a(e))return e;let i=f(t,r),o=e;for(let e=0;e<i.length;e++){let t=i[e],c=i[e+1];if(s(t),c===void 0){p(o,t,n,r);break}typeof c==`number`&&!Array.isArray(o[t])?o=o[t]=[]:(a(o[t])||(o[t]={}),o=o[t])}return e};m.split=f,m.cache=new Map,m.clear=()=>{m.cache=new Map},t.exports=m})),av=Object.defineProperty,ov=(e,t)=>av(e,`name`,{value:t,configurable:!0}),sv=ov(e=>typeof e==`object`&&!!e,`isObject`),cv=ov((e,t,n)=>typeof n.join==`function`?n.join(e):e[0]+t+e[1],`join`),lv=ov((e,t,n)=>typeof n.split==`function`?n.split(e):e.split(t),`split`),uv=ov((e,t={},n)=>typeof n?.isValid!=`function`||n.isValid(e,t),`isValid`),dv=ov(e=>sv(e)||typeof e==`function`,`isValidObject`),fv=ov((e,t,n={})=>{if(sv(n)||(n={default:n}),!dv(e))return n.default===void 0?e:n.default;typeof t==`number`&&(t=String(t));let r=Array.isArray(t),i=typeof t==`string`,a=n.separator||`.`,o=n.joinChar||(typeof a==`string`?a:`.`);if(!i&&!r)return e;let s=e[t];if(s===void 0&&typeof e.get==`function`&&(s=e.get(t)),s!==void 0)return uv(t,e,n)?s:n.default;let c=r?t:lv(t,a,n),l=c.length,u=0;do{let t=c[u];for(typeof t!=`string`&&(t=String(t));t&&t.slice(-1)===`\\`;)t=cv([t.slice(0,-1),c[++u]||``],o,n);if(s=e[t],s===void 0&&typeof e.get==`function`&&(s=e.get(t)),s!==void 0){if(!uv(t,e,n))return n.default;e=s}else{let r=!1,i=u+1;for(;i<l;)if(t=cv([t,c[i++]],o,n),s=e[t],s===void 0&&typeof e.get==`function`&&(s=e.get(t)),r=s!==void 0){if(!uv(t,e,n))return n.default;e=s,u=i-1;break}if(!r)return n.default}}while(++u<l&&dv(e));return u===l?e:n.default},`getValue`),pv=t(iv()),mv=e=>(t,n)=>{function r(){let{queryEditor:e,schema:t,getDefaultFieldNames:r}=n();if(!e)return;let{insertions:i,result:a=``}=Jo(t,e.getValue(),r);if(!i.length)return a;let o=e.getModel(),s=e.getSelection(),c=o.getOffsetAt(s.getPosition());o.setValue(a);let l=0,u=i.map(({index:e,string:t})=>{let n=o.getPositionAt(e+l),r=o.getPositionAt(e+(l+=t.length));return{range:new bd(n.lineNumber,n.column,r.lineNumber,r.column),options:{className:`auto-inserted-leaf`,hoverMessage:{value:`Automatically added leaf fields`},isWholeLine:!1}}}),d=e.createDecorationsCollection([]);d.set(u),setTimeout(()=>{d.clear()},7e3);let f=c;for(let{index:e,string:t}of i)e<c&&(f+=t.length);let p=o.getPositionAt(f);return e.setPosition(p),a}return{...e,isFetching:!1,subscription:null,queryId:0,actions:{stop(){t(({subscription:e})=>(e?.unsubscribe(),{isFetching:!1,subscription:null}))},async run(){let{externalFragments:e,headerEditor:i,queryEditor:a,responseEditor:o,variableEditor:s,actions:c,operationName:l,documentAST:u,subscription:d,overrideOperationName:f,queryId:p,fetcher:m}=n();if(!a||!o)return;if(d){c.stop();return}function h(e){o?.setValue(e),c.updateActiveTabValues({response:e})}function g(e,t){t&&h(Ko({message:`Request not sent. ${t===s?`Variables`:`Request headers`} ${e.message}`}))}let _=p+1;t({queryId:_});let v=r()||a.getValue(),y;try{y=ep(s?.getValue())}catch(e){g(e,s);return}let b;try{b=ep(i?.getValue())}catch(e){g(e,i);return}let x=u?Y0(u,e):[];x.length&&(v+=`
`+x.map(e=>gt(e)).join(`
`)),h(``),t({isFetching:!0});try{let e={},r=r=>{if(_!==n().queryId)return;let i=Array.isArray(r)?r:!1;if(!i&&typeof r==`object`&&`hasNext`in r&&(i=[r]),i){for(let t of i)gv(e,t);t({isFetching:!1}),h(qo(e))}else t({isFetching:!1}),h(qo(r))},i=await m({query:v,variables:y,operationName:f??l},{headers:b,documentAST:u});if(wo(i))t({subscription:i.subscribe({next(e){r(e)},error(e){t({isFetching:!1}),h(Ko(e)),t({subscription:null})},complete(){t({isFetching:!1,subscription:null})}})});else if(To(i)){t({subscription:{unsubscribe:()=>i[Symbol.asyncIterator]().return?.()}});for await(let e of i)r(e);t({isFetching:!1,subscription:null})}else r(i)}catch(e){t({isFetching:!1}),h(Ko(e)),t({subscription:null})}}}}},hv=new WeakMap;function gv(e,t){let n=[`data`,...t.path??[]];for(let n of[e,t])if(n.pending){let t=hv.get(e);t===void 0&&(t=new Map,hv.set(e,t));for(let{id:e,path:r}of n.pending)t.set(e,[`data`,...r])}let{items:r,data:i,id:a}=t;if(r){if(a){if(n=hv.get(e)?.get(a),n===void 0)throw Error(`Invalid incremental delivery format.`);fv(e,n.join(`.`)).push(...r)}else{n=[`data`,...t.path??[]];for(let t of r)(0,pv.default)(e,n.join(`.`),t),n[n.length-1]++}}if(i){if(a){if(n=hv.get(e)?.get(a),n===void 0)throw Error(`Invalid incremental delivery format.`);let{subPath:r}=t;r!==void 0&&(n=[...n,...r])}(0,pv.default)(e,n.join(`.`),i,{merge:!0})}if(t.errors&&(e.errors||=[],e.errors.push(...t.errors)),t.extensions&&(0,pv.default)(e,`extensions`,t.extensions,{merge:!0}),t.incremental)for(let n of t.incremental)gv(e,n);if(t.completed)for(let{id:n,errors:r}of t.completed)hv.get(e)?.delete(n),r&&(e.errors||=[],e.errors.push(...r))}var _v=e=>t=>({plugins:[],visiblePlugin:null,...e,actions:{setVisiblePlugin(e=null){t(t=>{let{visiblePlugin:n,plugins:r,onTogglePluginVisibility:i,storage:a}=t,o=typeof e==`string`,s=e&&r.find(t=>(o?t.title:t)===e)||null;return s===n?t:(i?.(s),a.set(_f.visiblePlugin,s?.title??``),{visiblePlugin:s})})},setPlugins(e){let n=new Set,r=`All GraphiQL plugins must have a unique title`;for(let{title:t}of e){if(typeof t!=`string`||!t)throw Error(r);if(n.has(t))throw Error(`${r}, found two plugins with the title '${t}'`);n.add(t)}t({plugins:e})}}}),vv=e=>(t,n)=>({...e,fetchError:null,isIntrospecting:!1,schema:null,validationErrors:[],schemaReference:null,requestCounter:0,shouldIntrospect:!0,actions:{setSchemaReference(e){t({schemaReference:e})},async introspect(){let{requestCounter:e,shouldIntrospect:r,onSchemaChange:i,headerEditor:a,fetcher:o,inputValueDeprecation:s,introspectionQueryName:c,schemaDescription:l}=n();if(!r)return;let u=e+1;t({requestCounter:u,isIntrospecting:!0,fetchError:null});try{let e;try{e=ep(a?.getValue())}catch(e){throw Error(`Introspection failed. Request headers ${e instanceof Error?e.message:e}`)}let r=e?{headers:e}:{},d=ka({inputValueDeprecation:s,schemaDescription:l});function f(e){let t=Do(o({query:e,operationName:c},r));if(!So(t))throw TypeError(`Fetcher did not return a Promise for introspection.`);return t}let p=await f(c===`IntrospectionQuery`?d:d.replace(`query IntrospectionQuery`,`query ${c}`));typeof p==`object`&&`data`in p||(p=await f(d.replace(`subscriptionType { name }`,``))),t({isIntrospecting:!1});let m;if(p.data&&`__schema`in p.data?m=p.data:t({fetchError:typeof p==`string`?p:qo(p)}),u!==n().requestCounter||!m)return;let h=Aa(m);t({schema:h}),i?.(h)}catch(e){if(u!==n().requestCounter)return;e instanceof Error&&delete e.stack,t({isIntrospecting:!1,fetchError:Ko(e)})}}}}),yv=e=>()=>e,bv=({editorTheme:e})=>(t,n)=>({theme:null,actions:{setTheme(r){let{storage:i}=n();i.set(_f.theme,r??``),document.body.classList.remove(`graphiql-light`,`graphiql-dark`),r&&document.body.classList.add(`graphiql-${r}`);let{monaco:a}=kf.getState(),o=e[r??xv()];a?.editor.setTheme(o),t({theme:r,monacoTheme:o})}}});function xv(){return window.matchMedia(`(prefers-color-scheme: dark)`).matches?`dark`:`light`}var X=i();function Sv(e){return typeof e==`object`&&!!e&&`__schema`in e}var Cv=(0,H.createContext)(null),wv=e=>{let t=(0,y_.c)(6);if(!e.fetcher)throw TypeError("The `GraphiQLProvider` component requires a `fetcher` function to be passed as prop.");if(e.validationRules)throw TypeError("The `validationRules` prop has been removed. Use custom GraphQL worker, see https://github.com/graphql/graphiql/tree/main/packages/monaco-graphql#custom-webworker-for-passing-non-static-config-to-worker.");if(e.query)throw TypeError(`The \`query\` prop has been removed. Use \`initialQuery\` prop instead, or set value programmatically using:

const queryEditor = useGraphiQL(state => state.queryEditor)

useEffect(() => {
  queryEditor.setValue(query)
}, [query])`);if(e.variables)throw TypeError(`The \`variables\` prop has been removed. Use \`initialVariables\` prop instead, or set value programmatically using:

const variableEditor = useGraphiQL(state => state.variableEditor)

useEffect(() => {
  variableEditor.setValue(variables)
}, [variables])`);if(e.headers)throw TypeError(`The \`headers\` prop has been removed. Use \`initialHeaders\` prop instead, or set value programmatically using:

const headerEditor = useGraphiQL(state => state.headerEditor)

useEffect(() => {
  headerEditor.setValue(headers)
}, [headers])`);if(e.response)throw TypeError(`The \`response\` prop has been removed. Set value programmatically using:

const responseEditor = useGraphiQL(state => state.responseEditor)

useEffect(() => {
  responseEditor.setValue(response)
}, [response])`);let{actions:n}=Af(),[r,i]=(0,H.useState)(!1),a;t[0]!==n||t[1]!==e.experimentalFragmentArguments?(a=()=>{n.initialize({experimentalFragmentArguments:e.experimentalFragmentArguments}),i(!0)},t[0]=n,t[1]=e.experimentalFragmentArguments,t[2]=a):a=t[2];let o;if(t[3]===Symbol.for(`react.memo_cache_sentinel`)?(o=[],t[3]=o):o=t[3],(0,H.useEffect)(a,o),!r)return null;let s;return t[4]===e?s=t[5]:(s=(0,X.jsx)(Tv,{...e}),t[4]=e,t[5]=s),s},Tv=e=>{let t=(0,y_.c)(18),{defaultHeaders:n,defaultQuery:r,defaultTabs:i,externalFragments:a,onEditOperationName:o,onTabChange:s,shouldPersistHeaders:c,onCopyQuery:l,onPrettifyQuery:u,customScalarSchemas:d,dangerouslyAssumeSchemaIsValid:f,fetcher:p,inputValueDeprecation:m,introspectionQueryName:h,onSchemaChange:g,schema:_,schemaDescription:v,getDefaultFieldNames:y,operationName:b,onTogglePluginVisibility:x,plugins:S,referencePlugin:C,visiblePlugin:w,children:T,defaultTheme:E,editorTheme:D,storage:O,...k}=e,A=r===void 0?vf:r,j=c!==void 0&&c,M=u===void 0?Cf:u,N=f!==void 0&&f,P=m!==void 0&&m,ee=h===void 0?`IntrospectionQuery`:h,te=v!==void 0&&v,ne=b===void 0?null:b,re=S===void 0?[]:S,ie=E===void 0?null:E,ae=D===void 0?wf:D,F=(0,H.useRef)(null),I=(0,H.useId)();if(F.current===null){let e=new as(O),t=function(){let t=e.get(_f.visiblePlugin);return re.find(e=>e.title===t)||(t&&e.set(_f.visiblePlugin,``),w)},r=function(){let t=e.get(_f.theme);switch(t){case`light`:return`light`;case`dark`:return`dark`;default:return typeof t==`string`&&e.set(_f.theme,``),ie}};F.current=function(){let c=k.initialQuery??e.get(_f.query),u=k.initialVariables??e.get(_f.variables),f=k.initialHeaders??e.get(_f.headers),{tabs:m,activeTabIndex:h}=S_({defaultHeaders:n,defaultQuery:A,defaultTabs:i,headers:f,query:c,shouldPersistHeaders:j,storage:e,variables:u}),_=e.get(_f.persistHeaders)!==null,v=j!==!1&&_?e.get(_f.persistHeaders)===`true`:j,b=_s((...t)=>{let r=t,i=yv({storage:e})(...r),_=I_({activeTabIndex:h,defaultHeaders:n,defaultQuery:A,externalFragments:Ov(a),initialHeaders:f??n??``,initialQuery:c??(h===0?m[0].query:null)??``,initialVariables:u??``,onCopyQuery:l,onEditOperationName:o,onPrettifyQuery:M,onTabChange:s,shouldPersistHeaders:v,tabs:m,uriInstanceId:I.replaceAll(/[:«»]/g,``)+`-`})(...r),b=mv({fetcher:p,getDefaultFieldNames:y,overrideOperationName:ne})(...r),S=_v({onTogglePluginVisibility:x,referencePlugin:C})(...r),w=vv({customScalarSchemas:d,inputValueDeprecation:P,introspectionQueryName:ee,onSchemaChange:g,schemaDescription:te})(...r),T=bv({editorTheme:ae})(...r);return{...i,..._,...b,...S,...w,...T,actions:{..._.actions,...b.actions,...S.actions,...w.actions,...T.actions}}}),{actions:S}=b.getState();return S.storeTabs({activeTabIndex:h,tabs:m}),S.setPlugins(re),S.setVisiblePlugin(t()),S.setTheme(r()),b}()}let oe,se;t[0]===p?(oe=t[1],se=t[2]):(oe=()=>{F.current.setState({fetcher:p})},se=[p],t[0]=p,t[1]=oe,t[2]=se),x_(oe,se);let ce,le;t[3]!==re||t[4]!==w?(ce=()=>{let{actions:e}=F.current.getState();e.setPlugins(re),e.setVisiblePlugin(w)},le=[re,w],t[3]=re,t[4]=w,t[5]=ce,t[6]=le):(ce=t[5],le=t[6]),x_(ce,le);let ue;t[7]!==N||t[8]!==_?(ue=()=>{let e=ir(_)||_==null?_:Sv(_)?Aa(_):void 0,t=!e||N?[]:cr(e),n=F.current;n.setState(n=>{let{requestCounter:r}=n;return{requestCounter:r+1,schema:e,shouldIntrospect:!e&&_!==null,validationErrors:t}});let{actions:r}=n.getState();r.introspect()},t[7]=N,t[8]=_,t[9]=ue):ue=t[9];let de;t[10]!==N||t[11]!==p||t[12]!==_?(de=[_,N,p],t[10]=N,t[11]=p,t[12]=_,t[13]=de):de=t[13],(0,H.useEffect)(ue,de);let fe,pe;t[14]===Symbol.for(`react.memo_cache_sentinel`)?(fe=()=>{let e=function(e){if(e.ctrlKey&&e.key===`R`){let{actions:e}=F.current.getState();e.introspect()}};return window.addEventListener(`keydown`,e),()=>{window.removeEventListener(`keydown`,e)}},pe=[],t[14]=fe,t[15]=pe):(fe=t[14],pe=t[15]),(0,H.useEffect)(fe,pe);let me;return t[16]===T?me=t[17]:(me=(0,X.jsx)(Cv.Provider,{value:F,children:T}),t[16]=T,t[17]=me),me};function Ev(e){let t=(0,H.useContext)(Cv);if(!t)throw Error(`"useGraphiQL" hook must be used within a <GraphiQLProvider> component.
It looks like you are trying to use the hook outside the GraphiQL provider tree.`);return hs(t.current,Cs(e))}var Dv=()=>Ev(kv);function Ov(e){let t=new Map;if(e){if(Array.isArray(e))for(let n of e)t.set(n.name.value,n);else if(typeof e==`string`)Or(Ke(e),{FragmentDefinition(e){t.set(e.name.value,e)}});else throw TypeError("The `externalFragments` prop must either be a string that contains the fragment definitions in SDL or a list of `FragmentDefinitionNode` objects.")}return t}function kv(e){return e.actions}function Av(e){let t=(0,y_.c)(26),{defaultSizeRelation:n,direction:r,initiallyHidden:i,onHiddenElementChange:a,sizeThresholdFirst:o,sizeThresholdSecond:s,storageKey:c}=e,l=n===void 0?1:n,u=o===void 0?100:o,d=s===void 0?100:s,f=Ev(jv),p;t[0]!==i||t[1]!==f||t[2]!==c?(p=()=>{let e=c&&f.get(c);return e===Mv||i===`first`?`first`:e===Nv||i===`second`?`second`:null},t[0]=i,t[1]=f,t[2]=c,t[3]=p):p=t[3];let[m,h]=(0,H.useState)(p),g=(0,H.useRef)(null),_=(0,H.useRef)(null),v=(0,H.useRef)(null),y=(0,H.useRef)(`${l}`),b;t[4]!==f||t[5]!==c?(b=()=>{let e=c&&f.get(c)||y.current;g.current&&(g.current.style.flex=e===Mv||e===Nv?y.current:e),v.current&&(v.current.style.flex=`1`)},t[4]=f,t[5]=c,t[6]=b):b=t[6];let x;t[7]!==r||t[8]!==f||t[9]!==c?(x=[r,f,c],t[7]=r,t[8]=f,t[9]=c,t[10]=x):x=t[10],(0,H.useEffect)(b,x);let S,C;t[11]!==m||t[12]!==f||t[13]!==c?(S=()=>{let e=function(e){if(e.style.left=`-1000px`,e.style.position=`absolute`,e.style.opacity=`0`,!g.current)return;let t=parseFloat(g.current.style.flex);(!Number.isFinite(t)||t<1)&&(g.current.style.flex=`1`)},t=function(e){if(e.style.left=``,e.style.position=``,e.style.opacity=``,!c)return;let t=f.get(c);g.current&&t!==Mv&&t!==Nv&&(g.current.style.flex=t||y.current)};for(let n of[`first`,`second`]){let r=(n===`first`?g:v).current;r&&(n===m?e(r):t(r))}},C=[m,f,c],t[11]=m,t[12]=f,t[13]=c,t[14]=S,t[15]=C):(S=t[14],C=t[15]),(0,H.useEffect)(S,C);let w,T;t[16]!==r||t[17]!==a||t[18]!==u||t[19]!==d||t[20]!==f||t[21]!==c?(T=()=>{if(!_.current||!g.current||!v.current)return;let e=Pf(500,e=>{c&&f.set(c,e)}),t=function(e){h(t=>e===t?t:(a?.(e),e))},n=_.current,i=g.current,o=i.parentElement,s=r===`horizontal`,l=s?`clientX`:`clientY`,p=s?`left`:`top`,m=s?`right`:`bottom`,b=s?`clientWidth`:`clientHeight`,x=function(r){if(r.target!==r.currentTarget)return;r.preventDefault();let a=r[l]-n.getBoundingClientRect()[p],s=function(r){if(r.buttons===0)return c();let s=o.getBoundingClientRect(),f=r[l]-s[p]-a,h=s[m]-r[l]+a-n[b];if(f<u)t(`first`),e(Mv);else if(h<d)t(`second`),e(Nv);else{t(null);let n=`${f/h}`;i.style.flex=n,e(n)}};function c(){document.removeEventListener(`mousemove`,s),document.removeEventListener(`mouseup`,c)}document.addEventListener(`mousemove`,s),document.addEventListener(`mouseup`,c)};n.addEventListener(`mousedown`,x);let S=function(){g.current&&(g.current.style.flex=y.current),e(y.current),t(null)};return n.addEventListener(`dblclick`,S),()=>{n.removeEventListener(`mousedown`,x),n.removeEventListener(`dblclick`,S)}},w=[r,a,u,d,f,c],t[16]=r,t[17]=a,t[18]=u,t[19]=d,t[20]=f,t[21]=c,t[22]=w,t[23]=T):(w=t[22],T=t[23]),(0,H.useEffect)(T,w);let E;return t[24]===m?E=t[25]:(E={dragBarRef:_,hiddenElement:m,firstRef:g,setHiddenElement:h,secondRef:v},t[24]=m,t[25]=E),E}function jv(e){return e.storage}var Mv=`hide-first`,Nv=`hide-second`;function Pv(e){var t,n,r=``;if(typeof e==`string`||typeof e==`number`)r+=e;else if(typeof e==`object`){if(Array.isArray(e))for(t=0;t<e.length;t++)e[t]&&(n=Pv(e[t]))&&(r&&(r+=` `),r+=n);else for(t in e)e[t]&&(r&&(r+=` `),r+=t)}return r}function Fv(){for(var e,t,n=0,r=``;n<arguments.length;)(e=arguments[n++])&&(t=Pv(e))&&(r&&(r+=` `),r+=t);return r}var Iv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 14 14`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.2,d:`M5.048 1.408a2.76 2.76 0 0 1 3.904 0l3.64 3.64a2.76 2.76 0 0 1 0 3.904l-3.64 3.64a2.76 2.76 0 0 1-3.904 0l-3.64-3.64a2.76 2.76 0 0 1 0-3.904z`}),H.createElement(`rect`,{width:2,height:2,x:6,y:6,fill:`currentColor`,rx:1})),Lv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 14 9`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.5,d:`m1 1 6 6 6-6`})),Rv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 7 10`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.75,d:`m6 1.048-4 4 4 4`})),zv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 14 9`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.5,d:`M13 8 7 2 1 8`})),Bv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,stroke:`currentColor`,strokeWidth:3,viewBox:`0 0 14 14`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{d:`m1 1 12 12m0-12L1 13`})),Vv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`-2 -2 22 22`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.5,d:`M11.25 14.21v1.025a2.015 2.015 0 0 1-2.015 2.015h-6.47A2.015 2.015 0 0 1 .75 15.235v-6.47c0-1.113.902-2.015 2.015-2.015h1.024`}),H.createElement(`rect`,{width:10.5,height:10.5,x:6.75,y:.75,stroke:`currentColor`,strokeWidth:1.5,rx:2.207})),Hv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 14 14`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.2,d:`M5.048 1.408a2.76 2.76 0 0 1 3.904 0l3.64 3.64a2.76 2.76 0 0 1 0 3.904l-3.64 3.64a2.76 2.76 0 0 1-3.904 0l-3.64-3.64a2.76 2.76 0 0 1 0-3.904zM5 9l4-4M5 5l4 4`})),Uv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 12 12`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.2,d:`m4 8 4-4M4 4l4 4`}),H.createElement(`path`,{fill:`currentColor`,fillRule:`evenodd`,d:`M8.5 1.2H9A1.8 1.8 0 0 1 10.8 3v6A1.8 1.8 0 0 1 9 10.8h-.5V12H9a3 3 0 0 0 3-3V3a3 3 0 0 0-3-3h-.5zm-5 0V0H3a3 3 0 0 0-3 3v6a3 3 0 0 0 3 3h.5v-1.2H3A1.8 1.8 0 0 1 1.2 9V3A1.8 1.8 0 0 1 3 1.2z`,clipRule:`evenodd`})),Wv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 12 12`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`rect`,{width:10.8,height:10.8,x:.6,y:.6,stroke:`currentColor`,strokeWidth:1.2,rx:3.4}),H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.2,d:`m4 8 4-4M4 4l4 4`})),Gv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,viewBox:`0 0.5 12 12`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`rect`,{width:2,height:2,x:7,y:5.5,fill:`currentColor`,rx:1,transform:`rotate(90 7 5.5)`}),H.createElement(`path`,{fill:`currentColor`,fillRule:`evenodd`,d:`M10.8 9v.5A1.8 1.8 0 0 1 9 11.3H3a1.8 1.8 0 0 1-1.8-1.8V9H0v.5a3 3 0 0 0 3 3h6a3 3 0 0 0 3-3V9zm0-5H12v-.5a3 3 0 0 0-3-3H3a3 3 0 0 0-3 3V4h1.2v-.5A1.8 1.8 0 0 1 3 1.7h6a1.8 1.8 0 0 1 1.8 1.8z`,clipRule:`evenodd`})),Kv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 20 24`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.5,d:`M.75 3A2.25 2.25 0 0 1 3 .75h14.25a1 1 0 0 1 1 1v3.5`}),H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.5,d:`M.75 3A2.25 2.25 0 0 0 3 5.25h15.25a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H3A2.25 2.25 0 0 1 .75 21z`}),H.createElement(`path`,{fill:`currentColor`,fillRule:`evenodd`,d:`M3 5.25A2.25 2.25 0 0 1 .75 3v18A2.25 2.25 0 0 0 3 23.25h15.25a1 1 0 0 0 1-1v-16a1 1 0 0 0-1-1zM13 11H6v1.5h7z`,clipRule:`evenodd`})),qv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 20 24`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.5,d:`M.75 3A2.25 2.25 0 0 0 3 5.25h14.25M.75 3A2.25 2.25 0 0 1 3 .75h13.25a1 1 0 0 1 1 1v3.5M.75 3v18A2.25 2.25 0 0 0 3 23.25h15.25a1 1 0 0 0 1-1v-16a1 1 0 0 0-1-1h-1M13 11.75H6`})),Jv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 12 12`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`rect`,{width:2,height:2,x:5,y:5,fill:`currentColor`,rx:1}),H.createElement(`path`,{fill:`currentColor`,fillRule:`evenodd`,d:`M8.5 1.2H9A1.8 1.8 0 0 1 10.8 3v6A1.8 1.8 0 0 1 9 10.8h-.5V12H9a3 3 0 0 0 3-3V3a3 3 0 0 0-3-3h-.5zm-5 0V0H3a3 3 0 0 0-3 3v6a3 3 0 0 0 3 3h.5v-1.2H3A1.8 1.8 0 0 1 1.2 9V3A1.8 1.8 0 0 1 3 1.2z`,clipRule:`evenodd`})),Yv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 12 13`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`rect`,{width:10.8,height:10.8,x:.6,y:1.1,stroke:`currentColor`,strokeWidth:1.2,rx:2.4}),H.createElement(`rect`,{width:2,height:2,x:5,y:5.5,fill:`currentColor`,rx:1})),Xv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 24 20`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeLinecap:`square`,strokeWidth:1.5,d:`m1.594 9.523 3.279 3.471 3.206-3.582M13.75 5.25v5.5h5`}),H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.5,d:`M4.954 11.933A9.25 9.25 0 1 1 14 19.25`})),Zv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 12 12`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`circle`,{cx:6,cy:6,r:5.4,stroke:`currentColor`,strokeDasharray:`4.241025 4.241025`,strokeWidth:1.2,transform:`rotate(22.5 6 6)`}),H.createElement(`circle`,{cx:6,cy:6,r:1,fill:`currentColor`})),Qv=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 19 18`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeLinecap:`round`,strokeLinejoin:`round`,strokeWidth:1.125,d:`M1.5 14.565a2.435 2.435 0 0 0 4.87 0v-2.434H3.935A2.434 2.434 0 0 0 1.5 14.564M3.935 1a2.435 2.435 0 1 0 0 4.87H6.37V3.435a2.435 2.435 0 0 0-2.435-2.434m11.13 11.129H12.63v2.435a2.435 2.435 0 1 0 2.435-2.434m-2.433-6.263H6.37v6.26h6.262z`}),H.createElement(`path`,{stroke:`currentColor`,strokeLinecap:`round`,strokeLinejoin:`round`,strokeWidth:1.125,d:`M17.5 3.435a2.435 2.435 0 1 0-4.87 0v2.434h2.435A2.435 2.435 0 0 0 17.5 3.435`})),$v=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 13 13`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`circle`,{cx:5,cy:5,r:4.35,stroke:`currentColor`,strokeWidth:1.3}),H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.3,d:`m8.46 8.54 3.292 3.293`})),ey=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`-2 -2 22 22`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.5,d:`M17.25 6V2.957A2.207 2.207 0 0 0 15.041.75H2.957A2.207 2.207 0 0 0 .75 2.957V6m0 6v3.043c0 1.219.988 2.207 2.207 2.207h12.085a2.207 2.207 0 0 0 2.207-2.207V12`}),H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.5,d:`m6 4.5 3 3 3-3m0 9-3-3-3 3`})),ty=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 14 14`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{fill:`currentColor`,d:`m.75 13.25-.695-.283a.75.75 0 0 0 .99.972zM12.821 1.833l-.53.53zm0 2.069.53.53zm-2.723-2.723-.53-.53zm2.07 0 .53-.53zM2.58 8.757l.695.283zm.12-.181.531.53zm2.548 2.843-.294-.69zm.172-.116-.53-.53zm-.466-.573c-.865.369-1.536.632-2.219.9-.684.27-1.38.544-2.28.93l.59 1.38a75 75 0 0 1 2.24-.913c.683-.27 1.37-.54 2.257-.918zm-3.51 2.803L3.276 9.04l-1.39-.566-1.83 4.493zm1.787-4.427 7.397-7.397-1.06-1.06L2.17 8.045zm8.406-7.397.654.654 1.06-1.06-.653-.655zm.654 1.663-7.401 7.4 1.06 1.061 7.402-7.4zm0-1.01a.713.713 0 0 1 0 1.01l1.06 1.06a2.213 2.213 0 0 0 0-3.13zm-1.663-.653a.713.713 0 0 1 1.01 0l1.06-1.06a2.213 2.213 0 0 0-3.13 0zm-7.353 7.33a.2.2 0 0 1-.044.067l-1.06-1.06c-.123.122-.22.268-.285.428zm2.267 3.07a1.3 1.3 0 0 0 .409-.276l-1.061-1.06a.2.2 0 0 1 .064-.043z`}),H.createElement(`path`,{stroke:`currentColor`,strokeLinecap:`round`,strokeLinejoin:`round`,strokeWidth:1.403,d:`m11.5 4.5-2-2m-4 8-2-2`})),ny=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 16 18`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{fill:`currentColor`,d:`M0 1.66A1 1 0 0 1 1.468.778l13.863 7.34a1 1 0 0 1 0 1.767L1.468 17.223A1 1 0 0 1 0 16.339z`})),ry=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`currentColor`,viewBox:`0 0 10 16`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{fillRule:`evenodd`,d:`M4.25 9.25v4.25h1.5V9.25H10v-1.5H5.75V3.5h-1.5v4.25H0v1.5z`,clipRule:`evenodd`})),iy=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,width:25,height:25,fill:`none`,viewBox:`0 0 25 25`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.563,d:`m10.285 24.075 3.429-6m.86 6 2.572-4.286m2.341 4.285 1.236-2.322a5.98 5.98 0 0 0-1.089-7.065l4.164-7.808a1.714 1.714 0 0 0-3.025-1.614l-4.165 7.81a5.98 5.98 0 0 0-6.473 3.025L6 24.073`}),H.createElement(`path`,{stroke:`currentColor`,strokeLinejoin:`round`,strokeWidth:1.563,d:`m4 15 1-2 2-1-2-1-1-2-1 2-2 1 2 1zm7.5-7 1.166-2.334L15 4.5l-2.334-1.166L11.5 1l-1.166 2.334L8 4.5l2.334 1.166z`})),ay=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 16 16`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeLinecap:`square`,d:`M4.75 9.25h-3.5v3.5m10-6h3.5v-3.5`}),H.createElement(`path`,{stroke:`currentColor`,d:`M14.104 6.655a6.25 6.25 0 0 0-12.175-.142m-.033 2.832a6.25 6.25 0 0 0 12.174.142`})),oy=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 13 13`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`rect`,{width:11.8,height:11.8,x:.6,y:.6,stroke:`currentColor`,strokeWidth:1.2,rx:5.9}),H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.2,d:`M4.25 7.5c0-1.5 1.5-2.5 2.25-1s2.25.5 2.25-1`})),sy=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 21 20`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{fill:`currentColor`,fillRule:`evenodd`,d:`M9.292 1.927a1.7 1.7 0 0 1-.584-.427L7.866.575A1.741 1.741 0 0 0 4.84 1.83l.064 1.25a1.743 1.743 0 0 1-1.828 1.827l-1.245-.064A1.741 1.741 0 0 0 .575 7.876l.925.836a1.733 1.733 0 0 1 0 2.584l-.925.836a1.742 1.742 0 0 0 1.25 3.028l1.246-.064a1.74 1.74 0 0 1 1.828 1.828l-.064 1.245a1.741 1.741 0 0 0 3.031 1.256l.847-.925a1.732 1.732 0 0 1 2.584 0l.836.925a1.741 1.741 0 0 0 3.031-1.256l-.064-1.245a1.743 1.743 0 0 1 1.828-1.828l1.245.064a1.74 1.74 0 0 0 1.256-3.032l-.925-.836a1.732 1.732 0 0 1 0-2.584l.925-.836a1.742 1.742 0 0 0-1.255-3.032l-1.246.064A1.743 1.743 0 0 1 15.1 3.076l.064-1.245A1.742 1.742 0 0 0 12.133.575l-.842.925a1.73 1.73 0 0 1-2 .427M14.375 10a4.375 4.375 0 1 1-8.75 0 4.375 4.375 0 0 1 8.75 0`,clipRule:`evenodd`})),cy=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 14 14`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{fill:`currentColor`,stroke:`currentColor`,d:`M6.578 1.07a.438.438 0 0 1 .844 0l1.171 3.776c.06.192.23.321.422.321h3.79c.43 0 .609.576.261.84L10 8.341a.48.48 0 0 0-.161.519l1.17 3.775c.134.428-.334.784-.682.52L7.261 10.82a.43.43 0 0 0-.522 0l-3.066 2.333c-.348.265-.816-.091-.683-.519L4.161 8.86a.48.48 0 0 0-.16-.52L.933 6.008c-.348-.264-.17-.84.26-.84h3.791c.192 0 .362-.13.422-.32z`})),ly=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 14 14`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{stroke:`currentColor`,strokeWidth:1.5,d:`M6.578 1.07a.438.438 0 0 1 .844 0l1.171 3.776c.06.192.23.321.422.321h3.79c.43 0 .609.576.261.84L10 8.341a.48.48 0 0 0-.161.519l1.17 3.775c.134.428-.334.784-.682.52L7.261 10.82a.43.43 0 0 0-.522 0l-3.066 2.333c-.348.265-.816-.091-.683-.519L4.161 8.86a.48.48 0 0 0-.16-.52L.933 6.008c-.348-.264-.17-.84.26-.84h3.791c.192 0 .362-.13.422-.32z`})),uy=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 16 16`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`rect`,{width:16,height:16,fill:`currentColor`,rx:2})),dy=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,width:`1em`,height:`5em`,fillRule:`evenodd`,"aria-hidden":`true`,clipRule:`evenodd`,style:{height:`1.5em`},viewBox:`0 0 23 23`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`path`,{fill:`currentColor`,stroke:`currentColor`,strokeWidth:.25,d:`M19 24H5a2 2 0 0 1-2-2V5H2V3h6V1.5C8 .673 8.673 0 9.5 0h5c.825 0 1.5.671 1.5 1.5V3h6v2h-1v17a2 2 0 0 1-2 2zm0-19H5v16.5a.5.5 0 0 0 .5.5h13a.5.5 0 0 0 .5-.5zm-7 7.586 3.293-3.293 1.414 1.414L13.414 14l3.293 3.293-1.414 1.414L12 15.414l-3.293 3.293-1.414-1.414L10.586 14l-3.293-3.293 1.414-1.414zM14 2h-4v1h4z`})),fy=({title:e,titleId:t,...n})=>H.createElement(`svg`,{xmlns:`http://www.w3.org/2000/svg`,height:`1em`,fill:`none`,viewBox:`0 0 13 13`,"aria-labelledby":t,...n},e?H.createElement(`title`,{id:t},e):null,H.createElement(`rect`,{width:11.8,height:11.8,x:.6,y:.6,stroke:`currentColor`,strokeWidth:1.2,rx:5.9}),H.createElement(`rect`,{width:2,height:2,x:5.5,y:5.5,fill:`currentColor`,rx:1})),py=Wy(Iv),my=Wy(Lv),hy=Wy(Rv),gy=Wy(zv),_y=Wy(Bv),vy=Wy(Vv),yy=Wy(Hv),by=Wy(Uv),xy=Wy(Wv),Sy=Wy(Gv),Cy=Wy(Kv),wy=Wy(qv),Ty=Wy(Jv),Ey=Wy(Yv),Dy=Wy(Xv),Oy=Wy(Zv),ky=Wy(Qv),Ay=Wy($v),jy=Wy(ey),My=Wy(ty),Ny=Wy(ny),Py=Wy(ry),Fy=Wy(iy),Iy=Wy(ay),Ly=Wy(oy),Ry=Wy(sy),zy=Wy(cy),By=Wy(ly),Vy=Wy(uy),Hy=Wy(dy),Uy=Wy(fy);function Wy(e){let t=e.name.replace(`Svg`,``).replaceAll(/([A-Z])/g,` $1`).trimStart().toLowerCase()+` icon`,n=n=>{let r=(0,y_.c)(2),i;return r[0]===n?i=r[1]:(i=(0,X.jsx)(e,{title:t,...n}),r[0]=n,r[1]=i),i};return n.displayName=e.name,n}var Gy=Object.defineProperty,Ky=(e,t)=>Gy(e,`name`,{value:t,configurable:!0}),qy=!!(typeof window<`u`&&window.document&&window.document.createElement);function Z(e,t,{checkForDefaultPrevented:n=!0}={}){return Ky(function(r){if(e?.(r),n===!1||!r||!r.defaultPrevented)return t?.(r)},`handleEvent`)}Ky(Z,`composeEventHandlers`);function Jy(e){if(!qy)throw Error(`Cannot access window outside of the DOM`);return e?.ownerDocument?.defaultView??window}Ky(Jy,`getOwnerWindow`);function Yy(e){if(!qy)throw Error(`Cannot access document outside of the DOM`);return e?.ownerDocument??document}Ky(Yy,`getOwnerDocument`);function Xy(e,t=!1){let{activeElement:n}=Yy(e);if(!n?.nodeName)return null;if(Zy(n)&&n.contentDocument)return Xy(n.contentDocument.body,t);if(t){let e=n.getAttribute(`aria-activedescendant`);if(e){let t=Yy(n).getElementById(e);if(t)return t}}return n}Ky(Xy,`getActiveElement`);function Zy(e){return e.tagName===`IFRAME`}Ky(Zy,`isFrame`);var Qy=Object.defineProperty,$y=(e,t)=>Qy(e,`name`,{value:t,configurable:!0});function e2(e,t){if(typeof e==`function`)return e(t);e!=null&&(e.current=t)}$y(e2,`setRef`);function t2(...e){return t=>{let n=!1,r=e.map(e=>{let r=e2(e,t);return!n&&typeof r==`function`&&(n=!0),r});if(n)return()=>{for(let t=0;t<r.length;t++){let n=r[t];typeof n==`function`?n():e2(e[t],null)}}}}$y(t2,`composeRefs`);function n2(...e){return H.useCallback(t2(...e),e)}$y(n2,`useComposedRefs`);var r2=Object.defineProperty,i2=(e,t)=>r2(e,`name`,{value:t,configurable:!0});function a2(e,t){let n=H.createContext(t);n.displayName=e+`Context`;let r=i2(e=>{let{children:t,...r}=e,i=H.useMemo(()=>r,Object.values(r));return(0,X.jsx)(n.Provider,{value:i,children:t})},`Provider`);r.displayName=e+`Provider`;function i(r,i={}){let{optional:a=!1}=i,o=H.useContext(n);if(o)return o;if(t!==void 0)return t;if(!a)throw Error(`\`${r}\` must be used within \`${e}\``)}return i2(i,`useContext`),[r,i]}i2(a2,`createContext`);function o2(e,t=[]){let n=[];function r(t,r){let i=H.createContext(r);i.displayName=t+`Context`;let a=n.length;n=[...n,r];let o=i2(t=>{let{scope:n,children:r,...o}=t,s=n?.[e]?.[a]||i,c=H.useMemo(()=>o,Object.values(o));return(0,X.jsx)(s.Provider,{value:c,children:r})},`Provider`);o.displayName=t+`Provider`;function s(n,o,s={}){let{optional:c=!1}=s,l=o?.[e]?.[a]||i,u=H.useContext(l);if(u)return u;if(r!==void 0)return r;if(!c)throw Error(`\`${n}\` must be used within \`${t}\``)}return i2(s,`useContext`),[o,s]}i2(r,`createContext`);let i=i2(()=>{let t=n.map(e=>H.createContext(e));return i2(function(n){let r=n?.[e]||t;return H.useMemo(()=>({[`__scope${e}`]:{...n,[e]:r}}),[n,r])},`useScope`)},`createScope`);return i.scopeName=e,[r,s2(i,...t)]}i2(o2,`createContextScope`);function s2(...e){let t=e[0];if(e.length===1)return t;let n=i2(()=>{let n=e.map(e=>({useScope:e(),scopeName:e.scopeName}));return i2(function(e){let r=n.reduce((t,{useScope:n,scopeName:r})=>{let i=n(e)[`__scope${r}`];return{...t,...i}},{});return H.useMemo(()=>({[`__scope${t.scopeName}`]:r}),[r])},`useComposedScopes`)},`createScope`);return n.scopeName=t.scopeName,n}i2(s2,`composeContextScopes`);var c2=globalThis?.document?H.useLayoutEffect:()=>{},l2=Object.defineProperty,u2=(e,t)=>l2(e,`name`,{value:t,configurable:!0}),d2=H.useEffectEvent,f2=H.useInsertionEffect;function p2(e){if(typeof d2==`function`)return d2(e);let t=H.useRef(()=>{throw Error(`Cannot call an event handler while rendering.`)});return typeof f2==`function`?f2(()=>{t.current=e}):c2(()=>{t.current=e}),H.useMemo(()=>((...e)=>t.current?.(...e)),[])}u2(p2,`useEffectEvent`);var m2=Object.defineProperty,h2=(e,t)=>m2(e,`name`,{value:t,configurable:!0}),g2=H.useInsertionEffect||c2;function _2({prop:e,defaultProp:t,onChange:n=h2(()=>{},`onChange`),caller:r}){let[i,a,o]=v2({defaultProp:t,onChange:n}),s=e!==void 0;return[s?e:i,H.useCallback(t=>{if(s){let n=y2(t)?t(e):t;n!==e&&o.current?.(n)}else a(t)},[s,e,a,o])]}h2(_2,`useControllableState`);function v2({defaultProp:e,onChange:t}){let[n,r]=H.useState(e),i=H.useRef(n),a=H.useRef(t);return g2(()=>{a.current=t},[t]),H.useEffect(()=>{i.current!==n&&(a.current?.(n),i.current=n)},[n,i]),[n,r,a]}h2(v2,`useUncontrolledState`);function y2(e){return typeof e==`function`}h2(y2,`isFunction`);var b2=Symbol(`RADIX:SYNC_STATE`);function x2(e,t,n,r){let{prop:i,defaultProp:a,onChange:o,caller:s}=t,c=i!==void 0,l=p2(o),u=[{...n,state:a}];r&&u.push(r);let[d,f]=H.useReducer((t,n)=>{if(n.type===b2)return{...t,state:n.state};let r=e(t,n);return c&&!Object.is(r.state,t.state)&&l(r.state),r},...u),p=d.state,m=H.useRef(p);H.useEffect(()=>{m.current!==p&&(m.current=p,c||l(p))},[p,m,c]);let h=H.useMemo(()=>i===void 0?d:{...d,state:i},[d,i]);return H.useEffect(()=>{c&&!Object.is(i,d.state)&&f({type:b2,state:i})},[i,d.state,c]),[h,f]}h2(x2,`useControllableStateReducer`);var S2=Object.defineProperty,C2=(e,t)=>S2(e,`name`,{value:t,configurable:!0});function w2(e){let t=H.forwardRef((t,n)=>{let{children:r,...i}=t,a=null,o=!1,s=[];r=P2(r),H.Children.forEach(r,e=>{if(A2(e)){o=!0;let t=e,n=`child`in t.props?t.props.child:t.props.children;for(;M2(n)&&typeof R2==`function`;)n=R2(n._payload);a=D2(t,n),s.push(a?.props?.children)}else s.push(e)}),a?a=H.cloneElement(a,void 0,s):!o&&H.Children.count(r)===1&&H.isValidElement(r)&&(a=r);let c=a?k2(a):void 0,l=n2(n,c);if(!a){if(r||r===0)throw Error(o?L2(e):I2(e));return r}let u=O2(i,a.props??{});return a.type!==H.Fragment&&(u.ref=n?l:c),H.cloneElement(a,u)});return t.displayName=`${e}.Slot`,t}C2(w2,`createSlot`);var T2=Symbol.for(`radix.slottable`);function E2(e){let t=C2(e=>`child`in e?e.children(e.child):e.children,`Slottable`);return t.displayName=`${e}.Slottable`,t.__radixId=T2,t}C2(E2,`createSlottable`);var D2=C2((e,t)=>`child`in e.props?H.isValidElement(t)?H.cloneElement(t,void 0,e.props.children(t.props.children)):null:H.isValidElement(t)?t:null,`getSlottableElementFromSlottable`);function O2(e,t){let n={...t};for(let r in t){let i=e[r],a=t[r];/^on[A-Z]/.test(r)?i&&a?n[r]=(...e)=>{let t=a(...e);return i(...e),t}:i&&(n[r]=i):r===`style`?n[r]={...i,...a}:r===`className`?n[r]=[i,a].filter(Boolean).join(` `):r===`aria-describedby`&&(n[r]=F2(a,i))}return{...e,...n}}C2(O2,`mergeProps`);function k2(e){let t=Object.getOwnPropertyDescriptor(e.props,`ref`)?.get,n=t&&`isReactWarning`in t&&t.isReactWarning;return n?e.ref:(t=Object.getOwnPropertyDescriptor(e,`ref`)?.get,n=t&&`isReactWarning`in t&&t.isReactWarning,n?e.props.ref:e.props.ref||e.ref)}C2(k2,`getElementRef`);function A2(e){return H.isValidElement(e)&&typeof e.type==`function`&&`__radixId`in e.type&&e.type.__radixId===T2}C2(A2,`isSlottable`);var j2=Symbol.for(`react.lazy`);function M2(e){return typeof e==`object`&&!!e&&`$$typeof`in e&&e.$$typeof===j2&&`_payload`in e&&N2(e._payload)}C2(M2,`isLazyComponent`);function N2(e){return typeof e==`object`&&!!e&&`then`in e}C2(N2,`isPromiseLike`);function P2(e){let t=e;for(;M2(t)&&typeof R2==`function`;)t=R2(t._payload);return t}C2(P2,`useUnwrappedLazy`);function F2(...e){let t=new Set;for(let n of e)if(typeof n==`string`)for(let e of String(n).trim().split(/\s+/))e&&t.add(e);return t.size>0?Array.from(t).join(` `):void 0}C2(F2,`concatAriaDescribedby`);var I2=C2(e=>`${e} failed to slot onto its children. Expected a single React element child or \`Slottable\`.`,`createSlotError`),L2=C2(e=>`${e} failed to slot onto its \`Slottable\`. Expected \`Slottable\` to receive a single React element child.`,`createSlottableError`),R2=H.use,z2=t(r(),1),B2=Object.defineProperty,V2=(e,t)=>B2(e,`name`,{value:t,configurable:!0}),H2=[`a`,`button`,`div`,`form`,`h2`,`h3`,`img`,`input`,`label`,`li`,`nav`,`ol`,`p`,`select`,`span`,`svg`,`ul`].reduce((e,t)=>{let n=w2(`Primitive.${t}`),r=H.forwardRef((e,r)=>{let{asChild:i,...a}=e,o=i?n:t;return typeof window<`u`&&(window[Symbol.for(`radix-ui`)]=!0),(0,X.jsx)(o,{...a,ref:r})});return r.displayName=`Primitive.${t}`,{...e,[t]:r}},{});function U2(e,t){e&&z2.flushSync(()=>e.dispatchEvent(t))}V2(U2,`dispatchDiscreteCustomEvent`);var W2=Object.defineProperty,G2=(e,t)=>W2(e,`name`,{value:t,configurable:!0});function K2(e){let t=e+`CollectionProvider`,[n,r]=o2(t),[i,a]=n(t,{collectionRef:{current:null},itemMap:new Map}),o=G2(e=>{let{scope:t,children:n}=e,r=H.useRef(null),a=H.useRef(new Map).current;return(0,X.jsx)(i,{scope:t,itemMap:a,collectionRef:r,children:n})},`CollectionProvider`);o.displayName=t;let s=e+`CollectionSlot`,c=w2(s),l=H.forwardRef((e,t)=>{let{scope:n,children:r}=e,i=n2(t,a(s,n).collectionRef);return(0,X.jsx)(c,{ref:i,children:r})});l.displayName=s;let u=e+`CollectionItemSlot`,d=`data-radix-collection-item`,f=w2(u),p=H.forwardRef((e,t)=>{let{scope:n,children:r,...i}=e,o=H.useRef(null),s=n2(t,o),c=a(u,n);return H.useEffect(()=>(c.itemMap.set(o,{ref:o,...i}),()=>void c.itemMap.delete(o))),(0,X.jsx)(f,{[d]:``,ref:s,children:r})});p.displayName=u;function m(t){let n=a(e+`CollectionConsumer`,t);return H.useCallback(()=>{let e=n.collectionRef.current;if(!e)return[];let t=Array.from(e.querySelectorAll(`[${d}]`));return Array.from(n.itemMap.values()).sort((e,n)=>t.indexOf(e.ref.current)-t.indexOf(n.ref.current))},[n.collectionRef,n.itemMap])}return G2(m,`useCollection`),[{Provider:o,Slot:l,ItemSlot:p},m,r]}G2(K2,`createCollection`);var q2=new WeakMap,J2=class e extends Map{static{G2(this,`OrderedDict`)}#e;constructor(e){super(e),this.#e=[...super.keys()],q2.set(this,!0)}set(e,t){return q2.get(this)&&!this.has(e)&&this.#e.push(e),super.set(e,t),this}insert(e,t,n){let r=this.has(t),i=r?this.size:this.size+1,a=Z2(e),o=a>=0?Math.min(a,i-1):Math.max(i+a,0);if(r?this.#e.indexOf(t)===o:o===this.size)return this.set(t,n),this;let s=this.#e.filter(e=>e!==t);s.splice(o,0,t);let c=s.map(e=>[e,e===t?n:this.get(e)]);this.clear();for(let[e,t]of c)this.set(e,t);return this}with(t,n,r){let i=new e(this);return i.insert(t,n,r),i}before(e){let t=this.#e.indexOf(e)-1;if(!(t<0))return this.entryAt(t)}setBefore(e,t,n){let r=this.#e.indexOf(e);if(r===-1)return this;let i=this.#e.indexOf(t),a=i!==-1&&i<r?r-1:r;return this.insert(a,t,n)}after(e){let t=this.#e.indexOf(e);if(t=t===-1||t===this.size-1?-1:t+1,t!==-1)return this.entryAt(t)}setAfter(e,t,n){let r=this.#e.indexOf(e);if(r===-1)return this;let i=this.#e.indexOf(t),a=i!==-1&&i<=r?r:r+1;return this.insert(a,t,n)}first(){return this.entryAt(0)}last(){return this.entryAt(-1)}clear(){return this.#e=[],super.clear()}delete(e){let t=super.delete(e);return t&&this.#e.splice(this.#e.indexOf(e),1),t}deleteAt(e){let t=this.keyAt(e);return t!==void 0&&this.delete(t)}at(e){let t=Y2(this.#e,e);if(t!==void 0)return this.get(t)}entryAt(e){let t=Y2(this.#e,e);if(t!==void 0)return[t,this.get(t)]}indexOf(e){return this.#e.indexOf(e)}keyAt(e){return Y2(this.#e,e)}from(e,t){let n=this.indexOf(e);if(n===-1)return;let r=n+t;return r<0&&(r=0),r>=this.size&&(r=this.size-1),this.at(r)}keyFrom(e,t){let n=this.indexOf(e);if(n===-1)return;let r=n+t;return r<0&&(r=0),r>=this.size&&(r=this.size-1),this.keyAt(r)}find(e,t){let n=0;for(let r of this){if(Reflect.apply(e,t,[r,n,this]))return r;n++}}findIndex(e,t){let n=0;for(let r of this){if(Reflect.apply(e,t,[r,n,this]))return n;n++}return-1}filter(t,n){let r=[],i=0;for(let e of this)Reflect.apply(t,n,[e,i,this])&&r.push(e),i++;return new e(r)}map(t,n){let r=[],i=0;for(let e of this)r.push([e[0],Reflect.apply(t,n,[e,i,this])]),i++;return new e(r)}reduce(...e){let[t,n]=e,r=e.length>1;if(!r&&this.size===0)throw TypeError(`Reduce of empty OrderedDict with no initial value`);let i=0,a=n;for(let e of this)a=i===0&&!r?e:Reflect.apply(t,this,[a,e,i,this]),i++;return a}reduceRight(...e){let[t,n]=e,r=e.length>1;if(!r&&this.size===0)throw TypeError(`Reduce of empty OrderedDict with no initial value`);let i=n;for(let e=this.size-1;e>=0;e--){let n=this.entryAt(e);i=e===this.size-1&&!r?n:Reflect.apply(t,this,[i,n,e,this])}return i}sort(e){if(typeof e!=`function`)throw TypeError(`OrderedDict.sort requires a compare function`);let t=[...this.entries()].sort(e);this.clear();for(let[e,n]of t)this.set(e,n);return this}toSorted(t){if(typeof t!=`function`)throw TypeError(`OrderedDict.toSorted requires a compare function`);let n=[...this.entries()].sort(t);return new e(n)}toReversed(){let t=new e;for(let e=this.size-1;e>=0;e--){let n=this.keyAt(e),r=this.get(n);t.set(n,r)}return t}toSpliced(...t){let n=[...this.entries()];return n.splice(...t),new e(n)}slice(t,n){let r=new e;for(let e of this.#e.slice(t,n))r.set(e,this.get(e));return r}every(e,t){let n=0;for(let r of this){if(!Reflect.apply(e,t,[r,n,this]))return!1;n++}return!0}some(e,t){let n=0;for(let r of this){if(Reflect.apply(e,t,[r,n,this]))return!0;n++}return!1}};function Y2(e,t){if(`at`in Array.prototype)return Array.prototype.at.call(e,t);let n=X2(e,t);return n===-1?void 0:e[n]}G2(Y2,`at`);function X2(e,t){let n=e.length,r=Z2(t),i=r>=0?r:n+r;return i<0||i>=n?-1:i}G2(X2,`toSafeIndex`);function Z2(e){return e!==e||e===0?0:Math.trunc(e)}G2(Z2,`toSafeInteger`);function Q2(e){let t=e+`CollectionProvider`,[n,r]=o2(t),[i,a]=n(t);i.displayName=e+`CollectionStableContextProvider`;let[o,s]=n(t);o.displayName=e+`CollectionStatefulContextProvider`;let c=G2(({state:e,...t})=>e?(0,X.jsx)(u,{...t,state:e}):(0,X.jsx)(l,{...t}),`CollectionProvider`);c.displayName=t;let l=G2(e=>{let t=_();return(0,X.jsx)(u,{...e,state:t})},`CollectionInit`);l.displayName=e+`CollectionInit`;let u=G2(e=>{let{scope:t,children:n,state:r}=e,a=H.useRef(null),[s,c]=H.useState(null),l=n2(a,c),[u,d]=r,f=H.useRef(new J2),p=H.useCallback(()=>{let e=f.current;return t4(e)||e.sort(n4),e},[]);return H.useEffect(()=>{if(!s)return;let e=r4(()=>{d(e=>{let t=e.toSorted(n4);return t.some(([t],n)=>e.keyAt(n)!==t)?t:e})});return e.observe(s,{childList:!0,subtree:!0}),()=>{e.disconnect()}},[s,d]),(0,X.jsx)(i,{scope:t,collectionElementRef:l,collectionElementRefObject:a,getCollection:p,setCollection:d,registryRef:f,children:(0,X.jsx)(o,{scope:t,collectionElement:s,collection:u,children:n})})},`CollectionProviderImpl`);u.displayName=e+`CollectionProviderImpl`;let d=e+`CollectionSlot`,f=w2(d),p=H.forwardRef((e,t)=>{let{scope:n,children:r}=e,i=n2(t,a(d,n).collectionElementRef);return(0,X.jsx)(f,{ref:i,children:r})});p.displayName=d;let m=e+`CollectionItemSlot`,h=w2(m),g=H.forwardRef((e,t)=>{let{scope:n,children:r,...i}=e,o=H.useRef(null),{setCollection:s,registryRef:c}=a(m,n),l=H.useRef(i);$2(l.current,i)||(l.current=i);let u=l.current,d=n2(t,H.useCallback(e=>{let t=c.current;e?t.set(e,{...l.current,element:e}):o.current&&t.delete(o.current)},[c]),o);c2(()=>{let e=o.current,t=c.current;e&&t.has(e)&&t.set(e,{...u,element:e})},[u,c]);let f=H.useRef(null);return H.useEffect(()=>{let e=o.current,t=f.current;((t?.element??null)!==e||e&&t?.itemData!==u)&&(f.current=e?{element:e,itemData:u}:null,s(n=>{let r=new J2(n);return t&&t.element!==e&&r.delete(t.element),e&&r.set(e,{...u,element:e}),r.sort(n4)}))}),H.useEffect(()=>()=>{let e=f.current;f.current=null,e&&s(t=>{if(!t.has(e.element))return t;let n=new J2(t);return n.delete(e.element),n})},[s]),(0,X.jsx)(h,{"data-radix-collection-item":``,ref:d,children:r})});g.displayName=m;function _(){return H.useState(new J2)}G2(_,`useInitCollection`);function v(t){let{collection:n}=s(e+`CollectionConsumer`,t);return n}G2(v,`useCollection`);function y(t){let{getCollection:n}=a(e+`CollectionConsumer`,t);return n}return G2(y,`useGetCollection`),[{Provider:c,Slot:p,ItemSlot:g},{createCollectionScope:r,useCollection:v,useGetCollection:y,useInitCollection:_}]}G2(Q2,`createCollection`);function $2(e,t){if(e===t)return!0;if(typeof e!=`object`||typeof t!=`object`||e==null||t==null)return!1;let n=Object.keys(e),r=Object.keys(t);if(n.length!==r.length)return!1;for(let r of n)if(!Object.prototype.hasOwnProperty.call(t,r)||e[r]!==t[r])return!1;return!0}G2($2,`shallowEqual`);function e4(e,t){return!!(t.compareDocumentPosition(e)&Node.DOCUMENT_POSITION_PRECEDING)}G2(e4,`isElementPreceding`);function t4(e){let t;for(let n of e.keys()){if(t){let e=t.compareDocumentPosition(n);if(!(e&Node.DOCUMENT_POSITION_DISCONNECTED)&&e&Node.DOCUMENT_POSITION_PRECEDING)return!1}t=n}return!0}G2(t4,`isInDocumentOrder`);function n4(e,t){return!e[1].element||!t[1].element?0:e4(e[1].element,t[1].element)?-1:1}G2(n4,`sortByDocumentPosition`);function r4(e){return new MutationObserver(t=>{for(let n of t)if(n.type===`childList`){e();return}})}G2(r4,`getChildListObserver`);var i4=Object.defineProperty,a4=(e,t)=>i4(e,`name`,{value:t,configurable:!0}),o4={LTR:`ltr`,RTL:`rtl`},s4=H.createContext(void 0);function c4(e){let t=H.useContext(s4);return e||t||o4.LTR}a4(c4,`useDirection`);var l4=Object.defineProperty,u4=(e,t)=>l4(e,`name`,{value:t,configurable:!0}),d4=H.useInsertionEffect;function f4(e){let t=H.useRef(e);return typeof d4==`function`?d4(()=>{t.current=e}):c2(()=>{t.current=e}),H.useMemo(()=>((...e)=>t.current?.(...e)),[])}u4(f4,`useCallbackRef`);var p4=Object.defineProperty,m4=(e,t)=>p4(e,`name`,{value:t,configurable:!0}),h4=`dismissableLayer.update`,g4=`dismissableLayer.pointerDownOutside`,_4=`dismissableLayer.focusOutside`,v4,y4=H.createContext({layers:new Set,layersWithOutsidePointerEventsDisabled:new Set,branches:new Set,dismissableSurfaces:new Set}),b4=H.forwardRef(m4(function(e,t){let{disableOutsidePointerEvents:n=!1,deferPointerDownOutside:r=!1,onEscapeKeyDown:i,onPointerDownOutside:a,onFocusOutside:o,onInteractOutside:s,onDismiss:c,...l}=e,u=H.useContext(y4),[d,f]=H.useState(null),p=d?.ownerDocument??globalThis?.document,[,m]=H.useState({}),h=n2(t,f),g=Array.from(u.layers),[_]=[...u.layersWithOutsidePointerEventsDisabled].slice(-1),v=_?g.indexOf(_):-1,y=d?g.indexOf(d):-1,b=u.layersWithOutsidePointerEventsDisabled.size>0,x=y>=v,S=H.useRef(!1),C=C4(e=>{a?.(e),s?.(e),e.defaultPrevented||c?.()},{ownerDocument:p,deferPointerDownOutside:r,isDeferredPointerDownOutsideRef:S,dismissableSurfaces:u.dismissableSurfaces,shouldHandlePointerDownOutside:H.useCallback(e=>{if(!(e instanceof Node))return!1;let t=[...u.branches].some(t=>t.contains(e));return x&&!t},[u.branches,x])}),w=w4(e=>{if(r&&S.current)return;let t=e.target;[...u.branches].some(e=>e.contains(t))||(o?.(e),s?.(e),e.defaultPrevented||c?.())},p),T=d?y===g.length-1:!1,E=f4(e=>{e.key===`Escape`&&(i?.(e),!e.defaultPrevented&&c&&(e.preventDefault(),c()))});return H.useEffect(()=>{if(T)return p.addEventListener(`keydown`,E,{capture:!0}),()=>p.removeEventListener(`keydown`,E,{capture:!0})},[p,T,E]),H.useEffect(()=>{if(d)return n&&(u.layersWithOutsidePointerEventsDisabled.size===0&&(v4=p.body.style.pointerEvents,p.body.style.pointerEvents=`none`),u.layersWithOutsidePointerEventsDisabled.add(d)),u.layers.add(d),T4(),()=>{n&&(u.layersWithOutsidePointerEventsDisabled.delete(d),u.layersWithOutsidePointerEventsDisabled.size===0&&(p.body.style.pointerEvents=v4))}},[d,p,n,u]),H.useEffect(()=>()=>{d&&(u.layers.delete(d),u.layersWithOutsidePointerEventsDisabled.delete(d),T4())},[d,u]),H.useEffect(()=>{let e=m4(()=>m({}),`handleUpdate`);return document.addEventListener(h4,e),()=>document.removeEventListener(h4,e)},[]),(0,X.jsx)(H2.div,{...l,ref:h,style:{pointerEvents:b?x?`auto`:`none`:void 0,...e.style},onFocusCapture:Z(e.onFocusCapture,w.onFocusCapture),onBlurCapture:Z(e.onBlurCapture,w.onBlurCapture),onPointerDownCapture:Z(e.onPointerDownCapture,C.onPointerDownCapture)})},`DismissableLayer`));function x4(){let e=H.useContext(y4),[t,n]=H.useState(null);return H.useEffect(()=>{if(t)return e.dismissableSurfaces.add(t),()=>{e.dismissableSurfaces.delete(t)}},[t,e.dismissableSurfaces]),n}m4(x4,`useDismissableLayerSurface`);var S4=m4(()=>!0,`IS_TRUE`);function C4(e,t){let{ownerDocument:n=globalThis?.document,deferPointerDownOutside:r=!1,isDeferredPointerDownOutsideRef:i,dismissableSurfaces:a,shouldHandlePointerDownOutside:o=S4}=t,s=f4(e),c=H.useRef(!1),l=H.useRef(!1),u=H.useRef(new Map),d=H.useRef(()=>{});return H.useEffect(()=>{function e(){l.current=!1,i.current=!1,u.current.clear()}m4(e,`resetOutsideInteraction`);function t(){return Array.from(u.current.values()).some(Boolean)}m4(t,`isOutsideInteractionIntercepted`);function f(e){if(!l.current)return;let t=e.target;t instanceof Node&&[...a].some(e=>e.contains(t))||u.current.set(e.type,!0),e.type===`click`&&window.setTimeout(()=>{l.current&&d.current()},0)}m4(f,`handleInteractionCapture`);function p(e){l.current&&u.current.set(e.type,!1)}m4(p,`handleInteractionBubble`);let m=m4(a=>{if(a.target&&!c.current){let f=function(){n.removeEventListener(`click`,d.current);let r=t();e(),r||E4(g4,s,p,{discrete:!0})};if(m4(f,`handleAndDispatchPointerDownOutsideEvent`),!o(a.target)){n.removeEventListener(`click`,d.current),e(),c.current=!1;return}let p={originalEvent:a};l.current=!0,i.current=r&&a.button===0,u.current.clear(),!r||a.button!==0?f():(n.removeEventListener(`click`,d.current),d.current=f,n.addEventListener(`click`,d.current,{once:!0}))}else n.removeEventListener(`click`,d.current),e();c.current=!1},`handlePointerDown`),h=[`pointerup`,`mousedown`,`mouseup`,`touchstart`,`touchend`,`click`];for(let e of h)n.addEventListener(e,f,!0),n.addEventListener(e,p);let g=window.setTimeout(()=>{n.addEventListener(`pointerdown`,m)},0);return()=>{window.clearTimeout(g),n.removeEventListener(`pointerdown`,m),n.removeEventListener(`click`,d.current);for(let e of h)n.removeEventListener(e,f,!0),n.removeEventListener(e,p)}},[n,s,r,i,a,o]),{onPointerDownCapture:m4(()=>c.current=!0,`onPointerDownCapture`)}}m4(C4,`usePointerDownOutside`);function w4(e,t=globalThis?.document){let n=f4(e),r=H.useRef(!1);return H.useEffect(()=>{let e=m4(e=>{e.target&&!r.current&&E4(_4,n,{originalEvent:e},{discrete:!1})},`handleFocus`);return t.addEventListener(`focusin`,e),()=>t.removeEventListener(`focusin`,e)},[t,n]),{onFocusCapture:m4(()=>r.current=!0,`onFocusCapture`),onBlurCapture:m4(()=>r.current=!1,`onBlurCapture`)}}m4(w4,`useFocusOutside`);function T4(){let e=new CustomEvent(h4);document.dispatchEvent(e)}m4(T4,`dispatchUpdate`);function E4(e,t,n,{discrete:r}){let i=n.originalEvent.target,a=new CustomEvent(e,{bubbles:!1,cancelable:!0,detail:n});t&&i.addEventListener(e,t,{once:!0}),r?U2(i,a):i.dispatchEvent(a)}m4(E4,`handleAndDispatchCustomEvent`);var D4=Object.defineProperty,O4=(e,t)=>D4(e,`name`,{value:t,configurable:!0}),k4=0,A4=null;function j4(e){return M4(),e.children}O4(j4,`FocusGuards`);function M4(){H.useEffect(()=>{A4||={start:N4(),end:N4()};let{start:e,end:t}=A4;return document.body.firstElementChild!==e&&document.body.insertAdjacentElement(`afterbegin`,e),document.body.lastElementChild!==t&&document.body.insertAdjacentElement(`beforeend`,t),k4++,()=>{k4===1&&(A4?.start.remove(),A4?.end.remove(),A4=null),k4=Math.max(0,k4-1)}},[])}O4(M4,`useFocusGuards`);function N4(){let e=document.createElement(`span`);return e.setAttribute(`data-radix-focus-guard`,``),e.tabIndex=0,e.style.outline=`none`,e.style.opacity=`0`,e.style.position=`fixed`,e.style.pointerEvents=`none`,e}O4(N4,`createFocusGuard`);var P4=Object.defineProperty,F4=(e,t)=>P4(e,`name`,{value:t,configurable:!0}),I4=`focusScope.autoFocusOnMount`,L4=`focusScope.autoFocusOnUnmount`,R4={bubbles:!1,cancelable:!0},z4=H.forwardRef(F4(function(e,t){let{loop:n=!1,trapped:r=!1,branches:i,onMountAutoFocus:a,onUnmountAutoFocus:o,...s}=e,[c,l]=H.useState(null),u=f4(a),d=f4(o),f=H.useRef(null),p=n2(t,l),m=H.useRef(i);H.useEffect(()=>{m.current=i});let h=H.useCallback(e=>e?c?.contains(e)?!0:!!m.current?.some(t=>t.contains(e)):!1,[c]),g=H.useRef({paused:!1,pause(){this.paused=!0},resume(){this.paused=!1}}).current;H.useEffect(()=>{if(r){let e=function(e){if(g.paused||!c)return;let t=e.target;h(t)?f.current=t:X4(f.current,{select:!0})},t=function(e){if(g.paused||!c)return;let t=e.relatedTarget;t!==null&&(h(t)||X4(f.current,{select:!0}))},n=function(e){if(document.activeElement===document.body)for(let t of e)t.removedNodes.length>0&&X4(c)};F4(e,`handleFocusIn`),F4(t,`handleFocusOut`),F4(n,`handleMutations`),document.addEventListener(`focusin`,e),document.addEventListener(`focusout`,t);let r=new MutationObserver(n);return c&&r.observe(c,{childList:!0,subtree:!0}),()=>{document.removeEventListener(`focusin`,e),document.removeEventListener(`focusout`,t),r.disconnect()}}},[r,c,g.paused,h]),H.useEffect(()=>{if(c){Z4.add(g);let e=document.activeElement;if(!c.contains(e)){let t=new CustomEvent(I4,R4);c.addEventListener(I4,u),c.dispatchEvent(t),t.defaultPrevented||(W4(e3(K4(c)),{select:!0}),document.activeElement===e&&X4(c))}return()=>{c.removeEventListener(I4,u);let t=c.ownerDocument,n=CustomEvent;setTimeout(()=>{let r=new n(L4,R4);c.addEventListener(L4,d),c.dispatchEvent(r),r.defaultPrevented||X4(e??t.body,{select:!0}),c.removeEventListener(L4,d),Z4.remove(g)},0)}}},[c,u,d,g]);let _=H.useCallback(e=>{if(!n&&!r||g.paused)return;let t=e.key===`Tab`&&!e.altKey&&!e.ctrlKey&&!e.metaKey,i=document.activeElement;if(t&&i){let t=e.currentTarget,[r,a]=G4(t);r&&a?!e.shiftKey&&i===a?(e.preventDefault(),n&&X4(r,{select:!0})):e.shiftKey&&i===r&&(e.preventDefault(),n&&X4(a,{select:!0})):i===t&&e.preventDefault()}},[n,r,g.paused]);return(0,X.jsx)(H2.div,{tabIndex:-1,...s,ref:p,onKeyDown:_})},`FocusScope`)),B4=H.createContext(null);function V4({registry:e,children:t}){return e?(0,X.jsx)(B4.Provider,{value:e,children:t}):t}F4(V4,`FocusScopeBranchProvider`);function H4(){let[e,t]=H.useState([]);return{nodes:e,registry:H.useMemo(()=>({add:F4(e=>t(t=>t.includes(e)?t:[...t,e]),`add`),remove:F4(e=>t(t=>t.filter(t=>t!==e)),`remove`)}),[])}}F4(H4,`useFocusScopeBranchRegistry`);function U4(e){let t=H.useContext(B4);H.useEffect(()=>{if(e&&t)return t.add(e),()=>t.remove(e)},[e,t])}F4(U4,`useFocusScopeBranch`);function W4(e,{select:t=!1}={}){let n=document.activeElement;for(let r of e)if(X4(r,{select:t}),document.activeElement!==n)return}F4(W4,`focusFirst`);function G4(e){let t=K4(e);return[q4(t,e),q4(t.reverse(),e)]}F4(G4,`getTabbableEdges`);function K4(e){let t=[],n=e.ownerDocument.createTreeWalker(e,NodeFilter.SHOW_ELEMENT,{acceptNode:F4(e=>{let t=e.tagName===`INPUT`&&e.type===`hidden`;return e.disabled||e.hidden||t?NodeFilter.FILTER_SKIP:e.tabIndex>=0?NodeFilter.FILTER_ACCEPT:NodeFilter.FILTER_SKIP},`acceptNode`)});for(;n.nextNode();)t.push(n.currentNode);return t}F4(K4,`getTabbableCandidates`);function q4(e,t){let n=typeof t.checkVisibility==`function`&&t.checkVisibility({checkVisibilityCSS:!0});for(let r of e)if(!(n?!r.checkVisibility({checkVisibilityCSS:!0}):J4(r,{upTo:t})))return r}F4(q4,`findVisible`);function J4(e,{upTo:t}){if(getComputedStyle(e).visibility===`hidden`)return!0;for(;e;){if(t!==void 0&&e===t)return!1;if(getComputedStyle(e).display===`none`)return!0;e=e.parentElement}return!1}F4(J4,`isHidden`);function Y4(e){return e.tagName===`INPUT`&&typeof e.select==`function`}F4(Y4,`isSelectableInput`);function X4(e,{select:t=!1}={}){if(e&&e.focus){let n=(e.ownerDocument??document).activeElement;e.focus({preventScroll:!0}),e!==n&&Y4(e)&&t&&e.select()}}F4(X4,`focus`);var Z4=Q4();function Q4(){let e=[];return{add(t){let n=e[0];t!==n&&n?.pause(),e=$4(e,t),e.unshift(t)},remove(t){e=$4(e,t),e[0]?.resume()}}}F4(Q4,`createFocusScopesStack`);function $4(e,t){let n=[...e],r=n.indexOf(t);return r!==-1&&n.splice(r,1),n}F4($4,`arrayRemove`);function e3(e){return e.filter(e=>e.tagName!==`A`)}F4(e3,`removeLinks`);var t3=Object.defineProperty,n3=(e,t)=>t3(e,`name`,{value:t,configurable:!0}),r3=H.useId||(()=>void 0),i3=0;function a3(e){let[t,n]=H.useState(r3());return c2(()=>{e||n(e=>e??String(i3++))},[e]),e||(t?`radix-${t}`:``)}n3(a3,`useId`);var o3=Object.defineProperty,s3=(e,t)=>o3(e,`name`,{value:t,configurable:!0});function c3(e){let[t,n]=H.useState(void 0);return c2(()=>{if(e){n({width:e.offsetWidth,height:e.offsetHeight});let t=0,r=new ResizeObserver(r=>{if(!Array.isArray(r)||!r.length)return;let i=r[0];window.cancelAnimationFrame(t),t=window.requestAnimationFrame(()=>{let t,r;if(`borderBoxSize`in i){let e=i.borderBoxSize,n=Array.isArray(e)?e[0]:e;t=n.inlineSize,r=n.blockSize}else t=e.offsetWidth,r=e.offsetHeight;n({width:t,height:r})})});return r.observe(e,{box:`border-box`}),()=>{window.cancelAnimationFrame(t),r.unobserve(e)}}n(void 0)},[e]),t}s3(c3,`useSize`);var l3=Object.defineProperty,u3=(e,t)=>l3(e,`name`,{value:t,configurable:!0}),d3={Partial:`partial`,Always:`always`},f3={Optimized:`optimized`,Always:`always`},p3=`Popper`,[m3,h3]=o2(p3),[g3,_3]=m3(p3),v3=u3(e=>{let{__scopePopper:t,children:n}=e,[r,i]=H.useState(null),[a,o]=H.useState(void 0);return(0,X.jsx)(g3,{scope:t,anchor:r,onAnchorChange:i,placementState:a,setPlacementState:o,children:n})},`Popper`),y3=`PopperAnchor`,b3=H.forwardRef(u3(function(e,t){let{__scopePopper:n,virtualRef:r,...i}=e,a=_3(y3,n),o=H.useRef(null),s=a.onAnchorChange,c=n2(t,H.useCallback(e=>{o.current=e,e&&s(e)},[s])),l=H.useRef(null);H.useEffect(()=>{if(!r)return;let e=l.current;l.current=r.current,e!==l.current&&s(l.current)});let u=a.placementState&&D3(a.placementState),d=u?.[0],f=u?.[1];return r?null:(0,X.jsx)(H2.div,{"data-radix-popper-side":d,"data-radix-popper-align":f,...i,ref:c})},`PopperAnchor`)),x3=`PopperContent`,[S3,C3]=m3(x3),w3=H.forwardRef(u3(function(e,t){let{__scopePopper:n,side:r=`bottom`,sideOffset:i=0,align:a=`center`,alignOffset:o=0,arrowPadding:s=0,avoidCollisions:c=!0,collisionBoundary:d=[],collisionPadding:f=0,sticky:p=d3.Partial,hideWhenDetached:m=!1,updatePositionStrategy:g=f3.Optimized,onPlaced:y,...w}=e,T=_3(x3,n),[E,D]=H.useState(null),O=n2(t,D),[k,A]=H.useState(null),j=c3(k),M=j?.width??0,N=j?.height??0,P=r+(a===`center`?``:`-`+a),ee=typeof f==`number`?f:{top:0,right:0,bottom:0,left:0,...f},te=Array.isArray(d)?d:[d],ne=te.length>0,re={padding:ee,boundary:te.filter(T3),altBoundary:ne},{refs:ie,floatingStyles:ae,placement:F,isPositioned:I,middlewareData:oe}=h({strategy:`fixed`,placement:P,whileElementsMounted:u3((...e)=>C(...e,{animationFrame:g===f3.Always}),`whileElementsMounted`),elements:{reference:T.anchor},middleware:[v({mainAxis:i+N,alignmentAxis:o}),c&&x({mainAxis:!0,crossAxis:!1,...p===d3.Partial?{limiter:l()}:{},...re}),c&&_({...re}),u({...re,apply:u3(({elements:e,rects:t,availableWidth:n,availableHeight:r})=>{let{width:i,height:a}=t.reference,o=e.floating.style;o.setProperty(`--radix-popper-available-width`,`${n}px`),o.setProperty(`--radix-popper-available-height`,`${r}px`),o.setProperty(`--radix-popper-anchor-width`,`${i}px`),o.setProperty(`--radix-popper-anchor-height`,`${a}px`)},`apply`)}),k&&S({element:k,padding:s}),E3({arrowWidth:M,arrowHeight:N}),m&&b(ne?{strategy:`referenceHidden`,...re}:{strategy:`referenceHidden`,padding:re.padding,altBoundary:re.altBoundary})]}),se=T.setPlacementState;c2(()=>(se(F),()=>{se(void 0)}),[F,se]);let[ce,le]=D3(F),ue=f4(y);c2(()=>{I&&ue?.()},[I,ue]);let de=oe.arrow?.x,fe=oe.arrow?.y,pe=oe.arrow?.centerOffset!==0,[me,L]=H.useState();return c2(()=>{E&&L(window.getComputedStyle(E).zIndex)},[E]),(0,X.jsx)(`div`,{ref:ie.setFloating,"data-radix-popper-content-wrapper":``,style:{...ae,transform:I?ae.transform:`translate(0, -200%)`,minWidth:`max-content`,zIndex:me,"--radix-popper-transform-origin":[oe.transformOrigin?.x,oe.transformOrigin?.y].join(` `),...oe.hide?.referenceHidden&&{visibility:`hidden`,pointerEvents:`none`}},dir:e.dir,children:(0,X.jsx)(S3,{scope:n,placedSide:ce,placedAlign:le,onArrowChange:A,arrowX:de,arrowY:fe,shouldHideArrow:pe,children:(0,X.jsx)(H2.div,{"data-side":ce,"data-align":le,...w,ref:O,style:{...w.style,animation:I?w.style?.animation:`none`}})})})},`PopperContent`));function T3(e){return e!==null}u3(T3,`isNotNull`);var E3=u3(e=>({name:`transformOrigin`,options:e,fn(t){let{placement:n,rects:r,middlewareData:i}=t,a=i.arrow?.centerOffset!==0,o=a?0:e.arrowWidth,s=a?0:e.arrowHeight,[c,l]=D3(n),u={start:`0%`,center:`50%`,end:`100%`}[l],d=(i.arrow?.x??0)+o/2,f=(i.arrow?.y??0)+s/2,p=``,m=``;return c===`bottom`?(p=a?u:`${d}px`,m=`${-s}px`):c===`top`?(p=a?u:`${d}px`,m=`${r.floating.height+s}px`):c===`right`?(p=`${-s}px`,m=a?u:`${f}px`):c===`left`&&(p=`${r.floating.width+s}px`,m=a?u:`${f}px`),{data:{x:p,y:m}}}}),`transformOrigin`);function D3(e){let[t,n=`center`]=e.split(`-`);return[t,n]}u3(D3,`getSideAndAlignFromPlacement`);var O3=Object.defineProperty,k3=H.forwardRef(((e,t)=>O3(e,`name`,{value:t,configurable:!0}))(function(e,t){let{container:n,...r}=e,[i,a]=H.useState(!1);c2(()=>a(!0),[]);let o=n||i&&globalThis?.document?.body;return o?z2.createPortal((0,X.jsx)(H2.div,{...r,ref:t}),o):null},`Portal`)),A3=Object.defineProperty,j3=(e,t)=>A3(e,`name`,{value:t,configurable:!0});function M3(e,t){return H.useReducer((e,n)=>t[e][n]??e,e)}j3(M3,`useStateMachine`);var N3=j3(e=>{let{present:t,children:n}=e,r=P3(t),i=typeof n==`function`?n({present:r.isPresent}):H.Children.only(n),a=I3(r.ref,R3(i));return typeof n==`function`||r.isPresent?H.cloneElement(i,{ref:a}):null},`Presence`);function P3(e){let[t,n]=H.useState(),r=H.useRef(null),i=H.useRef(e),a=H.useRef(`none`),o=H.useRef(void 0),[s,c]=M3(e?`mounted`:`unmounted`,{mounted:{UNMOUNT:`unmounted`,ANIMATION_OUT:`unmountSuspended`},unmountSuspended:{MOUNT:`mounted`,ANIMATION_END:`unmounted`},unmounted:{MOUNT:`mounted`}});return H.useEffect(()=>{s===`mounted`?(a.current=o.current??L3(r.current),o.current=void 0):a.current=`none`},[s]),c2(()=>{let t=r.current,n=i.current;if(n!==e){let r=a.current,s=L3(t);e?(o.current=s,c(`MOUNT`)):s===`none`||t?.display===`none`?c(`UNMOUNT`):c(n&&r!==s?`ANIMATION_OUT`:`UNMOUNT`),i.current=e}},[e,c]),c2(()=>{if(t){let e,n=t.ownerDocument.defaultView??window,o=j3(a=>{let o=L3(r.current).includes(CSS.escape(a.animationName));if(a.target===t&&o&&(c(`ANIMATION_END`),!i.current)){let r=t.style.animationFillMode;t.style.animationFillMode=`forwards`,e=n.setTimeout(()=>{t.style.animationFillMode===`forwards`&&(t.style.animationFillMode=r)})}},`handleAnimationEnd`),s=j3(e=>{e.target===t&&(a.current=L3(r.current))},`handleAnimationStart`);return t.addEventListener(`animationstart`,s),t.addEventListener(`animationcancel`,o),t.addEventListener(`animationend`,o),()=>{n.clearTimeout(e),t.removeEventListener(`animationstart`,s),t.removeEventListener(`animationcancel`,o),t.removeEventListener(`animationend`,o)}}c(`ANIMATION_END`)},[t,c]),{isPresent:[`mounted`,`unmountSuspended`].includes(s),ref:H.useCallback(e=>{if(e){let t=getComputedStyle(e);r.current=t,o.current=L3(t)}else r.current=null;n(e)},[])}}j3(P3,`usePresence`);function F3(e,t){if(typeof e==`function`)return e(t);e!=null&&(e.current=t)}j3(F3,`setRef`);function I3(...e){let t=H.useRef(e);return t.current=e,H.useCallback(e=>{let n=t.current,r=!1,i=n.map(t=>{let n=F3(t,e);return!r&&typeof n==`function`&&(r=!0),n});if(r)return()=>{for(let e=0;e<i.length;e++){let t=i[e];typeof t==`function`?t():F3(n[e],null)}}},[])}j3(I3,`useStableComposedRefs`);function L3(e){return e?.animationName||`none`}j3(L3,`getAnimationName`);function R3(e){let t=Object.getOwnPropertyDescriptor(e.props,`ref`)?.get,n=t&&`isReactWarning`in t&&t.isReactWarning;return n?e.ref:(t=Object.getOwnPropertyDescriptor(e,`ref`)?.get,n=t&&`isReactWarning`in t&&t.isReactWarning,n?e.props.ref:e.props.ref||e.ref)}j3(R3,`getElementRef`);var z3=Object.defineProperty,B3=(e,t)=>z3(e,`name`,{value:t,configurable:!0}),V3=!1;function H3(){let[e,t]=H.useState(V3);return H.useEffect(()=>{V3||(V3=!0,t(!0))},[]),e}B3(H3,`useIsHydrated`);var U3=H.useSyncExternalStore;function W3(){return()=>{}}B3(W3,`subscribe`);function G3(){return U3(W3,()=>!0,()=>!1)}B3(G3,`useIsHydratedModern`);var K3=typeof U3==`function`?G3:H3,q3=Object.defineProperty,J3=(e,t)=>q3(e,`name`,{value:t,configurable:!0}),Y3=`rovingFocusGroup.onEntryFocus`,X3={bubbles:!1,cancelable:!0},Z3=`RovingFocusGroup`,[Q3,$3,e6]=K2(Z3),[t6,n6]=o2(Z3,[e6]),r6={Vertical:`vertical`,Horizontal:`horizontal`},i6={LTR:`ltr`,RTL:`rtl`},[a6,o6]=t6(Z3),s6=H.forwardRef(J3(function(e,t){return(0,X.jsx)(Q3.Provider,{scope:e.__scopeRovingFocusGroup,children:(0,X.jsx)(Q3.Slot,{scope:e.__scopeRovingFocusGroup,children:(0,X.jsx)(c6,{...e,ref:t})})})},`RovingFocusGroup`)),c6=H.forwardRef(J3(function(e,t){let{__scopeRovingFocusGroup:n,orientation:r,loop:i=!1,dir:a,currentTabStopId:o,defaultCurrentTabStopId:s,onCurrentTabStopIdChange:c,onEntryFocus:l,preventScrollOnEntryFocus:u=!1,...d}=e,f=H.useRef(null),p=n2(t,f),m=c4(a),[h,g]=_2({prop:o,defaultProp:s??null,onChange:c,caller:Z3}),[_,v]=H.useState(!1),y=f4(l),b=$3(n),x=H.useRef(!1),[S,C]=H.useState(0);return H.useEffect(()=>{let e=f.current;if(e)return e.addEventListener(Y3,y),()=>e.removeEventListener(Y3,y)},[y]),(0,X.jsx)(a6,{scope:n,orientation:r,dir:m,loop:i,currentTabStopId:h,onItemFocus:H.useCallback(e=>g(e),[g]),onItemShiftTab:H.useCallback(()=>v(!0),[]),onFocusableItemAdd:H.useCallback(()=>C(e=>e+1),[]),onFocusableItemRemove:H.useCallback(()=>C(e=>e-1),[]),children:(0,X.jsx)(H2.div,{tabIndex:_||S===0?-1:0,"data-orientation":r,...d,ref:p,style:{outline:`none`,...e.style},onMouseDown:Z(e.onMouseDown,()=>{x.current=!0}),onFocus:Z(e.onFocus,e=>{let t=!x.current;if(e.target===e.currentTarget&&t&&!_){let t=new CustomEvent(Y3,X3);if(e.currentTarget.dispatchEvent(t),!t.defaultPrevented){let e=b().filter(e=>e.focusable);m6([e.find(e=>e.active),e.find(e=>e.id===h),...e].filter(Boolean).map(e=>e.ref.current),u)}}x.current=!1}),onBlur:Z(e.onBlur,()=>v(!1))})})},`RovingFocusGroupImpl`)),l6=`RovingFocusGroupItem`,u6=H.forwardRef(J3(function(e,t){let{__scopeRovingFocusGroup:n,focusable:r=!0,active:i=!1,tabStopId:a,children:o,...s}=e,c=a3(),l=a||c,u=o6(l6,n),d=u.currentTabStopId===l,f=$3(n),{onFocusableItemAdd:p,onFocusableItemRemove:m,currentTabStopId:h}=u,g=K3();return c2(()=>{if(g&&r)return p(),()=>m()},[g,r,p,m]),H.useEffect(()=>{if(!g&&r)return p(),()=>m()},[g,r,p,m]),(0,X.jsx)(Q3.ItemSlot,{scope:n,id:l,focusable:r,active:i,children:(0,X.jsx)(H2.span,{tabIndex:d?0:-1,"data-orientation":u.orientation,...s,ref:t,onMouseDown:Z(e.onMouseDown,e=>{r?u.onItemFocus(l):e.preventDefault()}),onFocus:Z(e.onFocus,()=>u.onItemFocus(l)),onKeyDown:Z(e.onKeyDown,e=>{if(e.key===`Tab`&&e.shiftKey){u.onItemShiftTab();return}if(e.target!==e.currentTarget)return;let t=p6(e,u.orientation,u.dir);if(t!==void 0){if(e.metaKey||e.ctrlKey||e.altKey||e.shiftKey)return;e.preventDefault();let n=f().filter(e=>e.focusable).map(e=>e.ref.current);if(t===`last`)n.reverse();else if(t===`prev`||t===`next`){t===`prev`&&n.reverse();let r=n.indexOf(e.currentTarget);n=u.loop?h6(n,r+1):n.slice(r+1)}setTimeout(()=>m6(n))}}),children:typeof o==`function`?o({isCurrentTabStop:d,hasTabStop:h!=null}):o})})},`RovingFocusGroupItem`)),d6={ArrowLeft:`prev`,ArrowUp:`prev`,ArrowRight:`next`,ArrowDown:`next`,PageUp:`first`,Home:`first`,PageDown:`last`,End:`last`};function f6(e,t){return t===i6.RTL?e===`ArrowLeft`?`ArrowRight`:e===`ArrowRight`?`ArrowLeft`:e:e}J3(f6,`getDirectionAwareKey`);function p6(e,t,n){let r=f6(e.key,n);if(!(t===r6.Vertical&&[`ArrowLeft`,`ArrowRight`].includes(r))&&!(t===r6.Horizontal&&[`ArrowUp`,`ArrowDown`].includes(r)))return d6[r]}J3(p6,`getFocusIntent`);function m6(e,t=!1){let n=document.activeElement;for(let r of e)if(r===n||(r.focus({preventScroll:t}),document.activeElement!==n))return}J3(m6,`focusFirst`);function h6(e,t){return e.map((n,r)=>e[(t+r)%e.length])}J3(h6,`wrapArray`);var g6=function(e){return typeof document>`u`?null:(Array.isArray(e)?e[0]:e).ownerDocument.body},_6=new WeakMap,v6=new WeakMap,y6={},b6=0,x6=function(e){return e&&(e.host||x6(e.parentNode))},S6=function(e,t){return t.map(function(t){if(e.contains(t))return t;var n=x6(t);return n&&e.contains(n)?n:(console.error(`aria-hidden`,t,`in not contained inside`,e,`. Doing nothing`),null)}).filter(function(e){return!!e})},C6=function(e,t,n,r){var i=S6(t,Array.isArray(e)?e:[e]);y6[n]||(y6[n]=new WeakMap);var a=y6[n],o=[],s=new Set,c=new Set(i),l=function(e){e&&!s.has(e)&&(s.add(e),l(e.parentNode))};i.forEach(l);var u=function(e){e&&!c.has(e)&&Array.prototype.forEach.call(e.children,function(e){if(s.has(e))u(e);else try{var t=e.getAttribute(r),i=t!==null&&t!==`false`,c=(_6.get(e)||0)+1,l=(a.get(e)||0)+1;_6.set(e,c),a.set(e,l),o.push(e),c===1&&i&&v6.set(e,!0),l===1&&e.setAttribute(n,`true`),i||e.setAttribute(r,`true`)}catch(t){console.error(`aria-hidden: cannot operate on `,e,t)}})};return u(t),s.clear(),b6++,function(){o.forEach(function(e){var t=_6.get(e)-1,i=a.get(e)-1;_6.set(e,t),a.set(e,i),t||(v6.has(e)||e.removeAttribute(r),v6.delete(e)),i||e.removeAttribute(n)}),b6--,b6||(_6=new WeakMap,_6=new WeakMap,v6=new WeakMap,y6={})}},w6=function(e,t,n){n===void 0&&(n=`data-aria-hidden`);var r=Array.from(Array.isArray(e)?e:[e]),i=t||g6(e);return i?(r.push.apply(r,Array.from(i.querySelectorAll(`[aria-live], script`))),C6(r,i,n,`aria-hidden`)):function(){return null}},T6=Object.defineProperty,E6=(e,t)=>T6(e,`name`,{value:t,configurable:!0}),D6=[`Enter`,` `],O6=[`ArrowDown`,`PageUp`,`Home`],k6=[`ArrowUp`,`PageDown`,`End`],A6=[...O6,...k6];[...D6],[...D6];var j6=`Menu`,[M6,N6,P6]=K2(j6),[F6,I6]=o2(j6,[P6,h3,n6]),L6=h3(),R6=n6(),[z6,B6]=F6(j6),[V6,H6]=F6(j6),U6=E6(e=>{let{__scopeMenu:t,open:n=!1,children:r,dir:i,onOpenChange:a,modal:o=!0}=e,s=L6(t),[c,l]=H.useState(null),u=H.useRef(!1),d=f4(a),f=c4(i);return H.useEffect(()=>{let e=E6(()=>{u.current=!0,document.addEventListener(`pointerdown`,t,{capture:!0,once:!0}),document.addEventListener(`pointermove`,t,{capture:!0,once:!0})},`handleKeyDown`),t=E6(()=>u.current=!1,`handlePointer`);return document.addEventListener(`keydown`,e,{capture:!0}),()=>{document.removeEventListener(`keydown`,e,{capture:!0}),document.removeEventListener(`pointerdown`,t,{capture:!0}),document.removeEventListener(`pointermove`,t,{capture:!0})}},[]),H.useEffect(()=>{if(!n)return;let e=E6(()=>d(!1),`handleBlur`);return window.addEventListener(`blur`,e),()=>window.removeEventListener(`blur`,e)},[n,d]),(0,X.jsx)(v3,{...s,children:(0,X.jsx)(z6,{scope:t,open:n,onOpenChange:d,content:c,onContentChange:l,children:(0,X.jsx)(V6,{scope:t,onClose:H.useCallback(()=>d(!1),[d]),isUsingKeyboardRef:u,dir:f,modal:o,children:r})})})},`Menu`),W6=H.forwardRef(E6(function(e,t){let{__scopeMenu:n,...r}=e,i=L6(n);return(0,X.jsx)(b3,{...i,...r,ref:t})},`MenuAnchor`)),G6=`MenuPortal`,[K6,q6]=F6(G6,{forceMount:void 0}),J6=E6(e=>{let{__scopeMenu:t,forceMount:n,children:r,container:i}=e,a=B6(G6,t);return(0,X.jsx)(K6,{scope:t,forceMount:n,children:(0,X.jsx)(N3,{present:n||a.open,children:(0,X.jsx)(k3,{asChild:!0,container:i,children:r})})})},`MenuPortal`),Y6=`MenuContent`,[X6,Z6]=F6(Y6),Q6=H.forwardRef(E6(function(e,t){let n=q6(Y6,e.__scopeMenu),{forceMount:r=n.forceMount,...i}=e,a=B6(Y6,e.__scopeMenu),o=H6(Y6,e.__scopeMenu);return(0,X.jsx)(M6.Provider,{scope:e.__scopeMenu,children:(0,X.jsx)(N3,{present:r||a.open,children:(0,X.jsx)(M6.Slot,{scope:e.__scopeMenu,children:o.modal?(0,X.jsx)($6,{...i,ref:t}):(0,X.jsx)(eb,{...i,ref:t})})})})},`MenuContent`)),$6=H.forwardRef(E6(function(e,t){let n=B6(Y6,e.__scopeMenu),r=H.useRef(null),i=n2(t,r);return H.useEffect(()=>{let e=r.current;if(e)return w6(e)},[]),(0,X.jsx)(nb,{...e,ref:i,trapFocus:n.open,disableOutsidePointerEvents:n.open,disableOutsideScroll:!0,onFocusOutside:Z(e.onFocusOutside,e=>e.preventDefault(),{checkForDefaultPrevented:!1}),onDismiss:()=>n.onOpenChange(!1)})},`MenuRootContentModal`)),eb=H.forwardRef(E6(function(e,t){let n=B6(Y6,e.__scopeMenu);return(0,X.jsx)(nb,{...e,ref:t,trapFocus:!1,disableOutsidePointerEvents:!1,disableOutsideScroll:!1,onDismiss:()=>n.onOpenChange(!1)})},`MenuRootContentNonModal`)),tb=w2(`MenuContent.ScrollLock`),nb=H.forwardRef(E6(function(e,t){let{__scopeMenu:n,loop:r=!1,trapFocus:i,onOpenAutoFocus:a,onCloseAutoFocus:o,disableOutsidePointerEvents:c,onEntryFocus:l,onEscapeKeyDown:u,onPointerDownOutside:d,onFocusOutside:f,onInteractOutside:p,onDismiss:m,disableOutsideScroll:h,...g}=e,_=B6(Y6,n),v=H6(Y6,n),y=L6(n),b=R6(n),x=N6(n),[S,C]=H.useState(null),w=H.useRef(null),[T,E]=H.useState(null);U4(T);let{nodes:D,registry:O}=H4(),k=!!(i||h),A=n2(t,w,_.onContentChange,E),j=H.useRef(0),M=H.useRef(``),N=H.useRef(0),P=H.useRef(null),ee=H.useRef(`right`),te=H.useRef(0),ne=H.useMemo(()=>h?[w,...D.map(e=>({current:e}))]:[],[w,D,h]),re=h?s:H.Fragment,ie=h?{as:tb,allowPinchZoom:!0,shards:ne}:void 0,ae=E6(e=>{let t=M.current+e,n=x().filter(e=>!e.disabled),r=document.activeElement,i=n.find(e=>e.ref.current===r)?.textValue,a=vb(n.map(e=>e.textValue),t,i),o=n.find(e=>e.textValue===a)?.ref.current;function s(e){M.current=e,window.clearTimeout(j.current),e!==``&&(j.current=window.setTimeout(()=>s(``),1e3))}E6(s,`updateSearch`),s(t),o&&setTimeout(()=>o.focus())},`handleTypeaheadSearch`);H.useEffect(()=>()=>window.clearTimeout(j.current),[]),M4();let F=H.useCallback(e=>ee.current===P.current?.side&&bb(e,P.current?.area),[]);return(0,X.jsx)(X6,{scope:n,searchRef:M,onItemEnter:H.useCallback(e=>{F(e)&&e.preventDefault()},[F]),onItemLeave:H.useCallback(e=>{F(e)||(w.current?.focus(),C(null))},[F]),onTriggerLeave:H.useCallback(e=>{F(e)&&e.preventDefault()},[F]),pointerGraceTimerRef:N,onPointerGraceIntentChange:H.useCallback(e=>{P.current=e},[]),children:(0,X.jsx)(V4,{registry:k?O:null,children:(0,X.jsx)(re,{...ie,children:(0,X.jsx)(z4,{asChild:!0,trapped:i,branches:D,onMountAutoFocus:Z(a,e=>{e.preventDefault(),w.current?.focus({preventScroll:!0})}),onUnmountAutoFocus:o,children:(0,X.jsx)(b4,{asChild:!0,disableOutsidePointerEvents:c,onEscapeKeyDown:u,onPointerDownOutside:d,onFocusOutside:f,onInteractOutside:p,onDismiss:m,children:(0,X.jsx)(s6,{asChild:!0,...b,dir:v.dir,orientation:`vertical`,loop:r,currentTabStopId:S,onCurrentTabStopIdChange:C,onEntryFocus:Z(l,e=>{v.isUsingKeyboardRef.current||e.preventDefault()}),preventScrollOnEntryFocus:!0,children:(0,X.jsx)(w3,{role:`menu`,"aria-orientation":`vertical`,"data-state":pb(_.open),"data-radix-menu-content":``,dir:v.dir,...y,...g,ref:A,style:{outline:`none`,...g.style},onKeyDown:Z(g.onKeyDown,e=>{let t=e.target.closest(`[data-radix-menu-content]`)===e.currentTarget,n=e.ctrlKey||e.altKey||e.metaKey,r=e.key.length===1;t&&(e.key===`Tab`&&e.preventDefault(),!n&&r&&ae(e.key));let i=w.current;if(e.target!==i||!A6.includes(e.key))return;e.preventDefault();let a=x().filter(e=>!e.disabled).map(e=>e.ref.current);k6.includes(e.key)&&a.reverse(),gb(a)}),onBlur:Z(e.onBlur,e=>{e.currentTarget.contains(e.target)||(window.clearTimeout(j.current),M.current=``)}),onPointerMove:Z(e.onPointerMove,xb(e=>{let t=e.target,n=te.current!==e.clientX;if(e.currentTarget.contains(t)&&n){let t=e.clientX>te.current?`right`:`left`;ee.current=t,te.current=e.clientX}}))})})})})})})})},`MenuContentImpl`)),rb=`MenuItem`,ib=`menu.itemSelect`,ab=H.forwardRef(E6(function(e,t){let{disabled:n=!1,onSelect:r,...i}=e,a=H.useRef(null),o=H6(rb,e.__scopeMenu),s=Z6(rb,e.__scopeMenu),c=n2(t,a),l=H.useRef(!1),u=E6(()=>{let e=a.current;if(!n&&e){let t=new CustomEvent(ib,{bubbles:!0,cancelable:!0});e.addEventListener(ib,e=>r?.(e),{once:!0}),U2(e,t),t.defaultPrevented?l.current=!1:o.onClose()}},`handleSelect`);return(0,X.jsx)(ob,{...i,ref:c,disabled:n,onClick:Z(e.onClick,u),onPointerDown:t=>{e.onPointerDown?.(t),l.current=!0},onPointerUp:Z(e.onPointerUp,e=>{l.current||e.currentTarget?.click()}),onKeyDown:Z(e.onKeyDown,e=>{n||e.target!==e.currentTarget||(s.searchRef.current===``||e.key!==` `)&&D6.includes(e.key)&&(e.currentTarget.click(),e.preventDefault())})})},`MenuItem`)),ob=H.forwardRef(E6(function(e,t){let{__scopeMenu:n,disabled:r=!1,textValue:i,...a}=e,o=Z6(rb,n),s=R6(n),c=H.useRef(null),l=n2(t,c),[u,d]=H.useState(!1),[f,p]=H.useState(``);return H.useEffect(()=>{let e=c.current;e&&p((e.textContent??``).trim())},[a.children]),(0,X.jsx)(M6.ItemSlot,{scope:n,disabled:r,textValue:i??f,children:(0,X.jsx)(u6,{asChild:!0,...s,focusable:!r,children:(0,X.jsx)(H2.div,{role:`menuitem`,"data-highlighted":u?``:void 0,"aria-disabled":r||void 0,"data-disabled":r?``:void 0,...a,ref:l,onPointerMove:Z(e.onPointerMove,xb(e=>{r?o.onItemLeave(e):(o.onItemEnter(e),e.defaultPrevented||e.currentTarget.focus({preventScroll:!0}))})),onPointerLeave:Z(e.onPointerLeave,xb(e=>o.onItemLeave(e))),onFocus:Z(e.onFocus,()=>d(!0)),onBlur:Z(e.onBlur,()=>d(!1))})})})},`MenuItemImpl`)),[sb,cb]=F6(`MenuRadioGroup`,{value:void 0,onValueChange:E6(()=>{},`onValueChange`)}),[lb,ub]=F6(`MenuItemIndicator`,{checked:!1}),[db,fb]=F6(`MenuSub`);function pb(e){return e?`open`:`closed`}E6(pb,`getOpenState`);function mb(e){return e===`indeterminate`}E6(mb,`isIndeterminate`);function hb(e){return mb(e)?`indeterminate`:e?`checked`:`unchecked`}E6(hb,`getCheckedState`);function gb(e){let t=document.activeElement;for(let n of e)if(n===t||(n.focus(),document.activeElement!==t))return}E6(gb,`focusFirst`);function _b(e,t){return e.map((n,r)=>e[(t+r)%e.length])}E6(_b,`wrapArray`);function vb(e,t,n){let r=t.length>1&&Array.from(t).every(e=>e===t[0])?t[0]:t,i=n?e.indexOf(n):-1,a=_b(e,Math.max(i,0));r.length===1&&(a=a.filter(e=>e!==n));let o=a.find(e=>e.toLowerCase().startsWith(r.toLowerCase()));return o===n?void 0:o}E6(vb,`getNextMatch`);function yb(e,t){let{x:n,y:r}=e,i=!1;for(let e=0,a=t.length-1;e<t.length;a=e++){let o=t[e],s=t[a],c=o.x,l=o.y,u=s.x,d=s.y;l>r!=d>r&&n<(u-c)*(r-l)/(d-l)+c&&(i=!i)}return i}E6(yb,`isPointInPolygon`);function bb(e,t){return t?yb({x:e.clientX,y:e.clientY},t):!1}E6(bb,`isPointerInGraceArea`);function xb(e){return t=>t.pointerType===`mouse`?e(t):void 0}E6(xb,`whenMouse`);var Sb=Object.defineProperty,Cb=(e,t)=>Sb(e,`name`,{value:t,configurable:!0}),wb=`DropdownMenu`,[Tb,Eb]=o2(wb,[I6]),Db=I6(),[Ob,kb]=Tb(wb),Ab=Cb(e=>{let{__scopeDropdownMenu:t,children:n,dir:r,open:i,defaultOpen:a,onOpenChange:o,modal:s=!0}=e,c=Db(t),l=H.useRef(null),[u,d]=_2({prop:i,defaultProp:a??!1,onChange:o,caller:wb});return(0,X.jsx)(Ob,{scope:t,triggerId:a3(),triggerRef:l,contentId:a3(),open:u,onOpenChange:d,onOpenToggle:H.useCallback(()=>d(e=>!e),[d]),modal:s,children:(0,X.jsx)(U6,{...c,open:u,onOpenChange:d,dir:r,modal:s,children:n})})},`DropdownMenu`),jb=`DropdownMenuTrigger`,Mb=H.forwardRef(Cb(function(e,t){let{__scopeDropdownMenu:n,disabled:r=!1,...i}=e,a=kb(jb,n),o=Db(n),s=n2(t,a.triggerRef);return(0,X.jsx)(W6,{asChild:!0,...o,children:(0,X.jsx)(H2.button,{type:`button`,id:a.triggerId,"aria-haspopup":`menu`,"aria-expanded":a.open,"aria-controls":a.open?a.contentId:void 0,"data-state":a.open?`open`:`closed`,"data-disabled":r?``:void 0,disabled:r,...i,ref:s,onPointerDown:Z(e.onPointerDown,e=>{!r&&e.button===0&&e.ctrlKey===!1&&(a.onOpenToggle(),a.open||e.preventDefault())}),onKeyDown:Z(e.onKeyDown,e=>{r||([`Enter`,` `].includes(e.key)&&a.onOpenToggle(),e.key===`ArrowDown`&&a.onOpenChange(!0),[`Enter`,` `,`ArrowDown`].includes(e.key)&&e.preventDefault())})})})},`DropdownMenuTrigger`)),Nb=Cb(e=>{let{__scopeDropdownMenu:t,...n}=e,r=Db(t);return(0,X.jsx)(J6,{...r,...n})},`DropdownMenuPortal`),Pb=`DropdownMenuContent`,Fb=H.forwardRef(Cb(function(e,t){let{__scopeDropdownMenu:n,...r}=e,i=kb(Pb,n),a=Db(n),o=H.useRef(!1);return(0,X.jsx)(Q6,{id:i.contentId,"aria-labelledby":i.triggerId,...a,...r,ref:t,onCloseAutoFocus:Z(e.onCloseAutoFocus,e=>{o.current||i.triggerRef.current?.focus(),o.current=!1,e.preventDefault()}),onInteractOutside:Z(e.onInteractOutside,e=>{let t=e.detail.originalEvent,n=t.button===0&&t.ctrlKey===!0,r=t.button===2||n;(!i.modal||r)&&(o.current=!0)}),style:{...e.style,"--radix-dropdown-menu-content-transform-origin":`var(--radix-popper-transform-origin)`,"--radix-dropdown-menu-content-available-width":`var(--radix-popper-available-width)`,"--radix-dropdown-menu-content-available-height":`var(--radix-popper-available-height)`,"--radix-dropdown-menu-trigger-width":`var(--radix-popper-anchor-width)`,"--radix-dropdown-menu-trigger-height":`var(--radix-popper-anchor-height)`}})},`DropdownMenuContent`)),Ib=H.forwardRef(Cb(function(e,t){let{__scopeDropdownMenu:n,...r}=e,i=Db(n);return(0,X.jsx)(ab,{...i,...r,ref:t})},`DropdownMenuItem`)),Lb=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(6),r;n[0]===e.className?r=n[1]:(r=Fv(`graphiql-un-styled`,e.className),n[0]=e.className,n[1]=r);let i;return n[2]!==e||n[3]!==t||n[4]!==r?(i=(0,X.jsx)(Mb,{asChild:!0,children:(0,X.jsx)(`button`,{...e,ref:t,className:r})}),n[2]=e,n[3]=t,n[4]=r,n[5]=i):i=n[5],i});Lb.displayName=`DropdownMenuButton`;var Rb=Object.assign(Ab,{Button:Lb,Item:e=>{let t=(0,y_.c)(10),n,r,i;t[0]===e?(n=t[1],r=t[2],i=t[3]):({className:r,children:n,...i}=e,t[0]=e,t[1]=n,t[2]=r,t[3]=i);let a;t[4]===r?a=t[5]:(a=Fv(`graphiql-dropdown-item`,r),t[4]=r,t[5]=a);let o;return t[6]!==n||t[7]!==i||t[8]!==a?(o=(0,X.jsx)(Ib,{className:a,...i,children:n}),t[6]=n,t[7]=i,t[8]=a,t[9]=o):o=t[9],o},Content:e=>{let t=(0,y_.c)(14),n,r,i,a,o;t[0]===e?(n=t[1],r=t[2],i=t[3],a=t[4],o=t[5]):({children:n,align:a,sideOffset:o,className:r,...i}=e,t[0]=e,t[1]=n,t[2]=r,t[3]=i,t[4]=a,t[5]=o);let s=a===void 0?`start`:a,c=o===void 0?5:o,l;t[6]===r?l=t[7]:(l=Fv(`graphiql-dropdown-content`,r),t[6]=r,t[7]=l);let u;return t[8]!==s||t[9]!==n||t[10]!==i||t[11]!==c||t[12]!==l?(u=(0,X.jsx)(Nb,{children:(0,X.jsx)(Fb,{align:s,sideOffset:c,className:l,...i,children:n})}),t[8]=s,t[9]=n,t[10]=i,t[11]=c,t[12]=l,t[13]=u):u=t[13],u}}),zb=Object.defineProperty,Bb=(e,t)=>zb(e,`name`,{value:t,configurable:!0}),Vb=Object.freeze({position:`absolute`,border:0,width:1,height:1,padding:0,margin:-1,overflow:`hidden`,clip:`rect(0, 0, 0, 0)`,whiteSpace:`nowrap`,wordWrap:`normal`}),Hb=H.forwardRef(Bb(function(e,t){return(0,X.jsx)(H2.span,{...e,ref:t,style:{...Vb,...e.style}})},`VisuallyHidden`)),Ub=Object.defineProperty,Wb=(e,t)=>Ub(e,`name`,{value:t,configurable:!0}),[Gb,Kb]=o2(`Tooltip`,[h3]),qb=h3(),Jb=`TooltipProvider`,Yb=700,Xb=`tooltip.open`,[Zb,Qb]=Gb(Jb),$b=Wb(e=>{let{__scopeTooltip:t,delayDuration:n=Yb,skipDelayDuration:r=300,disableHoverableContent:i=!1,children:a}=e,o=H.useRef(!0),s=H.useRef(!1),c=H.useRef(0);return H.useEffect(()=>{let e=c.current;return()=>window.clearTimeout(e)},[]),(0,X.jsx)(Zb,{scope:t,isOpenDelayedRef:o,delayDuration:n,onOpen:H.useCallback(()=>{r<=0||(window.clearTimeout(c.current),o.current=!1)},[r]),onClose:H.useCallback(()=>{r<=0||(window.clearTimeout(c.current),c.current=window.setTimeout(()=>o.current=!0,r))},[r]),isPointerInTransitRef:s,onPointerInTransitChange:H.useCallback(e=>{s.current=e},[]),disableHoverableContent:i,children:a})},`TooltipProvider`),e8=`Tooltip`,[t8,n8]=Gb(e8),r8=Wb(e=>{let{__scopeTooltip:t,children:n,open:r,defaultOpen:i,onOpenChange:a,disableHoverableContent:o,delayDuration:s}=e,c=Qb(e8,e.__scopeTooltip),l=qb(t),[u,d]=H.useState(null),[f,p]=H.useState(void 0),m=a3(),h=H.useRef(0),g=o??c.disableHoverableContent,_=s??c.delayDuration,v=H.useRef(!1),[y,b]=_2({prop:r,defaultProp:i??!1,onChange:Wb(e=>{e?(c.onOpen(),document.dispatchEvent(new CustomEvent(Xb))):c.onClose(),a?.(e)},`onChange`),caller:e8}),x=H.useMemo(()=>y?v.current?`delayed-open`:`instant-open`:`closed`,[y]),S=H.useCallback(()=>{window.clearTimeout(h.current),h.current=0,v.current=!1,b(!0)},[b]),C=H.useCallback(()=>{window.clearTimeout(h.current),h.current=0,b(!1)},[b]),w=H.useCallback(()=>{window.clearTimeout(h.current),h.current=window.setTimeout(()=>{v.current=!0,b(!0),h.current=0},_)},[_,b]);H.useEffect(()=>()=>{h.current&&=(window.clearTimeout(h.current),0)},[]);let T=f??m;return(0,X.jsx)(v3,{...l,children:(0,X.jsx)(t8,{scope:t,contentId:T,setContentId:p,open:y,stateAttribute:x,trigger:u,onTriggerChange:d,onTriggerEnter:H.useCallback(()=>{c.isOpenDelayedRef.current?w():S()},[c.isOpenDelayedRef,w,S]),onTriggerLeave:H.useCallback(()=>{g?C():(window.clearTimeout(h.current),h.current=0)},[C,g]),onOpen:S,onClose:C,disableHoverableContent:g,children:n})})},`Tooltip`),i8=`TooltipTrigger`,a8=H.forwardRef(Wb(function(e,t){let{__scopeTooltip:n,"aria-describedby":r,...i}=e,a=n8(i8,n),o=Qb(i8,n),s=qb(n),c=n2(t,H.useRef(null),a.onTriggerChange),l=H.useRef(!1),u=H.useRef(!1),d=H.useCallback(()=>l.current=!1,[]);return H.useEffect(()=>()=>document.removeEventListener(`pointerup`,d),[d]),(0,X.jsx)(b3,{asChild:!0,...s,children:(0,X.jsx)(H2.button,{"aria-describedby":a.open?x8(r,a.contentId):r,"data-state":a.stateAttribute,...i,ref:c,onPointerMove:Z(e.onPointerMove,e=>{e.pointerType!==`touch`&&!u.current&&!o.isPointerInTransitRef.current&&(a.onTriggerEnter(),u.current=!0)}),onPointerLeave:Z(e.onPointerLeave,()=>{a.onTriggerLeave(),u.current=!1}),onPointerDown:Z(e.onPointerDown,()=>{a.open&&a.onClose(),l.current=!0,document.addEventListener(`pointerup`,d,{once:!0})}),onFocus:Z(e.onFocus,()=>{l.current||a.onOpen()}),onBlur:Z(e.onBlur,a.onClose),onClick:Z(e.onClick,a.onClose)})})},`TooltipTrigger`)),o8=`TooltipPortal`,[s8,c8]=Gb(o8,{forceMount:void 0}),l8=Wb(e=>{let{__scopeTooltip:t,forceMount:n,children:r,container:i}=e,a=n8(o8,t);return(0,X.jsx)(s8,{scope:t,forceMount:n,children:(0,X.jsx)(N3,{present:n||a.open,children:(0,X.jsx)(k3,{asChild:!0,container:i,children:r})})})},`TooltipPortal`),u8=`TooltipContent`,d8=H.forwardRef(Wb(function(e,t){let n=c8(u8,e.__scopeTooltip),{forceMount:r=n.forceMount,side:i=`top`,...a}=e,o=n8(u8,e.__scopeTooltip);return(0,X.jsx)(N3,{present:r||o.open,children:o.disableHoverableContent?(0,X.jsx)(m8,{side:i,...a,ref:t}):(0,X.jsx)(f8,{side:i,...a,ref:t})})},`TooltipContent`)),f8=H.forwardRef(Wb(function(e,t){let n=n8(u8,e.__scopeTooltip),r=Qb(u8,e.__scopeTooltip),i=H.useRef(null),a=n2(t,i),[o,s]=H.useState(null),{trigger:c,onClose:l}=n,u=i.current,{onPointerInTransitChange:d}=r,f=H.useCallback(()=>{s(null),d(!1)},[d]),p=H.useCallback((e,t)=>{let n=e.currentTarget,r={x:e.clientX,y:e.clientY},i=g8(r,h8(r,n.getBoundingClientRect())),a=_8(t.getBoundingClientRect()),o=y8([...i,...a]);s(o),d(!0)},[d]);return H.useEffect(()=>()=>f(),[f]),H.useEffect(()=>{if(c&&u){let e=Wb(e=>p(e,u),`handleTriggerLeave`),t=Wb(e=>p(e,c),`handleContentLeave`);return c.addEventListener(`pointerleave`,e),u.addEventListener(`pointerleave`,t),()=>{c.removeEventListener(`pointerleave`,e),u.removeEventListener(`pointerleave`,t)}}},[c,u,p,f]),H.useEffect(()=>{if(o){let e=Wb(e=>{let t=e.target,n={x:e.clientX,y:e.clientY},r=c?.contains(t)||u?.contains(t),i=!v8(n,o);r?f():i&&(f(),l())},`handleTrackPointerGrace`);return document.addEventListener(`pointermove`,e),()=>document.removeEventListener(`pointermove`,e)}},[c,u,o,l,f]),(0,X.jsx)(m8,{...e,ref:a})},`TooltipContentHoverable`)),p8=E2(`TooltipContent`),m8=H.forwardRef(Wb(function(e,t){let{__scopeTooltip:n,children:r,"aria-label":i,id:a,onEscapeKeyDown:o,onPointerDownOutside:s,...c}=e,l=n8(u8,n),u=qb(n),{onClose:d}=l,[f,p]=H.useState(null),m=n2(t,p);U4(f),H.useEffect(()=>(document.addEventListener(Xb,d),()=>document.removeEventListener(Xb,d)),[d]),H.useEffect(()=>{if(l.trigger){let e=Wb(e=>{e.target instanceof Node&&e.target.contains(l.trigger)&&d()},`handleScroll`);return window.addEventListener(`scroll`,e,{capture:!0}),()=>window.removeEventListener(`scroll`,e,{capture:!0})}},[l.trigger,d]);let{setContentId:h}=l;return c2(()=>(h(a),()=>{h(void 0)}),[a,h]),(0,X.jsx)(b4,{asChild:!0,disableOutsidePointerEvents:!1,onEscapeKeyDown:o,onPointerDownOutside:s,onFocusOutside:e=>e.preventDefault(),onDismiss:d,children:(0,X.jsxs)(w3,{"data-state":l.stateAttribute,role:i?void 0:`tooltip`,id:i?void 0:l.contentId,...u,...c,ref:m,style:{...c.style,"--radix-tooltip-content-transform-origin":`var(--radix-popper-transform-origin)`,"--radix-tooltip-content-available-width":`var(--radix-popper-available-width)`,"--radix-tooltip-content-available-height":`var(--radix-popper-available-height)`,"--radix-tooltip-trigger-width":`var(--radix-popper-anchor-width)`,"--radix-tooltip-trigger-height":`var(--radix-popper-anchor-height)`},children:[(0,X.jsx)(p8,{children:r}),i?(0,X.jsx)(Hb,{id:l.contentId,role:`tooltip`,children:i}):null]})})},`TooltipContentImpl`));function h8(e,t){let n=Math.abs(t.top-e.y),r=Math.abs(t.bottom-e.y),i=Math.abs(t.right-e.x),a=Math.abs(t.left-e.x);switch(Math.min(n,r,i,a)){case a:return`left`;case i:return`right`;case n:return`top`;case r:return`bottom`;default:throw Error(`unreachable`)}}Wb(h8,`getExitSideFromRect`);function g8(e,t,n=5){let r=[];switch(t){case`top`:r.push({x:e.x-n,y:e.y+n},{x:e.x+n,y:e.y+n});break;case`bottom`:r.push({x:e.x-n,y:e.y-n},{x:e.x+n,y:e.y-n});break;case`left`:r.push({x:e.x+n,y:e.y-n},{x:e.x+n,y:e.y+n});break;case`right`:r.push({x:e.x-n,y:e.y-n},{x:e.x-n,y:e.y+n})}return r}Wb(g8,`getPaddedExitPoints`);function _8(e){let{top:t,right:n,bottom:r,left:i}=e;return[{x:i,y:t},{x:n,y:t},{x:n,y:r},{x:i,y:r}]}Wb(_8,`getPointsFromRect`);function v8(e,t){let{x:n,y:r}=e,i=!1;for(let e=0,a=t.length-1;e<t.length;a=e++){let o=t[e],s=t[a],c=o.x,l=o.y,u=s.x,d=s.y;l>r!=d>r&&n<(u-c)*(r-l)/(d-l)+c&&(i=!i)}return i}Wb(v8,`isPointInPolygon`);function y8(e){let t=e.slice();return t.sort((e,t)=>e.x<t.x?-1:e.x>t.x?1:e.y<t.y?-1:+(e.y>t.y)),b8(t)}Wb(y8,`getHull`);function b8(e){if(e.length<=1)return e.slice();let t=[];for(let n=0;n<e.length;n++){let r=e[n];for(;t.length>=2;){let e=t[t.length-1],n=t[t.length-2];if((e.x-n.x)*(r.y-n.y)>=(e.y-n.y)*(r.x-n.x))t.pop();else break}t.push(r)}t.pop();let n=[];for(let t=e.length-1;t>=0;t--){let r=e[t];for(;n.length>=2;){let e=n[n.length-1],t=n[n.length-2];if((e.x-t.x)*(r.y-t.y)>=(e.y-t.y)*(r.x-t.x))n.pop();else break}n.push(r)}return n.pop(),t.length===1&&n.length===1&&t[0].x===n[0].x&&t[0].y===n[0].y?t:t.concat(n)}Wb(b8,`getHullPresorted`);function x8(...e){let t=new Set;for(let n of e)if(typeof n==`string`)for(let e of String(n).trim().split(/\s+/))e&&t.add(e);return t.size>0?Array.from(t).join(` `):void 0}Wb(x8,`concatAriaDescribedby`);var S8=Object.assign(e=>{let t=(0,y_.c)(10),{children:n,align:r,side:i,sideOffset:a,label:o}=e,s=r===void 0?`start`:r,c=i===void 0?`bottom`:i,l=a===void 0?5:a,u;t[0]===n?u=t[1]:(u=(0,X.jsx)(a8,{asChild:!0,children:n}),t[0]=n,t[1]=u);let d;t[2]!==s||t[3]!==o||t[4]!==c||t[5]!==l?(d=(0,X.jsx)(l8,{children:(0,X.jsx)(d8,{className:`graphiql-tooltip`,align:s,side:c,sideOffset:l,children:o})}),t[2]=s,t[3]=o,t[4]=c,t[5]=l,t[6]=d):d=t[6];let f;return t[7]!==u||t[8]!==d?(f=(0,X.jsxs)(r8,{children:[u,d]}),t[7]=u,t[8]=d,t[9]=f):f=t[9],f},{Provider:$b}),C8=()=>{let e=(0,y_.c)(18),{setOperationName:t,run:n,stop:r}=Dv(),i;e[0]===Symbol.for(`react.memo_cache_sentinel`)?(i=v_(`operations`,`operationName`,`isFetching`,`overrideOperationName`),e[0]=i):i=e[0];let{operations:a,operationName:o,isFetching:s,overrideOperationName:c}=Ev(i),l;e[1]===a?l=e[2]:(l=a===void 0?[]:a,e[1]=a,e[2]=l);let u=l,d=Ev(w8),f=u.length>1&&typeof c!=`string`,p=s||d,m=`${p?`Stop`:`Execute`} query (${hf(gf.runQuery.key,`Cmd`)})`,h;e[3]===p?h=e[4]:(h=p?(0,X.jsx)(Vy,{}):(0,X.jsx)(Ny,{}),e[3]=p,e[4]=h);let g;e[5]!==m||e[6]!==h?(g={type:`button`,className:`graphiql-execute-button`,children:h,"aria-label":m},e[5]=m,e[6]=h,e[7]=g):g=e[7];let _=g,v;return e[8]!==_||e[9]!==f||e[10]!==p||e[11]!==m||e[12]!==o||e[13]!==u||e[14]!==n||e[15]!==t||e[16]!==r?(v=f&&!p?(0,X.jsxs)(Rb,{children:[(0,X.jsx)(S8,{label:m,children:(0,X.jsx)(Rb.Button,{..._})}),(0,X.jsx)(Rb.Content,{children:u.map((e,r)=>{let i=e.name?e.name.value:`<Unnamed ${e.operation}>`;return(0,X.jsx)(Rb.Item,{onSelect:()=>{let r=e.name?.value;r&&r!==o&&t(r),n()},children:i},`${i}-${r}`)})})]}):(0,X.jsx)(S8,{label:m,children:(0,X.jsx)(`button`,{..._,onClick:p?r:n})}),e[8]=_,e[9]=f,e[10]=p,e[11]=m,e[12]=o,e[13]=u,e[14]=n,e[15]=t,e[16]=r,e[17]=v):v=e[17],v};function w8(e){return!!e.subscription}var T8=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(6),r;n[0]===e.className?r=n[1]:(r=Fv(`graphiql-un-styled`,e.className),n[0]=e.className,n[1]=r);let i;return n[2]!==e||n[3]!==t||n[4]!==r?(i=(0,X.jsx)(`button`,{...e,ref:t,className:r}),n[2]=e,n[3]=t,n[4]=r,n[5]=i):i=n[5],i});T8.displayName=`UnStyledButton`;var E8=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(7),r;n[0]!==e.className||n[1]!==e.state?(r=Fv(`graphiql-button`,{success:`graphiql-button-success`,error:`graphiql-button-error`}[e.state],e.className),n[0]=e.className,n[1]=e.state,n[2]=r):r=n[2];let i;return n[3]!==e||n[4]!==t||n[5]!==r?(i=(0,X.jsx)(`button`,{...e,ref:t,className:r}),n[3]=e,n[4]=t,n[5]=r,n[6]=i):i=n[6],i});E8.displayName=`Button`;var D8=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(14),{label:r,onClick:i,...a}=e,[o,s]=(0,H.useState)(null),c;n[0]===i?c=n[1]:(c=e=>{try{i&&i(e),s(null)}catch(e){let t=e;s(t instanceof Error?t:Error(`Toolbar button click failed: ${t}`))}},n[0]=i,n[1]=c);let l=c,u=S8,d=T8,f=Fv(`graphiql-toolbar-button`,o&&`error`,a.className),p=o?o.message:r,m=o?`true`:a[`aria-invalid`],h;n[2]!==d||n[3]!==l||n[4]!==a||n[5]!==t||n[6]!==f||n[7]!==p||n[8]!==m?(h=(0,X.jsx)(d,{...a,ref:t,type:`button`,className:f,onClick:l,"aria-label":p,"aria-invalid":m}),n[2]=d,n[3]=l,n[4]=a,n[5]=t,n[6]=f,n[7]=p,n[8]=m,n[9]=h):h=n[9];let g;return n[10]!==u||n[11]!==r||n[12]!==h?(g=(0,X.jsx)(u,{label:r,children:h}),n[10]=u,n[11]=r,n[12]=h,n[13]=g):g=n[13],g});D8.displayName=`ToolbarButton`;var O8=e=>{let t=(0,y_.c)(15),{onEdit:n,...r}=e,{setEditor:i,run:a,prettifyEditors:o,mergeQuery:s}=Dv(),c;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(c=v_(`initialHeaders`,`shouldPersistHeaders`,`uriInstanceId`),t[0]=c):c=t[0];let{initialHeaders:l,shouldPersistHeaders:u,uriInstanceId:d}=Ev(c),f=(0,H.useRef)(null),p=Af(k8);b_(n,u?_f.headers:null,`headers`);let m;t[1]!==l||t[2]!==s||t[3]!==p||t[4]!==o||t[5]!==a||t[6]!==i||t[7]!==d?(m=()=>{if(!p)return;let e=Mf({uri:`${d}${bf.requestHeaders}`,value:l}),t=Nf(f,{model:e});return i({headerEditor:t}),ds([t.addAction({...yf.runQuery,run:a}),t.addAction({...yf.prettify,run:o}),t.addAction({...yf.mergeFragments,run:s}),t,e])},t[1]=l,t[2]=s,t[3]=p,t[4]=o,t[5]=a,t[6]=i,t[7]=d,t[8]=m):m=t[8];let h;t[9]===p?h=t[10]:(h=[p],t[9]=p,t[10]=h),(0,H.useEffect)(m,h);let g=jf,_=Fv(`graphiql-editor`,r.className),v;return t[11]!==r||t[12]!==g||t[13]!==_?(v=(0,X.jsx)(`div`,{ref:f,tabIndex:0,onKeyDown:g,...r,className:_}),t[11]=r,t[12]=g,t[13]=_,t[14]=v):v=t[14],v};function k8(e){return e.monaco}var A8=Object.assign(e=>{let t=(0,y_.c)(14),{path:n}=e,r;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(r={width:null,height:null},t[0]=r):r=t[0];let[i,a]=(0,H.useState)(r),{width:o,height:s}=i,[c,l]=(0,H.useState)(null),u=(0,H.useRef)(null),d=j8(n)?.href,f,p;t[1]===d?(f=t[2],p=t[3]):(f=()=>{d?fetch(d,{method:`HEAD`}).then(e=>{l(e.headers.get(`Content-Type`))}).catch(()=>{l(null)}):(a({width:null,height:null}),l(null))},p=[d],t[1]=d,t[2]=f,t[3]=p),(0,H.useEffect)(f,p);let m;t[4]===Symbol.for(`react.memo_cache_sentinel`)?(m=()=>{a({width:u.current.naturalWidth,height:u.current.naturalHeight})},t[4]=m):m=t[4];let h;t[5]===d?h=t[6]:(h=(0,X.jsx)(`img`,{alt:``,onLoad:m,ref:u,src:d}),t[5]=d,t[6]=h);let g;t[7]!==s||t[8]!==c||t[9]!==o?(g=o!==null&&s!==null&&(0,X.jsxs)(`div`,{children:[o,`x`,s,c&&` `+c]}),t[7]=s,t[8]=c,t[9]=o,t[10]=g):g=t[10];let _;return t[11]!==h||t[12]!==g?(_=(0,X.jsxs)(`div`,{children:[h,g]}),t[11]=h,t[12]=g,t[13]=_):_=t[13],_},{shouldRender(e){let t=j8(e);return t?/\.(bmp|gif|jpe?g|png|svg|webp)$/.test(t.pathname):!1}});function j8(e){let t=e.trim();try{return new URL(t,location.protocol+`//`+location.host)}catch{}}var M8=e=>`getModeId`in e?e.getModeId():e.getLanguageId();function N8(e){return new X0(e.lineNumber-1,e.column-1)}var P8=e=>{let{schema:t,documentAST:n,introspectionJSON:r,introspectionJSONString:i,documentString:a,...o}=e;if(t)return{...o,documentString:Ra(t)};if(i)return{...o,introspectionJSONString:i};if(a)return{...o,documentString:a};if(r)return{...o,introspectionJSONString:JSON.stringify(r)};if(n){let e=Ia(n,o.buildSchemaOptions);return{...o,documentString:Ra(e)}}throw Error(`No schema supplied`)},F8=e=>{let t=(0,y_.c)(50),{onClickReference:n,onEdit:r,...i}=e,{setOperationName:a,setEditor:o,updateActiveTabValues:s,setVisiblePlugin:c,setSchemaReference:l,run:u,setOperationFacts:d,copyQuery:f,prettifyEditors:p,mergeQuery:m}=Dv(),h;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(h=v_(`initialQuery`,`schema`,`customScalarSchemas`,`referencePlugin`,`operations`,`operationName`,`externalFragments`,`uriInstanceId`,`storage`,`monacoTheme`),t[0]=h):h=t[0];let{initialQuery:g,schema:_,customScalarSchemas:v,referencePlugin:y,operations:b,operationName:x,externalFragments:S,uriInstanceId:C,storage:w,monacoTheme:T}=Ev(h),E=(0,H.useRef)(null),{monacoGraphQL:D,monaco:O}=Af(),k=(0,H.useRef)(null),A,j;t[1]===n?(A=t[2],j=t[3]):(A=()=>{k.current=n},j=[n],t[1]=n,t[2]=A,t[3]=j),(0,H.useEffect)(A,j);let M;t[4]!==D?.experimentalFragmentArguments||t[5]!==x||t[6]!==b||t[7]!==_||t[8]!==d?(M=function(e){let t=$0(_,e.getValue(),{experimentalFragmentArguments:D?.experimentalFragmentArguments}),n=rs(b,x,t?.operations);return d({documentAST:t?.documentAST,operationName:n,operations:t?.operations}),t?{...t,operationName:n}:null},t[4]=D?.experimentalFragmentArguments,t[5]=x,t[6]=b,t[7]=_,t[8]=d,t[9]=M):M=t[9];let N=M,P=(0,H.useRef)(null),ee,te;t[10]!==x||t[11]!==b||t[12]!==u||t[13]!==a?(ee=()=>{P.current=e=>{if(!b){u();return}let t=e.getPosition(),n=e.getModel().getOffsetAt(t),r;for(let e of b)e.loc&&e.loc.start<=n&&e.loc.end>=n&&(r=e.name?.value);r&&r!==x&&a(r),u()}},te=[x,b,u,a],t[10]=x,t[11]=b,t[12]=u,t[13]=a,t[14]=ee,t[15]=te):(ee=t[14],te=t[15]),(0,H.useEffect)(ee,te);let ne;t[16]!==f||t[17]!==N||t[18]!==g||t[19]!==m||t[20]!==O||t[21]!==D||t[22]!==T||t[23]!==r||t[24]!==x||t[25]!==p||t[26]!==o||t[27]!==a||t[28]!==w||t[29]!==s||t[30]!==C?(ne=()=>{if(!O||!D)return;let e=cd.file(`${C}${bf.operation}`),t=cd.file(`${C}${bf.variables}`),{validateVariablesJSON:n}=Sf;n[e.toString()]=[t.toString()],D.setDiagnosticSettings(Sf);let i=Mf({uri:e.path.replace(`/`,``),value:g}),c=Nf(E,{model:i,theme:T});o({queryEditor:c});let l=Pf(100,()=>{let e=c.getValue();w.set(_f.query,e);let t=N(c);r?.(e,t?.documentAST),t?.operationName&&x!==t.operationName&&a(t.operationName),s({query:e,operationName:t?.operationName??null})});return N(c),ds([i.onDidChangeContent(l),c.addAction({...yf.runQuery,run:(...e)=>{let t=e;return P.current(...t)}}),c.addAction({...yf.copyQuery,run:f}),c.addAction({...yf.prettify,run:p}),c.addAction({...yf.mergeFragments,run:m}),c,i])},t[16]=f,t[17]=N,t[18]=g,t[19]=m,t[20]=O,t[21]=D,t[22]=T,t[23]=r,t[24]=x,t[25]=p,t[26]=o,t[27]=a,t[28]=w,t[29]=s,t[30]=C,t[31]=ne):ne=t[31];let re;t[32]!==O||t[33]!==D?(re=[O,D],t[32]=O,t[33]=D,t[34]=re):re=t[34],(0,H.useEffect)(ne,re);let ie,ae;t[35]!==v||t[36]!==S||t[37]!==O||t[38]!==D||t[39]!==y||t[40]!==_||t[41]!==l||t[42]!==c||t[43]!==C?(ae=()=>{if(!_||!O||!D||(D.setSchemaConfig([{uri:`${C}${bf.schema}`,schema:_,customScalarSchemas:v}]),D.setExternalFragmentDefinitions([...S.values()]),!y))return;let e=null;return ds([O.languages.registerDefinitionProvider(`graphql`,{provideDefinition(t,n,r){let i=N8(n),a=B0(t.getValue(),i,_);if(!a)return;let{typeInfo:o,token:s}=a,{kind:c,step:l}=s.state;if(c===`Field`&&l===0&&o.fieldDef||c===`AliasedField`&&l===2&&o.fieldDef||c===`ObjectField`&&l===0&&o.fieldDef||c===`Directive`&&l===1&&o.directiveDef||c===`Variable`&&o.type||c===`Argument`&&l===0&&o.argDef||c===`EnumValue`&&o.enumValue&&`description`in o.enumValue||c===`NamedType`&&o.type&&`description`in o.type){e={kind:c,typeInfo:o};let{lineNumber:r,column:i}=n,a=new bd(r,i,r,i);return[{uri:t.uri,range:a}]}e=null}}),O.languages.registerReferenceProvider(`graphql`,{provideReferences(t,n,r,i){let{lineNumber:a,column:o}=n;if(!e)return;c(y),l(e),k.current?.(e);let s=new bd(a,o,a,o);return[{uri:t.uri,range:s}]}})])},ie=[_,v,y,l,c,S,C,D,O],t[35]=v,t[36]=S,t[37]=O,t[38]=D,t[39]=y,t[40]=_,t[41]=l,t[42]=c,t[43]=C,t[44]=ie,t[45]=ae):(ie=t[44],ae=t[45]),(0,H.useEffect)(ae,ie);let F=jf,I=Fv(`graphiql-editor`,i.className),oe;return t[46]!==i||t[47]!==F||t[48]!==I?(oe=(0,X.jsx)(`div`,{ref:E,tabIndex:0,onKeyDown:F,...i,className:I}),t[46]=i,t[47]=F,t[48]=I,t[49]=oe):oe=t[49],oe},I8=a(),L8=e=>{let t=(0,y_.c)(18),{responseTooltip:n,...r}=e,{setEditor:i,run:a}=Dv(),o;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(o=v_(`fetchError`,`validationErrors`,`responseEditor`,`uriInstanceId`),t[0]=o):o=t[0];let{fetchError:s,validationErrors:c,responseEditor:l,uriInstanceId:u}=Ev(o),d=(0,H.useRef)(null),f=Af(R8),p,m;t[1]!==s||t[2]!==l||t[3]!==c?(p=()=>{s&&l?.setValue(s),c.length&&l?.setValue(Ko(c))},m=[l,s,c],t[1]=s,t[2]=l,t[3]=c,t[4]=p,t[5]=m):(p=t[4],m=t[5]),(0,H.useEffect)(p,m);let h;t[6]!==n||t[7]!==f||t[8]!==a||t[9]!==i||t[10]!==u?(h=()=>{if(!f)return;let e=Mf({uri:`${u}${bf.response}`,value:``}),t=Nf(d,{model:e,readOnly:!0,lineNumbers:`off`,wordWrap:`on`,contextmenu:!1});i({responseEditor:t});let r,o,s=(t,i)=>{if(t.uri!==e.uri)return null;let a=t.getWordAtPosition(i);if(!a?.word.startsWith(`/`)||!A8.shouldRender(a.word))return null;let s=`hover-${i.lineNumber}-${i.column}`;return o&&clearTimeout(o),o=setTimeout(()=>{let e=document.querySelector(`[data-id="${s}"]`);e&&(r?.unmount(),r=(0,I8.createRoot)(e),r.render((0,X.jsxs)(X.Fragment,{children:[n&&(0,X.jsx)(n,{position:i,word:a}),(0,X.jsx)(A8,{path:a.word})]})))},500),{range:new bd(i.lineNumber,a.startColumn,i.lineNumber,a.endColumn),contents:[{value:`<div data-id="${s}">Loading...</div>`,supportHtml:!0}]}},c=e.getLanguageId();return ds([f.languages.registerHoverProvider(c,{provideHover:s}),t.addAction({...yf.runQuery,run:a}),t,e])},t[6]=n,t[7]=f,t[8]=a,t[9]=i,t[10]=u,t[11]=h):h=t[11];let g;t[12]===f?g=t[13]:(g=[f],t[12]=f,t[13]=g),(0,H.useEffect)(h,g);let _=jf,v=Fv(`result-window`,r.className),y;return t[14]!==r||t[15]!==_||t[16]!==v?(y=(0,X.jsx)(`section`,{ref:d,"aria-label":`Result Window`,"aria-live":`polite`,"aria-atomic":`true`,tabIndex:0,onKeyDown:_,...r,className:v}),t[14]=r,t[15]=_,t[16]=v,t[17]=y):y=t[17],y};function R8(e){return e.monaco}var z8=e=>{let t=(0,y_.c)(15),{onEdit:n,...r}=e,{setEditor:i,run:a,prettifyEditors:o,mergeQuery:s}=Dv(),c;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(c=v_(`initialVariables`,`uriInstanceId`),t[0]=c):c=t[0];let{initialVariables:l,uriInstanceId:u}=Ev(c),d=(0,H.useRef)(null),f=Af(B8);b_(n,_f.variables,`variables`);let p;t[1]!==l||t[2]!==s||t[3]!==f||t[4]!==o||t[5]!==a||t[6]!==i||t[7]!==u?(p=()=>{if(!f)return;let e=Mf({uri:`${u}${bf.variables}`,value:l}),t=Nf(d,{model:e});return i({variableEditor:t}),ds([t.addAction({...yf.runQuery,run:a}),t.addAction({...yf.prettify,run:o}),t.addAction({...yf.mergeFragments,run:s}),t,e])},t[1]=l,t[2]=s,t[3]=f,t[4]=o,t[5]=a,t[6]=i,t[7]=u,t[8]=p):p=t[8];let m;t[9]===f?m=t[10]:(m=[f],t[9]=f,t[10]=m),(0,H.useEffect)(p,m);let h=jf,g=Fv(`graphiql-editor`,r.className),_;return t[11]!==r||t[12]!==h||t[13]!==g?(_=(0,X.jsx)(`div`,{ref:d,tabIndex:0,onKeyDown:h,...r,className:g}),t[11]=r,t[12]=h,t[13]=g,t[14]=_):_=t[14],_};function B8(e){return e.monaco}var V8=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(6),r;n[0]===e.className?r=n[1]:(r=Fv(`graphiql-button-group`,e.className),n[0]=e.className,n[1]=r);let i;return n[2]!==e||n[3]!==t||n[4]!==r?(i=(0,X.jsx)(`div`,{...e,ref:t,className:r}),n[2]=e,n[3]=t,n[4]=r,n[5]=i):i=n[5],i});V8.displayName=`ButtonGroup`;var H8=Object.defineProperty,U8=(e,t)=>H8(e,`name`,{value:t,configurable:!0}),W8=`Dialog`,[G8,K8]=o2(W8),[q8,J8]=G8(W8),Y8=U8(e=>{let{__scopeDialog:t,children:n,open:r,defaultOpen:i,onOpenChange:a,modal:o=!0}=e,s=H.useRef(null),c=H.useRef(null),{nodes:l,registry:u}=H4(),[d,f]=_2({prop:r,defaultProp:i??!1,onChange:a,caller:W8}),[p,m]=H.useState(0),[h,g]=H.useState(0);return(0,X.jsx)(q8,{scope:t,triggerRef:s,contentRef:c,contentId:a3(),titleId:a3(),descriptionId:a3(),titlePresent:p>0,descriptionPresent:h>0,setTitleCount:m,setDescriptionCount:g,open:d,onOpenChange:f,onOpenToggle:H.useCallback(()=>f(e=>!e),[f]),modal:o,branchNodes:l,branchRegistry:u,children:n})},`Dialog`),X8=`DialogTrigger`,Z8=H.forwardRef(U8(function(e,t){let{__scopeDialog:n,...r}=e,i=J8(X8,n),a=n2(t,i.triggerRef);return(0,X.jsx)(H2.button,{type:`button`,"aria-haspopup":`dialog`,"aria-expanded":i.open,"aria-controls":i.open?i.contentId:void 0,"data-state":gx(i.open),...r,ref:a,onClick:Z(e.onClick,i.onOpenToggle)})},`DialogTrigger`)),Q8=`DialogPortal`,[$8,ex]=G8(Q8,{forceMount:void 0}),tx=U8(e=>{let{__scopeDialog:t,forceMount:n,children:r,container:i}=e,a=J8(Q8,t);return(0,X.jsx)($8,{scope:t,forceMount:n,children:H.Children.map(r,e=>(0,X.jsx)(N3,{present:n||a.open,children:(0,X.jsx)(k3,{asChild:!0,container:i,children:e})}))})},`DialogPortal`),nx=`DialogOverlay`,rx=H.forwardRef(U8(function(e,t){let n=ex(nx,e.__scopeDialog),{forceMount:r=n.forceMount,...i}=e,a=J8(nx,e.__scopeDialog);return a.modal?(0,X.jsx)(N3,{present:r||a.open,children:(0,X.jsx)(ax,{...i,ref:t})}):null},`DialogOverlay`)),ix=w2(`DialogOverlay.RemoveScroll`),ax=H.forwardRef(U8(function(e,t){let{__scopeDialog:n,...r}=e,i=J8(nx,n),a=n2(t,x4());return(0,X.jsx)(s,{as:ix,allowPinchZoom:!0,shards:H.useMemo(()=>[i.contentRef,...i.branchNodes.map(e=>({current:e}))],[i.contentRef,i.branchNodes]),children:(0,X.jsx)(H2.div,{"data-state":gx(i.open),...r,ref:a,style:{pointerEvents:`auto`,...r.style}})})},`DialogOverlayImpl`)),ox=`DialogContent`,sx=H.forwardRef(U8(function(e,t){let n=ex(ox,e.__scopeDialog),{forceMount:r=n.forceMount,...i}=e,a=J8(ox,e.__scopeDialog);return(0,X.jsx)(N3,{present:r||a.open,children:a.modal?(0,X.jsx)(cx,{...i,ref:t}):(0,X.jsx)(lx,{...i,ref:t})})},`DialogContent`)),cx=H.forwardRef(U8(function(e,t){let n=J8(ox,e.__scopeDialog),r=H.useRef(null),i=n2(t,n.contentRef,r);return H.useEffect(()=>{let e=r.current;if(e)return w6(e)},[]),(0,X.jsx)(ux,{...e,ref:i,trapFocus:n.open,disableOutsidePointerEvents:n.open,onCloseAutoFocus:Z(e.onCloseAutoFocus,e=>{e.preventDefault(),n.triggerRef.current?.focus()}),onPointerDownOutside:Z(e.onPointerDownOutside,e=>{let t=e.detail.originalEvent,n=t.button===0&&t.ctrlKey===!0;(t.button===2||n)&&e.preventDefault()}),onFocusOutside:Z(e.onFocusOutside,e=>e.preventDefault())})},`DialogContentModal`)),lx=H.forwardRef(U8(function(e,t){let n=J8(ox,e.__scopeDialog),r=H.useRef(!1),i=H.useRef(!1);return(0,X.jsx)(ux,{...e,ref:t,trapFocus:!1,disableOutsidePointerEvents:!1,onCloseAutoFocus:t=>{e.onCloseAutoFocus?.(t),t.defaultPrevented||(r.current||n.triggerRef.current?.focus(),t.preventDefault()),r.current=!1,i.current=!1},onInteractOutside:t=>{e.onInteractOutside?.(t),t.defaultPrevented||(r.current=!0,t.detail.originalEvent.type===`pointerdown`&&(i.current=!0));let a=t.target;n.triggerRef.current?.contains(a)&&t.preventDefault(),t.detail.originalEvent.type===`focusin`&&i.current&&t.preventDefault()}})},`DialogContentNonModal`)),ux=H.forwardRef(U8(function(e,t){let{__scopeDialog:n,trapFocus:r,onOpenAutoFocus:i,onCloseAutoFocus:a,"aria-describedby":o,children:s,...c}=e,l=J8(ox,n);return M4(),(0,X.jsx)(V4,{registry:l.branchRegistry,children:(0,X.jsx)(z4,{asChild:!0,loop:!0,trapped:r,branches:l.branchNodes,onMountAutoFocus:i,onUnmountAutoFocus:a,children:(0,X.jsx)(b4,{role:`dialog`,id:l.contentId,"aria-labelledby":l.titlePresent?l.titleId:void 0,"aria-describedby":l.descriptionPresent?hx(o,l.descriptionId):o,"data-state":gx(l.open),...c,ref:t,deferPointerDownOutside:!0,onDismiss:()=>l.onOpenChange(!1),children:s})})})},`DialogContentImpl`)),dx=H.forwardRef(U8(function(e,t){let{__scopeDialog:n,...r}=e,i=J8(`DialogTitle`,n),{setTitleCount:a}=i;return c2(()=>(a(e=>e+1),()=>a(e=>e-1)),[a]),(0,X.jsx)(H2.h2,{id:i.titleId,...r,ref:t})},`DialogTitle`)),fx=H.forwardRef(U8(function(e,t){let{__scopeDialog:n,...r}=e,i=J8(`DialogDescription`,n),{setDescriptionCount:a}=i;return c2(()=>(a(e=>e+1),()=>a(e=>e-1)),[a]),(0,X.jsx)(H2.p,{id:i.descriptionId,...r,ref:t})},`DialogDescription`)),px=`DialogClose`,mx=H.forwardRef(U8(function(e,t){let{__scopeDialog:n,...r}=e,i=J8(px,n);return(0,X.jsx)(H2.button,{type:`button`,...r,ref:t,onClick:Z(e.onClick,()=>i.onOpenChange(!1))})},`DialogClose`));function hx(...e){let t=new Set;for(let n of e)if(typeof n==`string`)for(let e of String(n).trim().split(/\s+/))e&&t.add(e);return t.size>0?Array.from(t).join(` `):void 0}U8(hx,`concatAriaDescribedby`);function gx(e){return e?`open`:`closed`}U8(gx,`getState`);var _x=Object.defineProperty,vx=(e,t)=>_x(e,`name`,{value:t,configurable:!0});function yx(e,t){if(typeof e==`function`)return e(t);e!=null&&(e.current=t)}vx(yx,`setRef`);function bx(...e){return t=>{let n=!1,r=e.map(e=>{let r=yx(e,t);return!n&&typeof r==`function`&&(n=!0),r});if(n)return()=>{for(let t=0;t<r.length;t++){let n=r[t];typeof n==`function`?n():yx(e[t],null)}}}}vx(bx,`composeRefs`);function xx(...e){return H.useCallback(bx(...e),e)}vx(xx,`useComposedRefs`);var Sx=Object.defineProperty,Cx=(e,t)=>Sx(e,`name`,{value:t,configurable:!0});function wx(e){let t=H.forwardRef((t,n)=>{let{children:r,...i}=t,a=null,o=!1,s=[];r=Px(r),H.Children.forEach(r,e=>{if(Ax(e)){o=!0;let t=e,n=`child`in t.props?t.props.child:t.props.children;for(;Mx(n)&&typeof Rx==`function`;)n=Rx(n._payload);a=Dx(t,n),s.push(a?.props?.children)}else s.push(e)}),a?a=H.cloneElement(a,void 0,s):!o&&H.Children.count(r)===1&&H.isValidElement(r)&&(a=r);let c=a?kx(a):void 0,l=xx(n,c);if(!a){if(r||r===0)throw Error(o?Lx(e):Ix(e));return r}let u=Ox(i,a.props??{});return a.type!==H.Fragment&&(u.ref=n?l:c),H.cloneElement(a,u)});return t.displayName=`${e}.Slot`,t}Cx(wx,`createSlot`);var Tx=Symbol.for(`radix.slottable`);function Ex(e){let t=Cx(e=>`child`in e?e.children(e.child):e.children,`Slottable`);return t.displayName=`${e}.Slottable`,t.__radixId=Tx,t}Cx(Ex,`createSlottable`);var Dx=Cx((e,t)=>`child`in e.props?H.isValidElement(t)?H.cloneElement(t,void 0,e.props.children(t.props.children)):null:H.isValidElement(t)?t:null,`getSlottableElementFromSlottable`);function Ox(e,t){let n={...t};for(let r in t){let i=e[r],a=t[r];/^on[A-Z]/.test(r)?i&&a?n[r]=(...e)=>{let t=a(...e);return i(...e),t}:i&&(n[r]=i):r===`style`?n[r]={...i,...a}:r===`className`?n[r]=[i,a].filter(Boolean).join(` `):r===`aria-describedby`&&(n[r]=Fx(a,i))}return{...e,...n}}Cx(Ox,`mergeProps`);function kx(e){let t=Object.getOwnPropertyDescriptor(e.props,`ref`)?.get,n=t&&`isReactWarning`in t&&t.isReactWarning;return n?e.ref:(t=Object.getOwnPropertyDescriptor(e,`ref`)?.get,n=t&&`isReactWarning`in t&&t.isReactWarning,n?e.props.ref:e.props.ref||e.ref)}Cx(kx,`getElementRef`);function Ax(e){return H.isValidElement(e)&&typeof e.type==`function`&&`__radixId`in e.type&&e.type.__radixId===Tx}Cx(Ax,`isSlottable`);var jx=Symbol.for(`react.lazy`);function Mx(e){return typeof e==`object`&&!!e&&`$$typeof`in e&&e.$$typeof===jx&&`_payload`in e&&Nx(e._payload)}Cx(Mx,`isLazyComponent`);function Nx(e){return typeof e==`object`&&!!e&&`then`in e}Cx(Nx,`isPromiseLike`);function Px(e){let t=e;for(;Mx(t)&&typeof Rx==`function`;)t=Rx(t._payload);return t}Cx(Px,`useUnwrappedLazy`);function Fx(...e){let t=new Set;for(let n of e)if(typeof n==`string`)for(let e of String(n).trim().split(/\s+/))e&&t.add(e);return t.size>0?Array.from(t).join(` `):void 0}Cx(Fx,`concatAriaDescribedby`);var Ix=Cx(e=>`${e} failed to slot onto its children. Expected a single React element child or \`Slottable\`.`,`createSlotError`),Lx=Cx(e=>`${e} failed to slot onto its \`Slottable\`. Expected \`Slottable\` to receive a single React element child.`,`createSlottableError`),Rx=H.use,zx=Object.defineProperty,Bx=(e,t)=>zx(e,`name`,{value:t,configurable:!0}),Vx=[`a`,`button`,`div`,`form`,`h2`,`h3`,`img`,`input`,`label`,`li`,`nav`,`ol`,`p`,`select`,`span`,`svg`,`ul`].reduce((e,t)=>{let n=wx(`Primitive.${t}`),r=H.forwardRef((e,r)=>{let{asChild:i,...a}=e,o=i?n:t;return typeof window<`u`&&(window[Symbol.for(`radix-ui`)]=!0),(0,X.jsx)(o,{...a,ref:r})});return r.displayName=`Primitive.${t}`,{...e,[t]:r}},{});function Hx(e,t){e&&z2.flushSync(()=>e.dispatchEvent(t))}Bx(Hx,`dispatchDiscreteCustomEvent`);var Ux=Object.defineProperty,Wx=(e,t)=>Ux(e,`name`,{value:t,configurable:!0}),Gx=Object.freeze({position:`absolute`,border:0,width:1,height:1,padding:0,margin:-1,overflow:`hidden`,clip:`rect(0, 0, 0, 0)`,whiteSpace:`nowrap`,wordWrap:`normal`}),Kx=H.forwardRef(Wx(function(e,t){return(0,X.jsx)(Vx.span,{...e,ref:t,style:{...Gx,...e.style}})},`VisuallyHidden`)),qx=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(8),r;n[0]===e.className?r=n[1]:(r=Fv(`graphiql-dialog-close`,e.className),n[0]=e.className,n[1]=r);let i,a;n[2]===Symbol.for(`react.memo_cache_sentinel`)?(i=(0,X.jsx)(Kx,{children:`Close dialog`}),a=(0,X.jsx)(_y,{}),n[2]=i,n[3]=a):(i=n[2],a=n[3]);let o;return n[4]!==e||n[5]!==t||n[6]!==r?(o=(0,X.jsx)(mx,{asChild:!0,children:(0,X.jsxs)(T8,{...e,ref:t,type:`button`,className:r,children:[i,a]})}),n[4]=e,n[5]=t,n[6]=r,n[7]=o):o=n[7],o});qx.displayName=`Dialog.Close`;var Jx=Object.assign(e=>{let t=(0,y_.c)(9),n,r;t[0]===e?(n=t[1],r=t[2]):({children:n,...r}=e,t[0]=e,t[1]=n,t[2]=r);let i;t[3]===Symbol.for(`react.memo_cache_sentinel`)?(i=(0,X.jsx)(rx,{className:`graphiql-dialog-overlay`}),t[3]=i):i=t[3];let a;t[4]===n?a=t[5]:(a=(0,X.jsxs)(tx,{children:[i,(0,X.jsx)(sx,{className:`graphiql-dialog`,children:n})]}),t[4]=n,t[5]=a);let o;return t[6]!==r||t[7]!==a?(o=(0,X.jsx)(Y8,{...r,children:a}),t[6]=r,t[7]=a,t[8]=o):o=t[8],o},{Close:qx,Title:dx,Trigger:Z8,Description:fx}),Yx=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(15),r,i,a,o;if(n[0]!==t||n[1]!==e){let{children:s,onlyShowFirstChild:c,type:l,...u}=e;r=s,i=u,a=t,o=Fv(`graphiql-markdown-${l}`,c&&`graphiql-markdown-preview`,u.className),n[0]=t,n[1]=e,n[2]=r,n[3]=i,n[4]=a,n[5]=o}else r=n[2],i=n[3],a=n[4],o=n[5];let s;n[6]===r?s=n[7]:(s=__.render(r),n[6]=r,n[7]=s);let c;n[8]===s?c=n[9]:(c={__html:s},n[8]=s,n[9]=c);let l;return n[10]!==i||n[11]!==a||n[12]!==o||n[13]!==c?(l=(0,X.jsx)(`div`,{...i,ref:a,className:o,dangerouslySetInnerHTML:c}),n[10]=i,n[11]=a,n[12]=o,n[13]=c,n[14]=l):l=n[14],l});Yx.displayName=`MarkdownContent`;var Xx=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(6),r;n[0]===e.className?r=n[1]:(r=Fv(`graphiql-spinner`,e.className),n[0]=e.className,n[1]=r);let i;return n[2]!==e||n[3]!==t||n[4]!==r?(i=(0,X.jsx)(`div`,{...e,ref:t,className:r}),n[2]=e,n[3]=t,n[4]=r,n[5]=i):i=n[5],i});Xx.displayName=`Spinner`;var Zx=(0,H.createContext)({});function Qx(e){let t=(0,H.useRef)(null);return t.current===null&&(t.current=e()),t.current}var $x=typeof window<`u`?H.useLayoutEffect:H.useEffect,e5=(0,H.createContext)(null);function t5(e,t){e.indexOf(t)===-1&&e.push(t)}function n5(e,t){let n=e.indexOf(t);n>-1&&e.splice(n,1)}function r5([...e],t,n){let r=t<0?e.length+t:t;if(r>=0&&r<e.length){let r=n<0?e.length+n:n,[i]=e.splice(t,1);e.splice(r,0,i)}return e}var i5=(e,t,n)=>n>t?t:n<e?e:n,a5={},o5=e=>/^-?(?:\d+(?:\.\d+)?|\.\d+)$/u.test(e),s5=e=>typeof e==`object`&&!!e,c5=e=>/^0[^.\s]+$/u.test(e);function l5(e){let t;return()=>(t===void 0&&(t=e()),t)}var u5=e=>e,d5=(...e)=>e.reduce((e,t)=>n=>t(e(n))),f5=(e,t,n)=>{let r=t-e;return r?(n-e)/r:1},p5=class{constructor(){this.subscriptions=[]}add(e){return t5(this.subscriptions,e),()=>this.remove(e)}remove(e){n5(this.subscriptions,e)}notify(e,t,n){let r=this.subscriptions.length;if(r){if(r===1)this.subscriptions[0](e,t,n);else for(let i=0;i<r;i++){let r=this.subscriptions[i];r&&r(e,t,n)}}}getSize(){return this.subscriptions.length}clear(){this.subscriptions.length=0}},m5=e=>e*1e3,h5=e=>e/1e3,g5=(e,t)=>t?1e3/t*e:0,_5=(e,t,n)=>(((1-3*n+3*t)*e+(3*n-6*t))*e+3*t)*e,v5=1e-7,y5=12;function b5(e,t,n,r,i){let a,o,s=0;do o=t+(n-t)/2,a=_5(o,r,i)-e,a>0?n=o:t=o;while(Math.abs(a)>v5&&++s<y5);return o}function x5(e,t,n,r){if(e===t&&n===r)return u5;let i=t=>b5(t,0,1,e,n);return e=>e===0||e===1?e:_5(i(e),t,r)}var S5=e=>t=>t<=.5?e(2*t)/2:(2-e(2*(1-t)))/2,C5=e=>t=>1-e(1-t),w5=x5(.33,1.53,.69,.99),T5=C5(w5),E5=S5(T5),D5=e=>e>=1?1:(e*=2)<1?.5*T5(e):.5*(2-2**(-10*(e-1))),O5=e=>1-Math.sin(Math.acos(e)),k5=C5(O5),A5=S5(O5),j5=x5(.42,0,1,1),M5=x5(0,0,.58,1),N5=x5(.42,0,.58,1),P5=e=>Array.isArray(e)&&typeof e[0]!=`number`,F5=e=>Array.isArray(e)&&typeof e[0]==`number`,I5={linear:u5,easeIn:j5,easeInOut:N5,easeOut:M5,circIn:O5,circInOut:A5,circOut:k5,backIn:T5,backInOut:E5,backOut:w5,anticipate:D5},L5=e=>typeof e==`string`,R5=e=>{if(F5(e)){e.length;let[t,n,r,i]=e;return x5(t,n,r,i)}return L5(e)?(I5[e],`${e}`,I5[e]):e},z5={delta:0,timestamp:0,isProcessing:!1},B5;function V5(){B5=void 0}var H5={now:()=>(B5===void 0&&H5.set(z5.isProcessing||a5.useManualTiming?z5.timestamp:performance.now()),B5),set:e=>{B5=e,queueMicrotask(V5)}},U5=e=>Math.round(e*1e5)/1e5,W5=e=>t=>typeof t==`string`&&t.startsWith(e),G5=W5(`--`),K5=W5(`var(--`),q5=e=>K5(e)?J5.test(e.split(`/*`)[0].trim()):!1,J5=/var\(--(?:[\w-]+\s*|[\w-]+\s*,(?:\s*[^)(\s]|\s*\((?:[^)(]|\([^)(]*\))*\))+\s*)\)$/iu;function Y5(e){return typeof e==`string`&&e.split(`/*`)[0].includes(`var(--`)}var X5={test:e=>typeof e==`number`,parse:parseFloat,transform:e=>e},Z5={...X5,transform:e=>i5(0,1,e)},Q5={...X5,default:1},$5=/-?(?:\d+(?:\.\d+)?|\.\d+)/gu;function e7(e){return e==null}var t7=/^(?:#[\da-f]{3,8}|(?:rgb|hsl)a?\((?:-?[\d.]+%?[,\s]+){2}-?[\d.]+%?\s*(?:[,/]\s*)?(?:\b\d+(?:\.\d+)?|\.\d+)?%?\))$/iu,n7=(e,t)=>n=>!!(typeof n==`string`&&t7.test(n)&&n.startsWith(e)||t&&!e7(n)&&Object.prototype.hasOwnProperty.call(n,t)),r7=(e,t,n)=>r=>{if(typeof r!=`string`)return r;let[i,a,o,s]=r.match($5);return{[e]:parseFloat(i),[t]:parseFloat(a),[n]:parseFloat(o),alpha:s===void 0?1:parseFloat(s)}},i7=e=>i5(0,255,e),a7={...X5,transform:e=>Math.round(i7(e))},o7={test:n7(`rgb`,`red`),parse:r7(`red`,`green`,`blue`),transform:({red:e,green:t,blue:n,alpha:r=1})=>`rgba(`+a7.transform(e)+`, `+a7.transform(t)+`, `+a7.transform(n)+`, `+U5(Z5.transform(r))+`)`};function s7(e){let t=``,n=``,r=``,i=``;return e.length>5?(t=e.substring(1,3),n=e.substring(3,5),r=e.substring(5,7),i=e.substring(7,9)):(t=e.substring(1,2),n=e.substring(2,3),r=e.substring(3,4),i=e.substring(4,5),t+=t,n+=n,r+=r,i+=i),{red:parseInt(t,16),green:parseInt(n,16),blue:parseInt(r,16),alpha:i?parseInt(i,16)/255:1}}var c7={test:n7(`#`),parse:s7,transform:o7.transform},l7=e=>({test:t=>typeof t==`string`&&t.endsWith(e)&&t.split(` `).length===1,parse:parseFloat,transform:t=>`${t}${e}`}),u7=l7(`deg`),d7=l7(`%`),Q=l7(`px`),f7=l7(`vh`),p7=l7(`vw`),m7={...d7,parse:e=>d7.parse(e)/100,transform:e=>d7.transform(e*100)},h7={test:n7(`hsl`,`hue`),parse:r7(`hue`,`saturation`,`lightness`),transform:({hue:e,saturation:t,lightness:n,alpha:r=1})=>`hsla(`+Math.round(e)+`, `+d7.transform(U5(t))+`, `+d7.transform(U5(n))+`, `+U5(Z5.transform(r))+`)`},g7={test:e=>o7.test(e)||c7.test(e)||h7.test(e),parse:e=>o7.test(e)?o7.parse(e):h7.test(e)?h7.parse(e):c7.parse(e),transform:e=>typeof e==`string`?e:e.hasOwnProperty(`red`)?o7.transform(e):h7.transform(e),getAnimatableNone:e=>{let t=g7.parse(e);return t.alpha=0,g7.transform(t)}},_7=/(?:#[\da-f]{3,8}|(?:rgb|hsl)a?\((?:-?[\d.]+%?[,\s]+){2}-?[\d.]+%?\s*(?:[,/]\s*)?(?:\b\d+(?:\.\d+)?|\.\d+)?%?\))/giu,v7=new RegExp($5.source),y7=new RegExp(_7.source,`i`);function b7(e){return isNaN(e)&&typeof e==`string`&&(v7.test(e)||y7.test(e))}var x7=`number`,S7=`color`,C7=`var`,w7=`var(`,T7="${}",E7=/var\s*\(\s*--(?:[\w-]+\s*|[\w-]+\s*,(?:\s*[^)(\s]|\s*\((?:[^)(]|\([^)(]*\))*\))+\s*)\)|#[\da-f]{3,8}|(?:rgb|hsl)a?\((?:-?[\d.]+%?[,\s]+){2}-?[\d.]+%?\s*(?:[,/]\s*)?(?:\b\d+(?:\.\d+)?|\.\d+)?%?\)|-?(?:\d+(?:\.\d+)?|\.\d+)/giu;function D7(e){let t=e.toString();return v7.test(t)||y7.test(t)}function O7(e){let t=e.toString(),n=[],r={color:[],number:[],var:[]},i=[],a=0;return{values:n,split:t.replace(E7,e=>(g7.test(e)?(r.color.push(a),i.push(S7),n.push(g7.parse(e))):e.startsWith(w7)?(r.var.push(a),i.push(C7),n.push(e)):(r.number.push(a),i.push(x7),n.push(parseFloat(e))),++a,T7)).split(T7),indexes:r,types:i}}function k7(e){return O7(e).values}function A7({split:e,types:t}){let n=e.length;return r=>{let i=``;for(let a=0;a<n;a++)if(i+=e[a],r[a]!==void 0){let e=t[a];i+=e===x7?U5(r[a]):e===S7?g7.transform(r[a]):r[a]}return i}}function j7(e){return A7(O7(e))}var M7=e=>typeof e==`number`?0:g7.test(e)?g7.getAnimatableNone(e):e,N7=(e,t)=>typeof e==`number`?t?.trim().endsWith(`/`)?e:0:M7(e);function P7(e){let t=O7(e);return A7(t)(t.values.map((e,n)=>N7(e,t.split[n])))}var F7={test:b7,parse:k7,createTransformer:j7,getAnimatableNone:P7};function I7(e,t,n){return n<0&&(n+=1),n>1&&--n,n<1/6?e+(t-e)*6*n:n<.5?t:n<2/3?e+(t-e)*(2/3-n)*6:e}function L7({hue:e,saturation:t,lightness:n,alpha:r}){e/=360,t/=100,n/=100;let i=0,a=0,o=0;if(!t)i=a=o=n;else{let r=n<.5?n*(1+t):n+t-n*t,s=2*n-r;i=I7(s,r,e+1/3),a=I7(s,r,e),o=I7(s,r,e-1/3)}return{red:Math.round(i*255),green:Math.round(a*255),blue:Math.round(o*255),alpha:r}}function R7(e,t){return n=>n>0?t:e}var z7=(e,t,n)=>e+(t-e)*n,B7=(e,t,n)=>{let r=e*e,i=n*(t*t-r)+r;return i<0?0:Math.sqrt(i)},V7=[c7,o7,h7],H7=e=>V7.find(t=>t.test(e));function U7(e){let t=H7(e);if(!t)return`${e}`,!1;let n=t.parse(e);return t===h7&&(n=L7(n)),n}var W7=(e,t)=>{let n=U7(e),r=U7(t);if(!n||!r)return R7(e,t);let i={...n};return e=>(i.red=B7(n.red,r.red,e),i.green=B7(n.green,r.green,e),i.blue=B7(n.blue,r.blue,e),i.alpha=z7(n.alpha,r.alpha,e),o7.transform(i))},G7=new Set([`none`,`hidden`]);function K7(e,t){return G7.has(e)?n=>n<=0?e:t:n=>n>=1?t:e}function q7(e,t){return n=>z7(e,t,n)}function J7(e){return typeof e==`number`?q7:typeof e==`string`?q5(e)?R7:g7.test(e)?W7:Q7:Array.isArray(e)?Y7:typeof e==`object`?g7.test(e)?W7:X7:R7}function Y7(e,t){let n=[...e],r=n.length,i=e.map((e,n)=>J7(e)(e,t[n]));return e=>{for(let t=0;t<r;t++)n[t]=i[t](e);return n}}function X7(e,t){let n={...e,...t},r={};for(let i in n)e[i]!==void 0&&t[i]!==void 0&&(r[i]=J7(e[i])(e[i],t[i]));return e=>{for(let t in r)n[t]=r[t](e);return n}}function Z7(e,t){let n=[],r={color:0,var:0,number:0};for(let i=0;i<t.values.length;i++){let a=t.types[i],o=e.indexes[a][r[a]],s=e.values[o]??0;n[i]=s,r[a]++}return n}var Q7=(e,t)=>{let n=F7.createTransformer(t),r=O7(e),i=O7(t);return r.indexes.var.length===i.indexes.var.length&&r.indexes.color.length===i.indexes.color.length&&r.indexes.number.length>=i.indexes.number.length?G7.has(e)&&!i.values.length||G7.has(t)&&!r.values.length?K7(e,t):d5(Y7(Z7(r,i),i.values),n):(`${e}${t}`,R7(e,t))},$7=/^(-?(?:\d+(?:\.\d*)?|\.\d+))([a-z%]*)$/iu;function e9(e,t){let n=$7.exec(e);if(!n)return;let r=$7.exec(t);if(!r||n[2]!==r[2])return;let i=n[2],a=parseFloat(n[1]),o=parseFloat(r[1]);return e=>U5(z7(a,o,e))+i}function t9(e,t,n){if(typeof e==`number`&&typeof t==`number`&&typeof n==`number`)return z7(e,t,n);if(typeof e==`string`&&typeof t==`string`){let n=e9(e,t);if(n)return n}return J7(e)(e,t)}var n9=[`setup`,`read`,`resolveKeyframes`,`preUpdate`,`update`,`preRender`,`render`,`postRender`];function r9(e){let t=new Set,n=new Set,r=!1,i=!1,a=new Set,o={delta:0,timestamp:0,isProcessing:!1};function s(t){a.has(t)&&(n.add(t),e()),t(o)}let c={schedule:(e,i=!1,o=!1)=>{let s=o&&r?t:n;return i&&a.add(e),s.add(e),e},cancel:e=>{n.delete(e),a.delete(e)},process:e=>{if(o=e,r){i=!0;return}r=!0;let a=t;t=n,n=a,t.forEach(s),t.clear(),r=!1,i&&(i=!1,c.process(e))}};return c}var i9=40;function a9(e,t,n={delta:0,timestamp:0,isProcessing:!1}){let r=!1,i=!0,a=()=>r=!0,o=n9.reduce((e,t)=>(e[t]=r9(a),e),{}),{setup:s,read:c,resolveKeyframes:l,preUpdate:u,update:d,preRender:f,render:p,postRender:m}=o,h=()=>{let a=a5.useManualTiming,o=a?n.timestamp:performance.now();r=!1,a||(n.delta=i?1e3/60:Math.max(Math.min(o-n.timestamp,i9),1)),n.timestamp=o,n.isProcessing=!0,s.process(n),c.process(n),l.process(n),u.process(n),d.process(n),f.process(n),p.process(n),m.process(n),n.isProcessing=!1,r&&t&&(i=!1,e(h))},g=()=>{r=!0,i=!0,n.isProcessing||e(h)};return{schedule:n9.reduce((e,t)=>{let n=o[t];return e[t]=(e,t=!1,i=!1)=>(r||g(),n.schedule(e,t,i)),e},{}),cancel:e=>{for(let t=0;t<n9.length;t++)o[n9[t]].cancel(e)},state:n,steps:o}}var{schedule:o9,cancel:s9,steps:c9}=a9(typeof requestAnimationFrame<`u`?requestAnimationFrame:u5,!0,z5),l9=e=>{let t=({timestamp:t})=>e(t);return{start:(e=!0)=>o9.update(t,e),stop:()=>s9(t),now:()=>z5.isProcessing?z5.timestamp:H5.now()}},u9=(e,t,n=10)=>{let r=``,i=Math.max(Math.round(t/n),2);for(let t=0;t<i;t++)r+=Math.round(e(t/(i-1))*1e4)/1e4+`, `;return`linear(${r.substring(0,r.length-2)})`},d9=2e4;function f9(e,t=50,n=d9,r){let i=0,a=e.next(i);for(r?.push(a.value);!a.done&&i<n;)i+=t,a=e.next(i),r?.push(a.value);return i>=n?1/0:i}function p9(e,t=100,n){let r=n({...e,keyframes:[0,t]}),i=Math.min(f9(r),d9);return{type:`keyframes`,ease:e=>r.next(i*e).value/t,duration:h5(i)}}var m9={stiffness:100,damping:10,mass:1,duration:800,bounce:.3,visualDuration:.3,restSpeed:{granular:.01,default:2},restDelta:{granular:.005,default:.5},minDuration:.01,maxDuration:10,minDamping:.05},h9=e=>e<0?1/Math.max(1+e,m9.minDamping):Math.max(1-e,m9.minDamping);function g9(e,t){if(!(e>1))return 1;let n=Math.sqrt(e*e-1),r=e-n,i=e+n,a=2*n*Math.exp(-t)*(1+t);return y9(e=>i*Math.exp(-r*e)-r*Math.exp(-i*e)-a,e=>Math.exp(-i*e)-Math.exp(-r*e),t)/t}function _9(e,t){return e*Math.sqrt(1-t*t)}var v9=12;function y9(e,t,n){let r=n;for(let n=1;n<v9;n++)r-=e(r)/t(r);return r}var b9=.001;function x9({duration:e=m9.duration,bounce:t=m9.bounce}){let n,r;m9.maxDuration;let i=h9(t);e=i5(m9.minDuration,m9.maxDuration,h5(e)),i<1?(n=t=>{let n=t*i,r=n*e,a=_9(t,i),o=Math.exp(-r);return b9-n/a*o},r=t=>{let r=t*i*e,a=i*i*t*t*e,o=Math.exp(-r),s=_9(t*t,i);return(-n(t)+b9>0?-1:1)*-a*o/s}):(n=t=>-.001+Math.exp(-t*e)*(t*e+1),r=t=>Math.exp(-t*e)*(-t*(e*e)));let a=5/e,o=y9(n,r,a),s=o*g9(i,o*e),c=s*s;return{stiffness:c,damping:i*2*Math.sqrt(c),duration:m5(e)}}var S9=(e,t)=>(t?e>=0:e>0)&&e<1/0;function C9(e,t){if(S9(e,t))return e}function w9(e){let t=C9(e.stiffness),n=C9(e.damping,!0),r=C9(e.mass),i={...e,stiffness:t??m9.stiffness,damping:n??m9.damping,mass:r??m9.mass,isResolvedFromDuration:!1,isTimeDefined:(t??n??r)===void 0&&(e.duration!==void 0||e.bounce!==void 0)};if(i.isTimeDefined){if(e.visualDuration){let t=h9(e.bounce||0),n=2*Math.PI/(e.visualDuration*1.2)*g9(t,2*Math.PI/1.2);i.stiffness=n*n,i.damping=2*t*Math.sqrt(i.stiffness)}else Object.assign(i,x9(i)),i.isResolvedFromDuration=!0;S9(i.stiffness)&&S9(i.damping,!0)||(i.stiffness=m9.stiffness,i.damping=m9.damping)}return i}function T9(e=m9.visualDuration,t=m9.bounce){let n=typeof e==`object`?e:{visualDuration:e,keyframes:[0,1],bounce:t},r=n.keyframes[0],i=n.keyframes[n.keyframes.length-1],a={done:!1,value:r},{stiffness:o,damping:s,mass:c,duration:l,isResolvedFromDuration:u,isTimeDefined:d}=w9({...n}),f=e=>d?0:-h5(e),p=s/(2*Math.sqrt(o*c)),m=h5(Math.sqrt(o/c)),h=p*m,g={target:i,delta:i-r,velocity:f(n.velocity||0)||0,restSpeed:0,restDelta:0},_=()=>{let e=Math.abs(g.delta)<5;g.restSpeed=n.restSpeed||(e?m9.restSpeed.granular:m9.restSpeed.default),g.restDelta=n.restDelta||(e?m9.restDelta.granular:m9.restDelta.default)};_();let v,y,b;if(p<1){let e=_9(m,p),t={A:0,sinC:0,cosC:0,t:-1,env:0,sin:0,cos:0};b=()=>{t.A=(g.velocity+h*g.delta)/e,t.sinC=h*t.A+g.delta*e,t.cosC=h*g.delta-t.A*e};let n=n=>{n!==t.t&&(t.t=n,t.env=Math.exp(-h*n),t.sin=Math.sin(e*n),t.cos=Math.cos(e*n))};v=e=>(n(e),g.target-t.env*(t.A*t.sin+g.delta*t.cos)),y=e=>(n(e),t.env*(t.sinC*t.sin+t.cosC*t.cos))}else if(p===1){v=e=>g.target-Math.exp(-m*e)*(g.delta+(g.velocity+m*g.delta)*e);let e={C:0};b=()=>{e.C=g.velocity+m*g.delta},y=t=>Math.exp(-m*t)*(m*e.C*t-g.velocity)}else{let e=m*Math.sqrt(p*p-1),t=h-e,n=h+e,r=d?1/0:300/e,i=(e,t)=>Math.exp(t>r?-e*r-h*(t-r):-e*t),a={S:0,F:0};b=()=>{let t=(g.velocity+h*g.delta)/e;a.S=(g.delta+t)/2,a.F=(g.delta-t)/2},v=e=>g.target-a.S*i(t,e)-a.F*i(n,e),y=e=>t*a.S*i(t,e)+n*a.F*i(n,e)}b();let x=u&&l||null,S={calculatedDuration:x,retarget:(e,t)=>{g.target=e[e.length-1],g.delta=g.target-e[0],g.velocity=f(t),n.restSpeed&&n.restDelta||_(),S.calculatedDuration=x,a.done=!1,b()},velocity:e=>m5(y(e)),next:e=>{let t=v(e);if(u)a.done=e>=l;else{let n=m5(y(e));a.done=Math.abs(n)<=g.restSpeed&&Math.abs(g.target-t)<=g.restDelta}return a.value=a.done?g.target:t,a},toString:()=>{let e=Math.min(f9(S),d9),t=u9(t=>S.next(e*t).value,e,30);return e+`ms `+t},toTransition:()=>{}};return S}T9.applyToOptions=e=>{let t=p9(e,100,T9);return e.ease=t.ease,e.duration=m5(t.duration),e.type=`keyframes`,e};function E9({keyframes:e,velocity:t=0,power:n=.8,timeConstant:r=325,bounceDamping:i=10,bounceStiffness:a=500,modifyTarget:o,min:s,max:c,restDelta:l=.5,restSpeed:u}){let d=e[0],f={done:!1,value:d},p=e=>e<s||e>c,m=e=>s===void 0?c:c===void 0||Math.abs(s-e)<Math.abs(c-e)?s:c,h=n*t,g=d+h,_=o===void 0?g:o(g);_!==g&&(h=_-d);let v=e=>-h*Math.exp(-e/r),y=e=>{let t=v(e);f.done=Math.abs(t)<=l,f.value=f.done?_:_+t},b,x,S=e=>{p(f.value)&&(b=e,x=T9({keyframes:[f.value,m(f.value)],velocity:-v(e)/r*1e3,damping:i,stiffness:a,restDelta:l,restSpeed:u}))};return S(0),{calculatedDuration:null,next:e=>{let t=!1;return!x&&b===void 0&&(t=!0,y(e),S(e)),b!==void 0&&e>=b?x.next(e-b):(!t&&y(e),f)}}}function D9(e,t,n){let r=[],i=n||a5.mix||t9,a=e.length-1;for(let n=0;n<a;n++){let a=i(e[n],e[n+1]);t&&(a=d5(Array.isArray(t)?t[n]||u5:t,a)),r.push(a)}return r}function O9(e,t,{clamp:n=!0,ease:r,mixer:i}={}){let a=e.length;if(t.length,a===1)return()=>t[0];if(a===2&&t[0]===t[1])return()=>t[1];let o=e[0]===e[1];e[0]>e[a-1]&&(e=[...e].reverse(),t=[...t].reverse());let s=D9(t,r,i),c=s.length,l=n=>{if(o&&n<e[0])return t[0];let r=0;if(c>1)for(;r<e.length-2&&!(n<e[r+1]);r++);let i=f5(e[r],e[r+1],n);return s[r](i)};return n?t=>l(i5(e[0],e[a-1],t)):l}function k9(e,t){let n=e[e.length-1];for(let r=1;r<=t;r++){let i=f5(0,t,r);e.push(z7(n,1,i))}}function A9(e){let t=[0];return k9(t,e.length-1),t}function j9(e,t){return e.map(e=>e*t)}function M9(e,t){return e.map(()=>t||N5).splice(0,e.length-1)}function N9({duration:e=300,keyframes:t,times:n,ease:r=`easeInOut`}){let i=P5(r)?r.map(R5):R5(r)||N5,a={done:!1,value:t[0]};if(t.length===2&&!Array.isArray(i)&&(!n||n.length!==2||n[0]===0&&n[1]===1)){let[n,r]=t,o=n===r?void 0:(a5.mix||t9)(n,r);return{calculatedDuration:e,next:t=>(a.value=o?o(i(e>0?i5(0,1,t/e):1)):r,a.done=t>=e,a)}}let o=O9(j9(n&&n.length===t.length?n:A9(t),e),t,{ease:Array.isArray(i)?i:M9(t,i)});return{calculatedDuration:e,next:t=>(a.value=o(t),a.done=t>=e,a)}}var P9=5;function F9(e,t,n){let r=Math.max(t-P9,0);return g5(n-e(r),t-r)}function I9(e,t,n=0){return t<=0?n:e.velocity?e.velocity(t):F9(t=>e.next(t).value,t,e.next(t).value)}var L9=e=>e!==null;function R9(e,{repeat:t,repeatType:n=`loop`},r,i=1){let a=e.filter(L9),o=i<0||t&&n!==`loop`&&t%2==1?0:a.length-1;return!o||r===void 0?a[o]:r}var z9={decay:E9,inertia:E9,tween:N9,keyframes:N9,spring:T9};function B9(e){typeof e.type==`string`&&(e.type=z9[e.type])}function V9(e,t){return{kind:e,animation:t,timestamp:H5.now(),frameTimestamp:z5.timestamp,frameIsProcessing:z5.isProcessing}}function H9(e,t,n){let r=globalThis.__MOTION_INSPECT__;if(r)try{r({...V9(`animation-start`,e),options:n?{...t,...n}:t})}catch{}}function U9(e,t){let n=globalThis.__MOTION_INSPECT__;if(n)try{n({...V9(`layout-animation-start`,e),node:t})}catch{}}var W9=class{constructor(){this.isResolved=!1}get finished(){return this._finished||=this.isResolved?Promise.resolve():new Promise(e=>{this._resolve=e}),this._finished}updateFinished(){this._finished=this._resolve=void 0,this.isResolved=!1}notifyFinished(){this.isResolved=!0,this._resolve?.()}then(e,t){return this.finished.then(e,t)}},G9=e=>e/100,K9=class extends W9{constructor(e){super(),this.state=`idle`,this.startTime=null,this.isStopped=!1,this.currentTime=0,this.holdTime=null,this.playbackSpeed=1,this.delayState={done:!1,value:void 0},this.stop=()=>{let{motionValue:e}=this.options;e&&e.updatedAt!==H5.now()&&this.tick(H5.now()),this.isStopped=!0,this.state!==`idle`&&(this.teardown(),this.options.onStop?.())},this.options=e,this.initAnimation(),this.play(),e.autoplay===!1&&this.pause(),H9(this,this.options)}initAnimation(){let{options:e}=this;B9(e);let{type:t=N9,repeat:n=0,repeatDelay:r=0,repeatType:i,velocity:a=0}=e,{keyframes:o}=e,s=t||N9;s!==N9&&typeof o[0]!=`number`&&(this.mixKeyframes=d5(G9,t9(o[0],o[1])),o=[0,100]);let c=s(o===e.keyframes?e:{...e,keyframes:o});i===`mirror`&&(this.mirroredGenerator=s({...e,keyframes:[...o].reverse(),velocity:-a})),c.calculatedDuration===null&&(c.calculatedDuration=f9(c));let{calculatedDuration:l}=c;this.calculatedDuration=l,this.resolvedDuration=l+r,this.totalDuration=this.resolvedDuration*(n+1)-r,this.generator=c}updateTime(e){let t=Math.round(e-this.startTime)*this.playbackSpeed;this.currentTime=this.holdTime===null?t:this.holdTime}tick(e,t=!1){let{generator:n,totalDuration:r,mixKeyframes:i,mirroredGenerator:a,resolvedDuration:o,calculatedDuration:s}=this;if(this.startTime===null)return n.next(0);let{delay:c=0,keyframes:l,repeat:u,repeatType:d,repeatDelay:f,type:p,onUpdate:m,finalKeyframe:h}=this.options;this.speed>0?this.startTime=Math.min(this.startTime,e):this.speed<0&&(this.startTime=Math.min(e-r/this.speed,this.startTime)),t?this.currentTime=e:this.updateTime(e);let g=this.currentTime-c*(this.playbackSpeed>=0?1:-1),_=this.playbackSpeed>=0?g<0:g>r;this.currentTime=Math.max(g,0),this.state===`finished`&&this.holdTime===null&&(this.currentTime=r);let v=this.currentTime,y=n;if(u){let e=Math.min(this.currentTime,r)/o,t=Math.floor(e),n=e%1;!n&&e>=1&&(n=1),n===1&&t--,t=Math.min(t,u+1),t%2&&(d===`reverse`?(n=1-n,f&&(n-=f/o)):d===`mirror`&&(y=a)),v=i5(0,1,n)*o}let b;_?(this.delayState.value=l[0],b=this.delayState):b=y.next(v),i&&!_&&(b.value=i(b.value));let{done:x}=b;!_&&s!==null&&(x=this.playbackSpeed>=0?this.currentTime>=r:this.currentTime<=0);let S=this.holdTime===null&&(this.state===`finished`||this.state===`running`&&x);return S&&p!==E9&&(b.value=R9(l,this.options,h,this.speed)),m&&m(b.value),S&&this.finish(),b}then(e,t){return this.finished.then(e,t)}get duration(){return h5(this.calculatedDuration)}get iterationDuration(){let{delay:e=0}=this.options||{};return this.duration+h5(e)}get time(){return h5(this.currentTime)}set time(e){e=m5(e),this.currentTime=e,this.startTime===null||this.holdTime!==null||this.playbackSpeed===0?this.holdTime=e:this.driver&&(this.startTime=this.driver.now()-e/this.playbackSpeed),this.driver?this.driver.start(!1):(this.startTime=0,this.state=`paused`,this.holdTime=e,this.tick(e))}getGeneratorVelocity(){return I9(this.generator,this.currentTime,this.options.velocity)}get speed(){return this.playbackSpeed}set speed(e){let t=this.playbackSpeed!==e;t&&this.driver&&this.updateTime(H5.now()),this.playbackSpeed=e,t&&this.driver&&(this.time=h5(this.currentTime))}play(){if(this.isStopped)return;let{driver:e=l9,startTime:t}=this.options;this.driver||=e(e=>this.tick(e)),this.options.onPlay?.();let n=this.driver.now();this.state===`finished`?(this.updateFinished(),this.startTime=n):this.holdTime===null?this.startTime||=t??n:this.startTime=n-this.holdTime,this.state===`finished`&&this.speed<0&&(this.startTime+=this.calculatedDuration),this.holdTime=null,this.state=`running`,this.driver.start()}pause(){this.state=`paused`,this.updateTime(H5.now()),this.holdTime=this.currentTime}complete(){this.state!==`running`&&this.play(),this.state=`finished`,this.holdTime=null}finish(){this.notifyFinished(),this.teardown(),this.state=`finished`,this.options.onComplete?.()}cancel(){this.holdTime=null,this.startTime=0,this.tick(0),this.teardown(),this.options.onCancel?.()}teardown(){this.state=`idle`,this.stopDriver(),this.startTime=this.holdTime=null}stopDriver(){this.driver&&=(this.driver.stop(),void 0)}sample(e){return this.startTime=0,this.tick(e,!0)}attachTimeline(e){return this.options.allowFlatten&&(this.options.type=`keyframes`,this.options.ease=`linear`,this.initAnimation()),this.driver?.stop(),e.observe(this)}},q9=new Set([`brightness`,`contrast`,`saturate`,`opacity`]);function J9(e){let[t,n]=e.slice(0,-1).split(`(`);if(t===`drop-shadow`)return e;let[r]=n.match($5)||[];if(!r)return e;let i=n.replace(r,``),a=+!!q9.has(t);return r!==n&&(a*=100),t+`(`+a+i+`)`}var Y9=/\b([a-z-]*)\(.*?\)/gu,X9={...F7,getAnimatableNone:e=>{let t=e.match(Y9);return t?t.map(J9).join(` `):e}},Z9={...F7,getAnimatableNone:e=>{let t=F7.parse(e);return F7.createTransformer(e)(t.map(e=>typeof e==`number`?0:typeof e==`object`?{...e,alpha:1}:e))}},Q9={...X5,transform:Math.round},$9={borderWidth:Q,borderTopWidth:Q,borderRightWidth:Q,borderBottomWidth:Q,borderLeftWidth:Q,borderRadius:Q,borderTopLeftRadius:Q,borderTopRightRadius:Q,borderBottomRightRadius:Q,borderBottomLeftRadius:Q,width:Q,maxWidth:Q,height:Q,maxHeight:Q,top:Q,right:Q,bottom:Q,left:Q,inset:Q,insetBlock:Q,insetBlockStart:Q,insetBlockEnd:Q,insetInline:Q,insetInlineStart:Q,insetInlineEnd:Q,padding:Q,paddingTop:Q,paddingRight:Q,paddingBottom:Q,paddingLeft:Q,paddingBlock:Q,paddingBlockStart:Q,paddingBlockEnd:Q,paddingInline:Q,paddingInlineStart:Q,paddingInlineEnd:Q,margin:Q,marginTop:Q,marginRight:Q,marginBottom:Q,marginLeft:Q,marginBlock:Q,marginBlockStart:Q,marginBlockEnd:Q,marginInline:Q,marginInlineStart:Q,marginInlineEnd:Q,fontSize:Q,backgroundPositionX:Q,backgroundPositionY:Q,rotate:u7,pathRotation:u7,rotateX:u7,rotateY:u7,rotateZ:u7,scale:Q5,scaleX:Q5,scaleY:Q5,scaleZ:Q5,skew:u7,skewX:u7,skewY:u7,distance:Q,translateX:Q,translateY:Q,translateZ:Q,x:Q,y:Q,z:Q,perspective:Q,transformPerspective:Q,opacity:Z5,originX:m7,originY:m7,originZ:Q,zIndex:Q9,fillOpacity:Z5,strokeOpacity:Z5,numOctaves:Q9},eS={...$9,color:g7,backgroundColor:g7,outlineColor:g7,fill:g7,stroke:g7,borderColor:g7,borderTopColor:g7,borderRightColor:g7,borderBottomColor:g7,borderLeftColor:g7,filter:X9,WebkitFilter:X9,mask:Z9,WebkitMask:Z9},tS=e=>eS[e],nS=new Set([X9,Z9]);function rS(e,t){let n=tS(e);return nS.has(n)||(n=F7),n.getAnimatableNone?n.getAnimatableNone(t):void 0}function iS(e){for(let t=1;t<e.length;t++)e[t]??(e[t]=e[t-1])}var aS=e=>e*180/Math.PI,oS=e=>cS(aS(Math.atan2(e[1],e[0]))),sS={x:4,y:5,translateX:4,translateY:5,scaleX:0,scaleY:3,scale:e=>(Math.abs(e[0])+Math.abs(e[3]))/2,rotate:oS,rotateZ:oS,skewX:e=>aS(Math.atan(e[1])),skewY:e=>aS(Math.atan(e[2])),skew:e=>(Math.abs(e[1])+Math.abs(e[2]))/2},cS=e=>(e%=360,e<0&&(e+=360),e),lS=oS,uS=e=>Math.sqrt(e[0]*e[0]+e[1]*e[1]),dS=e=>Math.sqrt(e[4]*e[4]+e[5]*e[5]),fS={x:12,y:13,z:14,translateX:12,translateY:13,translateZ:14,scaleX:uS,scaleY:dS,scale:e=>(uS(e)+dS(e))/2,rotateX:e=>cS(aS(Math.atan2(e[6],e[5]))),rotateY:e=>cS(aS(Math.atan2(-e[2],e[0]))),rotateZ:lS,rotate:lS,skewX:e=>aS(Math.atan(e[4])),skewY:e=>aS(Math.atan(e[1])),skew:e=>(Math.abs(e[1])+Math.abs(e[4]))/2};function pS(e){return+!!e.includes(`scale`)}function mS(e,t){if(!e||e===`none`)return pS(t);let n=e.match(/^matrix3d\(([-\d.e\s,]+)\)$/u),r,i;if(n)r=fS,i=n;else{let t=e.match(/^matrix\(([-\d.e\s,]+)\)$/u);r=sS,i=t}if(!i)return pS(t);let a=r[t],o=i[1].split(`,`).map(gS);return typeof a==`function`?a(o):o[a]}var hS=(e,t)=>{let{transform:n=`none`}=getComputedStyle(e);return mS(n,t)};function gS(e){return parseFloat(e.trim())}var _S=[`transformPerspective`,`x`,`y`,`z`,`translateX`,`translateY`,`translateZ`,`scale`,`scaleX`,`scaleY`,`rotate`,`rotateX`,`rotateY`,`rotateZ`,`skew`,`skewX`,`skewY`],vS=new Set([..._S,`pathRotation`]),yS=e=>e===X5||e===Q,bS=new Set([`x`,`y`,`z`]),xS=_S.filter(e=>!bS.has(e));function SS(e){let t=[];return xS.forEach(n=>{let r=e.getValue(n);if(r!==void 0){let e=r.get(),i=+!!n.startsWith(`scale`);if(e===i)return;t.push([n,e]),r.set(i)}}),t}var CS=new Set([`bottom`,`right`]);function wS(e,t,n,r,i,a){let o=parseFloat(e);if(!isNaN(o))return o;let{min:s,max:c}=t()[n],l=c-s;return a===`border-box`?l:l-parseFloat(r)-parseFloat(i)}var TS={width:({width:e,paddingLeft:t=`0`,paddingRight:n=`0`,boxSizing:r},i)=>wS(e,i,`x`,t,n,r),height:({height:e,paddingTop:t=`0`,paddingBottom:n=`0`,boxSizing:r},i)=>wS(e,i,`y`,t,n,r),top:({top:e})=>parseFloat(e),left:({left:e})=>parseFloat(e),bottom:({top:e},t)=>{let{y:n}=t();return parseFloat(e)+(n.max-n.min)},right:({left:e},t)=>{let{x:n}=t();return parseFloat(e)+(n.max-n.min)},x:({transform:e})=>mS(e,`x`),y:({transform:e})=>mS(e,`y`)};TS.translateX=TS.x,TS.translateY=TS.y;var ES=new Set,DS=!1,OS=!1,kS=!1;function AS(){if(OS){let e=[],t=new Set,n=new Set;ES.forEach(r=>{r.needsMeasurement&&(e.push(r),t.add(r.element),CS.has(r.name)&&n.add(r.element))});let r=new Map;n.forEach(e=>{let t=SS(e);t.length&&(r.set(e,t),e.render())}),e.forEach(e=>e.measureInitialState()),t.forEach(e=>{e.render();let t=r.get(e);t&&t.forEach(([t,n])=>{e.getValue(t)?.set(n)})}),e.forEach(e=>e.measureEndState()),e.forEach(e=>{e.suspendedScrollY!==void 0&&window.scrollTo(0,e.suspendedScrollY)})}OS=!1,DS=!1,ES.forEach(e=>e.complete(kS)),ES.clear()}function jS(){ES.forEach(e=>{e.readKeyframes(),e.needsMeasurement&&(OS=!0)})}function MS(){kS=!0,jS(),AS(),kS=!1}function NS(e,t,n){if(typeof e==`string`){if(o5(e)||c5(e))return parseFloat(e);if(!F7.test(e)&&F7.test(n))return rS(t,n)}return e??void 0}var PS=class{constructor(e,t,n,r,i,a=!1){this.state=`pending`,this.isAsync=!1,this.needsMeasurement=!1,this.unresolvedKeyframes=[...e],this.onComplete=t,this.name=n,this.motionValue=r,this.element=i,this.isAsync=a}scheduleResolve(){this.state=`scheduled`,this.isAsync?(ES.add(this),DS||(DS=!0,o9.read(jS),o9.resolveKeyframes(AS))):(this.readKeyframes(),this.complete())}readKeyframes(){let{unresolvedKeyframes:e,name:t,element:n,motionValue:r}=this;if(e[0]===null){let i=r?.get(),a=e[e.length-1];if(i!==void 0)e[0]=i;else if(n&&t){let r=NS(n.readValue(t,a),t,a);r!==void 0&&(e[0]=r)}e[0]===void 0&&(e[0]=a),r&&i===void 0&&r.set(e[0])}iS(e)}setFinalKeyframe(){}measureInitialState(){}renderEndStyles(){}measureEndState(){}complete(e=!1){this.state=`complete`,this.onComplete(this.unresolvedKeyframes,this.finalKeyframe,e),ES.delete(this)}cancel(){this.state===`scheduled`&&(ES.delete(this),this.state=`pending`)}resume(){this.state===`pending`&&this.scheduleResolve()}},FS=e=>e.startsWith(`--`);function IS(e,t,n){FS(t)?e.style.setProperty(t,n):e.style[t]=n}var LS={};function RS(e,t){let n=l5(e);return()=>LS[t]??n()}var zS=RS(()=>window.ScrollTimeline!==void 0,`scrollTimeline`),BS=RS(()=>{try{document.createElement(`div`).animate({opacity:0},{easing:`linear(0, 1)`})}catch{return!1}return!0},`linearEasing`),VS=([e,t,n,r])=>`cubic-bezier(${e}, ${t}, ${n}, ${r})`,HS={linear:`linear`,ease:`ease`,easeIn:`ease-in`,easeOut:`ease-out`,easeInOut:`ease-in-out`,circIn:VS([0,.65,.55,1]),circOut:VS([.55,0,1,.45]),backIn:VS([.31,.01,.66,-.59]),backOut:VS([.33,1.53,.69,.99])};function US(e,t){if(e)return typeof e==`function`?BS()?u9(e,t):`ease-out`:F5(e)?VS(e):Array.isArray(e)?e.map(e=>US(e,t)||HS.easeOut):HS[e]}function WS(e,t,n,{delay:r=0,duration:i=300,repeat:a=0,repeatType:o=`loop`,ease:s=`easeOut`,times:c}={},l=void 0){let u={[t]:n};c&&(u.offset=c);let d=US(s,i);Array.isArray(d)&&(u.easing=d);let f={delay:r,duration:i,easing:Array.isArray(d)?`linear`:d,fill:`both`,iterations:a+1,direction:o===`reverse`?`alternate`:`normal`};return l&&(f.pseudoElement=l),e.animate(u,f)}function GS(e){return typeof e==`function`&&`applyToOptions`in e}function KS({type:e,...t}){return GS(e)&&BS()?e.applyToOptions(t):(t.duration??=300,t.ease??=`easeOut`,t)}var qS=class extends W9{constructor(e){if(super(),this.finishedTime=null,this.isStopped=!1,this.manualStartTime=null,!e)return;let{element:t,name:n,keyframes:r,pseudoElement:i,allowFlatten:a=!1,finalKeyframe:o,onComplete:s}=e;this.isPseudoElement=!!i,this.allowFlatten=a,this.options=e,e.type;let c=KS(e);this.animation=WS(t,n,r,c,i),c.autoplay===!1&&this.animation.pause(),this.animation.onfinish=()=>{if(this.finishedTime=this.time,!i){let e=R9(r,this.options,o,this.speed);this.updateMotionValue&&this.updateMotionValue(e),IS(t,n,e),this.animation.cancel()}s?.(),this.notifyFinished()},H9(this,e,c)}play(){this.isStopped||(this.manualStartTime=null,this.animation.play(),this.state===`finished`&&this.updateFinished())}pause(){this.animation.pause()}complete(){this.animation.finish?.()}cancel(){try{this.animation.cancel()}catch{}}stop(){if(this.isStopped)return;this.isStopped=!0;let{state:e}=this;e!==`idle`&&e!==`finished`&&(this.updateMotionValue?this.updateMotionValue():this.commitStyles(),this.isPseudoElement||this.cancel())}commitStyles(){let e=this.options?.element;!this.isPseudoElement&&e?.isConnected&&this.animation.commitStyles?.()}get duration(){let e=this.animation.effect?.getComputedTiming?.().duration||0;return h5(Number(e))}get iterationDuration(){let{delay:e=0}=this.options||{};return this.duration+h5(e)}get time(){return h5(Number(this.animation.currentTime)||0)}set time(e){let t=this.finishedTime!==null;this.manualStartTime=null,this.finishedTime=null,this.animation.currentTime=m5(e),t&&this.animation.pause()}get speed(){return this.animation.playbackRate}set speed(e){e<0&&(this.finishedTime=null),this.animation.playbackRate=e}get state(){return this.finishedTime===null?this.animation.playState:`finished`}get startTime(){return this.manualStartTime??Number(this.animation.startTime)}set startTime(e){this.manualStartTime=this.animation.startTime=e}attachTimeline({timeline:e,onAttach:t,observe:n,...r}){return this.allowFlatten&&this.animation.effect?.updateTiming({easing:`linear`}),this.animation.onfinish=null,e&&zS()?(this.animation.timeline=e,Object.assign(this.animation,r),t?.(this.animation),u5):n(this)}},JS={anticipate:D5,backInOut:E5,circInOut:A5};function YS(e){return e in JS}function XS(e){typeof e.ease==`string`&&YS(e.ease)&&(e.ease=JS[e.ease])}var ZS=10,QS=class extends qS{constructor(e){XS(e),B9(e),super(e),e.startTime!==void 0&&e.autoplay!==!1&&(this.startTime=e.startTime),this.options=e}updateMotionValue(e){let{motionValue:t,onUpdate:n,onComplete:r,element:i,...a}=this.options;if(!t)return;if(e!==void 0){t.set(e);return}let o=new K9({...a,autoplay:!1}),s=Math.max(ZS,H5.now()-this.startTime),c=i5(0,ZS,s-ZS),l=o.sample(s).value,{name:u}=this.options;i&&u&&IS(i,u,l),t.setWithVelocity(o.sample(Math.max(0,s-c)).value,l,c),o.stop()}},$S=(e,t)=>t!==`zIndex`&&!!(typeof e==`number`||Array.isArray(e)||typeof e==`string`&&(F7.test(e)||e===`0`)&&!e.startsWith(`url(`));function eC(e){let t=e[0];if(e.length===1)return!0;for(let n=0;n<e.length;n++)if(e[n]!==t)return!0}function tC(e,t,n,r){let i=e[0];if(i===null)return!1;if(t===`display`||t===`visibility`)return!0;let a=e[e.length-1],o=$S(i,t),s=$S(a,t);return!o||!s?(o!==s&&`${t}${i}${a}${o?a:i}`,!1):eC(e)||(n===`spring`||GS(n))&&r}function nC(e){e.duration=0,e.type=`keyframes`}var rC=new Set([`opacity`,`clipPath`,`filter`,`transform`,`backgroundColor`]),iC=/^(?:oklch|oklab|lab|lch|color|color-mix|light-dark)\(/;function aC(e){for(let t=0;t<e.length;t++)if(typeof e[t]==`string`&&iC.test(e[t]))return!0;return!1}var oC=new Set([`color`,`backgroundColor`,`outlineColor`,`fill`,`stroke`,`borderColor`,`borderTopColor`,`borderRightColor`,`borderBottomColor`,`borderLeftColor`]),sC=l5(()=>Object.hasOwnProperty.call(Element.prototype,`animate`));function cC(e){let{motionValue:t,name:n,repeatDelay:r,repeatType:i,damping:a,type:o,keyframes:s}=e;if(!n||!(rC.has(n)||oC.has(n)))return!1;let c=t?.owner?.current;if(!(c instanceof HTMLElement)&&!(c instanceof SVGElement))return!1;let{onUpdate:l,transformTemplate:u}=t.owner.getProps();return sC()&&(rC.has(n)||oC.has(n)&&aC(s))&&(n!==`transform`||!u)&&!l&&!r&&i!==`mirror`&&a!==0&&o!==`inertia`}var lC=40,uC=class extends W9{constructor(e){super(),this.stop=()=>{this._animation&&(this._animation.stop(),this.stopTimeline?.()),this.keyframeResolver?.cancel()},this.createdAt=H5.now();let{keyframes:t,name:n,motionValue:r,element:i}=e,a=e;a.autoplay??=!0,a.delay??=0,a.type??=`keyframes`,a.repeat??=0,a.repeatDelay??=0,a.repeatType??=`loop`;let o=i?.KeyframeResolver||PS;this.keyframeResolver=new o(t,(e,t,n)=>this.onKeyframesResolved(e,t,a,!n),n,r,i),this.keyframeResolver?.scheduleResolve()}onKeyframesResolved(e,t,n,r){this.keyframeResolver=void 0;let{name:i,type:a,velocity:o,delay:s,isHandoff:c,onUpdate:l}=n;this.resolvedAt=H5.now();let u=!0;tC(e,i,a,o)||(u=!1,(a5.instantAnimations||!s)&&l?.(R9(e,n,t)),e[0]=e[e.length-1],nC(n),n.repeat=0);let d=r?this.resolvedAt&&this.resolvedAt-this.createdAt>lC?this.resolvedAt:this.createdAt:void 0,{onComplete:f}=n;n.startTime??=d,n.finalKeyframe=t,n.keyframes=e,n.onComplete=()=>{f?.(),this.notifyFinished()};let p=u&&!c&&cC(n),m;if(p){n.element=n.motionValue?.owner?.current;try{m=new QS(n)}catch{m=new K9(n)}}else m=new K9(n);this.pendingTimeline&&=(this.stopTimeline=m.attachTimeline(this.pendingTimeline),void 0),this._animation=m}get finished(){return this._animation?this._animation.finished:super.finished}then(e,t){return this.finished.finally(e).then(()=>{})}get animation(){return this._animation||(this.keyframeResolver?.resume(),MS()),this._animation}get duration(){return this.animation.duration}get iterationDuration(){return this.animation.iterationDuration}get time(){return this.animation.time}set time(e){this.animation.time=e}get speed(){return this.animation.speed}get state(){return this.animation.state}set speed(e){this.animation.speed=e}get startTime(){return this.animation.startTime}attachTimeline(e){return this._animation?this.stopTimeline=this.animation.attachTimeline(e):this.pendingTimeline=e,()=>this.stop()}play(){this.animation.play()}pause(){this.animation.pause()}complete(){this.animation.complete()}cancel(){this._animation&&this.animation.cancel(),this.keyframeResolver?.cancel()}};function dC(e,t,n,r=0,i=1){let a=Array.from(e).sort((e,t)=>e.sortNodePosition(t)).indexOf(t),o=e.size,s=(o-1)*r;return typeof n==`function`?n(a,o):i===1?a*r:s-a*r}var fC=30,pC=e=>!isNaN(parseFloat(e)),mC={current:void 0},hC=class{constructor(e,t={}){this.canTrackVelocity=null,this.events={},this.updateAndNotify=e=>{let t=H5.now();if(this.updatedAt!==t&&this.setPrevFrameValue(),this.prev=this.current,this.setCurrent(e),this.current!==this.prev&&(this.notifyChange(),this.dependents))for(let e of this.dependents)e.dirty()},this.hasAnimated=!1,this.setCurrent(e),this.owner=t.owner}setCurrent(e){this.current=e,this.updatedAt=H5.now(),this.canTrackVelocity===null&&e!==void 0&&(this.canTrackVelocity=pC(this.current))}setPrevFrameValue(e=this.current){this.prevFrameValue=e,this.prevUpdatedAt=this.updatedAt}onChange(e){return this.on(`change`,e)}on(e,t){var n;return e===`change`?this.onChangeSubscribe(t):((n=this.events)[e]||(n[e]=new p5)).add(t)}onChangeSubscribe(e){let{events:t}=this;return!t.change&&!this.changeSubscriber?this.changeSubscriber=e:(t.change||(t.change=new p5,t.change.add(this.changeSubscriber),this.changeSubscriber=void 0),t.change.add(e)),()=>{this.changeSubscriber===e?this.changeSubscriber=void 0:t.change?.remove(e),this.stopIfUnobserved()}}stopIfUnobserved(){o9.read(()=>{!this.changeSubscriber&&!this.events.change?.getSize()&&this.stop()})}clearListeners(){this.changeSubscriber=void 0;for(let e in this.events)this.events[e].clear()}attach(e,t){this.passiveEffect=e,this.stopPassiveEffect=t}set(e){this.passiveEffect?this.passiveEffect(e,this.updateAndNotify):this.updateAndNotify(e)}setWithVelocity(e,t,n){this.set(t),this.prev=void 0,this.prevFrameValue=e,this.prevUpdatedAt=this.updatedAt-n}jump(e,t=!0){this.updateAndNotify(e),this.prev=e,this.prevUpdatedAt=this.prevFrameValue=void 0,t&&this.stop(),this.stopPassiveEffect&&this.stopPassiveEffect()}dirty(){this.notifyChange()}notifyChange(){let{current:e,changeSubscriber:t}=this;t?t(e):this.events.change?.notify(e)}addDependent(e){this.dependents||=new Set,this.dependents.add(e)}removeDependent(e){this.dependents&&this.dependents.delete(e)}get(){return mC.current&&mC.current.push(this),this.current}getPrevious(){return this.prev}getVelocity(){let e=H5.now();if(!this.canTrackVelocity||this.prevFrameValue===void 0||e-this.updatedAt>fC)return 0;let t=Math.min(this.updatedAt-this.prevUpdatedAt,fC);return g5(parseFloat(this.current)-parseFloat(this.prevFrameValue),t)}start(e){return this.stop(),new Promise(t=>{this.hasAnimated=!0;let n=!1,r;r=e(()=>{n=!0,this.events.animationComplete?.notify(),this.animation===r&&this.clearAnimation(),t()}),n||(this.animation=r),this.events.animationStart?.notify()})}stop(){this.animation&&(this.animation.stop(),this.events.animationCancel&&this.events.animationCancel.notify()),this.clearAnimation()}isAnimating(){return!!this.animation}clearAnimation(){this.animation=void 0}destroy(){this.dependents?.clear(),this.events.destroy?.notify(),this.clearListeners(),this.stop(),this.stopPassiveEffect&&this.stopPassiveEffect()}};function gC(e,t){return new hC(e,t)}function _C(e,t){if(e?.inherit&&t){let{inherit:n,...r}=e;return{...t,...r}}return e}function vC(e,t){let n=e?.[t]??e?.default??e;return n===e?n:_C(n,e)}var yC={type:`spring`,stiffness:500,damping:25,restSpeed:10},bC=e=>({type:`spring`,stiffness:550,damping:e===0?2*Math.sqrt(550):30,restSpeed:10}),xC={type:`keyframes`,duration:.8},SC={type:`keyframes`,ease:[.25,.1,.35,1],duration:.3},CC=(e,{keyframes:t})=>t.length>2?xC:vS.has(e)?e.startsWith(`scale`)?bC(t[1]):yC:SC,wC=new Set([`when`,`delay`,`delayChildren`,`staggerChildren`,`staggerDirection`,`repeat`,`repeatType`,`repeatDelay`,`from`,`elapsed`]);function TC(e){for(let t in e)if(!wC.has(t))return!0;return!1}var EC=(e,t,n,r={},i,a)=>o=>{let s=vC(r,e)||{},c=s.delay||r.delay||0,{elapsed:l=0}=r;l-=m5(c);let u={keyframes:Array.isArray(n)?n:[null,n],ease:`easeOut`,velocity:t.getVelocity(),...s,delay:-l,onUpdate:e=>{t.set(e),s.onUpdate&&s.onUpdate(e)},onComplete:()=>{o(),s.onComplete&&s.onComplete()},name:e,motionValue:t,element:a?void 0:i};TC(s)||Object.assign(u,CC(e,u)),u.duration&&=m5(u.duration),u.repeatDelay&&=m5(u.repeatDelay),u.from!==void 0&&(u.keyframes[0]=u.from);let d=!1;if((u.type===!1||u.duration===0&&!u.repeatDelay)&&(nC(u),u.delay===0&&(d=!0)),(a5.instantAnimations||a5.skipAnimations||i?.shouldSkipAnimations||s.skipAnimations)&&(d=!0,nC(u),u.delay=0),u.allowFlatten=!s.type&&!s.ease,d&&!a&&t.get()!==void 0){let e=R9(u.keyframes,s);if(e!==void 0){o9.update(()=>{u.onUpdate(e),u.onComplete()});return}}return s.isSync?new K9(u):new uC(u)},DC=/^var\(--(?:([\w-]+)|([\w-]+), ?([a-zA-Z\d ()%#.,-]+))\)/u;function OC(e){let t=DC.exec(e);if(!t)return[,];let[,n,r,i]=t;return[`--${n??r}`,i]}function kC(e,t,n=1){`${e}`;let[r,i]=OC(e);if(!r)return;let a=window.getComputedStyle(t).getPropertyValue(r);if(a){let e=a.trim();return o5(e)?parseFloat(e):e}return q5(i)?kC(i,t,n+1):i}function AC(e){let t=[{},{}];return e?.values.forEach((e,n)=>{t[0][n]=e.get(),t[1][n]=e.getVelocity()}),t}function jC(e,t,n,r){let i=t=>typeof t==`function`?t(n===void 0?e.custom:n,...AC(r)):t;return t=i(t),typeof t==`string`&&(t=e.variants&&e.variants[t]),i(t)}function MC(e,t,n){return jC(e.getProps(),t,n,e)}var NC=(e,t)=>t===`exit`?e.presenceContext?.custom:void 0,PC=new Set([`width`,`height`,`top`,`left`,`right`,`bottom`,..._S]),FC=e=>Array.isArray(e);function IC(e,t,n){e.hasValue(t)?e.getValue(t).set(n):e.addValue(t,gC(n))}function LC(e){return FC(e)?e[e.length-1]||0:e}function RC(e,t){let{transitionEnd:n={},transition:r={},...i}=MC(e,t)||{};i={...i,...n};for(let t in i)IC(e,t,LC(i[t]))}var zC=e=>!!(e&&e.getVelocity);function BC(e){return!!(zC(e)&&e.add)}function VC(e,t){let n=e.getValue(`willChange`);if(BC(n))return n.add(t);if(!n&&a5.WillChange){let n=new a5.WillChange(`auto`);e.addValue(`willChange`,n),n.add(t)}}function HC(e){return e.replace(/([A-Z])/g,e=>`-${e.toLowerCase()}`)}var UC=`data-`+HC(`framerAppearId`);function WC(e){return e.props[UC]}var GC=typeof window<`u`;function KC({protectedKeys:e,needsAnimating:t},n){let r=n in e&&!t[n];return t[n]=!1,r}function qC(e,t,{delay:n=0,transitionOverride:r,type:i}={}){let{transition:a,transitionEnd:o,...s}=t,c=e.getDefaultTransition();a=a?_C(a,c):c;let l=a?.reduceMotion,u=a?.skipAnimations;r&&(a=r);let d=[],f=i&&e.animationState?.getState()[i],p=a?.path;p&&p.animateVisualElement(e,s,a,n,d);for(let t in s){let r=e.getValue(t,e.latestValues[t]??null),i=s[t];if(i===void 0||f&&KC(f,t))continue;let o={delay:n,...vC(a||{},t)};u&&(o.skipAnimations=!0);let c=r.get();if(c!==void 0&&!r.isAnimating()&&!Array.isArray(i)&&i===c&&!o.velocity){o9.update(()=>r.set(i));continue}let p=!1;if(GC&&window.MotionHandoffAnimation){let n=WC(e);if(n){let e=window.MotionHandoffAnimation(n,t,o9);e!==null&&(o.startTime=e,p=!0)}}VC(e,t);let m=l??e.shouldReduceMotion;r.start(EC(t,r,i,m&&PC.has(t)?{type:!1}:o,e,p));let h=r.animation;h&&d.push(h)}if(o){let t=()=>o9.update(()=>{o&&RC(e,o)});d.length?Promise.all(d).then(t):t()}return d}function JC(e,t,n={}){let r=MC(e,t,NC(e,n.type)),i=n.transitionOverride||(r?.transition??(e.getDefaultTransition()||{})),a=()=>Promise.all(r?qC(e,r,n):[]),o=(r=0)=>{let{variantChildren:a}=e,{delayChildren:o=0,staggerChildren:s,staggerDirection:c}=i,l=[];return a?.forEach(e=>{e.notify(`AnimationStart`,t),l.push(JC(e,t,{...n,delay:r+(typeof o==`function`?0:o)+dC(a,e,o,s,c)}).then(()=>e.notify(`AnimationComplete`,t)))}),Promise.all(l)},{when:s}=i;return s?s===`beforeChildren`?a().then(()=>o()):o().then(a):Promise.all([a(),o(n.delay)])}function YC(e,t,n={}){return e.notify(`AnimationStart`,t),(Array.isArray(t)?Promise.all(t.map(t=>JC(e,t,n))):typeof t==`string`?JC(e,t,n):Promise.all(qC(e,MC(e,t,n.custom),n))).then(()=>{e.notify(`AnimationComplete`,t)})}var XC={test:e=>e===`auto`,parse:e=>e},ZC=e=>t=>t.test(e),QC=[X5,Q,d7,u7,p7,f7,XC],$C=e=>QC.find(ZC(e));function ew(e){return typeof e==`number`?e===0:e===null||e===`none`||e===`0`||c5(e)}var tw=new Set([`auto`,`none`,`0`]);function nw(e,t,n){let r=0,i;for(;r<e.length&&!i;){let t=e[r];typeof t==`string`&&!tw.has(t)&&D7(t)&&(i=e[r]),r++}if(i&&n)for(let r of t)e[r]!==i&&(e[r]=rS(n,i))}var rw=class extends PS{constructor(e,t,n,r,i){super(e,t,n,r,i,!0)}readKeyframes(){let{unresolvedKeyframes:e,element:t,name:n}=this;if(!t||!t.current)return;super.readKeyframes();for(let n=0;n<e.length;n++){let r=e[n];if(typeof r==`string`&&(r=r.trim(),q5(r))){let i=kC(r,t.current);i!==void 0&&(e[n]=i),n===e.length-1&&(this.finalKeyframe=r)}}if(this.resolveNoneKeyframes(),!PC.has(n)||e.length!==2)return;let[r,i]=e;if(typeof r==`number`&&typeof i==`number`)return;let a=$C(r),o=$C(i);if(Y5(r)!==Y5(i)&&TS[n])this.needsMeasurement=!0;else if(a!==o){if(yS(a)&&yS(o))for(let t=0;t<e.length;t++){let n=e[t];typeof n==`string`&&(e[t]=parseFloat(n))}else TS[n]&&(this.needsMeasurement=!0)}}resolveNoneKeyframes(){let{unresolvedKeyframes:e,name:t}=this,n=[];for(let t=0;t<e.length;t++)(e[t]===null||ew(e[t]))&&n.push(t);n.length&&nw(e,n,t)}measure(){let{element:e,name:t}=this;return TS[t](window.getComputedStyle(e.current),()=>e.measureViewportBox())}measureInitialState(){let{element:e,unresolvedKeyframes:t,name:n}=this;if(!e||!e.current)return;n===`height`&&(this.suspendedScrollY=window.pageYOffset),this.measuredOrigin=this.measure(),t[0]=this.measuredOrigin;let r=t[t.length-1];r!==void 0&&this.motionValue?.jump(r,!1)}measureEndState(){let{element:e,unresolvedKeyframes:t}=this;if(!e||!e.current)return;this.motionValue?.jump(this.measuredOrigin,!1);let n=t.length-1,r=t[n];t[n]=this.measure(),r!==null&&this.finalKeyframe===void 0&&(this.finalKeyframe=r),this.removedTransforms?.length&&this.removedTransforms.forEach(([t,n])=>{e.getValue(t).set(n)}),this.resolveNoneKeyframes()}},iw=[`borderTopLeftRadius`,`borderTopRightRadius`,`borderBottomRightRadius`,`borderBottomLeftRadius`];function aw(e){return s5(e)&&`offsetHeight`in e&&!(`ownerSVGElement`in e)}function ow(e){return s5(e)&&`ownerSVGElement`in e}var sw=(e,t)=>t&&typeof e==`number`?t.transform(e):e;function cw(e,t,n){if(e==null)return[];if(e instanceof EventTarget)return[e];if(typeof e==`string`){let r=document;t&&(r=t.current);let i=n?.[e]??r.querySelectorAll(e);return i?Array.from(i):[]}return Array.from(e).filter(e=>e!=null)}var lw={x:`translateX`,y:`translateY`,z:`translateZ`,transformPerspective:`perspective`},uw=_S.length;function dw(e,t,n){let r=``,i=!0;for(let a=0;a<uw;a++){let o=_S[a],s=e[o];if(s===void 0)continue;let c=!0;if(typeof s==`number`)c=s===+!!o.startsWith(`scale`);else{let e=parseFloat(s);c=o.startsWith(`scale`)?e===1:e===0}if(!c||n){let e=sw(s,$9[o]);if(!c){i=!1;let t=lw[o]||o;r+=`${t}(${e}) `}n&&(t[o]=e)}}let a=e.pathRotation;return a&&(i=!1,r+=`rotate(${sw(a,$9.pathRotation)}) `),r=r.trim(),n?r=n(t,i?``:r):i&&(r=`none`),r}function fw(e,t,n){let{style:r,vars:i,transformOrigin:a}=e,o=!1,s=!1;for(let e in t){let n=t[e];if(vS.has(e))o=!0;else if(G5(e))i[e]=n;else{let t=sw(n,$9[e]);e.startsWith(`origin`)?(s=!0,a[e]=t):r[e]=t}}if(t.transform||(o||n?r.transform=dw(t,e.transform,n):r.transform&&=`none`),s){let{originX:e=`50%`,originY:t=`50%`,originZ:n=0}=a;r.transformOrigin=`${e} ${t} ${n}`}}var pw={offset:`stroke-dashoffset`,array:`stroke-dasharray`},mw={offset:`strokeDashoffset`,array:`strokeDasharray`};function hw(e,t,n=1,r=0,i=!0){e.pathLength=1;let a=i?pw:mw;e[a.offset]=`${-r}`,e[a.array]=`${t} ${n}`}var gw=[`transform`,`opacity`,`offsetDistance`,`offsetPath`,`offsetRotate`,`offsetAnchor`];function _w(e,{attrX:t,attrY:n,attrScale:r,pathLength:i,pathSpacing:a=1,pathOffset:o=0,...s},c,l,u){if(fw(e,s,l),c){e.style.viewBox&&(e.attrs.viewBox=e.style.viewBox);return}e.attrs=e.style,e.style={};let{attrs:d,style:f}=e;for(let e of gw)d[e]!==void 0&&(f[e]=d[e],delete d[e]);(f.transform||d.transformOrigin)&&(f.transformOrigin=d.transformOrigin??`50% 50%`,delete d.transformOrigin),f.transform&&(f.transformBox=u?.transformBox??`fill-box`,delete d.transformBox),t!==void 0&&(d.x=t),n!==void 0&&(d.y=n),r!==void 0&&(d.scale=r),i!==void 0&&hw(d,i,a,o,!1)}function vw({top:e,left:t,right:n,bottom:r}){return{x:{min:t,max:n},y:{min:e,max:r}}}function yw({x:e,y:t}){return{top:t.min,right:e.max,bottom:t.max,left:e.min}}function bw(e,t){if(!t)return e;let n=t({x:e.left,y:e.top}),r=t({x:e.right,y:e.bottom});return{top:n.y,left:n.x,bottom:r.y,right:r.x}}function xw(e){return e===void 0||e===1}function Sw({scale:e,scaleX:t,scaleY:n}){return!xw(e)||!xw(t)||!xw(n)}function Cw(e){return Sw(e)||ww(e)||e.z||e.rotate||e.rotateX||e.rotateY||e.skewX||e.skewY}function ww(e){return Tw(e.x)||Tw(e.y)}function Tw(e){return e&&e!==`0%`}function Ew(e,t,n){return n+t*(e-n)}function Dw(e,t,n,r,i){return i!==void 0&&(e=Ew(e,i,r)),Ew(e,n,r)+t}function Ow(e,t=0,n=1,r,i){e.min=Dw(e.min,t,n,r,i),e.max=Dw(e.max,t,n,r,i)}function kw(e,{x:t,y:n}){Ow(e.x,t.translate,t.scale,t.originPoint),Ow(e.y,n.translate,n.scale,n.originPoint)}var Aw=.999999999999,jw=1.0000000000001;function Mw(e,t,n,r=!1){let i=n.length;if(!i)return;t.x=t.y=1;let a,o;for(let s=0;s<i;s++){a=n[s],o=a.projectionDelta;let{visualElement:i}=a.options;i&&i.props.style&&i.props.style.display===`contents`||(r&&a.options.layoutScroll&&a.scroll&&a!==a.root&&(Nw(e.x,-a.scroll.offset.x),Nw(e.y,-a.scroll.offset.y)),o&&(t.x*=o.x.scale,t.y*=o.y.scale,kw(e,o)),r&&Cw(a.latestValues)&&Iw(e,a.latestValues,a.layout?.layoutBox))}t.x<jw&&t.x>Aw&&(t.x=1),t.y<jw&&t.y>Aw&&(t.y=1)}function Nw(e,t){e.min+=t,e.max+=t}function Pw(e,t,n,r,i=.5){Ow(e,t,n,z7(e.min,e.max,i),r)}function Fw(e,t){return typeof e==`string`?parseFloat(e)/100*(t.max-t.min):e}function Iw(e,t,n){let r=n??e;Pw(e.x,Fw(t.x,r.x),t.scaleX,t.scale,t.originX),Pw(e.y,Fw(t.y,r.y),t.scaleY,t.scale,t.originY)}function Lw(e,t){return vw(bw(e.getBoundingClientRect(),t))}function Rw(e,t,n){let r=Lw(e,n),{scroll:i}=t;return i&&(Nw(r.x,i.offset.x),Nw(r.y,i.offset.y)),r}var{schedule:zw,cancel:Bw}=a9(queueMicrotask,!1),Vw={x:!1,y:!1};function Hw(){return Vw.x||Vw.y}function Uw(e){return e===`x`||e===`y`?Vw[e]?null:(Vw[e]=!0,()=>{Vw[e]=!1}):Vw.x||Vw.y?null:(Vw.x=Vw.y=!0,()=>{Vw.x=Vw.y=!1})}function Ww(e,t){let n=cw(e),r=new AbortController;return[n,{passive:!0,...t,signal:r.signal},()=>r.abort()]}function Gw(e){return!(e.pointerType===`touch`||Hw())}function Kw(e,t,n={}){let[r,i,a]=Ww(e,n);return r.forEach(e=>{let n=!1,r=!1,a,o=()=>{e.removeEventListener(`pointerleave`,u)},s=e=>{a&&=(a(e),void 0),o()},c=e=>{n=!1,window.removeEventListener(`pointerup`,c),window.removeEventListener(`pointercancel`,c),r&&(r=!1,s(e))},l=()=>{n=!0,window.addEventListener(`pointerup`,c,i),window.addEventListener(`pointercancel`,c,i)},u=e=>{e.pointerType!==`touch`&&(n?r=!0:s(e))};e.addEventListener(`pointerenter`,n=>{if(!Gw(n))return;r=!1;let o=t(e,n);typeof o==`function`&&(a=o,e.addEventListener(`pointerleave`,u,i))},i),e.addEventListener(`pointerdown`,l,i)}),a}var qw=(e,t)=>t?e===t||qw(e,t.parentElement):!1,Jw=e=>e.pointerType===`mouse`?typeof e.button!=`number`||e.button<=0:e.isPrimary!==!1,Yw=new Set([`BUTTON`,`INPUT`,`SELECT`,`TEXTAREA`,`A`]);function Xw(e){return Yw.has(e.tagName)||e.isContentEditable===!0}var Zw=new Set([`INPUT`,`SELECT`,`TEXTAREA`]);function Qw(e){return Zw.has(e.tagName)||e.isContentEditable===!0}var $w=new WeakSet;function eT(e){return t=>{t.key===`Enter`&&e(t)}}function tT(e,t){e.dispatchEvent(new PointerEvent(`pointer`+t,{isPrimary:!0,bubbles:!0}))}var nT=(e,t)=>{let n=e.currentTarget;if(!n)return;let r=eT(()=>{if($w.has(n))return;tT(n,`down`);let e=eT(()=>{tT(n,`up`)});n.addEventListener(`keyup`,e,t),n.addEventListener(`blur`,()=>tT(n,`cancel`),t)});n.addEventListener(`keydown`,r,t),n.addEventListener(`blur`,()=>n.removeEventListener(`keydown`,r),t)};function rT(e){return Jw(e)&&!Hw()}var iT=new WeakSet;function aT(e,t,n={}){let[r,i,a]=Ww(e,n),o=e=>{let r=e.currentTarget;if(!rT(e)||iT.has(e))return;$w.add(r),n.stopPropagation&&iT.add(e);let a=t(r,e),o={...i,capture:!0},s=(e,t)=>{window.removeEventListener(`pointerup`,c,o),window.removeEventListener(`pointercancel`,l,o),$w.has(r)&&$w.delete(r),rT(e)&&typeof a==`function`&&a(e,{success:t})},c=e=>{s(e,r===window||r===document||n.useGlobalTarget||qw(r,e.target))},l=e=>{s(e,!1)};window.addEventListener(`pointerup`,c,o),window.addEventListener(`pointercancel`,l,o)};return r.forEach(e=>{(n.useGlobalTarget?window:e).addEventListener(`pointerdown`,o,i),aw(e)&&(e.addEventListener(`focus`,e=>nT(e,i)),!Xw(e)&&!e.hasAttribute(`tabindex`)&&(e.tabIndex=0))}),a}var oT=new WeakMap,sT,cT=(e,t,n)=>(r,i)=>i&&i[0]?i[0][e+`Size`]:ow(r)&&`getBBox`in r?r.getBBox()[t]:r[n],lT=cT(`inline`,`width`,`offsetWidth`),uT=cT(`block`,`height`,`offsetHeight`);function dT({target:e,borderBoxSize:t}){oT.get(e)?.forEach(n=>{n(e,{get width(){return lT(e,t)},get height(){return uT(e,t)}})})}function fT(e){e.forEach(dT)}function pT(){typeof ResizeObserver<`u`&&(sT=new ResizeObserver(fT))}function mT(e,t){sT||pT();let n=cw(e);return n.forEach(e=>{let n=oT.get(e);n||(n=new Set,oT.set(e,n)),n.add(t),sT?.observe(e)}),()=>{n.forEach(e=>{let n=oT.get(e);n?.delete(t),n?.size||sT?.unobserve(e)})}}var hT=new Set,gT;function _T(){gT=()=>{let e={get width(){return window.innerWidth},get height(){return window.innerHeight}};hT.forEach(t=>t(e))},window.addEventListener(`resize`,gT)}function vT(e){return hT.add(e),gT||_T(),()=>{hT.delete(e),!hT.size&&typeof gT==`function`&&(window.removeEventListener(`resize`,gT),gT=void 0)}}function yT(e,t){return typeof e==`function`?vT(e):mT(e,t)}var bT={value:null,addProjectionMetrics:null};function xT(e){return ow(e)&&e.tagName===`svg`}function ST(...e){let t=!Array.isArray(e[0]),n=t?0:-1,r=e[0+n],i=O9(e[1+n],e[2+n],e[3+n]);return t?i(r):i}var CT=e=>typeof e==`number`?e:parseFloat(e),wT=()=>({translate:0,scale:1,origin:0,originPoint:0}),TT=()=>({x:wT(),y:wT()}),ET=()=>({min:0,max:0}),DT=()=>({x:ET(),y:ET()}),OT=new WeakMap;function kT(e){return typeof e==`object`&&!!e&&typeof e.start==`function`}function AT(e){return typeof e==`string`||Array.isArray(e)}var jT=[`animate`,`whileInView`,`whileFocus`,`whileHover`,`whileTap`,`whileDrag`,`exit`],MT=[`initial`,...jT];function NT(e){if(kT(e.animate))return!0;for(let t=0;t<MT.length;t++)if(AT(e[MT[t]]))return!0;return!1}function PT(e){return!!(NT(e)||e.variants)}function FT(e,t,n){for(let r in t){let i=t[r],a=n[r];if(zC(i))e.addValue(r,i);else if(zC(a))e.addValue(r,gC(i,{owner:e}));else if(a!==i){if(e.hasValue(r)){let t=e.getValue(r);t.liveStyle===!0?t.jump(i):t.hasAnimated||t.set(i)}else{let t=e.getStaticValue(r);e.addValue(r,gC(t===void 0?i:t,{owner:e}))}}}for(let r in n)t[r]===void 0&&e.removeValue(r);return t}var IT={current:null},LT={current:!1},RT=typeof window<`u`;function zT(){if(LT.current=!0,RT){if(window.matchMedia){let e=window.matchMedia(`(prefers-reduced-motion)`),t=()=>IT.current=e.matches;e.addEventListener(`change`,t),t()}else IT.current=!1}}var BT=[`AnimationStart`,`AnimationComplete`,`Update`,`BeforeLayoutMeasure`,`LayoutMeasure`,`LayoutAnimationStart`,`LayoutAnimationComplete`],VT={};function HT(e){VT=e}function UT(){return VT}var WT=class{scrapeMotionValuesFromProps(e,t,n){return{}}constructor({parent:e,props:t,presenceContext:n,reducedMotionConfig:r,skipAnimations:i,blockInitialAnimation:a,visualState:o},s={}){this.current=null,this.children=new Set,this.isVariantNode=!1,this.isControllingVariants=!1,this.shouldReduceMotion=null,this.shouldSkipAnimations=!1,this.values=new Map,this.KeyframeResolver=PS,this.features={},this.valueSubscriptions=new Map,this.prevMotionValues={},this.hasBeenMounted=!1,this.events={},this.propEventSubscriptions={},this.notifyUpdate=()=>this.notify(`Update`,this.latestValues),this.render=()=>{this.current&&(this.triggerBuild(),this.renderInstance(this.current,this.renderState,this.props.style,this.projection))},this.renderScheduledAt=0,this.scheduleRender=()=>{let e=H5.now();this.renderScheduledAt<e&&(this.renderScheduledAt=e,o9.render(this.render,!1,!0))};let{latestValues:c,renderState:l}=o;this.latestValues=c,this.baseTarget={...c},this.initialValues=t.initial?{...c}:{},this.renderState=l,this.parent=e,this.props=t,this.presenceContext=n,this.depth=e?e.depth+1:0,this.reducedMotionConfig=r,this.skipAnimationsConfig=i,this.options=s,this.blockInitialAnimation=!!a,this.isControllingVariants=NT(t),this.isVariantNode=PT(t),this.isVariantNode&&(this.variantChildren=new Set),this.manuallyAnimateOnMount=!!(e&&e.current);let{willChange:u,...d}=this.scrapeMotionValuesFromProps(t,{},this);for(let e in d){let t=d[e];c[e]!==void 0&&zC(t)&&t.set(c[e])}}mount(e){if(this.hasBeenMounted)for(let e in this.initialValues)this.values.get(e)?.jump(this.initialValues[e]),this.latestValues[e]=this.initialValues[e];if(this.current=e,OT.set(e,this),this.projection&&!this.projection.instance&&this.projection.mount(e),this.isVariantNode&&!this.isControllingVariants){let e=this;do e=e.props.inherit!==!1&&e.parent;while(e&&!e.isVariantNode);if(e){let{variantChildren:t}=e;t.add(this),this.removeFromVariantTree=()=>t.delete(this)}}this.values.forEach((e,t)=>this.bindToMotionValue(t,e)),this.reducedMotionConfig===`never`?this.shouldReduceMotion=!1:this.reducedMotionConfig===`always`?this.shouldReduceMotion=!0:(LT.current||zT(),this.shouldReduceMotion=IT.current),this.shouldSkipAnimations=this.skipAnimationsConfig??!1,this.parent?.addChild(this),this.update(this.props,this.presenceContext),this.hasBeenMounted=!0}unmount(){this.projection&&this.projection.unmount(),s9(this.notifyUpdate),s9(this.render),this.valueSubscriptions.forEach(e=>e()),this.valueSubscriptions.clear(),this.removeFromVariantTree&&this.removeFromVariantTree(),this.parent?.removeChild(this);for(let e in this.events)this.events[e].clear();for(let e in this.features){let t=this.features[e];t&&(t.unmount(),t.isMounted=!1)}this.current=null}addChild(e){this.children.add(e),this.enteringChildren??=new Set,this.enteringChildren.add(e)}removeChild(e){this.children.delete(e),this.enteringChildren&&this.enteringChildren.delete(e)}bindToMotionValue(e,t){if(this.valueSubscriptions.has(e)&&this.valueSubscriptions.get(e)(),t.accelerate&&rC.has(e)&&this.current instanceof HTMLElement){let{factory:n,keyframes:r,times:i,ease:a,duration:o}=t.accelerate,s=new qS({element:this.current,name:e,keyframes:r,times:i,ease:a,duration:m5(o)}),c=n(s);this.valueSubscriptions.set(e,()=>{c(),s.cancel()});return}let n=vS.has(e);n&&this.onBindTransform&&this.onBindTransform();let r=t.on(`change`,t=>{this.latestValues[e]=t,this.props.onUpdate&&o9.preRender(this.notifyUpdate),n&&this.projection&&(this.projection.isTransformDirty=!0),this.scheduleRender()}),i;typeof window<`u`&&window.MotionCheckAppearSync&&(i=window.MotionCheckAppearSync(this,e,t)),this.valueSubscriptions.set(e,()=>{r(),i&&i()})}sortNodePosition(e){return!this.current||!e.current||!this.sortInstanceNodePosition||this.type!==e.type?0:this.sortInstanceNodePosition(this.current,e.current)}updateFeatures(){let e=`animation`;for(e in VT){let t=VT[e];if(!t)continue;let{isEnabled:n,Feature:r}=t;if(!this.features[e]&&r&&n(this.props)&&(this.features[e]=new r(this)),this.features[e]){let t=this.features[e];t.isMounted?t.update():(t.mount(),t.isMounted=!0)}}}triggerBuild(){this.build(this.renderState,this.latestValues,this.props)}measureViewportBox(){return this.current?this.measureInstanceViewportBox(this.current,this.props):DT()}getStaticValue(e){return this.latestValues[e]}setStaticValue(e,t){this.latestValues[e]=t}update(e,t){(e.transformTemplate||this.props.transformTemplate)&&this.scheduleRender(),this.prevProps=this.props,this.props=e,this.prevPresenceContext=this.presenceContext,this.presenceContext=t;for(let t=0;t<BT.length;t++){let n=BT[t];this.propEventSubscriptions[n]&&(this.propEventSubscriptions[n](),delete this.propEventSubscriptions[n]);let r=e[`on`+n];r&&(this.propEventSubscriptions[n]=this.on(n,r))}this.prevMotionValues=FT(this,this.scrapeMotionValuesFromProps(e,this.prevProps||{},this),this.prevMotionValues),this.handleChildMotionValue&&this.handleChildMotionValue()}getProps(){return this.props}getVariant(e){return this.props.variants?this.props.variants[e]:void 0}getDefaultTransition(){return this.props.transition}getTransformPagePoint(){return this.props.transformPagePoint}addValue(e,t){let n=this.values.get(e);if(t!==n){n&&this.removeValue(e),this.bindToMotionValue(e,t),this.values.set(e,t);let r=t.get();r!==void 0&&(this.latestValues[e]=r)}}removeValue(e){this.values.delete(e);let t=this.valueSubscriptions.get(e);t&&(t(),this.valueSubscriptions.delete(e)),delete this.latestValues[e],this.removeValueFromRenderState(e,this.renderState)}hasValue(e){return this.values.has(e)}getValue(e,t){if(this.props.values&&this.props.values[e])return this.props.values[e];let n=this.values.get(e);return n===void 0&&t!==void 0&&(n=gC(t??this.getDefaultValue?.(e),{owner:this}),this.addValue(e,n)),n}readValue(e,t){let n=this.latestValues[e]!==void 0||!this.current?this.latestValues[e]:this.getBaseTargetFromProps(this.props,e)??this.readValueFromInstance(this.current,e,this.options);return n!=null&&(typeof n==`string`&&(o5(n)||c5(n))?n=parseFloat(n):typeof n!=`number`&&!F7.test(n)&&F7.test(t)&&(n=rS(e,t)),this.setBaseTarget(e,zC(n)?n.get():n)),zC(n)?n.get():n}setBaseTarget(e,t){this.baseTarget[e]=t}on(e,t){return this.events[e]||(this.events[e]=new p5),this.events[e].add(t)}notify(e,...t){this.events[e]&&this.events[e].notify(...t)}scheduleRenderMicrotask(){zw.render(this.render)}},GT=class extends WT{constructor(){super(...arguments),this.KeyframeResolver=rw}sortInstanceNodePosition(e,t){return e.compareDocumentPosition(t)&2?1:-1}getBaseTargetFromProps(e,t){let n=e.style;return n?n[t]:void 0}removeValueFromRenderState(e,{vars:t,style:n}){delete t[e],delete n[e]}handleChildMotionValue(){this.childSubscription&&(this.childSubscription(),delete this.childSubscription);let{children:e}=this.props;zC(e)&&(this.childSubscription=e.on(`change`,e=>{this.current&&(this.current.textContent=`${e}`)}))}},KT=class{constructor(e){this.isMounted=!1,this.node=e}update(){}};function qT(e,{style:t,vars:n},r,i){let a=e.style,o;for(o in t)a[o]=t[o];for(o in i?.applyProjectionStyles(a,r),n)a.setProperty(o,n[o])}var JT={};function YT(e,{layout:t,layoutId:n}){return vS.has(e)||e.startsWith(`origin`)||(t||n!==void 0)&&(!!JT[e]||e===`opacity`)}function XT(e,t,n){let r=e.style,i=t?.style,a={};if(!r)return a;for(let t in r)(zC(r[t])||i&&zC(i[t])||YT(t,e)||n?.getValue(t)?.liveStyle!==void 0)&&(a[t]=r[t]);return a}function ZT(e){return window.getComputedStyle(e)}var QT=class extends GT{constructor(){super(...arguments),this.type=`html`,this.renderInstance=qT}mount(e){e.style,super.mount(e)}readValueFromInstance(e,t){if(vS.has(t))return this.projection?.isProjecting?pS(t):hS(e,t);{let n=ZT(e),r=(G5(t)?n.getPropertyValue(t):n[t])||0;return typeof r==`string`?r.trim():r}}measureInstanceViewportBox(e,{transformPagePoint:t}){return Lw(e,t)}build(e,t,n){fw(e,t,n.transformTemplate)}scrapeMotionValuesFromProps(e,t,n){return XT(e,t,n)}},$T=new Set([`baseFrequency`,`diffuseConstant`,`kernelMatrix`,`kernelUnitLength`,`keySplines`,`keyTimes`,`limitingConeAngle`,`markerHeight`,`markerWidth`,`numOctaves`,`targetX`,`targetY`,`surfaceScale`,`specularConstant`,`specularExponent`,`stdDeviation`,`tableValues`,`viewBox`,`gradientTransform`,`pathLength`,`startOffset`,`textLength`,`lengthAdjust`]),eE=e=>typeof e==`string`&&e.toLowerCase()===`svg`;function tE(e,t,n,r){qT(e,t,void 0,r);for(let n in t.attrs)e.setAttribute($T.has(n)?n:HC(n),t.attrs[n])}function nE(e,t,n){let r=XT(e,t,n);for(let n in e)if(zC(e[n])||zC(t[n])){let t=_S.indexOf(n)===-1?n:`attr`+n.charAt(0).toUpperCase()+n.substring(1);r[t]=e[n]}return r}var rE=class extends GT{constructor(){super(...arguments),this.type=`svg`,this.isSVGTag=!1,this.measureInstanceViewportBox=DT}getBaseTargetFromProps(e,t){return vS.has(t)?super.getBaseTargetFromProps(e,t)??pS(t):e[t]}getDefaultValue(e){return vS.has(e)?this.latestValues[e]??pS(e):void 0}readValueFromInstance(e,t){if(vS.has(t)){let e=tS(t);return e&&e.default||0}if(gw.includes(t)){let n=getComputedStyle(e)[t];if(typeof n==`string`&&n)return n.trim()}return t=$T.has(t)?t:HC(t),e.getAttribute(t)}scrapeMotionValuesFromProps(e,t,n){return nE(e,t,n)}build(e,t,n){_w(e,t,this.isSVGTag,n.transformTemplate,n.style)}renderInstance(e,t,n,r){tE(e,t,n,r)}mount(e){this.isSVGTag=eE(e.tagName),super.mount(e)}};function iE(e,t){if(!Array.isArray(t))return!1;let n=t.length;if(n!==e.length)return!1;for(let r=0;r<n;r++)if(t[r]!==e[r])return!1;return!0}var aE=[...jT].reverse();function oE(e){let t=t=>Promise.all(t.map(({animation:t,options:n})=>YC(e,t,n))),n=cE(),r=!0,i=!1;function a(a){let{props:o,parent:s,manuallyAnimateOnMount:c}=e,l=r||i,u=[],d=new Set,f={},p=1/0,m=e;do m=m.props.inherit!==!1&&m.parent;while(m&&!m.isControllingVariants);if(aE.forEach((t,r)=>{let i=n[t],h=o[t],g=m&&m.props[t],_=h===void 0?AT(g)||g===!1?g:void 0:h,v=AT(_),y=t===a?i.isActive:null;y===!1&&(p=r);let b=v&&h===void 0&&!(l&&c);if(i.protectedKeys={...f},!i.isActive&&y===null||!_&&!i.prevProp||kT(_)||typeof _==`boolean`)return;if(t===`exit`&&i.isActive&&y!==!0){f={...f,...i.prevResolvedValues};return}let x=sE(i.prevProp,_),S=x||v&&(y&&!b||r>p),C=!1,w=Array.isArray(_)?_:[_],T={};if(y!==!1)for(let n of w){let{transition:r,transitionEnd:i,...a}=MC(e,n,NC(e,t))||{};T={...T,...a,...i}}let{prevResolvedValues:E}=i;for(let t in{...E,...T}){if(t in f)continue;let n=T[t],r=E[t],a=Array.isArray(n)&&Array.isArray(r)?!iE(n,r)||x:n!==r;if(a&&n==null)d.add(t);else if(a||n!==void 0&&d.has(t)){S=!0,d.delete(t)&&(C=!0),i.needsAnimating[t]=!0;let n=e.getValue(t);n&&(n.liveStyle=!1)}else i.protectedKeys[t]=!0}if(i.prevProp=_,i.prevResolvedValues=T,i.isActive&&(f={...f,...T}),S&&(!(b&&x)||C))for(let n of w){let r={type:t};if(typeof n==`string`&&l&&c&&s?.enteringChildren){let t=MC(s,n)?.transition?.delayChildren;r.delay=dC(s.enteringChildren,e,t)}u.push({animation:n,options:r})}}),d.size){let{initial:t}=o,n={},r=typeof t!=`boolean`&&MC(e,Array.isArray(t)?t[0]:t,e.presenceContext?.custom);r&&r.transition&&(n.transition=r.transition),d.forEach(i=>{let a=e.getValue(i);a&&(a.liveStyle=!0);let s=r&&!Array.isArray(t)?r[i]:void 0,c=e.getBaseTargetFromProps(o,i);n[i]=(s===void 0?c!==void 0&&!zC(c)?c:e.initialValues[i]===void 0?e.baseTarget[i]:void 0:s)??null}),u.push({animation:n})}let h=l&&e.blockInitialAnimation||r&&!c&&(o.initial===!1||o.initial===o.animate);return r=i=!1,!h&&u.length?t(u):Promise.resolve()}function o(t,r){if(n[t].isActive===r)return Promise.resolve();e.variantChildren?.forEach(e=>e.animationState?.setActive(t,r)),n[t].isActive=r;let i=a(t);for(let e in n)n[e].protectedKeys={};return i}return{animateChanges:a,setActive:o,setAnimateFunction:n=>{t=n(e)},getState:()=>n,reset:()=>{n=cE(),i=!0}}}function sE(e,t){return typeof t==`string`?t!==e:Array.isArray(t)?!iE(t,e):!1}function cE(){let e={};for(let t of jT)e[t]={isActive:t===`animate`,protectedKeys:{},needsAnimating:{},prevResolvedValues:{}};return e}function lE(e,t){e.min=t.min,e.max=t.max}function uE(e,t){lE(e.x,t.x),lE(e.y,t.y)}function dE(e,t){e.translate=t.translate,e.scale=t.scale,e.originPoint=t.originPoint,e.origin=t.origin}var fE=.9999,pE=1.0001,mE=-.01,hE=.01;function gE(e){return e.max-e.min}function _E(e,t,n){return Math.abs(e-t)<=n}function vE(e,t,n,r=.5){e.origin=r,e.originPoint=z7(t.min,t.max,e.origin),e.scale=gE(n)/gE(t),e.translate=z7(n.min,n.max,e.origin)-e.originPoint,(e.scale>=fE&&e.scale<=pE||isNaN(e.scale))&&(e.scale=1),(e.translate>=mE&&e.translate<=hE||isNaN(e.translate))&&(e.translate=0)}function yE(e,t,n,r){vE(e.x,t.x,n.x,r?r.originX:void 0),vE(e.y,t.y,n.y,r?r.originY:void 0)}function bE(e,t,n,r=0){e.min=(r?z7(n.min,n.max,r):n.min)+t.min,e.max=e.min+gE(t)}function xE(e,t,n,r){bE(e.x,t.x,n.x,r?.x),bE(e.y,t.y,n.y,r?.y)}function SE(e,t,n,r=0){let i=r?z7(n.min,n.max,r):n.min;e.min=t.min-i,e.max=e.min+gE(t)}function CE(e,t,n,r){SE(e.x,t.x,n.x,r?.x),SE(e.y,t.y,n.y,r?.y)}function wE(e,t,n,r,i){return e-=t,e=Ew(e,1/n,r),i!==void 0&&(e=Ew(e,1/i,r)),e}function TE(e,t=0,n=1,r=.5,i,a=e,o=e){if(d7.test(t)&&(t=parseFloat(t),t=z7(o.min,o.max,t/100)-o.min),typeof t!=`number`)return;let s=z7(a.min,a.max,r);e===a&&(s-=t),e.min=wE(e.min,t,n,s,i),e.max=wE(e.max,t,n,s,i)}function EE(e,t,[n,r,i],a,o){TE(e,t[n],t[r],t[i],t.scale,a,o)}var DE=[`x`,`scaleX`,`originX`],OE=[`y`,`scaleY`,`originY`];function kE(e,t,n,r){EE(e.x,t,DE,n?n.x:void 0,r?r.x:void 0),EE(e.y,t,OE,n?n.y:void 0,r?r.y:void 0)}function AE(e){return e.translate===0&&e.scale===1}function jE(e){return AE(e.x)&&AE(e.y)}function ME(e,t){return e.min===t.min&&e.max===t.max}function NE(e,t){return ME(e.x,t.x)&&ME(e.y,t.y)}function PE(e,t){return Math.round(e.min)===Math.round(t.min)&&Math.round(e.max)===Math.round(t.max)}function FE(e,t){return PE(e.x,t.x)&&PE(e.y,t.y)}function IE(e){return gE(e.x)/gE(e.y)}function LE(e,t){return e.translate===t.translate&&e.scale===t.scale&&e.originPoint===t.originPoint}function RE(e){return[e(`x`),e(`y`)]}function zE(e,t){return t.max===t.min?0:e/(t.max-t.min)*100}var BE={correct:(e,t)=>{if(!t.target)return e;if(typeof e==`string`){if(Q.test(e))e=parseFloat(e);else return e}return`${zE(e,t.target.x)}% ${zE(e,t.target.y)}%`}},VE={correct:(e,{treeScale:t,projectionDelta:n})=>{let r=e,i=F7.parse(e);if(i.length>5)return r;let a=F7.createTransformer(e),o=typeof i[0]==`number`?0:1,s=n.x.scale*t.x,c=n.y.scale*t.y;i[0+o]/=s,i[1+o]/=c;let l=z7(s,c,.5);return typeof i[2+o]==`number`&&(i[2+o]/=l),typeof i[3+o]==`number`&&(i[3+o]/=l),a(i)}};function HE(e,t,n){let r=``,i=e.x.translate/t.x,a=e.y.translate/t.y,o=n?.z||0;if((i||a||o)&&(r=`translate3d(${i}px, ${a}px, ${o}px) `),(t.x!==1||t.y!==1)&&(r+=`scale(${1/t.x}, ${1/t.y}) `),n){let{transformPerspective:e,rotate:t,pathRotation:i,rotateX:a,rotateY:o,skewX:s,skewY:c}=n;e&&(r=`perspective(${e}px) ${r}`),t&&(r+=`rotate(${t}deg) `),i&&(r+=`rotate(${i}deg) `),a&&(r+=`rotateX(${a}deg) `),o&&(r+=`rotateY(${o}deg) `),s&&(r+=`skewX(${s}deg) `),c&&(r+=`skewY(${c}deg) `)}let s=e.x.scale*t.x,c=e.y.scale*t.y;return(s!==1||c!==1)&&(r+=`scale(${s}, ${c})`),r||`none`}var UE=iw.length,WE=e=>typeof e==`number`||Q.test(e);function GE(e,t,n,r,i,a){i?(e.opacity=z7(0,n.opacity??1,qE(r)),e.opacityExit=z7(t.opacity??1,0,JE(r))):a&&(e.opacity=z7(t.opacity??1,n.opacity??1,r));for(let i=0;i<UE;i++){let a=iw[i],o=KE(t,a),s=KE(n,a);(o!==void 0||s!==void 0)&&(o||=0,s||=0,o===0||s===0||WE(o)===WE(s)?(e[a]=Math.max(z7(CT(o),CT(s),r),0),(d7.test(s)||d7.test(o))&&(e[a]+=`%`)):e[a]=s)}(t.rotate||n.rotate)&&(e.rotate=z7(t.rotate||0,n.rotate||0,r))}function KE(e,t){return e[t]===void 0?e.borderRadius:e[t]}var qE=YE(0,.5,k5),JE=YE(.5,.95,u5);function YE(e,t,n){return r=>r<e?0:r>t?1:n(f5(e,t,r))}function XE(e,t,n){let r=zC(e)?e:gC(e);return r.start(EC(``,r,t,n)),r.animation}function ZE(e,t,n,r={passive:!0}){return e.addEventListener(t,n,r),()=>e.removeEventListener(t,n,r)}var QE=(e,t)=>e.depth-t.depth,$E=class{constructor(){this.children=[],this.isDirty=!1}add(e){t5(this.children,e),this.isDirty=!0}remove(e){n5(this.children,e),this.isDirty=!0}forEach(e){this.isDirty&&this.children.sort(QE),this.isDirty=!1,this.children.forEach(e)}};function eD(e,t){let n=H5.now(),r=({timestamp:i})=>{let a=i-n;a>=t&&(s9(r),e(a-t))};return o9.setup(r,!0),()=>s9(r)}function tD(e){return zC(e)?e.get():e}var nD=class{constructor(){this.members=[]}add(e){t5(this.members,e);for(let t=this.members.length-1;t>=0;t--){let n=this.members[t];if(n===e||n===this.lead||n===this.prevLead)continue;let r=n.instance;r&&r.isConnected!==!1||n.snapshot||(n5(this.members,n),n.unmount())}e.scheduleRender()}remove(e){if(n5(this.members,e),e===this.prevLead&&(this.prevLead=void 0),e===this.lead){let e=this.members[this.members.length-1];e&&this.promote(e)}}relegate(e){for(let t=this.members.indexOf(e)-1;t>=0;t--){let e=this.members[t];if(e.isPresent!==!1&&e.instance?.isConnected!==!1)return this.promote(e),!0}return!1}promote(e,t){let n=this.lead;if(e!==n&&(this.prevLead=n,this.lead=e,e.show(),n)){n.updateSnapshot(),e.scheduleRender();let{layoutDependency:r}=n.options,{layoutDependency:i}=e.options;(r===void 0||r!==i)&&(e.resumeFrom=n,t&&(n.preserveOpacity=!0),n.snapshot&&(e.snapshot=n.snapshot,e.snapshot.latestValues=n.animationValues||n.latestValues),e.root?.isUpdating&&(e.isLayoutDirty=!0)),e.options.crossfade===!1&&n.hide()}}exitAnimationComplete(){this.members.forEach(e=>{e.options.onExitComplete?.(),e.resumingFrom?.options.onExitComplete?.()})}scheduleRender(){this.members.forEach(e=>e.instance&&e.scheduleRender(!1))}removeLeadSnapshot(){this.lead?.snapshot&&(this.lead.snapshot=void 0)}},rD={borderRadius:{...BE,applyTo:[...iw]},borderTopLeftRadius:BE,borderTopRightRadius:BE,borderBottomLeftRadius:BE,borderBottomRightRadius:BE,boxShadow:VE},iD={hasAnimatedSinceResize:!0,hasEverUpdated:!1};Object.assign(JT,{...rD,...JT});var aD={nodes:0,calculatedTargetDeltas:0,calculatedProjections:0},oD=[``,`X`,`Y`,`Z`],sD=1e3,cD=0;function lD(e,t,n,r){let{latestValues:i}=t;i[e]&&(n[e]=i[e],t.setStaticValue(e,0),r&&(r[e]=0))}function uD(e){if(e.hasCheckedOptimisedAppear=!0,e.root===e)return;let{visualElement:t}=e.options;if(!t)return;let n=WC(t);if(window.MotionHasOptimisedAnimation(n,`transform`)){let{layout:t,layoutId:r}=e.options;window.MotionCancelOptimisedAnimation(n,`transform`,o9,!(t||r))}let{parent:r}=e;r&&!r.hasCheckedOptimisedAppear&&uD(r)}function dD({attachResizeListener:e,defaultParent:t,measureScroll:n,checkIsScrollRoot:r,resetTransform:i}){return class{constructor(e={},n=t?.()){this.id=cD++,this.animationId=0,this.animationCommitId=0,this.children=new Set,this.options={},this.isTreeAnimating=!1,this.isAnimationBlocked=!1,this.isLayoutDirty=!1,this.isProjectionDirty=!1,this.isSharedProjectionDirty=!1,this.isTransformDirty=!1,this.updateManuallyBlocked=!1,this.updateBlockedByResize=!1,this.isUpdating=!1,this.isSVG=!1,this.needsReset=!1,this.shouldResetTransform=!1,this.hasCheckedOptimisedAppear=!1,this.treeScale={x:1,y:1},this.eventHandlers=new Map,this.hasTreeAnimated=!1,this.updateScheduled=!1,this.scheduleUpdate=()=>this.update(),this.projectionUpdateScheduled=!1,this.checkUpdateFailed=()=>{this.isUpdating&&(this.isUpdating=!1,this.clearAllSnapshots())},this.updateProjection=()=>{this.projectionUpdateScheduled=!1,bT.value&&(aD.nodes=aD.calculatedTargetDeltas=aD.calculatedProjections=0),this.nodes.forEach(mD),this.nodes.forEach(wD),this.nodes.forEach(TD),this.nodes.forEach(hD),bT.addProjectionMetrics&&bT.addProjectionMetrics(aD)},this.resolvedRelativeTargetAt=0,this.hasProjected=!1,this.isVisible=!0,this.animationProgress=0,this.sharedNodes=new Map,this.latestValues=e,this.root=n?n.root||n:this,this.path=n?[...n.path,n]:[],this.parent=n,this.depth=n?n.depth+1:0;for(let e=0;e<this.path.length;e++)this.path[e].shouldResetTransform=!0;this.root===this&&(this.nodes=new $E)}addEventListener(e,t){return this.eventHandlers.has(e)||this.eventHandlers.set(e,new p5),this.eventHandlers.get(e).add(t)}notifyListeners(e,...t){let n=this.eventHandlers.get(e);n&&n.notify(...t)}hasListeners(e){return this.eventHandlers.has(e)}mount(t){if(this.instance)return;this.isSVG=ow(t)&&!xT(t),this.instance=t;let{layoutId:n,layout:r,visualElement:i}=this.options;if(i&&!i.current&&i.mount(t),this.root.nodes.add(this),this.parent&&this.parent.children.add(this),this.root.hasTreeAnimated&&(r||n)&&(this.isLayoutDirty=!0),e){let n,r=0,i=()=>this.root.updateBlockedByResize=!1;o9.read(()=>{r=window.innerWidth}),e(t,()=>{let e=window.innerWidth;e!==r&&(r=e,this.root.updateBlockedByResize=!0,n&&n(),n=eD(i,250),iD.hasAnimatedSinceResize&&(iD.hasAnimatedSinceResize=!1,this.nodes.forEach(CD)))})}n&&this.root.registerSharedNode(n,this),this.options.animate!==!1&&i&&(n||r)&&this.addEventListener(`didUpdate`,({delta:e,hasLayoutChanged:t,hasRelativeLayoutChanged:n,layout:r})=>{if(this.isTreeAnimationBlocked()){this.target=void 0,this.relativeTarget=void 0;return}let a=this.options.transition||i.getDefaultTransition()||MD,{onLayoutAnimationStart:o,onLayoutAnimationComplete:s}=i.getProps(),c=!this.targetLayout||!FE(this.targetLayout,r),l=!t&&n;if(this.options.layoutRoot||this.resumeFrom||l||t&&(c||!this.currentAnimation)){this.resumeFrom&&(this.resumingFrom=this.resumeFrom,this.resumingFrom.resumingFrom=void 0);let t={...vC(a,`layout`),onPlay:o,onComplete:s};(i.shouldReduceMotion||this.options.layoutRoot)&&(t.delay=0,t.type=!1),this.startAnimation(t),this.setAnimationOrigin(e,l,t.path)}else t||CD(this),this.isLead()&&this.options.onExitComplete&&this.options.onExitComplete();this.targetLayout=r})}unmount(){this.options.layoutId&&this.willUpdate(),this.root.nodes.remove(this);let e=this.getStack();e&&e.remove(this),this.parent&&this.parent.children.delete(this),this.instance=void 0,this.eventHandlers.clear(),s9(this.updateProjection)}blockUpdate(){this.updateManuallyBlocked=!0}unblockUpdate(){this.updateManuallyBlocked=!1}isUpdateBlocked(){return this.updateManuallyBlocked||this.updateBlockedByResize}isTreeAnimationBlocked(){return this.isAnimationBlocked||this.parent&&this.parent.isTreeAnimationBlocked()||!1}startUpdate(){this.isUpdateBlocked()||(this.isUpdating=!0,this.nodes&&this.nodes.forEach(ED),this.animationId++)}getTransformTemplate(){let{visualElement:e}=this.options;return e&&e.getProps().transformTemplate}willUpdate(e=!0){if(this.root.hasTreeAnimated=!0,this.root.isUpdateBlocked()){this.options.onExitComplete&&this.options.onExitComplete();return}if(window.MotionCancelOptimisedAnimation&&!this.hasCheckedOptimisedAppear&&uD(this),!this.root.isUpdating&&this.root.startUpdate(),this.isLayoutDirty)return;this.isLayoutDirty=!0;for(let e=0;e<this.path.length;e++){let t=this.path[e];t.shouldResetTransform=!0,(typeof t.latestValues.x==`string`||typeof t.latestValues.y==`string`)&&(t.isLayoutDirty=!0),t.updateScroll(`snapshot`),t.options.layoutRoot&&t.willUpdate(!1)}let{layoutId:t,layout:n}=this.options;if(t===void 0&&!n)return;let r=this.getTransformTemplate();this.prevTransformTemplateValue=r?r(this.latestValues,``):void 0,this.updateSnapshot(),e&&this.notifyListeners(`willUpdate`)}update(){if(this.updateScheduled=!1,this.isUpdateBlocked()){let e=this.updateBlockedByResize;this.unblockUpdate(),this.updateBlockedByResize=!1,this.clearAllSnapshots(),e&&this.nodes.forEach(vD),this.nodes.forEach(_D);return}if(this.animationId<=this.animationCommitId){this.nodes.forEach(yD);return}this.animationCommitId=this.animationId,this.isUpdating?(this.isUpdating=!1,this.nodes.forEach(bD),this.nodes.forEach(xD),this.nodes.forEach(SD),this.nodes.forEach(fD),this.nodes.forEach(pD)):this.nodes.forEach(yD),this.clearAllSnapshots();let e=H5.now();z5.delta=i5(0,1e3/60,e-z5.timestamp),z5.timestamp=e,z5.isProcessing=!0,c9.update.process(z5),c9.preRender.process(z5),c9.render.process(z5),z5.isProcessing=!1}didUpdate(){this.updateScheduled||(this.updateScheduled=!0,zw.read(this.scheduleUpdate))}clearAllSnapshots(){this.nodes.forEach(gD),this.sharedNodes.forEach(DD)}scheduleUpdateProjection(){this.projectionUpdateScheduled||(this.projectionUpdateScheduled=!0,o9.preRender(this.updateProjection,!1,!0))}scheduleCheckAfterUnmount(){o9.postRender(()=>{this.isLayoutDirty?this.root.didUpdate():this.root.checkUpdateFailed()})}updateSnapshot(){!this.snapshot&&this.instance&&(this.snapshot=this.measure(),this.snapshot&&!gE(this.snapshot.measuredBox.x)&&!gE(this.snapshot.measuredBox.y)&&(this.snapshot=void 0))}updateLayout(){if(!this.instance||(this.updateScroll(),!(this.options.alwaysMeasureLayout&&this.isLead())&&!this.isLayoutDirty))return;if(this.resumeFrom&&!this.resumeFrom.instance)for(let e=0;e<this.path.length;e++)this.path[e].updateScroll();let e=this.layout;this.layout=this.measure(!1),this.layoutCorrected||=DT(),this.isLayoutDirty=!1,this.projectionDelta=void 0,this.notifyListeners(`measure`,this.layout.layoutBox);let{visualElement:t}=this.options;t&&t.notify(`LayoutMeasure`,this.layout.layoutBox,e?e.layoutBox:void 0)}updateScroll(e=`measure`){let t=!!(this.options.layoutScroll&&this.instance);if(this.scroll&&this.scroll.animationId===this.root.animationId&&this.scroll.phase===e&&(t=!1),t&&this.instance){let t=r(this.instance);this.scroll={animationId:this.root.animationId,phase:e,isRoot:t,offset:n(this.instance),wasRoot:this.scroll?this.scroll.isRoot:t}}}resetTransform(){if(!i)return;let e=this.isLayoutDirty||this.shouldResetTransform||this.options.alwaysMeasureLayout,t=this.projectionDelta&&!jE(this.projectionDelta),n=this.getTransformTemplate(),r=n?n(this.latestValues,``):void 0,a=r!==this.prevTransformTemplateValue;e&&this.instance&&(t||Cw(this.latestValues)||a)&&(i(this.instance,r),this.shouldResetTransform=!1,this.scheduleRender())}measure(e=!0){let t=this.measurePageBox(),n=this.removeElementScroll(t);return e&&(n=this.removeTransform(n)),ID(n),{animationId:this.root.animationId,measuredBox:t,layoutBox:n,latestValues:{},source:this.id}}measurePageBox(){let{visualElement:e}=this.options;if(!e)return DT();let t=e.measureViewportBox();if(!(this.scroll?.wasRoot||this.path.some(RD))){let{scroll:e}=this.root;e&&(Nw(t.x,e.offset.x),Nw(t.y,e.offset.y))}return t}removeElementScroll(e){let t=DT();if(uE(t,e),this.scroll?.wasRoot)return t;for(let n=0;n<this.path.length;n++){let r=this.path[n],{scroll:i,options:a}=r;r!==this.root&&i&&a.layoutScroll&&(i.wasRoot&&uE(t,e),Nw(t.x,i.offset.x),Nw(t.y,i.offset.y))}return t}applyTransform(e,t=!1,n){let r=n||DT();uE(r,e);for(let e=0;e<this.path.length;e++){let n=this.path[e];!t&&n.options.layoutScroll&&n.scroll&&n!==n.root&&(Nw(r.x,-n.scroll.offset.x),Nw(r.y,-n.scroll.offset.y)),Cw(n.latestValues)&&Iw(r,n.latestValues,n.layout?.layoutBox)}return Cw(this.latestValues)&&Iw(r,this.latestValues,this.layout?.layoutBox),r}removeTransform(e){let t=DT();uE(t,e);for(let e=0;e<this.path.length;e++){let n=this.path[e];if(!Cw(n.latestValues))continue;let r;n.instance&&(Sw(n.latestValues)&&n.updateSnapshot(),r=DT(),uE(r,n.measurePageBox())),kE(t,n.latestValues,n.snapshot?.layoutBox,r)}return Cw(this.latestValues)&&kE(t,this.latestValues),t}setTargetDelta(e){this.targetDelta=e,this.root.scheduleUpdateProjection(),this.isProjectionDirty=!0}setOptions(e){this.options={...this.options,...e,crossfade:e.crossfade===void 0||e.crossfade}}clearMeasurements(){this.scroll=void 0,this.layout=void 0,this.snapshot=void 0,this.prevTransformTemplateValue=void 0,this.targetDelta=void 0,this.target=void 0,this.isLayoutDirty=!1}forceRelativeParentToResolveTarget(){this.relativeParent&&this.relativeParent.resolvedRelativeTargetAt!==z5.timestamp&&this.relativeParent.resolveTargetDelta(!0)}resolveTargetDelta(e=!1){let t=this.getLead();this.isProjectionDirty||=t.isProjectionDirty,this.isTransformDirty||=t.isTransformDirty,this.isSharedProjectionDirty||=t.isSharedProjectionDirty;let n=!!this.resumingFrom||this!==t;if(!(e||n&&this.isSharedProjectionDirty||this.isProjectionDirty||this.parent?.isProjectionDirty||this.attemptToResolveRelativeTarget||this.root.updateBlockedByResize))return;let{layout:r,layoutId:i}=this.options;if(!this.layout||!(r||i))return;this.resolvedRelativeTargetAt=z5.timestamp;let a=this.getClosestProjectingParent();!this.targetDelta&&!this.relativeTarget&&(this.options.layoutAnchor!==!1&&a&&a.layout?this.createRelativeTarget(a,this.layout.layoutBox,a.layout.layoutBox):this.removeRelativeTarget()),(this.relativeTarget||this.targetDelta)&&(this.target||(this.target=DT(),this.targetWithTransforms=DT()),this.relativeTarget&&this.relativeTargetOrigin&&this.relativeParent&&this.relativeParent.target?(this.forceRelativeParentToResolveTarget(),xE(this.target,this.relativeTarget,this.relativeParent.target,this.options.layoutAnchor||void 0)):this.targetDelta?(this.resumingFrom?this.applyTransform(this.layout.layoutBox,!1,this.target):uE(this.target,this.layout.layoutBox),kw(this.target,this.targetDelta)):uE(this.target,this.layout.layoutBox),this.attemptToResolveRelativeTarget&&(this.attemptToResolveRelativeTarget=!1,this.options.layoutAnchor!==!1&&a&&!!a.resumingFrom==!!this.resumingFrom&&!a.options.layoutScroll&&a.target&&this.animationProgress!==1?this.createRelativeTarget(a,this.target,a.target):this.relativeParent=this.relativeTarget=void 0),bT.value&&aD.calculatedTargetDeltas++)}getClosestProjectingParent(){if(!(!this.parent||Sw(this.parent.latestValues)||ww(this.parent.latestValues)))return this.parent.isProjecting()?this.parent:this.parent.getClosestProjectingParent()}isProjecting(){return!!((this.relativeTarget||this.targetDelta||this.options.layoutRoot)&&this.layout)}createRelativeTarget(e,t,n){this.relativeParent=e,this.forceRelativeParentToResolveTarget(),this.relativeTarget=DT(),this.relativeTargetOrigin=DT(),CE(this.relativeTargetOrigin,t,n,this.options.layoutAnchor||void 0),uE(this.relativeTarget,this.relativeTargetOrigin)}removeRelativeTarget(){this.relativeParent=this.relativeTarget=void 0}calcProjection(){let e=this.getLead(),t=!!this.resumingFrom||this!==e,n=!0;if((this.isProjectionDirty||this.parent?.isProjectionDirty)&&(n=!1),t&&(this.isSharedProjectionDirty||this.isTransformDirty)&&(n=!1),this.resolvedRelativeTargetAt===z5.timestamp&&(n=!1),n)return;let{layout:r,layoutId:i}=this.options;if(this.isTreeAnimating=!!(this.parent&&this.parent.isTreeAnimating||this.currentAnimation||this.pendingAnimation),this.isTreeAnimating||(this.targetDelta=this.relativeTarget=void 0),!this.layout||!(r||i))return;uE(this.layoutCorrected,this.layout.layoutBox);let a=this.treeScale.x,o=this.treeScale.y;Mw(this.layoutCorrected,this.treeScale,this.path,t),e.layout&&!e.target&&(this.treeScale.x!==1||this.treeScale.y!==1)&&(e.target=e.layout.layoutBox,e.targetWithTransforms=DT());let{target:s}=e;s?(!this.projectionDelta||!this.prevProjectionDelta?this.createProjectionDeltas():(dE(this.prevProjectionDelta.x,this.projectionDelta.x),dE(this.prevProjectionDelta.y,this.projectionDelta.y)),yE(this.projectionDelta,this.layoutCorrected,s,this.latestValues),this.treeScale.x===a&&this.treeScale.y===o&&LE(this.projectionDelta.x,this.prevProjectionDelta.x)&&LE(this.projectionDelta.y,this.prevProjectionDelta.y)||(this.hasProjected=!0,this.scheduleRender(),this.notifyListeners(`projectionUpdate`,s)),bT.value&&aD.calculatedProjections++):this.prevProjectionDelta&&(this.createProjectionDeltas(),this.scheduleRender())}hide(){this.isVisible=!1}show(){this.isVisible=!0}scheduleRender(e=!0){if(this.options.visualElement?.scheduleRender(),e){let e=this.getStack();e&&e.scheduleRender()}this.resumingFrom&&!this.resumingFrom.instance&&(this.resumingFrom=void 0)}createProjectionDeltas(){this.prevProjectionDelta=TT(),this.projectionDelta=TT(),this.projectionDeltaWithTransform=TT()}setAnimationOrigin(e,t=!1,n){let r=this.snapshot,i=r?r.latestValues:{},a={...this.latestValues},o=TT();this.relativeParent&&this.relativeParent.options.layoutRoot||(this.relativeTarget=this.relativeTargetOrigin=void 0),this.attemptToResolveRelativeTarget=!t;let s=DT(),c=(r?r.source:void 0)!==(this.layout?this.layout.source:void 0),l=this.getStack(),u=!l||l.members.length<=1,d=!(!c||u||this.options.crossfade!==!0||this.path.some(jD));this.animationProgress=0;let f,p=n?.interpolateProjection(e);this.mixTargetDelta=t=>{let n=t/1e3,r=p?.(n);r?(o.x.translate=r.x,o.x.scale=z7(e.x.scale,1,n),o.x.origin=e.x.origin,o.x.originPoint=e.x.originPoint,o.y.translate=r.y,o.y.scale=z7(e.y.scale,1,n),o.y.origin=e.y.origin,o.y.originPoint=e.y.originPoint):(OD(o.x,e.x,n),OD(o.y,e.y,n)),this.setTargetDelta(o),this.relativeTarget&&this.relativeTargetOrigin&&this.layout&&this.relativeParent&&this.relativeParent.layout&&(CE(s,this.layout.layoutBox,this.relativeParent.layout.layoutBox,this.options.layoutAnchor||void 0),AD(this.relativeTarget,this.relativeTargetOrigin,s,n),f&&NE(this.relativeTarget,f)&&(this.isProjectionDirty=!1),f||=DT(),uE(f,this.relativeTarget)),c&&(this.animationValues=a,GE(a,i,this.latestValues,n,d,u)),r&&r.rotate!==void 0&&(this.animationValues||=a,this.animationValues.pathRotation=r.rotate),this.root.scheduleUpdateProjection(),this.scheduleRender(),this.animationProgress=n},this.mixTargetDelta(this.options.layoutRoot?1e3:0)}startAnimation(e){this.notifyListeners(`animationStart`),this.currentAnimation?.stop(),this.resumingFrom?.currentAnimation?.stop(),this.pendingAnimation&&=(s9(this.pendingAnimation),void 0),this.pendingAnimation=o9.update(()=>{iD.hasAnimatedSinceResize=!0,this.motionValue||=gC(0),this.motionValue.jump(0,!1),this.currentAnimation=XE(this.motionValue,[0,1e3],{...e,velocity:0,isSync:!0,onUpdate:t=>{this.mixTargetDelta(t),e.onUpdate&&e.onUpdate(t)},onComplete:()=>{e.onComplete&&e.onComplete(),this.completeAnimation()}}),U9(this.currentAnimation,this),this.resumingFrom&&(this.resumingFrom.currentAnimation=this.currentAnimation),this.pendingAnimation=void 0})}completeAnimation(){this.resumingFrom&&(this.resumingFrom.currentAnimation=void 0,this.resumingFrom.preserveOpacity=void 0);let e=this.getStack();e&&e.exitAnimationComplete(),this.resumingFrom=this.currentAnimation=this.animationValues=void 0,this.notifyListeners(`animationComplete`)}finishAnimation(){this.currentAnimation&&(this.mixTargetDelta&&this.mixTargetDelta(sD),this.currentAnimation.stop()),this.completeAnimation()}applyTransformsToTarget(){let e=this.getLead(),{targetWithTransforms:t,layout:n,latestValues:r}=e,{target:i}=e;if(t&&i&&n){if(this!==e&&this.layout&&n&&LD(this.options.animationType,this.layout.layoutBox,n.layoutBox)){i=this.target||DT();let t=gE(this.layout.layoutBox.x);i.x.min=e.target.x.min,i.x.max=i.x.min+t;let n=gE(this.layout.layoutBox.y);i.y.min=e.target.y.min,i.y.max=i.y.min+n}uE(t,i),Iw(t,r),yE(this.projectionDeltaWithTransform,this.layoutCorrected,t,r)}}registerSharedNode(e,t){this.sharedNodes.has(e)||this.sharedNodes.set(e,new nD),this.sharedNodes.get(e).add(t);let n=t.options.initialPromotionConfig;t.promote({transition:n?n.transition:void 0,preserveFollowOpacity:n&&n.shouldPreserveFollowOpacity?n.shouldPreserveFollowOpacity(t):void 0})}isLead(){let e=this.getStack();return!e||e.lead===this}getLead(){let{layoutId:e}=this.options;return e&&this.getStack()?.lead||this}getPrevLead(){let{layoutId:e}=this.options;return e?this.getStack()?.prevLead:void 0}getStack(){let{layoutId:e}=this.options;if(e)return this.root.sharedNodes.get(e)}promote({needsReset:e,transition:t,preserveFollowOpacity:n}={}){let r=this.getStack();r&&r.promote(this,n),e&&(this.projectionDelta=void 0,this.needsReset=!0),t&&this.setOptions({transition:t})}relegate(){let e=this.getStack();return e?e.relegate(this):!1}resetSkewAndRotation(){let{visualElement:e}=this.options;if(!e)return;let t=!1,{latestValues:n}=e;if((n.z||n.rotate||n.rotateX||n.rotateY||n.rotateZ||n.skewX||n.skewY)&&(t=!0),!t)return;let r={};n.z&&lD(`z`,e,r,this.animationValues);for(let t=0;t<oD.length;t++)lD(`rotate${oD[t]}`,e,r,this.animationValues),lD(`skew${oD[t]}`,e,r,this.animationValues);e.render();for(let t in r)e.setStaticValue(t,r[t]),this.animationValues&&(this.animationValues[t]=r[t]);e.scheduleRender()}applyProjectionStyles(e,t){if(!this.instance||this.isSVG)return;if(!this.isVisible){e.visibility=`hidden`;return}let n=this.getTransformTemplate();if(this.needsReset){this.needsReset=!1,e.visibility=``,e.opacity=``,e.pointerEvents=tD(t?.pointerEvents)||``,e.transform=n?n(this.latestValues,``):`none`;return}let r=this.getLead();if(!this.projectionDelta||!this.layout||!r.target){this.options.layoutId&&(e.opacity=this.latestValues.opacity===void 0?1:this.latestValues.opacity,e.pointerEvents=tD(t?.pointerEvents)||``),this.hasProjected&&!Cw(this.latestValues)&&(e.transform=n?n({},``):`none`,this.hasProjected=!1);return}e.visibility=``;let i=r.animationValues||r.latestValues;this.applyTransformsToTarget();let a=HE(this.projectionDeltaWithTransform,this.treeScale,i);n&&(a=n(i,a)),e.transform=a;let{x:o,y:s}=this.projectionDelta;e.transformOrigin=`${o.origin*100}% ${s.origin*100}% 0`,e.opacity=r.animationValues?r===this?i.opacity??this.latestValues.opacity??1:this.preserveOpacity?this.latestValues.opacity:i.opacityExit:r===this?i.opacity===void 0?``:i.opacity:i.opacityExit===void 0?0:i.opacityExit;for(let t in JT){if(i[t]===void 0)continue;let{correct:n,applyTo:o,isCSSVariable:s}=JT[t],c=a===`none`?i[t]:n(i[t],r);if(o){let t=o.length;for(let n=0;n<t;n++)e[o[n]]=c}else s?this.options.visualElement.renderState.vars[t]=c:e[t]=c}this.options.layoutId&&(e.pointerEvents=r===this?tD(t?.pointerEvents)||``:`none`)}clearSnapshot(){this.resumeFrom=this.snapshot=void 0}resetTree(){this.root.nodes.forEach(e=>e.currentAnimation?.stop()),this.root.nodes.forEach(_D),this.root.sharedNodes.clear()}}}function fD(e){e.updateLayout()}function pD(e){let t=e.resumeFrom?.snapshot||e.snapshot;if(e.isLead()&&e.layout&&t&&e.hasListeners(`didUpdate`)){let{layoutBox:n,measuredBox:r}=e.layout,{animationType:i}=e.options,a=t.source!==e.layout.source;if(i===`size`)RE(e=>{let r=a?t.measuredBox[e]:t.layoutBox[e],i=gE(r);r.min=n[e].min,r.max=r.min+i});else if(i===`x`||i===`y`){let e=i===`x`?`y`:`x`;lE(a?t.measuredBox[e]:t.layoutBox[e],n[e])}else LD(i,t.layoutBox,n)&&RE(r=>{let i=a?t.measuredBox[r]:t.layoutBox[r],o=gE(n[r]);i.max=i.min+o,e.relativeTarget&&!e.currentAnimation&&(e.isProjectionDirty=!0,e.relativeTarget[r].max=e.relativeTarget[r].min+o)});let o=TT();yE(o,n,t.layoutBox);let s=TT();a?yE(s,e.applyTransform(r,!0),t.measuredBox):yE(s,n,t.layoutBox);let c=!jE(o),l=!1;if(!e.resumeFrom){let r=e.getClosestProjectingParent();if(r&&!r.resumeFrom){let{snapshot:i,layout:a}=r;if(i&&a){let o=e.options.layoutAnchor||void 0,s=DT();CE(s,t.layoutBox,i.layoutBox,o);let c=DT();CE(c,n,a.layoutBox,o),FE(s,c)||(l=!0),r.options.layoutRoot&&(e.relativeTarget=c,e.relativeTargetOrigin=s,e.relativeParent=r)}}}e.notifyListeners(`didUpdate`,{layout:n,snapshot:t,delta:s,layoutDelta:o,hasLayoutChanged:c,hasRelativeLayoutChanged:l})}else if(e.isLead()){let{onExitComplete:t}=e.options;t&&t()}e.options.transition=void 0}function mD(e){bT.value&&aD.nodes++,e.parent&&(e.isProjecting()||(e.isProjectionDirty=e.parent.isProjectionDirty),e.isSharedProjectionDirty||=!!(e.isProjectionDirty||e.parent.isProjectionDirty||e.parent.isSharedProjectionDirty),e.isTransformDirty||=e.parent.isTransformDirty)}function hD(e){e.isProjectionDirty=e.isSharedProjectionDirty=e.isTransformDirty=!1}function gD(e){e.clearSnapshot()}function _D(e){e.clearMeasurements()}function vD(e){e.isLayoutDirty=!0,e.updateLayout()}function yD(e){e.isLayoutDirty=!1}function bD(e){e.isAnimationBlocked&&e.layout&&!e.isLayoutDirty&&(e.snapshot=e.layout,e.isLayoutDirty=!0)}function xD(e){e.relativeTarget&&e.relativeParent?.isLayoutDirty&&(e.currentAnimation?e.isLayoutDirty=!0:(e.targetDelta=void 0,e.removeRelativeTarget()))}function SD(e){let{visualElement:t}=e.options;t&&t.getProps().onBeforeLayoutMeasure&&t.notify(`BeforeLayoutMeasure`),e.resetTransform()}function CD(e){e.finishAnimation(),e.targetDelta=e.relativeTarget=e.target=void 0,e.isProjectionDirty=!0}function wD(e){e.resolveTargetDelta()}function TD(e){e.calcProjection()}function ED(e){e.resetSkewAndRotation()}function DD(e){e.removeLeadSnapshot()}function OD(e,t,n){e.translate=z7(t.translate,0,n),e.scale=z7(t.scale,1,n),e.origin=t.origin,e.originPoint=t.originPoint}function kD(e,t,n,r){e.min=z7(t.min,n.min,r),e.max=z7(t.max,n.max,r)}function AD(e,t,n,r){kD(e.x,t.x,n.x,r),kD(e.y,t.y,n.y,r)}function jD(e){return e.animationValues&&e.animationValues.opacityExit!==void 0}var MD={duration:.45,ease:[.4,0,.1,1]},ND=e=>typeof navigator<`u`&&navigator.userAgent&&navigator.userAgent.toLowerCase().includes(e),PD=ND(`applewebkit/`)&&!ND(`chrome/`)?Math.round:u5;function FD(e){e.min=PD(e.min),e.max=PD(e.max)}function ID(e){FD(e.x),FD(e.y)}function LD(e,t,n){return e===`position`||e===`preserve-aspect`&&!_E(IE(t),IE(n),.2)}function RD(e){return e!==e.root&&e.scroll?.wasRoot}var zD=dD({attachResizeListener:(e,t)=>ZE(e,`resize`,t),measureScroll:()=>({x:document.documentElement.scrollLeft||document.body?.scrollLeft||0,y:document.documentElement.scrollTop||document.body?.scrollTop||0}),checkIsScrollRoot:()=>!0}),BD={current:void 0},VD=dD({measureScroll:e=>({x:e.scrollLeft,y:e.scrollTop}),defaultParent:()=>{if(!BD.current){let e=new zD({});e.mount(window),e.setOptions({layoutScroll:!0}),BD.current=e}return BD.current},resetTransform:(e,t)=>{e.style.transform=t===void 0?`none`:t},checkIsScrollRoot:e=>window.getComputedStyle(e).position===`fixed`}),HD=(0,H.createContext)({transformPagePoint:e=>e,isStatic:!1,reducedMotion:`never`});function UD(e=!0){let t=(0,H.useContext)(e5);if(t===null)return[!0,null];let{isPresent:n,onExitComplete:r,register:i}=t,a=(0,H.useId)();(0,H.useEffect)(()=>{if(e)return i(a)},[e]);let o=(0,H.useCallback)(()=>e&&r&&r(a),[a,r,e]);return!n&&r?[!1,o]:[!0]}var WD=(0,H.createContext)({strict:!1}),GD={animation:[`animate`,`variants`,`whileHover`,`whileTap`,`exit`,`whileInView`,`whileFocus`,`whileDrag`],exit:[`exit`],drag:[`drag`,`dragControls`],focus:[`whileFocus`],hover:[`whileHover`,`onHoverStart`,`onHoverEnd`],tap:[`whileTap`,`onTap`,`onTapStart`,`onTapCancel`],pan:[`onPan`,`onPanStart`,`onPanSessionStart`,`onPanEnd`],inView:[`whileInView`,`onViewportEnter`,`onViewportLeave`],layout:[`layout`,`layoutId`]},KD=!1;function qD(){if(KD)return;let e={};for(let t in GD)e[t]={isEnabled:e=>GD[t].some(t=>!!e[t])};HT(e),KD=!0}function JD(){return qD(),UT()}function YD(e){let t=JD();for(let n in e)t[n]={...t[n],...e[n]};HT(t)}var XD=(0,H.createContext)({});function ZD(e,t){if(NT(e)){let{initial:t,animate:n}=e;return{initial:t===!1||AT(t)?t:void 0,animate:AT(n)?n:void 0}}return e.inherit===!1?{}:t}function QD(e){let{initial:t,animate:n}=ZD(e,(0,H.useContext)(XD));return(0,H.useMemo)(()=>({initial:t,animate:n}),[$D(t),$D(n)])}function $D(e){return Array.isArray(e)?e.join(` `):e}var eO=()=>({style:{},transform:{},transformOrigin:{},vars:{}});function tO(e,t,n){for(let r in t)!zC(t[r])&&!YT(r,n)&&(e[r]=t[r])}function nO({transformTemplate:e},t){return(0,H.useMemo)(()=>{let n=eO();return fw(n,t,e),Object.assign({},n.vars,n.style)},[t])}function rO(e,t){let n=e.style||{},r={};return tO(r,n,e),Object.assign(r,nO(e,t)),r}function iO(e,t){let n={},r=rO(e,t);return e.drag&&e.dragListener!==!1&&(n.draggable=!1,r.userSelect=r.WebkitUserSelect=r.WebkitTouchCallout=`none`,r.touchAction=e.drag===!0?`none`:`pan-${e.drag===`x`?`y`:`x`}`),e.tabIndex===void 0&&(e.onTap||e.onTapStart||e.whileTap)&&(n.tabIndex=0),n.style=r,n}var aO=()=>({...eO(),attrs:{}});function oO(e,t,n,r){let i=(0,H.useMemo)(()=>{let n=aO();return _w(n,t,eE(r),e.transformTemplate,e.style),{...n.attrs,style:{...n.style}}},[t]);if(e.style){let t={};tO(t,e.style,e),i.style={...t,...i.style}}return i}var sO=new Set(`animate.exit.variants.initial.style.values.transition.transformTemplate.custom.inherit.onBeforeLayoutMeasure.onAnimationStart.onAnimationComplete.onUpdate.onDragStart.onDrag.onDragEnd.onMeasureDragConstraints.onDirectionLock.onDragTransitionEnd._dragX._dragY.onHoverStart.onHoverEnd.onViewportEnter.onViewportLeave.globalTapTarget.propagate.ignoreStrict.viewport`.split(`.`));function cO(e){return e.startsWith(`while`)||e.startsWith(`drag`)&&e!==`draggable`||e.startsWith(`layout`)||e.startsWith(`onTap`)||e.startsWith(`onPan`)||e.startsWith(`onLayout`)||sO.has(e)}function lO(e,t){return e.startsWith(`on`)?!cO(e):t?.(e)??!cO(e)}function uO(e,t,n,r){let i={};for(let a in e)a===`values`&&typeof e.values==`object`||zC(e[a])||(lO(a,r)||n===!0&&cO(a)||!t&&!cO(a)||e.draggable&&a.startsWith(`onDrag`))&&(i[a]=e[a]);return i}var dO=[`animate`,`circle`,`defs`,`desc`,`ellipse`,`g`,`image`,`line`,`filter`,`marker`,`mask`,`metadata`,`path`,`pattern`,`polygon`,`polyline`,`rect`,`stop`,`switch`,`symbol`,`svg`,`text`,`tspan`,`use`,`view`];function fO(e){return typeof e!=`string`||e.includes(`-`)?!1:!!(dO.indexOf(e)>-1||/[A-Z]/u.test(e))}function pO(e,t,n,{latestValues:r},i,a=!1,o,s){let c=(o??fO(e)?oO:iO)(t,r,i,e),l=uO(t,typeof e==`string`,a,s),u=e===H.Fragment?{}:{...l,...c,ref:n},{children:d}=t,f=(0,H.useMemo)(()=>zC(d)?d.get():d,[d]);return(0,H.createElement)(e,{...u,children:f})}function mO({scrapeMotionValuesFromProps:e,createRenderState:t},n,r,i){return{latestValues:hO(n,r,i,e),renderState:t()}}function hO(e,t,n,r){let i={},a=r(e,{});for(let e in a)i[e]=tD(a[e]);let{initial:o,animate:s}=e,c=NT(e),l=PT(e);t&&l&&!c&&e.inherit!==!1&&(o===void 0&&(o=t.initial),s===void 0&&(s=t.animate));let u=n?n.initial===!1:!1;u||=o===!1;let d=u?s:o;if(d&&typeof d!=`boolean`&&!kT(d)){let t=Array.isArray(d)?d:[d];for(let n=0;n<t.length;n++){let r=jC(e,t[n]);if(r){let{transitionEnd:e,transition:t,...n}=r;for(let e in n){let t=n[e];if(Array.isArray(t)){let e=u?t.length-1:0;t=t[e]}t!==null&&(i[e]=t)}for(let t in e)i[t]=e[t]}}}return i}var gO=e=>(t,n)=>{let r=(0,H.useContext)(XD),i=(0,H.useContext)(e5),a=()=>mO(e,t,r,i);return n?a():Qx(a)},_O=gO({scrapeMotionValuesFromProps:XT,createRenderState:eO}),vO=gO({scrapeMotionValuesFromProps:nE,createRenderState:aO}),yO=Symbol.for(`motionComponentSymbol`);function bO(e,t,n){let r=(0,H.useRef)(n);(0,H.useInsertionEffect)(()=>{r.current=n});let i=(0,H.useRef)(null);return(0,H.useCallback)(n=>{n&&e.onMount?.(n),t&&(n?t.mount(n):t.unmount());let a=r.current;if(typeof a==`function`){if(n){let e=a(n);typeof e==`function`&&(i.current=e)}else i.current?(i.current(),i.current=null):a(n)}else a&&(a.current=n)},[t])}var xO=(0,H.createContext)({});function SO(e){return e&&typeof e==`object`&&Object.prototype.hasOwnProperty.call(e,`current`)}function CO(e,t,n,r,i,a){let{visualElement:o}=(0,H.useContext)(XD),s=(0,H.useContext)(WD),c=(0,H.useContext)(e5),l=(0,H.useContext)(HD),u=l.reducedMotion,d=l.skipAnimations,f=(0,H.useRef)(null),p=(0,H.useRef)(!1);r||=s.renderer,!f.current&&r&&(f.current=r(e,{visualState:t,parent:o,props:n,presenceContext:c,blockInitialAnimation:c?c.initial===!1:!1,reducedMotionConfig:u,skipAnimations:d,isSVG:a}),p.current&&f.current&&(f.current.manuallyAnimateOnMount=!0));let m=f.current,h=(0,H.useContext)(xO);m&&!m.projection&&i&&(m.type===`html`||m.type===`svg`)&&wO(f.current,n,i,h);let g=(0,H.useRef)(!1);(0,H.useInsertionEffect)(()=>{m&&g.current&&m.update(n,c)});let _=n[UC],v=(0,H.useRef)(!!_&&typeof window<`u`&&!window.MotionHandoffIsComplete?.(_)&&window.MotionHasOptimisedAnimation?.(_));return $x(()=>{p.current&&m&&(m.animationState?.animateChanges(),m.enteringChildren=void 0)},[]),$x(()=>{p.current=!0,m&&(g.current=!0,window.MotionIsMounted=!0,m.updateFeatures(),m.scheduleRenderMicrotask(),v.current&&m.animationState&&m.animationState.animateChanges())}),(0,H.useEffect)(()=>{m&&(!v.current&&m.animationState&&m.animationState.animateChanges(),v.current&&=(queueMicrotask(()=>{window.MotionHandoffMarkAsComplete?.(_)}),!1),m.enteringChildren=void 0)}),m}function wO(e,t,n,r){let{layoutId:i,layout:a,drag:o,dragConstraints:s,layoutScroll:c,layoutRoot:l,layoutAnchor:u,layoutCrossfade:d}=t;e.projection=new n(e.latestValues,t[`data-framer-portal-id`]?void 0:TO(e.parent)),e.projection.setOptions({layoutId:i,layout:a,alwaysMeasureLayout:!!o||s&&SO(s),visualElement:e,animationType:typeof a==`string`?a:`both`,initialPromotionConfig:r,crossfade:d,layoutScroll:c,layoutRoot:l,layoutAnchor:u})}function TO(e){if(e)return e.options.allowProjection===!1?TO(e.parent):e.projection}function EO(e,{forwardMotionProps:t=!1,type:n}={},r,i){r&&YD(r);let a=n?n===`svg`:fO(e),o=a?vO:_O;function s(n,s){let c,l={...(0,H.useContext)(HD),...n,layoutId:DO(n)},{isStatic:u,isValidProp:d}=l,f=QD(n),p=o(n,u);if(!u&&typeof window<`u`){OO(l,r);let t=kO(l);c=t.MeasureLayout,f.visualElement=CO(e,p,l,i,t.ProjectionNode,a)}return(0,X.jsxs)(XD.Provider,{value:f,children:[c&&f.visualElement?(0,X.jsx)(c,{visualElement:f.visualElement,...l}):null,pO(e,n,bO(p,f.visualElement,s),p,u,t,a,d)]})}s.displayName=`motion.${typeof e==`string`?e:`create(${e.displayName??e.name??``})`}`;let c=(0,H.forwardRef)(s);return c[yO]=e,c}function DO({layoutId:e}){let t=(0,H.useContext)(Zx).id;return t&&e!==void 0?t+`-`+e:e}function OO(e,t){(0,H.useContext)(WD).strict}function kO(e){let{drag:t,layout:n}=JD();if(!t&&!n)return{};let r={...t,...n};return{MeasureLayout:t?.isEnabled(e)||n?.isEnabled(e)?r.MeasureLayout:void 0,ProjectionNode:r.ProjectionNode}}function AO(e,t){if(typeof Proxy>`u`)return EO;let n=new Map,r=(n,r)=>EO(n,r,e,t);return new Proxy((e,t)=>r(e,t),{get:(i,a)=>a===`create`?r:(n.has(a)||n.set(a,EO(a,void 0,e,t)),n.get(a))})}var jO=(e,t)=>t.isSVG??fO(e)?new rE(t):new QT(t,{allowProjection:e!==H.Fragment}),MO=class extends KT{constructor(e){super(e),e.animationState||=oE(e)}updateAnimationControlsSubscription(){let{animate:e}=this.node.getProps();kT(e)&&(this.unmountControls=e.subscribe(this.node))}mount(){this.updateAnimationControlsSubscription()}update(){let{animate:e}=this.node.getProps(),{animate:t}=this.node.prevProps||{};e!==t&&this.updateAnimationControlsSubscription()}unmount(){this.node.animationState.reset(),this.unmountControls?.()}},NO=0,PO={animation:{Feature:MO},exit:{Feature:class extends KT{constructor(){super(...arguments),this.id=NO++}update(){let{presenceContext:e,prevPresenceContext:t,animationState:n}=this.node;if(!e||!n)return;let{isPresent:r,onExitComplete:i}=e,a=t?.isPresent;if(r===a)return;if(r&&a===!1){if(this.exit===!0){let{initial:e}=this.node.getProps();if(e&&!Array.isArray(e)){let{transition:t,transitionEnd:n,...r}=MC(this.node,e)||{};for(let e in r)this.node.getValue(e)?.jump(r[e])}this.node.blockInitialAnimation=!1,n.reset(),n.animateChanges()}else n.setActive(`exit`,!1);this.exit=void 0;return}let o=this.exit=n.setActive(`exit`,!r);i&&!r&&o.then(()=>{this.exit===o&&(this.exit=!0,i(this.id))})}mount(){let{register:e,onExitComplete:t}=this.node.presenceContext||{};t&&t(this.id),e&&(this.unmount=e(this.id))}unmount(){}}}};function FO(e){return{point:{x:e.pageX,y:e.pageY}}}var IO=e=>t=>Jw(t)&&e(t,FO(t));function LO(e,t,n,r){return ZE(e,t,IO(n),r)}var RO=({current:e})=>e?e.ownerDocument.defaultView:null,zO=(e,t)=>Math.abs(e-t);function BO(e,t){let n=zO(e.x,t.x),r=zO(e.y,t.y);return Math.sqrt(n**2+r**2)}var VO=new Set([`auto`,`scroll`]),HO=class{constructor(e,t,{transformPagePoint:n,contextWindow:r=window,dragSnapToOrigin:i=!1,distanceThreshold:a=3,element:o}={}){if(this.startEvent=null,this.lastMoveEvent=null,this.lastMoveEventInfo=null,this.lastRawMoveEventInfo=null,this.handlers={},this.contextWindow=window,this.scrollPositions=new Map,this.removeScrollListeners=null,this.onElementScroll=e=>{this.handleScroll(e.target)},this.onWindowScroll=()=>{this.handleScroll(window)},this.updatePoint=()=>{if(!(this.lastMoveEvent&&this.lastMoveEventInfo))return;this.hasPendingMove=!1,this.lastRawMoveEventInfo&&(this.lastMoveEventInfo=UO(this.lastRawMoveEventInfo,this.transformPagePoint));let e=GO(this.lastMoveEventInfo,this.history),t=this.startEvent!==null,n=BO(e.offset,{x:0,y:0})>=this.distanceThreshold;if(!t&&!n)return;let{point:r}=e;this.history.push({...r,timestamp:H5.now()});let{onStart:i,onMove:a}=this.handlers;t||(i&&i(this.lastMoveEvent,e),this.startEvent=this.lastMoveEvent),a&&a(this.lastMoveEvent,e)},this.handlePointerMove=(e,t)=>{this.lastMoveEvent=e,this.lastRawMoveEventInfo=t,this.lastMoveEventInfo=UO(t,this.transformPagePoint),this.hasPendingMove=!0,o9.update(this.updatePoint,!0)},this.handlePointerUp=(e,t)=>{this.hasPendingMove&&this.updatePoint(),this.end();let{onEnd:n,onSessionEnd:r,resumeAnimation:i}=this.handlers;if((this.dragSnapToOrigin||!this.startEvent)&&i&&i(),!(this.lastMoveEvent&&this.lastMoveEventInfo))return;let a=GO(e.type===`pointercancel`?this.lastMoveEventInfo:UO(t,this.transformPagePoint),this.history);this.startEvent&&n&&n(e,a),r&&r(e,a)},!Jw(e))return;this.dragSnapToOrigin=i,this.handlers=t,this.transformPagePoint=n,this.distanceThreshold=a,this.contextWindow=r||window;let s=UO(FO(e),this.transformPagePoint),{point:c}=s,{timestamp:l}=z5;this.history=[{...c,timestamp:l}];let{onSessionStart:u}=t;u&&u(e,GO(s,this.history));let d={passive:!0,capture:!0};this.removeListeners=d5(LO(this.contextWindow,`pointermove`,this.handlePointerMove,d),LO(this.contextWindow,`pointerup`,this.handlePointerUp,d),LO(this.contextWindow,`pointercancel`,this.handlePointerUp,d)),o&&this.startScrollTracking(o)}startScrollTracking(e){let t=e.parentElement;for(;t;){let e=getComputedStyle(t);(VO.has(e.overflowX)||VO.has(e.overflowY))&&this.scrollPositions.set(t,{x:t.scrollLeft,y:t.scrollTop}),t=t.parentElement}this.scrollPositions.set(window,{x:window.scrollX,y:window.scrollY}),window.addEventListener(`scroll`,this.onElementScroll,{capture:!0}),window.addEventListener(`scroll`,this.onWindowScroll),this.removeScrollListeners=()=>{window.removeEventListener(`scroll`,this.onElementScroll,{capture:!0}),window.removeEventListener(`scroll`,this.onWindowScroll)}}handleScroll(e){let t=this.scrollPositions.get(e);if(!t)return;let n=e===window,r=n?{x:window.scrollX,y:window.scrollY}:{x:e.scrollLeft,y:e.scrollTop},i={x:r.x-t.x,y:r.y-t.y};(i.x!==0||i.y!==0)&&(n?this.lastMoveEventInfo&&(this.lastMoveEventInfo.point.x+=i.x,this.lastMoveEventInfo.point.y+=i.y):this.history.length>0&&(this.history[0].x-=i.x,this.history[0].y-=i.y),this.scrollPositions.set(e,r),o9.update(this.updatePoint,!0))}updateHandlers(e){this.handlers=e}end(){this.removeListeners&&this.removeListeners(),this.removeScrollListeners&&this.removeScrollListeners(),this.scrollPositions.clear(),s9(this.updatePoint)}};function UO(e,t){return t?{point:t(e.point)}:e}function WO(e,t){return{x:e.x-t.x,y:e.y-t.y}}function GO({point:e},t){return{point:e,delta:WO(e,qO(t)),offset:WO(e,KO(t)),velocity:JO(t,.1)}}function KO(e){return e[0]}function qO(e){return e[e.length-1]}function JO(e,t){if(e.length<2)return{x:0,y:0};let n=e.length-1,r=null,i=qO(e);for(;n>=0&&(r=e[n],!(i.timestamp-r.timestamp>m5(t)));)n--;if(!r)return{x:0,y:0};r===e[0]&&e.length>2&&i.timestamp-r.timestamp>m5(t)*2&&(r=e[1]);let a=h5(i.timestamp-r.timestamp);if(a===0)return{x:0,y:0};let o={x:(i.x-r.x)/a,y:(i.y-r.y)/a};return o.x===1/0&&(o.x=0),o.y===1/0&&(o.y=0),o}function YO(e,{min:t,max:n},r){return t!==void 0&&e<t?e=r?z7(t,e,r.min):Math.max(e,t):n!==void 0&&e>n&&(e=r?z7(n,e,r.max):Math.min(e,n)),e}function XO(e,t,n){return{min:t===void 0?void 0:e.min+t,max:n===void 0?void 0:e.max+n-(e.max-e.min)}}function ZO(e,{top:t,left:n,bottom:r,right:i}){return{x:XO(e.x,n,i),y:XO(e.y,t,r)}}function QO(e,t){let n=t.min-e.min,r=t.max-e.max;return t.max-t.min<e.max-e.min&&([n,r]=[r,n]),{min:n,max:r}}function $O(e,t){return{x:QO(e.x,t.x),y:QO(e.y,t.y)}}function ek(e,t){let n=.5,r=gE(e),i=gE(t);return i>r?n=f5(t.min,t.max-r,e.min):r>i&&(n=f5(e.min,e.max-i,t.min)),i5(0,1,n)}function tk(e,t){let n={};return t.min!==void 0&&(n.min=t.min-e.min),t.max!==void 0&&(n.max=t.max-e.min),n}var nk=.35;function rk(e=nk){return e===!1?e=0:e===!0&&(e=nk),{x:ik(e,`left`,`right`),y:ik(e,`top`,`bottom`)}}function ik(e,t,n){return{min:ak(e,t),max:ak(e,n)}}function ak(e,t){return typeof e==`number`?e:e[t]||0}var ok=new WeakMap,sk=class{constructor(e){this.openDragLock=null,this.isDragging=!1,this.currentDirection=null,this.originPoint={x:0,y:0},this.constraints=!1,this.hasMutatedConstraints=!1,this.elastic=DT(),this.latestPointerEvent=null,this.latestPanInfo=null,this.visualElement=e}start(e,{snapToCursor:t=!1,distanceThreshold:n}={}){let{presenceContext:r}=this.visualElement;if(r&&r.isPresent===!1)return;let i=e=>{t&&this.snapToCursor(e),this.stopAnimation()},a=(e,t)=>{let{drag:n,dragPropagation:r,onDragStart:i}=this.getProps();if(n&&!r&&(this.openDragLock&&this.openDragLock(),this.openDragLock=Uw(n),!this.openDragLock))return;this.latestPointerEvent=e,this.latestPanInfo=t,this.isDragging=!0,this.currentDirection=null,this.resolveConstraints(),this.visualElement.projection&&(this.visualElement.projection.isAnimationBlocked=!0,this.visualElement.projection.target=void 0),RE(e=>{let t=this.getAxisMotionValue(e).get()||0;if(d7.test(t)){let{projection:n}=this.visualElement;if(n&&n.layout){let r=n.layout.layoutBox[e];r&&(t=gE(r)*(parseFloat(t)/100))}}this.originPoint[e]=t}),i&&o9.update(()=>i(e,t),!1,!0),VC(this.visualElement,`transform`);let{animationState:a}=this.visualElement;a&&a.setActive(`whileDrag`,!0)},o=(e,t)=>{this.latestPointerEvent=e,this.latestPanInfo=t;let{dragPropagation:n,dragDirectionLock:r,onDirectionLock:i,onDrag:a}=this.getProps();if(!n&&!this.openDragLock)return;let{offset:o}=t;r&&this.currentDirection===null?(this.currentDirection=dk(o),this.currentDirection!==null&&i&&i(this.currentDirection)):(this.updateAxis(`x`,t.point,o),this.updateAxis(`y`,t.point,o),this.visualElement.render(),a&&o9.update(()=>a(e,t),!1,!0))},s=(e,t)=>{this.latestPointerEvent=e,this.latestPanInfo=t,this.stop(e,t),this.latestPointerEvent=null,this.latestPanInfo=null},c=()=>{let{dragSnapToOrigin:e}=this.getProps();(e||this.constraints)&&this.startAnimation({x:0,y:0})},{dragSnapToOrigin:l}=this.getProps();this.panSession=new HO(e,{onSessionStart:i,onStart:a,onMove:o,onSessionEnd:s,resumeAnimation:c},{transformPagePoint:this.visualElement.getTransformPagePoint(),dragSnapToOrigin:l,distanceThreshold:n,contextWindow:RO(this.visualElement),element:this.visualElement.current})}stop(e,t){let n=e||this.latestPointerEvent,r=t||this.latestPanInfo,i=this.isDragging;if(this.cancel(),!i||!r||!n)return;let{velocity:a}=r;this.startAnimation(a);let{onDragEnd:o}=this.getProps();o&&o9.postRender(()=>o(n,r))}cancel(){this.isDragging=!1;let{projection:e,animationState:t}=this.visualElement;e&&(e.isAnimationBlocked=!1),this.endPanSession();let{dragPropagation:n}=this.getProps();!n&&this.openDragLock&&(this.openDragLock(),this.openDragLock=null),t&&t.setActive(`whileDrag`,!1)}endPanSession(){this.panSession&&this.panSession.end(),this.panSession=void 0}updateAxis(e,t,n){let{drag:r}=this.getProps();if(!n||!uk(e,r,this.currentDirection))return;let i=this.getAxisMotionValue(e),a=this.originPoint[e]+n[e];this.constraints&&this.constraints[e]&&(a=YO(a,this.constraints[e],this.elastic[e])),i.set(a)}resolveConstraints(){let{dragConstraints:e,dragElastic:t}=this.getProps(),n=this.visualElement.projection&&!this.visualElement.projection.layout?this.visualElement.projection.measure(!1):this.visualElement.projection?.layout,r=this.constraints;e&&SO(e)?this.constraints||=this.resolveRefConstraints():this.constraints=e&&n?ZO(n.layoutBox,e):!1,this.elastic=rk(t),r!==this.constraints&&!SO(e)&&n&&this.constraints&&!this.hasMutatedConstraints&&RE(e=>{this.constraints!==!1&&this.getAxisMotionValue(e)&&(this.constraints[e]=tk(n.layoutBox[e],this.constraints[e]))})}resolveRefConstraints(){let{dragConstraints:e,onMeasureDragConstraints:t}=this.getProps();if(!e||!SO(e))return!1;let n=e.current,{projection:r}=this.visualElement;if(!r||!r.layout)return!1;r.root&&(r.root.scroll=void 0,r.root.updateScroll());let i=Rw(n,r.root,this.visualElement.getTransformPagePoint()),a=$O(r.layout.layoutBox,i);if(t){let e=t(yw(a));this.hasMutatedConstraints=!!e,e&&(a=vw(e))}return a}startAnimation(e){let{drag:t,dragMomentum:n,dragElastic:r,dragTransition:i,dragSnapToOrigin:a,onDragTransitionEnd:o}=this.getProps(),s=this.constraints||{},c=RE(o=>{if(!uk(o,t,this.currentDirection))return;let c=s&&s[o]||{};(a===!0||a===o)&&(c={min:0,max:0});let l=r?200:1e6,u=r?40:1e7,d={type:`inertia`,velocity:n?e[o]:0,bounceStiffness:l,bounceDamping:u,timeConstant:750,restDelta:1,restSpeed:10,...i,...c};return this.startAxisValueAnimation(o,d)});return Promise.all(c).then(o)}startAxisValueAnimation(e,t){let n=this.getAxisMotionValue(e);return VC(this.visualElement,e),n.start(EC(e,n,0,t,this.visualElement,!1))}stopAnimation(){RE(e=>this.getAxisMotionValue(e).stop())}getAxisMotionValue(e){let t=`_drag${e.toUpperCase()}`;return this.visualElement.getProps()[t]||this.visualElement.getValue(e,this.visualElement.latestValues[e]??0)}snapToCursor({clientX:e,clientY:t}){let{drag:n}=this.getProps(),r={x:e,y:t},i=this.visualElement.getTransformPagePoint()?.(r)||r,a=this.visualElement.measureViewportBox();RE(e=>{if(!uk(e,n,this.currentDirection))return;let t=this.getAxisMotionValue(e),{min:r,max:o}=a[e];t.set((t.get()||0)+i[e]-z7(r,o,.5))})}scalePositionWithinConstraints(){if(!this.visualElement.current)return;let{drag:e,dragConstraints:t}=this.getProps(),{projection:n}=this.visualElement;if(!SO(t)||!n||!this.constraints)return;this.stopAnimation();let r=this.constraints,i={x:0,y:0};RE(e=>{let t=this.getAxisMotionValue(e).get();i[e]=ek({min:t,max:t},r[e])});let{transformTemplate:a}=this.visualElement.getProps();this.visualElement.current.style.transform=a?a({},``):`none`,n.root&&n.root.updateScroll(),n.updateLayout(),this.constraints=!1,this.resolveConstraints(),RE(t=>{let n=this.getAxisMotionValue(t);if(!uk(t,e,null)||!n.get())return;let{min:r,max:a}=this.constraints[t];n.set(z7(r,a,i[t]))}),this.visualElement.render()}addListeners(){if(!this.visualElement.current)return;ok.set(this.visualElement,this);let e=this.visualElement.current,t=LO(e,`pointerdown`,t=>{let{drag:n,dragListener:r=!0}=this.getProps(),i=t.target,a=i!==e&&Qw(i);n&&r&&!a&&this.start(t)}),n,r=()=>{let{dragConstraints:t}=this.getProps();SO(t)&&t.current&&(this.constraints=this.resolveRefConstraints(),n||=lk(e,t.current,()=>this.scalePositionWithinConstraints()))},{projection:i}=this.visualElement,a=i.addEventListener(`measure`,r);i&&!i.layout&&(i.root&&i.root.updateScroll(),i.updateLayout()),o9.read(r);let o=ZE(window,`resize`,()=>this.scalePositionWithinConstraints()),s=i.addEventListener(`didUpdate`,(({delta:e,hasLayoutChanged:t})=>{this.isDragging&&t&&(RE(t=>{let n=this.getAxisMotionValue(t);n&&(this.originPoint[t]+=e[t].translate,n.set(n.get()+e[t].translate))}),this.visualElement.render())}));return()=>{o(),t(),a(),s&&s(),n&&n()}}getProps(){let e=this.visualElement.getProps(),{drag:t=!1,dragDirectionLock:n=!1,dragPropagation:r=!1,dragConstraints:i=!1,dragElastic:a=nk,dragMomentum:o=!0}=e;return{...e,drag:t,dragDirectionLock:n,dragPropagation:r,dragConstraints:i,dragElastic:a,dragMomentum:o}}};function ck(e){let t=!0;return()=>{t?t=!1:e()}}function lk(e,t,n){let r=yT(e,ck(n)),i=yT(t,ck(n));return()=>{r(),i()}}function uk(e,t,n){return(t===!0||t===e)&&(n===null||n===e)}function dk(e,t=10){let n=null;return Math.abs(e.y)>t?n=`y`:Math.abs(e.x)>t&&(n=`x`),n}var fk=class extends KT{constructor(e){super(e),this.removeGroupControls=u5,this.removeListeners=u5,this.controls=new sk(e)}mount(){let{dragControls:e}=this.node.getProps();e&&(this.removeGroupControls=e.subscribe(this.controls)),this.removeListeners=this.controls.addListeners()||u5}update(){let{dragControls:e}=this.node.getProps(),{dragControls:t}=this.node.prevProps||{};e!==t&&(this.removeGroupControls(),e&&(this.removeGroupControls=e.subscribe(this.controls)))}unmount(){this.removeGroupControls(),this.removeListeners(),this.controls.isDragging||this.controls.endPanSession()}},pk=e=>(t,n)=>{e&&o9.update(()=>e(t,n),!1,!0)},mk=class extends KT{constructor(){super(...arguments),this.removePointerDownListener=u5}onPointerDown(e){this.session=new HO(e,this.createPanHandlers(),{transformPagePoint:this.node.getTransformPagePoint(),contextWindow:RO(this.node)})}createPanHandlers(){let{onPanSessionStart:e,onPanStart:t,onPan:n,onPanEnd:r}=this.node.getProps();return{onSessionStart:pk(e),onStart:pk(t),onMove:pk(n),onEnd:(e,t)=>{delete this.session,r&&o9.postRender(()=>r(e,t))}}}mount(){this.removePointerDownListener=LO(this.node.current,`pointerdown`,e=>this.onPointerDown(e))}update(){this.session&&this.session.updateHandlers(this.createPanHandlers())}unmount(){this.removePointerDownListener(),this.session&&this.session.end()}},hk=!1,gk=class extends H.Component{componentDidMount(){let{visualElement:e,layoutGroup:t,switchLayoutGroup:n,layoutId:r}=this.props,{projection:i}=e;i&&(t.group&&t.group.add(i),n&&n.register&&r&&n.register(i),hk&&i.root.didUpdate(),i.addEventListener(`animationComplete`,()=>{this.safeToRemove()}),i.setOptions({...i.options,layoutDependency:this.props.layoutDependency,onExitComplete:()=>this.safeToRemove()})),iD.hasEverUpdated=!0}getSnapshotBeforeUpdate(e){let{layoutDependency:t,visualElement:n,drag:r,isPresent:i}=this.props,{projection:a}=n;return a&&(a.isPresent=i,e.layoutDependency!==t&&a.setOptions({...a.options,layoutDependency:t}),hk=!0,r||e.layoutDependency!==t||t===void 0||e.isPresent!==i?a.willUpdate():this.safeToRemove(),e.isPresent!==i&&(i?a.promote():a.relegate()||o9.postRender(()=>{let e=a.getStack();e&&e.members.length||this.safeToRemove()}))),null}componentDidUpdate(){let{visualElement:e,layoutAnchor:t}=this.props,{projection:n}=e;n&&(n.options.layoutAnchor=t,n.root.didUpdate(),zw.postRender(()=>{!n.currentAnimation&&n.isLead()&&this.safeToRemove()}))}componentWillUnmount(){let{visualElement:e,layoutGroup:t,switchLayoutGroup:n}=this.props,{projection:r}=e;hk=!0,r&&(r.scheduleCheckAfterUnmount(),t&&t.group&&t.group.remove(r),n&&n.deregister&&n.deregister(r))}safeToRemove(){let{safeToRemove:e}=this.props;e&&e()}render(){return null}};function _k(e){let[t,n]=UD(),r=(0,H.useContext)(Zx);return(0,X.jsx)(gk,{...e,layoutGroup:r,switchLayoutGroup:(0,H.useContext)(xO),isPresent:t,safeToRemove:n})}var vk={pan:{Feature:mk},drag:{Feature:fk,ProjectionNode:VD,MeasureLayout:_k}};function yk(e,t,n){let{props:r}=e;e.animationState&&r.whileHover&&e.animationState.setActive(`whileHover`,n===`Start`);let i=r[`onHover`+n];i&&o9.postRender(()=>i(t,FO(t)))}var bk=class extends KT{mount(){let{current:e}=this.node;e&&(this.unmount=Kw(e,(e,t)=>(yk(this.node,t,`Start`),e=>yk(this.node,e,`End`))))}unmount(){}},xk=class extends KT{constructor(){super(...arguments),this.isActive=!1}onFocus(){let e=!1;try{e=this.node.current.matches(`:focus-visible`)}catch{e=!0}e&&this.node.animationState&&(this.node.animationState.setActive(`whileFocus`,!0),this.isActive=!0)}onBlur(){this.isActive&&this.node.animationState&&(this.node.animationState.setActive(`whileFocus`,!1),this.isActive=!1)}mount(){this.unmount=d5(ZE(this.node.current,`focus`,()=>this.onFocus()),ZE(this.node.current,`blur`,()=>this.onBlur()))}unmount(){}};function Sk(e,t,n){let{props:r}=e;if(e.current instanceof HTMLButtonElement&&e.current.disabled)return;e.animationState&&r.whileTap&&e.animationState.setActive(`whileTap`,n===`Start`);let i=r[`onTap`+(n===`End`?``:n)];i&&o9.postRender(()=>i(t,FO(t)))}var Ck=class extends KT{mount(){let{current:e}=this.node;if(!e)return;let{globalTapTarget:t,propagate:n}=this.node.props;this.unmount=aT(e,(e,t)=>(Sk(this.node,t,`Start`),(e,{success:t})=>Sk(this.node,e,t?`End`:`Cancel`)),{useGlobalTarget:t,stopPropagation:n?.tap===!1})}unmount(){}},wk=new WeakMap,Tk=new WeakMap,Ek=e=>{let t=wk.get(e.target);t&&t(e)},Dk=e=>{e.forEach(Ek)};function Ok({root:e,...t}){let n=e||document;Tk.has(n)||Tk.set(n,{});let r=Tk.get(n),i=JSON.stringify(t);return r[i]||(r[i]=new IntersectionObserver(Dk,{root:e,...t})),r[i]}function kk(e,t,n){let r=Ok(t);return wk.set(e,n),r.observe(e),()=>{wk.delete(e),r.unobserve(e)}}var Ak={some:0,all:1},jk=class extends KT{constructor(){super(...arguments),this.hasEnteredView=!1,this.isInView=!1}startObserver(){this.stopObserver?.();let{viewport:e={}}=this.node.getProps(),{root:t,margin:n,amount:r=`some`,once:i}=e,a={root:t?t.current:void 0,rootMargin:n,threshold:typeof r==`number`?r:Ak[r]},o=e=>{let{isIntersecting:t}=e;if(this.isInView===t||(this.isInView=t,i&&!t&&this.hasEnteredView))return;t&&(this.hasEnteredView=!0),this.node.animationState&&this.node.animationState.setActive(`whileInView`,t);let{onViewportEnter:n,onViewportLeave:r}=this.node.getProps(),a=t?n:r;a&&a(e)};this.stopObserver=kk(this.node.current,a,o)}mount(){this.startObserver()}update(){if(typeof IntersectionObserver>`u`)return;let{props:e,prevProps:t}=this.node;[`amount`,`margin`,`root`].some(Mk(e,t))&&this.startObserver()}unmount(){this.stopObserver?.(),this.hasEnteredView=!1,this.isInView=!1}};function Mk({viewport:e={}},{viewport:t={}}={}){return n=>e[n]!==t[n]}var Nk={inView:{Feature:jk},tap:{Feature:Ck},focus:{Feature:xk},hover:{Feature:bk}},Pk={layout:{ProjectionNode:VD,MeasureLayout:_k}},Fk=AO({...PO,...Nk,...vk,...Pk},jO);function Ik(e){let t=Qx(()=>gC(e)),{isStatic:n}=(0,H.useContext)(HD);if(n){let[,n]=(0,H.useState)(e);(0,H.useEffect)(()=>t.on(`change`,n),[])}return t}function Lk(e,t){let n=Ik(t()),r=()=>n.set(t());return r(),$x(()=>{let t=()=>o9.preRender(r,!1,!0),n=e.map(e=>e.on(`change`,t));return()=>{n.forEach(e=>e()),s9(r)}}),n}function Rk(e){mC.current=[],e();let t=Lk(mC.current,e);return mC.current=void 0,t}function zk(e,t,n,r){if(typeof e==`function`)return Rk(e);if(n!==void 0&&!Array.isArray(n)&&typeof t!=`function`)return Vk(e,t,n,r);let i=typeof t==`function`?t:ST(t,n,r),a=Array.isArray(e)?Bk(e,i):Bk([e],([e])=>i(e)),o=Array.isArray(e)?void 0:e.accelerate;if(o&&!o.isTransformed&&typeof t!=`function`&&Array.isArray(n)&&r?.clamp!==!1){let e=r?.ease;a.accelerate={...o,times:[0,...t,1],keyframes:[n[0],...n,n[n.length-1]],isTransformed:!0,...e?{ease:Array.isArray(e)?[e[0],...e]:e}:{}}}return a}function Bk(e,t){let n=Qx(()=>[]);return Lk(e,()=>{n.length=0;let r=e.length;for(let t=0;t<r;t++)n[t]=e[t].get();return t(n)})}function Vk(e,t,n,r){let i=Qx(()=>Object.keys(n)),a=Qx(()=>({}));for(let o of i)a[o]=zk(e,t,n[o],r);return a}var Hk=(0,H.createContext)(null);function Uk(e,t,n,r,i,a=`ltr`){let o=e.findIndex(e=>e.value===t);if(o===-1)return e;if(i===`xy`){let{layout:t}=e[o],r={x:z7(t.x.min,t.x.max,.5)+n.x,y:z7(t.y.min,t.y.max,.5)+n.y},i=Wk(e),s=i.find(t=>t.items.includes(e[o])),c=i.reduce((e,t)=>Gk(r.y,t)<Gk(r.y,e)?t:e);if(c!==s)return Kk(e,o,r.x,c,a);let l=qk(r,t),u=-1,d=l;return e.forEach((e,t)=>{if(t===o)return;let n=qk(r,e.layout);n<d&&(u=t,d=n)}),u===-1?e:r5(e,o,o+Math.sign(u-o))}if(!r[i])return e;let s=r[i]>0?1:-1,c=e[o+s];if(!c)return e;let l=e[o].layout[i],u=c.layout[i],d=z7(u.min,u.max,.5);return s===1&&l.max+n[i]>d||s===-1&&l.min+n[i]<d?r5(e,o,o+s):e}function Wk(e){let t=[];return e.forEach(e=>{let{min:n,max:r}=e.layout.y,i=t[t.length-1];!i||n>=i.max||r<=i.min?t.push({items:[e],min:n,max:r}):(i.items.push(e),i.min=Math.min(i.min,n),i.max=Math.max(i.max,r))}),t}function Gk(e,t){return e<t.min?t.min-e:e>t.max?e-t.max:0}function Kk(e,t,n,r,i){let a=e.filter((e,n)=>n!==t),o=r.items.find(e=>{let t=z7(e.layout.x.min,e.layout.x.max,.5);return i===`ltr`?n<t:n>t}),s=o?a.indexOf(o):a.indexOf(r.items[r.items.length-1])+1,c=[...a];return c.splice(s,0,e[t]),c.every((t,n)=>t===e[n])?e:c}function qk(e,t){let n=Math.max(t.x.min-e.x,0,e.x-t.x.max),r=Math.max(t.y.min-e.y,0,e.y-t.y.max);return n*n+r*r}var Jk=(e,t)=>e.max<=t.min||t.max<=e.min;function Yk(e){let t=!1,n=!1;for(let r=0;r<e.length;r++)for(let i=r+1;i<e.length;i++)if(t||=Jk(e[r].x,e[i].x),n||=Jk(e[r].y,e[i].y),t&&n)return`xy`;return t?`x`:`y`}function Xk({children:e,as:t=`ul`,axis:n,onReorder:r,values:i,...a},o){let s=Qx(()=>Fk[t]),c=(0,H.useRef)(new Map),[l,u]=(0,H.useState)(`y`),d=(0,H.useRef)(!1),f=(0,H.useRef)(null),p=n||l,m=new Set(i);c.current.forEach((e,t)=>{m.has(t)||c.current.delete(t)});let h={axis:p,groupRef:f,registerItem:(e,t)=>{if(c.current.set(e,t),!n){let e=Yk(i.flatMap(e=>{let t=c.current.get(e);return t?[t]:[]}));e!==l&&u(e)}},updateOrder:(e,t,n)=>{if(d.current)return;let a=i.flatMap(e=>{let t=c.current.get(e);return t?[{value:e,layout:t}]:[]}),o=f.current?.ownerDocument.defaultView?.getComputedStyle(f.current).direction===`rtl`?`rtl`:`ltr`,s=Uk(a,e,t,n,p,o);if(a!==s){d.current=!0;let e=[...i],t=a.map(({value:e})=>i.indexOf(e));s.forEach(({value:n},r)=>{e[t[r]]=n}),r(e)}}};(0,H.useEffect)(()=>{d.current=!1},[i]);let g=e=>{f.current=e,typeof o==`function`?o(e):o&&(o.current=e)},_={overflowAnchor:`none`,...a.style};return(0,X.jsx)(s,{...a,style:_,ref:g,ignoreStrict:!0,children:(0,X.jsx)(Hk.Provider,{value:h,children:e})})}var Zk=(0,H.forwardRef)(Xk),Qk=50,$k=25,eA=new Set([`auto`,`scroll`]),tA=new WeakMap,nA=new WeakMap,rA=null;function iA(){if(rA){let e=oA(rA,`y`);e&&(nA.delete(e),tA.delete(e));let t=oA(rA,`x`);t&&t!==e&&(nA.delete(t),tA.delete(t)),rA=null}}function aA(e,t){let n=getComputedStyle(e),r=t===`x`?n.overflowX:n.overflowY,i=e===document.body||e===document.documentElement;return eA.has(r)||i}function oA(e,t){let n=e?.parentElement;for(;n;){if(aA(n,t))return n;n=n.parentElement}return null}function sA(e,t,n){let r=t.getBoundingClientRect(),i=n===`x`?Math.max(0,r.left):Math.max(0,r.top),a=n===`x`?Math.min(window.innerWidth,r.right):Math.min(window.innerHeight,r.bottom),o=e-i,s=a-e;if(o<Qk){let e=1-o/Qk;return{amount:-25*e*e,edge:`start`}}if(s<Qk){let e=1-s/Qk;return{amount:$k*e*e,edge:`end`}}return{amount:0,edge:null}}function cA(e,t,n,r){if(!e)return;rA=e;let i=oA(e,n);if(!i)return;let{amount:a,edge:o}=sA(t-(n===`x`?window.scrollX:window.scrollY),i,n);if(o===null){nA.delete(i),tA.delete(i);return}let s=nA.get(i),c=i===document.body||i===document.documentElement;if(s!==o){if(!(o===`start`&&r<0||o===`end`&&r>0))return;nA.set(i,o);let e=n===`x`?i.scrollWidth-(c?window.innerWidth:i.clientWidth):i.scrollHeight-(c?window.innerHeight:i.clientHeight);tA.set(i,e)}if(a>0){let e=tA.get(i);if((n===`x`?c?window.scrollX:i.scrollLeft:c?window.scrollY:i.scrollTop)>=e)return}n===`x`?c?window.scrollBy({left:a}):i.scrollLeft+=a:c?window.scrollBy({top:a}):i.scrollTop+=a}function lA(e,t=0){return zC(e)?e:Ik(t)}function uA({children:e,style:t={},value:n,as:r=`li`,onDrag:i,onDragEnd:a,layout:o=!0,...s},c){let l=Qx(()=>Fk[r]),u=(0,H.useContext)(Hk),d={x:lA(t.x),y:lA(t.y)},f=zk([d.x,d.y],([e,t])=>e||t?1:`unset`),{axis:p,registerItem:m,updateOrder:h,groupRef:g}=u;return(0,X.jsx)(l,{drag:p===`xy`||p,...s,dragSnapToOrigin:!0,style:{...t,x:d.x,y:d.y,zIndex:f},layout:o,onDrag:(e,t)=>{let{velocity:r,point:a}=t,o={x:d.x.get(),y:d.y.get()};h(n,o,r);let s=p===`xy`?Math.abs(r.x)>Math.abs(r.y)?`x`:`y`:p;cA(g.current,a[s],s,r[s]),i&&i(e,t)},onDragEnd:(e,t)=>{iA(),a&&a(e,t)},onLayoutMeasure:e=>{m(n,e)},ref:c,ignoreStrict:!0,children:e})}var dA=(0,H.forwardRef)(uA),fA=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(16),r,i,a,o,s;n[0]===e?(r=n[1],i=n[2],a=n[3],o=n[4],s=n[5]):({isActive:a,value:s,children:r,className:i,...o}=e,n[0]=e,n[1]=r,n[2]=i,n[3]=a,n[4]=o,n[5]=s);let c=a&&`graphiql-tab-active`,l;n[6]!==i||n[7]!==c?(l=Fv(`graphiql-tab`,c,i),n[6]=i,n[7]=c,n[8]=l):l=n[8];let u;return n[9]!==r||n[10]!==a||n[11]!==o||n[12]!==t||n[13]!==l||n[14]!==s?(u=(0,X.jsx)(dA,{...o,ref:t,value:s,"aria-selected":a,dragElastic:!1,role:`tab`,className:l,children:r}),n[9]=r,n[10]=a,n[11]=o,n[12]=t,n[13]=l,n[14]=s,n[15]=u):u=n[15],u});fA.displayName=`Tab`;var pA=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(11),r,i,a;n[0]===e?(r=n[1],i=n[2],a=n[3]):({children:r,className:i,...a}=e,n[0]=e,n[1]=r,n[2]=i,n[3]=a);let o;n[4]===i?o=n[5]:(o=Fv(`graphiql-tab-button`,i),n[4]=i,n[5]=o);let s;return n[6]!==r||n[7]!==a||n[8]!==t||n[9]!==o?(s=(0,X.jsx)(T8,{...a,ref:t,type:`button`,className:o,children:r}),n[6]=r,n[7]=a,n[8]=t,n[9]=o,n[10]=s):s=n[10],s});pA.displayName=`Tab.Button`;var mA=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(7),r;n[0]===e.className?r=n[1]:(r=Fv(`graphiql-tab-close`,e.className),n[0]=e.className,n[1]=r);let i;n[2]===Symbol.for(`react.memo_cache_sentinel`)?(i=(0,X.jsx)(_y,{}),n[2]=i):i=n[2];let a;return n[3]!==e||n[4]!==t||n[5]!==r?(a=(0,X.jsx)(T8,{"aria-label":`Close Tab`,...e,ref:t,type:`button`,className:r,children:i}),n[3]=e,n[4]=t,n[5]=r,n[6]=a):a=n[6],a});mA.displayName=`Tab.Close`;var hA=Object.assign(fA,{Button:pA,Close:mA}),gA=(0,H.forwardRef)((e,t)=>{let n=(0,y_.c)(15),r,i,a,o,s;n[0]===e?(r=n[1],i=n[2],a=n[3],o=n[4],s=n[5]):({values:s,onReorder:a,children:r,className:i,...o}=e,n[0]=e,n[1]=r,n[2]=i,n[3]=a,n[4]=o,n[5]=s);let c;n[6]===i?c=n[7]:(c=Fv(`graphiql-tabs`,i),n[6]=i,n[7]=c);let l;return n[8]!==r||n[9]!==a||n[10]!==o||n[11]!==t||n[12]!==c||n[13]!==s?(l=(0,X.jsx)(Zk,{...o,ref:t,values:s,onReorder:a,axis:`x`,role:`tablist`,className:c,children:r}),n[8]=r,n[9]=a,n[10]=o,n[11]=t,n[12]=c,n[13]=s,n[14]=l):l=n[14],l});gA.displayName=`Tabs`;var _A=us(),vA=ps((e,t)=>({historyStorage:null,actions:{addToHistory(n){let{historyStorage:r}=t();r?.updateHistory(n),e({})},editLabel(n,r){let{historyStorage:i}=t();i?.editLabel(n,r),e({})},toggleFavorite(n){let{historyStorage:r}=t();r?.toggleFavorite(n),e({})},setActive:e=>e,deleteFromHistory(n,r){let{historyStorage:i}=t();i?.deleteHistory(n,r),e({})}}})),yA=e=>{let t=(0,_A.c)(11),{maxHistoryLength:n,children:r}=e,i=n===void 0?20:n,a;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(a=v_(`isFetching`,`tabs`,`activeTabIndex`,`storage`),t[0]=a):a=t[0];let{isFetching:o,tabs:s,activeTabIndex:c,storage:l}=Ev(a),u=s[c],d;t[1]!==i||t[2]!==l?(d=new ls(l,i),t[1]=i,t[2]=l,t[3]=d):d=t[3];let f=d,p,m;t[4]===f?(p=t[5],m=t[6]):(p=()=>{vA.setState({historyStorage:f})},m=[f],t[4]=f,t[5]=p,t[6]=m),(0,H.useEffect)(p,m);let h,g;return t[7]!==u||t[8]!==o?(h=()=>{if(!o)return;let{addToHistory:e}=vA.getState().actions;e({query:u.query??void 0,variables:u.variables??void 0,headers:u.headers??void 0,operationName:u.operationName??void 0})},g=[o,u],t[7]=u,t[8]=o,t[9]=h,t[10]=g):(h=t[9],g=t[10]),(0,H.useEffect)(h,g),r},bA=ws(vA),xA=[],SA=()=>bA(wA),CA=()=>bA(TA);function wA(e){return e.historyStorage?.queries??xA}function TA(e){return e.actions}function EA(e,t){for(let n of e)t(n,!0)}var DA=()=>{let e=(0,_A.c)(16),t=SA(),{deleteFromHistory:n}=CA(),r=t.slice().map(AA).reverse(),i=r.filter(jA);i.length&&(r=r.filter(MA));let[a,o]=(0,H.useState)(null),s,c;e[0]===a?(s=e[1],c=e[2]):(s=()=>{a&&setTimeout(()=>{o(null)},2e3)},c=[a],e[0]=a,e[1]=s,e[2]=c),(0,H.useEffect)(s,c);let l=()=>{try{EA(r,n),o(`success`)}catch{o(`error`)}},u=!!i.length,d=!!r.length,f=(a||d)&&(0,X.jsx)(E8,{type:`button`,state:a||void 0,disabled:!r.length,onClick:l,children:{success:`Cleared`,error:`Failed to Clear`}[a]||`Clear`}),p;e[3]===f?p=e[4]:(p=(0,X.jsxs)(`div`,{className:`graphiql-history-header`,children:[`History`,f]}),e[3]=f,e[4]=p);let m=u&&(0,X.jsx)(`ul`,{className:`graphiql-history-items`,children:i.map(NA)}),h;e[5]!==u||e[6]!==d?(h=u&&d&&(0,X.jsx)(`div`,{className:`graphiql-history-item-spacer`}),e[5]=u,e[6]=d,e[7]=h):h=e[7];let g;e[8]!==d||e[9]!==r?(g=d&&(0,X.jsx)(`ul`,{className:`graphiql-history-items`,children:r.map(PA)}),e[8]=d,e[9]=r,e[10]=g):g=e[10];let _;return e[11]!==p||e[12]!==m||e[13]!==h||e[14]!==g?(_=(0,X.jsxs)(`section`,{"aria-label":`History`,className:`graphiql-history`,children:[p,m,h,g]}),e[11]=p,e[12]=m,e[13]=h,e[14]=g,e[15]=_):_=e[15],_},OA=e=>{let t=(0,_A.c)(39),{editLabel:n,toggleFavorite:r,deleteFromHistory:i,setActive:a}=CA(),o;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(o=v_(`headerEditor`,`queryEditor`,`variableEditor`),t[0]=o):o=t[0];let{headerEditor:s,queryEditor:c,variableEditor:l}=Ev(o),u=(0,H.useRef)(null),d=(0,H.useRef)(null),[f,p]=(0,H.useState)(!1),m,h;t[1]===f?(m=t[2],h=t[3]):(m=()=>{var e;f&&((e=u.current)==null||e.focus())},h=[f],t[1]=f,t[2]=m,t[3]=h),(0,H.useEffect)(m,h);let g;t[4]!==e.item.label||t[5]!==e.item.operationName||t[6]!==e.item.query?(g=e.item.label||e.item.operationName||kA(e.item.query),t[4]=e.item.label,t[5]=e.item.operationName,t[6]=e.item.query,t[7]=g):g=t[7];let _=g,v;t[8]!==n||t[9]!==e.item?(v=()=>{p(!1);let{index:t,...r}=e.item;n({...r,label:u.current?.value},t)},t[8]=n,t[9]=e.item,t[10]=v):v=t[10];let y=v,b;t[11]===Symbol.for(`react.memo_cache_sentinel`)?(b=()=>{p(!1)},t[11]=b):b=t[11];let x=b,S;t[12]===Symbol.for(`react.memo_cache_sentinel`)?(S=e=>{e.stopPropagation(),p(!0)},t[12]=S):S=t[12];let C=S,w;t[13]!==s||t[14]!==e.item||t[15]!==c||t[16]!==a||t[17]!==l?(w=()=>{let{query:t,variables:n,headers:r}=e.item;c?.setValue(t??``),l?.setValue(n??``),s?.setValue(r??``),a(e.item)},t[13]=s,t[14]=e.item,t[15]=c,t[16]=a,t[17]=l,t[18]=w):w=t[18];let T=w,E;t[19]!==i||t[20]!==e.item?(E=t=>{t.stopPropagation(),i(e.item)},t[19]=i,t[20]=e.item,t[21]=E):E=t[21];let D=E,O;t[22]!==e.item||t[23]!==r?(O=t=>{t.stopPropagation(),r(e.item)},t[22]=e.item,t[23]=r,t[24]=O):O=t[24];let k=O,A=f&&`editable`,j;t[25]===A?j=t[26]:(j=Fv(`graphiql-history-item`,A),t[25]=A,t[26]=j);let M;t[27]!==_||t[28]!==n||t[29]!==D||t[30]!==T||t[31]!==y||t[32]!==k||t[33]!==f||t[34]!==e.item?(M=f?(0,X.jsxs)(X.Fragment,{children:[(0,X.jsx)(`input`,{type:`text`,defaultValue:e.item.label,ref:u,onKeyDown:t=>{t.key===`Esc`?p(!1):t.key===`Enter`&&(p(!1),n({...e.item,label:t.currentTarget.value}))},placeholder:`Type a label`}),(0,X.jsx)(T8,{type:`button`,ref:d,onClick:y,children:`Save`}),(0,X.jsx)(T8,{type:`button`,ref:d,onClick:x,children:(0,X.jsx)(_y,{})})]}):(0,X.jsxs)(X.Fragment,{children:[(0,X.jsx)(S8,{label:`Set active`,children:(0,X.jsx)(T8,{type:`button`,className:`graphiql-history-item-label`,onClick:T,"aria-label":`Set active`,children:_})}),(0,X.jsx)(S8,{label:`Edit label`,children:(0,X.jsx)(T8,{type:`button`,className:`graphiql-history-item-action`,onClick:C,"aria-label":`Edit label`,children:(0,X.jsx)(My,{"aria-hidden":`true`})})}),(0,X.jsx)(S8,{label:e.item.favorite?`Remove favorite`:`Add favorite`,children:(0,X.jsx)(T8,{type:`button`,className:`graphiql-history-item-action`,onClick:k,"aria-label":e.item.favorite?`Remove favorite`:`Add favorite`,children:e.item.favorite?(0,X.jsx)(zy,{"aria-hidden":`true`}):(0,X.jsx)(By,{"aria-hidden":`true`})})}),(0,X.jsx)(S8,{label:`Delete from history`,children:(0,X.jsx)(T8,{type:`button`,className:`graphiql-history-item-action`,onClick:D,"aria-label":`Delete from history`,children:(0,X.jsx)(Hy,{"aria-hidden":`true`})})})]}),t[27]=_,t[28]=n,t[29]=D,t[30]=T,t[31]=y,t[32]=k,t[33]=f,t[34]=e.item,t[35]=M):M=t[35];let N;return t[36]!==j||t[37]!==M?(N=(0,X.jsx)(`li`,{className:j,children:M}),t[36]=j,t[37]=M,t[38]=N):N=t[38],N};function kA(e){return e?.split(`
`).map(e=>e.replace(/#(.*)/,``)).join(` `).replaceAll(`{`,` { `).replaceAll(`}`,` } `).replaceAll(/[\s]{2,}/g,` `)}function AA(e,t){return{...e,index:t}}function jA(e){return e.favorite}function MA(e){return!e.favorite}function NA(e){return(0,X.jsx)(OA,{item:e},e.index)}function PA(e){return(0,X.jsx)(OA,{item:e},e.index)}var FA={title:`History`,icon:Dy,content:DA};function IA(e,t){if(e===`Field`&&t.fieldDef||e===`AliasedField`&&t.fieldDef||e===`ObjectField`&&t.fieldDef)return zA(t,e===`ObjectField`);if(e===`Directive`&&t.directiveDef)return RA(t);if(e===`Argument`&&t.argDef)return LA(t);if(e===`EnumValue`&&t.enumValue)return VA(t);if(e===`NamedType`&&t.type)return BA(t)}function LA(e){return e.directiveDef?{kind:`Argument`,schema:e.schema,argument:e.argDef,directive:e.directiveDef}:{kind:`Argument`,schema:e.schema,argument:e.argDef,field:e.fieldDef,type:HA(e.fieldDef)?null:e.parentType}}function RA(e){return{kind:`Directive`,schema:e.schema,directive:e.directiveDef}}function zA(e,t=!1){let n=t?e.inputObjectType:e.parentType;return{kind:`Field`,schema:e.schema,field:e.fieldDef,type:HA(e.fieldDef)?null:n}}function BA(e,t){return{kind:`Type`,schema:e.schema,type:t||e.type}}function VA(e){return{kind:`EnumValue`,value:e.enumValue||void 0,type:e.inputType?Qt(e.inputType):void 0}}function HA(e){return e.name.slice(0,2)===`__`}var UA=e=>e?gt(e):``,WA=e=>{let t=(0,_A.c)(12),{field:n}=e;if(!(`defaultValue`in n)||n.defaultValue===void 0)return null;let r=n.defaultValue,i=n.type,a,o,s,c;if(t[0]!==n.defaultValue||t[1]!==n.type){c=Symbol.for(`react.early_return_sentinel`);e:{let e=Hn(r,i);if(!e){c=null;break e}s=` = `,a=`graphiql-doc-explorer-default-value`,o=UA(e)}t[0]=n.defaultValue,t[1]=n.type,t[2]=a,t[3]=o,t[4]=s,t[5]=c}else a=t[2],o=t[3],s=t[4],c=t[5];if(c!==Symbol.for(`react.early_return_sentinel`))return c;let l;t[6]!==a||t[7]!==o?(l=(0,X.jsx)(`span`,{className:a,children:o}),t[6]=a,t[7]=o,t[8]=l):l=t[8];let u;return t[9]!==s||t[10]!==l?(u=(0,X.jsxs)(X.Fragment,{children:[s,l]}),t[9]=s,t[10]=l,t[11]=u):u=t[11],u};function GA(e,t){return Bt(e)?(0,X.jsxs)(X.Fragment,{children:[GA(e.ofType,t),`!`]}):zt(e)?(0,X.jsxs)(X.Fragment,{children:[`[`,GA(e.ofType,t),`]`]}):t(e)}var KA=e=>{let t=(0,_A.c)(5),{type:n}=e,{push:r}=LR(),i;t[0]===r?i=t[1]:(i=e=>(0,X.jsx)(`a`,{className:`graphiql-doc-explorer-type-name`,onClick:t=>{t.preventDefault(),r({name:e.name,def:e})},href:`#`,children:e.name}),t[0]=r,t[1]=i);let a;return t[2]!==i||t[3]!==n?(a=GA(n,i),t[2]=i,t[3]=n,t[4]=a):a=t[4],a},qA=e=>{let t=(0,_A.c)(19),{arg:n,showDefaultValue:r,inline:i}=e,a;t[0]===n.name?a=t[1]:(a=(0,X.jsx)(`span`,{className:`graphiql-doc-explorer-argument-name`,children:n.name}),t[0]=n.name,t[1]=a);let o;t[2]===n.type?o=t[3]:(o=(0,X.jsx)(KA,{type:n.type}),t[2]=n.type,t[3]=o);let s;t[4]!==n||t[5]!==r?(s=r!==!1&&(0,X.jsx)(WA,{field:n}),t[4]=n,t[5]=r,t[6]=s):s=t[6];let c;t[7]!==a||t[8]!==o||t[9]!==s?(c=(0,X.jsxs)(`span`,{children:[a,`: `,o,s]}),t[7]=a,t[8]=o,t[9]=s,t[10]=c):c=t[10];let l=c;if(i)return l;let u;t[11]===n.description?u=t[12]:(u=n.description?(0,X.jsx)(Yx,{type:`description`,children:n.description}):null,t[11]=n.description,t[12]=u);let d;t[13]===n.deprecationReason?d=t[14]:(d=n.deprecationReason?(0,X.jsxs)(`div`,{className:`graphiql-doc-explorer-argument-deprecation`,children:[(0,X.jsx)(`div`,{className:`graphiql-doc-explorer-argument-deprecation-label`,children:`Deprecated`}),(0,X.jsx)(Yx,{type:`deprecation`,children:n.deprecationReason})]}):null,t[13]=n.deprecationReason,t[14]=d);let f;return t[15]!==l||t[16]!==u||t[17]!==d?(f=(0,X.jsxs)(`div`,{className:`graphiql-doc-explorer-argument`,children:[l,u,d]}),t[15]=l,t[16]=u,t[17]=d,t[18]=f):f=t[18],f},JA=e=>{let t=(0,_A.c)(3),n;return t[0]!==e.children||t[1]!==e.preview?(n=e.children?(0,X.jsxs)(`div`,{className:`graphiql-doc-explorer-deprecation`,children:[(0,X.jsx)(`div`,{className:`graphiql-doc-explorer-deprecation-label`,children:`Deprecated`}),(0,X.jsx)(Yx,{type:`deprecation`,onlyShowFirstChild:e.preview??!0,children:e.children})]}):null,t[0]=e.children,t[1]=e.preview,t[2]=n):n=t[2],n},YA=e=>{let t=(0,_A.c)(2),{directive:n}=e,r;return t[0]===n.name.value?r=t[1]:(r=(0,X.jsxs)(`span`,{className:`graphiql-doc-explorer-directive`,children:[`@`,n.name.value]}),t[0]=n.name.value,t[1]=r),r},XA=e=>{let t=(0,_A.c)(10),{title:n,children:r}=e,i=ZA[n],a;t[0]===i?a=t[1]:(a=(0,X.jsx)(i,{}),t[0]=i,t[1]=a);let o;t[2]!==a||t[3]!==n?(o=(0,X.jsxs)(`div`,{className:`graphiql-doc-explorer-section-title`,children:[a,n]}),t[2]=a,t[3]=n,t[4]=o):o=t[4];let s;t[5]===r?s=t[6]:(s=(0,X.jsx)(`div`,{className:`graphiql-doc-explorer-section-content`,children:r}),t[5]=r,t[6]=s);let c;return t[7]!==o||t[8]!==s?(c=(0,X.jsxs)(`div`,{children:[o,s]}),t[7]=o,t[8]=s,t[9]=c):c=t[9],c},ZA={Arguments:py,"Deprecated Arguments":yy,"Deprecated Enum Values":by,"Deprecated Fields":xy,Directives:Sy,"Enum Values":Ty,Fields:Ey,Implements:Oy,Implementations:Uy,"Possible Types":Uy,"Root Types":Ly,Type:Uy,"All Schema Types":Uy},QA=e=>{let t=(0,_A.c)(15),{field:n}=e,r;t[0]===n.description?r=t[1]:(r=n.description?(0,X.jsx)(Yx,{type:`description`,children:n.description}):null,t[0]=n.description,t[1]=r);let i;t[2]===n.deprecationReason?i=t[3]:(i=(0,X.jsx)(JA,{preview:!1,children:n.deprecationReason}),t[2]=n.deprecationReason,t[3]=i);let a;t[4]===n.type?a=t[5]:(a=(0,X.jsx)(XA,{title:`Type`,children:(0,X.jsx)(KA,{type:n.type})}),t[4]=n.type,t[5]=a);let o,s;t[6]===n?(o=t[7],s=t[8]):(o=(0,X.jsx)($A,{field:n}),s=(0,X.jsx)(ej,{field:n}),t[6]=n,t[7]=o,t[8]=s);let c;return t[9]!==r||t[10]!==i||t[11]!==a||t[12]!==o||t[13]!==s?(c=(0,X.jsxs)(X.Fragment,{children:[r,i,a,o,s]}),t[9]=r,t[10]=i,t[11]=a,t[12]=o,t[13]=s,t[14]=c):c=t[14],c},$A=e=>{let t=(0,_A.c)(12),{field:n}=e,[r,i]=(0,H.useState)(!1),a;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(a=()=>{i(!0)},t[0]=a):a=t[0];let o=a;if(!(`args`in n))return null;let s,c,l;if(t[1]!==n.args){s=[],c=[];for(let e of n.args)e.deprecationReason?c.push(e):s.push(e);l=s.length>0?(0,X.jsx)(XA,{title:`Arguments`,children:s.map(tj)}):null,t[1]=n.args,t[2]=s,t[3]=c,t[4]=l}else s=t[2],c=t[3],l=t[4];let u;t[5]!==s.length||t[6]!==c||t[7]!==r?(u=c.length>0?r||s.length===0?(0,X.jsx)(XA,{title:`Deprecated Arguments`,children:c.map(nj)}):(0,X.jsx)(E8,{type:`button`,onClick:o,children:`Show Deprecated Arguments`}):null,t[5]=s.length,t[6]=c,t[7]=r,t[8]=u):u=t[8];let d;return t[9]!==l||t[10]!==u?(d=(0,X.jsxs)(X.Fragment,{children:[l,u]}),t[9]=l,t[10]=u,t[11]=d):d=t[11],d},ej=e=>{let t=(0,_A.c)(4),{field:n}=e,r=n.astNode?.directives;if(!r?.length)return null;let i;t[0]===r?i=t[1]:(i=r.map(rj),t[0]=r,t[1]=i);let a;return t[2]===i?a=t[3]:(a=(0,X.jsx)(XA,{title:`Directives`,children:i}),t[2]=i,t[3]=a),a};function tj(e){return(0,X.jsx)(qA,{arg:e},e.name)}function nj(e){return(0,X.jsx)(qA,{arg:e},e.name)}function rj(e){return(0,X.jsx)(`div`,{children:(0,X.jsx)(YA,{directive:e})},e.name.value)}var ij=e=>{let t=(0,_A.c)(35),{schema:n}=e,r;t[0]===n?r=t[1]:(r=n.getQueryType(),t[0]=n,t[1]=r);let i=r,a;t[2]===n?a=t[3]:(a=n.getMutationType(),t[2]=n,t[3]=a);let o=a,s;t[4]===n?s=t[5]:(s=n.getSubscriptionType(),t[4]=n,t[5]=s);let c=s,l,u,d,f,p;if(t[6]!==o||t[7]!==i||t[8]!==n||t[9]!==c){let e=n.getTypeMap(),r=[i?.name,o?.name,c?.name],a=n.description||`A GraphQL schema provides a root type for each kind of operation.`;t[15]===a?d=t[16]:(d=(0,X.jsx)(Yx,{type:`description`,children:a}),t[15]=a,t[16]=d);let s;t[17]===i?s=t[18]:(s=i?(0,X.jsxs)(`div`,{children:[(0,X.jsx)(`span`,{className:`graphiql-doc-explorer-root-type`,children:`query`}),`: `,(0,X.jsx)(KA,{type:i})]}):null,t[17]=i,t[18]=s);let m;t[19]===o?m=t[20]:(m=o&&(0,X.jsxs)(`div`,{children:[(0,X.jsx)(`span`,{className:`graphiql-doc-explorer-root-type`,children:`mutation`}),`: `,(0,X.jsx)(KA,{type:o})]}),t[19]=o,t[20]=m);let h;t[21]===c?h=t[22]:(h=c&&(0,X.jsxs)(`div`,{children:[(0,X.jsx)(`span`,{className:`graphiql-doc-explorer-root-type`,children:`subscription`}),`: `,(0,X.jsx)(KA,{type:c})]}),t[21]=c,t[22]=h),t[23]!==m||t[24]!==h||t[25]!==s?(f=(0,X.jsxs)(XA,{title:`Root Types`,children:[s,m,h]}),t[23]=m,t[24]=h,t[25]=s,t[26]=f):f=t[26],l=XA,u=`All Schema Types`,p=(0,X.jsx)(`div`,{children:Object.values(e).map(e=>r.includes(e.name)||e.name.startsWith(`__`)?null:(0,X.jsx)(`div`,{children:(0,X.jsx)(KA,{type:e})},e.name))}),t[6]=o,t[7]=i,t[8]=n,t[9]=c,t[10]=l,t[11]=u,t[12]=d,t[13]=f,t[14]=p}else l=t[10],u=t[11],d=t[12],f=t[13],p=t[14];let m;t[27]!==l||t[28]!==u||t[29]!==p?(m=(0,X.jsx)(l,{title:u,children:p}),t[27]=l,t[28]=u,t[29]=p,t[30]=m):m=t[30];let h;return t[31]!==d||t[32]!==f||t[33]!==m?(h=(0,X.jsxs)(X.Fragment,{children:[d,f,m]}),t[31]=d,t[32]=f,t[33]=m,t[34]=h):h=t[34],h},aj=e=>cj(e)?e.document:lj(e)?e:e?.ownerDocument??(typeof document<`u`?document:void 0),oj=e=>aj(e)?.defaultView??(typeof window<`u`?window:void 0);function sj(e){return typeof e==`object`&&!!e&&`nodeType`in e&&typeof e.nodeType==`number`}function cj(e){return typeof e==`object`&&!!e&&`window`in e&&e.window===e}function lj(e){return sj(e)&&e.nodeType===9}function uj(e){return sj(e)&&e.nodeType===11&&`host`in e}var dj=!1;function fj(){return dj}function pj(e,t){if(!fj())return t&&e?e.contains(t):!1;if(!e||!t)return!1;let n=t;for(;n!=null;){if(n===e)return!0;n=typeof n.assignedElements!=`function`&&n.assignedSlot?.parentNode?n.assignedSlot.parentNode:uj(n)?n.host:n.parentNode}return!1}var mj=(e=document)=>{if(!fj())return e.activeElement;let t=e.activeElement;for(;t&&`shadowRoot`in t&&t.shadowRoot?.activeElement;)t=t.shadowRoot.activeElement;return t};function hj(e){if(fj()&&e.target instanceof Element&&e.target.shadowRoot){if(`composedPath`in e)return e.composedPath()[0]??null;if(`composedPath`in e.nativeEvent)return e.nativeEvent.composedPath()[0]??null}return e.target}function gj(e){e.focus({preventScroll:!0})}var _j=typeof document<`u`?H.useLayoutEffect:()=>{};function vj(e){let t=e;return t.nativeEvent=e,t.isDefaultPrevented=()=>t.defaultPrevented,t.isPropagationStopped=()=>t.cancelBubble,t.persist=()=>{},t}function yj(e,t){Object.defineProperty(e,"target",{value:t}),Object.defineProperty(e,"currentTarget",{value:t})}function bj(e){let t=(0,H.useRef)({isFocused:!1,observer:null});return _j(()=>{let e=t.current;return()=>{e.observer&&=(e.observer.disconnect(),null)}},[]),(0,H.useCallback)(n=>{let r=hj(n);if(r instanceof HTMLButtonElement||r instanceof HTMLInputElement||r instanceof HTMLTextAreaElement||r instanceof HTMLSelectElement){t.current.isFocused=!0;let n=r;n.addEventListener(`focusout`,r=>{if(t.current.isFocused=!1,n.disabled){let t=vj(r);e?.(t)}t.current.observer&&(t.current.observer.disconnect(),t.current.observer=null)},{once:!0}),t.current.observer=new MutationObserver(()=>{if(t.current.isFocused&&n.disabled){t.current.observer?.disconnect();let e=n===mj()?null:mj();n.dispatchEvent(new FocusEvent(`blur`,{relatedTarget:e})),n.dispatchEvent(new FocusEvent(`focusout`,{bubbles:!0,relatedTarget:e}))}}),t.current.observer.observe(n,{attributes:!0,attributeFilter:[`disabled`]})}},[e])}function xj(e){if(typeof window>`u`||window.navigator==null)return!1;let t=window.navigator.userAgentData?.brands;return Array.isArray(t)&&t.some(t=>e.test(t.brand))||e.test(window.navigator.userAgent)}function Sj(e){return typeof window<`u`&&window.navigator!=null&&e.test(window.navigator.userAgentData?.platform||window.navigator.platform)}function Cj(e){let t=null;return()=>(t??=e(),t)}var wj=Cj(function(){return Sj(/^Mac/i)}),Tj=Cj(function(){return Sj(/^iPhone/i)}),Ej=Cj(function(){return Sj(/^iPad/i)||wj()&&navigator.maxTouchPoints>1}),Dj=Cj(function(){return Tj()||Ej()}),Oj=Cj(function(){return xj(/AppleWebKit/i)&&(Dj()||!kj())}),kj=Cj(function(){return xj(/Chrome|CriOS|CrMo/i)}),Aj=Cj(function(){return xj(/Android/i)});function jj(e){return e.pointerType===``&&e.isTrusted?!0:Aj()&&e.pointerType?e.type===`click`&&e.buttons===1:e.detail===0&&!e.pointerType}function Mj(e,t,n=!0){let{metaKey:r,ctrlKey:i,altKey:a,shiftKey:o}=t,s=Oj()&&wj()&&!Ej()?new KeyboardEvent(`keydown`,{keyIdentifier:`Enter`,metaKey:r,ctrlKey:i,altKey:a,shiftKey:o}):new MouseEvent(`click`,{metaKey:r,ctrlKey:i,altKey:a,shiftKey:o,detail:1,bubbles:!0,cancelable:!0});Mj.isOpening=n,gj(e),e.dispatchEvent(s),Mj.isOpening=!1}Mj.isOpening=!1;var Nj=null,Pj=new Set,Fj=new Map,Ij=!1,Lj=!1,Rj={Tab:!0,Escape:!0};function zj(e,t){for(let n of Pj)n(e,t)}function Bj(e){return!(e.metaKey||!wj()&&e.altKey||e.ctrlKey||e.key===`Control`||e.key===`Shift`||e.key===`Meta`)}function Vj(e){Ij=!0,!Mj.isOpening&&Bj(e)&&(Nj=`keyboard`,zj(`keyboard`,e))}function Hj(e){Nj=`pointer`,`pointerType`in e&&e.pointerType,(e.type===`mousedown`||e.type===`pointerdown`)&&(Ij=!0,zj(`pointer`,e))}function Uj(e){!Mj.isOpening&&jj(e)&&(Ij=!0,Nj=`virtual`)}function Wj(e){let t=hj(e),n=oj(t),r=aj(t);t===n?Lj=!0:t!==r&&e.isTrusted&&(!Ij&&!Lj&&(Nj=`virtual`,zj(`virtual`,e)),Ij=!1,Lj=!1)}function Gj(){Ij=!1,Lj=!0}function Kj(e){let t=mj(aj(hj(e)));queueMicrotask(()=>{mj(aj(hj(e)))!==t&&Zj(`keyboard`)})}function qj(e){if(typeof window>`u`||typeof document>`u`)return;let t=oj(e),n=aj(e);if(Fj.get(t))return;let r=t.HTMLElement.prototype.focus;Reflect.defineProperty(t.HTMLElement.prototype,"focus",{configurable:!0,writable:!0,value:function(){Ij=!0,r.apply(this,arguments)}}),n.addEventListener(`keydown`,Vj,!0),n.addEventListener(`keyup`,Vj,!0),n.addEventListener(`click`,Uj,!0),n.addEventListener(`invalid`,Kj,!0),t.addEventListener(`focus`,Wj,!0),t.addEventListener(`blur`,Gj,!1),typeof PointerEvent<`u`&&(n.addEventListener(`pointerdown`,Hj,!0),n.addEventListener(`pointermove`,Hj,!0),n.addEventListener(`pointerup`,Hj,!0)),t.addEventListener(`beforeunload`,()=>{Jj(e)},{once:!0}),Fj.set(t,{focus:r})}var Jj=(e,t)=>{let n=oj(e),r=aj(e);t&&r.removeEventListener(`DOMContentLoaded`,t),Fj.has(n)&&(Reflect.defineProperty(n.HTMLElement.prototype,"focus",{configurable:!0,writable:!0,value:Fj.get(n).focus}),r.removeEventListener(`keydown`,Vj,!0),r.removeEventListener(`keyup`,Vj,!0),r.removeEventListener(`click`,Uj,!0),r.removeEventListener(`invalid`,Kj,!0),n.removeEventListener(`focus`,Wj,!0),n.removeEventListener(`blur`,Gj,!1),typeof PointerEvent<`u`&&(r.removeEventListener(`pointerdown`,Hj,!0),r.removeEventListener(`pointermove`,Hj,!0),r.removeEventListener(`pointerup`,Hj,!0)),Fj.delete(n))};function Yj(e){let t=aj(e),n;return t.readyState===`loading`?(n=()=>{qj(e)},t.addEventListener(`DOMContentLoaded`,n)):qj(e),()=>Jj(e,n)}typeof document<`u`&&Yj();function Xj(){return Nj!==`pointer`}function Zj(e){Nj=e,zj(e,null)}var Qj=new Set([`checkbox`,`radio`,`range`,`color`,`file`,`image`,`button`,`submit`,`reset`]);function $j(e,t,n){let r=n?hj(n):void 0,i=aj(r),a=oj(r),o=a===void 0?HTMLInputElement:a.HTMLInputElement,s=a===void 0?HTMLTextAreaElement:a.HTMLTextAreaElement,c=a===void 0?HTMLElement:a.HTMLElement,l=a===void 0?KeyboardEvent:a.KeyboardEvent,u=mj(i);return e=e||u instanceof o&&!Qj.has(u.type)||u instanceof s||u instanceof c&&u.isContentEditable,!(e&&t===`keyboard`&&n instanceof l&&!Rj[n.key])}function eM(e,t,n){qj(),(0,H.useEffect)(()=>{if(n?.enabled===!1)return;let t=(t,r)=>{$j(!!n?.isTextInput,t,r)&&e(Xj())};return Pj.add(t),()=>{Pj.delete(t)}},t)}function tM(e){let{isDisabled:t,onFocus:n,onBlur:r,onFocusChange:i}=e,a=(0,H.useCallback)(e=>{if(hj(e)===e.currentTarget)return r&&r(e),i&&i(!1),!0},[r,i]),o=bj(a),s=(0,H.useCallback)(e=>{let t=hj(e),r=aj(t),a=r?mj(r):mj();t===e.currentTarget&&t===a&&(n&&n(e),i&&i(!0),o(e))},[i,n,o]);return{focusProps:{onFocus:!t&&(n||i||r)?s:void 0,onBlur:!t&&(r||i)?a:void 0}}}function nM(){let e=(0,H.useRef)(new Map),t=(0,H.useCallback)((t,n,r,i)=>{let a=i?.once?(...t)=>{e.current.delete(r),r(...t)}:r;e.current.set(r,{type:n,eventTarget:t,fn:a,options:i}),t.addEventListener(n,a,i)},[]),n=(0,H.useCallback)((t,n,r,i)=>{let a=e.current.get(r)?.fn||r;t.removeEventListener(n,a,i),e.current.delete(r)},[]),r=(0,H.useCallback)(()=>{e.current.forEach((e,t)=>{n(e.eventTarget,e.type,t,e.options)})},[n]);return(0,H.useEffect)(()=>r,[r]),{addGlobalListener:t,removeGlobalListener:n,removeAllGlobalListeners:r}}function rM(e){let{isDisabled:t,onBlurWithin:n,onFocusWithin:r,onFocusWithinChange:i}=e,a=(0,H.useRef)({isFocusWithin:!1}),{addGlobalListener:o,removeAllGlobalListeners:s}=nM(),c=(0,H.useCallback)(e=>{pj(e.currentTarget,hj(e))&&a.current.isFocusWithin&&!pj(e.currentTarget,e.relatedTarget)&&(a.current.isFocusWithin=!1,s(),n&&n(e),i&&i(!1))},[n,i,a,s]),l=bj(c),u=(0,H.useCallback)(e=>{if(!pj(e.currentTarget,hj(e)))return;let t=hj(e),n=aj(t),s=mj(n);if(!a.current.isFocusWithin&&s===t){r&&r(e),i&&i(!0),a.current.isFocusWithin=!0,l(e);let t=e.currentTarget;o(n,`focus`,e=>{let r=hj(e);if(a.current.isFocusWithin&&!pj(t,r)){let e=new n.defaultView.FocusEvent(`blur`,{relatedTarget:r});yj(e,t);let i=vj(e);c(i)}},{capture:!0})}},[r,i,l,o,c]);return t?{focusWithinProps:{onFocus:void 0,onBlur:void 0}}:{focusWithinProps:{onFocus:u,onBlur:c}}}function iM(e={}){let{autoFocus:t=!1,isTextInput:n,within:r}=e,i=(0,H.useRef)({isFocused:!1,isFocusVisible:t||Xj()}),[a,o]=(0,H.useState)(!1),[s,c]=(0,H.useState)(()=>i.current.isFocused&&i.current.isFocusVisible),l=(0,H.useCallback)(()=>c(i.current.isFocused&&i.current.isFocusVisible),[]),u=(0,H.useCallback)(e=>{i.current.isFocused=e,i.current.isFocusVisible=Xj(),o(e),l()},[l]);eM(e=>{i.current.isFocusVisible=e,l()},[n,a],{enabled:a,isTextInput:n});let{focusProps:d}=tM({isDisabled:r,onFocusChange:u}),{focusWithinProps:f}=rM({isDisabled:!r,onFocusWithinChange:u});return{isFocused:a,isFocusVisible:s,focusProps:r?f:d}}var aM=!1,oM=0;function sM(){aM=!0,setTimeout(()=>{aM=!1},500)}function cM(e){e.pointerType===`touch`&&sM()}function lM(){let e=aj(null);if(e!==void 0)return oM===0&&typeof PointerEvent<`u`&&e.addEventListener(`pointerup`,cM),oM++,()=>{oM--,oM>0||typeof PointerEvent<`u`&&e.removeEventListener(`pointerup`,cM)}}function uM(e){let{onHoverStart:t,onHoverChange:n,onHoverEnd:r,isDisabled:i}=e,[a,o]=(0,H.useState)(!1),s=(0,H.useRef)({isHovered:!1,ignoreEmulatedMouseEvents:!1,pointerType:``,target:null}).current;(0,H.useEffect)(lM,[]);let{addGlobalListener:c,removeAllGlobalListeners:l}=nM(),{hoverProps:u,triggerHoverEnd:d}=(0,H.useMemo)(()=>{let e=(e,r)=>{if(s.pointerType=r,i||r===`touch`||s.isHovered||!pj(e.currentTarget,hj(e)))return;s.isHovered=!0;let l=e.currentTarget;s.target=l,c(aj(hj(e)),`pointerover`,e=>{s.isHovered&&s.target&&!pj(s.target,hj(e))&&a(e,e.pointerType)},{capture:!0}),t&&t({type:`hoverstart`,target:l,pointerType:r}),n&&n(!0),o(!0)},a=(e,t)=>{let i=s.target;s.pointerType=``,s.target=null,t!==`touch`&&s.isHovered&&i&&(s.isHovered=!1,l(),r&&r({type:`hoverend`,target:i,pointerType:t}),n&&n(!1),o(!1))},u={};return typeof PointerEvent<`u`&&(u.onPointerEnter=t=>{aM&&t.pointerType===`mouse`||e(t,t.pointerType)},u.onPointerLeave=e=>{!i&&pj(e.currentTarget,hj(e))&&a(e,e.pointerType)}),{hoverProps:u,triggerHoverEnd:a}},[t,n,r,i,s,c,l]);return(0,H.useEffect)(()=>{i&&d({currentTarget:s.target},s.pointerType)},[i]),{hoverProps:u,isHovered:a}}var dM=Object.defineProperty,fM=(e,t,n)=>t in e?dM(e,t,{enumerable:!0,configurable:!0,writable:!0,value:n}):e[t]=n,pM=(e,t,n)=>(fM(e,typeof t==`symbol`?t:t+``,n),n),mM=new class{constructor(){pM(this,`current`,this.detect()),pM(this,`handoffState`,`pending`),pM(this,`currentId`,0)}set(e){this.current!==e&&(this.handoffState=`pending`,this.currentId=0,this.current=e)}reset(){this.set(this.detect())}nextId(){return++this.currentId}get isServer(){return this.current===`server`}get isClient(){return this.current===`client`}detect(){return typeof window>`u`||typeof document>`u`?`server`:`client`}handoff(){this.handoffState===`pending`&&(this.handoffState=`complete`)}get isHandoffComplete(){return this.handoffState===`complete`}};function hM(e){return mM.isServer?null:e==null?document:e?.ownerDocument??document}function gM(e){return mM.isServer?null:e==null?document:(e?.getRootNode)?.call(e)??document}function _M(e){return gM(e)?.activeElement??null}function vM(e){return _M(e)===e}function yM(e){typeof queueMicrotask==`function`?queueMicrotask(e):Promise.resolve().then(e).catch(e=>setTimeout(()=>{throw e}))}function bM(){let e=[],t={addEventListener(e,n,r,i){return e.addEventListener(n,r,i),t.add(()=>e.removeEventListener(n,r,i))},requestAnimationFrame(...e){let n=requestAnimationFrame(...e);return t.add(()=>cancelAnimationFrame(n))},nextFrame(...e){return t.requestAnimationFrame(()=>t.requestAnimationFrame(...e))},setTimeout(...e){let n=setTimeout(...e);return t.add(()=>clearTimeout(n))},microTask(...e){let n={current:!0};return yM(()=>{n.current&&e[0]()}),t.add(()=>{n.current=!1})},style(e,t,n){let r=e.style.getPropertyValue(t);return Object.assign(e.style,{[t]:n}),this.add(()=>{Object.assign(e.style,{[t]:r})})},group(e){let t=bM();return e(t),this.add(()=>t.dispose())},add(t){return e.includes(t)||e.push(t),()=>{let n=e.indexOf(t);if(n>=0)for(let t of e.splice(n,1))t()}},dispose(){for(let t of e.splice(0))t()}};return t}function xM(){let[e]=(0,H.useState)(bM);return(0,H.useEffect)(()=>()=>e.dispose(),[e]),e}var SM=(e,t)=>{mM.isServer?(0,H.useEffect)(e,t):(0,H.useLayoutEffect)(e,t)};function CM(e){let t=(0,H.useRef)(e);return SM(()=>{t.current=e},[e]),t}var wM=function(e){let t=CM(e);return H.useCallback((...e)=>t.current(...e),[t])};function TM(e){let t=e.width/2,n=e.height/2;return{top:e.clientY-n,right:e.clientX+t,bottom:e.clientY+n,left:e.clientX-t}}function EM(e,t){return!(!e||!t||e.right<t.left||e.left>t.right||e.bottom<t.top||e.top>t.bottom)}function DM({disabled:e=!1}={}){let t=(0,H.useRef)(null),[n,r]=(0,H.useState)(!1),i=xM(),a=wM(()=>{t.current=null,r(!1),i.dispose()}),o=wM(e=>{if(i.dispose(),t.current===null){t.current=e.currentTarget,r(!0);{let n=hM(e.currentTarget);i.addEventListener(n,`pointerup`,a,!1),i.addEventListener(n,`pointermove`,e=>{if(t.current){let n=TM(e);r(EM(n,t.current.getBoundingClientRect()))}},!1),i.addEventListener(n,`pointercancel`,a,!1)}}});return{pressed:n,pressProps:e?{}:{onPointerDown:o,onPointerUp:a,onClick:a}}}function OM(e){return(0,H.useMemo)(()=>e,Object.values(e))}var kM=(0,H.createContext)(void 0);function AM(){return(0,H.useContext)(kM)}function jM(...e){return Array.from(new Set(e.flatMap(e=>typeof e==`string`?e.split(` `):[]))).filter(Boolean).join(` `)}function MM(e,t,...n){if(e in t){let r=t[e];return typeof r==`function`?r(...n):r}let r=Error(`Tried to handle "${e}" but there is no handler defined. Only defined handlers are: ${Object.keys(t).map(e=>`"${e}"`).join(`, `)}.`);throw Error.captureStackTrace&&Error.captureStackTrace(r,MM),r}var NM=(e=>(e[e.None=0]=`None`,e[e.RenderStrategy=1]=`RenderStrategy`,e[e.Static=2]=`Static`,e))(NM||{}),PM=(e=>(e[e.Unmount=0]=`Unmount`,e[e.Hidden=1]=`Hidden`,e))(PM||{});function FM(){let e=RM();return(0,H.useCallback)(t=>IM({mergeRefs:e,...t}),[e])}function IM({ourProps:e,theirProps:t,slot:n,defaultTag:r,features:i,visible:a=!0,name:o,mergeRefs:s}){s??=zM;let c=BM(t,e);if(a)return LM(c,n,r,o,s);let l=i??0;if(l&2){let{static:e=!1,...t}=c;if(e)return LM(t,n,r,o,s)}if(l&1){let{unmount:e=!0,...t}=c;return MM(+!e,{0(){return null},1(){return LM({...t,hidden:!0,style:{display:`none`}},n,r,o,s)}})}return LM(c,n,r,o,s)}function LM(e,t={},n,r,i){let{as:a=n,children:o,refName:s=`ref`,...c}=WM(e,[`unmount`,`static`]),l=e.ref===void 0?{}:{[s]:e.ref},u=typeof o==`function`?o(t):o;u=KM(u),`className`in c&&c.className&&typeof c.className==`function`&&(c.className=c.className(t)),c[`aria-labelledby`]&&c[`aria-labelledby`]===c.id&&(c[`aria-labelledby`]=void 0);let d={};if(t){let e=!1,n=[];for(let[r,i]of Object.entries(t))typeof i==`boolean`&&(e=!0),i===!0&&n.push(r.replace(/([A-Z])/g,e=>`-${e.toLowerCase()}`));if(e){d[`data-headlessui-state`]=n.join(` `);for(let e of n)d[`data-${e}`]=``}}if(qM(a)&&(Object.keys(UM(c)).length>0||Object.keys(UM(d)).length>0)){if(!(0,H.isValidElement)(u)||Array.isArray(u)&&u.length>1||JM(u)){if(Object.keys(UM(c)).length>0)throw Error([`Passing props on "Fragment"!`,``,`The current component <${r} /> is rendering a "Fragment".`,`However we need to passthrough the following props:`,Object.keys(UM(c)).concat(Object.keys(UM(d))).map(e=>`  - ${e}`).join(`
`),``,`You can apply a few solutions:`,['Add an `as="..."` prop, to ensure that we render an actual element instead of a "Fragment".',`Render a single element as the child so that we can forward the props onto that element.`].map(e=>`  - ${e}`).join(`
`)].join(`
`))}else{let e=u.props?.className,t=typeof e==`function`?(...t)=>jM(e(...t),c.className):jM(e,c.className),n=t?{className:t}:{},r=BM(u.props,UM(WM(c,[`ref`])));for(let e in d)e in r&&delete d[e];return(0,H.cloneElement)(u,Object.assign({},r,d,l,{ref:i(GM(u),l.ref)},n))}}return(0,H.createElement)(a,Object.assign({},WM(c,[`ref`]),!qM(a)&&l,!qM(a)&&d),u)}function RM(){let e=(0,H.useRef)([]),t=(0,H.useCallback)(t=>{for(let n of e.current)n!=null&&(typeof n==`function`?n(t):n.current=t)},[]);return(...n)=>{if(!n.every(e=>e==null))return e.current=n,t}}function zM(...e){return e.every(e=>e==null)?void 0:t=>{for(let n of e)n!=null&&(typeof n==`function`?n(t):n.current=t)}}function BM(...e){if(e.length===0)return{};if(e.length===1)return e[0];let t={},n={};for(let r of e)for(let e in r)e.startsWith(`on`)&&typeof r[e]==`function`?(n[e]??(n[e]=[]),n[e].push(r[e])):t[e]=r[e];if(t.disabled||t[`aria-disabled`])for(let e in n)/^(on(?:Click|Pointer|Mouse|Key)(?:Down|Up|Press)?)$/.test(e)&&(n[e]=[e=>(e?.preventDefault)?.call(e)]);for(let e in n)Object.assign(t,{[e](t,...r){let i=n[e];for(let e of i){if((t instanceof Event||t?.nativeEvent instanceof Event)&&t.defaultPrevented)return;e(t,...r)}}});return t}function VM(...e){if(e.length===0)return{};if(e.length===1)return e[0];let t={},n={};for(let r of e)for(let e in r)e.startsWith(`on`)&&typeof r[e]==`function`?(n[e]??(n[e]=[]),n[e].push(r[e])):t[e]=r[e];for(let e in n)Object.assign(t,{[e](...t){let r=n[e];for(let e of r)e?.(...t)}});return t}function HM(e){return Object.assign((0,H.forwardRef)(e),{displayName:e.displayName??e.name})}function UM(e){let t=Object.assign({},e);for(let e in t)t[e]===void 0&&delete t[e];return t}function WM(e,t=[]){let n=Object.assign({},e);for(let e of t)e in n&&delete n[e];return n}function GM(e){return`19.3.1`.split(`.`)[0]>=`19`?e.props.ref:e.ref}function KM(e){if(e!=null&&e.$$typeof===Symbol.for(`react.lazy`)){let t=e._payload;if(t!=null&&t.status===`fulfilled`)return KM(t.value)}return e}function qM(e){return e===H.Fragment||e===Symbol.for(`react.fragment`)}function JM(e){return qM(e.type)}function YM(e,t,n){let[r,i]=(0,H.useState)(n),a=e!==void 0,o=(0,H.useRef)(a),s=(0,H.useRef)(!1),c=(0,H.useRef)(!1);return a&&!o.current&&!s.current?(s.current=!0,o.current=a,console.error(`A component is changing from uncontrolled to controlled. This may be caused by the value changing from undefined to a defined value, which should not happen.`)):!a&&o.current&&!c.current&&(c.current=!0,o.current=a,console.error(`A component is changing from controlled to uncontrolled. This may be caused by the value changing from a defined value to undefined, which should not happen.`)),[a?e:r,wM(e=>(a||(0,z2.flushSync)(()=>i(e)),t?.(e)))]}function XM(e){let[t]=(0,H.useState)(e);return t}function ZM(e={},t=null,n=[]){for(let[r,i]of Object.entries(e))$M(n,QM(t,r),i);return n}function QM(e,t){return e?e+`[`+t+`]`:t}function $M(e,t,n){if(Array.isArray(n))for(let[r,i]of n.entries())$M(e,QM(t,r.toString()),i);else n instanceof Date?e.push([t,n.toISOString()]):typeof n==`boolean`?e.push([t,n?`1`:`0`]):typeof n==`string`?e.push([t,n]):typeof n==`number`?e.push([t,`${n}`]):n==null?e.push([t,``]):eN(n)&&!(0,H.isValidElement)(n)&&ZM(n,t,e)}function eN(e){if(Object.prototype.toString.call(e)!==`[object Object]`)return!1;let t=Object.getPrototypeOf(e);return t===null||Object.getPrototypeOf(t)===null}var tN=`span`,nN=(e=>(e[e.None=1]=`None`,e[e.Focusable=2]=`Focusable`,e[e.Hidden=4]=`Hidden`,e))(nN||{});function rN(e,t){let{features:n=1,...r}=e,i={ref:t,"aria-hidden":(n&2)==2?!0:r[`aria-hidden`]??void 0,hidden:(n&4)==4||void 0,style:{position:`fixed`,top:1,left:1,width:1,height:0,padding:0,margin:-1,overflow:`hidden`,clip:`rect(0, 0, 0, 0)`,whiteSpace:`nowrap`,borderWidth:`0`,...(n&4)==4&&(n&2)!=2&&{display:`none`}}};return FM()({ourProps:i,theirProps:r,slot:{},defaultTag:tN,name:`Hidden`})}var iN=HM(rN),aN=(0,H.createContext)(null);function oN({children:e}){let t=(0,H.useContext)(aN);if(!t)return H.createElement(H.Fragment,null,e);let{target:n}=t;return n?(0,z2.createPortal)(H.createElement(H.Fragment,null,e),n):null}function sN({data:e,form:t,disabled:n,onReset:r,overrides:i}){let[a,o]=(0,H.useState)(null),s=xM();return(0,H.useEffect)(()=>{if(r&&a)return s.addEventListener(a,`reset`,r)},[a,t,r]),H.createElement(oN,null,H.createElement(cN,{setForm:o,formId:t}),ZM(e).map(([e,r])=>H.createElement(iN,{features:nN.Hidden,...UM({key:e,as:`input`,type:`hidden`,hidden:!0,readOnly:!0,form:t,disabled:n,name:e,value:r,...i})})))}function cN({setForm:e,formId:t}){return(0,H.useEffect)(()=>{if(t){let n=document.getElementById(t);n&&e(n)}},[e,t]),t?null:H.createElement(iN,{features:nN.Hidden,as:`input`,type:`hidden`,hidden:!0,readOnly:!0,ref:t=>{if(!t)return;let n=t.closest(`form`);n&&e(n)}})}var lN=(0,H.createContext)(void 0);function uN(){return(0,H.useContext)(lN)}function dN(e){return typeof e!=`object`||!e?!1:`nodeType`in e}function fN(e){return dN(e)&&`tagName`in e}function pN(e){return fN(e)&&`accessKey`in e}function mN(e){return fN(e)&&`tabIndex`in e}function hN(e){return fN(e)&&`style`in e}function gN(e){return pN(e)&&e.nodeName===`IFRAME`}function _N(e){return pN(e)&&e.nodeName===`INPUT`}function vN(e){return pN(e)&&e.nodeName===`LABEL`}function yN(e){return pN(e)&&e.nodeName===`FIELDSET`}function bN(e){return pN(e)&&e.nodeName===`LEGEND`}function xN(e){return fN(e)?e.matches(`a[href],audio[controls],button,details,embed,iframe,img[usemap],input:not([type="hidden"]),label,select,textarea,video[controls]`):!1}function SN(e){let t=e.parentElement,n=null;for(;t&&!yN(t);)bN(t)&&(n=t),t=t.parentElement;let r=t?.getAttribute(`disabled`)===``;return r&&CN(n)?!1:r}function CN(e){if(!e)return!1;let t=e.previousElementSibling;for(;t!==null;){if(bN(t))return!1;t=t.previousElementSibling}return!0}var wN=Symbol();function TN(e,t=!0){return Object.assign(e,{[wN]:t})}function EN(...e){let t=(0,H.useRef)(e);(0,H.useEffect)(()=>{t.current=e},[e]);let n=wM(e=>{for(let n of t.current)n!=null&&(typeof n==`function`?n(e):n.current=e)});return e.every(e=>e==null||e?.[wN])?void 0:n}var DN=(0,H.createContext)(null);DN.displayName=`DescriptionContext`;function ON(){let e=(0,H.useContext)(DN);if(e===null){let e=Error(`You used a <Description /> component, but it is not inside a relevant parent.`);throw Error.captureStackTrace&&Error.captureStackTrace(e,ON),e}return e}function kN(){return(0,H.useContext)(DN)?.value??void 0}var AN=`p`;function jN(e,t){let n=(0,H.useId)(),r=AM(),{id:i=`headlessui-description-${n}`,...a}=e,o=ON(),s=EN(t);SM(()=>o.register(i),[i,o.register]);let c=OM({...o.slot,disabled:r||!1}),l={ref:s,...o.props,id:i};return FM()({ourProps:l,theirProps:a,slot:c,defaultTag:AN,name:o.name||`Description`})}var MN=HM(jN);Object.assign(MN,{});var NN=(e=>(e.Space=` `,e.Enter=`Enter`,e.Escape=`Escape`,e.Backspace=`Backspace`,e.Delete=`Delete`,e.ArrowLeft=`ArrowLeft`,e.ArrowUp=`ArrowUp`,e.ArrowRight=`ArrowRight`,e.ArrowDown=`ArrowDown`,e.Home=`Home`,e.End=`End`,e.PageUp=`PageUp`,e.PageDown=`PageDown`,e.Tab=`Tab`,e))(NN||{}),PN=(0,H.createContext)(null);PN.displayName=`LabelContext`;function FN(){let e=(0,H.useContext)(PN);if(e===null){let e=Error(`You used a <Label /> component, but it is not inside a relevant parent.`);throw Error.captureStackTrace&&Error.captureStackTrace(e,FN),e}return e}function IN(e){let t=(0,H.useContext)(PN)?.value??void 0;return(e?.length??0)>0?[t,...e].filter(Boolean).join(` `):t}function LN({inherit:e=!1}={}){let t=IN(),[n,r]=(0,H.useState)([]),i=e?[t,...n].filter(Boolean):n;return[i.length>0?i.join(` `):void 0,(0,H.useMemo)(()=>function(e){let t=wM(e=>(r(t=>[...t,e]),()=>r(t=>{let n=t.slice(),r=n.indexOf(e);return r!==-1&&n.splice(r,1),n}))),n=(0,H.useMemo)(()=>({register:t,slot:e.slot,name:e.name,props:e.props,value:e.value}),[t,e.slot,e.name,e.props,e.value]);return H.createElement(PN.Provider,{value:n},e.children)},[r])]}var RN=`label`;function zN(e,t){let n=(0,H.useId)(),r=FN(),i=uN(),a=AM(),{id:o=`headlessui-label-${n}`,htmlFor:s=i??r.props?.htmlFor,passive:c=!1,...l}=e,u=EN(t);SM(()=>r.register(o),[o,r.register]);let d=wM(e=>{let t=e.currentTarget;if(!(e.target!==e.currentTarget&&xN(e.target))&&(vN(t)&&e.preventDefault(),r.props&&`onClick`in r.props&&typeof r.props.onClick==`function`&&r.props.onClick(e),vN(t))){let e=document.getElementById(t.htmlFor);if(e){let t=e.getAttribute(`disabled`);if(t===`true`||t===``)return;let n=e.getAttribute(`aria-disabled`);if(n===`true`||n===``)return;(_N(e)&&(e.type===`file`||e.type===`radio`||e.type===`checkbox`)||e.role===`radio`||e.role===`checkbox`||e.role===`switch`)&&e.click(),e.focus({preventScroll:!0})}}}),f=OM({...r.slot,disabled:a||!1}),p={ref:u,...r.props,id:o,htmlFor:s,onClick:d};return c&&(`onClick`in p&&(delete p.htmlFor,delete p.onClick),`onClick`in l&&delete l.onClick),FM()({ourProps:p,theirProps:l,slot:f,defaultTag:s?RN:`div`,name:r.name||`Label`})}var BN=HM(zN),VN=Object.assign(BN,{});function HN(e){return typeof e==`object`?e.key:e}function UN(e,t){let n=e.length;return new Proxy(e,{get(e,r,i){if(typeof r==`string`){let i=r.charCodeAt(0);if(i>=48&&i<=57){let i=+r;if(Number.isInteger(i)&&i>=0&&i<n){let n=e[i];if(typeof n!=`object`){let r=t[i*2];n=e[i]={index:i,key:n,start:r,size:t[i*2+1],end:r+t[i*2+1],lane:0}}return n}}if(r===`length`)return n}return Reflect.get(e,r,i)}})}function WN(e,t,n){let r=n.initialDeps??[],i,a=!0;function o(){let o=e();return(o.length!==r.length||o.some((e,t)=>r[t]!==e))&&(r=o,i=t(...o),n?.onChange&&!(a&&n.skipInitialOnChange)&&n.onChange(i),a=!1),i}return o.updateDeps=e=>{r=e},o}function GN(e,t){if(e===void 0)throw Error(`Unexpected undefined${t?`: ${t}`:``}`);return e}var KN=(e,t)=>Math.abs(e-t)<1.01,qN=(e,t,n)=>{let r;return Object.assign(function(...i){e.clearTimeout(r),r=e.setTimeout(()=>t.apply(this,i),n)},{cancel:()=>{e.clearTimeout(r)}})};function JN({offset:e,isScrolling:t,elementMax:n,holdOffset:r,scrollOffset:i,pendingWrite:a,clampedMaxAtWrite:o,ownWriteAt:s}){return t&&a===null&&e===i?`spurious`:a!==null&&Math.abs(e-a.target)<1.5?`readBack`:a!==null&&!a.smooth&&n!==null&&a.target>n+r+.5&&Math.abs(e-(n+r))<1.5||a!==null&&!a.smooth&&a.lowMaxes?.some(t=>Math.abs(e-t)<1.5)?`clampedReadBack`:o!==null&&Math.abs(e-o)<1.5?`clampedEcho`:!t&&s!==null&&Math.abs(e-s)<1.5?`restEcho`:`external`}var YN=e=>e===`smooth`||e===`smoothFinishing`;function XN({kind:e,offset:t,command:n,target:r}){let i,a=()=>i??=r();return e!==`spurious`&&e!==`readBack`&&e!==`clampedReadBack`&&n?.index!=null&&n.phase!==`queued`&&!YN(n.phase)&&!KN(t,n.lastTargetOffset)&&!KN(t,a())&&(e!==`restEcho`||a()===n.lastTargetOffset)&&e!==`clampedEcho`}var ZN=40;function QN(e){let t=e[e.length-1];if(t===void 0)return!1;let n=e.length-2;for(;n>=0&&t.t-e[n].t<ZN;)n--;if(n<0)return!1;let r=e[n],i=n-1;for(;i>=0&&r.t-e[i].t<ZN;)i--;if(i<0)return!1;let a=e[i],o=(t.offset-r.offset)/(t.t-r.t),s=(r.offset-a.offset)/(r.t-a.t);return o*s>=0&&Math.abs(o)>=2*Math.abs(s)&&Math.abs(o)-Math.abs(s)>=.8}function $N(e){let t=e[e.length-1];if(t===void 0)return!1;let n=e.length-2;for(;n>=0&&t.t-e[n].t<ZN;)n--;if(n<0)return!1;let r=e[n];return Math.abs(t.offset-r.offset)/(t.t-r.t)>=.05}var eP,tP=()=>{if(eP!==void 0)return eP;if(typeof navigator>`u`)return eP=!1;if(/iP(hone|od|ad)/.test(navigator.userAgent))return eP=!0;let e=navigator.maxTouchPoints;return eP=navigator.platform===`MacIntel`&&e!==void 0&&e>0},nP,rP=()=>nP===void 0?nP=tP()&&typeof CSS<`u`&&typeof CSS.supports==`function`&&CSS.supports(`overflow-anchor: auto`):nP,iP=()=>!tP()||rP(),aP={capture:!0,passive:!0},oP=class{constructor(e){this.host=e,this._touch=null,this.inMotion=()=>this._touch!==null&&this._touch.phase!==`lateFling`,this.dragging=()=>this._touch?.phase===`down`&&this._touch.moved,this.tail=()=>this._touch?.phase===`tail`?this._touch.moved?`fling`:`tap`:null,this.onScroll=({isScrolling:e,ownReadBack:t,moved:n,external:r})=>(e&&this._touch?.phase===`tail`?this._openTail(this._touch.moved||!t,!1):this._touch?.phase===`lateFling`&&(this.host.now()>this._touch.until?this._touch=null:r&&e&&n&&this._openTail(!0,!1)),!t&&e&&n&&this._touch?.phase===`down`?(this._touch.moved=!0,!0):!1),this.touchStart=()=>{this.end(),this._touch={phase:`down`,moved:!1}},this.touchEnd=()=>{let e=this._touch?.phase===`down`&&this._touch.moved;this.end(),this._openTail(e,e)},this.end=()=>{let e=this.host.getWindow();this._touch?.phase===`tail`&&e!=null&&e.clearTimeout(this._touch.timerId),this._touch=null},this.listen=e=>{let t=()=>this.touchStart(),n=()=>this.touchEnd();return e.addEventListener(`touchstart`,t,aP),e.addEventListener(`touchend`,n,aP),e.addEventListener(`touchcancel`,n,aP),()=>{e.removeEventListener(`touchstart`,t,aP),e.removeEventListener(`touchend`,n,aP),e.removeEventListener(`touchcancel`,n,aP),this.end()}},this._openTail=(e,t)=>{let n=this.host.getWindow();if(n==null)return;this.end();let r={phase:`tail`,moved:e,awaitingFling:t,timerId:n.setTimeout(()=>{this.host.tailStillMoving()?this._openTail(r.moved,r.awaitingFling):(this._touch=r.awaitingFling?{phase:`lateFling`,until:this.host.now()+1e3}:null,this.host.onTailClosed())},150)};this._touch=r}}get touch(){return this._touch}},sP=e=>{let{clientWidth:t,clientHeight:n}=e;return{width:t,height:n}},cP=e=>{let t=new Set;return{schedule:n=>{let r=e.requestAnimationFrame(()=>{t.delete(r),n()});t.add(r)},cancel:()=>{t.forEach(t=>e.cancelAnimationFrame(t)),t.clear()}}},lP=e=>e,uP=e=>{let t=e.overscan*Math.max(e.lanes??1,1),n=Math.max(e.startIndex-t,0),r=Math.min(e.endIndex+t,e.count-1)-n+1,i=Array(r);for(let e=0;e<r;e++)i[e]=n+e;return i},dP=(e,t)=>{let n=e.scrollElement;if(!n)return;let r=e.targetWindow;if(!r)return;let i=e=>{let{width:n,height:r}=e;t({width:Math.round(n),height:Math.round(r)})};if(i(sP(n)),!r.ResizeObserver)return()=>{};let a=cP(r),o=new r.ResizeObserver(()=>{let t=()=>{i(sP(n))};e.options.useAnimationFrameWithResizeObserver?a.schedule(t):t()});return o.observe(n,{box:`content-box`}),()=>{o.unobserve(n),a.cancel()}},fP={passive:!0},pP=typeof window>`u`||`onscrollend`in window,mP=(e,t,n)=>{let r=e.scrollElement;if(!r)return;let i=e.targetWindow;if(!i)return;let a=e.options.useScrollendEvent&&pP,o=0,s=a?null:qN(i,()=>t(n(r),!1),e.options.isScrollingResetDelay),c=e=>()=>{o=n(r),s?.(),t(o,e)},l=c(!0),u=c(!1);return r.addEventListener(`scroll`,l,fP),a&&r.addEventListener(`scrollend`,u,fP),()=>{r.removeEventListener(`scroll`,l),a&&r.removeEventListener(`scrollend`,u),s?.cancel()}},hP=(e,t)=>mP(e,t,t=>{let{horizontal:n,isRtl:r}=e.options;return n?t.scrollLeft*(r&&-1||1):t.scrollTop}),gP=(e,t,n)=>{if(n.options.useCachedMeasurements){let t=n.indexFromElement(e),r=n.options.getItemKey(t);return n.itemSizeCache.get(r)??n.options.estimateSize(t)}if(t?.borderBoxSize){let e=t.borderBoxSize[0];if(e)return Math.round(e[n.options.horizontal?`inlineSize`:`blockSize`])}if(!t){let t=n.indexFromElement(e),r=n.options.getItemKey(t),i=n.itemSizeCache.get(r);if(i!==void 0)return i}return e[n.options.horizontal?`offsetWidth`:`offsetHeight`]},_P=(e,{adjustments:t=0,behavior:n},r)=>{var i;let{scrollElement:a,options:o}=r,s=e+t,c=o.horizontal&&o.isRtl&&a!==null&&`ownerDocument`in a;(i=a?.scrollTo)==null||i.call(a,{[o.horizontal?`left`:`top`]:c?-s:s,behavior:n})},vP=(e,t)=>e===`smooth`?t?`smoothLanded`:`smooth`:`instant`,yP=e=>e?.phase===`smooth`||e?.phase===`smoothLanded`;function bP(e,t,n,r){if(t===0)return!1;let i=r(0),a=new Set,o=0;for(;o<e;){let e=n(o);if(e===i)break;a.add(e),o++}let s=e-o;if(s===0||s>=t)return!1;for(let e=0;e<s;e++)if(r(e)!==n(o+e))return!1;for(let e=s;e<t;e++)if(a.has(r(e)))return!1;return!0}var xP=class{constructor(e){this.unsubs=[],this.scrollElement=null,this.targetWindow=null,this.isScrolling=!1,this.scrollState=null,this.measurementsCache=[],this._singleLaneMeasurements=null,this.itemSizeCache=new Map,this.itemSizeCacheVersion=0,this.builtMeasurementOptions=null,this.builtItemSizeCacheVersion=-1,this.pendingResizes=[],this.laneAssignments=new Map,this.pendingMin=null,this.prevLanes=void 0,this.lanesChangedFlag=!1,this.lanesSettling=!1,this.initialMeasurementsCacheApplied=!1,this.pendingScrollAnchor=null,this.scrollRect=null,this.scrollOffset=null,this.scrollDirection=null,this._holdOffset=0,this._reportedOverscroll=!1,this._trailing=0,this._drawnListEnd=1/0,this._iosGesture=new oP({getWindow:()=>this.targetWindow,now:()=>this.now(),tailStillMoving:()=>{let e=this.scrollState;if(e?.phase!==`queued`||this.pendingWrite!==null)return!1;let t=this._readElementOffset();return t===null||this._lastElementOffset===null||Math.abs(t-this._lastElementOffset)<1?!1:(this._lastElementOffset=t,e.samples=[...e.samples??[],{t:this.now(),offset:t}],!0)},onTailClosed:()=>{let e=this.scrollState;e?.phase===`queued`&&$N(e.samples??[])&&(this.scrollState=null),this._flushHoldIfReady(!0),this._writeAwaitingCommand(),this._retryClampedAdjustment()}}),this._lastElementOffset=null,this.pendingWrite=null,this._ownWriteAt=null,this._clampedAdjustment=null,this.elementsCache=new Map,this._resizeBatch=null,this.now=()=>{var e;return((e=this.targetWindow?.performance)?.now)?.call(e)??Date.now()},this.observer=(()=>{let e=null,t=null,n=!1,r=!1,i=new Set,a=()=>{if(e)return e;let r=this.targetWindow;if(!r||!r.ResizeObserver)return null;let i=t=cP(r);return e=new r.ResizeObserver(e=>{let t=()=>{let t={sync:!1};this._resizeBatch=t;try{e.forEach(o)}finally{this._resizeBatch=null,t.notify&&(this.notify(t.sync),this._noteClampMax(),this._flushHoldIfReady(!0),this._retryClampedAdjustment(),this.measureElement(null))}};if(this.options.useAnimationFrameWithResizeObserver)i.schedule(t);else{n=!0;try{t()}finally{n=!1}}})},o=e=>{let t=e.target,n=this.indexFromElement(t);if(t.isConnected)this.isIndexInRange(n)&&this.shouldMeasureDuringScroll(n)&&this.resizeItem(n,this.options.measureElement(t,e,this));else{this.observer.unobserve(t);for(let[e,n]of this.elementsCache)if(n===t){this.elementsCache.delete(e);break}}};return{disconnect:()=>{var n;(n=a())==null||n.disconnect(),t?.cancel(),i.clear(),r=!1,e=null,t=null},observe:o=>{let s=a();s&&(n?(i.add(o),r||(r=!0,t?.schedule(()=>{r=!1,i.forEach(t=>{t.isConnected&&e?.observe(t,{box:`border-box`})}),i.clear()}))):s.observe(o,{box:`border-box`}))},unobserve:e=>{var t;i.delete(e),(t=a())==null||t.unobserve(e)}}})(),this.range=null,this.setOptions=e=>{let t={debug:!1,initialOffset:0,overscan:1,paddingStart:0,paddingEnd:0,scrollPaddingStart:0,scrollPaddingEnd:0,horizontal:!1,getItemKey:lP,rangeExtractor:uP,onChange:()=>{},measureElement:gP,initialRect:{width:0,height:0},scrollMargin:0,gap:0,indexAttribute:`data-index`,initialMeasurementsCache:[],lanes:1,anchorTo:`start`,followOnAppend:!1,scrollEndThreshold:1,isScrollingResetDelay:150,enabled:!0,isRtl:!1,useScrollendEvent:!1,useAnimationFrameWithResizeObserver:!1,laneAssignmentMode:`estimate`,useCachedMeasurements:!1};for(let n in e){let r=e[n];r!==void 0&&(t[n]=r)}let n=this.options,r=null,i=null,a=!1;if(n!==void 0&&n.enabled&&t.enabled&&t.anchorTo===`end`&&this.scrollElement!==null){let e=n.count,o=t.count,s=this.getMeasurements(),c=this._singleLaneMeasurements?.items??s,l=e=>HN(c[e]),u=e>0?l(0):null,d=e>0?l(e-1):null;if(o!==e||e>0&&o>0&&(t.getItemKey(0)!==u||t.getItemKey(o-1)!==d)){a=!0;let c=e>0?this.getVirtualItemForOffset(this.getScrollOffset())??s[0]:null;c&&(r=[c.key,this.getScrollOffset()-c.start]);let u=t.followOnAppend===!0?`auto`:t.followOnAppend||null;u&&o>0&&this.isAtEnd(n.scrollEndThreshold)&&(e===0||t.getItemKey(o-1)!==d)&&(o>e||bP(e,o,l,t.getItemKey))&&(i=u)}}this.options=t,a&&(this.pendingMin=0,this.itemSizeCacheVersion++);let o=null;if(r&&this.scrollOffset!==null&&!this._awaitingCommandReadBack()){let[e,t]=r,n=this.getMeasurements(),{count:a,getItemKey:s}=this.options,c=0;for(;c<a&&s(c)!==e;)c++;if(c<a){let e=n[c];if(e){let n=Math.max(0,e.start+t);!i&&n!==this.scrollOffset&&(o=n-this.scrollOffset,this.scrollOffset=n)}}}i?this.pendingScrollAnchor={kind:`follow`,behavior:i}:o!==null&&(this._canWriteScroll()?this.pendingScrollAnchor={kind:`anchor`,delta:o}:(this._holdOffset+=o,this._followAnchor(o)))},this.notify=e=>{var t,n;(n=(t=this.options).onChange)==null||n.call(t,this,e)},this.maybeNotify=WN(()=>(this.calculateRange(),[this.isScrolling,this.range?this.range.startIndex:null,this.range?this.range.endIndex:null]),e=>{this.notify(e)},{key:!1,debug:()=>this.options.debug,initialDeps:[this.isScrolling,this.range?this.range.startIndex:null,this.range?this.range.endIndex:null]}),this.cleanup=()=>{var e;this.unsubs.filter(Boolean).forEach(e=>e()),this.unsubs=[],this.observer.disconnect(),this.rafId!=null&&this.targetWindow&&(this.targetWindow.cancelAnimationFrame(this.rafId),this.rafId=null),this.scrollState=null,(e=this._momentumStop)==null||e.restore(),this._momentumStop=null,this.isScrolling=!1,this.scrollDirection=null,this._holdOffset=0,this._reportedOverscroll=!1,this._trailing=0,this._clampedAdjustment=null,this.pendingWrite=null,this._ownWriteAt=null,this.scrollElement=null,this.targetWindow=null},this._didMount=()=>()=>{this.cleanup()},this._willUpdate=()=>{let e=this.options.enabled?this.options.getScrollElement():null;if(this.scrollElement!==e){if(this.cleanup(),!e){this.maybeNotify();return}this.scrollElement=e,this.targetWindow=this.scrollElement&&`ownerDocument`in this.scrollElement?this.scrollElement.ownerDocument.defaultView:this.scrollElement?.window??null,this.elementsCache.forEach(e=>{this.observer.observe(e)}),this.unsubs.push(this.options.observeElementRect(this,e=>{this.scrollRect=e,this.maybeNotify()})),this.unsubs.push(this.options.observeElementOffset(this,(e,t)=>{let n=t?this._elementMaxScrollOffset():null;this._readTrailing(n);let r=this._reportedOverscroll;this._reportedOverscroll=e<0||n!==null&&e>n+1;let i=e;this._lastElementOffset=i,e=this._toLayoutOffset(e);let a=this._classifyScrollEvent(e,t,n);if(a===`spurious`)return;a===`readBack`?e=this.pendingWrite.target:a===`clampedReadBack`&&this.scrollState?.index!=null&&e<this.getMaxScrollOffset()-1.5?this.scrollState.lastTargetOffset=e:XN({kind:a,offset:e,command:this.scrollState,target:()=>this.getScrollStateTarget(this.scrollState)})&&(this.scrollState=null),this.pendingWrite=null,a===`readBack`||a===`clampedReadBack`||a===`clampedEcho`?this._ownWriteAt=e:a!==`restEcho`&&(this._ownWriteAt=null),this._clampedAdjustment!==null&&Math.abs(e-this._clampedAdjustment.maxAtWrite)>=1.5&&(this._clampedAdjustment=null);let o=this.getScrollOffset(),s=this.scrollDirection;this.scrollDirection=t?o===e?this.scrollDirection:o<e?`forward`:`backward`:null,this.scrollOffset=e,this.isScrolling=t;let c=this.scrollState;if(c?.phase===`queued`&&a===`external`&&t){if(r||this._reportedOverscroll)c.samples=[];else{let e=this.now();c.samples=[...(c.samples??[]).filter(t=>e-t.t<=200),{t:e,offset:i}],(s!==null&&this.scrollDirection!==s||QN(c.samples))&&(this.scrollState=null)}}this._iosGesture.onScroll({isScrolling:t,ownReadBack:a===`readBack`,moved:e!==o,external:a===`external`&&this.scrollState?.phase!==`smooth`&&this.scrollState?.phase!==`smoothFinishing`})&&this.scrollState?.phase===`queued`&&(this.scrollState=null),this._flushHoldIfReady(!0),this.scrollState&&this.scheduleScrollReconcile(),this.maybeNotify()})),`addEventListener`in this.scrollElement&&this.unsubs.push(this._iosGesture.listen(this.scrollElement)),this._scrollToOffset(this.getScrollOffset()),this._readTrailing(this._elementMaxScrollOffset()),this.maybeNotify()}this._noteClampMax();let t=this.pendingScrollAnchor;this.pendingScrollAnchor=null,t&&this.scrollElement&&this.options.enabled&&(t.kind===`anchor`?this._canWriteScroll()?yP(this.scrollState)&&!this._landedBeforeAnchor(this.scrollState,t.delta)||(this._followAnchor(t.delta),this._scrollToOffset(this.getScrollOffset())):(this._holdOffset+=t.delta,this._followAnchor(t.delta),this.notify(!1)):this.scrollToEnd({behavior:t.behavior})),this._flushHoldIfReady(!1),this._retryClampedAdjustment()},this._classifyScrollEvent=(e,t,n)=>JN({offset:e,isScrolling:t,elementMax:n,holdOffset:this._holdOffset,scrollOffset:this.scrollOffset,pendingWrite:this.pendingWrite,clampedMaxAtWrite:this._clampedAdjustment?.maxAtWrite??null,ownWriteAt:this._ownWriteAt}),this._retryClampedAdjustment=()=>{if(this._clampedAdjustment===null||!this.scrollElement||!this.options.enabled||!this._canWriteScroll())return;let{target:e,maxAtWrite:t}=this._clampedAdjustment,n=this.getMaxScrollOffset();n>t+.5&&(this._clampedAdjustment=e>n+.5?{target:e,maxAtWrite:n}:null,this._scrollToOffset(e))},this._writeAwaitingCommand=()=>{let e=this.scrollState;if(e===null||e.phase!==`queued`)return;let{behavior:t}=e;this.getMeasurements();let n=this.getScrollStateTarget(e);e.lastTargetOffset=n,this._clampedAdjustment=null,e.phase=vP(t,e.index!=null&&KN(n,this.getScrollOffset())),this._scrollToOffset(n,{behavior:t}),this.scheduleScrollReconcile()},this._readElementOffset=()=>{let e=this.scrollElement;if(e==null)return null;let{horizontal:t,isRtl:n}=this.options;return typeof e.scrollTop==`number`?t?e.scrollLeft*(n&&-1||1):e.scrollTop:typeof e.scrollY==`number`?t?e.scrollX:e.scrollY:null},this._canWriteScroll=()=>!(tP()&&this._iosGesture.inMotion())&&!this._reportedOverscroll,this._flushHoldIfReady=e=>{if(this._holdOffset===0||!this.scrollElement||!this.options.enabled||!this._canWriteScroll()||this.scrollState?.phase===`smooth`)return;this._holdOffset=0,this.scrollOffset!==null&&this.scrollOffset<0&&(this.scrollOffset=0),this.notify(e);let t=this.getCommandWrittenOffset()??this.getScrollOffset();this._clampedAdjustment=this._clampedBy(t),this._scrollToOffset(t)},this.rafId=null,this.getSize=()=>this.options.enabled?(this.scrollRect=this.scrollRect??this.options.initialRect,this.scrollRect[this.options.horizontal?`width`:`height`]):(this.scrollRect=null,0),this.getScrollOffset=()=>this.options.enabled?(this.scrollOffset=this.scrollOffset??(typeof this.options.initialOffset==`function`?this.options.initialOffset():this.options.initialOffset),this.scrollOffset):(this.scrollOffset=null,0),this.getMeasurementOptions=WN(()=>[this.options.count,this.options.paddingStart,this.options.scrollMargin,this.options.getItemKey,this.options.enabled,this.options.lanes,this.options.laneAssignmentMode,this.options.gap],(e,t,n,r,i,a,o,s)=>(this.prevLanes!==void 0&&this.prevLanes!==a&&(this.lanesChangedFlag=!0),this.prevLanes=a,this.pendingMin=null,{count:e,paddingStart:t,scrollMargin:n,getItemKey:r,enabled:i,lanes:a,laneAssignmentMode:o,gap:s}),{key:!1}),this.isIndexInRange=e=>e>=0&&e<this.options.count,this.getMeasurements=WN(()=>[this.getMeasurementOptions(),this.itemSizeCacheVersion],(e,t)=>{let{count:n,paddingStart:r,scrollMargin:i,getItemKey:a,enabled:o,lanes:s,laneAssignmentMode:c,gap:l}=e;this.builtMeasurementOptions=e,this.builtItemSizeCacheVersion=t,this.pendingResizes=[];let u=this.itemSizeCache;if(!o)return this.measurementsCache=[],this._singleLaneMeasurements=null,this.itemSizeCache.clear(),this.laneAssignments.clear(),this.initialMeasurementsCacheApplied=!1,[];if(this.laneAssignments.size>n)for(let e of this.laneAssignments.keys())e>=n&&this.laneAssignments.delete(e);this.lanesChangedFlag&&(this.lanesChangedFlag=!1,this.lanesSettling=!0,this.measurementsCache=[],this._singleLaneMeasurements=null,this.itemSizeCache.clear(),this.laneAssignments.clear(),this.pendingMin=null),!this.initialMeasurementsCacheApplied&&this.measurementsCache.length===0&&!this.lanesSettling&&(this.initialMeasurementsCacheApplied=!0,this.measurementsCache=this.options.initialMeasurementsCache,this.measurementsCache.forEach(e=>{this.itemSizeCache.set(e.key,e.size)}));let d=this.lanesSettling?0:this.pendingMin??0;if(this.pendingMin=null,this.lanesSettling&&this.measurementsCache.length===n&&(this.lanesSettling=!1),s===1){let e=n*2,t=this._singleLaneMeasurements?.flat;if(!t||t.length<e){let n=new Float64Array(e);t&&d>0&&n.set(t.subarray(0,d*2)),t=n}let o=d===0?Array(n):this._singleLaneMeasurements.items.slice(),s;if(d===0)s=r+i;else{let e=d-1;s=t[e*2]+t[e*2+1]+l}for(let e=d;e<n;e++){let n=a(e);o[e]=n;let r=u.get(n),i=typeof r==`number`?r:this.options.estimateSize(e);t[e*2]=s,t[e*2+1]=i,s+=i+l}this._singleLaneMeasurements={flat:t,items:o};let c=UN(o,t);return this.measurementsCache=c,c}let f=this.measurementsCache.slice(0,d),p=Array(s).fill(void 0),m=new Float64Array(s),h=0;for(let e=0;e<d;e++){let t=f[e];t&&(p[t.lane]===void 0&&h++,p[t.lane]=e,m[t.lane]=t.end)}for(let e=d;e<n;e++){let t=a(e),n=this.laneAssignments.get(e),o,d,g=c===`estimate`||u.has(t);if(n!==void 0&&this.options.lanes>1){o=n;let e=p[o],t=e===void 0?void 0:f[e];d=t?t.end+l:r+i}else if(h===s){let t=0,n=m[0],r=p[0];for(let e=1;e<s;e++){let i=m[e];(i<n||i===n&&p[e]<r)&&(t=e,n=i,r=p[e])}o=t,d=n+l,g&&this.laneAssignments.set(e,o)}else o=e%this.options.lanes,d=r+i,g&&this.laneAssignments.set(e,o);let _=u.get(t),v=typeof _==`number`?_:this.options.estimateSize(e),y=d+v;f[e]={index:e,start:d,size:v,end:y,key:t,lane:o},p[o]===void 0&&h++,p[o]=e,m[o]=y}return this.measurementsCache=f,f},{key:!1,debug:()=>this.options.debug}),this.calculateRange=WN(()=>[this.getMeasurements(),this.getSize(),this.getScrollOffset(),this.options.lanes,this._getLayoutTotalSize()+this.options.scrollMargin,this._trailing],(e,t,n,r,i,a)=>{if(e.length===0||t===0)return this.range=null,null;let o=Math.max(i+a-t,0);return this.range=wP(e,t,Math.min(n,o),r,r===1&&this._singleLaneMeasurements!==null?this._singleLaneMeasurements.flat:null),this.range},{key:!1,debug:()=>this.options.debug}),this.getVirtualIndexes=WN(()=>{let e=null,t=null,n=this.calculateRange();return n&&(e=n.startIndex,t=n.endIndex),this.maybeNotify.updateDeps([this.isScrolling,e,t]),[this.options.rangeExtractor,this.options.overscan,this.options.count,e,t,this.options.lanes]},(e,t,n,r,i,a)=>r===null||i===null?[]:e({startIndex:r,endIndex:i,overscan:t,count:n,lanes:a}),{key:!1,debug:()=>this.options.debug}),this.indexFromElement=e=>{let t=this.options.indexAttribute,n=e.getAttribute(t);return n?parseInt(n,10):(console.warn(`Missing attribute name '${t}={index}' on measured element.`),-1)},this.shouldMeasureDuringScroll=e=>{if(!yP(this.scrollState))return!0;let t=this.scrollState.index??this.getVirtualItemForOffset(this.scrollState.lastTargetOffset)?.index;if(t!==void 0&&this.range){let n=Math.max(this.options.overscan,Math.ceil((this.range.endIndex-this.range.startIndex)/2)),r=Math.max(0,t-n),i=Math.min(this.options.count-1,t+n);return e>=r&&e<=i}return!0},this.measureElement=e=>{if(!e){this.elementsCache.forEach((e,t)=>{e.isConnected||(this.observer.unobserve(e),this.elementsCache.delete(t))});return}let t=this.indexFromElement(e);if(!this.isIndexInRange(t))return;let n=this.options.getItemKey(t),r=this.elementsCache.get(n);r!==e&&(r&&this.observer.unobserve(r),this.observer.observe(e),this.elementsCache.set(n,e)),e.isConnected&&(!this.isScrolling||this.scrollState)&&this.shouldMeasureDuringScroll(t)&&this.resizeItem(t,this.options.measureElement(e,void 0,this))},this.canShiftFromPendingResizes=()=>this.options.lanes===1&&this._singleLaneMeasurements!==null&&this.shouldAdjustScrollPositionOnItemSizeChange===void 0&&!this.lanesChangedFlag&&!this.lanesSettling&&this.getMeasurementOptions()===this.builtMeasurementOptions&&this.itemSizeCacheVersion===this.builtItemSizeCacheVersion+this.pendingResizes.length,this.resizeItem=(e,t)=>{var n;if(!this.isIndexInRange(e))return;let r=0;if(this._resizeBatch?.sync){if(this.canShiftFromPendingResizes())for(let t of this.pendingResizes)t.index<e&&(r+=t.delta);else this.getMeasurements()}let i,a,o,s=this._singleLaneMeasurements?.flat;if(this.options.lanes===1&&s!=null)o=this.options.getItemKey(e),a=s[e*2]+r,i=s[e*2+1];else{let t=this.measurementsCache[e];if(!t)return;o=t.key,a=t.start,i=t.size}let c=this.itemSizeCache.get(o)??i,l=t-c;if(l!==0){let r=this.options.anchorTo===`end`&&!yP(this.scrollState)&&this.getVirtualDistanceFromEnd()<=this.options.scrollEndThreshold,s=r?this._getLayoutTotalSize():0,u=this.getScrollOffset(),d=this.itemSizeCache.has(o)?a+c<=u&&this.scrollDirection!==`backward`:a<u,f=!yP(this.scrollState)&&(this.shouldAdjustScrollPositionOnItemSizeChange===void 0?d:this.shouldAdjustScrollPositionOnItemSizeChange(this.measurementsCache[e]??{index:e,key:o,start:a,size:i,end:a+i,lane:0},l,this));(this.pendingMin===null||e<this.pendingMin)&&(this.pendingMin=e),this.itemSizeCache.set(o,t),this.itemSizeCacheVersion++,this.pendingResizes.push({index:e,delta:l});let p=!1;if(this._awaitingCommandReadBack()||(r?p=this.applyScrollAdjustment(this._getLayoutTotalSize()-s):f&&(p=this.applyScrollAdjustment(l))),this._resizeBatch){this._resizeBatch.notify=!0,(n=this._resizeBatch).sync||(n.sync=p);return}this.notify(p),this._noteClampMax(),this._flushHoldIfReady(!0),this._retryClampedAdjustment()}else if(this.options.lanes>1&&!this.options.useCachedMeasurements&&!this.laneAssignments.has(e)){let t=this.getMeasurements()[e];t&&this.laneAssignments.set(e,t.lane)}},this.getVirtualItems=WN(()=>[this.getVirtualIndexes(),this.getMeasurements(),this._holdOffset],(e,t,n)=>{let r=[];for(let i=0,a=e.length;i<a;i++){let a=t[e[i]];r.push(n===0?a:{...a,start:a.start-n,end:a.end-n})}return r},{key:!1,debug:()=>this.options.debug}),this.getVirtualItemForOffset=e=>{let t=this.getMeasurements();if(t.length===0)return;let n=this._singleLaneMeasurements?.flat,r=this.options.lanes===1&&n!=null;return GN(t[SP(0,t.length-1,r?e=>n[e*2]:e=>GN(t[e]).start,e)])},this._noteClampMax=()=>{if(!this._awaitingCommandReadBack())return;let e=this._elementMaxScrollOffset();if(e===null)return;let t=this.pendingWrite,n=Math.max(e,0)+this._holdOffset;if(n>=t.target)return;let r=t.lowMaxes??=[];r[r.length-1]!==n&&r.push(n)},this.getMaxScrollOffset=()=>(this._elementMaxScrollOffset()??0)+this._holdOffset,this._toLayoutOffset=e=>{let t=e+this._holdOffset;return this.pendingScrollAnchor?.kind===`anchor`&&(t+=this.pendingScrollAnchor.delta),t},this._readTrailing=e=>{if(e===null)return;let t=e+this.getSize()-this._drawnListEnd;this._trailing=t>0?t:0},this._elementMaxScrollOffset=()=>{let e=this.scrollElement;if(e===null)return null;if(`scrollHeight`in e)return this.options.horizontal?e.scrollWidth-e.clientWidth:e.scrollHeight-e.clientHeight;if(`document`in e){let t=e.document.documentElement;return this.options.horizontal?t.scrollWidth-e.innerWidth:t.scrollHeight-e.innerHeight}return null},this._momentumStop=null,this._stopMomentum=e=>{let t=this.scrollElement,n=this.targetWindow;if(t===null||n===null)return;let r=`document`in t?t.document.scrollingElement:t;if(!r?.style)return;if(this._momentumStop){this._momentumStop.done=e;return}let{style:i}=r,a=this.options.horizontal?`overflow-x`:`overflow-y`,o=i.getPropertyValue(a),s=i.getPropertyPriority(a),c=()=>this.options.horizontal?r.clientHeight:r.clientWidth,l=c();if(i.setProperty(a,`hidden`,`important`),c()!==l){i.setProperty(a,o,s);return}let u={restore:()=>i.getPropertyValue(a)!==`hidden`||i.getPropertyPriority(a)!==`important`?!1:(i.setProperty(a,o,s),!0),done:e};this._momentumStop=u,n.requestAnimationFrame(()=>n.requestAnimationFrame(()=>{this._momentumStop===u&&(this._momentumStop=null,u.restore()&&u.done())}))},this._clampedBy=e=>{let t=this._elementMaxScrollOffset();if(t===null)return null;let n=t+this._holdOffset;return e>n+.5?{target:e,maxAtWrite:n}:null},this.getVirtualDistanceFromEnd=()=>Math.max(this._getLayoutTotalSize()+this.options.scrollMargin-this.getSize()-this.getScrollOffset(),0),this.getDistanceFromEnd=()=>Math.max(this.getMaxScrollOffset()-this.getScrollOffset(),0),this.isAtEnd=(e=this.options.scrollEndThreshold)=>this.getDistanceFromEnd()<=e,this.getOffsetForAlignment=(e,t,n=0)=>{if(!this.scrollElement)return 0;let r=this.getSize(),i=this.getScrollOffset();t===`auto`&&(t=e>=i+r?`end`:`start`),t===`center`?e+=(n-r)/2:t===`end`&&(e-=r);let a=this.getMaxScrollOffset();return Math.max(Math.min(a,e),0)},this.getOffsetForIndex=(e,t=`auto`)=>{e=Math.max(0,Math.min(e,this.options.count-1));let n=this.getSize(),r=this.getScrollOffset(),i=this.getMeasurements()[e];if(!i)return;if(t===`auto`){if(i.end>=r+n-this.options.scrollPaddingEnd)t=`end`;else if(i.start<=r+this.options.scrollPaddingStart)t=`start`;else return[r,t]}if(t===`end`&&e===this.options.count-1){let e=this.getMaxScrollOffset(),n=e-this.options.paddingEnd+this.options.scrollPaddingEnd;return[Math.max(Math.min(n,e),0),t]}let a=t===`end`?i.end+this.options.scrollPaddingEnd:i.start-this.options.scrollPaddingStart;return[this.getOffsetForAlignment(a,t,i.size),t]},this.scrollToOffset=(e,{align:t=`start`,behavior:n=`auto`}={})=>{this._startScroll({index:null,align:t},this.getOffsetForAlignment(e,t),n,`absolute`)},this.scrollToIndex=(e,{align:t=`auto`,behavior:n=`auto`}={})=>{e=Math.max(0,Math.min(e,this.options.count-1));let r=this.getOffsetForIndex(e,t);if(!r)return;let[i,a]=r;this._startScroll({index:e,align:a},i,n,`absolute`)},this.scrollBy=(e,{behavior:t=`auto`}={})=>{let n=this.getOffsetForAlignment((this.getCommandWrittenOffset()??this.getScrollOffset())+e,`start`);this._startScroll({index:null,align:`start`},n,t,`relative`)},this.scrollToEnd=({behavior:e=`auto`}={})=>{this.options.count>0?this._startScroll({index:this.options.count-1,align:`end`,toEnd:!0},Math.max(this.getMaxScrollOffset(),0),e,`absolute`):this.scrollToOffset(Math.max(this.getTotalSize()-this.getSize(),0),{behavior:e})},this.cancelScroll=()=>{this.rafId!=null&&this.targetWindow&&(this.targetWindow.cancelAnimationFrame(this.rafId),this.rafId=null),this.scrollState=null},this.getTotalSize=()=>{let e=Math.max(this._getLayoutTotalSize()-this._holdOffset,0);return this._drawnListEnd=e+this.options.scrollMargin,e},this._getLayoutTotalSize=()=>{let e=this.getMeasurements(),t;if(e.length===0)t=this.options.scrollMargin+this.options.paddingStart;else if(this.options.lanes===1){let n=e.length-1,r=this._singleLaneMeasurements?.flat;t=r==null?e[n]?.end??0:r[n*2]+r[n*2+1]}else{let n=Array(this.options.lanes).fill(null),r=e.length-1;for(;r>=0&&n.some(e=>e===null);){let t=e[r];n[t.lane]===null&&(n[t.lane]=t.end),r--}t=Math.max(...n.filter(e=>e!==null))}return Math.max(t-this.options.scrollMargin+this.options.paddingEnd,0)},this.takeSnapshot=()=>{let e=[];if(this.itemSizeCache.size===0)return e;let t=this.getMeasurements();for(let n of t)n&&this.itemSizeCache.has(n.key)&&e.push({index:n.index,key:n.key,start:n.start,size:n.size,end:n.end,lane:n.lane});return e},this._scrollToOffset=(e,{adjustments:t,behavior:n}={})=>{let r={target:e+(t??0),smooth:n===`smooth`};return this.pendingWrite=r,this.options.scrollToFn(e-this._holdOffset,{behavior:n,adjustments:t},this),r},this.getCommandWrittenOffset=()=>this.scrollState!==null&&this.pendingWrite!==null&&!this.pendingWrite.smooth?this.pendingWrite.target:null,this._awaitingCommandReadBack=()=>{let e=this.getCommandWrittenOffset();return!(tP()&&this._iosGesture.dragging())&&e!==null&&!KN(e,this.getScrollOffset())},this._followOffsetTarget=e=>{this.scrollState!==null&&this.scrollState.index==null&&(this.scrollState.lastTargetOffset+=e)},this._landedBeforeAnchor=(e,t)=>e.phase!==`queued`&&(e.stableFrames>0||KN(this.getScrollOffset()-t,e.lastTargetOffset)),this._followAnchor=e=>{this._followOffsetTarget(e);let t=this.scrollState;t?.index!=null&&!t.toEnd&&this._landedBeforeAnchor(t,e)&&(this.scrollState=null)},this.measure=()=>{this.pendingMin=null,this.itemSizeCache.clear(),this.laneAssignments.clear(),this.itemSizeCacheVersion++,this.notify(!1)},this.setOptions(e)}get scrollAdjustments(){return 0}applyScrollAdjustment(e,t){if(e===0)return!1;if(this._followOffsetTarget(e),this._canWriteScroll()){let n=this.getScrollOffset();this._clampedAdjustment=this._clampedBy(n+e);let r=this._scrollToOffset(n,{adjustments:e,behavior:t});return this.scrollOffset!==null&&(this.pendingWrite===r&&(this.scrollOffset+=e),this.scrollOffset<0&&(this.scrollOffset=0)),!0}return this._holdOffset+=e,this.scrollOffset!==null&&(this.scrollOffset+=e),!0}scheduleScrollReconcile(){this.targetWindow?this.rafId??=this.targetWindow.requestAnimationFrame(()=>{this.rafId=null,this.reconcileScroll()}):this.scrollState=null}getScrollStateTarget(e){let t=e.toEnd?[Math.max(this.getMaxScrollOffset(),0)]:e.index==null?void 0:this.getOffsetForIndex(e.index,e.align);return t?t[0]:e.lastTargetOffset}reconcileScroll(){if(!this.scrollState||!this.scrollElement)return;if(this.now()-this.scrollState.startedAt>5e3){this.scrollState=null;return}if(this.scrollState.phase===`queued`){this.scheduleScrollReconcile();return}this.getMeasurements();let e=this.getScrollStateTarget(this.scrollState),t=this.scrollState.index==null?1:this.options.useAnimationFrameWithResizeObserver?3:2,n=e!==this.scrollState.lastTargetOffset;if(!n&&KN(e,this.getScrollOffset())){if(this.scrollState.phase===`smooth`?this.scrollState.phase=`smoothLanded`:this.scrollState.phase===`smoothFinishing`&&(this.scrollState.phase=`instant`),this.scrollState.stableFrames++,this.scrollState.stableFrames>=t){this.getScrollOffset()!==e&&this._scrollToOffset(e,{behavior:`auto`}),this.scrollState=null;return}}else if(this.scrollState.stableFrames=0,n){let t=this.getSize()||600,n=Math.abs(e-this.getScrollOffset()),r=yP(this.scrollState)&&n>t;this.scrollState.lastTargetOffset=e,r?this.scrollState.phase=`smooth`:this.scrollState.phase===`smooth`?this.scrollState.phase=`smoothFinishing`:this.scrollState.phase===`smoothLanded`&&(this.scrollState.phase=`instant`),this._scrollToOffset(e,{behavior:r?`smooth`:`auto`})}this.scheduleScrollReconcile()}_startScroll(e,t,n,r){this.pendingScrollAnchor=null,this._clampedAdjustment=null;let i=this._iosGesture.tail();if(r===`absolute`&&i!==null){if(i===`fling`&&iP()){this._stopMomentum(()=>{this.scrollState?.phase!==`queued`||this._iosGesture.tail()!==`fling`||this._reportedOverscroll||(this._iosGesture.end(),this._flushHoldIfReady(!0),this._writeAwaitingCommand())}),this.scrollState={...e,startedAt:this.now(),lastTargetOffset:t,stableFrames:0,phase:`queued`,behavior:n,samples:[]},this.scheduleScrollReconcile();return}this._iosGesture.end()}this.scrollState={...e,startedAt:this.now(),lastTargetOffset:t,stableFrames:0,behavior:n,phase:vP(n,e.index!=null&&KN(t,this.getScrollOffset()))},this._scrollToOffset(t,{behavior:n}),this.scheduleScrollReconcile()}},SP=(e,t,n,r)=>{for(;e<=t;){let i=(e+t)/2|0,a=n(i);if(a<r)e=i+1;else if(a>r)t=i-1;else return i}return e>0?e-1:0};function CP(e,t,n){let r=0;for(;r<=t;){let i=(r+t)/2|0,a=e[i*2];if(a<n)r=i+1;else if(a>n)t=i-1;else return i}return r>0?r-1:0}function wP(e,t,n,r,i){let a=e.length-1;if(e.length<=r)return{startIndex:0,endIndex:a};if(r===1&&i!==null){let e=CP(i,a,n),r=e,o=n+t;for(;r<a&&i[r*2]+i[r*2+1]<o;)r++;return{startIndex:e,endIndex:r}}let o=SP(0,a,t=>e[t].start,n),s=o;if(r===1)for(;s<a&&e[s].end<n+t;)s++;else if(r>1){let i=Array(r).fill(0);for(;s<a&&i.some(e=>e<n+t);){let t=e[s];i[t.lane]=t.end,s++}let c=Array(r).fill(n+t);for(;o>=0&&c.some(e=>e>=n);){let t=e[o];c[t.lane]=t.start,o--}o=Math.max(0,o-o%r),s=Math.min(a,s+(r-1-s%r))}return{startIndex:o,endIndex:s}}var TP=typeof document<`u`?H.useLayoutEffect:H.useEffect;function EP({useFlushSync:e=!0,directDomUpdates:t=!1,directDomUpdatesMode:n=`transform`,...r}){let[,i]=H.useReducer(e=>e+1,0),a=H.useRef(i).current,o=H.useRef({enabled:t,mode:n,container:null,lastSize:null,lastPositions:new WeakMap,prevRange:null});o.current.enabled=t,o.current.mode=n;let s=H.useRef(!1),c=e=>{let t=o.current;if(!t.enabled||!t.container)return;let n=e.getTotalSize();if(n!==t.lastSize){t.lastSize=n;let r=e.options.horizontal?`width`:`height`;t.container.style[r]=`${n}px`}},l=(e,t,n)=>{let r=o.current,i=!!e.options.horizontal,a=t.start-e.options.scrollMargin;r.lastPositions.get(n)!==a&&(r.lastPositions.set(n,a),r.mode===`transform`?n.style.transform=i?`translate3d(${a}px, 0, 0)`:`translate3d(0, ${a}px, 0)`:n.style[i?`left`:`top`]=`${a}px`)},u=e=>{let t=o.current;if(t.enabled&&t.container){c(e);for(let t of e.getVirtualItems()){let n=e.elementsCache.get(t.key);n&&l(e,t,n)}}},d={...r,onChange:(t,n)=>{var i;let c=o.current,l=!0;if(c.enabled){u(t);let e=t.range,n=c.prevRange;l=!n||n.isScrolling!==t.isScrolling||n.startIndex!==e?.startIndex||n.endIndex!==e?.endIndex,l&&(c.prevRange=e?{startIndex:e.startIndex,endIndex:e.endIndex,isScrolling:t.isScrolling}:null)}l&&(e&&n&&!s.current?(0,z2.flushSync)(a):a()),(i=r.onChange)==null||i.call(r,t,n)}},[f]=H.useState(()=>{let e=new xP(d),t=e.measureElement;return e.measureElement=n=>{s.current=!0;try{t(n)}finally{s.current=!1}let r=o.current;if(n!==null&&r.enabled&&r.container){let t=e.measurementsCache[e.indexFromElement(n)];t&&l(e,t,n)}},Object.assign(e,{containerRef:t=>{let n=o.current;n.container=t,n.lastSize=null,t!==null&&u(e)}})});return f.setOptions(d),TP(()=>f._didMount(),[]),TP(()=>(c(f),f._willUpdate())),TP(()=>{u(f)}),f}function DP(e){return EP({observeElementRect:dP,observeElementOffset:hP,scrollToFn:_P,...e})}function OP(e,t){return e!==null&&t!==null&&typeof e==`object`&&typeof t==`object`&&`id`in e&&`id`in t?e.id===t.id:e===t}function kP(e=OP){return(0,H.useCallback)((t,n)=>{if(typeof e==`string`){let r=e;return t?.[r]===n?.[r]}return e(t,n)},[e])}function AP(e){if(e===null)return{width:0,height:0};let{width:t,height:n}=e.getBoundingClientRect();return{width:t,height:n}}function jP(e,t,n=!1){let[r,i]=(0,H.useState)(()=>AP(t));return SM(()=>{if(!t||!e)return;let n=bM();return n.requestAnimationFrame(function e(){n.requestAnimationFrame(e),i(e=>{let n=AP(t);return n.width===e.width&&n.height===e.height?e:n})}),()=>{n.dispose()}},[t,e]),n?{width:`${r.width}px`,height:`${r.height}px`}:r}var MP=(e=>(e[e.Left=0]=`Left`,e[e.Right=2]=`Right`,e))(MP||{});function NP(e){let t=(0,H.useRef)(null);return{onPointerDown:wM(n=>{t.current=n.pointerType,!SN(n.currentTarget)&&n.pointerType===`mouse`&&n.button===MP.Left&&(n.preventDefault(),e(n))}),onClick:wM(n=>{t.current!==`mouse`&&(SN(n.currentTarget)||e(n))})}}var PP=class extends Map{constructor(e){super(),this.factory=e}get(e){let t=super.get(e);return t===void 0&&(t=this.factory(e),this.set(e,t)),t}},FP=Object.defineProperty,IP=(e,t,n)=>t in e?FP(e,t,{enumerable:!0,configurable:!0,writable:!0,value:n}):e[t]=n,LP=(e,t,n)=>(IP(e,typeof t==`symbol`?t:t+``,n),n),RP=(e,t,n)=>{if(!t.has(e))throw TypeError(`Cannot `+n)},zP=(e,t,n)=>(RP(e,t,`read from private field`),n?n.call(e):t.get(e)),BP=(e,t,n)=>{if(t.has(e))throw TypeError(`Cannot add the same private member more than once`);t instanceof WeakSet?t.add(e):t.set(e,n)},VP=(e,t,n,r)=>(RP(e,t,`write to private field`),r?r.call(e,n):t.set(e,n),n),HP,UP,WP,GP=class{constructor(e){BP(this,HP,{}),BP(this,UP,new PP(()=>new Set)),BP(this,WP,new Set),LP(this,`disposables`,bM()),VP(this,HP,e),mM.isServer&&this.disposables.microTask(()=>{this.dispose()})}dispose(){this.disposables.dispose()}get state(){return zP(this,HP)}subscribe(e,t){if(mM.isServer)return()=>{};let n={selector:e,callback:t,current:e(zP(this,HP))};return zP(this,WP).add(n),this.disposables.add(()=>{zP(this,WP).delete(n)})}on(e,t){return mM.isServer?()=>{}:(zP(this,UP).get(e).add(t),this.disposables.add(()=>{zP(this,UP).get(e).delete(t)}))}send(e){let t=this.reduce(zP(this,HP),e);if(t!==zP(this,HP)){VP(this,HP,t);for(let e of zP(this,WP)){let t=e.selector(zP(this,HP));KP(e.current,t)||(e.current=t,e.callback(t))}for(let t of zP(this,UP).get(e.type))t(zP(this,HP),e)}}};HP=new WeakMap,UP=new WeakMap,WP=new WeakMap;function KP(e,t){return Object.is(e,t)?!0:typeof e!=`object`||!e||typeof t!=`object`||!t?!1:Array.isArray(e)&&Array.isArray(t)?e.length===t.length&&qP(e[Symbol.iterator](),t[Symbol.iterator]()):e instanceof Map&&t instanceof Map||e instanceof Set&&t instanceof Set?e.size===t.size&&qP(e.entries(),t.entries()):JP(e)&&JP(t)?qP(Object.entries(e)[Symbol.iterator](),Object.entries(t)[Symbol.iterator]()):!1}function qP(e,t){do{let n=e.next(),r=t.next();if(n.done&&r.done)return!0;if(n.done||r.done||!Object.is(n.value,r.value))return!1}while(1)}function JP(e){if(Object.prototype.toString.call(e)!==`[object Object]`)return!1;let t=Object.getPrototypeOf(e);return t===null||Object.getPrototypeOf(t)===null}var YP=Object.defineProperty,XP=(e,t,n)=>t in e?YP(e,t,{enumerable:!0,configurable:!0,writable:!0,value:n}):e[t]=n,ZP=(e,t,n)=>(XP(e,typeof t==`symbol`?t:t+``,n),n),QP=(e=>(e[e.Push=0]=`Push`,e[e.Pop=1]=`Pop`,e))(QP||{}),$P={0(e,t){let n=t.id,r=e.stack,i=e.stack.indexOf(n);if(i!==-1){let t=e.stack.slice();return t.splice(i,1),t.push(n),r=t,{...e,stack:r}}return{...e,stack:[...e.stack,n]}},1(e,t){let n=t.id,r=e.stack.indexOf(n);if(r===-1)return e;let i=e.stack.slice();return i.splice(r,1),{...e,stack:i}}},eF=class e extends GP{constructor(){super(...arguments),ZP(this,`actions`,{push:e=>this.send({type:0,id:e}),pop:e=>this.send({type:1,id:e})}),ZP(this,`selectors`,{isTop:(e,t)=>e.stack[e.stack.length-1]===t,inStack:(e,t)=>e.stack.includes(t)})}static new(){return new e({stack:[]})}reduce(e,t){return MM(t.type,$P,e,t)}},tF=new PP(()=>eF.new()),nF=n((e=>{var t=o();function n(e,t){return e===t&&(e!==0||1/e==1/t)||e!==e&&t!==t}var r=typeof Object.is==`function`?Object.is:n,i=t.useSyncExternalStore,a=t.useRef,s=t.useEffect,c=t.useMemo,l=t.useDebugValue;e.useSyncExternalStoreWithSelector=function(e,t,n,o,u){var d=a(null);if(d.current===null){var f={hasValue:!1,value:null};d.current=f}else f=d.current;d=c(function(){function e(e){if(!i){if(i=!0,a=e,e=o(e),u!==void 0&&f.hasValue){var t=f.value;if(u(t,e))return s=t}return s=e}if(t=s,r(a,e))return t;var n=o(e);return u!==void 0&&u(t,n)?(a=e,t):(a=e,s=n)}var i=!1,a,s,c=n===void 0?null:n;return[function(){return e(t())},c===null?void 0:function(){return e(c())}]},[t,n,o,u]);var p=i(e,d[0],d[1]);return s(function(){f.hasValue=!0,f.value=p},[p]),l(p),p}})),rF=n(((e,t)=>{t.exports=nF()}))();function iF(e,t,n=KP){return(0,rF.useSyncExternalStoreWithSelector)(wM(t=>e.subscribe(aF,t)),wM(()=>e.state),wM(()=>e.state),wM(t),n)}function aF(e){return e}function oF(e,t){let n=(0,H.useId)(),r=tF.get(t),[i,a]=iF(r,(0,H.useCallback)(e=>[r.selectors.isTop(e,n),r.selectors.inStack(e,n)],[r,n]));return SM(()=>{if(e)return r.actions.push(n),()=>r.actions.pop(n)},[r,e,n]),e?!a||i:!1}var sF=new Map,cF=new Map;function lF(e){let t=cF.get(e)??0;return cF.set(e,t+1),t===0&&(sF.set(e,{"aria-hidden":e.getAttribute(`aria-hidden`),inert:e.inert}),e.setAttribute(`aria-hidden`,`true`),e.inert=!0),()=>uF(e)}function uF(e){let t=cF.get(e)??1;if(t===1?cF.delete(e):cF.set(e,t-1),t!==1)return;let n=sF.get(e);n&&(n[`aria-hidden`]===null?e.removeAttribute(`aria-hidden`):e.setAttribute(`aria-hidden`,n[`aria-hidden`]),e.inert=n.inert,sF.delete(e))}function dF(e,{allowed:t,disallowed:n}={}){let r=oF(e,`inert-others`);SM(()=>{if(!r)return;let e=bM();for(let t of n?.()??[])t&&e.add(lF(t));let i=t?.()??[];for(let t of i){if(!t)continue;let n=hM(t);if(!n)continue;let r=t.parentElement;for(;r&&r!==n.body;){for(let t of r.children)i.some(e=>t.contains(e))||e.add(lF(t));r=r.parentElement}}return e.dispose},[r,t,n])}function fF(e,t,n){let r=CM(e=>{let t=e.getBoundingClientRect();t.x===0&&t.y===0&&t.width===0&&t.height===0&&n()});(0,H.useEffect)(()=>{if(!e)return;let n=t===null?null:pN(t)?t:t.current;if(!n)return;let i=bM();if(typeof ResizeObserver<`u`){let e=new ResizeObserver(()=>r.current(n));e.observe(n),i.add(()=>e.disconnect())}if(typeof IntersectionObserver<`u`){let e=new IntersectionObserver(()=>r.current(n));e.observe(n),i.add(()=>e.disconnect())}return()=>i.dispose()},[t,r,e])}var pF=[`[contentEditable=true]`,`[tabindex]`,`a[href]`,`area[href]`,`button:not([disabled])`,`iframe`,`input:not([disabled])`,`select:not([disabled])`,`details>summary`,`textarea:not([disabled])`].map(e=>`${e}:not([tabindex='-1'])`).join(`,`);[`[data-autofocus]`].map(e=>`${e}:not([tabindex='-1'])`).join(`,`);var mF=(e=>(e[e.First=1]=`First`,e[e.Previous=2]=`Previous`,e[e.Next=4]=`Next`,e[e.Last=8]=`Last`,e[e.WrapAround=16]=`WrapAround`,e[e.NoScroll=32]=`NoScroll`,e[e.AutoFocus=64]=`AutoFocus`,e))(mF||{}),hF=(e=>(e[e.Error=0]=`Error`,e[e.Overflow=1]=`Overflow`,e[e.Success=2]=`Success`,e[e.Underflow=3]=`Underflow`,e))(hF||{}),gF=(e=>(e[e.Previous=-1]=`Previous`,e[e.Next=1]=`Next`,e))(gF||{}),_F=(e=>(e[e.Strict=0]=`Strict`,e[e.Loose=1]=`Loose`,e))(_F||{});function vF(e,t=0){return e!==hM(e)?.body&&MM(t,{0(){return e.matches(pF)},1(){let t=e;for(;t!==null;){if(t.matches(pF))return!0;t=t.parentElement}return!1}})}var yF=(e=>(e[e.Keyboard=0]=`Keyboard`,e[e.Mouse=1]=`Mouse`,e))(yF||{});typeof window<`u`&&typeof document<`u`&&(document.addEventListener(`keydown`,e=>{e.metaKey||e.altKey||e.ctrlKey||(document.documentElement.dataset.headlessuiFocusVisible=``)},!0),document.addEventListener(`click`,e=>{e.detail===1?delete document.documentElement.dataset.headlessuiFocusVisible:e.detail===0&&(document.documentElement.dataset.headlessuiFocusVisible=``)},!0));function bF(e,t=e=>e){return e.slice().sort((e,n)=>{let r=t(e),i=t(n);if(r===null||i===null)return 0;let a=r.compareDocumentPosition(i);return a&Node.DOCUMENT_POSITION_FOLLOWING?-1:a&Node.DOCUMENT_POSITION_PRECEDING?1:0})}function xF(){return/iPhone/gi.test(window.navigator.platform)||/Mac/gi.test(window.navigator.platform)&&window.navigator.maxTouchPoints>0}function SF(){return/Android/gi.test(window.navigator.userAgent)}function CF(){return xF()||SF()}function wF(e,t,n,r){let i=CM(n);(0,H.useEffect)(()=>{if(!e)return;function n(e){i.current(e)}return document.addEventListener(t,n,r),()=>document.removeEventListener(t,n,r)},[e,t,r])}function TF(e,t,n,r){let i=CM(n);(0,H.useEffect)(()=>{if(!e)return;function n(e){i.current(e)}return window.addEventListener(t,n,r),()=>window.removeEventListener(t,n,r)},[e,t,r])}var EF=30;function DF(e,t,n){let r=CM(n),i=(0,H.useCallback)(function(e,n){if(e.defaultPrevented)return;let i=n(e);if(i===null||!i.getRootNode().contains(i)||!i.isConnected)return;let a=function e(t){return typeof t==`function`?e(t()):Array.isArray(t)||t instanceof Set?t:[t]}(t);for(let t of a)if(t!==null&&(t.contains(i)||e.composed&&e.composedPath().includes(t)))return;return!vF(i,_F.Loose)&&i.tabIndex!==-1&&e.preventDefault(),r.current(e,i)},[r,t]),a=(0,H.useRef)(null);wF(e,`pointerdown`,e=>{CF()||(a.current=e.composedPath?.call(e)?.[0]||e.target)},!0),wF(e,`pointerup`,e=>{if(CF()||!a.current)return;let t=a.current;return a.current=null,i(e,()=>t)},!0);let o=(0,H.useRef)({x:0,y:0});wF(e,`touchstart`,e=>{o.current.x=e.touches[0].clientX,o.current.y=e.touches[0].clientY},!0),wF(e,`touchend`,e=>{let t={x:e.changedTouches[0].clientX,y:e.changedTouches[0].clientY};if(!(Math.abs(t.x-o.current.x)>=EF||Math.abs(t.y-o.current.y)>=EF))return i(e,()=>mN(e.target)?e.target:null)},!0),TF(e,`blur`,e=>i(e,()=>gN(window.document.activeElement)?window.document.activeElement:null),!0)}function OF(...e){return(0,H.useMemo)(()=>hM(...e),[...e])}var kF=(e=>(e[e.Ignore=0]=`Ignore`,e[e.Select=1]=`Select`,e[e.Close=2]=`Close`,e))(kF||{}),AF={Ignore:{kind:0},Select:e=>({kind:1,target:e}),Close:{kind:2}},jF=200,MF=5;function NF(e,{trigger:t,action:n,close:r,select:i}){let a=(0,H.useRef)(null),o=(0,H.useRef)(null),s=(0,H.useRef)(null);wF(e&&t!==null,`pointerdown`,e=>{dN(e?.target)&&t!=null&&t.contains(e.target)&&(o.current=e.x,s.current=e.y,a.current=e.timeStamp)}),wF(e&&t!==null,`pointerup`,e=>{let t=a.current;if(t===null||(a.current=null,!mN(e.target))||Math.abs(e.x-(o.current??e.x))<MF&&Math.abs(e.y-(s.current??e.y))<MF)return;let c=n(e);switch(c.kind){case 0:return;case 1:e.timeStamp-t>jF&&(i(c.target),r());break;case 2:r()}},{capture:!0})}function PF(e,t,n,r){let i=CM(n);(0,H.useEffect)(()=>{e??=window;function n(e){i.current(e)}return e.addEventListener(t,n,r),()=>e.removeEventListener(t,n,r)},[e,t,r])}function FF(e){let t=(0,H.useRef)({value:``,selectionStart:null,selectionEnd:null});return PF(e,`blur`,e=>{let n=e.target;_N(n)&&(t.current={value:n.value,selectionStart:n.selectionStart,selectionEnd:n.selectionEnd})}),wM(()=>{if(!vM(e)&&_N(e)&&e.isConnected){if(e.focus({preventScroll:!0}),e.value!==t.current.value)e.setSelectionRange(e.value.length,e.value.length);else{let{selectionStart:n,selectionEnd:r}=t.current;n!==null&&r!==null&&e.setSelectionRange(n,r)}t.current={value:``,selectionStart:null,selectionEnd:null}}})}function IF(e,t){return(0,H.useMemo)(()=>{if(e.type)return e.type;let n=e.as??`button`;if(typeof n==`string`&&n.toLowerCase()===`button`||t?.tagName===`BUTTON`&&!t.hasAttribute(`type`))return`button`},[e.type,e.as,t])}function LF(e){return(0,H.useSyncExternalStore)(e.subscribe,e.getSnapshot,e.getSnapshot)}function RF(e,t){let n=e(),r=new Set;return{getSnapshot(){return n},subscribe(e){return r.add(e),()=>r.delete(e)},dispatch(e,...i){let a=t[e].call(n,...i);a&&(n=a,r.forEach(e=>e()))}}}function zF(){let e;return{before({doc:t}){let n=t.documentElement,r=t.defaultView??window;e=Math.max(0,r.innerWidth-n.clientWidth)},after({doc:t,d:n}){let r=t.documentElement,i=Math.max(0,r.clientWidth-r.offsetWidth),a=Math.max(0,e-i);n.style(r,`paddingRight`,`${a}px`)}}}function BF(){return xF()?{before({doc:e,d:t,meta:n}){function r(e){for(let t of n().containers)for(let n of t())if(n.contains(e))return!0;return!1}t.microTask(()=>{if(window.getComputedStyle(e.documentElement).scrollBehavior!==`auto`){let n=bM();n.style(e.documentElement,`scrollBehavior`,`auto`),t.add(()=>t.microTask(()=>n.dispose()))}let n=window.scrollY??window.pageYOffset,i=null;t.addEventListener(e,`click`,t=>{if(mN(t.target))try{let n=t.target.closest(`a`);if(!n)return;let{hash:a}=new URL(n.href),o=e.querySelector(a);mN(o)&&!r(o)&&(i=o)}catch{}},!0),t.group(n=>{t.addEventListener(e,`touchstart`,e=>{if(n.dispose(),mN(e.target)&&hN(e.target)){if(r(e.target)){let t=e.target;for(;t.parentElement&&r(t.parentElement);)t=t.parentElement;n.style(t,`overscrollBehavior`,`contain`)}else n.style(e.target,`touchAction`,`none`)}})}),t.addEventListener(e,`touchmove`,e=>{if(mN(e.target)){if(_N(e.target))return;if(r(e.target)){let t=e.target;for(;t.parentElement&&t.dataset.headlessuiPortal!==``&&!(t.scrollHeight>t.clientHeight||t.scrollWidth>t.clientWidth);)t=t.parentElement;t.dataset.headlessuiPortal===``&&e.preventDefault()}else e.preventDefault()}},{passive:!1}),t.add(()=>{let e=window.scrollY??window.pageYOffset;n!==e&&window.scrollTo(0,n),i&&i.isConnected&&(i.scrollIntoView({block:`nearest`}),i=null)})})}}:{}}function VF(){return{before({doc:e,d:t}){t.style(e.documentElement,`overflow`,`hidden`)}}}function HF(e){let t={};for(let n of e)Object.assign(t,n(t));return t}var UF=RF(()=>new Map,{PUSH(e,t){let n=this.get(e)??{doc:e,count:0,d:bM(),meta:new Set,computedMeta:{}};return n.count++,n.meta.add(t),n.computedMeta=HF(n.meta),this.set(e,n),this},POP(e,t){let n=this.get(e);return n&&(n.count--,n.meta.delete(t),n.computedMeta=HF(n.meta)),this},SCROLL_PREVENT(e){let t={doc:e.doc,d:e.d,meta(){return e.computedMeta}},n=[BF(),zF(),VF()];n.forEach(({before:e})=>e?.(t)),n.forEach(({after:e})=>e?.(t))},SCROLL_ALLOW({d:e}){e.dispose()},TEARDOWN({doc:e}){this.delete(e)}});UF.subscribe(()=>{let e=UF.getSnapshot(),t=new Map;for(let[n]of e)t.set(n,n.documentElement.style.overflow);for(let n of e.values()){let e=t.get(n.doc)===`hidden`,r=n.count!==0;(r&&!e||!r&&e)&&UF.dispatch(n.count>0?`SCROLL_PREVENT`:`SCROLL_ALLOW`,n),n.count===0&&UF.dispatch(`TEARDOWN`,n)}});function WF(e,t,n=()=>({containers:[]})){let r=LF(UF),i=t?r.get(t):void 0,a=i?i.count>0:!1;return SM(()=>{if(t&&e)return UF.dispatch(`PUSH`,t,n),()=>UF.dispatch(`POP`,t,n)},[e,t]),a}function GF(e,t,n=()=>[document.body]){WF(oF(e,`scroll-lock`),t,e=>({containers:[...e.containers??[],n]}))}function KF(e){return[e.screenX,e.screenY]}function qF(){let e=(0,H.useRef)([-1,-1]);return{wasMoved(t){let n=KF(t);return e.current[0]===n[0]&&e.current[1]===n[1]?!1:(e.current=n,!0)},update(t){e.current=KF(t)}}}function JF(e=0){let[t,n]=(0,H.useState)(e);return{flags:t,setFlag:(0,H.useCallback)(e=>n(e),[]),addFlag:(0,H.useCallback)(e=>n(t=>t|e),[]),hasFlag:(0,H.useCallback)(e=>(t&e)===e,[t]),removeFlag:(0,H.useCallback)(e=>n(t=>t&~e),[]),toggleFlag:(0,H.useCallback)(e=>n(t=>t^e),[])}}typeof process<`u`&&typeof globalThis<`u`&&typeof Element<`u`&&(process==null?void 0:{})?.NODE_ENV===`test`&&(Element==null?void 0:Element.prototype)?.getAnimations===void 0&&(Element.prototype.getAnimations=function(){return console.warn("Headless UI has polyfilled `Element.prototype.getAnimations` for your tests.\nPlease install a proper polyfill e.g. `jsdom-testing-mocks`, to silence these warnings.\n\nExample usage:\n```js\nimport { mockAnimationsApi } from 'jsdom-testing-mocks'\nmockAnimationsApi()\n```"),[]});var YF=(e=>(e[e.None=0]=`None`,e[e.Closed=1]=`Closed`,e[e.Enter=2]=`Enter`,e[e.Leave=4]=`Leave`,e))(YF||{});function XF(e){let t={};for(let n in e)e[n]===!0&&(t[`data-${n}`]=``);return t}function ZF(e,t,n,r){let[i,a]=(0,H.useState)(n),{hasFlag:o,addFlag:s,removeFlag:c}=JF(e&&i?3:0),l=(0,H.useRef)(!1),u=(0,H.useRef)(!1);return SM(()=>{var i;if(e){if(n&&a(!0),!t){n&&s(3);return}return(i=r?.start)==null||i.call(r,n),QF(t,{inFlight:l,prepare(){u.current?u.current=!1:u.current=l.current,l.current=!0,!u.current&&(n?(s(3),c(4)):(s(4),c(2)))},run(){u.current?n?(c(3),s(4)):(c(4),s(3)):n?c(1):s(1)},done(){var e;u.current&&tI(t)||(l.current=!1,c(7),n||a(!1),(e=r?.end)==null||e.call(r,n))}})}},[e,n,t,xM()]),e?[i,{closed:o(1),enter:o(2),leave:o(4),transition:o(2)||o(4)}]:[n,{closed:void 0,enter:void 0,leave:void 0,transition:void 0}]}function QF(e,{prepare:t,run:n,done:r,inFlight:i}){let a=bM();return eI(e,{prepare:t,inFlight:i}),a.nextFrame(()=>{n(),a.requestAnimationFrame(()=>{a.add($F(e,r))})}),a.dispose}function $F(e,t){let n=bM();if(!e)return n.dispose;let r=!1;n.add(()=>{r=!0});let i=e.getAnimations?.call(e).filter(e=>e instanceof CSSTransition)??[];return i.length===0?(t(),n.dispose):(Promise.allSettled(i.map(e=>e.finished)).then(()=>{r||t()}),n.dispose)}function eI(e,{inFlight:t,prepare:n}){if(t!=null&&t.current){n();return}let r=e.style.transition;e.style.transition=`none`,n(),e.offsetHeight,e.style.transition=r}function tI(e){return(e.getAnimations?.call(e)??[]).some(e=>e instanceof CSSTransition&&e.playState!==`finished`)}function nI(e,{container:t,accept:n,walk:r}){let i=(0,H.useRef)(n),a=(0,H.useRef)(r);(0,H.useEffect)(()=>{i.current=n,a.current=r},[n,r]),SM(()=>{if(!t||!e)return;let n=hM(t);if(!n)return;let r=i.current,o=a.current,s=Object.assign(e=>r(e),{acceptNode:r}),c=n.createTreeWalker(t,NodeFilter.SHOW_ELEMENT,s,!1);for(;c.nextNode();)o(c.currentNode)},[t,e,i,a])}function rI(e,t){let n=(0,H.useRef)([]),r=wM(e);(0,H.useEffect)(()=>{let e=[...n.current];for(let[i,a]of t.entries())if(n.current[i]!==a){let i=r(t,e);return n.current=t,i}},[r,...t])}function iI(){let e=navigator.userAgentData;return e&&Array.isArray(e.brands)?e.brands.map(e=>{let{brand:t,version:n}=e;return t+`/`+n}).join(` `):navigator.userAgent}var aI={...H},oI=aI.useInsertionEffect||(e=>e());function sI(e){let t=H.useRef(()=>{});return oI(()=>{t.current=e}),H.useCallback(function(){var e=[...arguments];return t.current==null?void 0:t.current(...e)},[])}var cI=`ArrowUp`,lI=`ArrowDown`,uI=`ArrowLeft`,dI=`ArrowRight`,fI=typeof document<`u`?H.useLayoutEffect:H.useEffect,pI=[uI,dI],mI=[cI,lI];[...pI,...mI];var hI=!1,gI=0,_I=()=>`floating-ui-`+Math.random().toString(36).slice(2,6)+gI++;function vI(){let[e,t]=H.useState(()=>hI?_I():void 0);return fI(()=>{e??t(_I())},[]),H.useEffect(()=>{hI=!0},[]),e}var yI=aI.useId||vI;function bI(){let e=new Map;return{emit(t,n){var r;(r=e.get(t))==null||r.forEach(e=>e(n))},on(t,n){e.set(t,[...e.get(t)||[],n])},off(t,n){e.set(t,e.get(t)?.filter(e=>e!==n)||[])}}}var xI=H.createContext(null),SI=H.createContext(null),CI=()=>H.useContext(xI)?.id||null,wI=()=>H.useContext(SI),TI=`data-floating-ui-focusable`;function EI(e){let{open:t=!1,onOpenChange:n,elements:r}=e,i=yI(),a=H.useRef({}),[o]=H.useState(()=>bI()),s=CI()!=null,[c,l]=H.useState(r.reference),u=sI((e,t,r)=>{a.current.openEvent=e?t:void 0,o.emit(`openchange`,{open:e,event:t,reason:r,nested:s}),n?.(e,t,r)}),d=H.useMemo(()=>({setPositionReference:l}),[]),f=H.useMemo(()=>({reference:c||r.reference||null,floating:r.floating||null,domReference:r.reference}),[c,r.reference,r.floating]);return H.useMemo(()=>({dataRef:a,open:t,onOpenChange:u,elements:f,events:o,floatingId:i,refs:d}),[t,u,f,o,i,d])}function DI(e){e===void 0&&(e={});let{nodeId:t}=e,n=EI({...e,elements:{reference:null,floating:null,...e.elements}}),r=e.rootContext||n,i=r.elements,[a,o]=H.useState(null),[s,c]=H.useState(null),l=i?.domReference||a,u=H.useRef(null),d=wI();fI(()=>{l&&(u.current=l)},[l]);let f=h({...e,elements:{...i,...s&&{reference:s}}}),m=H.useCallback(e=>{let t=p(e)?{getBoundingClientRect:()=>e.getBoundingClientRect(),contextElement:e}:e;c(t),f.refs.setReference(t)},[f.refs]),g=H.useCallback(e=>{(p(e)||e===null)&&(u.current=e,o(e)),(p(f.refs.reference.current)||f.refs.reference.current===null||e!==null&&!p(e))&&f.refs.setReference(e)},[f.refs]),_=H.useMemo(()=>({...f.refs,setReference:g,setPositionReference:m,domReference:u}),[f.refs,g,m]),v=H.useMemo(()=>({...f.elements,domReference:l}),[f.elements,l]),y=H.useMemo(()=>({...f,...r,refs:_,elements:v,nodeId:t}),[f,_,v,t,r]);return fI(()=>{r.dataRef.current.floatingContext=y;let e=d?.nodesRef.current.find(e=>e.id===t);e&&(e.context=y)}),H.useMemo(()=>({...f,context:y,refs:_,elements:v}),[f,_,v,y])}var OI=`active`,kI=`selected`;function AI(e,t,n){let r=new Map,i=n===`item`,a=e;if(i&&e){let{[OI]:t,[kI]:n,...r}=e;a=r}return{...n===`floating`&&{tabIndex:-1,[TI]:``},...a,...t.map(t=>{let r=t?t[n]:null;return typeof r==`function`?e?r(e):null:r}).concat(e).reduce((e,t)=>(t&&Object.entries(t).forEach(t=>{let[n,a]=t;if(!(i&&[OI,kI].includes(n))){if(n.indexOf(`on`)===0){if(r.has(n)||r.set(n,[]),typeof a==`function`){var o;(o=r.get(n))==null||o.push(a),e[n]=function(){var e=[...arguments];return r.get(n)?.map(t=>t(...e)).find(e=>e!==void 0)}}}else e[n]=a}}),e),{})}}function jI(e){e===void 0&&(e=[]);let t=e.map(e=>e?.reference),n=e.map(e=>e?.floating),r=e.map(e=>e?.item),i=H.useCallback(t=>AI(t,e,`reference`),t),a=H.useCallback(t=>AI(t,e,`floating`),n),o=H.useCallback(t=>AI(t,e,`item`),r);return H.useMemo(()=>({getReferenceProps:i,getFloatingProps:a,getItemProps:o}),[i,a,o])}function MI(e,t){return{...e,rects:{...e.rects,floating:{...e.rects.floating,height:t}}}}var NI=e=>({name:`inner`,options:e,async fn(t){let{listRef:n,overflowRef:r,onFallbackChange:i,offset:a=0,index:o=0,minItemsVisible:s=4,referenceOverflowThreshold:c=0,scrollRef:l,...u}=f(e,t),{rects:p,elements:{floating:h}}=t,_=n.current[o],b=l?.current||h,x=h.clientTop||b.clientTop,S=h.clientTop!==0,C=b.clientTop!==0,w=h===b;if(!_)return{};let T={...t,...await v(-_.offsetTop-h.clientTop-p.reference.height/2-_.offsetHeight/2-a).fn(t)},E=await d(MI(T,b.scrollHeight+x+h.clientTop),u),D=await d(T,{...u,elementContext:`reference`}),O=y(0,E.top),k=T.y+O,A=(b.scrollHeight>b.clientHeight?e=>e:m)(y(0,b.scrollHeight+(S&&w||C?x*2:0)-O-y(0,E.bottom)));if(b.style.maxHeight=A+`px`,b.scrollTop=O,i){let e=b.offsetHeight<_.offsetHeight*g(s,n.current.length)-1||D.top>=-c||D.bottom>=-c;z2.flushSync(()=>i(e))}return r&&(r.current=await d(MI({...T,y:k},b.offsetHeight+x+h.clientTop),u)),{y:k}}});function PI(e,t){let{open:n,elements:r}=e,{enabled:i=!0,overflowRef:a,scrollRef:o,onChange:s}=t,c=sI(s),l=H.useRef(!1),u=H.useRef(null),d=H.useRef(null);H.useEffect(()=>{if(!i)return;function e(e){if(e.ctrlKey||!t||a.current==null)return;let n=e.deltaY,r=a.current.top>=-.5,i=a.current.bottom>=-.5,o=t.scrollHeight-t.clientHeight,s=n<0?-1:1,l=n<0?`max`:`min`;t.scrollHeight<=t.clientHeight||(!r&&n>0||!i&&n<0?(e.preventDefault(),z2.flushSync(()=>{c(e=>e+Math[l](n,o*s))})):/firefox/i.test(iI())&&(t.scrollTop+=n))}let t=o?.current||r.floating;if(n&&t)return t.addEventListener(`wheel`,e),requestAnimationFrame(()=>{u.current=t.scrollTop,a.current!=null&&(d.current={...a.current})}),()=>{u.current=null,d.current=null,t.removeEventListener(`wheel`,e)}},[i,n,r.floating,a,o,c]);let f=H.useMemo(()=>({onKeyDown(){l.current=!0},onWheel(){l.current=!1},onPointerMove(){l.current=!1},onScroll(){let e=o?.current||r.floating;if(a.current&&e&&l.current){if(u.current!==null){let t=e.scrollTop-u.current;(a.current.bottom<-.5&&t<-1||a.current.top<-.5&&t>1)&&z2.flushSync(()=>c(e=>e+t))}requestAnimationFrame(()=>{u.current=e.scrollTop})}}}),[r.floating,c,a,o]);return H.useMemo(()=>i?{floating:f}:{},[i,f])}var FI=(0,H.createContext)({styles:void 0,setReference:()=>{},setFloating:()=>{},getReferenceProps:()=>({}),getFloatingProps:()=>({}),slot:{}});FI.displayName=`FloatingContext`;var II=(0,H.createContext)(null);II.displayName=`PlacementContext`;function LI(e){return(0,H.useMemo)(()=>e?typeof e==`string`?{to:e}:e:null,[e])}function RI(){return(0,H.useContext)(FI).setReference}function zI(){let{getFloatingProps:e,slot:t}=(0,H.useContext)(FI);return(0,H.useCallback)((...n)=>Object.assign({},e(...n),{"data-anchor":t.anchor}),[e,t])}function BI(e=null){e===!1&&(e=null),typeof e==`string`&&(e={to:e});let t=(0,H.useContext)(II),n=(0,H.useMemo)(()=>e,[JSON.stringify(e,(e,t)=>t?.outerHTML??t)]);SM(()=>{t?.(n??null)},[t,n]);let r=(0,H.useContext)(FI);return(0,H.useMemo)(()=>[r.setFloating,e?r.styles:{}],[r.setFloating,e,r.styles])}var VI=4;function HI({children:e,enabled:t=!0}){let[n,r]=(0,H.useState)(null),[i,a]=(0,H.useState)(0),o=(0,H.useRef)(null),[s,c]=(0,H.useState)(null);UI(s);let l=t&&n!==null&&s!==null,{to:d=`bottom`,gap:f=0,offset:p=0,padding:m=0,inner:h}=WI(n,s),[g,y=`center`]=d.split(` `);SM(()=>{l&&a(0)},[l]);let{refs:b,floatingStyles:S,context:w}=DI({open:l,placement:g===`selection`?y===`center`?`bottom`:`bottom-${y}`:y===`center`?`${g}`:`${g}-${y}`,strategy:`absolute`,transform:!1,middleware:[v({mainAxis:g===`selection`?0:f,crossAxis:p}),x({padding:m}),g!==`selection`&&_({padding:m}),g===`selection`&&h?NI({...h,padding:m,overflowRef:o,offset:i,minItemsVisible:VI,referenceOverflowThreshold:m,onFallbackChange(e){if(!e)return;let t=w.elements.floating;if(!t)return;let n=parseFloat(getComputedStyle(t).scrollPaddingBottom)||0,r=Math.min(VI,t.childElementCount),i=0,o=0;for(let e of w.elements.floating?.childNodes??[])if(pN(e)){let a=e.offsetTop,s=a+e.clientHeight+n,c=t.scrollTop,l=c+t.clientHeight;if(a>=c&&s<=l)r--;else{o=Math.max(0,Math.min(s,l)-Math.max(a,c)),i=e.clientHeight;break}}r>=1&&a(e=>{let t=i*r-o+n;return e>=t?e:t})}}):null,u({padding:m,apply({availableWidth:e,availableHeight:t,elements:n}){Object.assign(n.floating.style,{overflow:`auto`,maxWidth:`${e}px`,maxHeight:`min(var(--anchor-max-height, 100vh), ${t}px)`})}})].filter(Boolean),whileElementsMounted:C}),[T=g,E=y]=w.placement.split(`-`);g===`selection`&&(T=`selection`);let D=(0,H.useMemo)(()=>({anchor:[T,E].filter(Boolean).join(` `)}),[T,E]),{getReferenceProps:O,getFloatingProps:k}=jI([PI(w,{overflowRef:o,onChange:a})]),A=wM(e=>{c(e),b.setFloating(e)});return H.createElement(II.Provider,{value:r},H.createElement(FI.Provider,{value:{setFloating:A,setReference:b.setReference,styles:S,getReferenceProps:O,getFloatingProps:k,slot:D}},e))}function UI(e){SM(()=>{if(!e)return;let t=new MutationObserver(()=>{let t=window.getComputedStyle(e).maxHeight,n=parseFloat(t);if(isNaN(n))return;let r=parseInt(t);isNaN(r)||n!==r&&(e.style.maxHeight=`${Math.ceil(n)}px`)});return t.observe(e,{attributes:!0,attributeFilter:[`style`]}),()=>{t.disconnect()}},[e])}function WI(e,t){let n=GI(e?.gap??`var(--anchor-gap, 0)`,t),r=GI(e?.offset??`var(--anchor-offset, 0)`,t),i=GI(e?.padding??`var(--anchor-padding, 0)`,t);return{...e,gap:n,offset:r,padding:i}}function GI(e,t,n=void 0){let r=xM(),i=wM((e,t)=>{if(e==null)return[n,null];if(typeof e==`number`)return[e,null];if(typeof e==`string`){if(!t)return[n,null];let i=qI(e,t);return[i,n=>{let a=KI(e);{let o=a.map(e=>window.getComputedStyle(t).getPropertyValue(e));r.requestAnimationFrame(function s(){r.nextFrame(s);let c=!1;for(let[e,n]of a.entries()){let r=window.getComputedStyle(t).getPropertyValue(n);if(o[e]!==r){o[e]=r,c=!0;break}}if(!c)return;let l=qI(e,t);i!==l&&(n(l),i=l)})}return r.dispose}]}return[n,null]}),a=(0,H.useMemo)(()=>i(e,t)[0],[e,t]),[o=a,s]=(0,H.useState)();return SM(()=>{let[n,r]=i(e,t);if(s(n),r)return r(s)},[e,t]),o}function KI(e){let t=/var\((.*)\)/.exec(e);if(t){let e=t[1].indexOf(`,`);if(e===-1)return[t[1]];let n=t[1].slice(0,e).trim(),r=t[1].slice(e+1).trim();return r?[n,...KI(r)]:[n]}return[]}function qI(e,t){let n=document.createElement(`div`);t.appendChild(n),n.style.setProperty(`margin-top`,`0px`,`important`),n.style.setProperty(`margin-top`,e,`important`);let r=parseFloat(window.getComputedStyle(n).marginTop)||0;return t.removeChild(n),r}function JI({children:e,freeze:t},n){let r=XI(t,e);return(0,H.isValidElement)(r)?(0,H.cloneElement)(r,{ref:n}):H.createElement(H.Fragment,null,r)}var YI=H.forwardRef(JI);function XI(e,t){let[n,r]=(0,H.useState)(t);return!e&&n!==t&&r(t),e?n:t}var ZI=(0,H.createContext)(null);ZI.displayName=`OpenClosedContext`;var QI=(e=>(e[e.Open=1]=`Open`,e[e.Closed=2]=`Closed`,e[e.Closing=4]=`Closing`,e[e.Opening=8]=`Opening`,e))(QI||{});function $I(){return(0,H.useContext)(ZI)}function eL({value:e,children:t}){return H.createElement(ZI.Provider,{value:e},t)}function tL(e){function t(){document.readyState!==`loading`&&(e(),document.removeEventListener(`DOMContentLoaded`,t))}typeof window<`u`&&typeof document<`u`&&(document.addEventListener(`DOMContentLoaded`,t),t())}var nL=[];tL(()=>{function e(e){if(!mN(e.target)||e.target===document.body||nL[0]===e.target)return;let t=e.target;t=t.closest(pF),nL.unshift(t??e.target),nL=nL.filter(e=>e!=null&&e.isConnected),nL.splice(10)}window.addEventListener(`click`,e,{capture:!0}),window.addEventListener(`mousedown`,e,{capture:!0}),window.addEventListener(`focus`,e,{capture:!0}),document.body.addEventListener(`click`,e,{capture:!0}),document.body.addEventListener(`mousedown`,e,{capture:!0}),document.body.addEventListener(`focus`,e,{capture:!0})});function rL(e){throw Error(`Unexpected object: `+e)}var iL=(e=>(e[e.First=0]=`First`,e[e.Previous=1]=`Previous`,e[e.Next=2]=`Next`,e[e.Last=3]=`Last`,e[e.Specific=4]=`Specific`,e[e.Nothing=5]=`Nothing`,e))(iL||{});function aL(e,t){let n=t.resolveItems();if(n.length<=0)return null;let r=t.resolveActiveIndex(),i=r??-1;switch(e.focus){case 0:for(let e=0;e<n.length;++e)if(!t.resolveDisabled(n[e],e,n))return e;return r;case 1:i===-1&&(i=n.length);for(let e=i-1;e>=0;--e)if(!t.resolveDisabled(n[e],e,n))return e;return r;case 2:for(let e=i+1;e<n.length;++e)if(!t.resolveDisabled(n[e],e,n))return e;return r;case 3:for(let e=n.length-1;e>=0;--e)if(!t.resolveDisabled(n[e],e,n))return e;return r;case 4:for(let r=0;r<n.length;++r)if(t.resolveId(n[r],r,n)===e.id)return r;return r;case 5:return null;default:rL(e)}}function oL(e){let t=wM(e),n=(0,H.useRef)(!1);(0,H.useEffect)(()=>(n.current=!1,()=>{n.current=!0,yM(()=>{n.current&&t()})}),[t])}function sL(){let e=typeof document>`u`;return`useSyncExternalStore`in H&&(e=>e.useSyncExternalStore)(H)(()=>()=>{},()=>!1,()=>!e)}function cL(){let e=sL(),[t,n]=H.useState(mM.isHandoffComplete);return t&&mM.isHandoffComplete===!1&&n(!1),H.useEffect(()=>{t!==!0&&n(!0)},[t]),H.useEffect(()=>mM.handoff(),[]),!e&&t}var lL=(0,H.createContext)(!1);function uL(){return(0,H.useContext)(lL)}function dL(e){let t=uL(),n=(0,H.useContext)(gL),[r,i]=(0,H.useState)(()=>{if(!t&&n!==null)return n.current??null;if(mM.isServer)return null;let r=e?.getElementById(`headlessui-portal-root`);if(r)return r;if(e===null)return null;let i=e.createElement(`div`);return i.setAttribute(`id`,`headlessui-portal-root`),e.body.appendChild(i)});return(0,H.useEffect)(()=>{r!==null&&(e!=null&&e.body.contains(r)||e==null||e.body.appendChild(r))},[r,e]),(0,H.useEffect)(()=>{t||n!==null&&i(n.current)},[n,i,t]),r}var fL=H.Fragment,pL=HM(function(e,t){let{ownerDocument:n=null,...r}=e,i=(0,H.useRef)(null),a=EN(TN(e=>{i.current=e}),t),o=OF(i.current),s=dL(n??o),c=(0,H.useContext)(vL),l=xM(),u=cL(),d=FM();return oL(()=>{var e;s&&s.childNodes.length<=0&&((e=s.parentElement)==null||e.removeChild(s))}),!s||!u?null:(0,z2.createPortal)(H.createElement(`div`,{"data-headlessui-portal":``,ref:e=>{l.dispose(),c&&e&&l.add(c.register(e))}},d({ourProps:{ref:a},theirProps:r,slot:{},defaultTag:fL,name:`Portal`})),s)});function mL(e,t){let n=EN(t),{enabled:r=!0,ownerDocument:i,...a}=e,o=FM();return r?H.createElement(pL,{...a,ownerDocument:i,ref:n}):o({ourProps:{ref:n},theirProps:a,slot:{},defaultTag:fL,name:`Portal`})}var hL=H.Fragment,gL=(0,H.createContext)(null);function _L(e,t){let{target:n,...r}=e,i={ref:EN(t)},a=FM();return H.createElement(gL.Provider,{value:n},a({ourProps:i,theirProps:r,defaultTag:hL,name:`Popover.Group`}))}var vL=(0,H.createContext)(null),yL=HM(mL),bL=HM(_L),xL=Object.assign(yL,{Group:bL}),SL={Idle:{kind:`Idle`},Tracked:e=>({kind:`Tracked`,position:e}),Moved:{kind:`Moved`}};function CL(e){let t=e.getBoundingClientRect();return`${t.x},${t.y}`}function wL(e,t,n){let r=bM();if(t.kind===`Tracked`){let i=function(){a!==CL(e)&&(r.dispose(),n())},{position:a}=t,o=new ResizeObserver(i);o.observe(e),r.add(()=>o.disconnect()),r.addEventListener(window,`scroll`,i,{passive:!0}),r.addEventListener(window,`resize`,i)}return()=>r.dispose()}var TL=Object.defineProperty,EL=(e,t,n)=>t in e?TL(e,t,{enumerable:!0,configurable:!0,writable:!0,value:n}):e[t]=n,DL=(e,t,n)=>(EL(e,typeof t==`symbol`?t:t+``,n),n),$=(e=>(e[e.Open=0]=`Open`,e[e.Closed=1]=`Closed`,e))($||{}),OL=(e=>(e[e.Single=0]=`Single`,e[e.Multi=1]=`Multi`,e))(OL||{}),kL=(e=>(e[e.Pointer=0]=`Pointer`,e[e.Focus=1]=`Focus`,e[e.Other=2]=`Other`,e))(kL||{}),AL=(e=>(e[e.OpenCombobox=0]=`OpenCombobox`,e[e.CloseCombobox=1]=`CloseCombobox`,e[e.GoToOption=2]=`GoToOption`,e[e.SetTyping=3]=`SetTyping`,e[e.RegisterOption=4]=`RegisterOption`,e[e.UnregisterOption=5]=`UnregisterOption`,e[e.DefaultToFirstOption=6]=`DefaultToFirstOption`,e[e.SetActivationTrigger=7]=`SetActivationTrigger`,e[e.UpdateVirtualConfiguration=8]=`UpdateVirtualConfiguration`,e[e.SetInputElement=9]=`SetInputElement`,e[e.SetButtonElement=10]=`SetButtonElement`,e[e.SetOptionsElement=11]=`SetOptionsElement`,e[e.MarkInputAsMoved=12]=`MarkInputAsMoved`,e))(AL||{});function jL(e,t=e=>e){let n=e.activeOptionIndex===null?null:e.options[e.activeOptionIndex],r=t(e.options.slice()),i=r.length>0&&r[0].dataRef.current.order!==null?r.sort((e,t)=>e.dataRef.current.order-t.dataRef.current.order):bF(r,e=>e.dataRef.current.domRef.current),a=n?i.indexOf(n):null;return a===-1&&(a=null),{options:i,activeOptionIndex:a}}var ML={1(e){var t;if((t=e.dataRef.current)!=null&&t.disabled||e.comboboxState===1)return e;let n=e.inputElement?SL.Tracked(CL(e.inputElement)):e.inputPositionState;return{...e,activeOptionIndex:null,comboboxState:1,isTyping:!1,activationTrigger:2,inputPositionState:n,__demoMode:!1}},0(e){var t,n;if((t=e.dataRef.current)!=null&&t.disabled||e.comboboxState===0)return e;if((n=e.dataRef.current)!=null&&n.value){let t=e.dataRef.current.calculateIndex(e.dataRef.current.value);if(t!==-1)return{...e,activeOptionIndex:t,comboboxState:0,__demoMode:!1,inputPositionState:SL.Idle}}return{...e,comboboxState:0,inputPositionState:SL.Idle,__demoMode:!1}},3(e,t){return e.isTyping===t.isTyping?e:{...e,isTyping:t.isTyping}},2(e,t){var n,r;if((n=e.dataRef.current)!=null&&n.disabled||e.optionsElement&&!((r=e.dataRef.current)!=null&&r.optionsPropsRef.current.static)&&e.comboboxState===1)return e;if(e.virtual){let{options:n,disabled:r}=e.virtual,i=t.focus===iL.Specific?t.idx:aL(t,{resolveItems:()=>n,resolveActiveIndex:()=>e.activeOptionIndex??n.findIndex(e=>!r(e))??null,resolveDisabled:r,resolveId(){throw Error(`Function not implemented.`)}}),a=t.trigger??2;return e.activeOptionIndex===i&&e.activationTrigger===a?e:{...e,activeOptionIndex:i,activationTrigger:a,isTyping:!1,__demoMode:!1}}let i=jL(e);if(i.activeOptionIndex===null){let e=i.options.findIndex(e=>!e.dataRef.current.disabled);e!==-1&&(i.activeOptionIndex=e)}let a=t.focus===iL.Specific?t.idx:aL(t,{resolveItems:()=>i.options,resolveActiveIndex:()=>i.activeOptionIndex,resolveId:e=>e.id,resolveDisabled:e=>e.dataRef.current.disabled}),o=t.trigger??2;return e.activeOptionIndex===a&&e.activationTrigger===o?e:{...e,...i,isTyping:!1,activeOptionIndex:a,activationTrigger:o,__demoMode:!1}},4:(e,t)=>{var n,r,i,a;if((n=e.dataRef.current)!=null&&n.virtual)return{...e,options:[...e.options,t.payload]};let o=t.payload,s=jL(e,e=>(e.push(o),e));e.activeOptionIndex===null&&(i=(r=e.dataRef.current).isSelected)!=null&&i.call(r,t.payload.dataRef.current.value)&&(s.activeOptionIndex=s.options.indexOf(o));let c={...e,...s,activationTrigger:2};return(a=e.dataRef.current)!=null&&a.__demoMode&&e.dataRef.current.value===void 0&&(c.activeOptionIndex=0),c},5:(e,t)=>{var n;if((n=e.dataRef.current)!=null&&n.virtual)return{...e,options:e.options.filter(e=>e.id!==t.id)};let r=jL(e,e=>{let n=e.findIndex(e=>e.id===t.id);return n!==-1&&e.splice(n,1),e});return{...e,...r,activationTrigger:2}},6:(e,t)=>e.defaultToFirstOption===t.value?e:{...e,defaultToFirstOption:t.value},7:(e,t)=>e.activationTrigger===t.trigger?e:{...e,activationTrigger:t.trigger},8:(e,t)=>{if(e.virtual===null)return{...e,virtual:{options:t.options,disabled:t.disabled??(()=>!1)}};if(e.virtual.options===t.options&&e.virtual.disabled===t.disabled)return e;let n=e.activeOptionIndex;if(e.activeOptionIndex!==null){let r=t.options.indexOf(e.virtual.options[e.activeOptionIndex]);n=r===-1?null:r}return{...e,activeOptionIndex:n,virtual:{options:t.options,disabled:t.disabled??(()=>!1)}}},9:(e,t)=>e.inputElement===t.element?e:{...e,inputElement:t.element},10:(e,t)=>e.buttonElement===t.element?e:{...e,buttonElement:t.element},11:(e,t)=>e.optionsElement===t.element?e:{...e,optionsElement:t.element},12(e){return e.inputPositionState.kind===`Tracked`?{...e,inputPositionState:SL.Moved}:e}},NL=class e extends GP{constructor(e){super(e),DL(this,`actions`,{onChange:e=>{let{onChange:t,compare:n,mode:r,value:i}=this.state.dataRef.current;return MM(r,{0:()=>t?.(e),1:()=>{let r=i.slice(),a=r.findIndex(t=>n(t,e));return a===-1?r.push(e):r.splice(a,1),t?.(r)}})},registerOption:(e,t)=>(this.send({type:4,payload:{id:e,dataRef:t}}),()=>{this.state.activeOptionIndex===this.state.dataRef.current.calculateIndex(t.current.value)&&this.send({type:6,value:!0}),this.send({type:5,id:e})}),goToOption:(e,t)=>(this.send({type:6,value:!1}),this.send({type:2,...e,trigger:t})),setIsTyping:e=>{this.send({type:3,isTyping:e})},closeCombobox:()=>{var e,t;this.send({type:1}),this.send({type:6,value:!1}),(t=(e=this.state.dataRef.current).onClose)==null||t.call(e)},openCombobox:()=>{this.send({type:0}),this.send({type:6,value:!0})},setActivationTrigger:e=>{this.send({type:7,trigger:e})},selectActiveOption:()=>{let e=this.selectors.activeOptionIndex(this.state);if(e!==null){if(this.actions.setIsTyping(!1),this.state.virtual)this.actions.onChange(this.state.virtual.options[e]);else{let{dataRef:t}=this.state.options[e];this.actions.onChange(t.current.value)}this.actions.goToOption({focus:iL.Specific,idx:e})}},setInputElement:e=>{this.send({type:9,element:e})},setButtonElement:e=>{this.send({type:10,element:e})},setOptionsElement:e=>{this.send({type:11,element:e})}}),DL(this,`selectors`,{activeDescendantId:e=>{let t=this.selectors.activeOptionIndex(e);if(t!==null)return e.virtual?e.options.find(n=>!n.dataRef.current.disabled&&e.dataRef.current.compare(n.dataRef.current.value,e.virtual.options[t]))?.id:e.options[t]?.id},activeOptionIndex:e=>{if(e.defaultToFirstOption&&e.activeOptionIndex===null&&(e.virtual?e.virtual.options.length>0:e.options.length>0)){if(e.virtual){let{options:t,disabled:n}=e.virtual,r=t.findIndex(e=>{var t;return!((t=n?.(e))!=null&&t)});if(r!==-1)return r}let t=e.options.findIndex(e=>!e.dataRef.current.disabled);if(t!==-1)return t}return e.activeOptionIndex},activeOption:e=>{let t=this.selectors.activeOptionIndex(e);return t===null?null:e.virtual?e.virtual.options[t??0]:e.options[t]?.dataRef.current.value??null},isActive:(e,t,n)=>{let r=this.selectors.activeOptionIndex(e);return r===null?!1:e.virtual?r===e.dataRef.current.calculateIndex(t):e.options[r]?.id===n},shouldScrollIntoView:(e,t,n)=>!(e.virtual||e.__demoMode||e.comboboxState!==0||e.activationTrigger===0||!this.selectors.isActive(e,t,n)),didInputMove(e){return e.inputPositionState.kind===`Moved`}});{let e=this.state.id,t=tF.get(null);this.disposables.add(t.on(QP.Push,n=>{!t.selectors.isTop(n,e)&&this.state.comboboxState===0&&this.actions.closeCombobox()})),this.on(0,()=>t.actions.push(e)),this.on(1,()=>t.actions.pop(e))}this.disposables.group(e=>{this.on(1,t=>{t.inputElement&&(e.dispose(),e.add(wL(t.inputElement,t.inputPositionState,()=>{this.send({type:12})})))})})}static new({id:t,virtual:n=null,__demoMode:r=!1}){return new e({id:t,dataRef:{current:{}},comboboxState:+!r,isTyping:!1,options:[],virtual:n?{options:n.options,disabled:n.disabled??(()=>!1)}:null,activeOptionIndex:null,activationTrigger:2,inputElement:null,buttonElement:null,optionsElement:null,__demoMode:r,inputPositionState:SL.Idle})}reduce(e,t){return MM(t.type,ML,e,t)}},PL=(0,H.createContext)(null);function FL(e){let t=(0,H.useContext)(PL);if(t===null){let t=Error(`<${e} /> is missing a parent <Combobox /> component.`);throw Error.captureStackTrace&&Error.captureStackTrace(t,IL),t}return t}function IL({id:e,virtual:t=null,__demoMode:n=!1}){let r=(0,H.useMemo)(()=>NL.new({id:e,virtual:t,__demoMode:n}),[]);return oL(()=>r.dispose()),r}var LL=(0,H.createContext)(null);LL.displayName=`ComboboxDataContext`;function RL(e){let t=(0,H.useContext)(LL);if(t===null){let t=Error(`<${e} /> is missing a parent <Combobox /> component.`);throw Error.captureStackTrace&&Error.captureStackTrace(t,RL),t}return t}var zL=(0,H.createContext)(null);function BL(e){let t=FL(`VirtualProvider`),{options:n}=RL(`VirtualProvider`).virtual,r=iF(t,e=>e.optionsElement),[i,a]=(0,H.useMemo)(()=>{let e=r;if(!e)return[0,0];let t=window.getComputedStyle(e);return[parseFloat(t.paddingBlockStart||t.paddingTop),parseFloat(t.paddingBlockEnd||t.paddingBottom)]},[r]),o=DP({enabled:n.length!==0,scrollPaddingStart:i,scrollPaddingEnd:a,count:n.length,estimateSize(){return 40},getScrollElement(){return t.state.optionsElement},overscan:12}),[s,c]=(0,H.useState)(0);SM(()=>{c(e=>e+1)},[n]);let l=o.getVirtualItems(),u=iF(t,e=>e.activationTrigger===kL.Pointer),d=iF(t,t.selectors.activeOptionIndex);return l.length===0?null:H.createElement(zL.Provider,{value:o},H.createElement(`div`,{style:{position:`relative`,width:`100%`,height:`${o.getTotalSize()}px`},ref:e=>{e&&(u||d!==null&&n.length>d&&o.scrollToIndex(d))}},l.map(t=>H.createElement(H.Fragment,{key:t.key},H.cloneElement(e.children?.call(e,{...e.slot,option:n[t.index]}),{key:`${s}-${t.key}`,"data-index":t.index,"aria-setsize":n.length,"aria-posinset":t.index+1,style:{position:`absolute`,top:0,left:0,transform:`translateY(${t.start}px)`,overflowAnchor:`none`}})))))}var VL=H.Fragment;function HL(e,t){let n=(0,H.useId)(),r=AM(),{value:i,defaultValue:a,onChange:o,form:s,name:c,by:l,invalid:u=!1,disabled:d=r||!1,onClose:f,__demoMode:p=!1,multiple:m=!1,immediate:h=!1,virtual:g=null,nullable:_,...v}=e,y=XM(a),[b=m?[]:void 0,x]=YM(i,o,y),S=IL({id:n,virtual:g,__demoMode:p}),C=(0,H.useRef)({static:!1,hold:!1}),w=kP(l),T=wM(e=>g?l===null?g.options.indexOf(e):g.options.findIndex(t=>w(t,e)):S.state.options.findIndex(t=>w(t.dataRef.current.value,e))),E=(0,H.useCallback)(e=>MM(k.mode,{[OL.Multi]:()=>b.some(t=>w(t,e)),[OL.Single]:()=>w(b,e)}),[b]),D=iF(S,e=>e.virtual),O=wM(()=>f?.()),k=(0,H.useMemo)(()=>({__demoMode:p,immediate:h,optionsPropsRef:C,value:b,defaultValue:y,disabled:d,invalid:u,mode:m?OL.Multi:OL.Single,virtual:g?D:null,onChange:x,isSelected:E,calculateIndex:T,compare:w,onClose:O}),[p,h,C,b,y,d,u,m,g,D,x,E,T,w,O]);SM(()=>{g&&S.send({type:AL.UpdateVirtualConfiguration,options:g.options,disabled:g.disabled??null})},[g,g?.options,g?.disabled]),SM(()=>{S.state.dataRef.current=k},[k]);let[A,j,M,N]=iF(S,e=>[e.comboboxState,e.buttonElement,e.inputElement,e.optionsElement]),P=tF.get(null);DF(iF(P,(0,H.useCallback)(e=>P.selectors.isTop(e,n),[P,n])),[j,M,N],()=>S.actions.closeCombobox());let ee=iF(S,S.selectors.activeOptionIndex),te=iF(S,S.selectors.activeOption),ne=OM({open:A===$.Open,disabled:d,invalid:u,activeIndex:ee,activeOption:te,value:b}),[re,ie]=LN(),ae=t===null?{}:{ref:t},F=(0,H.useCallback)(()=>{if(y!==void 0)return x?.(y)},[x,y]),I=FM();return H.createElement(ie,{value:re,props:{htmlFor:M?.id},slot:{open:A===$.Open,disabled:d}},H.createElement(HI,null,H.createElement(LL.Provider,{value:k},H.createElement(PL.Provider,{value:S},H.createElement(eL,{value:MM(A,{[$.Open]:QI.Open,[$.Closed]:QI.Closed})},c!=null&&H.createElement(sN,{disabled:d,data:b==null?{}:{[c]:b},form:s,onReset:F}),I({ourProps:ae,theirProps:v,slot:ne,defaultTag:VL,name:`Combobox`}))))))}var UL=`input`;function WL(e,t){let n=FL(`Combobox.Input`),r=RL(`Combobox.Input`),i=(0,H.useId)(),a=uN(),{id:o=a||`headlessui-combobox-input-${i}`,onChange:s,displayValue:c,disabled:l=r.disabled||!1,autoFocus:u=!1,type:d=`text`,...f}=e,p=(0,H.useRef)(null),m=EN(p,t,RI(),n.actions.setInputElement),[h,g]=iF(n,e=>[e.comboboxState,e.isTyping]),_=xM(),v=wM(()=>{n.actions.onChange(null),n.state.optionsElement&&(n.state.optionsElement.scrollTop=0),n.actions.goToOption({focus:iL.Nothing})});rI(([e,t],[r,i])=>{if(n.state.isTyping)return;let a=p.current;a&&((i===$.Open&&t===$.Closed||e!==r)&&(a.value=e),requestAnimationFrame(()=>{if(n.state.isTyping||!a||vM(a))return;let{selectionStart:e,selectionEnd:t}=a;Math.abs((t??0)-(e??0))===0&&e===0&&a.setSelectionRange(a.value.length,a.value.length)}))},[(0,H.useMemo)(()=>typeof c==`function`&&r.value!==void 0?c(r.value)??``:typeof r.value==`string`?r.value:``,[r.value,c]),h,g]),rI(([e],[t])=>{if(e===$.Open&&t===$.Closed){if(n.state.isTyping)return;let e=p.current;if(!e)return;let t=e.value,{selectionStart:r,selectionEnd:i,selectionDirection:a}=e;e.value=``,e.value=t,a===null?e.setSelectionRange(r,i):e.setSelectionRange(r,i,a)}},[h]);let y=(0,H.useRef)(!1),b=wM(()=>{y.current=!0}),x=wM(()=>{_.nextFrame(()=>{y.current=!1})}),S=wM(e=>{switch(n.actions.setIsTyping(!0),e.key){case NN.Enter:if(n.state.comboboxState!==$.Open||y.current)return;if(e.preventDefault(),e.stopPropagation(),n.selectors.activeOptionIndex(n.state)===null){n.actions.closeCombobox();return}n.actions.selectActiveOption(),r.mode===OL.Single&&n.actions.closeCombobox();break;case NN.ArrowDown:return e.preventDefault(),e.stopPropagation(),MM(n.state.comboboxState,{[$.Open]:()=>n.actions.goToOption({focus:iL.Next}),[$.Closed]:()=>n.actions.openCombobox()});case NN.ArrowUp:return e.preventDefault(),e.stopPropagation(),MM(n.state.comboboxState,{[$.Open]:()=>n.actions.goToOption({focus:iL.Previous}),[$.Closed]:()=>{(0,z2.flushSync)(()=>n.actions.openCombobox()),r.value||n.actions.goToOption({focus:iL.Last})}});case NN.Home:if(n.state.comboboxState===$.Closed||e.shiftKey)break;return e.preventDefault(),e.stopPropagation(),n.actions.goToOption({focus:iL.First});case NN.PageUp:return e.preventDefault(),e.stopPropagation(),n.actions.goToOption({focus:iL.First});case NN.End:if(n.state.comboboxState===$.Closed||e.shiftKey)break;return e.preventDefault(),e.stopPropagation(),n.actions.goToOption({focus:iL.Last});case NN.PageDown:return e.preventDefault(),e.stopPropagation(),n.actions.goToOption({focus:iL.Last});case NN.Escape:return n.state.comboboxState===$.Open?(e.preventDefault(),n.state.optionsElement&&!r.optionsPropsRef.current.static&&e.stopPropagation(),r.mode===OL.Single&&r.value===null&&v(),n.actions.closeCombobox()):void 0;case NN.Tab:if(n.actions.setIsTyping(!1),n.state.comboboxState!==$.Open)return;r.mode===OL.Single&&n.state.activationTrigger!==kL.Focus&&n.actions.selectActiveOption(),n.actions.closeCombobox()}}),C=wM(e=>{s?.(e),r.mode===OL.Single&&e.target.value===``&&v(),n.actions.openCombobox()}),w=wM(e=>{var t,i;let a=e.relatedTarget??nL.find(t=>t!==e.currentTarget);if(!((t=n.state.optionsElement)!=null&&t.contains(a))&&!((i=n.state.buttonElement)!=null&&i.contains(a))&&n.state.comboboxState===$.Open)return e.preventDefault(),r.mode===OL.Single&&r.value===null&&v(),n.actions.closeCombobox()}),T=wM(e=>{var t,i;let a=e.relatedTarget??nL.find(t=>t!==e.currentTarget);(t=n.state.buttonElement)!=null&&t.contains(a)||(i=n.state.optionsElement)!=null&&i.contains(a)||r.disabled||r.immediate&&n.state.comboboxState!==$.Open&&_.microTask(()=>{(0,z2.flushSync)(()=>n.actions.openCombobox()),n.actions.setActivationTrigger(kL.Focus)})}),E=IN(),D=kN(),{isFocused:O,focusProps:k}=iM({autoFocus:u}),{isHovered:A,hoverProps:j}=uM({isDisabled:l}),M=iF(n,e=>e.optionsElement),N=OM({open:h===$.Open,disabled:l,invalid:r.invalid,hover:A,focus:O,autofocus:u}),P=VM({ref:m,id:o,role:`combobox`,type:d,"aria-controls":M?.id,"aria-expanded":h===$.Open,"aria-activedescendant":iF(n,n.selectors.activeDescendantId),"aria-labelledby":E,"aria-describedby":D,"aria-autocomplete":`list`,defaultValue:e.defaultValue??(r.defaultValue===void 0?null:c?.(r.defaultValue))??r.defaultValue,disabled:l||void 0,autoFocus:u,onCompositionStart:b,onCompositionEnd:x,onKeyDown:S,onChange:C,onFocus:T,onBlur:w},k,j);return FM()({ourProps:P,theirProps:f,slot:N,defaultTag:UL,name:`Combobox.Input`})}var GL=`button`;function KL(e,t){let n=FL(`Combobox.Button`),r=RL(`Combobox.Button`),[i,a]=(0,H.useState)(null),o=EN(t,a,n.actions.setButtonElement),s=(0,H.useId)(),{id:c=`headlessui-combobox-button-${s}`,disabled:l=r.disabled||!1,autoFocus:u=!1,...d}=e,[f,p,m]=iF(n,e=>[e.comboboxState,e.inputElement,e.optionsElement]),h=FF(p);NF(f===$.Open,{trigger:i,action:(0,H.useCallback)(e=>{if(i!=null&&i.contains(e.target)||p!=null&&p.contains(e.target))return AF.Ignore;let t=e.target.closest(`[role="option"]:not([data-disabled])`);return pN(t)?AF.Select(t):m!=null&&m.contains(e.target)?AF.Ignore:AF.Close},[i,p,m]),close:n.actions.closeCombobox,select:n.actions.selectActiveOption});let g=wM(e=>{switch(e.key){case NN.Space:case NN.Enter:e.preventDefault(),e.stopPropagation(),n.state.comboboxState===$.Closed&&(0,z2.flushSync)(()=>n.actions.openCombobox()),h();return;case NN.ArrowDown:e.preventDefault(),e.stopPropagation(),n.state.comboboxState===$.Closed&&((0,z2.flushSync)(()=>n.actions.openCombobox()),n.state.dataRef.current.value||n.actions.goToOption({focus:iL.First})),h();return;case NN.ArrowUp:e.preventDefault(),e.stopPropagation(),n.state.comboboxState===$.Closed&&((0,z2.flushSync)(()=>n.actions.openCombobox()),n.state.dataRef.current.value||n.actions.goToOption({focus:iL.Last})),h();return;case NN.Escape:if(n.state.comboboxState!==$.Open)return;e.preventDefault(),n.state.optionsElement&&!r.optionsPropsRef.current.static&&e.stopPropagation(),(0,z2.flushSync)(()=>n.actions.closeCombobox()),h();return;default:return}}),_=NP(()=>{n.state.comboboxState===$.Open?n.actions.closeCombobox():n.actions.openCombobox(),h()}),v=IN([c]),{isFocusVisible:y,focusProps:b}=iM({autoFocus:u}),{isHovered:x,hoverProps:S}=uM({isDisabled:l}),{pressed:C,pressProps:w}=DM({disabled:l}),T=OM({open:f===$.Open,active:C||f===$.Open,disabled:l,invalid:r.invalid,value:r.value,hover:x,focus:y}),E=VM({ref:o,id:c,type:IF(e,i),tabIndex:-1,"aria-haspopup":`listbox`,"aria-controls":m?.id,"aria-expanded":f===$.Open,"aria-labelledby":v,disabled:l||void 0,autoFocus:u,onKeyDown:g},_,b,S,w);return FM()({ourProps:E,theirProps:d,slot:T,defaultTag:GL,name:`Combobox.Button`})}var qL=`div`,JL=NM.RenderStrategy|NM.Static;function YL(e,t){let n=(0,H.useId)(),{id:r=`headlessui-combobox-options-${n}`,hold:i=!1,anchor:a,portal:o=!1,modal:s=!0,transition:c=!1,...l}=e,u=FL(`Combobox.Options`),d=RL(`Combobox.Options`),f=LI(a);f&&(o=!0);let[p,m]=BI(f),[h,g]=(0,H.useState)(null),_=zI(),v=EN(t,f?p:null,u.actions.setOptionsElement,g),[y,b,x,S,C]=iF(u,e=>[e.comboboxState,e.inputElement,e.buttonElement,e.optionsElement,e.activationTrigger]),w=OF(b||x),T=OF(S),E=$I(),[D,O]=ZF(c,h,E===null?y===$.Open:(E&QI.Open)===QI.Open);fF(D,b,u.actions.closeCombobox),GF(!d.__demoMode&&s&&y===$.Open,T),dF(!d.__demoMode&&s&&y===$.Open,{allowed:(0,H.useCallback)(()=>[b,x,S],[b,x,S])});let k=!iF(u,u.selectors.didInputMove)&&D;SM(()=>{d.optionsPropsRef.current.static=e.static??!1},[d.optionsPropsRef,e.static]),SM(()=>{d.optionsPropsRef.current.hold=i},[d.optionsPropsRef,i]),nI(y===$.Open,{container:S,accept(e){return e.getAttribute(`role`)===`option`?NodeFilter.FILTER_REJECT:e.hasAttribute(`role`)?NodeFilter.FILTER_SKIP:NodeFilter.FILTER_ACCEPT},walk(e){e.setAttribute(`role`,`none`)}});let A=IN([x?.id]),j=OM({open:y===$.Open,option:void 0}),M=wM(()=>{u.actions.setActivationTrigger(kL.Pointer)}),N=wM(e=>{e.preventDefault(),u.actions.setActivationTrigger(kL.Pointer)}),P=VM(f?_():{},{"aria-labelledby":A,role:`listbox`,"aria-multiselectable":d.mode===OL.Multi||void 0,id:r,ref:v,style:{...l.style,...m,"--input-width":jP(D,b,!0).width,"--button-width":jP(D,x,!0).width},onWheel:C===kL.Pointer?void 0:M,onMouseDown:N,...XF(O)}),ee=D&&y===$.Closed&&!e.static,te=XI(ee,d.virtual?.options),ne=XI(ee,d.value),re=(0,H.useCallback)(e=>d.compare(ne,e),[d.compare,ne]),ie=(0,H.useMemo)(()=>{if(!d.virtual)return d;if(te===void 0)throw Error("Missing `options` in virtual mode");return te===d.virtual.options?d:{...d,virtual:{...d.virtual,options:te}}},[d,te,d.virtual?.options]);d.virtual&&Object.assign(l,{children:H.createElement(LL.Provider,{value:ie},H.createElement(BL,{slot:j},l.children))});let ae=FM(),F=(0,H.useMemo)(()=>d.mode===OL.Multi?d:{...d,isSelected:re},[d,re]);return H.createElement(xL,{enabled:o?e.static||D:!1,ownerDocument:w},H.createElement(LL.Provider,{value:F},ae({ourProps:P,theirProps:{...l,children:H.createElement(YI,{freeze:ee},typeof l.children==`function`?l.children?.call(l,j):l.children)},slot:j,defaultTag:qL,features:JL,visible:k,name:`Combobox.Options`})))}var XL=`div`;function ZL(e,t){var n;let r=RL(`Combobox.Option`),i=FL(`Combobox.Option`),a=(0,H.useId)(),{id:o=`headlessui-combobox-option-${a}`,value:s,disabled:c=((n=r.virtual)?.disabled)?.call(n,s)??!1,order:l=null,...u}=e,[d]=iF(i,e=>[e.inputElement]),f=FF(d),p=iF(i,(0,H.useCallback)(e=>i.selectors.isActive(e,s,o),[s,o])),m=r.isSelected(s),h=(0,H.useRef)(null),g=CM({disabled:c,value:s,domRef:h,order:l}),_=(0,H.useContext)(zL),v=EN(t,h,_?_.measureElement:null),y=wM(()=>{i.actions.setIsTyping(!1),i.actions.onChange(s)});SM(()=>i.actions.registerOption(o,g),[g,o]);let b=iF(i,(0,H.useCallback)(e=>i.selectors.shouldScrollIntoView(e,s,o),[s,o]));SM(()=>{if(b)return bM().requestAnimationFrame(()=>{var e,t;(t=(e=h.current)?.scrollIntoView)==null||t.call(e,{block:`nearest`})})},[b,h]);let x=wM(e=>{e.preventDefault(),e.button===MP.Left&&(c||(y(),CF()||requestAnimationFrame(()=>f()),r.mode===OL.Single&&i.actions.closeCombobox()))}),S=wM(()=>{if(c)return i.actions.goToOption({focus:iL.Nothing});let e=r.calculateIndex(s);i.actions.goToOption({focus:iL.Specific,idx:e})}),C=qF(),w=wM(e=>C.update(e)),T=wM(e=>{if(!C.wasMoved(e)||c||p&&i.state.activationTrigger===kL.Pointer)return;let t=r.calculateIndex(s);i.actions.goToOption({focus:iL.Specific,idx:t},kL.Pointer)}),E=wM(e=>{C.wasMoved(e)&&(c||p&&(r.optionsPropsRef.current.hold||i.state.activationTrigger===kL.Pointer&&i.actions.goToOption({focus:iL.Nothing})))}),D=OM({active:p,focus:p,selected:m,disabled:c}),O={id:o,ref:v,role:`option`,tabIndex:c===!0?void 0:-1,"aria-disabled":c===!0||void 0,"aria-selected":m,disabled:void 0,onMouseDown:x,onFocus:S,onPointerEnter:w,onMouseEnter:w,onPointerMove:T,onMouseMove:T,onPointerLeave:E,onMouseLeave:E};return FM()({ourProps:O,theirProps:u,slot:D,defaultTag:XL,name:`Combobox.Option`})}var QL=HM(HL),$L=HM(KL),eR=HM(WL),tR=VN,nR=HM(YL),rR=HM(ZL),iR=Object.assign(QL,{Input:eR,Button:$L,Label:tR,Options:nR,Option:rR}),aR=()=>{let e=(0,_A.c)(34),t=IR(),{push:n}=LR(),r=(0,H.useRef)(null),i=oR(),[a,o]=(0,H.useState)(``),s;e[0]!==i||e[1]!==a?(s=()=>i(a),e[0]=i,e[1]=a,e[2]=s):s=e[2];let[c,l]=(0,H.useState)(s),[u,d]=(0,H.useState)(!1),f;e[3]===i?f=e[4]:(f=Pf(200,e=>{l(i(e))}),e[3]=i,e[4]=f);let p=f,m,h;e[5]!==p||e[6]!==a?(m=()=>{p(a)},h=[p,a],e[5]=p,e[6]=a,e[7]=m,e[8]=h):(m=e[7],h=e[8]),(0,H.useEffect)(m,h);let g,_,v;if(e[9]!==t||e[10]!==n){g=t.at(-1);let r;e[14]===n?r=e[15]:(r=e=>{e&&n(`field`in e?{name:e.field.name,def:e.field}:{name:e.type.name,def:e.type})},e[14]=n,e[15]=r),_=r,v=t.length===1||Mt(g.def)||Pt(g.def)||Rt(g.def),e[9]=t,e[10]=n,e[11]=g,e[12]=_,e[13]=v}else g=e[11],_=e[12],v=e[13];if(!v)return null;let y=u?void 0:`idle`,b=`Search ${g.name}...`,x,S;e[16]===Symbol.for(`react.memo_cache_sentinel`)?(x=()=>{r.current.focus()},S=(0,X.jsx)(Ay,{}),e[16]=x,e[17]=S):(x=e[16],S=e[17]);let C,w,T,E;e[18]===Symbol.for(`react.memo_cache_sentinel`)?(E=e=>o(e.target.value),C=()=>d(!0),w=()=>d(!1),T=hf(hf(gf.searchInDocs.key).replaceAll(`-`,` `)),e[18]=C,e[19]=w,e[20]=T,e[21]=E):(C=e[18],w=e[19],T=e[20],E=e[21]);let D;e[22]!==a||e[23]!==T?(D=(0,X.jsxs)(`div`,{className:`graphiql-doc-explorer-search-input`,onClick:x,children:[S,(0,X.jsx)(eR,{autoComplete:`off`,onChange:E,onFocus:C,onBlur:w,placeholder:T,ref:r,value:a,"data-cy":`doc-explorer-input`})]}),e[22]=a,e[23]=T,e[24]=D):D=e[24];let O;e[25]!==u||e[26]!==c?(O=u&&(0,X.jsxs)(nR,{"data-cy":`doc-explorer-list`,children:[c.within.length+c.types.length+c.fields.length===0?(0,X.jsx)(`div`,{className:`graphiql-doc-explorer-search-empty`,children:`No results found`}):c.within.map(dR),c.within.length>0&&c.types.length+c.fields.length>0?(0,X.jsx)(`div`,{className:`graphiql-doc-explorer-search-divider`,children:`Other results`}):null,c.types.map(fR),c.fields.map(pR)]}),e[25]=u,e[26]=c,e[27]=O):O=e[27];let k;return e[28]!==_||e[29]!==D||e[30]!==O||e[31]!==y||e[32]!==b?(k=(0,X.jsxs)(iR,{as:`div`,className:`graphiql-doc-explorer-search`,onChange:_,"data-state":y,"aria-label":b,children:[D,O]}),e[28]=_,e[29]=D,e[30]=O,e[31]=y,e[32]=b,e[33]=k):k=e[33],k};function oR(){let e=(0,_A.c)(5),t=IR(),n=Ev(sR),r;e[0]===t?r=e[1]:(r=t.at(-1),e[0]=t,e[1]=r);let i=r,a;return e[2]!==i||e[3]!==n?(a=e=>{let t={within:[],types:[],fields:[]};if(!n)return t;let r=i.def,a=n.getTypeMap(),o=Object.keys(a);r&&(o=o.filter(e=>e!==r.name),o.unshift(r.name));for(let n of o){if(t.within.length+t.types.length+t.fields.length>=100)break;let i=a[n];if(r!==i&&cR(n,e)&&t.types.push({type:i}),!Mt(i)&&!Pt(i)&&!Rt(i))continue;let o=i.getFields();for(let n in o){let a=o[n],s;if(!cR(n,e)){if(`args`in a){if(s=a.args.filter(t=>cR(t.name,e)),s.length===0)continue}else continue}t[r===i?`within`:`fields`].push(...s?s.map(e=>({type:i,field:a,argument:e})):[{type:i,field:a}])}}return t},e[2]=i,e[3]=n,e[4]=a):a=e[4],a}function sR(e){return e.schema}function cR(e,t){try{let n=t.replaceAll(/[^_0-9A-Za-z]/g,e=>`\\`+e);return new RegExp(n,`i`).test(e)}catch{return e.toLowerCase().includes(t.toLowerCase())}}var lR=e=>{let t=(0,_A.c)(2),{type:n}=e,r;return t[0]===n.name?r=t[1]:(r=(0,X.jsx)(`span`,{className:`graphiql-doc-explorer-search-type`,children:n.name}),t[0]=n.name,t[1]=r),r},uR=e=>{let t=(0,_A.c)(7),{field:n,argument:r}=e,i;t[0]===n.name?i=t[1]:(i=(0,X.jsx)(`span`,{className:`graphiql-doc-explorer-search-field`,children:n.name}),t[0]=n.name,t[1]=i);let a;t[2]===r?a=t[3]:(a=r?(0,X.jsxs)(X.Fragment,{children:[`(`,(0,X.jsx)(`span`,{className:`graphiql-doc-explorer-search-argument`,children:r.name}),`:`,` `,GA(r.type,mR),`)`]}):null,t[2]=r,t[3]=a);let o;return t[4]!==i||t[5]!==a?(o=(0,X.jsxs)(X.Fragment,{children:[i,a]}),t[4]=i,t[5]=a,t[6]=o):o=t[6],o};function dR(e,t){return(0,X.jsx)(rR,{value:e,"data-cy":`doc-explorer-option`,children:(0,X.jsx)(uR,{field:e.field,argument:e.argument})},`within-${t}`)}function fR(e,t){return(0,X.jsx)(rR,{value:e,"data-cy":`doc-explorer-option`,children:(0,X.jsx)(lR,{type:e.type})},`type-${t}`)}function pR(e,t){return(0,X.jsxs)(rR,{value:e,"data-cy":`doc-explorer-option`,children:[(0,X.jsx)(lR,{type:e.type}),`.`,(0,X.jsx)(uR,{field:e.field,argument:e.argument})]},`field-${t}`)}function mR(e){return(0,X.jsx)(lR,{type:e})}var hR=e=>{let t=(0,_A.c)(6),{field:n}=e,{push:r}=LR(),i;t[0]!==n||t[1]!==r?(i=e=>{e.preventDefault(),r({name:n.name,def:n})},t[0]=n,t[1]=r,t[2]=i):i=t[2];let a;return t[3]!==n.name||t[4]!==i?(a=(0,X.jsx)(`a`,{className:`graphiql-doc-explorer-field-name`,onClick:i,href:`#`,children:n.name}),t[3]=n.name,t[4]=i,t[5]=a):a=t[5],a},gR=e=>{let t=(0,_A.c)(2),{type:n}=e,r;return t[0]===n?r=t[1]:(r=Zt(n)?(0,X.jsxs)(X.Fragment,{children:[n.description?(0,X.jsx)(Yx,{type:`description`,children:n.description}):null,(0,X.jsx)(_R,{type:n}),(0,X.jsx)(vR,{type:n}),(0,X.jsx)(bR,{type:n}),(0,X.jsx)(SR,{type:n})]}):null,t[0]=n,t[1]=r),r},_R=e=>{let t=(0,_A.c)(5),{type:n}=e;if(!Mt(n))return null;let r;t[0]===n?r=t[1]:(r=n.getInterfaces(),t[0]=n,t[1]=r);let i=r,a;return t[2]!==i.length||t[3]!==n?(a=i.length>0?(0,X.jsx)(XA,{title:`Implements`,children:n.getInterfaces().map(CR)}):null,t[2]=i.length,t[3]=n,t[4]=a):a=t[4],a},vR=e=>{let t=(0,_A.c)(12),{type:n}=e,[r,i]=(0,H.useState)(!1),a;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(a=()=>{i(!0)},t[0]=a):a=t[0];let o=a;if(!Mt(n)&&!Pt(n)&&!Rt(n))return null;let s,c,l;if(t[1]!==n){let e=n.getFields();c=[],s=[];for(let t of Object.keys(e).map(t=>e[t]))t.deprecationReason?s.push(t):c.push(t);l=c.length>0?(0,X.jsx)(XA,{title:`Fields`,children:c.map(wR)}):null,t[1]=n,t[2]=s,t[3]=c,t[4]=l}else s=t[2],c=t[3],l=t[4];let u;t[5]!==s||t[6]!==c.length||t[7]!==r?(u=s.length>0?r||c.length===0?(0,X.jsx)(XA,{title:`Deprecated Fields`,children:s.map(TR)}):(0,X.jsx)(E8,{type:`button`,onClick:o,children:`Show Deprecated Fields`}):null,t[5]=s,t[6]=c.length,t[7]=r,t[8]=u):u=t[8];let d;return t[9]!==l||t[10]!==u?(d=(0,X.jsxs)(X.Fragment,{children:[l,u]}),t[9]=l,t[10]=u,t[11]=d):d=t[11],d},yR=e=>{let t=(0,_A.c)(22),{field:n}=e,r,i,a;if(t[0]!==n){let e=`args`in n?n.args.filter(ER):[];a=`graphiql-doc-explorer-item`,r=(0,X.jsx)(hR,{field:n}),i=e.length>0?(0,X.jsxs)(X.Fragment,{children:[`(`,(0,X.jsx)(`span`,{children:e.map(t=>e.length===1?(0,X.jsx)(qA,{arg:t,inline:!0},t.name):(0,X.jsx)(`div`,{className:`graphiql-doc-explorer-argument-multiple`,children:(0,X.jsx)(qA,{arg:t,inline:!0})},t.name))}),`)`]}):null,t[0]=n,t[1]=r,t[2]=i,t[3]=a}else r=t[1],i=t[2],a=t[3];let o;t[4]===n.type?o=t[5]:(o=(0,X.jsx)(KA,{type:n.type}),t[4]=n.type,t[5]=o);let s;t[6]===n?s=t[7]:(s=(0,X.jsx)(WA,{field:n}),t[6]=n,t[7]=s);let c;t[8]!==r||t[9]!==i||t[10]!==o||t[11]!==s?(c=(0,X.jsxs)(`div`,{children:[r,i,`: `,o,s]}),t[8]=r,t[9]=i,t[10]=o,t[11]=s,t[12]=c):c=t[12];let l;t[13]===n.description?l=t[14]:(l=n.description?(0,X.jsx)(Yx,{type:`description`,onlyShowFirstChild:!0,children:n.description}):null,t[13]=n.description,t[14]=l);let u;t[15]===n.deprecationReason?u=t[16]:(u=(0,X.jsx)(JA,{children:n.deprecationReason}),t[15]=n.deprecationReason,t[16]=u);let d;return t[17]!==a||t[18]!==c||t[19]!==l||t[20]!==u?(d=(0,X.jsxs)(`div`,{className:a,children:[c,l,u]}),t[17]=a,t[18]=c,t[19]=l,t[20]=u,t[21]=d):d=t[21],d},bR=e=>{let t=(0,_A.c)(12),{type:n}=e,[r,i]=(0,H.useState)(!1),a;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(a=()=>{i(!0)},t[0]=a):a=t[0];let o=a;if(!Lt(n))return null;let s,c,l;if(t[1]!==n){l=[],s=[];for(let e of n.getValues())e.deprecationReason?s.push(e):l.push(e);c=l.length>0&&(0,X.jsx)(XA,{title:`Enum Values`,children:l.map(DR)}),t[1]=n,t[2]=s,t[3]=c,t[4]=l}else s=t[2],c=t[3],l=t[4];let u;t[5]!==s||t[6]!==r||t[7]!==l.length?(u=s.length>0&&(r||!l.length?(0,X.jsx)(XA,{title:`Deprecated Enum Values`,children:s.map(OR)}):(0,X.jsx)(E8,{type:`button`,onClick:o,children:`Show Deprecated Values`})),t[5]=s,t[6]=r,t[7]=l.length,t[8]=u):u=t[8];let d;return t[9]!==c||t[10]!==u?(d=(0,X.jsxs)(X.Fragment,{children:[c,u]}),t[9]=c,t[10]=u,t[11]=d):d=t[11],d},xR=e=>{let t=(0,_A.c)(10),{value:n}=e,r;t[0]===n.name?r=t[1]:(r=(0,X.jsx)(`div`,{className:`graphiql-doc-explorer-enum-value`,children:n.name}),t[0]=n.name,t[1]=r);let i;t[2]===n.description?i=t[3]:(i=n.description&&(0,X.jsx)(Yx,{type:`description`,children:n.description}),t[2]=n.description,t[3]=i);let a;t[4]===n.deprecationReason?a=t[5]:(a=n.deprecationReason&&(0,X.jsx)(Yx,{type:`deprecation`,children:n.deprecationReason}),t[4]=n.deprecationReason,t[5]=a);let o;return t[6]!==r||t[7]!==i||t[8]!==a?(o=(0,X.jsxs)(`div`,{className:`graphiql-doc-explorer-item`,children:[r,i,a]}),t[6]=r,t[7]=i,t[8]=a,t[9]=o):o=t[9],o},SR=e=>{let t=(0,_A.c)(6),{type:n}=e,r=Ev(kR);if(!r||!Gt(n))return null;let i=Pt(n)?`Implementations`:`Possible Types`,a;t[0]!==r||t[1]!==n?(a=r.getPossibleTypes(n).map(AR),t[0]=r,t[1]=n,t[2]=a):a=t[2];let o;return t[3]!==i||t[4]!==a?(o=(0,X.jsx)(XA,{title:i,children:a}),t[3]=i,t[4]=a,t[5]=o):o=t[5],o};function CR(e){return(0,X.jsx)(`div`,{children:(0,X.jsx)(KA,{type:e})},e.name)}function wR(e){return(0,X.jsx)(yR,{field:e},e.name)}function TR(e){return(0,X.jsx)(yR,{field:e},e.name)}function ER(e){return!e.deprecationReason}function DR(e){return(0,X.jsx)(xR,{value:e},e.name)}function OR(e){return(0,X.jsx)(xR,{value:e},e.name)}function kR(e){return e.schema}function AR(e){return(0,X.jsx)(`div`,{children:(0,X.jsx)(KA,{type:e})},e.name)}var jR={title:`Documentation Explorer`,icon:function(){return Ev(e=>e.visiblePlugin)===jR?(0,X.jsx)(Cy,{}):(0,X.jsx)(wy,{})},content:()=>{let e=(0,_A.c)(39),t;e[0]===Symbol.for(`react.memo_cache_sentinel`)?(t=v_(`fetchError`,`isIntrospecting`,`schema`,`validationErrors`),e[0]=t):t=e[0];let{fetchError:n,isIntrospecting:r,schema:i,validationErrors:a}=Ev(t),o=IR(),{pop:s}=LR(),c,l;if(e[1]!==o||e[2]!==n||e[3]!==r||e[4]!==i||e[5]!==a){if(l=o.at(-1),c=null,n){let t;e[8]===Symbol.for(`react.memo_cache_sentinel`)?(t=(0,X.jsx)(`div`,{className:`graphiql-doc-explorer-error`,children:`Error fetching schema`}),e[8]=t):t=e[8],c=t}else if(a[0]){let t;e[9]===a[0].message?t=e[10]:(t=(0,X.jsxs)(`div`,{className:`graphiql-doc-explorer-error`,children:[`Schema is invalid: `,a[0].message]}),e[9]=a[0].message,e[10]=t),c=t}else if(r){let t;e[11]===Symbol.for(`react.memo_cache_sentinel`)?(t=(0,X.jsx)(Xx,{}),e[11]=t):t=e[11],c=t}else if(!i){let t;e[12]===Symbol.for(`react.memo_cache_sentinel`)?(t=(0,X.jsx)(`div`,{className:`graphiql-doc-explorer-error`,children:`No GraphQL schema available`}),e[12]=t):t=e[12],c=t}else if(o.length===1){let t;e[13]===i?t=e[14]:(t=(0,X.jsx)(ij,{schema:i}),e[13]=i,e[14]=t),c=t}else if(At(l.def)){let t;e[15]===l.def?t=e[16]:(t=(0,X.jsx)(gR,{type:l.def}),e[15]=l.def,e[16]=t),c=t}else if(l.def){let t;e[17]===l.def?t=e[18]:(t=(0,X.jsx)(QA,{field:l.def}),e[17]=l.def,e[18]=t),c=t}e[1]=o,e[2]=n,e[3]=r,e[4]=i,e[5]=a,e[6]=c,e[7]=l}else c=e[6],l=e[7];let u;if(o.length>1){let t;e[19]===o?t=e[20]:(t=o.at(-2),e[19]=o,e[20]=t),u=t.name}let d;e[21]!==s||e[22]!==u?(d=u&&(0,X.jsxs)(`a`,{href:`#`,className:`graphiql-doc-explorer-back`,onClick:e=>{e.preventDefault(),s()},"aria-label":`Go back to ${u}`,children:[(0,X.jsx)(hy,{}),u]}),e[21]=s,e[22]=u,e[23]=d):d=e[23];let f;e[24]===l.name?f=e[25]:(f=(0,X.jsx)(`div`,{className:`graphiql-doc-explorer-title`,children:l.name}),e[24]=l.name,e[25]=f);let p;e[26]!==d||e[27]!==f?(p=(0,X.jsxs)(`div`,{className:`graphiql-doc-explorer-header-content`,children:[d,f]}),e[26]=d,e[27]=f,e[28]=p):p=e[28];let m;e[29]===l.name?m=e[30]:(m=(0,X.jsx)(aR,{},l.name),e[29]=l.name,e[30]=m);let h;e[31]!==p||e[32]!==m?(h=(0,X.jsxs)(`div`,{className:`graphiql-doc-explorer-header`,children:[p,m]}),e[31]=p,e[32]=m,e[33]=h):h=e[33];let g;e[34]===c?g=e[35]:(g=(0,X.jsx)(`div`,{className:`graphiql-doc-explorer-content`,children:c}),e[34]=c,e[35]=g);let _;return e[36]!==h||e[37]!==g?(_=(0,X.jsxs)(`section`,{className:`graphiql-doc-explorer`,"aria-label":`Documentation Explorer`,children:[h,g]}),e[36]=h,e[37]=g,e[38]=_):_=e[38],_}},MR=[{name:`Docs`}],NR=ps((e,t)=>({explorerNavStack:MR,actions:{push(t){e(e=>{let n=e.explorerNavStack;return{explorerNavStack:n.at(-1).def===t.def?n:[...n,t]}})},pop(){e(e=>{let t=e.explorerNavStack;return{explorerNavStack:t.length>1?t.slice(0,-1):t}})},reset(){e(e=>{let t=e.explorerNavStack;return{explorerNavStack:t.length===1?t:MR}})},resolveSchemaReferenceToNavItem(e){if(!e)return;let{kind:n,typeInfo:r}=e,i=IA(n,r);if(!i)return;let{push:a}=t().actions;switch(i.kind){case`Type`:a({name:i.type.name,def:i.type});break;case`Field`:i.type&&a({name:i.type.name,def:i.type}),a({name:i.field.name,def:i.field});break;case`Argument`:i.field&&a({name:i.field.name,def:i.field});break;case`EnumValue`:i.type&&a({name:i.type.name,def:i.type})}},rebuildNavStackWithSchema(t){e(e=>{let n=e.explorerNavStack;if(n.length===1)return e;let r=[...MR],i=null;for(let e of n)if(e!==MR[0]){if(e.def){if(Zt(e.def)){let n=t.getType(e.def.name);if(n)r.push({name:e.name,def:n}),i=n;else break}else if(i===null)break;else if(Mt(i)||Rt(i)){let t=i.getFields()[e.name];if(t)r.push({name:e.name,def:t});else break}else if(jt(i)||Lt(i)||Pt(i)||It(i))break;else{let t=i;if(t.args.some(t=>t.name===e.name))r.push({name:e.name,def:t});else break}}else i=null,r.push(e)}return{explorerNavStack:r}})}}})),PR=e=>{let t=(0,_A.c)(9),{children:n}=e,r;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(r=v_(`schema`,`validationErrors`,`schemaReference`),t[0]=r):r=t[0];let{schema:i,validationErrors:a,schemaReference:o}=Ev(r),s,c;t[1]===o?(s=t[2],c=t[3]):(s=()=>{let{resolveSchemaReferenceToNavItem:e}=NR.getState().actions;e(o)},c=[o],t[1]=o,t[2]=s,t[3]=c),(0,H.useEffect)(s,c);let l,u;t[4]!==i||t[5]!==a?(l=()=>{let{reset:e,rebuildNavStackWithSchema:t}=NR.getState().actions;i==null||a.length>0?e():t(i)},u=[i,a],t[4]=i,t[5]=a,t[6]=l,t[7]=u):(l=t[6],u=t[7]),(0,H.useEffect)(l,u);let d;return t[8]===Symbol.for(`react.memo_cache_sentinel`)?(d=[],t[8]=d):d=t[8],(0,H.useEffect)(zR,d),n},FR=ws(NR),IR=()=>FR(BR),LR=()=>FR(VR);function RR(){document.querySelector(`.graphiql-doc-explorer-search-input`)?.click()}function zR(){let e=function(e){e.altKey&&e[mf?`metaKey`:`ctrlKey`]&&e.code===`KeyK`&&(document.querySelector(`.graphiql-sidebar button[aria-label="Show Documentation Explorer"]`)?.click(),requestAnimationFrame(RR))};return window.addEventListener(`keydown`,e),()=>{window.removeEventListener(`keydown`,e)}}function BR(e){return e.explorerNavStack}function VR(e){return e.actions}var HR=e=>{let t=(0,_A.c)(2),{children:n}=e,r;return t[0]===n?r=t[1]:(r=(0,X.jsx)(`div`,{className:`graphiql-footer`,children:n}),t[0]=n,t[1]=r),r},UR=e=>{let t=(0,_A.c)(4),{prettify:n,copy:r,merge:i}=e,a;return t[0]!==r||t[1]!==i||t[2]!==n?(a=(0,X.jsxs)(X.Fragment,{children:[n,i,r]}),t[0]=r,t[1]=i,t[2]=n,t[3]=a):a=t[3],a},WR=e=>{let t=(0,_A.c)(14),{children:n}=e,r=n===void 0?UR:n,i=typeof r==`function`,{copyQuery:a,prettifyEditors:o,mergeQuery:s}=Dv();if(!i)return r;let c;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(c=(0,X.jsx)(Fy,{className:`graphiql-toolbar-icon`,"aria-hidden":`true`}),t[0]=c):c=t[0];let l;t[1]===o?l=t[2]:(l=(0,X.jsx)(D8,{onClick:o,label:`Prettify query (${gf.prettify.key})`,children:c}),t[1]=o,t[2]=l);let u=l,d;t[3]===Symbol.for(`react.memo_cache_sentinel`)?(d=(0,X.jsx)(jy,{className:`graphiql-toolbar-icon`,"aria-hidden":`true`}),t[3]=d):d=t[3];let f;t[4]===s?f=t[5]:(f=(0,X.jsx)(D8,{onClick:s,label:`Merge fragments into query (${gf.mergeFragments.key})`,children:d}),t[4]=s,t[5]=f);let p=f,m;t[6]===Symbol.for(`react.memo_cache_sentinel`)?(m=(0,X.jsx)(vy,{className:`graphiql-toolbar-icon`,"aria-hidden":`true`}),t[6]=m):m=t[6];let h;t[7]===a?h=t[8]:(h=(0,X.jsx)(D8,{onClick:a,label:`Copy query (${gf.copyQuery.key})`,children:m}),t[7]=a,t[8]=h);let g=h,_;return t[9]!==r||t[10]!==g||t[11]!==p||t[12]!==u?(_=r({prettify:u,copy:g,merge:p}),t[9]=r,t[10]=g,t[11]=p,t[12]=u,t[13]=_):_=t[13],_},GR=(0,X.jsxs)(`a`,{className:`graphiql-logo-link`,href:`https://github.com/graphql/graphiql`,target:`_blank`,rel:`noreferrer`,children:[`Graph`,(0,X.jsx)(`em`,{children:`i`}),`QL`]}),KR=e=>{let t=(0,_A.c)(2),{children:n}=e,r=n===void 0?GR:n,i;return t[0]===r?i=t[1]:(i=(0,X.jsx)(`div`,{className:`graphiql-logo`,children:r}),t[0]=r,t[1]=i),i},qR=Object.entries({"Execute query":hf(gf.runQuery.key),"Open the Command Palette (you must have focus in the editor)":`F1`,"Prettify editors":gf.prettify.key,"Copy query":gf.copyQuery.key,"Re-fetch schema using introspection":gf.refetchSchema.key,"Search in documentation":hf(gf.searchInDocs.key),"Search in editor":hf(gf.searchInEditor.key),"Merge fragments definitions into operation definition":gf.mergeFragments.key}),JR=()=>{let e=(0,_A.c)(5),t;e[0]===Symbol.for(`react.memo_cache_sentinel`)?(t=(0,X.jsxs)(`table`,{className:`graphiql-table`,children:[(0,X.jsx)(`thead`,{children:(0,X.jsxs)(`tr`,{children:[(0,X.jsx)(`th`,{children:`Short Key`}),(0,X.jsx)(`th`,{children:`Function`})]})}),(0,X.jsx)(`tbody`,{children:qR.map(XR)})]}),e[0]=t):t=e[0];let n;e[1]===Symbol.for(`react.memo_cache_sentinel`)?(n=(0,X.jsx)(`em`,{children:`i`}),e[1]=n):n=e[1];let r;e[2]===Symbol.for(`react.memo_cache_sentinel`)?(r=(0,X.jsx)(`a`,{href:`https://code.visualstudio.com/docs/reference/default-keybindings`,target:`_blank`,rel:`noreferrer`,children:`Monaco editor shortcuts`}),e[2]=r):r=e[2];let i;e[3]===Symbol.for(`react.memo_cache_sentinel`)?(i=(0,X.jsx)(`a`,{href:`https://code.visualstudio.com/shortcuts/keyboard-shortcuts-macos.pdf`,target:`_blank`,rel:`noreferrer`,children:`macOS`}),e[3]=i):i=e[3];let a;return e[4]===Symbol.for(`react.memo_cache_sentinel`)?(a=(0,X.jsxs)(`div`,{children:[t,(0,X.jsxs)(`p`,{children:[`This Graph`,n,`QL editor uses`,` `,r,`, with keybindings similar to VS Code. See the full list of shortcuts for`,` `,i,` `,`or`,` `,(0,X.jsx)(`a`,{href:`https://code.visualstudio.com/shortcuts/keyboard-shortcuts-windows.pdf`,target:`_blank`,rel:`noreferrer`,children:`Windows`}),`.`]})]}),e[4]=a):a=e[4],a};function YR(e,t,n){return(0,X.jsxs)(H.Fragment,{children:[(0,X.jsx)(`code`,{className:`graphiql-key`,children:e}),t!==n.length-1&&` + `]},e)}function XR(e){let[t,n]=e;return(0,X.jsxs)(`tr`,{children:[(0,X.jsx)(`td`,{children:n.split(`-`).map(YR)}),(0,X.jsx)(`td`,{children:t})]},t)}var ZR={refetchSchema:`Re-fetch GraphQL schema (${gf.refetchSchema.key})`,shortCutDialog:`Open short keys dialog`,settingsDialogs:`Open settings dialog`},QR=[`light`,`dark`,`system`],$R=e=>{let t=(0,_A.c)(72),{forcedTheme:n,showPersistHeadersSettings:r,setHiddenElement:i}=e,a=n&&QR.includes(n)?n:void 0,{setShouldPersistHeaders:o,introspect:s,setVisiblePlugin:c,setTheme:l}=Dv(),u;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(u=v_(`shouldPersistHeaders`,`isIntrospecting`,`visiblePlugin`,`plugins`,`theme`,`storage`),t[0]=u):u=t[0];let{shouldPersistHeaders:d,isIntrospecting:f,visiblePlugin:p,plugins:m,theme:h,storage:g}=Ev(u),_,v;t[1]!==a||t[2]!==l?(_=()=>{a===`system`?l(null):(a===`light`||a===`dark`)&&l(a)},v=[a,l],t[1]=a,t[2]=l,t[3]=_,t[4]=v):(_=t[3],v=t[4]),(0,H.useEffect)(_,v);let[y,b]=(0,H.useState)(null),[x,S]=(0,H.useState)(),C,w;t[5]===Symbol.for(`react.memo_cache_sentinel`)?(C=()=>{let e=function(e){(mf?e.metaKey:e.ctrlKey)&&e.key===`,`&&(e.preventDefault(),b(ez))};return window.addEventListener(`keydown`,e),()=>{window.removeEventListener(`keydown`,e)}},w=[],t[5]=C,t[6]=w):(C=t[5],w=t[6]),(0,H.useEffect)(C,w);let T;t[7]===Symbol.for(`react.memo_cache_sentinel`)?(T=function(e){e||b(null)},t[7]=T):T=t[7];let E=T,D;t[8]===Symbol.for(`react.memo_cache_sentinel`)?(D=function(e){e||(b(null),S(void 0))},t[8]=D):D=t[8];let O=D,k;t[9]===g?k=t[10]:(k=function(){try{g.clear(),S(`success`)}catch{S(`error`)}},t[9]=g,t[10]=k);let A=k,j;t[11]===o?j=t[12]:(j=e=>{o(e.currentTarget.dataset.value===`true`)},t[11]=o,t[12]=j);let M=j,N;t[13]===l?N=t[14]:(N=e=>{let t=e.currentTarget.dataset.theme;l(t||null)},t[13]=l,t[14]=N);let P=N,ee;t[15]===Symbol.for(`react.memo_cache_sentinel`)?(ee=e=>{b(e.currentTarget.dataset.value)},t[15]=ee):ee=t[15];let te=ee,ne;t[16]!==m||t[17]!==i||t[18]!==c||t[19]!==p?(ne=e=>{let t=Number(e.currentTarget.dataset.index),n=m.find((e,n)=>t===n);n===p?(c(null),i(`first`)):(c(n),i(null))},t[16]=m,t[17]=i,t[18]=c,t[19]=p,t[20]=ne):ne=t[20];let re=ne,ie;if(t[21]!==re||t[22]!==m||t[23]!==p){let e;t[25]!==re||t[26]!==p?(e=(e,t)=>{let n=e===p,r=`${n?`Hide`:`Show`} ${e.title}`;return(0,X.jsx)(S8,{label:r,children:(0,X.jsx)(T8,{type:`button`,className:Fv(n&&`active`),onClick:re,"data-index":t,"aria-label":r,children:(0,X.jsx)(e.icon,{"aria-hidden":`true`})})},e.title)},t[25]=re,t[26]=p,t[27]=e):e=t[27],ie=m.map(e),t[21]=re,t[22]=m,t[23]=p,t[24]=ie}else ie=t[24];let ae;t[28]===Symbol.for(`react.memo_cache_sentinel`)?(ae={marginTop:`auto`},t[28]=ae):ae=t[28];let F=f&&`graphiql-spin`,I;t[29]===F?I=t[30]:(I=Fv(F),t[29]=F,t[30]=I);let oe;t[31]===I?oe=t[32]:(oe=(0,X.jsx)(Iy,{className:I,"aria-hidden":`true`}),t[31]=I,t[32]=oe);let se;t[33]!==s||t[34]!==f||t[35]!==oe?(se=(0,X.jsx)(S8,{label:ZR.refetchSchema,children:(0,X.jsx)(T8,{type:`button`,disabled:f,onClick:s,"aria-label":ZR.refetchSchema,style:ae,children:oe})}),t[33]=s,t[34]=f,t[35]=oe,t[36]=se):se=t[36];let ce;t[37]===Symbol.for(`react.memo_cache_sentinel`)?(ce=(0,X.jsx)(S8,{label:ZR.shortCutDialog,children:(0,X.jsx)(T8,{type:`button`,"data-value":`short-keys`,onClick:te,"aria-label":ZR.shortCutDialog,children:(0,X.jsx)(ky,{"aria-hidden":`true`})})}),t[37]=ce):ce=t[37];let le;t[38]===Symbol.for(`react.memo_cache_sentinel`)?(le=(0,X.jsx)(S8,{label:ZR.settingsDialogs,children:(0,X.jsx)(T8,{type:`button`,"data-value":`settings`,onClick:te,"aria-label":ZR.settingsDialogs,children:(0,X.jsx)(Ry,{"aria-hidden":`true`})})}),t[38]=le):le=t[38];let ue=y===`short-keys`,de;t[39]===Symbol.for(`react.memo_cache_sentinel`)?(de=(0,X.jsx)(Jx.Title,{className:`graphiql-dialog-title`,children:`Short Keys`}),t[39]=de):de=t[39];let fe;t[40]===Symbol.for(`react.memo_cache_sentinel`)?(fe=(0,X.jsxs)(`div`,{className:`graphiql-dialog-header`,children:[de,(0,X.jsx)(Kx,{children:(0,X.jsx)(Jx.Description,{children:`This modal provides a list of available keyboard shortcuts and their functions.`})}),(0,X.jsx)(Jx.Close,{})]}),t[40]=fe):fe=t[40];let pe;t[41]===Symbol.for(`react.memo_cache_sentinel`)?(pe=(0,X.jsx)(`div`,{className:`graphiql-dialog-section`,children:(0,X.jsx)(JR,{})}),t[41]=pe):pe=t[41];let me;t[42]===ue?me=t[43]:(me=(0,X.jsxs)(Jx,{open:ue,onOpenChange:E,children:[fe,pe]}),t[42]=ue,t[43]=me);let L=y===`settings`,he;t[44]===Symbol.for(`react.memo_cache_sentinel`)?(he=(0,X.jsx)(Jx.Title,{className:`graphiql-dialog-title`,children:`Settings`}),t[44]=he):he=t[44];let ge;t[45]===Symbol.for(`react.memo_cache_sentinel`)?(ge=(0,X.jsxs)(`div`,{className:`graphiql-dialog-header`,children:[he,(0,X.jsx)(Kx,{children:(0,X.jsx)(Jx.Description,{children:`This modal lets you adjust header persistence, interface theme, and clear local storage.`})}),(0,X.jsx)(Jx.Close,{})]}),t[45]=ge):ge=t[45];let _e;t[46]!==M||t[47]!==d||t[48]!==r?(_e=r?(0,X.jsxs)(`div`,{className:`graphiql-dialog-section`,children:[(0,X.jsxs)(`div`,{children:[(0,X.jsx)(`div`,{className:`graphiql-dialog-section-title`,children:`Persist headers`}),(0,X.jsxs)(`div`,{className:`graphiql-dialog-section-caption`,children:[`Save headers upon reloading.`,` `,(0,X.jsx)(`span`,{className:`graphiql-warning-text`,children:`Only enable if you trust this device.`})]})]}),(0,X.jsxs)(V8,{children:[(0,X.jsx)(E8,{type:`button`,id:`enable-persist-headers`,className:Fv(d&&`active`),"data-value":`true`,onClick:M,children:`On`}),(0,X.jsx)(E8,{type:`button`,id:`disable-persist-headers`,className:Fv(!d&&`active`),onClick:M,children:`Off`})]})]}):null,t[46]=M,t[47]=d,t[48]=r,t[49]=_e):_e=t[49];let ve;t[50]!==a||t[51]!==P||t[52]!==h?(ve=!a&&(0,X.jsxs)(`div`,{className:`graphiql-dialog-section`,children:[(0,X.jsxs)(`div`,{children:[(0,X.jsx)(`div`,{className:`graphiql-dialog-section-title`,children:`Theme`}),(0,X.jsx)(`div`,{className:`graphiql-dialog-section-caption`,children:`Adjust how the interface appears.`})]}),(0,X.jsxs)(V8,{children:[(0,X.jsx)(E8,{type:`button`,className:Fv(h===null&&`active`),onClick:P,children:`System`}),(0,X.jsx)(E8,{type:`button`,className:Fv(h===`light`&&`active`),"data-theme":`light`,onClick:P,children:`Light`}),(0,X.jsx)(E8,{type:`button`,className:Fv(h===`dark`&&`active`),"data-theme":`dark`,onClick:P,children:`Dark`})]})]}),t[50]=a,t[51]=P,t[52]=h,t[53]=ve):ve=t[53];let ye;t[54]===Symbol.for(`react.memo_cache_sentinel`)?(ye=(0,X.jsxs)(`div`,{children:[(0,X.jsx)(`div`,{className:`graphiql-dialog-section-title`,children:`Clear storage`}),(0,X.jsx)(`div`,{className:`graphiql-dialog-section-caption`,children:`Remove all locally stored data and start fresh.`})]}),t[54]=ye):ye=t[54];let be=x===`success`,xe;t[55]===x?xe=t[56]:(xe={success:`Cleared data`,error:`Failed`}[x]||`Clear data`,t[55]=x,t[56]=xe);let Se;t[57]!==x||t[58]!==A||t[59]!==be||t[60]!==xe?(Se=(0,X.jsxs)(`div`,{className:`graphiql-dialog-section`,children:[ye,(0,X.jsx)(E8,{type:`button`,state:x,disabled:be,onClick:A,children:xe})]}),t[57]=x,t[58]=A,t[59]=be,t[60]=xe,t[61]=Se):Se=t[61];let Ce;t[62]!==L||t[63]!==_e||t[64]!==ve||t[65]!==Se?(Ce=(0,X.jsxs)(Jx,{open:L,onOpenChange:O,children:[ge,_e,ve,Se]}),t[62]=L,t[63]=_e,t[64]=ve,t[65]=Se,t[66]=Ce):Ce=t[66];let we;return t[67]!==ie||t[68]!==se||t[69]!==me||t[70]!==Ce?(we=(0,X.jsxs)(`div`,{className:`graphiql-sidebar`,children:[ie,se,ce,le,me,Ce]}),t[67]=ie,t[68]=se,t[69]=me,t[70]=Ce,t[71]=we):we=t[71],we};function ez(e){return e===`settings`?null:`settings`}var tz=e=>{let t=(0,_A.c)(54),n,r,i,a,o,s,c,l,u,d,f,p,m,h,g;t[0]===e?(n=t[1],r=t[2],i=t[3],a=t[4],o=t[5],s=t[6],c=t[7],l=t[8],u=t[9],d=t[10],f=t[11],p=t[12],m=t[13],h=t[14],g=t[15]):({maxHistoryLength:c,plugins:h,referencePlugin:g,onEditQuery:u,onEditVariables:d,onEditHeaders:l,responseTooltip:p,defaultEditorToolsVisibility:a,isHeadersEditorEnabled:s,showPersistHeadersSettings:m,forcedTheme:o,confirmCloseTab:i,className:r,children:n,...f}=e,t[0]=e,t[1]=n,t[2]=r,t[3]=i,t[4]=a,t[5]=o,t[6]=s,t[7]=c,t[8]=l,t[9]=u,t[10]=d,t[11]=f,t[12]=p,t[13]=m,t[14]=h,t[15]=g);let _;t[16]===h?_=t[17]:(_=h===void 0?[FA]:h,t[16]=h,t[17]=_);let v=_,y=g===void 0?jR:g;if(f.toolbar?.additionalContent)throw TypeError("The `toolbar.additionalContent` prop has been removed. Use render props on `GraphiQL.Toolbar` component instead.");if(f.toolbar?.additionalComponent)throw TypeError("The `toolbar.additionalComponent` prop has been removed. Use render props on `GraphiQL.Toolbar` component instead.");if(f.keyMap)throw TypeError("`keyMap` was removed. To use Vim or Emacs keybindings in Monaco, you can use community plugins. Monaco Vim: https://github.com/brijeshb42/monaco-vim. Monaco Emacs: https://github.com/aioutecism/monaco-emacs");if(f.readOnly)throw TypeError("The `readOnly` prop has been removed.");let b=m??f.shouldPersistHeaders!==!1,x;t[18]!==r||t[19]!==i||t[20]!==a||t[21]!==o||t[22]!==s||t[23]!==l||t[24]!==u||t[25]!==d||t[26]!==p||t[27]!==b?(x={showPersistHeadersSettings:b,onEditQuery:u,onEditVariables:d,onEditHeaders:l,responseTooltip:p,defaultEditorToolsVisibility:a,isHeadersEditorEnabled:s,forcedTheme:o,confirmCloseTab:i,className:r},t[18]=r,t[19]=i,t[20]=a,t[21]=o,t[22]=s,t[23]=l,t[24]=u,t[25]=d,t[26]=p,t[27]=b,t[28]=x):x=t[28];let S=x,C;t[29]===v?C=t[30]:(C=v.includes(FA),t[29]=v,t[30]=C);let w=C,T=w?yA:H.Fragment,E=y===jR?PR:H.Fragment,D;t[31]===y?D=t[32]:(D=y?[y]:[],t[31]=y,t[32]=D);let O;t[33]!==v||t[34]!==D?(O=[...D,...v],t[33]=v,t[34]=D,t[35]=O):O=t[35];let k;t[36]!==w||t[37]!==c?(k=w&&{maxHistoryLength:c},t[36]=w,t[37]=c,t[38]=k):k=t[38];let A;t[39]!==n||t[40]!==S?(A=(0,X.jsx)(iz,{...S,children:n}),t[39]=n,t[40]=S,t[41]=A):A=t[41];let j;t[42]!==E||t[43]!==A?(j=(0,X.jsx)(E,{children:A}),t[42]=E,t[43]=A,t[44]=j):j=t[44];let M;t[45]!==T||t[46]!==j||t[47]!==k?(M=(0,X.jsx)(T,{...k,children:j}),t[45]=T,t[46]=j,t[47]=k,t[48]=M):M=t[48];let N;return t[49]!==f||t[50]!==y||t[51]!==M||t[52]!==O?(N=(0,X.jsx)(wv,{plugins:O,referencePlugin:y,...f,children:M}),t[49]=f,t[50]=y,t[51]=M,t[52]=O,t[53]=N):N=t[53],N},nz=`graphiql-session-tab-`,rz={newTab:`New tab`};function iz(e){let t=(0,_A.c)(150),{forcedTheme:n,isHeadersEditorEnabled:r,defaultEditorToolsVisibility:i,children:a,confirmCloseTab:o,className:s,onEditQuery:c,onEditVariables:l,onEditHeaders:u,responseTooltip:d,showPersistHeadersSettings:f}=e,p=r===void 0||r,{addTab:m,moveTab:h,closeTab:g,changeTab:_,setVisiblePlugin:v}=Dv(),y;t[0]===Symbol.for(`react.memo_cache_sentinel`)?(y=v_(`initialVariables`,`initialHeaders`,`tabs`,`activeTabIndex`,`isFetching`,`visiblePlugin`),t[0]=y):y=t[0];let{initialVariables:b,initialHeaders:x,tabs:S,activeTabIndex:C,isFetching:w,visiblePlugin:T}=Ev(y),E=Af(oz),D=T?.content,O=T?void 0:`first`,k;t[1]!==v||t[2]!==O?(k={defaultSizeRelation:.3333333333333333,direction:`horizontal`,initiallyHidden:O,onHiddenElementChange(e){e===`first`&&v(null)},sizeThresholdSecond:200,storageKey:`docExplorerFlex`},t[1]=v,t[2]=O,t[3]=k):k=t[3];let{hiddenElement:A,setHiddenElement:j,firstRef:M,dragBarRef:N,secondRef:P}=Av(k),ee;t[4]===Symbol.for(`react.memo_cache_sentinel`)?(ee={direction:`horizontal`,storageKey:`editorFlex`},t[4]=ee):ee=t[4];let{firstRef:te,dragBarRef:ne,secondRef:re}=Av(ee),ie;t[5]!==x||t[6]!==b?(ie=e=>{if(e!==`variables`&&e!==`headers`)return typeof e==`boolean`?e?void 0:`second`:b||x?void 0:`second`},t[5]=x,t[6]=b,t[7]=ie):ie=t[7];let ae;t[8]!==i||t[9]!==ie?(ae=ie(i),t[8]=i,t[9]=ie,t[10]=ae):ae=t[10];let F;t[11]===ae?F=t[12]:(F={defaultSizeRelation:3,direction:`vertical`,initiallyHidden:ae,sizeThresholdSecond:60,storageKey:`secondaryEditorFlex`},t[11]=ae,t[12]=F);let{hiddenElement:I,setHiddenElement:oe,firstRef:se,dragBarRef:ce,secondRef:le}=Av(F),ue;t[13]!==i||t[14]!==x||t[15]!==b||t[16]!==p?(ue=()=>i===`variables`||i===`headers`?i:!b&&x&&p?`headers`:`variables`,t[13]=i,t[14]=x,t[15]=b,t[16]=p,t[17]=ue):ue=t[17];let[de,fe]=(0,H.useState)(ue),pe;if(t[18]!==a){let e,n;t[20]===Symbol.for(`react.memo_cache_sentinel`)?(e=(0,X.jsx)(cz.Logo,{}),n=(0,X.jsx)(cz.Toolbar,{}),t[20]=e,t[21]=n):(e=t[20],n=t[21]),pe=H.Children.toArray(a).reduce(az,{logo:e,toolbar:n,children:[]}),t[18]=a,t[19]=pe}else pe=t[19];let{logo:me,toolbar:L,footer:he,children:ge}=pe,_e;t[22]!==A||t[23]!==j?(_e=function(){A===`first`&&j(null)},t[22]=A,t[23]=j,t[24]=_e):_e=t[24];let ve=_e,ye;t[25]!==I||t[26]!==oe?(ye=e=>{I===`second`&&oe(null);let t=e.currentTarget.dataset.name;fe(t)},t[25]=I,t[26]=oe,t[27]=ye):ye=t[27];let be=ye,xe;t[28]!==I||t[29]!==oe?(xe=()=>{oe(I===`second`?null:`second`)},t[28]=I,t[29]=oe,t[30]=xe):xe=t[30];let Se=xe,Ce;t[31]!==g||t[32]!==o?(Ce=async e=>{let t=e.currentTarget.previousSibling,n=Number(t.id.replace(nz,``));(!o||await o(n))&&g(n)},t[31]=g,t[32]=o,t[33]=Ce):Ce=t[33];let we=Ce,Te;t[34]===_?Te=t[35]:(Te=e=>{let t=Number(e.currentTarget.id.replace(nz,``));_(t)},t[34]=_,t[35]=Te);let Ee=Te,De=`${I===`second`?`Show`:`Hide`} editor tools`,Oe=I===`second`?gy:my,ke;t[36]!==E||t[37]!==ve||t[38]!==c?(ke=E?(0,X.jsx)(F8,{onClickReference:ve,onEdit:c}):(0,X.jsx)(Xx,{}),t[36]=E,t[37]=ve,t[38]=c,t[39]=ke):ke=t[39];let Ae;t[40]===Symbol.for(`react.memo_cache_sentinel`)?(Ae=(0,X.jsx)(C8,{}),t[40]=Ae):Ae=t[40];let je;t[41]===L?je=t[42]:(je=(0,X.jsxs)(`div`,{className:`graphiql-toolbar`,role:`toolbar`,"aria-label":`Editor Commands`,children:[Ae,L]}),t[41]=L,t[42]=je);let Me;t[43]!==se||t[44]!==ke||t[45]!==je?(Me=(0,X.jsxs)(`section`,{className:`graphiql-query-editor`,"aria-label":`Operation Editor`,ref:se,children:[ke,je]}),t[43]=se,t[44]=ke,t[45]=je,t[46]=Me):Me=t[46];let Ne=de===`variables`&&I!==`second`&&`active`,Pe;t[47]===Ne?Pe=t[48]:(Pe=Fv(Ne),t[47]=Ne,t[48]=Pe);let Fe;t[49]!==be||t[50]!==Pe?(Fe=(0,X.jsx)(T8,{type:`button`,className:Pe,onClick:be,"data-name":`variables`,children:`Variables`}),t[49]=be,t[50]=Pe,t[51]=Fe):Fe=t[51];let Ie;t[52]!==de||t[53]!==I||t[54]!==be||t[55]!==p?(Ie=p&&(0,X.jsx)(T8,{type:`button`,className:Fv(de===`headers`&&I!==`second`&&`active`),onClick:be,"data-name":`headers`,children:`Headers`}),t[52]=de,t[53]=I,t[54]=be,t[55]=p,t[56]=Ie):Ie=t[56];let R;t[57]===Oe?R=t[58]:(R=(0,X.jsx)(Oe,{className:`graphiql-chevron-icon`,"aria-hidden":`true`}),t[57]=Oe,t[58]=R);let Le;t[59]!==De||t[60]!==R||t[61]!==Se?(Le=(0,X.jsx)(T8,{type:`button`,onClick:Se,"aria-label":De,className:`graphiql-toggle-editor-tools`,children:R}),t[59]=De,t[60]=R,t[61]=Se,t[62]=Le):Le=t[62];let Re;t[63]!==De||t[64]!==Le?(Re=(0,X.jsx)(S8,{label:De,children:Le}),t[63]=De,t[64]=Le,t[65]=Re):Re=t[65];let ze;t[66]!==ce||t[67]!==Fe||t[68]!==Ie||t[69]!==Re?(ze=(0,X.jsxs)(`div`,{ref:ce,className:`graphiql-editor-tools`,children:[Fe,Ie,Re]}),t[66]=ce,t[67]=Fe,t[68]=Ie,t[69]=Re,t[70]=ze):ze=t[70];let Be=de===`variables`?`Variables`:`Headers`,Ve=de===`variables`?``:`hidden`,He;t[71]!==l||t[72]!==Ve?(He=(0,X.jsx)(z8,{className:Ve,onEdit:l}),t[71]=l,t[72]=Ve,t[73]=He):He=t[73];let Ue;t[74]!==de||t[75]!==p||t[76]!==u?(Ue=p&&(0,X.jsx)(O8,{className:de===`headers`?``:`hidden`,onEdit:u}),t[74]=de,t[75]=p,t[76]=u,t[77]=Ue):Ue=t[77];let We;t[78]!==le||t[79]!==Be||t[80]!==He||t[81]!==Ue?(We=(0,X.jsxs)(`section`,{className:`graphiql-editor-tool`,"aria-label":Be,ref:le,children:[He,Ue]}),t[78]=le,t[79]=Be,t[80]=He,t[81]=Ue,t[82]=We):We=t[82];let Ge;t[83]!==te||t[84]!==Me||t[85]!==ze||t[86]!==We?(Ge=(0,X.jsxs)(`div`,{className:`graphiql-editors`,ref:te,children:[Me,ze,We]}),t[83]=te,t[84]=Me,t[85]=ze,t[86]=We,t[87]=Ge):Ge=t[87];let Ke=Ge,qe=(0,H.useRef)(null),Je;t[88]===s?Je=t[89]:(Je=Fv(`graphiql-container`,s),t[88]=s,t[89]=Je);let Ye;t[90]!==n||t[91]!==j||t[92]!==f?(Ye=(0,X.jsx)($R,{forcedTheme:n,showPersistHeadersSettings:f,setHiddenElement:j}),t[90]=n,t[91]=j,t[92]=f,t[93]=Ye):Ye=t[93];let Xe;t[94]===Symbol.for(`react.memo_cache_sentinel`)?(Xe={minWidth:`200px`},t[94]=Xe):Xe=t[94];let Ze;t[95]===D?Ze=t[96]:(Ze=D&&(0,X.jsx)(D,{}),t[95]=D,t[96]=Ze);let Qe;t[97]!==M||t[98]!==Ze?(Qe=(0,X.jsx)(`div`,{ref:M,className:`graphiql-plugin`,style:Xe,children:Ze}),t[97]=M,t[98]=Ze,t[99]=Qe):Qe=t[99];let $e;t[100]!==N||t[101]!==T?($e=T&&(0,X.jsx)(`div`,{className:`graphiql-horizontal-drag-bar`,ref:N}),t[100]=N,t[101]=T,t[102]=$e):$e=t[102];let et;t[103]!==C||t[104]!==Ee||t[105]!==we||t[106]!==S?(et=S.map((e,t,n)=>(0,X.jsxs)(hA,{dragConstraints:qe,value:e,isActive:t===C,children:[(0,X.jsx)(hA.Button,{"aria-controls":`graphiql-session`,id:`graphiql-session-tab-${t}`,title:e.title,onClick:Ee,children:e.title}),n.length>1&&(0,X.jsx)(hA.Close,{onClick:we})]},e.id)),t[103]=C,t[104]=Ee,t[105]=we,t[106]=S,t[107]=et):et=t[107];let tt;t[108]!==h||t[109]!==et||t[110]!==S?(tt=(0,X.jsx)(gA,{ref:qe,values:S,onReorder:h,"aria-label":`Select active operation`,className:`no-scrollbar`,children:et}),t[108]=h,t[109]=et,t[110]=S,t[111]=tt):tt=t[111];let nt;t[112]===Symbol.for(`react.memo_cache_sentinel`)?(nt=(0,X.jsx)(Py,{"aria-hidden":`true`}),t[112]=nt):nt=t[112];let rt;t[113]===m?rt=t[114]:(rt=(0,X.jsx)(S8,{label:rz.newTab,children:(0,X.jsx)(T8,{type:`button`,className:`graphiql-tab-add`,onClick:m,"aria-label":rz.newTab,children:nt})}),t[113]=m,t[114]=rt);let it;t[115]!==me||t[116]!==tt||t[117]!==rt?(it=(0,X.jsxs)(`div`,{className:`graphiql-session-header`,children:[tt,rt,me]}),t[115]=me,t[116]=tt,t[117]=rt,t[118]=it):it=t[118];let at=`${nz}${C}`,ot;t[119]===ne?ot=t[120]:(ot=(0,X.jsx)(`div`,{className:`graphiql-horizontal-drag-bar`,ref:ne}),t[119]=ne,t[120]=ot);let st;t[121]===w?st=t[122]:(st=w&&(0,X.jsx)(Xx,{}),t[121]=w,t[122]=st);let ct;t[123]===d?ct=t[124]:(ct=(0,X.jsx)(L8,{responseTooltip:d}),t[123]=d,t[124]=ct);let lt;t[125]!==re||t[126]!==he||t[127]!==st||t[128]!==ct?(lt=(0,X.jsxs)(`div`,{className:`graphiql-response`,ref:re,children:[st,ct,he]}),t[125]=re,t[126]=he,t[127]=st,t[128]=ct,t[129]=lt):lt=t[129];let ut;t[130]!==Ke||t[131]!==at||t[132]!==ot||t[133]!==lt?(ut=(0,X.jsxs)(`div`,{role:`tabpanel`,id:`graphiql-session`,"aria-labelledby":at,children:[Ke,ot,lt]}),t[130]=Ke,t[131]=at,t[132]=ot,t[133]=lt,t[134]=ut):ut=t[134];let dt;t[135]!==P||t[136]!==it||t[137]!==ut?(dt=(0,X.jsxs)(`div`,{ref:P,className:`graphiql-sessions`,children:[it,ut]}),t[135]=P,t[136]=it,t[137]=ut,t[138]=dt):dt=t[138];let ft;t[139]!==Qe||t[140]!==$e||t[141]!==dt?(ft=(0,X.jsxs)(`div`,{className:`graphiql-main`,children:[Qe,$e,dt]}),t[139]=Qe,t[140]=$e,t[141]=dt,t[142]=ft):ft=t[142];let pt;t[143]!==Je||t[144]!==Ye||t[145]!==ft?(pt=(0,X.jsxs)(`div`,{className:Je,children:[Ye,ft]}),t[143]=Je,t[144]=Ye,t[145]=ft,t[146]=pt):pt=t[146];let mt;return t[147]!==ge||t[148]!==pt?(mt=(0,X.jsxs)(S8.Provider,{children:[pt,ge]}),t[147]=ge,t[148]=pt,t[149]=mt):mt=t[149],mt}function az(e,t){switch(sz(t)){case cz.Logo:e.logo=t;break;case cz.Toolbar:e.toolbar=t;break;case cz.Footer:e.footer=t;break;default:e.children.push(t)}return e}function oz(e){return!!e.monaco}function sz(e){if(e&&typeof e==`object`&&`type`in e&&typeof e.type==`function`)return e.type}var cz=Object.assign(tz,{Logo:KR,Toolbar:WR,Footer:HR}),lz=`"""
An API key (the key itself is shown only when created).
"""
type ApiKey {
	"""
	Id.
	"""
	id: UUID!
	"""
	Kind.
	"""
	kind: ApiKeyKind!
	"""
	Name.
	"""
	name: String!
	"""
	First characters, to recognise it.
	"""
	prefix: String!
	"""
	Origins a publishable key may be used from.
	"""
	allowedOrigins: [String!]!
	"""
	Created.
	"""
	createdAt: DateTime!
	"""
	Revoked (it no longer works).
	"""
	revokedAt: DateTime
}

"""
API key kind.
"""
enum ApiKeyKind {
	"""
	\`sk_…\`: server to server; never put it in a browser.
	"""
	SECRET
	"""
	\`pk_…\`: for the widget, only from its allowed origins.
	"""
	PUBLISHABLE
}

"""
A recommendation (a kind of report insight) applied to a campaign.
"""
type AppliedRecommendation {
	"""
	Its id.
	"""
	id: UUID!
	"""
	The campaign.
	"""
	campaignId: UUID!
	"""
	The insight kind acted upon (see \`Insight.kind\`).
	"""
	kind: String!
	"""
	What was done, in the user's words.
	"""
	note: String
	"""
	The staff user who recorded it.
	"""
	appliedBy: UUID
	"""
	When it was recorded: the day of the change, in the campaign's time zone, splits the
	before and after windows of \`programHealth.optimisationImpact\`.
	"""
	appliedAt: DateTime!
}

"""
Outcome of one payout attempt.
"""
enum AttemptOutcome {
	"""
	Under way.
	"""
	RUNNING
	"""
	Paid.
	"""
	SUCCEEDED
	"""
	Failed (see \`error\`).
	"""
	FAILED
}

"""
Which touch wins when a referee followed several links.
"""
enum AttributionModel {
	"""
	The first referrer keeps the referee.
	"""
	FIRST_TOUCH
	"""
	The latest referrer within the window wins.
	"""
	LAST_TOUCH
}

"""
How a referee was tied to their referrer.
"""
enum AttributionSource {
	"""
	A tracked click (\`gv_click\`).
	"""
	CLICK
	"""
	The referrer's code.
	"""
	CODE
	"""
	The customer was already tied to a referral.
	"""
	CUSTOMER
}

"""
The audience a campaign targets (an empty rule matches everyone).
"""
type Audience {
	"""
	At least one of these tags.
	"""
	tagsAny: [String!]!
	"""
	All of these tags.
	"""
	tagsAll: [String!]!
	"""
	At least this many orders.
	"""
	minOrders: Int
	"""
	One of these ISO alpha-2 countries (empty = any).
	"""
	countries: [String!]!
}

"""
The audience a campaign targets (an empty rule matches everyone).
"""
input AudienceInput {
	"""
	At least one of these tags.
	"""
	tagsAny: [String!]! = []
	"""
	All of these tags.
	"""
	tagsAll: [String!]! = []
	"""
	At least this many orders.
	"""
	minOrders: Int
	"""
	One of these ISO alpha-2 countries (empty = any).
	"""
	countries: [String!]! = []
}

"""
One audited change.
"""
type AuditEntry {
	"""
	Id.
	"""
	id: UUID!
	"""
	Who.
	"""
	actor: String!
	"""
	What, e.g. \`campaign.launch\`.
	"""
	action: String!
	"""
	Kind of thing changed.
	"""
	entity: String!
	"""
	Its id.
	"""
	entityId: UUID
	"""
	Details.
	"""
	data: JSON!
	"""
	When.
	"""
	createdAt: DateTime!
}

type AuditEntryConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [AuditEntryEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [AuditEntry!]!
}

"""
An edge in a connection.
"""
type AuditEntryEdge {
	"""
	The item at the end of the edge
	"""
	node: AuditEntry!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
A participant's balance in one account and currency.
"""
type Balance {
	"""
	Which balance.
	"""
	account: RewardType!
	"""
	Everything owed, held rewards included (the sum of all entries).
	"""
	total: Money!
	"""
	What is payable now (entries whose hold has ended).
	"""
	available: Money!
}

"""
A 64-bit signed integer, serialised as a decimal string (e.g. \`"1234"\`); accepted as a string or an Int.
"""
scalar BigInt

"""
Result of a bulk enrolment: good rows are enrolled, bad rows reported.
"""
type BulkEnrolmentResult {
	"""
	Enrolments made (or found, for rows enrolled before).
	"""
	enrolments: [Enrolment!]!
	"""
	Refused rows.
	"""
	errors: [RowError!]!
}

"""
A referral campaign.
"""
type Campaign {
	"""
	Id.
	"""
	id: UUID!
	"""
	Name.
	"""
	name: String!
	"""
	Description.
	"""
	description: String!
	"""
	Lifecycle state.
	"""
	status: CampaignStatus!
	"""
	Goals: focus areas → objectives → KPIs with targets.
	"""
	goals: [FocusArea!]!
	"""
	Target audience.
	"""
	audience: Audience!
	"""
	Start.
	"""
	startsAt: DateTime!
	"""
	End, if scheduled.
	"""
	endsAt: DateTime
	"""
	IANA time zone for days in reports.
	"""
	timeZone: String!
	"""
	ISO 4217 currency of rewards and budget.
	"""
	currency: String!
	"""
	Budget cap (null = none).
	"""
	budget: Money
	"""
	Days after a click during which a conversion is attributed.
	"""
	attributionWindowDays: Int!
	"""
	First or last touch.
	"""
	attributionModel: AttributionModel!
	"""
	Days a reward is held before release.
	"""
	holdDays: Int!
	"""
	Where referral links land.
	"""
	landingUrl: String
	"""
	Share of eligible participants held out, in basis points.
	"""
	holdoutBps: Int!
	"""
	Created.
	"""
	createdAt: DateTime!
	"""
	Last changed.
	"""
	updatedAt: DateTime!
	"""
	Launched.
	"""
	launchedAt: DateTime
	"""
	Ended.
	"""
	endedAt: DateTime
	"""
	The campaign's numbers since it started, what a list shows beside it (who reads reports:
	marketing, sales, finance). Read from the same rollups as \`campaignReport\`, for any
	number of campaigns in one statement.
	"""
	headline: CampaignHeadline!
	"""
	Reward rules.
	"""
	rewardRules: [RewardRule!]!
	"""
	Share materials per channel.
	"""
	materials: [Material!]!
	"""
	Offer variants.
	"""
	variants: [Variant!]!
	"""
	The campaign's newest referral links, \`first\` of them (1 to 50), newest first: what a
	dashboard lists beside each campaign. For all of a participant's links, see \`enrolments\`.
	"""
	links(first: Int! = 10): [ReferralLink!]!
	"""
	Enrolments, newest first. \`search\` (at most 100 characters) keeps those of participants
	whose email, external id or first name contains it (letters A–Z in any case), or who own
	a referral link with exactly that code.
	"""
	enrolments(first: Int, after: String, search: String): EnrolmentConnection!
}

type CampaignConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [CampaignEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [Campaign!]!
}

"""
A campaign's cost to date against its budget, in the campaign's currency.
"""
type CampaignCost {
	"""
	The campaign.
	"""
	campaignId: UUID!
	"""
	The cap, if any.
	"""
	budget: Money
	"""
	What counts against the cap: every reward created so far, less what was reversed.
	"""
	committed: Money!
	"""
	Of that, still in hold.
	"""
	held: Money!
	"""
	Released, not yet paid or delivered.
	"""
	unpaid: Money!
	"""
	Paid out or delivered.
	"""
	settled: Money!
	"""
	Reversed so far (refunds, fraud).
	"""
	reversed: Money!
	"""
	Budget left; null without a cap.
	"""
	remaining: Money
	"""
	\`committed / budget\` (1.0 = exhausted); null without a cap.
	"""
	budgetUsed: Float
}

"""
An edge in a connection.
"""
type CampaignEdge {
	"""
	The item at the end of the edge
	"""
	node: Campaign!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
Filter for the campaign list.
"""
input CampaignFilter {
	"""
	Only this status.
	"""
	status: CampaignStatus
}

"""
A campaign's numbers since it started (see \`Campaign.headline\`).
"""
type CampaignHeadline {
	"""
	Counted clicks.
	"""
	clicks: BigInt!
	"""
	Referred customers' first purchases: new customers.
	"""
	customers: BigInt!
	"""
	Referred revenue, net of refunds.
	"""
	revenue: Money!
	"""
	Rewards created for both sides, net of reversals.
	"""
	rewardCost: Money!
	"""
	\`(revenue − rewardCost) / rewardCost\`; null without reward cost.
	"""
	roi: Float
	"""
	Rewards reserved against the budget: held, released or paid (a reversal gives its
	amount back).
	"""
	budgetUsed: Money!
	"""
	\`budgetUsed / budget\`; null without a budget cap.
	"""
	budgetUsedShare: Float
}

"""
One campaign's incentive and what it drew over the period.
"""
type CampaignHealth {
	"""
	The campaign.
	"""
	campaignId: UUID!
	"""
	Its name.
	"""
	name: String!
	"""
	Its reward level: the first referrer reward rule's kind (\`fixed\`, \`percent\`, \`tiered\`);
	null when it rewards no referrer.
	"""
	referrerRewardKind: String
	"""
	That rule's fixed amount in minor units of \`currency\` (fixed rewards).
	"""
	referrerRewardMinor: BigInt
	"""
	That rule's share of the order in basis points (percent rewards).
	"""
	referrerRewardBps: Int
	"""
	The campaign's currency.
	"""
	currency: String!
	"""
	Participation (share rate): eligible participants enrolled before the period's end whose
	links drew at least one click in the period / those eligible participants.
	"""
	participation: Rate!
	"""
	Conversion rate: distinct referred customers with an order in the period / clicks recorded
	in the period; null if customers outnumber clicks (referrals by code without a click).
	"""
	conversion: Rate
	"""
	Clicks recorded in the period.
	"""
	clicks: BigInt!
	"""
	Distinct referred customers with an order in the period.
	"""
	customers: BigInt!
}

"""
A campaign's performance over a period, read from the rollups (which lag the events by at
most \`analytics.rollup_interval_secs\`).
"""
type CampaignReport {
	"""
	The campaign.
	"""
	campaignId: UUID!
	"""
	First local day (inclusive), in the campaign's time zone.
	"""
	from: NaiveDate!
	"""
	Last local day (inclusive).
	"""
	to: NaiveDate!
	"""
	The campaign's time zone, which days are cut in.
	"""
	timeZone: String!
	"""
	The series' cut.
	"""
	granularity: ReportGranularity!
	"""
	The funnel.
	"""
	funnel: Funnel!
	"""
	Clicks that became leads.
	"""
	clickToLead: Rate!
	"""
	Leads that became customers.
	"""
	leadToCustomer: Rate!
	"""
	Clicks that became customers.
	"""
	clickToCustomer: Rate!
	"""
	Rejected leads among all leads.
	"""
	fraudRejectionRate: Rate!
	"""
	Referred revenue, net of refunds, in the campaign currency.
	"""
	revenue: Money!
	"""
	Rewards created in the period, both sides, net of reversals.
	"""
	rewardCost: Money!
	"""
	Of which for referrers.
	"""
	referrerRewardCost: Money!
	"""
	Of which for referees.
	"""
	refereeRewardCost: Money!
	"""
	\`(revenue − rewardCost) / rewardCost\`; null without reward cost.
	"""
	roi: Float
	"""
	\`rewardCost / customers\`; null without customers.
	"""
	costPerAcquisition: Money
	"""
	\`revenue / orders\` of referred customers; null without orders.
	"""
	averageOrderValue: Money
	"""
	Eligible participants enrolled.
	"""
	participants: BigInt!
	"""
	Viral coefficient: distinct visitors reached per participant × visitors who became
	customers, i.e. new customers per participant. Null without participants.
	"""
	kFactor: Float
	"""
	By channel, best converting first.
	"""
	byChannel: [ReportRow!]!
	"""
	By offer variant.
	"""
	byVariant: [ReportRow!]!
	"""
	Over time, oldest first.
	"""
	series: [ReportRow!]!
	"""
	Referrers with the most new customers.
	"""
	topReferrers: [TopReferrer!]!
	"""
	Invited against held-out participants; null when the campaign holds nobody out.
	"""
	holdout: HoldoutComparison
	"""
	Progress against each KPI of the campaign's goals.
	"""
	kpis: [KpiProgressReport!]!
	"""
	Findings with evidence and actions, highest impact first.
	"""
	insights: [Insight!]!
	"""
	Repeat-purchase value over time of referred against organic customers: the tenant's
	customers whose first purchase (their earliest order by \`occurredAt\`) fell in the period,
	grouped by the month of that purchase and by kind — referred when it was attributed to a
	referral of this campaign, organic when it was attributed to no referral. Read from the
	orders themselves (not the rollups), so it is current. Oldest month first, referred
	before organic; months with no new customer of a kind have no cohort.
	"""
	cohorts: [Cohort!]!
}

"""
Campaign lifecycle state.
"""
enum CampaignStatus {
	"""
	Being designed; not visible to participants.
	"""
	DRAFT
	"""
	Live.
	"""
	ACTIVE
	"""
	Temporarily stopped.
	"""
	PAUSED
	"""
	Over; read-only.
	"""
	ENDED
}

"""
A sharing channel.
"""
enum Channel {
	"""
	Email.
	"""
	EMAIL
	"""
	Text message.
	"""
	SMS
	"""
	Social networks.
	"""
	SOCIAL
	"""
	QR code.
	"""
	QR
	"""
	The embedded widget.
	"""
	WIDGET
	"""
	Sales staff.
	"""
	SALES
	"""
	A plain link.
	"""
	DIRECT
}

"""
Customers whose first purchase fell in one month, of one kind (referred or organic).
"""
type Cohort {
	"""
	The month of their first purchase (\`YYYY-MM\`, campaign time zone).
	"""
	month: String!
	"""
	How they came.
	"""
	kind: CohortKind!
	"""
	How many customers.
	"""
	customers: BigInt!
	"""
	Month 0, 1, 2, … up to the month of the report's last day.
	"""
	months: [CohortMonth!]!
}

"""
How a cohort's customers came to their first purchase.
"""
enum CohortKind {
	"""
	Their first purchase was attributed to a referral of this campaign (whatever the fraud
	decision on that referral).
	"""
	REFERRED
	"""
	Their first purchase was attributed to no referral at all (\`organic\`: no referral and no
	campaign). Customers whose first purchase another campaign referred are in neither kind.
	"""
	ORGANIC
}

"""
Where a cohort stands some months after its first purchases (cumulative).
"""
type CohortMonth {
	"""
	Months since the cohort's month: 0 is the month of the first purchase.
	"""
	monthsSince: Int!
	"""
	That calendar month (\`YYYY-MM\`, campaign time zone).
	"""
	month: String!
	"""
	Repeat-purchase value: purchases after each customer's first one, made up to the end of
	this month (and not after the report's last day), net of refunds, in the campaign
	currency. Referred purchases count at their converted amount; organic purchases in
	another currency have no converted amount and count 0.
	"""
	repeatRevenue: Money!
	"""
	\`repeatRevenue.amountMinor / customers\`, in minor units.
	"""
	repeatRevenuePerCustomer: Float
	"""
	Customers who purchased again (at least once after their first purchase) by the end of
	this month, out of the cohort's customers.
	"""
	repeatPurchaseRate: Rate!
}

"""
A purchase reported by the merchant.
"""
type Conversion {
	"""
	Id.
	"""
	id: UUID!
	"""
	The merchant's order id.
	"""
	orderId: String!
	"""
	The customer.
	"""
	customerId: String!
	"""
	Amount as reported.
	"""
	amount: Money!
	"""
	Amount in the campaign's currency (converted at the tenant's rate when needed).
	"""
	campaignAmount: Money
	"""
	Refunded so far.
	"""
	refunded: Money!
	"""
	True when no referral was attributed.
	"""
	organic: Boolean!
	"""
	The referral it was attributed to.
	"""
	referralId: UUID
	"""
	The campaign it was attributed to.
	"""
	campaignId: UUID
	"""
	When it happened.
	"""
	occurredAt: DateTime!
}

"""
A conversion: a purchase.
"""
input ConversionInput {
	"""
	Your order id; reporting it again with the same details is harmless.
	"""
	orderId: String!
	"""
	Your customer id.
	"""
	customerId: String!
	"""
	Customer email.
	"""
	email: String
	"""
	Amount in minor units (cents).
	"""
	amountMinor: BigInt!
	"""
	ISO 4217 currency.
	"""
	currency: String!
	"""
	When it happened (default: now).
	"""
	occurredAt: DateTime
	"""
	\`gv_click\` from the landing URL.
	"""
	clickId: UUID
	"""
	The referral code.
	"""
	code: String
	"""
	The payment card's fingerprint from your payment provider (Stripe: \`card.fingerprint\`);
	the fraud rules compare it with the referrer's.
	"""
	paymentFingerprint: String
	"""
	The customer's IP address as your server saw it (only a keyed hash is kept).
	"""
	clientIp: String
	"""
	The customer's browser user agent.
	"""
	userAgent: String
}

"""
What a conversion report came to.
"""
type ConversionResult {
	"""
	The stored conversion.
	"""
	conversion: Conversion!
	"""
	True when this order id had been reported before with the same details (nothing new was written).
	"""
	duplicate: Boolean!
	"""
	Why it is organic, when it is.
	"""
	notAttributed: String
}

"""
New campaign.
"""
input CreateCampaignInput {
	"""
	Name.
	"""
	name: String!
	"""
	Description.
	"""
	description: String! = ""
	"""
	Goals.
	"""
	goals: [FocusAreaInput!]! = []
	"""
	Audience.
	"""
	audience: AudienceInput! = {tagsAny: [], tagsAll: [], minOrders: null, countries: []}
	"""
	Start.
	"""
	startsAt: DateTime!
	"""
	End.
	"""
	endsAt: DateTime
	"""
	IANA time zone.
	"""
	timeZone: String! = "UTC"
	"""
	ISO 4217 currency.
	"""
	currency: String!
	"""
	Budget cap in minor units.
	"""
	budgetMinor: BigInt
	"""
	Attribution window in days.
	"""
	attributionWindowDays: Int! = 30
	"""
	First or last touch.
	"""
	attributionModel: AttributionModel! = FIRST_TOUCH
	"""
	Hold period in days.
	"""
	holdDays: Int! = 14
	"""
	Landing URL.
	"""
	landingUrl: String
	"""
	Holdout share in basis points.
	"""
	holdoutBps: Int! = 0
}

"""
New staff user.
"""
input CreateUserInput {
	"""
	Login email.
	"""
	email: String!
	"""
	Display name.
	"""
	name: String!
	"""
	Role.
	"""
	role: Role!
	"""
	Initial password (at least 10 characters).
	"""
	password: String!
}

"""
A new endpoint.
"""
input CreateWebhookEndpointInput {
	"""
	\`https://…\` (plain \`http://\` only where the deployment allows it); public hosts only.
	"""
	url: String!
	"""
	A note for people.
	"""
	description: String! = ""
	"""
	At least one of \`referral.attributed\`, \`referral.flagged\`, \`reward.earned\`,
	\`reward.reversed\`, \`payout.paid\`, \`payout.failed\`.
	"""
	eventTypes: [String!]!
	"""
	Receive deliveries (default true).
	"""
	enabled: Boolean! = true
}

"""
A key just created.
"""
type CreatedApiKey {
	"""
	The key: store it now, it is not shown again.
	"""
	key: String!
	"""
	Its record.
	"""
	apiKey: ApiKey!
}

"""
Implement the DateTime<Utc> scalar

The input/output is a string in RFC3339 format.
"""
scalar DateTime

"""
Who made a fraud decision.
"""
enum DecidedBy {
	"""
	The campaign's fraud rules.
	"""
	RULES
	"""
	A person, from the review queue.
	"""
	REVIEWER
}

"""
An email and its delivery state.
"""
type Email {
	"""
	Id.
	"""
	id: UUID!
	"""
	Kind.
	"""
	kind: EmailKind!
	"""
	Recipient.
	"""
	to: String!
	"""
	Subject.
	"""
	subject: String!
	"""
	Delivery state.
	"""
	state: EmailState!
	"""
	Participant.
	"""
	participantId: UUID
	"""
	Last delivery error.
	"""
	lastError: String
	"""
	Created.
	"""
	createdAt: DateTime!
	"""
	Accepted by the SMTP server.
	"""
	sentAt: DateTime
}

type EmailConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [EmailEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [Email!]!
}

"""
Delivery of one kind of email.
"""
type EmailDelivery {
	"""
	The kind of email (\`launch\`, \`invite\`, \`welcome\`, \`reward_earned\`, \`reward_paid\`, \`digest\`).
	"""
	kind: String!
	"""
	Sent / (sent + failed + unknown), over emails of this kind created in the period. Queued,
	sending and suppressed emails have no delivery outcome yet and are not counted.
	"""
	success: Rate!
	"""
	Handed to the SMTP server.
	"""
	sent: BigInt!
	"""
	Given up on after retries.
	"""
	failed: BigInt!
	"""
	Interrupted mid-exchange: may or may not have left.
	"""
	unknown: BigInt!
}

"""
An edge in a connection.
"""
type EmailEdge {
	"""
	The item at the end of the edge
	"""
	node: Email!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
What an email is.
"""
enum EmailKind {
	"""
	Campaign launch.
	"""
	LAUNCH
	"""
	Friend invite.
	"""
	INVITE
	"""
	Welcome to a referee.
	"""
	WELCOME
	"""
	Reward earned.
	"""
	REWARD_EARNED
	"""
	Reward paid.
	"""
	REWARD_PAID
	"""
	Weekly digest.
	"""
	DIGEST
}

"""
Delivery state of an email (each is sent at most once).
"""
enum EmailState {
	"""
	Waiting to be sent.
	"""
	QUEUED
	"""
	Handed to the SMTP server right now.
	"""
	SENDING
	"""
	Accepted by the SMTP server.
	"""
	SENT
	"""
	A send was cut off (crash, broken connection): it may or may not have arrived; never resent automatically.
	"""
	UNKNOWN
	"""
	Refused by the SMTP server.
	"""
	FAILED
	"""
	Not sent: the address unsubscribed.
	"""
	SUPPRESSED
}

"""
A participant's enrolment in a campaign.
"""
type Enrolment {
	"""
	Id.
	"""
	id: UUID!
	"""
	Campaign.
	"""
	campaignId: UUID!
	"""
	Participant id.
	"""
	participantId: UUID!
	"""
	Whether the participant matched the audience at enrolment.
	"""
	eligible: Boolean!
	"""
	\`ineligible\`, \`holdout\` (eligible but not invited: the experiment's baseline), \`control\`, or a variant name.
	"""
	bucket: String!
	"""
	Enrolled.
	"""
	createdAt: DateTime!
	"""
	The participant's unique referral code (invited participants only).
	"""
	referralCode: String
	"""
	The participant's links in this campaign (primary first).
	"""
	links: [ReferralLink!]!
	"""
	The participant.
	"""
	participant: Participant!
}

type EnrolmentConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [EnrolmentEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [Enrolment!]!
}

"""
An edge in a connection.
"""
type EnrolmentEdge {
	"""
	The item at the end of the edge
	"""
	node: Enrolment!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
A campaign's experiment settings.
"""
type ExperimentSettings {
	"""
	The campaign.
	"""
	campaignId: UUID!
	"""
	Stop a variant by itself once the sequential test shows it converts worse than the best
	one (its weight goes to 0: nobody new is assigned to it; those in it keep their offer).
	"""
	autoStopVariants: Boolean!
	"""
	The test's significance level, valid however often it looks (after every rollup pass).
	"""
	alpha: Float!
	"""
	The difference in click-to-customer rate the test is tuned to find (its mixing variance is
	the square of it).
	"""
	minimumDetectableDifference: Float!
}

"""
A focus area (e.g. acquisition, retention, engagement) and its objectives.
"""
type FocusArea {
	"""
	Name.
	"""
	name: String!
	"""
	Objectives.
	"""
	objectives: [Objective!]!
}

"""
A focus area (e.g. acquisition, retention, engagement) and its objectives.
"""
input FocusAreaInput {
	"""
	Name.
	"""
	name: String!
	"""
	Objectives.
	"""
	objectives: [ObjectiveInput!]!
}

"""
One decision about a referral, by the rules or by a reviewer.
"""
type FraudDecision {
	"""
	Id.
	"""
	id: UUID!
	"""
	What triggered it.
	"""
	cause: ValidationCause!
	"""
	The outcome.
	"""
	decision: ReferralStatus!
	"""
	Rules or reviewer.
	"""
	decidedBy: DecidedBy!
	"""
	The counted score (shadow signals excluded).
	"""
	totalScore: Int!
	"""
	The reviewer's reason.
	"""
	reason: String
	"""
	The reviewer.
	"""
	reviewerId: UUID
	"""
	When.
	"""
	createdAt: DateTime!
	"""
	The rules that fired.
	"""
	signals: [FraudSignal!]!
}

"""
A campaign's fraud policy: scores add up; from \`reviewAt\` a referral goes to the review queue,
from \`rejectAt\` it is rejected.
"""
type FraudPolicy {
	"""
	Total from which a referral goes to review.
	"""
	reviewAt: Int!
	"""
	Total from which it is rejected.
	"""
	rejectAt: Int!
	"""
	Referrals per referrer per hour above which \`VELOCITY_HOUR\` fires.
	"""
	maxPerHour: Int!
	"""
	Referrals per referrer per day above which \`VELOCITY_DAY\` fires.
	"""
	maxPerDay: Int!
	"""
	Refunded share (basis points) from which \`REFUNDED\` fires.
	"""
	refundBps: Int!
	"""
	How far back (days) a device the referrer used counts as theirs.
	"""
	sharedDeviceDays: Int!
	"""
	Per-rule settings (a rule not listed does not run).
	"""
	rules: [FraudRuleSetting!]!
}

"""
A campaign's fraud policy: scores add up; from \`reviewAt\` a referral goes to the review queue,
from \`rejectAt\` it is rejected.
"""
input FraudPolicyInput {
	"""
	Total from which a referral goes to review.
	"""
	reviewAt: Int!
	"""
	Total from which it is rejected.
	"""
	rejectAt: Int!
	"""
	Referrals per referrer per hour above which \`VELOCITY_HOUR\` fires.
	"""
	maxPerHour: Int!
	"""
	Referrals per referrer per day above which \`VELOCITY_DAY\` fires.
	"""
	maxPerDay: Int!
	"""
	Refunded share (basis points) from which \`REFUNDED\` fires.
	"""
	refundBps: Int!
	"""
	How far back (days) a device the referrer used counts as theirs.
	"""
	sharedDeviceDays: Int!
	"""
	Per-rule settings (a rule not listed does not run).
	"""
	rules: [FraudRuleSettingInput!]!
}

"""
What a rule change would have decided over past referrals.
"""
type FraudReplay {
	"""
	Referrals re-scored (validated ones created in the period; at most 5000).
	"""
	total: Int!
	"""
	Whose decision would change.
	"""
	changed: Int!
	"""
	Referrals that proved good but would now go to review or be rejected.
	"""
	falsePositives: Int!
	"""
	Would be approved.
	"""
	approved: Int!
	"""
	Would go to review.
	"""
	review: Int!
	"""
	Would be rejected.
	"""
	rejected: Int!
	"""
	More referrals matched than one replay re-scores.
	"""
	truncated: Boolean!
	"""
	The changed referrals (the first 200).
	"""
	differences: [ReplayedReferral!]!
}

"""
A fraud rule.
"""
enum FraudRule {
	"""
	Referrer and referee share an email once provider tricks (dots, \`+tags\`) are undone.
	"""
	SELF_REFERRAL_EMAIL
	"""
	Referrer and referee paid with the same card (payment fingerprint).
	"""
	SELF_REFERRAL_PAYMENT
	"""
	The referee used an address (and browser) the referrer used within \`sharedDeviceDays\`.
	"""
	SHARED_DEVICE
	"""
	The referee's email domain is a known throwaway one (list shipped with Grapevine).
	"""
	DISPOSABLE_EMAIL
	"""
	The referrer brought more referrals in the hour before than \`maxPerHour\`.
	"""
	VELOCITY_HOUR
	"""
	Likewise over the day before, against \`maxPerDay\`.
	"""
	VELOCITY_DAY
	"""
	The referee had bought before the referral (not a new customer).
	"""
	REFEREE_NOT_NEW
	"""
	At least \`refundBps\` of the purchase was refunded.
	"""
	REFUNDED
}

"""
How a rule is used in a policy.
"""
type FraudRuleSetting {
	"""
	The rule.
	"""
	rule: FraudRule!
	"""
	Score when it fires (0–1000).
	"""
	score: Int!
	"""
	Record the signal without counting it.
	"""
	shadow: Boolean!
	"""
	Off entirely.
	"""
	enabled: Boolean!
}

"""
How a rule is used in a policy.
"""
input FraudRuleSettingInput {
	"""
	The rule.
	"""
	rule: FraudRule!
	"""
	Score when it fires (0–1000).
	"""
	score: Int!
	"""
	Record the signal without counting it.
	"""
	shadow: Boolean!
	"""
	Off entirely.
	"""
	enabled: Boolean!
}

"""
A rule that fired: why a referral scored what it did.
"""
type FraudSignal {
	"""
	The rule.
	"""
	rule: FraudRule!
	"""
	Its score.
	"""
	score: Int!
	"""
	Recorded only: a rule in shadow mode does not count towards the decision.
	"""
	shadow: Boolean!
	"""
	What the rule saw (e.g. \`{"shared": "device", "within_days": 30}\`).
	"""
	evidence: JSON!
}

"""
The referral funnel over the period.
"""
type Funnel {
	"""
	Counted clicks on referral links (bots and HEAD requests excluded).
	"""
	clicks: BigInt!
	"""
	Distinct visitors over the whole period (a visitor who came back on another day counts
	once): exact up to 128; beyond, a HyperLogLog estimate with a standard error of 1.6 %
	(within ±4.9 % in 99.7 % of cases). See \`uniqueVisitorsExact\`.
	"""
	uniqueVisitors: BigInt!
	"""
	Whether \`uniqueVisitors\` is an exact count.
	"""
	uniqueVisitorsExact: Boolean!
	"""
	Referred people tied to a referrer (by their attribution day).
	"""
	leads: BigInt!
	"""
	Of them, approved by the fraud rules or a reviewer.
	"""
	approved: BigInt!
	"""
	Of them, waiting for review or not yet decided.
	"""
	inReview: BigInt!
	"""
	Of them, rejected.
	"""
	rejected: BigInt!
	"""
	Referred people whose first purchase fell in the period: new customers.
	"""
	customers: BigInt!
	"""
	Referred orders (first and repeat).
	"""
	orders: BigInt!
}

"""
An exchange rate of the tenant.
"""
type FxRate {
	"""
	Base currency.
	"""
	base: String!
	"""
	Quote currency.
	"""
	quote: String!
	"""
	One unit of base in units of quote, in parts per million (1.0 = 1000000).
	"""
	ratePpm: BigInt!
}

"""
The programme against its holdout: eligible participants who were invited against those held
out (no code), per capita over the period — their own purchases, plus for the invited the
purchases of the customers they referred. Amounts in minor units of the campaign currency.
"""
type HoldoutComparison {
	"""
	Invited participants.
	"""
	invited: BigInt!
	"""
	Held-out participants.
	"""
	heldOut: BigInt!
	"""
	Value per invited participant (t interval).
	"""
	invitedValuePerCapita: Interval95
	"""
	Value per held-out participant.
	"""
	heldOutValuePerCapita: Interval95
	"""
	Invited participants with at least one purchase (own or referred).
	"""
	invitedBuyerRate: Rate!
	"""
	Held-out participants with a purchase.
	"""
	heldOutBuyerRate: Rate!
	"""
	\`(invited − held out) per capita × invited\`: revenue the programme added, with Welch's
	interval. Attributed revenue counts referred purchases only; this nets out what the
	participants would have spent anyway.
	"""
	incrementalRevenue: Interval95
	"""
	Buyers the programme added (rate difference × invited, Newcombe's interval).
	"""
	incrementalConversions: Interval95
	"""
	Reward cost ÷ incremental conversions.
	"""
	incrementalCostPerAcquisition: Float
	"""
	Its lower end (cost ÷ the upper end of incremental conversions).
	"""
	incrementalCostPerAcquisitionLow: Float
	"""
	Its upper end; null when zero added buyers cannot be ruled out (unbounded).
	"""
	incrementalCostPerAcquisitionHigh: Float
}

"""
A problem with one row of an import.
"""
type ImportRowError {
	"""
	The line the row starts on, as a CSV reader counts (the header is line 1).
	"""
	line: Int!
	"""
	The column at fault, when one is.
	"""
	column: String
	"""
	\`INVALID\` (a value breaks a rule), \`DUPLICATE\` (the customer id appears earlier in the
	file) or \`MALFORMED\` (wrong number of fields, not UTF-8).
	"""
	code: String!
	"""
	Why.
	"""
	message: String!
}

type ImportRowErrorConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [ImportRowErrorEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [ImportRowError!]!
}

"""
An edge in a connection.
"""
type ImportRowErrorEdge {
	"""
	The item at the end of the edge
	"""
	node: ImportRowError!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
Where an import stands.
"""
enum ImportState {
	"""
	Waiting for a worker.
	"""
	QUEUED
	"""
	Rows are being read and written.
	"""
	RUNNING
	"""
	Every row was read: good rows are in, bad ones are in \`errors\`.
	"""
	DONE
	"""
	The file was refused as a whole (\`failure\` says why).
	"""
	FAILED
}

"""
Campaigns offering the same referrer reward, added up: how attractive that level is.
"""
type IncentiveLevel {
	"""
	The referrer reward rule's kind (\`fixed\`, \`percent\`, \`tiered\`); null: no referrer reward.
	"""
	referrerRewardKind: String
	"""
	The fixed amount in minor units of \`currency\`.
	"""
	referrerRewardMinor: BigInt
	"""
	The share of the order in basis points.
	"""
	referrerRewardBps: Int
	"""
	The campaigns' currency.
	"""
	currency: String!
	"""
	Campaigns at this level.
	"""
	campaigns: BigInt!
	"""
	Share rate: eligible participants who drew a click in the period / eligible participants.
	"""
	participation: Rate!
	"""
	Referred customers with an order in the period / clicks in the period; null if customers
	outnumber clicks.
	"""
	conversion: Rate
}

"""
A finding over the report, its evidence and a concrete action. Rates are compared with a
two-proportion z-test at α = 0.05 and only with at least 30 trials and 5 successes and 5
failures per group; below that, an insight says so and claims nothing.
"""
type Insight {
	"""
	Stable kind: \`best_channel\`, \`channels_too_close_to_call\`, \`variant_winner\`,
	\`variants_too_close_to_call\`, \`reward_level_converts_better\` and
	\`reward_levels_too_close_to_call\` (when variants offer different rewards — the campaign's
	rules plus the variant's own — variants at the same level are added up and the best and
	worst levels' click-to-customer rates compared as above; the evidence adds each level's
	reward cost per new customer), \`kpi_at_risk\`, \`clicks_without_customers\` (named only when,
	at the campaign's own rate, that many clicks without a customer would happen less than
	5 % of the time), \`budget_runs_out\` (at the last 14 days' spend), \`slow_payouts\` (release
	to payment above 72 h at the 95th percentile, from 5 rewards), \`fraud_spike\` (20 % of 30+
	leads rejected).
	"""
	kind: String!
	"""
	The finding.
	"""
	finding: String!
	"""
	The numbers behind it (counts, rates, p-value).
	"""
	evidence: String!
	"""
	What to do.
	"""
	action: String!
	"""
	Whether a significance test supports the finding.
	"""
	significant: Boolean!
	"""
	That test's p-value.
	"""
	pValue: Float
	"""
	The smaller of the compared samples.
	"""
	sample: BigInt!
	"""
	Set when the campaign's team dismissed this kind of insight (\`dismissRecommendation\`);
	null otherwise. A dismissed insight is still reported, so nothing disappears unexplained.
	"""
	dismissal: RecommendationDismissal
}

"""
A value and its 95 % confidence interval.
"""
type Interval95 {
	"""
	The point estimate.
	"""
	value: Float!
	"""
	Lower end.
	"""
	low: Float!
	"""
	Upper end.
	"""
	high: Float!
}

"""
What became of each invited address.
"""
type InviteResult {
	"""
	Invited now.
	"""
	sent: [String!]!
	"""
	Invited before from this enrolment: not sent again.
	"""
	alreadyInvited: [String!]!
	"""
	Refused addresses, by index.
	"""
	refused: [RowError!]!
}

"""
A scalar that can represent any JSON value.
"""
scalar JSON

"""
A background job of the tenant (ops).
"""
type Job {
	"""
	Id.
	"""
	id: UUID!
	"""
	Kind, e.g. \`email.send\`, \`payout.pay\`.
	"""
	kind: String!
	"""
	Where it is.
	"""
	state: JobState!
	"""
	Attempts so far.
	"""
	attempts: Int!
	"""
	Attempts allowed.
	"""
	maxAttempts: Int!
	"""
	The last failure.
	"""
	lastError: String
	"""
	When it was queued.
	"""
	createdAt: DateTime!
	"""
	When it finished (done or dead).
	"""
	finishedAt: DateTime
}

type JobConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [JobEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [Job!]!
}

"""
An edge in a connection.
"""
type JobEdge {
	"""
	The item at the end of the edge
	"""
	node: Job!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
Where a background job is.
"""
enum JobState {
	"""
	Waiting to be handed to the queue (or for its retry time).
	"""
	PENDING
	"""
	On the queue, not yet taken by a worker.
	"""
	DISPATCHED
	"""
	A worker holds it.
	"""
	RUNNING
	"""
	Finished.
	"""
	DONE
	"""
	Every attempt failed; \`retryJob\` puts it back in line, \`discardJob\` gives it up.
	"""
	DEAD
	"""
	A dead job ops gave up (\`discardJob\`): kept for the record, never run again.
	"""
	DISCARDED
}

"""
A KPI with its target.
"""
type Kpi {
	"""
	What is measured.
	"""
	metric: KpiMetric!
	"""
	The target value (fractions for rates).
	"""
	target: Float!
	"""
	When the target should be reached.
	"""
	due: NaiveDate!
}

"""
A KPI with its target.
"""
input KpiInput {
	"""
	What is measured.
	"""
	metric: KpiMetric!
	"""
	The target value (fractions for rates).
	"""
	target: Float!
	"""
	When the target should be reached.
	"""
	due: NaiveDate!
}

"""
A metric a KPI tracks.
"""
enum KpiMetric {
	"""
	Referred people (leads).
	"""
	REFERRALS
	"""
	Referred purchases.
	"""
	CONVERSIONS
	"""
	Referred revenue in minor units of the campaign currency.
	"""
	REVENUE_MINOR
	"""
	Conversions ÷ clicks, a fraction.
	"""
	CONVERSION_RATE
	"""
	New customers per existing participant.
	"""
	K_FACTOR
	"""
	Participants who shared ÷ participants enrolled, a fraction.
	"""
	PARTICIPATION_RATE
	"""
	Referred customers who had not bought before.
	"""
	NEW_CUSTOMERS
}

"""
A KPI of the campaign's goals, measured and projected.
"""
type KpiProgressReport {
	"""
	The focus area.
	"""
	focusArea: String!
	"""
	The objective.
	"""
	objective: String!
	"""
	The metric.
	"""
	metric: KpiMetric!
	"""
	The target.
	"""
	target: Float!
	"""
	When it is due.
	"""
	due: NaiveDate!
	"""
	The value since the campaign started.
	"""
	value: Float!
	"""
	On track, at risk, missed…; null when it cannot be projected.
	"""
	status: KpiStatus
	"""
	The value the projection expects at the due date: for counts, the value so far plus the
	mean daily increment of the last 7 days times the days left; for rates, the rate now.
	"""
	projected: Float
	"""
	The daily pace used.
	"""
	runRatePerDay: Float
	"""
	The daily pace that would reach the target.
	"""
	neededPerDay: Float
}

"""
Where a KPI stands.
"""
enum KpiStatus {
	"""
	Ended with the target met.
	"""
	ACHIEVED
	"""
	The projection meets the target.
	"""
	ON_TRACK
	"""
	The projection falls short of the target.
	"""
	AT_RISK
	"""
	Ended short of the target.
	"""
	MISSED
	"""
	No time has elapsed: nothing to project from.
	"""
	TOO_EARLY
}

"""
A lead: a referred customer signed up.
"""
input LeadInput {
	"""
	Your customer id of the new customer.
	"""
	customerId: String!
	"""
	Their email.
	"""
	email: String
	"""
	\`gv_click\` from the landing URL.
	"""
	clickId: UUID
	"""
	The referral code (\`ref\` from the landing URL, or typed by the customer).
	"""
	code: String
	"""
	The customer's IP address as your server saw it (only a keyed hash is kept; used by the
	shared-device fraud rule together with \`userAgent\`).
	"""
	clientIp: String
	"""
	The customer's browser user agent.
	"""
	userAgent: String
}

"""
What a lead came to.
"""
type LeadResult {
	"""
	The referral the customer is now tied to (null when nothing could be attributed).
	"""
	referral: Referral
	"""
	Why nothing was attributed: \`no_touch\`, \`outside_attribution_window\` or \`campaign_not_active\`.
	"""
	notAttributed: String
}

"""
One ledger entry (append-only; a balance is a sum of entries).
"""
type LedgerEntry {
	"""
	Id.
	"""
	id: UUID!
	"""
	Whose.
	"""
	participantId: UUID!
	"""
	Which balance.
	"""
	account: RewardType!
	"""
	Signed amount.
	"""
	amount: Money!
	"""
	Why.
	"""
	kind: LedgerKind!
	"""
	The reward it concerns.
	"""
	rewardId: UUID
	"""
	The payout it concerns.
	"""
	payoutId: UUID
	"""
	The campaign it concerns.
	"""
	campaignId: UUID
	"""
	A note.
	"""
	memo: String!
	"""
	From when it counts towards the payable balance.
	"""
	availableAt: DateTime!
	"""
	Written.
	"""
	createdAt: DateTime!
}

type LedgerEntryConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [LedgerEntryEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [LedgerEntry!]!
}

"""
An edge in a connection.
"""
type LedgerEntryEdge {
	"""
	The item at the end of the edge
	"""
	node: LedgerEntry!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
Why a ledger entry was written.
"""
enum LedgerKind {
	"""
	A reward was earned (+).
	"""
	REWARD
	"""
	A reward was reversed before it was settled (−).
	"""
	REVERSAL
	"""
	A settled reward was clawed back (−); later payouts net it off.
	"""
	CLAWBACK
	"""
	A coupon, credit or gift card was delivered (−).
	"""
	FULFILMENT
	"""
	Cash set aside for a payout (−).
	"""
	PAYOUT
	"""
	A payout was cancelled and its cash returned (+).
	"""
	PAYOUT_CANCELLED
	"""
	A correction by finance (±).
	"""
	ADJUSTMENT
}

"""
What the tenant owes in one currency and reward type.
"""
type Liability {
	"""
	Cash, coupon, credit or gift card.
	"""
	rewardType: RewardType!
	"""
	Rewards still in their hold period (net of partial reversals).
	"""
	held: Money!
	"""
	How many.
	"""
	heldCount: BigInt!
	"""
	Rewards released (approved) and not yet paid or delivered.
	"""
	unpaid: Money!
	"""
	How many.
	"""
	unpaidCount: BigInt!
	"""
	\`held + unpaid\`.
	"""
	total: Money!
}

"""
What kind of referral link.
"""
enum LinkKind {
	"""
	The code given at enrolment.
	"""
	PRIMARY
	"""
	A code the participant or staff chose.
	"""
	VANITY
	"""
	A per-channel variant, so reports can split by channel.
	"""
	CHANNEL
}

"""
Click counts of a link.
"""
type LinkStats {
	"""
	Counted clicks (bots and HEAD requests excluded).
	"""
	clicks: BigInt!
	"""
	Distinct visitors, by keyed hash of address and user agent: exact up to 128 visitors;
	beyond, a HyperLogLog estimate (standard error 1.6 %, so within ±4.9 % in 99.7 % of
	cases).
	"""
	uniqueVisitors: BigInt!
}

"""
A successful login.
"""
type LoginPayload {
	"""
	Bearer token for \`Authorization: Bearer …\`.
	"""
	token: String!
	"""
	When it expires.
	"""
	expiresAt: DateTime!
	"""
	Who logged in.
	"""
	user: User!
}

"""
Share material for one channel.
"""
type Material {
	"""
	Id.
	"""
	id: UUID!
	"""
	Channel.
	"""
	channel: Channel!
	"""
	Share text template.
	"""
	shareText: String!
	"""
	Email subject template.
	"""
	emailSubject: String!
	"""
	Email HTML template.
	"""
	emailHtml: String!
	"""
	Email text template.
	"""
	emailText: String!
	"""
	Last changed.
	"""
	updatedAt: DateTime!
}

"""
Material for a channel.
"""
input MaterialInput {
	"""
	Channel.
	"""
	channel: Channel!
	"""
	Share text template (variables: {{first_name}}, {{referral_link}}, {{referral_code}}, {{campaign_name}}, {{company_name}}, {{reward_summary}}).
	"""
	shareText: String! = ""
	"""
	Email subject template (EMAIL channel).
	"""
	emailSubject: String! = ""
	"""
	Email HTML template (EMAIL channel; values are HTML-escaped; also {{unsubscribe_url}}).
	"""
	emailHtml: String! = ""
	"""
	Email plain-text template (EMAIL channel).
	"""
	emailText: String! = ""
}

"""
A milestone bonus paid when the referrer reaches \`atCount\` successful referrals.
"""
type Milestone {
	"""
	Referral count that triggers the bonus.
	"""
	atCount: Int!
	"""
	Bonus amount.
	"""
	bonusMinor: BigInt!
}

"""
A milestone bonus paid when the referrer reaches \`atCount\` successful referrals.
"""
input MilestoneInput {
	"""
	Referral count that triggers the bonus.
	"""
	atCount: Int!
	"""
	Bonus amount.
	"""
	bonusMinor: BigInt!
}

"""
An amount of money in integer minor units (cents) of an ISO 4217 currency.
"""
type Money {
	"""
	Amount in minor units (e.g. cents), as a string-encoded 64-bit integer.
	"""
	amountMinor: BigInt!
	"""
	ISO 4217 currency code, upper case.
	"""
	currency: String!
}

"""
Mutation root.
"""
type Mutation {
	"""
	Create a staff user (admin).
	"""
	createUser(input: CreateUserInput!): User!
	"""
	Change a staff user's role (admin).
	"""
	updateUserRole(id: UUID!, role: Role!): User!
	"""
	Deactivate a staff user: their tokens stop working at once (admin).
	"""
	deactivateUser(id: UUID!): User!
	"""
	Create a draft campaign.
	"""
	createCampaign(input: CreateCampaignInput!): Campaign!
	"""
	Edit a campaign (not once ended).
	"""
	updateCampaign(id: UUID!, input: UpdateCampaignInput!): Campaign!
	"""
	Add a reward rule.
	"""
	addRewardRule(campaignId: UUID!, input: RewardRuleInput!): RewardRule!
	"""
	Remove a reward rule; returns the campaign.
	"""
	removeRewardRule(id: UUID!): Campaign!
	"""
	Set the material of a channel; templates that do not render are refused.
	"""
	setCampaignMaterial(campaignId: UUID!, input: MaterialInput!): Material!
	"""
	Replace the offer variants (draft only).
	"""
	setCampaignVariants(campaignId: UUID!, variants: [VariantInput!]!): [Variant!]!
	"""
	Launch a draft: it goes live and every invited participant is emailed their link.
	"""
	launchCampaign(id: UUID!): Campaign!
	"""
	Pause an active campaign.
	"""
	pauseCampaign(id: UUID!): Campaign!
	"""
	Resume a paused campaign.
	"""
	resumeCampaign(id: UUID!): Campaign!
	"""
	End a campaign; it becomes read-only.
	"""
	endCampaign(id: UUID!): Campaign!
	"""
	Erase a participant's personal data (a right-to-erasure request): their email, customer
	id, name, country and tags are replaced, emails to them lose address and content, their
	referee and purchase records lose email and customer id, device sightings go, fraud
	evidence and the audit log are scrubbed of them, and their links stop working. Rewards,
	ledger entries and payouts stay, amounts unchanged, so balances and reconciliation hold.
	Idempotent.
	"""
	eraseParticipant(id: UUID!): Participant!
	"""
	Enrol one participant (idempotent per external id).
	"""
	enrollParticipant(campaignId: UUID!, input: ParticipantInput!): Enrolment!
	"""
	Enrol up to 1000 participants: good rows go in, bad rows are reported by index.
	"""
	enrollParticipants(campaignId: UUID!, participants: [ParticipantInput!]!): BulkEnrolmentResult!
	"""
	Give an invited participant another link: a vanity code, a per-channel variant, or both.
	"""
	createReferralLink(enrolmentId: UUID!, channel: Channel, vanity: String): ReferralLink!
	"""
	Report a lead (a referred customer signed up) from your server with a secret key.
	"""
	trackLead(input: LeadInput!): LeadResult!
	"""
	Report a conversion (a purchase) from your server with a secret key; idempotent on \`orderId\`.
	"""
	trackConversion(input: ConversionInput!): ConversionResult!
	"""
	Record a full or partial refund of an order; idempotent on \`refundId\`.
	"""
	refundConversion(orderId: String!, refundId: String!, amountMinor: BigInt!): Conversion!
	"""
	Set an exchange rate, so conversions in \`base\` count in campaigns priced in \`quote\` (admin, finance).
	"""
	setFxRate(base: String!, quote: String!, ratePpm: BigInt!): FxRate!
	"""
	Email a participant's link to friends (up to 20 a call, \`tracking.invites_per_day\` a day;
	each friend at most once per enrolment; unsubscribed addresses get nothing).
	"""
	sendInvites(enrolmentId: UUID!, emails: [String!]!, message: String): InviteResult!
	"""
	Create an API key (admin, ops); the key is shown once.
	"""
	createApiKey(kind: ApiKeyKind!, name: String!, allowedOrigins: [String!]! = []): CreatedApiKey!
	"""
	Put a dead job back in line with a fresh set of attempts (ops), e.g. after the SMTP
	server or a provider is fixed. Only dead jobs of the caller's tenant: anything else is
	NOT_FOUND (not ours) or CONFLICT (not dead).
	"""
	retryJob(id: UUID!): Job!
	"""
	Revoke an API key; it stops working at once.
	"""
	revokeApiKey(id: UUID!): ApiKey!
	"""
	Store a tenant secret (widget_secret, webhook_secret, stripe_secret_key, stripe_webhook_secret, giftcard_api_key), encrypted (admin).
	"""
	setTenantSecret(name: String!, value: String!): Boolean!
	"""
	Sign in with email and password. Answers with a short-lived bearer token of a new sign-in
	session (\`auth.session_token_ttl_secs\`) and sets the session's cookie (httpOnly,
	\`SameSite=Strict\`, sent only to \`/graphql\`), with which \`refreshSession\` gets a new token.
	"""
	login(email: String!, password: String!): LoginPayload!
	"""
	A new token for the sign-in session whose cookie the request carries (UNAUTHENTICATED
	when it has none, or the session ended; FORBIDDEN from another site's page). Each refresh
	keeps the session alive for \`auth.session_idle_secs\`, up to \`auth.session_max_secs\` after
	the sign-in.
	"""
	refreshSession: LoginPayload!
	"""
	Sign out: ends the session whose cookie the request carries (every token of it stops
	working at once, on every replica) and removes the cookie. True if a session ended.
	"""
	signOut: Boolean!
	"""
	Set a campaign's fraud policy (marketing manager); it applies to validations from now on.
	"""
	setFraudPolicy(campaignId: UUID!, policy: FraudPolicyInput!): FraudPolicy!
	"""
	Approve or reject a referral with a reason (marketing manager). Approval creates its
	rewards; rejection reverses any.
	"""
	reviewReferral(id: UUID!, verdict: ReviewVerdict!, reason: String!): Referral!
	"""
	Approve a payout above the approval threshold (finance only).
	"""
	approvePayout(id: UUID!): Payout!
	"""
	Try a dead or failed payout again (finance); the provider is asked first whether an
	earlier attempt went through, so this never pays twice.
	"""
	retryPayout(id: UUID!): Payout!
	"""
	Cancel a payout awaiting approval or on hold (finance); its cash returns to the balance.
	"""
	cancelPayout(id: UUID!, reason: String!): Payout!
	"""
	Set the tenant's payout rules (finance).
	"""
	setPayoutSettings(input: PayoutSettingsInput!): PayoutSettings!
	"""
	Correct a participant's cash balance by hand (finance); positive or negative.
	"""
	adjustBalance(participantId: UUID!, amountMinor: BigInt!, currency: String!, memo: String!): LedgerEntry!
	"""
	Mark a participant's tax details as on file (or not) (finance); held payouts are re-checked.
	"""
	setTaxStatus(participantId: UUID!, onFile: Boolean!): Participant!
	"""
	A Stripe Connect onboarding link for a participant (their connected account is created on
	first use).
	"""
	createPayoutOnboardingLink(participantId: UUID!, refreshUrl: String!, returnUrl: String!): PayoutOnboardingLink!
	"""
	Ask Stripe whether a participant finished payout onboarding; payouts held for want of an
	account go ahead when they have.
	"""
	refreshPayoutOnboarding(participantId: UUID!): Participant!
	"""
	Compare the payouts and delivered rewards of \`[from, to)\` (at most 366 days) with
	Stripe and the gift-card provider. Runs in the background: poll \`reconciliation(id)\`
	until its status is DONE or FAILED (finance).
	"""
	startReconciliation(from: DateTime!, to: DateTime!): Reconciliation!
	"""
	Give up a dead job (ops): it stays on record as DISCARDED with the reason (also in the
	audit log) and never runs again; finished-job retention removes it later. Only a dead
	job of the caller's tenant: anything else is NOT_FOUND (not ours) or CONFLICT (not dead).
	"""
	discardJob(id: UUID!, reason: String!): Job!
	"""
	Register an endpoint (ops); its signing secret is shown this once.
	"""
	createWebhookEndpoint(input: CreateWebhookEndpointInput!): WebhookEndpointWithSecret!
	"""
	Change an endpoint's URL, description, events or whether it is enabled (ops).
	"""
	updateWebhookEndpoint(id: UUID!, input: UpdateWebhookEndpointInput!): WebhookEndpoint!
	"""
	Delete an endpoint and its delivery history (ops); returns its id.
	"""
	deleteWebhookEndpoint(id: UUID!): UUID!
	"""
	A new signing secret for an endpoint, shown this once; the old one stops at once (ops).
	"""
	rotateWebhookSecret(id: UUID!): WebhookEndpointWithSecret!
	"""
	Send a delivered or dead delivery again (ops): the same event (same id and body) in a new
	sequence of attempts, signed with the endpoint's current secret. CONFLICT while attempts
	are still under way.
	"""
	replayWebhookDelivery(id: UUID!): WebhookDelivery!
	"""
	Send a \`webhook.test\` event to an endpoint (ops), to check it receives and verifies.
	"""
	sendTestWebhook(endpointId: UUID!): WebhookDelivery!
	"""
	Upload a CSV of participants to enrol in a campaign (a GraphQL multipart request). The
	header and size are checked at once; the rows are imported by a worker: follow
	\`participantImport(id)\` for progress and per-row errors (marketing managers).
	"""
	importParticipants(campaignId: UUID!, file: Upload!): ParticipantImport!
	"""
	Create a draft campaign in your tenant from a document made by \`exportCampaign\`
	(optionally under another name). Every part is checked by the rules of the matching
	mutation; errors name their place in the document, e.g. \`reward_rules[1].kind.bps\`
	(marketing managers).
	"""
	importCampaign(document: JSON!, name: String): Campaign!
	"""
	Email the campaign's weekly digest (the last seven local days against the seven before)
	to its owner now, besides the one sent at the start of each ISO week (marketing).
	Returns when the digest is queued; it goes out through the email pipeline.
	"""
	sendCampaignDigest(campaignId: UUID!): Boolean!
	"""
	Opt a campaign in or out of stopping a clearly worse variant by itself.
	\`minimumDetectableDifference\` (default 0.03: three points of conversion rate) tunes the
	sequential test; \`alpha\` (default 0.05) is its significance level.
	"""
	setExperimentSettings(campaignId: UUID!, autoStopVariants: Boolean!, minimumDetectableDifference: Float, alpha: Float): ExperimentSettings!
	"""
	Record that a recommendation was applied to a campaign now (admin, marketing): \`kind\` is
	the kind of the report insight acted upon (e.g. \`best_channel\`; anything else is a
	VALIDATION error), \`note\` what was done (at most 2000 characters).
	"""
	applyRecommendation(campaignId: UUID!, kind: String!, note: String): AppliedRecommendation!
	"""
	Set aside a kind of report insight for a campaign (admin, marketing): the report keeps
	showing it, with this dismissal, until \`restoreRecommendation\`. Dismissing it again
	replaces the note. \`kind\` as in \`applyRecommendation\`; \`note\` at most 2000 characters.
	"""
	dismissRecommendation(campaignId: UUID!, kind: String!, note: String): RecommendationDismissal!
	"""
	Bring back a dismissed kind of insight (admin, marketing); false when it was not
	dismissed.
	"""
	restoreRecommendation(campaignId: UUID!, kind: String!): Boolean!
}

"""
ISO 8601 calendar date without timezone.
Format: %Y-%m-%d

# Examples

* \`1994-11-13\`
* \`2000-02-24\`
"""
scalar NaiveDate

"""
An objective and its KPIs.
"""
type Objective {
	"""
	Name.
	"""
	name: String!
	"""
	KPIs.
	"""
	kpis: [Kpi!]!
}

"""
An objective and its KPIs.
"""
input ObjectiveInput {
	"""
	Name.
	"""
	name: String!
	"""
	KPIs.
	"""
	kpis: [KpiInput!]!
}

"""
The change in a campaign's click-to-customer rate after a recommendation was applied.
"""
type OptimisationImpact {
	"""
	The applied recommendation (see \`appliedRecommendations\`).
	"""
	recommendationId: UUID!
	"""
	Its campaign.
	"""
	campaignId: UUID!
	"""
	The insight kind acted upon.
	"""
	kind: String!
	"""
	When it was applied.
	"""
	appliedAt: DateTime!
	"""
	First local day before (14 days before the day it was applied).
	"""
	beforeFrom: NaiveDate!
	"""
	Last local day before (the day before it was applied).
	"""
	beforeTo: NaiveDate!
	"""
	First local day after (the day after it was applied).
	"""
	afterFrom: NaiveDate!
	"""
	Last local day after (14 days after the day it was applied).
	"""
	afterTo: NaiveDate!
	"""
	New referred customers / clicks over the days before (95 % Wilson interval); null when
	customers outnumber clicks (referrals by code without a click: no rate, never clamped).
	"""
	before: Rate
	"""
	The same over the days after.
	"""
	after: Rate
	"""
	after − before, with Newcombe's 95 % hybrid score interval; null when either side has
	no clicks or no rate.
	"""
	difference: Interval95
	"""
	The two-proportion z-test's two-sided p-value of the difference.
	"""
	pValue: Float
	"""
	Whether the difference is significant at α = 0.05 — only with at least 30 clicks and 5
	customers and 5 non-converting clicks on each side; with fewer, no change is claimed.
	"""
	significant: Boolean!
	"""
	Whether all 14 days after have passed; while false, \`after\` covers fewer days.
	"""
	complete: Boolean!
}

"""
Information about pagination in a connection
"""
type PageInfo {
	"""
	When paginating backwards, are there more items?
	"""
	hasPreviousPage: Boolean!
	"""
	When paginating forwards, are there more items?
	"""
	hasNextPage: Boolean!
	"""
	When paginating backwards, the cursor to continue.
	"""
	startCursor: String
	"""
	When paginating forwards, the cursor to continue.
	"""
	endCursor: String
}

"""
A tenant's customer taking part in campaigns.
"""
type Participant {
	"""
	Id.
	"""
	id: UUID!
	"""
	The tenant's own customer id.
	"""
	externalId: String!
	"""
	Email.
	"""
	email: String!
	"""
	First name.
	"""
	firstName: String
	"""
	Tags.
	"""
	tags: [String!]!
	"""
	Orders placed.
	"""
	orderCount: Int!
	"""
	ISO alpha-2 country.
	"""
	country: String
	"""
	Created.
	"""
	createdAt: DateTime!
	"""
	Their Stripe connected account, once created.
	"""
	payoutAccountId: String
	"""
	Payout account onboarding.
	"""
	payoutOnboarding: PayoutOnboarding!
	"""
	Whether their tax details are on file.
	"""
	taxStatus: TaxStatus!
	"""
	The participant's referral links, in one campaign or all.
	"""
	links(campaignId: UUID): [ReferralLink!]!
}

type ParticipantConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [ParticipantEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [Participant!]!
}

"""
An edge in a connection.
"""
type ParticipantEdge {
	"""
	The item at the end of the edge
	"""
	node: Participant!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
A CSV import of participants into a campaign.
"""
type ParticipantImport {
	"""
	Id.
	"""
	id: UUID!
	"""
	The campaign the rows are enrolled in.
	"""
	campaignId: UUID!
	"""
	The uploaded file's name.
	"""
	fileName: String!
	"""
	State.
	"""
	state: ImportState!
	"""
	Data rows in the file (known once the file is accepted).
	"""
	totalRows: Int
	"""
	Rows read and committed so far.
	"""
	processedRows: Int!
	"""
	Rows enrolled.
	"""
	importedRows: Int!
	"""
	Rows whose participant was already enrolled in the campaign (left as they were).
	"""
	skippedRows: Int!
	"""
	Rows refused (see \`errors\`).
	"""
	failedRows: Int!
	"""
	Why the whole file was refused, when \`state\` is \`FAILED\`.
	"""
	failure: String
	"""
	When it was started.
	"""
	createdAt: DateTime!
	"""
	When it finished.
	"""
	finishedAt: DateTime
	"""
	The refused rows' problems, in file order.
	"""
	errors(first: Int, after: String): ImportRowErrorConnection!
}

"""
A participant to enrol.
"""
input ParticipantInput {
	"""
	Your customer id (participants are matched on it).
	"""
	externalId: String!
	"""
	Email.
	"""
	email: String!
	"""
	First name.
	"""
	firstName: String
	"""
	Tags.
	"""
	tags: [String!]! = []
	"""
	Orders placed so far.
	"""
	orderCount: Int! = 0
	"""
	ISO alpha-2 country.
	"""
	country: String
}

"""
Cash paid to one participant in one currency: their payable balance when it was created.
"""
type Payout {
	"""
	Id (the provider's reference: Stripe \`transfer_group\`).
	"""
	id: UUID!
	"""
	Who is paid.
	"""
	participantId: UUID!
	"""
	How much.
	"""
	amount: Money!
	"""
	State.
	"""
	status: PayoutStatus!
	"""
	Who pays.
	"""
	provider: PayoutProvider!
	"""
	The provider's id (Stripe transfer).
	"""
	providerRef: String
	"""
	Why it waits (\`above_approval_threshold\`, \`tax_details_missing\`, \`payout_account_missing\`).
	"""
	holdReason: String
	"""
	Attempts made.
	"""
	attempts: Int!
	"""
	Attempts allowed before it is dead.
	"""
	maxAttempts: Int!
	"""
	The last failure.
	"""
	lastError: String
	"""
	When the next attempt is due (failed payouts).
	"""
	nextAttemptAt: DateTime
	"""
	The finance user who approved it.
	"""
	approvedBy: UUID
	"""
	When it was approved.
	"""
	approvedAt: DateTime
	"""
	Created.
	"""
	createdAt: DateTime!
	"""
	Paid.
	"""
	paidAt: DateTime
	"""
	Every attempt at the provider, oldest first.
	"""
	attemptLog: [PayoutAttempt!]!
}

"""
One attempt at a payout.
"""
type PayoutAttempt {
	"""
	1-based.
	"""
	attempt: Int!
	"""
	Outcome.
	"""
	outcome: AttemptOutcome!
	"""
	The provider's reference when it succeeded.
	"""
	providerRef: String
	"""
	Why it failed.
	"""
	error: String
	"""
	Started.
	"""
	startedAt: DateTime!
	"""
	Finished.
	"""
	finishedAt: DateTime
}

type PayoutConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [PayoutEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [Payout!]!
}

"""
An edge in a connection.
"""
type PayoutEdge {
	"""
	The item at the end of the edge
	"""
	node: Payout!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
Which payouts to list.
"""
input PayoutFilter {
	"""
	In one state.
	"""
	status: PayoutStatus
	"""
	Of one participant.
	"""
	participantId: UUID
}

"""
A participant's payout account onboarding.
"""
enum PayoutOnboarding {
	"""
	No payout account.
	"""
	NONE
	"""
	Account created; onboarding not finished.
	"""
	PENDING
	"""
	Ready to receive payouts.
	"""
	COMPLETE
}

"""
A Stripe Connect onboarding link for a participant.
"""
type PayoutOnboardingLink {
	"""
	Send the participant here (valid for a few minutes).
	"""
	url: String!
	"""
	The participant, with their payout account.
	"""
	participant: Participant!
}

"""
Who pays cash out.
"""
enum PayoutProvider {
	"""
	Records what it would pay; pays nothing.
	"""
	DRY_RUN
	"""
	Stripe Connect transfers to the participant's connected account.
	"""
	STRIPE
}

"""
When released cash is paid out.
"""
enum PayoutSchedule {
	"""
	As soon as a reward is released.
	"""
	IMMEDIATE
	"""
	At most once per participant and currency per (UTC) day.
	"""
	DAILY
	"""
	At most once per participant and currency per ISO week.
	"""
	WEEKLY
}

"""
The tenant's payout rules.
"""
type PayoutSettings {
	"""
	Who pays cash (\`DRY_RUN\` by default).
	"""
	provider: PayoutProvider!
	"""
	When.
	"""
	schedule: PayoutSchedule!
	"""
	Smallest payout, in minor units of the payout's currency.
	"""
	minimumMinor: BigInt!
	"""
	Payouts above this (minor units) wait for finance approval; null = never.
	"""
	approvalThresholdMinor: BigInt
	"""
	Yearly cash per participant and currency above which their tax details must be on file;
	null = no threshold.
	"""
	taxThresholdMinor: BigInt
	"""
	Attempts before a payout is dead.
	"""
	maxAttempts: Int!
}

"""
The tenant's payout rules.
"""
input PayoutSettingsInput {
	"""
	Who pays cash (\`DRY_RUN\` by default).
	"""
	provider: PayoutProvider!
	"""
	When.
	"""
	schedule: PayoutSchedule!
	"""
	Smallest payout, in minor units of the payout's currency.
	"""
	minimumMinor: BigInt!
	"""
	Payouts above this (minor units) wait for finance approval; null = never.
	"""
	approvalThresholdMinor: BigInt
	"""
	Yearly cash per participant and currency above which their tax details must be on file;
	null = no threshold.
	"""
	taxThresholdMinor: BigInt
	"""
	Attempts before a payout is dead.
	"""
	maxAttempts: Int!
}

"""
Where a payout stands: \`AWAITING_APPROVAL → PENDING → PROCESSING → PAID | FAILED → … → DEAD\`.
"""
enum PayoutStatus {
	"""
	Above the approval threshold: waits for finance.
	"""
	AWAITING_APPROVAL
	"""
	Held back (see \`holdReason\`: tax details missing, no payout account).
	"""
	ON_HOLD
	"""
	Ready for the provider.
	"""
	PENDING
	"""
	An attempt is under way.
	"""
	PROCESSING
	"""
	The provider confirmed it.
	"""
	PAID
	"""
	The last attempt failed; another is scheduled (\`nextAttemptAt\`).
	"""
	FAILED
	"""
	Every attempt failed (\`lastError\`); retry it with \`retryPayout\`.
	"""
	DEAD
	"""
	Cancelled; its cash went back to the balance.
	"""
	CANCELLED
}

"""
Payouts of one currency and status created in a period.
"""
type PayoutTotal {
	"""
	Their status now.
	"""
	status: PayoutStatus!
	"""
	How many.
	"""
	count: BigInt!
	"""
	Their sum.
	"""
	amount: Money!
}

"""
The seed's programme metrics over \`[from, to)\`, each defined here and computed from our own
records. Rates carry 95 % Wilson intervals.
"""
type ProgramHealth {
	"""
	Start of the period (inclusive).
	"""
	from: DateTime!
	"""
	End of the period (exclusive).
	"""
	to: DateTime!
	"""
	Campaign setup success: campaigns created in the period that have been launched / campaigns
	created in the period. (Failed launch attempts are not recorded, so this counts campaigns,
	not attempts.)
	"""
	campaignSetupSuccess: Rate!
	"""
	Incentive attractiveness: one row per campaign with eligible participants, with its
	referrer reward level, share rate (\`participation\`) and conversion rate (\`conversion\`).
	"""
	incentives: [CampaignHealth!]!
	"""
	Incentive attractiveness by reward level: the campaigns above grouped by their referrer
	reward (kind, amount, basis points, currency).
	"""
	incentiveLevels: [IncentiveLevel!]!
	"""
	Participation rate over all campaigns: eligible enrolments whose participant's links drew
	at least one click in the period / eligible enrolments before the period's end.
	"""
	participation: Rate!
	"""
	Tracking accuracy: clicks and conversion reports stored vs received. Always the whole
	tenant's, also for one campaign: a report that fails is tied to no campaign.
	"""
	trackingAccuracy: TrackingAccuracy!
	"""
	Distribution success by kind of email, created in the period.
	"""
	distribution: [EmailDelivery!]!
	"""
	Attribution correctness: referrals attributed in the period whose attribution stood once
	decided — approved / decided (approved + rejected by the fraud checks or in review).
	Referrals still pending or in review are not counted.
	"""
	attributionCorrectness: Rate!
	"""
	Fraud prevention rate: referrals attributed in the period and flagged (in review or
	rejected) none of whose rewards was paid or fulfilled / flagged referrals.
	"""
	fraudPrevention: Rate!
	"""
	Reward timeliness, median hours from release to settlement (paid or fulfilled) of rewards
	settled in the period; null with none.
	"""
	rewardReleaseToPaidP50Hours: Float
	"""
	Reward timeliness, 95th percentile of the same (linear interpolation, Hyndman–Fan 7).
	"""
	rewardReleaseToPaidP95Hours: Float
	"""
	Rewards behind the two quantiles.
	"""
	rewardsSettled: BigInt!
	"""
	Analysis quality: how often acting on our recommendations helped — applied
	recommendations (in the period) whose 14 days after have all passed and whose
	click-to-customer rate rose significantly (two-sided test at 5 %, as in
	\`optimisationImpact\`) / applied recommendations whose days after have all passed.
	"""
	analysisQuality: Rate!
	"""
	Optimisation impact: one row per recommendation applied (\`applyRecommendation\`) in the
	period, oldest first, with the campaign's click-to-customer conversion rate (new referred
	customers / clicks, from the rollups) over the 14 campaign-local days before the day it
	was applied against the 14 days after (that day itself in neither), and the difference.
	"""
	optimisationImpact: [OptimisationImpact!]!
}

"""
Query root: the core queries and those of the incentive loop.
"""
type Query {
	"""
	The logged-in staff user.
	"""
	me: User!
	"""
	The caller's tenant.
	"""
	tenant: Tenant!
	"""
	Staff users of the tenant (admin).
	"""
	users(first: Int, after: String): UserConnection!
	"""
	Campaigns, newest first.
	"""
	campaigns(first: Int, after: String, filter: CampaignFilter): CampaignConnection!
	"""
	One campaign.
	"""
	campaign(id: UUID!): Campaign!
	"""
	Participants, newest first. \`search\` (at most 100 characters) keeps those whose email,
	external id or first name contains it (letters A–Z in any case), or who own a referral
	link with exactly that code.
	"""
	participants(first: Int, after: String, search: String): ParticipantConnection!
	"""
	Everything held about a participant, as one JSON document (a data-access request):
	profile, enrolments, links, referrals made and received, purchases, rewards, ledger,
	payouts and emails.
	"""
	participantData(id: UUID!): JSON!
	"""
	One participant.
	"""
	participant(id: UUID!): Participant!
	"""
	The health of the tenant's background jobs, per kind (ops): waiting, running, retrying,
	dead, finished in the last hour, the oldest wait and the 95th-percentile run time. The
	same counts, for every tenant, are on \`/metrics\` as \`grapevine_jobs{kind,state}\`.
	"""
	queueHealth: [QueueKindHealth!]!
	"""
	The tenant's jobs that failed for good (every attempt used), with their last error
	(ops). \`retryJob\` puts one back in line.
	"""
	deadJobs(first: Int, after: String): JobConnection!
	"""
	Emails of a campaign and their delivery state, newest first.
	"""
	emails(campaignId: UUID!, first: Int, after: String): EmailConnection!
	"""
	API keys (admin, ops).
	"""
	apiKeys: [ApiKey!]!
	"""
	The audit log, newest first (admin).
	"""
	auditLog(first: Int, after: String): AuditEntryConnection!
	"""
	One referral, with its fraud decisions and rewards.
	"""
	referral(id: UUID!): Referral!
	"""
	Referrals, newest first; optionally of one campaign and in one state.
	"""
	referrals(campaignId: UUID, status: ReferralStatus, first: Int, after: String): ReferralConnection!
	"""
	Referrals waiting for a person (status \`REVIEW\`), newest first.
	"""
	reviewQueue(campaignId: UUID, first: Int, after: String): ReferralConnection!
	"""
	A campaign's fraud policy (the default until one is set).
	"""
	fraudPolicy(campaignId: UUID!): FraudPolicy!
	"""
	Re-score the campaign's validated referrals created in \`[from, to)\` under \`policy\`, writing
	nothing: what would change, and how many referrals that later proved good it would flag.
	"""
	replayFraudRules(campaignId: UUID!, policy: FraudPolicyInput!, from: DateTime!, to: DateTime!): FraudReplay!
	"""
	Rewards, newest first.
	"""
	rewards(filter: RewardFilter, first: Int, after: String): RewardConnection!
	"""
	Payouts, newest first (finance).
	"""
	payouts(filter: PayoutFilter, first: Int, after: String): PayoutConnection!
	"""
	One payout (finance).
	"""
	payout(id: UUID!): Payout!
	"""
	A participant's ledger, newest first (finance).
	"""
	ledger(participantId: UUID!, first: Int, after: String): LedgerEntryConnection!
	"""
	A participant's balances per account and currency (finance).
	"""
	balances(participantId: UUID!): [Balance!]!
	"""
	The tenant's payout rules (finance).
	"""
	payoutSettings: PayoutSettings!
	"""
	One reconciliation (finance).
	"""
	reconciliation(id: UUID!): Reconciliation!
	"""
	Reconciliations, newest first (finance).
	"""
	reconciliations(first: Int, after: String): ReconciliationConnection!
	"""
	What the tenant owes now: held and released-but-unpaid rewards, by currency and reward
	type (finance).
	"""
	liability: [Liability!]!
	"""
	A campaign's cost to date against its budget (finance).
	"""
	campaignCost(campaignId: UUID!): CampaignCost!
	"""
	Payouts created in \`[from, to)\`, totalled by currency and status (finance). The same
	payouts are the rows of \`/exports/payouts.csv?from=…&to=…\`.
	"""
	payoutTotals(from: DateTime!, to: DateTime!): [PayoutTotal!]!
	"""
	The tenant's queue at a glance (ops): \`queueHealth\`'s kinds plus the outbox backlog and
	the relay's lag. The \`queueHealth\` subscription pushes the same object when it changes.
	"""
	queueOverview: QueueOverview!
	"""
	The tenant's webhook endpoints, oldest first (ops).
	"""
	webhookEndpoints: [WebhookEndpoint!]!
	"""
	The event types an endpoint can subscribe to.
	"""
	webhookEventTypes: [String!]!
	"""
	Deliveries, newest first, with every attempt and the receiver's status codes (ops).
	"""
	webhookDeliveries(endpointId: UUID, state: WebhookDeliveryState, eventType: String, first: Int, after: String): WebhookDeliveryConnection!
	"""
	A participant import and its progress (marketing managers).
	"""
	participantImport(id: UUID!): ParticipantImport!
	"""
	A campaign's design as a portable document (\`"format": "grapevine.campaign/v1"\`):
	settings, goals, audience, fraud policy, variants, reward rules and materials, without
	ids, participants, links or money history (marketing managers).
	"""
	exportCampaign(id: UUID!): JSON!
	"""
	A campaign's performance over \`[from, to]\` (local days in the campaign's time zone; by
	default from its start to today, or today alone for a campaign that has not started),
	with its series cut by \`granularity\`. Insights of a kind the team dismissed carry their
	\`dismissal\`.
	"""
	campaignReport(campaignId: UUID!, from: NaiveDate, to: NaiveDate, granularity: ReportGranularity! = DAY): CampaignReport!
	"""
	Several campaigns' reports over the same period, in the order asked (at most 10; the
	default period is each campaign's own, as in \`campaignReport\`).
	"""
	compareCampaigns(campaignIds: [UUID!]!, from: NaiveDate, to: NaiveDate): [CampaignReport!]!
	"""
	A campaign's experiment settings (the defaults until set).
	"""
	experimentSettings(campaignId: UUID!): ExperimentSettings!
	"""
	The seed's programme metrics over \`[from, to)\` (at most about three years), each with its
	definition. With \`campaignId\`, every metric is that campaign's alone (\`NOT_FOUND\` if it is
	not one of yours), except tracking accuracy, which is always the whole tenant's.
	"""
	programHealth(from: DateTime!, to: DateTime!, campaignId: UUID): ProgramHealth!
	"""
	The recommendations applied to a campaign, latest first (who reads reports).
	"""
	appliedRecommendations(campaignId: UUID!): [AppliedRecommendation!]!
}

"""
One job kind's health (ops): see \`queueHealth\`.
"""
type QueueKindHealth {
	"""
	\`email.send\`, \`payout.pay\`, …
	"""
	kind: String!
	"""
	Due and not yet taken by a worker.
	"""
	waiting: Int!
	"""
	Held by a worker now.
	"""
	running: Int!
	"""
	Failed at least once, waiting for the next attempt.
	"""
	retrying: Int!
	"""
	Every attempt failed (\`deadJobs\`, \`retryJob\`).
	"""
	dead: Int!
	"""
	Finished in the last hour.
	"""
	doneLastHour: Int!
	"""
	Seconds the oldest waiting job has waited.
	"""
	oldestWaitingSecs: Int
	"""
	95th percentile of run time over the last hour, in milliseconds.
	"""
	p95RunMs: Int
}

"""
The tenant's queue at a glance (ops): per-kind health plus the outbox's side — what is due
but not yet handed to the queue, and how long the oldest of it has waited.
"""
type QueueOverview {
	"""
	When it was read.
	"""
	at: DateTime!
	"""
	Per job kind: waiting, running, retrying, dead, done in the last hour, oldest wait, p95.
	"""
	kinds: [QueueKindHealth!]!
	"""
	Jobs whose time has come that the relay has not yet put on the queue. Normally 0 or a
	handful; a growing number means the relay is not running or cannot reach the queue.
	"""
	outboxBacklog: Int!
	"""
	Seconds the oldest of those has waited (0 when there is none): the relay's lag.
	"""
	relayLagSecs: Int!
}

"""
A rate with its 95 % Wilson score interval.
"""
type Rate {
	"""
	\`successes / trials\`; null when there were no trials.
	"""
	value: Float
	"""
	Lower end of the 95 % interval.
	"""
	low: Float
	"""
	Upper end of the 95 % interval.
	"""
	high: Float
	"""
	The numerator.
	"""
	successes: BigInt!
	"""
	The denominator.
	"""
	trials: BigInt!
}

"""
A kind of report insight a campaign's team set aside.
"""
type RecommendationDismissal {
	"""
	The insight kind (see \`Insight.kind\`).
	"""
	kind: String!
	"""
	Why, in the user's words.
	"""
	note: String
	"""
	The staff user who dismissed it.
	"""
	dismissedBy: UUID
	"""
	When.
	"""
	dismissedAt: DateTime!
}

"""
The kind of provider object compared.
"""
enum ReconciledObject {
	"""
	A Stripe Connect transfer: a cash payout.
	"""
	TRANSFER
	"""
	A Stripe coupon: a coupon reward.
	"""
	COUPON
	"""
	A gift card from the gift-card API.
	"""
	GIFT_CARD
}

"""
A comparison of a period's payouts (Stripe transfers) and delivered rewards (Stripe coupons,
gift cards) with the providers.
"""
type Reconciliation {
	"""
	Id.
	"""
	id: UUID!
	"""
	Start of the period (inclusive).
	"""
	from: DateTime!
	"""
	End of the period (exclusive).
	"""
	to: DateTime!
	"""
	Where it stands.
	"""
	status: ReconciliationStatus!
	"""
	Objects compared: our payouts and delivered rewards of the period, plus provider
	transfers of the period that none of ours claimed.
	"""
	checked: Int!
	"""
	Objects both sides agree on.
	"""
	matched: Int!
	"""
	Number of mismatches found.
	"""
	mismatched: Int!
	"""
	Why it failed.
	"""
	error: String
	"""
	When it was started.
	"""
	createdAt: DateTime!
	"""
	When it finished.
	"""
	finishedAt: DateTime
	"""
	Everything it found, in the order found; empty when both sides agree.
	"""
	mismatches: [ReconciliationMismatch!]!
}

type ReconciliationConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [ReconciliationEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [Reconciliation!]!
}

"""
An edge in a connection.
"""
type ReconciliationEdge {
	"""
	The item at the end of the edge
	"""
	node: Reconciliation!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
What a reconciliation found wrong with one object.
"""
enum ReconciliationIssue {
	"""
	We recorded it as paid or delivered; the provider has no such object.
	"""
	MISSING_AT_PROVIDER
	"""
	The provider has an object (created in the period) for which we have no record.
	"""
	MISSING_IN_GRAPEVINE
	"""
	Both sides have it, with different amounts (a transfer counts net of reversals).
	"""
	AMOUNT_DIFFERS
	"""
	Both sides have it, in different currencies.
	"""
	CURRENCY_DIFFERS
	"""
	Both sides have it and disagree on whether it went through (e.g. reversed at the
	provider, or paid there while we recorded a failure).
	"""
	STATUS_DIFFERS
	"""
	The provider holds more than one object for one of ours: paid or issued twice.
	"""
	DUPLICATE_AT_PROVIDER
}

"""
One disagreement between us and a provider.
"""
type ReconciliationMismatch {
	"""
	Transfer, coupon or gift card.
	"""
	object: ReconciledObject!
	"""
	What is wrong.
	"""
	issue: ReconciliationIssue!
	"""
	Our payout (for a transfer).
	"""
	payoutId: UUID
	"""
	Our reward (for a coupon or gift card).
	"""
	rewardId: UUID
	"""
	The provider's id.
	"""
	providerRef: String
	"""
	What we recorded.
	"""
	ours: Money
	"""
	What the provider holds.
	"""
	provider: Money
	"""
	Our state (\`paid\`, \`fulfilled\`, …).
	"""
	oursStatus: String
	"""
	The provider's state (\`paid\`, \`reversed\`, \`partially_reversed\`, \`issued\`, …).
	"""
	providerStatus: String
	"""
	A sentence for the person reading the report.
	"""
	detail: String!
}

"""
Where a reconciliation stands.
"""
enum ReconciliationStatus {
	"""
	Queued, or reading the providers.
	"""
	RUNNING
	"""
	Finished: \`mismatches\` is everything it found (empty when both sides agree).
	"""
	DONE
	"""
	A provider could not be read (\`error\` says why); start another.
	"""
	FAILED
}

"""
A referee tied to their referrer in a campaign (at most one referrer per referee and campaign).
"""
type Referral {
	"""
	Id.
	"""
	id: UUID!
	"""
	Campaign.
	"""
	campaignId: UUID!
	"""
	The referring participant.
	"""
	referrerParticipantId: UUID!
	"""
	The merchant's customer id of the referee.
	"""
	refereeCustomerId: String!
	"""
	How the tie was made.
	"""
	source: AttributionSource!
	"""
	Validation state.
	"""
	status: ReferralStatus!
	"""
	When the attributed touch happened.
	"""
	attributedAt: DateTime!
	"""
	The counted fraud score of the latest decision.
	"""
	score: Int
	"""
	When the latest decision was made.
	"""
	decidedAt: DateTime
	"""
	The signals of the latest decision: why it stands where it stands.
	"""
	signals: [FraudSignal!]!
	"""
	Every decision, newest first, with its signals.
	"""
	decisions: [FraudDecision!]!
	"""
	Its rewards, both sides.
	"""
	rewards: [Reward!]!
}

type ReferralConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [ReferralEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [Referral!]!
}

"""
An edge in a connection.
"""
type ReferralEdge {
	"""
	The item at the end of the edge
	"""
	node: Referral!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
A referral link: \`url\` redirects to the campaign's landing page with attribution.
"""
type ReferralLink {
	"""
	Id.
	"""
	id: UUID!
	"""
	The code (globally unique, upper case).
	"""
	code: String!
	"""
	Primary, vanity or channel variant.
	"""
	kind: LinkKind!
	"""
	Channel this link is for (reports split by it).
	"""
	channel: Channel
	"""
	Campaign.
	"""
	campaignId: UUID!
	"""
	Created.
	"""
	createdAt: DateTime!
	"""
	The shareable URL (\`/r/{code}\`).
	"""
	url: String!
	"""
	The QR code of the URL, as SVG (\`.png\` works too).
	"""
	qrUrl: String!
	"""
	Click counts, from the reporting rollups: they take in new clicks every
	\`analytics.rollup_interval_secs\` (a minute by default).
	"""
	stats: LinkStats!
}

"""
Where a referral stands.
"""
enum ReferralStatus {
	"""
	Waiting for fraud validation.
	"""
	PENDING
	"""
	Validated.
	"""
	APPROVED
	"""
	Waiting for a person in the review queue.
	"""
	REVIEW
	"""
	Refused.
	"""
	REJECTED
}

"""
A referral the candidate policy would decide differently.
"""
type ReplayedReferral {
	"""
	The referral (as it stands).
	"""
	referral: Referral!
	"""
	What the candidate policy would decide.
	"""
	would: ReferralStatus!
	"""
	Its counted score under the candidate.
	"""
	score: Int!
	"""
	Its signals under the candidate.
	"""
	signals: [FraudSignal!]!
	"""
	It later proved good (a reviewer approved it, or its reward outlived the hold unrefunded).
	"""
	provedGood: Boolean!
}

"""
How a report's series is cut.
"""
enum ReportGranularity {
	"""
	A point per local day.
	"""
	DAY
	"""
	A point per ISO week, starting Monday.
	"""
	WEEK
	"""
	A point per calendar month.
	"""
	MONTH
}

"""
One group of a breakdown (a channel, a variant, a period).
"""
type ReportRow {
	"""
	The channel (\`email\`, … or empty), variant id, or period start (\`YYYY-MM-DD\`).
	"""
	key: String!
	"""
	A label for people.
	"""
	label: String!
	"""
	Clicks.
	"""
	clicks: BigInt!
	"""
	Distinct visitors (see \`Funnel.uniqueVisitors\`).
	"""
	uniqueVisitors: BigInt!
	"""
	Leads.
	"""
	leads: BigInt!
	"""
	New customers.
	"""
	customers: BigInt!
	"""
	Orders.
	"""
	orders: BigInt!
	"""
	Revenue net of refunds.
	"""
	revenue: Money!
	"""
	Rewards, both sides, net of reversals.
	"""
	rewardCost: Money!
	"""
	Clicks that became new customers.
	"""
	conversionRate: Rate!
}

"""
A reviewer's verdict.
"""
enum ReviewVerdict {
	"""
	Good: its rewards are created.
	"""
	APPROVE
	"""
	Fraud: its rewards are reversed.
	"""
	REJECT
}

"""
A reward for one side of a referral.
"""
type Reward {
	"""
	Id.
	"""
	id: UUID!
	"""
	Campaign.
	"""
	campaignId: UUID!
	"""
	The referral that earned it.
	"""
	referralId: UUID!
	"""
	The purchase that triggered it (none for a signup reward).
	"""
	conversionId: UUID
	"""
	Who receives it.
	"""
	participantId: UUID!
	"""
	Referrer or referee.
	"""
	side: RewardSide!
	"""
	Cash, coupon, credit or gift card.
	"""
	rewardType: RewardType!
	"""
	Amount earned.
	"""
	amount: Money!
	"""
	Reversed so far (refunds, rejection).
	"""
	reversed: Money!
	"""
	State.
	"""
	status: RewardStatus!
	"""
	When the hold period ends.
	"""
	releaseAt: DateTime!
	"""
	The payout that pays it (cash).
	"""
	payoutId: UUID
	"""
	The provider's reference (coupon id, gift card id).
	"""
	fulfilmentRef: String
	"""
	The code the recipient redeems.
	"""
	fulfilmentCode: String
	"""
	Created.
	"""
	createdAt: DateTime!
}

type RewardConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [RewardEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [Reward!]!
}

"""
An edge in a connection.
"""
type RewardEdge {
	"""
	The item at the end of the edge
	"""
	node: Reward!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
Which rewards to list.
"""
input RewardFilter {
	"""
	Of one campaign.
	"""
	campaignId: UUID
	"""
	Of one participant.
	"""
	participantId: UUID
	"""
	Of one referral.
	"""
	referralId: UUID
	"""
	In one state.
	"""
	status: RewardStatus
}

"""
How the reward amount is computed.
"""
enum RewardKind {
	"""
	A fixed amount.
	"""
	FIXED
	"""
	Basis points of the order amount.
	"""
	PERCENT
	"""
	By the referrer's number of successful referrals, with milestone bonuses.
	"""
	TIERED
}

"""
A reward rule.
"""
type RewardRule {
	"""
	Id.
	"""
	id: UUID!
	"""
	Who is rewarded.
	"""
	side: RewardSide!
	"""
	What earns it.
	"""
	trigger: RewardTrigger!
	"""
	For EACH_PURCHASE: how many purchases per referee count.
	"""
	maxPurchases: Int
	"""
	Orders below this earn nothing.
	"""
	minOrder: Money!
	"""
	How the amount is computed.
	"""
	kind: RewardKind!
	"""
	How it is delivered.
	"""
	rewardType: RewardType!
	"""
	FIXED amount.
	"""
	amount: Money
	"""
	PERCENT share in basis points.
	"""
	bps: Int
	"""
	TIERED tiers.
	"""
	tiers: [Tier!]!
	"""
	TIERED milestone bonuses.
	"""
	milestones: [Milestone!]!
	"""
	Most one referrer earns from this rule.
	"""
	perReferrerCap: Money
	"""
	Applies only to this variant (null = all).
	"""
	variantId: UUID
}

"""
A reward rule to add.
"""
input RewardRuleInput {
	"""
	Who is rewarded.
	"""
	side: RewardSide!
	"""
	What earns it.
	"""
	trigger: RewardTrigger!
	"""
	For EACH_PURCHASE: purchases per referee that count.
	"""
	maxPurchases: Int
	"""
	Minimum order amount in minor units.
	"""
	minOrderMinor: BigInt! = "0"
	"""
	FIXED, PERCENT or TIERED.
	"""
	kind: RewardKind!
	"""
	Delivery.
	"""
	rewardType: RewardType! = CASH
	"""
	FIXED: amount in minor units.
	"""
	amountMinor: BigInt
	"""
	PERCENT: basis points (1–10000).
	"""
	bps: Int
	"""
	TIERED: tiers.
	"""
	tiers: [TierInput!]! = []
	"""
	TIERED: milestone bonuses.
	"""
	milestones: [MilestoneInput!]! = []
	"""
	Cap per referrer in minor units.
	"""
	perReferrerCapMinor: BigInt
	"""
	Only for this variant (by name).
	"""
	variant: String
}

"""
Who a reward rule pays.
"""
enum RewardSide {
	"""
	The existing customer who shared.
	"""
	REFERRER
	"""
	The friend who was referred.
	"""
	REFEREE
}

"""
Where a reward stands.
"""
enum RewardStatus {
	"""
	Created; waits for its hold period to end.
	"""
	HELD
	"""
	The hold is over: fulfilment or the next payout run takes it.
	"""
	RELEASED
	"""
	A coupon, credit or gift card was delivered.
	"""
	FULFILLED
	"""
	Paid out in cash.
	"""
	PAID
	"""
	Fully reversed before it was settled.
	"""
	REVERSED
}

"""
What earns a reward.
"""
enum RewardTrigger {
	"""
	The referee signs up.
	"""
	LEAD
	"""
	The referee's first purchase.
	"""
	FIRST_PURCHASE
	"""
	Each purchase, up to \`maxPurchases\`.
	"""
	EACH_PURCHASE
}

"""
How a reward is delivered.
"""
enum RewardType {
	"""
	Paid out in money.
	"""
	CASH
	"""
	A coupon for the next order.
	"""
	COUPON
	"""
	Store credit.
	"""
	CREDIT
	"""
	A gift card.
	"""
	GIFT_CARD
}

"""
A staff role.
"""
enum Role {
	"""
	Everything, including users and keys.
	"""
	ADMIN
	"""
	Campaigns, materials, participants, reports, review queue.
	"""
	MARKETING_MANAGER
	"""
	Enrol participants, links, invites; read campaigns.
	"""
	SALES
	"""
	Rewards, payouts, approvals, reconciliation, reports.
	"""
	FINANCE
	"""
	Queue health, API keys, webhooks; read-only otherwise.
	"""
	OPS
}

"""
One refused row of a bulk enrolment.
"""
type RowError {
	"""
	Index of the row in the input list.
	"""
	index: Int!
	"""
	Field.
	"""
	field: String!
	"""
	What is wrong.
	"""
	message: String!
}

"""
Subscription root (graphql-ws).
"""
type Subscription {
	"""
	The tenant's queue (ops): the overview now, then again every time it changes, looked at
	every \`intervalSeconds\` (1 to 60).
	"""
	queueHealth(intervalSeconds: Int! = 2): QueueOverview!
}

"""
Whether a participant's tax details are on file.
"""
enum TaxStatus {
	"""
	Not on file: cash above the tenant's yearly tax threshold is held.
	"""
	MISSING
	"""
	On file.
	"""
	ON_FILE
}

"""
The caller's tenant.
"""
type Tenant {
	"""
	Id.
	"""
	id: UUID!
	"""
	URL-safe slug.
	"""
	slug: String!
	"""
	Name.
	"""
	name: String!
}

"""
A tier: from this many successful referrals on, each earns \`amountMinor\`.
"""
type Tier {
	"""
	First referral count of the tier (the first tier starts at 1).
	"""
	fromCount: Int!
	"""
	Amount per referral in the tier.
	"""
	amountMinor: BigInt!
}

"""
A tier: from this many successful referrals on, each earns \`amountMinor\`.
"""
input TierInput {
	"""
	First referral count of the tier (the first tier starts at 1).
	"""
	fromCount: Int!
	"""
	Amount per referral in the tier.
	"""
	amountMinor: BigInt!
}

"""
A referrer on the leaderboard.
"""
type TopReferrer {
	"""
	The participant.
	"""
	participantId: UUID!
	"""
	Their id in your system.
	"""
	externalId: String!
	"""
	Clicks on their links.
	"""
	clicks: BigInt!
	"""
	Distinct visitors of their links (see \`Funnel.uniqueVisitors\`).
	"""
	uniqueVisitors: BigInt!
	"""
	People they referred.
	"""
	leads: BigInt!
	"""
	New customers they brought.
	"""
	customers: BigInt!
	"""
	Those customers' revenue.
	"""
	revenue: Money!
}

"""
Tracking accuracy: what the tracking endpoints stored against what they received, over the
whole UTC hours the period touches (\`hoursFrom\` to \`hoursTo\`): the received side is counted
per tenant and hour, apart from the rows, as requests arrive.
"""
type TrackingAccuracy {
	"""
	The first hour counted (the period's start, rounded down to the hour).
	"""
	hoursFrom: DateTime!
	"""
	The end of the last hour counted (the period's end, rounded up to the hour).
	"""
	hoursTo: DateTime!
	"""
	Clicks the redirect counted (requests for a live code from a browser; bots and unknown
	codes are not clicks).
	"""
	clicksReceived: BigInt!
	"""
	Click rows stored.
	"""
	clicksRecorded: BigInt!
	"""
	Clicks dropped before being stored: the click buffer was full (the database slower than
	the clicks), or their write failed for good.
	"""
	clicksLost: BigInt!
	"""
	Clicks recorded / clicks received; null if more rows than receipts (a replica that
	crashed before adding its tally).
	"""
	clicks: Rate
	"""
	\`trackConversion\` reports that passed input validation (a replayed order counts again).
	"""
	conversionReports: BigInt!
	"""
	Of them, reports that failed on our side: nothing was stored and the caller got
	\`INTERNAL\` (reports refused for bad input are the caller's, and not counted).
	"""
	conversionReportsFailed: BigInt!
	"""
	Reports stored (or recognised as a replay) / reports received.
	"""
	conversions: Rate!
}

"""
A UUID is a unique 128-bit number, stored as 16 octets. UUIDs are parsed as
Strings within GraphQL. UUIDs are used to assign unique identifiers to
entities without requiring a central allocating authority.

# References

* [Wikipedia: Universally Unique Identifier](http://en.wikipedia.org/wiki/Universally_unique_identifier)
* [RFC4122: A Universally Unique Identifier (UUID) URN Namespace](http://tools.ietf.org/html/rfc4122)
"""
scalar UUID

"""
Changes to a campaign; absent fields stay, \`null\` clears optional ones.
"""
input UpdateCampaignInput {
	"""
	Name.
	"""
	name: String
	"""
	Description.
	"""
	description: String
	"""
	Goals.
	"""
	goals: [FocusAreaInput!]
	"""
	Audience.
	"""
	audience: AudienceInput
	"""
	Start.
	"""
	startsAt: DateTime
	"""
	End.
	"""
	endsAt: DateTime
	"""
	Time zone.
	"""
	timeZone: String
	"""
	Currency (draft only).
	"""
	currency: String
	"""
	Budget cap.
	"""
	budgetMinor: BigInt
	"""
	Attribution window.
	"""
	attributionWindowDays: Int
	"""
	Attribution model.
	"""
	attributionModel: AttributionModel
	"""
	Hold period.
	"""
	holdDays: Int
	"""
	Landing URL.
	"""
	landingUrl: String
	"""
	Holdout (draft only).
	"""
	holdoutBps: Int
}

"""
Changes to an endpoint; fields left out stay as they are.
"""
input UpdateWebhookEndpointInput {
	"""
	New URL.
	"""
	url: String
	"""
	New description.
	"""
	description: String
	"""
	New subscriptions (replace the old ones).
	"""
	eventTypes: [String!]
	"""
	Enable or disable.
	"""
	enabled: Boolean
}

"""
A multipart file upload
"""
scalar Upload

"""
A staff user.
"""
type User {
	"""
	Id.
	"""
	id: UUID!
	"""
	Login email.
	"""
	email: String!
	"""
	Display name.
	"""
	name: String!
	"""
	Role.
	"""
	role: Role!
	"""
	False once deactivated (they can no longer log in).
	"""
	active: Boolean!
	"""
	Created.
	"""
	createdAt: DateTime!
	"""
	Last successful login.
	"""
	lastLoginAt: DateTime
}

type UserConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [UserEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [User!]!
}

"""
An edge in a connection.
"""
type UserEdge {
	"""
	The item at the end of the edge
	"""
	node: User!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
What made a referral be (re)validated.
"""
enum ValidationCause {
	"""
	The referee signed up.
	"""
	LEAD
	"""
	A purchase.
	"""
	CONVERSION
	"""
	A refund.
	"""
	REFUND
	"""
	A reviewer's decision.
	"""
	REVIEW
}

"""
An offer variant.
"""
type Variant {
	"""
	Id.
	"""
	id: UUID!
	"""
	Name.
	"""
	name: String!
	"""
	Relative weight (0 once stopped).
	"""
	weight: Int!
	"""
	When its sequential test stopped it (see \`setExperimentSettings\`); nobody new gets it.
	"""
	stoppedAt: DateTime
	"""
	Why, with the test's numbers.
	"""
	stopReason: String
}

"""
An offer variant to set.
"""
input VariantInput {
	"""
	Name.
	"""
	name: String!
	"""
	Relative weight (1–10000).
	"""
	weight: Int!
}

"""
One POST of a delivery and what came back.
"""
type WebhookAttempt {
	"""
	The delivery's sequence it belongs to (0, then one more per replay).
	"""
	sequence: Int!
	"""
	1-based, over every sequence.
	"""
	attempt: Int!
	"""
	When it started.
	"""
	startedAt: DateTime!
	"""
	How long it took, in milliseconds.
	"""
	durationMs: Int!
	"""
	The receiver's HTTP status, when it answered.
	"""
	statusCode: Int
	"""
	Why there is no answer (timeout, refused, blocked target).
	"""
	error: String
	"""
	The start of the answer's body (at most 1 KiB).
	"""
	responseBody: String
}

"""
One event for one endpoint.
"""
type WebhookDelivery {
	"""
	Id (\`Grapevine-Delivery-Id\`).
	"""
	id: UUID!
	"""
	The endpoint.
	"""
	endpointId: UUID!
	"""
	The event's id (\`Grapevine-Event-Id\`): the same for every endpoint and replay.
	"""
	eventId: UUID!
	"""
	The event's type.
	"""
	eventType: String!
	"""
	The body sent, as JSON.
	"""
	payload: JSON!
	"""
	Where it stands.
	"""
	state: WebhookDeliveryState!
	"""
	0, then one more per replay.
	"""
	sequence: Int!
	"""
	Attempts made, over every sequence.
	"""
	attemptCount: Int!
	"""
	The last answer's status.
	"""
	lastStatus: Int
	"""
	The last error.
	"""
	lastError: String
	"""
	Created.
	"""
	createdAt: DateTime!
	"""
	When a receiver answered 2xx.
	"""
	deliveredAt: DateTime
	"""
	Every attempt, oldest first.
	"""
	attempts: [WebhookAttempt!]!
}

type WebhookDeliveryConnection {
	"""
	Information to aid in pagination.
	"""
	pageInfo: PageInfo!
	"""
	A list of edges.
	"""
	edges: [WebhookDeliveryEdge!]!
	"""
	A list of nodes.
	"""
	nodes: [WebhookDelivery!]!
}

"""
An edge in a connection.
"""
type WebhookDeliveryEdge {
	"""
	The item at the end of the edge
	"""
	node: WebhookDelivery!
	"""
	A cursor for use in pagination
	"""
	cursor: String!
}

"""
Where a delivery stands.
"""
enum WebhookDeliveryState {
	"""
	Waiting for its first attempt (or a replay's).
	"""
	PENDING
	"""
	The receiver answered 2xx.
	"""
	DELIVERED
	"""
	The last attempt failed; another is scheduled with backoff.
	"""
	RETRYING
	"""
	Every attempt failed; \`replayWebhookDelivery\` sends it again.
	"""
	DEAD
}

"""
A receiver of the tenant's events (the signing secret is shown only when created or rotated).
"""
type WebhookEndpoint {
	"""
	Id.
	"""
	id: UUID!
	"""
	Where deliveries are POSTed.
	"""
	url: String!
	"""
	A note for people.
	"""
	description: String!
	"""
	Subscribed events, e.g. \`reward.earned\`.
	"""
	eventTypes: [String!]!
	"""
	Disabled endpoints get no new events.
	"""
	enabled: Boolean!
	"""
	The signing secret's last characters, to recognise it.
	"""
	secretHint: String!
	"""
	Created.
	"""
	createdAt: DateTime!
	"""
	Last changed.
	"""
	updatedAt: DateTime!
}

"""
An endpoint with its signing secret: store the secret now, it is not shown again.
"""
type WebhookEndpointWithSecret {
	"""
	\`whsec_…\`: the HMAC key of \`Grapevine-Signature\`.
	"""
	secret: String!
	"""
	The endpoint.
	"""
	endpoint: WebhookEndpoint!
}

"""
Directs the executor to include this field or fragment only when the \`if\` argument is true.
"""
directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
"""
Directs the executor to skip this field or fragment when the \`if\` argument is true.
"""
directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
"""
Provides a scalar specification URL for specifying the behavior of custom scalar types.
"""
directive @specifiedBy(url: String!) on SCALAR
schema {
	query: Query
	mutation: Mutation
	subscription: Subscription
}
`,uz=Ho({url:`/graphql`,subscriptionUrl:`${window.location.protocol===`https:`?`wss`:`ws`}://${window.location.host}/graphql`}),dz=La(lz),fz=document.getElementById(`graphiql`);fz&&(0,I8.createRoot)(fz).render((0,X.jsx)(H.StrictMode,{children:(0,X.jsx)(cz,{fetcher:uz,schema:dz,defaultHeaders:`{
  "Authorization": "Bearer "
}`})}));export{Ju as $,hc as $n,Bc as $t,jd as A,Hs as An,yl as At,Ad as B,tc as Bn,Xc as Bt,Ud as C,Fs as Cn,Nl as Ct,G as D,zs as Dn,jl as Dt,Qd as E,Rs as En,Ml as Et,Td as F,Xs as Fn,fl as Ft,cd as G,oc as Gn,Gc as Gt,xd as H,rc as Hn,Hc as Ht,Cd as I,Zs as In,dl as It,Yu as J,uc as Jn,zc as Jt,md as K,sc as Kn,Uc as Kt,Sd as L,Qs as Ln,ll as Lt,kd as M,Ws as Mn,ol as Mt,Nd as N,Gs as Nn,Zc as Nt,Ld as O,Bs as On,gl as Ot,Ed as P,Ys as Pn,pl as Pt,Wu as Q,mc as Qn,Ic as Qt,wd as R,$s as Rn,ml as Rt,lf as S,Ps as Sn,Pl as St,ef as T,Ls as Tn,kl as Tt,bd as U,ic as Un,Kc as Ut,Pd as V,nc as Vn,Jc as Vt,yd as W,ac as Wn,Vc as Wt,Ku as X,fc as Xn,Lc as Xt,Zu as Y,dc as Yn,Rc as Yt,Gu as Z,pc as Zn,Pc as Zt,af as _,ks as _n,su as _t,of as a,Dc as an,mu as at,tf as b,Ms as bn,Ll as bt,Yd as c,Ec as cn,iu as ct,Gd as d,yc as dn,$l as dt,Nc as en,gc as er,qu as et,sf as f,bc as fn,au as ft,rf as g,Os as gn,Ql as gt,cf as h,Ds as hn,nu as ht,pf as i,Cc as in,vu as it,Dd as j,Us as jn,ul as jt,Md as k,Vs as kn,vl as kt,Wd as l,Sc as ln,eu as lt,df as m,Es as mn,gu as mt,P8 as n,Ac as nn,Su as nt,Kd as o,wc as on,_u as ot,qd as p,Ts as pn,tu as pt,Xu as q,lc as qn,Wc as qt,q0 as r,kc as rn,uu as rt,Zd as s,Tc as sn,hu as st,M8 as t,jc as tn,Qu as tt,nf as u,vc as un,pu as ut,Jd as v,As as vn,lu as vt,uf as w,Is as wn,wl as wt,Hd as x,Ns as xn,zl as xt,Xd as y,js as yn,ru as yt,Od as z,ec as zn,sl as zt};