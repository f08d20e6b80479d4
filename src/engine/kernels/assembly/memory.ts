// Bump allocation over the module's own memory. One instance holds one model: its packed weights
// are allocated once, then every run reuses the scratch region above them.

/** Alignment of every block: a cache line, so v128 loads never straddle one needlessly. */
const ALIGN: usize = 64;
/** Bytes kept addressable past every block: kernels read up to one vector beyond their data. */
export const SLACK: usize = 64;

let top: usize = 0;

// @ts-ignore: decorator
@inline
export function alignUp(n: usize): usize {
  return (n + ALIGN - 1) & ~(ALIGN - 1);
}

function ensureMemory(end: usize): bool {
  const have = (<usize>memory.size()) << 16;
  if (end <= have) return true;
  const pages = <i32>((end - have + 0xffff) >> 16);
  return memory.grow(pages) >= 0;
}

function base(): usize {
  if (top == 0) top = alignUp(__heap_base);
  return top;
}

/** A zeroed-at-start block of `bytes` with SLACK after it, or 0 when memory cannot grow. */
export function alloc(bytes: usize): usize {
  const ptr = base();
  const next = alignUp(ptr + bytes + SLACK);
  if (!ensureMemory(next)) return 0;
  top = next;
  return ptr;
}

/** Start of `bytes` of scratch above every block (valid until the next alloc), or 0. */
export function scratch(bytes: usize): usize {
  const ptr = base();
  return ensureMemory(ptr + bytes + SLACK) ? ptr : 0;
}

/** Bytes of memory in use by allocations (for the host's size reports). */
export function allocatedBytes(): usize {
  return base() - alignUp(__heap_base);
}
