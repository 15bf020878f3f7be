// The stack under test: the mocks and the BFFs, built once from this
// repository with `go build` and started on free loopback ports, each with a
// configuration file in a temporary folder. stop() ends every process this
// module started (and only those).

import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A free TCP port on 127.0.0.1 (the OS picks it; the listener is closed before use). */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** Resolves when url answers 200, polling without a fixed sleep budget beyond deadline. */
async function waitReady(url, proc, deadlineMs = 60_000) {
  const until = Date.now() + deadlineMs;
  let lastError;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`${proc.label} exited with ${proc.exitCode}:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
      lastError = new Error(`${url}: ${res.status}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.label} not ready at ${url}: ${lastError}\n${proc.output()}`);
}

export class Stack {
  #procs = [];
  #dir;

  /** Builds the binaries and starts the mocks. */
  async start() {
    this.#dir = await mkdtemp(join(tmpdir(), 'tandem-clients-'));
    const bin = join(this.#dir, 'bin');
    await run('go', ['build', '-o', bin + '/', './mocks/cmd/mocks', './bff-web/cmd/bff-web', './bff-mobile/cmd/bff-mobile'],
      { cwd: repoRoot, maxBuffer: 16 << 20 });
    this.bin = bin;

    // Every mock service on its own free port: the flags come from the
    // mocks' own usage, so a new service needs no change here.
    const help = await run(join(bin, 'mocks'), ['-h']).catch((e) => e);
    const services = [...`${help.stdout}${help.stderr}`.matchAll(/^\s+-(\w+)-addr\b/gm)].map((m) => m[1])
      .filter((n) => n !== 'admin' && n !== 'idp');
    const args = ['-admin-addr', `127.0.0.1:${await freePort()}`, '-idp-addr', `127.0.0.1:${await freePort()}`];
    for (const s of services) args.push(`-${s}-addr`, '127.0.0.1:0');
    const mocks = this.#spawn('mocks', join(bin, 'mocks'), args, {});
    const lines = await mocks.waitFor((out) => {
      const found = {};
      for (const m of out.matchAll(/^(\S[\w ]*?)\s{2,}(\S+)/gm)) found[m[1].trim()] = m[2];
      return services.every((s) => found[s]) && found['identity provider'] && found['mocks admin'] ? found : null;
    });
    this.adminURL = lines['mocks admin'];
    this.issuer = lines['identity provider'];
    this.upstreams = Object.fromEntries(services.map((s) => [s, lines[s]]));
    await waitReady(`${this.adminURL}/healthz`, mocks);
  }

  /**
   * Starts a BFF ('bff-web' or 'bff-mobile') in dev or production mode, with
   * environment settings (origins: its CORS origins; extra: more variables)
   * and more YAML configuration; resolves to its base URL once /readyz
   * answers.
   */
  async startBFF(name, { dev = false, env = {}, yaml = '' } = {}) {
    const port = await freePort();
    const prefix = name === 'bff-web' ? 'TANDEM_WEB' : 'TANDEM_MOBILE';
    const cfg = join(this.#dir, `${name}-${port}.yaml`);
    await writeFile(cfg, [
      'auth:',
      '  issuers:',
      `    - issuer: ${JSON.stringify(this.issuer)}`,
      '      audiences: [tandem]',
      `      jwksUrl: ${JSON.stringify(this.issuer + '/.well-known/jwks.json')}`,
      yaml,
      '',
    ].join('\n'));
    const upstreamEnv = Object.fromEntries(Object.entries(this.upstreams)
      .map(([svc, addr]) => [`TANDEM_UPSTREAMS_${svc.toUpperCase()}_ADDRESS`, addr]));
    // The admin listener (metrics, pprof) on a port of its own: several
    // BFFs of one kind run side by side here.
    const args = ['-config', cfg, '-addr', `127.0.0.1:${port}`, '-admin-addr', '127.0.0.1:0', '-log-level', 'warn'];
    if (dev) args.push('-dev');
    const edgeEnv = env.origins === undefined ? {} : { [`${prefix}_CORS_ALLOWED_ORIGINS`]: env.origins };
    const proc = this.#spawn(`${name}${dev ? ' (dev)' : ''}`, join(this.bin, name), args,
      { ...upstreamEnv, ...edgeEnv, ...(env.extra ?? {}) });
    const url = `http://127.0.0.1:${port}`;
    await waitReady(`${url}/readyz`, proc);
    return url;
  }

  /** A token from the mock identity provider. */
  async token(sub, scopes = []) {
    const res = await fetch(`${this.adminURL}/idp/tokens`, { method: 'POST', body: JSON.stringify({ sub, scopes }) });
    if (!res.ok) throw new Error(`mint: ${res.status} ${await res.text()}`);
    return (await res.json()).token;
  }

  /** Injects a fault into a mock service (see mocks/README.md). */
  async fault(service, route, fault) {
    const res = await fetch(`${this.adminURL}/faults`, { method: 'POST', body: JSON.stringify({ service, route, fault }) });
    if (!res.ok) throw new Error(`fault: ${res.status} ${await res.text()}`);
  }

  async clearFaults() {
    await fetch(`${this.adminURL}/faults`, { method: 'DELETE' });
  }

  /** The mobile app's published operations (the manifest bff-mobile embeds). */
  async mobileManifest() {
    return JSON.parse(await readFile(join(repoRoot, 'bff-mobile/operations/manifest.json'), 'utf8'));
  }

  /** Stops every process started here, then removes the temporary folder. */
  async stop() {
    await Promise.all(this.#procs.map((p) => p.stop()));
    this.#procs = [];
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }

  #spawn(label, cmd, args, env) {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const waiters = new Set();
    const onData = (d) => {
      out += d;
      for (const w of waiters) w();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exited = new Promise((r) => child.once('exit', r));
    const proc = {
      label,
      get exitCode() { return child.exitCode; },
      output: () => out.slice(-4000),
      /** Resolves with the first non-null value of check(output) as output arrives. */
      waitFor: (check, deadlineMs = 30_000) => new Promise((ok, fail) => {
        const timer = setTimeout(() => { waiters.delete(tryIt); fail(new Error(`${label}: timed out:\n${out}`)); }, deadlineMs);
        const tryIt = () => {
          const v = check(out);
          if (v) { clearTimeout(timer); waiters.delete(tryIt); ok(v); }
          else if (child.exitCode !== null) { clearTimeout(timer); waiters.delete(tryIt); fail(new Error(`${label} exited:\n${out}`)); }
        };
        waiters.add(tryIt);
        child.once('exit', tryIt);
        tryIt();
      }),
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
    this.#procs.push(proc);
    return proc;
  }
}
