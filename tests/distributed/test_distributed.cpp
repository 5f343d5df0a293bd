// distributed/ on 2 (or more) ranks: broadcast, bucketed token-weighted gradient averaging against one
// process on the global batch, parameters staying bitwise equal under an optimizer, the loss curve of R
// ranks against one process with the R-fold batch, the divergence check, and the error paths.
// Run as `mpirun -np 2 test_distributed` (CTest does, label "mpi"); every rank runs every test case.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include <boost/mpi/collectives/broadcast.hpp>

#include "autograd/autograd.h"
#include "data/collate.h"
#include "data/distributed_sampler.h"
#include "distributed/distributed.h"
#include "nn/embedding.h"
#include "nn/linear.h"
#include "optim/adam.h"

using namespace tapegrad;

namespace {

constexpr int64_t kVocab = 12;  // ids 0..3 are PAD, BOS, EOS, UNK (data/vocab.h); 4..11 are "words"

// A token tagger small enough for float64: embedding -> Linear -> tanh -> Linear -> logits over the
// vocabulary, with an extra Linear that only some ranks use (to test gradients defined on some ranks
// only) and one nobody uses (its gradient must stay undefined).
class Tagger : public nn::Module {
public:
    explicit Tagger(uint64_t seed) {
        Generator generator(seed);
        embedding = register_module("embedding", std::make_shared<nn::Embedding>(nn::EmbeddingOptions{.num_embeddings = kVocab, .embedding_dim = 8}, generator));
        hidden = register_module("hidden", std::make_shared<nn::Linear>(nn::LinearOptions{.in_features = 8, .out_features = 16}, generator));
        head = register_module("head", std::make_shared<nn::Linear>(nn::LinearOptions{.in_features = 16, .out_features = kVocab}, generator));
        sometimes = register_module("sometimes", std::make_shared<nn::Linear>(nn::LinearOptions{.in_features = 8, .out_features = 1}, generator));
        unused = register_module("unused", std::make_shared<nn::Linear>(nn::LinearOptions{.in_features = 3, .out_features = 3}, generator));
        scale = register_buffer("scale", full({1}, 1.0));
    }
    std::string type_name() const override { return "Tagger"; }

    // Mean cross-entropy over the non-PAD tokens of target_output, predicted from target_input:
    // source ids (B, T) -> logits (B, T, V). With use_sometimes, adds 0 · Σ sometimes(x): the value is
    // unchanged and the gradient of `sometimes` is defined (and zero).
    Tensor loss(const data::Batch& batch, bool use_sometimes) const {
        const Tensor x = embedding->forward(batch.target_input);              // (B, T, 8)
        const Tensor logits = head->forward(tanh(hidden->forward(x)));        // (B, T, V)
        Tensor loss = cross_entropy(logits.reshape({-1, kVocab}), batch.target_output.reshape({-1}),
                                    {.ignore_index = 0, .label_smoothing = 0.1});
        if (use_sometimes) loss = loss + 0.0 * sometimes->forward(x).sum();
        return loss;
    }

    std::shared_ptr<nn::Embedding> embedding;
    std::shared_ptr<nn::Linear> hidden, head, sometimes, unused;
    Tensor scale;
};

// n sentences of words 4..11 with lengths 1..9, seeded: sentence lengths differ, so every shard of a
// batch has its own number of non-PAD tokens (the case where a plain average of gradients is wrong).
std::vector<std::vector<int64_t>> sentences(int64_t n, uint64_t seed) {
    Generator generator(seed);
    std::vector<std::vector<int64_t>> out;
    for (int64_t i = 0; i < n; ++i) {
        std::vector<int64_t> sentence(static_cast<std::size_t>(generator.next_int(1, 10)));
        for (int64_t& id : sentence) id = generator.next_int(4, kVocab);
        out.push_back(sentence);
    }
    return out;
}

std::vector<int64_t> iota(int64_t begin, int64_t end) {
    std::vector<int64_t> out;
    for (int64_t i = begin; i < end; ++i) out.push_back(i);
    return out;
}

// max |a - b| / max(1, |b|) over all elements.
double max_relative_difference(const Tensor& a, const Tensor& b) {
    const auto x = a.to_vector<double>(), y = b.to_vector<double>();
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]) / std::max(1.0, std::abs(y[i])));
    return worst;
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
    const Tensor x = a.contiguous(), y = b.contiguous();
    return x.dtype() == y.dtype() && x.numel() == y.numel() &&
           std::memcmp(x.raw_data(), y.raw_data(), static_cast<std::size_t>(x.numel()) * dtype_size(x.dtype())) == 0;
}

}  // namespace

TEST_CASE("distributed: rank, world size and the small collectives", "[distributed][collectives]") {
    const int rank = distributed::world_rank(), size = distributed::world_size();
    REQUIRE(distributed::mpi_active());
    REQUIRE(size >= 2);
    std::vector<double> values{1.0, static_cast<double>(rank)};
    distributed::sum_across_ranks(values);
    CHECK(values[0] == size);
    CHECK(values[1] == size * (size - 1) / 2);
    CHECK(distributed::any_rank(rank == size - 1));
    CHECK_FALSE(distributed::any_rank(false));
    const auto ranks = distributed::gather_from_all_ranks(static_cast<int64_t>(rank));
    for (int r = 0; r < size; ++r) CHECK(ranks[static_cast<std::size_t>(r)] == r);
    const auto pairs = distributed::gather_from_all_ranks(std::vector<uint64_t>{uint64_t(rank), uint64_t(rank) * 10});
    CHECK(pairs.at(1) == std::vector<uint64_t>{1, 10});
    // Vectors of different lengths are an error on every rank, not a read past the shorter one.
    std::vector<double> ragged(static_cast<std::size_t>(rank + 1), 1.0);
    CHECK_THROWS_WITH(distributed::sum_across_ranks(ragged), Catch::Contains("sum_across_ranks") && Catch::Contains("different lengths"));
}

TEST_CASE("distributed: broadcast_parameters gives every rank rank 0's parameters and buffers", "[distributed][broadcast]") {
    const int rank = distributed::world_rank();
    Tagger model(/*seed=*/100 + rank);  // a different initialisation on every rank
    model.scale.fill_(rank + 1.0);
    const Tagger rank0_model(100);
    CHECK(distributed::any_rank(distributed::parameter_checksum(model) != distributed::parameter_checksum(rank0_model)));
    distributed::broadcast_parameters(model);
    const auto named = model.named_parameters(), expected = rank0_model.named_parameters();
    REQUIRE(named.size() == expected.size());
    for (std::size_t i = 0; i < named.size(); ++i) {
        CAPTURE(named[i].first);
        CHECK(bitwise_equal(named[i].second, expected[i].second));
    }
    CHECK(model.scale.item() == 1.0);
    CHECK_NOTHROW(distributed::check_parameters_in_sync(model, 0));
    CHECK_THROWS_WITH(distributed::broadcast_parameters(model, 7), Catch::Contains("broadcast_parameters") && Catch::Contains("root 7"));
}

TEST_CASE("distributed: token-weighted averaged gradients equal one process's gradient of the global batch (float64)",
          "[distributed][reduce]") {
    const int rank = distributed::world_rank(), size = distributed::world_size();
    const auto source = sentences(5 * size + 1, 7), target = sentences(5 * size + 1, 8);
    const std::vector<int64_t> global_batch = iota(0, 5 * size + 1);  // uneven: ranks get 6 and 5 sentences

    // One process on the whole batch (every rank computes it, without MPI).
    Tagger reference(1);
    reference.to(DType::Float64);
    reference.loss(data::collate(source, target, global_batch), /*use_sometimes=*/true).backward();

    for (const int64_t bucket_bytes : {int64_t{1}, int64_t{700}, int64_t{1} << 20}) {
        CAPTURE(bucket_bytes);
        Tagger model(1);
        model.to(DType::Float64);
        const data::Batch shard = data::collate(source, target, data::shard_of_batch(global_batch, {rank, size}));
        model.loss(shard, /*use_sometimes=*/rank == 0).backward();  // `sometimes` has a grad on rank 0 only

        distributed::GradientReducer reducer(model.parameters(), {.bucket_bytes = bucket_bytes});
        const double total_tokens = reducer.average_gradients(static_cast<double>(shard.num_target_tokens));
        CHECK(total_tokens == static_cast<double>(data::collate(source, target, global_batch).num_target_tokens));

        const auto named = model.named_parameters(), expected = reference.named_parameters();
        for (std::size_t i = 0; i < named.size(); ++i) {
            CAPTURE(named[i].first);
            if (named[i].first.rfind("unused.", 0) == 0) {
                CHECK_FALSE(named[i].second.grad().defined());  // no rank produced it: stays undefined
                continue;
            }
            REQUIRE(named[i].second.grad().defined());
            const double difference = max_relative_difference(named[i].second.grad(), expected[i].second.grad());
            INFO("max relative difference " << difference);
            CHECK(difference < 1e-13);
        }
        // Not one call per tensor: one for the weights, one per bucket.
        const auto buckets = static_cast<int64_t>(reducer.buckets().size());
        CHECK(reducer.all_reduce_calls() == 1 + buckets);
        if (bucket_bytes == 1) CHECK(buckets == static_cast<int64_t>(named.size()));
        if (bucket_bytes == (int64_t{1} << 20)) CHECK(buckets == 1);
        if (bucket_bytes == 700) CHECK((buckets > 1 && buckets < static_cast<int64_t>(named.size())));
    }
}

TEST_CASE("distributed: parameters stay bitwise identical across ranks through Adam steps on different shards",
          "[distributed][sync]") {
    const int rank = distributed::world_rank(), size = distributed::world_size();
    const auto source = sentences(64, 11), target = sentences(64, 12);
    Tagger model(/*seed=*/rank);  // deliberately different until the broadcast
    distributed::broadcast_parameters(model);
    optim::Adam optimizer(model.named_parameters(), {.lr = 1e-2});
    distributed::GradientReducer reducer(model.parameters(), {.bucket_bytes = 256});
    constexpr int64_t kSteps = 10;
    for (int64_t step = 0; step < kSteps; ++step) {
        const data::Batch shard = data::collate(source, target, data::shard_of_batch(iota(8 * step % 64, 8 * step % 64 + 8), {rank, size}));
        model.loss(shard, true).backward();
        reducer.average_gradients(static_cast<double>(shard.num_target_tokens));
        optimizer.step();
        optimizer.zero_grad();
    }
    CHECK_NOTHROW(distributed::check_parameters_in_sync(model, kSteps));
    // And tensor by tensor, against rank 0's bytes.
    for (const auto& [name, parameter] : model.named_parameters()) {
        const Tensor rank0 = parameter.detach().clone();
        boost::mpi::communicator world;
        boost::mpi::broadcast(world, static_cast<char*>(rank0.raw_data()), static_cast<int>(rank0.numel() * 4), 0);
        CAPTURE(name);
        CHECK(bitwise_equal(parameter, rank0));
    }
}

TEST_CASE("distributed: R ranks give the loss curve of one process with the R-fold batch (float32)", "[distributed][loss-curve]") {
    const int rank = distributed::world_rank(), size = distributed::world_size();
    const auto source = sentences(480, 21), target = sentences(480, 22);
    constexpr int64_t kSteps = 30, kGlobalBatch = 16;
    auto batch_of_step = [&](int64_t step) { return iota(kGlobalBatch * step, kGlobalBatch * (step + 1)); };

    Tagger single(3);  // one process, global batch of 16 (computed on every rank, without MPI)
    optim::Adam single_optimizer(single.named_parameters(), {.lr = 3e-2});
    std::vector<double> single_losses;
    for (int64_t step = 0; step < kSteps; ++step) {
        const Tensor loss = single.loss(data::collate(source, target, batch_of_step(step)), false);
        single_losses.push_back(loss.item());
        loss.backward();
        single_optimizer.step();
        single_optimizer.zero_grad();
    }

    Tagger model(3);  // R ranks, 16 / R sentences each
    optim::Adam optimizer(model.named_parameters(), {.lr = 3e-2});
    distributed::GradientReducer reducer(model.parameters());
    double worst = 0;
    for (int64_t step = 0; step < kSteps; ++step) {
        const data::Batch shard = data::collate(source, target, data::shard_of_batch(batch_of_step(step), {rank, size}));
        const Tensor loss = model.loss(shard, false);
        loss.backward();
        const auto tokens = static_cast<double>(shard.num_target_tokens);
        const double total = reducer.average_gradients(tokens);
        std::vector<double> weighted_loss{loss.item() * tokens};
        distributed::sum_across_ranks(weighted_loss);
        const double global_loss = weighted_loss[0] / total;
        worst = std::max(worst, std::abs(global_loss - single_losses[static_cast<std::size_t>(step)]) /
                                    single_losses[static_cast<std::size_t>(step)]);
        optimizer.step();
        optimizer.zero_grad();
    }
    INFO("max relative loss difference over " << kSteps << " steps: " << worst);
    CHECK(worst < 1e-4);
    // It does learn — what random words allow (where EOS falls, the word frequencies): 2.54 -> 2.31.
    CHECK(single_losses.back() < single_losses.front() - 0.15);
}

TEST_CASE("distributed: check_parameters_in_sync names the step at which the ranks' parameters differ", "[distributed][sync]") {
    const int rank = distributed::world_rank();
    Tagger model(5);
    distributed::broadcast_parameters(model);
    CHECK_NOTHROW(distributed::check_parameters_in_sync(model, 41));
    if (rank == 1) {
        NoGradGuard no_grad;
        model.head->named_parameters()[0].second.copy_(model.head->named_parameters()[0].second.detach() * 1.0001);
    }
    CHECK_THROWS_AS(distributed::check_parameters_in_sync(model, 42), distributed::ParametersDiverged);
    CHECK_THROWS_WITH(distributed::check_parameters_in_sync(model, 42),
                      Catch::Contains("diverged at step 42") && Catch::Contains("rank 1"));
}

TEST_CASE("distributed: bad input to the reducer throws naming the op and the value", "[distributed][errors]") {
    Tagger model(9);
    CHECK_THROWS_WITH(distributed::GradientReducer(model.parameters(), {.bucket_bytes = 0}),
                      Catch::Contains("GradientReducer") && Catch::Contains("bucket_bytes") && Catch::Contains("0"));
    CHECK_THROWS_WITH(distributed::GradientReducer({arange(3)}), Catch::Contains("GradientReducer") && Catch::Contains("int64"));
    distributed::GradientReducer reducer(model.parameters());
    CHECK_THROWS_WITH(reducer.average_gradients(-2), Catch::Contains("average_gradients") && Catch::Contains("-2"));
    CHECK_THROWS_WITH(reducer.average_gradients(0), Catch::Contains("total weight") && Catch::Contains("0"));
    // Ranks with different models are caught when the reducer is made.
    Tagger other(9);
    std::vector<Tensor> parameters = other.parameters();
    if (distributed::world_rank() == 1) parameters.pop_back();
    CHECK_THROWS_WITH(distributed::GradientReducer(parameters), Catch::Contains("every rank must reduce the same model"));
}
