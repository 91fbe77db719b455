/**
 * An outside author's plugin: a lottery vCPU scheduler, defined with `definePlugin`, composed
 * onto native's kernel in place of its scheduler, and certified with the conformance kit.
 */
import { ContainerModule, VcpuScheduler, definePlugin, server2007 } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { cpuShare, definePlatform, type ExampleDefinition } from '@visorkit/workloads';
import { LotteryScheduler } from './lottery-scheduler.js';

export { LotteryScheduler } from './lottery-scheduler.js';

/**
 * The lottery plugin: provides one extension point, the vCPU scheduler.
 *
 * @public
 */
export const lotteryPlugin = definePlugin({
  name: 'lottery',
  version: '1.0.0',
  description: 'Lottery scheduling: proportional share by random draws of weighted tickets.',
  provides: [VcpuScheduler],
  capabilities: [],
  defaults: {},
  module: () =>
    new ContainerModule((o) => {
      o.bind(LotteryScheduler).toSelf().inSingletonScope();
      o.bind(VcpuScheduler).toService(LotteryScheduler);
    }),
});

/**
 * The example as a runnable composition: `npx visorkit run third-party-plugin:cpu-share`.
 *
 * @public
 */
export const thirdPartyPlugin: ExampleDefinition = {
  name: 'third-party-plugin',
  description: "A lottery scheduler by an outside author, certified by the kit, against native's CFS",
  profile: server2007,
  platforms: [
    definePlatform({ name: 'native', description: "native's CFS", isolation: 'processes', plugins: [nativePlugin] }),
    definePlatform({
      name: 'native+lottery',
      description: 'native with the lottery scheduler',
      isolation: 'processes',
      plugins: [nativePlugin.without(VcpuScheduler), lotteryPlugin],
    }),
  ],
  experiments: [cpuShare],
};
