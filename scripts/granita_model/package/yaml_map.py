# SPDX-License-Identifier: Apache-2.0
"""YMap: a YAML mapping node read with checks, as src/config/yaml_reader does."""
import yaml

from .errors import diag


class YMap:
    """A YAML mapping node read with checks; errors name file:line:col and the key path.
    finish() rejects keys never asked for and duplicate keys (as src/config/yaml_reader)."""

    def __init__(self, node, file, path):
        self.node, self.file, self.path = node, file, path
        if not isinstance(node, yaml.MappingNode):
            raise self._err(node, path or "(top level)", "expected a mapping")
        self.items = {}
        self.dups = []
        for k, v in node.value:
            key = k.value
            if key in self.items:
                self.dups.append(k)
            self.items[key] = (k, v)
        self.used = set()

    def _err(self, node, field, msg):
        m = node.start_mark
        return diag(self.file, m.line + 1, m.column + 1, field, msg)

    def key_path(self, key):
        return key if not self.path else self.path + "." + key

    def fail(self, key, msg):
        node = self.items[key][1] if key in self.items else self.node
        raise self._err(node, self.key_path(key), msg)

    def require(self, key):
        self.used.add(key)
        if key not in self.items:
            raise self._err(self.node, self.key_path(key), "missing required key")
        return self.items[key][1]

    def has(self, key):
        return key in self.items

    def get_int(self, key, lo, hi):
        n = self.require(key)
        v = None
        if isinstance(n, yaml.ScalarNode) and n.tag == "tag:yaml.org,2002:int":
            try:
                v = int(yaml.safe_load(n.value))
            except (ValueError, TypeError):
                v = None
        if not isinstance(v, int):
            raise self._err(n, self.key_path(key), "expected an integer, got '%s'"
                            % (n.value if isinstance(n, yaml.ScalarNode) else "a collection"))
        if v < lo or v > hi:
            raise self._err(n, self.key_path(key), "%d is out of range [%d, %d]" % (v, lo, hi))
        return v

    def get_bool(self, key):
        n = self.require(key)
        if isinstance(n, yaml.ScalarNode) and n.value in ("true", "false"):
            return n.value == "true"
        raise self._err(n, self.key_path(key), "expected true or false")

    def get_enum(self, key, allowed):
        v = self.get_string(key)
        if v not in allowed:
            self.fail(key, "expected one of %s, got '%s'" % (", ".join(allowed), v))
        return v

    def get_string(self, key):
        n = self.require(key)
        if not isinstance(n, yaml.ScalarNode):
            raise self._err(n, self.key_path(key), "expected a string")
        return n.value

    def get_string_list(self, key):
        n = self.require(key)
        if not isinstance(n, yaml.SequenceNode):
            raise self._err(n, self.key_path(key), "expected a list of strings")
        out = []
        for i, x in enumerate(n.value):
            if not isinstance(x, yaml.ScalarNode):
                raise self._err(x, "%s[%d]" % (self.key_path(key), i), "expected a string")
            out.append(x.value)
        return out

    def get_map(self, key):
        return YMap(self.require(key), self.file, self.key_path(key))

    def finish(self):
        for k in self.dups:
            raise self._err(k, self.key_path(k.value), "duplicate key")
        for key, (k, _) in self.items.items():
            if key not in self.used:
                raise self._err(k, self.key_path(key), "unknown key")

    def line(self):
        return self.node.start_mark.line + 1
