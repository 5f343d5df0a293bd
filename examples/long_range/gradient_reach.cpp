#include "examples/long_range/gradient_reach.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "autograd/random.h"

namespace tapegrad::long_range {

std::vector<double> gradient_reach(SequenceModel& model, int64_t length, int64_t batch, Generator& generator) {
    if (length < 2 || batch < 1) {
        throw std::invalid_argument(fmt::format("gradient_reach: length {} must be >= 2 and batch {} >= 1", length, batch));
    }
    const bool was_training = model.is_training();
    model.eval();
    std::vector<int64_t> token_values(static_cast<std::size_t>(batch * length));
    for (int64_t& token : token_values) token = generator.next_int(0, model.options().vocab_size);
    const Tensor tokens = from_vector(token_values, {batch, length});

    // The input we differentiate with respect to: the embedded tokens, a leaf of their own.
    Tensor embedded;
    {
        NoGradGuard no_grad;
        embedded = model.embed(tokens);
    }
    embedded = embedded.detach().requires_grad_();
    const Tensor features = model.encode(embedded);                 // (B, T, F)
    const Tensor last = select(features, 1, length - 1);            // y = the last position's features (B, F)
    const Tensor probe = normal(last.shape(), 0.0, 1.0, generator);  // u, one per sequence
    sum(last * probe).backward();                                   // ∂(Σ_b u_bᵀ y_b)/∂x = u_bᵀ J_b,t per row

    // ‖u_bᵀ J_b,t‖² summed over E, averaged over b, square-rooted: (T) in position order.
    const Tensor squared = mean(sum(embedded.grad() * embedded.grad(), {2}), {0});
    const std::vector<double> by_position = squared.to_vector<double>();
    std::vector<double> reach(static_cast<std::size_t>(length));
    for (int64_t distance = 0; distance < length; ++distance) {
        reach[static_cast<std::size_t>(distance)] = std::sqrt(by_position[static_cast<std::size_t>(length - 1 - distance)]);
    }
    model.zero_grad();
    model.train(was_training);
    return reach;
}

}  // namespace tapegrad::long_range
