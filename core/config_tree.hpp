// A YAML document read into a tree that remembers where every node came from,
// and helpers that read typed fields from it with errors that name the file,
// line, column and field (DESIGN.md: "Every error names file, line, field and
// what was expected. Unknown keys are errors").
//
// Reading is bounded for any input, however hostile: the file size, the
// nesting depth and the number of nodes (aliases counted as the nodes they
// stand for) have limits, and text that is not UTF-8 is refused before the YAML
// parser sees it. Past a limit the reader throws InputError; it never crashes,
// hangs or exhausts memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"

namespace capsim {

struct ConfigLimits {
  std::size_t max_file_bytes = 16u << 20;  // 16 MiB
  int max_depth = 64;                      // nested maps and sequences
  std::size_t max_nodes = 1'000'000;       // after alias expansion
};

class ConfigNode;
using ConfigNodePtr = std::shared_ptr<const ConfigNode>;

// One node of a YAML document. Nodes are immutable once parsed and may be
// shared (a YAML alias points at its anchor's node).
class ConfigNode {
 public:
  enum class Kind { kNull, kScalar, kSequence, kMap };
  struct Entry {
    std::string key;
    SourceLocation key_where;
    ConfigNodePtr value;
  };

  Kind kind() const { return kind_; }
  const SourceLocation& where() const { return where_; }
  // Scalars: the text, and whether it was quoted (a quoted "8" is a string).
  const std::string& scalar() const { return scalar_; }
  bool quoted() const { return quoted_; }
  const std::vector<ConfigNodePtr>& items() const { return items_; }
  const std::vector<Entry>& entries() const { return entries_; }
  // The entry for `key`, or nullptr.
  const Entry* find(std::string_view key) const;
  // "a map", "a list", "the text \"abc\"", "nothing": for error messages.
  std::string describe() const;
  // Nodes in this subtree, counting aliased subtrees as often as they occur.
  std::size_t expanded_size() const { return expanded_size_; }

 private:
  friend class ConfigTreeBuilder;
  friend class ConfigEdit;
  Kind kind_ = Kind::kNull;
  SourceLocation where_;
  std::string scalar_;
  bool quoted_ = false;
  std::vector<ConfigNodePtr> items_;
  std::vector<Entry> entries_;
  std::size_t expanded_size_ = 1;
  bool complete_ = false;
};

// Parses YAML text; `file` names it in messages. Throws InputError.
ConfigNodePtr parse_config_text(std::string_view text, const std::string& file, const ConfigLimits& limits = {});
// Reads and parses a file. Throws InputError (also when it cannot be read).
ConfigNodePtr parse_config_file(const std::filesystem::path& path, const ConfigLimits& limits = {});
// A copy of `root` with the node at `path` replaced by `value`; the rest of
// the tree is shared, not copied. `path` is dotted keys, list items chosen
// by index or by their `name:` ("cluster.node_groups[0].count",
// "cluster.node_groups[v100].count", "policies.queue"). A key a map lacks is
// added (and maps on the way to it); a list item that is not there is an
// error. Throws InputError at `where`, naming `field` and the part of the
// path that does not fit.
ConfigNodePtr replace_config_value(const ConfigNodePtr& root, std::string_view path, const ConfigNodePtr& value,
                                   const SourceLocation& where, const std::string& field);
// A plain scalar made in code (a sweep's generated value, a plan's node
// count), located at `where` for messages.
ConfigNodePtr make_config_scalar(std::string text, const SourceLocation& where);
// A node as one line of YAML flow text, for labels and tables: "16", "fifo",
// "{name: tiresias, queue_thresholds: [1h, 4h]}".
std::string config_flow_text(const ConfigNode& node);
// Reads a whole text file under a size limit, refusing what is not UTF-8
// text. Throws InputError naming the first offending line and column.
std::string read_text_file(const std::filesystem::path& path, std::size_t max_bytes);

// Reads the keys of one map. The constructor rejects keys that are not in
// `allowed` (naming the closest allowed key), so a typo is an error rather
// than a silently ignored setting.
class MapReader {
 public:
  // `field` is the dotted path of the map ("" for the document root).
  MapReader(const ConfigNode& node, std::string field, std::initializer_list<std::string_view> allowed)
      : MapReader(node, std::move(field), std::vector<std::string_view>(allowed)) {}
  MapReader(const ConfigNode& node, std::string field, std::vector<std::string_view> allowed);

  // The value of `key`, or nullptr when the key is absent or its value is null.
  const ConfigNode* optional(std::string_view key) const;
  // The value of `key`; throws naming the map when it is absent.
  const ConfigNode& required(std::string_view key, std::string_view expected) const;
  bool has(std::string_view key) const { return optional(key) != nullptr; }
  // "cluster.node_groups[0]" + "count" -> "cluster.node_groups[0].count".
  std::string field(std::string_view key) const;
  const ConfigNode& node() const { return node_; }

 private:
  const ConfigNode& node_;
  std::string field_;
  std::vector<std::string_view> allowed_;
};

// Typed readers: each throws InputError naming the node's location and
// `field` when the value is not what is expected.
std::string read_string(const ConfigNode& node, const std::string& field);
// A name: non-empty, at most 200 characters, no control characters.
std::string read_name(const ConfigNode& node, const std::string& field);
std::int64_t read_int(const ConfigNode& node, const std::string& field, std::int64_t min, std::int64_t max);
double read_number(const ConfigNode& node, const std::string& field, double min, double max);
bool read_bool(const ConfigNode& node, const std::string& field);
// One of `words` (exactly), as its index; the error lists them ("a, b or c").
std::size_t read_choice(const ConfigNode& node, const std::string& field,
                        std::initializer_list<std::string_view> words);
Duration read_duration(const ConfigNode& node, const std::string& field);
// A memory size such as "80GiB", "512 GB", "1.5TiB" or "64MiB", in MiB.
std::int64_t read_memory_mib(const ConfigNode& node, const std::string& field);
// Checks the node is a sequence and returns its items.
const std::vector<ConfigNodePtr>& read_list(const ConfigNode& node, const std::string& field,
                                            std::string_view expected_items);

// Parsers for scalars outside YAML (CSV fields, command-line values).
// Return false on anything but the whole text being a number.
bool parse_int(std::string_view text, std::int64_t& out);
bool parse_number(std::string_view text, double& out);
// Memory size in MiB (see read_memory_mib); false when not one.
bool parse_memory_mib(std::string_view text, std::int64_t& out);

// The allowed word closest to `word` within a small edit distance, or "".
std::string closest_word(std::string_view word, const std::vector<std::string_view>& allowed);

// A policy named in a scenario, with its parameters still unread: the
// scheduler's registry validates them when it builds the policy.
struct PolicySpec {
  std::string name;
  // The policy's map (its `name` key included), or null when the scenario gave
  // only a name.
  ConfigNodePtr params;
  SourceLocation where;
  std::string field;  // "policies.queue"
};

}  // namespace capsim
