/**
 * The current time as ISO-8601 text (`2026-11-28T10:00:01.234Z`), as `new Date().toISOString()`
 * gives it. Every message's envelope carries one, several per millisecond under load: the text is
 * made once per millisecond and shared (a string cannot be changed).
 */
let lastMs = Number.NaN;
let lastText = '';

export function isoNow(now: number = Date.now()): string {
  if (now !== lastMs) {
    lastMs = now;
    lastText = new Date(now).toISOString();
  }
  return lastText;
}
