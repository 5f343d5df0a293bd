#include "examples/long_range/charts.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "examples/translate/line_chart_panel.h"

namespace tapegrad::long_range {

using translate::CurveSeries;
using translate::PanelBox;
using translate::PanelSeries;
using translate::series_colour;

namespace {

constexpr double kWidth = 760;
constexpr double kPanelHeight = 330;

// The same colour for a model in every figure: the Transformer blue, the LSTM orange.
std::string model_colour(const std::string& model, bool light = false) {
    if (model.starts_with("Transformer")) return light ? "#9ecae1" : series_colour(0);
    return light ? "#fdd0a2" : series_colour(1);
}

std::pair<double, double> x_range_of(const std::vector<PanelSeries>& series) {
    double high = 1;
    for (const PanelSeries& s : series)
        for (const auto& [x, y] : s.points) high = std::max(high, x);
    return {0, high};
}

}  // namespace

std::string reach_svg(const LongRangeResults& results) {
    std::vector<PanelSeries> series;
    for (const ReachCurve& curve : results.reach) {
        CurveSeries points;
        for (std::size_t d = 1; d < curve.reach.size(); ++d) points.emplace_back(static_cast<double>(d), curve.reach[d]);
        const bool initial = curve.moment == "initial";
        series.push_back({.label = curve.model + ", " + curve.moment, .points = points,
                          .colour = model_colour(curve.model, initial)});
    }
    translate::SvgWriter svg(kWidth, kPanelHeight + 20);
    translate::draw_line_panel(
        svg, PanelBox{.left = 10, .top = 10, .width = kWidth - 20, .height = kPanelHeight}, series, {},
        {.title = "gradient reach: ‖∂ output at the last position / ∂ input d positions earlier‖",
         .y_label = "Jacobian norm", .x_label = "distance d (positions); a line that stops has underflowed to 0 in float32", .log_y = true, .x_range = x_range_of(series),
         .y_tick_room = 52});
    return svg.str();
}

std::string distance_svg(const LongRangeResults& results) {
    std::map<std::string, CurveSeries> by_model;
    for (const ModelDistanceResult& r : results.distances)
        by_model[r.model].emplace_back(static_cast<double>(r.result.distance), r.result.accuracy);
    std::vector<PanelSeries> series;
    for (const auto& [model, points] : by_model)
        series.push_back({.label = model, .points = points, .colour = model_colour(model), .markers = true});
    const double chance = results.vocab_size > 0 ? 1.0 / static_cast<double>(results.vocab_size) : 0.0;
    translate::SvgWriter svg(kWidth, kPanelHeight + 20);
    translate::draw_line_panel(
        svg, PanelBox{.left = 10, .top = 10, .width = kWidth - 20, .height = kPanelHeight}, series,
        {{.y = chance, .label = fmt::format("chance (1/{})", results.vocab_size)}},
        {.title = fmt::format("recall the token d positions back: accuracy after {} steps of {} sequences",
                              results.budget.steps, results.budget.batch),
         .y_label = "accuracy", .x_label = "distance d (positions)", .y_range = std::pair{0.0, 1.0},
         .x_range = x_range_of(series)});
    return svg.str();
}

std::string step_time_svg(const LongRangeResults& results) {
    std::map<std::pair<std::string, int>, CurveSeries> seconds;
    std::map<std::pair<std::string, int64_t>, std::map<int, double>> by_length;
    std::map<std::string, CurveSeries> sequential;
    for (const StepTime& t : results.step_times) {
        seconds[{t.model, t.threads}].emplace_back(static_cast<double>(t.length), t.seconds);
        by_length[{t.model, t.length}][t.threads] = t.seconds;
        if (t.threads == 1) sequential[t.model].emplace_back(static_cast<double>(t.length), static_cast<double>(t.sequential_steps));
    }
    std::vector<PanelSeries> time_series;
    for (const auto& [key, points] : seconds)
        time_series.push_back({.label = fmt::format("{}, {} thread{}", key.first, key.second, key.second > 1 ? "s" : ""),
                               .points = points, .colour = model_colour(key.first, key.second == 1), .markers = true});
    std::map<std::string, CurveSeries> speedup;
    for (const auto& [key, per_threads] : by_length)
        if (per_threads.contains(1) && per_threads.contains(2) && per_threads.at(2) > 0)
            speedup[key.first].emplace_back(static_cast<double>(key.second), per_threads.at(1) / per_threads.at(2));
    std::vector<PanelSeries> speedup_series, sequential_series;
    for (const auto& [model, points] : speedup)
        speedup_series.push_back({.label = model, .points = points, .colour = model_colour(model), .markers = true});
    for (const auto& [model, points] : sequential)
        sequential_series.push_back({.label = model, .points = points, .colour = model_colour(model), .markers = true});
    const auto x_range = x_range_of(time_series);

    const double height = 3 * kPanelHeight + 40;
    translate::SvgWriter svg(kWidth, height);
    auto box = [&](int k) { return PanelBox{.left = 10, .top = 10 + k * (kPanelHeight + 10), .width = kWidth - 20, .height = kPanelHeight}; };
    translate::draw_line_panel(svg, box(0), time_series, {},
                               {.title = "one training step (forward + backward) against the sequence length",
                                .y_label = "seconds", .x_label = "sequence length T", .log_y = true, .x_range = x_range,
                                .y_tick_room = 52});
    translate::draw_line_panel(svg, box(1), speedup_series, {{.y = 2, .label = "2: perfect use of the second core"},
                                                             {.y = 1, .label = "1: no gain"}},
                               {.title = "speed-up from a second thread: time on 1 thread / time on 2",
                                .y_label = "speed-up", .x_label = "sequence length T",
                                .x_range = x_range, .y_tick_room = 52});
    translate::draw_line_panel(svg, box(2), sequential_series, {},
                               {.title = "computations that must run one after another to read the sequence",
                                .y_label = "sequential steps", .x_label = "sequence length T", .log_y = true,
                                .x_range = x_range, .y_tick_room = 52});
    return svg.str();
}

std::string decode_time_svg(const LongRangeResults& results) {
    std::map<std::string, CurveSeries> by_decoder;
    for (const DecodeTime& t : results.decode_times)
        by_decoder[t.decoder].emplace_back(static_cast<double>(t.output_length), t.seconds);
    std::vector<PanelSeries> series;
    for (const auto& [decoder, points] : by_decoder)
        series.push_back({.label = decoder, .points = points,
                          .colour = decoder.ends_with("no cache") ? "#d62728" : model_colour(decoder), .markers = true});
    translate::SvgWriter svg(kWidth, kPanelHeight + 20);
    translate::draw_line_panel(
        svg, PanelBox{.left = 10, .top = 10, .width = kWidth - 20, .height = kPanelHeight}, series, {},
        {.title = "greedy decoding: sequential for both, one token after another", .y_label = "seconds",
         .x_label = "output length (tokens)", .log_y = true, .x_range = x_range_of(series), .y_tick_room = 52});
    return svg.str();
}

}  // namespace tapegrad::long_range
