# --- QAT: quantization-aware training ----------------------------------------------------------
# prepare: every dense / conv layer becomes a QuantLinear / QuantConv2d whose weight is
# fake-quantized on every forward pass (min/max grid recomputed from w each step, or a learned
# LSQ / LSQ+ grid), with an ActFakeQuant in front of its input (EMA range, momentum 0.99).
# train: the usual loop, wrapped in DDP under torchrun *after* prepare (so every replica holds
# the fake-quant modules). The straight-through estimator is the backward of PyTorch's
# fake-quant ops (min/max grids) or of round-with-identity-gradient (LSQ). convert: the app then
# builds an integer model; here the trained fake-quant model is what is measured.


def grad_scale(t, g):
    """Value t, gradient g·dL/dt (LSQ's step-size gradient scale)."""
    return t * g + (t - t * g).detach()


def round_ste(t):
    """round(t) with the identity gradient (straight-through)."""
    return t + (torch.round(t) - t).detach()


class WeightFakeQuant:
    """Mixin of QuantLinear / QuantConv2d: the weight as the forward pass sees it."""

    def configure(self, bits, symmetric, per_channel, learned):
        self.bits, self.symmetric, self.per_channel, self.learned = (
            bits,
            symmetric,
            per_channel,
            learned,
        )
        if learned:
            self.reset_scale()

    def reset_scale(self):
        """LSQ init from the current weight: symmetric s = 2·mean|w| / √qmax (Esser et al.);
        asymmetric (LSQ+): s and z of the weight's min/max grid."""
        qmin, qmax = quant_range(self.bits, self.symmetric)
        w = self.weight.detach()
        rows = w.reshape(w.shape[0], -1) if self.per_channel else w.reshape(1, -1)
        if self.symmetric:
            scale = torch.clamp(2 * rows.abs().mean(dim=1) / math.sqrt(qmax), min=1e-8)
            self.weight_scale = nn.Parameter(scale)
        else:
            scale, zero = grid_from_range(
                rows.min(dim=1).values, rows.max(dim=1).values, self.bits, False
            )
            self.weight_scale = nn.Parameter(scale)
            self.weight_zero_point = nn.Parameter(zero.float())

    def quantized_weight(self):
        w = self.weight
        if not self.learned:
            return fake_quantize_weight(w, self.bits, self.symmetric, self.per_channel)
        qmin, qmax = quant_range(self.bits, self.symmetric)
        view = [-1] + [1] * (w.dim() - 1)
        s = torch.clamp(self.weight_scale, min=1e-8)
        g = 1.0 / math.sqrt(w.numel() / s.numel() * qmax)
        s = grad_scale(s, g).reshape(view)
        if self.symmetric:
            z = torch.zeros_like(s)
        else:
            z = grad_scale(self.weight_zero_point, g).reshape(view)
            z = z + (torch.clamp(torch.round(z), qmin, qmax) - z).detach()  # integer z, STE
        q = torch.clamp(round_ste(w / s + z), qmin, qmax)
        return (q - z) * s


class QuantLinear(WeightFakeQuant, nn.Linear):
    def forward(self, x):
        return F.linear(x, self.quantized_weight(), self.bias)


class QuantConv2d(WeightFakeQuant, nn.Conv2d):
    def forward(self, x):
        return F.conv2d(x, self.quantized_weight(), self.bias)


def prepare_qat(layers, p, seed):
    """The QAT network of plain layers (their weights, or fresh Glorot ones from scratch)."""
    per_channel = p["granularity"] == "per-channel"
    symmetric = p["scheme"] == "symmetric"

    def make_weight(layer):
        w, b = layer["weight"], layer["bias"]
        if layer["kind"] == "dense":
            return QuantLinear(w.shape[1], w.shape[0], bias=b is not None)
        return QuantConv2d(w.shape[1], w.shape[0], tuple(w.shape[2:]), bias=b is not None)

    net = net_from_plain(layers, make_weight, lambda _name: ActFakeQuant(p["activationBits"]))
    if p["fromScratch"]:
        torch.manual_seed(seed)
        for module in net.modules():
            if is_weight(module):
                glorot_(module)
    layer_bits = bits_of(p)
    for name, module in net.named_children():
        if isinstance(module, WeightFakeQuant):
            module.configure(layer_bits(name), symmetric, per_channel, p["learnedScale"])
    return net


QAT_CALIBRATION_SIZE = 256


def qat_label(p):
    extras = [
        "asym" if p["scheme"] == "asymmetric" else "",
        "LSQ" if p["learnedScale"] else "",
        "per-tensor" if p["granularity"] == "per-tensor" else "",
    ]
    extras.append("mixed" if p.get("layerBits") else "")
    text = " ".join(["QAT", f"{weight_bits_text(p)}a{p['activationBits']}"] + [e for e in extras if e])
    return text + (", from scratch" if p["fromScratch"] else "")


def run_qat(ctx, handle, p):
    check_bits(p["weightBits"], "Weight bits")
    check_bits(p["activationBits"], "Activation bits")
    if not p["fromScratch"] and handle.label == "student":
        raise StageError(
            "QAT fine-tunes a trained model, but this student has not been trained yet."
        )
    net = prepare_qat(plain_layers(handle.net), p, ctx.seed)
    # First activation ranges from the starting float weights; training then follows them by EMA.
    start = calibrate(net_from_plain(plain_layers(net)), ctx.data, QAT_CALIBRATION_SIZE, ctx.seed)
    for name, (lo, hi) in start.items():
        getattr(net, f"{name}_input_quant").set_range(lo, hi)
    train(
        net,
        ctx.data,
        stage_training(p["epochs"], p["learningRate"], ctx.data),
        ctx.seed,
        what="QAT",
    )
    shipped = plain_layers(net, shipped=True)
    per_channel = p["granularity"] == "per-channel"
    storage = quantized_storage(shipped, bits_of(p), per_channel, p["scheme"] == "symmetric")
    storage += grid_storage(shipped, p["activationBits"])
    grids = (
        (
            "learned LSQ+ scales and zero points"
            if p["scheme"] == "asymmetric"
            else "learned LSQ scales"
        )
        if p["learnedScale"]
        else "min/max scales"
    )
    notes = [
        "fake-quant float simulation of the app's integer model",
        f"trained {p['epochs']} epoch(s) with fake-quant {p['weightBits']}-bit {p['scheme']} "
        f"{p['granularity']} weights ({grids}) and activations before every dense/conv input, "
        "straight-through gradients",
        *mixed_notes(shipped, p),
    ]
    return Handle(net, storage, qat_label(p), notes, converted=True)
