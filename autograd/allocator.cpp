// The caching allocator: per-size free lists in front of aligned_alloc (see allocator.h for why).
#include "autograd/allocator.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

namespace tapegrad {
namespace {

constexpr std::size_t kAlignment = 64;
constexpr std::size_t kPage = 4096;
constexpr std::size_t kLargeBlock = std::size_t{1} << 20;

std::size_t rounded_size(std::size_t bytes) {
    const std::size_t granule = bytes >= kLargeBlock ? kPage : kAlignment;
    return (std::max<std::size_t>(bytes, 1) + granule - 1) / granule * granule;
}

std::size_t env_size(const char* name, std::size_t fallback) {
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0') return fallback;
    return static_cast<std::size_t>(std::strtoull(text, nullptr, 10));
}

class CachingAllocator {
public:
    CachingAllocator() {
        const char* mode = std::getenv("TAPEGRAD_ALLOCATOR");
        caching_ = mode == nullptr || std::string(mode) != "system";
#if defined(__SANITIZE_ADDRESS__)
        caching_ = false;  // a reused block would hide use-after-free from AddressSanitizer
#endif
        cache_limit_ = env_size("TAPEGRAD_ALLOCATOR_CACHE_MIB", 2048) << 20;
    }
    ~CachingAllocator() { release(); }

    void* allocate(std::size_t bytes) {
        const std::size_t size = rounded_size(bytes);
        {
            std::lock_guard lock(mutex_);
            ++stats_.allocations;
            // The smallest cached block that fits, if it wastes at most a quarter: a step's sizes differ
            // a little from op to op, and reusing a slightly larger block keeps the memory footprint near
            // the peak in use instead of one cached copy per size.
            auto found = free_lists_.lower_bound(size);
            if (found != free_lists_.end() && found->first <= size + size / 4) {
                const std::size_t capacity = found->first;
                void* block = found->second.back();
                found->second.pop_back();
                if (found->second.empty()) free_lists_.erase(found);
                ++stats_.cache_hits;
                stats_.bytes_cached -= static_cast<int64_t>(capacity);
                note_in_use(block, capacity);
                return block;
            }
            ++stats_.system_allocations;
        }
        void* block = std::aligned_alloc(kAlignment, size);
        if (block == nullptr) {
            release();  // the cache may be what fills memory: give it back and try once more
            block = std::aligned_alloc(kAlignment, size);
            if (block == nullptr) throw std::bad_alloc();
        }
        std::lock_guard lock(mutex_);
        note_in_use(block, size);
        return block;
    }

    void free(void* block) {
        if (block == nullptr) return;
        {
            std::lock_guard lock(mutex_);
            const auto found = capacities_.find(block);
            const std::size_t capacity = found->second;
            capacities_.erase(found);
            stats_.bytes_in_use -= static_cast<int64_t>(capacity);
            if (caching_ && static_cast<std::size_t>(stats_.bytes_cached) + capacity <= cache_limit_) {
                free_lists_[capacity].push_back(block);
                stats_.bytes_cached += static_cast<int64_t>(capacity);
                return;
            }
        }
        std::free(block);
    }

    void release() {
        std::map<std::size_t, std::vector<void*>> lists;
        {
            std::lock_guard lock(mutex_);
            lists.swap(free_lists_);
            stats_.bytes_cached = 0;
        }
        for (auto& [size, blocks] : lists)
            for (void* block : blocks) std::free(block);
    }

    AllocatorStats stats() {
        std::lock_guard lock(mutex_);
        return stats_;
    }
    void reset_peak() {
        std::lock_guard lock(mutex_);
        stats_.peak_bytes_in_use = stats_.bytes_in_use;
    }

private:
    void note_in_use(void* block, std::size_t capacity) {  // with mutex_ held
        capacities_[block] = capacity;
        stats_.bytes_in_use += static_cast<int64_t>(capacity);
        stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
    }

    std::mutex mutex_;
    std::map<std::size_t, std::vector<void*>> free_lists_;   // capacity -> free blocks, ordered for best fit
    std::unordered_map<void*, std::size_t> capacities_;      // every block in use -> its capacity
    AllocatorStats stats_;
    bool caching_ = true;
    std::size_t cache_limit_ = 0;
};

// Never destroyed: tensors in static storage may be freed after main returns.
CachingAllocator& allocator() {
    static auto* instance = new CachingAllocator();
    return *instance;
}

}  // namespace

void* allocate_block(std::size_t bytes) { return allocator().allocate(bytes); }
void free_block(void* block) { allocator().free(block); }
AllocatorStats allocator_stats() { return allocator().stats(); }
void reset_peak_allocator_stats() { allocator().reset_peak(); }
void release_cached_memory() { allocator().release(); }

}  // namespace tapegrad
