# --- fine-tune -------------------------------------------------------------------------------
# A copy of the input trained further with the same loop (Adam, batch 128 for images, else 32).
# Pruned layers keep their masks, so their zeros stay zeros. From a fresh student this is
# training from scratch: the fair baseline of distillation ("student alone").


def run_finetune(ctx, handle, p):
    if handle.converted:
        raise StageError(
            "Fine-tuning trains float weights, but this input runs as a converted "
            "quantized model: put fine-tuning before the quantization stage."
        )
    net = clone_net(handle.net)
    train(
        net,
        ctx.data,
        stage_training(p["epochs"], p["learningRate"], ctx.data),
        ctx.seed,
        what="fine-tune",
    )
    notes = handle.notes + (["0 epochs: the model was not trained"] if p["epochs"] == 0 else [])
    label = f"{'train' if handle.label == 'student' else 'fine-tune'} {p['epochs']} ep"
    return Handle(net, retrained_storage(handle.storage, plain_layers(net)), label, notes)
