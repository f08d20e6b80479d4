# --- weight sharing (k-means) ----------------------------------------------------------------
# Each dense and conv weight is clustered into k = 2^bits centroids by 1-D k-means (k-means++
# seeding from the app's PRNG, Lloyd steps until no centroid moves); every weight becomes the index
# of its centroid, ŵᵢ = C[Aᵢ]. Pruned zeros stay exact zeros outside the codebook (index k). The
# optional fine-tune trains the centroids: ŵ = [C, 0][A] is a gather, so autograd sums the
# gradients of every weight sharing a centroid, ∂L/∂c_j = Σ_{A_i = j} ∂L/∂ŵ_i. Storage: bits-wide
# indices plus k fp32 centroids per layer.


def kmeans_plus_plus(values, k, rng):
    """c₁ uniform over the values, then each next centroid drawn ∝ D(w)² (values sorted)."""
    n = values.numel()
    centroids = [values[min(n - 1, int(rng() * n))].item()]
    d2 = (values - centroids[0]) ** 2
    while len(centroids) < k:
        total = d2.sum().item()
        pick = n - 1
        if total > 0:
            cumulative = torch.cumsum(d2, 0)
            pick = min(n - 1, int(torch.searchsorted(cumulative, rng() * total, right=True)))
        c = values[pick].item()
        centroids.append(c)
        d2 = torch.minimum(d2, (values - c) ** 2)
    return sorted(centroids)


def kmeans_1d(values, k, rng, max_iterations=100):
    """Ascending centroids (float32) and each value's nearest centroid (ties to the lower)."""
    sorted_values = values.double().sort().values
    centroids = torch.tensor(kmeans_plus_plus(sorted_values, k, rng), dtype=torch.float64)
    for _ in range(max_iterations):
        mids = (centroids[1:] + centroids[:-1]) / 2
        cluster = torch.searchsorted(mids, sorted_values, right=False)
        sums = torch.zeros(k, dtype=torch.float64).index_add_(0, cluster, sorted_values)
        counts = torch.bincount(cluster, minlength=k)
        means = torch.where(counts > 0, sums / counts.clamp(min=1), centroids)
        moved = not torch.equal(means, centroids)
        centroids = means.sort().values
        if not moved:
            break
    stored = centroids.float()
    mids = (stored[1:].double() + stored[:-1].double()) / 2
    return stored, torch.searchsorted(mids, values.double(), right=False)


class SharedWeight(nn.Module):
    """A dense or conv layer computing with ŵ = [C, 0][A]: a trainable codebook C (k centroids),
    fixed indices A; the wrapped layer's bias trains, its weight is frozen (DDP skips it)."""

    def __init__(self, layer, centroids, codes):
        super().__init__()
        self.layer = layer
        self.layer.weight.requires_grad_(False)
        self.codebook = nn.Parameter(centroids.clone())
        self.register_buffer("codes", codes)

    def shared_weight(self):
        table = torch.cat([self.codebook, self.codebook.new_zeros(1)])
        return table[self.codes]

    def forward(self, x):
        w = self.shared_weight()
        if isinstance(self.layer, nn.Linear):
            return F.linear(x, w, self.layer.bias)
        return F.conv2d(x, w, self.layer.bias)


def share_layer(layer, k, pruned, rng):
    """One layer's centroids and indices (k = a pruned zero); StageError when too few weights."""
    w = layer["weight"].flatten()
    keep = w != 0 if pruned else torch.ones_like(w, dtype=torch.bool)
    n = int(keep.sum().item())
    if n < k:
        most = f"at most {int(math.log2(n))} bits" if n >= 2 else "no weight sharing"
        raise StageError(
            f"{layer['name']} has {n} {'non-zero ' if pruned else ''}weights, fewer than the {k} "
            f"centroids of {int(math.log2(k))}-bit sharing: choose {most} for this model."
        )
    centroids, assignment = kmeans_1d(w[keep], k, rng)
    codes = torch.full_like(w, k, dtype=torch.long)
    codes[keep] = assignment
    return centroids, codes.reshape(layer["weight"].shape), n


def run_share(ctx, handle, p):
    if handle.converted or any(spec["bits"] < 32 for spec in handle.storage):
        raise StageError(
            "Weight sharing clusters float weights: put it before quantization (PTQ or QAT)."
        )
    k = 2 ** p["bits"]
    layers = plain_layers(handle.net)
    pruned_names = {
        spec["name"]
        for spec in handle.storage
        if spec.get("nonzeros", math.prod(spec["shape"])) < math.prod(spec["shape"])
    }
    rng = mulberry32(ctx.seed)
    books = {}
    for layer in weight_layers(layers):
        pruned = f"{layer['name']}/kernel" in pruned_names
        books[layer["name"]] = (*share_layer(layer, k, pruned, rng), pruned)
    net = net_from_plain(layers)
    if p["finetuneEpochs"] > 0:
        for name, (centroids, codes, _, _) in books.items():
            net._modules[name] = SharedWeight(net._modules[name], centroids, codes)
        train(
            net,
            ctx.data,
            stage_training(p["finetuneEpochs"], p["learningRate"], ctx.data),
            ctx.seed,
            what="centroid fine-tune",
        )
        net = net.cpu()
        for name in books:
            shared = net._modules[name]
            with torch.no_grad():
                shared.layer.weight.copy_(shared.shared_weight())
            net._modules[name] = shared.layer
    else:
        for name, (centroids, codes, _, _) in books.items():
            table = torch.cat([centroids, centroids.new_zeros(1)])
            with torch.no_grad():
                net._modules[name].weight.copy_(table[codes])
    storage = []
    for layer in weight_layers(plain_layers(net)):
        _, _, clustered, pruned = books[layer["name"]]
        w = layer["weight"]
        kernel = {"name": f"{layer['name']}/kernel", "shape": app_shape(w), "bits": p["bits"]}
        kernel["codebook"] = k
        if pruned:
            kernel["nonzeros"] = clustered
        storage.append(kernel)
        storage.append({"name": f"{layer['name']}/bias", "shape": [w.shape[0]], "bits": 32})
    notes = [f"{k} shared values per layer ({p['bits']}-bit indices + fp32 codebook)"]
    if any(pruned for *_, pruned in books.values()):
        notes.append("pruned zeros stay zero, stored sparse")
    tuned = f" + fine-tune {p['finetuneEpochs']} ep" if p["finetuneEpochs"] > 0 else ""
    return Handle(net, storage, f"k-means {p['bits']}-bit{tuned}", notes)
