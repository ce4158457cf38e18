"""Generator and discriminator for 64x64 faces, shaped for CPU speed: nearest upsample + 3x3 conv."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm as SN


class UpBlock(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        return F.relu(self.bn(self.conv(x)))


class FullResDetail(nn.Module):
    """A narrow learned layer at full resolution that adds RGB detail: conv 3x3 -> BN -> ReLU -> conv 3x3
    to RGB. Its last conv starts at zero, so a G that gains this block draws exactly what it drew before
    and training warm-starts from the old weights (generator v2)."""

    def __init__(self, cin: int, width: int):
        super().__init__()
        self.conv = nn.Conv2d(cin, width, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(width)
        self.to_rgb = nn.Conv2d(width, 3, 3, 1, 1)
        nn.init.zeros_(self.to_rgb.weight)
        nn.init.zeros_(self.to_rgb.bias)

    def forward(self, x):
        return self.to_rgb(F.relu(self.bn(self.conv(x))))


class Generator(nn.Module):
    """z (z_dim) -> RGB image in [-1, 1], res = 4 * 2**len(ups).

    detail > 0 (generator v2) adds a FullResDetail block of that width at full resolution, as a residual
    on the RGB output; detail = 0 is the first generator, layer for layer."""

    def __init__(self, z_dim: int = 128, ngf: int = 48, res: int = 64, detail: int = 0):
        super().__init__()
        self.z_dim, self.ngf, self.res, self.detail_width = z_dim, ngf, res, detail
        # DCGAN widths: ngf*8 at 4x4 halving to ngf at res/2; the last upsample goes straight to RGB,
        # so no wide conv runs at full resolution (that layer alone would cost ~40% of G on a CPU).
        n_up = {32: 3, 64: 4, 128: 5}[res]
        chans = [ngf * 2 ** min(n_up - 1 - i, 3) for i in range(n_up)]
        self.c0 = chans[0]
        self.fc = nn.Linear(z_dim, 4 * 4 * chans[0], bias=False)
        self.bn0 = nn.BatchNorm2d(chans[0])
        self.ups = nn.Sequential(*[UpBlock(chans[i], chans[i + 1]) for i in range(n_up - 1)])
        self.to_rgb = nn.Conv2d(chans[-1], 3, 3, 1, 1)
        self.detail = FullResDetail(chans[-1], detail) if detail > 0 else None

    def forward(self, z):
        x = self.fc(z).view(-1, self.c0, 4, 4)
        x = F.relu(self.bn0(x))
        x = self.ups(x)
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        rgb = self.to_rgb(x)
        if self.detail is not None:
            rgb = rgb + self.detail(x)
        return torch.tanh(rgb)


class Discriminator(nn.Module):
    """DCGAN-shaped D with spectral norm (hinge loss): stride-2 4x4 convs down to 4x4, linear head."""

    def __init__(self, ndf: int = 48, res: int = 64):
        super().__init__()
        n_down = {32: 3, 64: 4, 128: 5}[res]
        layers, c = [], 3
        for i in range(n_down):
            cout = ndf * (2 ** min(i, 3))
            layers += [SN(nn.Conv2d(c, cout, 4, 2, 1)), nn.LeakyReLU(0.2, inplace=True)]
            c = cout
        self.body = nn.Sequential(*layers)
        self.head = SN(nn.Linear(c * 4 * 4, 1))

    def forward(self, x):
        return self.head(self.body(x).flatten(1)).squeeze(1)


def diff_augment(x: torch.Tensor, cutout: bool = True) -> torch.Tensor:
    """DiffAugment (Zhao et al. 2020): colour, translation 1/8, cutout 1/2; differentiable, per sample."""
    b = x.size(0)
    dev = x.device
    # colour
    x = x + (torch.rand(b, 1, 1, 1, device=dev) - 0.5)
    m = x.mean(dim=1, keepdim=True)
    x = (x - m) * (torch.rand(b, 1, 1, 1, device=dev) * 2) + m
    m = x.mean(dim=[1, 2, 3], keepdim=True)
    x = (x - m) * (torch.rand(b, 1, 1, 1, device=dev) + 0.5) + m
    # translation (zero padded)
    h, w = x.shape[2], x.shape[3]
    sh, sw = h // 8, w // 8
    tx = torch.randint(-sh, sh + 1, (b, 1, 1), device=dev)
    ty = torch.randint(-sw, sw + 1, (b, 1, 1), device=dev)
    gb, gx, gy = torch.meshgrid(torch.arange(b, device=dev), torch.arange(h, device=dev),
                                torch.arange(w, device=dev), indexing="ij")
    gx = torch.clamp(gx + tx + 1, 0, h + 1)
    gy = torch.clamp(gy + ty + 1, 0, w + 1)
    xp = F.pad(x, [1, 1, 1, 1, 0, 0, 0, 0])
    x = xp.permute(0, 2, 3, 1)[gb, gx, gy].permute(0, 3, 1, 2)
    if not cutout:
        return x
    # cutout
    ch, cw = h // 2, w // 2
    ox = torch.randint(0, h + (1 - ch % 2), (b, 1, 1), device=dev)
    oy = torch.randint(0, w + (1 - cw % 2), (b, 1, 1), device=dev)
    gb, gx, gy = torch.meshgrid(torch.arange(b, device=dev), torch.arange(ch, device=dev),
                                torch.arange(cw, device=dev), indexing="ij")
    gx = torch.clamp(gx + ox - ch // 2, 0, h - 1)
    gy = torch.clamp(gy + oy - cw // 2, 0, w - 1)
    mask = torch.ones(b, h, w, dtype=x.dtype, device=dev)
    mask[gb, gx, gy] = 0
    return x * mask.unsqueeze(1)
