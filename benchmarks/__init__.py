"""Speed and quality benchmarks; each writes its measurements to benchmarks/results/<name>.json."""
