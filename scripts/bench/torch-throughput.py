"""Training throughput of the reference CNN in PyTorch on this CPU, for `npm run bench`.

conv3x3x16 -> relu -> pool -> conv3x3x32 -> relu -> pool -> dense128 -> relu -> dense10, Adam 1e-3,
batch 128 of 28x28x1 inputs (random: the speed does not depend on the values), torch's default
threads. Prints one JSON line: samples/s over the timed steps after three warm-up steps.
"""
import json
import os
import sys
import time

import torch
from torch import nn


def main() -> None:
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 128
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    # All cores, as the issue measured it (torch may start with fewer, e.g. under OMP_NUM_THREADS).
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(800, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))

    def step() -> float:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(3):
        step()
    steps = 0
    started = time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds and steps >= 10:
            break
    print(json.dumps({
        "samplesPerSec": steps * batch / elapsed,
        "steps": steps,
        "msPerStep": 1000 * elapsed / steps,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
