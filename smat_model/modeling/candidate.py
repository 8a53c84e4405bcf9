"""The candidate feature (SMat section 3): who to cut out, as one 256-d token.

Automatic mode starts from a learned saliency query, standing in for the ViT class token that
TinyViT does not have; interactive mode starts from the prompt's mask-average-pooled feature.
The token is then refined by cross-attention over the image features, and its cosine similarity
with every image feature gives a probabilistic similarity map.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .prompt_encoding import mask_average_pool


def sine_position_encoding(h: int, w: int, dim: int) -> torch.Tensor:
    """Fixed 2-D sinusoidal encoding [1, dim, h, w] on normalised coordinates, so it is defined at
    every feature size and lets pooled prompt features carry where the prompt was."""
    quarter = dim // 4
    freqs = torch.exp(torch.arange(quarter, dtype=torch.float32) * (-math.log(1000.0) / quarter))
    ys = (torch.arange(h, dtype=torch.float32) + 0.5) / h * 2 * math.pi
    xs = (torch.arange(w, dtype=torch.float32) + 0.5) / w * 2 * math.pi
    ey = ys[:, None] * freqs[None] * 8  # [h, q]
    ex = xs[:, None] * freqs[None] * 8  # [w, q]
    pe_y = torch.cat([ey.sin(), ey.cos()], dim=1)[:, None, :].expand(h, w, 2 * quarter)
    pe_x = torch.cat([ex.sin(), ex.cos()], dim=1)[None, :, :].expand(h, w, 2 * quarter)
    return torch.cat([pe_y, pe_x], dim=2).permute(2, 0, 1).unsqueeze(0)


class CrossAttentionUpdate(nn.Module):
    """One pre-norm cross-attention + MLP step: candidate token attends to image tokens."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.norm_q = nn.LayerNorm(dim)
        self.norm_kv = nn.LayerNorm(dim)
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, 2 * dim)
        self.out = nn.Linear(dim, dim)
        self.norm_mlp = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, cand: torch.Tensor, tokens: torch.Tensor, attention_bias=None) -> torch.Tensor:
        # cand [B,1,C], tokens [B,N,C], attention_bias [B,N] added to every head's logits
        b, n, c = tokens.shape
        hd = c // self.heads
        q = self.q(self.norm_q(cand)).view(b, 1, self.heads, hd).transpose(1, 2)
        k, v = self.kv(self.norm_kv(tokens)).view(b, n, 2, self.heads, hd).permute(2, 0, 3, 1, 4)
        attn = (q @ k.transpose(-2, -1)) * hd**-0.5
        if attention_bias is not None:
            attn = attn + attention_bias.view(b, 1, 1, n)
        upd = (attn.softmax(-1) @ v).transpose(1, 2).reshape(b, 1, c)
        cand = cand + self.out(upd)
        return cand + self.mlp(self.norm_mlp(cand))


class JointSelfAttention(nn.Module):
    """One pre-norm self-attention + MLP step over [candidate; image tokens]: the image tokens read
    the candidate (and each other, globally) as well as the reverse, as in SAM's two-way decoder.
    The residual branches start at zero so a head trained without this step loads unchanged."""

    def __init__(self, dim: int, heads: int, mlp_ratio: int = 2):
        super().__init__()
        self.heads = heads
        self.norm = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.norm_mlp = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.GELU(), nn.Linear(mlp_ratio * dim, dim))
        for layer in (self.out, self.mlp[2]):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        b, n, c = seq.shape
        hd = c // self.heads
        q, k, v = self.qkv(self.norm(seq)).view(b, n, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        attn = (q @ k.transpose(-2, -1)) * hd**-0.5
        seq = seq + self.out((attn.softmax(-1) @ v).transpose(1, 2).reshape(b, n, c))
        return seq + self.mlp(self.norm_mlp(seq))


class DensePromptEmbedding(nn.Module):
    """The prompt's coverage of each feature cell, added to that cell's token (SAM's dense prompt):
    a token then knows it lies inside the box or under a click, which pooling alone cannot tell it."""

    def __init__(self, dim: int, hidden: int = 64):
        super().__init__()
        self.embed = nn.Sequential(nn.Conv2d(1, hidden, 1), nn.GELU(), nn.Conv2d(hidden, dim, 1))
        nn.init.zeros_(self.embed[2].weight)
        nn.init.zeros_(self.embed[2].bias)

    def forward(self, prompt_weights: torch.Tensor) -> torch.Tensor:
        return self.embed(prompt_weights)


class PromptAffinity(nn.Module):
    """How closely each image token resembles the closest prompted token (a soft maximum of cosine
    similarity over the prompt's cells), added to the similarity logit with a weight set by how
    much of the image the prompt covers.

    One averaged candidate matches none of the parts ten clicks land on (face, shirt, trousers),
    so clicked objects came out under-segmented with high precision; a token like any clicked
    token is likely the object. A box covers background too, so the weight depends on coverage
    (learned), and starts at zero so a head trained without this term loads unchanged."""

    def __init__(self):
        super().__init__()
        self.temperature = nn.Parameter(torch.tensor(10.0))
        self.weight_from_coverage = nn.Linear(1, 2)  # -> (scale, offset) of the added logit
        nn.init.zeros_(self.weight_from_coverage.weight)
        nn.init.zeros_(self.weight_from_coverage.bias)

    def forward(self, unit_keys, prompt_weights, has_prompt):
        # unit_keys [B,C,h,w] L2-normalised over C; prompt_weights [B,1,h,w] in [0, 1]
        b, _, h, w = unit_keys.shape
        keys = unit_keys.flatten(2)
        scaled = self.temperature * (keys.transpose(1, 2) @ keys)  # [B, N, N]
        weights = prompt_weights.flatten(2)  # [B, 1, N]
        # log(0) would be -inf; -69 (log 1e-30) drops unprompted cells at any sane temperature.
        scaled = scaled + torch.log(weights.clamp_min(1e-30))
        # logsumexp written out (max, exp, sum, log), so the graph needs only the most common ops.
        peak = scaled.amax(dim=2, keepdim=True).detach()
        soft_max = (peak + torch.log(torch.exp(scaled - peak).sum(dim=2, keepdim=True))).squeeze(2)
        total = weights.sum(dim=2).clamp_min(1e-6)  # [B, 1]
        affinity = (soft_max - torch.log(total)) / self.temperature  # ~ cosine to the closest prompted cell
        coverage = torch.log(total / (h * w))
        scale, offset = self.weight_from_coverage(coverage).unbind(1)
        added = scale.view(b, 1) * affinity + offset.view(b, 1)
        return (has_prompt.view(b, 1) * added).view(b, 1, h, w)


class PromptReader(nn.Module):
    """The salient object inside the prompt: a learned query that attends only to prompted tokens,
    added to the pooled prompt feature.

    A box around a person in a busy scene pools suit, face, wall and helmet into a mean that
    matches none of them (the astronaut's box cut-out lost the suit); the automatic query, reading
    only the box's tokens, found the whole person. Its output projection starts at zero, so a head
    trained without it loads unchanged; `start_from` copies the automatic path into it."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.query = nn.Parameter(torch.randn(dim) * 0.02)
        self.read = CrossAttentionUpdate(dim, heads)
        self.inject = nn.Linear(dim, dim)
        nn.init.zeros_(self.inject.weight)
        nn.init.zeros_(self.inject.bias)

    def start_from(self, saliency_query: torch.Tensor, first_update: CrossAttentionUpdate):
        with torch.no_grad():
            self.query.copy_(saliency_query)
        self.read.load_state_dict(first_update.state_dict())

    def forward(self, tokens, prompt_weights):
        # tokens [B,N,C]; prompt_weights [B,1,h,w]: a cell outside the prompt gets log(1e-4), so
        # unprompted cells (and letterbox padding) drop out of the softmax.
        b, n, c = tokens.shape
        bias = torch.log(prompt_weights.reshape(b, n).clamp_min(1e-4))
        read = self.read(self.query.view(1, 1, c).expand(b, 1, c), tokens, bias)
        return self.inject(read.squeeze(1))


class CandidateSimilarity(nn.Module):
    def __init__(
        self,
        dim: int = 256,
        layers: int = 2,
        heads: int = 8,
        mixer_layers: int = 1,
        dense_prompt: bool = True,
        prompt_affinity: bool = False,
        prompt_reader: bool = False,
    ):
        super().__init__()
        self.saliency_query = nn.Parameter(torch.randn(dim) * 0.02)
        self.token_proj = nn.Conv2d(dim, dim, 1)
        self.updates = nn.ModuleList([CrossAttentionUpdate(dim, heads) for _ in range(layers)])
        # Optional because the prompt's coverage added to every token lets the similarity map copy the
        # prompt's footprint: 100 steps with it took composite 10-point IoU from 0.63 to 0.54 (docs/training-log.md).
        self.dense_prompt = DensePromptEmbedding(dim) if dense_prompt else None
        self.mixer = nn.ModuleList([JointSelfAttention(dim, heads) for _ in range(mixer_layers)])
        self.sim_key = nn.Conv2d(dim, dim, 1)
        self.sim_query = nn.Linear(dim, dim)
        # cosine in [-1, 1] -> logit; a learned temperature keeps the map soft but separable.
        self.sim_scale = nn.Parameter(torch.tensor(10.0))
        self.sim_bias = nn.Parameter(torch.tensor(0.0))
        self.prompt_affinity = PromptAffinity() if prompt_affinity else None
        self.prompt_reader = PromptReader(dim, heads) if prompt_reader else None

    def start_prompt_reader(self):
        """A newly added reader starts as this head's automatic path (its query, its first update)."""
        self.prompt_reader.start_from(self.saliency_query, self.updates[0])

    def forward(self, features, prompt_weights, has_prompt):
        b, c, h, w = features.shape
        tokens_map = self.token_proj(features) + sine_position_encoding(int(h), int(w), int(c)).to(features)
        pooled = mask_average_pool(tokens_map, prompt_weights)
        tokens = tokens_map.flatten(2).transpose(1, 2)
        if self.prompt_reader is not None:
            pooled = pooled + self.prompt_reader(tokens, prompt_weights)
        has = has_prompt.view(b, 1)
        cand = has * pooled + (1 - has) * self.saliency_query.view(1, c)
        cand = cand.unsqueeze(1)
        for layer in self.updates:
            cand = layer(cand, tokens)
        if self.dense_prompt is not None:
            tokens = tokens + self.dense_prompt(prompt_weights).flatten(2).transpose(1, 2)
        seq = torch.cat([cand, tokens], 1)
        for layer in self.mixer:
            seq = layer(seq)
        cand = seq[:, :1]
        tokens_map = seq[:, 1:].transpose(1, 2).reshape(b, c, h, w)
        key = F.normalize(self.sim_key(tokens_map), dim=1)
        query = F.normalize(self.sim_query(cand.squeeze(1)), dim=1)
        cosine = (key * query.view(b, c, 1, 1)).sum(1, keepdim=True)
        logit = self.sim_scale * cosine + self.sim_bias
        if self.prompt_affinity is not None:
            logit = logit + self.prompt_affinity(key, prompt_weights, has_prompt)
        return torch.sigmoid(logit), logit
