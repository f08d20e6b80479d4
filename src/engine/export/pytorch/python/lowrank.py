# --- low-rank factorization --------------------------------------------------------------------
# Each dense layer y = f(W x + b), W [m×n], becomes two: x → B x (r outputs, no bias, named
# <layer>_u) → f(A (B x) + b) (<layer>_v), from the truncated SVD W ≈ U_r √S_r · √S_r V_rᵀ
# (torch.linalg.svd), wherever that saves parameters, (m + n)·r < m·n. r is the given rank, or per
# layer the smallest keeping the given share of the energy Σσ². With `convs`, a k×k conv kernel
# viewed as a matrix [out, in·k·k] becomes a k×k conv with r filters and a 1×1 conv.


def rank_for_energy(s, energy):
    """Smallest r with Σ_{i≤r} σᵢ² ≥ energy·Σσᵢ² (1e-12 relative slack, as the app)."""
    power = (s.double() ** 2).tolist()
    target = energy * sum(power) * (1 - 1e-12)
    acc = 0.0
    for i, v in enumerate(power):
        acc += v
        if acc >= target:
            return i + 1
    return len(power)


def factor_layer(layer, p):
    """The layer's two factors (or the layer itself with the reason it was kept) and a note."""
    w = layer["weight"]
    matrix = w.reshape(w.shape[0], -1).double()
    rows, cols = matrix.shape
    U, S, Vh = torch.linalg.svd(matrix, full_matrices=False)
    if p["rankMode"] == "rank" and p["rank"] > S.numel():
        return [layer], f"{layer['name']} kept as is: rank {p['rank']} > min(m, n) = {S.numel()}"
    r = p["rank"] if p["rankMode"] == "rank" else rank_for_energy(S, p["energy"])
    if (rows + cols) * r >= rows * cols:
        even = (rows * cols - 1) // (rows + cols)
        return [layer], (
            f"{layer['name']} kept as is: rank {r} would not save parameters "
            f"((m + n)·r ≥ m·n; break-even r ≤ {even})"
        )
    root = S[:r].sqrt()
    a = (U[:, :r] * root).float()  # [out, r]
    b = (root[:, None] * Vh[:r]).float()  # [r, in·k·k]
    energy = (S[:r] ** 2).sum() / (S**2).sum() if S.abs().sum() > 0 else torch.tensor(1.0)
    if w.dim() == 4:
        first = b.reshape(r, *w.shape[1:])
        second = a.reshape(w.shape[0], r, 1, 1)
        kind = "conv"
    else:
        first, second, kind = b, a, "dense"
    factors = [
        {
            "kind": kind,
            "name": f"{layer['name']}_u",
            "weight": first,
            "bias": None,
            "activation": "linear",
        },
        {
            "kind": kind,
            "name": f"{layer['name']}_v",
            "weight": second,
            "bias": layer["bias"],
            "activation": layer["activation"],
        },
    ]
    return (
        factors,
        f"{layer['name']} r={r}/{S.numel()} ({round_half_up(energy.item() * 100)}% energy)",
    )


def run_lowrank(ctx, handle, p):
    if handle.converted or any(spec["bits"] < 32 for spec in handle.storage):
        raise StageError(
            "Low-rank factorization works on float weights: "
            "put it before quantization (PTQ or QAT)."
        )
    layers = plain_layers(handle.net)
    if p["rankMode"] == "rank":
        largest = max(
            [min(layer["weight"].shape) for layer in layers if layer["kind"] == "dense"] + [0]
        )
        if not 1 <= p["rank"] <= largest:
            raise StageError(
                f"rank must be between 1 and min(m, n) = {largest} (the largest over this "
                f"model's dense layers W [m×n]); got {p['rank']}."
            )
    out, factored, kept = [], [], []
    for layer in layers:
        if layer["kind"] == "dense" or (layer["kind"] == "conv" and p["convs"]):
            pieces, note = factor_layer(layer, p)
            out.extend(pieces)
            (factored if len(pieces) == 2 else kept).append(note)
        else:
            out.append(layer)
    net = net_from_plain(out)
    train(
        net,
        ctx.data,
        stage_training(p["finetuneEpochs"], p["learningRate"], ctx.data),
        ctx.seed,
        what="low-rank fine-tune",
    )
    notes = (
        [f"factored {', '.join(factored)}"]
        if factored
        else ["no layer was factored: at this setting no dense layer gets smaller"]
    )
    notes += kept
    before = layer_macs(layers, ctx.data.input_shape)[0]
    if layer_macs(plain_layers(net), ctx.data.input_shape)[0] < before:
        notes.append("speedup is real: fewer MACs")
    label = (
        f"low-rank r={p['rank']}"
        if p["rankMode"] == "rank"
        else f"low-rank {round_half_up(p['energy'] * 100)}% energy"
    )
    return Handle(net, fp32_storage(plain_layers(net)), label, notes)
