/**
 * The certificate files of `--tls`, read and checked before anything listens or connects: a CA
 * file holds certificates, a certificate file a certificate that has not expired, a key file an
 * unencrypted private key that matches its certificate. Errors name the file and the problem,
 * never a key's bytes. A key file others can read draws a warning.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { InvalidArgumentError } from '../errors.js';

/** A warning when `file` can be read by its group or by others (a secret should be mode 600). */
export function secretFileWarning(file: string, what: string): string | undefined {
  const mode = statSync(file).mode & 0o777;
  return (mode & 0o077) !== 0
    ? `${what} file ${file} can be read by group or others (mode ${mode.toString(8)}): chmod 600 it`
    : undefined;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InvalidArgumentError(`${what} file ${file} cannot be read (${code})`, { file });
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM file, each checked to parse. */
function certificates(file: string, what: string): { pem: string; x509: X509Certificate[] } {
  const pem = readText(file, what);
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) {
    throw new InvalidArgumentError(`${what} file ${file} holds no PEM certificate (BEGIN CERTIFICATE)`, {
      file,
    });
  }
  const x509 = blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw new InvalidArgumentError(`${what} file ${file} holds a certificate that does not parse`, {
        file,
      });
    }
  });
  return { pem, x509 };
}

/** A CA file (`--tls ca-cert=`): PEM certificates that parse. */
export function readCaFile(file: string): string {
  return certificates(file, 'CA certificate').pem;
}

export interface KeyPair {
  cert: string;
  key: string;
  /** Set when the key file can be read by group or others. */
  warning?: string;
}

/**
 * A certificate and its private key (`server-cert`/`server-key` or `client-cert`/`client-key`):
 * both parse, the certificate is within its validity period and the key is its key.
 */
export function readKeyPair(certFile: string, keyFile: string, role: 'server' | 'client'): KeyPair {
  const { pem: cert, x509 } = certificates(certFile, `${role} certificate`);
  const leaf = x509[0]!;
  const now = Date.now();
  if (Date.parse(leaf.validTo) < now || Date.parse(leaf.validFrom) > now) {
    throw new InvalidArgumentError(
      `${role} certificate file ${certFile} is not valid now (valid from ${leaf.validFrom} to ${leaf.validTo})`,
      { file: certFile },
    );
  }
  const key = readText(keyFile, `${role} key`);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new InvalidArgumentError(
      `${role} key file ${keyFile} is not an unencrypted PEM private key (password-protected keys are not supported)`,
      { file: keyFile },
    );
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new InvalidArgumentError(
      `${role} key file ${keyFile} does not match the certificate in ${certFile}`,
      { file: keyFile },
    );
  }
  const warning = secretFileWarning(keyFile, `${role} key`);
  return warning ? { cert, key, warning } : { cert, key };
}
