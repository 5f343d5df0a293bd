// `translate train --help`: double defaults are shown as written in config.h, and still parse to the same values.
#include <catch2/catch.hpp>
#include <sstream>

#include "examples/translate/config.h"

using namespace tapegrad::translate;
namespace po = boost::program_options;

namespace {

std::string help_text(TrainConfig& config) {
    std::ostringstream help;
    help << train_options(config);
    return help.str();
}

}  // namespace

TEST_CASE("train options: --help shows double defaults as written, not with 17 digits", "[translate][config]") {
    TrainConfig config;
    const std::string help = help_text(config);
    CAPTURE(help);
    CHECK_THAT(help, Catch::Contains("--valid-fraction arg (=0.05)") && Catch::Contains("--beta1 arg (=0.9)") &&
                         Catch::Contains("--dropout arg (=0.1)") && Catch::Contains("--lr arg (=0.002)") &&
                         Catch::Contains("--eps arg (=1e-09)") && Catch::Contains("--max-minutes arg (=0)"));
    CHECK_THAT(help, !Catch::Contains("0.050000000000000003") && !Catch::Contains("0.90000000000000002") &&
                         !Catch::Contains("0.10000000000000001"));
}

TEST_CASE("train options: --help shows the config's current value, and parsing nothing keeps it exactly", "[translate][config]") {
    TrainConfig config;
    config.lr = 0.3;
    config.beta2 = 0.999;
    CHECK_THAT(help_text(config), Catch::Contains("--lr arg (=0.3)") && Catch::Contains("--beta2 arg (=0.999)"));

    TrainConfig parsed;
    po::variables_map values;
    po::store(po::command_line_parser(std::vector<std::string>{}).options(train_options(parsed)).run(), values);
    po::notify(values);
    CHECK(parsed.valid_fraction == 0.05);  // the double itself, not its text
    CHECK(parsed.beta1 == 0.9);
    CHECK(parsed.eps == 1e-9);
}
