/**
 * Certificates made in the test with the openssl CLI: a CA, a node certificate it signs (for
 * 127.0.0.1 and localhost, usable as server and as client certificate), and a second, unrelated
 * CA with its own node certificate (a stranger to the cluster). EC P-256 keys, valid one day.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Pki {
  ca: string;
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA and one node certificate signed by it, in `dir/name-*`. */
export function makePki(dir: string, name: string): Pki {
  mkdirSync(dir, { recursive: true });
  const f = (s: string) => path.join(dir, `${name}-${s}`);
  openssl(
    [
      'req',
      '-x509',
      ...KEY,
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
      '-days',
      '1',
      '-subj',
      `/CN=${name} test CA`,
    ],
    dir,
  );
  openssl(['req', ...KEY, '-keyout', f('node.key'), '-out', f('node.csr'), '-subj', `/CN=${name} node`], dir);
  writeFileSync(
    f('ext.cnf'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature',
      'extendedKeyUsage=serverAuth,clientAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      f('node.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f('node.crt'),
      '-days',
      '1',
      '-extfile',
      f('ext.cnf'),
    ],
    dir,
  );
  chmodSync(f('node.key'), 0o600);
  return { ca: f('ca.crt'), cert: f('node.crt'), key: f('node.key') };
}
