import numpy as np
import torch

from smat_model.data.data_root import DataRoot
from smat_model.data.sample_factory import SampleFactory
from smat_model.modeling.smat import SMat, SMatHead
from smat_model.training.losses import smat_loss
from smat_model.training.train import make_batch


def test_one_optimiser_step_lowers_the_loss_on_a_fixed_batch(data_root, encoder):
    torch.manual_seed(0)
    factory = SampleFactory(DataRoot(data_root), 128)
    images, index, masks, has, gt = make_batch(factory, np.random.default_rng(0), 2, 0.5)
    model = SMat(encoder, SMatHead())
    with torch.no_grad():
        feats = model.encoder(images)
    opt = torch.optim.Adam(model.head.parameters(), lr=1e-3)

    def loss_now():
        alpha, sim = model.head(feats[index], images[index], masks, has)
        return smat_loss(alpha, sim, gt)[0]

    before = loss_now()
    opt.zero_grad()
    before.backward()
    opt.step()
    with torch.no_grad():
        after = loss_now()
    print(f"loss {before.item():.4f} -> {after.item():.4f}")
    assert after.item() < before.item()
    assert all(p.grad is None for p in model.encoder.parameters())
