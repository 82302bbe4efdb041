// Bundles the compiled CLI (dist/, from tsc) into dist/bundle/: a few ES module files instead of
// the ~400 files of our code, zod, yaml, commander, Ink and React. Node 20 has no compile cache for
// ES modules (module.enableCompileCache() is Node 22), so start-up pays for resolving, reading and
// compiling every file, every time; one bundle per command path, minified, tree-shaken, cuts that
// (numbers in the README's Speed section). `import()` splits stay lazy chunks: `status` never
// loads the chunk holding Ink, React, marked, liquidjs or ssh2.
//   node scripts/bundle.mjs   (run by `npm run build`, after tsc)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let build;
try {
  ({ build } = await import('esbuild'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  process.stderr.write('build: esbuild is not installed (a devDependency since the CLI is bundled): run `npm install` (or `npm ci`), then build again\n');
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Substitutions in packages, each for start-up time (issue 11; figures in the README's Speed):
 *  - `highlight.js` (asked for by cli-highlight, under marked-terminal) is scripts/bundle/highlight.cjs:
 *    its core and the common languages, instead of all 190 languages registered before the
 *    player's first frame;
 *  - node:child_process (and with it net, dgram and the stream modules) is loaded when a child
 *    process is first started, not when commander (executable subcommands, which runbook has none
 *    of) or ssh-config (`Match exec`) is imported: every command, status too, paid for it;
 *  - yoga (Ink's layout engine, WebAssembly embedded as base64) decodes its module from the base64
 *    string it holds instead of asking `fetch` for it as a data: URL: the first look at the global
 *    `fetch` makes Node load undici, its whole HTTP client, before the player's first frame;
 *  - `widest-line` (Ink measures every text node it draws with it, on every frame) is
 *    dist/ui/widestLine.js: the same measure kept per string, for the player's keys (issue 14);
 *  - `string-width` 8 as Ink's output.js and cli-truncate import it is dist/ui/stringWidth.js: the
 *    same count through the panes' columns(), which leaves string-width's Intl.Segmenter and emoji
 *    patterns (~85 ms on their first non-ASCII text) for text that needs them;
 *  - `cli-truncate` as Ink imports it is dist/ui/cliTruncate.js: the package's result, cut one
 *    column shorter when a wide character straddling the cut made it a column too wide;
 *  - Ink's name and version under DEV=true (below);
 *  - string-width 8 (ours) makes its RGI_Emoji pattern when first used, not when imported:
 *    making that /v literal parses every emoji sequence Unicode lists (~20 ms), which every start
 *    of the player paid (text.ts imports it) though columns() calls it only for text with
 *    graphemes of more than one code point;
 *  - the grapheme segmenters that string-width (8, and wrap-ansi's 7), Ink's tokenizer of styled
 *    lines and slice-ansi make when loaded are src/ui/graphemeSegmenter.ts: the same segments, by
 *    code point when nothing in the text can join a neighbour. Making the first Intl.Segmenter
 *    starts ICU's break iterators (~20 ms), which every start of the player paid before its first
 *    frame though its text seldom needs them.
 * A package that changed so that a substitution no longer applies fails the build.
 */
/** The checkout's string-width (8): wrap-ansi's 7 and cli-table3's 4 are other files. */
const STRING_WIDTH_8 = new RegExp(`^${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\\\/]node_modules[\\\\/]string-width[\\\\/]index\\.js$`);
const EDITS = [
  {
    file: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/,
    from: "const childProcess = require('node:child_process');",
    to: "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };",
  },
  {
    file: /[\\/]node_modules[\\/]ssh-config[\\/]lib[\\/]ssh-config\.js$/,
    from: "import { spawnSync } from 'node:child_process';",
    to: "const spawnSync = (...a) => require('node:child_process').spawnSync(...a);",
  },
  {
    // Under DEV=true Ink reads its package.json (name and version, for React devtools) from
    // `new URL('../package.json', import.meta.url)`, a path that in the bundle is dist/package.json,
    // which does not exist: `DEV=true runbook play` stopped with an internal error. They are
    // written in at build time instead.
    file: /[\\/]node_modules[\\/]ink[\\/]build[\\/]reconciler\.js$/,
    from: '? await loadPackageJson()',
    to: `? ${JSON.stringify((({ name, version }) => ({ name, version }))(JSON.parse(readFileSync(join(root, 'node_modules', 'ink', 'package.json'), 'utf8'))))}`,
  },
  {
    // The checkout's string-width (wrap-ansi's 7 and cli-table3's 4 have no such pattern).
    file: STRING_WIDTH_8,
    from: 'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;',
    to: 'let madeRgiEmojiRegex;const rgiEmojiRegex = { test: (segment) => (madeRgiEmojiRegex ??= /^\\p{RGI_Emoji}$/v).test(segment) };',
  },
  // The grapheme segmenters the packages make when loaded (src/ui/graphemeSegmenter.ts): the
  // checkout's string-width 8, wrap-ansi's string-width 7, Ink's tokenizer of styled lines and
  // slice-ansi's (cli-truncate).
  ...[
    { file: STRING_WIDTH_8, from: 'const segmenter = new Intl.Segmenter();' },
    { file: /[\\/]node_modules[\\/]wrap-ansi[\\/]node_modules[\\/]string-width[\\/]index\.js$/, from: 'const segmenter = new Intl.Segmenter();' },
    { file: /[\\/]node_modules[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/, from: 'const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });' },
    { file: /[\\/]node_modules[\\/]slice-ansi[\\/]tokenize-ansi\.js$/, from: "const GRAPHEME_SEGMENTER = new Intl.Segmenter(undefined, {granularity: 'grapheme'});" },
  ].map(({ file, from }) => ({
    file,
    from,
    to: `import { lazyGraphemeSegmenter as __runbookSegmenter } from ${JSON.stringify(join(root, 'dist', 'ui', 'graphemeSegmenter.js'))};${from.replace(/new Intl\.Segmenter\([^)]*\)/, '__runbookSegmenter()')}`,
  })),
  {
    file: /[\\/]node_modules[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
    from: 'function ya(){return w||"function"!=typeof fetch?Promise.resolve().then(function(){return wa()}):fetch(',
    to: 'function ya(){return true?Promise.resolve().then(function(){return wa()}):fetch(',
  },
];
/**
 * The CommonJS bundles' own substitutions (the player's, dist/bundle/quick/play.cjs; see QUICK):
 *  - `yoga-layout` is scripts/bundle/yoga.mjs, which starts the same WebAssembly synchronously (the
 *    package's entry awaits it at its top level, which CommonJS cannot hold), and the emscripten
 *    file loses its base64 copy of the WebAssembly (120 KB of text to compile and cache for
 *    nothing: yoga.mjs hands it the module, compiled from quick/lib/yoga.wasm);
 *  - Ink's reconciler imports its React devtools (react-devtools-core) with a top-level await,
 *    only under DEV=true: bin/runbook starts the ES module bundle then, and the CommonJS bundle
 *    says so if it is reached anyway.
 */
const YOGA_WASM_BASE64 = /H="data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/;
const CJS_EDITS = [
  {
    file: /[\\/]node_modules[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
    from: YOGA_WASM_BASE64,
    to: 'H=""',
  },
  {
    file: /[\\/]node_modules[\\/]ink[\\/]build[\\/]reconciler\.js$/,
    from: "await import('./devtools.js');",
    to: `throw new Error(${JSON.stringify("bug: the player's CommonJS bundle ran with DEV=true (React devtools); bin/runbook starts the ES module bundle then")});`,
  },
];
/** Resolutions and EDITS (with `commonjs`, CJS_EDITS too) for start-up; every edit must apply. */
const startupPlugin = ({ commonjs = false } = {}) => ({
  name: 'runbook-startup',
  setup(b) {
    const edits = commonjs ? [...EDITS, ...CJS_EDITS] : EDITS;
    b.onResolve({ filter: /^highlight\.js$/ }, () => ({ path: join(root, 'scripts', 'bundle', 'highlight.cjs') }));
    b.onResolve({ filter: /^widest-line$/ }, () => ({ path: join(root, 'dist', 'ui', 'widestLine.js') }));
    // Ink's cli-truncate is dist/ui/cliTruncate.js: never a column wider than asked (a wide
    // character straddling the cut made a line of Chinese text push the pane's border off its row).
    b.onResolve({ filter: /^cli-truncate$/ }, (args) =>
      /[\\/]node_modules[\\/]ink[\\/]/.test(args.importer) ? { path: join(root, 'dist', 'ui', 'cliTruncate.js') } : undefined,
    );
    // Packages' string-width 8 (Ink's output.js, cli-truncate) is dist/ui/stringWidth.js, the same
    // count without segmenting every string; our own modules and other versions keep theirs.
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real || !/[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { real: true } });
      return real.path === join(root, 'node_modules', 'string-width', 'index.js') ? { path: join(root, 'dist', 'ui', 'stringWidth.js') } : undefined;
    });
    if (commonjs) b.onResolve({ filter: /^yoga-layout$/ }, () => ({ path: join(root, 'scripts', 'bundle', 'yoga.mjs') }));
    // One onLoad per file (esbuild takes the first that matches), applying every edit of that file.
    for (const source of new Set(edits.map((e) => e.file.source))) {
      b.onLoad({ filter: new RegExp(source) }, (args) => {
        let src = readFileSync(args.path, 'utf8');
        for (const { from, to } of edits.filter((e) => e.file.source === source)) {
          const found = typeof from === 'string' ? src.includes(from) : from.test(src);
          if (!found) throw new Error(`${args.path} no longer has \`${from}\`: update scripts/bundle.mjs`);
          src = typeof from === 'string' ? src.replace(from, to) : src.replace(from, () => to);
        }
        return { contents: src, loader: 'js' };
      });
    }
  },
});
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
// The build's id (src/cli/version.ts BUILD_ID, which keys the parse cache): the sha256 of the
// bundle's files as built with a placeholder of the same length in its place, then put in.
const BUILD_ID_PLACEHOLDER = 'runbook-build-id:'.padEnd(64, '-');

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Whitespace and syntax only: a bug's stack trace keeps our function names.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  // ssh2 stays a package (its optional native add-ons are resolved at run time, and it is loaded
  // only when an SSH host is first needed); Ink imports react-devtools-core only under DEV=true.
  external: ['ssh2', 'react-devtools-core'],
  // React, its reconciler and scheduler in their production builds, decided here: the development
  // builds (1 MB more to read and parse at every start of the player, several times the CPU per
  // frame) are left out, and the CLI no longer sets NODE_ENV in its environment, which every step
  // inherited (a step's `npm ci` would have skipped devDependencies).
  define: { 'process.env.NODE_ENV': '"production"', __RUNBOOK_BUILD_ID__: JSON.stringify(BUILD_ID_PLACEHOLDER) },
  metafile: true,
  logLevel: 'warning',
  write: false,
};

const result = await build({
  ...common,
  entryPoints: { main: 'dist/cli/main.js' },
  splitting: true,
  format: 'esm',
  outdir,
  chunkNames: 'chunk-[hash]',
  // CommonJS packages in the bundle (commander, yaml's deps, React) call require() for Node's own
  // modules: give the ES module bundle one.
  banner: { js: "import { createRequire as __runbookRequire } from 'node:module'; const require = __runbookRequire(import.meta.url);" },
  plugins: [startupPlugin()],
});

/**
 * The quick commands (QUICK, bin/runbook's list too) also get a CommonJS bundle each,
 * dist/bundle/quick/<command>.cjs, holding the CLI as that command needs it, and a V8 code cache
 * of it (scripts/codecache.mjs). Node 20 caches no compiled code for ES modules: every start
 * compiled the bundle's modules again, and each `import` of one of Node's own modules built its
 * ES module facade (reading every export: node:fs's getters load the stream modules). Another
 * command's module is left out of a quick bundle: reaching it is a bug (bin/runbook sends only
 * that command there). string-width, which status needs only for text that is not ASCII, is a
 * CommonJS file of its own, quick/lib/string-width.cjs, required when first needed (the player's
 * bundle holds it anyway: Ink imports it).
 *
 * The player's (play.cjs) is compiled by bin/quick.cjs only with its code cache (else the ES module
 * bundle runs), and its code cache is made after the player drew its first frame in a terminal.
 */
const QUICK = ['status', 'plan', 'play', 'run'];
/** Quick commands that connect to SSH hosts: ssh2 is inside their bundle (below). */
const WITH_SSH2 = new Set(['play', 'run']);
const COMMAND_MODULE = /^\.\/commands\/([a-z]+)\.js$/;
const onlyCommand = (command) => ({
  name: `runbook-quick-${command}`,
  setup(b) {
    b.onResolve({ filter: COMMAND_MODULE }, (args) => {
      const [, name] = COMMAND_MODULE.exec(args.path);
      return name === command ? undefined : { path: name, namespace: 'runbook-other-command' };
    });
    b.onLoad({ filter: /.*/, namespace: 'runbook-other-command' }, (args) => ({
      contents: `throw new Error('bug: the ${command} bundle (dist/bundle/quick/${command}.cjs) was asked for the ${args.path} command; bin/runbook sends only ${command} there');`,
      loader: 'js',
    }));
    // A quick bundle runs without an ES module loader (bin/quick.cjs): string-width, an ES module
    // package, is a CommonJS file of its own beside it, required when first needed; the player's
    // bundle holds it (Ink imports it) and takes that one.
    if (command === 'play') return;
    b.onLoad({ filter: /[\\/]dist[\\/]cli[\\/]columns\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const from = "await import('string-width')";
      if (!src.includes(from)) throw new Error(`${args.path} no longer has \`${from}\`: update scripts/bundle.mjs`);
      return { contents: src.replace(from, "require('./lib/string-width.cjs')"), loader: 'js' };
    });
    b.onResolve({ filter: /^\.\/lib\/string-width\.cjs$/ }, () => ({ path: './lib/string-width.cjs', external: true }));
  },
});
/**
 * The bundles of play and run hold ssh2 too (the ES module bundle leaves it a package): Node's
 * loader compiled ssh2's ~40 files from source at every start that connects to SSH hosts; inside,
 * the part run before the code cache is made is in it (scripts/codecache.mjs). Its optional native
 * parts stay packages, looked up at run time as before: cpu-features, and the add-on ssh2 builds
 * when its install script is allowed (lib/protocol/crypto/build/Release/sshcrypto.node, asked for
 * by the package's own path).
 */
const SSH2_NATIVE = "require('./crypto/build/Release/sshcrypto.node')";
const SSH2_INSIDE = { external: ['react-devtools-core', 'cpu-features', 'ssh2/lib/protocol/crypto/build/Release/sshcrypto.node'] };
const ssh2Inside = {
  name: 'runbook-ssh2-inside',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]ssh2[\\/]lib[\\/]protocol[\\/]crypto\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      if (!src.includes(SSH2_NATIVE)) throw new Error(`${args.path} no longer has \`${SSH2_NATIVE}\`: update scripts/bundle.mjs`);
      return { contents: src.replace(SSH2_NATIVE, "require('ssh2/lib/protocol/crypto/build/Release/sshcrypto.node')"), loader: 'js' };
    });
  },
};
const quick = [];
for (const command of QUICK) {
  quick.push(
    await build({
      ...common,
      entryPoints: { [command]: 'dist/cli/main.js' },
      format: 'cjs',
      outdir: join(outdir, 'quick'),
      outExtension: { '.js': '.cjs' },
      // Strict, as the ES modules it is built from are; import.meta.url (vars.ts's require) from the file's own path.
      banner: { js: '"use strict";const __runbookImportMetaUrl=require("node:url").pathToFileURL(__filename).href;' },
      define: { ...common.define, 'import.meta.url': '__runbookImportMetaUrl' },
      ...(WITH_SSH2.has(command) ? SSH2_INSIDE : {}),
      plugins: [startupPlugin({ commonjs: true }), onlyCommand(command), ...(WITH_SSH2.has(command) ? [ssh2Inside] : [])],
    }),
  );
}
quick.push(
  await build({
    ...common,
    entryPoints: { 'string-width': 'node_modules/string-width/index.js' },
    format: 'cjs',
    outdir: join(outdir, 'quick', 'lib'),
    outExtension: { '.js': '.cjs' },
    plugins: [startupPlugin()],
  }),
);
for (const q of quick) Object.assign(result.metafile.outputs, q.metafile.outputs);
/**
 * A quick bundle's text as ASCII: esbuild escapes what is not ASCII in strings and names, not in
 * regular expression literals (liquidjs' and ours hold a few letters and a bullet), and one such
 * character makes Node decode the whole file as UTF-8 into a string of two bytes a character
 * (the player's 2 MB: tens of ms at every start). `\uXXXX` means the same character there.
 */
const asAscii = (path, text) =>
  text.replace(/[^\x00-\x7f]/g, (c, at) => {
    if (/(?:^|[^\\])(?:\\\\)*\\$/.test(text.slice(Math.max(0, at - 16), at))) throw new Error(`${path}: a non-ASCII character after a backslash at ${at}: update asAscii in scripts/bundle.mjs`);
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
/**
 * esbuild's __toESM, as a quick bundle's ES modules call it for every CommonJS module they import
 * (`__toESM(require("node:process"), 1)`): each call made a fresh object and defined a getter on it
 * for every one of the module's properties, once per importing module (React 37 times, node:path
 * 18, node:process 12, node:fs 5 in the player's bundle: ~13 ms of its start in profiles). The same
 * object is given again to the next importer of the same module in the same mode, unless the
 * module has gained or lost properties since (a CommonJS module still being loaded in a cycle).
 */
const TO_ESM = 'var __toESM=(mod,isNodeMode,target)=>(target=mod!=null?__create(__getProtoOf(mod)):{},__copyProps(isNodeMode||!mod||!mod.__esModule?__defProp(target,"default",{value:mod,enumerable:!0}):target,mod)),';
const TO_ESM_ONCE =
  TO_ESM.replace('var __toESM=', 'var __toESMFresh=') +
  '__toESMMade=new WeakMap,__toESM=(mod,isNodeMode)=>{if(mod==null||typeof mod!="object"&&typeof mod!="function")return __toESMFresh(mod,isNodeMode);' +
  'let made=__toESMMade.get(mod);made||__toESMMade.set(mod,made=[]);let k=isNodeMode?1:0,n=__getOwnPropNames(mod).length,m=made[k];' +
  'return m&&m.n===n?m.t:(made[k]={t:__toESMFresh(mod,isNodeMode),n}).t},';
// A command's quick bundle (not its lib/) is one function expression, compiled as read by
// bin/quick.cjs (WRAP_BEFORE). WRAP_BEFORE holds no line break: positions past the first line are
// esbuild's, and the source map's.
const { WRAP_BEFORE, WRAP_AFTER } = createRequire(import.meta.url)('../bin/quick.cjs');
const quickFiles = quick.flatMap((q) => q.outputFiles).map((f) => {
  if (!f.path.endsWith('.cjs')) return f;
  if (/(?<![\w$.])import\(/.test(f.text)) throw new Error(`${f.path} holds an import(): a quick bundle has no ES module loader (bin/quick.cjs)`);
  const made = f.text.split(TO_ESM).length - 1;
  if (made > 1 || (made === 0 && f.text.includes('__toESM('))) throw new Error(`${f.path}: esbuild's __toESM is not written as scripts/bundle.mjs expects (TO_ESM): update it`);
  const command = dirname(f.path) === join(outdir, 'quick');
  const text = asAscii(f.path, command ? WRAP_BEFORE + f.text.replace(TO_ESM, TO_ESM_ONCE) + WRAP_AFTER : f.text.replace(TO_ESM, TO_ESM_ONCE));
  return { path: f.path, text, contents: Buffer.from(text) };
});
const files = [...result.outputFiles, ...quickFiles].sort((a, b) => (a.path < b.path ? -1 : 1));
const hash = createHash('sha256');
for (const f of files) hash.update(`${f.path.slice(outdir.length)}\0${f.contents.length}\0`).update(f.contents);
const buildId = hash.digest('hex');
if (!files.some((f) => f.text.includes(BUILD_ID_PLACEHOLDER))) throw new Error('the build id placeholder is not in the bundle: update scripts/bundle.mjs');
for (const f of files) {
  mkdirSync(dirname(f.path), { recursive: true });
  writeFileSync(f.path, /\.c?js$/.test(f.path) ? f.text.replaceAll(BUILD_ID_PLACEHOLDER, buildId) : f.contents);
}
// The WebAssembly of yoga-layout, for the player's CommonJS bundle (scripts/bundle/yoga.mjs).
{
  const binary = join(root, 'node_modules', 'yoga-layout', 'dist', 'binaries', 'yoga-wasm-base64-esm.js');
  const m = YOGA_WASM_BASE64.exec(readFileSync(binary, 'utf8'));
  const wasm = m && Buffer.from(m[1], 'base64');
  if (!wasm || !WebAssembly.validate(wasm)) throw new Error(`${binary} holds no WebAssembly module as base64 any more: update scripts/bundle.mjs`);
  writeFileSync(join(outdir, 'quick', 'lib', 'yoga.wasm'), wasm);
}
// Which inputs went into which output file: test/cli/startupLoads.test.ts reads it to check what
// each command loads.
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
// The quick bundles' V8 code caches (scripts/codecache.mjs).
spawnSync(process.execPath, [join(root, 'scripts', 'codecache.mjs')], { stdio: ['ignore', 'inherit', 'inherit'] });
