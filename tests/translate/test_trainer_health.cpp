// `translate train` end to end with its training-health columns and the attention probe: the columns hold what
// they should, probing and measuring leave the losses bit for bit alone, and a crashed-and-resumed run's
// log.csv and heads.csv equal a straight run's row for row.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/atomic_file.h"
#include "examples/translate/attention_probe.h"
#include "examples/translate/checkpoint.h"
#include "examples/translate/fault_injection.h"
#include "examples/translate/train.h"
#include "test_helpers.h"

using namespace tapegrad;
using namespace tapegrad::translate;
using namespace tapegrad::translate::testing;

namespace {

// Two encoder layers and one decoder layer, so that the kinds have different layer counts; dropout on, so
// that a probe drawing from a dropout generator would show in the losses.
TrainConfig tiny_config() {
    TrainConfig config;
    config.task = "reverse";
    config.num_examples = 600;
    config.encoder_layers = 2;
    config.decoder_layers = 1;
    config.embed_dim = 32;
    config.num_heads = 2;
    config.ff_dim = 64;
    config.dropout = 0.1;
    config.batch_size = 16;
    config.lr = 2e-3;
    config.schedule = "warmup";
    config.warmup_steps = 10;
    config.clip_norm = 0.5;  // low enough that some steps clip
    config.eval_every = 6;
    config.eval_examples = 8;
    config.checkpoint_every = 10;
    config.log_every = 4;
    config.threads = 1;
    config.max_len = 32;
    return config;
}

// A CSV as rows of fields (every comma splits: the columns compared come before heads.csv's quoted text).
struct Csv {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::size_t column(const std::string& name) const {
        const auto found = std::find(header.begin(), header.end(), name);
        REQUIRE(found != header.end());
        return static_cast<std::size_t>(found - header.begin());
    }
    std::vector<std::string> values(const std::string& name) const {
        std::vector<std::string> out;
        for (const auto& row : rows) out.push_back(row.at(column(name)));
        return out;
    }
};

Csv read_csv(const std::filesystem::path& path) {
    const std::string content = read_file(path);
    Csv csv;
    std::size_t start = 0;
    for (std::size_t newline; (newline = content.find('\n', start)) != std::string::npos; start = newline + 1) {
        std::vector<std::string> fields;
        const std::string line = content.substr(start, newline - start);
        std::size_t field_start = 0;
        for (std::size_t comma; (comma = line.find(',', field_start)) != std::string::npos; field_start = comma + 1)
            fields.push_back(line.substr(field_start, comma - field_start));
        fields.push_back(line.substr(field_start));
        if (csv.header.empty())
            csv.header = fields;
        else
            csv.rows.push_back(fields);
    }
    CHECK(start == content.size());  // no torn line
    return csv;
}

const std::vector<std::string> kGroups = {"embedding", "encoder", "decoder", "output_projection"};

}  // namespace

TEST_CASE("train: log.csv's health columns on every log step, heads.csv at every evaluation, both plotted",
          "[translate][trainer][health]") {
    ScratchDirectory scratch;
    TrainConfig config = tiny_config();
    config.max_steps = 20;
    train({.config = config, .checkpoint_dir = scratch.path, .evaluate_test = false});

    const Csv log = read_csv(scratch.path / "log.csv");
    REQUIRE(log.rows.size() == 20);
    for (const char* name : {"grad_norm", "clip_factor", "nonfinite"}) CHECK(log.column(name) > 0);
    int measured = 0;
    for (const auto& row : log.rows) {
        const int64_t step = std::stoll(row[log.column("step")]);
        CAPTURE(step);
        const std::string& grad_norm_field = row[log.column("grad_norm")];
        if (step % config.log_every != 0) {
            CHECK(grad_norm_field.empty());
            CHECK(row[log.column("update_ratio_encoder")].empty());
            continue;
        }
        ++measured;
        const double grad_norm = std::stod(grad_norm_field);
        const double factor = std::stod(row[log.column("clip_factor")]);
        CHECK(std::isfinite(grad_norm));
        CHECK(grad_norm > 0);
        CHECK(factor <= 1.0);
        CHECK(factor == Approx(std::min(1.0, config.clip_norm / grad_norm)).epsilon(1e-5));
        CHECK(row[log.column("nonfinite")] == "0");
        for (const std::string& group : kGroups) {
            const double ratio = std::stod(row[log.column("update_ratio_" + group)]);
            CHECK(std::isfinite(ratio));
            CHECK(ratio > 0);
            CHECK(ratio < 1);
        }
    }
    CHECK(measured == 5);

    // Evaluations at 0 (untrained), 6, 12, 18 and the last step, 20; (2 + 1 + 1) modules × 2 heads each.
    const Csv heads = read_csv(scratch.path / "heads.csv");
    const std::size_t heads_per_evaluation = (2 + 1 + 1) * 2;
    REQUIRE(heads.rows.size() == 5 * heads_per_evaluation);
    std::map<std::string, int> rows_per_step;
    for (const std::string& step : heads.values("step")) ++rows_per_step[step];
    CHECK(rows_per_step == std::map<std::string, int>{{"0", 8}, {"6", 8}, {"12", 8}, {"18", 8}, {"20", 8}});
    std::map<std::string, int> rows_per_kind;
    for (const std::string& kind : heads.values("kind")) ++rows_per_kind[kind];
    CHECK(rows_per_kind == std::map<std::string, int>{{"encoder_self", 20}, {"decoder_self", 10}, {"cross", 10}});
    for (const std::string& entropy : heads.values("entropy")) {
        const double value = std::stod(entropy);
        CHECK(value >= 0);
        CHECK(value <= 1);
    }

    const std::string health_svg = read_file(scratch.path / "health.svg");
    CHECK(xml_problem(health_svg).empty());
    CHECK(count_occurrences(health_svg, "<polyline") == 1 + 1 + kGroups.size());
    const std::string heads_svg = read_file(scratch.path / "heads.svg");
    CHECK(xml_problem(heads_svg).empty());
    CHECK(count_occurrences(heads_svg, "<polyline") == heads_per_evaluation);
}

TEST_CASE("train: probing the heads and measuring health leave every loss and weight bit for bit alone",
          "[translate][trainer][health]") {
    ScratchDirectory plain, probed;
    TrainConfig config = tiny_config();
    config.max_steps = 16;
    config.log_every = 1000;  // no health measurements
    train({.config = config, .checkpoint_dir = plain.path, .evaluate_test = false});

    // Health on every step, and the probe after every step on top of the one at each evaluation.
    config.log_every = 1;
    const Experiment experiment = Experiment::create(config);
    const AttentionProbe probe = make_attention_probe(experiment);
    int64_t probes = 0;
    train({.config = config, .checkpoint_dir = probed.path, .evaluate_test = false,
           .after_step = [&](int, int64_t, nn::Module& model) {
               probes += !probe_attention_heads(dynamic_cast<nn::Seq2SeqTransformer&>(model), probe).empty();
           }});
    CHECK(probes == 16);

    // log.csv writes each loss in the shortest form that reads back exactly: equal text is equal bits.
    const Csv a = read_csv(plain.path / "log.csv"), b = read_csv(probed.path / "log.csv");
    CHECK(a.values("loss") == b.values("loss"));
    CHECK(a.values("valid_exact_match") == b.values("valid_exact_match"));
    const Checkpoint x = read_checkpoint(plain.path), y = read_checkpoint(probed.path);
    REQUIRE(x.contents.tensors.size() == y.contents.tensors.size());
    for (std::size_t i = 0; i < x.contents.tensors.size(); ++i) {
        CAPTURE(x.contents.tensors[i].first);
        const Tensor& p = x.contents.tensors[i].second;
        const Tensor& q = y.contents.tensors[i].second;
        REQUIRE(p.numel() == q.numel());
        CHECK(std::memcmp(p.raw_data(), q.raw_data(), p.numel() * dtype_size(p.dtype())) == 0);
    }
    CHECK(x.state.generators == y.state.generators);  // the probe drew no dropout mask
}

TEST_CASE("train: a run that crashes after its checkpoint and resumes logs exactly the rows of a straight run",
          "[translate][trainer][health]") {
    ScratchDirectory straight, resumed;
    TrainConfig config = tiny_config();
    config.max_steps = 40;
    train({.config = config, .checkpoint_dir = straight.path, .evaluate_test = false});

    // Checkpoints at 10 and 20; the crash after step 25 leaves log rows 21-24 and the evaluation at 24 past
    // the checkpoint. The resume must drop them and log them again, once.
    REQUIRE_THROWS_WITH(train({.config = config, .checkpoint_dir = resumed.path, .evaluate_test = false,
                               .after_step = inject_fault(parse_test_fault("0:25:throw"))}),
                        Catch::Contains("after step 25"));
    CHECK(read_csv(resumed.path / "log.csv").rows.size() == 24);
    train({.config = config, .checkpoint_dir = resumed.path, .resume = true, .evaluate_test = false});

    const Csv a = read_csv(straight.path / "log.csv"), b = read_csv(resumed.path / "log.csv");
    REQUIRE(a.header == b.header);
    REQUIRE(b.rows.size() == 40);
    // Everything but the timings is deterministic.
    for (const std::string& column : a.header) {
        if (column == "tokens_per_s" || column == "elapsed_s") continue;
        CAPTURE(column);
        CHECK(a.values(column) == b.values(column));
    }
    const Csv heads_a = read_csv(straight.path / "heads.csv"), heads_b = read_csv(resumed.path / "heads.csv");
    CHECK(heads_a.header == heads_b.header);
    CHECK(heads_a.rows == heads_b.rows);
    CHECK(heads_b.rows.size() == 8 * 8);  // evaluations at 0, 6, 12, 18, 24, 30, 36, 40
}

TEST_CASE("train: resuming a run whose log.csv predates the health columns extends its header",
          "[translate][trainer][health]") {
    ScratchDirectory scratch;
    TrainConfig config = tiny_config();
    config.max_steps = 8;
    train({.config = config, .checkpoint_dir = scratch.path, .evaluate_test = false});

    // Rewrite log.csv as a run before the health columns wrote it: the fixed and validation columns only.
    const Csv full = read_csv(scratch.path / "log.csv");
    const std::size_t kept_columns = full.column("valid_bleu") + 1;
    std::string old;
    auto join = [&](const std::vector<std::string>& fields) {
        for (std::size_t i = 0; i < kept_columns; ++i) old += (i ? "," : "") + fields[i];
        old += '\n';
    };
    join(full.header);
    for (const auto& row : full.rows) join(row);
    write_file_atomically(scratch.path / "log.csv", old);
    std::filesystem::remove(scratch.path / "heads.csv");  // nor a heads.csv

    train({.config = config, .checkpoint_dir = scratch.path, .resume = true, .max_steps = 16, .evaluate_test = false});
    const Csv log = read_csv(scratch.path / "log.csv");
    CHECK(log.header == full.header);
    REQUIRE(log.rows.size() == 16);
    for (const auto& row : log.rows) REQUIRE(row.size() == log.header.size());
    CHECK(log.rows[3][log.column("grad_norm")].empty());    // step 4, logged before: nothing measured
    CHECK(!log.rows[11][log.column("grad_norm")].empty());  // step 12, after the resume
    std::map<std::string, int> rows_per_step;  // the resumed run's evaluations, at 12 and 16
    for (const std::string& step : read_csv(scratch.path / "heads.csv").values("step")) ++rows_per_step[step];
    CHECK(rows_per_step == std::map<std::string, int>{{"12", 8}, {"16", 8}});
}
