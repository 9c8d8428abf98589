import type { en } from './en';

type Role = 'master' | 'target';
const role = (r: Role) => (r === 'master' ? '事務所のサーバー（マスター）' : 'バックアップ先サーバー');

export const ja: { [K in keyof typeof en]: (typeof en)[K] } = {
  'skip.noConnection': (p) => `${role(p.role)}に接続できなかったため、確認していません。`,

  'connect.ok': (p) => `ReplicaDesk は ${p.who} として${role(p.role)}にログインできます（認証方式 ${p.plugin}）。`,
  'connect.pluginUnsupported': (p) => `${role(p.role)}のアカウントは認証方式「${p.plugin}」を使っており、ReplicaDesk はこの方式でログインできません。レプリケーションが接続に失敗します。`,
  'connect.plugin.fix': () => 'ReplicaDesk が対応するパスワード認証に切り替えてください（管理者として、実際のパスワードを入れて実行）：',
  'connect.refused': (p) =>
    `${p.where} で応答がありません。${role(p.role)}が停止している、ポート番号が違う、またはローカル接続しか受け付けない設定（bind-address = 127.0.0.1。Debian/Ubuntu の初期値）です。`,
  'connect.refused.fix': (p) => `${role(p.role)}のデータベースサービスが動いているか、ポート番号が正しいか確認してください。ネットワークからの接続を受け付けるには my.cnf に次を書いて再起動します：`,
  'connect.unreachable': (p) => `${p.where} からまったく応答がありません。コンピューターの電源が切れている、アドレスが違う、またはファイアウォールがポートを塞いでいます。`,
  'connect.unreachable.fix': (p) => `アドレスを確認し、サーバー（と途中のルーター）のファイアウォールで TCP ポート ${p.port} を許可してください。`,
  'connect.unknownHost': (p) => `${role(p.role)}の名前「${p.host}」がネットワーク上で見つかりません。`,
  'connect.unknownHost.fix': () => '名前の代わりに IP アドレスを使うか、DNS または hosts ファイルの名前を直してください。',
  'connect.denied': (p) => `${role(p.role)}が「${p.user}」のログインを拒否しました。パスワードが違うか、このアカウントはこのコンピューターからのログインを許可されていません。`,
  'connect.denied.fix': (p) => `パスワードを確認してください。このコンピューターのアドレス用のアカウントがなければ、${role(p.role)}で作成します（マスター設定ヘルパーでも作成できます）：`,
  'connect.other': (p) => `${role(p.role)}への接続に失敗しました：${p.message}`,

  'version.ok': (p) => `マスターは ${p.master} です。ReplicaDesk は ${p.statements} の文を使います。`,
  'version.old': (p) => `${p.master} は古い版です。レプリケーションはできますが、一部の確認と最速のコピーは使えません。可能なときに更新してください。`,
  'version.unsupported': (p) => `マスターの版（${p.master}）が古すぎるか、認識できません。MariaDB 10.0 以降または MySQL 5.6 以降が必要です。`,
  'version.upgrade.fix': () => 'マスターのデータベースサーバーを更新してください（MariaDB 10.6 以降、または MySQL 8.0 以降がおすすめです）。',
  'version.targetOlder': (p) => `バックアップ先（${p.target}）がマスター（${p.master}）より古い版です。マスターで使った新しい機能がバックアップ側で反映できない場合があります。`,
  'version.targetOlder.fix': () => 'バックアップ用 PC に同じか新しい版をインストールしてください。',
  'version.mysqlToMariadb': (p) => `マスターは ${p.master}、バックアップ先は ${p.target} です。通常の表は問題ありませんが、MySQL 独自の機能（JSON 列や一部の照合順序など）は正確にコピーできない場合があります。`,

  'logBin.on': () => 'バイナリログが有効です。マスターがすべての変更を記録するので、バックアップはそれを追いかけられます。',
  'logBin.off': () => 'バイナリログが無効です。マスターが変更を記録していないため、バックアップが追いかけるものがありません。',
  'logBin.fix': () => 'マスターの my.cnf の [mysqld] セクションに次を追加し、データベースサービスを再起動してください：',

  'binlogFormat.row': () => '変更は行単位（ROW）で記録されています。バックアップにとって最も正確な形式です。',
  'binlogFormat.other': (p) => `変更は ${p.format} 形式で記録されています。時刻・乱数・順序に依存する文はバックアップ側で結果が変わることがあります。ROW をおすすめします。`,
  'binlogFormat.fix': () => '今すぐ ROW に切り替え、再起動後も維持するには：',

  'serverId.ok': (p) => `マスターのサーバー ID は ${p.id} で、この構成の他のサーバーとは重なっていません。`,
  'serverId.zero': () => 'マスターにサーバー ID がありません（0）。ID のないマスターはスレーブを受け付けません。',
  'serverId.sameAsTarget': (p) => `マスターとバックアップ先の両方がサーバー ID ${p.id} です。サーバーごとに別の ID が必要で、同じだと変更が「自分のもの」として無視されます。`,
  'serverId.sameAsChannel': (p) => `サーバー ID ${p.id} はチャネル「${p.channel}」のマスターがすでに使っています。同じ ID のマスターが二台あると、バックアップ側で変更を区別できません。`,
  'serverId.fix': (p) => `マスターに固有の ID を付けてください。例えば ${p.id}：`,

  'rowImage.full': () => '記録される変更には行全体（FULL）が含まれるので、バックアップ側で常に行を見つけて確認できます。',
  'rowImage.partial': (p) => `記録される変更には行の一部（${p.image}）しか含まれません。バックアップがずれたとき、その変更は確認も修復もできません。`,
  'rowImage.fix': () => '行全体を記録するには：',

  'gtid.mariadb': (p) => `MariaDB のグローバルトランザクション ID が使えます（ドメイン ${p.domain}）。コピーはその位置も記録します。`,
  'gtid.domainClash': (p) => `このマスターは GTID ドメイン ${p.domain} を使っており、チャネル「${p.channel}」のマスターと同じです。ファイルと位置による追跡は動きますが、二台の GTID 位置が混ざります。`,
  'gtid.domain.fix': () => 'マスターごとに別の GTID ドメインを設定してください：',
  'gtid.mysqlOn': () => 'GTID モードは ON です。ReplicaDesk はファイルと位置でも追跡するので、常に動作します。',
  'gtid.mysqlOff': () => 'GTID モードは OFF です。ReplicaDesk はバイナリログのファイルと位置で追跡するので問題ありません。',
  'gtid.mysqlTransition': (p) => `GTID モードが切り替え途中（${p.mode}）です。バックアップを設定する前に ON か OFF への変更を完了してください。`,
  'gtid.mysqlTransition.fix': () => 'gtid_mode の変更を完了させてから（MySQL マニュアルの「オンラインでの GTID モード変更」参照）、もう一度確認してください。',

  'privs.ok': (p) => `アカウント ${p.account} はバイナリログとその位置を読めます。`,
  'privs.missing': (p) => `アカウント ${p.account} には ${p.missing} がないため、マスターのバイナリログを読めません。`,
  'privs.fix': () => 'マスターで管理者として次を実行してください：',

  'copyPrivs.ok': () => 'アカウントは最初のコピーのために、すべての表・ビュー・トリガー・イベントを並列で読めます。',
  'copyPrivs.missing': (p) => `最初のコピーに必要な ${p.missing} がアカウントにありません。SELECT がないとコピーできない表があり、RELOAD がないとコピーは一本の流れで行われます（遅くなります）。`,
  'copyPrivs.fix': () => 'マスターで権限を付与するか、管理者アカウントでコピーを実行してください：',

  'retention.ok': (p) => `マスターはバイナリログを ${p.days} 日間保存します。バックアップ用 PC が最大 ${p.offline} 日止まっていても足ります。`,
  'retention.forever': () => 'マスターは古いバイナリログを削除しないため、ディスクがいっぱいになるまで溜まります。ReplicaDesk の「安全な削除」で不要になったものだけ消すか、マスターに期限を設定してください。',
  'retention.forever.fix': (p) => `ReplicaDesk の安全な削除を定期的に使うか、${p.days} 日より古いログをマスターが削除するように設定します：`,
  'retention.short': (p) => `マスターは ${p.days} 日でバイナリログを削除します。バックアップ用 PC が約 ${p.offline} 日止まる（長期休暇など）と、再コピーが必要になるまでの余裕がほとんどありません。`,
  'retention.tooShort': (p) => `マスターは ${p.days} 日でバイナリログを削除しますが、バックアップ用 PC が止まる可能性のある ${p.offline} 日より短いです。その場合バックアップは変更を取りこぼし、全体のコピーがやり直しになります。`,
  'retention.fix': (p) => `バイナリログを ${p.days} 日間保存するには：`,

  'packet.ok': () => 'バックアップ先は、マスターが記録できる最大の変更を受け付けます。',
  'packet.small': (p) => `マスターは ${p.master} までの行を受け付けますが、バックアップ先は ${p.target} までです。大きな行があるとバックアップが止まります。`,
  'packet.fix': () => 'バックアップ先の上限を今すぐ、そして my.cnf でも引き上げてください：',

  'charset.ok': (p) => `両方のサーバーが文字セット ${p.charset} を使っています。`,
  'charset.differ': (p) => `マスターは ${p.master}、バックアップ先は ${p.target} です。表はそれぞれの文字セットでコピーされますが、後で文字セットを指定せずに作ったデータベースは違ってしまいます。`,
  'charset.differ.fix': () => 'バックアップ先でもマスターと同じ文字セットを使ってください：',
  'charset.missingCollations': (p) => `マスターで使われている照合順序 ${p.list} をバックアップ先が知りません。その表はバックアップ先に作れません。`,
  'charset.missing.fix': () => 'それを知っている新しい版をバックアップ用 PC にインストールしてください（マスターと同じ製品で、同じか新しい版）。',

  'lctn.ok': (p) => `両方のサーバーで表名の大文字小文字の扱いが同じです（lower_case_table_names=${p.value}）。`,
  'lctn.differ': (p) => `表名の大文字小文字の扱いがサーバー間で異なります（マスター ${p.master}、バックアップ先 ${p.target}）。バックアップ側で名前の大小が変わることがあります。`,
  'lctn.upperLost': (p) => `マスターは名前の大文字をそのまま保持し（${p.master}）、バックアップ先は小文字に変えます（${p.target}）。大文字を含む表が ${p.count} 個あり、表同士が衝突したり変更が反映されなかったりします。`,
  'lctn.fix': (p) => `バックアップ先で lower_case_table_names = ${p.value} に設定してください。データフォルダーを作るとき（初期化時）にしか設定できないので、最初のコピーの前に行います：`,

  'engines.ok': (p) => `マスターで使われているストレージエンジン（${p.list}）はすべてバックアップ先で使えます。`,
  'engines.missing': (p) => `バックアップ先にストレージエンジン ${p.list} がありません。それを使う表はバックアップ先に作れません。`,
  'engines.missing.fix': () => 'バックアップ先でエンジンを導入・有効にするか、マスターでその表を InnoDB に変換してください：',
  'engines.nonTransactional': (p) => `トランザクションのない ${p.list} を使う表があります。その最初のコピーは他の表と完全に同じ瞬間にはならず、障害時に壊れることもあります。`,
  'engines.nonTransactional.fix': () => '空いている時間に InnoDB へ変換することをおすすめします（ALTER TABLE … ENGINE=InnoDB）。',

  'readOnly.on': () => 'バックアップ先はアプリケーションから読み取り専用で、書き込むのは ReplicaDesk だけです。',
  'readOnly.off': () => 'アプリケーションがバックアップ先に書き込めます。誤ってそこで変更するとバックアップがマスターとずれ、レプリケーションが止まることがあります。',
  'readOnly.fix': () => 'バックアップ先を読み取り専用にしてください（ReplicaDesk は管理者アカウントで書き込みを続けます）：',
  'readOnly.noPrivilege': (p) => `バックアップ先は読み取り専用で、${p.account} にはそれを越えて書き込む権限がないため、変更を反映できません。`,
  'readOnly.noPrivilege.fix': () => '読み取り専用のサーバーに書き込める権限をアカウントに付けてください：',

  'disk.ok': (p) => `${p.path} の空きは ${p.free} で、必要なのは約 ${p.need} です。`,
  'disk.low': (p) => `${p.path} の空きは ${p.free} で、必要なのは約 ${p.need} です。今後の増加に対する余裕がわずかです。`,
  'disk.short': (p) => `${p.path} の空きは ${p.free} しかありませんが、コピーとリレーログに約 ${p.need} 必要です。`,
  'disk.fix': () => '空き容量を増やすか、バックアップのデータを大きなディスクに移してください。',
  'disk.unknown': () => 'ディスクの空き容量は測っていません（ローカルのフォルダーが指定されていません）。',

  'setup.restartNeeded': (p) => `my.cnf を保存したら、マスターのデータベースサービスを再起動してください。${p.options} は起動時にだけ反映されます。`,
  'setup.noRestart': () => '再起動は不要です。変更は動作中のサーバーに反映され、my.cnf にも保存されました。',
  'setup.userCreated': (p) => `レプリケーション用アカウント ${p.account} をマスターに作成しました。`,
  'setup.userManual': (p) => `レプリケーション用アカウント ${p.account} を作るには、マスターで管理者として次の文を実行してください：`,

  'purge.current': () => '使用中：マスターが現在このファイルに書き込んでいます。',
  'purge.needed': (p) => `${p.channels} がまだ必要としています。`,
  'purge.purgeable': () => 'どのバックアップにももう必要ありません。削除できます。',
  'purge.keptAfter': () => '保持：より古いファイルがまだ必要で、ファイルは古い順にしか削除できません。',
};
