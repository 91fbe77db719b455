import { modernCloud } from '@visorkit/example-modern-cloud';
import type { ExampleDefinition } from '@visorkit/workloads';

/** The composed hypervisors of `examples/*`, runnable as `<example>:<experiment>`. */
export const exampleRegistry: readonly ExampleDefinition[] = [modernCloud];
