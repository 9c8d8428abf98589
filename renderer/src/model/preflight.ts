import type { Localized } from '../i18n';

/**
 * One pre-flight check as the setup engine reports it (core/setup/preflight/types.ts), kept locally
 * because the renderer imports only API types. Explanations arrive already translated into all three
 * languages.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckFix {
  kind: 'mycnf' | 'sql' | 'shell';
  on: 'master' | 'target' | 'backup-pc';
  code: string;
  restart?: boolean;
}

export interface PreflightCheck {
  id: string;
  status: CheckStatus;
  observed: string;
  expected: string;
  explanation: Localized;
  howToFix?: Localized;
  fix?: CheckFix[];
}

/** The wizard may go on when nothing failed; warnings are shown and accepted. */
export function preflightPassed(checks: readonly PreflightCheck[]): boolean {
  return checks.length > 0 && checks.every((c) => c.status !== 'fail');
}

/** The master plan (core/setup/master-setup.ts MasterSetupPlan), as much of it as the wizard shows. */
export interface MasterPlan {
  mycnfText: string;
  runtime: string[];
  user: { account: string; exists: boolean; statements: string[] };
  restartNeeded: boolean;
  restartFor: string[];
  explanation: Localized;
}

/** The initial copy's progress (core/setup/clone/progress.ts CloneProgress). */
export interface CloneProgress {
  phase: 'snapshot' | 'schema' | 'data' | 'routines' | 'views' | 'triggers' | 'events' | 'cleanup' | 'done';
  tablesTotal: number;
  tablesDone: number;
  rowsTotal: number;
  rowsDone: number;
  bytesTotal: number;
  bytesDone: number;
  current: string[];
  elapsedMs: number;
  etaSeconds: number | null;
}
