// bench attention: one multi-head self-attention call, forward and forward + backward, the counterpart
// of ../shared/bench/mha.py.
//   bench attention --batch 32 --heads 8 --len 64 --dim 256 [--causal] --threads 2 [--repeats 7]
// --dim is the embed dimension E (mha.py's d = 256), not the head size D = E/H. The call is
// nn::MultiHeadAttention's forward(x, x, x, attn_mask) on x (B, L, E), as torch.nn.MultiheadAttention
// (dropout 0, need_weights false): the four projections, Q·Kᵀ, softmax, ·V. Forward runs without the
// tape (mha.py's torch.no_grad); forward + backward records, back-propagates a fixed random output
// gradient to x and every weight, then forgets the gradients (mha.py's zero_grad(set_to_none=True)).
// mha.py always passes the causal mask; here it is --causal. Prints one JSON line.
#include <omp.h>

#include <stdexcept>

#include "autograd/autograd.h"
#include "bench/bench.h"
#include "nn/attention.h"
#include "nn/multi_head_attention.h"

namespace tapegrad::bench {

int attention_main(const std::vector<std::string>& args) {
    namespace po = boost::program_options;
    int64_t batch = 0, heads = 0, length = 0, embed_dim = 0;
    int threads = 0, repeats = 0;
    double min_sample_ms = 0;
    po::options_description options(
        "bench attention: forward and forward + backward ms of one multi-head self-attention call on\n"
        "x (batch, len, dim), as torch.nn.MultiheadAttention(dim, heads) in ../shared/bench/mha.py");
    options.add_options()
        ("help,h", "this help")
        ("batch", po::value(&batch)->default_value(32), "B, sequences")
        ("heads", po::value(&heads)->default_value(8), "H, heads; must divide --dim")
        ("len", po::value(&length)->default_value(64), "L, sequence length (queries = keys)")
        ("dim", po::value(&embed_dim)->default_value(256), "E, the embed dimension (head size is E/H)")
        ("causal", po::bool_switch(), "apply the causal mask (mha.py always does)")
        ("threads", po::value(&threads)->default_value(omp_get_max_threads()), "OpenMP threads")
        ("repeats", po::value(&repeats)->default_value(7), "timed samples; the median is reported")
        ("min-sample-ms", po::value(&min_sample_ms)->default_value(100.0),
         "each sample repeats the call for at least this long");
    po::variables_map vm;
    if (!parse_options(options, args, vm)) return 0;
    if (batch <= 0 || heads <= 0 || length <= 0 || embed_dim <= 0 || threads <= 0 || repeats <= 0)
        throw std::invalid_argument("--batch, --heads, --len, --dim, --threads and --repeats must be positive");
    const bool causal = vm["causal"].as<bool>();
    omp_set_num_threads(threads);

    Generator generator(0);
    nn::MultiHeadAttention attention({.embed_dim = embed_dim, .num_heads = heads, .dropout = 0.0}, generator);
    attention.train();
    const Tensor x = normal({batch, length, embed_dim}, 0.0, 1.0, generator);            // (B, L, E)
    const Tensor x_with_grad = x.clone().detach().requires_grad_(true);                  // (B, L, E)
    const Tensor doutput = normal({batch, length, embed_dim}, 0.0, 1.0, generator);      // (B, L, E)
    const Tensor mask = causal ? nn::causal_mask(length) : Tensor();                     // (L, L) or none

    const Timing forward = time_calls(
        [&] {
            NoGradGuard no_grad;
            attention.forward(x, x, x, mask);
        },
        repeats, min_sample_ms);
    const Timing forward_backward = time_calls(
        [&] {
            x_with_grad.zero_grad();
            attention.zero_grad();
            const Tensor output = attention.forward(x_with_grad, x_with_grad, x_with_grad, mask).output;
            output.backward(doutput);
        },
        repeats, min_sample_ms);
    // Multiply-adds per token: the four projections 4E², Q·Kᵀ and weights·V 2·L·E; backward ≈ 2× forward.
    const double forward_flops = 2.0 * static_cast<double>(batch * length) *
                                 static_cast<double>(4 * embed_dim * embed_dim + 2 * length * embed_dim);
    print_json_line({{"bench", "attention"}, {"batch", batch}, {"heads", heads}, {"len", length}, {"dim", embed_dim},
                     {"causal", causal}, {"threads", threads},
                     {"forward_ms", forward.median_ms}, {"forward_ms_min", forward.min_ms},
                     {"forward_backward_ms", forward_backward.median_ms},
                     {"forward_backward_ms_min", forward_backward.min_ms},
                     {"forward_gflops", forward_flops / (forward.median_ms * 1e-3) / 1e9},
                     {"forward_backward_gflops", 3 * forward_flops / (forward_backward.median_ms * 1e-3) / 1e9}});
    return 0;
}

}  // namespace tapegrad::bench
