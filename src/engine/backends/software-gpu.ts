// Tells whether a GPU backend would run on a software renderer (SwiftShader, llvmpipe): such a
// "GPU" is slower than the wasm backend, so automatic selection tries it last.

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** True when the adapter is a fallback (CPU) adapter or names a software renderer. */
export function isSoftwareAdapter(info: AdapterInfoLike | undefined): boolean {
  if (!info) return false;
  if (info.isFallbackAdapter) return true;
  return SOFTWARE.test([info.vendor, info.architecture, info.description].join(' '));
}

/** True when the WebGL renderer string names a software renderer. */
export function isSoftwareRenderer(renderer: string | null | undefined): boolean {
  return !!renderer && SOFTWARE.test(renderer);
}

import { sharedAdapter } from './webgpu';

/** Probes WebGPU and WebGL for software rendering; unknown counts as hardware. */
export async function softwareGpuBackends(): Promise<Set<'webgpu' | 'webgl'>> {
  const out = new Set<'webgpu' | 'webgl'>();
  try {
    const adapter = await sharedAdapter();
    if (adapter && isSoftwareAdapter(adapter.info as AdapterInfoLike | undefined))
      out.add('webgpu');
  } catch {
    // No WebGPU: nothing to flag.
  }
  try {
    if (typeof OffscreenCanvas !== 'undefined') {
      const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      const renderer = gl && ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : null;
      if (isSoftwareRenderer(renderer)) out.add('webgl');
      gl?.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    // No WebGL: nothing to flag.
  }
  return out;
}
