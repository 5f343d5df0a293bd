// Generator: a seeded, counter-based random number source (random tensors are in autograd/random.h).
//
// Element i of a random tensor is a pure function of (seed, counter + i) — a SplitMix64 hash — so the
// numbers are the same whatever the number of threads that fill the tensor, and a generator's whole
// state is two integers that a checkpoint can save.
#pragma once

#include <cstdint>

#include <vector>

namespace tapegrad {

class Generator {
public:
    explicit Generator(uint64_t seed = 0) : seed_(seed) {}

    uint64_t seed() const { return seed_; }
    // How many random words have been drawn so far; together with the seed this is the whole state.
    uint64_t counter() const { return counter_; }
    void set_state(uint64_t seed, uint64_t counter) { seed_ = seed, counter_ = counter; }

    // Reserves `count` consecutive counters and returns the first; word j of them is bits(first + j).
    uint64_t reserve(uint64_t count) {
        const uint64_t first = counter_;
        counter_ += count;
        return first;
    }
    // The 64 random bits at a counter (pure: no state change). Inline: kernels call it per element.
    uint64_t bits(uint64_t counter) const { return splitmix64_mix(seed_ * 0x9e3779b97f4a7c15ULL + splitmix64_mix(counter + 0x632be59bd9b4e019ULL)); }

    // SplitMix64's finaliser (Steele, Lea & Flood, 2014): a bijective mix of 64 bits.
    static uint64_t splitmix64_mix(uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    // Scalar draws for host-side code (shuffling, sampling).
    uint64_t next_u64() { return bits(reserve(1)); }
    double next_double();                       // uniform in [0, 1)
    int64_t next_int(int64_t low, int64_t high);  // uniform in [low, high)

private:
    uint64_t seed_ = 0;
    uint64_t counter_ = 0;
};

// Uniform in [0, 1) from 64 random bits (the top 53 bits make a double mantissa).
inline double bits_to_unit(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// A random permutation of 0..n-1 (Fisher–Yates), for shuffling.
std::vector<int64_t> randperm(int64_t n, Generator& generator);

}  // namespace tapegrad
