/**
 * The input area: frames for step() and run() are written by the JavaScript
 * loader at the first 16-byte boundary above the static data, and the memory
 * grows when a batch needs more room. The runtime allocates nothing else.
 */

/** Address of the input area, the heap base rounded up to 16 bytes. */
export const INPUT_AREA: usize = (__heap_base + 15) & ~(<usize>15);

const PAGE_BITS: usize = 16;
/** Largest address a 32-bit memory of 65536 pages can reach. */
const ADDRESS_LIMIT: u64 = <u64>65536 << <u64>PAGE_BITS;

/**
 * Grows the memory so that `bytes` bytes fit from INPUT_AREA. Returns false when
 * the request passes the 4 GiB address space or the host refuses to grow.
 */
export function ensureInputCapacity(bytes: u64): bool {
  const end = <u64>INPUT_AREA + bytes;
  if (end > ADDRESS_LIMIT) return false;
  const pagesNeeded = <i32>((end + ((<u64>1 << <u64>PAGE_BITS) - 1)) >> <u64>PAGE_BITS);
  const pagesNow = memory.size();
  if (pagesNeeded <= pagesNow) return true;
  return memory.grow(pagesNeeded - pagesNow) >= 0;
}
