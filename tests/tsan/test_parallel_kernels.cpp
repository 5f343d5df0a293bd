// The multi-threaded kernels on shapes large enough to split between threads, for ThreadSanitizer
// (scripts/test, docs/reliability.md): each case runs forward and backward on 1 thread, then on 2, and
// requires the same numbers bit for bit — every kernel fixes its split by the shape, not the thread count.
// The other suites use shapes mostly below the kernels' parallel thresholds (32768–65536 elements), where
// TSan would watch one thread only.
#include <catch2/catch.hpp>

#include <omp.h>

#include <functional>
#include <vector>

#include "autograd/autograd.h"
#include "data/data_loader.h"
#include "nn/attention.h"
#include "nn/transformer_encoder.h"

using namespace tapegrad;

namespace {

// Every number a run produced: the outputs, then the gradient of every input.
using Results = std::vector<std::vector<double>>;

Tensor random_input(const Shape& shape, uint64_t seed, bool requires_grad = true) {
    Generator generator(seed);
    Tensor x = normal(shape, 0.0, 1.0, generator);
    if (requires_grad) x.requires_grad_();
    return x;
}

// run() on `threads` OpenMP threads, restoring the previous count after (also when it throws).
Results on_threads(int threads, const std::function<Results()>& run) {
    struct Restore {
        int previous = omp_get_max_threads();
        ~Restore() { omp_set_num_threads(previous); }
    } restore;
    omp_set_num_threads(threads);
    return run();
}

// out's values, then backward of Σ out·w (w fixed, so every output element gets its own upstream value)
// and each input's gradient.
Results forward_backward(const Tensor& out, const std::vector<Tensor>& inputs) {
    Results results{out.to_vector<double>()};
    const Tensor w = random_input(out.shape(), 99, /*requires_grad=*/false);
    sum(out * w).backward();
    for (const Tensor& input : inputs) results.push_back(input.grad().to_vector<double>());
    return results;
}

void require_same_on_1_and_2_threads(const std::function<Results()>& run) {
    const Results one = on_threads(1, run);
    const Results two = on_threads(2, run);
    REQUIRE(one.size() == two.size());
    for (std::size_t i = 0; i < one.size(); ++i) {
        INFO("result " << i);
        REQUIRE(one[i] == two[i]);
    }
}

}  // namespace

TEST_CASE("GEMM: the packed path (one large product) and the batched path (many heads)", "[tsan][gemm]") {
    require_same_on_1_and_2_threads([] {
        const Tensor a = random_input({2, 160, 200}, 1), b = random_input({200, 176}, 2);  // folds to 320 x 200 · 200 x 176
        return forward_backward(matmul(a, b), {a, b});
    });
    require_same_on_1_and_2_threads([] {
        const Tensor q = random_input({4, 8, 48, 32}, 3), k = random_input({4, 8, 32, 48}, 4);  // 32 small products
        return forward_backward(matmul(q, k), {q, k});
    });
}

TEST_CASE("attention: fused rows and the composed path with a causal mask and dropout", "[tsan][attention]") {
    for (bool weights_need_grad : {false, true}) {
        INFO("weights_need_grad " << weights_need_grad);
        require_same_on_1_and_2_threads([weights_need_grad] {
            // query, key, value (B=4, H=4, T=S=48, D=32): 16 problems of 48 x 48 x 64 work each.
            const Tensor query = random_input({4, 4, 48, 32}, 5), key = random_input({4, 4, 48, 32}, 6);
            const Tensor value = random_input({4, 4, 48, 32}, 7);
            Generator dropout(8);
            const AttentionOutput result =
                attention(query, key, value, nn::causal_mask(48),
                          {.scale = 0.125, .dropout_p = 0.1, .generator = &dropout, .weights_need_grad = weights_need_grad});
            return forward_backward(result.output, {query, key, value});
        });
    }
}

TEST_CASE("reductions: row sums and column (bias-gradient) sums and mean and softmax and log_softmax and layer_norm", "[tsan][reduce]") {
    require_same_on_1_and_2_threads([] {
        const Tensor x = random_input({96, 1024}, 10);
        return forward_backward(sum(x, {-1}), {x});
    });
    require_same_on_1_and_2_threads([] {
        const Tensor x = random_input({1024, 128}, 11);  // (tokens, features): a bias gradient's shape
        return forward_backward(sum(x, {0}), {x});
    });
    require_same_on_1_and_2_threads([] {
        const Tensor x = random_input({64, 40, 32}, 12);
        return forward_backward(mean(x, {0, 1}), {x});
    });
    require_same_on_1_and_2_threads([] {
        const Tensor x = random_input({8, 96, 96}, 13);
        return forward_backward(softmax(x, -1) + log_softmax(x, 1), {x});
    });
    require_same_on_1_and_2_threads([] {
        const Tensor x = random_input({512, 128}, 14), weight = random_input({128}, 15), bias = random_input({128}, 16);
        return forward_backward(layer_norm(x, {128}, weight, bias), {x, weight, bias});
    });
}

TEST_CASE("reductions: cross-entropy with label smoothing and ignored targets", "[tsan][reduce]") {
    require_same_on_1_and_2_threads([] {
        const Tensor logits = random_input({512, 300}, 20);  // (N tokens, V classes)
        std::vector<int64_t> ids(512);
        for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = i % 7 == 0 ? -100 : static_cast<int64_t>(i * 37 % 300);
        const Tensor targets = from_vector(ids, {512});
        const Tensor loss = cross_entropy(logits, targets, {.label_smoothing = 0.1});
        return forward_backward(loss, {logits});
    });
}

TEST_CASE("elementwise: broadcast loops and dropout and random fills and index_select", "[tsan][elementwise]") {
    require_same_on_1_and_2_threads([] {
        const Tensor a = random_input({256, 320}, 30), b = random_input({320}, 31);
        Generator generator(32);
        const Tensor out = dropout(gelu(a * b + tanh(a)), 0.2, /*training=*/true, generator);
        return forward_backward(relu_dropout(out, 0.1, true, generator) + dropout_add(a, out, 0.1, true, generator), {a, b});
    });
    require_same_on_1_and_2_threads([] {
        Generator generator(33);
        return Results{uniform({300, 300}, -1, 1, generator).to_vector<double>(),
                       normal({300, 300}, 0, 1, generator).to_vector<double>()};
    });
    require_same_on_1_and_2_threads([] {
        const Tensor x = random_input({16, 512, 32}, 34);
        std::vector<int64_t> rows;
        for (int64_t i = 0; i < 300; ++i) rows.push_back(i * 13 % 512);  // repeats: the scatter-add adds
        return forward_backward(index_select(x, 1, from_vector(rows, {300})), {x});
    });
}

TEST_CASE("data loading: a DataLoader's batches through embedding and a Transformer encoder layer and the loss", "[tsan][loader]") {
    // 2000 sentence pairs of lengths 8–40, ids in [4, 200).
    Generator lengths(40);
    std::vector<std::vector<int64_t>> sources, targets;
    for (int64_t i = 0; i < 2000; ++i) {
        sources.emplace_back(static_cast<std::size_t>(lengths.next_int(8, 41)), 4 + i % 196);
        targets.emplace_back(static_cast<std::size_t>(lengths.next_int(8, 41)), 4 + (i * 7) % 196);
    }
    data::DataLoader loader(sources, targets, {.batch_size = 32, .seed = 41});
    std::vector<data::Batch> batches;
    for (int i = 0; i < 3; ++i) batches.push_back(*loader.next());
    require_same_on_1_and_2_threads([&batches] {
        Generator init(42);
        const Tensor embedding_weight = random_input({200, 64}, 43);
        nn::TransformerEncoderLayer layer({.embed_dim = 64, .num_heads = 4, .ff_dim = 256, .dropout = 0.1}, init);
        Results results;
        for (const data::Batch& batch : batches) {
            const Tensor x = embedding(embedding_weight, batch.source);  // (B, S, E)
            const Tensor h = layer.forward(x, {}, batch.source_padding_mask);
            const Tensor logits = matmul(h, transpose(embedding_weight, 0, 1));  // (B, S, V), tied
            const Tensor loss = cross_entropy(reshape(logits, {-1, 200}), reshape(batch.source, {-1}));
            loss.backward();
            results.push_back(loss.to_vector<double>());
        }
        results.push_back(embedding_weight.grad().to_vector<double>());
        for (const auto& [name, parameter] : layer.named_parameters()) results.push_back(parameter.grad().to_vector<double>());
        return results;
    });
}

// The control (hidden, run by scripts/test on its own, which expects it to fail): two threads add to one
// counter without synchronisation. TSan must report it, or the stage above would pass by seeing nothing —
// e.g. if the OpenMP runtime in use told TSan of more synchronisation than there is.
TEST_CASE("control: an unsynchronised counter is reported", "[.][tsan-control]") {
    omp_set_num_threads(2);
    int64_t counter = 0;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < 2; ++i) counter += i + 1;  // the race
    CHECK(counter > 0);
}
