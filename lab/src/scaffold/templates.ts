import type { ScaffoldKind, ScaffoldNames } from './names.js';

// The source files `visorkit new` writes. They are the same in the repository and
// standalone; only the manifests and tsconfig differ (see new-package.ts).

/** src/<name>-scheduler.ts: the module's one class, a stride scheduler to start from. */
export function schedulerSource(n: ScaffoldNames): string {
  return `import { injectable, type Vcpu, type VcpuScheduler } from '@visorkit/core';

/**
 * The ${n.name} vCPU scheduler. It starts as stride scheduling (Waldspurger, 1995): the
 * runnable vCPU that has run least for its weight goes next, so CPU shares follow domain
 * weights. Change the policy; keep the contract (the conformance test checks it).
 */
@injectable()
export class ${n.pascal}Scheduler implements VcpuScheduler {
  readonly name = '${n.name}';
  readonly #runnable: Vcpu[] = [];
  /** Run time so far per vCPU, divided by its share of its domain's weight. */
  readonly #pass = new Map<Vcpu, number>();

  get queued(): number {
    return this.#runnable.length;
  }

  wake(vcpu: Vcpu): void {
    this.#runnable.push(vcpu);
  }

  pick(): Vcpu | undefined {
    let best = -1;
    for (let i = 0; i < this.#runnable.length; i++) {
      if (best < 0 || this.#passOf(this.#runnable[i]!) < this.#passOf(this.#runnable[best]!)) best = i;
    }
    return best < 0 ? undefined : this.#runnable.splice(best, 1)[0];
  }

  sliceNs(): number {
    return 1e6; // 1 ms: short enough for shares to converge within a test's run
  }

  ran(vcpu: Vcpu, ranNs: number, _now: number, runnable: boolean): void {
    this.#pass.set(vcpu, this.#passOf(vcpu) + ranNs / (vcpu.domain.weight / vcpu.domain.vcpus.length));
    if (runnable) this.#runnable.push(vcpu);
  }

  #passOf(vcpu: Vcpu): number {
    return this.#pass.get(vcpu) ?? 0;
  }
}
`;
}

/** src/index.ts: the plugin, declared with definePlugin (and, for an example, the example). */
export function indexSource(kind: ScaffoldKind, n: ScaffoldNames): string {
  const plugin = `/** The ${n.name} plugin: provides one extension point, the vCPU scheduler. */
export const ${n.camel}Plugin = definePlugin({
  name: '${n.name}',
  version: '0.1.0',
  description: 'The ${n.name} vCPU scheduler.',
  provides: [VcpuScheduler],
  capabilities: [],
  defaults: {},
  module: () =>
    new ContainerModule((o) => {
      o.bind(${n.pascal}Scheduler).toSelf().inSingletonScope();
      o.bind(VcpuScheduler).toService(${n.pascal}Scheduler);
    }),
});
`;
  if (kind === 'plugin') {
    return `import { ContainerModule, VcpuScheduler, definePlugin } from '@visorkit/core';
import { ${n.pascal}Scheduler } from './${n.name}-scheduler.js';

export { ${n.pascal}Scheduler } from './${n.name}-scheduler.js';

${plugin}`;
  }
  return `import { ContainerModule, VcpuScheduler, definePlugin, server2007 } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { cpuShare, definePlatform, micro, type ExampleDefinition } from '@visorkit/workloads';
import { ${n.pascal}Scheduler } from './${n.name}-scheduler.js';

export { ${n.pascal}Scheduler } from './${n.name}-scheduler.js';

${plugin}
/** The example: native's kernel with and without the ${n.name} scheduler, on a 2007 server. */
export const ${n.camel}Example: ExampleDefinition = {
  name: '${n.name}',
  description: "The ${n.name} scheduler against native's CFS",
  profile: server2007,
  platforms: [
    definePlatform({ name: 'native', description: "native's CFS", isolation: 'processes', plugins: [nativePlugin] }),
    definePlatform({ name: 'native+${n.name}', description: 'native with the ${n.name} scheduler', isolation: 'processes', plugins: [nativePlugin.without(VcpuScheduler), ${n.camel}Plugin] }),
  ],
  experiments: [cpuShare, micro],
};
`;
}

/** test/conformance.test.ts: the kit's suites for what the plugin provides, on native. */
export function conformanceTestSource(n: ScaffoldNames): string {
  return `import 'reflect-metadata';
import test from 'ava';
import { VcpuScheduler, createHypervisor } from '@visorkit/core';
import { runConformance } from '@visorkit/conformance';
import { nativePlugin } from '@visorkit/native';
import { ${n.camel}Plugin } from '../src/index.js';

// Native's kernel with the ${n.name} scheduler in place of its own.
runConformance(test, {
  name: 'native + ${n.name}',
  compose: (machine) => createHypervisor({ machine, plugins: [nativePlugin.without(VcpuScheduler), ${n.camel}Plugin] }),
  suites: ['scheduler', 'lifecycle', 'capabilities'],
});
`;
}

/** README.md: what the package is and how to build, test and use it. */
export function readmeSource(kind: ScaffoldKind, n: ScaffoldNames, packageName: string, inRepo: boolean): string {
  const test = inRepo
    ? `npm install            # at the repository root: links the new workspace\nnpm test               # builds everything and runs every test, this package's kit test among them`
    : 'npm install\nnpm test               # tsc -b, then the conformance kit under ava';
  const example =
    kind === 'example'
      ? `\nThe example \`${n.camel}Example\` composes native with and without the scheduler on \`server-2007\`
and runs \`cpu-share\` and \`micro\` on both:

\`\`\`ts
import { ${n.camel}Example } from '${packageName}';
const rows = ${n.camel}Example.experiments[0]!.run({ profile: ${n.camel}Example.profile, platforms: ${n.camel}Example.platforms, seed: 1 });
\`\`\`
`
      : '';
  return `# ${packageName}

A visorkit ${kind} providing the \`${n.name}\` vCPU scheduler, declared with \`definePlugin\` and
certified with the conformance kit.

\`\`\`sh
${test}
\`\`\`

\`\`\`ts
import { VcpuScheduler, createHypervisor, server2007 } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { ${n.camel}Plugin } from '${packageName}';

const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin.without(VcpuScheduler), ${n.camel}Plugin] });
\`\`\`
${example}
- \`src/${n.name}-scheduler.ts\` — the scheduler (\`@injectable()\`, \`@inject(Token)\` on every
  constructor parameter it takes).
- \`src/index.ts\` — \`${n.camel}Plugin\`: what it provides and the module that binds it.
- \`test/conformance.test.ts\` — the kit's scheduler, lifecycle and capability suites on native
  with this scheduler; a failure names the contract broken.

How to write a plugin: https://github.com/visorkit/visorkit/blob/main/docs/writing-a-plugin.md
`;
}
