import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEALTH_COLOURS, appIconPng, trayIconPng } from '../../../core/desktop/icons';
import { crc32, decodePng, encodeIco, encodePng } from '../../../core/desktop/png';

test('crc32 matches the PNG specification check value', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('encodePng round-trips pixels', () => {
  const rgba = new Uint8Array(3 * 2 * 4).map((_, i) => (i * 37) & 0xff);
  const back = decodePng(encodePng(3, 2, rgba));
  assert.deepEqual([back.width, back.height], [3, 2]);
  assert.deepEqual(Buffer.from(back.rgba), Buffer.from(rgba));
});

test('each tray state has its own colour and a white glyph in the middle area', () => {
  for (const health of ['ok', 'warn', 'error', 'idle'] as const) {
    const { width, rgba } = decodePng(trayIconPng(health, 32));
    assert.equal(width, 32);
    const px = (x: number, y: number) => [...rgba.subarray((y * 32 + x) * 4, (y * 32 + x) * 4 + 4)];
    assert.equal(px(0, 0)[3], 0, 'corners are transparent');
    // Near the rim, inside the disc, the state colour shows.
    assert.deepEqual(px(16, 2).slice(0, 3), [...HEALTH_COLOURS[health]], health);
    const white = [...Array(32 * 32).keys()].filter((i) => rgba[i * 4] === 255 && rgba[i * 4 + 1] === 255 && rgba[i * 4 + 2] === 255 && rgba[i * 4 + 3] === 255);
    assert.ok(white.length > 10, `${health} has a glyph`);
  }
});

test('the glyphs differ, so the states do not depend on colour alone', () => {
  const mask = (h: 'ok' | 'warn' | 'error' | 'idle') => {
    const { rgba } = decodePng(trayIconPng(h, 32));
    return [...Array(32 * 32).keys()].map((i) => (rgba[i * 4] === 255 && rgba[i * 4 + 1] === 255 ? 1 : 0)).join('');
  };
  const masks = new Set((['ok', 'warn', 'error', 'idle'] as const).map(mask));
  assert.equal(masks.size, 4);
});

test('the ICO directory points at each embedded PNG', () => {
  const images = [16, 256].map((size) => ({ size, png: appIconPng(size) }));
  const ico = encodeIco(images);
  assert.equal(ico.readUInt16LE(2), 1);
  assert.equal(ico.readUInt16LE(4), 2);
  assert.equal(ico[6 + 16], 0, '256 is written as 0');
  const offset = ico.readUInt32LE(6 + 16 + 12);
  const size = ico.readUInt32LE(6 + 16 + 8);
  assert.equal(decodePng(ico.subarray(offset, offset + size)).width, 256);
});
