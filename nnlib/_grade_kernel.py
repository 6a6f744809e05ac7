"""The grader's helper on the kernel side, and the data format both sides share.

:mod:`nnlib.grade` sends the *source text* of this module into the kernel that runs a
student's notebook (it is not imported there: the notebook may have replaced the kernel's
``nnlib``). In the kernel it evaluates an answer expression, calls an answer function
with the arguments the grader wrote to a file, and writes the result back. The grader
imports the same module to encode the arguments and decode the results.

The format is JSON plus one ``.npz`` file of arrays (read with ``allow_pickle=False``), so
nothing the kernel writes is ever unpickled or executed by the grader. It carries
``None``, booleans, numbers, strings, lists, tuples, dicts, NumPy arrays and scalars,
NumPy random generators (their state) and graphs of ``nnlib.autodiff.Value`` nodes (as
data: values, parents, local derivatives). Anything else comes back as an *opaque*
object that has only the type's name.
"""
from __future__ import annotations

import base64
import json
import os
import sys
import traceback
import warnings

import numpy as np

FORMAT = 1
MAX_NODES = 1_000_000
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
_LIBRARY_MODULES = ("nnlib", "numpy", "scipy", "sklearn", "keras", "tensorflow", "torch")


class Unsupported(TypeError):
    """A value this format cannot carry."""


def _is_value(obj) -> bool:
    t = type(obj)
    return t.__name__ == "Value" and t.__module__ == "nnlib.autodiff"


def _topological(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for parent in tuple(node.parents):
            if id(parent) not in seen:
                stack.append((parent, False))
        if len(seen) > MAX_NODES:
            raise Unsupported(f"a graph of more than {MAX_NODES} Value nodes")
    return order


class Encoder:
    """Turns a Python object into JSON-able data; arrays go into ``self.arrays``."""

    def __init__(self, values=None):
        self.arrays: dict[str, np.ndarray] = {}
        # Value objects that the other side knows (the arguments): id -> index
        self.known_values = {id(v): i for i, v in enumerate(values or [])}
        self.values: list = []   # Value nodes written in full, in the order written
        self._local: dict[int, int] = {}

    def array(self, arr) -> str:
        key = f"a{len(self.arrays)}"
        if arr.dtype.hasobject:
            raise Unsupported("an array of Python objects (dtype=object)")
        self.arrays[key] = arr
        return key

    def encode(self, obj, depth: int = 0):
        if depth > 50:
            raise Unsupported("data nested more than 50 levels deep")
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int) and type(obj) is int:
            return obj
        if type(obj) is float:
            return obj
        if isinstance(obj, np.ndarray):
            return {"@": "nd", "key": self.array(np.array(obj))}
        if isinstance(obj, np.generic):
            return {"@": "npscalar", "key": self.array(np.asarray(obj))}
        if isinstance(obj, (int, float)):          # subclasses (e.g. IntEnum)
            return {"@": "opaque", "type": type(obj).__name__[:80], "repr": repr(obj)[:200]}
        if isinstance(obj, list):
            return [self.encode(v, depth + 1) for v in obj]
        if isinstance(obj, tuple):
            return {"@": "tuple", "items": [self.encode(v, depth + 1) for v in obj]}
        if isinstance(obj, dict):
            return {"@": "dict", "items": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                                           for k, v in obj.items()]}
        if isinstance(obj, np.random.Generator):
            state = obj.bit_generator.state
            return {"@": "rng", "state": self.encode(state, depth + 1)}
        if _is_value(obj):
            return self._graph(obj)
        if hasattr(obj, "__array__") or hasattr(obj, "numpy"):   # tensors of other libraries
            try:
                arr = np.asarray(obj.numpy() if hasattr(obj, "numpy") else obj)
            except Exception:  # noqa: BLE001 - not convertible after all
                arr = None
            if arr is not None and not arr.dtype.hasobject:
                return {"@": "nd", "key": self.array(np.array(arr)),
                        "from": type(obj).__name__[:80]}
        return {"@": "opaque", "type": type(obj).__name__[:80], "repr": _short_repr(obj)}

    def _graph(self, root):
        nodes, index = [], {}
        for node in _topological(root):
            index[id(node)] = len(nodes)
            if id(node) in self.known_values:
                nodes.append({"arg": self.known_values[id(node)], "data": float(node.data),
                              "grad": float(node.grad)})
                continue
            if id(node) in self._local:                 # met before in this message
                nodes.append({"ref": self._local[id(node)]})
                continue
            self._local[id(node)] = len(self.values)
            nodes.append({"data": float(node.data), "grad": float(node.grad),
                          "op": str(node.op)[:40],
                          "parents": [index[id(p)] for p in node.parents],
                          "local": [float(g) for g in node.local_grads]})
            self.values.append(node)
        return {"@": "value", "nodes": nodes}


def _short_repr(obj) -> str:
    try:
        return repr(obj)[:200]
    except Exception:  # noqa: BLE001
        return "?"


class Opaque:
    """Stands for an object the format cannot carry; only its type name came back."""

    __slots__ = ("type_name", "text")

    def __init__(self, type_name, text):
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return self.text


def _opaque(type_name: str, text: str):
    name = type_name if isinstance(type_name, str) and type_name.isidentifier() else "object"
    cls = type(name, (Opaque,), {"__slots__": ()})   # so that type(x).__name__ reads right
    return cls(name, str(text)[:200])


class Decoder:
    """The inverse of :class:`Encoder`; ``values`` are Value objects referenced by index."""

    def __init__(self, arrays, values=None, value_class=None):
        self.arrays = arrays
        self.values = list(values or [])
        self.value_class = value_class
        self.new_values: list = []

    def decode(self, data, depth: int = 0):
        if depth > 60:
            raise ValueError("data nested too deeply")
        if data is None or isinstance(data, (bool, int, float, str)):
            return data
        if isinstance(data, list):
            return [self.decode(v, depth + 1) for v in data]
        if not isinstance(data, dict):
            raise ValueError(f"unexpected {type(data).__name__} in the data")
        kind = data.get("@")
        if kind == "nd":
            return np.array(self.arrays[str(data["key"])])
        if kind == "npscalar":
            return np.asarray(self.arrays[str(data["key"])])[()]
        if kind == "tuple":
            return tuple(self.decode(v, depth + 1) for v in data["items"])
        if kind == "dict":
            out = {}
            for k, v in data["items"]:
                key = self.decode(k, depth + 1)
                if not isinstance(key, (str, int, float, bool, type(None), tuple)):
                    raise ValueError("unhashable key")
                out[key] = self.decode(v, depth + 1)
            return out
        if kind == "rng":
            state = self.decode(data["state"], depth + 1)
            name = state.get("bit_generator") if isinstance(state, dict) else None
            if name not in _BIT_GENERATORS:
                raise ValueError(f"unknown bit generator {name!r}")
            bitgen = getattr(np.random, name)()
            bitgen.state = state
            return np.random.Generator(bitgen)
        if kind == "value":
            return self._graph(data["nodes"])
        if kind == "opaque":
            return _opaque(data.get("type", "object"), data.get("repr", ""))
        raise ValueError(f"unknown kind {kind!r}")

    def _graph(self, nodes):
        if self.value_class is None:
            from nnlib.autodiff import Value as value_class
        else:
            value_class = self.value_class
        if not isinstance(nodes, list) or not nodes or len(nodes) > MAX_NODES:
            raise ValueError("bad Value graph")
        made = []
        for i, node in enumerate(nodes):
            if "arg" in node:
                v = self.values[int(node["arg"])]
                v.data, v.grad = float(node["data"]), float(node["grad"])
            elif "ref" in node:
                v = self.new_values[int(node["ref"])]
            else:
                parents = [int(p) for p in node["parents"]]
                if any(not 0 <= p < i for p in parents):   # parents first: no cycles
                    raise ValueError("bad Value graph")
                v = value_class(float(node["data"]), tuple(made[p] for p in parents),
                                tuple(float(g) for g in node["local"]), str(node["op"]))
                v.grad = float(node["grad"])
                self.new_values.append(v)
            made.append(v)
        return made[-1]


def write(path_stem: str, payload, arrays) -> None:
    """Write ``payload`` (JSON) and ``arrays`` (npz) next to each other, atomically."""
    np.savez(path_stem + ".tmp.npz", **arrays)
    os.replace(path_stem + ".tmp.npz", path_stem + ".npz")
    with open(path_stem + ".tmp.json", "w", encoding="utf-8") as f:
        json.dump(payload, f)
    os.replace(path_stem + ".tmp.json", path_stem + ".json")


def read(path_stem: str, max_bytes: int):
    """The ``(payload, arrays)`` written by :func:`write`; never unpickles anything."""
    for ext in (".json", ".npz"):
        if os.path.getsize(path_stem + ext) > max_bytes:
            raise ValueError(f"the result is larger than {max_bytes} bytes")
    with open(path_stem + ".json", encoding="utf-8") as f:
        payload = json.load(f)
    with np.load(path_stem + ".npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return payload, arrays


# ------------------------------------------------------------------ kernel side
_handles: dict[int, object] = {}


def _namespace():
    main = sys.modules.get("__main__")
    try:
        return get_ipython().user_ns  # noqa: F821 - defined in IPython
    except NameError:
        return vars(main)


def _error(exc) -> dict:
    frames = traceback.extract_tb(exc.__traceback__)
    frame = frames[-1] if frames else None
    return {"status": "error", "type": type(exc).__name__[:80], "message": str(exc)[:2000],
            "lineno": frame.lineno if frame else None,
            "line": (frame.line or "")[:300] if frame else None}


def _parameters(fn):
    """``[[name, kind, has a default], ...]`` of ``fn``'s signature, or None."""
    import inspect

    try:
        return [[p.name, int(p.kind), p.default is not p.empty]
                for p in inspect.signature(fn).parameters.values()][:100]
    except Exception:  # noqa: BLE001 - builtins without a signature, ...
        return None


def resolve(stem: str, expression: str) -> None:
    """Evaluate an answer expression in the notebook's namespace and describe it."""
    arrays = {}
    try:
        obj = eval(expression, _namespace())  # noqa: S307 - the student's own kernel
        if callable(obj):
            handle = len(_handles) + 1
            _handles[handle] = obj
            payload = {"status": "ok", "callable": True, "handle": handle,
                       "name": str(getattr(obj, "__name__", type(obj).__name__))[:200],
                       "qualname": str(getattr(obj, "__qualname__", ""))[:200],
                       "module": str(getattr(obj, "__module__", "") or "")[:200],
                       "params": _parameters(obj)}
        else:
            enc = Encoder()
            payload = {"status": "ok", "callable": False, "value": enc.encode(obj)}
            arrays = enc.arrays
    except BaseException as exc:  # noqa: BLE001 - reported to the grader
        payload = _error(exc)
        arrays = {}
    write(stem, payload, arrays)


def call(stem: str, handle: int, errstate: dict) -> None:
    """Call answer ``handle`` with the arguments in ``stem + '.in.*'``; write the result."""
    fn = _handles[handle]
    request, in_arrays = read(stem + ".in", 1 << 31)
    dec = Decoder(in_arrays)
    args = dec.decode(request["args"])
    kwargs = dec.decode(request["kwargs"])
    arg_values = dec.new_values
    caught = []
    try:
        with warnings.catch_warnings(record=True) as caught, np.errstate(**errstate):
            warnings.simplefilter("always")
            result = fn(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001 - the student's exception, reported
        payload = _error(exc)
        arrays = {}
    else:
        try:
            enc = Encoder(arg_values)
            payload = {"status": "ok", "result": enc.encode(result),
                       "args": enc.encode(list(args)), "kwargs": enc.encode(kwargs)}
            arrays = enc.arrays
        except Exception as exc:  # noqa: BLE001
            payload = {"status": "unsupported", "message": str(exc)[:500],
                       "type": type(result).__name__[:80]}
            arrays = {}
    payload["warnings"] = [[w.category.__name__[:80], str(w.message)[:500]]
                           for w in caught[:20]]
    write(stem, payload, arrays)


def code_info(stem: str, handle: int) -> None:
    """The code objects (``marshal``) and referenced names of answer ``handle`` and of
    the functions it reaches through its globals and closure."""
    import marshal

    root = _handles[handle]
    root = getattr(root, "__func__", root)
    functions: dict[str, dict] = {}
    ids: dict[int, str] = {}

    def names_tree(code):
        return {"names": list(code.co_names),
                "nested": [names_tree(c) for c in code.co_consts if hasattr(c, "co_names")]}

    def all_names(code):
        out = set(code.co_names)
        for c in code.co_consts:
            if hasattr(c, "co_names"):
                out |= all_names(c)
        return out

    def visit(f):
        f = getattr(f, "__func__", f)
        code = getattr(f, "__code__", None)
        if code is None or not hasattr(code, "co_names"):
            return None
        if id(f) in ids:
            return ids[id(f)]
        if len(functions) >= 200:
            return None
        key = f"f{len(functions)}"
        ids[id(f)] = key
        entry = {"module": str(getattr(f, "__module__", "") or "")[:200],
                 "name": str(getattr(f, "__name__", ""))[:200],
                 "code": base64.b64encode(marshal.dumps(code)).decode("ascii"),
                 "tree": names_tree(code), "globals": {}, "closure": []}
        functions[key] = entry
        globals_ = getattr(f, "__globals__", {}) or {}
        for name in sorted(all_names(code)):
            helper = globals_.get(name)
            if callable(helper) and hasattr(helper, "__code__"):
                ref = visit(helper)
                if ref:
                    entry["globals"][name] = ref
        for cell in getattr(f, "__closure__", None) or ():
            try:
                content = cell.cell_contents
            except ValueError:
                content = None
            entry["closure"].append(visit(content) if callable(content) else None)
        return key

    try:
        payload = {"status": "ok", "root": visit(root), "functions": functions,
                   "python": list(sys.version_info[:2])}
    except BaseException as exc:  # noqa: BLE001
        payload = _error(exc)
    write(stem, payload, {})
