"""tests/fixtures/appearance-check/: a tiny stand-in for models/appearance_check.onnx (not a face model).

image [N,3,H,W] in [-1,1] -> probs [N,3]: the softmax of 4x the mean of the red, green and blue channels, so a red
image reads class "Red", a blue one "Blue". Its .json lists the classes as the real one's does.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "appearance-check")


class Means(torch.nn.Module):
    def forward(self, image):
        return torch.softmax(4 * image.mean(dim=(2, 3)), dim=1)


os.makedirs(OUT, exist_ok=True)
torch.onnx.export(Means(), torch.zeros(1, 3, 16, 16), os.path.join(OUT, "appearance_check.onnx"), input_names=["image"],
                  output_names=["probs"], dynamic_axes={"image": {0: "n"}, "probs": {0: "n"}}, opset_version=13)
with open(os.path.join(OUT, "appearance_check.json"), "w") as f:
    json.dump({"classes": ["Red", "Green", "Blue"]}, f)
    f.write("\n")
print(f"wrote {OUT}")
