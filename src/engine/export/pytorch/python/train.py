# --- training --------------------------------------------------------------------------------
# One loop for every stage that trains (teacher, fine-tune, QAT, pruning, distillation), as in
# the app: per epoch a seeded shuffle, then minibatch steps of softmax cross-entropy (or the
# stage's own loss). Under torchrun the module is wrapped in DistributedDataParallel and a
# DistributedSampler gives each process its share of every epoch: the *global* batch stays the
# experiment's batch B (each of the N processes takes ⌊B/N⌋, at least 1), so an epoch has about
# the same number of optimizer steps as in the app. Everything else (calibration, pruning masks,
# SVD, evaluation) runs identically on every process from identical weights.


class TrainingDiverged(StageError):
    pass


def per_process_batch(batch):
    return max(1, batch // RT.world)


def steps_per_epoch(count, batch):
    """Optimizer steps of one epoch: ⌈⌈count / N⌉ / ⌊B / N⌋⌉ (⌈count / B⌉ in one process)."""
    return math.ceil(math.ceil(count / RT.world) / per_process_batch(batch))


def stage_training(epochs, learning_rate, data):
    """The app's settings for every stage that trains: Adam(lr), batch 128 for images, else 32."""
    batch = 128 if len(data.input_shape) == 3 else 32
    return {
        "optimizer": "adam",
        "learningRate": learning_rate,
        "momentum": 0.9,
        "batchSize": batch,
        "epochs": epochs,
    }


def make_optimizer(params, training):
    """Adam (tfjs' ε = 1e-7) or SGD with momentum μ, as the app's makeOptimizer."""
    if training["optimizer"] == "adam":
        return torch.optim.Adam(params, lr=training["learningRate"], eps=1e-7)
    return torch.optim.SGD(params, lr=training["learningRate"], momentum=training["momentum"])


def distribute(module):
    """`module` itself in one process, else wrapped in DDP. Buffers (activation-quant ranges) are
    broadcast from rank 0 at every forward, so all replicas quantize on rank 0's EMA range."""
    if RT.world == 1:
        return module
    has_buffers = any(isinstance(m, ActFakeQuantBase) for m in module.modules())
    ids = [RT.device.index] if RT.device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=ids, broadcast_buffers=has_buffers)


class ActFakeQuantBase(nn.Module):
    """Marker base class of activation quantizers (defined with the quantization code)."""


def train(module, data, training, seed, loss_fn=None, before_step=None, what="training"):
    """Trains `module` in place. `loss_fn(output, y, x)` defaults to cross-entropy on logits;
    `before_step(step, total_steps)` runs before each step (gradual pruning hooks in there)."""
    epochs = training["epochs"]
    if epochs == 0:
        return
    module.to(RT.device).train()
    model = distribute(module)
    optimizer = make_optimizer(model.parameters(), training)
    dataset = TensorDataset(data.train.x, data.train.y)
    sampler = DistributedSampler(
        dataset, num_replicas=RT.world, rank=RT.rank, shuffle=True, seed=seed
    )
    loader = DataLoader(
        dataset, batch_size=per_process_batch(training["batchSize"]), sampler=sampler
    )
    total = len(loader) * epochs
    step = 0
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        losses = []
        for x, y in loader:
            if before_step is not None:
                before_step(step, total)
            x, y = x.to(RT.device), y.to(RT.device)
            output = model(x)
            loss = loss_fn(output, y, x) if loss_fn else F.cross_entropy(output, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            value = loss.item()
            if not math.isfinite(value):
                raise TrainingDiverged(
                    f"{what}: the loss became {value} at epoch {epoch + 1}, step {step + 1}: "
                    f"lower the learning rate ({training['learningRate']})."
                )
            losses.append(value)
            step += 1
        mean = sum(losses) / max(len(losses), 1)
        log(f"  {what} epoch {epoch + 1}/{epochs}: mean loss {mean:.4f}")
    module.eval()


@torch.no_grad()
def predict(net, x, batch=256):
    """Class predictions of `net` for x (in eval mode, in batches)."""
    net.eval()
    out = []
    for i in range(0, x.shape[0], batch):
        out.append(net(x[i : i + batch].to(RT.device)).argmax(-1).cpu())
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.int64)


def accuracy(net, split):
    """Top-1 accuracy on a split, 0..1."""
    if len(split) == 0:
        return 0.0
    return (predict(net, split.x) == split.y).sum().item() / len(split)
