// The Transformer's building blocks in one include: options, encoder and decoder layers and stacks,
// and the key/value cache for incremental decoding. seq2seq.h assembles them into a translation model.
#pragma once

#include "nn/kv_cache.h"
#include "nn/transformer_decoder.h"
#include "nn/transformer_encoder.h"
#include "nn/transformer_options.h"
