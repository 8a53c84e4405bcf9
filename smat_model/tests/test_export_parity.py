"""The exported graphs agree with PyTorch under onnxruntime: as traced (fp32) to float precision,
and with the shipped int8 weights (and the encoder's int8 matmuls and FastGelu) within their rounding."""
import numpy as np
import onnx
import torch

from smat_model.data.image_ops import letterbox, normalise
from smat_model.data.prompt_simulation import bbox, point_prompts
from smat_model.export.export_onnx import export_graphs
from smat_model.export.onnx_runner import run_onnx
from smat_model.export.weight_storage import quantize_per_channel
from smat_model.modeling.prompt_encoding import rasterize_prompts, sam_point_tensors
from smat_model.modeling.smat import SMat, SMatHead

SIZE = 256  # small to keep CI fast; the graphs are the same at the shipped size


def run_graphs(paths, x, prompt, has, coords, labels):
    """The runner's path: the encoder, the candidate of this run's kind, the decoder, and for an
    automatic matte the edge refiner."""
    feats = run_onnx(paths["encoder"], {"image": x})["features"]
    if has:
        feeds = {"features": feats, "prompt_mask": prompt[None, None], "point_coords": coords.numpy()}
        stage = run_onnx(paths["prompted"], {**feeds, "point_labels": labels.numpy()})
    else:
        stage = run_onnx(paths["saliency"], {"features": feats})
        stage["prompt_weights"] = np.zeros((1, 1, *feats.shape[-2:]), np.float32)
    logit = run_onnx(paths["decoder"], {"features": feats, "image": x, **stage})["logit"]
    # The edge refiner corrects automatic mattes only; a prompted matte's alpha is the sigmoid.
    alpha = run_onnx(paths["refiner"], {"image": x, "logit": logit})["alpha"] if not has else 1 / (1 + np.exp(-logit))
    return feats, stage, alpha


def test_graphs_match_pytorch(tmp_path, encoder, ecssd_photo):
    torch.manual_seed(0)
    model = SMat(encoder, SMatHead()).eval()
    # Trained-looking weights where the head starts at zero, so every path shows in the outputs.
    for layer in (model.head.prompted.pooled_feature, model.head.decoder.alpha, model.head.decoder.refiner.correction):
        torch.nn.init.normal_(layer.weight, std=0.02)
    exact = export_graphs(model, str(tmp_path / "fp32"), SIZE, weights="fp32")
    shipped = export_graphs(model, str(tmp_path / "int8"), SIZE, weights="int8")

    img, mask = ecssd_photo
    canvas, a, valid, _ = letterbox(img, mask, SIZE)
    x = normalise(canvas, valid)[None]
    x0, y0, x1, y1 = bbox(a)
    box = [{"kind": "box", "x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}]
    clicks = point_prompts(np.random.default_rng(0), a, 5) + [{"kind": "point", "x": 2, "y": 2, "negative": True}]
    with torch.no_grad():
        feats = model.encoder(torch.from_numpy(x))
    # Automatic (the padding point alone), a box (two corners) and clicks with a "not this" one
    # (seven points): the graph was traced with two points, its `points` axis is dynamic.
    for prompts in ([], box, clicks):
        prompt, has = rasterize_prompts(prompts, 1.0, SIZE)
        coords, labels = sam_point_tensors(prompts)
        with torch.no_grad():
            alpha, sim = model.head(
                feats,
                torch.from_numpy(x),
                torch.from_numpy(prompt)[None, None],
                torch.tensor([float(has)]),
                coords,
                labels,
            )
        ort_feats, stage, ort_alpha = run_graphs(exact, x, prompt, has, coords, labels)
        _, _, int8_alpha = run_graphs(shipped, x, prompt, has, coords, labels)
        enc_diff = float(np.abs(ort_feats - feats.numpy()).max())
        head_diff = float(np.abs(ort_alpha - alpha.numpy()).max())
        sim_diff = float(np.abs(stage["similarity"] - sim.numpy()).max())
        int8_effect = np.abs(int8_alpha - ort_alpha)
        print(
            f"export parity, {coords.shape[1]} points: encoder {enc_diff:.2e}, alpha {head_diff:.2e}, similarity "
            f"{sim_diff:.2e}; int8 weights move alpha by {int8_effect.mean():.1e} on average, {int8_effect.max():.1e} at most"
        )
        assert ort_feats.shape == (1, encoder.out_channels, SIZE // encoder.stride, SIZE // encoder.stride)
        assert stage["similarity_logit"].shape == (1, 1, SIZE // 4, SIZE // 4)
        assert ort_alpha.shape == (1, 1, SIZE, SIZE)
        assert enc_diff < 1e-3 and head_diff < 1e-3 and sim_diff < 1e-3
        assert int8_effect.mean() < 5e-3 and int8_effect.max() < 0.15


def test_int8_storage_keeps_each_output_channel_within_half_a_step(tmp_path, encoder):
    weight = np.random.default_rng(0).normal(size=(64, 32)).astype(np.float32)
    weight[:, 3] *= 50  # one loud output channel must not coarsen the others
    q, scale = quantize_per_channel(weight, axis=1)
    assert q.dtype == np.int8 and scale.shape == (32,)
    assert np.all(np.abs(q.astype(np.float32) * scale - weight) <= scale / 2 + 1e-7)
    # The shipped encoder graph keeps its matrices as int8 and nothing as fp32 beyond small tensors.
    model = SMat(encoder, SMatHead()).eval()
    paths = export_graphs(model, str(tmp_path), SIZE, weights="int8")
    graph = onnx.load(paths["encoder"]).graph
    kinds = {}
    for init in graph.initializer:
        kinds[init.data_type] = kinds.get(init.data_type, 0) + int(np.prod(init.dims))
    assert kinds[onnx.TensorProto.INT8] > 0.7 * sum(kinds.values())
    assert kinds.get(onnx.TensorProto.FLOAT, 0) < 0.01 * sum(kinds.values())
    # The encoder's weight matmuls compute in int8 (every one: none is left by a float weight);
    # the head's graphs keep fp32 compute.
    ops = [node.op_type for node in graph.node]
    assert ops.count("MatMulInteger") > 0 and ops.count("MatMulInteger") == ops.count("DynamicQuantizeLinear")
    stored = {init.name for init in graph.initializer} | {
        n.output[0] for n in graph.node if n.name.endswith("_dequantize")
    }
    assert not any(n.op_type == "MatMul" and n.input[1] in stored for n in graph.node)
    for role in ("saliency", "prompted", "decoder", "refiner"):
        assert "MatMulInteger" not in {node.op_type for node in onnx.load(paths[role]).graph.node}
    # Its GELUs are onnxruntime's FastGelu, and only its: the fp32 export keeps them as traced.
    assert ops.count("FastGelu") > 0 and "Erf" not in ops
    assert not any("FastGelu" in {n.op_type for n in onnx.load(paths[r]).graph.node} for r in paths if r != "encoder")
    exact = export_graphs(model, str(tmp_path / "fp32"), SIZE, weights="fp32")
    exact_ops = {node.op_type for node in onnx.load(exact["encoder"]).graph.node}
    assert "Erf" in exact_ops and "FastGelu" not in exact_ops
