// Checkpoints: a small model round-trips through a safetensors file; loading into a model of another
// shape throws one error that names every mismatch; nothing is copied when loading fails.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include "nn/nn.h"

using namespace tapegrad;
using Catch::Contains;

namespace {

struct TinyOptions {
    int64_t vocab = 7;
    int64_t out = 3;
    bool with_norm = true;
    bool with_extra = false;
};

// ids (B, T) -> (B, T, out): embed -> positions -> [norm] -> head.
class Tiny : public nn::Module {
public:
    Tiny(const TinyOptions& options, uint64_t seed) {
        Generator generator(seed);
        embed = register_module("embed", std::make_shared<nn::Embedding>(
                                             nn::EmbeddingOptions{.num_embeddings = options.vocab, .embedding_dim = 4}, generator));
        positions = register_module("positions", std::make_shared<nn::PositionalEncoding>(
                                                     nn::PositionalEncodingOptions{.embed_dim = 4, .max_len = 8}));
        if (options.with_norm)
            norm = register_module("norm", std::make_shared<nn::LayerNorm>(nn::LayerNormOptions{.normalized_shape = {4}}));
        head = register_module("head", std::make_shared<nn::Linear>(
                                           nn::LinearOptions{.in_features = 4, .out_features = options.out}, generator));
        if (options.with_extra)
            register_module("extra", std::make_shared<nn::Linear>(nn::LinearOptions{.in_features = 2, .out_features = 2},
                                                                  generator));
    }
    std::string type_name() const override { return "Tiny"; }
    Tensor forward(const Tensor& ids) {
        Tensor h = positions->forward(embed->forward(ids));
        if (norm) h = norm->forward(h);
        return head->forward(h);
    }

    std::shared_ptr<nn::Embedding> embed;
    std::shared_ptr<nn::PositionalEncoding> positions;
    std::shared_ptr<nn::LayerNorm> norm;
    std::shared_ptr<nn::Linear> head;
};

// A directory of its own under the system temp dir, removed at the end of the test.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        path = std::filesystem::temp_directory_path() / ("tapegrad_test_checkpoint_" + std::to_string(::getpid()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

Tensor ids() { return tensor({{1, 2, 3}, {6, 0, 5}}, {.dtype = DType::Int64}); }

}  // namespace

TEST_CASE("checkpoint: a model round-trips through a safetensors file", "[nn][checkpoint]") {
    TempDir dir;
    const auto file = dir.path / "tiny.safetensors";
    Tiny saved({}, 1), loaded({}, 2);
    {
        NoGradGuard no_grad;  // LayerNorm's weight and bias away from their 1 and 0 init
        saved.norm->weight().fill_(1.5);
        saved.norm->bias().fill_(-0.25);
    }
    nn::save_state_dict(saved, file, {{"step", "42"}});
    REQUIRE(max(abs(saved.forward(ids()) - loaded.forward(ids()))).item() > 0);  // different seeds differ

    const Tensor head_weight = loaded.head->weight();
    const SafetensorsMetadata metadata = nn::load_state_dict(loaded, file);
    CHECK(metadata.at("step") == "42");
    CHECK(head_weight.is_same(loaded.head->weight()));  // loaded into the existing tensors
    const nn::NamedTensors expected = saved.state_dict(), actual = loaded.state_dict();
    REQUIRE(actual.size() == expected.size());
    CHECK(actual.back().first == "positions.pe");  // buffers are saved too
    for (std::size_t i = 0; i < actual.size(); ++i) {
        INFO(actual[i].first);
        CHECK(actual[i].first == expected[i].first);
        CHECK(actual[i].second.to_vector<double>() == expected[i].second.to_vector<double>());
    }
    CHECK(max(abs(saved.forward(ids()) - loaded.forward(ids()))).item() == 0);

    // The file is plain safetensors: every name of the state dict, nothing else.
    const SafetensorsContents contents = load_safetensors(file);
    CHECK(contents.tensors.size() == expected.size());
    CHECK(contents.get("head.weight").shape() == Shape{3, 4});
}

TEST_CASE("checkpoint: loading into a different model lists every mismatch by name", "[nn][checkpoint]") {
    TempDir dir;
    const auto file = dir.path / "tiny.safetensors";
    nn::save_state_dict(Tiny({}, 1), file);

    // Wrong shapes (embed, head.weight, head.bias), a missing name (extra.*), unexpected names (norm.*).
    Tiny other({.vocab = 9, .out = 5, .with_norm = false, .with_extra = true}, 3);
    const std::vector<double> before = other.head->weight().to_vector<double>();
    const std::string path = file.string();
    REQUIRE_THROWS_WITH(nn::load_state_dict(other, file),
                        Contains(path) && Contains("Tiny") && Contains("7 mismatch") &&
                            Contains("'embed.weight': expected shape [9, 4], got [7, 4]") &&
                            Contains("'head.weight': expected shape [5, 4], got [3, 4]") &&
                            Contains("'head.bias': expected shape [5], got [3]") &&
                            Contains("missing 'extra.weight'") && Contains("missing 'extra.bias'") &&
                            Contains("unexpected 'norm.weight'") && Contains("unexpected 'norm.bias'"));
    CHECK(other.head->weight().to_vector<double>() == before);  // nothing copied

    SECTION("non-strict loading skips missing and unexpected names, but not wrong shapes") {
        Tiny no_norm({.with_norm = false, .with_extra = true}, 4);
        nn::load_state_dict(no_norm, file, /*strict=*/false);
        CHECK(no_norm.head->weight().to_vector<double>() == Tiny({}, 1).head->weight().to_vector<double>());
        REQUIRE_THROWS_WITH(nn::load_state_dict(other, file, false),
                            Contains("'head.weight': expected shape [5, 4]") && !Contains("missing"));
    }
    SECTION("a dtype mismatch is named") {
        Tiny wide({}, 5);
        wide.to(DType::Float64);
        REQUIRE_THROWS_WITH(nn::load_state_dict(wide, file),
                            Contains("'head.weight': expected dtype float64, got float32"));
    }
}

TEST_CASE("checkpoint: a BF16 tensor where the model has float32 is refused by name, not converted",
          "[nn][checkpoint][bfloat16]") {
    // Master weights are float32: loading bfloat16 values into them would silently drop 16 bits of each.
    TempDir dir;
    Tiny model({}, 1);
    NamedTensorList tensors;
    for (const auto& [name, tensor] : model.state_dict())
        tensors.emplace_back(name, name == "head.weight" ? tensor.to(DType::BFloat16) : tensor);
    const auto file = dir.path / "bf16.safetensors";
    save_safetensors(file, tensors);
    const std::vector<double> before = model.head->weight().to_vector<double>();
    REQUIRE_THROWS_WITH(nn::load_state_dict(model, file),
                        Contains(file.string()) && Contains("'head.weight': expected dtype float32, got bfloat16"));
    CHECK(model.head->weight().to_vector<double>() == before);
    REQUIRE_THROWS_WITH(model.to(DType::BFloat16), Contains("Module::to") && Contains("autocast"));
}

TEST_CASE("checkpoint: unreadable files are errors that name the path", "[nn][checkpoint]") {
    TempDir dir;
    Tiny model({}, 1);
    const auto missing = dir.path / "missing.safetensors";
    REQUIRE_THROWS_WITH(nn::load_state_dict(model, missing), Contains(missing.string()));
    const auto garbage = dir.path / "garbage.safetensors";
    std::ofstream(garbage) << "not a checkpoint";
    REQUIRE_THROWS_WITH(nn::load_state_dict(model, garbage), Contains(garbage.string()));
}
