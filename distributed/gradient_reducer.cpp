// GradientReducer: bucketed, token-weighted all-reduce of gradients (the math is in the header).
#include "distributed/gradient_reducer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <stdexcept>

#include <boost/mpi/collectives/all_reduce.hpp>
#include <fmt/format.h>

#include "distributed/collectives.h"

namespace tapegrad::distributed {
namespace {

// Packs weight · grad into the bucket's buffer (zeros for an undefined grad): the weighting is fused into
// the copy that packing needs anyway.
template <typename T>
void pack(const std::vector<Tensor>& parameters, const GradientReducer::Bucket& bucket, T* buffer, double weight) {
    const T w = static_cast<T>(weight);
    for (std::size_t k = 0; k < bucket.parameters.size(); ++k) {
        const Tensor& parameter = parameters[bucket.parameters[k]];
        T* out = buffer + bucket.offsets[k];
        const int64_t n = parameter.numel();
        const Tensor grad = parameter.grad();
        if (!grad.defined()) {
            std::fill(out, out + n, T(0));
            continue;
        }
        const Tensor packed = grad.contiguous();
        const T* g = packed.data<T>();
        for (int64_t i = 0; i < n; ++i) out[i] = g[i] * w;
    }
}

// Writes Σ_r w_r g_r / Σ_r w_r back into each grad, in place when the grad owns a contiguous buffer.
template <typename T>
void unpack(const std::vector<Tensor>& parameters, const GradientReducer::Bucket& bucket, const T* buffer,
            double total_weight, const std::vector<double>& defined_anywhere) {
    const T total = static_cast<T>(total_weight);
    for (std::size_t k = 0; k < bucket.parameters.size(); ++k) {
        const std::size_t index = bucket.parameters[k];
        if (defined_anywhere[index] == 0) continue;  // no rank produced this gradient: leave it undefined
        const Tensor& parameter = parameters[index];
        Tensor grad = parameter.grad();
        if (!grad.defined() || !grad.is_contiguous() || grad.dtype() != parameter.dtype()) {
            grad = empty(parameter.shape(), {.dtype = parameter.dtype()});
            parameter.set_grad(grad);
        }
        const T* in = buffer + bucket.offsets[k];
        T* g = grad.data<T>();
        for (int64_t i = 0; i < parameter.numel(); ++i) g[i] = in[i] / total;
    }
}

}  // namespace

GradientReducer::GradientReducer(std::vector<Tensor> parameters, GradientReducerOptions options,
                                 boost::mpi::communicator comm)
    : parameters_(std::move(parameters)), options_(options), comm_(std::move(comm)) {
    if (options_.bucket_bytes < 1)
        throw std::invalid_argument(
            fmt::format("GradientReducer: bucket_bytes must be >= 1, got {}", options_.bucket_bytes));
    uint64_t shapes_hash = 14695981039346656037ull;  // FNV-1a over every extent, to compare the ranks' lists
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
        const Tensor& parameter = parameters_[i];
        if (parameter.dtype() != DType::Float32 && parameter.dtype() != DType::Float64)
            throw std::invalid_argument(fmt::format("GradientReducer: parameter {} has dtype {}; only float32 and "
                                                    "float64 gradients can be reduced",
                                                    i, dtype_name(parameter.dtype())));
        for (int64_t extent : parameter.shape()) shapes_hash = (shapes_hash ^ static_cast<uint64_t>(extent)) * 1099511628211ull;
        shapes_hash = (shapes_hash ^ static_cast<uint64_t>(parameter.dtype())) * 1099511628211ull;

        const int64_t bytes = parameter.numel() * static_cast<int64_t>(dtype_size(parameter.dtype()));
        const bool start_new = buckets_.empty() || buckets_.back().dtype != parameter.dtype() ||
                               (buckets_.back().numel > 0 &&
                                (buckets_.back().numel * static_cast<int64_t>(dtype_size(parameter.dtype())) + bytes >
                                 options_.bucket_bytes));
        if (start_new) {
            buckets_.emplace_back();
            buckets_.back().dtype = parameter.dtype();
        }
        Bucket& bucket = buckets_.back();
        bucket.parameters.push_back(i);
        bucket.offsets.push_back(bucket.numel);
        bucket.numel += parameter.numel();
    }
    // The buckets are reduced one after the other, so one buffer, the size of the largest, serves them all.
    std::size_t largest = 0;
    for (const Bucket& bucket : buckets_)
        largest = std::max(largest, static_cast<std::size_t>(bucket.numel) * dtype_size(bucket.dtype));
    buffer_.resize(largest / sizeof(double) + 1);
    header_.resize(1 + parameters_.size());

    if (comm_.size() > 1) {
        const std::vector<uint64_t> hashes = gather_from_all_ranks(shapes_hash, comm_);
        const std::vector<int64_t> counts = gather_from_all_ranks(static_cast<int64_t>(parameters_.size()), comm_);
        for (int rank = 0; rank < comm_.size(); ++rank)
            if (hashes[rank] != hashes[0] || counts[rank] != counts[0])
                throw std::invalid_argument(fmt::format(
                    "GradientReducer: rank {} has {} parameters and rank 0 has {}, or their shapes or dtypes "
                    "differ; every rank must reduce the same model",
                    rank, counts[rank], counts[0]));
    }
}

double GradientReducer::average_gradients(double local_weight) {
    if (!(local_weight >= 0) || !std::isfinite(local_weight))
        throw std::invalid_argument(fmt::format(
            "GradientReducer::average_gradients: the weight must be finite and >= 0, got {}", local_weight));
    if (comm_.size() == 1) return local_weight;  // one process: its gradient already is the batch's

    // One small call carries the weights and which gradients exist, so that a parameter unused on one
    // rank (grad undefined) is reduced as zeros there and stays undefined only if unused everywhere.
    header_[0] = local_weight;
    for (std::size_t i = 0; i < parameters_.size(); ++i) header_[1 + i] = parameters_[i].grad().defined() ? 1 : 0;
    boost::mpi::all_reduce(comm_, boost::mpi::inplace(header_.data()), static_cast<int>(header_.size()),
                           std::plus<double>());
    ++all_reduce_calls_;
    const double total_weight = header_[0];
    if (!(total_weight > 0))
        throw std::runtime_error(fmt::format(
            "GradientReducer::average_gradients: the total weight across {} ranks is {}; there is nothing to "
            "average over",
            comm_.size(), total_weight));
    const std::vector<double> defined_anywhere(header_.begin() + 1, header_.end());

    for (const Bucket& bucket : buckets_) {
        const int count = static_cast<int>(bucket.numel);
        if (bucket.dtype == DType::Float32) {
            auto* buffer = reinterpret_cast<float*>(buffer_.data());
            pack(parameters_, bucket, buffer, local_weight);
            boost::mpi::all_reduce(comm_, boost::mpi::inplace(buffer), count, std::plus<float>());
            unpack(parameters_, bucket, buffer, total_weight, defined_anywhere);
        } else {
            auto* buffer = buffer_.data();
            pack(parameters_, bucket, buffer, local_weight);
            boost::mpi::all_reduce(comm_, boost::mpi::inplace(buffer), count, std::plus<double>());
            unpack(parameters_, bucket, buffer, total_weight, defined_anywhere);
        }
        ++all_reduce_calls_;
    }
    return total_weight;
}

}  // namespace tapegrad::distributed
