class StageError(Exception):
    """A stage cannot run with its parameters or input (the app refuses it the same way)."""


class Runtime:
    """Where this process runs: its device, its rank and the world size (1 without torchrun)."""

    device = torch.device("cpu")
    rank = 0
    world = 1
    local_rank = 0


RT = Runtime()


def setup_runtime(device_arg):
    """Picks the device and, under torchrun (WORLD_SIZE > 1), joins the process group:
    NCCL on GPUs, gloo on CPUs. Every process then holds the same model replicas."""
    device = device_arg
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda was asked for, but this PyTorch sees no CUDA device.")
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        RT.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if device == "cuda":
            torch.cuda.set_device(RT.local_rank)
        dist.init_process_group(backend="nccl" if device == "cuda" else "gloo")
        RT.rank = dist.get_rank()
        RT.world = dist.get_world_size()
    RT.device = torch.device("cuda", RT.local_rank) if device == "cuda" else torch.device("cpu")


def teardown_runtime():
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def log(*parts):
    """Prints on rank 0 only, so N processes print one log."""
    if RT.rank == 0:
        print(*parts, flush=True)


def round_half_up(x):
    """JavaScript's Math.round for the counts the app rounds: floor(x + 0.5)."""
    return int(math.floor(x + 0.5))


# --- safetensors -----------------------------------------------------------------------------
# The format is tiny: an unsigned 64-bit little-endian header length N, N bytes of JSON
# {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the raw
# little-endian tensor bytes (offsets count from the end of the header). Debian's PyTorch has no
# `safetensors` package, so we read and write it with the standard library and torch alone.

SAFETENSORS_DTYPES = {
    "F32": torch.float32,
    "F64": torch.float64,
    "F16": torch.float16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
}


def read_safetensors(path):
    """Returns ({name: tensor}, metadata) of a .safetensors file."""
    if sys.byteorder != "little":
        raise SystemExit("This reader assumes a little-endian machine.")
    with open(path, "rb") as f:
        raw = bytearray(f.read())
    if len(raw) < 8:
        raise ValueError(f"{path} is too short to be a safetensors file")
    (header_len,) = struct.unpack("<Q", raw[:8])
    if 8 + header_len > len(raw):
        raise ValueError(f"{path}: the header runs past the end of the file")
    header = json.loads(raw[8 : 8 + header_len].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    base = 8 + header_len
    tensors = OrderedDict()
    for name, info in header.items():
        dtype = SAFETENSORS_DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        shape = list(info["shape"])
        count = math.prod(shape)
        itemsize = torch.tensor([], dtype=dtype).element_size()
        if end - begin != count * itemsize or base + end > len(raw):
            raise ValueError(f"{path}: tensor {name} has inconsistent offsets")
        if count == 0:  # torch.frombuffer refuses empty views
            tensors[name] = torch.zeros(shape, dtype=dtype)
            continue
        flat = torch.frombuffer(raw, dtype=dtype, count=count, offset=base + begin)
        tensors[name] = flat.clone().reshape(shape)
    return tensors, metadata


def raw_bytes(t):
    """The little-endian bytes of a CPU tensor (through numpy when it is installed)."""
    try:
        return t.numpy().tobytes()
    except (RuntimeError, TypeError):  # "Numpy is not available"
        codes = {
            torch.float32: "f",
            torch.float64: "d",
            torch.int32: "i",
            torch.int64: "q",
            torch.int16: "h",
            torch.int8: "b",
            torch.uint8: "B",
        }
        return array.array(codes[t.dtype], t.flatten().tolist()).tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} (float32 / int32 / uint8 …) as a .safetensors file."""
    names = {v: k for k, v in SAFETENSORS_DTYPES.items()}
    header = OrderedDict()
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        t = tensor.detach().cpu().contiguous()
        data = raw_bytes(t)
        header[name] = {
            "dtype": names[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad so the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)
