// V8 code caches of the quick bundles (dist/bundle/quick/<command>.cjs, read by bin/quick.cjs):
// run by scripts/bundle.mjs after the bundles are written. Each bundle is compiled from source and
// run, in a process of its own, on a copy of the HA build (runbooks/k8s-ha with its example
// inventory: parsed, then read from the parse cache), its output thrown away; then V8's cache of
// everything compiled so far, the functions compiled on first call included, is written beside it
// with a stamp: the sha256 of the compiled text and of the cache, and the version of Node that made it.
// `run`'s is made by running the HA build at hosts that cannot be reached (below), until it stops.
// The player's (play.cjs) is made in a terminal (a pseudo-terminal from util-linux `script`, 80x24),
// once its first frame of the HA build is written: the functions on the way to the first frame are
// what the cache is for. Its hosts are SSH hosts at a port of its own on 127.0.0.1 that closes
// every connection (the example inventory's addresses are not ours to connect to), and the process
// ends before the checks behind the frame.
//   node scripts/codecache.mjs           (every quick bundle)
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// bin/quick.cjs is CommonJS, as the launcher that loads it (bin/runbook).
const { loadQuick, sourceHash, readAsIs } = createRequire(import.meta.url)('../bin/quick.cjs');
const quickDir = join(root, 'dist', 'bundle', 'quick');
const self = fileURLToPath(import.meta.url);
/** The player's frame once drawn: its status line (`steps 0/N`) and its key hints. */
const FIRST_FRAME = /steps 0\/\d+[^]*Enter\/r run/;

function writeCache(quick) {
  writeFileSync(`${quick.file}.cache`, quick.script.createCachedData());
  // The hashes are of the files as they are now on the disk, with the size and time fstat gives
  // them through the same descriptor (bin/quick.cjs takes them as they are without hashing again).
  const bundle = readAsIs(quick.file);
  const cache = readAsIs(`${quick.file}.cache`);
  if (sourceHash(bundle.bytes) !== sourceHash(quick.code)) throw new Error(`${quick.file} changed while its code cache was made`);
  writeFileSync(`${quick.file}.cache.json`, `${JSON.stringify({ node: process.version, arch: process.arch, source: sourceHash(bundle.bytes), cache: sourceHash(cache.bytes), built: { bundle: bundle.identity, cache: cache.identity } })}\n`);
}

/** A copy of the HA build in a temporary directory with its .runbook/ (0700); `run(ha, inventory)`. */
async function onHaBuild(run) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-codecache-'));
  try {
    cpSync(join(root, 'runbooks', 'k8s-ha'), join(dir, 'k8s-ha'), { recursive: true });
    mkdirSync(join(dir, '.runbook'), { mode: 0o700 });
    await run(join(dir, 'k8s-ha'), join(dir, 'k8s-ha', 'inventory.example.yaml'), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `fn()` with this process's stdout and stderr thrown away: a command run only to compile it. */
async function muted(fn) {
  const write = [process.stdout.write, process.stderr.write];
  process.stdout.write = process.stderr.write = () => true;
  try {
    return await fn();
  } finally {
    [process.stdout.write, process.stderr.write] = write;
  }
}

async function quickCommandCache(command) {
  await onHaBuild(async (ha, inv) => {
    const quick = await loadQuick(command, { useCache: false });
    const codes = [];
    await muted(async () => {
      for (const extra of [[], [], ['--json']]) codes.push(await quick.exports.main([command, ha, '-i', inv, ...extra]));
    });
    if (codes.some((c) => c !== 0)) throw new Error(`${command} of the HA build exited ${codes.join(', ')} while making its code cache`);
    writeCache(quick);
  });
}

/**
 * The HA example inventory with every host at a port of this process that closes each connection
 * at once (written beside it, with an empty known_hosts): a command that connects (ssh2, in its
 * bundle) gets as far as it can, and nothing leaves the machine. Returns the inventory's path and
 * the server (close it when done).
 */
async function haAtRefuser(inv, dir) {
  const refuser = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
  await once(refuser, 'listening');
  const lab = join(dir, 'inventory.yaml');
  const example = readFileSync(inv, 'utf8');
  const pointed = example.replace(/^( +)ansible_host: .*$/gm, (_, indent) => `${indent}ansible_host: 127.0.0.1\n${indent}ansible_port: ${refuser.address().port}`);
  if (pointed === example) throw new Error(`${inv} has no ansible_host to point at this machine`);
  writeFileSync(lab, pointed);
  writeFileSync(join(dir, 'known_hosts'), '');
  return { lab, refuser };
}

/**
 * `run` of the HA build with its hosts at the refuser: parsed, checked, its state opened, its first
 * step started and found unreachable everywhere (exit 5), as a run stops; then the cache is kept.
 */
async function runCache() {
  await onHaBuild(async (ha, inv, dir) => {
    const { lab, refuser } = await haAtRefuser(inv, dir);
    const quick = await loadQuick('run', { useCache: false });
    let code;
    try {
      code = await muted(() => quick.exports.main(['run', ha, '-i', lab, '--known-hosts', join(dir, 'known_hosts'), '--no-ssh-config', '--state', join(dir, '.runbook', 'codecache.state.jsonl')]));
    } finally {
      refuser.close();
    }
    if (code !== 5) throw new Error(`run of the HA build at unreachable hosts exited ${code}, not 5 (unreachable), while making its code cache`);
    writeCache(quick);
  });
}

/** In the pseudo-terminal: play the HA build until its first frame is written, then keep the cache and exit. */
async function playerCache() {
  await new Promise((resolveDone, reject) => {
    onHaBuild(async (ha, inv, dir) => {
      // The player connects once its first frame is drawn: nothing leaves the machine meanwhile.
      const { lab } = await haAtRefuser(inv, dir);
      const quick = await loadQuick('play', { useCache: false });
      const write = process.stdout.write.bind(process.stdout);
      let out = '';
      let done = false;
      process.stdout.write = (chunk, ...rest) => {
        out += String(chunk);
        if (!done && FIRST_FRAME.test(out)) {
          done = true;
          writeCache(quick);
          resolveDone();
        }
        return write(chunk, ...rest);
      };
      const code = await quick.exports.main(['play', ha, '-i', lab, '--known-hosts', join(dir, 'known_hosts'), '--no-ssh-config', '--state', join(dir, '.runbook', 'codecache.state.jsonl')]);
      if (!done) reject(new Error(`play of the HA build exited ${code} before its first frame; it wrote:\n${out.slice(-2000)}`));
    }).catch(reject);
  });
}

if (process.argv[2] === '--child') {
  const command = process.argv[3];
  if (command === 'play') {
    await playerCache();
    process.exit(0); // the player and its checks are not waited for
  } else if (command === 'run') {
    await runCache();
    process.exit(0); // a connection's last timers are not waited for
  } else await quickCommandCache(command);
} else {
  for (const name of readdirSync(quickDir).filter((f) => f.endsWith('.cjs'))) {
    const command = name.slice(0, -'.cjs'.length);
    const child = [process.execPath, self, '--child', command];
    let status;
    if (command === 'play') {
      // `script` gives the child a terminal; its own standard input stays open (a pipe) until the
      // child is gone, so the player reads no end of input.
      const inner = `stty cols 80 rows 24 && exec ${child.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`;
      status = await new Promise((res) => {
        const p = spawn('script', ['-qec', inner, '/dev/null'], { stdio: ['pipe', 'ignore', 'inherit'], env: { ...process.env, TERM: process.env.TERM || 'xterm-256color' } });
        const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
        p.on('error', () => res('no util-linux script'));
        p.on('exit', (code) => {
          clearTimeout(timer);
          p.stdin.destroy();
          res(code);
        });
      });
    } else {
      // Standard output to /dev/null: status and plan write a file's or /dev/null's output with
      // fs.writeSync (src/cli/stdout.ts), past muted()'s reach.
      status = spawnSync(child[0], child.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] }).status;
    }
    if (status !== 0) {
      // Not a failed build: the command works without it (the player from the ES module bundle).
      process.stderr.write(`build: warning: the code cache of ${name} could not be made (exit ${status}); runbook ${command} works without it, only slower to start\n`);
    }
  }
}
