from labbook.v1 import log_pb2 as _log_pb2
from labbook.v1 import metric_pb2 as _metric_pb2
from labbook.v1 import run_pb2 as _run_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SpooledCall(_message.Message):
    __slots__ = ("spooled_at_ms", "log_params", "set_run_tags", "append_log_lines", "append_table_rows", "update_run", "finish_run", "cancel_run")
    SPOOLED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    LOG_PARAMS_FIELD_NUMBER: _ClassVar[int]
    SET_RUN_TAGS_FIELD_NUMBER: _ClassVar[int]
    APPEND_LOG_LINES_FIELD_NUMBER: _ClassVar[int]
    APPEND_TABLE_ROWS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_RUN_FIELD_NUMBER: _ClassVar[int]
    FINISH_RUN_FIELD_NUMBER: _ClassVar[int]
    CANCEL_RUN_FIELD_NUMBER: _ClassVar[int]
    spooled_at_ms: int
    log_params: _run_pb2.LogParamsRequest
    set_run_tags: _run_pb2.SetRunTagsRequest
    append_log_lines: _log_pb2.AppendLogLinesRequest
    append_table_rows: _metric_pb2.AppendTableRowsRequest
    update_run: _run_pb2.UpdateRunRequest
    finish_run: _run_pb2.FinishRunRequest
    cancel_run: _run_pb2.CancelRunRequest
    def __init__(self, spooled_at_ms: _Optional[int] = ..., log_params: _Optional[_Union[_run_pb2.LogParamsRequest, _Mapping]] = ..., set_run_tags: _Optional[_Union[_run_pb2.SetRunTagsRequest, _Mapping]] = ..., append_log_lines: _Optional[_Union[_log_pb2.AppendLogLinesRequest, _Mapping]] = ..., append_table_rows: _Optional[_Union[_metric_pb2.AppendTableRowsRequest, _Mapping]] = ..., update_run: _Optional[_Union[_run_pb2.UpdateRunRequest, _Mapping]] = ..., finish_run: _Optional[_Union[_run_pb2.FinishRunRequest, _Mapping]] = ..., cancel_run: _Optional[_Union[_run_pb2.CancelRunRequest, _Mapping]] = ...) -> None: ...
