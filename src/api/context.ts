/** What the routes read: the proxy's listeners and counters, the store, the metrics, the judge config. */
import type { JudgeConfig } from '../policy/profile.js';
import type { ListenerSide, ProxyTransport } from '../proxy/settings.js';
import type { MediaEndpoints } from '../report/media-endpoints.js';
import type { Metrics } from '../report/metrics.js';
import type { RecentCalls } from '../report/recent-calls.js';
import type { Endpoint } from '../sip/envelope.js';
import type { ListenerView } from './routes/health.js';

/** The part of SipProxy the API reads (SipProxy satisfies it). */
export interface ApiProxyView {
  readonly listeners: readonly {
    readonly transport: ProxyTransport;
    readonly side: ListenerSide;
    readonly bound: Endpoint;
    readonly advertised: Endpoint;
  }[];
  readonly counters: { readonly [name: string]: number } | object;
  /** Sources the flood guard is dropping (proxy.limits.flood.block); absent where there is no guard. */
  readonly blockedSources?: number;
}

export interface ApiContext {
  readonly proxy: ApiProxyView;
  readonly store: RecentCalls;
  readonly metrics: Metrics;
  readonly judgeConfig: JudgeConfig;
  /** The carrier media endpoints aggregator, or null when the server was given none. */
  readonly mediaEndpoints: MediaEndpoints | null;
  /** The dashboard folder given, or null to look in the default places. */
  readonly dashboardDir: string | null;
  uptimeSeconds(): number;
  listeners(): ListenerView[];
}
