import { gzipSync } from 'node:zlib';
import { validationIndices } from './validation';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DatasetSpec } from '../../experiment/schema';
import { DATASET_MAGIC, DatasetFileError } from './binary';
import type { FetchFile } from './loader';
import {
  datasetFileUrl,
  DOWNLOAD_ATTEMPTS,
  fetchWithProgress,
  gunzipIfPacked,
  loadDataset,
  loadImageDataset,
} from './loader';
import { makeSyntheticDataset } from './synthetic';

/** A 28×28 'CPD1' file: example i has label (i + shift) mod 10 and every pixel = i. */
function imageFile(count: number, shift: number): ArrayBuffer {
  const size = 784;
  const buffer = new ArrayBuffer(16 + count + count * size);
  const view = new DataView(buffer);
  [DATASET_MAGIC, count, 28, 28].forEach((v, k) => view.setUint32(4 * k, v, true));
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < count; i++) {
    bytes[16 + i] = (i + shift) % 10;
    bytes.fill(i, 16 + count + i * size, 16 + count + (i + 1) * size);
  }
  return buffer;
}

/** In-memory fetcher reporting progress in 1000-byte steps, as a stream would. */
function fakeFetcher(files: Record<string, ArrayBuffer>, requested: string[] = []): FetchFile {
  return async (url, onProgress) => {
    requested.push(url);
    const buffer = files[url];
    if (!buffer) throw new DatasetFileError(`dataset file ${url} not found`);
    for (let sent = 0; sent < buffer.byteLength; sent += 1000) {
      await Promise.resolve();
      onProgress(sent, buffer.byteLength);
    }
    onProgress(buffer.byteLength, buffer.byteLength);
    return buffer;
  };
}

const mnistSpec: DatasetSpec = { id: 'mnist', trainSize: 20, testSize: 10, noise: 0 };
const files = {
  '/app/data/mnist-train.cpdz': imageFile(40, 0),
  '/app/data/mnist-test.cpdz': imageFile(15, 3),
};
const totalBytes =
  files['/app/data/mnist-train.cpdz'].byteLength + files['/app/data/mnist-test.cpdz'].byteLength;

describe('loadImageDataset', () => {
  it('fetches both splits, subsets them and reports progress up to the total', async () => {
    const requested: string[] = [];
    const progress: [number, number][] = [];
    const d = await loadImageDataset(mnistSpec, 1, fakeFetcher(files, requested), '/app/', (l, t) =>
      progress.push([l, t]),
    );
    expect(requested.sort()).toEqual([
      '/app/data/mnist-test.cpdz',
      '/app/data/mnist-train.cpdz',
      '/app/data/sizes.json',
    ]);
    expect(d.id).toBe('mnist');
    expect(d.inputShape).toEqual([28, 28, 1]);
    expect(d.numClasses).toBe(10);
    expect(d.classNames[7]).toBe('7');
    // The first 20 training images, 2 of them held out as the validation split.
    const held = Array.from(validationIndices(20, 1));
    const kept = Array.from({ length: 20 }, (_, i) => i).filter((i) => !held.includes(i));
    expect(d.validation.count).toBe(2);
    expect(d.train.count).toBe(18);
    expect(d.train.x.length).toBe(18 * 784);
    expect(Array.from(d.train.y.subarray(0, 3))).toEqual(kept.slice(0, 3).map((i) => i % 10));
    expect(d.train.x[5 * 784 + 100]).toBeCloseTo(kept[5]! / 255, 7);
    expect(d.validation.x[784 + 100]).toBeCloseTo(held[1]! / 255, 7);
    expect(d.test.count).toBe(10);
    expect(Array.from(d.test.y.subarray(0, 3))).toEqual([3, 4, 5]);
    expect(progress.at(-1)).toEqual([totalBytes, totalBytes]);
    const loaded = progress.map(([l]) => l);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(progress.every(([l, t]) => l <= t)).toBe(true);
  });

  it('uses the fashion class names', async () => {
    const fashion = {
      'data/fashion-train.cpdz': imageFile(20, 0),
      'data/fashion-test.cpdz': imageFile(12, 0),
    };
    const d = await loadImageDataset({ ...mnistSpec, id: 'fashion' }, 1, fakeFetcher(fashion), '');
    expect(d.classNames[0]).toBe('T-shirt/top');
  });

  it('names the missing file and says how to make it', async () => {
    const onlyTrain = { '/app/data/mnist-train.cpdz': imageFile(40, 0) };
    await expect(loadImageDataset(mnistSpec, 1, fakeFetcher(onlyTrain), '/app/')).rejects.toThrow(
      /mnist-test\.cpdz not found.*npm run prepare-data/,
    );
  });

  it('names the corrupt file', async () => {
    const corrupt = { ...files, '/app/data/mnist-test.cpdz': new ArrayBuffer(100) };
    await expect(loadImageDataset(mnistSpec, 1, fakeFetcher(corrupt), '/app/')).rejects.toThrow(
      /\/app\/data\/mnist-test\.cpdz does not start with the 'CPD1' marker/,
    );
  });

  it('says when the file is smaller than the size asked for', async () => {
    const spec = { ...mnistSpec, testSize: 16 };
    await expect(loadImageDataset(spec, 1, fakeFetcher(files), '/app/')).rejects.toThrow(
      /holds 15 examples, fewer than the 16 asked for/,
    );
  });
});

describe('compressed dataset files', () => {
  const gz = (b: ArrayBuffer) => {
    const packed = gzipSync(new Uint8Array(b), { level: 9 });
    return packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength);
  };

  it('downloads the gzip files (fewer bytes, progress over them) and reads the same images', async () => {
    const packed = Object.fromEntries(Object.entries(files).map(([url, b]) => [url, gz(b)]));
    const packedBytes = Object.values(packed).reduce((a, b) => a + b.byteLength, 0);
    expect(packedBytes).toBeLessThan(totalBytes / 5);
    const progress: [number, number][] = [];
    const a = await loadImageDataset(mnistSpec, 1, fakeFetcher(packed), '/app/', (l, t) =>
      progress.push([l, t]),
    );
    const b = await loadImageDataset(mnistSpec, 1, fakeFetcher(files), '/app/');
    expect(Array.from(a.train.x)).toEqual(Array.from(b.train.x));
    expect(Array.from(a.test.y)).toEqual(Array.from(b.test.y));
    expect(progress.at(-1)).toEqual([packedBytes, packedBytes]);
  });

  it('a server that sends no length: the progress total comes from data/sizes.json', async () => {
    const sizes = { 'mnist-train.cpdz': 40_000, 'mnist-test.cpdz': 12_000 };
    const json = new TextEncoder().encode(JSON.stringify(sizes)).buffer;
    const noLength: FetchFile = async (url, onProgress) => {
      if (url.endsWith('sizes.json')) return json;
      const buffer = (files as Record<string, ArrayBuffer>)[url]!;
      onProgress(buffer.byteLength / 2, 0);
      return buffer;
    };
    const progress: [number, number][] = [];
    await loadImageDataset(mnistSpec, 1, noLength, '/app/', (l, t) => progress.push([l, t]));
    expect(progress.some(([, t]) => t >= 52_000)).toBe(true);
    expect(progress.every(([l, t]) => l <= t)).toBe(true);
  });

  it('passes a file the server already unpacked through, and names a damaged one', async () => {
    const plain = files['/app/data/mnist-test.cpdz']!;
    expect(await gunzipIfPacked(plain, 'x')).toBe(plain);
    // A download cut short: unpacked or not, the file is named and the error is a dataset error.
    const whole = gz(plain);
    const cut = { ...files, '/app/data/mnist-test.cpdz': whole.slice(0, whole.byteLength / 2) };
    const load = loadImageDataset(mnistSpec, 1, fakeFetcher(cut), '/app/');
    await expect(load).rejects.toThrow(DatasetFileError);
    await expect(load).rejects.toThrow(/mnist-test\.cpdz/);
  });
});

describe('loadDataset', () => {
  it('generates synthetic sets without fetching', async () => {
    const requested: string[] = [];
    const spec: DatasetSpec = { id: 'spiral', trainSize: 30, testSize: 12, noise: 0.1 };
    const d = await loadDataset(spec, 5, fakeFetcher({}, requested), '/');
    expect(requested).toEqual([]);
    expect(d.train.x).toEqual(makeSyntheticDataset(spec, 5).train.x);
  });

  it('fetches image sets', async () => {
    const d = await loadDataset(mnistSpec, 5, fakeFetcher(files), '/app');
    expect(d.train.count + d.validation.count).toBe(20);
  });
});

describe('datasetFileUrl', () => {
  it('joins base, folder and file name with one slash', () => {
    expect(datasetFileUrl('/', 'mnist', 'train')).toBe('/data/mnist-train.cpdz');
    expect(datasetFileUrl('/repo', 'fashion', 'test')).toBe('/repo/data/fashion-test.cpdz');
    expect(datasetFileUrl('', 'mnist', 'test')).toBe('data/mnist-test.cpdz');
  });
});

describe('fetchWithProgress', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  /** A Response streaming the given chunks. */
  function streamed(chunks: number[][], headers: Record<string, string> = {}): Response {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new Uint8Array(chunk));
        controller.close();
      },
    });
    return new Response(body, { status: 200, headers });
  }

  it('streams the body, concatenates chunks and reports bytes against Content-Length', async () => {
    vi.stubGlobal('fetch', async () =>
      streamed([[1, 2, 3], [4], [5, 6]], { 'Content-Length': '6' }),
    );
    const progress: [number, number][] = [];
    const buffer = await fetchWithProgress('/data/x.bin', (l, t) => progress.push([l, t]));
    expect(Array.from(new Uint8Array(buffer))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress[0]).toEqual([0, 6]);
    expect(progress.at(-1)).toEqual([6, 6]);
    expect(progress.map(([l]) => l)).toEqual([0, 3, 4, 6]);
  });

  it('reports a total of 0 while the size is unknown, then the bytes read', async () => {
    vi.stubGlobal('fetch', async () => streamed([[1, 2], [3]]));
    const progress: [number, number][] = [];
    await fetchWithProgress('/data/x.bin', (l, t) => progress.push([l, t]));
    expect(progress).toEqual([
      [0, 0],
      [2, 2],
      [3, 3],
    ]);
  });

  it('turns HTTP 404 into a DatasetFileError that says to prepare the data', async () => {
    vi.stubGlobal('fetch', async () => new Response('missing', { status: 404 }));
    const run = fetchWithProgress('/data/mnist-train.bin', () => {});
    await expect(run).rejects.toBeInstanceOf(DatasetFileError);
    await expect(run).rejects.toThrow(
      /dataset file \/data\/mnist-train\.bin not found.*npm run prepare-data/,
    );
  });

  it('reports other HTTP errors with their status', async () => {
    vi.stubGlobal('fetch', async () => new Response('', { status: 500, statusText: 'Oops' }));
    await expect(fetchWithProgress('/d.bin', () => {})).rejects.toThrow(/HTTP 500 Oops/);
  });

  it('reports network failures after trying again', async () => {
    const fetchMock = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    vi.stubGlobal('fetch', fetchMock);
    await expect(fetchWithProgress('/d.bin', () => {})).rejects.toThrow(
      /could not download dataset file \/d\.bin \(Failed to fetch; 3 attempts\)/,
    );
    expect(fetchMock).toHaveBeenCalledTimes(DOWNLOAD_ATTEMPTS);
  });

  it('starts again when the connection breaks mid-body, and reports progress from 0', async () => {
    let calls = 0;
    vi.stubGlobal('fetch', async () => {
      calls++;
      if (calls > 1) return streamed([[1, 2], [3]]);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array([9, 9]));
          controller.error(new TypeError('network error'));
        },
      });
      return new Response(body, { status: 200 });
    });
    const progress: [number, number][] = [];
    const buffer = await fetchWithProgress('/d.bin', (l, t) => progress.push([l, t]));
    expect(Array.from(new Uint8Array(buffer))).toEqual([1, 2, 3]);
    expect(calls).toBe(2);
    // Each attempt reports from 0 again (an errored stream drops the bytes it had queued).
    expect(progress.map(([l]) => l)).toEqual([0, 0, 2, 3]);
  });

  it('does not try an HTTP error again', async () => {
    const fetchMock = vi.fn(async () => new Response('', { status: 500, statusText: 'Oops' }));
    vi.stubGlobal('fetch', fetchMock);
    await expect(fetchWithProgress('/d.bin', () => {})).rejects.toBeInstanceOf(DatasetFileError);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
