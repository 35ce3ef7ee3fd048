/** `/admin` access: loopback clients always, others only when their address is in a whitelisted CIDR. */
import { BlockList, isIP } from 'node:net';

export class AdminWhitelist {
  private readonly list = new BlockList();
  readonly cidrs: string[];

  /** Throws on a malformed CIDR (`10.0.0.0/8`, `fd00::/8`, or a bare address). */
  constructor(cidrs: string[] = []) {
    this.cidrs = cidrs;
    for (const c of cidrs) {
      const [addr, bits, extra] = c.trim().split('/');
      const family = isIP(addr ?? '');
      if (!addr || family === 0 || extra !== undefined) throw new Error(`invalid CIDR "${c}"`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const max = family === 4 ? 32 : 128;
      const prefix = bits === undefined ? max : Number(bits);
      if (!/^\d+$/.test(bits ?? String(max)) || prefix > max) throw new Error(`invalid CIDR "${c}"`);
      this.list.addSubnet(addr, prefix, type);
    }
  }

  /** True for loopback addresses and addresses inside a whitelisted CIDR. */
  allows(address: string | undefined): boolean {
    if (!address) return false;
    let a = address;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
    if (mapped) a = mapped[1]!;
    const family = isIP(a);
    if (family === 4 && a.startsWith('127.')) return true;
    if (family === 6 && (a === '::1' || a === '0:0:0:0:0:0:0:1')) return true;
    if (family === 0) return false;
    return this.list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  }
}
