"""Run an ONNX graph through onnxruntime-node from Python (Debian ships no onnxruntime for Python)."""
import json
import os
import subprocess
import tempfile
from typing import Dict

import numpy as np

_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_onnx.mjs")


def run_onnx(model_path: str, inputs: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    with tempfile.TemporaryDirectory() as tmp:
        request = {"model": os.path.abspath(model_path), "inputs": {}, "outputDir": tmp}
        for name, arr in inputs.items():
            path = os.path.join(tmp, f"in_{name}.f32")
            np.ascontiguousarray(arr, dtype=np.float32).tofile(path)
            request["inputs"][name] = {"file": path, "dims": list(arr.shape)}
        req_path = os.path.join(tmp, "request.json")
        with open(req_path, "w") as f:
            json.dump(request, f)
        subprocess.run(["node", _SCRIPT, req_path], check=True, cwd=os.path.dirname(_SCRIPT))
        with open(os.path.join(tmp, "outputs.json")) as f:
            manifest = json.load(f)
        return {k: np.fromfile(v["file"], dtype=np.float32).reshape(v["dims"]) for k, v in manifest.items()}
