// safetensors: round trips of every dtype and layout, a file written by Python, and a clear error
// for every kind of malformed file.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "autograd/serialize/safetensors.h"
#include "autograd/tensor.h"
#include "base/atomic_file.h"

using namespace tapegrad;

namespace {

// A view of `base`'s storage with the given layout: how the tests get non-contiguous tensors
// without depending on the shape ops.
Tensor strided_view(const Tensor& base, Shape shape, Shape strides, int64_t offset) {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = base.impl().storage;
    impl->shape = std::move(shape);
    impl->strides = std::move(strides);
    impl->offset = offset;
    impl->dtype = base.dtype();
    return Tensor(impl);
}

// Elements in row-major order as doubles, whatever the dtype and strides.
std::vector<double> values(const Tensor& t) {
    std::vector<double> out;
    visit_dtype(t.dtype(), [&]<typename T>() {
        const T* base = t.data<T>();
        std::vector<int64_t> index(t.shape().size(), 0);
        for (int64_t n = 0; n < t.numel(); ++n) {
            int64_t offset = 0;
            for (std::size_t axis = 0; axis < index.size(); ++axis) offset += index[axis] * t.strides()[axis];
            out.push_back(static_cast<double>(base[offset]));
            for (std::size_t axis = index.size(); axis-- > 0;) {
                if (++index[axis] < t.shape()[axis]) break;
                index[axis] = 0;
            }
        }
    });
    return out;
}

// A safetensors file from a header written by hand: the length prefix, the header, the data.
std::string file_with(const std::string& header, const std::string& data = std::string(64, '\0')) {
    const uint64_t length = header.size();
    std::string bytes(8, '\0');
    std::memcpy(bytes.data(), &length, 8);
    return bytes + header + data;
}

SafetensorsContents decode(const std::string& bytes) { return decode_safetensors(bytes, "bad.safetensors"); }

}  // namespace

TEST_CASE("safetensors round-trips every dtype, 0-d and empty tensors", "[safetensors]") {
    const NamedTensorList tensors = {
        {"f32", from_vector<float>({1.5f, -2.0f, 0.1f, 3e38f, -0.0f, 7.0f}, {2, 3})},
        {"f64", from_vector<double>({0.1, -1e-300, 42.0}, {3})},
        {"i64", from_vector<int64_t>({-9'000'000'000'000'000'000, 0, 7, 1}, {2, 1, 2})},
        {"mask", from_vector<bool>({true, false, false, true, true}, {5})},
        {"scalar", scalar_tensor(2.5, {.dtype = DType::Float64})},
        {"empty", empty({0, 3})},
    };
    const SafetensorsContents loaded = decode_safetensors(encode_safetensors(tensors), "memory");
    REQUIRE(loaded.tensors.size() == tensors.size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& [name, original] = tensors[i];
        INFO("tensor " << name);
        CHECK(loaded.tensors[i].first == name);  // order is kept
        const Tensor& copy = loaded.get(name);
        CHECK(copy.dtype() == original.dtype());
        CHECK(copy.shape() == original.shape());
        CHECK(values(copy) == values(original));
        CHECK(copy.is_contiguous());
    }
    CHECK(loaded.metadata.empty());
}

TEST_CASE("safetensors writes non-contiguous tensors row-major", "[safetensors]") {
    const Tensor base = from_vector<float>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {3, 4});
    const Tensor transposed = strided_view(base, {4, 3}, {1, 4}, 0);  // base.t()
    const Tensor every_other = strided_view(base, {3, 2}, {4, 2}, 1);  // base[:, 1::2]
    const Tensor broadcast = strided_view(base, {2, 3}, {0, 1}, 4);   // base[1, :3] expanded to 2 rows
    const SafetensorsContents loaded = decode_safetensors(
        encode_safetensors({{"t", transposed}, {"odd_columns", every_other}, {"expanded", broadcast}}), "memory");
    CHECK(values(loaded.get("t")) == std::vector<double>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
    CHECK(values(loaded.get("odd_columns")) == std::vector<double>{1, 3, 5, 7, 9, 11});
    CHECK(values(loaded.get("expanded")) == std::vector<double>{4, 5, 6, 4, 5, 6});
    CHECK(loaded.get("t").shape() == Shape{4, 3});
}

TEST_CASE("safetensors round-trips metadata and pads the header to 8 bytes", "[safetensors]") {
    const SafetensorsMetadata metadata = {{"format", "pt"}, {"step", "1200"}, {"note", "quotes \" and \u00e9"}};
    const std::string bytes = encode_safetensors({{"w", from_vector<float>({1, 2, 3}, {3})}}, metadata);
    uint64_t header_length = 0;
    std::memcpy(&header_length, bytes.data(), 8);
    CHECK(header_length % 8 == 0);
    CHECK(bytes.size() == 8 + header_length + 3 * 4);
    const SafetensorsContents loaded = decode_safetensors(bytes, "memory");
    CHECK(loaded.metadata == metadata);
}

TEST_CASE("safetensors loads fresh leaves that do not require grad", "[safetensors]") {
    Tensor weight = from_vector<double>({1, 2}, {2});
    weight.requires_grad_();
    const Tensor loaded = decode_safetensors(encode_safetensors({{"weight", weight}}), "memory").get("weight");
    CHECK_FALSE(loaded.requires_grad());
    CHECK(loaded.is_leaf());
    CHECK_FALSE(loaded.impl().storage == weight.impl().storage);
}

TEST_CASE("save_safetensors and load_safetensors go through a file", "[safetensors]") {
    const auto path = std::filesystem::temp_directory_path() /
                      ("tapegrad-safetensors-" + std::to_string(::getpid()) + ".safetensors");
    save_safetensors(path, {{"a", from_vector<int64_t>({5, 6}, {2})}}, {{"epoch", "3"}});
    const SafetensorsContents loaded = load_safetensors(path);
    std::filesystem::remove(path);
    CHECK(values(loaded.get("a")) == std::vector<double>{5, 6});
    CHECK(loaded.metadata.at("epoch") == "3");
    CHECK(loaded.source == path.string());
    REQUIRE_THROWS_WITH(load_safetensors(path), Catch::Contains(path.string()));
}

TEST_CASE("encode_safetensors rejects duplicate, reserved and undefined entries", "[safetensors]") {
    const Tensor t = from_vector<float>({1}, {1});
    REQUIRE_THROWS_WITH(encode_safetensors({{"x", t}, {"y", t}, {"x", t}}),
                        Catch::Contains("encode_safetensors") && Catch::Contains("duplicate tensor name 'x'"));
    REQUIRE_THROWS_WITH(encode_safetensors({{"__metadata__", t}}), Catch::Contains("invalid tensor name"));
    REQUIRE_THROWS_WITH(encode_safetensors({{"", t}}), Catch::Contains("invalid tensor name"));
    REQUIRE_THROWS_WITH(encode_safetensors({{"u", Tensor()}}), Catch::Contains("tensor 'u' is undefined"));
}

TEST_CASE("SafetensorsContents::get names the missing tensor and some that exist", "[safetensors]") {
    const SafetensorsContents loaded = decode_safetensors(
        encode_safetensors({{"encoder.weight", empty({1})}, {"encoder.bias", empty({1})}}), "model.safetensors");
    CHECK(loaded.contains("encoder.bias"));
    CHECK_FALSE(loaded.contains("decoder.bias"));
    REQUIRE_THROWS_WITH(loaded.get("decoder.bias"),
                        Catch::Contains("no tensor 'decoder.bias'") && Catch::Contains("model.safetensors") &&
                            Catch::Contains("'encoder.weight', 'encoder.bias'"));
}

TEST_CASE("safetensors reads a file written by Python", "[safetensors]") {
    // Written by tests/fixtures/make_safetensors_fixture.py; the values below are the ones it lists.
    const SafetensorsContents loaded = load_safetensors(TAPEGRAD_FIXTURES_DIR "/python_written.safetensors");
    CHECK(loaded.metadata == SafetensorsMetadata{{"format", "pt"}, {"written_by", "make_safetensors_fixture.py"}});
    REQUIRE(loaded.tensors.size() == 6);
    CHECK(loaded.tensors[0].first == "bias");  // header order

    const Tensor weight = loaded.get("weight");
    CHECK(weight.dtype() == DType::Float32);
    CHECK(weight.shape() == Shape{2, 3});
    CHECK(values(weight) == std::vector<double>{1.5, -2.0, 0.25, 3.0, 4.75, -0.5});

    const Tensor bias = loaded.get("bias");
    CHECK(bias.dtype() == DType::Float64);
    CHECK(values(bias) == std::vector<double>{0.1, -0.2, 1e-300});

    const Tensor ids = loaded.get("ids");
    CHECK(ids.dtype() == DType::Int64);
    CHECK(ids.shape() == Shape{2, 2});
    CHECK(ids.data<int64_t>()[3] == 40'000'000'000);
    CHECK(values(ids) == std::vector<double>{1, -2, 3, 40'000'000'000});

    const Tensor mask = loaded.get("mask");
    CHECK(mask.dtype() == DType::Bool);
    CHECK(values(mask) == std::vector<double>{1, 0, 1, 1});

    const Tensor step = loaded.get("step");
    CHECK(step.dim() == 0);
    CHECK(values(step) == std::vector<double>{2.5});

    const Tensor small = loaded.get("small");  // I32 in the file
    CHECK(small.dtype() == DType::Int64);
    CHECK(values(small) == std::vector<double>{-7, 0, 2'000'000'000});
}

TEST_CASE("safetensors widens narrow integer dtypes to int64 and normalizes bools", "[safetensors]") {
    const std::string header = R"({"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]},)"
                               R"("b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},)"
                               R"("c":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},)"
                               R"("d":{"dtype":"BOOL","shape":[2],"data_offsets":[8,10]}})";
    const int32_t minus_five = -5;
    std::string data = "\xfd\x05\xfd\x05" + std::string(4, '\0') + std::string("\x02\x00", 2);
    std::memcpy(data.data() + 4, &minus_five, 4);
    const SafetensorsContents loaded = decode(file_with(header, data));
    CHECK(values(loaded.get("a")) == std::vector<double>{-3, 5});
    CHECK(values(loaded.get("b")) == std::vector<double>{253, 5});
    CHECK(values(loaded.get("c")) == std::vector<double>{-5});
    CHECK(loaded.get("c").dtype() == DType::Int64);
    CHECK(values(loaded.get("d")) == std::vector<double>{1, 0});
}

TEST_CASE("safetensors accepts gaps between tensors", "[safetensors]") {
    const SafetensorsContents loaded = decode(file_with(
        R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}})"));
    CHECK(loaded.tensors.size() == 2);
}

TEST_CASE("safetensors rejects malformed files with a message naming the problem", "[safetensors]") {
    // Every message names the function and the source.
    const auto fails_with = [](const std::string& bytes, const std::string& problem) {
        INFO("expected: " << problem);
        REQUIRE_THROWS_WITH(decode(bytes), Catch::Contains("decode_safetensors") &&
                                               Catch::Contains("bad.safetensors") && Catch::Contains(problem));
    };
    const auto entry = [](const std::string& body) { return file_with(R"({"x":)" + body + "}"); };

    SECTION("truncated") {
        fails_with("", "file is 0 bytes, shorter than the 8-byte header length");
        fails_with(std::string("\x10\0\0", 3), "file is 3 bytes");
        fails_with(file_with("{}", "").substr(0, 9), "header length 2 goes past the end of the file (9 bytes)");
    }
    SECTION("header is not a JSON object") {
        fails_with(file_with(R"({"x": )"), "header is not valid JSON");
        fails_with(file_with("[1, 2]"), "header must be a JSON object, got array");
        fails_with(file_with(R"({"x": 5})"), "entry for tensor 'x' must be an object, got 5");
        fails_with(file_with(R"({"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]},)"
                             R"("x":{"dtype":"F32","shape":[],"data_offsets":[4,8]}})"),
                   "header lists 'x' twice");
    }
    SECTION("missing or mistyped fields") {
        fails_with(entry(R"({"shape":[1],"data_offsets":[0,4]})"), "tensor 'x' has no \"dtype\"");
        fails_with(entry(R"({"dtype":"F32","data_offsets":[0,4]})"), "tensor 'x' has no \"shape\"");
        fails_with(entry(R"({"dtype":"F32","shape":[1]})"), "tensor 'x' has no \"data_offsets\"");
        fails_with(entry(R"({"dtype":32,"shape":[1],"data_offsets":[0,4]})"), "\"dtype\" must be a string, got 32");
        fails_with(entry(R"({"dtype":"F32","shape":"1","data_offsets":[0,4]})"), "\"shape\" must be an array");
        fails_with(entry(R"({"dtype":"F32","shape":[1.5],"data_offsets":[0,4]})"),
                   "tensor 'x': shape entry must be an integer, got 1.5");
        fails_with(entry(R"({"dtype":"F32","shape":[1],"data_offsets":{"begin":0}})"),
                   "\"data_offsets\" must be an array");
        fails_with(entry(R"({"dtype":"F32","shape":[1],"data_offsets":[0]})"),
                   "\"data_offsets\" must be [begin, end], got [0]");
        fails_with(entry(R"({"dtype":"F32","shape":[1],"data_offsets":[0,"4"]})"),
                   "data_offsets entry must be an integer");
    }
    SECTION("dtypes") {
        fails_with(entry(R"({"dtype":"Q7","shape":[1],"data_offsets":[0,4]})"), "unknown dtype 'Q7' for tensor 'x'");
        fails_with(entry(R"({"dtype":"F16","shape":[1],"data_offsets":[0,2]})"),
                   "unsupported dtype F16 for tensor 'x'");
        // Found by tests/fuzz/fuzz_checkpoint: names and values quoted from the file are escaped, so the
        // message stays on one line.
        const std::string multiline = entry(R"({"dtype":"F3\n2\t\u0001","shape":[1],"data_offsets":[0,4]})");
        fails_with(multiline, R"(unknown dtype 'F3\n2\t\x01' for tensor 'x')");
        REQUIRE_THROWS_WITH(decode(multiline), !Catch::Contains("\n"));
    }
    SECTION("shapes and offsets") {
        fails_with(entry(R"({"dtype":"F32","shape":[2,-1],"data_offsets":[0,4]})"),
                   "tensor 'x': shape entry must not be negative, got -1");
        fails_with(entry(R"({"dtype":"F32","shape":[1],"data_offsets":[-4,0]})"), "must not be negative, got -4");
        fails_with(entry(R"({"dtype":"F32","shape":[1],"data_offsets":[8,4]})"),
                   "tensor 'x': data_offsets [8, 4] end before they begin");
        fails_with(entry(R"({"dtype":"F32","shape":[1],"data_offsets":[64,68]})"),
                   "tensor 'x': data_offsets [64, 68] go past the end of the data buffer (64 bytes)");
        fails_with(entry(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})"),
                   "tensor 'x': data_offsets [0, 8] hold 8 bytes, but dtype F32 and shape [3] need 12");
        fails_with(entry(R"({"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]})"),
                   "shape [4294967296,4294967296] has more elements than int64 can count");
        fails_with(file_with(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                             R"("b":{"dtype":"F32","shape":[1],"data_offsets":[20,24]},)"
                             R"("c":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})"),
                   "tensors 'a' [0, 16) and 'c' [8, 16) overlap in the data buffer");
    }
    SECTION("metadata") {
        fails_with(file_with(R"({"__metadata__":{"epoch":3}})"),
                   "metadata value for key 'epoch' must be a string, got 3");
        fails_with(file_with(R"({"__metadata__":["a"]})"), "\"__metadata__\" must be an object");
    }
}

TEST_CASE("safetensors never crashes on truncated or corrupted bytes", "[safetensors]") {
    // Every prefix and every single-byte change of a valid file must either decode or throw
    // std::runtime_error; the sanitizer build turns any out-of-bounds read here into a failure.
    const std::string valid = encode_safetensors(
        {{"a", from_vector<float>({1, 2, 3}, {3})}, {"b", from_vector<int64_t>({4}, {1, 1})}}, {{"k", "v"}});
    const auto decodes_or_throws = [](const std::string& bytes) {
        try {
            decode(bytes);
        } catch (const std::runtime_error&) {
        }
    };
    for (std::size_t length = 0; length < valid.size(); ++length) {
        INFO("prefix of " << length << " bytes");
        REQUIRE_THROWS_AS(decode(valid.substr(0, length)), std::runtime_error);
    }
    for (std::size_t i = 0; i < valid.size(); ++i) {
        for (const char replacement : {'\0', '9', '-', '"', '}', '\xff'}) {
            std::string corrupted = valid;
            corrupted[i] = replacement;
            INFO("byte " << i << " set to " << int(replacement));
            REQUIRE_NOTHROW(decodes_or_throws(corrupted));
        }
    }
}

TEST_CASE("decode_safetensors: a shape overflowing int64 is refused even when another extent is 0", "[safetensors]") {
    // 2^62 * 4 overflows; with the 0 the tensor holds no data, but its strides would overflow.
    const std::string header = R"({"t":{"dtype":"F32","shape":[0,4611686018427387904,4],"data_offsets":[0,0]}})";
    REQUIRE_THROWS_WITH(decode(file_with(header)),
                        Catch::Contains("bad.safetensors") && Catch::Contains("tensor 't'") &&
                            Catch::Contains("more elements than int64 can count"));
    // The same shape without the overflow loads as an empty tensor.
    const std::string fine = R"({"t":{"dtype":"F32","shape":[0,4611686018427387904],"data_offsets":[0,0]}})";
    CHECK(decode(file_with(fine)).get("t").numel() == 0);
}

TEST_CASE("decode_safetensors: limits on the header and the rank", "[safetensors]") {
    std::string bytes(16, '\0');
    const uint64_t huge = kMaxSafetensorsHeaderBytes + 1;
    std::memcpy(bytes.data(), &huge, 8);
    REQUIRE_THROWS_WITH(decode(bytes), Catch::Contains("header length") && Catch::Contains("more than the limit"));
    std::string shape = "[1";
    for (std::size_t i = 0; i < kMaxSafetensorsRank; ++i) shape += ",1";
    REQUIRE_THROWS_WITH(decode(file_with(R"({"t":{"dtype":"F32","shape":)" + shape + R"(],"data_offsets":[0,4]}})")),
                        Catch::Contains("65 dimensions, more than the limit of 64"));
}

TEST_CASE("load_safetensors refuses a device before reading it", "[safetensors]") {
    REQUIRE_THROWS_WITH(load_safetensors("/dev/zero"), Catch::Contains("'/dev/zero' is not a regular file"));
}
