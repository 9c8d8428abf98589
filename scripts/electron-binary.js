'use strict';
// Finds Electron's binary without triggering its download (requiring the "electron" package would try to
// fetch it, which these machines cannot). Returns { path } or { reason }.
const fs = require('node:fs');
const path = require('node:path');

function findElectronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : 'electron');
    return fs.existsSync(p) ? { path: p } : { reason: `ELECTRON_OVERRIDE_DIST_PATH points to ${p}, which does not exist` };
  }
  let pkgDir;
  try {
    pkgDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the "electron" package is not installed' };
  }
  const pathFile = path.join(pkgDir, 'path.txt');
  if (!fs.existsSync(pathFile)) return { reason: "Electron's binary has not been downloaded (this machine cannot reach Electron's download server)" };
  const bin = path.join(pkgDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(bin) ? { path: bin } : { reason: `Electron's binary is missing at ${bin}` };
}

module.exports = { findElectronBinary };
