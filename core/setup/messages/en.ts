/**
 * English texts of the setup engine. This file defines the key set: ja.ts and zh.ts are typed against it,
 * so a missing or extra translation does not compile. Texts are for people who are not DBAs: say what it
 * means for their backup first, the technical word second.
 */
type Role = 'master' | 'target';
const role = (r: Role) => (r === 'master' ? 'the office server (master)' : 'the backup server (target)');

export const en = {
  'skip.noConnection': (p: { role: Role }) => `Not checked, because ReplicaDesk could not connect to ${role(p.role)}.`,

  'connect.ok': (p: { role: Role; who: string; plugin: string }) => `ReplicaDesk can log in to ${role(p.role)} as ${p.who} (sign-in method ${p.plugin}).`,
  'connect.pluginUnsupported': (p: { role: Role; plugin: string }) =>
    `The account on ${role(p.role)} uses the sign-in method "${p.plugin}", which ReplicaDesk cannot use. Replication would fail to log in.`,
  'connect.plugin.fix': (_: Record<string, never>) => 'Switch the account to a password sign-in method that ReplicaDesk supports (run the statement as an administrator, with the real password):',
  'connect.refused': (p: { role: Role; where: string }) =>
    `Nothing answers at ${p.where}: ${role(p.role)} is stopped, listens on another port, or accepts only local connections (bind-address = 127.0.0.1, the default on Debian and Ubuntu).`,
  'connect.refused.fix': (p: { role: Role }) => `Check that the database service on ${role(p.role)} runs and that its port is right. To accept connections from the network, set this in its my.cnf and restart it:`,
  'connect.unreachable': (p: { role: Role; where: string }) => `${p.where} does not answer at all: the computer is off, the address is wrong, or a firewall blocks the port.`,
  'connect.unreachable.fix': (p: { port: number }) => `Check the address, and allow TCP port ${p.port} through the firewall of the server (and of any router in between).`,
  'connect.unknownHost': (p: { role: Role; host: string }) => `The name "${p.host}" of ${role(p.role)} cannot be found on the network.`,
  'connect.unknownHost.fix': (_: Record<string, never>) => 'Use the IP address instead of the name, or fix the name in your DNS or hosts file.',
  'connect.denied': (p: { role: Role; user: string }) =>
    `${role(p.role)} refused the login of "${p.user}": the password is wrong, or this account may not log in from this computer.`,
  'connect.denied.fix': (p: { role: Role }) => `Check the password. If the account does not exist for this computer's address, create it on ${role(p.role)} (the master setup helper can do it for you):`,
  'connect.other': (p: { role: Role; message: string }) => `Connecting to ${role(p.role)} failed: ${p.message}`,

  'version.ok': (p: { master: string; statements: string }) => `The master runs ${p.master}. ReplicaDesk will use the statements ${p.statements}.`,
  'version.old': (p: { master: string }) => `${p.master} is old. Replication works, but some checks and the fastest copy are not available; upgrade when you can.`,
  'version.unsupported': (p: { master: string }) => `The master's version (${p.master}) is too old or not recognised. ReplicaDesk needs MariaDB 10.0+ or MySQL 5.6+.`,
  'version.upgrade.fix': (_: Record<string, never>) => 'Upgrade the master database server (MariaDB 10.6 or newer, or MySQL 8.0 or newer, are good choices).',
  'version.targetOlder': (p: { master: string; target: string }) =>
    `The backup server (${p.target}) is older than the master (${p.master}). Newer features used on the master may fail to apply on the backup.`,
  'version.targetOlder.fix': (_: Record<string, never>) => 'Install the same or a newer version on the backup PC.',
  'version.mysqlToMariadb': (p: { master: string; target: string }) =>
    `The master is ${p.master} and the backup is ${p.target}. This works for ordinary tables, but MySQL-only features (for example JSON columns and some collations) may not copy exactly.`,

  'logBin.on': (_: Record<string, never>) => 'The binary log is on: the master records every change, so the backup can follow it.',
  'logBin.off': (_: Record<string, never>) => 'The binary log is off. The master keeps no record of its changes, so there is nothing for the backup to follow.',
  'logBin.fix': (_: Record<string, never>) => "Add this to the [mysqld] section of the master's my.cnf and restart the database service:",

  'binlogFormat.row': (_: Record<string, never>) => 'Changes are logged row by row (ROW), the most exact form for a backup.',
  'binlogFormat.other': (p: { format: string }) =>
    `Changes are logged as ${p.format}. Statements that depend on time, randomness or order can give different results on the backup. ROW is recommended.`,
  'binlogFormat.fix': (_: Record<string, never>) => 'Switch to ROW now and keep it after a restart:',

  'serverId.ok': (p: { id: number }) => `The master has server ID ${p.id}, which no other server in this setup uses.`,
  'serverId.zero': (_: Record<string, never>) => 'The master has no server ID (0). A master without an ID refuses replicas.',
  'serverId.sameAsTarget': (p: { id: number }) => `The master and the backup server both have server ID ${p.id}. Each server needs its own ID, or changes are ignored as "my own".`,
  'serverId.sameAsChannel': (p: { id: number; channel: string }) =>
    `Server ID ${p.id} is already used by the master of channel "${p.channel}". With two masters of the same ID, the backup cannot tell their changes apart.`,
  'serverId.fix': (p: { id: number }) => `Give the master its own ID, for example ${p.id}:`,

  'rowImage.full': (_: Record<string, never>) => 'Every logged change carries the whole row (FULL), so the backup can always find and check the row.',
  'rowImage.partial': (p: { image: string }) =>
    `Logged changes carry only part of each row (${p.image}). If the backup ever differs, such changes cannot be checked or repaired.`,
  'rowImage.fix': (_: Record<string, never>) => 'Log full rows:',

  'gtid.mariadb': (p: { domain: number }) => `MariaDB global transaction IDs are available (domain ${p.domain}); the copy records its position with them too.`,
  'gtid.domainClash': (p: { domain: number; channel: string }) =>
    `This master uses GTID domain ${p.domain}, like the master of channel "${p.channel}". Positions by file and offset still work, but GTID positions of the two would mix.`,
  'gtid.domain.fix': (_: Record<string, never>) => 'Give each master its own GTID domain:',
  'gtid.mysqlOn': (_: Record<string, never>) => 'GTID mode is on. ReplicaDesk still tracks the position by file and offset, which always works.',
  'gtid.mysqlOff': (_: Record<string, never>) => 'GTID mode is off. ReplicaDesk tracks the position by binary log file and offset, which is fine.',
  'gtid.mysqlTransition': (p: { mode: string }) => `GTID mode is in a transition state (${p.mode}). Finish the change to ON or OFF before setting up the backup.`,
  'gtid.mysqlTransition.fix': (_: Record<string, never>) => 'Complete the gtid_mode change (see the MySQL manual on changing GTID mode online), then run the checks again.',

  'privs.ok': (p: { account: string }) => `The account ${p.account} may read the binary log and its positions.`,
  'privs.missing': (p: { account: string; missing: string }) => `The account ${p.account} lacks ${p.missing}, so it may not read the master's binary log.`,
  'privs.fix': (_: Record<string, never>) => 'Run this on the master as an administrator:',

  'copyPrivs.ok': (_: Record<string, never>) => 'The account may read every table, view, trigger and event to make the first copy, in parallel.',
  'copyPrivs.missing': (p: { missing: string }) =>
    `For the first copy the account lacks ${p.missing}. Without SELECT some tables cannot be copied; without RELOAD the copy runs as one stream (slower).`,
  'copyPrivs.fix': (_: Record<string, never>) => 'Grant them on the master, or run the copy with an administrator account:',

  'retention.ok': (p: { days: number; offline: number }) =>
    `The master keeps its binary logs for ${p.days} days, enough if the backup PC is off for up to ${p.offline} days.`,
  'retention.forever': (_: Record<string, never>) =>
    'The master never deletes old binary logs, so they pile up until the disk is full. ReplicaDesk can delete the ones no backup needs any more (Safe purge), or the master can expire them.',
  'retention.forever.fix': (p: { days: number }) => `Use ReplicaDesk's safe purge regularly, or let the master delete logs older than ${p.days} days:`,
  'retention.short': (p: { days: number; offline: number }) =>
    `The master deletes binary logs after ${p.days} days. If the backup PC is off for about ${p.offline} days (a long holiday), little margin is left before the backup must be copied again.`,
  'retention.tooShort': (p: { days: number; offline: number }) =>
    `The master deletes binary logs after ${p.days} days, sooner than the ${p.offline} days the backup PC may be off. The backup would then miss changes and need a full copy again.`,
  'retention.fix': (p: { days: number }) => `Keep binary logs for ${p.days} days:`,

  'packet.ok': (_: Record<string, never>) => 'The backup server accepts changes as large as the master can log.',
  'packet.small': (p: { master: string; target: string }) =>
    `The master accepts rows up to ${p.master}, the backup server only up to ${p.target}. A large row would stop the backup.`,
  'packet.fix': (_: Record<string, never>) => 'Raise the limit on the backup server, now and in its my.cnf:',

  'charset.ok': (p: { charset: string }) => `Both servers use the character set ${p.charset}.`,
  'charset.differ': (p: { master: string; target: string }) =>
    `The master uses ${p.master}, the backup ${p.target}. Tables copy with their own character sets, but a database created later without one would differ.`,
  'charset.differ.fix': (_: Record<string, never>) => 'Use the master\'s character set on the backup server:',
  'charset.missingCollations': (p: { list: string }) => `The backup server does not know these collations used on the master: ${p.list}. Those tables cannot be created there.`,
  'charset.missing.fix': (_: Record<string, never>) => 'Install a newer version on the backup PC that knows them (same product as the master, same or newer version).',

  'lctn.ok': (p: { value: number }) => `Both servers treat table-name letter case the same way (lower_case_table_names=${p.value}).`,
  'lctn.differ': (p: { master: number; target: number }) =>
    `The servers treat letter case in table names differently (master ${p.master}, backup ${p.target}). Names may change case on the backup.`,
  'lctn.upperLost': (p: { master: number; target: number; count: number }) =>
    `The master keeps capital letters in names (${p.master}), the backup turns them into lower case (${p.target}), and ${p.count} tables have capitals: two tables could collide and changes would miss them.`,
  'lctn.fix': (p: { value: number }) =>
    `Set lower_case_table_names = ${p.value} on the backup server. It can only be set when the data folder is created (MariaDB/MySQL initialisation), so do it before the first copy:`,

  'engines.ok': (p: { list: string }) => `The backup server supports every storage engine used on the master (${p.list}).`,
  'engines.missing': (p: { list: string }) => `The backup server lacks the storage engine(s) ${p.list}. Tables using them cannot be created there.`,
  'engines.missing.fix': (_: Record<string, never>) => 'Install or enable the engine on the backup server, or convert those tables on the master to InnoDB:',
  'engines.nonTransactional': (p: { list: string }) =>
    `Some tables use ${p.list}, which has no transactions: the first copy of them is not taken at exactly the same instant as the rest, and a crash can damage them.`,
  'engines.nonTransactional.fix': (_: Record<string, never>) => 'Converting them to InnoDB is recommended (ALTER TABLE … ENGINE=InnoDB), at a quiet moment.',

  'readOnly.on': (_: Record<string, never>) => 'The backup server is read-only for applications; only ReplicaDesk writes to it.',
  'readOnly.off': (_: Record<string, never>) =>
    'Applications may write to the backup server. A change made there by mistake makes the backup differ from the master and can stop replication.',
  'readOnly.fix': (_: Record<string, never>) => 'Make the backup server read-only (ReplicaDesk keeps writing with its administrator account):',
  'readOnly.noPrivilege': (p: { account: string }) => `The backup server is read-only and ${p.account} has no right to write past that, so changes could not be applied.`,
  'readOnly.noPrivilege.fix': (_: Record<string, never>) => 'Give the account the right to write on a read-only server:',

  'disk.ok': (p: { path: string; free: string; need: string }) => `${p.free} free on ${p.path}; about ${p.need} is needed.`,
  'disk.low': (p: { path: string; free: string; need: string }) => `${p.free} free on ${p.path}; about ${p.need} is needed, so little room is left for growth.`,
  'disk.short': (p: { path: string; free: string; need: string }) => `Only ${p.free} free on ${p.path}, but about ${p.need} is needed for the copy and the relay logs.`,
  'disk.fix': (_: Record<string, never>) => 'Free some space, or move the backup data to a larger disk.',
  'disk.unknown': (_: Record<string, never>) => 'Free disk space was not measured (no local folder given).',

  'setup.restartNeeded': (p: { options: string }) => `Restart the master's database service after saving my.cnf: ${p.options} only take effect at start-up.`,
  'setup.noRestart': (_: Record<string, never>) => 'No restart is needed: the changes were applied to the running server and saved in my.cnf.',
  'setup.userCreated': (p: { account: string }) => `The replication account ${p.account} was created on the master.`,
  'setup.userManual': (p: { account: string }) => `Run these statements on the master as an administrator to create the replication account ${p.account}:`,

  'purge.current': (_: Record<string, never>) => 'In use: the master is writing to this file.',
  'purge.needed': (p: { channels: string }) => `Still needed by ${p.channels}.`,
  'purge.purgeable': (_: Record<string, never>) => 'No backup needs this file any more; it can be deleted.',
  'purge.keptAfter': (_: Record<string, never>) => 'Kept: an older file is still needed, and files are deleted oldest first.',
};
