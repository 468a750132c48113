// Locking, seen from outside the app. A lock ends the WebKit web process and
// reloads the page in a new one (src-tauri/src/lib.rs, restart_web_process),
// and WebKitWebDriver ends its session with that process ("session deleted
// because of page crash or hang"). So what happens after a lock is observed
// the way a person or an attacker would: the app's open files (an unlocked
// vault holds vault.db open; a locked one does not), the app's processes, the
// screen (`import -window root`), and the keyboard (xdotool) to unlock again.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sleep, until } from './webdriver.mjs';
import { appPid, appWindow } from './steps.mjs';
import { processTree } from './memory.mjs';

/** The pids of the app's WebKit web processes. */
export function webProcesses(app) {
  return processTree(app).filter((p) => p.comm.startsWith('WebKitWebProces')).map((p) => p.pid);
}

/** Whether process `pid` has the vault's database open (it does while unlocked). */
export function holdsVault(pid, vaultDir) {
  const db = path.join(vaultDir, 'vault.db');
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === db;
      } catch {
        return false;
      }
    });
  } catch (e) {
    // A process that is gone holds nothing; any other error (no permission
    // to look) must not pass for "the vault is closed".
    if (e.code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * Waits until the app is locked (vault.db closed) and its page runs in a new
 * web process: every web process from before the lock gone, a new one there.
 */
export async function lockedWithNewWebProcess({ app, vaultDir, webBefore, timeout = 20000 }) {
  const pid = appPid(app);
  await until(() => !holdsVault(pid, vaultDir), 'the vault closed by the app', timeout);
  await until(() => {
    const now = webProcesses(app);
    return now.length > 0 && now.every((p) => !webBefore.includes(p));
  }, 'a new web process in place of the old one', timeout);
  return pid;
}

/**
 * Types the passphrase into the app's window (the unlock screen focuses its
 * passphrase field) and presses Enter, as a person would; waits until the
 * same app process has the vault open again.
 */
export async function unlockByKeyboard({ pid, env, passphrase, vaultDir }) {
  const win = await appWindow(pid, env);
  execFileSync('xdotool', ['windowfocus', '--sync', win], { env });
  await sleep(300);
  execFileSync('xdotool', ['type', '--window', win, '--delay', '5', passphrase], { env });
  execFileSync('xdotool', ['key', '--window', win, 'Return'], { env });
  await until(() => holdsVault(pid, vaultDir), 'the same app unlocked again', 30000);
}
