// Entry of the kernel module, built twice by scripts/build-wasm.mjs: with relaxed SIMD
// (engine-relaxed.wasm) and with fixed SIMD only (engine-simd.wasm). Kernels branch on
// ASC_FEATURE_RELAXED_SIMD at compile time, so each binary holds only what its target validates.
export { alloc, allocatedBytes } from './memory';
export {
  i8_begin,
  i8_gemm,
  i8_has_relaxed,
  i8_input,
  i8_kernel,
  i8_output_size,
  i8_pool,
  i8_quantize_input,
  i8_run,
  i8_run_op,
  i8_set_input_grid,
  i8_set_kernel,
} from './int8';
export {
  f_begin,
  f_input,
  f_layer,
  f_output_size,
  f_pool,
  f_run,
  f_run_op,
  f_set_mode,
} from './float';
