"""ONNX export helpers shared by export.py and make_fixtures.py (fixed names, dynamic batch axis)."""
from __future__ import annotations

import torch

GEN_IN, GEN_OUT = "z", "image"
CLS_IN, CLS_OUT = "image", "logits"


def export_generator(g: torch.nn.Module, z_dim: int, path: str) -> None:
    g = g.eval().to(memory_format=torch.contiguous_format)
    torch.onnx.export(g, torch.zeros(2, z_dim), path, input_names=[GEN_IN], output_names=[GEN_OUT],
                      dynamic_axes={GEN_IN: {0: "batch"}, GEN_OUT: {0: "batch"}}, opset_version=13,
                      do_constant_folding=True)


def export_classifier(f: torch.nn.Module, res: int, path: str) -> None:
    f = f.eval()
    torch.onnx.export(f, torch.zeros(2, 3, res, res), path, input_names=[CLS_IN], output_names=[CLS_OUT],
                      dynamic_axes={CLS_IN: {0: "batch"}, CLS_OUT: {0: "batch"}}, opset_version=13,
                      do_constant_folding=True)
