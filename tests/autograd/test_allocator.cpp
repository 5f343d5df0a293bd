// The caching allocator and the profiler: blocks are reused, counts add up, the profile names the ops.
#include <catch2/catch.hpp>

#include <cstring>

#include "autograd/autograd.h"

using namespace tapegrad;

TEST_CASE("a freed block of the same size is handed out again", "[allocator]") {
    void* first = allocate_block(1000);
    std::memset(first, 1, 1000);  // the whole requested size is usable
    free_block(first);
    const AllocatorStats before = allocator_stats();
    void* second = allocate_block(990);  // rounds to the same 64-byte size class
    const AllocatorStats after = allocator_stats();
#if !defined(__SANITIZE_ADDRESS__)
    CHECK(second == first);
    CHECK(after.cache_hits == before.cache_hits + 1);
    CHECK(after.system_allocations == before.system_allocations);
#endif
    CHECK(reinterpret_cast<std::uintptr_t>(second) % 64 == 0);
    CHECK(after.allocations == before.allocations + 1);
    free_block(second);
    release_cached_memory();
    CHECK(allocator_stats().bytes_cached == 0);
}

TEST_CASE("empty() is zero-filled even when its block is reused", "[allocator]") {
    {
        Tensor dirty = full({257}, 3.0);
    }
    const Tensor clean = empty({257});
    for (float v : clean.to_vector<float>()) REQUIRE(v == 0.0f);
}

TEST_CASE("a repeated step allocates nothing from the system after the first", "[allocator]") {
    Generator generator(3);
    const Tensor w = normal({64, 64}, 0, 0.1, generator).requires_grad_();
    const Tensor x = normal({32, 64}, 0, 1, generator);
    auto step = [&] {
        const Tensor loss = relu(matmul(x, w)).sum();
        loss.backward();
        w.zero_grad();
    };
    step();
    const AllocatorStats before = allocator_stats();
    step();
    const AllocatorStats after = allocator_stats();
    CHECK(after.allocations > before.allocations);
#if !defined(__SANITIZE_ADDRESS__)
    CHECK(after.system_allocations == before.system_allocations);
#endif
}

TEST_CASE("the profiler counts every recorded op forward and backward", "[profiler]") {
    Generator generator(4);
    const Tensor w = normal({8, 8}, 0, 0.1, generator).requires_grad_();
    const Tensor x = normal({4, 8}, 0, 1, generator);
    Profiler profiler;
    const Tensor loss = tanh(matmul(x, w)).sum();
    loss.backward();
    {
        ProfileSection section("optimizer");
    }
    const Profile profile = profiler.stop();
    REQUIRE(profile.ops.count("matmul") == 1);
    CHECK(profile.ops.at("matmul").forward_calls == 1);
    CHECK(profile.ops.at("matmul").backward_calls == 1);
    CHECK(profile.ops.at("tanh").backward_calls == 1);
    CHECK(profile.sections_ms.count("optimizer") == 1);
    CHECK(profile.total_ms >= profile.forward_ms() + profile.backward_ms());
    CHECK(profile.allocations > 0);
    const std::string table = profile.table();
    CHECK(table.find("matmul") != std::string::npos);
    CHECK(table.find("[optimizer]") != std::string::npos);
    CHECK_FALSE(is_profiling());
}

TEST_CASE("only one profiler runs at a time", "[profiler]") {
    Profiler first;
    CHECK_THROWS_WITH(Profiler(), Catch::Contains("already running"));
}
