/** `GET /api/profiles`: the carrier profile and the policy the proxy judges with, facts with sources. */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { type PolicyView, type ProfileView, policyView, profileView } from '../profile-view.js';
import { readQuery } from '../query.js';

export interface ProfilesResponse {
  readonly profile: ProfileView;
  readonly policy: PolicyView;
}

export function registerProfileRoutes(app: FastifyInstance, context: ApiContext): void {
  // Built once: the profile does not change while the proxy runs.
  const body: ProfilesResponse = {
    profile: profileView(context.judgeConfig.profile),
    policy: policyView(context.judgeConfig.policy),
  };
  app.get('/api/profiles', async (request): Promise<ProfilesResponse> => {
    readQuery(request.query, {});
    return body;
  });
}
