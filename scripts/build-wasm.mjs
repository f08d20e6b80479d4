// `npm run build:wasm`: compiles the AssemblyScript engine (src/engine/kernels/assembly) into
// modules from the same source: engine-relaxed.wasm (SIMD + relaxed SIMD) and engine-simd.wasm
// (fixed SIMD only), and the training kernels the same two ways, each for plain and shared
// imported memory (train-*.wasm), in src/engine/kernels/build/ (generated, gitignored). A module newer than
// every source file is kept unless `--force` is given. Each file is written to a temporary name
// and renamed, so a test reading it while another process builds never sees half a module.
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'src', 'engine', 'kernels', 'assembly');
export const WASM_DIR = join(root, 'src', 'engine', 'kernels', 'build');

/**
 * The targets: file, entry, the WebAssembly features beyond the MVP each enables, and extra flags.
 * The training kernels (training.ts) run on tfjs-wasm's memory, imported: plain for its
 * single-threaded build, shared (same maximum as tfjs's, 4 GiB) for its threaded build.
 */
const IMPORTED = ['--importMemory', '--initialMemory', '1'];
const SHARED = [...IMPORTED, '--sharedMemory', '--maximumMemory', '65536'];
export const TARGETS = [
  { file: 'engine-relaxed.wasm', entry: 'index.ts', features: ['simd', 'relaxed-simd'] },
  { file: 'engine-simd.wasm', entry: 'index.ts', features: ['simd'] },
  {
    file: 'train-relaxed.wasm',
    entry: 'training.ts',
    features: ['simd', 'relaxed-simd'],
    flags: IMPORTED,
  },
  { file: 'train-simd.wasm', entry: 'training.ts', features: ['simd'], flags: IMPORTED },
  {
    file: 'train-relaxed-shared.wasm',
    entry: 'training.ts',
    features: ['simd', 'relaxed-simd', 'threads'],
    flags: SHARED,
  },
  {
    file: 'train-simd-shared.wasm',
    entry: 'training.ts',
    features: ['simd', 'threads'],
    flags: SHARED,
  },
];

function newestSource() {
  const mtimes = readdirSync(sourceDir).map((name) => statSync(join(sourceDir, name)).mtimeMs);
  return Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, ...mtimes);
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -Infinity;
  }
}

/** Targets whose module is missing or older than a source file. */
export function staleTargets() {
  const sourceTime = newestSource();
  return TARGETS.filter((t) => mtime(join(WASM_DIR, t.file)) < sourceTime);
}

async function build(target) {
  const { default: asc } = await import('assemblyscript/asc');
  const out = join(WASM_DIR, target.file);
  const args = [
    join(sourceDir, target.entry),
    '--outFile',
    out,
    '--textFile',
    out.replace(/\.wasm$/, '.wat'),
    '--optimizeLevel',
    '3',
    '--shrinkLevel',
    '0',
    '--noAssert',
    '--runtime',
    'stub',
    '--use',
    'abort=',
    '--enable',
    target.features.join(','),
    ...(target.flags ?? []),
  ];
  const messages = [];
  const { error } = await asc.main(args, {
    stdout: { write: (chunk) => messages.push(String(chunk)) },
    stderr: { write: (chunk) => messages.push(String(chunk)) },
    writeFile: (name, contents, baseDir) => {
      const path = resolve(baseDir, name);
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, contents);
      renameSync(temporary, path);
    },
  });
  if (error)
    throw new Error(`asc failed for ${target.file}: ${error.message}\n${messages.join('')}`);
  // Kernels on another module's memory must not bring data: it would be written over tfjs's heap.
  if (
    target.flags?.includes('--importMemory') &&
    /\(data\b/.test(readFileSync(out.replace(/\.wasm$/, '.wat'), 'utf8'))
  )
    throw new Error(`${target.file} has a data segment; kernels on imported memory may hold none`);
  return { file: target.file, bytes: statSync(out).size };
}

/** Builds the stale modules (all with force); returns what was built. */
export async function buildWasm({ force = false } = {}) {
  mkdirSync(WASM_DIR, { recursive: true });
  const targets = force ? TARGETS : staleTargets();
  const built = [];
  for (const target of targets) built.push(await build(target));
  return built;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildWasm({ force: process.argv.includes('--force') })
    .then((built) => {
      for (const { file, bytes } of built) console.log(`  built ${file} (${bytes} bytes)`);
      if (built.length === 0) console.log('  wasm engine up to date');
    })
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
