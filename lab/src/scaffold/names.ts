import { UsageError } from '../cli/usage-error.js';

/** What `visorkit new` can write. */
export type ScaffoldKind = 'plugin' | 'example';

/** The identifiers one package name gives the generated code. */
export interface ScaffoldNames {
  /** The name as given: `fair-share`. */
  readonly name: string;
  /** `fairShare`: the plugin constant is `fairSharePlugin`. */
  readonly camel: string;
  /** `FairShare`: the scheduler class is `FairShareScheduler`. */
  readonly pascal: string;
}

/** Checks a package name (lower case, digits and dashes, starting with a letter) and derives identifiers. */
export function scaffoldNames(name: string): ScaffoldNames {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > 60) {
    throw new UsageError(`'${name}' is not a package name: use lower-case letters, digits and single dashes, starting with a letter (e.g. 'fair-share')`);
  }
  const words = name.split('-');
  const pascal = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return { name, pascal, camel: pascal[0]!.toLowerCase() + pascal.slice(1) };
}
