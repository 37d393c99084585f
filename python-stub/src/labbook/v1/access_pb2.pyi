from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Permission(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PERMISSION_UNSPECIFIED: _ClassVar[Permission]
    PERMISSION_PUBLIC: _ClassVar[Permission]
    PERMISSION_AUTHENTICATED: _ClassVar[Permission]
    PERMISSION_READ: _ClassVar[Permission]
    PERMISSION_WRITE: _ClassVar[Permission]
    PERMISSION_DELETE: _ClassVar[Permission]
    PERMISSION_PURGE: _ClassVar[Permission]
    PERMISSION_ADMIN: _ClassVar[Permission]

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_VIEWER: _ClassVar[Role]
    ROLE_EDITOR: _ClassVar[Role]
    ROLE_ADMIN: _ClassVar[Role]
PERMISSION_UNSPECIFIED: Permission
PERMISSION_PUBLIC: Permission
PERMISSION_AUTHENTICATED: Permission
PERMISSION_READ: Permission
PERMISSION_WRITE: Permission
PERMISSION_DELETE: Permission
PERMISSION_PURGE: Permission
PERMISSION_ADMIN: Permission
ROLE_UNSPECIFIED: Role
ROLE_VIEWER: Role
ROLE_EDITOR: Role
ROLE_ADMIN: Role
ACCESS_FIELD_NUMBER: _ClassVar[int]
access: _descriptor.FieldDescriptor

class AccessRule(_message.Message):
    __slots__ = ("permission", "targets")
    PERMISSION_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    permission: Permission
    targets: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, permission: _Optional[_Union[Permission, str]] = ..., targets: _Optional[_Iterable[str]] = ...) -> None: ...

class RoleBinding(_message.Message):
    __slots__ = ("project", "role")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    project: str
    role: Role
    def __init__(self, project: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ...) -> None: ...

class Caller(_message.Message):
    __slots__ = ("principal", "method", "roles", "expire_time_ms", "auth_enabled", "token_id")
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    AUTH_ENABLED_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    principal: str
    method: str
    roles: _containers.RepeatedCompositeFieldContainer[RoleBinding]
    expire_time_ms: int
    auth_enabled: bool
    token_id: str
    def __init__(self, principal: _Optional[str] = ..., method: _Optional[str] = ..., roles: _Optional[_Iterable[_Union[RoleBinding, _Mapping]]] = ..., expire_time_ms: _Optional[int] = ..., auth_enabled: bool = ..., token_id: _Optional[str] = ...) -> None: ...

class GetCallerRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetCallerResponse(_message.Message):
    __slots__ = ("caller",)
    CALLER_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ...) -> None: ...

class Token(_message.Message):
    __slots__ = ("token_id", "name", "project", "role", "prefix", "creator", "create_time_ms", "expire_time_ms", "revoke_time_ms", "last_use_time_ms")
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PREFIX_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    REVOKE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    LAST_USE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    token_id: str
    name: str
    project: str
    role: Role
    prefix: str
    creator: str
    create_time_ms: int
    expire_time_ms: int
    revoke_time_ms: int
    last_use_time_ms: int
    def __init__(self, token_id: _Optional[str] = ..., name: _Optional[str] = ..., project: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., prefix: _Optional[str] = ..., creator: _Optional[str] = ..., create_time_ms: _Optional[int] = ..., expire_time_ms: _Optional[int] = ..., revoke_time_ms: _Optional[int] = ..., last_use_time_ms: _Optional[int] = ...) -> None: ...

class CreateTokenRequest(_message.Message):
    __slots__ = ("name", "project", "role", "ttl_seconds")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    project: str
    role: Role
    ttl_seconds: int
    def __init__(self, name: _Optional[str] = ..., project: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., ttl_seconds: _Optional[int] = ...) -> None: ...

class CreateTokenResponse(_message.Message):
    __slots__ = ("token", "secret")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    token: Token
    secret: str
    def __init__(self, token: _Optional[_Union[Token, _Mapping]] = ..., secret: _Optional[str] = ...) -> None: ...

class ListTokensRequest(_message.Message):
    __slots__ = ("project", "show_inactive", "page_size", "page_token")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    SHOW_INACTIVE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    project: str
    show_inactive: bool
    page_size: int
    page_token: str
    def __init__(self, project: _Optional[str] = ..., show_inactive: bool = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTokensResponse(_message.Message):
    __slots__ = ("tokens", "next_page_token")
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tokens: _containers.RepeatedCompositeFieldContainer[Token]
    next_page_token: str
    def __init__(self, tokens: _Optional[_Iterable[_Union[Token, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RevokeTokenRequest(_message.Message):
    __slots__ = ("token_id",)
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    token_id: str
    def __init__(self, token_id: _Optional[str] = ...) -> None: ...

class RevokeTokenResponse(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: Token
    def __init__(self, token: _Optional[_Union[Token, _Mapping]] = ...) -> None: ...

class AuditEvent(_message.Message):
    __slots__ = ("event_id", "time_ms", "principal", "method", "project", "target", "code", "peer")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    PEER_FIELD_NUMBER: _ClassVar[int]
    event_id: int
    time_ms: int
    principal: str
    method: str
    project: str
    target: str
    code: str
    peer: str
    def __init__(self, event_id: _Optional[int] = ..., time_ms: _Optional[int] = ..., principal: _Optional[str] = ..., method: _Optional[str] = ..., project: _Optional[str] = ..., target: _Optional[str] = ..., code: _Optional[str] = ..., peer: _Optional[str] = ...) -> None: ...

class ListAuditEventsRequest(_message.Message):
    __slots__ = ("project", "principal", "page_size", "page_token")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    project: str
    principal: str
    page_size: int
    page_token: str
    def __init__(self, project: _Optional[str] = ..., principal: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAuditEventsResponse(_message.Message):
    __slots__ = ("events", "next_page_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[AuditEvent]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[AuditEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
