"""A pool of training samples with the frozen encoder trunk's output cached, so training steps run
only the tuned encoder tail and the head.

    python3 -m smat_model.training.feature_cache --data ../shared/data --out runs/cache768

Samples are generated from seeds (shard i uses seed `base_seed + i`), so a lost cache is rebuilt
exactly; the builder skips shards that exist and can run while training reads the finished ones.
"""
import argparse
import glob
import os
import time

import numpy as np
import torch

from ..data.data_root import DataRoot
from ..data.sample_factory import SampleFactory
from ..modeling.build import build_encoder

SHARD = 25


def shard_path(out: str, index: int) -> str:
    return os.path.join(out, f"shard-{index:05d}.npz")


def build_shard(encoder, factory, seed: int, auto_fraction: float):
    """One shard; its trunk output stops where `encoder.tuned_stage2_blocks` says the tail begins."""
    rng = np.random.default_rng(seed)
    samples = [
        factory.automatic(rng) if rng.random() < auto_fraction else factory.interactive(rng) for _ in range(SHARD)
    ]
    images = torch.from_numpy(np.stack([s.image for s in samples]))
    with torch.no_grad():
        trunk = torch.cat([encoder.trunk(images[i : i + 1]) for i in range(len(samples))])
    return {
        "image": images.numpy().astype(np.float16),
        "trunk": trunk.numpy().astype(np.float16),
        "alpha": np.stack([s.alpha for s in samples]).astype(np.float16),
        "prompt_masks": np.stack([s.prompt_masks for s in samples]).astype(np.uint8),
        "has_prompt": np.stack([s.has_prompt for s in samples]).astype(np.float32),
        "tuned_stage2_blocks": np.array(encoder.tuned_stage2_blocks),
    }


def trunk_split_of(shard: dict) -> int:
    """A shard's `tuned_stage2_blocks`; pools from before the field cached all of stage 2."""
    return int(shard["tuned_stage2_blocks"]) if "tuned_stage2_blocks" in shard else 0


def pool_trunk_split(folder: str) -> int:
    """The `tuned_stage2_blocks` of a pool on disk, read from its first shard alone."""
    shards = sorted(glob.glob(os.path.join(folder, "shard-*.npz")))
    if not shards:
        raise SystemExit(f"{folder} has no shard: build it with `npm run train:cache -- --out {folder}`")
    with np.load(shards[0]) as z:
        return trunk_split_of(z)


class CachedPool:
    """The finished shards, re-scanned on demand so a pool that is still being built grows."""

    def __init__(self, folder: str):
        self.folder = folder
        self.shards = {}

    def refresh(self) -> int:
        for path in sorted(glob.glob(os.path.join(self.folder, "shard-*.npz"))):
            if path not in self.shards:
                with np.load(path) as z:
                    self.shards[path] = {k: z[k] for k in z.files}
        return len(self)

    def __len__(self):
        return SHARD * len(self.shards)

    @property
    def image_size(self) -> int:
        """The side the pool's images were cached at (the shards of one pool share it)."""
        return int(next(iter(self.shards.values()))["image"].shape[-1])

    @property
    def tuned_stage2_blocks(self) -> int:
        """The stage-2 blocks left out of the cached trunk, for the tail to run (0 in older pools)."""
        return trunk_split_of(next(iter(self.shards.values())))

    def batch(self, rng, n: int):
        keys = list(self.shards)
        picks = [(keys[rng.integers(len(keys))], int(rng.integers(SHARD))) for _ in range(n)]
        field = lambda name: np.stack([self.shards[k][name][i] for k, i in picks])
        return (
            torch.from_numpy(field("image").astype(np.float32)),
            torch.from_numpy(field("trunk").astype(np.float32)),
            torch.from_numpy(field("alpha").astype(np.float32)),
            torch.from_numpy(field("prompt_masks").astype(np.float32)),
            torch.from_numpy(field("has_prompt")),
        )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.environ.get("SMAT_DATA", "../shared/data"))
    p.add_argument("--out", default="runs/cache768")
    # The shipped model runs at 768 and its latest training stage ran there; 1,500 samples at 768 take
    # ~9.5 GB in the trainer's memory, about what the 3,000-sample pool at 512 took.
    p.add_argument("--size", type=int, default=768)
    p.add_argument("--samples", type=int, default=1500)
    p.add_argument("--auto-fraction", type=float, default=0.5)
    # Seeds 1000-1119 made the 512 pool of the earlier stages; the 768 stage drew new samples.
    p.add_argument("--base-seed", type=int, default=5000)
    p.add_argument(
        "--tuned-stage2-blocks",
        type=int,
        default=0,
        help="leave this many of stage 2's last blocks out of the cached trunk, so training tunes them",
    )
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    encoder = build_encoder()
    encoder.tuned_stage2_blocks = args.tuned_stage2_blocks
    if glob.glob(os.path.join(args.out, "shard-*.npz")):
        cached_split = pool_trunk_split(args.out)
        if cached_split != args.tuned_stage2_blocks:
            # One pool, one split: the trainer runs the same tail on every shard.
            raise SystemExit(
                f"{args.out} was cached with --tuned-stage2-blocks {cached_split}; "
                f"pass that, or another --out for {args.tuned_stage2_blocks}"
            )
    factory = SampleFactory(DataRoot(args.data), args.size)
    for index in range((args.samples + SHARD - 1) // SHARD):
        path = shard_path(args.out, index)
        if os.path.exists(path):
            continue
        started = time.time()
        shard = build_shard(encoder, factory, args.base_seed + index, args.auto_fraction)
        tmp = os.path.join(args.out, f"partial-{index:05d}.npz")  # outside the pool's glob until complete
        np.savez(tmp, **shard)
        os.replace(tmp, path)
        print(f"shard {index} ({SHARD} samples) in {time.time() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
