"""ONNX export helpers shared by export.py and make_fixtures.py (fixed names, dynamic batch axis)."""
from __future__ import annotations

import torch

GEN_IN, GEN_OUT = "z", "image"
CLS_IN, CLS_OUT, AGE_OUT = "image", "logits", "age"
# `features` (the penultimate layer the logits head reads) is added after export by onnx_features.py


def export_generator(g: torch.nn.Module, z_dim: int, path: str) -> None:
    g = g.eval().to(memory_format=torch.contiguous_format)
    torch.onnx.export(g, torch.zeros(2, z_dim), path, input_names=[GEN_IN], output_names=[GEN_OUT],
                      dynamic_axes={GEN_IN: {0: "batch"}, GEN_OUT: {0: "batch"}}, opset_version=13,
                      do_constant_folding=True)


class _WithAge(torch.nn.Module):
    """F and its age head in one graph: image -> (40 attribute logits, age in years)."""

    def __init__(self, f: torch.nn.Module, age: torch.nn.Module):
        super().__init__()
        self.f, self.age = f, age

    def forward(self, x):
        return self.f(x), self.age.from_face64(x)


def export_classifier(f: torch.nn.Module, res: int, path: str, age: torch.nn.Module | None = None) -> None:
    """F -> ONNX: input `image` [N, 3, res, res] in [-1, 1]; outputs `logits` [N, 40], with an age head
    also `age` [N] (years), and `features` [N, D], the layer the logits head reads (onnx_features.py)."""
    f = f.eval()
    model, outputs = (f, [CLS_OUT]) if age is None else (_WithAge(f, age.eval()), [CLS_OUT, AGE_OUT])
    torch.onnx.export(model, torch.zeros(2, 3, res, res), path, input_names=[CLS_IN], output_names=outputs,
                      dynamic_axes={CLS_IN: {0: "batch"}, **{o: {0: "batch"} for o in outputs}}, opset_version=13,
                      do_constant_folding=True)
    add_features(path)


ID_IN, ID_OUT = "image", "embedding"


class L2Normalised(torch.nn.Module):
    """Any image -> vector network, its output divided by its L2 norm (what models/identity.onnx gives)."""

    def __init__(self, net: torch.nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x):
        e = self.net(x)
        return e / e.norm(dim=1, keepdim=True).clamp_min(1e-8)


def export_identity(net: torch.nn.Module, res: int, path: str) -> None:
    """Identity network -> ONNX: input `image` [N, 3, res, res] RGB in [-1, 1] (G's output); output `embedding`
    [N, D], L2-normalised in the graph (distance = 1 - cosine, src/render/identity.ts)."""
    model = L2Normalised(net.eval()).eval()
    torch.onnx.export(model, torch.zeros(2, 3, res, res), path, input_names=[ID_IN], output_names=[ID_OUT],
                      dynamic_axes={ID_IN: {0: "batch"}, ID_OUT: {0: "batch"}}, opset_version=13,
                      do_constant_folding=True)


def add_features(path: str) -> None:
    """Adds the `features` output to an exported F, in place (onnx_features.py)."""
    from onnx_features import add_features_file

    add_features_file(path)


def strip_output(model, name: str):
    """The graph without output `name` and without the nodes and initializers only it needed (an F's old age
    head, so that a new one replaces it). A graph without that output is returned as it is."""
    g = model.graph
    if not any(o.name == name for o in g.output):
        return model
    keep_outputs = [o for o in g.output if o.name != name]
    needed = {o.name for o in keep_outputs}
    kept = []
    for n in reversed(list(g.node)):  # nodes are topologically sorted: walk back from the outputs kept
        if any(o in needed for o in n.output):
            kept.append(n)
            needed.update(i for i in n.input if i)
    kept.reverse()
    inits = [i for i in g.initializer if i.name in needed]
    del g.output[:]
    g.output.extend(keep_outputs)
    del g.node[:]
    g.node.extend(kept)
    del g.initializer[:]
    g.initializer.extend(inits)
    return model


def add_age_head(classifier_onnx: str, age: torch.nn.Module, res: int, out: str) -> None:
    """Adds the age head to an exported F (when F's PyTorch weights are not at hand): exports the head on
    its own, then joins the two graphs on the shared `image` input -> outputs `logits` and `age`. An age head
    F already has is replaced (strip_output)."""
    import os
    import tempfile

    import onnx

    class _Age(torch.nn.Module):
        def __init__(self, a):
            super().__init__()
            self.a = a

        def forward(self, x):
            return self.a.from_face64(x)

    tmp = os.path.join(tempfile.mkdtemp(), "age.onnx")
    torch.onnx.export(_Age(age.eval()), torch.zeros(2, 3, res, res), tmp, input_names=[CLS_IN], output_names=[AGE_OUT],
                      dynamic_axes={CLS_IN: {0: "batch"}, AGE_OUT: {0: "batch"}}, opset_version=13,
                      do_constant_folding=True)
    f, a = strip_output(onnx.load(classifier_onnx), AGE_OUT), onnx.load(tmp)
    keep = {CLS_IN, AGE_OUT}
    rename = {}
    for n in a.graph.node:
        for name in list(n.input) + list(n.output):
            if name not in keep and name:
                rename[name] = "age_head/" + name
    for init in a.graph.initializer:
        rename.setdefault(init.name, "age_head/" + init.name)
        init.name = rename[init.name]
    for n in a.graph.node:
        n.name = "age_head/" + n.name
        n.input[:] = [rename.get(x, x) for x in n.input]
        n.output[:] = [rename.get(x, x) for x in n.output]
    f.graph.node.extend(a.graph.node)
    f.graph.initializer.extend(a.graph.initializer)
    f.graph.output.extend(a.graph.output)
    onnx.checker.check_model(f)
    onnx.save(f, out)
    add_features(out)
