"""The committed labbook/v1 modules must be what scripts/generate makes from proto/ today."""
import filecmp
import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMMITTED = HERE.parent / "src" / "labbook" / "v1"


def test_committed_stubs_match_the_protos(tmp_path):
    generate = runpy.run_path(str(HERE.parent / "scripts" / "generate"))["generate"]
    generate(tmp_path)
    fresh = tmp_path / "labbook" / "v1"
    fresh_names = sorted(p.name for p in fresh.iterdir() if p.is_file())
    committed_names = sorted(p.name for p in COMMITTED.iterdir() if p.is_file())
    assert fresh_names == committed_names, "run python-stub/scripts/generate and commit the result"
    assert any(n.endswith("_pb2_grpc.py") for n in fresh_names)
    _match, mismatch, errors = filecmp.cmpfiles(fresh, COMMITTED, fresh_names, shallow=False)
    assert not mismatch and not errors, (
        f"generated stubs drifted from proto/: {mismatch + errors}; run python-stub/scripts/generate")
