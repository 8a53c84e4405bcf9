"""Shipping the model: export_onnx writes the ONNX graphs and model.json, validate scores them with
`smat eval`, onnx_runner runs a graph from Python."""
