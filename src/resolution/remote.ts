// Where a resolver's URL really goes: stand-ins (a remote URL prefix served from elsewhere, as
// git's url.<base>.insteadOf does) and whether the target needs the network at all.

/** A URL prefix and what it is served from instead (e.g. a loopback git daemon). */
export interface UrlRewrite { from: string; to: string }

/** `url` with the longest matching `from` prefix replaced by its `to`; unchanged when none matches. */
export function rewriteUrl(url: string, rewrites: readonly UrlRewrite[] = []): string {
  let best: UrlRewrite | undefined;
  for (const r of rewrites) if (url.startsWith(r.from) && (!best || r.from.length > best.from.length)) best = r;
  return best ? best.to + url.slice(best.from.length) : url;
}

/** Parses `from=to` (the flag form); undefined when there is no `=`. */
export function parseUrlRewrite(text: string): UrlRewrite | undefined {
  const i = text.indexOf('=');
  if (i <= 0 || i === text.length - 1) return undefined;
  return { from: text.slice(0, i), to: text.slice(i + 1) };
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** The host of a git or http URL (`scheme://[user@]host[:port]/…` or scp-like `user@host:path`); '' for file URLs and paths. */
export function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/]*)/i.exec(url);
  if (m) return url.toLowerCase().startsWith('file://') ? '' : m[1];
  const scp = /^(?:[^@/:]+@)?([^/:]+):/.exec(url);
  return scp ? scp[1] : '';
}

/** Whether fetching `url` stays on this machine (file URLs, paths, loopback hosts). */
export function isLocal(url: string): boolean {
  const host = hostOf(url);
  return host === '' || LOOPBACK.test(host);
}
