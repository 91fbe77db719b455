// Tests run against compiled output (tsc -b first): esbuild-based loaders drop the
// decorator metadata that inversify relies on.
const workspaces = [
  'core', 'guest', 'conformance', 'workloads', 'lab', 'bench',
  'plugins/native', 'plugins/xen-pv', 'plugins/vserver', 'plugins/hw-assist',
  'examples/xen-2003', 'examples/vserver-2007', 'examples/modern-cloud', 'examples/third-party-plugin',
];

export default {
  files: [
    '{core,guest,conformance,workloads,lab,bench}/test/**/*.test.ts',
    'plugins/*/test/**/*.test.ts',
    'examples/*/test/**/*.test.ts',
  ],
  typescript: {
    rewritePaths: Object.fromEntries(workspaces.map((ws) => [`${ws}/`, `${ws}/dist/`])),
    compile: false,
  },
  require: ['reflect-metadata'],
  timeout: '300s',
  workerThreads: true,
};
