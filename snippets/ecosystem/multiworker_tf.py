"""Data-parallel training in TensorFlow: MultiWorkerMirroredStrategy, two workers on 127.0.0.1."""

# --8<-- [start:setup]
import json
import os
import sys

import keras
import numpy as np
import tensorflow as tf

GLOBAL_BATCH, STEPS, LR = 64, 20, 0.1


def make_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(STEPS, GLOBAL_BATCH, 8)).astype(np.float32)  # one global batch per step
    y = (x @ rng.normal(size=(8, 1)) + 0.1 * rng.normal(size=(STEPS, GLOBAL_BATCH, 1))).astype(np.float32)
    return x, y


def make_keras_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(1)])


def train_tf(model, x, y, run=lambda fn, args: fn(*args), before_step=lambda step: None):
    optimizer = keras.optimizers.SGD(LR)

    @tf.function
    def step_fn(xb, yb):
        with tf.GradientTape() as tape:
            per_example = tf.reduce_mean(tf.square(model(xb) - yb), axis=1)
            # Divide by the global batch, not this worker's share: the gradients are then summed over workers.
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))

    for step, (xb, yb) in enumerate(zip(x, y)):
        before_step(step)
        run(step_fn, (tf.constant(xb), tf.constant(yb)))
    return model
    # --8<-- [end:setup]


# --8<-- [start:worker]
def worker(rank: int, ports: list[int], out: str):
    os.environ["TF_CONFIG"] = json.dumps(
        {"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]}, "task": {"type": "worker", "index": rank}}
    )
    strategy = tf.distribute.MultiWorkerMirroredStrategy(
        # a lost peer fails a collective after 30 s instead of hanging it
        communication_options=tf.distribute.experimental.CommunicationOptions(timeout_seconds=30)
    )
    with strategy.scope():
        model = make_keras_model()  # variables are mirrored: worker 0's initial values are broadcast
    x, y = make_data()
    share = GLOBAL_BATCH // len(ports)
    mine = slice(rank * share, (rank + 1) * share)  # this worker's part of every global batch

    def planted_fault(step):  # tests/test_distributed.py sets this to kill a worker mid-run
        if os.environ.get("ECOSYSTEM_KILL_RANK") == str(rank) and step == STEPS // 2:
            os._exit(3)

    with strategy.scope():
        train_tf(model, x[:, mine], y[:, mine], run=lambda fn, args: strategy.run(fn, args), before_step=planted_fault)
    if rank == 0:
        np.savez(out, *model.get_weights())
    # --8<-- [end:worker]


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    rank, ports, out = sys.argv[2:]
    worker(int(rank), [int(p) for p in ports.split(",")], out)
    from child_exit import exit_now

    exit_now(0)  # the weights are saved; the launcher waits for this exit code, not for the teardown

# --8<-- [start:launch]
from ecosystem.launch import train_on_workers

mwms_weights = train_on_workers("ecosystem.multiworker_tf", workers=2)
single_tf = train_tf(make_keras_model(), *make_data()).get_weights()  # one process, the whole global batch
initial_tf = make_keras_model().get_weights()

gap_tf = max(np.abs(d - s).max() for d, s in zip(mwms_weights, single_tf))
moved_tf = max(np.abs(s - i).max() for s, i in zip(single_tf, initial_tf))
print(f"weights moved in training by more than 0.1: {moved_tf > 0.1}")
#> weights moved in training by more than 0.1: True
print(f"2 workers end within 1e-5 of one process: {gap_tf < 1e-5}")
#> 2 workers end within 1e-5 of one process: True
# --8<-- [end:launch]

# --8<-- [start:check]
# Each worker's gradient is its half of the global mean; the all-reduce adds the halves. Only
# the order of the float32 sums differs from one process: about 1e-7 per step over 20 steps.
# A gradient counted twice or not at all moves the weights by about as much as training does.
assert gap_tf < 1e-5, gap_tf
assert moved_tf > 0.1, moved_tf
# --8<-- [end:check]
