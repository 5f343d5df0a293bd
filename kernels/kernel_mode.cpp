// TAPEGRAD_KERNELS: choosing between the fast and the reference kernels at run time.
#include "kernels/kernel_mode.h"

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace tapegrad::kernels {
namespace {
// -1 until the environment has been read. An atomic because kernels may ask from several threads at once.
std::atomic<int> current_mode{-1};
}  // namespace

KernelMode parse_kernel_mode(std::string_view text) {
    if (text.empty() || text == "fast") return KernelMode::Fast;
    if (text == "reference") return KernelMode::Reference;
    if (text == "check") return KernelMode::Check;
    throw std::invalid_argument(
        fmt::format("TAPEGRAD_KERNELS: expected fast, reference or check, got '{}'", std::string(text)));
}

std::string_view kernel_mode_name(KernelMode mode) {
    switch (mode) {
        case KernelMode::Fast: return "fast";
        case KernelMode::Reference: return "reference";
        case KernelMode::Check: return "check";
    }
    return "unknown";
}

KernelMode kernel_mode() {
    int mode = current_mode.load(std::memory_order_relaxed);
    if (mode < 0) {
        const char* text = std::getenv("TAPEGRAD_KERNELS");
        mode = static_cast<int>(parse_kernel_mode(text ? text : ""));
        int unread = -1;  // a concurrent set_kernel_mode() wins over the environment
        if (!current_mode.compare_exchange_strong(unread, mode)) mode = unread;
    }
    return static_cast<KernelMode>(mode);
}

void set_kernel_mode(KernelMode mode) { current_mode.store(static_cast<int>(mode)); }

}  // namespace tapegrad::kernels
