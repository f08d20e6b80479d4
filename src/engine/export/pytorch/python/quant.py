# --- quantization: grids, fake-quant, observers, calibration -------------------------------
# Uniform affine quantization q = clamp(round(x/s) + z, qmin, qmax), x̂ = (q − z)·s, through
# torch.fake_quantize_per_tensor_affine / torch.fake_quantize_per_channel_affine (their backward
# is the straight-through estimator: the gradient passes where x is inside the grid, 0 where it
# was clipped). Symmetric grids are narrow, [−(2^(b−1) − 1), 2^(b−1) − 1] with z = 0; asymmetric
# ones are [0, 2^b − 1] with an integer zero point. Ranges are widened to hold 0 (so 0 is exact)
# and a zero range gets s = 1. Weights: per tensor or per output channel (axis 0 in PyTorch,
# the app's last kernel axis). Activations: per tensor, asymmetric, at every dense / conv input.


def quant_range(bits, symmetric):
    if symmetric:
        q = 2 ** (bits - 1) - 1
        return -q, q
    return 0, 2**bits - 1


def grid_from_range(lo, hi, bits, symmetric):
    """(scale float32, zero point int32) tensors of real ranges: symmetric s = max|x| / qmax;
    asymmetric s = (max − min) / (qmax − qmin), z = clamp(round(qmin − min / s))."""
    qmin, qmax = quant_range(bits, symmetric)
    lo = torch.clamp(lo.float(), max=0.0)
    hi = torch.clamp(hi.float(), min=0.0)
    raw = torch.maximum(-lo, hi) / qmax if symmetric else (hi - lo) / (qmax - qmin)
    scale = torch.where(raw > 0, raw, torch.ones_like(raw))
    if symmetric:
        zero = torch.zeros_like(scale)
    else:
        zero = torch.clamp(torch.round(qmin - lo / scale), qmin, qmax)
    return scale, zero.to(torch.int32)


def channel_ranges(w, per_channel):
    rows = w.detach().reshape(w.shape[0], -1) if per_channel else w.detach().reshape(1, -1)
    return rows.min(dim=1).values, rows.max(dim=1).values


def fake_quantize_weight(w, bits, symmetric, per_channel):
    """ŵ of a weight on its own min/max grid (recomputed from w, not trained through)."""
    qmin, qmax = quant_range(bits, symmetric)
    scale, zero = grid_from_range(*channel_ranges(w, per_channel), bits, symmetric)
    if per_channel:
        return torch.fake_quantize_per_channel_affine(w, scale, zero, 0, qmin, qmax)
    return torch.fake_quantize_per_tensor_affine(w, scale, zero, qmin, qmax)


def power_of_two_weight(w, bits, per_channel):
    """Power-of-two weights ±2^k, k = clip(round(log2|w|), kmax − n + 1, kmax) with
    kmax = round(log2 max|w|) per channel and n = 2^(b−1) − 1 exponents (zero is a level of its
    own, so 0 and ±2^k fit b bits); exponents below kmax − min(n − 1, 12) flush to 0 (so the
    integer codes stay shifts of ≤ 12 bits), as the app's integer path stores them."""
    rows = (
        w.detach().double().reshape(w.shape[0], -1)
        if per_channel
        else w.detach().double().reshape(1, -1)
    )
    exponents = 2 ** (bits - 1) - 1
    shift = min(exponents - 1, 12)
    absmax = rows.abs().max(dim=1, keepdim=True).values
    kmax = torch.where(absmax > 0, torch.floor(torch.log2(absmax) + 0.5), torch.zeros_like(absmax))
    kmin = kmax - exponents + 1
    k = torch.floor(torch.log2(rows.abs()) + 0.5)
    k = torch.minimum(torch.maximum(k, kmin), kmax)
    keep = (rows != 0) & (k >= kmax - shift)
    out = torch.where(keep, torch.sign(rows) * torch.pow(2.0, k), torch.zeros_like(rows))
    return out.reshape(w.shape).to(w.dtype)


class ActFakeQuant(ActFakeQuantBase):
    """Fake-quantizes a dense / conv layer's input on a per-tensor asymmetric grid. Training: the
    range follows an EMA of batch min/max, m ← momentum·m + (1 − momentum)·batch (the first batch
    sets it; no gradient into the range). Eval: the range is frozen. Identity until a range
    exists. The range lives in buffers, so it saves with the state_dict."""

    def __init__(self, bits, momentum=0.99):
        super().__init__()
        self.bits = bits
        self.momentum = momentum
        self.register_buffer("range_min", torch.zeros(1))
        self.register_buffer("range_max", torch.zeros(1))
        self.register_buffer("calibrated", torch.zeros(1))

    def set_range(self, lo, hi):
        self.range_min.fill_(float(lo))
        self.range_max.fill_(float(hi))
        self.calibrated.fill_(1.0)

    def forward(self, x):
        if self.training:
            with torch.no_grad():
                seen = self.calibrated > 0
                m = self.momentum
                lo, hi = x.min().reshape(1), x.max().reshape(1)
                self.range_min.copy_(torch.where(seen, m * self.range_min + (1 - m) * lo, lo))
                self.range_max.copy_(torch.where(seen, m * self.range_max + (1 - m) * hi, hi))
                self.calibrated.fill_(1.0)
        qmin, qmax = quant_range(self.bits, False)
        scale, zero = grid_from_range(self.range_min, self.range_max, self.bits, False)
        quantized = torch.fake_quantize_per_tensor_affine(x, scale, zero, qmin, qmax)
        return torch.where(self.calibrated > 0, quantized, x)

    def extra_repr(self):
        return f"bits={self.bits}, momentum={self.momentum}"


class BatchFakeQuant(ActFakeQuantBase):
    """Dynamic quantization of a dense / conv input: the per-tensor asymmetric grid comes from
    each batch's own range [min(0, min x), max(0, max x)], at training and at inference."""

    def __init__(self, bits):
        super().__init__()
        self.bits = bits

    def forward(self, x):
        qmin, qmax = quant_range(self.bits, False)
        with torch.no_grad():
            scale, zero = grid_from_range(x.min().reshape(1), x.max().reshape(1), self.bits, False)
        return torch.fake_quantize_per_tensor_affine(x, float(scale), int(zero), qmin, qmax)

    def extra_repr(self):
        return f"bits={self.bits}, grid from each batch"


class MinMaxObserver:
    def __init__(self):
        self.lo, self.hi = math.inf, -math.inf

    def observe(self, values):
        self.lo = min(self.lo, values.min().item())
        self.hi = max(self.hi, values.max().item())

    def range(self):
        return self.lo, self.hi


class EmaObserver:
    """m ← momentum·m + (1 − momentum)·batch m for min and max; the first batch sets m."""

    def __init__(self, momentum):
        self.momentum = momentum
        self.lo = self.hi = None

    def observe(self, values):
        lo, hi = values.min().item(), values.max().item()
        if self.lo is None:
            self.lo, self.hi = lo, hi
        else:
            m = self.momentum
            self.lo = m * self.lo + (1 - m) * lo
            self.hi = m * self.hi + (1 - m) * hi

    def range(self):
        return self.lo, self.hi


class PercentileObserver:
    """max = P-th percentile, min = (100 − P)-th of every value seen (linear interpolation)."""

    def __init__(self, percentile):
        self.p = percentile / 100
        self.chunks = []

    def observe(self, values):
        self.chunks.append(values.detach().flatten().cpu())

    def range(self):
        values = torch.sort(torch.cat(self.chunks).double()).values

        def quantile(p):
            pos = p * (values.numel() - 1)
            lo = int(math.floor(pos))
            hi = min(lo + 1, values.numel() - 1)
            return (values[lo] + (pos - lo) * (values[hi] - values[lo])).item()

        return quantile(1 - self.p), quantile(self.p)


CALIBRATION_BATCH = 32
PERCENTILE_BUDGET = 1 << 21


def calibration_indices(data, size, seed):
    """The first `size` of the app's seeded shuffle of the training split: the same examples."""
    order = shuffled_indices(len(data.train), mulberry32(seed * 104729 + 17))
    return order[: min(size, len(data.train))]


@torch.no_grad()
def calibrate(net, data, size, seed, observer="minmax", momentum=0.9, percentile=100.0):
    """Runs `net` (float) on `size` training examples in batches of 32 and returns the observed
    range (min, max) of every dense / conv layer's input, by layer name."""
    indices = calibration_indices(data, size, seed)
    batches = math.ceil(len(indices) / CALIBRATION_BATCH)
    per_batch = math.ceil(PERCENTILE_BUDGET / max(batches, 1))
    observers = {}
    hooks = []

    def watch(name):
        def hook(_module, inputs):
            values = inputs[0].detach().flatten()
            if observer == "percentile":
                values = values[:: max(1, math.ceil(values.numel() / per_batch))]
                obs = observers.setdefault(name, PercentileObserver(percentile))
            elif observer == "ema":
                obs = observers.setdefault(name, EmaObserver(momentum))
            else:
                obs = observers.setdefault(name, MinMaxObserver())
            obs.observe(values)

        return hook

    for name, module in net.named_children():
        if is_weight(module):
            hooks.append(module.register_forward_pre_hook(watch(name)))
    net.to(RT.device).eval()
    try:
        for start in range(0, len(indices), CALIBRATION_BATCH):
            batch = torch.tensor(indices[start : start + CALIBRATION_BATCH], dtype=torch.int64)
            net(data.train.x[batch].to(RT.device))
    finally:
        for h in hooks:
            h.remove()
    return {name: obs.range() for name, obs in observers.items()}


def check_bits(bits, what):
    if not (isinstance(bits, int) and 2 <= bits <= 16):
        raise StageError(f"{what} must be a whole number from 2 to 16, got {bits}.")


def bits_of(p):
    """Layer name → weight bits: the layer's own under mixed precision (layerBits), else
    weightBits. Checks every per-layer width."""
    own = p.get("layerBits") or {}
    for name, bits in own.items():
        check_bits(bits, f"Weight bits of {name}")
    return lambda name: own.get(name, p["weightBits"])


def weight_bits_text(p):
    """'w4', or the range of a mixed allocation, 'w2–8' (as the app's chips)."""
    own = p.get("layerBits") or {}
    if not own:
        return f"w{p['weightBits']}"
    every = [p["weightBits"], *own.values()]
    lo, hi = min(every), max(every)
    return f"w{lo}" if lo == hi else f"w{lo}–{hi}"


def mixed_notes(layers, p):
    """The app's notes on mixed precision: bits per weight layer, unknown names ignored."""
    own = p.get("layerBits") or {}
    if not own:
        return []
    weights = weight_layers(layers)
    each = ", ".join(f"{layer['name']} {own.get(layer['name'], p['weightBits'])}" for layer in weights)
    notes = [f"mixed precision, weight bits per layer: {each}"]
    unknown = [name for name in own if name not in {layer["name"] for layer in weights}]
    if unknown:
        notes.append(f"per-layer bits for unknown layers ignored: {', '.join(unknown)}")
    return notes
