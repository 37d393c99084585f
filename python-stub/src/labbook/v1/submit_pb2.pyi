from google.api import field_behavior_pb2 as _field_behavior_pb2
from labbook.v1 import access_pb2 as _access_pb2
from labbook.v1 import run_pb2 as _run_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ComputeTargetKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPUTE_TARGET_KIND_UNSPECIFIED: _ClassVar[ComputeTargetKind]
    COMPUTE_TARGET_KIND_KUBERNETES: _ClassVar[ComputeTargetKind]
COMPUTE_TARGET_KIND_UNSPECIFIED: ComputeTargetKind
COMPUTE_TARGET_KIND_KUBERNETES: ComputeTargetKind

class ComputeTarget(_message.Message):
    __slots__ = ("name", "kind", "namespace", "default_image", "max_snapshot_bytes", "gpu_resource", "projects")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_IMAGE_FIELD_NUMBER: _ClassVar[int]
    MAX_SNAPSHOT_BYTES_FIELD_NUMBER: _ClassVar[int]
    GPU_RESOURCE_FIELD_NUMBER: _ClassVar[int]
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: ComputeTargetKind
    namespace: str
    default_image: str
    max_snapshot_bytes: int
    gpu_resource: str
    projects: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[ComputeTargetKind, str]] = ..., namespace: _Optional[str] = ..., default_image: _Optional[str] = ..., max_snapshot_bytes: _Optional[int] = ..., gpu_resource: _Optional[str] = ..., projects: _Optional[_Iterable[str]] = ...) -> None: ...

class SubmitSpec(_message.Message):
    __slots__ = ("compute_target", "script", "arguments", "snapshot_path", "environment", "resources")
    COMPUTE_TARGET_FIELD_NUMBER: _ClassVar[int]
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_PATH_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    compute_target: str
    script: str
    arguments: _containers.RepeatedScalarFieldContainer[str]
    snapshot_path: str
    environment: SubmitEnvironment
    resources: SubmitResources
    def __init__(self, compute_target: _Optional[str] = ..., script: _Optional[str] = ..., arguments: _Optional[_Iterable[str]] = ..., snapshot_path: _Optional[str] = ..., environment: _Optional[_Union[SubmitEnvironment, _Mapping]] = ..., resources: _Optional[_Union[SubmitResources, _Mapping]] = ...) -> None: ...

class SubmitEnvironment(_message.Message):
    __slots__ = ("image", "pip_requirements", "variables")
    class VariablesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    PIP_REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    image: str
    pip_requirements: _containers.RepeatedScalarFieldContainer[str]
    variables: _containers.ScalarMap[str, str]
    def __init__(self, image: _Optional[str] = ..., pip_requirements: _Optional[_Iterable[str]] = ..., variables: _Optional[_Mapping[str, str]] = ...) -> None: ...

class SubmitResources(_message.Message):
    __slots__ = ("cpu", "memory", "gpu")
    CPU_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    GPU_FIELD_NUMBER: _ClassVar[int]
    cpu: str
    memory: str
    gpu: int
    def __init__(self, cpu: _Optional[str] = ..., memory: _Optional[str] = ..., gpu: _Optional[int] = ...) -> None: ...

class Submission(_message.Message):
    __slots__ = ("run_id", "spec", "namespace", "job_name", "pod_name", "state", "message", "create_time_ms", "update_time_ms")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    JOB_NAME_FIELD_NUMBER: _ClassVar[int]
    POD_NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    spec: SubmitSpec
    namespace: str
    job_name: str
    pod_name: str
    state: str
    message: str
    create_time_ms: int
    update_time_ms: int
    def __init__(self, run_id: _Optional[str] = ..., spec: _Optional[_Union[SubmitSpec, _Mapping]] = ..., namespace: _Optional[str] = ..., job_name: _Optional[str] = ..., pod_name: _Optional[str] = ..., state: _Optional[str] = ..., message: _Optional[str] = ..., create_time_ms: _Optional[int] = ..., update_time_ms: _Optional[int] = ...) -> None: ...

class ListComputeTargetsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListComputeTargetsResponse(_message.Message):
    __slots__ = ("targets",)
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    targets: _containers.RepeatedCompositeFieldContainer[ComputeTarget]
    def __init__(self, targets: _Optional[_Iterable[_Union[ComputeTarget, _Mapping]]] = ...) -> None: ...

class SubmitRunRequest(_message.Message):
    __slots__ = ("run_id", "spec")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    spec: SubmitSpec
    def __init__(self, run_id: _Optional[str] = ..., spec: _Optional[_Union[SubmitSpec, _Mapping]] = ...) -> None: ...

class SubmitRunResponse(_message.Message):
    __slots__ = ("run", "submission")
    RUN_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_FIELD_NUMBER: _ClassVar[int]
    run: _run_pb2.Run
    submission: Submission
    def __init__(self, run: _Optional[_Union[_run_pb2.Run, _Mapping]] = ..., submission: _Optional[_Union[Submission, _Mapping]] = ...) -> None: ...

class GetSubmissionRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class GetSubmissionResponse(_message.Message):
    __slots__ = ("submission",)
    SUBMISSION_FIELD_NUMBER: _ClassVar[int]
    submission: Submission
    def __init__(self, submission: _Optional[_Union[Submission, _Mapping]] = ...) -> None: ...
