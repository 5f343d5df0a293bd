// Which implementation the kernels with a fast path run: fast, reference, or both compared (check mode).
//
// Every fast kernel keeps its readable reference kernel beside it (the GEMM, exp), and so does every fused
// op above the kernels (autograd/ops: linear, masked_softmax, layer_norm, cross_entropy, attention,
// relu_dropout, dropout_add — each beside the composition it replaces, the choice made in the op).
// TAPEGRAD_KERNELS picks between them for the whole process, so a suspicious result can be re-run against
// the reference without rebuilding:
//   TAPEGRAD_KERNELS=fast        (the default; also when unset or empty) the optimised kernels
//   TAPEGRAD_KERNELS=reference   the readable reference kernels only
//   TAPEGRAD_KERNELS=check       both; the fast result is kept, and a difference beyond the kernel's (or the
//                                op's) rounding bound throws std::runtime_error naming it and the worst element
// Programs and tests may override the variable with set_kernel_mode() or a scoped KernelModeGuard.
#pragma once

#include <string_view>

namespace tapegrad::kernels {

enum class KernelMode { Fast, Reference, Check };

// The mode in force: the last set_kernel_mode(), else TAPEGRAD_KERNELS (read once, at the first call).
// Throws std::invalid_argument when the variable holds anything but fast, reference, check or nothing.
KernelMode kernel_mode();
void set_kernel_mode(KernelMode mode);

// "fast" / "reference" / "check" -> the mode; anything else throws std::invalid_argument naming the text.
KernelMode parse_kernel_mode(std::string_view text);
std::string_view kernel_mode_name(KernelMode mode);

// Sets a mode for one scope (a test, a benchmark run) and restores the previous one on exit.
class KernelModeGuard {
public:
    explicit KernelModeGuard(KernelMode mode) : previous_(kernel_mode()) { set_kernel_mode(mode); }
    ~KernelModeGuard() { set_kernel_mode(previous_); }
    KernelModeGuard(const KernelModeGuard&) = delete;
    KernelModeGuard& operator=(const KernelModeGuard&) = delete;

private:
    KernelMode previous_;
};

}  // namespace tapegrad::kernels
