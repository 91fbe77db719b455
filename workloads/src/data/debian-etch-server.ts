/**
 * The image of a typical Linux server of the container paper's era, as data: a Debian 4.0
 * "etch" (April 2007) i386 installation with the standard system, a web server with PHP, a
 * SQL database, a mail transfer agent and SSH — what a hosting provider put in each virtual
 * server then.
 *
 * Source: the `Installed-Size` (KiB) fields of etch's i386 `Packages` index
 * (archive.debian.org/debian/dists/etch/main/binary-i386/Packages.gz), rounded to 100 KiB, and
 * approximate file counts from the packages' file lists; recalled for this model, not re-read
 * here, so each is good to perhaps ±20%. The state files are the defaults those packages
 * create: apt's lists and caches, dpkg's database, MySQL 5.0's default InnoDB files
 * (`innodb_data_file_path = ibdata1:10M`, two 5 MB `ib_logfile`s), logs and host keys.
 *
 * Nothing here was chosen to produce the paper's 500 MB or 700 MB: whatever one and ten
 * servers take follows from these sizes and from which files are identical across servers.
 */

/**
 * One installed package: name, installed size in KiB, files it installs.
 *
 * @public
 */
export type ManifestPackage = readonly [name: string, installedKiB: number, files: number];

/**
 * Files that are not from a package: `identical` when every freshly installed server has the same bytes.
 *
 * @public
 */
export interface ManifestStateFile {
  readonly path: string;
  readonly kib: number;
  /** Identical on every server (unification can share it) or the server's own. */
  readonly identical: boolean;
}

/**
 * The packages of the image.
 *
 * @public
 */
export const ETCH_SERVER_PACKAGES: readonly ManifestPackage[] = [
  // Base system (priority required/important, "standard" task).
  ['libc6', 10600, 950],
  ['locales', 8700, 420],
  ['coreutils', 8800, 240],
  ['bash', 2200, 80],
  ['dash', 200, 10],
  ['util-linux', 1100, 130],
  ['mount', 300, 20],
  ['procps', 500, 60],
  ['sysvinit', 300, 40],
  ['sysv-rc', 200, 20],
  ['initscripts', 300, 60],
  ['module-init-tools', 300, 30],
  ['udev', 800, 170],
  ['e2fsprogs', 1300, 90],
  ['login', 1400, 190],
  ['passwd', 1400, 140],
  ['adduser', 700, 60],
  ['debianutils', 200, 40],
  ['dpkg', 4200, 280],
  ['apt', 3800, 210],
  ['aptitude', 9000, 220],
  ['tar', 1600, 90],
  ['gzip', 300, 30],
  ['bzip2', 100, 20],
  ['grep', 600, 60],
  ['sed', 400, 50],
  ['findutils', 700, 50],
  ['diff', 500, 50],
  ['less', 300, 20],
  ['nano', 1300, 80],
  ['vim-tiny', 900, 20],
  ['perl-base', 5200, 250],
  ['perl', 13000, 680],
  ['perl-modules', 11000, 1250],
  ['python2.4-minimal', 3200, 220],
  ['python2.4', 9800, 950],
  ['python', 600, 50],
  ['libssl0.9.8', 2400, 10],
  ['openssl', 2200, 110],
  ['ca-certificates', 400, 320],
  ['libpam-modules', 1000, 80],
  ['libpam0g', 300, 20],
  ['libpam-runtime', 300, 30],
  ['libncurses5', 600, 20],
  ['ncurses-base', 300, 40],
  ['ncurses-bin', 600, 60],
  ['libdb4.4', 1300, 10],
  ['zlib1g', 200, 10],
  ['libstdc++6', 1200, 10],
  ['libgcc1', 100, 10],
  ['libreadline5', 300, 10],
  ['libxml2', 1500, 20],
  ['libsasl2-2', 300, 30],
  ['libwrap0', 100, 10],
  ['libselinux1', 200, 10],
  ['libsepol1', 300, 10],
  ['tzdata', 4500, 1550],
  ['manpages', 1500, 800],
  ['man-db', 2500, 300],
  ['groff-base', 3700, 150],
  ['info', 300, 20],
  ['linux-image-2.6.18-4-686', 47000, 1700],
  ['grub', 1400, 90],
  ['cron', 300, 30],
  ['logrotate', 200, 20],
  ['sysklogd', 200, 20],
  ['klogd', 100, 10],
  ['netbase', 100, 20],
  ['net-tools', 800, 90],
  ['iproute', 1000, 70],
  ['ifupdown', 200, 20],
  ['dhcp3-client', 700, 30],
  ['iptables', 1000, 100],
  ['bind9-host', 300, 10],
  ['libbind9-0', 100, 10],
  ['libdns22', 1100, 10],
  ['libisc11', 300, 10],
  ['dnsutils', 400, 20],
  ['wget', 1500, 90],
  ['rsync', 400, 20],
  ['sudo', 500, 40],
  ['gnupg', 4500, 130],
  ['nfs-common', 600, 50],
  ['portmap', 100, 10],
  ['openssh-client', 1800, 50],
  ['openssh-server', 600, 40],
  // Mail.
  ['postfix', 3200, 190],
  ['procmail', 300, 20],
  // Web server with PHP.
  ['apache2.2-common', 4000, 330],
  ['apache2-mpm-prefork', 500, 10],
  ['apache2-utils', 300, 20],
  ['libapr1', 300, 10],
  ['libaprutil1', 300, 10],
  ['libapache2-mod-php5', 5400, 10],
  ['php5-common', 400, 30],
  ['php5-mysql', 200, 10],
  ['libpcre3', 300, 10],
  // SQL database.
  ['mysql-server-5.0', 27000, 180],
  ['mysql-client-5.0', 17000, 60],
  ['mysql-common', 100, 10],
  ['libmysqlclient15off', 4300, 10],
  ['libdbi-perl', 2000, 90],
  ['libdbd-mysql-perl', 400, 20],
];

/**
 * The files the packages' installation and first start leave behind.
 *
 * @public
 */
export const ETCH_SERVER_STATE: readonly ManifestStateFile[] = [
  // Identical on identically installed servers (vhashify links identical files wherever they are).
  { path: '/var/lib/apt/lists/etch_main_binary-i386_Packages', kib: 17000, identical: true },
  { path: '/var/lib/apt/lists/etch_main_source_Sources', kib: 7000, identical: true },
  { path: '/var/cache/apt/pkgcache.bin', kib: 6000, identical: true },
  { path: '/var/cache/apt/srcpkgcache.bin', kib: 6000, identical: true },
  { path: '/var/lib/dpkg/status', kib: 400, identical: true },
  { path: '/var/lib/dpkg/available', kib: 5000, identical: true },
  { path: '/var/cache/debconf/templates.dat', kib: 1200, identical: true },
  // Each server's own.
  { path: '/var/lib/mysql/ibdata1', kib: 10240, identical: false },
  { path: '/var/lib/mysql/ib_logfile0', kib: 5120, identical: false },
  { path: '/var/lib/mysql/ib_logfile1', kib: 5120, identical: false },
  { path: '/var/lib/mysql/mysql/system-tables', kib: 500, identical: false },
  { path: '/var/log/all-logs', kib: 500, identical: false },
  { path: '/var/cache/debconf/config.dat', kib: 100, identical: false },
  { path: '/etc/ssh/host-keys', kib: 8, identical: false },
  { path: '/etc/server-specific', kib: 40, identical: false },
];
