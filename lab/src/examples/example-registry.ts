import { clark2005 } from '@visorkit/example-clark-2005';
import { modernCloud } from '@visorkit/example-modern-cloud';
import { thirdPartyPlugin } from '@visorkit/example-third-party-plugin';
import { pageSharing } from '@visorkit/example-page-sharing';
import { vserver2007 } from '@visorkit/example-vserver-2007';
import { xen2003 } from '@visorkit/example-xen-2003';
import type { ExampleDefinition } from '@visorkit/workloads';

/**
 * The composed hypervisors of `examples/*`, runnable as `<example>:<experiment>`.
 *
 * @public
 */
export const exampleRegistry: readonly ExampleDefinition[] = [xen2003, vserver2007, modernCloud, thirdPartyPlugin, clark2005, pageSharing];
