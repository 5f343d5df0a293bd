// Training health: parameter groups and their update ratios, non-finite gradients, the clip factor.
#include "examples/translate/training_health.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "autograd/tape.h"

namespace tapegrad::translate {
namespace {

std::string group_of(const std::string& parameter_name) {
    const std::string first = parameter_name.substr(0, parameter_name.find('.'));
    const std::string embedding = "_embedding";
    if (first.size() > embedding.size() && first.ends_with(embedding)) return "embedding";
    return first;
}

}  // namespace

ParameterGroups::ParameterGroups(const nn::Module& model) {
    for (const auto& [name, parameter] : model.named_parameters()) {
        // A parameter shared by two modules (tied weights) is updated once: count it once.
        if (std::any_of(parameters_.begin(), parameters_.end(), [&](const auto& p) { return p.second.is_same(parameter); }))
            continue;
        const std::string group = group_of(name);
        auto found = std::find(names_.begin(), names_.end(), group);
        if (found == names_.end()) found = names_.insert(names_.end(), group);
        parameters_.emplace_back(static_cast<std::size_t>(found - names_.begin()), parameter);
    }
}

std::vector<std::vector<double>> ParameterGroups::snapshot() const {
    std::vector<std::vector<double>> values;
    values.reserve(parameters_.size());
    for (const auto& [group, parameter] : parameters_) values.push_back(parameter.to_vector<double>());
    return values;
}

std::vector<double> ParameterGroups::update_ratios(const std::vector<std::vector<double>>& before) const {
    if (before.size() != parameters_.size())
        throw std::invalid_argument(fmt::format("ParameterGroups::update_ratios: a snapshot of {} parameters, not {}",
                                                before.size(), parameters_.size()));
    std::vector<double> update_squared(names_.size(), 0.0), weight_squared(names_.size(), 0.0);
    for (std::size_t k = 0; k < parameters_.size(); ++k) {
        const auto& [group, parameter] = parameters_[k];
        const std::vector<double> after = parameter.to_vector<double>();
        for (std::size_t i = 0; i < after.size(); ++i) {
            const double update = after[i] - before[k][i];
            update_squared[group] += update * update;
            weight_squared[group] += before[k][i] * before[k][i];
        }
    }
    std::vector<double> ratios(names_.size());
    for (std::size_t g = 0; g < names_.size(); ++g)
        ratios[g] = weight_squared[g] > 0 ? std::sqrt(update_squared[g] / weight_squared[g]) : 0.0;
    return ratios;
}

int64_t count_nonfinite_gradients(const std::vector<Tensor>& parameters) {
    NoGradGuard no_grad;
    int64_t count = 0;
    for (const Tensor& parameter : parameters) {
        const Tensor grad = parameter.grad();
        if (!grad.defined()) continue;
        for (double value : grad.to_vector<double>()) count += std::isfinite(value) ? 0 : 1;
    }
    return count;
}

double clip_factor(double grad_norm, double clip_norm) {
    if (clip_norm <= 0 || !std::isfinite(grad_norm)) return 1.0;
    return std::min(1.0, clip_norm / (grad_norm + 1e-6));  // optim::clip_grad_norm's clip_coef
}

std::vector<std::string> health_columns(const ParameterGroups& groups) {
    std::vector<std::string> columns{"grad_norm", "clip_factor", "nonfinite"};
    for (const std::string& group : groups.names()) columns.push_back("update_ratio_" + group);
    return columns;
}

std::map<std::string, double> health_values(const ParameterGroups& groups, const StepHealth& health) {
    std::map<std::string, double> values{{"grad_norm", health.grad_norm},
                                         {"clip_factor", health.clip_factor},
                                         {"nonfinite", static_cast<double>(health.nonfinite)}};
    for (std::size_t g = 0; g < groups.names().size() && g < health.update_ratios.size(); ++g)
        values["update_ratio_" + groups.names()[g]] = health.update_ratios[g];
    return values;
}

}  // namespace tapegrad::translate
