# --- models ----------------------------------------------------------------------------------
# A network is an nn.Sequential of named children, named as in the app: conv1, conv1_relu, pool1,
# …, flatten, dense1, dense1_relu, …, logits (raw logits, no softmax). Conv: k×k, stride 1, valid
# padding; max-pool 2×2 stride 2. Stages read a network as "plain layers" (dicts, PyTorch layout)
# and build new networks from them, like the app's extractLayers / buildFromLayers.

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def glorot_(module):
    """The app's initializer: Glorot-uniform kernels, zero biases."""
    nn.init.xavier_uniform_(module.weight)
    if module.bias is not None:
        nn.init.zeros_(module.bias)


def architecture_layers(arch, input_shape, num_classes):
    """Plain layers (no weights yet) of an architecture spec of the experiment."""
    layers = []
    channels = input_shape[0]
    act = arch.get("activation", "relu")
    if arch["kind"] == "cnn":
        for i, conv in enumerate(arch["convs"]):
            k = conv["kernel"]
            layers.append(
                {
                    "kind": "conv",
                    "name": f"conv{i + 1}",
                    "shape": (conv["filters"], channels, k, k),
                    "activation": act,
                }
            )
            layers.append({"kind": "maxpool", "name": f"pool{i + 1}"})
            channels = conv["filters"]
        layers.append({"kind": "flatten", "name": "flatten"})
        hidden = arch["dense"]
    else:
        if len(input_shape) > 1:
            layers.append({"kind": "flatten", "name": "flatten"})
        hidden = arch["hidden"]
    units = [None] + list(hidden) + [num_classes]
    for i in range(1, len(units)):
        name = f"dense{i}" if i < len(units) - 1 else "logits"
        layers.append(
            {
                "kind": "dense",
                "name": name,
                "units": units[i],
                "activation": act if i < len(units) - 1 else "linear",
            }
        )
    return layers


def build_net(arch, input_shape, num_classes, seed):
    """A fresh network of an architecture, initialised from `seed` (Glorot uniform, zero bias)."""
    torch.manual_seed(seed)
    spec = architecture_layers(arch, input_shape, num_classes)
    children = OrderedDict()
    x = torch.zeros(1, *input_shape)
    for layer in spec:
        if layer["kind"] == "conv":
            out, cin, k, _ = layer["shape"]
            if x.shape[2] < k:
                raise StageError(
                    f"{layer['name']}: a {k}×{k} conv does not fit {x.shape[2]}×{x.shape[3]} pixels"
                )
            module = nn.Conv2d(cin, out, k)
        elif layer["kind"] == "dense":
            module = nn.Linear(x.shape[1], layer["units"])
        elif layer["kind"] == "maxpool":
            if x.shape[2] < 2:
                raise StageError(
                    f"{layer['name']}: nothing left to pool ({x.shape[2]}×{x.shape[3]})"
                )
            module = nn.MaxPool2d(2, 2)
        else:
            module = nn.Flatten()
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            glorot_(module)
        children[layer["name"]] = module
        x = module(x)
        if layer.get("activation", "linear") != "linear":
            children[f"{layer['name']}_{layer['activation']}"] = ACTIVATIONS[layer["activation"]]()
    return nn.Sequential(children)


def is_weight(module):
    return isinstance(module, (nn.Linear, nn.Conv2d))


def effective_weight(module):
    """The weight a layer computes with: weight_orig·mask for pruned layers, else the weight."""
    if hasattr(module, "weight_orig"):
        return module.weight_orig * module.weight_mask
    return module.weight


def clone_net(net):
    """A deep copy of a network. A pruned layer's `weight` is a tensor the pruning hook computes
    (weight_orig · mask) and deepcopy refuses non-leaf tensors, so it is refreshed detached first
    (the hook recomputes it at the next forward anyway)."""
    for module in net.modules():
        if hasattr(module, "weight_orig"):
            module.weight = (module.weight_orig * module.weight_mask).detach()
    return copy.deepcopy(net)


def plain_layers(net, shipped=False):
    """The network as plain layers {kind, name, weight, bias, activation} in PyTorch layout.
    Activation fake-quant modules are identity here and skipped; fake-quant weight layers give
    their float weights, or with `shipped` the weights as they ship (dequantized ŵ)."""
    out = []
    for name, module in net.named_children():
        if is_weight(module):
            with torch.no_grad():
                if shipped and hasattr(module, "quantized_weight"):
                    weight = module.quantized_weight()
                else:
                    weight = effective_weight(module)
            bias = None if module.bias is None else module.bias.detach().clone()
            kind = "dense" if isinstance(module, nn.Linear) else "conv"
            out.append(
                {
                    "kind": kind,
                    "name": name,
                    "weight": weight.detach().clone(),
                    "bias": bias,
                    "activation": "linear",
                }
            )
        elif isinstance(module, tuple(ACTIVATIONS.values())):
            out[-1]["activation"] = next(k for k, v in ACTIVATIONS.items() if isinstance(module, v))
        elif isinstance(module, nn.MaxPool2d):
            out.append({"kind": "maxpool", "name": name})
        elif isinstance(module, nn.Flatten):
            out.append({"kind": "flatten", "name": name})
    return out


def net_from_plain(layers, make_weight=None, make_input_quant=None):
    """A network from plain layers. `make_weight(layer)` may return a custom dense / conv module
    (QAT); `make_input_quant(name)` a module that goes before layer `name` as <name>_input_quant
    (an activation fake-quant: frozen for static PTQ, learning its range for QAT)."""
    children = OrderedDict()
    for layer in layers:
        kind, name = layer["kind"], layer["name"]
        if kind in ("dense", "conv"):
            if make_input_quant is not None:
                children[f"{name}_input_quant"] = make_input_quant(name)
            w, b = layer["weight"], layer["bias"]
            module = make_weight(layer) if make_weight else None
            if module is None:
                if kind == "dense":
                    module = nn.Linear(w.shape[1], w.shape[0], bias=b is not None)
                else:
                    module = nn.Conv2d(
                        w.shape[1], w.shape[0], tuple(w.shape[2:]), bias=b is not None
                    )
            with torch.no_grad():
                module.weight.copy_(w)
                if b is not None:
                    module.bias.copy_(b)
            children[name] = module
            if layer["activation"] != "linear":
                children[f"{name}_{layer['activation']}"] = ACTIVATIONS[layer["activation"]]()
        elif kind == "maxpool":
            children[name] = nn.MaxPool2d(2, 2)
        else:
            children[name] = nn.Flatten()
    return nn.Sequential(children)


def weight_layers(layers):
    return [layer for layer in layers if layer["kind"] in ("dense", "conv")]


def flatten_shapes(net, input_shape):
    """{name of the first dense layer after flatten: (C, H, W) that flatten saw}."""
    out = {}
    x = torch.zeros(1, *input_shape, device=next(net.parameters()).device)
    seen = None
    with torch.no_grad():
        for name, module in net.named_children():
            if isinstance(module, nn.Flatten) and x.dim() == 4:
                seen = tuple(x.shape[1:])
            elif isinstance(module, nn.Linear) and seen is not None:
                out[name] = seen
                seen = None
            x = module(x)
    return out


# --- the app's weights -----------------------------------------------------------------------
# tfjs keeps images NHWC, conv kernels HWIO [kh, kw, in, out] and dense kernels [in, out], and its
# flatten walks (h, w, c). PyTorch keeps NCHW, OIHW and [out, in], and flattens (c, h, w). So:
# conv kernels are permuted HWIO → OIHW, dense kernels transposed, and the rows of the first
# dense layer after flatten are re-ordered from (h, w, c) to (c, h, w).


def app_kernel_to_torch(kernel, module, flat_chw):
    if isinstance(module, nn.Conv2d):
        return kernel.permute(3, 2, 0, 1).contiguous()
    if flat_chw is not None:
        c, h, w = flat_chw
        return kernel.reshape(h, w, c, -1).permute(3, 2, 0, 1).reshape(-1, c * h * w).contiguous()
    return kernel.t().contiguous()


def load_teacher_weights(net, path, input_shape):
    """Loads the app's exported teacher (or a file saved by --save-teacher) into `net`."""
    tensors, meta = read_safetensors(path)
    if meta.get("layout") == "pytorch":
        net.load_state_dict({k: v for k, v in tensors.items()})
        return meta
    flat = flatten_shapes(net, input_shape)
    for name, module in net.named_children():
        if not is_weight(module):
            continue
        kernel = tensors.get(f"{name}/kernel")
        if kernel is None:
            raise SystemExit(f"{path} has no {name}/kernel: was it exported for this experiment?")
        weight = app_kernel_to_torch(kernel.float(), module, flat.get(name))
        if weight.shape != module.weight.shape:
            raise SystemExit(f"{path}: {name}/kernel does not fit this architecture")
        with torch.no_grad():
            module.weight.copy_(weight)
            if module.bias is not None:
                module.bias.copy_(tensors[f"{name}/bias"].float())
    return meta


def save_teacher_weights(net, path):
    """Saves the teacher in PyTorch layout (load it back with --teacher-weights)."""
    state = {k: v for k, v in net.state_dict().items()}
    write_safetensors(
        path, state, {"format": "compression-playground-weights", "layout": "pytorch"}
    )


class Handle:
    """A model as it flows through a pipeline (the app's ModelHandle): the network, how each
    tensor ships (for the size), whether it runs converted (static PTQ / QAT: float training would
    not change what ships), a label and plain-language notes."""

    def __init__(self, net, storage, label, notes=(), converted=False):
        self.net = net
        self.storage = storage
        self.label = label
        self.notes = list(notes)
        self.converted = converted
