import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { loadConfig } from '../../src/policy/load-config.js';
import { HepCollector } from '../../src/sources/hep/hep-collector.js';
import { encodeHep3 } from '../../src/sources/hep/hep3-encode.js';
import { root } from '../e2e/cli.js';
import { actionOf, captureLog } from '../log-line.js';
import { traceRecords } from '../sip/fixtures.js';
import { mutate, mutation } from '../sip/mutations.js';

const records = traceRecords();

const seeds: readonly Buffer[] = records.flatMap((record, i) => {
  const v6 = i % 3 === 0;
  const fields = {
    src: { host: v6 ? '2001:db8::1' : record.envelope.src.host, port: record.envelope.src.port },
    dst: { host: v6 ? '2001:db8::2' : record.envelope.dst.host, port: record.envelope.dst.port },
    protocol: record.envelope.transport === 'udp' ? ('udp' as const) : ('tcp' as const),
    timeMs: Date.parse(record.envelope.time),
    payload: record.bytes,
    captureId: i,
  };
  return [encodeHep3(fields), encodeHep3({ ...fields, compress: true })];
});

test('damaged HEP packets are judged or counted as malformed, never an internal error', (t) => {
  const { logger, lines } = captureLog();
  const hep = new HepCollector({
    judge: loadConfig(join(root, 'test', 'fixtures', 'config', 'proxy-e2e.yaml')),
    logger,
    observers: [],
    dialogs: { maxCalls: 1000, ttlSeconds: 60 },
    sweepIntervalMs: 60_000,
  });
  const from = { host: '192.0.2.200', port: 40000 };
  fc.assert(
    fc.property(
      fc.nat(seeds.length - 1),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      (seed, damage) => {
        hep.onPacket(mutate(seeds[seed] as Buffer, damage), from);
        const error = lines.find((line) => actionOf(line) === 'internal-error');
        if (error !== undefined) throw new Error(`internal error: ${error.message}`);
      },
    ),
    { numRuns: Number(process.env.HEP_FUZZ_RUNS ?? 3000) },
  );
  // Damage both gets through (judged) and is caught (malformed): the runs reached both paths.
  t.true(hep.counters.sip > 0, `${hep.counters.sip} judged`);
  t.true(hep.counters.malformed > 0, `${hep.counters.malformed} malformed`);
});
