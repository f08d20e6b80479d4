# --- knowledge distillation ------------------------------------------------------------------
# Trains (a copy of) the student on L = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y),
# plus β·mean((f_s·W + b − f_t)²) when the FitNets hint weight β > 0 (f = the output of the last
# hidden dense layer of each network; W, b a regressor trained with the student and not shipped).
# The teacher only runs forward, in eval mode and without gradients: it stays unchanged. Under
# torchrun every process holds its own teacher replica; the student (and regressor) train in DDP.


def hint_point(net, who):
    """Name of the child whose output is the hint feature: the last hidden dense layer's output."""
    children = list(net.named_children())
    dense = [i for i, (_, m) in enumerate(children) if isinstance(m, nn.Linear)]
    if len(dense) < 2:
        raise StageError(
            f"Feature hints match the last hidden dense layers, but the {who} has none: "
            "give it a hidden dense layer, or set the hint weight β to 0."
        )
    i = dense[-2]
    if i + 1 < len(children) and isinstance(children[i + 1][1], tuple(ACTIVATIONS.values())):
        i += 1
    return children[i][0], children[dense[-2]][1].out_features


class WithFeature(nn.Module):
    """The student and the hint regressor as one module (so DDP syncs both): returns
    (logits, regressed feature)."""

    def __init__(self, student, point, regressor):
        super().__init__()
        self.student = student
        self.regressor = regressor
        self.point = point

    def forward(self, x):
        feature = None
        for name, module in self.student.named_children():
            x = module(x)
            if name == self.point:
                feature = x
        return x, self.regressor(feature)


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
    training = stage_training(p["epochs"], p["learningRate"], ctx.data)
    if beta > 0:
        s_point, s_units = hint_point(student, "student")
        t_point, t_units = hint_point(teacher, "teacher")
        torch.manual_seed(ctx.seed)
        regressor = nn.Linear(s_units, t_units)
        glorot_(regressor)
        module = WithFeature(student, s_point, regressor)
        teacher_hint = WithFeature(teacher, t_point, nn.Identity())

        def loss_fn(output, y, x):
            logits, mapped = output
            with torch.no_grad():
                t_logits, t_feature = teacher_hint(x)
            kd = distillation_loss(logits, t_logits, y, T, alpha)
            return kd + beta * F.mse_loss(mapped, t_feature)

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
    label = f"distill T={T:g} α={alpha:g}" + (f" β={beta:g}" if beta > 0 else "")
    return Handle(student, retrained_storage(handle.storage, plain_layers(student)), label, notes)
