import numpy as np
import torch

from smat_model.data.data_root import DataRoot
from smat_model.data.sample_factory import SampleFactory
from smat_model.modeling.smat import SMat, SMatHead
from smat_model.training.losses import smat_loss
from smat_model.training.train_head import head_pass, prompts_of_variants


def test_one_optimiser_step_lowers_the_loss_on_a_fixed_batch(data_root, encoder):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    factory = SampleFactory(DataRoot(data_root), 128)
    samples = [factory.automatic(rng), factory.interactive(rng)]
    images = torch.from_numpy(np.stack([s.image for s in samples]))
    alpha = torch.from_numpy(np.stack([s.alpha for s in samples]))
    masks = torch.from_numpy(np.stack([s.prompt_masks for s in samples]).astype(np.float32))
    has = torch.from_numpy(np.stack([s.has_prompt for s in samples]).astype(np.float32))
    variants = prompts_of_variants(rng, alpha, masks, has)
    # Every image carries k prompt variants: the encoder runs once per image, the head k times.
    gt = alpha[:, None].repeat_interleave(masks.shape[1], dim=0)
    model = SMat(encoder, SMatHead())
    with torch.no_grad():
        feats = model.encoder(images)
    opt = torch.optim.Adam(model.head.parameters(), lr=1e-3)

    def loss_now():
        pred, sim = head_pass(model.head, feats, images, masks, has, variants)
        return smat_loss(pred, sim, gt)[0]

    before = loss_now()
    opt.zero_grad()
    before.backward()
    opt.step()
    with torch.no_grad():
        after = loss_now()
    print(f"loss {before.item():.4f} -> {after.item():.4f}")
    assert after.item() < before.item()
    assert all(p.grad is None for p in model.encoder.parameters())
