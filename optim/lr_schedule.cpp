// Learning-rate schedules (pure functions of the step), their combinators, the command-line
// factory, and the Scheduler that applies a schedule to an optimizer.
#include "optim/lr_schedule.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "optim/optimizer.h"

namespace tapegrad::optim {

namespace {

void check_step(int64_t step) {
    if (step < 1) throw std::invalid_argument(fmt::format("lr_at: steps count from 1, got {}", step));
}

void require(bool ok, const char* schedule, const char* option, const char* rule, double value) {
    if (!ok) throw std::invalid_argument(fmt::format("{}: {} must be {}, got {}", schedule, option, rule, value));
}

class Constant : public Schedule {
public:
    explicit Constant(double lr) : lr_(lr) { require(lr >= 0 && std::isfinite(lr), "constant", "lr", ">= 0", lr); }
    double lr_at(int64_t step) const override {
        check_step(step);
        return lr_;
    }
    std::string to_string() const override { return fmt::format("constant(lr={})", lr_); }

private:
    double lr_;
};

class LinearWarmup : public Schedule {
public:
    explicit LinearWarmup(LinearWarmupOptions o) : o_(o) {
        require(o.lr >= 0 && std::isfinite(o.lr), "linear_warmup", "lr", ">= 0", o.lr);
        require(o.warmup_steps >= 0, "linear_warmup", "warmup_steps", ">= 0", double(o.warmup_steps));
    }
    double lr_at(int64_t step) const override {
        check_step(step);
        if (step >= o_.warmup_steps) return o_.lr;
        return o_.lr * double(step) / double(o_.warmup_steps);
    }
    std::string to_string() const override {
        return fmt::format("linear_warmup(lr={}, warmup_steps={})", o_.lr, o_.warmup_steps);
    }

private:
    LinearWarmupOptions o_;
};

class Noam : public Schedule {
public:
    explicit Noam(NoamOptions o) : o_(o) {
        require(o.d_model > 0, "noam", "d_model", "> 0", double(o.d_model));
        require(o.warmup_steps > 0, "noam", "warmup_steps", "> 0", double(o.warmup_steps));
        require(o.factor > 0 && std::isfinite(o.factor), "noam", "factor", "> 0", o.factor);
    }
    // The two arms meet at step = warmup_steps: linear growth before, inverse square root after.
    double lr_at(int64_t step) const override {
        check_step(step);
        const double s = double(step), warmup = double(o_.warmup_steps);
        return o_.factor * std::pow(double(o_.d_model), -0.5) * std::min(std::pow(s, -0.5), s * std::pow(warmup, -1.5));
    }
    std::string to_string() const override {
        return fmt::format("noam(d_model={}, warmup_steps={}, factor={})", o_.d_model, o_.warmup_steps, o_.factor);
    }

private:
    NoamOptions o_;
};

class WarmupCosine : public Schedule {
public:
    explicit WarmupCosine(WarmupCosineOptions o) : o_(o) {
        require(o.lr >= 0 && std::isfinite(o.lr), "warmup_cosine", "lr", ">= 0", o.lr);
        require(o.warmup_steps >= 0, "warmup_cosine", "warmup_steps", ">= 0", double(o.warmup_steps));
        require(o.total_steps > o.warmup_steps, "warmup_cosine", "total_steps", "> warmup_steps",
                double(o.total_steps));
        require(o.min_lr >= 0 && o.min_lr <= o.lr, "warmup_cosine", "min_lr", "in [0, lr]", o.min_lr);
    }
    double lr_at(int64_t step) const override {
        check_step(step);
        if (step < o_.warmup_steps) return o_.lr * double(step) / double(o_.warmup_steps);
        const double progress = std::min(1.0, double(step - o_.warmup_steps) / double(o_.total_steps - o_.warmup_steps));
        return o_.min_lr + (o_.lr - o_.min_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
    }
    std::string to_string() const override {
        return fmt::format("warmup_cosine(lr={}, warmup_steps={}, total_steps={}, min_lr={})", o_.lr, o_.warmup_steps,
                           o_.total_steps, o_.min_lr);
    }

private:
    WarmupCosineOptions o_;
};

class StepDecay : public Schedule {
public:
    explicit StepDecay(StepDecayOptions o) : o_(o) {
        require(o.lr >= 0 && std::isfinite(o.lr), "step_decay", "lr", ">= 0", o.lr);
        require(o.step_size > 0, "step_decay", "step_size", "> 0", double(o.step_size));
        require(o.gamma > 0 && o.gamma <= 1, "step_decay", "gamma", "in (0, 1]", o.gamma);
    }
    double lr_at(int64_t step) const override {
        check_step(step);
        return o_.lr * std::pow(o_.gamma, double((step - 1) / o_.step_size));
    }
    std::string to_string() const override {
        return fmt::format("step_decay(lr={}, step_size={}, gamma={})", o_.lr, o_.step_size, o_.gamma);
    }

private:
    StepDecayOptions o_;
};

class Sequential : public Schedule {
public:
    Sequential(std::vector<SchedulePtr> schedules, std::vector<int64_t> milestones)
        : schedules_(std::move(schedules)), milestones_(std::move(milestones)) {
        if (schedules_.empty() || std::ranges::any_of(schedules_, [](const SchedulePtr& s) { return !s; }))
            throw std::invalid_argument("sequential: needs at least one schedule, and no null ones");
        if (milestones_.size() + 1 != schedules_.size())
            throw std::invalid_argument(fmt::format("sequential: {} schedules need {} milestones, got {}",
                                                    schedules_.size(), schedules_.size() - 1, milestones_.size()));
        for (std::size_t i = 0; i < milestones_.size(); ++i)
            if (milestones_[i] < 1 || (i > 0 && milestones_[i] <= milestones_[i - 1]))
                throw std::invalid_argument(
                    fmt::format("sequential: milestones must be >= 1 and increasing, got {}", milestones_));
    }
    double lr_at(int64_t step) const override {
        check_step(step);
        // The active schedule is the one after the last milestone already passed.
        const auto passed = std::ranges::lower_bound(milestones_, step) - milestones_.begin();
        const int64_t start = passed == 0 ? 0 : milestones_[passed - 1];
        return schedules_[passed]->lr_at(step - start);
    }
    std::string to_string() const override {
        std::vector<std::string> parts;
        for (const SchedulePtr& schedule : schedules_) parts.push_back(schedule->to_string());
        return fmt::format("sequential([{}], milestones={})", fmt::join(parts, ", "), milestones_);
    }

private:
    std::vector<SchedulePtr> schedules_;
    std::vector<int64_t> milestones_;
};

class Product : public Schedule {
public:
    Product(SchedulePtr a, SchedulePtr b) : a_(std::move(a)), b_(std::move(b)) {
        if (!a_ || !b_) throw std::invalid_argument("product: both schedules must be non-null");
    }
    double lr_at(int64_t step) const override { return a_->lr_at(step) * b_->lr_at(step); }
    std::string to_string() const override { return fmt::format("product({}, {})", a_->to_string(), b_->to_string()); }

private:
    SchedulePtr a_, b_;
};

// Reads make_schedule's params, remembering which were used so that unknown ones are reported.
class ParamReader {
public:
    ParamReader(const std::string& schedule, const std::map<std::string, double>& params)
        : schedule_(schedule), params_(params) {}
    double number(const std::string& key, double fallback) {
        accepted_.push_back(key);
        auto it = params_.find(key);
        return it == params_.end() ? fallback : it->second;
    }
    int64_t integer(const std::string& key, int64_t fallback) {
        const double value = number(key, double(fallback));
        if (value != std::floor(value) || std::abs(value) > 9e15)
            throw std::invalid_argument(fmt::format("make_schedule: {}: {} must be an integer, got {}", schedule_, key, value));
        return static_cast<int64_t>(value);
    }
    void check_all_used() const {
        for (const auto& [key, value] : params_)
            if (std::ranges::find(accepted_, key) == accepted_.end())
                throw std::invalid_argument(fmt::format("make_schedule: {} has no parameter '{}' (it takes {})",
                                                        schedule_, key, fmt::join(accepted_, ", ")));
    }

private:
    std::string schedule_;
    const std::map<std::string, double>& params_;
    std::vector<std::string> accepted_;
};

}  // namespace

SchedulePtr constant(double lr) { return std::make_shared<Constant>(lr); }
SchedulePtr linear_warmup(LinearWarmupOptions options) { return std::make_shared<LinearWarmup>(options); }
SchedulePtr noam(NoamOptions options) { return std::make_shared<Noam>(options); }
SchedulePtr warmup_cosine(WarmupCosineOptions options) { return std::make_shared<WarmupCosine>(options); }
SchedulePtr step_decay(StepDecayOptions options) { return std::make_shared<StepDecay>(options); }
SchedulePtr sequential(std::vector<SchedulePtr> schedules, std::vector<int64_t> milestones) {
    return std::make_shared<Sequential>(std::move(schedules), std::move(milestones));
}
SchedulePtr product(SchedulePtr a, SchedulePtr b) { return std::make_shared<Product>(std::move(a), std::move(b)); }

SchedulePtr make_schedule(const std::string& name, const std::map<std::string, double>& params) {
    ParamReader read(name, params);
    SchedulePtr schedule;
    if (name == "constant") {
        schedule = constant(read.number("lr", LinearWarmupOptions{}.lr));
    } else if (name == "warmup") {
        const LinearWarmupOptions d;
        schedule = linear_warmup({.lr = read.number("lr", d.lr), .warmup_steps = read.integer("warmup_steps", d.warmup_steps)});
    } else if (name == "noam") {
        const NoamOptions d;
        schedule = noam({.d_model = read.integer("d_model", d.d_model),
                         .warmup_steps = read.integer("warmup_steps", d.warmup_steps),
                         .factor = read.number("factor", d.factor)});
    } else if (name == "cosine") {
        const WarmupCosineOptions d;
        schedule = warmup_cosine({.lr = read.number("lr", d.lr),
                                  .warmup_steps = read.integer("warmup_steps", d.warmup_steps),
                                  .total_steps = read.integer("total_steps", d.total_steps),
                                  .min_lr = read.number("min_lr", d.min_lr)});
    } else if (name == "step") {
        const StepDecayOptions d;
        schedule = step_decay({.lr = read.number("lr", d.lr),
                               .step_size = read.integer("step_size", d.step_size),
                               .gamma = read.number("gamma", d.gamma)});
    } else {
        throw std::invalid_argument(
            fmt::format("make_schedule: unknown schedule '{}' (known: constant, warmup, noam, cosine, step)", name));
    }
    read.check_all_used();
    return schedule;
}

SchedulePtr parse_schedule(const std::string& spec) {
    const std::size_t colon = spec.find(':');
    std::map<std::string, double> params;
    if (colon != std::string::npos) {
        const std::string list = spec.substr(colon + 1);
        for (std::size_t begin = 0; begin <= list.size();) {
            std::size_t end = list.find(',', begin);
            if (end == std::string::npos) end = list.size();
            const std::string item = list.substr(begin, end - begin);
            const std::size_t equals = item.find('=');
            double value = 0;
            const char* first = item.data() + (equals == std::string::npos ? 0 : equals + 1);
            auto [last, error] = std::from_chars(first, item.data() + item.size(), value);
            if (equals == std::string::npos || equals == 0 || error != std::errc() || last != item.data() + item.size())
                throw std::invalid_argument(
                    fmt::format("parse_schedule: expected key=number in '{}', got '{}'", spec, item));
            params[item.substr(0, equals)] = value;
            begin = end + 1;
        }
    }
    return make_schedule(spec.substr(0, colon), params);
}

// ---- Scheduler ----

Scheduler::Scheduler(Optimizer& optimizer, SchedulePtr schedule) : optimizer_(optimizer), schedule_(std::move(schedule)) {
    if (!schedule_) throw std::invalid_argument("Scheduler: the schedule is null");
    optimizer_.set_lr(lr());
}

double Scheduler::lr() const { return schedule_->lr_at(step_count_ + 1); }

void Scheduler::step() {
    ++step_count_;
    optimizer_.set_lr(lr());
}

SafetensorsMetadata Scheduler::state_dict(const std::string& prefix) const {
    return {{prefix + ".step", std::to_string(step_count_)}, {prefix + ".schedule", schedule_->to_string()}};
}

void Scheduler::load_state_dict(const SafetensorsMetadata& metadata, const std::string& prefix) {
    auto it = metadata.find(prefix + ".step");
    if (it == metadata.end())
        throw std::invalid_argument(fmt::format("Scheduler.load_state_dict: metadata '{}.step' is missing", prefix));
    int64_t step = -1;
    const std::string& text = it->second;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), step);
    if (error != std::errc() || end != text.data() + text.size() || step < 0)
        throw std::invalid_argument(fmt::format(
            "Scheduler.load_state_dict: metadata '{}.step' must be a non-negative integer, got '{}'", prefix, text));
    step_count_ = step;
    optimizer_.set_lr(lr());
}

}  // namespace tapegrad::optim
