// What the player's Markdown pane gets when marked-terminal (through cli-highlight) asks for
// `highlight.js`: its core with the languages operators' runbooks use, instead of its index, which
// registers all 190 languages (1 MB of the player's bundle, compiled and run before the first
// frame: issue 11). A fence in another language is shown in the code colour without highlighting
// (marked-terminal catches highlight.js' "Unknown language"); a fence without a language is
// guessed among these. scripts/bundle.mjs substitutes this file for `highlight.js`.
const hljs = require('highlight.js/lib/core');

// highlight.js 11's "common" set (lib/common.js there), as named in highlight.js 10, then what
// runbooks for servers show besides. One require each, so that the bundler takes exactly these.
const DEFINITIONS = {
  bash: require('highlight.js/lib/languages/bash'),
  c: require('highlight.js/lib/languages/c'),
  cpp: require('highlight.js/lib/languages/cpp'),
  csharp: require('highlight.js/lib/languages/csharp'),
  css: require('highlight.js/lib/languages/css'),
  diff: require('highlight.js/lib/languages/diff'),
  go: require('highlight.js/lib/languages/go'),
  ini: require('highlight.js/lib/languages/ini'),
  java: require('highlight.js/lib/languages/java'),
  javascript: require('highlight.js/lib/languages/javascript'),
  json: require('highlight.js/lib/languages/json'),
  kotlin: require('highlight.js/lib/languages/kotlin'),
  less: require('highlight.js/lib/languages/less'),
  lua: require('highlight.js/lib/languages/lua'),
  makefile: require('highlight.js/lib/languages/makefile'),
  markdown: require('highlight.js/lib/languages/markdown'),
  objectivec: require('highlight.js/lib/languages/objectivec'),
  perl: require('highlight.js/lib/languages/perl'),
  php: require('highlight.js/lib/languages/php'),
  'php-template': require('highlight.js/lib/languages/php-template'),
  plaintext: require('highlight.js/lib/languages/plaintext'),
  python: require('highlight.js/lib/languages/python'),
  'python-repl': require('highlight.js/lib/languages/python-repl'),
  r: require('highlight.js/lib/languages/r'),
  ruby: require('highlight.js/lib/languages/ruby'),
  rust: require('highlight.js/lib/languages/rust'),
  scss: require('highlight.js/lib/languages/scss'),
  shell: require('highlight.js/lib/languages/shell'),
  sql: require('highlight.js/lib/languages/sql'),
  swift: require('highlight.js/lib/languages/swift'),
  typescript: require('highlight.js/lib/languages/typescript'),
  vbnet: require('highlight.js/lib/languages/vbnet'),
  xml: require('highlight.js/lib/languages/xml'),
  yaml: require('highlight.js/lib/languages/yaml'),
  dockerfile: require('highlight.js/lib/languages/dockerfile'),
  nginx: require('highlight.js/lib/languages/nginx'),
  powershell: require('highlight.js/lib/languages/powershell'),
  properties: require('highlight.js/lib/languages/properties'),
  apache: require('highlight.js/lib/languages/apache'),
};
for (const [name, definition] of Object.entries(DEFINITIONS)) hljs.registerLanguage(name, definition);

// A fence in a language not registered here: highlight.js throws "Unknown language" (marked-terminal
// then shows the code as written), but first prints a line with console.error, which lands on the
// player's screen and shifts it by a row. The same error, without that line.
const highlight = hljs.highlight;
hljs.highlight = function highlightRegistered(codeOrLanguageName, optionsOrCode, ...rest) {
  const language = typeof optionsOrCode === 'object' && optionsOrCode ? optionsOrCode.language : codeOrLanguageName;
  if (!hljs.getLanguage(language)) throw new Error(`Unknown language: "${language}"`);
  return highlight.call(this, codeOrLanguageName, optionsOrCode, ...rest);
};

module.exports = hljs;
