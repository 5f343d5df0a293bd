// The caching allocator: per-size free lists in front of aligned_alloc (see allocator.h for why).
#include "autograd/allocator.h"

#include <cstdlib>
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
            stats_.bytes_in_use += static_cast<int64_t>(size);
            stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
            auto found = free_lists_.find(size);
            if (found != free_lists_.end() && !found->second.empty()) {
                void* block = found->second.back();
                found->second.pop_back();
                ++stats_.cache_hits;
                stats_.bytes_cached -= static_cast<int64_t>(size);
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
        return block;
    }

    void free(void* block, std::size_t bytes) {
        if (block == nullptr) return;
        const std::size_t size = rounded_size(bytes);
        {
            std::lock_guard lock(mutex_);
            stats_.bytes_in_use -= static_cast<int64_t>(size);
            if (caching_ && static_cast<std::size_t>(stats_.bytes_cached) + size <= cache_limit_) {
                free_lists_[size].push_back(block);
                stats_.bytes_cached += static_cast<int64_t>(size);
                return;
            }
        }
        std::free(block);
    }

    void release() {
        std::unordered_map<std::size_t, std::vector<void*>> lists;
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
    std::mutex mutex_;
    std::unordered_map<std::size_t, std::vector<void*>> free_lists_;  // rounded size -> free blocks
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
void free_block(void* block, std::size_t bytes) { allocator().free(block, bytes); }
AllocatorStats allocator_stats() { return allocator().stats(); }
void reset_peak_allocator_stats() { allocator().reset_peak(); }
void release_cached_memory() { allocator().release(); }

}  // namespace tapegrad
