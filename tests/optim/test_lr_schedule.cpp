// Learning-rate schedules: exact values at chosen steps (computed by hand in the comments),
// composition, the command-line factory, and a Scheduler that resumes at the right step.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <numbers>

#include <unistd.h>

#include "autograd/autograd.h"
#include "optim/optim.h"

using namespace tapegrad;
using namespace tapegrad::optim;

TEST_CASE("constant and linear warmup", "[optim][schedule]") {
    const SchedulePtr c = constant(0.1);
    CHECK(c->lr_at(1) == 0.1);
    CHECK(c->lr_at(1'000'000) == 0.1);

    // lr · step / 4 until step 4, then lr.
    const SchedulePtr warmup = linear_warmup({.lr = 0.01, .warmup_steps = 4});
    CHECK(warmup->lr_at(1) == Approx(0.0025));
    CHECK(warmup->lr_at(2) == Approx(0.005));
    CHECK(warmup->lr_at(3) == Approx(0.0075));
    CHECK(warmup->lr_at(4) == 0.01);
    CHECK(warmup->lr_at(100) == 0.01);
    CHECK(linear_warmup({.lr = 0.3, .warmup_steps = 0})->lr_at(1) == 0.3);
}

TEST_CASE("noam follows Vaswani et al. §5.3", "[optim][schedule]") {
    // d_model 16, warmup 4, factor 2: lr = 2 · 16^−0.5 · min(s^−0.5, s · 4^−1.5) = 0.5 · min(s^−0.5, s / 8).
    const SchedulePtr schedule = noam({.d_model = 16, .warmup_steps = 4, .factor = 2});
    CHECK(schedule->lr_at(1) == Approx(0.0625));  // 0.5 · 1/8
    CHECK(schedule->lr_at(2) == Approx(0.125));   // 0.5 · 2/8
    CHECK(schedule->lr_at(4) == Approx(0.25));    // the peak: 0.5 · 4^−0.5 = 0.5 · 4/8
    CHECK(schedule->lr_at(16) == Approx(0.125));  // 0.5 · 16^−0.5
    CHECK(schedule->lr_at(64) == Approx(0.0625));  // 0.5 · 64^−0.5
    // The paper's setting peaks at (512 · 4000)^−0.5 ≈ 6.99e-4.
    CHECK(noam({})->lr_at(4000) == Approx(1.0 / std::sqrt(512.0 * 4000.0)));
    CHECK(noam({})->lr_at(3999) < noam({})->lr_at(4000));
    CHECK(noam({})->lr_at(4001) < noam({})->lr_at(4000));
}

TEST_CASE("warmup + cosine decay and step decay", "[optim][schedule]") {
    // Warmup over 2 steps to 1, then 0.1 + 0.9 · ½(1 + cos(π (s − 2) / 4)) until step 6.
    const SchedulePtr cosine = warmup_cosine({.lr = 1.0, .warmup_steps = 2, .total_steps = 6, .min_lr = 0.1});
    CHECK(cosine->lr_at(1) == Approx(0.5));
    CHECK(cosine->lr_at(2) == Approx(1.0));
    CHECK(cosine->lr_at(3) == Approx(0.1 + 0.45 * (1 + std::cos(std::numbers::pi / 4))));  // 0.86820
    CHECK(cosine->lr_at(4) == Approx(0.55));
    CHECK(cosine->lr_at(6) == Approx(0.1));
    CHECK(cosine->lr_at(1000) == Approx(0.1));

    // gamma 0.5 every 3 steps: 1, 1, 1, 0.5, 0.5, 0.5, 0.25.
    const SchedulePtr decay = step_decay({.lr = 1.0, .step_size = 3, .gamma = 0.5});
    CHECK(decay->lr_at(1) == 1.0);
    CHECK(decay->lr_at(3) == 1.0);
    CHECK(decay->lr_at(4) == 0.5);
    CHECK(decay->lr_at(6) == 0.5);
    CHECK(decay->lr_at(7) == 0.25);
}

TEST_CASE("schedules compose: sequential and product", "[optim][schedule]") {
    // Warmup for 2 steps, then a step decay restarted at its own step 1.
    const SchedulePtr seq = sequential({linear_warmup({.lr = 1.0, .warmup_steps = 2}),
                                        step_decay({.lr = 1.0, .step_size = 2, .gamma = 0.1})},
                                       {2});
    CHECK(seq->lr_at(1) == Approx(0.5));
    CHECK(seq->lr_at(2) == Approx(1.0));
    CHECK(seq->lr_at(3) == Approx(1.0));   // decay step 1
    CHECK(seq->lr_at(4) == Approx(1.0));   // decay step 2
    CHECK(seq->lr_at(5) == Approx(0.1));   // decay step 3
    CHECK(seq->lr_at(7) == Approx(0.01));  // decay step 5

    // A warmup factor in front of a constant: 0.2 · min(1, s/4).
    const SchedulePtr prod = product(linear_warmup({.lr = 1.0, .warmup_steps = 4}), constant(0.2));
    CHECK(prod->lr_at(1) == Approx(0.05));
    CHECK(prod->lr_at(4) == Approx(0.2));
    CHECK(prod->to_string() == "product(linear_warmup(lr=1, warmup_steps=4), constant(lr=0.2))");

    // Three pieces.
    const SchedulePtr three = sequential({constant(3), constant(2), constant(1)}, {10, 20});
    CHECK(three->lr_at(10) == 3);
    CHECK(three->lr_at(11) == 2);
    CHECK(three->lr_at(20) == 2);
    CHECK(three->lr_at(21) == 1);
    REQUIRE_THROWS_WITH(sequential({constant(1), constant(2)}, {}), Catch::Contains("need 1 milestones, got 0"));
    REQUIRE_THROWS_WITH(sequential({constant(1), constant(2), constant(3)}, {5, 5}), Catch::Contains("increasing"));
}

TEST_CASE("schedules validate their options and steps", "[optim][schedule]") {
    REQUIRE_THROWS_WITH(constant(-1), Catch::Contains("lr") && Catch::Contains("-1"));
    REQUIRE_THROWS_WITH(noam({.d_model = 0}), Catch::Contains("d_model") && Catch::Contains("0"));
    REQUIRE_THROWS_WITH(warmup_cosine({.warmup_steps = 10, .total_steps = 10}),
                        Catch::Contains("total_steps") && Catch::Contains("10"));
    REQUIRE_THROWS_WITH(warmup_cosine({.lr = 0.1, .total_steps = 10, .min_lr = 0.5}), Catch::Contains("min_lr"));
    REQUIRE_THROWS_WITH(step_decay({.step_size = 0}), Catch::Contains("step_size"));
    REQUIRE_THROWS_WITH(step_decay({.step_size = 5, .gamma = 1.5}), Catch::Contains("gamma") && Catch::Contains("1.5"));
    REQUIRE_THROWS_WITH(constant(1)->lr_at(0), Catch::Contains("steps count from 1, got 0"));
}

TEST_CASE("make_schedule and parse_schedule build schedules by name", "[optim][schedule]") {
    const SchedulePtr made = make_schedule("noam", {{"d_model", 16}, {"warmup_steps", 4}, {"factor", 2}});
    CHECK(made->lr_at(4) == Approx(0.25));
    CHECK(made->to_string() == "noam(d_model=16, warmup_steps=4, factor=2)");
    CHECK(make_schedule("constant", {{"lr", 0.3}})->lr_at(7) == 0.3);
    CHECK(make_schedule("warmup", {{"lr", 1}, {"warmup_steps", 4}})->lr_at(1) == Approx(0.25));
    CHECK(make_schedule("step", {{"lr", 1}, {"step_size", 3}, {"gamma", 0.5}})->lr_at(4) == 0.5);
    const SchedulePtr parsed = parse_schedule("cosine:lr=1,warmup_steps=2,total_steps=6,min_lr=0.1");
    CHECK(parsed->lr_at(4) == Approx(0.55));
    CHECK(parse_schedule("constant")->lr_at(1) == LinearWarmupOptions{}.lr);

    REQUIRE_THROWS_WITH(make_schedule("cosin"), Catch::Contains("unknown schedule 'cosin'") && Catch::Contains("cosine"));
    REQUIRE_THROWS_WITH(make_schedule("noam", {{"warmup", 10}}),
                        Catch::Contains("noam has no parameter 'warmup'") && Catch::Contains("warmup_steps"));
    REQUIRE_THROWS_WITH(make_schedule("noam", {{"warmup_steps", 2.5}}),
                        Catch::Contains("warmup_steps must be an integer, got 2.5"));
    REQUIRE_THROWS_WITH(make_schedule("cosine", {{"lr", 1}}), Catch::Contains("total_steps"));
    REQUIRE_THROWS_WITH(parse_schedule("noam:d_model"), Catch::Contains("key=number"));
}

TEST_CASE("Scheduler drives the optimizer's lr and resumes at the saved step", "[optim][schedule]") {
    Tensor w = zeros({2}, {.dtype = DType::Float64, .requires_grad = true});
    Tensor v = zeros({2}, {.dtype = DType::Float64, .requires_grad = true});
    SGD optimizer(std::vector<ParamGroup>{{.params = {w}}, {.params = {v}, .lr = 0.5}}, {.lr = 0.1});
    const SchedulePtr schedule = step_decay({.lr = 1.0, .step_size = 2, .gamma = 0.5});
    Scheduler scheduler(optimizer, schedule);
    CHECK(optimizer.lr() == 1.0);  // the first update's lr, set at construction
    CHECK(optimizer.lr(1) == 1.0);  // every group
    for (int i = 0; i < 3; ++i) {
        optimizer.step();  // no grads: nothing to update, but the step is counted
        scheduler.step();
    }
    CHECK(scheduler.step_count() == 3);
    CHECK(scheduler.lr() == 0.5);  // lr_at(4): updates 1-2 use 1, updates 3-4 use 0.5
    CHECK(optimizer.lr() == scheduler.lr());

    // Through a checkpoint file's metadata.
    const auto path = std::filesystem::temp_directory_path() / ("tapegrad_sched_" + std::to_string(getpid()));
    save_safetensors(path, {}, scheduler.state_dict());
    const SafetensorsContents loaded = load_safetensors(path);
    std::filesystem::remove(path);
    CHECK(loaded.metadata.at("scheduler.schedule") == "step_decay(lr=1, step_size=2, gamma=0.5)");

    SGD fresh_optimizer({w, v}, {.lr = 0.1});
    Scheduler resumed(fresh_optimizer, schedule);
    resumed.load_state_dict(loaded.metadata);
    CHECK(resumed.step_count() == 3);
    CHECK(fresh_optimizer.lr() == scheduler.lr());
    for (int i = 0; i < 5; ++i) {
        scheduler.step();
        resumed.step();
        CHECK(fresh_optimizer.lr() == optimizer.lr());
    }

    REQUIRE_THROWS_WITH(resumed.load_state_dict({}), Catch::Contains("'scheduler.step' is missing"));
    REQUIRE_THROWS_WITH(resumed.load_state_dict({{"scheduler.step", "-2"}}), Catch::Contains("'-2'"));
}
