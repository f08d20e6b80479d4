# --- size, parameters and MACs, counted like the app (engine/measure/size.ts) -----------------
# Each tensor ships in the smallest of: fp32 (4 B a value) or packed N-bit codes (8 B header +
# ⌈N·count/8⌉ + 4 B per scale + zero points unless symmetric: 1 B each at ≤ 8 bits, else 4 B);
# a bitmask (⌈count/8⌉) or CSR index (4·(rows+1) + 1/2/4 B per non-zero) + the non-zeros.
# Weight sharing stores k fp32 centroids (4·k B) instead of scales; a pruned shared tensor ships
# sparse only. Activation grids (static PTQ, QAT) are 8 B each. Shapes are in the app's layout: dense
# [in, out], conv [kh, kw, in, out], so "rows × cols" of CSR means the same thing here.

HEADER_BYTES = 8
GRID_BYTES = 8


def app_shape(weight):
    """A PyTorch weight's shape in the app's layout: [out, in] → [in, out], OIHW → HWIO."""
    if weight.dim() == 4:
        o, i, kh, kw = weight.shape
        return [kh, kw, i, o]
    return [weight.shape[1], weight.shape[0]]


def tensor_bytes(spec):
    shape, bits = spec["shape"], spec["bits"]
    if spec.get("grid"):
        return GRID_BYTES * spec.get("scales", 1)
    count = math.prod(shape)
    nnz = spec.get("nonzeros", count)
    scales = spec.get("scales", 1)
    params = 0
    if "codebook" in spec:
        params = 4 * spec["codebook"]
    elif bits != 32:
        params = scales * 4 + (
            0 if spec.get("symmetric", True) else scales * (1 if bits <= 8 else 4)
        )
    dense = 4 * count if bits == 32 else HEADER_BYTES + params + math.ceil(bits * count / 8)
    if "codebook" in spec and nnz < count:
        dense = math.inf  # pruned zeros have no centroid: sparse encodings only
    base = HEADER_BYTES + params + math.ceil(bits * nnz / 8)
    cols = shape[-1] if shape else 1
    rows = count // cols if cols else 0
    index = 1 if cols <= 2**8 else 2 if cols <= 2**16 else 4
    bitmask = base + math.ceil(count / 8)
    csr = base + 4 * (rows + 1) + nnz * index
    return min(dense, bitmask, csr)


def model_bytes(storage):
    return sum(tensor_bytes(spec) for spec in storage)


def param_count(storage):
    return sum(0 if spec.get("grid") else math.prod(spec["shape"]) for spec in storage)


def nonzeros(t):
    return int((t != 0).sum().item())


def fp32_storage(layers):
    """Every kernel and bias at 32 bits (the teacher, a student, a low-rank model)."""
    out = []
    for layer in weight_layers(layers):
        out.append(
            {"name": f"{layer['name']}/kernel", "shape": app_shape(layer["weight"]), "bits": 32}
        )
        if layer["bias"] is not None:
            out.append(
                {"name": f"{layer['name']}/bias", "shape": [layer["bias"].shape[0]], "bits": 32}
            )
    return out


def sparse_storage(layers):
    """Pruned layers: fp32 kernels with their non-zero count, fp32 biases."""
    out = []
    for layer in weight_layers(layers):
        w = layer["weight"]
        out.append(
            {
                "name": f"{layer['name']}/kernel",
                "shape": app_shape(w),
                "bits": 32,
                "nonzeros": nonzeros(w),
            }
        )
        out.append({"name": f"{layer['name']}/bias", "shape": [w.shape[0]], "bits": 32})
    return out


def quantized_storage(layers, layer_bits, per_channel, symmetric):
    """Kernels at their layer's bits, layer_bits(name) (non-zeros of ŵ), one scale per tensor or
    per output channel; fp32 biases (one per output, as the app counts them even for bias-free
    factors)."""
    out = []
    for layer in weight_layers(layers):
        w = layer["weight"]
        out.append(
            {
                "name": f"{layer['name']}/kernel",
                "shape": app_shape(w),
                "bits": layer_bits(layer["name"]),
                "scales": w.shape[0] if per_channel else 1,
                "symmetric": symmetric,
                "nonzeros": nonzeros(w),
            }
        )
        out.append({"name": f"{layer['name']}/bias", "shape": [w.shape[0]], "bits": 32})
    return out


def grid_storage(layers, bits):
    """The integer model's activation grids: each layer's input grid, and the pre-activation grid
    of every hidden tanh / sigmoid layer (its lookup table's input)."""
    out = []
    weights = weight_layers(layers)
    for i, layer in enumerate(weights):
        out.append(
            {"name": f"{layer['name']}/input_grid", "shape": [0], "bits": bits, "grid": True}
        )
        if i + 1 < len(weights) and layer["activation"] in ("tanh", "sigmoid"):
            out.append(
                {
                    "name": f"{layer['name']}/pre_activation_grid",
                    "shape": [0],
                    "bits": 16,
                    "grid": True,
                }
            )
    return out


def retrained_storage(storage, layers):
    """The input's storage with non-zero counts read again from trained weights; a shared kernel
    whose trained weights hold more distinct non-zero values than its codebook ships fp32 again."""
    weights = {f"{layer['name']}/kernel": layer["weight"] for layer in weight_layers(layers)}
    out = []
    for spec in storage:
        spec = dict(spec)
        w = weights.get(spec["name"])
        if w is not None and "codebook" in spec:
            if torch.unique(w[w != 0]).numel() > spec["codebook"]:
                del spec["codebook"]
                spec["bits"] = 32
        if "nonzeros" in spec and w is not None:
            spec["nonzeros"] = nonzeros(w)
        out.append(spec)
    return out


def layer_macs(layers, input_shape):
    """MACs per example (dense in·out, conv outH·outW·kh·kw·cin·cout) and the effective MACs
    that skip zero weights (each layer's MACs × its non-zero fraction)."""
    shape = list(input_shape)
    macs, effective = 0, 0.0
    for layer in layers:
        if layer["kind"] == "dense":
            out_units, in_units = layer["weight"].shape
            m = in_units * out_units
            shape = [out_units]
        elif layer["kind"] == "conv":
            o, i, kh, kw = layer["weight"].shape
            oh, ow = shape[1] - kh + 1, shape[2] - kw + 1
            m = oh * ow * kh * kw * i * o
            shape = [o, oh, ow]
        elif layer["kind"] == "maxpool":
            shape = [shape[0], shape[1] // 2, shape[2] // 2]
            continue
        else:
            shape = [math.prod(shape)]
            continue
        macs += m
        effective += m * nonzeros(layer["weight"]) / layer["weight"].numel()
    return macs, round_half_up(effective)
