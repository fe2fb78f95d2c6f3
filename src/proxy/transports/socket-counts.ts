/**
 * Sockets open, in all and per source address, against proxy.limits.connections (`max`,
 * `perSource`): the proxy's TCP/TLS pool and the HEP collector's TCP listener both count
 * accepted sockets here, from the accept until the socket closes.
 */
import type { Socket } from 'node:net';
import type { ConnectionLimits } from '../limits.js';

/** Why a socket was refused: the limit's name (the `limit` label) and what for people. */
export interface Refusal {
  readonly limit: 'connections' | 'connections-per-source';
  readonly detail: string;
}

export class SocketCounts {
  #total = 0;
  readonly #perSource = new Map<string, number>();

  constructor(private readonly limits: Pick<ConnectionLimits, 'max' | 'perSource'>) {}

  /** Sockets counted now. */
  get total(): number {
    return this.#total;
  }

  /** Accepted sockets open from one address. */
  from(host: string): number {
    return this.#perSource.get(host) ?? 0;
  }

  /**
   * A socket just accepted: counted until it closes, or the refusal when it would be over `max`
   * or `perSource` (the caller closes it and reports the limit).
   */
  admit(socket: Socket): Refusal | null {
    const host = socket.remoteAddress ?? '';
    const fromSource = this.from(host);
    if (this.#total >= this.limits.max)
      return { limit: 'connections', detail: `${this.#total} connections open, the limit` };
    if (fromSource >= this.limits.perSource)
      return {
        limit: 'connections-per-source',
        detail: `${fromSource} connections open from ${host}, the limit`,
      };
    this.#total++;
    this.#perSource.set(host, fromSource + 1);
    socket.once('close', () => {
      this.#total--;
      const left = this.from(host) - 1;
      if (left > 0) this.#perSource.set(host, left);
      else this.#perSource.delete(host);
    });
    return null;
  }

  /** A socket we opened: counted in the total (never refused for it) until it closes. */
  countOpened(socket: Socket): void {
    this.#total++;
    socket.once('close', () => this.#total--);
  }
}
