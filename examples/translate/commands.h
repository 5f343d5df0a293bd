// The subcommands of the translate tool; each parses its own options and returns an exit code.
#pragma once

#include <string>
#include <vector>

namespace tapegrad::translate {

int train_command(const std::vector<std::string>& arguments);
int eval_command(const std::vector<std::string>& arguments);
int translate_command(const std::vector<std::string>& arguments);
// One sentence's attention, every kind, layer and head, as an HTML page and a CSV (explain_command.cpp).
int explain_command(const std::vector<std::string>& arguments);

}  // namespace tapegrad::translate
