import { cintLike } from '../programs/cint-like.js';
import { build, buildFiles, dbench, ddHog, forkBomb } from '../programs/file-workloads.js';
import { osdb, osdbFiles } from '../programs/osdb.js';
import { webClients, webFiles, webServer } from '../programs/web.js';
import type { WorkloadInstance } from './instances.js';

/**
 * SPEC CINT2000-like CPU-bound work: iterations per second.
 *
 * @public
 */
export const specCintInstance: WorkloadInstance = {
  name: 'spec-cint',
  unit: 'iterations/s',
  build({ index }) {
    const c = { iterations: 0 };
    return { programs: { [`/bin/cint${index}`]: { program: cintLike(c) } }, files: {}, run: [`/bin/cint${index}`], progress: () => c.iterations };
  },
};

/**
 * A kernel-build-like mix (make -j2 of C files): compiles per second.
 *
 * @public
 */
export const buildInstance: WorkloadInstance = {
  name: 'build',
  unit: 'compiles/s',
  build({ index }) {
    const c = { units: 0 };
    const { make, cc } = build(c);
    return {
      programs: { [`/bin/make${index}`]: { program: make }, '/usr/bin/cc': { program: cc, textPages: 600, dataPages: 40, bssPages: 20 } },
      files: buildFiles(),
      run: [`/bin/make${index}`],
      progress: () => c.units,
    };
  },
};

/**
 * OSDB in `mode`; with `thinkNs` each user pauses between queries (a fixed offered load).
 *
 * @public
 */
export function osdbInstance(mode: 'ir' | 'oltp', thinkNs = 0): WorkloadInstance {
  return {
    name: `osdb-${mode}`,
    unit: mode === 'ir' ? 'queries/s' : 'transactions/s',
    build({ index, random }) {
      const c = { transactions: 0 };
      return {
        programs: { [`/bin/postgres-${mode}${index}`]: { program: osdb(mode, c, { random, thinkNs }), textPages: 500, dataPages: 60, bssPages: 40 } },
        files: osdbFiles(),
        run: [`/bin/postgres-${mode}${index}`],
        progress: () => c.transactions,
      };
    },
  };
}

/**
 * OSDB information retrieval (read-only queries): queries per second.
 *
 * @public
 */
export const osdbIrInstance = osdbInstance('ir');
/**
 * OSDB on-line transaction processing (commits wait for the disk): transactions per second.
 *
 * @public
 */
export const osdbOltpInstance = osdbInstance('oltp');

/**
 * A dbench-like file-system load: MB moved per second.
 *
 * @public
 */
export const dbenchInstance: WorkloadInstance = {
  name: 'dbench',
  unit: 'MB/s',
  build({ index, random }) {
    const c = { units: 0 };
    return {
      programs: { [`/bin/dbench${index}`]: { program: dbench(c, { random }) } },
      files: {},
      run: [`/bin/dbench${index}`],
      progress: () => c.units / 1e6,
    };
  },
};

/**
 * A SPECweb99-like web server with saturating clients on another machine: requests per second.
 *
 * @public
 */
export function specwebInstance(connections = 16, thinkNs = 0): WorkloadInstance {
  return {
    name: 'specweb',
    unit: 'requests/s',
    build({ index, address, port, random }) {
      const served = { requests: 0 };
      return {
        programs: { [`/usr/sbin/httpd${index}`]: { program: webServer(served, { port, random }), textPages: 300, dataPages: 30, bssPages: 20 } },
        files: webFiles(),
        run: [`/usr/sbin/httpd${index}`],
        client: webClients(address, connections, { port, thinkNs }),
        progress: () => served.requests,
      };
    },
  };
}

/**
 * `dd` writing to disk forever: MB written per second.
 *
 * @public
 */
export const ddInstance: WorkloadInstance = {
  name: 'dd',
  unit: 'MB/s',
  build({ index }) {
    const c = { units: 0 };
    return { programs: { [`/bin/dd${index}`]: { program: ddHog(c) } }, files: {}, run: [`/bin/dd${index}`], progress: () => c.units / 1e6 };
  },
};

/**
 * A fork bomb: processes spawned per second.
 *
 * @public
 */
export const forkBombInstance: WorkloadInstance = {
  name: 'fork-bomb',
  unit: 'forks/s',
  build({ index }) {
    const c = { units: 0 };
    return { programs: { [`/bin/bomb${index}`]: { program: forkBomb(c) } }, files: {}, run: [`/bin/bomb${index}`], progress: () => c.units };
  },
};
