"""authentik's expression environment inside the sandbox.

Run once by sandbox-child.mjs. It defines `_ak_dispatch(request_json) -> response_json`, which evaluates an
expression the way authentik's BaseEvaluator does (the source becomes the body of `handler(<variables>)`), and
`_ak_seal()`, which cuts the interpreter off from JavaScript once everything is in place. Values cross as JSON;
objects the server knows (users, groups, dates) carry a `$t` marker and come back as the same objects.
Helpers that need the server call it through /dev/akhost (one JSON line out, one JSON answer back).
"""

import builtins
import datetime as _dt
import gc
import html as _html
import importlib.abc
import importlib.machinery
import ipaddress
import json
import os
import re
import sys
import textwrap
import traceback
import types
import unicodedata
import base64
import urllib.parse

_dumps = json.JSONEncoder(separators=(",", ":")).encode
_loads = json.loads
_MAX_OUTPUT = 8 * 1024 * 1024
_MAX_LOGS = 1000
_MAX_CALLS = 1000
_BLOCKED = frozenset({
    "js", "pyodide", "pyodide_js", "_pyodide", "_pyodide_core", "micropip", "pyodide_http",
    "ctypes", "_ctypes", "gc", "socket", "_socket", "ssl", "_ssl", "select", "selectors", "asyncio",
    "subprocess", "_posixsubprocess", "multiprocessing", "webbrowser", "mmap", "_tracemalloc", "faulthandler",
})


# --- the host ---------------------------------------------------------------------------------------------------

class HostError(Exception):
    """A helper the server answered with an error."""


class _Host:
    fd = None

    def call(self, name, args=None):
        if self.fd is None:
            self.fd = os.open("/dev/akhost", os.O_RDWR)
        if not name.startswith("_") and _current:
            _current[-1].calls += 1
            if _current[-1].calls > _MAX_CALLS:
                raise HostError("Too many helper calls in one expression")
        answer = self._exchange(name, args)
        while "nested" in answer:
            # An evaluation this call started (ak_call_policy → an expression policy) runs here, re-entrantly.
            answer = self._exchange("_result", _ak_dispatch_request(answer["nested"]))
        if not answer.get("ok"):
            raise HostError(answer.get("error") or f"{name} failed")
        return answer.get("value")

    def _exchange(self, name, args):
        os.write(self.fd, (_dumps({"name": name, "args": args}) + "\n").encode())
        chunks = []
        while True:
            data = os.read(self.fd, 1 << 16)
            if not data:
                break
            chunks.append(data)
        return _loads(b"".join(chunks))


_host = _Host()


class _Evaluation:
    """What one evaluation accumulates: ak_message texts, ak_logger lines, objects by server reference."""

    def __init__(self, filename):
        self.filename = filename
        self.messages = []
        self.logs = []
        self.groups = {}
        self.variables = {}
        self.calls = 0


_current = []


def _evaluation():
    return _current[-1]


# --- wire format ------------------------------------------------------------------------------------------------

def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class AttrDict(dict):
    """A JSON object: a dict that also reads its keys as attributes (`source.slug`, `token.session_id`)."""

    __slots__ = ()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self:
            return self[name]
        camel = _camel(name)
        if camel in self:
            return self[camel]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


def _decode(value):
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("$t")
    if kind is None:
        return AttrDict((key, _decode(item)) for key, item in value.items())
    decoder = _DECODERS.get(kind)
    if decoder is None:
        raise HostError(f"unknown value type {kind}")
    return decoder(value)


def _decode_datetime(value):
    return _dt.datetime.fromisoformat(value["v"].replace("Z", "+00:00"))


def _fields(value):
    return {key: _decode(item) for key, item in value.items() if not key.startswith("$")}


_DECODERS = {
    "dict": lambda value: AttrDict((key, _decode(item)) for key, item in value["v"].items()),
    "datetime": _decode_datetime,
    "bytes": lambda value: base64.b64decode(value["v"]),
    "user": lambda value: User._from_wire(value),
    "group": lambda value: Group._from_wire(value),
    "model": lambda value: Model._from_wire(value),
    "http_request": lambda value: HttpRequest(value),
    "policy_request": lambda value: PolicyRequest._from_wire(value),
    "flow_plan": lambda value: FlowPlan(_decode(value.get("context") or {}), value.get("flow_pk"), value.get("$ref")),
}


def _encode(value, depth=0):
    if depth > 64:
        raise ValueError("Value is nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -(2**53) < value < 2**53 else str(value)
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, Model):
        return value._to_wire()
    if isinstance(value, FlowPlan):
        return {"$t": "flow_plan", "$ref": value._ref, "context": _encode(value.context, depth + 1)}
    if isinstance(value, dict):
        items = {str(key): _encode(item, depth + 1) for key, item in value.items()}
        return {"$t": "dict", "v": items} if "$t" in items else items
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return {"$t": "datetime", "v": value.isoformat()}
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$t": "bytes", "v": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (PolicyRequest, HttpRequest, PolicyResult)):
        return _encode(value._as_dict(), depth + 1)
    if isinstance(value, (list, tuple, set, frozenset, QuerySet, types.GeneratorType)) or _iterable(value):
        return [_encode(item, depth + 1) for item in value]
    return str(value)


def _iterable(value):
    return isinstance(value, (type({}.keys()), type({}.values()), type({}.items()), map, filter, zip, range, reversed))


# --- models -----------------------------------------------------------------------------------------------------

class FieldError(Exception):
    """Cannot resolve keyword into field (Django's FieldError)."""


class ObjectDoesNotExist(Exception):
    pass


class MultipleObjectsReturned(Exception):
    pass


_LOOKUPS = {
    "exact": lambda a, b: a == b,
    "iexact": lambda a, b: a is not None and b is not None and str(a).lower() == str(b).lower(),
    "contains": lambda a, b: a is not None and b in a,
    "icontains": lambda a, b: a is not None and str(b).lower() in str(a).lower(),
    "in": lambda a, b: a in b,
    "startswith": lambda a, b: isinstance(a, str) and a.startswith(b),
    "istartswith": lambda a, b: isinstance(a, str) and a.lower().startswith(str(b).lower()),
    "endswith": lambda a, b: isinstance(a, str) and a.endswith(b),
    "iendswith": lambda a, b: isinstance(a, str) and a.lower().endswith(str(b).lower()),
    "gt": lambda a, b: a is not None and a > b,
    "gte": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "lte": lambda a, b: a is not None and a <= b,
    "isnull": lambda a, b: (a is None) == bool(b),
    "regex": lambda a, b: a is not None and re.search(b, str(a)) is not None,
    "iregex": lambda a, b: a is not None and re.search(b, str(a), re.I) is not None,
}
_MISSING = object()


def _lookup_matches(obj, lookup, expected):
    parts = lookup.split("__")
    operator = "exact"
    if len(parts) > 1 and parts[-1] in _LOOKUPS:
        operator = parts.pop()
    current = obj
    for index, part in enumerate(parts):
        if current is None:
            break
        if isinstance(current, dict):
            current = current.get(part)
            continue
        if index == 0 and part not in type(current)._fields and part != "pk":
            raise FieldError(f"Cannot resolve keyword '{part}' into field.")
        value = getattr(current, part, _MISSING)
        if value is _MISSING:
            raise FieldError(f"Cannot resolve keyword '{part}' into field.")
        current = value
    if isinstance(expected, Model):
        expected = expected.pk
    if isinstance(current, Model) and not isinstance(expected, Model):
        current = current.pk
    return _LOOKUPS[operator](current, expected)


class QuerySet:
    """A small read-only stand-in for Django's QuerySet: local rows, or a query the server answers."""

    def __init__(self, model, rows=None, filters=(), excludes=(), order=(), limit=None):
        self.model = model
        self._rows = rows
        self._filters = list(filters)
        self._excludes = list(excludes)
        self._order = list(order)
        self._limit = limit
        self._cache = None

    def _clone(self, **changes):
        state = {"rows": self._rows, "filters": self._filters, "excludes": self._excludes, "order": self._order, "limit": self._limit}
        state.update(changes)
        return QuerySet(self.model, **state)

    def _fetch(self):
        if self._cache is not None:
            return self._cache
        if self._rows is not None:
            rows = [row for row in self._rows
                    if all(_lookup_matches(row, k, v) for k, v in self._filters)
                    and not any(all(_lookup_matches(row, k, v) for k, v in group) for group in self._excludes)]
            for field in reversed(self._order):
                reverse = field.startswith("-")
                name = field.lstrip("-")
                rows.sort(key=lambda row: (getattr(row, name, None) is None, getattr(row, name, None)), reverse=reverse)
            if self._limit is not None:
                rows = rows[self._limit[0]:self._limit[1]]
        else:
            answer = _host.call("query", {
                "model": self.model._wire_type,
                "filters": [[key, _encode(value)] for key, value in self._filters],
                "excludes": [[[key, _encode(value)] for key, value in group] for group in self._excludes],
                "order": self._order,
                "offset": self._limit[0] if self._limit else 0,
                "limit": self._limit[1] - self._limit[0] if self._limit and self._limit[1] is not None else None,
            })
            if isinstance(answer, dict) and answer.get("field_error"):
                raise FieldError(answer["field_error"])
            rows = [_decode(row) for row in answer]
        self._cache = rows
        return rows

    def all(self):
        return self._clone()

    def filter(self, *args, **kwargs):
        if args:
            raise NotImplementedError("Q objects are not supported in expressions; use keyword filters")
        return self._clone(filters=self._filters + list(kwargs.items()))

    def exclude(self, **kwargs):
        return self._clone(excludes=self._excludes + [list(kwargs.items())])

    def order_by(self, *fields):
        return self._clone(order=list(fields))

    def distinct(self, *fields):
        return self._clone()

    def select_related(self, *fields):
        return self._clone()

    prefetch_related = select_related
    with_ancestors = all

    def none(self):
        return QuerySet(self.model, rows=[])

    def first(self):
        rows = self._clone(limit=(0, 1))._fetch() if self._cache is None else self._cache[:1]
        return rows[0] if rows else None

    def last(self):
        rows = self._fetch()
        return rows[-1] if rows else None

    def get(self, **kwargs):
        rows = (self.filter(**kwargs) if kwargs else self)._clone(limit=(0, 2))._fetch()
        if not rows:
            raise self.model.DoesNotExist(f"{self.model.__name__} matching query does not exist.")
        if len(rows) > 1:
            raise self.model.MultipleObjectsReturned(f"get() returned more than one {self.model.__name__}")
        return rows[0]

    def exists(self):
        return self.first() is not None

    def count(self):
        return len(self._fetch())

    def values_list(self, *fields, flat=False):
        rows = self._fetch()
        if flat:
            if len(fields) != 1:
                raise TypeError("'flat' is not valid when values_list is called with more than one field.")
            return [getattr(row, fields[0]) for row in rows]
        return [tuple(getattr(row, field) for field in fields) for row in rows]

    def values(self, *fields):
        rows = self._fetch()
        return [{field: getattr(row, field) for field in (fields or row._fields)} for row in rows]

    def __iter__(self):
        return iter(self._fetch())

    def __len__(self):
        return len(self._fetch())

    def __bool__(self):
        return bool(self._fetch())

    def __getitem__(self, key):
        if isinstance(key, slice) and self._cache is None and (key.step is None) and (key.start or 0) >= 0:
            return self._clone(limit=(key.start or 0, key.stop))._fetch()
        return self._fetch()[key]

    def __repr__(self):
        return f"<QuerySet {self._fetch()!r}>"


class _Manager:
    def __init__(self, model):
        self.model = model

    def get_queryset(self):
        return QuerySet(self.model)

    def __getattr__(self, name):
        return getattr(self.get_queryset(), name)


class _ModelBase(type):
    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        cls.DoesNotExist = type("DoesNotExist", (ObjectDoesNotExist,), {"__module__": "authentik.core.models"})
        cls.MultipleObjectsReturned = type("MultipleObjectsReturned", (MultipleObjectsReturned,), {"__module__": "authentik.core.models"})
        if namespace.get("_wire_type") in ("user", "group"):
            cls.objects = _Manager(cls)


class Model(metaclass=_ModelBase):
    """An object the server handed in (a provider, a source, an application…): its fields as attributes."""

    _wire_type = "model"
    _fields = ()

    def __init__(self, fields=None, ref=None, model=None):
        self._ref = ref
        self._model = model
        for key, value in (fields or {}).items():
            if isinstance(getattr(type(self), key, None), property):
                continue
            object.__setattr__(self, key, value)

    @classmethod
    def _from_wire(cls, value):
        return cls(_fields(value), value.get("$ref"), value.get("$model"))

    def _to_wire(self):
        out = {"$t": self._wire_type, "$ref": self._ref, "pk": _encode(getattr(self, "pk", None))}
        if self._model:
            out["$model"] = self._model
        return out

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        camel = _camel(name)
        if camel != name and camel in self.__dict__:
            return self.__dict__[camel]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __eq__(self, other):
        return type(other) is type(self) and getattr(other, "pk", None) == getattr(self, "pk", None) and self.pk is not None

    def __hash__(self):
        return hash((type(self).__name__, getattr(self, "pk", None)))

    def __repr__(self):
        return f"<{type(self).__name__}: {self}>"

    def __str__(self):
        return str(getattr(self, "name", getattr(self, "pk", "")))

    def save(self, *args, **kwargs):
        raise NotImplementedError("Objects cannot be saved from expressions")

    delete = save
    refresh_from_db = save


def _deep_merge(base, other):
    """deepmerge's always_merger: dicts merge, lists append, sets union, anything else overrides."""
    for key, value in other.items():
        current = base.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _deep_merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            base[key] = current + value
        elif isinstance(current, set) and isinstance(value, set):
            base[key] = current | value
        else:
            base[key] = _copy_json(value)
    return base


def _copy_json(value):
    if isinstance(value, dict):
        return AttrDict((key, _copy_json(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    return value


class Group(Model):
    """authentik's Group: `name`, `is_superuser`, `attributes`, `parent`, `users`."""

    _wire_type = "group"
    _fields = ("pk", "group_uuid", "num_pk", "name", "is_superuser", "parent", "parent_id", "attributes", "users")

    @classmethod
    def _from_wire(cls, value):
        fields = _fields(value)
        fields.setdefault("attributes", AttrDict())
        group = cls(fields, value.get("$ref"))
        _evaluation().groups.setdefault(group.pk, group)
        return group

    @property
    def group_uuid(self):
        return self.pk

    @property
    def parent(self):
        if not self.parent_id:
            return None
        known = _evaluation().groups.get(self.parent_id)
        if known is not None:
            return known
        return QuerySet(Group).filter(pk=self.parent_id).first()

    @property
    def users(self):
        return QuerySet(User).filter(ak_groups=self.pk)

    @property
    def children(self):
        return QuerySet(Group).filter(parent=self.pk)

    def is_member(self, user):
        return any(group.pk == self.pk for group in user.all_groups())


class User(Model):
    """authentik's User as expressions read it (see website/docs/users-sources/user)."""

    _wire_type = "user"
    _fields = ("pk", "id", "uuid", "username", "name", "email", "is_active", "last_login", "date_joined",
               "password_change_date", "attributes", "path", "type", "uid", "avatar", "password", "ak_groups",
               "groups", "is_superuser")
    is_authenticated = True
    is_anonymous = False

    @classmethod
    def _from_wire(cls, value):
        fields = _fields(value)
        fields.setdefault("attributes", AttrDict())
        return cls(fields, value.get("$ref"))

    @property
    def id(self):
        return self.pk

    @property
    def password(self):
        if self.pk is None:
            return ""
        return _host.call("user_password", {"pk": self.pk}) or ""

    def has_usable_password(self):
        return bool(self.__dict__.get("has_password"))

    def get_username(self):
        return self.username

    def get_full_name(self):
        return self.name

    def _direct_groups(self):
        cache = self.__dict__.get("_groups")
        if cache is None:
            cache = [_decode(row) for row in _host.call("user_groups", {"pk": self.pk, "ancestors": False})] if self.pk is not None else []
            object.__setattr__(self, "_groups", cache)
        return cache

    def _all_groups(self):
        cache = self.__dict__.get("_all_groups_cache")
        if cache is None:
            cache = [_decode(row) for row in _host.call("user_groups", {"pk": self.pk, "ancestors": True})] if self.pk is not None else []
            object.__setattr__(self, "_all_groups_cache", cache)
        return cache

    @property
    def ak_groups(self):
        return QuerySet(Group, rows=self._direct_groups())

    groups = ak_groups

    def all_groups(self):
        return QuerySet(Group, rows=self._all_groups())

    @property
    def is_superuser(self):
        return any(group.is_superuser for group in self._all_groups())

    is_staff = is_superuser

    def group_attributes(self, request=None):
        """The attributes of the tenant (given a request), of every group by name, then the user's own, merged."""
        final = AttrDict()
        tenant = getattr(request, "tenant", None) if isinstance(request, HttpRequest) else None
        if tenant is not None:
            _deep_merge(final, tenant.attributes or {})
        for group in sorted(self._all_groups(), key=lambda group: group.name):
            _deep_merge(final, group.attributes or {})
        _deep_merge(final, self.attributes or {})
        return final

    def locale(self, request=None):
        settings = (self.attributes or {}).get("settings") or {}
        locale = settings.get("locale", "") if isinstance(settings, dict) else ""
        if locale:
            return locale
        tenant = getattr(request, "tenant", None) if isinstance(request, HttpRequest) else None
        if tenant is not None:
            return ((tenant.attributes or {}).get("settings") or {}).get("locale", "")
        return ""

    def app_entitlements(self, app=None):
        return []

    def __str__(self):
        return self.username or ""


class _AnonymousUser(User):
    is_authenticated = False
    is_anonymous = True

    def __init__(self):
        super().__init__({"pk": None, "uuid": None, "username": "AnonymousUser", "name": "", "email": "", "is_active": True,
                          "attributes": AttrDict(), "path": "users", "type": "internal", "uid": "", "avatar": "",
                          "has_password": False, "last_login": None})

    def _to_wire(self):
        return None


# --- requests ---------------------------------------------------------------------------------------------------

class _CaseInsensitiveDict(dict):
    def __init__(self, items=()):
        super().__init__((str(key).lower(), value) for key, value in dict(items).items())

    def __getitem__(self, key):
        return super().__getitem__(str(key).lower())

    def get(self, key, default=None):
        return super().get(str(key).lower(), default)

    def __contains__(self, key):
        return super().__contains__(str(key).lower())


class HttpRequest:
    """The HTTP request an expression runs for (Django's HttpRequest, reduced)."""

    def __init__(self, value):
        fields = _fields(value)
        self._ref = value.get("$ref")
        self.path = fields.get("path") or "/"
        self.method = (fields.get("method") or "GET").upper()
        self.scheme = fields.get("scheme") or "http"
        self._host = fields.get("host") or ""
        self.client_ip = fields.get("ip") or ""
        self.user_agent = fields.get("user_agent") or ""
        self.GET = AttrDict(fields.get("query") or {})
        self.POST = AttrDict()
        self.headers = _CaseInsensitiveDict(fields.get("headers") or {})
        self.session = AttrDict(fields.get("session") or {})
        self.COOKIES = AttrDict()
        self.META = {"REMOTE_ADDR": self.client_ip, "HTTP_USER_AGENT": self.user_agent, "HTTP_HOST": self._host,
                     "REQUEST_METHOD": self.method, "PATH_INFO": self.path}
        user = fields.get("user")
        self.user = user if isinstance(user, User) else _AnonymousUser()

    def get_host(self):
        return self._host

    def is_secure(self):
        return self.scheme == "https"

    def get_full_path(self):
        query = urllib.parse.urlencode(self.GET, doseq=True)
        return f"{self.path}?{query}" if query else self.path

    def build_absolute_uri(self, location=None):
        location = self.get_full_path() if location is None else location
        return urllib.parse.urljoin(f"{self.scheme}://{self._host}{self.path}", location)

    @property
    def tenant(self):
        cached = self.__dict__.get("_tenant")
        if cached is None:
            cached = _decode(_host.call("tenant", {"host": self._host}))
            self.__dict__["_tenant"] = cached
        return cached

    def _as_dict(self):
        return {"path": self.path, "method": self.method, "host": self._host, "client_ip": self.client_ip, "user_agent": self.user_agent}

    def __repr__(self):
        return f"<HttpRequest: {self.method} '{self.path}'>"


class PolicyRequest:
    """authentik's PolicyRequest: `user`, `http_request`, `obj`, `context`, `debug`."""

    def __init__(self, user=None):
        self.user = user if user is not None else _AnonymousUser()
        self.http_request = None
        self.obj = None
        self.context = AttrDict()
        self.debug = False

    @classmethod
    def _from_wire(cls, value):
        request = cls(_decode(value.get("user")))
        http_request = value.get("http_request")
        request.http_request = _decode(http_request) if http_request else None
        request.obj = _decode(value.get("obj"))
        request.context = _decode(value.get("context") or {})
        request.debug = bool(value.get("debug"))
        return request

    def _as_dict(self):
        return {"user": self.user, "http_request": self.http_request, "obj": self.obj, "context": self.context}

    def __str__(self):
        text = f"<PolicyRequest user={self.user}"
        if self.obj:
            text += f" obj={self.obj}"
        return text + ">"

    __repr__ = __str__


class PolicyResult:
    """What ak_call_policy returns: `passing`, `messages`."""

    def __init__(self, passing, *messages):
        self.passing = passing
        self.messages = messages
        self.raw_result = None
        self.source_binding = None
        self.source_results = []
        self.log_messages = []

    def _as_dict(self):
        return {"passing": self.passing, "messages": list(self.messages)}

    def __repr__(self):
        return f"<PolicyResult passing={self.passing} messages={self.messages}>"

    __str__ = __repr__


class FlowPlan:
    """The running flow's plan; expressions may change its `context`."""

    def __init__(self, context, flow_pk=None, ref=None):
        self.context = context if isinstance(context, dict) else AttrDict()
        self.flow_pk = flow_pk
        self.bindings = []
        self.markers = []
        self._ref = ref

    def __repr__(self):
        return f"<FlowPlan flow_pk={self.flow_pk}>"


# --- helpers ----------------------------------------------------------------------------------------------------

class BoundLogger:
    """ak_logger: structlog's BoundLogger as far as expressions use it; lines go to the result's `logs`."""

    def __init__(self, name, bound=None):
        self._name = name
        self._bound = dict(bound or {})

    def bind(self, **kwargs):
        return BoundLogger(self._name, {**self._bound, **kwargs})

    def new(self, **kwargs):
        return BoundLogger(self._name, kwargs)

    def unbind(self, *keys):
        return BoundLogger(self._name, {k: v for k, v in self._bound.items() if k not in keys})

    def _log(self, level, event=None, *args, **kwargs):
        logs = _evaluation().logs
        if len(logs) >= _MAX_LOGS:
            return
        text = str(event) if event is not None else ""
        if args:
            try:
                text = text % args
            except (TypeError, ValueError):
                text = " ".join([text, *map(str, args)])
        attributes = {key: _log_value(value) for key, value in {**self._bound, **kwargs}.items()}
        logs.append({"event": text, "log_level": level, "logger": self._name,
                     "timestamp": _dt.datetime.now(_dt.timezone.utc).isoformat(), "attributes": attributes})

    def debug(self, event=None, *args, **kwargs):
        self._log("debug", event, *args, **kwargs)

    def info(self, event=None, *args, **kwargs):
        self._log("info", event, *args, **kwargs)

    msg = info

    def warning(self, event=None, *args, **kwargs):
        self._log("warning", event, *args, **kwargs)

    warn = warning

    def error(self, event=None, *args, **kwargs):
        self._log("error", event, *args, **kwargs)

    def exception(self, event=None, *args, **kwargs):
        kwargs.setdefault("exc_info", traceback.format_exc())
        self._log("error", event, *args, **kwargs)

    def critical(self, event=None, *args, **kwargs):
        self._log("critical", event, *args, **kwargs)

    fatal = critical

    def log(self, level, event=None, *args, **kwargs):
        names = {10: "debug", 20: "info", 30: "warning", 40: "error", 50: "critical"}
        self._log(names.get(level, str(level)) if isinstance(level, int) else str(level), event, *args, **kwargs)


def _log_value(value):
    encoded = _encode(value)
    return encoded if isinstance(encoded, (str, int, float, bool, type(None), list, dict)) else str(value)


def ak_message(message):
    _evaluation().messages.append(str(message))


def regex_match(value, regex):
    return re.search(regex, value) is not None


def regex_replace(value, regex, repl):
    return re.sub(regex, repl, value)


def list_flatten(value):
    if isinstance(value, list):
        if len(value) < 1:
            return None
        return value[0]
    return value


def ak_is_group_member(user, **group_filters):
    return user.all_groups().filter(**group_filters).exists()


def ak_user_by(**filters):
    try:
        return QuerySet(User).filter(**filters).first()
    except FieldError:
        return None


def ak_user_has_authenticator(user, device_type=None):
    if user is None or getattr(user, "pk", None) is None:
        return False
    return bool(_host.call("user_has_authenticator", {"pk": user.pk, "device_type": device_type}))


def slugify(value, allow_unicode=False):
    value = str(value)
    if allow_unicode:
        value = unicodedata.normalize("NFKC", value)
    else:
        value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value.lower())
    return re.sub(r"[-\s]+", "-", value).strip("-_")


_ARG_SANITIZE = re.compile(r"[:.-]")


def _sanitize_arg(name):
    return re.sub(_ARG_SANITIZE, "_", slugify(name))


def resolve_dns(host, ip_version=None):
    return list(_host.call("resolve_dns", {"host": host or "", "ip_version": ip_version}) or [])


def reverse_dns(ip_addr):
    return _host.call("reverse_dns", {"ip": str(ip_addr)}) or str(ip_addr)


def _context_for_event():
    frame_context = _evaluation().variables
    return {key: value for key, value in frame_context.items()
            if key not in ("result", "handler") and not callable(value) and not isinstance(value, BoundLogger)}


def ak_create_event(action, **kwargs):
    context = _context_for_event()
    context.update(kwargs)
    _host.call("create_event", {"action": str(action), "app": _evaluation().filename, "context": _encode(context)})


def ak_call_policy(name, **kwargs):
    answer = _host.call("call_policy", {"name": str(name), "context": _encode(kwargs)})
    result = PolicyResult(bool(answer.get("passing")), *answer.get("messages", []))
    return result


def ak_create_jwt(user, provider, scopes, validity="seconds=60"):
    return _host.call("create_jwt", {"user": _encode(user), "provider": _encode(provider), "scopes": list(scopes), "validity": validity})


def ak_create_jwt_raw(provider, validity="seconds=60", **kwargs):
    return _host.call("create_jwt_raw", {"provider": _encode(provider), "validity": validity, "claims": _encode(kwargs)})


def ak_send_email(address, subject, body=None, stage=None, template=None, context=None, cc=None, bcc=None):
    if body and template:
        raise ValueError("body and template parameters are mutually exclusive")
    if not body and not template:
        raise ValueError("Either body or template parameter must be provided")
    return bool(_host.call("send_email", {"address": _encode(address), "subject": str(subject), "body": body, "stage": _encode(stage),
                                          "template": template, "context": _encode(context), "cc": _encode(cc), "bcc": _encode(bcc)}))


class SkipObjectException(Exception):
    """Raised by a property mapping to skip the object being synced."""


class ControlFlowException(Exception):
    pass


# --- requests: a guarded HTTP client answered by the server -----------------------------------------------------

class RequestException(IOError):
    def __init__(self, *args, response=None, request=None):
        super().__init__(*args)
        self.response = response
        self.request = request


class HTTPError(RequestException):
    pass


class RequestsConnectionError(RequestException):
    pass


class Timeout(RequestException):
    pass


class Response:
    def __init__(self, answer):
        self.status_code = answer["status"]
        self.reason = answer.get("reason", "")
        self.url = answer.get("url", "")
        self.headers = _CaseInsensitiveDict(answer.get("headers") or {})
        self.content = base64.b64decode(answer.get("body") or "")
        self.encoding = "utf-8"
        self.elapsed = _dt.timedelta(milliseconds=answer.get("elapsed_ms", 0))

    @property
    def text(self):
        return self.content.decode(self.encoding or "utf-8", errors="replace")

    @property
    def ok(self):
        return self.status_code < 400

    def json(self, **kwargs):
        return _copy_json(json.loads(self.content, **kwargs))

    def raise_for_status(self):
        if 400 <= self.status_code < 600:
            kind = "Client" if self.status_code < 500 else "Server"
            raise HTTPError(f"{self.status_code} {kind} Error: {self.reason} for url: {self.url}", response=self)

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return f"<Response [{self.status_code}]>"


class Session:
    """requests.Session, answered by the server: http(s) only, bounded in time and size."""

    def __init__(self):
        self.headers = {"User-Agent": "authentik"}
        self.auth = None

    def request(self, method, url, params=None, data=None, headers=None, cookies=None, files=None, auth=None,
                timeout=None, allow_redirects=True, proxies=None, hooks=None, stream=None, verify=None, cert=None, json=None):
        if files:
            raise NotImplementedError("file uploads are not supported in expressions")
        url = str(url)
        if params:
            query = urllib.parse.urlencode(params, doseq=True) if not isinstance(params, (str, bytes)) else params
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        all_headers = {**self.headers, **(headers or {})}
        body = None
        if json is not None:
            body = _json_dumps(json).encode()
            all_headers.setdefault("Content-Type", "application/json")
        elif isinstance(data, dict) or isinstance(data, list):
            body = urllib.parse.urlencode(data, doseq=True).encode()
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif isinstance(data, str):
            body = data.encode()
        elif isinstance(data, (bytes, bytearray)):
            body = bytes(data)
        auth = auth or self.auth
        if isinstance(auth, tuple) and len(auth) == 2:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            all_headers["Authorization"] = f"Basic {token}"
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in dict(cookies).items())
        if isinstance(timeout, tuple):
            timeout = sum(t for t in timeout if t)
        try:
            answer = _host.call("http_request", {
                "method": str(method).upper(), "url": url,
                "headers": {str(k): str(v) for k, v in all_headers.items()},
                "body": base64.b64encode(body).decode() if body is not None else None,
                "timeout": float(timeout) if timeout else None,
                "allow_redirects": bool(allow_redirects),
            })
        except HostError as exc:
            text = str(exc)
            if text.startswith("Timeout"):
                raise Timeout(text) from None
            if text.startswith("ConnectionError"):
                raise RequestsConnectionError(text) from None
            raise RequestException(text) from None
        return Response(answer)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def options(self, url, **kwargs):
        return self.request("OPTIONS", url, **kwargs)

    def head(self, url, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        return self.request("HEAD", url, **kwargs)

    def post(self, url, data=None, json=None, **kwargs):
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url, data=None, **kwargs):
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url, data=None, **kwargs):
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url, **kwargs):
        return self.request("DELETE", url, **kwargs)

    def close(self):
        pass

    def mount(self, prefix, adapter):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def _json_dumps(value):
    return json.dumps(_encode_plain(value))


def _encode_plain(value):
    if isinstance(value, dict):
        return {str(k): _encode_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_encode_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return str(value)


# --- importable stand-ins for authentik and django --------------------------------------------------------------

class ValidationError(Exception):
    def __init__(self, message, code=None, params=None):
        super().__init__(message)
        self.message = message
        self.messages = message if isinstance(message, list) else [message]
        self.code = code
        self.params = params


class URLValidator:
    schemes = ["http", "https", "ftp", "ftps"]
    _host = r"(?:localhost|(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+(?:[a-z\u00a1-\uffff-]{2,63}\.?|xn--[a-z0-9]{1,59})|(?:\d{1,3}\.){3}\d{1,3}|\[[0-9a-f:.]+\])"
    _regex = re.compile(r"^(?:[a-z0-9.+-]*)://(?:[^\s:@/]+(?::[^\s:@/]*)?@)?" + _host + r"(?::\d{1,5})?(?:[/?#][^\s]*)?\Z", re.I)

    def __init__(self, schemes=None, message=None, code="invalid"):
        if schemes is not None:
            self.schemes = schemes
        self.message = message or "Enter a valid URL."
        self.code = code

    def __call__(self, value):
        if not isinstance(value, str) or len(value) > 2048:
            raise ValidationError(self.message, code=self.code)
        scheme = value.split("://")[0].lower()
        if scheme not in self.schemes or not self._regex.match(value):
            raise ValidationError(self.message, code=self.code)
        host = urllib.parse.urlsplit(value).hostname or ""
        if re.fullmatch(r"(?:\d{1,3}\.){3}\d{1,3}", host):
            try:
                ipaddress.IPv4Address(host)
            except ValueError:
                raise ValidationError(self.message, code=self.code) from None


class EmailValidator:
    _regex = re.compile(r"^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*@(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+[A-Z0-9-]{2,63}\Z", re.I)

    def __init__(self, message=None, code="invalid", allowlist=None):
        self.message = message or "Enter a valid email address."
        self.code = code
        self.allowlist = allowlist or ["localhost"]

    def __call__(self, value):
        if not value or "@" not in str(value) or len(str(value)) > 320:
            raise ValidationError(self.message, code=self.code)
        user, _, domain = str(value).rpartition("@")
        if domain in self.allowlist and user and " " not in user:
            return
        if not self._regex.match(str(value)):
            raise ValidationError(self.message, code=self.code)


def _now():
    return _dt.datetime.now(_dt.timezone.utc)


class _SystemSettings:
    def __init__(self, values):
        self.__dict__.update(values)


def get_system_settings():
    return _SystemSettings(_host.call("system_settings", {}) or {})


class UserTypes:
    INTERNAL = "internal"
    EXTERNAL = "external"
    SERVICE_ACCOUNT = "service_account"
    INTERNAL_SERVICE_ACCOUNT = "internal_service_account"


def _escape(text):
    return _html.escape(str(text), quote=True).replace("&#x27;", "&#x27;")


def _strip_tags(value):
    return re.sub(r"<[^>]*>", "", str(value))


def _identity(message, *args, **kwargs):
    return message


def _ngettext(singular, plural, number):
    return singular if number == 1 else plural


_USER_PATH_SYSTEM_PREFIX = "goauthentik.io"
_SHIMS = {
    "authentik": {},
    "authentik.core": {},
    "authentik.core.models": {
        "User": User, "Group": Group, "UserTypes": UserTypes,
        "USER_ATTRIBUTE_DEBUG": "goauthentik.io/user/debug",
        "USER_ATTRIBUTE_SA": "goauthentik.io/user/service-account",
        "USER_ATTRIBUTE_GENERATED": "goauthentik.io/user/generated",
        "USER_ATTRIBUTE_EXPIRES": "goauthentik.io/user/expires",
        "USER_ATTRIBUTE_DELETE_ON_LOGOUT": "goauthentik.io/user/delete-on-logout",
        "USER_ATTRIBUTE_SOURCES": "goauthentik.io/user/sources",
        "USER_ATTRIBUTE_TOKEN_EXPIRING": "goauthentik.io/user/token-expires",
        "USER_ATTRIBUTE_TOKEN_MAXIMUM_LIFETIME": "goauthentik.io/user/token-maximum-lifetime",
        "USER_ATTRIBUTE_CHANGE_USERNAME": "goauthentik.io/user/can-change-username",
        "USER_ATTRIBUTE_CHANGE_NAME": "goauthentik.io/user/can-change-name",
        "USER_ATTRIBUTE_CHANGE_EMAIL": "goauthentik.io/user/can-change-email",
        "USER_ATTRIBUTE_CAN_OVERRIDE_IP": "goauthentik.io/user/override-ips",
        "USER_PATH_SYSTEM_PREFIX": _USER_PATH_SYSTEM_PREFIX,
        "USER_PATH_SERVICE_ACCOUNT": _USER_PATH_SYSTEM_PREFIX + "/service-accounts",
    },
    "authentik.core.expression": {},
    "authentik.core.expression.exceptions": {"SkipObjectException": SkipObjectException, "PropertyMappingExpressionException": Exception},
    "authentik.admin": {},
    "authentik.admin.utils": {"get_system_settings": get_system_settings},
    "authentik.lib": {},
    "authentik.lib.expression": {},
    "authentik.lib.expression.exceptions": {"ControlFlowException": ControlFlowException},
    "authentik.lib.sync": {},
    "authentik.lib.sync.mapper": {},
    "authentik.policies": {},
    "authentik.policies.types": {"PolicyRequest": PolicyRequest, "PolicyResult": PolicyResult},
    "authentik.flows": {},
    "authentik.flows.planner": {
        "FlowPlan": FlowPlan, "PLAN_CONTEXT_PENDING_USER": "pending_user", "PLAN_CONTEXT_SSO": "is_sso",
        "PLAN_CONTEXT_REDIRECT": "redirect", "PLAN_CONTEXT_APPLICATION": "application", "PLAN_CONTEXT_SOURCE": "source",
    },
    "authentik.stages": {},
    "authentik.stages.prompt": {},
    "authentik.stages.prompt.stage": {"PLAN_CONTEXT_PROMPT": "prompt_data"},
    "django": {},
    "django.core": {},
    "django.core.exceptions": {"ValidationError": ValidationError, "FieldError": FieldError,
                               "ObjectDoesNotExist": ObjectDoesNotExist, "MultipleObjectsReturned": MultipleObjectsReturned},
    "django.core.validators": {"URLValidator": URLValidator, "EmailValidator": EmailValidator,
                               "validate_email": EmailValidator(), "ValidationError": ValidationError},
    "django.utils": {},
    "django.utils.html": {"escape": _escape, "conditional_escape": _escape, "strip_tags": _strip_tags},
    "django.utils.translation": {"gettext": _identity, "gettext_lazy": _identity, "ugettext": _identity,
                                 "ugettext_lazy": _identity, "pgettext": lambda context, message: message,
                                 "ngettext": _ngettext, "get_language": lambda: "en"},
    "django.utils.text": {"slugify": slugify},
    "django.utils.timezone": {"now": _now, "utc": _dt.timezone.utc, "timedelta": _dt.timedelta},
    "requests": {"Session": Session, "Response": Response, "RequestException": RequestException, "HTTPError": HTTPError,
                 "ConnectionError": RequestsConnectionError, "Timeout": Timeout},
    "requests.exceptions": {"RequestException": RequestException, "HTTPError": HTTPError,
                            "ConnectionError": RequestsConnectionError, "Timeout": Timeout},
}


def _requests_module_functions(module):
    session = Session()
    for name in ("request", "get", "head", "options", "post", "put", "patch", "delete"):
        setattr(module, name, getattr(session, name))
    module.exceptions = sys.modules.get("requests.exceptions") or _make_module("requests.exceptions")
    module.session = Session


def _make_module(name):
    module = types.ModuleType(name)
    module.__dict__.update(_SHIMS[name])
    prefix = name + "."
    if any(other.startswith(prefix) for other in _SHIMS):
        module.__path__ = []
    if name == "requests":
        _requests_module_functions(module)
    return module


class _ImportGuard(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the stand-ins for authentik/django/requests and refuses modules that reach outside the sandbox."""

    def find_spec(self, fullname, path=None, target=None):
        root = fullname.split(".")[0]
        if root in _BLOCKED:
            raise ImportError(f"Import of '{fullname}' is not allowed in expressions", name=fullname)
        if root in ("authentik", "django", "requests"):
            if fullname not in _SHIMS:
                raise ImportError(f"No module named '{fullname}' in the expression environment", name=fullname)
            return importlib.machinery.ModuleSpec(fullname, self, is_package=any(o.startswith(fullname + ".") for o in _SHIMS))
        return None

    def create_module(self, spec):
        return _make_module(spec.name)

    def exec_module(self, module):
        pass


_original_import = builtins.__import__


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and name.split(".")[0] in _BLOCKED:
        raise ImportError(f"Import of '{name}' is not allowed in expressions", name=name)
    return _original_import(name, globals, locals, fromlist, level)


# --- evaluation -------------------------------------------------------------------------------------------------

def _globals(filename):
    scope = dict(_BASE_GLOBALS)
    scope["__builtins__"] = dict(_builtins_snapshot)
    scope["ak_logger"] = BoundLogger(filename)
    scope["requests"] = _requests_session()
    return scope


def _base_globals():
    return {
        "__builtins__": builtins,
        "__name__": "__expression__",
        "ak_call_policy": ak_call_policy,
        "ak_create_event": ak_create_event,
        "ak_create_jwt": ak_create_jwt,
        "ak_create_jwt_raw": ak_create_jwt_raw,
        "ak_is_group_member": ak_is_group_member,
        "ak_send_email": ak_send_email,
        "ak_user_by": ak_user_by,
        "ak_user_has_authenticator": ak_user_has_authenticator,
        "ip_address": ipaddress.ip_address,
        "ip_network": ipaddress.ip_network,
        "list_flatten": list_flatten,
        "regex_match": regex_match,
        "regex_replace": regex_replace,
        "resolve_dns": resolve_dns,
        "reverse_dns": reverse_dns,
        "slugify": slugify,
        "SkipObject": SkipObjectException,
    }


def _requests_session():
    session = Session()
    session.exceptions = _requests_exceptions
    session.RequestException = RequestException
    return session


_requests_exceptions = _make_module("requests.exceptions")
_BASE_GLOBALS = _base_globals()


def _variables(raw, filename):
    """The evaluator's context, as authentik's PolicyEvaluator and PropertyMappingEvaluator fill it."""
    variables = {"ak_logger": BoundLogger(filename), "ak_message": ak_message,
                 "ip_address": ipaddress.ip_address, "ip_network": ipaddress.ip_network}
    for key, value in raw.items():
        variables[key] = _decode(value)
    request = variables.get("request")
    if isinstance(request, PolicyRequest):
        variables.setdefault("context", request.context)
        variables.setdefault("ak_is_sso_flow", bool(request.context.get("is_sso", False)))
        if request.http_request is not None:
            variables.setdefault("http_request", request.http_request)
            variables.setdefault("ak_client_ip", ipaddress.ip_address(request.http_request.client_ip or "255.255.255.255"))
        plan = request.context.get("flow_plan")
        if isinstance(plan, FlowPlan):
            variables["_flow_plan"] = plan
    return variables


_sanitized = {}


def _sanitize_cached(name):
    value = _sanitized.get(name)
    if value is None:
        if len(_sanitized) > 4096:
            _sanitized.clear()
        value = _sanitized[name] = _sanitize_arg(name)
    return value


_compiled = {}
_COMPILED_MAX = 512


def _compile(source, names, filename):
    """Compiles the wrapped source; expressions run again and again, so their code objects are kept."""
    key = (source, tuple(names), filename)
    code = _compiled.get(key)
    if code is None:
        code = compile(_wrap(source, names), filename, "exec")
        if len(_compiled) >= _COMPILED_MAX:
            _compiled.pop(next(iter(_compiled)))
        _compiled[key] = code
    return code


def _wrap(source, names):
    signature = ",".join(name for name in (_sanitize_cached(name) for name in names) if name)
    return f"def handler({signature}):\n{textwrap.indent(source, '    ')}\nresult = handler({signature})"


def _syntax_error(exc):
    return str(exc)


def _error_text(exc):
    if isinstance(exc, KeyboardInterrupt):
        return "Expression timed out"
    text = str(exc)
    return text if text else type(exc).__name__


def _user_traceback(exc, filename):
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == filename]
    lines = [f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}' for frame in frames]
    return "\n".join(["Traceback (most recent call last):", *lines, *traceback.format_exception_only(type(exc), exc)]).strip()


def _evaluate(request):
    filename = request.get("filename") or "BaseEvaluator"
    evaluation = _Evaluation(filename)
    _current.append(evaluation)
    response = {"op": "result", "id": request["id"], "ok": True}
    try:
        raw = request.get("variables") or {}
        variables = _variables(raw, filename)
        evaluation.variables = variables
        plan = variables.pop("_flow_plan", None)
        try:
            code = _compile(request["source"], variables.keys(), filename)
        except (SyntaxError, ValueError) as exc:
            response.update(ok=False, error=_syntax_error(exc), errorType=type(exc).__name__, syntax=True)
            return response
        scope = {_sanitize_cached(key): value for key, value in variables.items()}
        try:
            exec(code, _globals(filename), scope)
            result = scope["result"]
            if isinstance(result, types.GeneratorType):
                result = list(result)
        except BaseException as exc:  # noqa: BLE001 - the expression's failure, whatever it is, is its result
            response.update(ok=False, error=_error_text(exc), errorType=type(exc).__name__,
                             traceback=_user_traceback(exc, filename), timedOut=isinstance(exc, KeyboardInterrupt))
            result = None
        if response["ok"]:
            try:
                response["result"] = _encode(result)
            except Exception as exc:  # noqa: BLE001
                response.update(ok=False, error=f"Result cannot be returned: {exc}", errorType=type(exc).__name__)
        if plan is not None:
            response["flowPlanContext"] = _encode(plan.context)
    except BaseException as exc:  # noqa: BLE001 - decoding the variables or a helper failed outside the expression
        response.update(ok=False, error=_error_text(exc), errorType=type(exc).__name__)
    finally:
        _current.pop()
        response["messages"] = evaluation.messages
        response["logs"] = evaluation.logs
    return response


def _check(request):
    filename = request.get("filename") or "BaseEvaluator"
    names = ["ak_logger", "ak_message", "ip_address", "ip_network", *(request.get("names") or [])]
    try:
        compile(_wrap(request["source"], names), filename, "exec")
    except (SyntaxError, ValueError) as exc:
        return {"op": "result", "id": request["id"], "syntaxError": _syntax_error(exc)}
    return {"op": "result", "id": request["id"], "syntaxError": None}


_builtins_snapshot = None


def _ak_dispatch(text):
    return _ak_dispatch_request(_loads(text))


def _ak_dispatch_request(request):
    try:
        response = _check(request) if request.get("op") == "check" else _evaluate(request)
        output = _dumps(response)
    except BaseException as exc:  # noqa: BLE001
        # The runtime itself failed, likely because an expression changed something it relies on: the parent
        # replaces this interpreter (`recycle`).
        output = _dumps({"op": "result", "id": request.get("id"), "ok": False, "error": _error_text(exc),
                         "errorType": type(exc).__name__, "messages": [], "logs": [], "recycle": True})
    if len(output) > _MAX_OUTPUT:
        output = _dumps({"op": "result", "id": request.get("id"), "ok": False, "messages": [], "logs": [],
                             "error": "Expression result is too large", "errorType": "ValueError"})
    if not _current:
        _restore()
    return output


def _restore():
    """Undo what an expression may have changed in the shared interpreter: builtins, the import machinery."""
    if _builtins_snapshot is None:
        return
    if builtins.__dict__ != _builtins_snapshot:
        builtins.__dict__.clear()
        builtins.__dict__.update(_builtins_snapshot)
    if not sys.meta_path or sys.meta_path[0] is not _guard:
        sys.meta_path[:] = [_guard] + [finder for finder in sys.meta_path if finder is not _guard]
    modules = sys.modules
    for name in _BLOCKED:
        if name in modules:
            del modules[name]


_guard = _ImportGuard()


def _no_processes(*args, **kwargs):
    raise OSError(38, "Starting processes is not possible in expressions")


def _ak_seal():
    """Removes every way back to JavaScript that Python had, then freezes the builtins to restore."""
    global _builtins_snapshot
    for name in list(sys.modules):
        if name.split(".")[0] in _BLOCKED:
            del sys.modules[name]
    sys.meta_path[:] = [_guard] + [finder for finder in sys.meta_path
                                   if type(finder).__name__ not in ("JsFinder",) and finder is not _guard]
    builtins.__import__ = _guarded_import
    import posix
    for module in (os, posix):
        for name in ("system", "popen", "posix_spawn", "posix_spawnp", "fork", "forkpty", "execv", "execve"):
            if hasattr(module, name):
                setattr(module, name, _no_processes)
    for name in ("breakpoint", "help", "copyright", "credits", "license", "exit", "quit"):
        builtins.__dict__.pop(name, None)
    gc.collect()
    _builtins_snapshot = dict(builtins.__dict__)
