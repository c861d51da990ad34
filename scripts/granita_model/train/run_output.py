# SPDX-License-Identifier: Apache-2.0
"""What a training run writes and records besides the package: checkpoints and JSON through
temporary files, the timestamped log, the device name, the package's size."""
import json
import os
import sys
import time

import torch
from tqdm import tqdm


def save_atomic(obj, path):
    """torch.save through a temporary file: a killed run leaves the previous checkpoint or the
    new one, never a truncated file that --resume would choke on."""
    torch.save(obj, path + ".tmp")
    os.replace(path + ".tmp", path)


def write_json_atomic(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def dir_size(d):
    return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
               if os.path.isfile(os.path.join(d, f)))


def device_name(device):
    """The device as the log, scores and card record it: cpu, or cuda (<GPU name>)."""
    if device == "cuda":
        return "cuda (%s)" % torch.cuda.get_device_name()
    return device


class Logger:
    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.dirname(path), exist_ok=True)

    def __call__(self, msg):
        line = "%s  %s" % (time.strftime("%Y-%m-%d %H:%M:%S"), msg)
        tqdm.write(line, file=sys.stderr)
        with open(self.path, "a") as f:
            f.write(line + "\n")
