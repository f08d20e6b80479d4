import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

// Chromium may destroy a GPU instance once nothing references its adapter, which kills the
// device tfjs still uses ("A valid external Instance reference no longer exists" on mapAsync).
// tfjs's own factory drops the adapter after creating the device, so we register a factory
// that keeps it, with the same device limits.
const alive: { adapter?: Promise<AdapterLike | null>; gpu?: unknown } = {};

interface AdapterLike {
  features: ReadonlySet<string>;
  limits: Record<string, number>;
  info?: unknown;
  requestDevice(descriptor: unknown): Promise<unknown>;
}

type GpuLike = { requestAdapter(o: unknown): Promise<AdapterLike | null> };

/**
 * The one WebGPU adapter of this worker (requested once): probing and the backend share it,
 * since a second adapter request can invalidate the first one's instance.
 */
export function sharedAdapter(): Promise<AdapterLike | null> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return Promise.resolve(null);
  alive.gpu = gpu;
  alive.adapter ??= gpu.requestAdapter({ powerPreference: 'high-performance' });
  return alive.adapter;
}

/** Re-registers the 'webgpu' backend with an adapter that lives as long as the page/worker. */
export function registerDurableWebGpu(): boolean {
  const gpu = (
    globalThis.navigator as { gpu?: { requestAdapter(o: unknown): Promise<AdapterLike | null> } }
  )?.gpu;
  if (!gpu) return false;
  tf.removeBackend('webgpu');
  return tf.registerBackend(
    'webgpu',
    async () => {
      const adapter = await sharedAdapter();
      if (!adapter) throw new Error('this browser offers no WebGPU adapter');
      const limits = adapter.limits;
      const wanted = [
        'maxComputeWorkgroupStorageSize',
        'maxComputeWorkgroupsPerDimension',
        'maxStorageBufferBindingSize',
        'maxBufferSize',
        'maxComputeWorkgroupSizeX',
        'maxComputeInvocationsPerWorkgroup',
      ];
      const device = await adapter.requestDevice({
        requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
        requiredLimits: Object.fromEntries(wanted.map((k) => [k, limits[k]])),
      });
      return new WebGPUBackend(device as GPUDevice, adapter.info as GPUAdapterInfo);
    },
    3,
  );
}
