import { createHash, randomBytes } from 'node:crypto';
import type { SwitchboardStore } from '../store/types.js';

/**
 * Admin API bearer tokens: random, shown once, stored only as a SHA-256 hash (a token is 256
 * random bits, so a fast hash is enough; no password stretching needed).
 */

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return `sb_${randomBytes(32).toString('base64url')}`;
}

/**
 * Makes sure the store has a token. Returns a newly generated one (to show once) when the store
 * had none; a token given in the environment is registered instead of generating one.
 */
export async function ensureAdminToken(
  store: SwitchboardStore,
  fromEnvironment: string | undefined,
): Promise<string | undefined> {
  if (fromEnvironment) {
    const hash = hashToken(fromEnvironment);
    if (!(await store.findAdminToken(hash))) await store.addAdminToken('environment', hash);
    return undefined;
  }
  if (await store.hasAdminTokens()) return undefined;
  const token = newToken();
  await store.addAdminToken('first-start', hashToken(token));
  return token;
}

/** The admin token that made a request: its name and its id (see `tokenId`). */
export interface TokenIdentity {
  readonly name: string;
  readonly id: string;
}

/**
 * How the history names a token: its name and the first 12 hex digits of its SHA-256. Enough to
 * tell tokens apart (two tokens of the same name too); says nothing usable about the token itself.
 */
export function tokenId(name: string, hash: string): string {
  return `${name}#${hash.slice(0, 12)}`;
}

/** Why a request's token was refused (logged; the token itself never is). */
export type TokenRefusal = 'missing' | 'malformed' | 'unknown';

export async function authenticate(
  store: SwitchboardStore,
  header: string | undefined,
): Promise<TokenIdentity | TokenRefusal> {
  if (!header) return 'missing';
  const match = /^Bearer (sb_[A-Za-z0-9_-]{20,100})$/.exec(header);
  if (!match?.[1]) return 'malformed';
  // The store is asked for the SHA-256 of the presented token, never for the token: how long an
  // index lookup takes can tell an attacker about the hashes of guesses, not about a token
  // (finding one whose hash shares a prefix with a stored hash says nothing of its preimage).
  // So no constant-time comparison is needed, and none is pretended.
  const hash = hashToken(match[1]);
  const found = await store.findAdminToken(hash);
  return found ? { name: found.name, id: tokenId(found.name, hash) } : 'unknown';
}
