"""Data-parallel training in TensorFlow: two MultiWorkerMirroredStrategy workers.

docs/ecosystem.md runs these sections as its reader does, in a folder that holds
worker.py. To run the file alone, do the same: copy it, worker.py and launch.py into an
empty folder, and run `python multiworker_tf.py` there.
"""

# the set-up block before these sections on the page
from launch import WorkerFailed, free_port, run_workers  # noqa: I001

# --8<-- [start:launch]
import json
import sys

import numpy as np
import worker  # the worker script above: its model, data and training loop


def worker_envs(workers: int, **extra: str) -> list[dict]:
    """Each worker's environment: TF_CONFIG holds the cluster and the worker's index."""
    cluster = {"worker": [f"127.0.0.1:{free_port()}" for _ in range(workers)]}
    return [
        {
            "TF_CONFIG": json.dumps(
                {"cluster": cluster, "task": {"type": "worker", "index": i}}
            ),
            "TF_NUM_INTRAOP_THREADS": "1",  # the workers share the machine's cores
            # and, on a GPU machine, its GPU: each takes memory as it needs it, not all
            "TF_FORCE_GPU_ALLOW_GROWTH": "true",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            **extra,
        }
        for i in range(workers)
    ]


# What a reader types in two shells: TF_CONFIG='{...}' python worker.py, once per worker
printed = run_workers([[sys.executable, "worker.py"]] * 2, worker_envs(2), timeout=150)
print(printed[0].strip())
#> worker 0 of 2: 20 steps, weights in tf_weights.npz

saved = np.load("tf_weights.npz")
mwms_weights = [saved[f"arr_{i}"] for i in range(len(saved.files))]
single_tf = worker.train(worker.make_model(), *worker.make_data()).get_weights()
initial_tf = worker.make_model().get_weights()

gap_tf = max(np.abs(d - s).max() for d, s in zip(mwms_weights, single_tf))
moved_tf = max(np.abs(s - i).max() for s, i in zip(single_tf, initial_tf))
print(f"weights moved in training by more than 0.1: {moved_tf > 0.1}")
#> weights moved in training by more than 0.1: True
print(f"2 workers end within 1e-5 of one process: {gap_tf < 1e-5}")
#> 2 workers end within 1e-5 of one process: True
# --8<-- [end:launch]

# --8<-- [start:check]
# Each worker's gradient is its half of the global mean; the all-reduce adds the halves.
# Only the order of the float32 sums differs from one process: about 1e-7 per step over
# 20 steps. A gradient counted twice or not at all moves the weights about as much as
# training does.
assert gap_tf < 1e-5, gap_tf
assert moved_tf > 0.1, moved_tf
# --8<-- [end:check]

# --8<-- [start:dead-worker]
report = "the run did not fail"
try:
    # worker 1 exits with code 3 at step 10
    run_workers(
        [[sys.executable, "worker.py"]] * 2, worker_envs(2, KILL_WORKER="1"), 150
    )
except WorkerFailed as err:
    report = str(err)
print(
    f"the error names worker 1 and its code: {'worker 1 exited with code 3' in report}"
)
#> the error names worker 1 and its code: True
# --8<-- [end:dead-worker]
