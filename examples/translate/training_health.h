// Training-health measurements of `translate train`, taken on log steps only (every --log-every steps) and
// logged as columns of log.csv: the global gradient norm before clipping, the factor clipping scaled the
// gradients by, the count of non-finite gradient values, and per parameter group the size of the
// optimizer's update relative to the weights. Between log steps nothing here runs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "autograd/tensor.h"
#include "nn/module.h"

namespace tapegrad::translate {

// A model's parameters by the first part of their dotted name, the source and target embeddings together:
// for a Seq2SeqTransformer "embedding", "encoder", "decoder" and (unless tied to the target embedding)
// "output_projection", in the order of named_parameters().
class ParameterGroups {
public:
    explicit ParameterGroups(const nn::Module& model);

    const std::vector<std::string>& names() const { return names_; }
    // Every parameter's values now, to compare with after the optimizer step.
    std::vector<std::vector<double>> snapshot() const;
    // Per group, in names() order: ‖w − w_before‖ / ‖w_before‖, both norms over all of the group's elements
    // (the update-to-weight ratio of the step between `before` and now; 0 for an all-zero group).
    std::vector<double> update_ratios(const std::vector<std::vector<double>>& before) const;

private:
    std::vector<std::string> names_;
    std::vector<std::pair<std::size_t, Tensor>> parameters_;  // (index into names_, parameter)
};

// NaN and ±inf values among the parameters' gradients (parameters without one are skipped).
int64_t count_nonfinite_gradients(const std::vector<Tensor>& parameters);

// The factor optim::clip_grad_norm scaled the gradients by: clip_norm / (grad_norm + 1e-6) when that is
// below 1, else 1 — also when clipping is off (clip_norm 0) or the norm is not finite, because the gradients
// are then left alone. Within 1e-6 (relative) of min(1, clip_norm / grad_norm).
double clip_factor(double grad_norm, double clip_norm);

// One log step's measurements.
struct StepHealth {
    double grad_norm = 0;              // global L2 norm of all gradients, after the all-reduce, before clipping
    double clip_factor = 1;            // see clip_factor()
    int64_t nonfinite = 0;             // count_nonfinite_gradients, at the same point
    std::vector<double> update_ratios; // ParameterGroups::update_ratios, in the groups' order
};

// The log.csv columns: grad_norm, clip_factor, nonfinite, then update_ratio_<group> for each group.
std::vector<std::string> health_columns(const ParameterGroups& groups);
// The step's values under those column names.
std::map<std::string, double> health_values(const ParameterGroups& groups, const StepHealth& health);

// The rule of thumb for a healthy update-to-weight ratio (drawn in health.svg): about 1e-3, i.e. each step
// changes the weights by a thousandth of their size; far below, the group barely learns, far above, it is
// likely unstable (Karpathy, CS231n notes, "Neural Networks Part 3": a heuristic, not a law).
inline constexpr double kUpdateRatioRuleOfThumb = 1e-3;

}  // namespace tapegrad::translate
