# --8<-- [start:script]
"""worker.py: one worker of a MultiWorkerMirroredStrategy run; TF_CONFIG says which."""

import json
import os
import sys

import keras
import numpy as np
import tensorflow as tf

GLOBAL_BATCH, STEPS, LR = 64, 20, 0.1


def make_data():
    rng = np.random.default_rng(0)
    # one global batch of 64 examples per step, 8 features each
    x = rng.normal(size=(STEPS, GLOBAL_BATCH, 8)).astype(np.float32)
    noise = 0.1 * rng.normal(size=(STEPS, GLOBAL_BATCH, 1))
    y = (x @ rng.normal(size=(8, 1)) + noise).astype(np.float32)
    return x, y


def make_model():
    keras.utils.set_random_seed(0)
    layers = [
        keras.Input(shape=(8,)),
        keras.layers.Dense(16, activation="tanh"),
        keras.layers.Dense(1),
    ]
    return keras.Sequential(layers)


def train(model, x, y, run=lambda fn, args: fn(*args), before_step=lambda step: None):
    optimizer = keras.optimizers.SGD(LR)

    @tf.function
    def step_fn(xb, yb):
        with tf.GradientTape() as tape:
            per_example = tf.reduce_mean(tf.square(model(xb) - yb), axis=1)
            # Divide by the global batch, not this worker's share: the all-reduce
            # sums them.
            loss = tf.nn.compute_average_loss(
                per_example, global_batch_size=GLOBAL_BATCH
            )
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))

    for step, (xb, yb) in enumerate(zip(x, y)):
        before_step(step)
        run(step_fn, (tf.constant(xb), tf.constant(yb)))
    return model


if __name__ == "__main__":
    config = json.loads(os.environ["TF_CONFIG"])
    rank, world_size = config["task"]["index"], len(config["cluster"]["worker"])
    strategy = tf.distribute.MultiWorkerMirroredStrategy(
        # a lost peer fails a collective after 30 s instead of hanging it
        communication_options=tf.distribute.experimental.CommunicationOptions(
            timeout_seconds=30
        )
    )
    with strategy.scope():
        model = make_model()  # mirrored variables: worker 0's initial values
    x, y = make_data()
    share = GLOBAL_BATCH // world_size
    mine = slice(rank * share, (rank + 1) * share)  # this worker's part of each batch

    def planted_fault(step):  # KILL_WORKER=1 in the environment: worker 1 dies mid-run
        if os.environ.get("KILL_WORKER") == str(rank) and step == STEPS // 2:
            os._exit(3)

    with strategy.scope():
        train(
            model, x[:, mine], y[:, mine], run=strategy.run, before_step=planted_fault
        )
    if rank == 0:
        np.savez("tf_weights.npz", *model.get_weights())
        print(f"worker 0 of {world_size}: {STEPS} steps, weights in tf_weights.npz")
        #> worker 0 of 2: 20 steps, weights in tf_weights.npz
    sys.stdout.flush()
    os._exit(0)  # skip TensorFlow's teardown (about 2 s of CPU): all is saved
# --8<-- [end:script]
