import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';

/**
 * The layers (README "Layout"), enforced: a layer-breaking import fails `npm run lint`
 * (test/lintLayers.unit.test.ts proves each rule fires). Sources are matched by regex on the import string,
 * so relative paths (`../../store/mongo/x.ts`) are caught wherever the importing file sits.
 */
const folder = (name) => `(^|/)${name}/`;
const MAIN = '(^|/)main\\.ts$';
const DB_AND_JOBS = ['mongoose', 'mongodb', 'agenda', '@agendajs/mongo-backend'];
const HTTP = ['koa', '@koa/router', '@koa/bodyparser', 'prom-client', 'node-telegram-bot-api'];
const NETWORK = ['node:net', 'node:http', 'node:https', 'node:child_process'];
const FILES = ['node:fs', 'node:fs/promises'];

/** One no-restricted-imports rule: `folders` are src/ folders, `packages` are module names, each with why. */
function layer(why, { folders = [], packages = [] }) {
  return [
    'error',
    {
      paths: packages.map((name) => ({ name, message: why })),
      patterns: folders.map((f) => ({ regex: f === 'main' ? MAIN : folder(f), message: why })),
    },
  ];
}

const PURE = 'src/engine and src/domain are pure: no I/O, no adapters, no app wiring.';
const USE_CASES = 'src/app holds use cases over ports (src/app/ports): adapters are wired in src/main.ts, never imported here.';
const ADAPTERS = 'adapters implement ports; they do not reach into HTTP, channels or the wiring.';
const THIN_HTTP = 'src/http is thin: it calls use cases and never touches a store, the scheduler or a channel.';
const CHANNELS = 'channels talk to use cases and ports; stores and the scheduler are handed in by src/main.ts.';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'console/dist/', 'console/dist-*/', 'test-results/', 'tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', URL: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly', structuredClone: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Command-line tools and benchmarks print to the terminal on purpose.
    files: ['bench/**', 'tools/**', 'src/channels/cli/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['src/engine/**', 'src/domain/**'],
    rules: {
      'no-restricted-imports': layer(PURE, {
        folders: ['app', 'store', 'scheduler', 'channels', 'http', 'infra', 'templates', 'main'],
        packages: [...DB_AND_JOBS, ...HTTP, ...NETWORK, ...FILES, 'pino', 'i18next'],
      }),
    },
  },
  {
    // The domain sits below the engine.
    files: ['src/domain/**'],
    rules: {
      'no-restricted-imports': layer(PURE, {
        folders: ['engine', 'app', 'store', 'scheduler', 'channels', 'http', 'infra', 'templates', 'main'],
        packages: [...DB_AND_JOBS, ...HTTP, ...NETWORK, ...FILES, 'pino', 'i18next'],
      }),
    },
  },
  {
    files: ['src/app/**'],
    // Reading flows, templates and policies from disk at start-up is content loading's job.
    ignores: ['src/app/loadContent.ts'],
    rules: {
      'no-restricted-imports': layer(USE_CASES, { folders: ['store', 'scheduler', 'channels', 'http', 'main'], packages: [...DB_AND_JOBS, ...HTTP, ...NETWORK, ...FILES] }),
    },
  },
  {
    files: ['src/app/loadContent.ts'],
    rules: {
      'no-restricted-imports': layer(USE_CASES, { folders: ['store', 'scheduler', 'channels', 'http', 'main'], packages: [...DB_AND_JOBS, ...HTTP, ...NETWORK] }),
    },
  },
  {
    files: ['src/store/**', 'src/scheduler/**'],
    rules: {
      // Channel stores implement src/channels/ports.ts, the one file of channels/ they may see.
      'no-restricted-imports': [
        'error',
        {
          paths: HTTP.map((name) => ({ name, message: ADAPTERS })),
          patterns: [
            { regex: folder('http'), message: ADAPTERS },
            { regex: '(^|/)channels/(?!ports\\.ts$)', message: ADAPTERS },
            { regex: MAIN, message: ADAPTERS },
          ],
        },
      ],
    },
  },
  {
    files: ['src/http/**'],
    rules: {
      'no-restricted-imports': layer(THIN_HTTP, { folders: ['store', 'scheduler', 'channels', 'main'], packages: DB_AND_JOBS }),
    },
  },
  {
    files: ['src/channels/**'],
    // The terminal chat is an entry point of its own: it starts the app.
    ignores: ['src/channels/cli/chat.ts'],
    rules: {
      'no-restricted-imports': layer(CHANNELS, { folders: ['store', 'scheduler', 'main'], packages: DB_AND_JOBS }),
    },
  },
  // The console (console/): browser code, Vue single-file components checked with TypeScript's parser.
  ...pluginVue.configs['flat/recommended'].map((config) => ({ ...config, files: ['console/**/*.vue'] })),
  {
    files: ['console/**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
    rules: {
      // Formatting is not this linter's job here; the rest of the repository has no formatting rules either.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/attributes-order': 'off',
      // User data is never rendered as HTML (issue 11): text interpolation only.
      'vue/no-v-html': 'error',
    },
  },
  {
    files: ['console/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
