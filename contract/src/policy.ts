/**
 * Defaults that the edge (functions/), the routing model and asterisk-config must agree on.
 * One list each; see docs/architecture.md.
 */

/** Always allowed and always routed, whatever a policy says (US/NANP 911 and 933 test). */
export const DEFAULT_EMERGENCY_NUMBERS: readonly string[] = ['911', '933'];

/**
 * Blocked unless a policy says otherwise: US premium-rate (900, 976), the Caribbean NANP
 * countries that one-ring and callback fraud use (they dial like +1 numbers), and international
 * premium/satellite ranges (+881, +882, +883, +979).
 */
export const DEFAULT_BLOCKED_PREFIXES: readonly string[] = [
  '+1900',
  '+1976',
  '+1242',
  '+1246',
  '+1264',
  '+1268',
  '+1284',
  '+1345',
  '+1441',
  '+1473',
  '+1649',
  '+1664',
  '+1721',
  '+1758',
  '+1767',
  '+1784',
  '+1809',
  '+1829',
  '+1849',
  '+1868',
  '+1869',
  '+1876',
  '+881',
  '+882',
  '+883',
  '+979',
];
