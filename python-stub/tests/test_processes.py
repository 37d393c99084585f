"""Several processes log into one run at once, each with its own writer: nothing lost."""
import faulthandler
import multiprocessing
import os
import select
import signal
import time

import labbook

POINTS_PER_RANK = 50_000


def _rank_main(target, run_id, rank, queue, dump_path):
    # As a DDP rank: attach to the run the launcher made, log under rank-specific and shared keys.
    # SIGUSR1 dumps every thread's stack (the test asks when a rank does not exit).
    faulthandler.register(signal.SIGUSR1, file=open(dump_path, "w"), all_threads=True)
    client = labbook.Client(target)
    run = labbook.Run(run_id=run_id, client=client).open()
    for step in range(POINTS_PER_RANK):
        run.log_metric(f"rank{rank}/loss", step * 0.001, step=step)
        run.log_metric("all/loss", float(rank), step=rank * POINTS_PER_RANK + step)
    run.log_text(f"rank {rank} done")
    ok = run.flush(120)
    queue.put((rank, run.writer_id, ok, [str(e) for e in run.errors]))
    run.close()


def _stacks_of(pid, dump_path):
    """What a process that did not exit (or answer) is doing: its threads' stacks, asked for with
    SIGUSR1 (it registered faulthandler for it, writing to dump_path)."""
    os.kill(pid, signal.SIGUSR1)
    time.sleep(2)
    with open(dump_path) as f:
        return f.read() or "(no stack dump: the interpreter may be past its finalization)"


def test_four_ranks_log_into_one_run(client, exp_name, tmp_path):
    run = labbook.Run(exp_name, "ddp", client=client).open()
    ctx = multiprocessing.get_context("spawn")  # as torch.multiprocessing.spawn does
    queue = ctx.Queue()
    dumps = [str(tmp_path / f"rank{rank}-stacks.txt") for rank in range(4)]
    procs = [ctx.Process(target=_rank_main, args=(client.target, run.id, rank, queue, dumps[rank]))
             for rank in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=300) for _ in procs]
    for rank, p in enumerate(procs):
        p.join(60)
        if p.exitcode is None:
            stacks = _stacks_of(p.pid, dumps[rank])
            p.kill()
            raise AssertionError(f"rank {rank} reported but has not exited 60 s later; its threads:\n{stacks}")
        assert p.exitcode == 0
    assert all(ok and not errors for _, _, ok, errors in results), results
    assert len({writer for _, writer, _, _ in results}) == 4  # each rank its own writer
    summaries = {m.key: m.count for m in client.list_metrics(run.id)}
    assert summaries == {**{f"rank{r}/loss": POINTS_PER_RANK for r in range(4)},
                         "all/loss": 4 * POINTS_PER_RANK}
    steps, _, values = client.get_metric_history(run.id, "all/loss")
    assert steps == list(range(4 * POINTS_PER_RANK))
    assert values == [float(s // POINTS_PER_RANK) for s in steps]
    assert sorted(l.text for l in client.read_logs(run.id)) == [f"rank {r} done" for r in range(4)]
    run.complete()


def test_forked_child_gets_a_fresh_writer(client, exp_name, tmp_path):
    run = labbook.Run(exp_name, "forked", client=client).open()
    run.log_metric("parent", 1.0, step=0)
    assert run.flush(30)
    parent_writer = run.writer_id
    dump_path = str(tmp_path / "child-stacks.txt")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: log through the inherited run object
        code = 1
        try:
            os.close(read)
            # Where the child is stuck when it fails: its threads' stacks, written by the child
            # itself when the flush times out, or on SIGUSR1 from the parent when it does not
            # answer at all. No watchdog thread: one changed the timing enough to hide the hang.
            dump = open(dump_path, "w")
            faulthandler.register(signal.SIGUSR1, file=dump, all_threads=True)
            for step in range(1000):
                run.log_metric("child", float(step), step=step)
            ok = run.flush(60)
            if not ok:
                faulthandler.dump_traceback(dump, all_threads=True)
                dump.flush()
            os.write(write, f"{run.writer_id} {ok}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    if not select.select([read], [], [], 90)[0]:
        stacks = _stacks_of(pid, dump_path)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise AssertionError(f"the forked child did not answer in 90 s; its threads:\n{stacks}")
    answer = os.read(read, 200).decode()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (status, answer)
    child_writer, ok = answer.split()
    if ok != "True":
        with open(dump_path) as f:
            raise AssertionError(f"the forked child's flush timed out; its threads then:\n{f.read()}")
    assert child_writer != parent_writer and run.writer_id == parent_writer
    run.log_metric("parent", 2.0, step=1)
    run.complete()
    counts = {m.key: m.count for m in client.list_metrics(run.id)}
    assert counts == {"parent": 2, "child": 1000}
