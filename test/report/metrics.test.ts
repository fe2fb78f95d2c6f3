/**
 * Metrics: each metric after driving the observer as SipProxy does, read back as the exact text
 * lines Prometheus scrapes. Label values stay in closed sets whatever a peer sends.
 */
import test from 'ava';
import { Metrics, methodLabel, statusClassLabel } from '../../src/report/metrics.js';
import { ack, bye, invite, message, ProxyDriver, response } from '../api/call-fixture.js';

function metrics() {
  const observed = new Metrics({ defaultMetrics: false });
  return { metrics: observed, driver: new ProxyDriver(observed) };
}

/** The sample lines (no HELP/TYPE) of one metric. */
async function samples(metrics: Metrics, name: string): Promise<string[]> {
  const text = await metrics.registry.getSingleMetricAsString(name);
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

test('SIP messages by kind, method, status class and side; calls started and ended with verdict', async (t) => {
  const { metrics: m, driver } = metrics();
  driver.call('call-1@pbx');
  driver.call('call-2@pbx', { outOfRange: true });
  t.deepEqual(await samples(m, 'trunkguard_sip_messages_total'), [
    'trunkguard_sip_messages_total{kind="request",method="INVITE",status_class="",side="customer"} 2',
    'trunkguard_sip_messages_total{kind="response",method="INVITE",status_class="1xx",side="carrier"} 2',
    'trunkguard_sip_messages_total{kind="response",method="INVITE",status_class="2xx",side="carrier"} 2',
    'trunkguard_sip_messages_total{kind="request",method="ACK",status_class="",side="customer"} 2',
    'trunkguard_sip_messages_total{kind="request",method="BYE",status_class="",side="customer"} 2',
    'trunkguard_sip_messages_total{kind="response",method="BYE",status_class="2xx",side="carrier"} 2',
  ]);
  t.deepEqual(await samples(m, 'trunkguard_calls_started_total'), ['trunkguard_calls_started_total 2']);
  t.deepEqual(await samples(m, 'trunkguard_calls_ended_total'), [
    'trunkguard_calls_ended_total{ended="bye",verdict="ok"} 1',
    'trunkguard_calls_ended_total{ended="bye",verdict="fail"} 1',
  ]);
  t.deepEqual(await samples(m, 'trunkguard_findings_total'), [
    'trunkguard_findings_total{code="media-ip-out-of-range",severity="high",side="carrier"} 1',
  ]);
});

test('findings judged for the egress leg are counted too', async (t) => {
  const { metrics: m, driver } = metrics();
  driver.send('customer', invite('egress@pbx'), { egress: 'udp' });
  t.deepEqual(await samples(m, 'trunkguard_findings_total'), [
    'trunkguard_findings_total{code="sdes-over-insecure-transport",severity="critical",side="customer"} 1',
  ]);
});

test('unreadable bytes count as malformed messages, by side, and as a finding', async (t) => {
  const { metrics: m, driver } = metrics();
  driver.send('carrier', Buffer.from('NOT SIP AT ALL\r\n\r\n'));
  driver.send('carrier', Buffer.from('\u0000\u0001\u0002 garbage\r\n\r\n'));
  t.deepEqual(await samples(m, 'trunkguard_malformed_messages_total'), [
    'trunkguard_malformed_messages_total{side="carrier"} 2',
  ]);
  t.deepEqual(await samples(m, 'trunkguard_sip_messages_total'), []);
  t.deepEqual(await samples(m, 'trunkguard_findings_total'), [
    'trunkguard_findings_total{code="malformed-message",severity="medium",side="carrier"} 2',
  ]);
});

test('hostile methods and statuses cannot grow the label sets', async (t) => {
  const { metrics: m, driver } = metrics();
  for (let i = 0; i < 20; i++) {
    driver.send(
      'customer',
      message(`FOO${i} sip:+14155550199@trunk.pstn.twilio.com SIP/2.0`, `1 FOO${i}`, `h${i}@x`),
    );
    driver.send('carrier', message(`SIP/2.0 20${i % 10} OK`, `1 BAR${i}`, `h${i}@x`));
  }
  driver.send(
    'customer',
    message('invite sip:+14155550199@trunk.pstn.twilio.com SIP/2.0', '1 invite', 'lower@x'),
  );
  t.deepEqual(await samples(m, 'trunkguard_sip_messages_total'), [
    'trunkguard_sip_messages_total{kind="request",method="other",status_class="",side="customer"} 21',
    'trunkguard_sip_messages_total{kind="response",method="other",status_class="2xx",side="carrier"} 20',
  ]);
  t.is(methodLabel('INVITE'), 'INVITE');
  t.is(methodLabel('invite'), 'other', 'methods are case-sensitive (RFC 3261 §7.1)');
  t.is(methodLabel(null), 'other');
  t.is(statusClassLabel(183), '1xx');
  t.is(statusClassLabel(699), '6xx');
  t.is(statusClassLabel(99), 'other');
  t.is(statusClassLabel(700), 'other');
  t.is(statusClassLabel(null), 'other');
});

test('forwarding latency histogram by kind and transport, buckets 50 µs to 100 ms', async (t) => {
  const m = new Metrics({ defaultMetrics: false });
  // Powers of two, so the sum prints exactly: 2^-15 s (about 31 µs) and 2^-12 s (about 244 µs).
  m.forwarded('request', 'udp', 2 ** -15);
  m.forwarded('request', 'udp', 2 ** -12);
  m.forwarded('response', 'tls', 0.2);
  m.forwarded('response', 'tls', Number.NaN); // ignored
  const lines = await samples(m, 'trunkguard_forwarding_latency_seconds');
  t.deepEqual(
    lines.filter((line) => line.includes('kind="request"')),
    [
      'trunkguard_forwarding_latency_seconds_bucket{le="0.00005",kind="request",transport="udp"} 1',
      'trunkguard_forwarding_latency_seconds_bucket{le="0.0001",kind="request",transport="udp"} 1',
      'trunkguard_forwarding_latency_seconds_bucket{le="0.00025",kind="request",transport="udp"} 2',
      'trunkguard_forwarding_latency_seconds_bucket{le="0.0005",kind="request",transport="udp"} 2',
      'trunkguard_forwarding_latency_seconds_bucket{le="0.001",kind="request",transport="udp"} 2',
      'trunkguard_forwarding_latency_seconds_bucket{le="0.0025",kind="request",transport="udp"} 2',
      'trunkguard_forwarding_latency_seconds_bucket{le="0.005",kind="request",transport="udp"} 2',
      'trunkguard_forwarding_latency_seconds_bucket{le="0.01",kind="request",transport="udp"} 2',
      'trunkguard_forwarding_latency_seconds_bucket{le="0.025",kind="request",transport="udp"} 2',
      'trunkguard_forwarding_latency_seconds_bucket{le="0.05",kind="request",transport="udp"} 2',
      'trunkguard_forwarding_latency_seconds_bucket{le="0.1",kind="request",transport="udp"} 2',
      'trunkguard_forwarding_latency_seconds_bucket{le="+Inf",kind="request",transport="udp"} 2',
      'trunkguard_forwarding_latency_seconds_sum{kind="request",transport="udp"} 0.000274658203125',
      'trunkguard_forwarding_latency_seconds_count{kind="request",transport="udp"} 2',
    ],
  );
  t.true(
    lines.includes(
      'trunkguard_forwarding_latency_seconds_bucket{le="0.1",kind="response",transport="tls"} 0',
    ),
  );
  t.true(
    lines.includes(
      'trunkguard_forwarding_latency_seconds_bucket{le="+Inf",kind="response",transport="tls"} 1',
    ),
  );
  t.true(lines.includes('trunkguard_forwarding_latency_seconds_count{kind="response",transport="tls"} 1'));
});

test('answers by status; connection problems by kind and transport; TLS handshake failures', async (t) => {
  const m = new Metrics({ defaultMetrics: false });
  m.answered(488);
  m.answered(488);
  m.answered(400);
  m.answered(1234);
  m.connectionProblem('tls-handshake', 'tls');
  m.connectionProblem('tls-handshake', 'tls');
  m.connectionProblem('connect', 'tcp');
  t.deepEqual(await samples(m, 'trunkguard_answered_total'), [
    'trunkguard_answered_total{status="488"} 2',
    'trunkguard_answered_total{status="400"} 1',
    'trunkguard_answered_total{status="other"} 1',
  ]);
  t.deepEqual(await samples(m, 'trunkguard_connection_problems_total'), [
    'trunkguard_connection_problems_total{kind="tls-handshake",transport="tls"} 2',
    'trunkguard_connection_problems_total{kind="connect",transport="tcp"} 1',
  ]);
  t.deepEqual(await samples(m, 'trunkguard_tls_handshake_failures_total'), [
    'trunkguard_tls_handshake_failures_total 2',
  ]);
});

test('dialog table: size as a gauge, evictions and expirations follow the totals the sweeps report', async (t) => {
  const m = new Metrics({ defaultMetrics: false });
  t.deepEqual(await samples(m, 'trunkguard_dialog_table_evictions_total'), [
    'trunkguard_dialog_table_evictions_total 0',
  ]);
  m.dialogTable(12, 2, 5);
  m.dialogTable(9, 2, 8);
  m.dialogTable(30, 7, 8);
  t.deepEqual(await samples(m, 'trunkguard_dialog_table_calls'), ['trunkguard_dialog_table_calls 30']);
  t.deepEqual(await samples(m, 'trunkguard_dialog_table_evictions_total'), [
    'trunkguard_dialog_table_evictions_total 7',
  ]);
  t.deepEqual(await samples(m, 'trunkguard_dialog_table_expirations_total'), [
    'trunkguard_dialog_table_expirations_total 8',
  ]);
});

test('default process metrics carry the trunkguard_ prefix; each Metrics has its own registry', async (t) => {
  const first = new Metrics();
  const second = new Metrics();
  first.callStarted('x');
  const text = await first.text();
  t.regex(text, /^trunkguard_process_cpu_user_seconds_total \d/m);
  t.regex(text, /^trunkguard_nodejs_heap_size_used_bytes \d/m);
  t.regex(text, /^trunkguard_calls_started_total 1$/m);
  t.regex(await second.text(), /^trunkguard_calls_started_total 0$/m);
  t.regex(first.contentType, /^text\/plain; version=0\.0\.4/);
});

test('every message of a call is counted once, in the order the observers hear of it', async (t) => {
  const { metrics: m, driver } = metrics();
  driver.send('customer', invite('c@pbx'));
  driver.send('carrier', response('486 Busy Here', '1 INVITE', 'c@pbx'));
  driver.send('customer', ack('c@pbx'));
  driver.send('customer', bye('c@pbx')); // after the end: counted as a message, starts nothing
  t.deepEqual(await samples(m, 'trunkguard_calls_ended_total'), [
    'trunkguard_calls_ended_total{ended="failed",verdict="ok"} 1',
  ]);
  t.deepEqual(await samples(m, 'trunkguard_calls_started_total'), ['trunkguard_calls_started_total 1']);
  t.true(
    (await samples(m, 'trunkguard_sip_messages_total')).includes(
      'trunkguard_sip_messages_total{kind="response",method="INVITE",status_class="4xx",side="carrier"} 1',
    ),
  );
});
