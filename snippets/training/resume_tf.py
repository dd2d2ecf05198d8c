# --8<-- [start:script]
"""resume_tf.py: 12 training steps, or 5, a checkpoint, and the other 7 elsewhere.

python resume_tf.py resume             finish from the latest checkpoint -> resumed.npz
python resume_tf.py resume rng step    the same, then once more for each piece named,
                                       as if the checkpoint had left it out
"""

import sys

import keras
import numpy as np
import tensorflow as tf

N, K = 12, 5  # 12 steps in all, the checkpoint after 5
PIECES = ["optimizer", "schedule", "step", "rng"]


class WarmUp(keras.optimizers.schedules.LearningRateSchedule):
    """The learning rate at optimizer.iterations: its only state is that counter."""

    def __call__(self, step):
        return 0.05 * tf.minimum(1.0, tf.cast(step + 1, tf.float32) / 4)


def start():
    """What any process does first: seeds, data, model, optimizer, iterator."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 8)).astype(np.float32)
    y = x @ rng.normal(size=(8, 1)).astype(np.float32)
    # 4 batches an epoch, shuffled again every epoch; the iterator is saved mid-epoch.
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(32, seed=0).batch(8)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, activation="tanh"),
            keras.layers.Dense(1),
        ]
    )
    optimizer = keras.optimizers.AdamW(learning_rate=WarmUp())
    optimizer.build(model.trainable_variables)  # its variables exist before a restore
    return {
        "model": model,
        "optimizer": optimizer,  # Adam's moments and iterations, the schedule's input
        "step": tf.Variable(0, dtype=tf.int64),  # where the loop is
        "rng": tf.random.Generator.from_seed(0),  # the input noise's generator
        "data": iter(data.repeat()),  # position and shuffle buffer of the pipeline
    }


def train(run, stop):
    model, optimizer = run["model"], run["optimizer"]
    while run["step"] < stop:
        x, y = next(run["data"])
        noisy = x + 0.1 * run["rng"].normal(tf.shape(x))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(noisy) - y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        run["step"].assign_add(1)


def manager(run, leave_out=()):
    kept = {k: v for k, v in run.items() if k not in leave_out}
    if "rng" in leave_out:  # the random state: the noise generator and the data order
        del kept["data"]
    return tf.train.CheckpointManager(
        tf.train.Checkpoint(**kept), "ckpts", max_to_keep=2
    )


def load(run, leave_out=()):
    mine = manager(run, leave_out)
    mine.checkpoint.restore(mine.latest_checkpoint).expect_partial()
    if "schedule" in leave_out:  # Keras keeps the schedule's position in the optimizer
        run["optimizer"].iterations.assign(0)


def weights(run):
    return run["model"].get_weights()


def straight_and_checkpoint():
    """N steps in one go -> straight.npz; then, from a new start, K steps -> ckpts/."""
    run = start()
    train(run, N)
    np.savez("straight.npz", *weights(run))
    run = start()
    train(run, K)
    manager(run).save(checkpoint_number=int(run["step"]))


if __name__ == "__main__" and sys.argv[1:2] == ["resume"]:
    for piece in [None, *sys.argv[2:]]:
        assert piece in [None, *PIECES], f"pieces: {PIECES}"
        run = start()  # each variant from what a new process has: the seeds above
        load(run, leave_out=[piece])
        train(run, N)
        np.savez(
            "resumed.npz" if piece is None else f"without-{piece}.npz", *weights(run)
        )
    print(f"resumed from step {K}, trained to step {N} in a new process")
    #> resumed from step 5, trained to step 12 in a new process
# --8<-- [end:script]
