/**
 * A DI token that carries the type of what is bound under it, so a look-up needs no type
 * argument and cannot be given the wrong one: `hv.service(ContainerPolicy)` is a
 * `ContainerPolicy | undefined`. At run time it is a plain `Symbol.for` symbol, usable with
 * inversify's `bind`, `@inject` and `get` like any token.
 *
 * @public
 */
export type ServiceToken<T> = symbol & { readonly __service?: T };

/**
 * The typed token `Symbol.for('visorkit.<name>')`. `Symbol.for` makes a plugin compiled
 * against another copy of core reach the same binding.
 *
 * @example
 * ```ts
 * export interface PageScanner { … }
 * export const PageScanner: ServiceToken<PageScanner> = serviceToken('my-plugin.PageScanner');
 * ```
 *
 * @public
 */
export function serviceToken<T>(name: string): ServiceToken<T> {
  return Symbol.for(`visorkit.${name}`) as ServiceToken<T>;
}
