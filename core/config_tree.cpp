#include "core/config_tree.hpp"

#include "core/text.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_set>

namespace capsim {

const ConfigNode::Entry* ConfigNode::find(std::string_view key) const {
  for (const auto& entry : entries_) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

std::string ConfigNode::describe() const {
  switch (kind_) {
    case Kind::kNull:
      return "nothing";
    case Kind::kScalar:
      return (quoted_ ? "the string " : "") + quote_for_message(scalar_);
    case Kind::kSequence:
      return "a list";
    case Kind::kMap:
      return "a map";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Reading text safely.

namespace {

std::string human_bytes(std::size_t bytes) {
  if (bytes >= (1u << 20)) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10)) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

void check_is_text(std::string_view text, const std::string& file) {
  std::string problem;
  const std::size_t offset = find_non_text(text, problem);
  if (offset != text.size()) {
    throw InputError(location_of_offset(text, offset, file), "", "UTF-8 text", problem);
  }
}

}  // namespace

std::string read_text_file(const std::filesystem::path& path, std::size_t max_bytes) {
  const std::string file = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    throw InputError({file, 0, 0}, "", "an existing file", "no such file");
  }
  if (std::filesystem::is_directory(status)) {
    throw InputError({file, 0, 0}, "", "a file", "a directory");
  }
  if (!std::filesystem::is_regular_file(status)) {
    // A pipe or a device could block or never end.
    throw InputError({file, 0, 0}, "", "a regular file", "a device, pipe or socket");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({file, 0, 0}, "", "a readable file", "it cannot be opened");
  // Read at most max_bytes + 1 bytes: enough to tell that a file is too
  // large (or grew while being read) without reading it all.
  std::string text;
  constexpr std::size_t kChunk = 1 << 16;
  while (in && text.size() <= max_bytes) {
    const std::size_t old_size = text.size();
    text.resize(old_size + kChunk);
    in.read(text.data() + old_size, static_cast<std::streamsize>(kChunk));
    text.resize(old_size + static_cast<std::size_t>(in.gcount()));
  }
  if (text.size() > max_bytes) {
    throw InputError({file, 0, 0}, "", "a file of at most " + human_bytes(max_bytes), "a larger file");
  }
  if (in.bad()) throw InputError({file, 0, 0}, "", "a readable file", "a read error");
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);  // BOM
  check_is_text(text, file);
  return text;
}

// ---------------------------------------------------------------------------
// YAML events to a tree.

class ConfigTreeBuilder : public YAML::EventHandler {
 public:
  ConfigTreeBuilder(std::string file, const ConfigLimits& limits)
      : file_(std::make_shared<std::string>(std::move(file))), limits_(limits) {}

  ConfigNodePtr root() const { return root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto node = make_node(ConfigNode::Kind::kNull, mark);
    remember_anchor(anchor, node);
    add(node);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || !anchors_[anchor]) {
      throw InputError(where(mark), "", "an alias of a known anchor", "an unknown alias");
    }
    const auto& target = anchors_[anchor];
    if (!target->complete_) {
      throw InputError(where(mark), "", "an alias outside the node it names", "an alias inside its own anchor");
    }
    count(target->expanded_size_, where(mark));
    add(target, /*counted=*/true);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    const bool quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
    const bool null = !quoted && (value == "~" || value == "null" || value == "Null" || value == "NULL");
    auto node = make_node(null ? ConfigNode::Kind::kNull : ConfigNode::Kind::kScalar, mark);
    if (!null) node->scalar_ = value;
    node->quoted_ = quoted;
    remember_anchor(anchor, node);
    add(node);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(ConfigNode::Kind::kSequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(ConfigNode::Kind::kMap, mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    std::shared_ptr<ConfigNode> node;
    bool expecting_key = true;
    std::string key;
    SourceLocation key_where;
    // The keys seen so far, once a map is too large for a linear search
    // (a million-key map must not cost a trillion comparisons).
    std::unordered_set<std::string> keys;
  };
  static constexpr std::size_t kLinearKeySearch = 16;

  static bool has_key(Frame& frame, const std::string& key) {
    const auto& entries = frame.node->entries_;
    if (entries.size() < kLinearKeySearch) return frame.node->find(key) != nullptr;
    if (frame.keys.empty()) {
      for (const auto& entry : entries) frame.keys.insert(entry.key);
    }
    return frame.keys.count(key) > 0;
  }

  SourceLocation where(const YAML::Mark& mark) const {
    return {*file_, mark.line >= 0 ? mark.line + 1 : 0, mark.column >= 0 ? mark.column + 1 : 0};
  }

  std::shared_ptr<ConfigNode> make_node(ConfigNode::Kind kind, const YAML::Mark& mark) {
    auto node = std::make_shared<ConfigNode>();
    node->kind_ = kind;
    node->where_ = where(mark);
    node->complete_ = kind != ConfigNode::Kind::kSequence && kind != ConfigNode::Kind::kMap;
    return node;
  }

  void count(std::size_t nodes, const SourceLocation& at) {
    expanded_total_ += nodes;
    if (expanded_total_ > limits_.max_nodes) {
      throw InputError(
          at, "",
          "at most " + std::to_string(limits_.max_nodes) + " nodes, aliases counted as the nodes they stand for",
          "more");
    }
  }

  void remember_anchor(YAML::anchor_t anchor, const std::shared_ptr<ConfigNode>& node) {
    if (anchor == YAML::NullAnchor) return;
    if (anchor >= anchors_.size()) anchors_.resize(anchor + 1);
    anchors_[anchor] = node;
  }

  void open(ConfigNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      throw InputError(where(mark), "", "maps and lists nested at most " + std::to_string(limits_.max_depth) + " deep",
                       "deeper nesting");
    }
    if (!stack_.empty() && stack_.back().node->kind_ == ConfigNode::Kind::kMap && stack_.back().expecting_key) {
      throw InputError(where(mark), "", "a plain key", kind == ConfigNode::Kind::kMap ? "a map" : "a list");
    }
    auto node = make_node(kind, mark);
    remember_anchor(anchor, node);
    count(1, where(mark));
    stack_.push_back(Frame{node, true, {}, {}, {}});
  }

  void close() {
    CAPSIM_CHECK(!stack_.empty());
    auto node = stack_.back().node;
    stack_.pop_back();
    std::size_t size = 1;
    for (const auto& item : node->items_) size += item->expanded_size_;
    for (const auto& entry : node->entries_) size += 1 + entry.value->expanded_size_;
    node->expanded_size_ = size;
    node->complete_ = true;
    attach(node);
  }

  // Adds a scalar, null or alias; collections are added when they close.
  void add(const std::shared_ptr<const ConfigNode>& node, bool counted = false) {
    if (!counted) count(1, node->where());
    attach(node);
  }

  void attach(const std::shared_ptr<const ConfigNode>& node) {
    if (stack_.empty()) {
      root_ = node;
      return;
    }
    Frame& frame = stack_.back();
    if (frame.node->kind_ == ConfigNode::Kind::kSequence) {
      frame.node->items_.push_back(node);
      return;
    }
    if (frame.expecting_key) {
      if (node->kind_ != ConfigNode::Kind::kScalar) {
        throw InputError(node->where_, "", "a plain key", node->describe());
      }
      if (has_key(frame, node->scalar_)) {
        throw InputError(node->where_, "", "each key once in a map", "a second " + quote_for_message(node->scalar_));
      }
      frame.key = node->scalar_;
      frame.key_where = node->where_;
      frame.expecting_key = false;
      return;
    }
    if (!frame.keys.empty()) frame.keys.insert(frame.key);
    frame.node->entries_.push_back({std::move(frame.key), frame.key_where, node});
    frame.expecting_key = true;
  }

  std::shared_ptr<std::string> file_;
  ConfigLimits limits_;
  std::vector<Frame> stack_;
  std::vector<std::shared_ptr<ConfigNode>> anchors_;
  std::size_t expanded_total_ = 0;
  ConfigNodePtr root_;
};

ConfigNodePtr parse_config_text(std::string_view text, const std::string& file, const ConfigLimits& limits) {
  if (text.size() > limits.max_file_bytes) {
    throw InputError({file, 0, 0}, "", "at most " + human_bytes(limits.max_file_bytes) + " of text", "a larger text");
  }
  check_is_text(text, file);
  std::istringstream stream{std::string(text)};
  ConfigTreeBuilder builder(file, limits);
  try {
    YAML::Parser parser(stream);
    if (!parser.HandleNextDocument(builder)) {
      return std::make_shared<ConfigNode>();  // empty document: null
    }
    ConfigTreeBuilder rest(file, limits);
    if (parser.HandleNextDocument(rest)) {
      const ConfigNodePtr second = rest.root();
      SourceLocation where{file, 0, 0};
      if (second) where = second->where();
      throw InputError(where, "", "a single YAML document", "a second document");
    }
  } catch (const YAML::ParserException& e) {
    SourceLocation where{file, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.column >= 0 ? e.mark.column + 1 : 0};
    throw InputError(where, "", "valid YAML", e.msg);
  } catch (const YAML::Exception& e) {
    throw InputError({file, 0, 0}, "", "valid YAML", e.what());
  }
  ConfigNodePtr root = builder.root();
  return root ? root : std::make_shared<ConfigNode>();
}

ConfigNodePtr parse_config_file(const std::filesystem::path& path, const ConfigLimits& limits) {
  const std::string text = read_text_file(path, limits.max_file_bytes);
  return parse_config_text(text, path.string(), limits);
}

// ---------------------------------------------------------------------------
// Typed readers.

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string join_keys(const std::vector<std::string_view>& keys) {
  std::string text;
  for (const auto key : keys) {
    if (!text.empty()) text += ", ";
    text += key;
  }
  return text;
}

const ConfigNode& expect_scalar(const ConfigNode& node, const std::string& field, const std::string& expected) {
  if (node.kind() != ConfigNode::Kind::kScalar) throw InputError(node.where(), field, expected, node.describe());
  return node;
}

}  // namespace

std::string closest_word(std::string_view word, const std::vector<std::string_view>& allowed) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto candidate : allowed) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

MapReader::MapReader(const ConfigNode& node, std::string map_field, std::vector<std::string_view> allowed)
    : node_(node), field_(std::move(map_field)), allowed_(std::move(allowed)) {
  if (node.kind() != ConfigNode::Kind::kMap) {
    throw InputError(node.where(), field_, "a map with the keys " + join_keys(allowed_), node.describe());
  }
  for (const auto& entry : node.entries()) {
    if (std::find(allowed_.begin(), allowed_.end(), entry.key) != allowed_.end()) continue;
    std::string expected = "one of the keys " + join_keys(allowed_);
    const std::string suggestion = closest_word(entry.key, allowed_);
    if (!suggestion.empty())
      expected = "a known key (did you mean " + quote_for_message(suggestion) + "?); " + expected;
    throw InputError(entry.key_where, field(entry.key), expected, "the unknown key " + quote_for_message(entry.key));
  }
}

std::string MapReader::field(std::string_view key) const {
  return field_.empty() ? std::string(key) : field_ + "." + std::string(key);
}

const ConfigNode* MapReader::optional(std::string_view key) const {
  CAPSIM_CHECK(std::find(allowed_.begin(), allowed_.end(), key) != allowed_.end()) << key;
  const ConfigNode::Entry* entry = node_.find(key);
  if (!entry || entry->value->kind() == ConfigNode::Kind::kNull) return nullptr;
  return entry->value.get();
}

const ConfigNode& MapReader::required(std::string_view key, std::string_view expected) const {
  const ConfigNode* value = optional(key);
  if (!value) {
    const ConfigNode::Entry* entry = node_.find(key);
    throw InputError(entry ? entry->value->where() : node_.where(), field(key), std::string(expected),
                     entry ? "nothing" : "a missing key");
  }
  return *value;
}

bool parse_int(std::string_view text, std::int64_t& out) {
  // Allow digit separators as YAML 1.1 does: 100_000.
  std::string digits;
  digits.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_' && i > 0 && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
        std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      continue;
    }
    digits += text[i];
  }
  std::string_view view = digits;
  if (!view.empty() && view.front() == '+') view.remove_prefix(1);
  if (view.empty()) return false;
  const auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), out);
  return ec == std::errc() && end == view.data() + view.size();
}

bool parse_number(std::string_view text, double& out) {
  std::string_view view = text;
  if (!view.empty() && view.front() == '+') view.remove_prefix(1);
  if (view.empty()) return false;
  const auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), out);
  return ec == std::errc() && end == view.data() + view.size() && std::isfinite(out);
}

bool parse_memory_mib(std::string_view text, std::int64_t& out) {
  std::size_t split = 0;
  while (split < text.size() && (std::isdigit(static_cast<unsigned char>(text[split])) || text[split] == '.')) ++split;
  double value = 0;
  if (split == 0 || !parse_number(text.substr(0, split), value)) return false;
  std::string_view unit = text.substr(split);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double mib;
  if (unit == "KiB")
    mib = 1.0 / 1024;
  else if (unit == "MiB")
    mib = 1;
  else if (unit == "GiB")
    mib = 1024;
  else if (unit == "TiB")
    mib = 1024.0 * 1024;
  else if (unit == "KB" || unit == "kB")
    mib = 1e3 / (1 << 20);
  else if (unit == "MB")
    mib = 1e6 / (1 << 20);
  else if (unit == "GB")
    mib = 1e9 / (1 << 20);
  else if (unit == "TB")
    mib = 1e12 / (1 << 20);
  else
    return false;
  const double result = std::round(value * mib);
  if (!(result >= 0 && result < 9e15)) return false;
  out = static_cast<std::int64_t>(result);
  return true;
}

std::string read_string(const ConfigNode& node, const std::string& field) {
  return expect_scalar(node, field, "a string").scalar();
}

std::string read_name(const ConfigNode& node, const std::string& field) {
  const std::string expected = "a name of 1 to 200 characters";
  const std::string& text = expect_scalar(node, field, expected).scalar();
  if (text.empty() || text.size() > 200) throw InputError(node.where(), field, expected, node.describe());
  return text;
}

std::int64_t read_int(const ConfigNode& node, const std::string& field, std::int64_t min, std::int64_t max) {
  std::string expected = "an integer";
  if (min == 0 && max == std::numeric_limits<std::int64_t>::max())
    expected = "a non-negative integer";
  else if (min == 1 && max == std::numeric_limits<std::int64_t>::max())
    expected = "a positive integer";
  else
    expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  expect_scalar(node, field, expected);
  std::int64_t value = 0;
  if (node.quoted() || !parse_int(node.scalar(), value) || value < min || value > max) {
    throw InputError(node.where(), field, expected, node.describe());
  }
  return value;
}

double read_number(const ConfigNode& node, const std::string& field, double min, double max) {
  std::ostringstream expected;
  expected << "a number from " << min << " to " << max;
  expect_scalar(node, field, expected.str());
  double value = 0;
  if (node.quoted() || !parse_number(node.scalar(), value) || value < min || value > max) {
    throw InputError(node.where(), field, expected.str(), node.describe());
  }
  return value;
}

bool read_bool(const ConfigNode& node, const std::string& field) {
  expect_scalar(node, field, "true or false");
  if (!node.quoted()) {
    if (node.scalar() == "true") return true;
    if (node.scalar() == "false") return false;
  }
  throw InputError(node.where(), field, "true or false", node.describe());
}

std::size_t read_choice(const ConfigNode& node, const std::string& field,
                        std::initializer_list<std::string_view> words) {
  const std::string text = read_string(node, field);
  std::size_t i = 0;
  std::string expected;
  for (const std::string_view word : words) {
    if (text == word) return i;
    expected += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + std::string(word);
    ++i;
  }
  throw InputError(node.where(), field, expected, quote_for_message(text));
}

Duration read_duration(const ConfigNode& node, const std::string& field) {
  expect_scalar(node, field, std::string(kDurationExpected));
  if (auto duration = parse_duration(node.scalar())) return *duration;
  throw InputError(node.where(), field, std::string(kDurationExpected), node.describe());
}

std::int64_t read_memory_mib(const ConfigNode& node, const std::string& field) {
  const std::string expected = "a memory size such as 80GiB, 512GB or 64MiB";
  expect_scalar(node, field, expected);
  std::int64_t mib = 0;
  if (!parse_memory_mib(node.scalar(), mib)) throw InputError(node.where(), field, expected, node.describe());
  return mib;
}

const std::vector<ConfigNodePtr>& read_list(const ConfigNode& node, const std::string& field,
                                            std::string_view expected_items) {
  if (node.kind() != ConfigNode::Kind::kSequence) {
    throw InputError(node.where(), field, "a list of " + std::string(expected_items), node.describe());
  }
  return node.items();
}

// ---------------------------------------------------------------------------
// Editing a tree (copy on write along one path).

class ConfigEdit {
 public:
  static ConfigNodePtr scalar(std::string text, const SourceLocation& where) {
    auto node = std::make_shared<ConfigNode>();
    node->kind_ = ConfigNode::Kind::kScalar;
    node->scalar_ = std::move(text);
    node->where_ = where;
    node->complete_ = true;
    return node;
  }

  struct Step {
    std::string key;                     // a map key
    std::vector<std::string> selectors;  // then list items: "0", "v100"
  };

  // "cluster.node_groups[0].count" -> {cluster}, {node_groups, [0]}, {count}.
  static std::vector<Step> parse_path(std::string_view path, const SourceLocation& where, const std::string& field) {
    const std::string expected = "a field path such as cluster.node_groups[0].count or policies.queue";
    std::vector<Step> steps;
    std::size_t i = 0;
    while (i <= path.size()) {
      Step step;
      while (i < path.size() && path[i] != '.' && path[i] != '[') step.key += path[i++];
      if (step.key.empty()) throw InputError(where, field, expected, quote_for_message(std::string(path)));
      while (i < path.size() && path[i] == '[') {
        const std::size_t close = path.find(']', i);
        if (close == std::string_view::npos || close == i + 1) {
          throw InputError(where, field, expected, quote_for_message(std::string(path)));
        }
        step.selectors.emplace_back(path.substr(i + 1, close - i - 1));
        i = close + 1;
      }
      steps.push_back(std::move(step));
      if (i == path.size()) break;
      if (path[i] != '.') throw InputError(where, field, expected, quote_for_message(std::string(path)));
      ++i;
      if (i == path.size()) throw InputError(where, field, expected, quote_for_message(std::string(path)));
    }
    return steps;
  }

  // `node` with the value at steps [k...] replaced; `done` is the path so far.
  static ConfigNodePtr replace(const ConfigNodePtr& node, const std::vector<Step>& steps, std::size_t k,
                               std::size_t selector, const ConfigNodePtr& value, const std::string& done,
                               const SourceLocation& where, const std::string& field) {
    if (k == steps.size()) return value;
    const Step& step = steps[k];
    auto copy = std::make_shared<ConfigNode>(node ? *node : ConfigNode());
    copy->complete_ = true;
    if (selector == 0) {
      // A map key (a missing or null node becomes a map).
      if (copy->kind_ == ConfigNode::Kind::kNull) {
        copy->kind_ = ConfigNode::Kind::kMap;
        copy->where_ = where;
      }
      if (copy->kind_ != ConfigNode::Kind::kMap) {
        throw InputError(where, field,
                         "a path through maps: " + (done.empty() ? "the document" : done) + " is " + node->describe() +
                             ", not a map with " + quote_for_message(step.key),
                         quote_for_message(step.key));
      }
      const std::string here = done.empty() ? step.key : done + "." + step.key;
      auto entry = std::find_if(copy->entries_.begin(), copy->entries_.end(),
                                [&](const ConfigNode::Entry& e) { return e.key == step.key; });
      if (entry == copy->entries_.end()) {
        copy->entries_.push_back({step.key, where, nullptr});
        entry = copy->entries_.end() - 1;
      }
      entry->value = step.selectors.empty() ? replace(entry->value, steps, k + 1, 0, value, here, where, field)
                                            : replace(entry->value, steps, k, 1, value, here, where, field);
    } else {
      // A list item, by index or by its `name:`.
      const std::string& wanted = step.selectors[selector - 1];
      const std::string here = done + "[" + wanted + "]";
      if (copy->kind_ != ConfigNode::Kind::kSequence) {
        throw InputError(where, field, "a list at " + done, node ? node->describe() : "nothing");
      }
      std::size_t index = copy->items_.size();
      std::int64_t number = 0;
      if (parse_int(wanted, number)) {
        if (number >= 0 && static_cast<std::size_t>(number) < copy->items_.size()) {
          index = static_cast<std::size_t>(number);
        }
      } else {
        for (std::size_t i = 0; i < copy->items_.size(); ++i) {
          const ConfigNode::Entry* name = copy->items_[i]->find("name");
          if (name && name->value->kind_ == ConfigNode::Kind::kScalar && name->value->scalar_ == wanted) index = i;
        }
      }
      if (index == copy->items_.size()) {
        throw InputError(
            where, field,
            "an item of " + done + " (an index below " + std::to_string(copy->items_.size()) + ", or the name: of one)",
            quote_for_message(wanted));
      }
      copy->items_[index] = selector == step.selectors.size()
                                ? replace(copy->items_[index], steps, k + 1, 0, value, here, where, field)
                                : replace(copy->items_[index], steps, k, selector + 1, value, here, where, field);
    }
    std::size_t size = 1;
    for (const auto& item : copy->items_) size += item->expanded_size_;
    for (const auto& entry : copy->entries_) size += 1 + entry.value->expanded_size_;
    copy->expanded_size_ = size;
    return copy;
  }
};

ConfigNodePtr replace_config_value(const ConfigNodePtr& root, std::string_view path, const ConfigNodePtr& value,
                                   const SourceLocation& where, const std::string& field) {
  CAPSIM_CHECK(value != nullptr);
  const std::vector<ConfigEdit::Step> steps = ConfigEdit::parse_path(path, where, field);
  return ConfigEdit::replace(root, steps, 0, 0, value, "", where, field);
}

ConfigNodePtr make_config_scalar(std::string text, const SourceLocation& where) {
  return ConfigEdit::scalar(std::move(text), where);
}

std::string config_flow_text(const ConfigNode& node) {
  switch (node.kind()) {
    case ConfigNode::Kind::kNull:
      return "null";
    case ConfigNode::Kind::kScalar:
      return node.quoted() ? "\"" + node.scalar() + "\"" : node.scalar();
    case ConfigNode::Kind::kSequence: {
      std::string out = "[";
      for (std::size_t i = 0; i < node.items().size(); ++i) {
        out += (i ? ", " : "") + config_flow_text(*node.items()[i]);
      }
      return out + "]";
    }
    case ConfigNode::Kind::kMap: {
      std::string out = "{";
      for (std::size_t i = 0; i < node.entries().size(); ++i) {
        out += (i ? ", " : "") + node.entries()[i].key + ": " + config_flow_text(*node.entries()[i].value);
      }
      return out + "}";
    }
  }
  return "";
}

}  // namespace capsim
