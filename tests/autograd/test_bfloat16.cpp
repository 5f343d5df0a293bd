// bfloat16 (kernels/bfloat16.h) and DType::BFloat16: rounding to nearest even checked against a brute-force
// reference, NaN kept NaN, the tensor conversions and their gradient, printing, safetensors BF16, and the
// ops that refuse it by name.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "autograd/autograd.h"
#include "autograd/serialize/safetensors.h"

using namespace tapegrad;

namespace {

float from_bits(uint32_t bits) { return std::bit_cast<float>(bits); }
uint16_t bits_of(float value) { return bfloat16(value).bits; }

// The bfloat16 nearest `value`, ties to even, found by brute force: the two bfloat16 values around it
// (truncation, and one step away from zero) and their distances, in long double arithmetic where both
// distances are exact. Not for NaN.
uint16_t nearest_bfloat16_by_search(double value) {
    const float truncated_float = static_cast<float>(value);  // only used for the sign and rough magnitude
    uint16_t low = static_cast<uint16_t>(std::bit_cast<uint32_t>(truncated_float) >> 16);
    // Step `low` toward zero until |low| <= |value|, then `high` is the next one away from zero.
    // The bits past the largest finite value stand for 2^128, the next value were the exponent unbounded:
    // IEEE rounds to infinity from halfway to it.
    auto magnitude = [](uint16_t bits) {
        if ((bits & 0x7FFF) == 0x7F80) return std::ldexp(1.0L, 128);
        return std::abs(static_cast<long double>(static_cast<float>(bfloat16::from_bits(bits))));
    };
    while ((low & 0x7FFF) != 0 && magnitude(low) > std::abs(static_cast<long double>(value))) --low;
    const uint16_t high = static_cast<uint16_t>(low + 1);
    if ((low & 0x7FFF) == 0x7F80) return low;  // infinity
    const long double below = std::abs(static_cast<long double>(value)) - magnitude(low);
    const long double above = magnitude(high) - std::abs(static_cast<long double>(value));
    if (below < above) return low;
    if (above < below) return high;
    return (low & 1) == 0 ? low : high;
}

}  // namespace

TEST_CASE("bfloat16 keeps the top 16 bits of a float and widens back exactly", "[bfloat16]") {
    CHECK(bits_of(1.0f) == 0x3F80);
    CHECK(bits_of(-2.0f) == 0xC000);
    CHECK(bits_of(0.0f) == 0x0000);
    CHECK(bits_of(-0.0f) == 0x8000);
    CHECK(bits_of(std::numeric_limits<float>::infinity()) == 0x7F80);
    CHECK(bits_of(-std::numeric_limits<float>::infinity()) == 0xFF80);
    for (uint32_t top = 0; top < 0x10000; ++top) {
        if ((top & 0x7F80) == 0x7F80 && (top & 0x7F) != 0) continue;  // NaNs: their own test
        const float exact = from_bits(top << 16);
        REQUIRE(bits_of(exact) == top);                                  // representable: unchanged
        REQUIRE(static_cast<float>(bfloat16::from_bits(static_cast<uint16_t>(top))) == exact);
    }
}

TEST_CASE("bfloat16 rounds to nearest with ties to even", "[bfloat16]") {
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: the even one is 1.
    CHECK(bits_of(1.0f + 0x1p-8f) == 0x3F80);
    // 1 + 3·2^-8 is halfway between 1 + 2^-7 (odd last bit) and 1 + 2^-6 (even): up.
    CHECK(bits_of(1.0f + 3 * 0x1p-8f) == 0x3F82);
    // Just past a tie rounds away from the nearer-even neighbour.
    CHECK(bits_of(std::nextafter(1.0f + 0x1p-8f, 2.0f)) == 0x3F81);
    // The carry ripples into the exponent: the largest fraction below 2 rounds up to 2.
    CHECK(bits_of(std::nextafter(2.0f, 0.0f)) == 0x4000);
    // Past the largest bfloat16 (0x7F7F, about 3.39e38) by half a step or more: infinity.
    CHECK(bits_of(std::numeric_limits<float>::max()) == 0x7F80);
    CHECK(bits_of(-std::numeric_limits<float>::max()) == 0xFF80);
    // Subnormals round like everything else.
    CHECK(bits_of(std::numeric_limits<float>::denorm_min()) == 0x0000);
    CHECK(bits_of(from_bits(0x00008000)) == 0x0000);  // the tie to the even 0
    CHECK(bits_of(from_bits(0x00018000)) == 0x0002);  // the tie to the even 2

    // Ten million random bit patterns (every exponent, every fraction) against the brute-force search.
    std::mt19937 random(20261207);
    for (int i = 0; i < 10'000'000; ++i) {
        const uint32_t bits = static_cast<uint32_t>(random());
        const float value = from_bits(bits);
        if (std::isnan(value)) continue;
        const uint16_t expected = nearest_bfloat16_by_search(value);
        if (bits_of(value) != expected) {
            CAPTURE(bits, value, expected, bits_of(value));
            FAIL("rounding differs from the brute-force nearest-even search");
        }
    }
}

TEST_CASE("bfloat16 of a double rounds once, not through float", "[bfloat16]") {
    // 1 + 2^-8 + 2^-40 is just above the tie between 1 and 1 + 2^-7, so the nearest is 1 + 2^-7. Through
    // float it would first round to the tie 1 + 2^-8 (float keeps 24 bits), and then to the even 1.
    const double above_tie = 1.0 + 0x1p-8 + 0x1p-40;
    CHECK(bfloat16(static_cast<float>(above_tie)).bits == 0x3F80);  // the double rounding, shown
    CHECK(bfloat16(above_tie).bits == 0x3F81);
    CHECK(bfloat16(-above_tie).bits == 0xBF81);
    CHECK(bfloat16(1.0 + 0x1p-8).bits == 0x3F80);  // an exact tie still goes to even
    CHECK(bfloat16(1e300).bits == 0x7F80);          // beyond float: infinity
    CHECK(bfloat16(-1e300).bits == 0xFF80);
    CHECK(bfloat16(1e-300).bits == 0x0000);
    std::mt19937_64 random(7);
    for (int i = 0; i < 1'000'000; ++i) {
        const double value = std::bit_cast<double>(random() & 0x47FF'FFFF'FFFF'FFFFull);  // |value| < ~2^129
        if (std::isnan(value)) continue;
        REQUIRE(bfloat16(value).bits == nearest_bfloat16_by_search(value));
    }
    CHECK(bfloat16(int64_t{3}).bits == 0x4040);
    CHECK(bfloat16(257).bits == 0x4380);  // 257 is a tie between 256 and 258: even is 256
    CHECK(bfloat16(true).bits == 0x3F80);
}

TEST_CASE("bfloat16 keeps NaN a NaN, with its sign", "[bfloat16]") {
    // A NaN whose payload is only in the low 16 bits would truncate to infinity, and rounding could carry
    // it there too: it must become a quiet NaN instead.
    for (const uint32_t nan_bits : {0x7F800001u, 0x7FC00000u, 0x7FFFFFFFu, 0x7F80FFFFu}) {
        CAPTURE(nan_bits);
        CHECK(std::isnan(static_cast<float>(bfloat16(from_bits(nan_bits)))));
        CHECK(std::isnan(static_cast<float>(bfloat16(from_bits(nan_bits | 0x80000000u)))));
        CHECK(std::signbit(static_cast<float>(bfloat16(from_bits(nan_bits | 0x80000000u)))));
    }
    CHECK(std::isnan(static_cast<float>(bfloat16(std::numeric_limits<double>::quiet_NaN()))));
}

TEST_CASE("to(BFloat16) rounds a tensor, to(Float32) widens it back, and the gradient flows through both",
          "[bfloat16]") {
    const Tensor weight = from_vector<float>({1.0f + 0x1p-8f, 0.1f, -3.0f, 1e-3f}, {4}, {.requires_grad = true});
    const Tensor stored = weight.to(DType::BFloat16);
    CHECK(stored.dtype() == DType::BFloat16);
    CHECK(stored.requires_grad());
    const std::vector<float> widened = stored.to(DType::Float32).to_vector<float>();
    for (std::size_t i = 0; i < widened.size(); ++i)
        CHECK(widened[i] == static_cast<float>(bfloat16(weight.to_vector<float>()[i])));
    CHECK(widened[0] == 1.0f);
    CHECK(widened[1] == 0.10009765625f);

    // loss = Σ scale·to_f32(to_bf16(w)): d loss / d w = scale, carried back through a bfloat16 gradient
    // (so rounded to bfloat16, as PyTorch does), and widened into the float32 weight's .grad.
    const Tensor scale = from_vector<float>({0.1f, 2.0f, -1.0f, 3.0f}, {4});
    sum(mul(stored.to(DType::Float32), scale)).backward();
    REQUIRE(weight.grad().dtype() == DType::Float32);
    const std::vector<float> grad = weight.grad().to_vector<float>();
    CHECK(grad[0] == 0.10009765625f);  // bf16(0.1)
    CHECK(grad[1] == 2.0f);
    CHECK(grad[2] == -1.0f);
    CHECK(grad[3] == 3.0f);
}

TEST_CASE("a bfloat16 tensor mixed with float32 promotes to float32, as in PyTorch", "[bfloat16]") {
    const Tensor half = from_vector<float>({1.5f, 0.1f}, {2}).to(DType::BFloat16);
    const Tensor full = from_vector<float>({1.0f, 1.0f}, {2});
    const Tensor total = add(half, full);
    CHECK(total.dtype() == DType::Float32);
    CHECK(total.to_vector<float>() == std::vector<float>{2.5f, 1.0f + 0.10009765625f});
    CHECK(from_vector<double>({1.0}, {1}).to(DType::BFloat16).item() == 1.0);
    CHECK(to_string(from_vector<float>({0.1f, 0.2f}, {2}).to(DType::BFloat16)) ==
          "tensor([0.1001, 0.2002], dtype=bfloat16)");  // torch.tensor([0.1, 0.2], dtype=torch.bfloat16)
    CHECK(eq(half, half).to_vector<uint8_t>() == std::vector<uint8_t>{1, 1});
}

TEST_CASE("ops without a bfloat16 kernel refuse it, naming themselves and saying how to convert", "[bfloat16]") {
    const Tensor half = from_vector<float>({1.0f, 2.0f, 3.0f, 4.0f}, {2, 2}).to(DType::BFloat16);
    REQUIRE_THROWS_WITH(add(half, half), Catch::StartsWith("add: no bfloat16 kernel") &&
                                             Catch::Contains(".to(DType::Float32)"));
    REQUIRE_THROWS_WITH(exp(half), Catch::StartsWith("exp: no bfloat16 kernel"));
    REQUIRE_THROWS_WITH(matmul(half, half), Catch::StartsWith("matmul") && Catch::Contains("bfloat16"));
    REQUIRE_THROWS_WITH(sum(half), Catch::Contains("no bfloat16 kernel"));
    REQUIRE_THROWS_WITH(softmax(half, -1), Catch::Contains("bfloat16"));
}

TEST_CASE("safetensors stores a bfloat16 tensor as BF16, two bytes an element, and reads it back", "[bfloat16]") {
    const Tensor values = from_vector<float>({1.0f, -0.1f, 3e38f, 0.0f}, {2, 2}).to(DType::BFloat16);
    const std::string bytes = encode_safetensors({{"w", values}, {"w_t", transpose(values, 0, 1)}});
    CHECK(bytes.find("\"dtype\":\"BF16\"") != std::string::npos);
    const SafetensorsContents contents = decode_safetensors(bytes, "memory");
    const Tensor& loaded = contents.tensors.front().second;
    REQUIRE(loaded.dtype() == DType::BFloat16);
    CHECK(loaded.to(DType::Float32).to_vector<float>() == values.to(DType::Float32).to_vector<float>());
    const Tensor& transposed = contents.tensors.back().second;  // written row-major from a strided view
    CHECK(transposed.to(DType::Float32).to_vector<float>() ==
          transpose(values, 0, 1).contiguous().to(DType::Float32).to_vector<float>());
    CHECK(encode_safetensors(contents.tensors) == encode_safetensors({{"w", values}, {"w_t", transpose(values, 0, 1)}}));
}
