// `npm test` runs this first (npm's pretest hook). The sweep-queue tests start a real
// redis-server, a Debian package that npm cannot install. On a fresh machine where we are root
// and apt-get exists, install it (saying so), so that `npm ci && npm test` works as the README
// says; elsewhere, stop with the one command that fixes it rather than a failing test later.
import { execFileSync, spawnSync } from 'node:child_process';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (!has('redis-server')) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && has('apt-get')) {
    process.stderr.write("pretest: redis-server is missing; installing Debian's redis-server (the sweep-queue tests start one)\n");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
  } else {
    process.stderr.write('pretest: the sweep-queue tests need redis-server; install it first (Debian: sudo apt-get install -y redis-server)\n');
    process.exit(1);
  }
}
