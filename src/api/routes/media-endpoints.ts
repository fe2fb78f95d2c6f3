/**
 * `GET /api/media-endpoints`: the media prefixes the carrier negotiated (src/report/media-endpoints.ts),
 * each inside or outside its published media ranges. Without an aggregator (a server built without
 * one), an empty snapshot of the profile.
 */
import type { FastifyInstance } from 'fastify';
import type { MediaEndpointsSnapshot } from '../../report/media-endpoints.js';
import type { ApiContext } from '../context.js';
import { readQuery } from '../query.js';

export type MediaEndpointsResponse = MediaEndpointsSnapshot;

export function registerMediaEndpointRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/api/media-endpoints', async (request): Promise<MediaEndpointsResponse> => {
    readQuery(request.query, {});
    if (context.mediaEndpoints !== null) return context.mediaEndpoints.snapshot();
    const profile = context.judgeConfig.profile;
    return {
      profile: profile.name,
      published: profile.mediaRanges.map((range) => range.cidr.text),
      prefixes: [],
      outside: 0,
      overflow: 0,
    };
  });
}
