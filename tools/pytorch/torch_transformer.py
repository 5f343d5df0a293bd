"""nn::Seq2SeqTransformer (nn/seq2seq.h) written as a torch module around torch.nn.Transformer.

  source (B, S) -> embed·√E + PE[:S] -> dropout -> transformer.encoder -> memory (B, S, E)
  target (B, T) -> embed·√E + PE[:T] -> dropout -> transformer.decoder (causal, cross-attn to memory)
                -> output_projection (or the target embedding matrix, tied) -> logits (B, T, V)

What has to match tapegrad for the same weights to give the same numbers (docs/interop.md):
  * the embeddings are multiplied by √E before the positions are added;
  * the positions are the fixed sinusoidal table PE (a buffer "positional_encoding.pe", loaded from the
    checkpoint rather than recomputed);
  * every layer is post-norm (the paper's) or pre-norm (norm_first) as the config's pre_norm says, and both
    stacks end in a LayerNorm (torch.nn.Transformer always adds them; tapegrad always builds them);
  * PAD (id 0) positions are blocked as keys everywhere, and the decoder's self-attention is causal;
  * with tied embeddings there is no output_projection: logits = state · target_embedding.weightᵀ, no bias.
Shapes: B batch, S source length, T target length, E embed_dim, V vocabulary.
"""
import math

import torch
from torch import nn

PAD_ID, BOS_ID, EOS_ID = 0, 1, 2


def sinusoidal_table(max_len, embed_dim):
    """PE(pos, 2i) = sin(pos / 10000^(2i/E)), PE(pos, 2i+1) = cos(...): (max_len, E), computed in float64 and
    rounded to float32, as nn/positional_encoding.cpp."""
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)           # (max_len, 1)
    two_i = torch.arange(embed_dim, dtype=torch.float64)
    two_i = two_i - torch.remainder(two_i, 2)                                    # 0, 0, 2, 2, 4, ...
    angle = position * torch.exp(-math.log(10000.0) * two_i / embed_dim)         # (max_len, E)
    table = torch.where(torch.arange(embed_dim) % 2 == 0, torch.sin(angle), torch.cos(angle))
    return table.to(torch.float32)


class SinusoidalPositions(nn.Module):
    def __init__(self, max_len, embed_dim):
        super().__init__()
        self.register_buffer("pe", sinusoidal_table(max_len, embed_dim))  # (max_len, E), saved, never trained

    def forward(self, x):  # x (B, L, E) -> x + PE[:L]
        if x.size(1) > self.pe.size(0):
            raise ValueError(f"positions 0..{x.size(1) - 1} exceed max_len {self.pe.size(0)}")
        return x + self.pe[: x.size(1)]


class TapegradTransformer(nn.Module):
    """Children: source_embedding, target_embedding, positional_encoding, dropout, transformer
    (torch.nn.Transformer, batch_first), output_projection (None when tied)."""

    def __init__(self, *, source_vocab_size, target_vocab_size, embed_dim, num_heads, num_encoder_layers,
                 num_decoder_layers, ff_dim, dropout, activation="relu", norm_first=False, max_len=256,
                 tie_target_embeddings=False):
        super().__init__()
        self.embed_dim = embed_dim
        self.source_embedding = nn.Embedding(source_vocab_size, embed_dim, padding_idx=PAD_ID)
        self.target_embedding = nn.Embedding(target_vocab_size, embed_dim, padding_idx=PAD_ID)
        self.positional_encoding = SinusoidalPositions(max_len, embed_dim)
        self.dropout = nn.Dropout(dropout)
        self.transformer = nn.Transformer(
            d_model=embed_dim, nhead=num_heads, num_encoder_layers=num_encoder_layers,
            num_decoder_layers=num_decoder_layers, dim_feedforward=ff_dim, dropout=dropout, activation=activation,
            layer_norm_eps=1e-5, batch_first=True, norm_first=norm_first)
        # torch 1.13's encoder would turn padded batches into its prototype nested tensors (and warn); the plain
        # path gives the same numbers at the positions that are read.
        self.transformer.encoder.enable_nested_tensor = False
        self.output_projection = None if tie_target_embeddings else nn.Linear(embed_dim, target_vocab_size)
        # tapegrad's init (nn/seq2seq.h): embeddings N(0, 1/E) with the PAD row zero, so that after the √E
        # scale they have unit variance. (torch.nn.Transformer has already Xavier-initialised its own weights.)
        with torch.no_grad():
            for embedding in (self.source_embedding, self.target_embedding):
                embedding.weight.normal_(0.0, embed_dim ** -0.5)
                embedding.weight[PAD_ID].zero_()

    def embed(self, embedding, tokens):  # tokens (B, L) -> (B, L, E)
        return self.dropout(self.positional_encoding(embedding(tokens) * math.sqrt(self.embed_dim)))

    def encode(self, source):  # source (B, S) -> memory (B, S, E)
        return self.transformer.encoder(self.embed(self.source_embedding, source),
                                        src_key_padding_mask=source == PAD_ID)

    def decode(self, target, memory, source):  # target (B, T), memory (B, S, E), source (B, S) -> (B, T, V)
        length = target.size(1)
        future = torch.triu(torch.ones(length, length, dtype=torch.bool), diagonal=1)  # (T, T), True = blocked
        states = self.transformer.decoder(self.embed(self.target_embedding, target), memory, tgt_mask=future,
                                          tgt_key_padding_mask=target == PAD_ID,
                                          memory_key_padding_mask=source == PAD_ID)    # (B, T, E)
        if self.output_projection is not None:
            return self.output_projection(states)
        return states @ self.target_embedding.weight.t()  # tied: (B, T, E) @ (E, V)

    def forward(self, source, target_input):  # (B, S), (B, T) -> logits (B, T, V)
        return self.decode(target_input, self.encode(source), source)


@torch.no_grad()
def greedy_decode(model, source_ids, max_len):
    """The most likely next token at every step, fed back in, as nn/greedy_decode.cpp: the output ids without
    BOS, ending before EOS or after max_len tokens. Re-runs the decoder on the whole prefix at each step (torch
    has no key/value cache here), which gives the same logits as tapegrad's cached steps."""
    was_training = model.training
    model.eval()
    source = torch.tensor([source_ids], dtype=torch.int64)
    memory = model.encode(source)
    prefix = [BOS_ID]
    for _ in range(max_len):
        logits = model.decode(torch.tensor([prefix], dtype=torch.int64), memory, source)  # (1, t, V)
        token = int(torch.argmax(logits[0, -1]))
        if token == EOS_ID:
            break
        prefix.append(token)
    model.train(was_training)
    return prefix[1:]
