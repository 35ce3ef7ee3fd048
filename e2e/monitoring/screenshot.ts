/**
 * A PNG of the dashboard's queries drawn by the test renderer (render/), in Debian's Chromium driven
 * by playwright-core (as the VS Code UI test drives it): a small HTTP server on a free loopback port
 * serves the page, uPlot, deploy/grafana/strata-dashboard.json and forwards `/api/v1/*` to Prometheus.
 */
import { createReadStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DASHBOARD } from './dashboard.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const uplotDist = path.dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
export const CHROMIUM = process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium';

const files: Record<string, [string, string]> = {
  '/': [path.join(here, 'render/index.html'), 'text/html; charset=utf-8'],
  '/render.js': [path.join(here, 'render/render.js'), 'text/javascript; charset=utf-8'],
  '/render.css': [path.join(here, 'render/render.css'), 'text/css; charset=utf-8'],
  '/uplot/uPlot.iife.min.js': [path.join(uplotDist, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
  '/uplot/uPlot.min.css': [path.join(uplotDist, 'uPlot.min.css'), 'text/css; charset=utf-8'],
  '/dashboard.json': [DASHBOARD, 'application/json'],
};

function serve(prometheusUrl: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const file = files[url.pathname];
    if (file) {
      res.writeHead(200, { 'content-type': file[1] });
      createReadStream(file[0]).pipe(res);
      return;
    }
    if (url.pathname.startsWith('/api/v1/')) {
      fetch(`${prometheusUrl}${url.pathname}${url.search}`).then(
        async (r) => {
          res.writeHead(r.status, { 'content-type': 'application/json' });
          res.end(Buffer.from(await r.arrayBuffer()));
        },
        (err: Error) => {
          res.writeHead(502);
          res.end(err.message);
        },
      );
      return;
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Draws the dashboard for [`from`, `to`] (unix seconds) with `$__rate_interval` = `rate` and saves a
 * full-page PNG to `out`. Throws if the page reports an error.
 */
export async function screenshot(opts: {
  prometheusUrl: string;
  from: number;
  to: number;
  rate: string;
  out: string;
}): Promise<void> {
  const server = await serve(opts.prometheusUrl);
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
    const q = new URLSearchParams({ from: String(opts.from), to: String(opts.to), rate: opts.rate });
    await page.goto(`http://127.0.0.1:${port}/?${q.toString()}`);
    await page.waitForFunction(() => {
      const b = (globalThis as unknown as { document: { body: { dataset: Record<string, string> } } })
        .document.body.dataset;
      return b.done === '1' || b.error !== undefined;
    });
    const error = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body
          .dataset.error,
    );
    if (error) throw new Error(`the dashboard page failed: ${error}`);
    mkdirSync(path.dirname(opts.out), { recursive: true });
    await page.screenshot({ path: opts.out, fullPage: true });
  } finally {
    await browser.close();
    await new Promise((res) => server.close(res));
  }
}

/** The PNG's width and height (its IHDR), to check it is a picture of the whole dashboard. */
export function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  if (b.toString('latin1', 1, 4) !== 'PNG') throw new Error(`${file} is not a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
