import type { en } from './en';

type Role = 'master' | 'target';
const role = (r: Role) => (r === 'master' ? '办公室服务器（主库）' : '备份服务器（目标库）');

export const zh: { [K in keyof typeof en]: (typeof en)[K] } = {
  'skip.noConnection': (p) => `未检查：ReplicaDesk 无法连接到${role(p.role)}。`,

  'connect.ok': (p) => `ReplicaDesk 可以用 ${p.who} 登录${role(p.role)}（认证方式 ${p.plugin}）。`,
  'connect.pluginUnsupported': (p) => `${role(p.role)}上的账号使用认证方式“${p.plugin}”，ReplicaDesk 无法使用该方式，复制将无法登录。`,
  'connect.plugin.fix': () => '请把账号改为 ReplicaDesk 支持的密码认证方式（以管理员身份执行，填入真实密码）：',
  'connect.refused': (p) => `${p.where} 没有响应：${role(p.role)}已停止、端口不对，或只接受本机连接（bind-address = 127.0.0.1，Debian/Ubuntu 的默认值）。`,
  'connect.refused.fix': (p) => `请确认${role(p.role)}的数据库服务正在运行、端口正确。要接受网络连接，请在其 my.cnf 中写入以下内容并重启：`,
  'connect.unreachable': (p) => `${p.where} 完全没有响应：计算机已关机、地址错误，或防火墙拦截了该端口。`,
  'connect.unreachable.fix': (p) => `请检查地址，并在服务器（以及中间的路由器）的防火墙上放行 TCP 端口 ${p.port}。`,
  'connect.unknownHost': (p) => `在网络上找不到${role(p.role)}的名称“${p.host}”。`,
  'connect.unknownHost.fix': () => '请改用 IP 地址，或在 DNS / hosts 文件中修正该名称。',
  'connect.denied': (p) => `${role(p.role)}拒绝了“${p.user}”的登录：密码错误，或该账号不允许从这台计算机登录。`,
  'connect.denied.fix': (p) => `请检查密码。如果没有对应本机地址的账号，请在${role(p.role)}上创建（主库设置助手也可以代为创建）：`,
  'connect.other': (p) => `连接${role(p.role)}失败：${p.message}`,

  'version.ok': (p) => `主库运行的是 ${p.master}。ReplicaDesk 将使用 ${p.statements} 语句。`,
  'version.old': (p) => `${p.master} 版本较旧。复制可以工作，但部分检查和最快的复制方式不可用；请尽早升级。`,
  'version.unsupported': (p) => `主库版本（${p.master}）过旧或无法识别。需要 MariaDB 10.0 以上或 MySQL 5.6 以上。`,
  'version.upgrade.fix': () => '请升级主库的数据库服务器（推荐 MariaDB 10.6 以上或 MySQL 8.0 以上）。',
  'version.targetOlder': (p) => `备份服务器（${p.target}）比主库（${p.master}）旧。主库上使用的新功能可能无法在备份上执行。`,
  'version.targetOlder.fix': () => '请在备份电脑上安装相同或更新的版本。',
  'version.mysqlToMariadb': (p) => `主库是 ${p.master}，备份是 ${p.target}。普通表没有问题，但 MySQL 特有的功能（例如 JSON 列和部分排序规则）可能无法精确复制。`,

  'logBin.on': () => '二进制日志已开启：主库会记录每一次更改，备份可以据此跟进。',
  'logBin.off': () => '二进制日志未开启。主库没有记录更改，备份无从跟进。',
  'logBin.fix': () => '请在主库 my.cnf 的 [mysqld] 段加入以下内容，然后重启数据库服务：',

  'binlogFormat.row': () => '更改按行记录（ROW），这是对备份最精确的格式。',
  'binlogFormat.other': (p) => `更改以 ${p.format} 格式记录。依赖时间、随机数或顺序的语句在备份上可能得到不同结果。推荐使用 ROW。`,
  'binlogFormat.fix': () => '立即切换为 ROW，并在重启后保持：',

  'serverId.ok': (p) => `主库的 server ID 为 ${p.id}，本配置中没有其他服务器使用。`,
  'serverId.zero': () => '主库没有 server ID（0）。没有 ID 的主库会拒绝从库。',
  'serverId.sameAsTarget': (p) => `主库和备份服务器的 server ID 都是 ${p.id}。每台服务器需要不同的 ID，否则更改会被当作“自己的”而忽略。`,
  'serverId.sameAsChannel': (p) => `server ID ${p.id} 已被通道“${p.channel}”的主库使用。两台主库 ID 相同时，备份无法区分它们的更改。`,
  'serverId.fix': (p) => `请给主库设置独立的 ID，例如 ${p.id}：`,

  'rowImage.full': () => '每条记录的更改都包含整行（FULL），备份总能找到并核对该行。',
  'rowImage.partial': (p) => `记录的更改只包含行的一部分（${p.image}）。一旦备份出现差异，这些更改无法核对或修复。`,
  'rowImage.fix': () => '改为记录整行：',

  'gtid.mariadb': (p) => `可以使用 MariaDB 全局事务 ID（域 ${p.domain}）；复制时也会记录该位置。`,
  'gtid.domainClash': (p) => `该主库使用 GTID 域 ${p.domain}，与通道“${p.channel}”的主库相同。按文件和偏移量跟踪仍然可用，但两者的 GTID 位置会混在一起。`,
  'gtid.domain.fix': () => '请为每台主库设置不同的 GTID 域：',
  'gtid.mysqlOn': () => 'GTID 模式已开启。ReplicaDesk 仍按文件和偏移量跟踪，始终可用。',
  'gtid.mysqlOff': () => 'GTID 模式未开启。ReplicaDesk 按二进制日志文件和偏移量跟踪，没有问题。',
  'gtid.mysqlTransition': (p) => `GTID 模式处于切换中间状态（${p.mode}）。请先完成到 ON 或 OFF 的切换，再设置备份。`,
  'gtid.mysqlTransition.fix': () => '请完成 gtid_mode 的切换（参见 MySQL 手册中在线更改 GTID 模式的章节），然后重新检查。',

  'privs.ok': (p) => `账号 ${p.account} 可以读取二进制日志及其位置。`,
  'privs.missing': (p) => `账号 ${p.account} 缺少 ${p.missing}，无法读取主库的二进制日志。`,
  'privs.fix': () => '请以管理员身份在主库上执行：',

  'copyPrivs.ok': () => '该账号可以并行读取所有表、视图、触发器和事件，用于首次复制。',
  'copyPrivs.missing': (p) => `首次复制时该账号缺少 ${p.missing}。没有 SELECT 有些表无法复制；没有 RELOAD 复制只能单路进行（较慢）。`,
  'copyPrivs.fix': () => '请在主库上授予这些权限，或使用管理员账号进行复制：',

  'retention.ok': (p) => `主库保留二进制日志 ${p.days} 天，即使备份电脑关机最多 ${p.offline} 天也足够。`,
  'retention.forever': () => '主库从不删除旧的二进制日志，它们会一直累积直到磁盘写满。ReplicaDesk 可以只删除不再需要的日志（安全清理），或让主库设置过期时间。',
  'retention.forever.fix': (p) => `请定期使用 ReplicaDesk 的安全清理，或让主库删除超过 ${p.days} 天的日志：`,
  'retention.short': (p) => `主库在 ${p.days} 天后删除二进制日志。如果备份电脑关机约 ${p.offline} 天（长假），在需要重新完整复制之前几乎没有余量。`,
  'retention.tooShort': (p) => `主库在 ${p.days} 天后删除二进制日志，短于备份电脑可能关机的 ${p.offline} 天。那时备份会漏掉更改，需要重新完整复制。`,
  'retention.fix': (p) => `将二进制日志保留 ${p.days} 天：`,

  'packet.ok': () => '备份服务器可以接收主库能记录的最大更改。',
  'packet.small': (p) => `主库接受最大 ${p.master} 的行，备份服务器只接受 ${p.target}。遇到大行时备份会停止。`,
  'packet.fix': () => '请立即并在 my.cnf 中提高备份服务器的上限：',

  'charset.ok': (p) => `两台服务器都使用字符集 ${p.charset}。`,
  'charset.differ': (p) => `主库使用 ${p.master}，备份使用 ${p.target}。表会按各自的字符集复制，但以后不指定字符集创建的数据库会不一致。`,
  'charset.differ.fix': () => '请在备份服务器上使用与主库相同的字符集：',
  'charset.missingCollations': (p) => `备份服务器不认识主库上使用的排序规则：${p.list}。这些表无法在备份上创建。`,
  'charset.missing.fix': () => '请在备份电脑上安装认识这些排序规则的新版本（与主库相同的产品，相同或更新的版本）。',

  'lctn.ok': (p) => `两台服务器对表名大小写的处理相同（lower_case_table_names=${p.value}）。`,
  'lctn.differ': (p) => `两台服务器对表名大小写的处理不同（主库 ${p.master}，备份 ${p.target}）。备份上的名称大小写可能改变。`,
  'lctn.upperLost': (p) => `主库保留名称中的大写字母（${p.master}），备份会转为小写（${p.target}），且有 ${p.count} 个表含大写字母：表之间可能冲突，更改也会漏掉。`,
  'lctn.fix': (p) => `请在备份服务器上设置 lower_case_table_names = ${p.value}。该值只能在创建数据目录（初始化）时设置，因此请在首次复制之前完成：`,

  'engines.ok': (p) => `备份服务器支持主库使用的所有存储引擎（${p.list}）。`,
  'engines.missing': (p) => `备份服务器缺少存储引擎 ${p.list}，使用它们的表无法在备份上创建。`,
  'engines.missing.fix': () => '请在备份服务器上安装或启用该引擎，或在主库上把这些表转换为 InnoDB：',
  'engines.nonTransactional': (p) => `部分表使用没有事务的 ${p.list}：它们的首次复制与其他表不在同一时刻完成，崩溃时还可能损坏。`,
  'engines.nonTransactional.fix': () => '建议在空闲时把它们转换为 InnoDB（ALTER TABLE … ENGINE=InnoDB）。',

  'readOnly.on': () => '备份服务器对应用程序只读；只有 ReplicaDesk 向其写入。',
  'readOnly.off': () => '应用程序可以写入备份服务器。在那里误改数据会使备份与主库不一致，并可能导致复制停止。',
  'readOnly.fix': () => '请把备份服务器设为只读（ReplicaDesk 会继续用管理员账号写入）：',
  'readOnly.noPrivilege': (p) => `备份服务器是只读的，而 ${p.account} 没有越过只读写入的权限，更改无法应用。`,
  'readOnly.noPrivilege.fix': () => '请授予该账号在只读服务器上写入的权限：',

  'disk.ok': (p) => `${p.path} 上有 ${p.free} 可用空间；大约需要 ${p.need}。`,
  'disk.low': (p) => `${p.path} 上有 ${p.free} 可用空间；大约需要 ${p.need}，为今后增长留下的余量很少。`,
  'disk.short': (p) => `${p.path} 上只有 ${p.free} 可用空间，但复制和中继日志大约需要 ${p.need}。`,
  'disk.fix': () => '请释放一些空间，或把备份数据移到更大的磁盘。',
  'disk.unknown': () => '未测量可用磁盘空间（没有指定本地目录）。',

  'setup.restartNeeded': (p) => `保存 my.cnf 后请重启主库的数据库服务：${p.options} 只在启动时生效。`,
  'setup.noRestart': () => '无需重启：更改已应用到运行中的服务器，并已保存到 my.cnf。',
  'setup.userCreated': (p) => `已在主库上创建复制账号 ${p.account}。`,
  'setup.userManual': (p) => `请以管理员身份在主库上执行以下语句，创建复制账号 ${p.account}：`,

  'purge.current': () => '使用中：主库正在写入这个文件。',
  'purge.needed': (p) => `${p.channels} 仍然需要。`,
  'purge.purgeable': () => '已没有任何备份需要这个文件，可以删除。',
  'purge.keptAfter': () => '保留：更早的文件仍被需要，而文件只能从最旧的开始删除。',
};
