/**
 * Loaded into the proxy by the dialog-memory phase of bench:proxy (`node --expose-gc --import
 * dist/bench/memory-probe.js dist/src/cli.js proxy ...`), so the proxy's own code stays as it
 * ships: on SIGUSR2 it collects garbage twice (a full GC, then one more for what finalizers
 * freed) and writes process.memoryUsage() with the kernel's VmRSS, as one JSON line, to the file
 * TRUNKGUARD_MEMORY_PROBE names. The bench reads that line as its reading.
 */
import { appendFileSync, readFileSync } from 'node:fs';

const file = process.env.TRUNKGUARD_MEMORY_PROBE;
const collect = (globalThis as { gc?: () => void }).gc;

function vmRssKb(): number {
  const status = readFileSync('/proc/self/status', 'latin1');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
}

if (file !== undefined) {
  process.on('SIGUSR2', () => {
    collect?.();
    collect?.();
    const usage = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ ...usage, vmRssKb: vmRssKb(), gc: collect !== undefined })}\n`);
  });
}
