"""Shipping the model: export_onnx writes the ONNX graphs, validate scores them with `smat eval`,
recover_from_onnx reads weights back out of a shipped graph, onnx_runner runs a graph from Python."""
