var q=globalThis,G=q.ShadowRoot&&(q.ShadyCSS===void 0||q.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,it=Symbol(),Tt=new WeakMap,O=class{constructor(s,t,e){if(this._$cssResult$=!0,e!==it)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=s,this.t=t}get styleSheet(){let s=this.o,t=this.t;if(G&&s===void 0){let e=t!==void 0&&t.length===1;e&&(s=Tt.get(t)),s===void 0&&((this.o=s=new CSSStyleSheet).replaceSync(this.cssText),e&&Tt.set(t,s))}return s}toString(){return this.cssText}},Rt=r=>new O(typeof r=="string"?r:r+"",void 0,it),_=(r,...s)=>{let t=r.length===1?r[0]:s.reduce((e,i,a)=>e+(n=>{if(n._$cssResult$===!0)return n.cssText;if(typeof n=="number")return n;throw Error("Value passed to 'css' function must be a 'css' function result: "+n+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+r[a+1],r[0]);return new O(t,r,it)},Ct=(r,s)=>{if(G)r.adoptedStyleSheets=s.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of s){let e=document.createElement("style"),i=q.litNonce;i!==void 0&&e.setAttribute("nonce",i),e.textContent=t.cssText,r.appendChild(e)}},rt=G?r=>r:r=>r instanceof CSSStyleSheet?(s=>{let t="";for(let e of s.cssRules)t+=e.cssText;return Rt(t)})(r):r;var{is:he,defineProperty:ue,getOwnPropertyDescriptor:pe,getOwnPropertyNames:me,getOwnPropertySymbols:_e,getPrototypeOf:ge}=Object,Y=globalThis,Mt=Y.trustedTypes,ve=Mt?Mt.emptyScript:"",be=Y.reactiveElementPolyfillSupport,I=(r,s)=>r,nt={toAttribute(r,s){switch(s){case Boolean:r=r?ve:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,s){let t=r;switch(s){case Boolean:t=r!==null;break;case Number:t=r===null?null:Number(r);break;case Object:case Array:try{t=JSON.parse(r)}catch{t=null}}return t}},Nt=(r,s)=>!he(r,s),Lt={attribute:!0,type:String,converter:nt,reflect:!1,useDefault:!1,hasChanged:Nt};Symbol.metadata??=Symbol("metadata"),Y.litPropertyMetadata??=new WeakMap;var y=class extends HTMLElement{static addInitializer(s){this._$Ei(),(this.l??=[]).push(s)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(s,t=Lt){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(s)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(s,t),!t.noAccessor){let e=Symbol(),i=this.getPropertyDescriptor(s,e,t);i!==void 0&&ue(this.prototype,s,i)}}static getPropertyDescriptor(s,t,e){let{get:i,set:a}=pe(this.prototype,s)??{get(){return this[t]},set(n){this[t]=n}};return{get:i,set(n){let o=i?.call(this);a?.call(this,n),this.requestUpdate(s,o,e)},configurable:!0,enumerable:!0}}static getPropertyOptions(s){return this.elementProperties.get(s)??Lt}static _$Ei(){if(this.hasOwnProperty(I("elementProperties")))return;let s=ge(this);s.finalize(),s.l!==void 0&&(this.l=[...s.l]),this.elementProperties=new Map(s.elementProperties)}static finalize(){if(this.hasOwnProperty(I("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(I("properties"))){let t=this.properties,e=[...me(t),..._e(t)];for(let i of e)this.createProperty(i,t[i])}let s=this[Symbol.metadata];if(s!==null){let t=litPropertyMetadata.get(s);if(t!==void 0)for(let[e,i]of t)this.elementProperties.set(e,i)}this._$Eh=new Map;for(let[t,e]of this.elementProperties){let i=this._$Eu(t,e);i!==void 0&&this._$Eh.set(i,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(s){let t=[];if(Array.isArray(s)){let e=new Set(s.flat(1/0).reverse());for(let i of e)t.unshift(rt(i))}else s!==void 0&&t.push(rt(s));return t}static _$Eu(s,t){let e=t.attribute;return e===!1?void 0:typeof e=="string"?e:typeof s=="string"?s.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(s=>this.enableUpdating=s),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(s=>s(this))}addController(s){(this._$EO??=new Set).add(s),this.renderRoot!==void 0&&this.isConnected&&s.hostConnected?.()}removeController(s){this._$EO?.delete(s)}_$E_(){let s=new Map,t=this.constructor.elementProperties;for(let e of t.keys())this.hasOwnProperty(e)&&(s.set(e,this[e]),delete this[e]);s.size>0&&(this._$Ep=s)}createRenderRoot(){let s=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return Ct(s,this.constructor.elementStyles),s}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(s=>s.hostConnected?.())}enableUpdating(s){}disconnectedCallback(){this._$EO?.forEach(s=>s.hostDisconnected?.())}attributeChangedCallback(s,t,e){this._$AK(s,e)}_$ET(s,t){let e=this.constructor.elementProperties.get(s),i=this.constructor._$Eu(s,e);if(i!==void 0&&e.reflect===!0){let a=(e.converter?.toAttribute!==void 0?e.converter:nt).toAttribute(t,e.type);this._$Em=s,a==null?this.removeAttribute(i):this.setAttribute(i,a),this._$Em=null}}_$AK(s,t){let e=this.constructor,i=e._$Eh.get(s);if(i!==void 0&&this._$Em!==i){let a=e.getPropertyOptions(i),n=typeof a.converter=="function"?{fromAttribute:a.converter}:a.converter?.fromAttribute!==void 0?a.converter:nt;this._$Em=i;let o=n.fromAttribute(t,a.type);this[i]=o??this._$Ej?.get(i)??o,this._$Em=null}}requestUpdate(s,t,e,i=!1,a){if(s!==void 0){let n=this.constructor;if(i===!1&&(a=this[s]),e??=n.getPropertyOptions(s),!((e.hasChanged??Nt)(a,t)||e.useDefault&&e.reflect&&a===this._$Ej?.get(s)&&!this.hasAttribute(n._$Eu(s,e))))return;this.C(s,t,e)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(s,t,{useDefault:e,reflect:i,wrapped:a},n){e&&!(this._$Ej??=new Map).has(s)&&(this._$Ej.set(s,n??t??this[s]),a!==!0||n!==void 0)||(this._$AL.has(s)||(this.hasUpdated||e||(t=void 0),this._$AL.set(s,t)),i===!0&&this._$Em!==s&&(this._$Eq??=new Set).add(s))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let s=this.scheduleUpdate();return s!=null&&await s,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,a]of this._$Ep)this[i]=a;this._$Ep=void 0}let e=this.constructor.elementProperties;if(e.size>0)for(let[i,a]of e){let{wrapped:n}=a,o=this[i];n!==!0||this._$AL.has(i)||o===void 0||this.C(i,void 0,a,o)}}let s=!1,t=this._$AL;try{s=this.shouldUpdate(t),s?(this.willUpdate(t),this._$EO?.forEach(e=>e.hostUpdate?.()),this.update(t)):this._$EM()}catch(e){throw s=!1,this._$EM(),e}s&&this._$AE(t)}willUpdate(s){}_$AE(s){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(s)),this.updated(s)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(s){return!0}update(s){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(s){}firstUpdated(s){}};y.elementStyles=[],y.shadowRootOptions={mode:"open"},y[I("elementProperties")]=new Map,y[I("finalized")]=new Map,be?.({ReactiveElement:y}),(Y.reactiveElementVersions??=[]).push("2.1.2");var ut=globalThis,Ht=r=>r,J=ut.trustedTypes,Ot=J?J.createPolicy("lit-html",{createHTML:r=>r}):void 0,jt="$lit$",k=`lit$${Math.random().toFixed(9).slice(2)}$`,Bt="?"+k,fe=`<${Bt}>`,T=document,U=()=>T.createComment(""),F=r=>r===null||typeof r!="object"&&typeof r!="function",pt=Array.isArray,ye=r=>pt(r)||typeof r?.[Symbol.iterator]=="function",at=`[ 	
\f\r]`,D=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,It=/-->/g,Dt=/>/g,A=RegExp(`>|${at}(?:([^\\s"'>=/]+)(${at}*=${at}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Ut=/'/g,Ft=/"/g,Vt=/^(?:script|style|textarea|title)$/i,mt=r=>(s,...t)=>({_$litType$:r,strings:s,values:t}),d=mt(1),$=mt(2),Ue=mt(3),R=Symbol.for("lit-noChange"),h=Symbol.for("lit-nothing"),zt=new WeakMap,P=T.createTreeWalker(T,129);function Wt(r,s){if(!pt(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return Ot!==void 0?Ot.createHTML(s):s}var $e=(r,s)=>{let t=r.length-1,e=[],i,a=s===2?"<svg>":s===3?"<math>":"",n=D;for(let o=0;o<t;o++){let l=r[o],c,u,p=-1,f=0;for(;f<l.length&&(n.lastIndex=f,u=n.exec(l),u!==null);)f=n.lastIndex,n===D?u[1]==="!--"?n=It:u[1]!==void 0?n=Dt:u[2]!==void 0?(Vt.test(u[2])&&(i=RegExp("</"+u[2],"g")),n=A):u[3]!==void 0&&(n=A):n===A?u[0]===">"?(n=i??D,p=-1):u[1]===void 0?p=-2:(p=n.lastIndex-u[2].length,c=u[1],n=u[3]===void 0?A:u[3]==='"'?Ft:Ut):n===Ft||n===Ut?n=A:n===It||n===Dt?n=D:(n=A,i=void 0);let E=n===A&&r[o+1].startsWith("/>")?" ":"";a+=n===D?l+fe:p>=0?(e.push(c),l.slice(0,p)+jt+l.slice(p)+k+E):l+k+(p===-2?o:E)}return[Wt(r,a+(r[t]||"<?>")+(s===2?"</svg>":s===3?"</math>":"")),e]},z=class r{constructor({strings:s,_$litType$:t},e){let i;this.parts=[];let a=0,n=0,o=s.length-1,l=this.parts,[c,u]=$e(s,t);if(this.el=r.createElement(c,e),P.currentNode=this.el.content,t===2||t===3){let p=this.el.content.firstChild;p.replaceWith(...p.childNodes)}for(;(i=P.nextNode())!==null&&l.length<o;){if(i.nodeType===1){if(i.hasAttributes())for(let p of i.getAttributeNames())if(p.endsWith(jt)){let f=u[n++],E=i.getAttribute(p).split(k),K=/([.?@])?(.*)/.exec(f);l.push({type:1,index:a,name:K[2],strings:E,ctor:K[1]==="."?lt:K[1]==="?"?dt:K[1]==="@"?ct:L}),i.removeAttribute(p)}else p.startsWith(k)&&(l.push({type:6,index:a}),i.removeAttribute(p));if(Vt.test(i.tagName)){let p=i.textContent.split(k),f=p.length-1;if(f>0){i.textContent=J?J.emptyScript:"";for(let E=0;E<f;E++)i.append(p[E],U()),P.nextNode(),l.push({type:2,index:++a});i.append(p[f],U())}}}else if(i.nodeType===8)if(i.data===Bt)l.push({type:2,index:a});else{let p=-1;for(;(p=i.data.indexOf(k,p+1))!==-1;)l.push({type:7,index:a}),p+=k.length-1}a++}}static createElement(s,t){let e=T.createElement("template");return e.innerHTML=s,e}};function M(r,s,t=r,e){if(s===R)return s;let i=e!==void 0?t._$Co?.[e]:t._$Cl,a=F(s)?void 0:s._$litDirective$;return i?.constructor!==a&&(i?._$AO?.(!1),a===void 0?i=void 0:(i=new a(r),i._$AT(r,t,e)),e!==void 0?(t._$Co??=[])[e]=i:t._$Cl=i),i!==void 0&&(s=M(r,i._$AS(r,s.values),i,e)),s}var ot=class{constructor(s,t){this._$AV=[],this._$AN=void 0,this._$AD=s,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(s){let{el:{content:t},parts:e}=this._$AD,i=(s?.creationScope??T).importNode(t,!0);P.currentNode=i;let a=P.nextNode(),n=0,o=0,l=e[0];for(;l!==void 0;){if(n===l.index){let c;l.type===2?c=new j(a,a.nextSibling,this,s):l.type===1?c=new l.ctor(a,l.name,l.strings,this,s):l.type===6&&(c=new ht(a,this,s)),this._$AV.push(c),l=e[++o]}n!==l?.index&&(a=P.nextNode(),n++)}return P.currentNode=T,i}p(s){let t=0;for(let e of this._$AV)e!==void 0&&(e.strings!==void 0?(e._$AI(s,e,t),t+=e.strings.length-2):e._$AI(s[t])),t++}},j=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(s,t,e,i){this.type=2,this._$AH=h,this._$AN=void 0,this._$AA=s,this._$AB=t,this._$AM=e,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let s=this._$AA.parentNode,t=this._$AM;return t!==void 0&&s?.nodeType===11&&(s=t.parentNode),s}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(s,t=this){s=M(this,s,t),F(s)?s===h||s==null||s===""?(this._$AH!==h&&this._$AR(),this._$AH=h):s!==this._$AH&&s!==R&&this._(s):s._$litType$!==void 0?this.$(s):s.nodeType!==void 0?this.T(s):ye(s)?this.k(s):this._(s)}O(s){return this._$AA.parentNode.insertBefore(s,this._$AB)}T(s){this._$AH!==s&&(this._$AR(),this._$AH=this.O(s))}_(s){this._$AH!==h&&F(this._$AH)?this._$AA.nextSibling.data=s:this.T(T.createTextNode(s)),this._$AH=s}$(s){let{values:t,_$litType$:e}=s,i=typeof e=="number"?this._$AC(s):(e.el===void 0&&(e.el=z.createElement(Wt(e.h,e.h[0]),this.options)),e);if(this._$AH?._$AD===i)this._$AH.p(t);else{let a=new ot(i,this),n=a.u(this.options);a.p(t),this.T(n),this._$AH=a}}_$AC(s){let t=zt.get(s.strings);return t===void 0&&zt.set(s.strings,t=new z(s)),t}k(s){pt(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,e,i=0;for(let a of s)i===t.length?t.push(e=new r(this.O(U()),this.O(U()),this,this.options)):e=t[i],e._$AI(a),i++;i<t.length&&(this._$AR(e&&e._$AB.nextSibling,i),t.length=i)}_$AR(s=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);s!==this._$AB;){let e=Ht(s).nextSibling;Ht(s).remove(),s=e}}setConnected(s){this._$AM===void 0&&(this._$Cv=s,this._$AP?.(s))}},L=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(s,t,e,i,a){this.type=1,this._$AH=h,this._$AN=void 0,this.element=s,this.name=t,this._$AM=i,this.options=a,e.length>2||e[0]!==""||e[1]!==""?(this._$AH=Array(e.length-1).fill(new String),this.strings=e):this._$AH=h}_$AI(s,t=this,e,i){let a=this.strings,n=!1;if(a===void 0)s=M(this,s,t,0),n=!F(s)||s!==this._$AH&&s!==R,n&&(this._$AH=s);else{let o=s,l,c;for(s=a[0],l=0;l<a.length-1;l++)c=M(this,o[e+l],t,l),c===R&&(c=this._$AH[l]),n||=!F(c)||c!==this._$AH[l],c===h?s=h:s!==h&&(s+=(c??"")+a[l+1]),this._$AH[l]=c}n&&!i&&this.j(s)}j(s){s===h?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,s??"")}},lt=class extends L{constructor(){super(...arguments),this.type=3}j(s){this.element[this.name]=s===h?void 0:s}},dt=class extends L{constructor(){super(...arguments),this.type=4}j(s){this.element.toggleAttribute(this.name,!!s&&s!==h)}},ct=class extends L{constructor(s,t,e,i,a){super(s,t,e,i,a),this.type=5}_$AI(s,t=this){if((s=M(this,s,t,0)??h)===R)return;let e=this._$AH,i=s===h&&e!==h||s.capture!==e.capture||s.once!==e.once||s.passive!==e.passive,a=s!==h&&(e===h||i);i&&this.element.removeEventListener(this.name,this,e),a&&this.element.addEventListener(this.name,this,s),this._$AH=s}handleEvent(s){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,s):this._$AH.handleEvent(s)}},ht=class{constructor(s,t,e){this.element=s,this.type=6,this._$AN=void 0,this._$AM=t,this.options=e}get _$AU(){return this._$AM._$AU}_$AI(s){M(this,s)}};var we=ut.litHtmlPolyfillSupport;we?.(z,j),(ut.litHtmlVersions??=[]).push("3.3.3");var Kt=(r,s,t)=>{let e=t?.renderBefore??s,i=e._$litPart$;if(i===void 0){let a=t?.renderBefore??null;e._$litPart$=i=new j(s.insertBefore(U(),a),a,void 0,t??{})}return i._$AI(r),i};var _t=globalThis,m=class extends y{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let s=super.createRenderRoot();return this.renderOptions.renderBefore??=s.firstChild,s}update(s){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(s),this._$Do=Kt(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return R}};m._$litElement$=!0,m.finalized=!0,_t.litElementHydrateSupport?.({LitElement:m});var xe=_t.litElementPolyfillSupport;xe?.({LitElement:m});(_t.litElementVersions??=[]).push("4.2.2");var w="bellas_reef",qt=r=>r.callWS({type:`${w}/panel/tanks`}),Gt=(r,s,t,e)=>r.callWS({type:`${w}/preview`,entity_id:s,date:t,step_minutes:e}),Yt=(r,s,t,e,i,a)=>r.callWS({type:`${w}/panel/preview_plan`,entity_id:s,program:t,layers:e,date:i,step_minutes:a}),Jt=(r,s,t,e)=>r.callWS({type:`${w}/readings`,entity_id:s,start:t.toISOString(),buckets:e}),Xt=(r,s,t)=>r.connection.subscribeMessage(e=>t(e.outputs),{type:`${w}/subscribe_outputs`,entry_id:s});async function Zt(r,s,t,e){await r.callService(w,"set_program",{...t},{entity_id:s}),await r.callService(w,"set_layers",{...e},{entity_id:s})}function g(r){if(r&&typeof r=="object"){let{message:s,body:t}=r;if(typeof s=="string")return s;if(t&&typeof t.message=="string")return t.message}return String(r)}var v=_`
  :host {
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, Roboto, sans-serif);
  }
  .card {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border: 1px solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    border-radius: var(--ha-card-border-radius, 12px);
    padding: 16px;
    margin-bottom: 16px;
    box-sizing: border-box;
    min-width: 0;
  }
  h2 {
    font-size: 1.15rem;
    font-weight: 500;
    margin: 0 0 12px;
  }
  h3 {
    font-size: 1rem;
    font-weight: 500;
    margin: 16px 0 8px;
  }
  button {
    font: inherit;
    color: var(--primary-color);
    background: transparent;
    border: 1px solid var(--primary-color);
    border-radius: 18px;
    padding: 6px 14px;
    cursor: pointer;
    min-height: 36px;
  }
  button.primary {
    background: var(--primary-color);
    color: var(--text-primary-color, #fff);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible {
    outline: 2px solid var(--primary-color);
    outline-offset: 2px;
  }
  input,
  select {
    font: inherit;
    color: var(--primary-text-color);
    background: var(--input-fill-color, var(--secondary-background-color, transparent));
    border: 1px solid var(--divider-color, #ccc);
    border-radius: 6px;
    padding: 6px 8px;
    min-height: 36px;
    box-sizing: border-box;
    max-width: 100%;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 4px;
    font-size: 0.875rem;
    color: var(--secondary-text-color);
  }
  label.inline {
    flex-direction: row;
    align-items: center;
    gap: 8px;
  }
  .fields {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
    gap: 12px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
  }
  .muted {
    color: var(--secondary-text-color);
  }
  .error {
    color: var(--error-color, #db4437);
    border-left: 4px solid var(--error-color, #db4437);
    padding: 8px 12px;
    margin: 12px 0;
    background: rgba(219, 68, 55, 0.08);
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: left;
    padding: 6px 8px 6px 0;
    border-bottom: 1px solid var(--divider-color, #e0e0e0);
    vertical-align: middle;
  }
  th {
    font-weight: 500;
    color: var(--secondary-text-color);
    font-size: 0.875rem;
  }
  .swatch {
    display: inline-block;
    width: 12px;
    height: 12px;
    border-radius: 50%;
    margin-right: 6px;
    vertical-align: middle;
  }
  .chip {
    display: inline-block;
    border-radius: 10px;
    padding: 1px 8px;
    font-size: 0.8rem;
    background: var(--secondary-background-color, #eee);
    color: var(--primary-text-color);
  }
  .chip.alert {
    background: var(--error-color, #db4437);
    color: #fff;
  }
`;var Qt=["royal_blue","blue","white","cool_white","violet","uv","red","green","moon","refugium","other"],te=["cie1931","gamma22","linear"];function ee(r,s,t){return Array.from({length:16},(e,i)=>i).filter(e=>!r.includes(e)).map((e,i)=>({add:i<s,name:`${t} ${e+1}`,output:e,role:"white",curve:"cie1931",min_output:0,max_output:100}))}function se(r,s){return Object.fromEntries(r.filter(t=>t.name in s).map(t=>[t.name,s[t.name]]))}var gt="config/config_entries/subentries/flow",Ee=["pca9685","simulated"],vt=class extends m{constructor(){super();this._messages={};this._driver="pca9685",this._board={bus:1,address:64,frequency:1e3,override_minutes:60},this._rows=[],this._status=[],this._busy=!1}static{this.properties={hass:{attribute:!1},tank:{attribute:!1},_driver:{state:!0},_board:{state:!0},_rows:{state:!0},_status:{state:!0},_busy:{state:!0}}}connectedCallback(){super.connectedCallback(),this._refill(),this.hass.callWS({type:"frontend/get_translations",language:this.hass.language,category:"config_subentries",integration:["bellas_reef"]}).then(t=>this._messages=t.resources).catch(()=>{})}_refill(){let t=this.tank.channels.filter(e=>e.driver===this._driver&&e.address===this._board.address).map(e=>e.output??-1);this._rows=ee(t,4,`Board ${this._board.address.toString(16)}h`)}_setRow(t,e){this._rows=this._rows.map((i,a)=>a===t?{...i,...e}:i)}_message(t){return this._messages[`component.bellas_reef.config_subentries.channel.error.${t}`]??t}async _addRow(t){let e={...this._board,...t,next_step_id:this._driver},i=await this.hass.callApi("POST",gt,{handler:[this.tank.entry_id,"channel"]});for(let a=0;a<5&&(i.type==="form"||i.type==="menu");a++){if(i.errors&&Object.keys(i.errors).length)return await this.hass.callApi("DELETE",`${gt}/${i.flow_id}`).catch(()=>{}),Object.values(i.errors).map(o=>this._message(o)).join(" ");let n=i.type==="menu"?{next_step_id:this._driver}:se(i.data_schema??[],e);i=await this.hass.callApi("POST",`${gt}/${i.flow_id}`,n)}return i.type==="create_entry"?null:i.reason??i.type}async _add(){this._busy=!0;let t=[];for(let e of this._rows.filter(i=>i.add)){try{let i=await this._addRow(e);t.push(i===null?`${e.name}: added`:`${e.name}: ${i}`)}catch(i){t.push(`${e.name}: ${g(i)}`)}this._status=[...t]}this._busy=!1,t.every(e=>e.endsWith(": added"))&&this.dispatchEvent(new CustomEvent("saved",{bubbles:!0,composed:!0}))}render(){let t=this._board,e=(i,a)=>d`<label
        >${a}
        <input
          type="number"
          name=${i}
          .value=${String(t[i])}
          @change=${n=>{this._board={...this._board,[i]:Number(n.target.value)},i==="address"&&this._refill()}}
      /></label>`;return d`<section class="card" aria-labelledby="board-title">
        <h2 id="board-title">Add a board</h2>
        <div class="fields">
          <label
            >Driver
            <select
              name="driver"
              @change=${i=>{this._driver=i.target.value,this._refill()}}
            >
              ${Ee.map(i=>d`<option ?selected=${i===this._driver}>${i}</option>`)}
            </select></label
          >
          ${this._driver==="pca9685"?e("bus","I2C bus"):h} ${e("address","Address")}
          ${this._driver==="pca9685"?e("frequency","Frequency (Hz)"):h}
          ${e("override_minutes","Manual change holds (min)")}
        </div>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Add</th>
                <th>Output</th>
                <th>Name</th>
                <th>Role</th>
                <th>Curve</th>
                <th>Min (%)</th>
                <th>Max (%)</th>
              </tr>
            </thead>
            <tbody>
              ${this._rows.map((i,a)=>d`<tr>
                  <td>
                    <input
                      type="checkbox"
                      aria-label=${`Add output ${i.output}`}
                      .checked=${i.add}
                      @change=${n=>this._setRow(a,{add:n.target.checked})}
                    />
                  </td>
                  <td>${i.output}</td>
                  <td>
                    <input
                      aria-label=${`Name of output ${i.output}`}
                      .value=${i.name}
                      @input=${n=>this._setRow(a,{name:n.target.value})}
                    />
                  </td>
                  <td>
                    <select
                      aria-label=${`Role of output ${i.output}`}
                      @change=${n=>this._setRow(a,{role:n.target.value})}
                    >
                      ${Qt.map(n=>d`<option ?selected=${n===i.role}>${n}</option>`)}
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label=${`Curve of output ${i.output}`}
                      @change=${n=>this._setRow(a,{curve:n.target.value})}
                    >
                      ${te.map(n=>d`<option ?selected=${n===i.curve}>${n}</option>`)}
                    </select>
                  </td>
                  ${["min_output","max_output"].map(n=>d`<td>
                      <input
                        type="number"
                        class="short"
                        aria-label=${`${n==="min_output"?"Minimum":"Maximum"} of output ${i.output}`}
                        .value=${String(i[n])}
                        @change=${o=>this._setRow(a,{[n]:Number(o.target.value)})}
                      />
                    </td>`)}
                </tr>`)}
            </tbody>
          </table>
        </div>
        ${this._status.length?d`<ul class="status" role="status">${this._status.map(i=>d`<li>${i}</li>`)}</ul>`:h}
      </section>
      <div class="row buttons">
        <button @click=${()=>this.dispatchEvent(new CustomEvent("cancel",{bubbles:!0,composed:!0}))}>Cancel</button>
        <button class="primary" ?disabled=${this._busy||!this._rows.some(i=>i.add)} @click=${()=>{this._add()}}>
          Add the channels
        </button>
      </div>`}static{this.styles=[v,_`
      .scroll {
        overflow-x: auto;
        margin-top: 12px;
      }
      .short {
        width: 5em;
      }
      .buttons {
        justify-content: flex-end;
      }
    `]}};customElements.define("reef-add-board",vt);var bt=class extends m{constructor(){super();this._loaded="";this._error=null}static{this.properties={hass:{attribute:!1},entityId:{attribute:"entity-id"},_program:{state:!0},_error:{state:!0}}}willUpdate(){if(this.hass&&this._loaded!==this.entityId){this._loaded=this.entityId;let t=this.hass.states[this.entityId]?.attributes.program;this._program=t?{...t,windows:t.windows.map(e=>({on:e.on.slice(0,5),off:e.off.slice(0,5)}))}:{windows:[],cycle_on_seconds:0,cycle_off_seconds:0}}}_fire(t){this.dispatchEvent(new CustomEvent(t,{detail:{entityId:this.entityId},bubbles:!0,composed:!0}))}async _save(){try{await this.hass.callService(w,"set_outlet_program",{...this._program},{entity_id:this.entityId}),this._error=null,this._fire("saved")}catch(t){this._error=g(t)}}_setWindow(t,e,i){let a=this._program.windows.map((n,o)=>o===t?{...n,[e]:i}:n);this._program={...this._program,windows:a}}render(){if(!this._program)return h;let t=this.hass.states[this.entityId]?.attributes.friendly_name??this.entityId,e=this._program;return d`<section class="card" aria-labelledby="outlet-title">
        <h2 id="outlet-title">${t}</h2>
        <h3>On each day</h3>
        ${e.windows.length?h:d`<p class="muted">No window: the outlet is not switched by time of day.</p>`}
        ${e.windows.map((i,a)=>d`<div class="row">
            <label class="inline"
              >From
              <input type="time" .value=${i.on} @change=${n=>this._setWindow(a,"on",n.target.value)}
            /></label>
            <label class="inline"
              >until
              <input type="time" .value=${i.off} @change=${n=>this._setWindow(a,"off",n.target.value)}
            /></label>
            <button
              aria-label=${`Remove the window from ${i.on}`}
              @click=${()=>this._program={...this._program,windows:this._program.windows.filter((n,o)=>o!==a)}}
            >
              Remove
            </button>
          </div>`)}
        <button
          @click=${()=>this._program={...this._program,windows:[...this._program.windows,{on:"08:00",off:"20:00"}]}}
        >
          Add a window
        </button>
        <h3>Cycle</h3>
        <div class="fields">
          ${["cycle_on_seconds","cycle_off_seconds"].map(i=>d`<label
              >${i==="cycle_on_seconds"?"On for (s)":"Then off for (s)"}
              <input
                type="number"
                min="0"
                .value=${String(e[i])}
                @input=${a=>this._program={...this._program,[i]:Number(a.target.value)}}
            /></label>`)}
        </div>
        ${this._error?d`<p class="error" role="alert">${this._error}</p>`:h}
      </section>
      <div class="row buttons">
        <button @click=${()=>this._fire("cancel")}>Cancel</button>
        <button class="primary" @click=${()=>{this._save()}}>Save</button>
      </div>`}static{this.styles=[v,_`
      .row {
        margin-bottom: 8px;
      }
      .buttons {
        justify-content: flex-end;
      }
    `]}};customElements.define("reef-outlet-editor",bt);var ie=["static","schedule","daylight","mimic"],re=["sine","bell","plateau"],ne=["linear","smooth"],ke={static:["level"],schedule:["points","interpolation"],daylight:["peak","shape","sunrise_offset","sunset_offset","ramp_minutes"],mimic:["peak","latitude","longitude","time_zone","weather_entity","cloud_dimming","storm_strength"]},Se={static:{program:"static",level:50},schedule:{program:"schedule",interpolation:"smooth",points:[{time:"09:00",level:0},{time:"11:00",level:60},{time:"18:00",level:60},{time:"20:00",level:0}]},daylight:{program:"daylight",peak:80,shape:"bell",sunrise_offset:0,sunset_offset:0,ramp_minutes:90},mimic:{program:"mimic",peak:80,latitude:-16.5,longitude:-151.74,time_zone:"Pacific/Tahiti",cloud_dimming:70,storm_strength:60}};function ft(r){let s={program:r.program};for(let t of ke[r.program]){let e=r[t];e!==void 0&&e!==""&&!(typeof e=="number"&&Number.isNaN(e))&&Object.assign(s,{[t]:e})}return s}function ae(r,s){return r.program===s?r:structuredClone(Se[s])}var C={lunar:{max_level:2},moonlight:{level:.5,start:"21:00",end:"23:30"},acclimation:{days:30,start_level:40}};function oe(r){return{lunar:r.lunar_max_level===void 0?null:{max_level:r.lunar_max_level},moonlight:r.moonlight_level===void 0?null:{level:r.moonlight_level,start:r.moonlight_start??C.moonlight.start,end:r.moonlight_end??C.moonlight.end},acclimation:r.acclimation_days===void 0?null:{days:r.acclimation_days,start_level:r.acclimation_start_level??C.acclimation.start_level,start_date:r.acclimation_start_date??""}}}function yt(r){let s={};return r.lunar&&(s.lunar_max_level=r.lunar.max_level),r.moonlight&&(s.moonlight_level=r.moonlight.level,s.moonlight_start=r.moonlight.start,s.moonlight_end=r.moonlight.end),r.acclimation&&(s.acclimation_days=r.acclimation.days,s.acclimation_start_level=r.acclimation.start_level,r.acclimation.start_date&&(s.acclimation_start_date=r.acclimation.start_date)),s}function N(r){return{royal_blue:"#3a4cff",blue:"#1e88e5",white:"#90a4ae",cool_white:"#80cbc4",violet:"#8e44ff",uv:"#c000ff",red:"#e53935",green:"#43a047",moon:"#5c9bd6",refugium:"#ef6c00"}[r]??"#9e9e9e"}function H(r,s){let[t,e]=r,[i,a]=s;if(t===e)throw new RangeError("a scale needs a domain of some length");let n=(a-i)/(e-t);return Object.assign((l=>i+(l-t)*n),{invert:l=>t+(l-i)/n,domain:[t,e],range:[i,a]})}function $t(r,s,t){let e=[];for(let i=r;i<=s+1e-9;i+=t)e.push(i);return e}function X(r,s,t){return Math.min(t,Math.max(s,r))}function wt(r,s){return Math.round(r/s)*s}function b(r){let s=/^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(r.trim());if(!s)return Number.NaN;let[t,e,i]=[Number(s[1]),Number(s[2]),Number(s[3]??0)];return t>23||e>59||i>59?Number.NaN:t*60+e+i/60}function x(r){let s=(Math.round(r)%1440+1440)%1440;return`${String(Math.floor(s/60)).padStart(2,"0")}:${String(s%60).padStart(2,"0")}`}function Z(r){if(r.length===0)return[];let s=Date.parse(r[0].time);return r.map(t=>({minute:(Date.parse(t.time)-s)/6e4,level:t.level}))}function Q(r){return r.map((s,t)=>`${t?"L":"M"}${s.x.toFixed(2)},${s.y.toFixed(2)}`).join(" ")}var S=5,et=1;function tt(r){return[...r].sort((s,t)=>b(s.time)-b(t.time))}function le(r,s){return{minute:X(wt(r,S),0,1440-S),level:X(wt(s,et),0,100)}}function xt(r,s,t){let e=le(s,t),i=x(e.minute),a=tt(r),n=a.findIndex(l=>b(l.time)===e.minute);if(n>=0)return{points:a,index:n};let o=tt([...a,{time:i,level:e.level}]);return{points:o,index:o.findIndex(l=>l.time===i)}}function de(r,s,t,e){let i=tt(r);if(s<0||s>=i.length)return i;let a=le(t,e),n=s>0?b(i[s-1].time)+S:0,o=s<i.length-1?b(i[s+1].time)-S:1440-S,l=n>o?b(i[s].time):X(a.minute,n,o);return i[s]={time:x(l),level:a.level},i}function Et(r,s){return tt(r).filter((t,e)=>e!==s)}function ce(r,s){let t=new Intl.DateTimeFormat("en-CA",{timeZone:s,year:"numeric",month:"2-digit",day:"2-digit",hour:"2-digit",minute:"2-digit",hourCycle:"h23"});return Object.fromEntries(t.formatToParts(r).map(e=>[e.type,e.value]))}function V(r,s){let{year:t,month:e,day:i}=ce(r,s);return`${t}-${e}-${i}`}function st(r,s){let{hour:t,minute:e}=ce(r,s);return Number(t)*60+Number(e)+r.getSeconds()/60}var W={left:40,right:12,top:12,bottom:24},kt=class extends m{constructor(){super();this._dragging=null;this._resize=new ResizeObserver(t=>{let e=Math.floor(t[0].contentRect.width);e>0&&e!==this._width&&(this._width=e)});this._plotClick=t=>{this.handles&&this._emit("point-add",this._at(t))};this._pointerMove=t=>{this._dragging!==null&&this._emit("point-move",{index:this._dragging,...this._at(t)})};this._pointerUp=()=>{this._dragging=null};this.series=[],this.handles=null,this.markers=[],this.now=null,this.selected=null,this.label="",this.height=240,this._width=0}static{this.properties={series:{attribute:!1},handles:{attribute:!1},markers:{attribute:!1},now:{type:Number},selected:{type:Number},label:{},height:{type:Number},_width:{state:!0}}}connectedCallback(){super.connectedCallback(),this._resize.observe(this)}disconnectedCallback(){this._resize.disconnect(),super.disconnectedCallback()}get _x(){return H([0,1440],[W.left,Math.max(W.left+1,this._width-W.right)])}get _y(){return H([0,100],[this.height-W.bottom,W.top])}render(){if(!this._width)return d`<div style="height:${this.height}px"></div>`;let t=this._x,e=this._y,[i,a]=t.range,[n,o]=e.range,l=$t(0,1440,this._width<500?360:180);return d`<svg
      width=${this._width}
      height=${this.height}
      viewBox="0 0 ${this._width} ${this.height}"
      role=${this.handles?"group":"img"}
      aria-label=${this.label}
      @pointermove=${this._pointerMove}
      @pointerup=${this._pointerUp}
      @pointercancel=${this._pointerUp}
    >
      <rect
        class="plot ${this.handles?"editable":""}"
        x=${i}
        y=${o}
        width=${a-i}
        height=${n-o}
        @click=${this._plotClick}
      ></rect>
      ${$t(0,100,25).map(c=>$`<line class="grid" x1=${i} x2=${a} y1=${e(c)} y2=${e(c)}></line>
            <text class="axis" x=${i-6} y=${e(c)+4} text-anchor="end">${c}</text>`)}
      ${l.map(c=>$`<line class="grid" x1=${t(c)} x2=${t(c)} y1=${o} y2=${n}></line>
            <text class="axis" x=${t(c)} y=${n+16} text-anchor="middle">${x(c).slice(0,2)}</text>`)}
      ${this.series.map(c=>$`<path class="curve" data-series=${c.id} stroke=${c.color}
            d=${Q(c.points.map(u=>({x:t(u.minute),y:e(u.level)})))}>
            <title>${c.label}</title></path>`)}
      ${this.now===null?h:$`<line class="now" x1=${t(this.now)} x2=${t(this.now)} y1=${o} y2=${n}></line>
          ${this.markers.map(c=>$`<circle class="marker" data-series=${c.id} cx=${t(this.now??0)} cy=${e(c.level)} r="4"
                fill=${c.color}></circle>`)}`}
      ${(this.handles??[]).map((c,u)=>$`<circle
            class="handle ${u===this.selected?"selected":""}"
            data-index=${u}
            cx=${t(c.minute)}
            cy=${e(c.level)}
            r="8"
            tabindex="0"
            role="slider"
            aria-label=${`Point ${u+1}: ${x(c.minute)}, ${c.level} %`}
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=${c.level}
            aria-valuetext=${`${x(c.minute)}, ${c.level} %`}
            @pointerdown=${p=>this._pointerDown(p,u)}
            @keydown=${p=>this._key(p,u)}
            @focus=${()=>this._emit("point-select",{index:u})}
          ></circle>`)}
    </svg>`}updated(t){t.has("selected")&&this.selected!==null&&this.matches(":focus-within")&&this.renderRoot.querySelector(`circle.handle[data-index="${this.selected}"]`)?.focus()}_emit(t,e){this.dispatchEvent(new CustomEvent(t,{detail:e,bubbles:!0,composed:!0}))}_at(t){let e=this.renderRoot.querySelector("svg").getBoundingClientRect();return{minute:this._x.invert(t.clientX-e.left),level:this._y.invert(t.clientY-e.top)}}_pointerDown(t,e){t.preventDefault();let i=t.target;i.focus(),i.setPointerCapture(t.pointerId),this._dragging=e,this._emit("point-select",{index:e})}_key(t,e){let i=this.handles?.[e];if(!i)return;let a={ArrowLeft:[-S,0],ArrowRight:[S,0],ArrowUp:[0,et],ArrowDown:[0,-et]};if(t.key in a){let[n,o]=a[t.key];this._emit("point-move",{index:e,minute:i.minute+n,level:i.level+o})}else if(t.key==="Delete"||t.key==="Backspace")this._emit("point-remove",{index:e});else return;t.preventDefault()}static{this.styles=_`
    :host {
      display: block;
      width: 100%;
      touch-action: none;
      user-select: none;
    }
    svg {
      display: block;
      overflow: visible;
    }
    .plot {
      fill: transparent;
    }
    .plot.editable {
      cursor: crosshair;
    }
    .grid {
      stroke: var(--divider-color, rgba(127, 127, 127, 0.3));
      stroke-width: 1;
    }
    .axis {
      fill: var(--secondary-text-color);
      font-size: 11px;
    }
    .curve {
      fill: none;
      stroke-width: 2;
      stroke-linejoin: round;
      pointer-events: none;
    }
    .now {
      stroke: var(--primary-color);
      stroke-dasharray: 4 3;
      pointer-events: none;
    }
    .marker {
      stroke: var(--card-background-color, #fff);
      stroke-width: 1.5;
      pointer-events: none;
    }
    .handle {
      fill: var(--card-background-color, #fff);
      stroke: var(--primary-color);
      stroke-width: 3;
      cursor: grab;
      outline: none;
    }
    .handle.selected,
    .handle:focus-visible {
      fill: var(--primary-color);
    }
  `}};customElements.define("reef-day-chart",kt);var Ae=150,Pe=5,St=class extends m{constructor(){super();this._previewTimer=null;this._previewRun=0;this._loaded="";this._curve=null,this._error=null,this._selected=null,this._copyTo=[],this._saving=!1}static{this.properties={hass:{attribute:!1},tank:{attribute:!1},entityId:{attribute:"entity-id"},_program:{state:!0},_layers:{state:!0},_curve:{state:!0},_error:{state:!0},_selected:{state:!0},_copyTo:{state:!0},_saving:{state:!0}}}get _channel(){return this.tank?.channels.find(t=>t.entity_id===this.entityId)}willUpdate(t){let e=this._channel;e&&this._loaded!==e.entity_id?(this._loaded=e.entity_id,this._program=structuredClone(e.program),this._layers=oe(e.layers),this._copyTo=[],this._selected=null,this._schedulePreview(0)):t.has("hass")&&!t.get("hass")&&e&&this._schedulePreview(0)}disconnectedCallback(){super.disconnectedCallback(),this._previewTimer!==null&&window.clearTimeout(this._previewTimer)}_change(t,e=this._layers){this._program=t,this._layers=e,this._schedulePreview(Ae)}_schedulePreview(t){this._previewTimer!==null&&window.clearTimeout(this._previewTimer),this._previewTimer=window.setTimeout(()=>{this._preview()},t)}async _preview(){if(this._previewTimer=null,!this.hass)return;let t=++this._previewRun,e=V(new Date,this.hass.config.time_zone);try{let i=await Yt(this.hass,this.entityId,ft(this._program),yt(this._layers),e,Pe);if(t!==this._previewRun)return;this._curve=i,this._error=null}catch(i){if(t!==this._previewRun)return;this._error=g(i)}}get _points(){return this._program.points??[]}_setPoints(t,e=this._selected){this._selected=e,this._change({...this._program,points:t})}_setNumber(t,e){let i=e.target.value;this._change({...this._program,[t]:i===""?Number.NaN:Number(i)})}_setText(t,e){this._change({...this._program,[t]:e.target.value})}_setLayer(t,e){this._change(this._program,{...this._layers,[t]:e})}async _save(){this._saving=!0;try{await Zt(this.hass,[this.entityId,...this._copyTo],ft(this._program),yt(this._layers)),this._error=null,this._fire("saved")}catch(t){this._error=g(t)}finally{this._saving=!1}}_fire(t){this.dispatchEvent(new CustomEvent(t,{detail:{entityId:this.entityId},bubbles:!0,composed:!0}))}render(){let t=this._channel;if(!t||!this._program)return d`<p class="muted">This channel is not part of the tank any more.</p>`;let i=this._program.program==="schedule"?this._points.map(n=>({minute:b(n.time),level:n.level})):null,a=this._curve?[{id:t.entity_id,label:t.name,color:N(t.role),points:Z(this._curve.points)}]:[];return d`
      <section class="card" aria-labelledby="editor-title">
        <h2 id="editor-title">${t.name}</h2>
        <div class="fields">
          <label
            >Program
            <select
              class="program"
              @change=${n=>this._change(ae(this._program,n.target.value))}
            >
              ${ie.map(n=>d`<option value=${n} ?selected=${n===this._program.program}>${n}</option>`)}
            </select>
          </label>
        </div>
        <reef-day-chart
          .series=${a}
          .handles=${i}
          .selected=${this._selected}
          .now=${st(new Date,this.hass.config.time_zone)}
          label=${`${t.name}: the day this plan gives`}
          @point-add=${n=>{let o=xt(this._points,n.detail.minute,n.detail.level);this._setPoints(o.points,o.index)}}
          @point-move=${n=>this._setPoints(de(this._points,n.detail.index,n.detail.minute,n.detail.level),n.detail.index)}
          @point-remove=${n=>this._setPoints(Et(this._points,n.detail.index),null)}
          @point-select=${n=>this._selected=n.detail.index}
        ></reef-day-chart>
        ${this._error?d`<p class="error" role="alert">${this._error}</p>`:h}
        ${this._renderProgram()}
      </section>
      ${this._renderLayers()}
      <section class="card" aria-labelledby="copy-title">
        <h2 id="copy-title">Also save to</h2>
        <div class="row">
          ${this.tank.channels.filter(n=>n.entity_id!==this.entityId).map(n=>d`<label class="inline"
                  ><input
                    type="checkbox"
                    class="copy"
                    value=${n.entity_id}
                    .checked=${this._copyTo.includes(n.entity_id)}
                    @change=${o=>this._copyTo=o.target.checked?[...this._copyTo,n.entity_id]:this._copyTo.filter(l=>l!==n.entity_id)}
                  />${n.name}</label
                >`)}
        </div>
      </section>
      <div class="row buttons">
        <button class="cancel" @click=${()=>this._fire("cancel")}>Cancel</button>
        <button class="primary save" ?disabled=${this._saving} @click=${()=>{this._save()}}>Save</button>
      </div>
    `}_number(t,e,i="any"){let a=this._program[t];return d`<label
      >${e}
      <input
        type="number"
        name=${t}
        step=${i}
        .value=${a===void 0||Number.isNaN(a)?"":String(a)}
        @input=${n=>this._setNumber(t,n)}
    /></label>`}_renderProgram(){switch(this._program.program){case"static":return d`<div class="fields">${this._number("level","Level (%)")}</div>`;case"schedule":return this._renderSchedule();case"daylight":return d`<div class="fields">
          ${this._number("peak","Peak (%)")}
          <label
            >Shape
            <select name="shape" @change=${t=>this._setText("shape",t)}>
              ${re.map(t=>d`<option ?selected=${t===this._program.shape}>${t}</option>`)}
            </select></label
          >
          ${this._number("sunrise_offset","Sunrise offset (min)")} ${this._number("sunset_offset","Sunset offset (min)")}
          ${this._number("ramp_minutes","Ramp (min)")}
        </div>`;case"mimic":{let t=Object.keys(this.hass.states).filter(e=>e.startsWith("weather."));return d`<div class="fields">
          ${this._number("latitude","Latitude")} ${this._number("longitude","Longitude")}
          <label
            >Time zone
            <input
              name="time_zone"
              .value=${this._program.time_zone??""}
              @input=${e=>this._setText("time_zone",e)}
          /></label>
          ${this._number("peak","Peak (%)")}
          <label
            >Weather
            <select name="weather_entity" @change=${e=>this._setText("weather_entity",e)}>
              <option value="" ?selected=${!this._program.weather_entity}>None</option>
              ${t.map(e=>d`<option value=${e} ?selected=${e===this._program.weather_entity}>
                    ${this.hass.states[e]?.attributes.friendly_name??e}
                  </option>`)}
            </select></label
          >
          ${this._number("cloud_dimming","Cloud dimming (%)")} ${this._number("storm_strength","Storm strength (%)")}
        </div>`}}}_renderSchedule(){let t=this._points;return d`<div class="fields">
        <label
          >Between points
          <select name="interpolation" @change=${e=>this._setText("interpolation",e)}>
            ${ne.map(e=>d`<option ?selected=${e===this._program.interpolation}>${e}</option>`)}
          </select></label
        >
      </div>
      <p class="muted">Click the chart to add a point; drag a point, or focus it and use the arrow keys, to move it.</p>
      <table class="points">
        <thead>
          <tr>
            <th>Time</th>
            <th>Level (%)</th>
            <th><span class="visually-hidden">Remove</span></th>
          </tr>
        </thead>
        <tbody>
          ${t.map((e,i)=>d`<tr class=${i===this._selected?"selected":""}>
              <td>
                <input
                  type="time"
                  aria-label=${`Time of point ${i+1}`}
                  .value=${e.time}
                  @change=${a=>{let n=a.target.value,o=this._points.map((l,c)=>c===i?{...l,time:n}:l);this._setPoints(o,null)}}
                />
              </td>
              <td>
                <input
                  type="number"
                  class="level"
                  aria-label=${`Level of point ${i+1}`}
                  step="any"
                  .value=${String(e.level)}
                  @input=${a=>{let n=a.target.value,o=n===""?Number.NaN:Number(n);this._setPoints(this._points.map((l,c)=>c===i?{...l,level:o}:l))}}
                />
              </td>
              <td>
                <button
                  class="remove"
                  aria-label=${`Remove point ${i+1} (${e.time})`}
                  @click=${()=>this._setPoints(Et(this._points,i),null)}
                >
                  Remove
                </button>
              </td>
            </tr>`)}
        </tbody>
      </table>
      <div class="row">
        <button
          class="add-point"
          @click=${()=>{let e=this._points,i=e.length?b(e[e.length-1].time):600,a=xt(e,Math.min(i+60,1435),e[e.length-1]?.level??50);this._setPoints(a.points,a.index)}}
        >
          Add a point
        </button>
        <span class="muted">${t.length} points, ${x(0)}–24:00</span>
      </div>`}_renderLayers(){let t=this._layers,e=(a,n,o)=>d`<label class="inline"
        ><input
          type="checkbox"
          name=${a}
          .checked=${t[a]!==null}
          @change=${l=>this._setLayer(a,l.target.checked?n:null)}
        />${o}</label
      >`,i=V(new Date,this.hass.config.time_zone);return d`<section class="card" aria-labelledby="layers-title">
      <h2 id="layers-title">Layers</h2>
      ${e("lunar",{...C.lunar},"Lunar: the real moon, while it is up")}
      ${t.lunar?d`<div class="fields indent">
            <label
              >Full moon level (%)
              <input
                type="number"
                name="lunar_max_level"
                step="any"
                .value=${String(t.lunar.max_level)}
                @input=${a=>this._setLayer("lunar",{max_level:Number(a.target.value)})}
            /></label>
          </div>`:h}
      ${e("moonlight",{...C.moonlight},"Moonlight: a fixed dim level in a window")}
      ${t.moonlight?d`<div class="fields indent">
            ${["level","start","end"].map(a=>{let n=t.moonlight;return d`<label
                >${{level:"Level (%)",start:"From",end:"Until"}[a]}
                <input
                  type=${a==="level"?"number":"time"}
                  name=${`moonlight_${a}`}
                  step="any"
                  .value=${String(n[a])}
                  @input=${o=>{let l=o.target.value;this._setLayer("moonlight",{...this._layers.moonlight,[a]:a==="level"?Number(l):l})}}
              /></label>`})}
          </div>`:h}
      ${e("acclimation",{...C.acclimation,start_date:i},"Acclimation: ramp the peak up over days")}
      ${t.acclimation?d`<div class="fields indent">
            ${["days","start_level","start_date"].map(a=>{let n=t.acclimation;return d`<label
                >${{days:"Days",start_level:"Start level (%)",start_date:"Start date"}[a]}
                <input
                  type=${a==="start_date"?"date":"number"}
                  name=${`acclimation_${a}`}
                  step="any"
                  .value=${String(n[a])}
                  @input=${o=>{let l=o.target.value;this._setLayer("acclimation",{...this._layers.acclimation,[a]:a==="start_date"?l:Number(l)})}}
              /></label>`})}
          </div>`:h}
    </section>`}static{this.styles=[v,_`
      reef-day-chart {
        margin: 8px 0;
      }
      .points input {
        width: 9.5em;
      }
      tr.selected td {
        background: var(--secondary-background-color, rgba(127, 127, 127, 0.1));
      }
      .indent {
        margin: 8px 0 12px 28px;
      }
      .buttons {
        justify-content: flex-end;
        margin-bottom: 16px;
      }
      .visually-hidden {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
      }
    `]}};customElements.define("reef-program-editor",St);var Te=5,Re=250,Ce=96,Me=300*1e3,At=class extends m{constructor(){super();this._live={};this._liveTimer=null;this._probeTimer=null;this._unsubscribe=null;this._loadedFor="";this._curves={},this._history={},this._error=null,this.date=""}static{this.properties={hass:{attribute:!1},tank:{attribute:!1},date:{},_curves:{state:!0},_history:{state:!0},_error:{state:!0}}}connectedCallback(){super.connectedCallback(),this._probeTimer=window.setInterval(()=>{this._loadHistory()},Me)}disconnectedCallback(){super.disconnectedCallback(),this._stopLive(),this._probeTimer!==null&&window.clearInterval(this._probeTimer),this._liveTimer!==null&&window.clearTimeout(this._liveTimer),this._loadedFor=""}willUpdate(t){if(!this.hass||!this.tank)return;this.date||(this.date=this._today());let e=this.tank.channels.map(a=>{let n=this.hass.states[a.entity_id]?.attributes??{};return[n.override_until,n.effect]}),i=JSON.stringify([this.tank.entry_id,this.date,this.tank.channels,e]);i!==this._loadedFor&&(this._loadedFor=i,this._loadCurves(),t.has("tank")&&(this._loadHistory(),this._startLive()))}_today(){return V(new Date,this.hass.config.time_zone)}async _loadCurves(){try{let t=await Promise.all(this.tank.channels.map(e=>Gt(this.hass,e.entity_id,this.date,Te)));this._curves=Object.fromEntries(this.tank.channels.map((e,i)=>[e.entity_id,t[i]])),this._error=null}catch(t){this._error=g(t)}}async _loadHistory(){if(!this.hass||!this.tank)return;let t=new Date(Date.now()-24*3600*1e3),e=await Promise.all(this.tank.probes.map(async i=>{let a={buckets:[]};try{a=await Jt(this.hass,i.entity_id,t,Ce)}catch{}return[i.entity_id,a]}));this._history=Object.fromEntries(e)}_startLive(){this._stopLive(),this._live={},this._unsubscribe=Xt(this.hass,this.tank.entry_id,t=>{Object.assign(this._live,t),this._liveTimer??=window.setTimeout(()=>{this._liveTimer=null,this.requestUpdate()},Re)}),this._unsubscribe.catch(t=>this._error=g(t))}_stopLive(){let t=this._unsubscribe;this._unsubscribe=null,t?.then(e=>e()).catch(()=>{})}_level(t){let e=this._live[t];if(e)return e.level;let i=this.hass.states[t];return!i||i.state==="unavailable"||i.state==="unknown"?null:i.state==="on"?Math.round(Number(i.attributes.brightness??0)/255*1e3)/10:0}_fire(t,e={}){this.dispatchEvent(new CustomEvent(t,{detail:e,bubbles:!0,composed:!0}))}async _press(t){if(t)try{await this.hass.callService("button","press",{},{entity_id:t}),this._error=null}catch(e){this._error=g(e)}}async _stopEffect(t){try{await this.hass.callService("bellas_reef","stop_effect",{},{entity_id:t}),this._error=null}catch(e){this._error=g(e)}}render(){if(!this.tank)return h;let t=this.date===this._today(),e=t?st(new Date,this.hass.config.time_zone):null,i=this.tank.channels.filter(o=>this._curves[o.entity_id]).map(o=>({id:o.entity_id,label:o.name,color:N(o.role),points:Z(this._curves[o.entity_id].points)})),a=this.tank.channels.flatMap(o=>{let l=this._level(o.entity_id);return l===null?[]:[{id:o.entity_id,color:N(o.role),level:l}]}),n=this.tank.channels.filter(o=>{let l=this.hass.states[o.entity_id]?.attributes.effect;return typeof l=="string"&&l!=="off"});return d`
      ${this._error?d`<p class="error" role="alert">${this._error}</p>`:h}
      <section class="card" aria-labelledby="light-title">
        <div class="row spread">
          <h2 id="light-title">Light</h2>
          <div class="row">
            <label class="inline"
              >Day
              <input
                type="date"
                .value=${this.date}
                @change=${o=>this.date=o.target.value||this._today()}
            /></label>
            ${t?h:d`<button @click=${()=>this.date=this._today()}>Today</button>`}
          </div>
        </div>
        <reef-day-chart
          .series=${i}
          .markers=${a}
          .now=${e}
          label=${`Light levels through ${this.date}`}
        ></reef-day-chart>
        <table class="channels">
          <thead>
            <tr>
              <th>Channel</th>
              <th>Now</th>
              <th class="wide">Program</th>
              <th><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${this.tank.channels.map(o=>{let l=this._level(o.entity_id),c=this.hass.states[o.entity_id]?.attributes.effect;return d`<tr data-entity=${o.entity_id}>
                <td><span class="swatch" style="background:${N(o.role)}"></span>${o.name}</td>
                <td class="live" data-entity=${o.entity_id}>${l===null?"—":`${l.toFixed(1)} %`}</td>
                <td class="wide">
                  ${o.program.program}
                  ${typeof c=="string"&&c!=="off"?d`<span class="chip">${c}</span>`:h}
                </td>
                <td>
                  <button
                    class="edit"
                    aria-label=${`Edit the program of ${o.name}`}
                    @click=${()=>this._fire("edit-channel",{entityId:o.entity_id})}
                  >
                    Edit
                  </button>
                </td>
              </tr>`})}
          </tbody>
        </table>
        <div class="row actions">
          ${n.length?d`<span class="muted">Effects running on ${n.map(o=>o.name).join(", ")}</span>
                <button
                  class="stop-effects"
                  @click=${()=>this.tank.stop_effects_button?this._press(this.tank.stop_effects_button):Promise.all(n.map(o=>this._stopEffect(o.entity_id)))}
                >
                  Stop effects
                </button>`:h}
          <button class="add-board" @click=${()=>this._fire("add-board")}>Add a board</button>
        </div>
      </section>
      <div class="columns">${this._renderProbes()} ${this._renderOutlets()}</div>
    `}_renderProbes(){let t=this.tank.rules.filter(e=>this.hass.states[e]?.state==="on");return d`<section class="card" aria-labelledby="probes-title">
      <h2 id="probes-title">Water</h2>
      ${t.length?d`<ul class="alerts" role="alert">
            ${t.map(e=>d`<li><span class="chip alert">Raised</span> ${this.hass.states[e]?.attributes.friendly_name??e}</li>`)}
          </ul>`:d`<p class="muted">No rule is raised.</p>`}
      <table>
        <tbody>
          ${this.tank.probes.map(e=>{let i=this.hass.states[e.entity_id],a=i?.attributes.unit_of_measurement??"";return d`<tr data-entity=${e.entity_id}>
              <td>${e.name}</td>
              <td class="value">${i?`${i.state} ${a}`.trim():"—"}</td>
              <td class="spark">${this._sparkline(this._history[e.entity_id],e.name)}</td>
            </tr>`})}
        </tbody>
      </table>
    </section>`}_sparkline(t,e){let i=(t?.buckets??[]).filter(u=>u.count>0);if(i.length<2)return d`<span class="muted">—</span>`;let a=Math.min(...i.map(u=>u.min)),n=Math.max(...i.map(u=>u.max)),o=H([0,i.length-1],[1,119]),l=H(n>a?[a,n]:[a-1,n+1],[29,1]),c=Q(i.map((u,p)=>({x:o(p),y:l(u.avg)})));return d`<svg width="120" height="30" viewBox="0 0 120 30" role="img" aria-label=${`${e}, last 24 hours`}>
      ${$`<path d=${c} fill="none" stroke="var(--primary-color)" stroke-width="1.5"></path>`}
    </svg>`}_renderOutlets(){let t=this.tank.feed_mode?this.hass.states[this.tank.feed_mode]:void 0;return d`<section class="card" aria-labelledby="outlets-title">
      <div class="row spread">
        <h2 id="outlets-title">Outlets</h2>
        <button class="primary feed" ?disabled=${!this.tank.feed_button} @click=${()=>this._press(this.tank.feed_button)}>
          Feed
        </button>
      </div>
      ${t?.state==="on"?d`<p class="chip feeding">Feeding until ${new Date(String(t.attributes.until)).toLocaleTimeString()}</p>`:h}
      <table>
        <tbody>
          ${this.tank.outlets.map(e=>{let i=this.hass.states[e.entity_id],a=i?.attributes.held_by;return d`<tr data-entity=${e.entity_id}>
              <td>${e.name}</td>
              <td class="state">${i?.state??"—"}</td>
              <td class="held">${typeof a=="string"?d`<span class="chip">${a}</span>`:h}</td>
              <td>
                <button
                  aria-label=${`Edit the program of ${e.name}`}
                  @click=${()=>this._fire("edit-outlet",{entityId:e.entity_id})}
                >
                  Program
                </button>
              </td>
            </tr>`})}
        </tbody>
      </table>
    </section>`}static{this.styles=[v,_`
      .spread {
        justify-content: space-between;
      }
      .columns {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
        gap: 0 16px;
      }
      .actions {
        margin-top: 12px;
        justify-content: flex-end;
      }
      .live {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .alerts {
        list-style: none;
        padding: 0;
      }
      .visually-hidden {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
      }
      @media (max-width: 600px) {
        .wide {
          display: none;
        }
        .columns {
          grid-template-columns: 1fr;
        }
      }
    `]}};customElements.define("reef-tank-view",At);var Le=20,Ne=500,Pt=class extends m{constructor(){super();this._plans="";this._done=async()=>{await this._load(),this._view={kind:"tank"}};this.narrow=!1,this._tanks=null,this._tank="",this._view={kind:"tank"},this._error=null}static{this.properties={hass:{attribute:!1},narrow:{type:Boolean},_tanks:{state:!0},_tank:{state:!0},_view:{state:!0},_error:{state:!0}}}willUpdate(t){if(!t.has("hass")||!this.hass)return;let e=this._planSignature();(!t.get("hass")||e!==this._plans&&this._view.kind==="tank")&&this._load(),this._plans=e}_planSignature(){return(this._tanks??[]).flatMap(e=>e.channels.map(i=>i.entity_id)).map(e=>{let i=this.hass.states[e]?.attributes??{};return JSON.stringify([e,i.program,i.layers,i.override_until,i.effect])}).join()}async _load(t=0){try{let e=await qt(this.hass);if(this._tank&&!e.some(i=>i.entry_id===this._tank)&&t<Le){window.setTimeout(()=>{this._load(t+1)},Ne);return}this._tanks=e,e.some(i=>i.entry_id===this._tank)||(this._tank=e[0]?.entry_id??""),this._error=null}catch(e){this._error=g(e)}}render(){let t=this._tanks?.find(e=>e.entry_id===this._tank);return d`
      <header class="toolbar">
        <ha-menu-button .hass=${this.hass} .narrow=${this.narrow}></ha-menu-button>
        ${this._view.kind==="tank"?d`<h1>Reef</h1>`:d`<button class="back" aria-label="Back to the tank" @click=${()=>this._view={kind:"tank"}}>
                ←
              </button>
              <h1>${t?.title??"Reef"}</h1>`}
      </header>
      <main>
        ${this._error?d`<p class="error" role="alert">${this._error}</p>`:h}
        ${this._tanks===null?d`<p class="muted">Loading…</p>`:this._tanks.length===0?d`<p class="muted">No controller is set up yet: add Bella's Reef under Settings → Devices & services.</p>`:d`${this._tanks.length>1&&this._view.kind==="tank"?d`<nav class="row tabs" aria-label="Controllers">
                      ${this._tanks.map(e=>d`<button
                            class=${e.entry_id===this._tank?"primary":""}
                            aria-pressed=${e.entry_id===this._tank}
                            @click=${()=>this._tank=e.entry_id}
                          >
                            ${e.title}
                          </button>`)}
                    </nav>`:h}
                ${t?this._renderView(t):h}`}
      </main>
    `}_renderView(t){switch(this._view.kind){case"tank":return d`<reef-tank-view
          .hass=${this.hass}
          .tank=${t}
          @edit-channel=${e=>this._view={kind:"channel",entityId:e.detail.entityId}}
          @edit-outlet=${e=>this._view={kind:"outlet",entityId:e.detail.entityId}}
          @add-board=${()=>this._view={kind:"board"}}
        ></reef-tank-view>`;case"channel":return d`<reef-program-editor
          .hass=${this.hass}
          .tank=${t}
          entity-id=${this._view.entityId}
          @saved=${this._done}
          @cancel=${()=>this._view={kind:"tank"}}
        ></reef-program-editor>`;case"outlet":return d`<reef-outlet-editor
          .hass=${this.hass}
          entity-id=${this._view.entityId}
          @saved=${this._done}
          @cancel=${()=>this._view={kind:"tank"}}
        ></reef-outlet-editor>`;case"board":return d`<reef-add-board
          .hass=${this.hass}
          .tank=${t}
          @saved=${this._done}
          @cancel=${()=>this._view={kind:"tank"}}
        ></reef-add-board>`}}static{this.styles=[v,_`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--primary-background-color);
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 8px;
        height: var(--header-height, 56px);
        padding: 0 12px;
        background: var(--app-header-background-color, var(--primary-color));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        border-bottom: var(--app-header-border-bottom, none);
        box-sizing: border-box;
      }
      .toolbar h1 {
        font-size: 1.25rem;
        font-weight: 400;
        margin: 0;
      }
      .toolbar .back {
        color: inherit;
        border-color: transparent;
        font-size: 1.25rem;
      }
      main {
        padding: 16px;
        max-width: 1200px;
        margin: 0 auto;
        box-sizing: border-box;
      }
      .tabs {
        margin-bottom: 16px;
      }
      @media (max-width: 600px) {
        main {
          padding: 8px;
        }
      }
    `]}};customElements.define("reef-panel",Pt);export{Pt as ReefPanel};
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
