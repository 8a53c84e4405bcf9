"""model.json's "files" record: what the CLI and the plugin build check every graph against."""

import hashlib
import json
import os

from smat_model.export.export_onnx import GRAPH_FILES, model_files_record, write_model_json
from smat_model.modeling.config import HeadConfig
from smat_model.tests.conftest import REPO


def test_record_holds_each_files_size_and_sha256(tmp_path):
    (tmp_path / "a.onnx").write_bytes(b"graph a")
    (tmp_path / "b.onnx").write_bytes(bytes(range(256)) * 5000)
    record = model_files_record(str(tmp_path), ["a.onnx", "b.onnx"])
    assert record["a.onnx"] == {"bytes": 7, "sha256": hashlib.sha256(b"graph a").hexdigest()}
    assert record["b.onnx"]["bytes"] == 1_280_000
    assert record["b.onnx"]["sha256"] == hashlib.sha256(bytes(range(256)) * 5000).hexdigest()


def test_model_json_records_the_graphs_it_names_and_the_head_config(tmp_path):
    for name in GRAPH_FILES.values():
        (tmp_path / name).write_bytes(name.encode())
    head_config = HeadConfig(edge_refiner_width=12)
    write_model_json(str(tmp_path), 512, head_config, {"trainingStep": 7})
    config = json.loads((tmp_path / "model.json").read_text())
    assert sorted(config["files"]) == sorted(config[role] for role in GRAPH_FILES)
    assert config["inputSize"] == 512 and config["featureSize"] == 32 and config["trainingStep"] == 7
    assert HeadConfig.from_dict(config["headConfig"]) == head_config
    assert list(config)[-1] == "files"  # written last, once the graphs are final


def test_the_committed_model_json_matches_the_committed_graphs():
    models = os.path.join(REPO, "models")
    with open(os.path.join(models, "model.json")) as f:
        config = json.load(f)
    assert config["files"] == model_files_record(models, list(config["files"]))
