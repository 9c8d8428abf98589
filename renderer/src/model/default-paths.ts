/**
 * Where the settings files usually are on the machine the service runs on (ServiceInfo.platform: the
 * service reads the files, not the browser). A proposal only: the field stays editable, and a platform
 * without a usual place gets an empty field rather than a made-up path.
 */
export interface DefaultPaths {
  mycnf: string;
  pgpool: string;
}

export function defaultPaths(platform: string | undefined): DefaultPaths {
  switch (platform) {
    case 'win32':
      // MariaDB's Windows installer keeps my.ini in its data folder; pgpool-II does not run on Windows.
      return { mycnf: 'C:\\Program Files\\MariaDB 10.11\\data\\my.ini', pgpool: '' };
    case 'darwin':
      // Homebrew on Apple silicon (/opt/homebrew; Intel Macs use /usr/local/etc). pgpool-II has no usual place there.
      return { mycnf: '/opt/homebrew/etc/my.cnf', pgpool: '' };
    case 'freebsd':
      return { mycnf: '/usr/local/etc/mysql/my.cnf', pgpool: '/usr/local/etc/pgpool.conf' };
    default:
      // Linux (and unknown): Debian and Ubuntu paths, where the Debian packages put them.
      return { mycnf: '/etc/mysql/my.cnf', pgpool: '/etc/pgpool2/pgpool.conf' };
  }
}
