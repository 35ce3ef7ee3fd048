/** `--tls` parsing (Dgraph's superflag): the node's options, the client half, and the refusals. */
import { describe, expect, it } from 'vitest';
import { parseTlsFlag, serverTls, TlsFlagError } from '../src/index.js';

describe('parseTlsFlag', () => {
  it('reads every node option, keys case-insensitive, client-auth-type in any case', () => {
    expect(
      parseTlsFlag(
        ' ca-cert=/c/ca.crt; Server-Cert=/c/n.crt;server-key=/c/n.key; client-auth-type=requireandverify; ' +
          'internal-port=true; client-cert=/c/cl.crt; client-key=/c/cl.key; server-name=node1; use-system-ca=false;',
        'server',
      ),
    ).toEqual({
      caCert: '/c/ca.crt',
      serverCert: '/c/n.crt',
      serverKey: '/c/n.key',
      clientAuthType: 'REQUIREANDVERIFY',
      internalPort: true,
      clientCert: '/c/cl.crt',
      clientKey: '/c/cl.key',
      serverName: 'node1',
      useSystemCa: false,
    });
  });

  it("defaults as Dgraph's: VERIFYIFGIVEN, no internal TLS; Dgraph's empty defaults (key=;) are no option", () => {
    expect(parseTlsFlag('server-cert=a; server-key=b', 'server')).toEqual({
      serverCert: 'a',
      serverKey: 'b',
      clientAuthType: 'VERIFYIFGIVEN',
      internalPort: false,
    });
    expect(parseTlsFlag(undefined, 'server')).toBeUndefined();
    expect(parseTlsFlag('ca-cert=; client-cert=;', 'client')).toBeUndefined();
  });

  it('takes only the client half on a client command, and says which options are the node’s', () => {
    expect(parseTlsFlag('ca-cert=ca.crt; client-cert=c; client-key=k', 'client')).toMatchObject({
      caCert: 'ca.crt',
      clientCert: 'c',
      clientKey: 'k',
    });
    expect(() => parseTlsFlag('server-cert=x', 'client')).toThrow(
      /unknown option "server-cert" \(a node option\)/,
    );
  });

  it.each([
    ['cert=x', /unknown option "cert" \(options: ca-cert, client-cert/],
    [
      'client-auth-type=SOMETIMES',
      /client-auth-type is one of REQUEST, REQUIREANY, VERIFYIFGIVEN, REQUIREANDVERIFY, not "SOMETIMES"/,
    ],
    ['internal-port=yes', /internal-port is true or false, not "yes"/],
  ])('refuses %s', (flag, message) => {
    expect(() => parseTlsFlag(flag, 'server')).toThrow(TlsFlagError);
    expect(() => parseTlsFlag(flag, 'server')).toThrow(message);
  });
});

describe('serverTls refuses incomplete settings before reading any file', () => {
  const base = { clientAuthType: 'VERIFYIFGIVEN' as const, internalPort: false };
  it.each([
    ['no server key', { ...base, serverCert: 'n.crt' }, /server-cert and server-key are needed/],
    ['only a CA', { ...base, caCert: 'ca.crt' }, /server-cert and server-key are needed/],
    [
      'internal-port without a client certificate',
      { ...base, serverCert: 'n.crt', serverKey: 'n.key', caCert: 'ca.crt', internalPort: true },
      /internal-port=true .* needs this node's client certificate/,
    ],
    [
      'internal-port without a CA',
      {
        ...base,
        serverCert: 'n.crt',
        serverKey: 'n.key',
        clientCert: 'c',
        clientKey: 'k',
        internalPort: true,
      },
      /internal-port=true needs ca-cert=FILE/,
    ],
    [
      'verification with nothing to verify against',
      { ...base, serverCert: 'n.crt', serverKey: 'n.key', useSystemCa: false },
      /client-auth-type=VERIFYIFGIVEN needs ca-cert=FILE/,
    ],
  ])('%s', (_name, flag, message) => {
    expect(() => serverTls(flag)).toThrow(message);
  });
});
