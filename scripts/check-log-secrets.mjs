#!/usr/bin/env node
// The e2e run's log audit: every secret the tests handed a Strata process (tokens, credentials,
// keys, Vault ids; e2e/tests/procs.ts notes them in DIR/secrets.jsonl) is looked for in every line
// any Strata process printed during the run (DIR/logs/*.log). Exits 1 naming the log (never the
// secret) when one is found, and when there is nothing to check (an audit of nothing proves nothing).
//   node scripts/check-log-secrets.mjs DIR
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/check-log-secrets.mjs DIR');
  process.exit(2);
}
let secrets;
let logs;
try {
  secrets = [
    ...new Set(
      readFileSync(join(dir, 'secrets.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ),
  ];
  logs = readdirSync(join(dir, 'logs')).filter((f) => f.endsWith('.log'));
} catch (err) {
  console.error(`log audit: nothing to check in ${dir}: ${err.message}`);
  process.exit(1);
}
if (secrets.length === 0 || logs.length === 0) {
  console.error(`log audit: nothing to check (${secrets.length} secrets, ${logs.length} logs)`);
  process.exit(1);
}
let bytes = 0;
const found = [];
for (const f of logs) {
  const text = readFileSync(join(dir, 'logs', f), 'utf8');
  bytes += text.length;
  secrets.forEach((s, i) => {
    if (text.includes(s)) found.push(`secret #${i + 1} (${s.length} characters) in ${f}`);
  });
}
const what = `${logs.length} process logs (${(bytes / 1e6).toFixed(1)} MB) for ${secrets.length} secrets`;
if (found.length > 0) {
  console.error(`log audit: FAILED: checked ${what}:\n  ${found.join('\n  ')}`);
  process.exit(1);
}
console.log(`log audit: checked ${what}: none found`);
