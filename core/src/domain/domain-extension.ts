import { InvalidArgumentError } from '../errors/visorkit-error.js';

/**
 * A plugin's own per-domain parameters — a scheduler's tickets or latency allowance, a memory
 * plugin's sharing hint — kept in {@link DomainSpec.extensions} under the plugin's key, so that core's
 * `DomainSpec` names no design's parameters yet each plugin reads its own typed. Values are
 * JSON data: a checkpoint carries them.
 *
 * @example
 * ```ts
 * // in the plugin
 * export const LotteryDomain: DomainExtension<{ tickets: number }> = domainExtension('lottery.domain');
 * // in the user's code
 * hv.createDomain({ name: 'web', extensions: LotteryDomain.with({ tickets: 300 }) });
 * // in the plugin's scheduler
 * const tickets = LotteryDomain.of(vcpu.domain)?.tickets ?? 100;
 * ```
 *
 * @public
 */
export interface DomainExtension<T> {
  /** The key in `extensions`: the plugin's name, a dot, what it holds. */
  readonly key: string;
  /** `{ [key]: value }`, to pass as (or spread into) a spec's `extensions`. */
  with(value: T): Readonly<Record<string, unknown>>;
  /** The value set on `holder` (a domain or a spec) under this key, or undefined. */
  of(holder: { readonly extensions?: Readonly<Record<string, unknown>> | undefined }): T | undefined;
}

/**
 * The typed key `key` for a plugin's per-domain parameters (see {@link DomainExtension}).
 *
 * @public
 */
export function domainExtension<T>(key: string): DomainExtension<T> {
  if (!/^[a-z][a-z0-9-]*\.[A-Za-z0-9.-]+$/.test(key))
    throw new InvalidArgumentError('domain extension key', `'${key}' must be '<plugin>.<name>' (lower-case plugin name, a dot, a name)`);
  return Object.freeze({
    key,
    with: (value: T): Readonly<Record<string, unknown>> => ({ [key]: value }),
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- only this key's `with` writes under it
    of: (holder: { readonly extensions?: Readonly<Record<string, unknown>> | undefined }): T | undefined => holder.extensions?.[key] as T | undefined,
  });
}
