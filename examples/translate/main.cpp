// translate: train a Transformer to translate, evaluate it, and translate with it.
//
//   translate train --task dates --checkpoint runs/dates          train (see --help for every option)
//   translate eval --checkpoint runs/dates                        metrics on the test split
//       [--split train|valid|test | --data FILE.tsv]               (or another split, or a file of one's own)
//   translate translate --checkpoint runs/dates "27 Nov 2026"     translate sentences (or stdin lines)
//       [--input FILE [--output FILE]]                             (or a file, a sentence a line)
//       [--beam N] [--attention heatmap.svg [--layer L] [--head H]]
//   translate explain --checkpoint runs/dates "27 Nov 2026"       every attention weight of one sentence, as
//       [--output report.html] [--csv heads.csv]                   an HTML page, and per-head statistics
//
// train and eval print one JSON object as their last line (exact_match, token_accuracy, bleu, steps,
// seconds, final_loss, sentences, split), for scripts to read.
//
// Started by mpirun (and built with MPI), `translate train` trains one model data-parallel over all the
// processes (docs/distributed.md):   mpirun -np 2 build/bin/translate train --threads 1 ...
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "examples/translate/commands.h"

#ifdef TAPEGRAD_HAS_DISTRIBUTED
#include <optional>

#include "distributed/environment.h"
#endif

int main(int argc, char** argv) {
    using namespace tapegrad::translate;
    const std::string usage =
        "usage: translate <command> [options]\n"
        "commands:\n"
        "  train       train a model (--task reverse|dates|en-pl or --data FILE.tsv)\n"
        "  eval        score a checkpoint on its test split (--split, or --data FILE.tsv)\n"
        "  translate   translate sentences with a checkpoint (arguments, stdin, or --input FILE)\n"
        "  explain     draw every attention weight used for one sentence (HTML page + CSV)\n"
        "Run 'translate <command> --help' for the options of a command.\n";
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        std::cout << usage;
        return argc < 2 ? 2 : 0;
    }
#ifdef TAPEGRAD_HAS_DISTRIBUTED
    std::optional<tapegrad::distributed::Environment> mpi;
    if (tapegrad::distributed::launched_by_mpi()) mpi.emplace(argc, argv);
    const int rank = mpi ? mpi->rank() : 0, world_size = mpi ? mpi->world_size() : 1;
#else
    const int rank = 0, world_size = 1;
#endif
    const std::string command = argv[1];
    std::vector<std::string> arguments(argv + 2, argv + argc);
    try {
        if (command == "train") return train_command(arguments);
        if (command == "eval") return eval_command(arguments);
        if (command == "translate") return translate_command(arguments);
        if (command == "explain") return explain_command(arguments);
        std::cerr << fmt::format("translate: unknown command '{}'\n", command) << usage;
        return 2;
    } catch (const std::exception& error) {
        if (world_size == 1) {
            std::cerr << "translate " << command << ": error: " << error.what() << "\n";
            return 1;
        }
        std::cerr << "translate " << command << ": error on rank " << rank << " of " << world_size << ": "
                  << error.what() << std::endl;
#ifdef TAPEGRAD_HAS_DISTRIBUTED
        // Returning would run MPI_Finalize, which waits for ranks that are waiting for this one: end the job.
        tapegrad::distributed::Environment::abort(1);
#endif
        return 1;
    }
}
