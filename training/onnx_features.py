"""Give an exported F a `features` output: the penultimate layer its logits head reads (ONNX graph surgery).

F's head is one Gemm: features [N, D] -> `logits` [N, 40] (D = 256 for the shipped F, after the global
average pool; the tiny test fixture's head reads the flattened image). This script finds the Gemm whose
output is `logits`, and exposes its input as a new graph output `features` [N, D] through an Identity node.
No node, weight or other output is touched, so `logits` and `age` stay what they were (the TypeScript side
checks them bit for bit: tests/attribute-features.test.ts). `npm run attribute` trains its linear probes on
these features (src/render/probe.ts).

Used on models/classifier.onnx when its PyTorch checkpoint is gone (`classifier_v2.pt` was not kept), and by
onnx_export.export_classifier on every new export, so future exports have the output too:

  /usr/bin/python3 training/onnx_features.py models/classifier.onnx            # in place
  /usr/bin/python3 training/onnx_features.py IN.onnx --out OUT.onnx

Running it on a model that already has `features` changes nothing.
"""
from __future__ import annotations

import argparse
import sys

FEATURES_OUT = "features"
LOGITS_OUT = "logits"


def add_features_output(model):
    """The model with a `features` output added (in place; also returned). A no-op when it has one."""
    import onnx
    from onnx import TensorProto, helper

    g = model.graph
    if any(o.name == FEATURES_OUT for o in g.output):
        return model
    heads = [n for n in g.node if LOGITS_OUT in n.output]
    if len(heads) != 1 or heads[0].op_type != "Gemm":
        raise SystemExit(f"expected one Gemm node producing `{LOGITS_OUT}`, found {[n.op_type for n in heads]}")
    head = heads[0]
    feats = head.input[0]
    weights = {i.name: i for i in g.initializer}
    w = weights.get(head.input[1])
    if w is None:
        raise SystemExit("the logits head's weight is not an initializer: cannot tell the feature width")
    trans_b = next((a.i for a in head.attribute if a.name == "transB"), 0)
    dim = w.dims[1] if trans_b else w.dims[0]
    batch = next((o.type.tensor_type.shape.dim[0] for o in g.output if o.name == LOGITS_OUT), None)
    g.node.append(helper.make_node("Identity", [feats], [FEATURES_OUT], name="/features/Identity"))
    out = helper.make_tensor_value_info(FEATURES_OUT, TensorProto.FLOAT, ["batch", dim])
    if batch is not None and batch.dim_param:
        out.type.tensor_type.shape.dim[0].dim_param = batch.dim_param
    g.output.append(out)
    onnx.checker.check_model(model)
    return model


def add_features_file(path: str, out: str | None = None) -> None:
    import onnx

    model = onnx.load(path)
    had = any(o.name == FEATURES_OUT for o in model.graph.output)
    add_features_output(model)
    if had and (out is None or out == path):
        print(f"{path} already has a `{FEATURES_OUT}` output")
        return
    onnx.save(model, out or path)
    dim = [o for o in model.graph.output if o.name == FEATURES_OUT][0].type.tensor_type.shape.dim[1].dim_value
    print(f"wrote {out or path}: outputs {[o.name for o in model.graph.output]} ({FEATURES_OUT}: {dim} numbers)")


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", help="an exported F (classifier.onnx)")
    ap.add_argument("--out", help="where to write (default: in place)")
    args = ap.parse_args(argv)
    add_features_file(args.model, args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
