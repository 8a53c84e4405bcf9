"""ViTMatte's L1 + a Laplacian-pyramid loss on alpha, plus a BCE on the similarity map.

The similarity BCE is auxiliary: it asks the (never thresholded) similarity map to be a
probability of 'target' per feature cell, which is what the decoder is told it is."""
import torch
import torch.nn.functional as F


def _gauss_kernel(device):
    k = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0], device=device)
    k = (k[:, None] * k[None, :]) / 256.0
    return k.view(1, 1, 5, 5)


def laplacian_pyramid(x: torch.Tensor, levels: int = 5):
    kernel = _gauss_kernel(x.device)
    out = []
    cur = x
    for _ in range(levels):
        blurred = F.conv2d(F.pad(cur, (2, 2, 2, 2), mode="reflect"), kernel)
        down = blurred[:, :, ::2, ::2]
        up = F.interpolate(down, size=cur.shape[-2:], mode="bilinear", align_corners=False)
        out.append(cur - up)
        cur = down
    out.append(cur)
    return out


def laplacian_loss(pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    return sum(
        (2**i) * F.l1_loss(p, g) for i, (p, g) in enumerate(zip(laplacian_pyramid(pred), laplacian_pyramid(gt)))
    )


def alpha_losses(alpha, gt_alpha):
    """ViTMatte's two terms on alpha: (L1, Laplacian-pyramid L1)."""
    return F.l1_loss(alpha, gt_alpha), laplacian_loss(alpha, gt_alpha)


def smat_loss(alpha, similarity, gt_alpha):
    gt_low = F.adaptive_avg_pool2d(gt_alpha, similarity.shape[-2:])
    l1, lap = alpha_losses(alpha, gt_alpha)
    sim = F.binary_cross_entropy(similarity.clamp(1e-4, 1 - 1e-4), gt_low)
    total = l1 + lap + 0.5 * sim
    return total, {"l1": l1.item(), "lap": lap.item(), "sim": sim.item()}
