import type { Health } from './health';
import { encodeIco, encodePng } from './png';

/**
 * The app and tray icons, drawn from shapes (signed distance functions, anti-aliased by coverage) so any
 * size is sharp and the source is reviewable code. The tray icon never relies on colour alone: each state
 * also has its own glyph (check, exclamation mark, cross, dash).
 */

type Rgb = readonly [number, number, number];
type Sdf = (x: number, y: number) => number;

export const HEALTH_COLOURS: Record<Health, Rgb> = {
  ok: [0x1a, 0x7f, 0x37],
  warn: [0xb3, 0x6b, 0x00],
  error: [0xc4, 0x23, 0x1b],
  idle: [0x5c, 0x67, 0x73],
};

class Canvas {
  readonly rgba: Uint8Array;
  constructor(readonly size: number) {
    this.rgba = new Uint8Array(size * size * 4);
  }

  /** Paints `colour` where sdf < 0, in a coordinate space where the icon is 1 unit wide. */
  fill(sdf: Sdf, colour: Rgb, opacity = 1): void {
    const n = this.size;
    const px = 1 / n;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const d = sdf((x + 0.5) * px, (y + 0.5) * px);
        const cover = Math.min(1, Math.max(0, 0.5 - d / px)) * opacity;
        if (cover <= 0) continue;
        const i = (y * n + x) * 4;
        const a0 = this.rgba[i + 3]! / 255;
        const a = cover + a0 * (1 - cover);
        for (let k = 0; k < 3; k++) this.rgba[i + k] = Math.round((colour[k]! * cover + this.rgba[i + k]! * a0 * (1 - cover)) / a);
        this.rgba[i + 3] = Math.round(a * 255);
      }
    }
  }

  png(): Buffer {
    return encodePng(this.size, this.size, this.rgba);
  }
}

const circle = (cx: number, cy: number, r: number): Sdf => (x, y) => Math.hypot(x - cx, y - cy) - r;
const ellipse = (cx: number, cy: number, rx: number, ry: number): Sdf => (x, y) => (Math.hypot((x - cx) / rx, (y - cy) / ry) - 1) * Math.min(rx, ry);
const roundRect = (cx: number, cy: number, hw: number, hh: number, r: number): Sdf => (x, y) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const segment = (ax: number, ay: number, bx: number, by: number, halfWidth: number): Sdf => (x, y) => {
  const pax = x - ax, pay = y - ay, bax = bx - ax, bay = by - ay;
  const h = Math.min(1, Math.max(0, (pax * bax + pay * bay) / (bax * bax + bay * bay)));
  return Math.hypot(pax - bax * h, pay - bay * h) - halfWidth;
};
const union = (...shapes: Sdf[]): Sdf => (x, y) => Math.min(...shapes.map((s) => s(x, y)));
const WHITE: Rgb = [255, 255, 255];

/** Tray icon: a disc in the state's colour with a white glyph. `size` in pixels (16, 32, 48...). */
export function trayIconPng(health: Health, size: number): Buffer {
  const c = new Canvas(size);
  c.fill(circle(0.5, 0.5, 0.47), HEALTH_COLOURS[health]);
  const w = size <= 16 ? 0.075 : 0.065;
  const glyph: Record<Health, Sdf> = {
    ok: union(segment(0.27, 0.52, 0.43, 0.68, w), segment(0.43, 0.68, 0.74, 0.34, w)),
    warn: union(segment(0.5, 0.24, 0.5, 0.56, w), circle(0.5, 0.74, w * 1.15)),
    error: union(segment(0.31, 0.31, 0.69, 0.69, w), segment(0.69, 0.31, 0.31, 0.69, w)),
    idle: segment(0.28, 0.5, 0.72, 0.5, w),
  };
  c.fill(glyph[health], WHITE);
  return c.png();
}

/** App icon: two database cylinders on a blue tile, the right one (the live copy) following the left. */
export function appIconPng(size: number): Buffer {
  const c = new Canvas(size);
  c.fill(roundRect(0.5, 0.5, 0.46, 0.46, 0.11), [0x0b, 0x4f, 0xb3]);
  const cylinder = (cx: number, top: number, bottom: number, rx: number, body: Rgb, lid: Rgb) => {
    const ry = rx * 0.32;
    c.fill(union(roundRect(cx, (top + bottom) / 2, rx, (bottom - top) / 2, 0.001), ellipse(cx, bottom, rx, ry)), body);
    c.fill(ellipse(cx, top, rx, ry), lid);
    // Bands: the classic "disk" look, so it reads as a database even at 32 pixels.
    for (const f of [1 / 3, 2 / 3]) {
      const yb = top + (bottom - top) * f;
      c.fill((x, y) => Math.max(Math.abs(ellipse(cx, yb, rx, ry)(x, y)) - 0.008, yb - y, Math.abs(x - cx) - rx), lid, 0.9);
    }
  };
  cylinder(0.31, 0.2, 0.58, 0.15, [0xe8, 0xef, 0xfa], [0xff, 0xff, 0xff]);
  cylinder(0.68, 0.4, 0.78, 0.15, [0x9f, 0xe0, 0xb4], [0xd6, 0xf5, 0xdf]);
  // The arrow from the original to its copy.
  c.fill(union(segment(0.18, 0.8, 0.44, 0.8, 0.028), segment(0.45, 0.8, 0.39, 0.74, 0.028), segment(0.45, 0.8, 0.39, 0.86, 0.028)), WHITE);
  return c.png();
}

/** Linux wants one PNG per size (hicolor theme); Windows one .ico holding several. */
export const LINUX_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const;
export const WINDOWS_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;

/** Every packaging icon as file name → bytes; build/make-icons.js writes them into build/icons/. */
export function packagingIcons(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const pngs = new Map<number, Buffer>();
  const png = (size: number) => pngs.get(size) ?? pngs.set(size, appIconPng(size)).get(size)!;
  for (const size of LINUX_ICON_SIZES) files.set(`${size}x${size}.png`, png(size));
  files.set('icon.png', png(512));
  files.set('icon.ico', encodeIco(WINDOWS_ICON_SIZES.map((size) => ({ size, png: png(size) }))));
  return files;
}

/** The browser tab's icon (renderer/public/favicon.png). */
export function faviconPng(): Buffer {
  return appIconPng(64);
}
