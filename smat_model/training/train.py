"""The one training entry point: `npm run train -- [--stage head|refiner] [that stage's options]`.

    npm run train -- --data ../shared/data --cache runs/cache768 --run runs/tail768
    npm run train -- --stage refiner --cache runs/cache768 --run runs/refiner

`head` (the default) trains the head and the encoder's tail on the cached pool (`train_head.py`);
`refiner` trains the edge refiner on crops of the frozen network's output (`train_refiner.py`).
Both run on `training_loop.py`; `npm run train -- --stage STAGE --help` lists a stage's options.
"""
import argparse

from . import train_head, train_refiner

STAGES = {"head": train_head.main, "refiner": train_refiner.main}


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, add_help=False
    )
    p.add_argument("--stage", choices=tuple(STAGES), default="head")
    args, rest = p.parse_known_args(argv)
    STAGES[args.stage](rest)


if __name__ == "__main__":
    main()
