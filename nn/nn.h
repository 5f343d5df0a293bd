// Everything in nn/: the Module base, initialisers, layers and checkpoints. Include this to build models.
#pragma once

#include "autograd/autograd.h"
#include "nn/activation.h"
#include "nn/checkpoint.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/feed_forward.h"
#include "nn/init.h"
#include "nn/layer_norm.h"
#include "nn/linear.h"
#include "nn/module.h"
#include "nn/positional_encoding.h"

// attention and transformer
// (their authors append the includes below)
#include "nn/attention.h"
#include "nn/attention_module.h"
#include "nn/greedy_decode.h"
#include "nn/kv_cache.h"
#include "nn/multi_head_attention.h"
#include "nn/self_attention.h"
#include "nn/seq2seq.h"
#include "nn/transformer.h"

// recurrent
#include "nn/gru.h"
#include "nn/lstm.h"
#include "nn/recurrent.h"
