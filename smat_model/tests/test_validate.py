"""validate reads what `smat eval` writes: a renamed or dropped metric key must fail here, not
in the middle of a long validation run."""

import os

from smat_model.export.validate import comparison_table, compare_rows, results_table, run_eval
from smat_model.paths import MODELS_DIR


def test_table_row_from_a_real_smat_eval_run(data_root, tmp_path):
    folder = os.path.join(data_root, "ecssd-val")
    result = run_eval(
        os.path.join(folder, "images"),
        os.path.join(folder, "masks"),
        "box",
        MODELS_DIR,
        str(tmp_path / "eval.json"),
        limit=2,
    )
    assert result["n"] == 2
    # A box drawn around the object's own mask: the shipped model finds it on real photos.
    assert 0.3 < result["iou"] <= 1.0
    row = results_table([{"set": "ecssd-val", **result}]).splitlines()[-1]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:3] == ["ecssd-val", "box", "2"]
    assert float(cells[3]) == round(result["iou"], 4)
    assert float(cells[4]) == round(result["mad"], 4)


def test_comparison_uses_the_photos_both_runs_scored():
    def row(prompt, ious):
        return {"set": "ecssd-val", "prompt": prompt, "perImage": [{"name": n, "iou": v} for n, v in ious.items()]}

    reference = [row("box", {"a": 0.5, "b": 0.7, "c": 0.1})]
    rows, mean = compare_rows([row("box", {"a": 0.6, "b": 0.9}), row("auto", {"a": 0.9})], reference)
    # "c" was not scored here and "auto" has no reference row: neither enters the comparison.
    assert [(r["prompt"], r["n"]) for r in rows] == [("box", 2)]
    assert abs(rows[0]["iou"] - 0.75) < 1e-9 and abs(rows[0]["reference"] - 0.6) < 1e-9
    assert mean is None  # the landing mean needs every landing row
    assert "+0.1500" in comparison_table(rows, mean)
