// Built-in generated translation tasks: synthetic corpora that need no download, deterministic from a seed.
//   reverse  "hello"              -> "olleh"            (data/tasks/reverse.h)  a sanity check
//   dates    "Friday, November 27, 2026" -> "2026-11-27" (data/tasks/dates.h)   many formats -> ISO
//   en-pl    "I do not see the cat." -> "Nie widzę kota." (data/tasks/en_pl.h)  a small grammar of Polish
// docs/data.md describes each one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/parallel_corpus.h"

namespace tapegrad::data {

// The names generate_task accepts.
std::vector<std::string> task_names();

// `n` pairs of the named task with default options; the same (name, n, seed) always gives the same pairs, and
// the first k pairs for a given seed do not depend on n. Throws std::invalid_argument for an unknown name
// (listing the known ones) or a negative n.
std::vector<SentencePair> generate_task(std::string_view name, int64_t n, uint64_t seed);

}  // namespace tapegrad::data
