/**
 * The extension in a REAL VS Code: code-server 4.139.1 (VS Code 1.139.1, its own Node 24) with
 * dist/strata-vscode.vsix and the harness extension installed, driven by Chromium through
 * playwright-core. The test opens the Strata Backups view on the fixture location
 * v20.11-series-2groups, expands it down to a predicate (and a backup's chain line), opens a
 * manifest, verifies the series and previews a restore plan from context menus, previews an expire
 * on a temp location of two series and runs it through the notification and the modal
 * confirmation, and checks the results on screen (DOM text + screenshots under
 * test-results/ui/) and through the extension host API (the harness's JSON).
 * STRATA_UPDATE_SCREENSHOT=1 also copies the final screenshot to media/screenshot.png.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  FULL_3G,
  mergedFixtures,
  PKG_DIR,
  SERIES_2G,
  SERIES_2G_BACKUP_LABELS,
  SERIES_3G,
} from '../helpers.js';

const SHOTS = path.join(PKG_DIR, 'test-results/ui');
const CHROMIUM = process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Text as Monaco renders it (non-breaking spaces). */
const plain = (s: string): string => s.replace(/\u00a0/g, ' ');

describe('Strata Backups in a real VS Code (code-server + Chromium)', () => {
  const codeServerDir = inject('codeServerDir');
  const launcher = path.join(codeServerDir, 'code-server');
  const work = mkdtempSync(path.join(tmpdir(), 'strata-ui-'));
  const extDir = path.join(work, 'extensions');
  const userDir = path.join(work, 'user-data');
  const workspace = path.join(work, 'workspace');
  const resultFile = path.join(work, 'harness-result.json');
  const missing = path.join(work, 'no-backups-here');
  // A writable location of two series (loving_jones5, older; jolly_yalow0) for expire.
  const expireCopy = mergedFixtures([FULL_3G, SERIES_3G], 'expire-copy');
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(work, 'xdg-config'),
    XDG_DATA_HOME: path.join(work, 'xdg-data'),
  };
  let server: ChildProcess | undefined;
  // A stand-in /admin for "Restore Online into Alpha…": records the requests, answers as an Alpha.
  const adminRequests: { query: string; variables: Record<string, unknown> }[] = [];
  let admin: Server | undefined;
  let adminUrl = '';
  let serverLog = '';
  let browser: BrowserContext | undefined;
  let page: Page;
  let url: string;
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const lap = (name: string): void => {
    timings[name] = Date.now() - mark;
    mark = Date.now();
  };

  beforeAll(async () => {
    admin = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const q = JSON.parse(body) as { query: string; variables: Record<string, unknown> };
        adminRequests.push(q);
        const data = q.query.includes('restoreStatus')
          ? { restoreStatus: { status: 'OK', errors: [] } }
          : { restore: { code: 'Success', message: 'Restore operation started.', restoreId: 7 } };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data }));
      });
    });
    await new Promise<void>((r) => admin!.listen(0, '127.0.0.1', r));
    adminUrl = `http://127.0.0.1:${(admin.address() as { port: number }).port}/admin`;
    mkdirSync(SHOTS, { recursive: true });
    mkdirSync(workspace, { recursive: true });
    mkdirSync(path.join(userDir, 'User'), { recursive: true });
    writeFileSync(
      path.join(userDir, 'User/settings.json'),
      JSON.stringify(
        {
          'strata.locations': [SERIES_2G, missing, expireCopy.dir],
          'strata.alphaAdminUrl': adminUrl,
          'strata.restoreStatusPollMs': 100,
          'strataHarness.out': resultFile,
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'workbench.welcomePage.walkthroughs.openOnInstall': false,
          'security.workspace.trust.enabled': false,
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'telemetry.telemetryLevel': 'off',
          'window.commandCenter': false,
          'chat.disableAIFeatures': true,
          'workbench.colorTheme': 'Default Dark Modern',
          'workbench.secondarySideBar.defaultVisibility': 'hidden',
          'chat.commandCenter.enabled': false,
          'remote.autoForwardPorts': false,
          'workbench.hover.delay': 60000,
        },
        null,
        2,
      ),
    );
    for (const vsix of [inject('vsix'), inject('harnessVsix')]) {
      execFileSync(
        launcher,
        ['--extensions-dir', extDir, '--user-data-dir', userDir, '--install-extension', vsix],
        {
          env,
          stdio: 'pipe',
        },
      );
    }
    lap('install extensions');

    const port = await freePort();
    url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
    const configFile = path.join(work, 'code-server.yaml');
    writeFileSync(configFile, 'auth: none\n');
    server = spawn(
      launcher,
      [
        '--config',
        configFile,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--extensions-dir',
        extDir,
        '--user-data-dir',
        userDir,
        workspace,
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'], detached: false },
    );
    server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
    await waitFor('code-server to listen', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      return r?.ok ? true : undefined;
    });
    lap('start code-server');

    browser = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 860 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    lap('open workbench');
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    rmSync(work, { recursive: true, force: true });
    expireCopy.cleanup();
    admin?.close();
    console.log(`ui timings (ms): ${JSON.stringify(timings)}`);
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page) return;
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
    await page.screenshot({ path: path.join(SHOTS, `failed-${name}.png`) }).catch(() => undefined);
    const rows = await page
      .locator('.monaco-list-row')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    console.log(`rows on screen: ${JSON.stringify(rows)}`);
  });

  const row = (label: string): Locator =>
    page
      .locator('#workbench\\.view\\.extension\\.strataBackups .monaco-list-row')
      .filter({
        has: page.locator('.label-name', {
          hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
        }),
      })
      .first();

  async function expand(label: string): Promise<void> {
    const r = row(label);
    await r.waitFor({ timeout: 30_000 });
    if ((await r.getAttribute('aria-expanded')) !== 'true') await r.click();
    await expect.poll(() => r.getAttribute('aria-expanded'), { timeout: 15_000 }).toBe('true');
  }

  async function contextMenu(label: string, item: string): Promise<void> {
    await row(label).click({ button: 'right' });
    const entry = page.locator('.context-view .monaco-menu .action-menu-item', { hasText: item }).first();
    await entry.waitFor({ timeout: 10_000 });
    await entry.hover();
    await entry.click();
    await page
      .locator('.context-view .monaco-menu')
      .waitFor({ state: 'detached', timeout: 10_000 })
      .catch(() => undefined);
  }

  async function shot(name: string): Promise<string> {
    await page.mouse.move(1000, 300); // no hover tooltip over the tree
    const file = path.join(SHOTS, `${name}.png`);
    await page.screenshot({ path: file });
    return file;
  }

  it('opens the view on a fixture location and expands it down to a predicate', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Strata Backups"]').first().click();
    await row('v20.11-series-2groups').waitFor({ timeout: 30_000 });
    // A wider side bar, so that descriptions show in the screenshots.
    const side = await page.locator('#workbench\\.parts\\.sidebar').boundingBox();
    const sashes = await page.locator('.monaco-sash.vertical').all();
    let box: { x: number; y: number; width: number; height: number } | null = null;
    for (const s of sashes) {
      const b = await s.boundingBox();
      if (b && side && b.height > 200 && Math.abs(b.x + b.width / 2 - (side.x + side.width)) < 6) box = b;
    }
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(640, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
    }
    await expand('v20.11-series-2groups');
    await expand('wizardly_blackburn2');
    await expand('#2 incremental');
    await expand('group 2');
    await row('age').waitFor();
    const view = page.locator('#workbench\\.view\\.extension\\.strataBackups');
    const labels = await view.locator('.monaco-list-row .label-name').allInnerTexts();
    expect(labels).toEqual(
      expect.arrayContaining([
        'wizardly_blackburn2',
        '#1 full',
        '#2 incremental',
        '#6 incremental',
        'group 1',
        'group 2',
        'name',
        'age',
      ]),
    );
    const descriptions = (await view.locator('.monaco-list-row .label-description').allInnerTexts()).map(
      plain,
    );
    expect(descriptions).toContain('6 backups · plain · 2021-07-06 13:04 → 13:06');
    expect(
      descriptions.some((d) => /^since 55 → readTs 58 · 2021-07-06 13:04:44 · [\d.]+ (B|KiB)$/.test(d)),
    ).toBe(true);
    // icons: a full backup shows the database codicon, incrementals diff-added
    expect(await row('#1 full').locator('.codicon-database').count()).toBe(1);
    expect(await row('#2 incremental').locator('.codicon-diff-added').count()).toBe(1);
    expect(await row('wizardly_blackburn2').locator('.codicon-history').count()).toBe(1);
    // the chain line of backup #2: what its restore point needs (core's chain check)
    const chain = row('chain: #1 full → #2');
    await chain.waitFor();
    expect(plain(await chain.locator('.label-description').innerText())).toBe('restores 2 backups');
    expect(await chain.locator('.codicon-link').count()).toBe(1);
    lap('expand tree');
    await shot('1-tree');
  });

  it('"Open Manifest" shows the manifest as a read-only JSON document', async () => {
    await contextMenu('#2 incremental', 'Open Manifest');
    const tab = page.locator('.tabs-container .tab', { hasText: 'manifest.json' }).first();
    await tab.waitFor({ timeout: 20_000 });
    const editor = page.locator('.editor-instance .view-lines').first();
    await expect
      .poll(async () => plain(await editor.innerText()), { timeout: 20_000 })
      .toContain('"backup_id": "wizardly_blackburn2"');
    const text = plain(await editor.innerText());
    expect(text).toContain('"type": "incremental"');
    expect(text).toContain('"backup_num": 2');
    lap('open manifest');
    await shot('2-manifest');
  });

  it('"Verify Series" reports OK in a notification', async () => {
    await contextMenu('wizardly_blackburn2', 'Verify Series');
    const toast = page
      .locator('.notifications-toasts .notification-list-item-message', {
        hasText: 'Verify series wizardly_blackburn2',
      })
      .first();
    await toast.waitFor({ timeout: 30_000 });
    expect(plain(await toast.innerText())).toBe(
      'Strata: Verify series wizardly_blackburn2: OK — 6 backups, 12 files read end to end',
    );
    // the progress notification has gone
    await page
      .locator('.notifications-toasts .notification-list-item-message', { hasText: 'verifying series' })
      .waitFor({ state: 'detached', timeout: 10_000 })
      .catch(() => undefined);
    await page.waitForTimeout(400); // the toast's fade-in
    lap('verify');
    const final = await shot('3-verify');
    if (process.env.STRATA_UPDATE_SCREENSHOT === '1')
      copyFileSync(final, path.join(PKG_DIR, 'media/screenshot.png'));
  });

  it("an unreadable location shows core's error (the CLI's text) in the tree and as a notification", async () => {
    await expand('no-backups-here');
    const text = `backup location not found: ${missing}`;
    await row(text).waitFor({ timeout: 15_000 });
    expect(await row(text).locator('.codicon-error').count()).toBe(1);
    const toast = page
      .locator('.notifications-toasts .notification-list-item-message', {
        hasText: 'backup location not found',
      })
      .first();
    await toast.waitFor({ timeout: 15_000 });
    expect(plain(await toast.innerText())).toBe(`Strata: ${text}`);
    lap('error');
    await shot('4-error');
  });

  /** The text of the editor showing a `strata-plan:` document whose text contains `marker`. */
  async function editorText(marker: string): Promise<string> {
    const editor = page.locator('.editor-instance .view-lines', { hasText: marker }).first();
    await editor.waitFor({ timeout: 30_000 });
    return plain(await editor.innerText());
  }

  it('"Preview Restore Plan" shows core\'s dry-run plan as a read-only document', async () => {
    await contextMenu('#2 incremental', 'Preview Restore Plan');
    await page
      .locator('.tabs-container .tab', { hasText: 'wizardly_blackburn2-2.txt' })
      .first()
      .waitFor({ timeout: 30_000 });
    const text = await editorText('Restore plan');
    expect(text).toContain('Restore plan (dry run: nothing was written) — backup wizardly_blackburn2 #2');
    expect(text).toMatch(/2 backups \(#1 full → #2\), 2 groups: 4 files, 1\.5 KiB, [\d,]+ KVs/);
    expect(text).toContain('#1 full, readTs 55, 2021-07-06 13:04:27  (dgraph.20210706.130427.532)');
    // bytes as stored: 530 + 380 and 289 + 315 (the files of #1 and #2)
    expect(text).toMatch(/group 1: 2 files, 910 B, [\d,]+ KVs, 9 predicates/);
    expect(text).toMatch(/group 2: 2 files, 604 B, [\d,]+ KVs, 2 predicates/);
    lap('restore plan');
    await shot('5-restore-plan');
  });

  it('"Restore Online into Alpha…" shows the plan, asks (modal), then restores and follows the status', async () => {
    await contextMenu('#2 incremental', 'Restore Online into Alpha…');
    const dialog = page.locator('.monaco-dialog-box').first();
    await dialog.waitFor({ timeout: 30_000 });
    // the plan is open before the question, and the Alpha has not been asked anything yet
    const text = await editorText('Restore plan');
    expect(text).toContain(`into: the Alpha at ${adminUrl}`);
    expect(text).toMatch(/group 1: 2 files, 910 B, [\d,]+ KVs, 9 predicates/);
    expect(adminRequests).toEqual([]);
    const dialogText = plain(await dialog.innerText());
    expect(dialogText).toContain(
      `Restore wizardly_blackburn2 #2 (backups 1..2 of the series) into the Alpha at ${adminUrl}?`,
    );
    expect(dialogText).toMatch(
      /Plan \(open in the editor\): 2 backups \(#1 full → #2\), 2 groups: 4 files, 1\.5 KiB, [\d,]+ KVs\./,
    );
    await shot('6-restore-confirm');
    await dialog
      .locator('.monaco-button', { hasText: /^Restore$/ })
      .first()
      .click();
    // The result ("restore 7: OK"), not the progress toast of the same restore ("restore 7"),
    // which can be on screen first.
    const toast = page
      .locator('.notifications-toasts .notification-list-item-message', { hasText: /restore 7: / })
      .first();
    await toast.waitFor({ timeout: 30_000 });
    expect(plain(await toast.innerText())).toBe('Strata: restore 7: OK');
    expect(adminRequests[0]!.query).toContain('restore(input: $input)');
    expect(adminRequests[0]!.variables).toEqual({
      input: { location: SERIES_2G, backupId: 'wizardly_blackburn2', backupNum: 2 },
    });
    expect(adminRequests.slice(1).every((r) => r.query.includes('restoreStatus'))).toBe(true);
    lap('restore online');
  });

  it('"Preview Expire…" marks what would go; "Expire now…" behind a modal removes it', async () => {
    await contextMenu('expire-copy', 'Preview Expire…');
    const pick = page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Keep the last N series' })
      .first();
    await pick.waitFor({ timeout: 15_000 });
    await pick.click();
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor();
    await input.fill('1');
    await page.keyboard.press('Enter');
    const plan = await editorText('Expire preview');
    expect(plan).toContain(
      `Expire preview (dry run: nothing was removed) — strata expire ${expireCopy.dir} --keep-series 1 --dry-run`,
    );
    expect(plan).toContain('would remove 1 backup:');
    expect(plan).toContain('loving_jones5 #1 full, readTs 68, 2020-11-25 17:39:44');
    expect(plan).toContain('why: series 2 of 2 (newest first), beyond --keep-series 1');
    expect(plan).toContain('would keep 3 backups:');
    const toast = page
      .locator('.notifications-toasts .notification-list-item', { hasText: 'expire preview of' })
      .first();
    await toast.waitFor({ timeout: 15_000 });
    expect(plain(await toast.locator('.notification-list-item-message').innerText())).toBe(
      `Strata: expire preview of ${expireCopy.dir}: would remove 1 backup, keep 3`,
    );
    // the tree marks the backup the preview removes (red trash icon, description)
    await expand('expire-copy');
    await expand('loving_jones5');
    const doomed = page.locator(
      '#workbench\\.view\\.extension\\.strataBackups .monaco-list-row[aria-label*="expire: would be removed"]',
    );
    await doomed.first().waitFor({ timeout: 15_000 });
    expect(await doomed.count()).toBe(1);
    expect(await doomed.locator('.codicon-trash').count()).toBe(1);
    expect(await doomed.locator('.label-name').innerText()).toBe('#1 full');
    expect(existsSync(path.join(expireCopy.dir, 'dgraph.20201125.173944.587'))).toBe(true);
    lap('expire preview');
    await shot('7-expire-preview');

    await toast.hover();
    await toast.locator('.monaco-button', { hasText: 'Expire now…' }).first().click();
    const dialog = page.locator('.monaco-dialog-box').first();
    await dialog.waitFor({ timeout: 15_000 });
    const dialogText = plain(await dialog.innerText());
    expect(dialogText).toContain(`Remove 1 backup from ${expireCopy.dir} (--keep-series 1)?`);
    expect(dialogText).toContain('Do not run it while a backup writes to this location');
    await dialog.locator('.monaco-button', { hasText: 'Expire now' }).first().click();
    // the result, not the "Strata: planning expire of …" progress that may still show
    const done = page
      .locator('.notifications-toasts .notification-list-item-message', { hasText: /expire of .*: removed/ })
      .first();
    await done.waitFor({ timeout: 30_000 });
    expect(plain(await done.innerText())).toBe(
      `Strata: expire of ${expireCopy.dir}: removed 1 backup (4 files deleted), kept 3`,
    );
    const result = await editorText('Expire —');
    expect(result).toContain('removed 1 backup:');
    expect(result).toContain('4 files deleted');
    // gone from the location and, after the refresh, from the tree
    expect(existsSync(path.join(expireCopy.dir, 'dgraph.20201125.173944.587'))).toBe(false);
    await row('loving_jones5').waitFor({ state: 'detached', timeout: 15_000 });
    await row('jolly_yalow0').waitFor({ timeout: 15_000 });
    lap('expire now');
    await shot('8-expire-done');
  });

  it('the extension host API agrees (harness): tree, manifest, verify, native addon on Node 24', async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor();
    await input.fill('>Strata Harness: Collect Results');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Strata Harness: Collect Results' })
      .first()
      .waitFor();
    await page.keyboard.press('Enter');
    const result = await waitFor('the harness result', () =>
      existsSync(resultFile)
        ? (JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, unknown>)
        : undefined,
    );
    lap('harness');
    writeFileSync(path.join(SHOTS, 'harness-result.json'), JSON.stringify(result, null, 2));
    expect(result.error ?? null).toBeNull();
    expect(result.ok).toBe(true);
    expect(result.vscodeVersion).toBe('1.139.1');

    // The N-API addon, built for Node 20, loads unchanged in the extension host's Node 24 from
    // the extension's own dist/.
    const native = result.native as { ok: boolean; nativeVersion: string; node: string; addon: string };
    expect(native).toMatchObject({ ok: true, nativeVersion: '0.1.0' });
    expect(native.node).toMatch(/^v24\./);
    expect(result.hostNode).toBe(native.node);
    expect(native.addon).toBe(
      path.join(
        result.extensionPath as string,
        'dist/node_modules/@strata/native/strata-native.linux-x64-gnu.node',
      ),
    );

    const tree = result.tree as Record<
      string,
      { label: string; description: string; icon: string; contextValue: string }[]
    >;
    expect(tree.locations).toEqual([
      {
        kind: 'location',
        label: 'v20.11-series-2groups',
        description: SERIES_2G,
        icon: 'folder-library',
        contextValue: 'location',
      },
      {
        kind: 'location',
        label: 'no-backups-here',
        description: missing,
        icon: 'folder-library',
        contextValue: 'location',
      },
      {
        kind: 'location',
        label: 'expire-copy',
        description: expireCopy.dir,
        icon: 'folder-library',
        contextValue: 'location',
      },
    ]);
    expect(tree.series!.map((s) => [s.label, s.icon, s.contextValue])).toEqual([
      ['wizardly_blackburn2', 'history', 'series'],
    ]);
    expect(tree.backups!.map((b) => b.label)).toEqual(SERIES_2G_BACKUP_LABELS);
    expect(tree.chain).toEqual([
      {
        kind: 'chain',
        label: 'chain: #1 full → #2',
        description: 'restores 2 backups',
        icon: 'link',
        contextValue: 'chain',
      },
    ]);
    expect(tree.groups!.map((g) => g.label)).toEqual(['group 1', 'group 2']);
    expect(tree.predicates!.map((p) => [p.label, p.contextValue])).toEqual([
      ['name', 'predicate'],
      ['age', 'predicate'],
    ]);
    expect(result.treeVisible).toBe(true);

    // The document opened from the context menu, as the extension host sees it.
    const docs = result.manifestDocuments as { uri: string; languageId: string; text: string }[];
    expect(docs).toHaveLength(1);
    expect(docs[0]!.uri).toMatch(/^strata-manifest:\/wizardly_blackburn2\/2\/manifest\.json\?/);
    expect(docs[0]!.languageId).toBe('json');
    const file = readFileSync(path.join(SERIES_2G, 'dgraph.20210706.130444.413/manifest.json'), 'utf8');
    expect(JSON.parse(docs[0]!.text)).toEqual(JSON.parse(file));
    expect((result.apiManifest as { text: string }).text).toBe(docs[0]!.text);

    // The verify run from the UI and the same commands through vscode.commands.
    expect(result.uiVerify).toMatchObject({ ok: true, backups: 6, files: 12, problemCount: 0 });
    expect(result.apiVerifySeries).toEqual(result.uiVerify);
    expect(result.apiVerifyBackup).toMatchObject({
      ok: true,
      backups: 2,
      text: 'Verify backup wizardly_blackburn2 #2: OK — 2 backups, 4 files read end to end',
    });
    const cmd = `strata restore -l ${SERIES_2G} -p ./restored --backup_id wizardly_blackburn2 --backup_num 2`;
    expect(result.restoreCommand).toBe(cmd);
    expect(result.clipboard).toBe(cmd);

    // The plans: the restore plan previewed in the UI and the same through vscode.commands, the
    // expire the UI ran, an expire preview through vscode.commands (keep-last 2 keeps all 6).
    type Plan = {
      backups: { backupNum: number }[];
      groups: { group: number; files: number; bytes: number }[];
    };
    const uiPlan = result.uiRestorePlan as Plan;
    expect(uiPlan.backups.map((b) => b.backupNum)).toEqual([1, 2]);
    expect(uiPlan.groups.map((g) => [g.group, g.files, g.bytes])).toEqual([
      [1, 2, 910],
      [2, 2, 604],
    ]);
    expect(result.apiRestorePlan).toEqual(uiPlan);
    const uiExpire = result.uiExpire as {
      dryRun: boolean;
      remove: { backupId: string }[];
      filesDeleted: number;
    };
    expect(uiExpire).toMatchObject({ dryRun: false, filesDeleted: 4 });
    expect(uiExpire.remove.map((b) => b.backupId)).toEqual(['loving_jones5']);
    const apiExpire = result.apiExpirePreview as { dryRun: boolean; keep: unknown[]; remove: unknown[] };
    expect(apiExpire).toMatchObject({ dryRun: true, remove: [] });
    expect(apiExpire.keep).toHaveLength(6);
    const planDocs = result.planDocuments as { uri: string; text: string }[];
    expect(planDocs.map((d) => d.uri).sort()).toEqual([
      'strata-plan:/expire/expire-copy.txt',
      'strata-plan:/restore/wizardly_blackburn2-2.txt',
    ]);
    expect(serverLog).not.toMatch(/Error: .*strata/i);
  });
});
