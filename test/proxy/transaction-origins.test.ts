/**
 * TransactionOrigins: where each forwarded request came from, by our branch. INVITE entries live
 * 200 s (Timer C, RFC 3261 §16.6 item 11), others 32 s (64×T1, Timer F, §17.1.2.2); each table
 * is capped, oldest dropped first; remembering again refreshes. Time is the `now` argument.
 */
import test, { type ExecutionContext } from 'ava';
import type { ReturnPath } from '../../src/proxy/return-path.js';
import {
  DEFAULT_MAX_TRANSACTIONS,
  INVITE_LIFETIME_MS,
  NON_INVITE_LIFETIME_MS,
  type TransactionOrigin,
  TransactionOrigins,
} from '../../src/proxy/transaction-origins.js';

function origin(host: string, side: 'carrier' | 'customer' = 'customer', listener = 0): TransactionOrigin {
  const path: ReturnPath = {
    transport: 'udp',
    remote: { host, port: 5060 },
    local: { host: '192.0.2.1', port: 5060 },
    arrived: 0,
    listener,
    connection: null,
  };
  return { path, side };
}

const A = origin('203.0.113.10');
const B = origin('54.172.60.1', 'carrier', 1);
const C = origin('203.0.113.11');

const T0 = 1_700_000_000_000;

/** The origin found is the one remembered: the very same path object and the side. */
function same(
  t: ExecutionContext,
  found: TransactionOrigin | undefined,
  expected: TransactionOrigin,
  message?: string,
): void {
  t.not(found, undefined, message);
  t.is(found?.path, expected.path, message);
  t.is(found?.side, expected.side, message);
}

test('the lifetimes: 200 s for INVITE, 64×T1 = 32 s otherwise; 100 000 entries by default', (t) => {
  t.is(INVITE_LIFETIME_MS, 200_000);
  t.is(NON_INVITE_LIFETIME_MS, 32_000);
  t.is(DEFAULT_MAX_TRANSACTIONS, 100_000);
});

test('remember then originOf: the same path and side back, by branch and method', (t) => {
  const origins = new TransactionOrigins();
  origins.remember('z9hG4bKtg-1', 'INVITE', A, T0);
  origins.remember('z9hG4bKtg-2', 'BYE', B, T0);
  same(t, origins.originOf('z9hG4bKtg-1', 'INVITE', T0 + 1), A);
  same(t, origins.originOf('z9hG4bKtg-2', 'BYE', T0 + 1), B);
  t.is(origins.originOf('z9hG4bKtg-3', 'INVITE', T0 + 1), undefined);
  t.is(origins.size, 2);
});

test('INVITE and non-INVITE are kept apart: a CANCEL sharing the INVITE branch has its own entry', (t) => {
  const origins = new TransactionOrigins();
  origins.remember('z9hG4bKtg-x', 'INVITE', A, T0);
  t.is(origins.originOf('z9hG4bKtg-x', 'CANCEL', T0), undefined);
  origins.remember('z9hG4bKtg-x', 'CANCEL', B, T0);
  same(t, origins.originOf('z9hG4bKtg-x', 'INVITE', T0), A);
  same(t, origins.originOf('z9hG4bKtg-x', 'CANCEL', T0), B);
  t.is(origins.size, 2);
  // Any non-INVITE method reads the same table: the key is the branch.
  same(t, origins.originOf('z9hG4bKtg-x', 'OPTIONS', T0), B);
});

test('an INVITE entry lives 200 s', (t) => {
  const origins = new TransactionOrigins();
  origins.remember('inv', 'INVITE', A, T0);
  same(t, origins.originOf('inv', 'INVITE', T0 + 32_000), A, 'past the non-INVITE lifetime');
  same(t, origins.originOf('inv', 'INVITE', T0 + 199_999), A);
  t.is(origins.originOf('inv', 'INVITE', T0 + 200_000), undefined);
  t.is(origins.originOf('inv', 'INVITE', T0 + 500_000), undefined);
});

test('a non-INVITE entry lives 32 s', (t) => {
  const origins = new TransactionOrigins();
  origins.remember('bye', 'BYE', B, T0);
  same(t, origins.originOf('bye', 'BYE', T0 + 31_999), B);
  t.is(origins.originOf('bye', 'BYE', T0 + 32_000), undefined);
});

test('expired entries are dropped when the table is next written', (t) => {
  const origins = new TransactionOrigins();
  origins.remember('old-1', 'OPTIONS', A, T0);
  origins.remember('old-2', 'OPTIONS', B, T0 + 1_000);
  origins.remember('inv', 'INVITE', C, T0);
  t.is(origins.size, 3);
  origins.remember('new', 'OPTIONS', C, T0 + 32_500);
  t.is(origins.size, 3, 'old-1 swept; old-2 (expires at +33 s) and the INVITE table kept');
  t.is(origins.originOf('old-1', 'OPTIONS', T0 + 32_500), undefined);
  same(t, origins.originOf('old-2', 'OPTIONS', T0 + 32_500), B);
  origins.remember('new-2', 'OPTIONS', C, T0 + 40_000);
  t.is(origins.size, 3, 'old-2 swept too; new, new-2 and the INVITE left');
  t.is(origins.originOf('old-2', 'OPTIONS', T0 + 40_000), undefined);
});

test('the cap drops the oldest entry first, per table', (t) => {
  const origins = new TransactionOrigins(2);
  origins.remember('a', 'INVITE', A, T0);
  origins.remember('b', 'INVITE', B, T0 + 1);
  origins.remember('c', 'INVITE', C, T0 + 2);
  t.is(origins.originOf('a', 'INVITE', T0 + 3), undefined);
  same(t, origins.originOf('b', 'INVITE', T0 + 3), B);
  same(t, origins.originOf('c', 'INVITE', T0 + 3), C);
  t.is(origins.size, 2);
  // The non-INVITE table has its own cap of 2.
  origins.remember('x', 'MESSAGE', A, T0 + 4);
  origins.remember('y', 'MESSAGE', B, T0 + 5);
  t.is(origins.size, 4);
  origins.remember('z', 'MESSAGE', C, T0 + 6);
  t.is(origins.size, 4);
  t.is(origins.originOf('x', 'MESSAGE', T0 + 7), undefined);
  same(t, origins.originOf('z', 'MESSAGE', T0 + 7), C);
  same(t, origins.originOf('b', 'INVITE', T0 + 7), B, 'the INVITE table untouched');
});

test('remembering again refreshes the lifetime and the place in line, and takes the new origin', (t) => {
  const origins = new TransactionOrigins(2);
  origins.remember('a', 'INVITE', A, T0);
  origins.remember('b', 'INVITE', B, T0 + 1_000);
  // A retransmission of "a" at +100 s: it now lives to +300 s and is the newest.
  origins.remember('a', 'INVITE', C, T0 + 100_000);
  t.is(origins.size, 2);
  same(t, origins.originOf('a', 'INVITE', T0 + 250_000), C);
  t.is(origins.originOf('b', 'INVITE', T0 + 250_000), undefined);
  same(t, origins.originOf('a', 'INVITE', T0 + 299_999), C);
  t.is(origins.originOf('a', 'INVITE', T0 + 300_000), undefined);
  // Over the cap, "b" (now the oldest) goes, not the refreshed "a".
  origins.remember('c', 'INVITE', A, T0 + 100_001);
  same(t, origins.originOf('a', 'INVITE', T0 + 100_002), C);
  t.is(origins.originOf('b', 'INVITE', T0 + 100_002), undefined);
  same(t, origins.originOf('c', 'INVITE', T0 + 100_002), A);
});

test('a non-INVITE refreshed just before expiry lives another 32 s', (t) => {
  const origins = new TransactionOrigins();
  origins.remember('r', 'REGISTER', A, T0);
  origins.remember('r', 'REGISTER', A, T0 + 31_000);
  same(t, origins.originOf('r', 'REGISTER', T0 + 62_999), A);
  t.is(origins.originOf('r', 'REGISTER', T0 + 63_000), undefined);
  t.is(origins.size, 1);
});

test('sweeping goes on after the table empties, after a refresh and after the cap dropped the front', (t) => {
  const origins = new TransactionOrigins(2);
  origins.remember('a', 'OPTIONS', A, T0);
  origins.remember('b', 'OPTIONS', B, T0 + 40_000); // a swept: the table had only a to drop
  t.is(origins.size, 1);
  origins.remember('c', 'OPTIONS', C, T0 + 80_000); // b swept: the table was empty in between
  t.is(origins.size, 1);
  origins.remember('d', 'OPTIONS', A, T0 + 81_000);
  origins.remember('c', 'OPTIONS', C, T0 + 100_000); // c refreshed: d is the front now
  origins.remember('e', 'OPTIONS', B, T0 + 101_000); // over the cap: d dropped
  t.is(origins.size, 2);
  origins.remember('f', 'OPTIONS', A, T0 + 132_500); // c (expires at +132 s) swept, e kept
  t.is(origins.originOf('c', 'OPTIONS', T0 + 132_500), undefined);
  same(t, origins.originOf('e', 'OPTIONS', T0 + 132_500), B);
  t.is(origins.size, 2);
  origins.remember('g', 'OPTIONS', C, T0 + 134_000); // e swept in turn
  t.is(origins.size, 2);
  t.is(origins.originOf('e', 'OPTIONS', T0 + 134_000), undefined);
});
