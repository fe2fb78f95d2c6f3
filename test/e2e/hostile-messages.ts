/**
 * The hostile messages of test/e2e/hostile-input.test.ts: deterministic (a seeded PRNG, never
 * Math.random) mutations of valid INVITEs that carry an SDES key in their SDP (RFC 4568 §9.1),
 * one class at a time, so a failure names the class. Every base INVITE has a key of its own:
 * the test looks for each one in the proxy's output afterwards.
 */

/** Mulberry32: a small seeded 32-bit PRNG; the same seed gives the same messages on every run. */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let x = this.#state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }

  bytes(count: number): Buffer {
    const out = Buffer.alloc(count);
    for (let i = 0; i < count; i++) out[i] = this.below(256);
    return out;
  }
}

export interface HostileMessage {
  /** The mutation class ('bit-flip', 'truncate', 'content-length-larger'...). */
  readonly kind: string;
  readonly bytes: Buffer;
}

/** The largest UDP payload over IPv4 (65,535 - 8 UDP header - 20 IP header). */
export const MAX_DATAGRAM = 65_507;

export interface BaseInvite {
  readonly head: string[];
  readonly sdp: string;
  /** The SDES key||salt, base64 (30 bytes: AES_CM_128_HMAC_SHA1_80, RFC 4568 §6.1). */
  readonly key: string;
}

/** A valid INVITE from the customer side, its offer keyed with a fresh SDES key. */
export function baseInvite(rng: Prng, index: number, clientPort: number): BaseInvite {
  const key = rng.bytes(30).toString('base64');
  const tag = rng.bytes(6).toString('hex');
  const sdp = [
    'v=0',
    `o=- ${1000 + index} 1 IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${30000 + 2 * (index % 1000)} RTP/SAVP 0 8 101`,
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^20|1:4`,
    'a=rtpmap:101 telephone-event/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');
  const head = [
    `INVITE sip:+1555000${String(index).padStart(4, '0')}@trunk.example.net SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${clientPort};branch=z9hG4bKhostile${index}x${tag}`,
    'Max-Forwards: 70',
    `From: "Hostile ${index}" <sip:pbx@127.0.0.1>;tag=${tag}`,
    `To: <sip:+1555000${String(index).padStart(4, '0')}@trunk.example.net>`,
    `Call-ID: hostile-${index}-${tag}@127.0.0.1`,
    `CSeq: ${index + 1} INVITE`,
    `Contact: <sip:pbx@127.0.0.1:${clientPort}>`,
    'User-Agent: hostile-input-test',
    'Content-Type: application/sdp',
  ];
  return { head, sdp, key };
}

/** The INVITE's bytes, with `Content-Length` (the true one unless given) last in the head. */
export function inviteBytes(base: BaseInvite, contentLength?: string, body = base.sdp): Buffer {
  const length = contentLength ?? String(Buffer.byteLength(body, 'latin1'));
  return Buffer.from(`${[...base.head, `Content-Length: ${length}`].join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

/** Offsets where a cut is interesting: every line end (before CR, between CR and LF, after LF), every colon, the blank line, inside the key. */
function cutPoints(bytes: Buffer): number[] {
  const points = new Set<number>();
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0x0d || byte === 0x0a || byte === 0x3a || byte === 0x20 || byte === 0x3b) {
      points.add(i);
      points.add(i + 1);
    }
  }
  const inline = bytes.indexOf('inline:');
  for (let i = inline; i >= 0 && i < inline + 30; i += 5) points.add(i);
  return [...points].filter((point) => point > 0 && point < bytes.length).sort((a, b) => a - b);
}

function flipBits(rng: Prng, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const flips = 1 + rng.below(4);
  for (let i = 0; i < flips; i++) {
    const at = rng.below(out.length);
    out[at] = (out[at] ?? 0) ^ (1 << rng.below(8));
  }
  return out;
}

function insertAt(bytes: Buffer, at: number, insert: Buffer): Buffer {
  return Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at)]);
}

/** A multipart/mixed body nested `depth` levels deep, an SDP (with its key) innermost. */
function nestedMultipart(depth: number, sdp: string): { type: string; body: string } {
  let type = 'application/sdp';
  let body = sdp;
  for (let level = depth; level > 0; level--) {
    const boundary = `b${level}`;
    body = [`--${boundary}`, `Content-Type: ${type}`, '', body, `--${boundary}--`, ''].join('\r\n');
    type = `multipart/mixed;boundary=${boundary}`;
  }
  return { type, body };
}

/** A multipart/mixed body of `parts` SDP parts, every one keyed. */
function manyParts(parts: number, sdp: string): { type: string; body: string } {
  const lines: string[] = [];
  for (let i = 0; i < parts; i++) lines.push('--many', 'Content-Type: application/sdp', '', sdp);
  lines.push('--many--', '');
  return { type: 'multipart/mixed;boundary=many', body: lines.join('\r\n') };
}

function withBody(base: BaseInvite, type: string, body: string): Buffer {
  const head = base.head.map((line) => (line.startsWith('Content-Type:') ? `Content-Type: ${type}` : line));
  return inviteBytes({ ...base, head }, undefined, body);
}

/**
 * A few thousand mutations of valid INVITEs. `maxSize` bounds every message (a UDP datagram);
 * the big classes (1,000 Vias, a 64 KiB header line, many parts) are sized to fit it.
 */
export function hostileMessages(seed: number, clientPort: number, maxSize: number): HostileMessage[] {
  const rng = new Prng(seed);
  const out: HostileMessage[] = [];
  const add = (kind: string, bytes: Buffer) => {
    if (bytes.length <= maxSize) out.push({ kind, bytes });
  };
  let index = 0;
  const next = () => baseInvite(rng, index++, clientPort);

  // Bit flips: 1-4 bits anywhere, head or body.
  for (let i = 0; i < 1200; i++) add('bit-flip', flipBits(rng, inviteBytes(next())));

  // Truncation at every kind of place (line ends, colons, separators, inside the key), on 3
  // bases fully and at random points on many more.
  for (let b = 0; b < 3; b++) {
    const bytes = inviteBytes(next());
    for (const point of cutPoints(bytes)) add('truncate', bytes.subarray(0, point));
  }
  for (let i = 0; i < 300; i++) {
    const bytes = inviteBytes(next());
    add('truncate', bytes.subarray(0, 1 + rng.below(bytes.length - 1)));
  }

  // Content-Length that lies: larger, smaller, negative, huge, not a number, two of them.
  const lies: readonly [string, (real: number) => string][] = [
    ['content-length-larger', (real) => String(real + 1)],
    ['content-length-larger', (real) => String(real + 1000)],
    ['content-length-larger', () => '65536'],
    ['content-length-smaller', (real) => String(real - 1)],
    ['content-length-smaller', (real) => String(Math.floor(real / 2))],
    ['content-length-smaller', () => '0'],
    ['content-length-negative', () => '-1'],
    ['content-length-negative', () => '-2147483649'],
    ['content-length-huge', () => '4294967296'],
    ['content-length-huge', () => '99999999999999999999999999999999'],
    ['content-length-huge', () => '9'.repeat(400)],
    ['content-length-not-a-number', () => '1e3'],
    ['content-length-not-a-number', () => '0x10'],
    ['content-length-not-a-number', () => ''],
    ['content-length-not-a-number', (real) => `${real}, ${real + 5}`],
    ['content-length-twice', (real) => `${real}\r\nl: ${real + 40}`],
  ];
  for (let i = 0; i < 20; i++) {
    for (const [kind, lie] of lies) {
      const base = next();
      add(kind, inviteBytes(base, lie(Buffer.byteLength(base.sdp, 'latin1'))));
    }
  }

  // NUL bytes: in the start line, a header name, a header value, the blank line, the body, the key.
  for (let i = 0; i < 60; i++) {
    const base = next();
    const bytes = inviteBytes(base);
    const blank = bytes.indexOf('\r\n\r\n');
    const places = [
      3,
      bytes.indexOf('Call-ID') + 2,
      bytes.indexOf('Call-ID: ') + 12,
      blank + 2,
      blank + 4 + rng.below(bytes.length - blank - 4),
      bytes.indexOf('inline:') + 7 + rng.below(20),
    ];
    for (const place of places) add('nul', insertAt(bytes, place, Buffer.alloc(1 + rng.below(3))));
    // NUL runs replacing bytes: the length stays right.
    const run = Buffer.from(bytes);
    run.fill(0, blank + 10, blank + 20);
    add('nul', run);
  }

  // 1,000 Via header fields: as lines, and as one comma-separated line.
  for (let i = 0; i < 3; i++) {
    const base = next();
    const vias = Array.from(
      { length: 1000 },
      (_, v) => `Via: SIP/2.0/UDP 192.0.2.${v % 250}:5060;branch=z9hG4bKmany${i}x${v}`,
    );
    add(
      '1000-vias',
      inviteBytes({ ...base, head: [base.head[0] as string, ...vias, ...base.head.slice(1)] }),
    );
    const oneLine = `Via: ${Array.from({ length: 1000 }, (_, v) => `SIP/2.0/UDP 192.0.2.1:${5060 + v};branch=z9hG4bKc${v}`).join(',')}`;
    add(
      '1000-vias',
      inviteBytes({ ...base, head: [base.head[0] as string, oneLine, ...base.head.slice(1)] }),
    );
  }

  // A header line of (nearly, over UDP) 64 KiB: an unknown header, a Subject, a Via.
  for (const name of ['X-Padding', 'Subject', 'Via']) {
    const base = next();
    const room = Math.min(65_536, maxSize - inviteBytes(base).length - name.length - 200);
    const value =
      name === 'Via' ? `SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK${'a'.repeat(room)}` : 'x'.repeat(room);
    add('64k-header', inviteBytes({ ...base, head: [...base.head, `${name}: ${value}`] }));
  }

  // Deep multipart nesting and many parts.
  for (const depth of [10, 50, 200]) {
    const base = next();
    const { type, body } = nestedMultipart(depth, base.sdp);
    add('multipart-deep', withBody(base, type, body));
  }
  for (const parts of [50, 200, 1000]) {
    const base = next();
    const { type, body } = manyParts(
      Math.min(parts, Math.floor((maxSize - 1000) / (base.sdp.length + 40))),
      base.sdp,
    );
    add('multipart-many', withBody(base, type, body));
  }
  return out;
}

/** The SDES keys a message carries after its mutation: base64 runs of 12 characters or more after `inline:`. */
export function inlineKeys(bytes: Buffer): string[] {
  return [...bytes.toString('latin1').matchAll(/inline:([A-Za-z0-9+/]{12,})/g)].map(
    (match) => match[1] as string,
  );
}
