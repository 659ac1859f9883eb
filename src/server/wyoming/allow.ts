/**
 * Which peers the Wyoming server answers. The protocol has no authentication, so beyond loopback
 * the server serves only the addresses and ranges it was given (Home Assistant's address).
 */
import { BlockList, isIP } from 'node:net';

/** `::ffff:192.168.1.5` (an IPv4 peer on a dual-stack socket) is `192.168.1.5`. */
export const plainAddress = (address: string): string => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/** Null when every peer is allowed (no rules); otherwise a test for one peer address. */
export function allowList(rules: readonly string[]): ((address: string) => boolean) | null {
  if (!rules.length) return null;
  const list = new BlockList();
  for (const rule of rules) {
    const [address = '', prefix] = rule.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (!isIP(address)) throw new Error(`not an IP address or CIDR range: ${JSON.stringify(rule)}`);
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    const plain = plainAddress(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}
