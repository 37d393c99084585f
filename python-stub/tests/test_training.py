"""A real small training loop (numpy logistic regression) logging through the SDK, and the
framework callbacks when their frameworks are installed (not in CI)."""
import io

import numpy as np
import pytest

import labbook


def make_data(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    y = (x[:, 0] + 2 * x[:, 1] + 0.1 * rng.normal(size=n) > 0).astype(np.float64)
    return x, y


def test_numpy_logistic_regression(client, exp_name):
    x, y = make_data()
    lr, epochs = 0.5, 60
    with labbook.start_run(experiment=exp_name, name="logreg", client=client) as run:
        run.log_parameters({"lr": lr, "epochs": epochs, "model": "logistic"})
        w, b = np.zeros(2), 0.0
        for epoch in range(epochs):
            p = 1 / (1 + np.exp(-(x @ w + b)))
            loss = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
            grad_w, grad_b = x.T @ (p - y) / len(y), np.mean(p - y)
            w -= lr * grad_w
            b -= lr * grad_b
            acc = np.mean((p > 0.5) == y)
            run.log_metrics({"train/loss": loss, "train/acc": acc}, step=epoch)  # numpy scalars
        run.log_row("weights", w0=w[0], w1=w[1], bias=b)
        buf = io.BytesIO()
        np.save(buf, w)
        run.upload_file("outputs/weights.npy", buf.getvalue())
    history = run.get_metric_history("train/loss")
    assert history["step"].tolist() == list(range(epochs))
    losses = history["value"].tolist()
    assert losses[-1] < losses[0] * 0.5 and all(a >= b for a, b in zip(losses, losses[1:]))
    metrics = run.get_metrics()
    assert metrics["train/acc"] > 0.9
    assert metrics["weights"]["w1"][0] > metrics["weights"]["w0"][0] > 0
    best = labbook.search_runs("metrics.`train/acc` > 0.9", experiment=exp_name, client=client,
                               as_dataframe=False)
    assert [r["run_id"] for r in best] == [run.id]


def test_keras_callback(client, exp_name):
    keras = pytest.importorskip("keras")
    from labbook.integrations.keras import LabbookCallback

    x, y = make_data(256)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    with labbook.start_run(experiment=exp_name, name="keras", client=client) as run:
        model.fit(x, y, epochs=3, batch_size=32, verbose=0, validation_split=0.25,
                  callbacks=[LabbookCallback(run, log_every_n_batches=2)])
    metrics = run.get_metrics()
    assert {"loss", "accuracy", "val_loss"} <= set(metrics)
    assert run.get_metric_history("loss", as_dataframe=False)[-1].step == 2
    assert run.get_parameters()["keras.epochs"] == 3


def test_lightning_logger(client, exp_name):
    pytest.importorskip("torch")
    try:
        import lightning.pytorch as pl
    except ImportError:
        pl = pytest.importorskip("pytorch_lightning")
    import torch
    from labbook.integrations.lightning import LabbookLogger

    class Model(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.save_hyperparameters({"lr": 0.1, "optim": {"name": "sgd"}})
            self.layer = torch.nn.Linear(2, 1)

        def training_step(self, batch, _):
            xb, yb = batch
            loss = torch.nn.functional.binary_cross_entropy_with_logits(self.layer(xb).squeeze(1), yb)
            self.log("train_loss", loss)
            return loss

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    x, y = make_data(256)
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
        torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)), batch_size=32)
    logger = LabbookLogger(experiment=exp_name, name="lightning", client=client)
    pl.Trainer(max_epochs=2, logger=logger, log_every_n_steps=1, enable_checkpointing=False,
               enable_progress_bar=False, enable_model_summary=False).fit(Model(), data)
    run = logger.experiment
    assert run.get_status() == "COMPLETED"
    assert run.get_parameters()["optim.name"] == "sgd"
    assert len(run.get_metric_history("train_loss", as_dataframe=False)) >= 10
    # after fit's finalize, a later phase (trainer.test) logs again: the run is resumed
    logger.log_metrics({"test_acc": 0.75}, step=0)
    logger.finalize("success")
    assert logger.experiment.id == run.id and logger.experiment.get_status() == "COMPLETED"
    assert logger.experiment.get_metrics()["test_acc"] == 0.75
