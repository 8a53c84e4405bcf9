"""The automatic candidate (SMat section 3): who to cut out when nothing is prompted, as one token.

It starts from a learned saliency query, standing in for the ViT class token that TinyViT does not
have, is refined by cross-attention over the image features, and its cosine similarity with every
image feature gives a probabilistic similarity map. Prompted mattes take SAM's interaction instead
(`sam_interaction.py`, `smat.py`'s `PromptedSimilarity`).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import HeadConfig


def sine_position_encoding(h: int, w: int, dim: int) -> torch.Tensor:
    """Fixed 2-D sinusoidal encoding [1, dim, h, w] on normalised coordinates, so it is defined at
    every feature size and tells the candidate where each token lies."""
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

    def forward(self, cand: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        # cand [B,1,C], tokens [B,N,C]
        b, n, c = tokens.shape
        hd = c // self.heads
        q = self.q(self.norm_q(cand)).view(b, 1, self.heads, hd).transpose(1, 2)
        k, v = self.kv(self.norm_kv(tokens)).view(b, n, 2, self.heads, hd).permute(2, 0, 3, 1, 4)
        attn = (q @ k.transpose(-2, -1)) * hd**-0.5
        upd = (attn.softmax(-1) @ v).transpose(1, 2).reshape(b, 1, c)
        cand = cand + self.out(upd)
        return cand + self.mlp(self.norm_mlp(cand))


class CandidateSimilarity(nn.Module):
    def __init__(self, config: HeadConfig):
        super().__init__()
        dim = config.feature_dim
        self.saliency_query = nn.Parameter(torch.randn(dim) * 0.02)
        self.token_proj = nn.Conv2d(dim, dim, 1)
        self.updates = nn.ModuleList(
            [CrossAttentionUpdate(dim, config.candidate_heads) for _ in range(config.candidate_layers)]
        )
        self.sim_key = nn.Conv2d(dim, dim, 1)
        self.sim_query = nn.Linear(dim, dim)
        # cosine in [-1, 1] -> logit; a learned temperature keeps the map soft but separable.
        self.sim_scale = nn.Parameter(torch.tensor(10.0))
        self.sim_bias = nn.Parameter(torch.tensor(0.0))

    def forward(self, features):
        """The similarity map [B,1,h,w] and its logit."""
        b, c, h, w = features.shape
        tokens_map = self.token_proj(features) + sine_position_encoding(int(h), int(w), int(c)).to(features)
        tokens = tokens_map.flatten(2).transpose(1, 2)
        cand = self.saliency_query.view(1, 1, c).expand(b, 1, c)
        for layer in self.updates:
            cand = layer(cand, tokens)
        key = F.normalize(self.sim_key(tokens_map), dim=1)
        query = F.normalize(self.sim_query(cand.squeeze(1)), dim=1)
        cosine = (key * query.view(b, c, 1, 1)).sum(1, keepdim=True)
        logit = self.sim_scale * cosine + self.sim_bias
        return torch.sigmoid(logit), logit
