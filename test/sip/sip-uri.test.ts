/**
 * parseSipUri and uriOfNameAddr: the parts of a SIP/SIPS URI the proxy routes by (RFC 3261
 * §19.1.1), and the URI inside a name-addr (Route, Record-Route, Contact values).
 */
import test from 'ava';
import { parseSipUri, type SipUriTarget, uriOfNameAddr } from '../../src/sip/sip-uri.js';

function target(
  scheme: 'sip' | 'sips',
  host: string,
  port: number | null = null,
  transport: string | null = null,
  lr = false,
): SipUriTarget {
  return { scheme, host, port, transport, lr };
}

test('sip and sips, with and without userinfo; scheme and host are lower-cased', (t) => {
  t.deepEqual(parseSipUri('sip:alice@atlanta.com'), target('sip', 'atlanta.com'));
  t.deepEqual(parseSipUri('sip:atlanta.com'), target('sip', 'atlanta.com'));
  t.deepEqual(parseSipUri('sips:bob@Biloxi.Example.COM'), target('sips', 'biloxi.example.com'));
  t.deepEqual(parseSipUri('SIP:alice@ATLANTA.com'), target('sip', 'atlanta.com'));
  t.deepEqual(parseSipUri('SiPs:x@h'), target('sips', 'h'));
  t.deepEqual(parseSipUri('  sip:alice@atlanta.com:5060  '), target('sip', 'atlanta.com', 5060));
});

test('userinfo: a password, an "@" inside it, and user parameters do not leak into the host', (t) => {
  t.deepEqual(
    parseSipUri('sip:alice:secretword@atlanta.com;transport=tcp'),
    target('sip', 'atlanta.com', null, 'tcp'),
  );
  t.deepEqual(
    parseSipUri('sip:alice:p@ss@gateway.example.com:5080'),
    target('sip', 'gateway.example.com', 5080),
  );
  t.deepEqual(parseSipUri('sips:alice:a@b@c@Host.Example.com'), target('sips', 'host.example.com'));
  // RFC 3261 §19.1.3 example: a ';' in the user part is not a URI parameter.
  t.deepEqual(parseSipUri('sip:alice;day=tuesday@atlanta.com'), target('sip', 'atlanta.com'));
  // A user part that looks like host:port is still the user part.
  t.deepEqual(parseSipUri('sip:10.0.0.1:9999@atlanta.com:5070'), target('sip', 'atlanta.com', 5070));
  t.deepEqual(parseSipUri('sip:+14155550100@203.0.113.5;user=phone'), target('sip', '203.0.113.5'));
});

test('IPv6 references: brackets removed, port after the bracket, hex lower-cased', (t) => {
  t.deepEqual(parseSipUri('sips:[2001:db8::1]:5061'), target('sips', '2001:db8::1', 5061));
  t.deepEqual(
    parseSipUri('sip:alice@[2001:DB8::1]:5061;transport=TLS'),
    target('sip', '2001:db8::1', 5061, 'tls'),
  );
  t.deepEqual(parseSipUri('sip:[2001:db8::1]'), target('sip', '2001:db8::1'));
  t.deepEqual(parseSipUri('sip:[::1];lr'), target('sip', '::1', null, null, true));
  t.deepEqual(parseSipUri('sip:[2001:db8::1]?Subject=x'), target('sip', '2001:db8::1'));
});

test('IPv6 references that are broken give null', (t) => {
  t.is(parseSipUri('sip:[2001:db8::1'), null, 'no closing bracket');
  t.is(parseSipUri('sip:[2001:db8::1]5061'), null, 'no colon before the port');
  t.is(parseSipUri('sip:[::1]x'), null);
  t.is(parseSipUri('sip:[]:5060'), null, 'empty reference');
  t.is(parseSipUri('sip:[2001:db8::1]:'), null, 'colon without a port');
});

test('port: 1 to 5 digits up to 65535; anything else is null', (t) => {
  t.deepEqual(parseSipUri('sip:h:1'), target('sip', 'h', 1));
  t.deepEqual(parseSipUri('sip:h:5060'), target('sip', 'h', 5060));
  t.deepEqual(parseSipUri('sip:h:65535'), target('sip', 'h', 65535));
  t.is(parseSipUri('sip:h:65536'), null);
  t.is(parseSipUri('sip:h:99999'), null);
  t.is(parseSipUri('sip:h:123456'), null);
  t.is(parseSipUri('sip:h:'), null);
  t.is(parseSipUri('sip:h:50a'), null);
  t.is(parseSipUri('sip:h:-1'), null);
  t.is(parseSipUri('sip:h: 5060'), null);
  t.is(parseSipUri('sip:h:5060:5061'), null);
  t.is(parseSipUri('sip:[2001:db8::1]:70000'), null);
});

test('transport and lr: names case-insensitive, transport value lower-cased', (t) => {
  t.deepEqual(parseSipUri('sip:p.example.com;lr'), target('sip', 'p.example.com', null, null, true));
  t.deepEqual(parseSipUri('sip:p.example.com;LR'), target('sip', 'p.example.com', null, null, true));
  t.deepEqual(parseSipUri('sip:p.example.com;lr=on'), target('sip', 'p.example.com', null, null, true));
  t.deepEqual(parseSipUri('sip:p.example.com;Transport=TCP'), target('sip', 'p.example.com', null, 'tcp'));
  t.deepEqual(
    parseSipUri('sip:p.example.com;TRANSPORT=Udp;Lr'),
    target('sip', 'p.example.com', null, 'udp', true),
  );
  t.deepEqual(
    parseSipUri('sip:p.example.com:5070;maddr=192.0.2.9;transport=tls;lr;ttl=5'),
    target('sip', 'p.example.com', 5070, 'tls', true),
  );
  // A `transport` without a value is no transport; other parameters starting with "lr" are not lr.
  t.deepEqual(parseSipUri('sip:p.example.com;transport'), target('sip', 'p.example.com'));
  t.deepEqual(parseSipUri('sip:p.example.com;lrx;xlr;ftransport=tcp'), target('sip', 'p.example.com'));
});

test('?headers end the URI: parameters, "@" and ";" inside them are ignored', (t) => {
  t.deepEqual(
    parseSipUri('sip:alice@atlanta.com?subject=project%20x&priority=urgent'),
    target('sip', 'atlanta.com'),
  );
  t.deepEqual(parseSipUri('sip:atlanta.com?to=bob@biloxi.com'), target('sip', 'atlanta.com'));
  t.deepEqual(
    parseSipUri('sip:atlanta.com;lr?x=y;transport=tcp'),
    target('sip', 'atlanta.com', null, null, true),
  );
  t.deepEqual(
    parseSipUri('sip:atlanta.com:5080;transport=tcp?h=1'),
    target('sip', 'atlanta.com', 5080, 'tcp'),
  );
});

test('not a SIP or SIPS URI, or no host: null', (t) => {
  for (const text of [
    'tel:+14155550100',
    'tel:+1-201-555-0123;phone-context=example.com',
    'mailto:alice@atlanta.com',
    'http://atlanta.com/',
    'sipx:atlanta.com',
    'si:atlanta.com',
    'garbage',
    '',
    '   ',
    ':atlanta.com',
    'sip:',
    'sip:alice@',
    'sip:alice@;lr',
    'sip:@',
    'sip::5060',
    'sip:;transport=tcp',
    'sip:?x=y',
    '<sip:alice@atlanta.com>',
  ]) {
    t.is(parseSipUri(text), null, JSON.stringify(text));
  }
});

test('uriOfNameAddr: the URI between angle brackets, parameters outside them dropped', (t) => {
  t.is(uriOfNameAddr('"A" <sip:a@b;lr>;p=1'), 'sip:a@b;lr');
  t.is(uriOfNameAddr('<sip:p1.example.com;lr>'), 'sip:p1.example.com;lr');
  t.is(uriOfNameAddr('Bob <sips:bob@biloxi.com>;tag=a6c85cf'), 'sips:bob@biloxi.com');
  t.is(uriOfNameAddr('<sip:[2001:db8::1]:5061;transport=tls;lr>'), 'sip:[2001:db8::1]:5061;transport=tls;lr');
  t.is(uriOfNameAddr('"a>b" <sip:c@d>'), 'sip:c@d');
  t.is(uriOfNameAddr('<sip:x@y?Subject=hi>;expires=60'), 'sip:x@y?Subject=hi');
});

test('uriOfNameAddr: an addr-spec is returned trimmed; an unclosed bracket gives no URI', (t) => {
  t.is(uriOfNameAddr('  sip:alice@atlanta.com  '), 'sip:alice@atlanta.com');
  // RFC 3261 §20.10: without <>, what follows the first ';' are header parameters, not the URI's.
  t.is(uriOfNameAddr('sip:alice@atlanta.com;lr'), 'sip:alice@atlanta.com');
  t.is(uriOfNameAddr('"a<b" <sip:c@d;lr>'), 'sip:c@d;lr');
  // An unclosed bracket is unreadable: no URI, so never taken for ours.
  t.is(uriOfNameAddr('<sip:x@y'), '');
  t.is(uriOfNameAddr(''), '');
});

test('uriOfNameAddr then parseSipUri: a Route value as the proxy reads it', (t) => {
  t.deepEqual(
    parseSipUri(uriOfNameAddr('<sip:edge.example.com:5061;transport=TLS;lr>;x=1')),
    target('sip', 'edge.example.com', 5061, 'tls', true),
  );
  t.deepEqual(
    parseSipUri(uriOfNameAddr('"Proxy; with ;lr in the name" <sips:[2001:db8::5]>')),
    target('sips', '2001:db8::5'),
  );
  t.is(parseSipUri(uriOfNameAddr('<tel:+14155550100>')), null);
});
