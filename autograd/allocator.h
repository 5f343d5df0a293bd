// The caching allocator behind every tensor's Storage.
//
// A training step allocates the same sequence of buffer sizes every time (one per activation, per
// gradient, per temporary), and frees them all by its end. Returning those blocks to malloc and asking
// for them again costs more than the arithmetic on small models: each large block is a fresh mmap
// whose pages fault in on first touch, then are zero-filled. So freed blocks are kept in per-size free
// lists and handed out again on the next request of that size: after the first step, a step performs
// no system allocation at all (PyTorch's CUDA allocator makes the same bet).
//
// Sizes are rounded up to 64 bytes (one cache line, one AVX-512 register) below 1 MiB and to 4 KiB (one
// page) above. A request takes the smallest cached block that fits and wastes at most a quarter of it,
// so nearly equal sizes share blocks and the footprint stays near the peak actually in use. The cache is bounded
// (TAPEGRAD_ALLOCATOR_CACHE_MIB, default 2048); release_cached_memory() returns everything to the
// system. TAPEGRAD_ALLOCATOR=system turns caching off (each block straight from and back to malloc),
// for comparison and for memory checkers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tapegrad {

// 64-byte aligned, uninitialised memory of at least `bytes` bytes (bytes may be 0).
void* allocate_block(std::size_t bytes);
// Returns a block from allocate_block to the cache.
void free_block(void* block);

struct AllocatorStats {
    int64_t allocations = 0;         // allocate_block calls
    int64_t cache_hits = 0;          // ... served from the cache
    int64_t system_allocations = 0;  // ... that went to the system (malloc)
    int64_t bytes_in_use = 0;        // held by live tensors
    int64_t peak_bytes_in_use = 0;
    int64_t bytes_cached = 0;        // freed, kept for reuse
};
AllocatorStats allocator_stats();
// Sets peak_bytes_in_use to the current bytes_in_use (to measure the peak of one step).
void reset_peak_allocator_stats();
// Frees every cached block back to the system.
void release_cached_memory();

}  // namespace tapegrad
