// trunkguard dashboard: plain browser JavaScript, no build step, no dependency, nothing loaded
// from elsewhere. It polls the JSON API of the proxy that serves it (same origin).
//
// Safety: every string that comes from the API (Call-IDs, addresses, finding messages, SDP
// evidence) can be attacker-controlled, since it comes from SIP messages off the network. It is
// only ever put in the page as text (text nodes, textContent, attribute values), never as HTML.

const POLL_MS = 2000;
const TOKEN_KEY = 'trunkguard.apiToken';
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];
const CHART_MINUTES = 30;
const CALLS_LIMIT = 50;
const FINDINGS_LIMIT = 100;
/** Pages of /api/findings the chart reads at most per refresh (limit CHART_PAGE each). */
const CHART_PAGES = 10;
const CHART_PAGE = 500;
const SVG_NS = 'http://www.w3.org/2000/svg';

const state = {
  token: readToken(),
  /** A refresh was asked for while one was running. */
  again: false,
  selectedCallId: null,
  /** JSON of what each part last rendered: unchanged data is not rendered again. */
  rendered: { calls: '', findings: '', detail: '', chart: '', header: '', endpoints: '' },
  /** Codes seen anywhere (calls, findings): the options of the code filter. */
  knownCodes: new Set(),
  listeners: [],
  profile: null,
  timer: null,
  running: false,
};

// ---------------------------------------------------------------- DOM helpers (text only)

/** An element; children are nodes or strings (strings become text nodes, never HTML). */
function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

/** The same for SVG elements. */
function svg(tag, props, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

function build(element, props, children) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    } else if (name === 'class') {
      element.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (name.startsWith('on') || name === 'style') {
      throw new Error(`h(): ${name} is not allowed, use on: {...} or a class`);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  appendAll(element, children);
  return element;
}

function appendAll(element, children) {
  for (const child of children.flat(Number.POSITIVE_INFINITY)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing from index.html`);
  return element;
}

function replaceChildren(element, ...children) {
  element.replaceChildren();
  appendAll(element, children);
}

function show(element, visible) {
  element.hidden = !visible;
}

function setError(id, message) {
  const element = byId(id);
  element.textContent = message ?? '';
  show(element, Boolean(message));
}

// ---------------------------------------------------------------- formatting

function pad(n, width = 2) {
  return String(n).padStart(width, '0');
}

function clock(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso ?? '');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function dayAndClock(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso ?? '');
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return sameDay
    ? clock(iso)
    : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clock(iso)}`;
}

function duration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${hours} h`;
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  return `${minutes} min ${pad(s % 60)} s`;
}

function hostPort(host, port) {
  const h6 = String(host).includes(':') ? `[${host}]` : String(host);
  return `${h6}:${port}`;
}

function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

function severityOf(value) {
  return SEVERITIES.includes(value) ? value : 'info';
}

// ---------------------------------------------------------------- API

class Unauthorized extends Error {}

function readToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function writeToken(token) {
  state.token = token;
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: the token lives as long as the page
  }
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

async function api(path) {
  const headers = { Accept: 'application/json' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch(path, { headers, cache: 'no-store' });
  if (response.status === 401) throw new Unauthorized('unauthorized');
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const detail = body && typeof body === 'object' ? body.message || body.error : null;
    throw new Error(`${path.split('?')[0]} answered ${response.status}${detail ? `: ${detail}` : ''}`);
  }
  return body;
}

function errorText(error) {
  if (error instanceof TypeError) return 'the proxy does not answer (stopped, or the network is down)';
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------- header: profile, listeners

function listenerText(listener) {
  const where = hostPort(listener.host, listener.port);
  const advertised =
    listener.advertised && listener.advertised !== where && listener.advertised !== listener.host
      ? ` (as ${listener.advertised})`
      : '';
  return `${String(listener.transport ?? '').toUpperCase()} ${where}${advertised}`;
}

function renderHeader(health, profiles) {
  const key = JSON.stringify([health?.listeners, profiles]);
  if (health) {
    const up = Number(health.uptimeSeconds);
    byId('uptime').textContent = up < 60 ? `${Math.floor(up)} s` : duration(up);
  }
  if (key === state.rendered.header) return;
  state.rendered.header = key;

  if (profiles) {
    const profile = profiles.profile ?? {};
    const policy = profiles.policy ?? {};
    state.profile = profile;
    const srtp = typeof policy.srtp === 'string' ? `SRTP ${policy.srtp}` : null;
    replaceChildren(
      byId('profile'),
      h('strong', {}, profile.carrier ?? profile.name ?? 'unknown'),
      h(
        'div',
        { class: 'small muted' },
        [profile.name ? `profile ${profile.name}` : null, srtp].filter(Boolean).join(' · '),
      ),
    );
    const title = [profile.description, mediaRangesText(profile)].filter(Boolean).join('\n');
    if (title) byId('profile').title = title;
    for (const element of document.querySelectorAll('[data-carrier-name]')) {
      element.textContent = carrierName();
    }
  }
  if (health) {
    state.listeners = Array.isArray(health.listeners) ? health.listeners : [];
    const bySide = new Map();
    for (const listener of state.listeners) {
      const side = listener.side ?? 'any';
      if (!bySide.has(side)) bySide.set(side, []);
      bySide.get(side).push(listener);
    }
    const parts = [...bySide.entries()].map(([side, listeners]) =>
      h(
        'span',
        { class: 'listener-group' },
        h('span', { class: 'muted' }, `${sideLabel(side)}: `),
        listeners.map((listener, i) => [i > 0 ? ', ' : '', h('code', {}, listenerText(listener))]),
      ),
    );
    replaceChildren(byId('listeners'), parts.length > 0 ? parts : 'no listener');
  }
}

function sideLabel(side) {
  if (side === 'customer' || side === 'carrier') return `${side} side`;
  // 'auto': each message's side is told by its source address (the carrier's signaling ranges).
  return 'either side';
}

function mediaRangesText(profile) {
  if (!Array.isArray(profile.mediaRanges) || profile.mediaRanges.length === 0) return '';
  const ranges = profile.mediaRanges
    .map((range) => (typeof range === 'string' ? range : (range?.cidr?.text ?? range?.cidr ?? range?.text)))
    .filter((text) => typeof text === 'string');
  return ranges.length > 0 ? `Media ranges: ${ranges.join(', ')}` : '';
}

function carrierName() {
  return state.profile?.carrier ?? 'carrier';
}

function setStatus(kind, text) {
  const status = byId('status');
  status.className = `status status-${kind}`;
  status.textContent = text;
}

// ---------------------------------------------------------------- calls table

function mediaLines(list) {
  if (!Array.isArray(list) || list.length === 0) return h('span', { class: 'muted' }, 'no SDP yet');
  return h(
    'ul',
    { class: 'media' },
    list.map((media) =>
      h(
        'li',
        {},
        h(
          'code',
          { class: 'addr', title: media.role ? `in the SDP ${media.role}` : null },
          mediaAddress(media),
        ),
        h(
          'div',
          { class: 'media-meta' },
          media.type && media.type !== 'audio' ? `${media.type} · ` : '',
          h('span', { class: 'proto' }, media.proto),
          h('div', {}, suitesText(media)),
        ),
      ),
    ),
  );
}

function mediaAddress(media) {
  return media.address === null || media.address === undefined
    ? `(no address):${media.port}`
    : hostPort(media.address, media.port);
}

function suitesText(media) {
  const suites = Array.isArray(media.suites) ? media.suites : [];
  if (suites.length === 0)
    return h('span', { class: 'muted suite' }, /SAVP/.test(media.proto) ? 'no SDES suite' : 'no crypto');
  return h('span', { class: 'suite' }, suites.join(', '));
}

function verdictBadge(verdict) {
  const v = ['ok', 'warn', 'fail'].includes(verdict) ? verdict : 'ok';
  return h('span', { class: ['verdict', `verdict-${v}`] }, v);
}

function stateText(call) {
  if (call.state === 'active') return h('span', { class: 'state-active' }, 'active');
  return h(
    'span',
    { class: 'muted', title: 'how the call ended' },
    call.ended ? `ended (${call.ended})` : 'ended',
  );
}

function codeChips(codes) {
  if (!Array.isArray(codes) || codes.length === 0) return h('span', { class: 'muted' }, 'none');
  return h(
    'ul',
    { class: 'chips' },
    codes.map((code) => h('li', { class: 'chip' }, code)),
  );
}

function renderCalls(data) {
  const calls = Array.isArray(data?.calls) ? data.calls : [];
  const total = Number.isFinite(data?.total) ? data.total : calls.length;
  for (const call of calls) for (const code of call.codes ?? []) state.knownCodes.add(code);
  const key = JSON.stringify([calls, total, state.selectedCallId, state.listeners]);
  if (key === state.rendered.calls) return;
  state.rendered.calls = key;

  byId('calls-count').textContent =
    total > calls.length ? `(${calls.length} newest of ${total})` : `(${calls.length})`;
  const filtered = byId('calls-state').value !== '' || byId('calls-verdict').value !== '';
  const empty = byId('calls-empty');
  if (calls.length === 0) {
    replaceChildren(empty, filtered ? h('p', {}, 'No call matches these filters.') : emptyState());
  }
  show(empty, calls.length === 0);
  show(byId('calls-table'), calls.length > 0);

  const focusedCallId = document.activeElement?.closest?.('#calls-body tr')?.dataset.callId ?? null;
  const body = byId('calls-body');
  body.replaceChildren();
  for (const call of calls) {
    const selected = call.callId === state.selectedCallId;
    const open = () => selectCall(call.callId);
    const row = h(
      'tr',
      {
        class: ['call', `verdict-row-${call.verdict}`, selected && 'selected'],
        'data-call-id': call.callId,
        'data-verdict': call.verdict,
        'aria-current': selected ? 'true' : null,
        on: { click: open },
      },
      h('td', {}, verdictBadge(call.verdict), h('div', { class: 'small' }, stateText(call))),
      h(
        'td',
        { class: 'callid' },
        h(
          'button',
          {
            type: 'button',
            class: 'link callid-button',
            title: `${call.callId} — show its message ladder`,
            on: {
              click: (event) => {
                event.stopPropagation();
                open();
              },
            },
          },
          call.callId,
        ),
        h(
          'div',
          { class: 'small muted' },
          h('time', { datetime: call.firstSeen, title: call.firstSeen }, dayAndClock(call.firstSeen)),
          h('div', {}, plural(call.messages ?? 0, 'message')),
        ),
      ),
      h('td', {}, mediaLines(call.media?.customer)),
      h('td', {}, mediaLines(call.media?.carrier)),
      h('td', {}, codeChips(call.codes)),
    );
    body.append(row);
    if (call.callId === focusedCallId) row.querySelector('button')?.focus();
  }
}

/** host:port a peer can send to: the advertised address, or the bound one unless it is a wildcard. */
function reachable(listener, wildcard) {
  const advertised = typeof listener.advertised === 'string' ? listener.advertised : '';
  // An advertised value may be a host or host:port.
  if (/^[^:]+:\d+$/.test(advertised) || /^\[.*\]:\d+$/.test(advertised)) return advertised;
  if (advertised !== '') return hostPort(advertised, listener.port);
  const host = String(listener.host ?? '');
  const wild = host === '' || host === '0.0.0.0' || host === '::';
  return hostPort(wild ? wildcard : host, listener.port);
}

function emptyState() {
  const customer = state.listeners.filter((listener) => listener.side !== 'carrier');
  const example = customer[0] ?? state.listeners[0];
  const uri = example
    ? `sip:${reachable(example, 'THIS-HOST')};transport=${example.transport}`
    : 'sip:PROXY-ADDRESS:5060';
  const sippTarget = example ? reachable(example, '127.0.0.1') : 'PROXY-ADDRESS:5060';
  const sippTransport = example?.transport === 'tcp' ? ' -t t1' : '';
  return h(
    'div',
    {},
    h('p', { class: 'empty-title' }, 'No calls yet.'),
    h(
      'p',
      {},
      'Each call that goes through the proxy shows up here within 2 seconds: its verdict, the media address, port, ' +
        'RTP profile and SRTP suite each side negotiated, and the finding codes. Select one to see every SIP message of it.',
    ),
    h('p', {}, 'To send traffic through trunkguard:'),
    h(
      'ol',
      {},
      h(
        'li',
        {},
        "Point your PBX's SIP trunk (outbound proxy) at ",
        h('code', {}, uri),
        ' instead of the carrier.',
      ),
      h(
        'li',
        {},
        'trunkguard forwards each call to the ',
        h('span', { 'data-carrier-name': '' }, carrierName()),
        ' next hop given with ',
        h('code', {}, '--carrier'),
        ', and the answers back, unchanged.',
      ),
      h(
        'li',
        {},
        'For a quick test without a PBX: ',
        h('code', {}, `sipp -sn uac${sippTransport} ${sippTarget} -m 1`),
        '.',
      ),
    ),
  );
}

// ---------------------------------------------------------------- call detail: the ladder

async function selectCall(callId) {
  state.selectedCallId = callId;
  state.rendered.detail = '';
  state.rendered.calls = '';
  for (const row of byId('calls-body').querySelectorAll('tr')) {
    const selected = row.dataset.callId === callId;
    row.classList.toggle('selected', selected);
    if (selected) row.setAttribute('aria-current', 'true');
    else row.removeAttribute('aria-current');
  }
  const panel = byId('call-detail');
  show(panel, true);
  replaceChildren(byId('detail-title'), 'Call ', h('code', {}, callId));
  replaceChildren(byId('ladder'), h('p', { class: 'muted' }, 'loading…'));
  replaceChildren(byId('detail-summary'));
  await refreshDetail();
  panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

function closeDetail() {
  state.selectedCallId = null;
  state.rendered.detail = '';
  state.rendered.calls = '';
  show(byId('call-detail'), false);
  for (const row of byId('calls-body').querySelectorAll('tr.selected')) {
    row.classList.remove('selected');
    row.removeAttribute('aria-current');
  }
}

async function refreshDetail() {
  const callId = state.selectedCallId;
  if (callId === null) return;
  try {
    const data = await api(`/api/calls/${encodeURIComponent(callId)}`);
    if (state.selectedCallId !== callId) return;
    setError('detail-error', null);
    renderDetail(data?.call);
  } catch (error) {
    if (error instanceof Unauthorized) throw error;
    if (state.selectedCallId !== callId) return;
    setError('detail-error', `Cannot load this call: ${errorText(error)}`);
  }
}

function renderDetail(call) {
  if (!call) return;
  const key = JSON.stringify([call, state.profile?.carrier]);
  if (key === state.rendered.detail) return;
  state.rendered.detail = key;
  for (const code of call.codes ?? []) state.knownCodes.add(code);

  const seconds = (new Date(call.lastSeen).getTime() - new Date(call.firstSeen).getTime()) / 1000;
  replaceChildren(
    byId('detail-summary'),
    h(
      'dl',
      { class: 'summary' },
      h('div', {}, h('dt', {}, 'Verdict'), h('dd', {}, verdictBadge(call.verdict))),
      h('div', {}, h('dt', {}, 'State'), h('dd', {}, stateText(call))),
      h('div', {}, h('dt', {}, 'Started'), h('dd', {}, dayAndClock(call.firstSeen))),
      h('div', {}, h('dt', {}, 'Lasted'), h('dd', {}, duration(seconds))),
      h('div', {}, h('dt', {}, 'Messages'), h('dd', {}, String(call.messages ?? 0))),
      h(
        'div',
        {},
        h('dt', {}, 'Findings'),
        h(
          'dd',
          {},
          String(call.findings ?? 0),
          call.worstSeverity ? [' · worst ', severityBadge(call.worstSeverity)] : null,
        ),
      ),
    ),
  );
  renderLadder(Array.isArray(call.ladder) ? call.ladder : [], Number(call.ladderOmitted) || 0);
}

function severityBadge(severity) {
  const s = severityOf(severity);
  return h('span', { class: ['sev-badge', `sev-${s}`] }, s);
}

function renderLadder(steps, ladderOmitted) {
  const ladder = byId('ladder');
  if (steps.length === 0) {
    replaceChildren(ladder, h('p', { class: 'muted' }, 'No message recorded for this call.'));
    return;
  }
  const start = new Date(steps[0].time).getTime();
  const head = h(
    'div',
    { class: 'lane-heads', 'aria-hidden': 'true' },
    h('span', { class: 'lane-time' }, 'time'),
    h(
      'span',
      { class: 'lane-names' },
      h('span', { class: 'lane-name lane-customer' }, 'Customer (PBX)'),
      h('span', { class: 'lane-name lane-proxy' }, 'trunkguard'),
      h('span', { class: 'lane-name lane-carrier' }, `Carrier (${carrierName()})`),
    ),
  );
  const list = h(
    'ol',
    { class: 'steps' },
    steps.map((step) => ladderStep(step, start)),
  );
  const omitted =
    ladderOmitted > 0
      ? h(
          'p',
          { class: 'muted small' },
          `${plural(ladderOmitted, 'later message')} of this call not kept (the ladder is capped).`,
        )
      : null;
  replaceChildren(ladder, head, list, omitted);
}

function ladderStep(step, start) {
  const fromCustomer = step.side !== 'carrier';
  const direction = fromCustomer ? 'rightward' : 'leftward';
  const findings = Array.isArray(step.findings) ? step.findings : [];
  const worst = findings.reduce(
    (acc, finding) => Math.max(acc, SEVERITIES.indexOf(severityOf(finding.severity))),
    -1,
  );
  const offset = (new Date(step.time).getTime() - start) / 1000;
  const sdp = step.sdp && typeof step.sdp === 'object' ? step.sdp : null;
  const label = String(step.label ?? '');
  const sender = fromCustomer ? 'customer' : carrierName();
  const receiver = fromCustomer ? carrierName() : 'customer';
  const description =
    `${label} from the ${sender} (${step.from ?? '?'})` +
    (step.forwarded ? `, forwarded to the ${receiver} (${step.to ?? '?'})` : ', not forwarded') +
    (sdp ? `, with an SDP ${sdp.role ?? 'body'}` : '') +
    (findings.length > 0 ? `, ${plural(findings.length, 'finding')}` : '');

  const marker = sdp
    ? h(
        'span',
        { class: 'sdp-marker', title: `carries an SDP ${sdp.role ?? 'body'}` },
        `SDP ${sdp.role ?? ''}`.trim(),
      )
    : null;
  const inbound = h(
    'div',
    { class: ['arrow', 'inbound', worst >= 0 && `arrow-sev-${SEVERITIES[worst]}`] },
    h('span', { class: 'arrow-label' }, h('span', { class: 'method' }, label), marker),
  );
  const outbound = step.forwarded
    ? h('div', { class: ['arrow', 'outbound'] }, h('span', { class: 'arrow-label muted' }, label))
    : h(
        'div',
        { class: ['arrow', 'outbound', 'dropped'] },
        h('span', { class: 'arrow-label' }, 'not forwarded'),
      );

  const details = [];
  if (sdp && Array.isArray(sdp.media)) {
    details.push(
      h(
        'ul',
        { class: 'sdp-media', 'aria-label': 'SDP media' },
        sdp.media.map((media) =>
          h(
            'li',
            {},
            h('span', { class: 'mtype' }, `m=${media.type ?? '?'}`),
            ' ',
            h('code', { class: 'addr' }, mediaAddress(media)),
            h(
              'span',
              { class: 'media-meta' },
              ' · ',
              media.proto,
              ' · ',
              suitesText(media),
              media.direction ? ` · ${media.direction}` : null,
            ),
          ),
        ),
      ),
    );
    if (sdp.mediaOmitted > 0)
      details.push(h('p', { class: 'muted small' }, `and ${plural(sdp.mediaOmitted, 'more m= line')}`));
  }
  if (findings.length > 0) {
    details.push(
      h(
        'ul',
        { class: 'step-findings', 'aria-label': 'Findings on this message' },
        findings.map((finding) =>
          h(
            'li',
            {
              class: ['step-finding', `sev-text-${severityOf(finding.severity)}`],
              'data-code': finding.code,
            },
            severityBadge(finding.severity),
            ' ',
            h('strong', {}, finding.code),
            ': ',
            finding.message,
            finding.evidence ? h('code', { class: 'evidence' }, finding.evidence) : null,
          ),
        ),
      ),
    );
  }

  if (step.findingsOmitted > 0) {
    details.push(
      h(
        'p',
        { class: 'muted small' },
        `and ${plural(step.findingsOmitted, 'more finding')} (see the findings panel)`,
      ),
    );
  }

  return h(
    'li',
    {
      class: ['step', direction, sdp && 'has-sdp', findings.length > 0 && 'has-findings'],
      'data-label': label,
      'aria-label': description,
    },
    h('span', { class: 'step-time', title: step.time }, `+${offset.toFixed(3)} s`),
    h(
      'div',
      { class: 'step-body' },
      h(
        'div',
        { class: 'step-arrows', title: `${step.from ?? '?'} → ${step.to ?? '?'} (${step.transport ?? ''})` },
        inbound,
        outbound,
      ),
      details.length > 0 ? h('div', { class: 'step-detail' }, details) : null,
    ),
  );
}

// ---------------------------------------------------------------- findings panel

function findingFilters() {
  return {
    code: byId('filter-code').value,
    severity: byId('filter-severity').value,
    side: byId('filter-side').value,
  };
}

function renderCodeOptions() {
  const select = byId('filter-code');
  const current = select.value;
  const codes = [...new Set([...state.knownCodes, ...(current ? [current] : [])])].sort();
  const existing = [...select.options].slice(1).map((option) => option.value);
  if (JSON.stringify(existing) === JSON.stringify(codes)) return;
  replaceChildren(
    select,
    h('option', { value: '' }, 'all codes'),
    codes.map((code) => h('option', { value: code }, code)),
  );
  select.value = current;
}

function renderFindings(data, filters) {
  const findings = Array.isArray(data?.findings) ? [...data.findings] : [];
  for (const finding of findings) state.knownCodes.add(finding.code);
  renderCodeOptions();
  findings.sort((a, b) => String(b.time).localeCompare(String(a.time)));
  const key = JSON.stringify([findings, filters, data?.next ?? null]);
  if (key === state.rendered.findings) return;
  state.rendered.findings = key;

  byId('findings-count').textContent = `(${findings.length}${data?.next ? '+' : ''})`;
  const filtered = filters.code !== '' || filters.severity !== '' || filters.side !== '';
  const empty = byId('findings-empty');
  if (findings.length === 0) {
    replaceChildren(
      empty,
      filtered
        ? h('p', {}, 'No finding matches these filters.')
        : [
            h('p', { class: 'empty-title' }, 'No findings yet.'),
            h(
              'p',
              {},
              'Every SDP offer and answer that crosses the proxy is checked against the carrier profile and the policy: ' +
                'media addresses outside the carrier ranges, RTP ports out of span, plain RTP where SRTP is required, weak or ' +
                'missing crypto… Each problem shows up here with its severity, the call and the offending SDP line.',
            ),
          ],
    );
  }
  show(empty, findings.length === 0);
  replaceChildren(
    byId('findings-list'),
    findings.map((finding) => findingItem(finding)),
  );
}

function findingItem(finding) {
  const severity = severityOf(finding.severity);
  const where =
    finding.status !== null && finding.status !== undefined
      ? `${finding.status} response${finding.cseq ? ` (${finding.cseq})` : ''}`
      : (finding.method ?? finding.cseq ?? 'message');
  return h(
    'li',
    { class: ['finding', `sev-border-${severity}`], 'data-code': finding.code, 'data-severity': severity },
    h(
      'div',
      { class: 'finding-head' },
      severityBadge(severity),
      h('strong', { class: 'code' }, finding.code),
      h('span', { class: ['side', `side-${finding.side}`] }, `${finding.side} side`),
      h('time', { class: 'muted', datetime: finding.time, title: finding.time }, dayAndClock(finding.time)),
    ),
    h('p', { class: 'message' }, finding.message),
    finding.evidence ? h('code', { class: 'evidence' }, finding.evidence) : null,
    h(
      'div',
      { class: 'finding-meta small muted' },
      `on the ${where}`,
      finding.mediaIndex !== null && finding.mediaIndex !== undefined
        ? `, m= line ${finding.mediaIndex + 1}`
        : '',
      finding.callId
        ? [
            ' · call ',
            h(
              'button',
              {
                type: 'button',
                class: 'link callid-inline',
                title: finding.callId,
                on: { click: () => selectCall(finding.callId) },
              },
              finding.callId,
            ),
          ]
        : null,
    ),
  );
}

// ---------------------------------------------------------------- findings-over-time chart

/**
 * The findings of the chart's window, kept between refreshes: the first refresh reads the whole
 * window (newest first, CHART_PAGES pages at most), later ones only what is new since the newest
 * finding seen. Findings never change once made, so each is kept once (by its JSON).
 */
const chartCache = {
  byKey: new Map(),
  newestMs: null,
  /** When the first read stopped at CHART_PAGES pages: the oldest time it reached. */
  truncatedBeforeMs: null,
};

function resetChartCache() {
  chartCache.byKey.clear();
  chartCache.newestMs = null;
  chartCache.truncatedBeforeMs = null;
}

async function loadChartFindings(windowStartMs) {
  const fromMs =
    chartCache.newestMs !== null && chartCache.newestMs >= windowStartMs
      ? chartCache.newestMs
      : windowStartMs;
  let cursor = null;
  let oldestMs = null;
  for (let page = 0; page < CHART_PAGES; page += 1) {
    const data = await api(
      `/api/findings${query({ since: new Date(fromMs).toISOString(), limit: CHART_PAGE, cursor })}`,
    );
    const findings = Array.isArray(data?.findings) ? data.findings : [];
    for (const finding of findings) {
      const timeMs = new Date(finding.time).getTime();
      if (!Number.isFinite(timeMs)) continue;
      const key = JSON.stringify(finding);
      if (!chartCache.byKey.has(key)) {
        chartCache.byKey.set(key, { timeMs, severity: severityOf(finding.severity), code: finding.code });
      }
      if (chartCache.newestMs === null || timeMs > chartCache.newestMs) chartCache.newestMs = timeMs;
      if (oldestMs === null || timeMs < oldestMs) oldestMs = timeMs;
    }
    cursor = data?.next ?? null;
    if (!cursor || findings.length === 0) break;
  }
  if (cursor && oldestMs !== null) chartCache.truncatedBeforeMs = oldestMs;
  for (const [key, entry] of chartCache.byKey) {
    if (entry.timeMs < windowStartMs) chartCache.byKey.delete(key);
  }
  const truncated = chartCache.truncatedBeforeMs !== null && chartCache.truncatedBeforeMs > windowStartMs;
  return { findings: [...chartCache.byKey.values()], truncated };
}

function renderChart(findings, truncated, endMinuteMs) {
  const startMs = endMinuteMs - (CHART_MINUTES - 1) * 60_000;
  const buckets = Array.from({ length: CHART_MINUTES }, () => SEVERITIES.map(() => 0));
  for (const finding of findings) {
    state.knownCodes.add(finding.code);
    const index = Math.floor((finding.timeMs - startMs) / 60_000);
    if (index < 0 || index >= CHART_MINUTES) continue;
    buckets[index][SEVERITIES.indexOf(finding.severity)] += 1;
  }
  const key = JSON.stringify([buckets, endMinuteMs, truncated]);
  if (key === state.rendered.chart) return;
  state.rendered.chart = key;

  const total = buckets.reduce((sum, bucket) => sum + bucket.reduce((a, b) => a + b, 0), 0);
  const peak = Math.max(1, ...buckets.map((bucket) => bucket.reduce((a, b) => a + b, 0)));
  const ticks = niceTicks(peak);
  const top = ticks[ticks.length - 1];

  const width = 460;
  const height = 170;
  const left = 30;
  const right = 8;
  const topPad = 14;
  const bottom = 22;
  const plotW = width - left - right;
  const plotH = height - topPad - bottom;
  const slot = plotW / CHART_MINUTES;
  const barW = Math.max(2, slot - 3);
  const y = (value) => topPad + plotH - (value / top) * plotH;

  const bySeverity = SEVERITIES.map((severity, i) => ({
    severity,
    count: buckets.reduce((sum, bucket) => sum + bucket[i], 0),
  })).filter((entry) => entry.count > 0);
  const summary =
    total === 0
      ? 'No findings in the last 30 minutes.'
      : `${plural(total, 'finding')} in the last 30 minutes${truncated ? ' (at least)' : ''}: ` +
        bySeverity.map((entry) => `${entry.count} ${entry.severity}`).join(', ');

  const grid = ticks.map((tick) =>
    svg(
      'g',
      { class: 'tick' },
      svg('line', {
        x1: left,
        x2: width - right,
        y1: y(tick),
        y2: y(tick),
        class: tick === 0 ? 'axis' : 'gridline',
      }),
      svg('text', { x: left - 5, y: y(tick) + 3.5, 'text-anchor': 'end', class: 'tick-label' }, String(tick)),
    ),
  );
  const xLabels = [];
  for (let i = 0; i < CHART_MINUTES; i += 1) {
    const minutesAgo = CHART_MINUTES - 1 - i;
    if (minutesAgo % 5 !== 0) continue;
    const date = new Date(startMs + i * 60_000);
    xLabels.push(
      svg(
        'text',
        { x: left + i * slot + slot / 2, y: height - 6, 'text-anchor': 'middle', class: 'tick-label' },
        minutesAgo === 0 ? 'now' : `${pad(date.getHours())}:${pad(date.getMinutes())}`,
      ),
    );
  }
  const bars = [];
  buckets.forEach((bucket, i) => {
    const sum = bucket.reduce((a, b) => a + b, 0);
    if (sum === 0) return;
    const date = new Date(startMs + i * 60_000);
    const label = `${pad(date.getHours())}:${pad(date.getMinutes())}: ${plural(sum, 'finding')} (${SEVERITIES.map(
      (severity, j) => (bucket[j] > 0 ? `${bucket[j]} ${severity}` : null),
    )
      .filter(Boolean)
      .join(', ')})`;
    let base = 0;
    const segments = [];
    SEVERITIES.forEach((severity, j) => {
      if (bucket[j] === 0) return;
      const y0 = y(base);
      const y1 = y(base + bucket[j]);
      segments.push(
        svg('rect', {
          class: ['bar', `fill-${severity}`],
          x: (left + i * slot + (slot - barW) / 2).toFixed(1),
          y: y1.toFixed(1),
          width: barW.toFixed(1),
          height: Math.max(1, y0 - y1).toFixed(1),
          'data-severity': severity,
          'data-count': bucket[j],
        }),
      );
      base += bucket[j];
    });
    const totalLabel = svg(
      'text',
      {
        x: (left + i * slot + slot / 2).toFixed(1),
        y: (y(sum) - 3).toFixed(1),
        'text-anchor': 'middle',
        class: 'bar-total',
      },
      String(sum),
    );
    bars.push(svg('g', { class: 'bar-stack' }, svg('title', {}, label), segments, totalLabel));
  });

  const chart = svg(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': `Findings per minute, last 30 minutes. ${summary}`,
      class: 'chart-svg',
      preserveAspectRatio: 'xMidYMid meet',
    },
    svg('title', {}, summary),
    grid,
    bars,
    xLabels,
  );
  replaceChildren(byId('chart'), chart, h('p', { class: 'chart-summary small' }, summary));
}

function niceTicks(peak) {
  const steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000];
  const step = steps.find((candidate) => peak / candidate <= 4) ?? Math.ceil(peak / 4);
  const ticks = [];
  for (let value = 0; value < peak + step; value += step) {
    ticks.push(value);
    if (value >= peak) break;
  }
  return ticks;
}

function renderLegend() {
  replaceChildren(
    byId('chart-legend'),
    SEVERITIES.map((severity) =>
      h(
        'li',
        {},
        svg(
          'svg',
          { width: 12, height: 12, viewBox: '0 0 12 12', 'aria-hidden': 'true' },
          svg('rect', { width: 12, height: 12, rx: 2, class: `fill-${severity}` }),
        ),
        ` ${severity}`,
      ),
    ),
  );
}

// ---------------------------------------------------------------- carrier media endpoints

/** Prefixes shown at most (the API lists them most messages first). */
const ENDPOINTS_SHOWN = 50;

function endpointPlace(entry) {
  if (entry.inPublishedRange)
    return h('span', { class: 'place place-inside' }, `inside ${entry.inPublishedRange}`);
  if (entry.outside) return h('span', { class: 'place place-outside' }, 'outside the published ranges');
  return h('span', { class: 'place place-unjudged' }, 'not judged (no range of this family)');
}

function renderEndpoints(data) {
  const prefixes = Array.isArray(data?.prefixes) ? data.prefixes : [];
  const key = JSON.stringify(data ?? null);
  if (key === state.rendered.endpoints) return;
  state.rendered.endpoints = key;

  const published = Array.isArray(data?.published) ? data.published : [];
  byId('endpoints-published').textContent =
    published.length > 0
      ? `Published media ranges: ${published.join(', ')}. Prefixes (/24, /48) the carrier's SDP used:`
      : "The profile publishes no media range. Prefixes (/24, /48) the carrier's SDP used:";
  const outside = Number.isFinite(data?.outside) ? data.outside : 0;
  const overflow = Number.isFinite(data?.overflow) ? data.overflow : 0;
  byId('endpoints-count').textContent =
    `(${prefixes.length}${outside > 0 ? `, ${outside} outside` : ''}${overflow > 0 ? `, ${overflow} not kept` : ''})`;
  show(byId('endpoints-empty'), prefixes.length === 0);
  const list = byId('endpoints-list');
  list.replaceChildren();
  for (const entry of prefixes.slice(0, ENDPOINTS_SHOWN)) {
    const ports = Object.entries(entry.ports ?? {}).map(([bucket, count]) =>
      h('span', { class: 'chip port-bucket' }, `${bucket}: ${count}`),
    );
    list.append(
      h(
        'li',
        {
          class: ['endpoint', entry.outside && 'endpoint-outside'],
          'data-prefix': entry.prefix,
          'data-outside': entry.outside ? 'true' : 'false',
        },
        h(
          'div',
          { class: 'endpoint-head' },
          h('code', { class: 'prefix' }, entry.prefix),
          ' ',
          endpointPlace(entry),
        ),
        h(
          'div',
          { class: 'small muted' },
          `${entry.callsCapped ? '≥' : ''}${plural(entry.calls ?? 0, 'call')}, ${plural(entry.messages ?? 0, 'message')} · `,
          h('time', { datetime: entry.firstSeen, title: entry.firstSeen }, dayAndClock(entry.firstSeen)),
          ' – ',
          h('time', { datetime: entry.lastSeen, title: entry.lastSeen }, dayAndClock(entry.lastSeen)),
        ),
        h('div', { class: 'chips' }, 'ports ', ports),
      ),
    );
  }
  if (prefixes.length > ENDPOINTS_SHOWN) {
    list.append(
      h(
        'li',
        { class: 'small muted' },
        `${prefixes.length - ENDPOINTS_SHOWN} more prefixes (see /api/media-endpoints)`,
      ),
    );
  }
}

// ---------------------------------------------------------------- polling

function settle(promise) {
  return promise.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason) => ({ status: 'rejected', reason }),
  );
}

async function refreshAll() {
  const filters = findingFilters();
  const endMinuteMs = Math.floor(Date.now() / 60_000) * 60_000;
  // The calls first, alone: when the API wants a token, that is one 401, not five.
  const calls = await settle(
    api(
      `/api/calls${query({
        limit: CALLS_LIMIT,
        state: byId('calls-state').value,
        verdict: byId('calls-verdict').value,
      })}`,
    ),
  );
  if (calls.status === 'rejected' && calls.reason instanceof Unauthorized) throw calls.reason;
  const needProfile = state.profile === null;
  const [health, profiles, findings, chart, endpoints] = await Promise.all([
    settle(api('/healthz')),
    needProfile ? settle(api('/api/profiles')) : Promise.resolve({ status: 'fulfilled', value: null }),
    settle(api(`/api/findings${query({ ...filters, limit: FINDINGS_LIMIT })}`)),
    settle(loadChartFindings(endMinuteMs - (CHART_MINUTES - 1) * 60_000)),
    settle(api('/api/media-endpoints')),
  ]);
  const results = [calls, health, profiles, findings, chart, endpoints];
  if (results.some((result) => result.status === 'rejected' && result.reason instanceof Unauthorized)) {
    throw new Unauthorized('unauthorized');
  }

  renderHeader(
    health.status === 'fulfilled' ? health.value : null,
    profiles.status === 'fulfilled' ? profiles.value : null,
  );
  if (calls.status === 'fulfilled') {
    setError('calls-error', null);
    renderCalls(calls.value);
  } else {
    setError('calls-error', `Cannot load the calls: ${errorText(calls.reason)}`);
  }
  if (findings.status === 'fulfilled') {
    setError('findings-error', null);
    renderFindings(findings.value, filters);
  } else {
    setError('findings-error', `Cannot load the findings: ${errorText(findings.reason)}`);
  }
  if (chart.status === 'fulfilled') {
    renderChart(chart.value.findings, chart.value.truncated, endMinuteMs);
  }
  if (endpoints.status === 'fulfilled') {
    setError('endpoints-error', null);
    renderEndpoints(endpoints.value);
  } else {
    setError('endpoints-error', `Cannot load the media endpoints: ${errorText(endpoints.reason)}`);
  }
  await refreshDetail();

  const failed = results.filter((result) => result.status === 'rejected');
  const now = clock(new Date().toISOString());
  if (failed.length === 0) setStatus('live', `live · updated ${now}`);
  else if (failed.length >= results.length - (needProfile ? 0 : 1)) {
    setStatus('down', `offline: ${errorText(failed[0].reason)}`);
  } else setStatus('degraded', `partly updated ${now}`);
}

async function tick() {
  state.timer = null;
  if (state.running) {
    // A refresh is under way (with the old filters): another one right after it.
    state.again = true;
    return;
  }
  state.running = true;
  state.again = false;
  try {
    await refreshAll();
    show(byId('main'), true);
  } catch (error) {
    if (error instanceof Unauthorized) {
      askForToken();
      return; // polling resumes once a token is given
    }
    setStatus('down', `error: ${errorText(error)}`);
  } finally {
    state.running = false;
  }
  schedule(state.again ? 0 : POLL_MS);
}

function schedule(ms) {
  if (state.timer !== null) clearTimeout(state.timer);
  state.timer = setTimeout(tick, ms);
}

/** Refresh now (a filter changed), or as soon as the refresh under way ends. */
function refreshSoon() {
  state.rendered.findings = '';
  state.rendered.calls = '';
  schedule(0);
}

// ---------------------------------------------------------------- token

function askForToken() {
  const refused = state.token !== null;
  if (refused) writeToken(null);
  resetChartCache();
  setStatus('down', 'API token required');
  show(byId('token-error'), refused);
  show(byId('token-panel'), true);
  show(byId('forget-token'), false);
  // What was shown came with a token that is no longer good: hide it until a good one is given.
  show(byId('main'), false);
  closeDetail();
  for (const part of Object.keys(state.rendered)) state.rendered[part] = '';
  byId('token-input').focus();
}

function initToken() {
  byId('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId('token-input');
    const token = input.value.trim();
    if (token === '') return;
    writeToken(token);
    input.value = '';
    show(byId('token-panel'), false);
    show(byId('forget-token'), true);
    setStatus('degraded', 'connecting…');
    schedule(0);
  });
  byId('forget-token').addEventListener('click', () => {
    writeToken(null);
    show(byId('forget-token'), false);
    schedule(0);
  });
  show(byId('forget-token'), state.token !== null);
}

function init() {
  renderLegend();
  initToken();
  for (const id of ['filter-code', 'filter-severity', 'filter-side', 'calls-state', 'calls-verdict']) {
    byId(id).addEventListener('change', refreshSoon);
  }
  for (const id of ['findings-filters', 'calls-filters']) {
    byId(id).addEventListener('submit', (event) => event.preventDefault());
  }
  byId('detail-close').addEventListener('click', closeDetail);
  schedule(0);
}

init();
