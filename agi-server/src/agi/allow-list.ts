import { BlockList, isIP } from 'node:net';

/**
 * Who may open a FastAGI session (SB_AGI_ALLOW): addresses and CIDR blocks, IPv4 or IPv6,
 * comma-separated. Matching is Node's own `net.BlockList` (used here as an allow list): it
 * handles prefixes of any length and IPv4-mapped IPv6 peers (`::ffff:10.0.0.5`, what a server
 * bound to `::` sees for an IPv4 client). See docs/fastagi.md.
 */

/** The default: this host only, whatever the bind address (SB_AGI_HOST). */
export const LOOPBACK_ONLY = '127.0.0.0/8,::1';

export interface AllowRule {
  readonly address: string;
  /** Prefix length; a plain address is a /32 (IPv4) or /128 (IPv6). */
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** Parses `10.0.0.5, 10.1.0.0/16, fd00::/8`; throws an Error naming the first bad entry. */
export function parseAllowList(text: string): AllowRule[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error('names no address (use 127.0.0.1 for this host only)');
  return entries.map((entry) => {
    const slash = entry.indexOf('/');
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const version = isIP(address);
    if (version === 0) throw new Error(`"${entry}" is not an IP address or CIDR block`);
    const family = version === 4 ? 'ipv4' : 'ipv6';
    const bits = version === 4 ? 32 : 128;
    const prefixText = slash === -1 ? String(bits) : entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits)
      throw new Error(`"${entry}" has a prefix length outside 0-${bits}`);
    return { address, prefix: Number(prefixText), family };
  });
}

/** A predicate over a peer's address, as `socket.remoteAddress` / `remoteFamily` give it. */
export type AddressCheck = (address: string, family: string) => boolean;

export function allowListCheck(rules: readonly AllowRule[]): AddressCheck {
  const list = new BlockList();
  for (const rule of rules) list.addSubnet(rule.address, rule.prefix, rule.family);
  return (address, family) => list.check(address, family === 'IPv6' ? 'ipv6' : 'ipv4');
}

const LOOPBACK = allowListCheck(parseAllowList(LOOPBACK_ONLY));

/** True when the list admits no peer beyond this host (loopback addresses only). */
export function admitsLoopbackOnly(rules: readonly AllowRule[]): boolean {
  return rules.every((rule) =>
    rule.family === 'ipv4'
      ? rule.prefix >= 8 && LOOPBACK(rule.address, 'IPv4')
      : LOOPBACK(rule.address, 'IPv6') && rule.prefix >= (rule.address.includes('.') ? 104 : 128),
  );
}

/** True when a bind address (SB_AGI_HOST) is reachable from this host only. */
export function isLoopbackHost(host: string): boolean {
  const version = isIP(host);
  if (version === 0) return host === 'localhost';
  return LOOPBACK(host, version === 6 ? 'IPv6' : 'IPv4');
}
