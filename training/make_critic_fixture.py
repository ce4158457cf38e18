"""tests/fixtures/critic/critic.onnx: a tiny realism critic for the tests, image [N, 3, 16, 16] -> realness [N, 1]
= 4 x the mean of the image (a brighter fixture face reads as more real), built node by node with onnx.helper (no
torch): the tests check that the scorer reads it on the faces G drew and maps it through models/critic.json's
calibration.

  /usr/bin/python3 training/make_critic_fixture.py
"""
import os

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "critic", "critic.onnx")


def main() -> None:
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["n", 3, 16, 16])
    realness = helper.make_tensor_value_info("realness", TensorProto.FLOAT, ["n", 1])
    four = helper.make_tensor("four", TensorProto.FLOAT, [], [4.0])
    mean = helper.make_node("ReduceMean", ["image"], ["mean"], axes=[1, 2, 3], keepdims=0)  # [n]
    scaled = helper.make_node("Mul", ["mean", "four"], ["scaled"])
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [-1, 1])
    out = helper.make_node("Reshape", ["scaled", "shape"], ["realness"])
    graph = helper.make_graph([mean, scaled, out], "tiny_critic", [image], [realness], [four, shape])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="tellaface-fixture")
    model.ir_version = 7
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    onnx.save(model, OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
