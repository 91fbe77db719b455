import { pointName } from './plugin.js';

/**
 * The token under which a decorated point's original binding stays reachable: when a plugin
 * `decorates` a point, the composition binds the providing plugin's implementation here, and
 * the decorator injects it to wrap it.
 *
 * @example
 * ```ts
 * @injectable()
 * class SharingMemory implements MemoryVirtualization {
 *   constructor(@inject(decorated(MemoryVirtualization)) readonly inner: MemoryVirtualization) {}
 * }
 * ```
 *
 * @beta
 */
export function decorated(point: symbol): symbol {
  // Symbol.for: a decorator compiled against another copy of core reaches the same binding.
  return Symbol.for(`visorkit.decorated.${pointName(point)}`);
}
