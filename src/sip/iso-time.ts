/**
 * A time as ISO-8601 text (`2026-11-28T10:00:01.234Z`), as `new Date(ms).toISOString()` gives it;
 * by default now. Every message's envelope carries one (the proxy's arrival time, a packet's capture
 * time, a HEP packet's), several per millisecond under load: the text of the last millisecond asked
 * for is kept and shared (a string cannot be changed).
 */
let lastMs = Number.NaN;
let lastText = '';

export function isoTime(ms: number = Date.now()): string {
  if (ms !== lastMs) {
    // Made before lastMs moves: a time a Date cannot hold throws, and must not leave the previous
    // time's text standing for it.
    lastText = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastText;
}
