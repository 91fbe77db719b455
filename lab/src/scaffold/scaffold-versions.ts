/**
 * Versions a standalone scaffolded project takes from the registry: the same ones this
 * repository builds and tests with (lab's scaffold test holds them equal to the root's).
 */
export const SCAFFOLD_VERSIONS = {
  inversify: '^8.2.3',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.2',
  typescript: '7.0.2',
  ava: '7.0.0',
} as const;
