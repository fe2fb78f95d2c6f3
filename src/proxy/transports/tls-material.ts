/**
 * The proxy's TLS files (certificate, key, CA bundle) as read into memory, and their reload on
 * SIGHUP: certificates expire, and replacing one must not restart the proxy (UDP calls and
 * open connections are untouched). A reload that fails keeps the old material.
 *
 * Error messages name files and reasons, never key material.
 */

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

export interface TlsMaterial {
  readonly cert: Buffer | null;
  readonly key: Buffer | null;
  readonly ca: Buffer | null;
  readonly verifyPeer: boolean;
  /**
   * Ignored by the proxy, kept for callers that still set it: the lowest version accepted and
   * offered is the policy's (proxy.tls.minVersion, passed to the ConnectionPool).
   */
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Registers a callback for when the material is replaced (ReloadableTls); absent: never replaced. */
  onReplace?(listener: () => void): void;
}

/** Where the TLS files are (proxy.tls, resolved against the config file). */
export interface TlsFiles {
  readonly certFile: string | null;
  readonly keyFile: string | null;
  readonly caFile: string | null;
  readonly verifyPeer: boolean;
}

/** What a log line says about a certificate: enough to tell which one is served, nothing secret. */
export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  /** SHA-256 fingerprint, colon-separated hex. */
  readonly fingerprint: string;
  readonly validFrom: string;
  readonly validTo: string;
}

/** Reads the PEM files; throws an Error naming the file and the reason (e.g. ENOENT). */
export function readTlsMaterial(files: TlsFiles): TlsMaterial {
  const read = (file: string | null, what: string) => {
    if (file === null) return null;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(
        `cannot read the TLS ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
  };
  return {
    cert: read(files.certFile, 'certificate'),
    key: read(files.keyFile, 'key'),
    ca: read(files.caFile, 'CA bundle'),
    verifyPeer: files.verifyPeer,
  };
}

/**
 * Throws when the material cannot serve TLS: a certificate that does not parse, a key that does
 * not parse or does not belong to the certificate, a CA bundle OpenSSL refuses. The messages are
 * OpenSSL's reasons and our own words, never the PEM text.
 */
export function checkTlsMaterial(material: TlsMaterial): void {
  if (material.cert !== null) {
    const certificate = parse('certificate', () => new X509Certificate(material.cert as Buffer));
    if (material.key !== null) {
      const key = parse('key', () => createPrivateKey(material.key as Buffer));
      if (!certificate.checkPrivateKey(key)) throw new Error('the key does not belong to the certificate');
    }
  }
  parse('material', () =>
    createSecureContext({
      ...(material.cert !== null ? { cert: material.cert } : {}),
      ...(material.key !== null ? { key: material.key } : {}),
      ...(material.ca !== null ? { ca: material.ca } : {}),
    }),
  );
}

/** The first certificate of a PEM chain, summarized. */
export function summarizeCertificate(pem: Buffer): CertificateSummary {
  const certificate = new X509Certificate(pem);
  return {
    subject: certificate.subject.replaceAll('\n', ', '),
    issuer: certificate.issuer.replaceAll('\n', ', '),
    fingerprint: certificate.fingerprint256,
    validFrom: new Date(certificate.validFrom).toISOString(),
    validTo: new Date(certificate.validTo).toISOString(),
  };
}

/**
 * TLS material that can be replaced while the proxy runs: the TLS listeners swap their secure
 * context (server.setSecureContext) and the pool opens new connections with the new material.
 * Connections already open keep the context they were made with.
 */
export class ReloadableTls implements TlsMaterial {
  #material: TlsMaterial;
  readonly #listeners: (() => void)[] = [];

  constructor(material: TlsMaterial) {
    this.#material = material;
  }

  get cert(): Buffer | null {
    return this.#material.cert;
  }

  get key(): Buffer | null {
    return this.#material.key;
  }

  get ca(): Buffer | null {
    return this.#material.ca;
  }

  get verifyPeer(): boolean {
    return this.#material.verifyPeer;
  }

  onReplace(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** Checks the new material first (checkTlsMaterial throws and nothing changes), then swaps it in. */
  replace(material: TlsMaterial): void {
    checkTlsMaterial(material);
    const previous = this.#material;
    this.#material = material;
    try {
      for (const listener of this.#listeners) listener();
    } catch (error) {
      // A listener refused it (setSecureContext threw): put the old material back everywhere.
      this.#material = previous;
      for (const listener of this.#listeners) listener();
      throw error;
    }
  }
}

function parse<T>(what: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new Error(`the ${what} cannot be used: ${reasonOf(error)}`);
  }
}

/** OpenSSL's reason ("key values mismatch", "no start line"), without file contents. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const openssl = /error:[0-9A-F]+:[^:]*:[^:]*:([^:\n]+)/.exec(message);
  return (openssl?.[1] ?? message).slice(0, 200);
}
