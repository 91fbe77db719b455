import { Container, ContainerModule, type BindToFluentSyntax, type ContainerModuleLoadOptions, type ServiceIdentifier } from 'inversify';
import { UndeclaredBindingError } from './composition-errors.js';
import type { CompositionPlan } from './composition-plan.js';
import { decorated } from './decorated.js';
import { pointName, type Plugin } from './plugin.js';
import { GuestPhysicalMapToken } from '../memory/guest-physical-map.js';
import { MemoryVirtualization } from '../memory/memory-virtualization.js';

/**
 * Services that go with a point: only the plugin whose binding of the point is taken may
 * bind them (a plugin composed without its memory leaves its guest-physical map out too).
 */
const COMPANIONS: ReadonlyMap<symbol, symbol> = new Map([[GuestPhysicalMapToken, MemoryVirtualization]]);

/**
 * `plugin`'s module as the composition loads it: its bindings of points the plan took from
 * it go in (under {@link decorated}(point) when another plugin wraps that point); its bindings
 * of points it was composed `without` go nowhere; everything else it binds (its classes, its
 * options, services nobody else declares) goes in unchanged. Because points are chosen from
 * the declarations rather than unbound after loading, no plugin's binding is ever removed by
 * another's, and the plugin list's order does not matter.
 *
 * Throws UndeclaredBindingError when the module binds a point it neither provides, decorates
 * nor was told to leave out.
 */
export function chosenBindings(plugin: Plugin, plan: CompositionPlan): ContainerModule {
  const inner = plugin.module(plugin.options);
  // Bindings the plan does not take are made here and never read.
  const discard = new Container();
  const route = (token: ServiceIdentifier): ServiceIdentifier | undefined => {
    const companionOf = typeof token === 'symbol' ? COMPANIONS.get(token) : undefined;
    if (companionOf !== undefined) return plan.provider(companionOf) === plugin ? token : undefined;
    if (typeof token !== 'symbol' || !plan.managed.has(token)) return token;
    if (plan.decorator(token) === plugin) return token;
    if (plan.provider(token) === plugin) return plan.decorator(token) !== undefined ? decorated(token) : token;
    if (plugin.omitted.includes(token)) return undefined;
    throw new UndeclaredBindingError(plugin.name, pointName(token));
  };
  return new ContainerModule((o) => {
    const bind = <T>(token: ServiceIdentifier<T>): BindToFluentSyntax<T> => {
      const to = route(token) as ServiceIdentifier<T> | undefined;
      return to === undefined ? discard.bind(token) : o.bind(to);
    };
    const rebind = <T>(token: ServiceIdentifier<T>): BindToFluentSyntax<T> => {
      const to = route(token) as ServiceIdentifier<T> | undefined;
      return to === undefined ? discard.bind(token) : o.rebind(to);
    };
    const options: ContainerModuleLoadOptions = { ...o, bind, rebind };
    return inner.load(options);
  });
}
