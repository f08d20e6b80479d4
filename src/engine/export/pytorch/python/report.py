# --- measuring and reporting --------------------------------------------------------------------
# Every variant is measured the same way: top-1 accuracy on the test split, exact artifact bytes
# (as the app counts them), parameters, MACs, and latency of the PyTorch model (rank 0, median and
# p90 of 30 runs after 5 warm-ups, at batch 1 and 32). The table and the --results JSON use the
# app's field names ("Download results" format); `id` and `error` are extra.


@torch.no_grad()
def latency_ms(net, input_shape, batch):
    net.eval()
    x = torch.rand(batch, *input_shape, device=RT.device)
    times = []
    for i in range(35):
        if RT.device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        net(x).cpu()
        if i >= 5:
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, math.ceil(0.9 * len(times)) - 1)]


def measure(handle, data, variant_id, name, pipeline, with_latency):
    net = handle.net.to(RT.device).eval()
    macs, effective = layer_macs(plain_layers(net, shipped=True), data.input_shape)
    row = {
        "id": variant_id,
        "variant": name,
        "pipeline": pipeline,
        "accuracy": accuracy(net, data.test),
        "sizeBytes": model_bytes(handle.storage),
        "gzipBytes": None,
        "params": param_count(handle.storage),
        "macs": macs,
        "effectiveMacs": effective,
        "latencyB1MedianMs": None,
        "latencyB1P90Ms": None,
        "latencyB32MedianMs": None,
        "latencyB32P90Ms": None,
        "note": "; ".join(handle.notes),
        "error": None,
    }
    if with_latency and RT.rank == 0:
        row["latencyB1MedianMs"], row["latencyB1P90Ms"] = latency_ms(net, data.input_shape, 1)
        row["latencyB32MedianMs"], row["latencyB32P90Ms"] = latency_ms(net, data.input_shape, 32)
    return row


def error_row(variant_id, name, pipeline, message):
    return {
        "id": variant_id,
        "variant": name,
        "pipeline": pipeline,
        "accuracy": None,
        "sizeBytes": None,
        "gzipBytes": None,
        "params": None,
        "macs": None,
        "effectiveMacs": None,
        "latencyB1MedianMs": None,
        "latencyB1P90Ms": None,
        "latencyB32MedianMs": None,
        "latencyB32P90Ms": None,
        "note": "",
        "error": message,
    }


def ratio(a, b):
    return a / b if a and b and a > 0 and b > 0 else None


def compare(rows, controls=None):
    """Adds the comparison with the teacher (the first row) and with each row's fp32 control."""
    teacher = rows[0]
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        ok = row["error"] is None
        control = by_id.get((controls or {}).get(row["id"]))
        measured = ok and control is not None and control["error"] is None
        row["control"] = control["variant"] if control is not None else None
        row["accuracyChangeVsControlPoints"] = (
            100 * (row["accuracy"] - control["accuracy"]) if measured else None
        )
        row["compressionRatio"] = ratio(teacher["sizeBytes"], row["sizeBytes"]) if ok else None
        row["accuracyChangePoints"] = 100 * (row["accuracy"] - teacher["accuracy"]) if ok else None
        row["speedupB1"] = ratio(teacher["latencyB1MedianMs"], row["latencyB1MedianMs"])
        row["speedupB32"] = ratio(teacher["latencyB32MedianMs"], row["latencyB32MedianMs"])
    return rows


def print_table(rows):
    """The comparison table: variant, accuracy, Δ vs teacher and control, bytes, ×smaller, params, latency."""
    head = (
        f"{'variant':<34} {'accuracy':>9} {'Δ pts':>7} {'Δ ctrl':>7} {'size B':>10} {'×smaller':>9} "
        f"{'params':>9} {'b1 ms':>7}"
    )
    log("")
    log(head)
    log("-" * len(head))
    for row in rows:
        if row["error"] is not None:
            log(f"{row['variant'][:34]:<34} error: {row['error']}")
            continue
        b1 = row["latencyB1MedianMs"]
        latency = "" if b1 is None else f"{b1:.3f}"
        vs = row["accuracyChangeVsControlPoints"]
        vs_control = "" if vs is None else f"{vs:+.2f}"
        log(
            f"{row['variant'][:34]:<34} {100 * row['accuracy']:>8.2f}% "
            f"{row['accuracyChangePoints']:>+7.2f} {vs_control:>7} {row['sizeBytes']:>10} "
            f"{row['compressionRatio'] or 0:>8.2f}× {row['params']:>9} {latency:>7}"
        )
    log("")


def results_document(rows):
    device = RT.device.type + (f" ×{RT.world}" if RT.world > 1 else "")
    return {
        "format": "compression-playground-results",
        "version": 1,
        "generatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "backend": f"pytorch {torch.__version__} {device}",
        "experiment": EXPERIMENT["experiment"],
        "variants": rows,
    }
