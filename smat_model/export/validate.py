"""Validate the exported ONNX files in models/ with the project's own evaluator (`smat eval`, on
onnxruntime-node, the same pre/post-processing as the plugin) and print the model card table.

    python3 -m smat_model.export.validate --data ../shared/data [--models models] [--json models/validation.json]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from ..data import make_val_composites
from ..paths import REPO

RUNS = [
    ("ecssd-val", "auto"),
    ("ecssd-val", "box"),
    ("ecssd-val", "points:10"),
    ("ecssd-val", "scribble"),
    ("composites", "box"),
    ("composites", "points:10"),
    ("composites", "scribble"),
    # Five clicks on the target and two "not this" clicks near it, off it (a neighbour, background).
    ("composites", "points:5+not:2"),
]
# The landing rule: a candidate lands when the mean IoU of these rows beats the shipped model's.
# The "not this" row came later; it is reported beside them, outside the mean, so the means
# stay comparable across the training log.
LANDING_ROWS = RUNS[:7]
# `mad` is mean |alpha - gt|: the table calls it MAE, as salient-object papers do.
KEYS = ["iou", "mad", "sad", "mse", "grad", "conn"]
# The composites know their exact alpha, so their soft band (0 < alpha < 1) is scored on its own.
SOFT_BAND_KEYS = ["sad_unknown", "mse_unknown"]


def run_eval(images, gt, prompt, models, out_json, trimaps=None, limit=None):
    cmd = [
        "node",
        os.path.join(REPO, "bin", "smat.mjs"),
        "eval",
        "--images",
        images,
        "--gt",
        gt,
        "--prompt",
        prompt,
        "--seed",
        "0",
        "--json",
        out_json,
    ]
    if trimaps:
        cmd += ["--trimaps", trimaps]
    if models:
        cmd += ["--models", models]
    if limit:
        cmd += ["--limit", str(limit)]
    subprocess.run(cmd, check=True, cwd=REPO)
    with open(out_json) as f:
        return json.load(f)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.environ.get("SMAT_DATA", os.path.join(REPO, "..", "shared", "data")))
    p.add_argument("--models", default=None)
    p.add_argument("--composites", default=os.path.join(REPO, "runs", "val-composites"))
    p.add_argument("--json", default=None)
    p.add_argument("--jobs", type=int, default=2, help="evaluations run side by side (1 ORT thread each)")
    p.add_argument("--limit", type=int, default=None, help="only the first N photos of each set (a quick check)")
    p.add_argument(
        "--against",
        default=None,
        help="a validation JSON to compare with on the same photos, e.g. models/validation.json",
    )
    return p.parse_args(argv)


def evaluate_all(args):
    """Every (set, prompt) of RUNS through `smat eval`, in RUNS order."""
    sets = {"ecssd-val": os.path.join(args.data, "ecssd-val"), "composites": args.composites}
    with tempfile.TemporaryDirectory() as tmp:

        def one(run):
            name, prompt = run
            folder = sets[name]
            out = os.path.join(tmp, f"{name}-{prompt.replace(':', '')}.json")
            trimaps = os.path.join(folder, "trimaps") if name == "composites" else None
            r = run_eval(
                os.path.join(folder, "images"),
                os.path.join(folder, "masks"),
                prompt,
                args.models,
                out,
                trimaps,
                args.limit,
            )
            return {"set": name, **r}

        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            return list(pool.map(one, RUNS))


def results_table(results) -> str:
    """The model card's validation table, in Markdown."""
    lines = [
        "| set | prompt | n | IoU@0.5 | MAE | SAD | MSE | Grad | Conn | soft-band SAD | soft-band MSE |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        cells = [f"{r[k]:.4f}" if k in ("iou", "mad", "mse") else f"{r[k]:.3f}" for k in KEYS]
        cells += [f"{r[k]:.4f}" if k in r else "–" for k in SOFT_BAND_KEYS]
        lines.append(f"| {r['set']} | {r['prompt']} | {r['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def compare_rows(results, reference):
    """Each row's mean IoU here and in `reference` over the photos both scored, and the landing
    rule's mean over LANDING_ROWS: a --limit run compares with a full one on its own photos."""
    by_row = {(r["set"], r["prompt"]): {p["name"]: p["iou"] for p in r["perImage"]} for r in reference}
    rows = []
    for r in results:
        ref = by_row.get((r["set"], r["prompt"]))
        if ref is None:
            continue
        pairs = [(p["iou"], ref[p["name"]]) for p in r["perImage"] if p["name"] in ref]
        if not pairs:
            continue
        ours, theirs = (sum(x) / len(pairs) for x in zip(*pairs))
        rows.append({"set": r["set"], "prompt": r["prompt"], "n": len(pairs), "iou": ours, "reference": theirs})
    landing = [row for row in rows if (row["set"], row["prompt"]) in LANDING_ROWS]
    mean = None
    if len(landing) == len(LANDING_ROWS):
        mean = {k: sum(row[k] for row in landing) / len(landing) for k in ("iou", "reference")}
    return rows, mean


def comparison_table(rows, mean) -> str:
    lines = ["| set | prompt | n | IoU | reference | change |", "|---|---|---|---|---|---|"]
    for row in rows:
        change = row["iou"] - row["reference"]
        lines.append(
            f"| {row['set']} | {row['prompt']} | {row['n']} | {row['iou']:.4f} | {row['reference']:.4f} | {change:+.4f} |"
        )
    if mean:
        change = mean["iou"] - mean["reference"]
        lines.append(f"| mean of the landing rows | | | {mean['iou']:.4f} | {mean['reference']:.4f} | {change:+.4f} |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    if not os.path.isdir(os.path.join(args.composites, "trimaps")):
        make_val_composites.main(["--data", args.data, "--out", args.composites])
    results = evaluate_all(args)
    print(results_table(results))
    if args.against:
        with open(args.against) as f:
            print(comparison_table(*compare_rows(results, json.load(f))))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
            f.write("\n")
    return results


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
