// Learning-rate schedules as pure functions of the step, and the Scheduler that applies one to an
// Optimizer.
//
// Steps count optimizer updates from 1: lr_at(1) is the learning rate of the first update (the
// Noam formula's step_num). Because a schedule is a pure function, resuming a run only needs the
// step count, which the Scheduler saves in the checkpoint metadata.
//
// Schedules compose: sequential() runs one schedule then another (each sees its own steps from 1),
// and product() multiplies two, so a warmup factor can be put in front of any decay:
//   auto schedule = product(linear_warmup({.lr = 1.0, .warmup_steps = 500}),
//                           step_decay({.lr = 3e-4, .step_size = 10'000, .gamma = 0.5}));
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "autograd/serialize/safetensors.h"

namespace tapegrad::optim {

class Optimizer;

class Schedule {
public:
    virtual ~Schedule() = default;
    // The learning rate of update number `step` (>= 1; smaller steps throw std::invalid_argument).
    virtual double lr_at(int64_t step) const = 0;
    // The schedule and its settings, e.g. "noam(d_model=512, warmup_steps=4000, factor=1)".
    virtual std::string to_string() const = 0;
};
using SchedulePtr = std::shared_ptr<const Schedule>;

// lr for every step.
SchedulePtr constant(double lr);

struct LinearWarmupOptions {
    double lr = 1e-3;           // the learning rate reached at the end of the warmup, then kept
    int64_t warmup_steps = 0;   // lr · step / warmup_steps up to warmup_steps; 0: no warmup
};
SchedulePtr linear_warmup(LinearWarmupOptions options);

// "Attention Is All You Need" (Vaswani et al. 2017), §5.3:
//   lr = factor · d_model^−0.5 · min(step^−0.5, step · warmup_steps^−1.5)
// rises linearly for warmup_steps, peaks at factor · (d_model · warmup_steps)^−0.5, then decays as step^−0.5.
struct NoamOptions {
    int64_t d_model = 512;        // model width (the paper's base model: 512)
    int64_t warmup_steps = 4000;  // the paper's value
    double factor = 1.0;          // overall scale (the annotated transformer often uses 1 or 2)
};
SchedulePtr noam(NoamOptions options);

// Linear warmup to lr, then half a cosine from lr down to min_lr at total_steps, then min_lr
// (Loshchilov & Hutter 2017, SGDR, without restarts).
struct WarmupCosineOptions {
    double lr = 1e-3;           // peak learning rate
    int64_t warmup_steps = 0;   // linear warmup length (0: start at lr)
    int64_t total_steps = 0;    // the step where min_lr is reached (required, > warmup_steps)
    double min_lr = 0.0;        // final learning rate, in [0, lr]
};
SchedulePtr warmup_cosine(WarmupCosineOptions options);

// lr · gamma^⌊(step − 1) / step_size⌋: steps 1..step_size use lr, the next step_size lr · gamma, ...
// (torch.optim.lr_scheduler.StepLR counted in updates).
struct StepDecayOptions {
    double lr = 1e-3;        // initial learning rate
    int64_t step_size = 0;   // decay period in steps (required, > 0)
    double gamma = 0.1;      // multiplicative decay, in (0, 1]
};
SchedulePtr step_decay(StepDecayOptions options);

// schedules[0] for steps 1..milestones[0], then schedules[1] restarted at its step 1, and so on
// (torch.optim.lr_scheduler.SequentialLR). milestones: increasing, one fewer than schedules.
SchedulePtr sequential(std::vector<SchedulePtr> schedules, std::vector<int64_t> milestones);

// a.lr_at(step) · b.lr_at(step): e.g. a warmup factor (lr = 1) times any schedule.
SchedulePtr product(SchedulePtr a, SchedulePtr b);

// For the command line: name is constant, warmup, noam, cosine or step; params are the options'
// fields by name, e.g. make_schedule("cosine", {{"lr", 1e-3}, {"warmup_steps", 100}, {"total_steps", 5000}}).
// Missing fields take the options' defaults. Unknown names or fields, non-integral step counts and
// invalid values throw std::invalid_argument.
SchedulePtr make_schedule(const std::string& name, const std::map<std::string, double>& params = {});
// The same from one string "name" or "name:key=value,key=value", e.g. "noam:d_model=256,warmup_steps=4000".
SchedulePtr parse_schedule(const std::string& spec);

// Applies a schedule to an optimizer: every group's lr is set to the schedule's value.
//   Scheduler scheduler(optimizer, noam({.d_model = 256}));
//   for (...) { loss.backward(); optimizer.step(); scheduler.step(); optimizer.zero_grad(); }
// The optimizer must outlive the scheduler.
class Scheduler {
public:
    // Sets the lr of the first update, lr_at(1).
    Scheduler(Optimizer& optimizer, SchedulePtr schedule);

    // Call once after each optimizer.step(): counts the update and sets the lr of the next one.
    void step();
    // Updates counted so far; the next update is number step_count() + 1.
    int64_t step_count() const { return step_count_; }
    // The lr the next update uses: schedule.lr_at(step_count() + 1).
    double lr() const;
    const Schedule& schedule() const { return *schedule_; }

    // {"<prefix>.step": the step count, "<prefix>.schedule": to_string() (informational)}, for the
    // checkpoint metadata next to the optimizer's.
    SafetensorsMetadata state_dict(const std::string& prefix = "scheduler") const;
    // Restores the step count and sets the optimizer's lr to lr_at(step_count() + 1). Throws
    // std::invalid_argument when "<prefix>.step" is missing or not a non-negative integer.
    void load_state_dict(const SafetensorsMetadata& metadata, const std::string& prefix = "scheduler");

private:
    Optimizer& optimizer_;
    SchedulePtr schedule_;
    int64_t step_count_ = 0;
};

}  // namespace tapegrad::optim
