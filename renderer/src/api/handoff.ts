import type { EndpointForm } from '../model/forms';

/**
 * Values one wizard hands to the next (the replication account "Prepare an office server" just created goes
 * into "Add a backup"). Kept in memory only, never in storage or the address: it holds a password.
 */
let pending: { master: EndpointForm } | undefined;

export function handOff(value: { master: EndpointForm }): void {
  pending = value;
}

export function takeHandOff(): { master: EndpointForm } | undefined {
  const v = pending;
  pending = undefined;
  return v;
}
