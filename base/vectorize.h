// TAPEGRAD_VECTORIZE: compile a hot loop three times — for AVX-512 (x86-64-v4), AVX2 + FMA
// (x86-64-v3) and baseline x86-64 — and pick the widest the CPU supports when the program starts
// (GCC's target_clones, resolved once through an ifunc). The library itself is built for baseline
// x86-64, so one binary runs on any x86-64 yet uses the vector units of the machine it runs on.
// Only for simple loops the compiler vectorises; the GEMM has its own hand-written micro-kernels.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TAPEGRAD_VECTORIZE __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TAPEGRAD_VECTORIZE
#endif
