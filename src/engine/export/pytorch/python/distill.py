# --- knowledge distillation ------------------------------------------------------------------
# Trains (a copy of) the student on L = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y),
# plus β·mean((f_s·W + b − f_t)²) when the FitNets hint weight β > 0 (f = the output of the last
# hidden dense layer of each network; W, b a regressor trained with the student and not shipped),
# γ·RKD-D on the distances between a batch's examples in those layers (skipped for a batch of
# one), and attention transfer between the last conv feature maps.
# The teacher only runs forward, in eval mode and without gradients: it stays unchanged. Under
# torchrun every process holds its own teacher replica; the student (and regressor) train in DDP.


def feature_point(net, kind, who, what, weight_name):
    """(child name, width) of the feature a term reads: the last hidden dense layer's output
    (kind 'dense') or the last conv layer's output (kind 'conv'), after its activation."""
    children = list(net.named_children())
    layer_type = nn.Linear if kind == "dense" else nn.Conv2d
    found = [i for i, (_, m) in enumerate(children) if isinstance(m, layer_type)]
    if kind == "dense" and len(found) < 2:
        raise StageError(
            f"{what} match the last hidden dense layers, but the {who} has none: "
            f"give it a hidden dense layer, or set {weight_name} to 0."
        )
    if kind == "conv" and not found:
        raise StageError(
            f"Attention transfer matches the last conv layers' feature maps, but the {who} has no "
            "conv layer: use CNNs for both, or set the attention weight to 0."
        )
    layer = found[-2] if kind == "dense" else found[-1]
    i = layer
    if i + 1 < len(children) and isinstance(children[i + 1][1], tuple(ACTIVATIONS.values())):
        i += 1
    module = children[layer][1]
    width = module.out_features if kind == "dense" else module.out_channels
    return children[i][0], width


def hint_point(net, who):
    """Name of the child whose output is the hint feature: the last hidden dense layer's output."""
    return feature_point(net, "dense", who, "Feature hints", "the hint weight β")


class WithFeatures(nn.Module):
    """A network (and the hint regressor) as one module, so DDP syncs both: returns (logits,
    {child name: its output}) for the named points; the hint point's output goes through the
    regressor under the key 'hint'."""

    def __init__(self, net, points, hint=None, regressor=None):
        super().__init__()
        self.net = net
        self.points = set(points)
        self.hint = hint
        self.regressor = regressor if regressor is not None else nn.Identity()

    def forward(self, x):
        features = {}
        for name, module in self.net.named_children():
            x = module(x)
            if name in self.points:
                features[name] = x
            if name == self.hint:
                features["hint"] = self.regressor(x)
        return x, features


def relation_loss(fs, ft):
    """RKD-D: huber(ψ_s − ψ_t) over pairs i ≠ j, ψ_ij = ‖f_i − f_j‖ / mean distance."""

    def potential(f):
        f = f.flatten(1)
        d = torch.cdist(f, f)
        off = ~torch.eye(f.shape[0], dtype=torch.bool, device=f.device)
        return d[off] / d[off].mean().clamp(min=1e-12)

    return F.smooth_l1_loss(potential(fs), potential(ft), beta=1.0)


def attention_loss(fs, ft):
    """Attention transfer: mean over examples of ‖Q_s/‖Q_s‖ − Q_t/‖Q_t‖‖², Q = Σ_c F²."""

    def attention(f):
        return F.normalize(f.pow(2).sum(1).flatten(1), dim=1, eps=1e-12)

    return (attention(fs) - attention(ft)).pow(2).sum(1).mean()


def distillation_loss(student_logits, teacher_logits, y, temperature, alpha):
    """α·T²·KL(p_t^T ‖ p_s^T) + (1 − α)·CE, KL in nats averaged over the batch."""
    loss = 0.0
    if alpha > 0:
        log_ps = F.log_softmax(student_logits / temperature, dim=-1)
        log_pt = F.log_softmax(teacher_logits / temperature, dim=-1)
        kl = F.kl_div(log_ps, log_pt, reduction="batchmean", log_target=True)
        loss = loss + alpha * temperature * temperature * kl
    if alpha < 1:
        loss = loss + (1 - alpha) * F.cross_entropy(student_logits, y)
    return loss


def run_distill(ctx, handle, p):
    if handle.converted:
        raise StageError(
            "Distillation trains float weights, but this input runs as a converted "
            "quantized model: put distillation before the quantization stage."
        )
    student = clone_net(handle.net)
    teacher = ctx.teacher.net.to(RT.device).eval()
    T, alpha, beta = p["temperature"], p["alpha"], p["hintWeight"]
    gamma, at = p.get("relationWeight", 0), p.get("attentionWeight", 0)
    training = stage_training(p["epochs"], p["learningRate"], ctx.data)
    s_points, t_points = {}, {}
    s_hint = regressor = None
    if beta > 0:
        s_hint, s_units = hint_point(student, "student")
        t_points["hint"], t_units = hint_point(teacher, "teacher")
        torch.manual_seed(ctx.seed)
        regressor = nn.Linear(s_units, t_units)
        glorot_(regressor)
    if gamma > 0:
        if len(ctx.data.train) < 2:
            raise StageError(
                "Relation distillation compares the distances between examples of a batch, so it "
                f"needs at least 2 training examples (there are {len(ctx.data.train)}): add "
                "examples or set γ to 0."
            )
        what = "Relation distillation"
        s_points["relation"] = feature_point(student, "dense", "student", what, "its weight")[0]
        t_points["relation"] = feature_point(teacher, "dense", "teacher", what, "its weight")[0]
    if at > 0:
        what = "Attention transfer"
        s_points["attention"] = feature_point(student, "conv", "student", what, "its weight")[0]
        t_points["attention"] = feature_point(teacher, "conv", "teacher", what, "its weight")[0]
    features = beta > 0 or gamma > 0 or at > 0
    if features:
        module = WithFeatures(student, s_points.values(), s_hint, regressor)
        teacher_points = [v for k, v in t_points.items() if k != "hint"]
        teacher_features = WithFeatures(teacher, teacher_points, t_points.get("hint"))
        if at > 0:
            with torch.no_grad():
                probe = torch.zeros(1, *ctx.data.input_shape, device=RT.device)
                s_map = module.to(RT.device)(probe)[1][s_points["attention"]].shape[2:]
                t_map = teacher_features(probe)[1][t_points["attention"]].shape[2:]
            if tuple(s_map) != tuple(t_map):
                raise StageError(
                    "Attention transfer compares the last conv layers' maps position by position, "
                    f"but the student's are {s_map[0]}×{s_map[1]} and the teacher's "
                    f"{t_map[0]}×{t_map[1]}: give the student the teacher's conv kernel sizes "
                    "(filters may differ), or set the attention weight to 0."
                )

        def loss_fn(output, y, x):
            logits, fs = output
            with torch.no_grad():
                t_logits, ft = teacher_features(x)
            loss = distillation_loss(logits, t_logits, y, T, alpha)
            if beta > 0:
                loss = loss + beta * F.mse_loss(fs["hint"], ft["hint"])
            if gamma > 0 and x.shape[0] >= 2:
                key = s_points["relation"]
                loss = loss + gamma * relation_loss(fs[key], ft[t_points["relation"]])
            if at > 0:
                key = s_points["attention"]
                loss = loss + at * attention_loss(fs[key], ft[t_points["attention"]])
            return loss

    else:
        module = student

        def loss_fn(logits, y, x):
            with torch.no_grad():
                t_logits = teacher(x)
            return distillation_loss(logits, t_logits, y, T, alpha)

    train(module, ctx.data, training, ctx.seed, loss_fn=loss_fn, what="distillation")
    notes = list(handle.notes)
    s_macs = layer_macs(plain_layers(student), ctx.data.input_shape)[0]
    t_macs = layer_macs(plain_layers(teacher), ctx.data.input_shape)[0]
    if s_macs >= t_macs:
        notes.append("the student is not smaller than the teacher: no speedup")
    else:
        ratio = t_macs / max(s_macs, 1)
        notes.append(f"speedup is real: the student needs {ratio:.1f}× fewer MACs than the teacher")
    if alpha == 0:
        notes.append("α = 0: the teacher was ignored (plain training)")
    if gamma > 0:
        notes.append(
            f"relation distillation γ={gamma:g}: distances between the examples of each batch in "
            "the last hidden layer"
        )
    if at > 0:
        notes.append(f"attention transfer ×{at:g} between the last conv feature maps")
    label = (
        f"distill T={T:g} α={alpha:g}"
        + (f" β={beta:g}" if beta > 0 else "")
        + (f" γ={gamma:g}" if gamma > 0 else "")
        + (f" AT={at:g}" if at > 0 else "")
    )
    return Handle(student, retrained_storage(handle.storage, plain_layers(student)), label, notes)
