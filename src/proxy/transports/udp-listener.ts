/**
 * A UDP listener: one socket that receives datagrams (one SIP message each, RFC 3261 §18.3) and
 * sends from the same address and port, so peers that latch onto our source (symmetric
 * signaling, RFC 3581) see one address.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Endpoint } from '../../sip/envelope.js';

/** The receive buffer asked for: a burst of calls must not overflow the kernel's default. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export interface UdpDatagram {
  readonly bytes: Buffer;
  readonly remote: Endpoint;
}

export class UdpListener {
  readonly #socket: Socket;
  #bound: Endpoint | null = null;

  constructor(
    readonly host: string,
    readonly port: number,
    onDatagram: (datagram: UdpDatagram) => void,
    onError: (error: Error) => void,
  ) {
    this.#socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
    this.#socket.on('message', (bytes, rinfo) =>
      onDatagram({ bytes, remote: { host: rinfo.address, port: rinfo.port } }),
    );
    this.#socket.on('error', onError);
  }

  async start(): Promise<Endpoint> {
    await new Promise<void>((resolve, reject) => {
      this.#socket.once('error', reject);
      this.#socket.bind(this.port, this.host, () => {
        this.#socket.off('error', reject);
        resolve();
      });
    });
    try {
      this.#socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
      this.#socket.setSendBufferSize(RECEIVE_BUFFER_BYTES);
    } catch {
      // The kernel caps it (net.core.rmem_max); the default still works, only bursts suffer.
    }
    const address = this.#socket.address();
    this.#bound = { host: address.address, port: address.port };
    return this.#bound;
  }

  get bound(): Endpoint | null {
    return this.#bound;
  }

  /**
   * Sends without a per-datagram callback (one fewer allocation and callback per message): a
   * failure is emitted as the socket's 'error' event, which the listener's onError logs.
   */
  send(bytes: Buffer, to: Endpoint): void {
    this.#socket.send(bytes, to.port, to.host);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }
}
