# --- the experiment --------------------------------------------------------------------------

STAGES = {
    name[4:]: fn for name, fn in globals().items() if name.startswith("run_") and callable(fn)
}


class Context:
    """What a stage gets besides its input: the data, the trained teacher and the seed."""

    def __init__(self, data, teacher, seed):
        self.data = data
        self.teacher = teacher
        self.seed = seed


def run_variant(ctx, variant, experiment):
    """source → stage₁ → … → stageₙ: each stage builds a new handle from its input's."""
    seed = experiment["seed"]
    torch.manual_seed(seed)
    if variant["source"] == "teacher":
        handle = ctx.teacher
    else:
        student = build_net(
            variant["student"], ctx.data.input_shape, ctx.data.num_classes, seed + 1
        )
        layers = plain_layers(student)
        handle = Handle(student, fp32_storage(layers), "student")
    for stage in variant["stages"]:
        log(f"  {stage['technique']} …")
        handle = STAGES[stage["technique"]](ctx, handle, stage["params"])
    return handle


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", help="folder with the dataset files (image sets; see the header)")
    parser.add_argument(
        "--download", action="store_true", help="download a missing image set with torchvision"
    )
    parser.add_argument(
        "--teacher-weights", help="the app's exported teacher (.safetensors): skip training it"
    )
    parser.add_argument(
        "--save-teacher", help="write the teacher's weights here (.safetensors, PyTorch layout)"
    )
    parser.add_argument("--results", help="write the results table here as JSON")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--variants", help="comma-separated variant ids to run (default: all)")
    parser.add_argument("--no-latency", action="store_true", help="skip the latency measurement")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    setup_runtime(args.device)
    experiment = EXPERIMENT["experiment"]
    seed = experiment["seed"]
    log(
        f"{experiment['name']}: PyTorch {torch.__version__} on {RT.device}"
        + (f", {RT.world} processes" if RT.world > 1 else "")
    )
    data = load_dataset(experiment["dataset"], seed, args.data, args.download)
    log(
        f"data: {data.id}, {len(data.train)} train / {len(data.validation)} validation / "
        f"{len(data.test)} test examples"
    )
    teacher_spec = experiment["teacher"]
    net = build_net(teacher_spec["architecture"], data.input_shape, data.num_classes, seed)
    if args.teacher_weights:
        load_teacher_weights(net, args.teacher_weights, data.input_shape)
        log(f"teacher: loaded {args.teacher_weights}")
    else:
        log("teacher: training")
        train(net, data, teacher_spec["training"], seed, what="teacher")
    net.to(RT.device).eval()
    if args.save_teacher and RT.rank == 0:
        save_teacher_weights(net, args.save_teacher)
    teacher = Handle(
        net, fp32_storage(plain_layers(net)), "teacher", ["the reference: full-precision float32"]
    )
    ctx = Context(data, teacher, seed)
    with_latency = not args.no_latency
    rows = [measure(teacher, data, "teacher", "teacher", "teacher (fp32)", with_latency)]
    log(f"teacher accuracy {100 * rows[0]['accuracy']:.2f}%")
    wanted = set(args.variants.split(",")) if args.variants else None
    for variant in EXPERIMENT["variants"]:
        if wanted is not None and variant["id"] not in wanted:
            continue
        pipeline = " → ".join([variant["source"]] + [s["technique"] for s in variant["stages"]])
        log(f"variant {variant['id']}: {pipeline}")
        try:
            handle = run_variant(ctx, variant, experiment)
            rows.append(
                measure(handle, data, variant["id"], variant["name"], pipeline, with_latency)
            )
        except StageError as error:
            log(f"  refused: {error}")
            rows.append(error_row(variant["id"], variant["name"], pipeline, str(error)))
    controls = {v["id"]: v["controlId"] for v in EXPERIMENT["variants"] if v.get("controlId")}
    compare(rows, controls)
    print_table(rows)
    if args.results and RT.rank == 0:
        with open(args.results, "w", encoding="utf-8") as f:
            json.dump(results_document(rows), f, indent=2, ensure_ascii=False)
        log(f"results written to {args.results}")
    teardown_runtime()


if __name__ == "__main__":
    main()
