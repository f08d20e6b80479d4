# --- pruning ---------------------------------------------------------------------------------
# Unstructured magnitude pruning (per layer or one global threshold) and N:M, through
# torch.nn.utils.prune: each dense / conv weight becomes weight_orig · weight_mask, so optimizer
# steps cannot bring a pruned weight back. Every weight layer is pruned (the logits included),
# biases never. k = round(s·n) weights go per layer (or in total, global); weights pruned before
# stay pruned as the sparsity grows. Schedules, as in the app's schedule-plan.ts, over
# R = steps per epoch · fine-tuning epochs optimizer steps:
#   one-shot: prune to s_f, then fine-tune R steps (N:M always works this way);
#   iterative: K rounds of prune to s_k = 1 − (1 − s_f)^(k/K), then fine-tune R steps;
#   gradual (Zhu & Gupta): while fine-tuning, before steps t = 0, f, 2f, … and T prune to
#     s_t = s_f·(1 − (1 − t/T)³), T = round(0.75·R) (in 1..R−1), f = max(1, ⌊R/20⌋).
# Structured pruning removes whole conv filters / dense units from every hidden layer (ranked by
# L1 or L2 norm of their weights, torch.nn.utils.prune.ln_structured, or by mean |activation|)
# and the matching inputs of the next layer: the network is physically smaller.

from torch.nn.utils import prune  # noqa: E402 (imported here: only pruning scripts use it)

GRADUAL_TOO_SHORT = "too few fine-tuning steps for a gradual ramp: pruned in one shot instead"


def prune_label(p):
    pct = f"{round_half_up(p['sparsity'] * 100)}%"
    if p["kind"] == "nm":
        return f"prune {p['n']}:{p['m']}"
    schedule = "" if p["schedule"] == "one-shot" else f", {p['schedule']}"
    if p["kind"] == "structured":
        return f"prune {pct} units ({p['criterion']}){schedule}"
    if uses_layer_sparsities(p):
        count = len(p["layerSparsities"])
        return f"prune {pct} per layer ({count} layer{'' if count == 1 else 's'} own %){schedule}"
    return f"prune {pct} {'global' if p['scope'] == 'global' else 'per layer'}{schedule}"


def uses_layer_sparsities(p):
    return p["kind"] == "magnitude" and p["scope"] == "layer" and bool(p.get("layerSparsities"))


def round_sparsities(final, rounds):
    """s_k = 1 − (1 − s_f)^(k/K), k = 1..K, the last exactly s_f."""
    out = [1 - (1 - final) ** (k / rounds) for k in range(1, rounds + 1)]
    out[-1] = final
    return out


def gradual_ramp(total_steps, final):
    """(end step T, frequency f) of the cubic ramp over `total_steps`, or None below 2 steps."""
    if total_steps < 2:
        return None
    end = min(total_steps - 1, max(1, round_half_up(0.75 * total_steps)))
    return end, max(1, total_steps // 20)


def ramp_sparsity(step, end, final):
    t = min(max(step, 0), end)
    return final * (1 - (1 - t / end) ** 3)


def is_pruning_step(step, end, frequency):
    return 0 <= step <= end and (step % frequency == 0 or step == end)


def nm_mask(weight, n, m, flat_chw=None):
    """1 at the N largest |w| of every M consecutive inputs of each output unit. Inputs run in the
    app's order, (h, w, in) for conv kernels and the (h, w, c) order of the app's flatten for the
    first dense layer after one, so the groups are the app's (and NHWC hardware's)."""
    out_units = weight.shape[0]
    if weight.dim() == 4:
        view = weight.permute(0, 2, 3, 1)  # O, kh, kw, I
    elif flat_chw is not None:
        c, h, w = flat_chw
        view = weight.reshape(out_units, c, h, w).permute(0, 2, 3, 1)  # O, h, w, c
    else:
        view = weight
    rows = view.reshape(out_units, -1).abs()
    mask = torch.zeros_like(rows)
    for start in range(0, rows.shape[1], m):
        group = rows[:, start : start + m]
        keep = group.topk(min(n, group.shape[1]), dim=1).indices
        mask[:, start : start + m].scatter_(1, keep, 1.0)
    mask = mask.reshape(view.shape)
    if weight.dim() == 4 or flat_chw is not None:
        mask = mask.permute(0, 3, 1, 2)
    return mask.reshape(weight.shape).contiguous()


def pruned_count(module):
    return int((module.weight_mask == 0).sum().item()) if hasattr(module, "weight_mask") else 0


def prune_to(net, p, sparsity, scheduled, flat):
    """Prunes every dense / conv weight of `net` to `sparsity` (a layer with its own sparsity
    in layerSparsities to scheduled(its sparsity)), ranking the effective weights by |w|."""
    modules = [(name, m) for name, m in net.named_children() if is_weight(m)]
    if p["kind"] == "nm":
        for name, module in modules:
            mask = nm_mask(effective_weight(module).detach(), p["n"], p["m"], flat.get(name))
            prune.custom_from_mask(module, "weight", mask)
        return
    scores = {(m, "weight"): effective_weight(m).detach().abs() for _, m in modules}
    if p["scope"] == "global":
        total = sum(m.weight.numel() for _, m in modules)
        amount = max(0, round_half_up(sparsity * total) - sum(pruned_count(m) for _, m in modules))
        prune.global_unstructured(
            [(m, "weight") for _, m in modules],
            prune.L1Unstructured,
            importance_scores=scores,
            amount=amount,
        )
        return
    overrides = (p.get("layerSparsities") or {}) if uses_layer_sparsities(p) else {}
    for name, module in modules:
        target = scheduled(overrides[name]) if name in overrides else sparsity
        amount = max(0, round_half_up(target * module.weight.numel()) - pruned_count(module))
        prune.l1_unstructured(
            module, "weight", amount=amount, importance_scores=scores[(module, "weight")]
        )


def bake_masks(net):
    """weight_orig ← weight_orig · mask, keeping the masks (later fine-tunes keep the zeros)."""
    with torch.no_grad():
        for module in net.modules():
            if hasattr(module, "weight_orig"):
                module.weight_orig.mul_(module.weight_mask)


def prune_masked(ctx, layers, p):
    net = net_from_plain(layers)
    notes = []
    training = stage_training(p["finetuneEpochs"], p["learningRate"], ctx.data)
    per_round = steps_per_epoch(len(ctx.data.train), training["batchSize"]) * p["finetuneEpochs"]
    final = 1 - p["n"] / p["m"] if p["kind"] == "nm" else p["sparsity"]
    flat = flatten_shapes(net, ctx.data.input_shape)
    names = {n for n, m in net.named_children() if is_weight(m)}
    unknown = (
        sorted(set(p.get("layerSparsities") or {}) - names) if uses_layer_sparsities(p) else []
    )
    if p.get("layerSparsities") and not uses_layer_sparsities(p):
        notes.append(
            "per-layer sparsities ignored: they apply to layer-wise magnitude pruning only"
        )
    if unknown:
        notes.append(f"per-layer sparsities for unknown layers ignored: {', '.join(unknown)}")
    ramp = (
        gradual_ramp(per_round, final) if p["schedule"] == "gradual" and p["kind"] != "nm" else None
    )
    if p["schedule"] == "gradual" and p["kind"] != "nm" and ramp is None:
        notes.append(GRADUAL_TOO_SHORT)
    if p["schedule"] == "iterative" and p["kind"] != "nm":
        for k, target in enumerate(round_sparsities(final, p["rounds"])):
            prune_to(net, p, target, lambda s, k=k: round_sparsities(s, p["rounds"])[k], flat)
            train(net, ctx.data, training, ctx.seed, what=f"prune round {k + 1}")
    elif ramp is not None:
        end, frequency = ramp
        prune_to(net, p, 0.0, lambda s: 0.0, flat)  # masks of ones: the reparametrization exists

        def before_step(step, _total):
            if is_pruning_step(step, end, frequency):
                prune_to(
                    net,
                    p,
                    ramp_sparsity(step, end, final),
                    lambda s: ramp_sparsity(step, end, s),
                    flat,
                )

        train(net, ctx.data, training, ctx.seed, before_step=before_step, what="gradual pruning")
    else:
        prune_to(net, p, final, lambda s: s, flat)
        train(net, ctx.data, training, ctx.seed, what="pruned fine-tune")
    bake_masks(net)
    return net, notes


# Structured pruning ---------------------------------------------------------------------------

ACTIVATION_SAMPLES = 128


def hidden_indices(layers):
    weights = [i for i, layer in enumerate(layers) if layer["kind"] in ("dense", "conv")]
    return weights[:-1]


def unit_count(layer):
    return layer["weight"].shape[0]


@torch.no_grad()
def mean_activations(layers, data, seed):
    """Mean |post-activation output| of each unit of every weight layer, on the first 128 of the
    app's seeded shuffle of the training split."""
    net = net_from_plain(layers).to(RT.device).eval()
    order = shuffled_indices(len(data.train), mulberry32(seed))[:ACTIVATION_SAMPLES]
    h = data.train.x[torch.tensor(order, dtype=torch.int64)].to(RT.device)
    out = {}
    children = list(net.named_children())
    for i, (name, module) in enumerate(children):
        h = module(h)
        nxt = children[i + 1][1] if i + 1 < len(children) else None
        if is_weight(module) and not isinstance(nxt, tuple(ACTIVATIONS.values())):
            out[name] = h
        elif isinstance(module, tuple(ACTIVATIONS.values())):
            out[children[i - 1][0]] = h
    return {
        name: a.abs().mean(dim=[d for d in range(a.dim()) if d != 1]).cpu()
        for name, a in out.items()
    }


def units_to_remove(layer, count, criterion, activations):
    """The `count` lowest-ranked units of a layer, chosen with torch.nn.utils.prune.ln_structured
    on a scratch copy (L1 or L2 norm of each unit's weights, or its mean |activation|); 'order'
    removes the last units (no ranking, the naive baseline)."""
    w = layer["weight"]
    if criterion == "order":
        return list(range(w.shape[0] - count, w.shape[0]))
    scratch = nn.Linear(1, 1) if w.dim() == 2 else nn.Conv2d(1, 1, 1)
    scratch.weight = nn.Parameter(w.clone())
    scores = None
    if criterion == "activation":
        score = activations[layer["name"]].reshape([-1] + [1] * (w.dim() - 1))
        scores = score.to(w.device).expand_as(w).contiguous()
    prune.ln_structured(
        scratch,
        "weight",
        amount=count,
        n=2 if criterion == "l2" else 1,
        dim=0,
        importance_scores=scores,
    )
    removed = scratch.weight_mask.reshape(w.shape[0], -1).sum(dim=1) == 0
    return [u for u in range(w.shape[0]) if removed[u]]


def remove_units(layers, index, units):
    """Removes `units` from weight layer `index` and the matching inputs of the next weight layer
    (through flatten: the block of H·W inputs of each removed channel). A removed unit's constant
    output f(0) (0.5 for sigmoid) is folded into the next layer's bias."""
    layers = [dict(layer) for layer in layers]
    layer = layers[index]
    nxt_index = next(
        i for i in range(index + 1, len(layers)) if layers[i]["kind"] in ("dense", "conv")
    )
    nxt = layers[nxt_index]
    count = unit_count(layer)
    keep = torch.tensor([u for u in range(count) if u not in set(units)], dtype=torch.int64)
    gone = torch.tensor(sorted(units), dtype=torch.int64)
    layer["weight"] = layer["weight"][keep].clone()
    layer["bias"] = None if layer["bias"] is None else layer["bias"][keep].clone()
    w = nxt["weight"]
    grouped = w.reshape(w.shape[0], count, -1)  # [out, channel, positions or kh·kw]
    bias = (
        nxt["bias"].clone() if nxt["bias"] is not None else torch.zeros(w.shape[0], device=w.device)
    )
    if layer["activation"] == "sigmoid":
        bias += 0.5 * grouped[:, gone].sum(dim=(1, 2))
    kept = grouped[:, keep]
    nxt["weight"] = (
        kept.reshape(w.shape[0], len(keep), *w.shape[2:])
        if w.dim() == 4
        else kept.reshape(w.shape[0], -1)
    )
    nxt["bias"] = bias
    return layers


def prune_structured(ctx, layers, p):
    hidden = hidden_indices(layers)
    if not hidden:
        raise StageError(
            "Structured pruning removes hidden units, but this model has no hidden layer "
            "(only the output layer, whose units are the classes). "
            "Use magnitude or N:M pruning instead."
        )
    original = [unit_count(layers[i]) for i in hidden]
    for i, n in zip(hidden, original):
        if n - round_half_up(p["sparsity"] * n) < 1:
            raise StageError(
                f"Removing {round_half_up(p['sparsity'] * 100)}% of the {n} units of "
                f"{layers[i]['name']} would remove all of them: "
                "lower the sparsity or widen the layer."
            )
    targets = (
        round_sparsities(p["sparsity"], p["rounds"])
        if p["schedule"] == "iterative"
        else [p["sparsity"]]
    )
    training = stage_training(p["finetuneEpochs"], p["learningRate"], ctx.data)
    net = None
    for k, s in enumerate(targets):
        activations = (
            mean_activations(layers, ctx.data, ctx.seed) if p["criterion"] == "activation" else None
        )
        removals = []
        for j, index in enumerate(hidden):
            count = unit_count(layers[index]) - (original[j] - round_half_up(s * original[j]))
            units = (
                units_to_remove(layers[index], count, p["criterion"], activations)
                if count > 0
                else []
            )
            removals.append((index, units))
        for index, units in removals:
            if units:
                layers = remove_units(layers, index, units)
        net = net_from_plain(layers)
        train(net, ctx.data, training, ctx.seed, what=f"structured round {k + 1}")
        layers = plain_layers(net)
    return net


def run_prune(ctx, handle, p):
    layers = plain_layers(handle.net)
    if p["kind"] == "structured":
        net = prune_structured(ctx, layers, p)
        notes = ["speedup is real: the model is physically smaller"]
    else:
        net, extra = prune_masked(ctx, layers, p)
        notes = [
            "zeros skipped only in storage and effective MACs: dense kernels still run"
        ] + extra
    return Handle(net, sparse_storage(plain_layers(net)), prune_label(p), notes)
