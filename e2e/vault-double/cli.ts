// Runs the Vault-API test double (./server.ts) as its own process:
//   node vault-double.mjs [--port N] [--host ADDR] [--root-token T] [--kv-mount NAME ...]
// Prints one JSON line {"addr","port","rootToken","unsealKey","pid"} once it listens; stops on
// SIGTERM/SIGINT. The tests bundle this file with esbuild (see tests/vault.ts) and spawn it.
import { startVaultDouble } from './server.js';

const args = process.argv.slice(2);
let port = 0;
let host = '127.0.0.1';
let rootToken: string | undefined;
const kvMounts: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const v = args[i + 1];
  if (a === '--port' && v !== undefined) port = Number(args[++i]);
  else if (a === '--host' && v !== undefined) host = args[++i]!;
  else if (a === '--root-token' && v !== undefined) rootToken = args[++i];
  else if (a === '--kv-mount' && v !== undefined) kvMounts.push(args[++i]!);
  else {
    process.stderr.write(`vault-double: unknown argument ${a}\n`);
    process.exit(2);
  }
}

const v = await startVaultDouble({
  port,
  host,
  ...(rootToken ? { rootToken } : {}),
  ...(kvMounts.length ? { kvMounts } : {}),
});
process.stdout.write(
  JSON.stringify({
    addr: v.addr,
    port: v.port,
    rootToken: v.rootToken,
    unsealKey: v.unsealKey,
    pid: process.pid,
  }) + '\n',
);
const stop = (): void => {
  void v.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
