"""Dense encoders: sentence-transformers for builds, the exported NumPy and ONNX query encoders, and the choice between them."""
