// translate: train a Transformer to translate, evaluate it, and translate with it.
//
//   translate train --task dates --checkpoint runs/dates          train (see --help for every option)
//   translate eval --checkpoint runs/dates                        metrics on the test split
//   translate translate --checkpoint runs/dates "27 Nov 2026"     translate sentences (or stdin lines)
//       [--beam N] [--attention heatmap.svg [--layer L] [--head H]]
//
// train and eval print one JSON object as their last line (exact_match, token_accuracy, bleu, steps,
// seconds, final_loss), for scripts to read.
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "examples/translate/commands.h"

int main(int argc, char** argv) {
    using namespace tapegrad::translate;
    const std::string usage =
        "usage: translate <command> [options]\n"
        "commands:\n"
        "  train       train a model (--task reverse|dates|en-pl or --data FILE.tsv)\n"
        "  eval        score a checkpoint on its test split\n"
        "  translate   translate sentences with a checkpoint\n"
        "Run 'translate <command> --help' for the options of a command.\n";
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        std::cout << usage;
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    std::vector<std::string> arguments(argv + 2, argv + argc);
    try {
        if (command == "train") return train_command(arguments);
        if (command == "eval") return eval_command(arguments);
        if (command == "translate") return translate_command(arguments);
        std::cerr << fmt::format("translate: unknown command '{}'\n", command) << usage;
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "translate " << command << ": error: " << error.what() << "\n";
        return 1;
    }
}
