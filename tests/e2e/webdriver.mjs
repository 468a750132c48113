// A minimal W3C WebDriver client (Node 20 fetch, no dependencies) for driving
// the real Amana desktop app through tauri-driver and WebKitWebDriver.

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class Session {
  /** `application`: the app binary the session started (for `shot`, which finds its window). */
  constructor(base, id, application) {
    this.base = base;
    this.id = id;
    this.application = application;
  }

  // `args` are the app's command-line arguments, e.g. `[bundlePath]` for the app
  // launched by a double click on a bundle (relative paths are resolved against
  // tauri-driver's folder). tauri-driver passes no `env`: the app inherits
  // tauri-driver's environment.
  static async start(base, application, env = {}, args = []) {
    const res = await call(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application, env, args } } },
    });
    return new Session(base, res.sessionId, application);
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async find(testid, { timeout = 10000 } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    while (Date.now() < deadline) {
      try {
        const el = await this.cmd('POST', '/element', { using: 'css selector', value: `[data-testid="${testid}"]` });
        return el[ELEMENT];
      } catch (e) {
        last = e;
        await sleep(150);
      }
    }
    throw new Error(`no element [data-testid="${testid}"] after ${timeout} ms: ${last?.message}`);
  }

  async findAll(testid) {
    const els = await this.cmd('POST', '/elements', { using: 'css selector', value: `[data-testid="${testid}"]` });
    return els.map((e) => e[ELEMENT]);
  }

  async click(testid) {
    const el = await this.find(testid);
    try {
      await this.cmd('POST', `/element/${el}/click`, {});
    } catch (e) {
      if (!/not interactable|intercepted/.test(e.message)) throw e;
      // Scroll it into view and let a dialog's animation settle, then once more.
      await this.script(`document.querySelector('[data-testid="${testid}"]').scrollIntoView({ block: 'center' })`);
      await sleep(400);
      await this.cmd('POST', `/element/${el}/click`, {});
    }
    return el;
  }

  async type(testid, text, { clear = true } = {}) {
    const el = await this.find(testid);
    if (clear) await this.cmd('POST', `/element/${el}/clear`, {});
    await this.cmd('POST', `/element/${el}/value`, { text });
    return el;
  }

  async text(testid) {
    const el = await this.find(testid);
    return this.cmd('GET', `/element/${el}/text`);
  }

  async elementText(el) {
    return this.cmd('GET', `/element/${el}/text`);
  }

  async select(testid, value) {
    const el = await this.find(testid);
    await this.script(
      `const el = document.querySelector('[data-testid="${testid}"]'); el.value = arguments[0]; el.dispatchEvent(new Event('change', { bubbles: true })); el.dispatchEvent(new Event('input', { bubbles: true }));`,
      [value],
    );
    return el;
  }

  script(source, args = []) {
    return this.cmd('POST', '/execute/sync', { script: source, args });
  }

  // Calls an app command from the page, as the UI does; resolves to its
  // result, rejects with its `{code, message}` error.
  async invoke(command, args = {}) {
    const r = await this.cmd('POST', '/execute/async', {
      script:
        'const done = arguments[arguments.length - 1];' +
        'window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then((ok) => done({ ok }), (err) => done({ err }));',
      args: [command, args],
    });
    if (r && 'err' in r) throw new Error(`${command}: ${JSON.stringify(r.err)}`);
    return r?.ok ?? null;
  }

  async waitFor(predicate, what, timeout = 10000) {
    return until(predicate, what, timeout);
  }

  async end() {
    try {
      await this.cmd('DELETE', '');
    } catch {
      /* the app may already be gone */
    }
  }
}

async function call(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || (json.value && json.value.error)) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json).slice(0, 400)}`);
  }
  return json.value;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `predicate` (sync or async) every 200 ms until it holds, or throws after `timeout` ms. */
export async function until(predicate, what, timeout = 10000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}
