// Everything in optim/: the Optimizer base, SGD, Adam/AdamW, RMSprop, Adagrad, gradient clipping,
// and learning-rate schedules.
#pragma once

#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/clip_grad.h"
#include "optim/lr_schedule.h"
#include "optim/optimizer.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"
