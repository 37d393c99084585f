from google.api import field_behavior_pb2 as _field_behavior_pb2
from labbook.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LogLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOG_LEVEL_UNSPECIFIED: _ClassVar[LogLevel]
    LOG_LEVEL_DEBUG: _ClassVar[LogLevel]
    LOG_LEVEL_INFO: _ClassVar[LogLevel]
    LOG_LEVEL_WARNING: _ClassVar[LogLevel]
    LOG_LEVEL_ERROR: _ClassVar[LogLevel]

class LogStream(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOG_STREAM_UNSPECIFIED: _ClassVar[LogStream]
    LOG_STREAM_STDOUT: _ClassVar[LogStream]
    LOG_STREAM_STDERR: _ClassVar[LogStream]
    LOG_STREAM_USER: _ClassVar[LogStream]
LOG_LEVEL_UNSPECIFIED: LogLevel
LOG_LEVEL_DEBUG: LogLevel
LOG_LEVEL_INFO: LogLevel
LOG_LEVEL_WARNING: LogLevel
LOG_LEVEL_ERROR: LogLevel
LOG_STREAM_UNSPECIFIED: LogStream
LOG_STREAM_STDOUT: LogStream
LOG_STREAM_STDERR: LogStream
LOG_STREAM_USER: LogStream

class LogLine(_message.Message):
    __slots__ = ("offset", "timestamp_ms", "level", "stream", "text")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    offset: int
    timestamp_ms: int
    level: LogLevel
    stream: LogStream
    text: str
    def __init__(self, offset: _Optional[int] = ..., timestamp_ms: _Optional[int] = ..., level: _Optional[_Union[LogLevel, str]] = ..., stream: _Optional[_Union[LogStream, str]] = ..., text: _Optional[str] = ...) -> None: ...

class AppendLogsRequest(_message.Message):
    __slots__ = ("run_id", "lines", "writer_id", "sequence")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    WRITER_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    lines: _containers.RepeatedCompositeFieldContainer[LogLine]
    writer_id: str
    sequence: int
    def __init__(self, run_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[LogLine, _Mapping]]] = ..., writer_id: _Optional[str] = ..., sequence: _Optional[int] = ...) -> None: ...

class AppendLogsResponse(_message.Message):
    __slots__ = ("accepted_lines", "skipped_duplicate_lines")
    ACCEPTED_LINES_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_DUPLICATE_LINES_FIELD_NUMBER: _ClassVar[int]
    accepted_lines: int
    skipped_duplicate_lines: int
    def __init__(self, accepted_lines: _Optional[int] = ..., skipped_duplicate_lines: _Optional[int] = ...) -> None: ...

class AppendLogLinesRequest(_message.Message):
    __slots__ = ("run_id", "lines", "writer_id", "sequence")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    WRITER_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    lines: _containers.RepeatedCompositeFieldContainer[LogLine]
    writer_id: str
    sequence: int
    def __init__(self, run_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[LogLine, _Mapping]]] = ..., writer_id: _Optional[str] = ..., sequence: _Optional[int] = ...) -> None: ...

class AppendLogLinesResponse(_message.Message):
    __slots__ = ("accepted_lines", "duplicate")
    ACCEPTED_LINES_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    accepted_lines: int
    duplicate: bool
    def __init__(self, accepted_lines: _Optional[int] = ..., duplicate: bool = ...) -> None: ...

class ReadLogsRequest(_message.Message):
    __slots__ = ("run_id", "start_offset", "limit", "follow", "min_level")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    START_OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    MIN_LEVEL_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    start_offset: int
    limit: int
    follow: bool
    min_level: LogLevel
    def __init__(self, run_id: _Optional[str] = ..., start_offset: _Optional[int] = ..., limit: _Optional[int] = ..., follow: bool = ..., min_level: _Optional[_Union[LogLevel, str]] = ...) -> None: ...

class ReadLogsResponse(_message.Message):
    __slots__ = ("lines",)
    LINES_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[LogLine]
    def __init__(self, lines: _Optional[_Iterable[_Union[LogLine, _Mapping]]] = ...) -> None: ...
