"""Client methods that manage runs and experiments: rename, delete, restore, purge (issue 17)."""
import pytest

from labbook.errors import ExperimentNotFoundError, FailedPreconditionError, RunNotFoundError


def test_runs_are_renamed_deleted_restored_and_purged(client, exp_name):
    exp = client.create_experiment(exp_name)
    run = client.create_run(experiment_id=exp.id, name="first")
    assert client.rename_run(run.id, "second").name == "second"
    assert client.get_run(experiment=exp_name, name="second").id == run.id

    assert client.delete_run(run.id).deleted
    assert run.id not in {r.id for r in client.search_runs(experiment_ids=[exp.id])}
    assert not client.restore_run(run.id).deleted
    assert run.id in {r.id for r in client.search_runs(experiment_ids=[exp.id])}
    with pytest.raises(FailedPreconditionError):
        client.purge_run(run.id)
    client.delete_run(run.id)
    assert client.purge_run(run.id) == 1
    with pytest.raises(RunNotFoundError):
        client.get_run(run.id)


def test_experiments_are_renamed_deleted_restored_and_purged(client, exp_name):
    exp = client.create_experiment(exp_name)
    run = client.create_run(experiment_id=exp.id, name="only")
    renamed = client.rename_experiment(exp.id, exp_name + "-b")
    assert renamed.name == exp_name + "-b"
    assert client.delete_experiment(exp.id).deleted
    assert not client.restore_experiment(exp.id).deleted
    with pytest.raises(FailedPreconditionError):
        client.purge_experiment(exp.id)
    client.delete_experiment(exp.id)
    assert client.purge_experiment(exp.id) == 1
    with pytest.raises(ExperimentNotFoundError):
        client.get_experiment(experiment_id=exp.id)
    with pytest.raises(RunNotFoundError):
        client.get_run(run.id)


def test_search_finds_runs_by_id_prefix_and_suffix(client, exp_name):
    exp = client.create_experiment(exp_name)
    a = client.create_run(experiment_id=exp.id, name="a")
    b = client.create_run(experiment_id=exp.id, name="b")
    found = [r.name for r in client.search_runs(experiment_ids=[exp.id], filter=f"id LIKE '%{a.id[-8:]}'")]
    assert found == ["a"]
    both = {r.name for r in client.search_runs(experiment_ids=[exp.id], filter=f"id LIKE '{a.id[:6]}%'")}
    assert both == {"a", "b"} and b.id.startswith(a.id[:6])
