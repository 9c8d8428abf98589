/**
 * Every error that crosses a module boundary is a ReplicaDeskError with a stable code, so the UI and the
 * CLI can explain it (and translate it) without parsing English messages.
 */
export class ReplicaDeskError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplicaDeskError';
    this.code = code;
    this.details = details;
  }
}

/** Plain-data view of any thrown value, safe to send over the API. */
export interface ErrorInfo {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof ReplicaDeskError) {
    return err.details ? { code: err.code, message: err.message, details: err.details } : { code: err.code, message: err.message };
  }
  if (err instanceof Error) {
    const code = typeof (err as { code?: unknown }).code === 'string' ? String((err as { code?: unknown }).code) : 'INTERNAL';
    return { code, message: err.message };
  }
  return { code: 'INTERNAL', message: String(err) };
}
