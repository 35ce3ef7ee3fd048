import { describe, expect, it } from 'vitest';
import { AdminWhitelist } from '../src/index.js';

describe('AdminWhitelist', () => {
  it('always allows loopback, IPv4 and IPv6 (and IPv4-mapped)', () => {
    const w = new AdminWhitelist();
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(w.allows(a)).toBe(true);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', 'fd00::1', '', undefined])
      expect(w.allows(a)).toBe(false);
  });

  it('allows addresses inside the given CIDRs', () => {
    const w = new AdminWhitelist(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    expect(w.allows('10.200.3.4')).toBe(true);
    expect(w.allows('::ffff:10.200.3.4')).toBe(true);
    expect(w.allows('11.0.0.1')).toBe(false);
    expect(w.allows('192.168.1.7')).toBe(true);
    expect(w.allows('192.168.1.8')).toBe(false);
    expect(w.allows('fd12:3456::1')).toBe(true);
    expect(w.allows('fe80::1')).toBe(false);
  });

  it('refuses malformed CIDRs', () => {
    for (const c of ['10.0.0.0/33', 'nope/8', '10.0.0.0/8/1', '::/129', '10.0.0.0/x']) {
      expect(() => new AdminWhitelist([c])).toThrow(/invalid CIDR/);
    }
  });
});
