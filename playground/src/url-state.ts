import type { RunRequest } from './protocol.js';

/** The defaults of a first visit: the seed's micro-benchmarks on its machine. */
export const DEFAULT_REQUEST: RunRequest = { target: 'micro', profile: 'server-2007', platforms: ['native', 'xen-pv'], seed: 1 };

/**
 * Reads a composition from a query string (`?experiment=micro&profile=…&platforms=a,b&seed=1`).
 * Returns undefined when the URL names no experiment (a first visit), so nothing runs unasked.
 */
export function requestFromQuery(query: string): RunRequest | undefined {
  const q = new URLSearchParams(query);
  const target = q.get('experiment');
  if (target === null || target === '') return undefined;
  const seed = Number(q.get('seed') ?? DEFAULT_REQUEST.seed);
  return {
    target,
    profile: q.get('profile') ?? DEFAULT_REQUEST.profile,
    platforms: (q.get('platforms') ?? '').split(',').filter(Boolean),
    seed: Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff ? seed : DEFAULT_REQUEST.seed,
  };
}

/** The query string that reproduces a request (example runs fix their own profile and platforms). */
export function queryFromRequest(req: RunRequest): string {
  const q = new URLSearchParams({ experiment: req.target });
  if (!req.target.includes(':')) {
    q.set('profile', req.profile);
    q.set('platforms', req.platforms.join(','));
  }
  q.set('seed', String(req.seed));
  return `?${q.toString()}`;
}
