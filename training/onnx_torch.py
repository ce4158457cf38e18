"""The shipped G and F as differentiable PyTorch modules, read straight from their ONNX files.

The encoder must be trained against exactly the G users get (models/generator.onnx, fingerprint in
models/generator_info.json), and F's PyTorch checkpoint is not kept. Both exported graphs are simple chains whose
BatchNorms (except G's first) were folded into the convolutions, so their initializers map onto the modules below
one to one, and the modules reproduce the ONNX outputs (tests: encoder training checks it on start).
"""
from __future__ import annotations

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper


def _inits(path: str) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    m = onnx.load(path)
    return m, {t.name: numpy_helper.to_array(t).copy() for t in m.graph.initializer}


def _conv_weights(m: onnx.ModelProto, inits: dict[str, np.ndarray], prefix: str = "") -> list[tuple]:
    """(weight, bias, stride) of every Conv node whose output name starts with `prefix`, in graph order."""
    out = []
    for n in m.graph.node:
        if n.op_type == "Conv" and n.output[0].startswith(prefix):
            strides = next((list(a.ints) for a in n.attribute if a.name == "strides"), [1, 1])
            out.append((inits[n.input[1]], inits[n.input[2]] if len(n.input) > 2 else None, strides[0]))
    return out


def _p(a: np.ndarray) -> nn.Parameter:
    return nn.Parameter(torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)), requires_grad=False)


class OnnxGenerator(nn.Module):
    """models/generator.onnx: z [N, z_dim] -> image [N, 3, 64, 64] in [-1, 1] (v2: with the 64 px detail block)."""

    def __init__(self, path: str):
        super().__init__()
        m, w = _inits(path)
        self.fc = _p(w[next(n.input[1] for n in m.graph.node if n.op_type == "MatMul")])
        self.z_dim = self.fc.shape[0]
        self.c0 = w["bn0.weight"].shape[0]
        self.bn0 = [_p(w[f"bn0.{k}"]) for k in ("weight", "bias", "running_mean", "running_var")]
        for i, t in enumerate(self.bn0):
            self.register_parameter(f"bn0_{i}", t)
        convs = _conv_weights(m, w)
        names = [n.output[0] for n in m.graph.node if n.op_type == "Conv"]
        self.kind = ["up" if "/ups/" in nm else "detail_conv" if "/detail/conv" in nm else
                     "detail_rgb" if "/detail/to_rgb" in nm else "to_rgb" for nm in names]
        self.convs = nn.ParameterList([_p(a) for c in convs for a in c[:2]])

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = (z @ self.fc).view(-1, self.c0, 4, 4)
        wt, b, mean, var = self.bn0
        x = F.relu(F.batch_norm(x, mean, var, wt, b, False, 0.0, 1e-5))
        cw = list(self.convs)
        rgb = det = None
        for i, kind in enumerate(self.kind):
            wgt, bias = cw[2 * i], cw[2 * i + 1]
            if kind == "up":
                x = F.relu(F.conv2d(F.interpolate(x, scale_factor=2.0, mode="nearest"), wgt, bias, padding=1))
            elif kind == "to_rgb":
                x = F.interpolate(x, scale_factor=2.0, mode="nearest")
                rgb = F.conv2d(x, wgt, bias, padding=1)
            elif kind == "detail_conv":
                det = F.relu(F.conv2d(x, wgt, bias, padding=1))
            else:
                rgb = rgb + F.conv2d(det, wgt, bias, padding=1)
        return torch.tanh(rgb)


class OnnxClassifier(nn.Module):
    """models/classifier.onnx without its age head (or the yardstick's frozen F v1, training/yardstick/):
    image [N, 3, 64, 64] -> (features [N, 256], logits [N, 40])."""

    def __init__(self, path: str):
        super().__init__()
        m, w = _inits(path)
        convs = _conv_weights(m, w, "/f/features") or _conv_weights(m, w, "/features")  # F v2 / the yardstick's F v1
        self.strides = [c[2] for c in convs]
        self.convs = nn.ParameterList([_p(a) for c in convs for a in c[:2]])
        head = "f.head.1" if "f.head.1.weight" in w else "head.1"
        self.head_w, self.head_b = _p(w[f"{head}.weight"]), _p(w[f"{head}.bias"])

    def features(self, x: torch.Tensor) -> torch.Tensor:
        cw = list(self.convs)
        for i, s in enumerate(self.strides):
            x = F.relu(F.conv2d(x, cw[2 * i], cw[2 * i + 1], stride=s, padding=1))
        return x.mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f = self.features(x)
        return f, f @ self.head_w.t() + self.head_b


class OnnxAppearanceCheck(nn.Module):
    """models/appearance_check.onnx (training/train_appearance_check.py; BatchNorms folded in by the export):
    image [N, 3, 64, 64] in [-1, 1] -> probs [N, 5] over its classes (appearance_check.json). The graph is a chain
    (Slice to the face box, Conv, Relu, MaxPool, GlobalAveragePool, Flatten, Gemm, Softmax), run node by node."""

    OPS = {"Slice", "Conv", "Relu", "MaxPool", "GlobalAveragePool", "Flatten", "Gemm", "Softmax"}

    def __init__(self, path: str):
        super().__init__()
        m, w = _inits(path)
        consts = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in m.graph.node if n.op_type == "Constant"}
        self.steps: list[tuple] = []
        params = []
        for n in m.graph.node:
            if n.op_type == "Constant":
                continue
            if n.op_type not in self.OPS:
                raise ValueError(f"{path}: {n.op_type} is not a layer this reader knows")
            att = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
            odd = self.unsupported(n.op_type, att)
            if odd:
                raise ValueError(f"{path}: {n.op_type} with {odd} is not a layer this reader knows")
            if n.op_type == "Slice":
                start, end, axis = (int(consts[i][0]) for i in n.input[1:4])
                self.steps.append(("Slice", axis, start, end))
            elif n.op_type in ("Conv", "Gemm"):
                params += [_p(w[n.input[1]]), _p(w[n.input[2]])]
                self.steps.append((n.op_type, len(params) - 2, att.get("strides", [1])[0], att.get("pads", [0])[0]))
            elif n.op_type == "MaxPool":
                self.steps.append(("MaxPool", att["kernel_shape"][0], att["strides"][0]))
            else:
                self.steps.append((n.op_type,))
        self.params = nn.ParameterList(params)

    @staticmethod
    def unsupported(op: str, att: dict) -> str:
        """The settings forward() does not implement, named ('' when the node is one it runs as ONNX would)."""
        expect = {"Conv": {"group": 1}, "Gemm": {"transA": 0, "transB": 1, "alpha": 1.0, "beta": 1.0},
                  "MaxPool": {"ceil_mode": 0}}.get(op, {})
        bad = [f"{k}={att[k]}" for k, v in expect.items() if k in att and att[k] != v]
        if op == "Gemm" and att.get("transB", 0) != 1:
            bad.append("transB=0")
        if op == "Conv" and any(d != 1 for d in att.get("dilations", [1])):
            bad.append(f"dilations={att['dilations']}")
        if op in ("Conv", "MaxPool") and len(set(att.get("pads", [0]))) > 1:
            bad.append(f"pads={att['pads']}")
        if op == "MaxPool" and any(att.get("pads", [0])):
            bad.append("padding")
        return ", ".join(dict.fromkeys(bad))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = list(self.params)
        for op, *a in self.steps:
            if op == "Slice":
                x = x.narrow(a[0], a[1], a[2] - a[1])
            elif op == "Conv":
                x = F.conv2d(x, p[a[0]], p[a[0] + 1], stride=a[1], padding=a[2])
            elif op == "Gemm":
                x = x @ p[a[0]].t() + p[a[0] + 1]
            elif op == "MaxPool":
                x = F.max_pool2d(x, a[0], a[1])
            elif op == "Relu":
                x = F.relu(x)
            elif op == "GlobalAveragePool":
                x = x.mean(dim=(2, 3), keepdim=True)
            elif op == "Flatten":
                x = x.flatten(1)
            else:
                x = torch.softmax(x, dim=1)
        return x
