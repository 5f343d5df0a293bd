// Collating sentence pairs into padded tensors with padding masks.
#include "data/collate.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "data/vocab.h"

namespace tapegrad::data {

namespace {

// Rows padded with PAD to the longest row: values (rows * width, row-major) and the mask (1 where PAD).
struct Padded {
    std::vector<int64_t> values, mask;
    int64_t width = 0;
};

template <typename RowOf> Padded pad_rows(std::size_t rows, RowOf&& row_of) {
    Padded padded;
    for (std::size_t r = 0; r < rows; ++r)
        padded.width = std::max(padded.width, static_cast<int64_t>(row_of(r).size()));
    const auto width = static_cast<std::size_t>(padded.width);
    padded.values.assign(rows * width, Vocab::kPadId);
    padded.mask.assign(rows * width, 1);
    for (std::size_t r = 0; r < rows; ++r) {
        const auto& row = row_of(r);
        std::copy(row.begin(), row.end(), padded.values.begin() + static_cast<std::ptrdiff_t>(r * width));
        std::fill_n(padded.mask.begin() + static_cast<std::ptrdiff_t>(r * width), row.size(), 0);
    }
    return padded;
}

}  // namespace

std::vector<int64_t> with_bos_eos(const std::vector<int64_t>& target) {
    std::vector<int64_t> wrapped;
    wrapped.reserve(target.size() + 2);
    wrapped.push_back(Vocab::kBosId);
    wrapped.insert(wrapped.end(), target.begin(), target.end());
    wrapped.push_back(Vocab::kEosId);
    return wrapped;
}

Batch collate(const std::vector<std::vector<int64_t>>& source_ids, const std::vector<std::vector<int64_t>>& target_ids,
              const std::vector<int64_t>& indices) {
    if (indices.empty()) throw std::invalid_argument("collate: a batch needs at least one example");
    if (source_ids.size() != target_ids.size())
        throw std::invalid_argument(fmt::format("collate: {} source sequences but {} target sequences",
                                                source_ids.size(), target_ids.size()));
    for (int64_t index : indices)
        if (index < 0 || index >= static_cast<int64_t>(source_ids.size()))
            throw std::invalid_argument(
                fmt::format("collate: example index {} is outside [0, {})", index, source_ids.size()));

    const std::size_t rows = indices.size();
    std::vector<std::vector<int64_t>> inputs(rows), outputs(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        const std::vector<int64_t> wrapped = with_bos_eos(target_ids[static_cast<std::size_t>(indices[r])]);
        inputs[r].assign(wrapped.begin(), wrapped.end() - 1);   // BOS y
        outputs[r].assign(wrapped.begin() + 1, wrapped.end());  // y EOS
    }
    const Padded source = pad_rows(rows, [&](std::size_t r) -> const auto& {
        return source_ids[static_cast<std::size_t>(indices[r])];
    });
    const Padded input = pad_rows(rows, [&](std::size_t r) -> const auto& { return inputs[r]; });
    const Padded output = pad_rows(rows, [&](std::size_t r) -> const auto& { return outputs[r]; });

    const auto batch = static_cast<int64_t>(rows);
    Batch out;
    out.source = from_vector<int64_t>(source.values, {batch, source.width});
    out.target_input = from_vector<int64_t>(input.values, {batch, input.width});
    out.target_output = from_vector<int64_t>(output.values, {batch, output.width});
    out.source_padding_mask = from_vector<int64_t>(source.mask, {batch, source.width}, {.dtype = DType::Bool});
    out.target_padding_mask = from_vector<int64_t>(output.mask, {batch, output.width}, {.dtype = DType::Bool});
    out.num_source_tokens = static_cast<int64_t>(std::count(source.mask.begin(), source.mask.end(), 0));
    out.num_target_tokens = static_cast<int64_t>(std::count(output.mask.begin(), output.mask.end(), 0));
    out.indices = indices;
    return out;
}

}  // namespace tapegrad::data
