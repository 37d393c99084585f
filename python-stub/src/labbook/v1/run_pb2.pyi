from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from labbook.v1 import access_pb2 as _access_pb2
from labbook.v1 import common_pb2 as _common_pb2
from labbook.v1 import metric_pb2 as _metric_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RunStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_STATUS_UNSPECIFIED: _ClassVar[RunStatus]
    RUN_STATUS_RUNNING: _ClassVar[RunStatus]
    RUN_STATUS_COMPLETED: _ClassVar[RunStatus]
    RUN_STATUS_FAILED: _ClassVar[RunStatus]
    RUN_STATUS_CANCELED: _ClassVar[RunStatus]
    RUN_STATUS_QUEUED: _ClassVar[RunStatus]
    RUN_STATUS_CRASHED: _ClassVar[RunStatus]

class ResumePolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESUME_POLICY_UNSPECIFIED: _ClassVar[ResumePolicy]
    RESUME_POLICY_ALLOW: _ClassVar[ResumePolicy]
    RESUME_POLICY_NEVER: _ClassVar[ResumePolicy]
    RESUME_POLICY_MUST: _ClassVar[ResumePolicy]

class RunView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_VIEW_UNSPECIFIED: _ClassVar[RunView]
    RUN_VIEW_BASIC: _ClassVar[RunView]
    RUN_VIEW_FULL: _ClassVar[RunView]
RUN_STATUS_UNSPECIFIED: RunStatus
RUN_STATUS_RUNNING: RunStatus
RUN_STATUS_COMPLETED: RunStatus
RUN_STATUS_FAILED: RunStatus
RUN_STATUS_CANCELED: RunStatus
RUN_STATUS_QUEUED: RunStatus
RUN_STATUS_CRASHED: RunStatus
RESUME_POLICY_UNSPECIFIED: ResumePolicy
RESUME_POLICY_ALLOW: ResumePolicy
RESUME_POLICY_NEVER: ResumePolicy
RESUME_POLICY_MUST: ResumePolicy
RUN_VIEW_UNSPECIFIED: RunView
RUN_VIEW_BASIC: RunView
RUN_VIEW_FULL: RunView

class SourceInfo(_message.Message):
    __slots__ = ("script", "args", "git_commit", "git_dirty", "host", "working_dir")
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    GIT_COMMIT_FIELD_NUMBER: _ClassVar[int]
    GIT_DIRTY_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    WORKING_DIR_FIELD_NUMBER: _ClassVar[int]
    script: str
    args: _containers.RepeatedScalarFieldContainer[str]
    git_commit: str
    git_dirty: bool
    host: str
    working_dir: str
    def __init__(self, script: _Optional[str] = ..., args: _Optional[_Iterable[str]] = ..., git_commit: _Optional[str] = ..., git_dirty: bool = ..., host: _Optional[str] = ..., working_dir: _Optional[str] = ...) -> None: ...

class Param(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: _common_pb2.Value
    def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.Value, _Mapping]] = ...) -> None: ...

class Run(_message.Message):
    __slots__ = ("id", "experiment_id", "name", "status", "start_time_ms", "end_time_ms", "description", "tags", "parent_run_id", "source", "params", "update_time_ms", "deleted", "delete_time_ms", "resume_count", "metrics", "create_time_ms", "etag", "creator")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    END_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PARENT_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    DELETE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    RESUME_COUNT_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    id: str
    experiment_id: str
    name: str
    status: RunStatus
    start_time_ms: int
    end_time_ms: int
    description: str
    tags: _containers.ScalarMap[str, str]
    parent_run_id: str
    source: SourceInfo
    params: _containers.RepeatedCompositeFieldContainer[Param]
    update_time_ms: int
    deleted: bool
    delete_time_ms: int
    resume_count: int
    metrics: _containers.RepeatedCompositeFieldContainer[_metric_pb2.MetricSummary]
    create_time_ms: int
    etag: str
    creator: str
    def __init__(self, id: _Optional[str] = ..., experiment_id: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[_Union[RunStatus, str]] = ..., start_time_ms: _Optional[int] = ..., end_time_ms: _Optional[int] = ..., description: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., parent_run_id: _Optional[str] = ..., source: _Optional[_Union[SourceInfo, _Mapping]] = ..., params: _Optional[_Iterable[_Union[Param, _Mapping]]] = ..., update_time_ms: _Optional[int] = ..., deleted: bool = ..., delete_time_ms: _Optional[int] = ..., resume_count: _Optional[int] = ..., metrics: _Optional[_Iterable[_Union[_metric_pb2.MetricSummary, _Mapping]]] = ..., create_time_ms: _Optional[int] = ..., etag: _Optional[str] = ..., creator: _Optional[str] = ...) -> None: ...

class RunStatusChange(_message.Message):
    __slots__ = ("from_status", "to_status", "time_ms", "reason", "message")
    FROM_STATUS_FIELD_NUMBER: _ClassVar[int]
    TO_STATUS_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    from_status: RunStatus
    to_status: RunStatus
    time_ms: int
    reason: str
    message: str
    def __init__(self, from_status: _Optional[_Union[RunStatus, str]] = ..., to_status: _Optional[_Union[RunStatus, str]] = ..., time_ms: _Optional[int] = ..., reason: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class CreateRunRequest(_message.Message):
    __slots__ = ("experiment_id", "name", "description", "tags", "parent_run_id", "source", "params", "initial_status", "request_id")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PARENT_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    INITIAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    name: str
    description: str
    tags: _containers.ScalarMap[str, str]
    parent_run_id: str
    source: SourceInfo
    params: _containers.RepeatedCompositeFieldContainer[Param]
    initial_status: RunStatus
    request_id: str
    def __init__(self, experiment_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., parent_run_id: _Optional[str] = ..., source: _Optional[_Union[SourceInfo, _Mapping]] = ..., params: _Optional[_Iterable[_Union[Param, _Mapping]]] = ..., initial_status: _Optional[_Union[RunStatus, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: Run
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ...) -> None: ...

class OpenRunRequest(_message.Message):
    __slots__ = ("experiment_id", "project", "experiment_name", "create_experiment_if_missing", "name", "resume", "description", "tags", "parent_run_id", "source", "params", "start_time_ms")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_EXPERIMENT_IF_MISSING_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RESUME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PARENT_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    project: str
    experiment_name: str
    create_experiment_if_missing: bool
    name: str
    resume: ResumePolicy
    description: str
    tags: _containers.ScalarMap[str, str]
    parent_run_id: str
    source: SourceInfo
    params: _containers.RepeatedCompositeFieldContainer[Param]
    start_time_ms: int
    def __init__(self, experiment_id: _Optional[str] = ..., project: _Optional[str] = ..., experiment_name: _Optional[str] = ..., create_experiment_if_missing: bool = ..., name: _Optional[str] = ..., resume: _Optional[_Union[ResumePolicy, str]] = ..., description: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., parent_run_id: _Optional[str] = ..., source: _Optional[_Union[SourceInfo, _Mapping]] = ..., params: _Optional[_Iterable[_Union[Param, _Mapping]]] = ..., start_time_ms: _Optional[int] = ...) -> None: ...

class OpenRunResponse(_message.Message):
    __slots__ = ("run", "resumed", "experiment_created")
    RUN_FIELD_NUMBER: _ClassVar[int]
    RESUMED_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_CREATED_FIELD_NUMBER: _ClassVar[int]
    run: Run
    resumed: bool
    experiment_created: bool
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ..., resumed: bool = ..., experiment_created: bool = ...) -> None: ...

class GetRunRequest(_message.Message):
    __slots__ = ("run_id", "experiment_id", "project", "experiment_name", "run_name")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_NAME_FIELD_NUMBER: _ClassVar[int]
    RUN_NAME_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    experiment_id: str
    project: str
    experiment_name: str
    run_name: str
    def __init__(self, run_id: _Optional[str] = ..., experiment_id: _Optional[str] = ..., project: _Optional[str] = ..., experiment_name: _Optional[str] = ..., run_name: _Optional[str] = ...) -> None: ...

class GetRunResponse(_message.Message):
    __slots__ = ("run", "status_history")
    RUN_FIELD_NUMBER: _ClassVar[int]
    STATUS_HISTORY_FIELD_NUMBER: _ClassVar[int]
    run: Run
    status_history: _containers.RepeatedCompositeFieldContainer[RunStatusChange]
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ..., status_history: _Optional[_Iterable[_Union[RunStatusChange, _Mapping]]] = ...) -> None: ...

class ListRunsRequest(_message.Message):
    __slots__ = ("experiment_id", "parent_run_id", "page_size", "page_token", "lifecycle")
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LIFECYCLE_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    parent_run_id: str
    page_size: int
    page_token: str
    lifecycle: _common_pb2.LifecycleFilter
    def __init__(self, experiment_id: _Optional[str] = ..., parent_run_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., lifecycle: _Optional[_Union[_common_pb2.LifecycleFilter, str]] = ...) -> None: ...

class ListRunsResponse(_message.Message):
    __slots__ = ("runs", "next_page_token")
    RUNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    runs: _containers.RepeatedCompositeFieldContainer[Run]
    next_page_token: str
    def __init__(self, runs: _Optional[_Iterable[_Union[Run, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SearchRunsRequest(_message.Message):
    __slots__ = ("experiment_ids", "project", "filter", "order_by", "page_size", "page_token", "lifecycle", "max_results", "view", "param_keys", "metric_keys")
    EXPERIMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LIFECYCLE_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    PARAM_KEYS_FIELD_NUMBER: _ClassVar[int]
    METRIC_KEYS_FIELD_NUMBER: _ClassVar[int]
    experiment_ids: _containers.RepeatedScalarFieldContainer[str]
    project: str
    filter: str
    order_by: _containers.RepeatedScalarFieldContainer[str]
    page_size: int
    page_token: str
    lifecycle: _common_pb2.LifecycleFilter
    max_results: int
    view: RunView
    param_keys: _containers.RepeatedScalarFieldContainer[str]
    metric_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, experiment_ids: _Optional[_Iterable[str]] = ..., project: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[_Iterable[str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., lifecycle: _Optional[_Union[_common_pb2.LifecycleFilter, str]] = ..., max_results: _Optional[int] = ..., view: _Optional[_Union[RunView, str]] = ..., param_keys: _Optional[_Iterable[str]] = ..., metric_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class SearchRunsResponse(_message.Message):
    __slots__ = ("runs", "next_page_token")
    RUNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    runs: _containers.RepeatedCompositeFieldContainer[Run]
    next_page_token: str
    def __init__(self, runs: _Optional[_Iterable[_Union[Run, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateRunRequest(_message.Message):
    __slots__ = ("run_id", "update_mask", "description", "name", "etag")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    update_mask: _field_mask_pb2.FieldMask
    description: str
    name: str
    etag: str
    def __init__(self, run_id: _Optional[str] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., description: _Optional[str] = ..., name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class UpdateRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: Run
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ...) -> None: ...

class StartRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class StartRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: Run
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ...) -> None: ...

class FinishRunRequest(_message.Message):
    __slots__ = ("run_id", "status", "end_time_ms")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    END_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    status: RunStatus
    end_time_ms: int
    def __init__(self, run_id: _Optional[str] = ..., status: _Optional[_Union[RunStatus, str]] = ..., end_time_ms: _Optional[int] = ...) -> None: ...

class FinishRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: Run
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ...) -> None: ...

class CancelRunRequest(_message.Message):
    __slots__ = ("run_id", "end_time_ms")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    END_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    end_time_ms: int
    def __init__(self, run_id: _Optional[str] = ..., end_time_ms: _Optional[int] = ...) -> None: ...

class CancelRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: Run
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ...) -> None: ...

class ResumeRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class ResumeRunResponse(_message.Message):
    __slots__ = ("run", "resumed")
    RUN_FIELD_NUMBER: _ClassVar[int]
    RESUMED_FIELD_NUMBER: _ClassVar[int]
    run: Run
    resumed: bool
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ..., resumed: bool = ...) -> None: ...

class RenewRunLeaseRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class RenewRunLeaseResponse(_message.Message):
    __slots__ = ("status", "lease_expire_time_ms", "resumed")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LEASE_EXPIRE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    RESUMED_FIELD_NUMBER: _ClassVar[int]
    status: RunStatus
    lease_expire_time_ms: int
    resumed: bool
    def __init__(self, status: _Optional[_Union[RunStatus, str]] = ..., lease_expire_time_ms: _Optional[int] = ..., resumed: bool = ...) -> None: ...

class SetRunTagsRequest(_message.Message):
    __slots__ = ("run_id", "tags", "remove_keys")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    REMOVE_KEYS_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    tags: _containers.ScalarMap[str, str]
    remove_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, run_id: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., remove_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class SetRunTagsResponse(_message.Message):
    __slots__ = ("tags",)
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.ScalarMap[str, str]
    def __init__(self, tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class LogParamsRequest(_message.Message):
    __slots__ = ("run_id", "params", "refuse_changes")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    REFUSE_CHANGES_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    params: _containers.RepeatedCompositeFieldContainer[Param]
    refuse_changes: bool
    def __init__(self, run_id: _Optional[str] = ..., params: _Optional[_Iterable[_Union[Param, _Mapping]]] = ..., refuse_changes: bool = ...) -> None: ...

class LogParamsResponse(_message.Message):
    __slots__ = ("written",)
    WRITTEN_FIELD_NUMBER: _ClassVar[int]
    written: int
    def __init__(self, written: _Optional[int] = ...) -> None: ...

class DeleteRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class DeleteRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: Run
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ...) -> None: ...

class RestoreRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class RestoreRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: Run
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ...) -> None: ...

class PurgeRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class PurgeRunResponse(_message.Message):
    __slots__ = ("purged_runs",)
    PURGED_RUNS_FIELD_NUMBER: _ClassVar[int]
    purged_runs: int
    def __init__(self, purged_runs: _Optional[int] = ...) -> None: ...

class CompareRunsRequest(_message.Message):
    __slots__ = ("run_ids",)
    RUN_IDS_FIELD_NUMBER: _ClassVar[int]
    run_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, run_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CompareRunsResponse(_message.Message):
    __slots__ = ("runs", "differing_param_keys", "params", "metrics", "differing_tag_keys")
    RUNS_FIELD_NUMBER: _ClassVar[int]
    DIFFERING_PARAM_KEYS_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    DIFFERING_TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    runs: _containers.RepeatedCompositeFieldContainer[Run]
    differing_param_keys: _containers.RepeatedScalarFieldContainer[str]
    params: _containers.RepeatedCompositeFieldContainer[ParamComparison]
    metrics: _containers.RepeatedCompositeFieldContainer[MetricComparison]
    differing_tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, runs: _Optional[_Iterable[_Union[Run, _Mapping]]] = ..., differing_param_keys: _Optional[_Iterable[str]] = ..., params: _Optional[_Iterable[_Union[ParamComparison, _Mapping]]] = ..., metrics: _Optional[_Iterable[_Union[MetricComparison, _Mapping]]] = ..., differing_tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class ParamComparison(_message.Message):
    __slots__ = ("key", "values", "differs")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    DIFFERS_FIELD_NUMBER: _ClassVar[int]
    key: str
    values: _containers.RepeatedCompositeFieldContainer[_common_pb2.Value]
    differs: bool
    def __init__(self, key: _Optional[str] = ..., values: _Optional[_Iterable[_Union[_common_pb2.Value, _Mapping]]] = ..., differs: bool = ...) -> None: ...

class MetricComparison(_message.Message):
    __slots__ = ("key", "summaries", "differs")
    KEY_FIELD_NUMBER: _ClassVar[int]
    SUMMARIES_FIELD_NUMBER: _ClassVar[int]
    DIFFERS_FIELD_NUMBER: _ClassVar[int]
    key: str
    summaries: _containers.RepeatedCompositeFieldContainer[_metric_pb2.MetricSummary]
    differs: bool
    def __init__(self, key: _Optional[str] = ..., summaries: _Optional[_Iterable[_Union[_metric_pb2.MetricSummary, _Mapping]]] = ..., differs: bool = ...) -> None: ...

class WatchRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class WatchRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: Run
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ...) -> None: ...
