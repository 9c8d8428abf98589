import { useCallback, useRef, useState } from 'react';

export interface ActionState {
  busy: boolean;
  error?: string;
}

/**
 * Runs one user action at a time (a second click while busy is ignored) and keeps its error to show next
 * to the button. Errors from the API carry the service's own message.
 */
export function useAction(): [(fn: () => Promise<unknown>) => Promise<boolean>, ActionState, () => void] {
  const [state, setState] = useState<ActionState>({ busy: false });
  const running = useRef(false);
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    if (running.current) return false;
    running.current = true;
    setState({ busy: true });
    try {
      await fn();
      setState({ busy: false });
      return true;
    } catch (err) {
      setState({ busy: false, error: (err as Error).message || String(err) });
      return false;
    } finally {
      running.current = false;
    }
  }, []);
  const clear = useCallback(() => setState({ busy: false }), []);
  return [run, state, clear];
}
