/**
 * The dashboard's static files: index at /, files under /assets/ with their content types, a CSP
 * on the page, and nothing outside the folder, however the path is spelled.
 */
import { existsSync } from 'node:fs';
import test from 'ava';
import { json, SECRET_TEXT, serve } from './server-fixture.js';

test('GET / is index.html; /assets/* the folder files, with their content types', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  const page = await api.get('/');
  t.is(page.status, 200);
  t.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
  t.regex(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  t.is(page.headers.get('x-content-type-options'), 'nosniff');
  t.regex(await page.text(), /<title>trunkguard<\/title>/);
  const expected: [string, string][] = [
    ['/assets/app.js', 'text/javascript; charset=utf-8'],
    ['/assets/style.css', 'text/css; charset=utf-8'],
    ['/assets/img/logo.svg', 'image/svg+xml'],
    ['/assets/index.html', 'text/html; charset=utf-8'],
  ];
  for (const [path, type] of expected) {
    const response = await api.get(path);
    t.is(response.status, 200, path);
    t.is(response.headers.get('content-type'), type, path);
  }
  t.is((await api.get('/?token=abc')).status, 200, 'a query on the page is ignored');
});

test('missing files and folders: 404 JSON', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  for (const path of ['/assets/nothing.js', '/assets/img', '/assets/img/', '/assets/']) {
    const response = await api.get(path);
    t.is(response.status, 404, path);
    t.is((await json(response)).error, 'not-found', path);
  }
});

test('traversal and hidden files are refused, however spelled', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  const attempts = [
    '/assets/../../package.json',
    '/assets/../secret.txt',
    '/assets/../../secret.txt',
    '/assets/..%2fsecret.txt',
    '/assets/..%2F..%2Fpackage.json',
    '/assets/%2e%2e/secret.txt',
    '/assets/%2e%2e%2fsecret.txt',
    '/assets/img/../../secret.txt',
    '/assets/..\\secret.txt',
    '/assets/..%5csecret.txt',
    '/assets/%00/secret.txt',
    '/assets//etc/passwd',
    '/assets/%2fetc%2fpasswd',
    '/assets/.env',
    '/assets/%2eenv',
    '/../secret.txt',
    '/assets/./app.js',
  ];
  for (const path of attempts) {
    const response = await api.raw(path);
    t.true(response.status >= 400 && response.status < 500, `${path}: ${response.status}`);
    t.false(response.body.includes(SECRET_TEXT), path);
    t.false(response.body.includes('"name": "trunkguard"'), path);
    t.false(response.body.includes('root:'), path);
  }
});

test('a symlink out of the folder is refused', async (t) => {
  const { symlinkSync } = await import('node:fs');
  const { join } = await import('node:path');
  const api = await serve();
  t.teardown(() => api.close());
  symlinkSync(join(api.dashboardDir, '..', 'secret.txt'), join(api.dashboardDir, 'link.txt'));
  const response = await api.get('/assets/link.txt');
  t.is(response.status, 404);
  t.false((await response.text()).includes(SECRET_TEXT));
});

test('no dashboard folder: / answers 404 JSON saying so', async (t) => {
  const api = await serve({ noDashboard: true });
  t.teardown(() => api.close());
  const response = await api.get('/');
  t.is(response.status, 404);
  const body = await json(response);
  t.is(body.error, 'not-found');
  t.regex(body.message, /dashboard/);
  t.is((await api.get('/assets/app.js')).status, 404);
});

/** The repo's own dashboard (written separately), found without dashboardDir when it is there. */
const REPO_DASHBOARD = existsSync('src/api/dashboard/index.html');

(REPO_DASHBOARD ? test : test.skip)(
  'without dashboardDir, the repo’s src/api/dashboard/ is served',
  async (t) => {
    const api = await serve({ defaultDashboard: true });
    t.teardown(() => api.close());
    const page = await api.get('/');
    t.is(page.status, 200);
    t.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
    t.regex(await page.text(), /trunkguard/);
  },
);
