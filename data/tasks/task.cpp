// The task dispatcher: a generated corpus by name.
#include "data/tasks/task.h"

#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "data/tasks/dates.h"
#include "data/tasks/en_pl.h"
#include "data/tasks/reverse.h"

namespace tapegrad::data {

std::vector<std::string> task_names() { return {"reverse", "dates", "en-pl"}; }

std::vector<SentencePair> generate_task(std::string_view name, int64_t n, uint64_t seed) {
    if (name == "reverse") return generate_reverse(n, seed);
    if (name == "dates") return generate_dates(n, seed);
    if (name == "en-pl") return generate_en_pl(n, seed);
    throw std::invalid_argument(
        fmt::format("generate_task: unknown task '{}'; known tasks: {}", name, fmt::join(task_names(), ", ")));
}

}  // namespace tapegrad::data
