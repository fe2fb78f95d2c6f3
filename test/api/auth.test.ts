/**
 * The bearer token: with http.token set, everything but /healthz and the dashboard's files needs
 * `Authorization: Bearer <token>`; a 401 says so with WWW-Authenticate. Without a token, all open.
 */
import test from 'ava';
import { bearerMatches } from '../../src/api/auth.js';
import { json, serve } from './server-fixture.js';

const TOKEN = 's3cret-token_value.1';
const PROTECTED = [
  '/metrics',
  '/api/calls',
  '/api/calls/x',
  '/api/findings',
  '/api/profiles',
  '/api/status',
  '/api/nothing',
];

test('with a token: protected routes answer 401 without it or with a wrong one, 2xx/404 with it', async (t) => {
  const api = await serve({ token: TOKEN });
  t.teardown(() => api.close());
  for (const path of PROTECTED) {
    for (const token of [undefined, 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1), '']) {
      const response = await api.get(path, token);
      t.is(response.status, 401, `${path} with ${token}`);
      t.is(response.headers.get('www-authenticate'), 'Bearer realm="trunkguard"');
      t.is(response.headers.get('cache-control'), 'no-store');
      t.is((await json(response)).error, 'unauthorized');
    }
    const response = await api.get(path, TOKEN);
    t.true([200, 404].includes(response.status), `${path}: ${response.status}`);
  }
  // A bad parameter without the token is a 401, not a 400: nothing is read before the token.
  t.is((await api.get('/api/calls?limit=abc')).status, 401);
});

test('with a token: the scheme is case-insensitive; other schemes and query tokens are refused', async (t) => {
  const api = await serve({ token: TOKEN });
  t.teardown(() => api.close());
  const get = (authorization: string) => fetch(`${api.base}/api/calls`, { headers: { authorization } });
  t.is((await get(`bearer ${TOKEN}`)).status, 200);
  t.is((await get(`Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`)).status, 401);
  t.is((await get(TOKEN)).status, 401);
  t.is((await api.get(`/api/calls?token=${TOKEN}`)).status, 401);
});

test('with a token: /healthz and the dashboard files stay public', async (t) => {
  const api = await serve({ token: TOKEN });
  t.teardown(() => api.close());
  t.is((await api.get('/healthz')).status, 200);
  t.is((await api.get('/')).status, 200);
  t.is((await api.get('/assets/app.js')).status, 200);
});

test('without a token: everything answers without Authorization', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  for (const path of PROTECTED.filter((path) => !path.includes('/x') && path !== '/api/nothing')) {
    t.is((await api.get(path)).status, 200, path);
  }
});

test('bearerMatches compares the whole token', (t) => {
  t.true(bearerMatches(`Bearer ${TOKEN}`, TOKEN));
  t.true(bearerMatches(`Bearer   ${TOKEN}  `, TOKEN));
  t.false(bearerMatches(undefined, TOKEN));
  t.false(bearerMatches('Bearer', TOKEN));
  t.false(bearerMatches(`Bearer ${TOKEN} extra`, TOKEN));
  t.false(bearerMatches(`Bearer ${TOKEN.toUpperCase()}`, TOKEN));
});
