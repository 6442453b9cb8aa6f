// Named API tokens besides the operator's: `<data-dir>/tokens.json` (0600, replaced atomically)
// keeps each token's name, role, namespaces, creation time and SHA-256 — never the token itself
// (tokens are 256 random bits, so a plain hash is enough). The CLI edits the file directly, the
// server re-reads it when it changes (one stat per request that carries such a token).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROLES, type Role, type User } from './authz.ts';

/** The file's name in the data directory. */
export const TOKENS_FILE = 'tokens.json';

/** One stored token. */
export interface TokenRecord {
  name: string;
  role: Role;
  /** empty: every namespace */
  namespaces: string[];
  /** RFC 3339 */
  created: string;
  /** hex SHA-256 of the token */
  sha256: string;
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Hex SHA-256 of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh token: `kiln_` and 256 random bits, base64url. */
export function newToken(random: (n: number) => Buffer = randomBytes): string {
  return `kiln_${random(32).toString('base64url')}`;
}

/** Problems with a token's name, role or namespaces, each naming its field (empty when fine). */
export function checkToken(t: { name: unknown; role: unknown; namespaces: unknown }, at = ''): string[] {
  const errs: string[] = [];
  if (typeof t.name !== 'string' || !NAME.test(t.name)) errs.push(`${at}name: ${JSON.stringify(t.name)} is not a valid name (lower-case letters, digits, '-' and '.', at most 63)`);
  if (!ROLES.includes(t.role as Role)) errs.push(`${at}role: ${JSON.stringify(t.role)} is not one of ${ROLES.join(', ')}`);
  if (!Array.isArray(t.namespaces)) errs.push(`${at}namespaces: expected a list`);
  else t.namespaces.forEach((ns, i) => {
    if (typeof ns !== 'string' || !NAMESPACE.test(ns)) errs.push(`${at}namespaces[${i}]: ${JSON.stringify(ns)} is not a valid namespace name`);
  });
  return errs;
}

/** Parses the file's text; throws an Error naming `file` and every bad field path. */
export function parseTokens(text: string, file: string): TokenRecord[] {
  let doc: { tokens?: unknown };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.tokens)) throw new Error(`${file}: tokens: expected a list`);
  const errs: string[] = [];
  const seen = new Set<string>();
  const tokens = doc.tokens as Array<Record<string, unknown>>;
  tokens.forEach((t, i) => {
    const at = `tokens[${i}].`;
    if (!t || typeof t !== 'object') return void errs.push(`tokens[${i}]: expected an object`);
    errs.push(...checkToken(t as { name: unknown; role: unknown; namespaces: unknown }, at));
    if (typeof t.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(t.sha256)) errs.push(`${at}sha256: expected 64 hex digits`);
    if (typeof t.created !== 'string') errs.push(`${at}created: expected a timestamp`);
    if (seen.has(String(t.name))) errs.push(`${at}name: ${JSON.stringify(t.name)} is used twice`);
    seen.add(String(t.name));
  });
  if (errs.length) throw new Error(`${file}: ${errs.join('; ')}`);
  return tokens as unknown as TokenRecord[];
}

/** Reads the file; a missing file holds no tokens. */
export function readTokens(file: string): TokenRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return parseTokens(text, file);
}

/** Replaces the file atomically (a temporary file renamed over it), readable by its owner only. */
export function writeTokens(file: string, tokens: readonly TokenRecord[]): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify({ tokens }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
}

/** What `kiln token` does to a data directory's tokens. */
export interface TokenAdmin {
  /** creates a token; returns it (the only time it is seen); throws when the name is taken or invalid */
  create(o: { name: string; role: string; namespaces: string[] }): { token: string };
  /** every token, without its hash */
  list(): Array<Omit<TokenRecord, 'sha256'>>;
  /** removes a token; false when there was none of that name */
  revoke(name: string): boolean;
}

/** `kiln token` over `<dataDir>/tokens.json`; `now` and `random` injectable for tests. */
export function tokenAdmin(dataDir: string, { now = () => new Date(), random = randomBytes as (n: number) => Buffer } = {}): TokenAdmin {
  const file = join(dataDir, TOKENS_FILE);
  return {
    create({ name, role, namespaces }) {
      const ns = [...new Set(namespaces)];
      const errs = checkToken({ name, role, namespaces: ns });
      if (errs.length) throw new Error(errs.join('; '));
      const tokens = readTokens(file);
      if (tokens.some((t) => t.name === name)) throw new Error(`a token named ${JSON.stringify(name)} exists already (revoke it first)`);
      const token = newToken(random);
      writeTokens(file, [...tokens, { name, role: role as Role, namespaces: ns, created: now().toISOString(), sha256: hashToken(token) }]);
      return { token };
    },
    list: () => readTokens(file).map(({ sha256: _h, ...rest }) => rest),
    revoke(name) {
      const tokens = readTokens(file);
      const kept = tokens.filter((t) => t.name !== name);
      if (kept.length === tokens.length) return false;
      writeTokens(file, kept);
      return true;
    },
  };
}

/** Finds the user of a presented token; re-reads the file only when it changed. */
export type TokenLookup = (token: string) => User | undefined;

/**
 * A lookup over `file` for the server: one stat per call, a re-read when its inode, size, mtime or
 * ctime changed. A file that cannot be read or parsed holds no tokens (reported once per change to `onError`).
 */
export function tokenLookup(file: string, { onError = (_e: Error) => {} } = {}): TokenLookup {
  let stamp = '';
  let byHash = new Map<string, User>();
  function refresh(): void {
    let now: string;
    try {
      const s = statSync(file, { bigint: true });
      now = `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch {
      now = 'missing';
    }
    if (now === stamp) return;
    stamp = now;
    byHash = new Map();
    if (now === 'missing') return;
    try {
      for (const t of readTokens(file)) byHash.set(t.sha256, { name: t.name, role: t.role, namespaces: t.namespaces });
    } catch (e) {
      onError(e as Error);
    }
  }
  return function lookup(token) {
    refresh();
    return byHash.get(hashToken(token));
  };
}
