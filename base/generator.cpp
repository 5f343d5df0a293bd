// Generator: counter-based random numbers (SplitMix64), scalar draws and permutations.
#include "base/generator.h"

#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace tapegrad {

double Generator::next_double() { return bits_to_unit(next_u64()); }

int64_t Generator::next_int(int64_t low, int64_t high) {
    if (high <= low) throw std::invalid_argument(fmt::format("next_int: empty range [{}, {})", low, high));
    const auto range = static_cast<uint64_t>(high - low);
    return low + static_cast<int64_t>(next_u64() % range);  // bias below 2^-40 for the ranges used here
}

std::vector<int64_t> randperm(int64_t n, Generator& generator) {
    std::vector<int64_t> order(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i) order[i] = i;
    for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[generator.next_int(0, i + 1)]);
    return order;
}

}  // namespace tapegrad
