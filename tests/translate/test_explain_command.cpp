// translate explain end to end on a tiny checkpoint: the page and the CSV it writes, and one clear error
// for an empty sentence, unknown characters, several sentences and a checkpoint of another format.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/serialize/safetensors.h"
#include "examples/translate/checkpoint.h"
#include "examples/translate/commands.h"
#include "examples/translate/train.h"
#include "tests/translate/test_helpers.h"
#include "tests/translate/xml_tree.h"

using namespace tapegrad;
using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;
using Catch::Contains;

namespace {

// A dates model of 1 + 1 layers and 2 heads, trained for two steps: enough to decode (badly), made once.
const std::filesystem::path& tiny_checkpoint() {
    static ScratchDirectory scratch;
    static const std::filesystem::path directory = [] {
        TrainConfig config;
        config.task = "dates";
        config.num_examples = 1000;
        config.encoder_layers = config.decoder_layers = 1;
        config.embed_dim = 16;
        config.num_heads = 2;
        config.ff_dim = 32;
        config.batch_size = 16;
        config.max_steps = 2;
        config.eval_every = 1000000;
        config.checkpoint_every = 1000000;
        config.threads = 1;
        config.max_len = 64;
        const std::filesystem::path path = scratch.path / "dates";
        train({.config = config, .checkpoint_dir = path, .evaluate_test = false});
        return path;
    }();
    return directory;
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("explain command: writes the page and the CSV for every kind, layer and head", "[translate][explain]") {
    ScratchDirectory out;
    const auto page_path = out.path / "report.html";
    REQUIRE(explain_command({"--checkpoint", tiny_checkpoint().string(), "27 Nov 2026", "--output", page_path.string()}) == 0);
    REQUIRE(std::filesystem::exists(out.path / "report.csv"));

    std::istringstream csv(read_text(out.path / "report.csv"));
    std::vector<std::string> lines;
    for (std::string line; std::getline(csv, line);) lines.push_back(line);
    CHECK(lines.size() == 1 + 3 * 2);  // header, then 3 kinds × 1 layer × 2 heads

    const std::string html = read_text(page_path);
    REQUIRE(xml_problem(html) == "");
    const XmlElement page = parse_xml(html);
    CHECK(page.find_all("section", "kind").size() == 3);
    const auto figures = page.find_all("figure", "map");
    CHECK(figures.size() == 3 * (2 + 1));  // 3 kinds × 1 layer × (2 heads + the mean)
    for (const XmlElement* figure : figures) {
        const XmlElement* map = figure->find_all("svg", "attention-map").at(0);
        const std::size_t T = std::stoul(map->attribute("data-rows")), S = std::stoul(map->attribute("data-columns"));
        INFO(figure->attribute("id"));
        CHECK(figure->find_all("rect", "cell").size() == T * S);
        if (figure->attribute("data-kind") == "decoder_self") CHECK(figure->find_all("rect", "blocked").size() == T * (T - 1) / 2);
        if (figure->attribute("data-kind") != "cross") CHECK(T == S);
        if (figure->attribute("data-kind") != "decoder_self") CHECK(S == 11);  // "27 Nov 2026", one token a character
    }
}

TEST_CASE("explain command: the default output goes into the checkpoint directory", "[translate][explain]") {
    ScratchDirectory copy;
    std::filesystem::copy(tiny_checkpoint(), copy.path / "run");
    REQUIRE(explain_command({"--checkpoint", (copy.path / "run").string(), "3 Jan 1999"}) == 0);
    CHECK(std::filesystem::exists(copy.path / "run" / "explain.html"));
    CHECK(std::filesystem::exists(copy.path / "run" / "explain.csv"));
}

TEST_CASE("explain command: an empty sentence is refused", "[translate][explain]") {
    for (const std::string sentence : {"", "   "})
        CHECK_THROWS_WITH(explain_command({"--checkpoint", tiny_checkpoint().string(), sentence}),
                          Contains("the sentence is empty"));
    CHECK_THROWS_WITH(explain_command({"--checkpoint", tiny_checkpoint().string()}), Contains("no sentence given"));
}

TEST_CASE("explain command: unknown characters are named with their positions", "[translate][explain]") {
    CHECK_THROWS_WITH(explain_command({"--checkpoint", tiny_checkpoint().string(), "27 Nov 2026 \u20ac"}),
                      Contains("characters the model never saw in training") && Contains("'\u20ac' at character 13") &&
                          Contains("its source vocabulary has"));
}

TEST_CASE("explain command: several sentences are refused with a hint to quote", "[translate][explain]") {
    CHECK_THROWS_WITH(explain_command({"--checkpoint", tiny_checkpoint().string(), "27", "Nov", "2026"}),
                      Contains("one sentence, got 3 arguments") && Contains("quotes"));
}

TEST_CASE("explain command: a checkpoint of another format version names both formats", "[translate][explain]") {
    ScratchDirectory other;
    SafetensorsContents contents = load_safetensors(checkpoint_file(tiny_checkpoint()));
    contents.metadata["format"] = "tapegrad-translate-checkpoint-2";
    std::filesystem::create_directories(other.path / "run");
    save_safetensors(checkpoint_file(other.path / "run"), contents.tensors, contents.metadata);
    CHECK_THROWS_WITH(explain_command({"--checkpoint", (other.path / "run").string(), "27 Nov 2026"}),
                      Contains("checkpoint format 'tapegrad-translate-checkpoint-2'") &&
                          Contains(std::string(kCheckpointFormat)));
}

TEST_CASE("explain command: --help describes the command and its options", "[translate][explain]") {
    CHECK(explain_command({"--help"}) == 0);
}
