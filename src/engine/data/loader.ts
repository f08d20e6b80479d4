import { holdOutValidation } from './validation';
import type { DatasetSpec } from '../../experiment/schema';
import { inputShapeOf, numClassesOf } from '../../experiment/schema';
import { CLASS_NAMES, DatasetFileError, parseDatasetFile, takeSubset } from './binary';
import { isSyntheticId, makeSyntheticDataset } from './synthetic';
import type { Dataset } from './types';

/** Bytes received so far and bytes expected (0 while the size is unknown). */
export type ProgressCallback = (loadedBytes: number, totalBytes: number) => void;

/** Fetches a whole file, reporting progress in bytes; injected so loading is testable in Node. */
export type FetchFile = (url: string, onProgress: ProgressCallback) => Promise<ArrayBuffer>;

type ImageId = keyof typeof CLASS_NAMES;

/** URL of one split's file: `${baseUrl}data/${id}-${split}.bin` (a non-empty base gets a '/'). */
export function datasetFileUrl(baseUrl: string, id: string, split: 'train' | 'test'): string {
  const base = baseUrl === '' || baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return `${base}data/${id}-${split}.cpdz`;
}

/**
 * The bytes of a dataset file: gzip data (magic 1f 8b; the '.cpdz' files) is unpacked with
 * DecompressionStream, so the download and its progress bar count the packed bytes; a file that
 * arrives unpacked (a server that decoded it already) passes through.
 */
export async function gunzipIfPacked(buffer: ArrayBuffer, url: string): Promise<ArrayBuffer> {
  const head = new Uint8Array(buffer, 0, Math.min(2, buffer.byteLength));
  if (head[0] !== 0x1f || head[1] !== 0x8b) return buffer;
  try {
    const stream = new Blob([buffer]).stream().pipeThrough(new DecompressionStream('gzip'));
    return await new Response(stream).arrayBuffer();
  } catch (cause) {
    throw new DatasetFileError(
      `dataset file ${url} could not be unpacked (${cause instanceof Error ? cause.message : String(cause)})`,
      'The download was cut short or damaged: reload the page to fetch it again.',
    );
  }
}

/** Packed bytes per dataset file (data/sizes.json, written by prepare-data), {} when missing. */
async function fileSizes(fetchFile: FetchFile, baseUrl: string): Promise<Record<string, number>> {
  const base = baseUrl === '' || baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  try {
    const raw: unknown = JSON.parse(
      new TextDecoder().decode(await fetchFile(`${base}data/sizes.json`, () => {})),
    );
    if (typeof raw !== 'object' || raw === null) return {};
    return Object.fromEntries(
      Object.entries(raw).filter(
        (e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0,
      ),
    );
  } catch {
    return {};
  }
}

/**
 * Fetches both splits of an image set in parallel, validates them, and keeps the first
 * trainSize / testSize examples (the validation split is then held out of the training ones);
 * progress = (Σ loaded bytes, Σ expected bytes) of both files.
 */
export async function loadImageDataset(
  spec: DatasetSpec,
  seed: number,
  fetchFile: FetchFile,
  baseUrl: string,
  onProgress: ProgressCallback = () => {},
): Promise<Dataset> {
  const id = spec.id;
  if (id !== 'mnist' && id !== 'fashion') {
    throw new Error(`'${id}' is a synthetic dataset, not an image one`);
  }
  const imageId: ImageId = id;
  const loaded = [0, 0];
  // The packed sizes from data/sizes.json: a server that compresses on the fly sends no length.
  const known = await fileSizes(fetchFile, baseUrl);
  const packedSizes = (['train', 'test'] as const).map(
    (split) => known[datasetFileUrl('', imageId, split).replace(/^data\//, '')] ?? 0,
  );
  const totals = [...packedSizes];
  const report = () => {
    const total = Math.max(totals[0]!, loaded[0]!) + Math.max(totals[1]!, loaded[1]!);
    onProgress(loaded[0]! + loaded[1]!, total);
  };
  const fetchSplit = async (split: 'train' | 'test', k: number) => {
    const url = datasetFileUrl(baseUrl, imageId, split);
    const buffer = await fetchFile(url, (bytes, total) => {
      loaded[k] = bytes;
      totals[k] = total > 0 ? total : packedSizes[k]!;
      report();
    });
    loaded[k] = buffer.byteLength;
    totals[k] = buffer.byteLength;
    return { url, buffer: await gunzipIfPacked(buffer, url) };
  };
  const files = await Promise.all([fetchSplit('train', 0), fetchSplit('test', 1)]);
  report();
  const inputShape = inputShapeOf(imageId);
  const expected = {
    rows: inputShape[0]!,
    cols: inputShape[1]!,
    numClasses: numClassesOf(imageId),
  };
  const [train, test] = files.map(({ url, buffer }, k) => {
    const file = parseDatasetFile(buffer, expected, url);
    const size = k === 0 ? spec.trainSize : spec.testSize;
    if (size > file.count) {
      throw new DatasetFileError(
        `${url} holds ${file.count} examples, fewer than the ${size} asked for`,
        `Choose a ${k === 0 ? 'training' : 'test'} size of at most ${file.count}.`,
      );
    }
    return takeSubset(file, size);
  });
  return {
    id: imageId,
    inputShape,
    numClasses: expected.numClasses,
    classNames: [...CLASS_NAMES[imageId]],
    ...holdOutValidation(train!, inputShape, seed),
    test: test!,
  };
}

/** Attempts of a download whose connection fails (before or while the body streams). */
export const DOWNLOAD_ATTEMPTS = 3;

const SERVER_HINT = 'Check that the dev server or site is still running, then reload the page.';

/** A failure of the connection itself (worth a new attempt), not an HTTP answer. */
class ConnectionError extends Error {}

/** One download: the body streamed with a reader, reporting (bytes read, Content-Length or 0). */
async function downloadOnce(url: string, onProgress: ProgressCallback): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new ConnectionError(cause instanceof Error ? cause.message : String(cause));
  }
  if (response.status === 404) {
    throw new DatasetFileError(`dataset file ${url} not found`);
  }
  if (!response.ok) {
    throw new DatasetFileError(
      `could not download dataset file ${url}: HTTP ${response.status} ${response.statusText}`,
      SERVER_HINT,
    );
  }
  const header = Number(response.headers.get('Content-Length'));
  const total = Number.isFinite(header) && header > 0 ? header : 0;
  if (!response.body) {
    const buffer = await response.arrayBuffer();
    onProgress(buffer.byteLength, buffer.byteLength);
    return buffer;
  }
  // Content-Length counts compressed bytes when the server gzips, so never trust it as a size.
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  onProgress(0, total);
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (cause) {
      // The connection broke mid-body (Chromium: "network error").
      throw new ConnectionError(cause instanceof Error ? cause.message : String(cause));
    }
    if (next.done) break;
    chunks.push(next.value);
    received += next.value.byteLength;
    onProgress(received, Math.max(total, received));
  }
  const out = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

/**
 * The browser fetcher: streams the body, reporting (bytes read, Content-Length or 0); works in a
 * worker. A connection that fails, before or during the body, is tried again from the start up
 * to DOWNLOAD_ATTEMPTS times; HTTP 404 → DatasetFileError telling to prepare data.
 */
export async function fetchWithProgress(
  url: string,
  onProgress: ProgressCallback,
): Promise<ArrayBuffer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadOnce(url, onProgress);
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      if (attempt >= DOWNLOAD_ATTEMPTS) {
        throw new DatasetFileError(
          `could not download dataset file ${url} (${error.message}; ${attempt} attempts)`,
          SERVER_HINT,
        );
      }
    }
  }
}

/** The dataset a spec names: generated from `seed` for 2-D sets, fetched for image sets. */
export async function loadDataset(
  spec: DatasetSpec,
  seed: number,
  fetchFile: FetchFile,
  baseUrl: string,
  onProgress?: ProgressCallback,
): Promise<Dataset> {
  if (isSyntheticId(spec.id)) return makeSyntheticDataset(spec, seed);
  return loadImageDataset(spec, seed, fetchFile, baseUrl, onProgress);
}
