// The reverse task generator.
#include "data/tasks/reverse.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "base/generator.h"

namespace tapegrad::data {

std::vector<SentencePair> generate_reverse(int64_t n, uint64_t seed, ReverseOptions options) {
    if (n < 0) throw std::invalid_argument(fmt::format("generate_reverse: n must be >= 0, got {}", n));
    if (options.min_length < 1 || options.max_length < options.min_length)
        throw std::invalid_argument(fmt::format(
            "generate_reverse: need 1 <= min_length <= max_length, got min_length {} and max_length {}",
            options.min_length, options.max_length));
    Generator generator(seed);
    std::vector<SentencePair> pairs;
    pairs.reserve(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        const int64_t length = generator.next_int(options.min_length, options.max_length + 1);
        std::string source;
        for (int64_t j = 0; j < length; ++j) source.push_back(static_cast<char>('a' + generator.next_int(0, 26)));
        std::string target(source.rbegin(), source.rend());
        pairs.push_back({std::move(source), std::move(target)});
    }
    return pairs;
}

}  // namespace tapegrad::data
