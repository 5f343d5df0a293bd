// The three subcommands of the translate tool; each parses its own options and returns an exit code.
#pragma once

#include <string>
#include <vector>

namespace tapegrad::translate {

int train_command(const std::vector<std::string>& arguments);
int eval_command(const std::vector<std::string>& arguments);
int translate_command(const std::vector<std::string>& arguments);

}  // namespace tapegrad::translate
