# --- PTQ: post-training quantization -----------------------------------------------------------
# Weight-only: weights quantized once (uniform or power-of-two, per tensor or per output channel);
# the network computes in float with ŵ, activations stay float32.
# Dynamic: the same weights, and every dense / conv input is fake-quantized on a grid taken from
# its own batch at run time (the app runs this with exact integer accumulation).
# Static: also calibrates every dense / conv input range on training examples (a float pass with
# ŵ), then puts a frozen activation fake-quant in front of each of those layers. The app then
# converts to an integer model (integer accumulation, requantization, tanh / sigmoid lookup
# tables) and reports that model's accuracy; here the fake-quant float model is what runs, which
# agrees with the app's integer path on nearly every example but is simulated, not integer maths.


def ptq_label(p):
    bits = (
        f"{weight_bits_text(p)}a{p['activationBits']}"
        if p["mode"] != "weight-only"
        else weight_bits_text(p)
    )
    extras = ["pow2" if p["powerOfTwo"] else "asym" if p["scheme"] == "asymmetric" else ""]
    extras.append("per-tensor" if p["granularity"] == "per-tensor" else "")
    extras.append("mixed" if p.get("layerBits") else "")
    return " ".join(["PTQ", bits, p["mode"]] + [e for e in extras if e])


def quantize_weights(layers, layer_bits, symmetric, per_channel, power_of_two=False):
    """Plain layers with every kernel replaced by its quantized ŵ at its layer's bits,
    layer_bits(name) (biases stay float)."""
    out = []
    for layer in layers:
        layer = dict(layer)
        if layer["kind"] in ("dense", "conv"):
            bits = layer_bits(layer["name"])
            with torch.no_grad():
                if power_of_two:
                    layer["weight"] = power_of_two_weight(layer["weight"], bits, per_channel)
                else:
                    layer["weight"] = fake_quantize_weight(
                        layer["weight"], bits, symmetric, per_channel
                    )
        out.append(layer)
    return out


def frozen(bits, value_range):
    """An activation fake-quant fixed at a calibrated range."""
    quant = ActFakeQuant(bits)
    quant.set_range(*value_range)
    return quant


def run_ptq(ctx, handle, p):
    check_bits(p["weightBits"], "Weight bits")
    layer_bits = bits_of(p)
    per_channel = p["granularity"] == "per-channel"
    symmetric = p["powerOfTwo"] or p["scheme"] == "symmetric"
    floats = plain_layers(handle.net)
    layers = quantize_weights(floats, layer_bits, symmetric, per_channel, p["powerOfTwo"])

    # Power-of-two codes take only the bits their levels need: 2·min(2^(b−1) − 1, 13) + 1.
    def stored_bits(name):
        bits = layer_bits(name)
        if not p["powerOfTwo"]:
            return bits
        return max(2, math.ceil(math.log2(2 * min(2 ** (bits - 1) - 1, 13) + 1)))

    storage = quantized_storage(layers, stored_bits, per_channel, symmetric)
    mixed = mixed_notes(floats, p)
    width = "per-layer-bit" if mixed else f"{p['weightBits']}-bit"
    if p["powerOfTwo"]:
        weights = f"weights powers of two ±2^k ({width} sign + exponent codes)"
    else:
        weights = f"weights {width} {p['scheme']} {p['granularity']}"
    weights = [weights, *mixed]
    if p["mode"] == "weight-only":
        notes = [
            "runs dequantized in float",
            *weights,
            "activations stay float32 (weight-only mode)",
        ]
        return Handle(net_from_plain(layers), storage, ptq_label(p), notes)
    check_bits(p["activationBits"], "Activation bits")
    if p["mode"] == "dynamic":
        bits = p["activationBits"]
        net = net_from_plain(layers, make_input_quant=lambda name: BatchFakeQuant(bits))
        notes = [
            "fake-quant float simulation of the app's dynamic integer path",
            *weights,
            f"activations {p['activationBits']}-bit asymmetric per tensor, grid from each batch",
        ]
        return Handle(net, storage, ptq_label(p), notes, converted=True)
    ranges = calibrate(
        net_from_plain(layers),
        ctx.data,
        p["calibrationSize"],
        ctx.seed,
        p["observer"],
        p["emaMomentum"],
        p["percentile"],
    )
    net = net_from_plain(
        layers, make_input_quant=lambda name: frozen(p["activationBits"], ranges[name])
    )
    observer = {
        "percentile": f"{p['percentile']}th percentile",
        "ema": f"EMA of batch min/max, momentum {p['emaMomentum']}",
    }.get(p["observer"], "min/max")
    calibrated = min(p["calibrationSize"], len(ctx.data.train))
    notes = [
        "fake-quant float simulation of the app's integer model",
        *weights,
        f"activations {p['activationBits']}-bit asymmetric per tensor, "
        f"ranges from {observer} on {calibrated} training examples",
    ]
    storage = storage + grid_storage(layers, p["activationBits"])
    return Handle(net, storage, ptq_label(p), notes, converted=True)
