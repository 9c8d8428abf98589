/**
 * The dashboard and the tray judge health by the same rules: both use core/desktop/health.ts (pure, no
 * Node or DOM), so a channel is never green in one and amber in the other.
 */
export { channelHealth, computeTrayState, DEFAULT_HEALTH_OPTIONS, fanoutHealth, type Health, type HealthOptions, type HealthReason, type UnitHealth } from '../../../core/desktop/health';
export { desktopChannel, desktopFanout } from '../../../core/desktop/from-api';
