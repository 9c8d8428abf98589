import { Menu, nativeImage, Notification, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { Health } from '../../core/desktop/health';
import { trayIconPng } from '../../core/desktop/icons';
import type { DesktopNotification } from '../../core/desktop/notifications';
import type { ShellView } from '../../core/desktop/shell-controller';
import type { TrayAction, TrayMenuItem } from '../../core/desktop/tray-menu';

const BULLET: Record<Health, string> = { ok: '●', warn: '▲', error: '✖', idle: '○' };

function icon(health: Health): NativeImage {
  // 16 px at 1x, with 2x and 3x representations for high-density screens and Windows' larger trays.
  const image = nativeImage.createFromBuffer(trayIconPng(health, 16), { scaleFactor: 1 });
  for (const scale of [2, 3]) image.addRepresentation({ scaleFactor: scale, buffer: trayIconPng(health, 16 * scale) });
  return image;
}

/** Paints what core/desktop's ShellController decides: Electron's Tray, Menu and Notification. */
export class ElectronShellView implements ShellView {
  private tray: Tray | undefined;
  private readonly icons = new Map<Health, NativeImage>();
  private shownHealth: Health | undefined;
  /** Notifications are kept referenced until closed, or Electron may collect them before a click. */
  private readonly live = new Set<Notification>();

  constructor(private readonly perform: (action: TrayAction) => void) {}

  setTray(view: { health: Health; tooltip: string; menu: TrayMenuItem[] }): void {
    if (!this.icons.has(view.health)) this.icons.set(view.health, icon(view.health));
    if (!this.tray) {
      this.tray = new Tray(this.icons.get(view.health)!);
      this.tray.on('click', () => this.perform({ type: 'open' }));
    } else if (this.shownHealth !== view.health) this.tray.setImage(this.icons.get(view.health)!);
    this.shownHealth = view.health;
    this.tray.setToolTip(view.tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(view.menu.map((item) => this.menuItem(item))));
  }

  notify(n: DesktopNotification): void {
    if (!Notification.isSupported()) return;
    const note = new Notification({ title: n.title, body: n.body, urgency: n.severity === 'error' ? 'critical' : 'normal', icon: icon(n.severity === 'error' ? 'error' : 'warn') });
    this.live.add(note);
    note.on('click', () => this.perform(n.unit ? { type: 'open-unit', ...n.unit } : { type: 'open' }));
    note.on('close', () => this.live.delete(note));
    note.show();
  }

  handle(): void {
    // Window and OS actions are routed by main's perform(); the controller only calls this for them.
  }

  destroy(): void {
    this.tray?.destroy();
    this.tray = undefined;
    for (const n of this.live) n.close();
    this.live.clear();
  }

  private menuItem(item: TrayMenuItem): MenuItemConstructorOptions {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'note':
        return { label: item.label, enabled: false };
      case 'unit':
        // The symbol repeats the icon's state in text: a menu line never relies on colour.
        return { label: `${BULLET[item.health]} ${item.label}`, click: () => this.perform(item.action) };
      case 'checkbox':
        return { type: 'checkbox', label: item.label, checked: item.checked, click: () => this.perform(item.action) };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => this.perform(item.action) };
    }
  }
}
