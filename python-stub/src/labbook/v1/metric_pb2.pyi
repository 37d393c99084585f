from google.api import field_behavior_pb2 as _field_behavior_pb2
from labbook.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ColumnType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COLUMN_TYPE_UNSPECIFIED: _ClassVar[ColumnType]
    COLUMN_TYPE_NUMBER: _ClassVar[ColumnType]
    COLUMN_TYPE_STRING: _ClassVar[ColumnType]
COLUMN_TYPE_UNSPECIFIED: ColumnType
COLUMN_TYPE_NUMBER: ColumnType
COLUMN_TYPE_STRING: ColumnType

class MetricBatch(_message.Message):
    __slots__ = ("run_id", "writer_id", "sequence", "keys", "key_index", "step", "timestamp_ms", "value")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    WRITER_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    KEY_INDEX_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    writer_id: str
    sequence: int
    keys: _containers.RepeatedScalarFieldContainer[str]
    key_index: _containers.RepeatedScalarFieldContainer[int]
    step: _containers.RepeatedScalarFieldContainer[int]
    timestamp_ms: _containers.RepeatedScalarFieldContainer[int]
    value: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, run_id: _Optional[str] = ..., writer_id: _Optional[str] = ..., sequence: _Optional[int] = ..., keys: _Optional[_Iterable[str]] = ..., key_index: _Optional[_Iterable[int]] = ..., step: _Optional[_Iterable[int]] = ..., timestamp_ms: _Optional[_Iterable[int]] = ..., value: _Optional[_Iterable[float]] = ...) -> None: ...

class LogMetricsRequest(_message.Message):
    __slots__ = ("batch",)
    BATCH_FIELD_NUMBER: _ClassVar[int]
    batch: MetricBatch
    def __init__(self, batch: _Optional[_Union[MetricBatch, _Mapping]] = ...) -> None: ...

class LogMetricsResponse(_message.Message):
    __slots__ = ("accepted_batches", "accepted_points", "skipped_duplicate_batches", "skipped_duplicate_points")
    ACCEPTED_BATCHES_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_POINTS_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_DUPLICATE_BATCHES_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_DUPLICATE_POINTS_FIELD_NUMBER: _ClassVar[int]
    accepted_batches: int
    accepted_points: int
    skipped_duplicate_batches: int
    skipped_duplicate_points: int
    def __init__(self, accepted_batches: _Optional[int] = ..., accepted_points: _Optional[int] = ..., skipped_duplicate_batches: _Optional[int] = ..., skipped_duplicate_points: _Optional[int] = ...) -> None: ...

class BatchLogMetricsRequest(_message.Message):
    __slots__ = ("batch",)
    BATCH_FIELD_NUMBER: _ClassVar[int]
    batch: MetricBatch
    def __init__(self, batch: _Optional[_Union[MetricBatch, _Mapping]] = ...) -> None: ...

class BatchLogMetricsResponse(_message.Message):
    __slots__ = ("accepted_points", "duplicate")
    ACCEPTED_POINTS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    accepted_points: int
    duplicate: bool
    def __init__(self, accepted_points: _Optional[int] = ..., duplicate: bool = ...) -> None: ...

class GetWriterStateRequest(_message.Message):
    __slots__ = ("run_id", "writer_id")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    WRITER_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    writer_id: str
    def __init__(self, run_id: _Optional[str] = ..., writer_id: _Optional[str] = ...) -> None: ...

class GetWriterStateResponse(_message.Message):
    __slots__ = ("last_sequence",)
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    last_sequence: int
    def __init__(self, last_sequence: _Optional[int] = ...) -> None: ...

class GetMetricHistoryRequest(_message.Message):
    __slots__ = ("run_id", "key", "start_step", "end_step", "max_points", "page_size", "page_token")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    START_STEP_FIELD_NUMBER: _ClassVar[int]
    END_STEP_FIELD_NUMBER: _ClassVar[int]
    MAX_POINTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    key: str
    start_step: int
    end_step: int
    max_points: int
    page_size: int
    page_token: str
    def __init__(self, run_id: _Optional[str] = ..., key: _Optional[str] = ..., start_step: _Optional[int] = ..., end_step: _Optional[int] = ..., max_points: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetMetricHistoryResponse(_message.Message):
    __slots__ = ("step", "timestamp_ms", "value", "downsampled", "next_page_token")
    STEP_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    DOWNSAMPLED_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    step: _containers.RepeatedScalarFieldContainer[int]
    timestamp_ms: _containers.RepeatedScalarFieldContainer[int]
    value: _containers.RepeatedScalarFieldContainer[float]
    downsampled: bool
    next_page_token: str
    def __init__(self, step: _Optional[_Iterable[int]] = ..., timestamp_ms: _Optional[_Iterable[int]] = ..., value: _Optional[_Iterable[float]] = ..., downsampled: bool = ..., next_page_token: _Optional[str] = ...) -> None: ...

class BatchGetMetricHistoryRequest(_message.Message):
    __slots__ = ("run_ids", "keys", "max_points", "start_step", "end_step")
    RUN_IDS_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    MAX_POINTS_FIELD_NUMBER: _ClassVar[int]
    START_STEP_FIELD_NUMBER: _ClassVar[int]
    END_STEP_FIELD_NUMBER: _ClassVar[int]
    run_ids: _containers.RepeatedScalarFieldContainer[str]
    keys: _containers.RepeatedScalarFieldContainer[str]
    max_points: int
    start_step: int
    end_step: int
    def __init__(self, run_ids: _Optional[_Iterable[str]] = ..., keys: _Optional[_Iterable[str]] = ..., max_points: _Optional[int] = ..., start_step: _Optional[int] = ..., end_step: _Optional[int] = ...) -> None: ...

class MetricSeries(_message.Message):
    __slots__ = ("run_id", "key", "step", "timestamp_ms", "value", "downsampled")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    DOWNSAMPLED_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    key: str
    step: _containers.RepeatedScalarFieldContainer[int]
    timestamp_ms: _containers.RepeatedScalarFieldContainer[int]
    value: _containers.RepeatedScalarFieldContainer[float]
    downsampled: bool
    def __init__(self, run_id: _Optional[str] = ..., key: _Optional[str] = ..., step: _Optional[_Iterable[int]] = ..., timestamp_ms: _Optional[_Iterable[int]] = ..., value: _Optional[_Iterable[float]] = ..., downsampled: bool = ...) -> None: ...

class BatchGetMetricHistoryResponse(_message.Message):
    __slots__ = ("series",)
    SERIES_FIELD_NUMBER: _ClassVar[int]
    series: _containers.RepeatedCompositeFieldContainer[MetricSeries]
    def __init__(self, series: _Optional[_Iterable[_Union[MetricSeries, _Mapping]]] = ...) -> None: ...

class MetricSummary(_message.Message):
    __slots__ = ("key", "last_value", "last_step", "last_timestamp_ms", "min", "max", "count")
    KEY_FIELD_NUMBER: _ClassVar[int]
    LAST_VALUE_FIELD_NUMBER: _ClassVar[int]
    LAST_STEP_FIELD_NUMBER: _ClassVar[int]
    LAST_TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    key: str
    last_value: float
    last_step: int
    last_timestamp_ms: int
    min: float
    max: float
    count: int
    def __init__(self, key: _Optional[str] = ..., last_value: _Optional[float] = ..., last_step: _Optional[int] = ..., last_timestamp_ms: _Optional[int] = ..., min: _Optional[float] = ..., max: _Optional[float] = ..., count: _Optional[int] = ...) -> None: ...

class ListMetricsRequest(_message.Message):
    __slots__ = ("run_id", "page_size", "page_token", "key_prefix")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KEY_PREFIX_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    page_size: int
    page_token: str
    key_prefix: str
    def __init__(self, run_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., key_prefix: _Optional[str] = ...) -> None: ...

class ListMetricsResponse(_message.Message):
    __slots__ = ("metrics", "next_page_token")
    METRICS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    metrics: _containers.RepeatedCompositeFieldContainer[MetricSummary]
    next_page_token: str
    def __init__(self, metrics: _Optional[_Iterable[_Union[MetricSummary, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class TableCell(_message.Message):
    __slots__ = ("number_value", "string_value")
    NUMBER_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    number_value: float
    string_value: str
    def __init__(self, number_value: _Optional[float] = ..., string_value: _Optional[str] = ...) -> None: ...

class TableRow(_message.Message):
    __slots__ = ("cells",)
    class CellsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: TableCell
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[TableCell, _Mapping]] = ...) -> None: ...
    CELLS_FIELD_NUMBER: _ClassVar[int]
    cells: _containers.MessageMap[str, TableCell]
    def __init__(self, cells: _Optional[_Mapping[str, TableCell]] = ...) -> None: ...

class TableColumn(_message.Message):
    __slots__ = ("name", "type")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: ColumnType
    def __init__(self, name: _Optional[str] = ..., type: _Optional[_Union[ColumnType, str]] = ...) -> None: ...

class AppendTableRowsRequest(_message.Message):
    __slots__ = ("run_id", "table", "rows", "writer_id", "sequence")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    WRITER_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    table: str
    rows: _containers.RepeatedCompositeFieldContainer[TableRow]
    writer_id: str
    sequence: int
    def __init__(self, run_id: _Optional[str] = ..., table: _Optional[str] = ..., rows: _Optional[_Iterable[_Union[TableRow, _Mapping]]] = ..., writer_id: _Optional[str] = ..., sequence: _Optional[int] = ...) -> None: ...

class AppendTableRowsResponse(_message.Message):
    __slots__ = ("row_count", "duplicate")
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    row_count: int
    duplicate: bool
    def __init__(self, row_count: _Optional[int] = ..., duplicate: bool = ...) -> None: ...

class TableInfo(_message.Message):
    __slots__ = ("name", "row_count", "columns")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    name: str
    row_count: int
    columns: _containers.RepeatedCompositeFieldContainer[TableColumn]
    def __init__(self, name: _Optional[str] = ..., row_count: _Optional[int] = ..., columns: _Optional[_Iterable[_Union[TableColumn, _Mapping]]] = ...) -> None: ...

class GetTableRequest(_message.Message):
    __slots__ = ("run_id", "table", "page_size", "page_token")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    table: str
    page_size: int
    page_token: str
    def __init__(self, run_id: _Optional[str] = ..., table: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetTableResponse(_message.Message):
    __slots__ = ("columns", "rows", "next_page_token")
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    columns: _containers.RepeatedCompositeFieldContainer[TableColumn]
    rows: _containers.RepeatedCompositeFieldContainer[TableRow]
    next_page_token: str
    def __init__(self, columns: _Optional[_Iterable[_Union[TableColumn, _Mapping]]] = ..., rows: _Optional[_Iterable[_Union[TableRow, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListTablesRequest(_message.Message):
    __slots__ = ("run_id", "page_size", "page_token")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    page_size: int
    page_token: str
    def __init__(self, run_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTablesResponse(_message.Message):
    __slots__ = ("tables", "next_page_token")
    TABLES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tables: _containers.RepeatedCompositeFieldContainer[TableInfo]
    next_page_token: str
    def __init__(self, tables: _Optional[_Iterable[_Union[TableInfo, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
