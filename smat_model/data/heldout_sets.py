"""The command line shared by the writers of seeded held-out sets (make_val_composites,
make_foreground_composites): they draw only from the held-out DUTS-TR and BSDS500 files."""
import argparse
import os

import numpy as np

from .data_root import DataRoot
from .sample_factory import SampleFactory


def heldout_set_cli(argv, doc, out, count, size, seed, subdirs):
    """--data, --out, --count and --seed parsed, then the output's subfolders made. Returns (args,
    held-out SampleFactory of `size`, rng seeded `--seed`, by default `seed`)."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.environ.get("SMAT_DATA", "../shared/data"))
    p.add_argument("--out", default=out)
    p.add_argument("--count", type=int, default=count)
    p.add_argument("--seed", type=int, default=seed, help="another seed draws another set from the same held-out files")
    args = p.parse_args(argv)
    factory = SampleFactory(DataRoot(args.data), size, heldout=True)
    rng = np.random.default_rng(args.seed)
    for sub in subdirs:
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
    return args, factory, rng
