// Reading YAML safely: any input, however malformed or hostile, gets an
// InputError with a location within seconds and in bounded memory; never a
// crash, a hang or an out-of-memory.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "core/config_tree.hpp"
#include "core/random.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::TempDir;

namespace {
ConfigNodePtr parse(const std::string& text) {
  return parse_config_text(text, "t.yaml");
}
}  // namespace

TEST_CASE("a tree keeps every node's line and column", "[core][config]") {
  const auto root = parse("a: 1\nb:\n  - x\n  - {c: \"8\"}\n");
  REQUIRE(root->kind() == ConfigNode::Kind::kMap);
  const auto* b = root->find("b");
  REQUIRE(b);
  CHECK(b->key_where.line == 2);
  CHECK(b->key_where.column == 1);
  const auto& items = b->value->items();
  REQUIRE(items.size() == 2);
  CHECK(items[0]->scalar() == "x");
  CHECK(items[0]->where().line == 3);
  CHECK(items[0]->where().column == 5);
  const auto* c = items[1]->find("c");
  REQUIRE(c);
  CHECK(c->value->quoted());
  CHECK(c->value->scalar() == "8");
}

TEST_CASE("null spellings are null", "[core][config]") {
  const auto root = parse("a: ~\nb: null\nc:\nd: 'null'\n");
  CHECK(root->find("a")->value->kind() == ConfigNode::Kind::kNull);
  CHECK(root->find("b")->value->kind() == ConfigNode::Kind::kNull);
  CHECK(root->find("c")->value->kind() == ConfigNode::Kind::kNull);
  CHECK(root->find("d")->value->kind() == ConfigNode::Kind::kScalar);
}

TEST_CASE("duplicate keys are errors at the second key", "[core][config]") {
  const auto e = input_error_of([] { parse("a: 1\nb: 2\na: 3\n"); });
  CHECK(e.where().line == 3);
  CHECK(std::string(e.what()).find("each key once") != std::string::npos);
}

TEST_CASE("malformed YAML is an error with its location", "[core][config]") {
  const auto e = input_error_of([] { parse("a: [1, 2\nb: 3\n"); });
  CHECK(e.where().file == "t.yaml");
  CHECK(e.where().line == 2);
  CHECK(e.where().column == 2);
  CHECK(e.expected() == "valid YAML");
  CHECK(e.got().find("end of sequence flow not found") != std::string::npos);
}

TEST_CASE("a second document is refused", "[core][config]") {
  const auto e = input_error_of([] { parse("a: 1\n---\nb: 2\n"); });
  CHECK(e.expected() == "a single YAML document");
}

TEST_CASE("binary input is refused at its first bad byte", "[core][config]") {
  std::string text = "a: 1\nb: x";
  text.push_back('\0');
  text += "y\n";
  const auto nul = input_error_of([&] { parse(text); });
  CHECK(nul.where().line == 2);
  CHECK(nul.where().column == 5);
  CHECK(nul.got().find("NUL") != std::string::npos);

  const auto latin1 = input_error_of([] { parse("name: caf\xe9\n"); });
  CHECK(latin1.where().line == 1);
  CHECK(latin1.where().column == 10);

  const auto control = input_error_of([] { parse("a: \x1b[31m\n"); });
  CHECK(control.got().find("control") != std::string::npos);
}

TEST_CASE("deep nesting stops at the depth limit", "[core][config]") {
  // 100,000 open brackets: an error at once, whatever the parser makes of it.
  const auto start = std::chrono::steady_clock::now();
  input_error_of([&] { parse("a: " + std::string(100'000, '[')); });
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  // Balanced lists 100 deep stop at the 65th.
  const auto e = input_error_of([&] { parse("a: " + std::string(100, '[') + std::string(100, ']')); });
  CHECK(e.expected().find("nested at most 64") != std::string::npos);
  CHECK(e.where().column == 67);  // the 64th bracket: the document's map is the first level

  // Block sequences nest too: "- - - ... x" is 500 lists deep.
  std::string block;
  for (int i = 0; i < 500; ++i) block += "- ";
  const auto e2 = input_error_of([&] { parse(block + "x\n"); });
  CHECK(e2.expected().find("nested at most 64") != std::string::npos);
}

TEST_CASE("an alias bomb stops at the node limit", "[core][config]") {
  // The "billion laughs": each level doubles ten times.
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string previous = "a";
  for (char level = 'b'; level <= 'k'; ++level) {
    text += std::string(1, level) + ": &" + level + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *" : "*") + previous;
    text += "]\n";
    previous = std::string(1, level);
  }
  const auto start = std::chrono::steady_clock::now();
  const auto e = input_error_of([&] { parse(text); });
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(e.expected().find("aliases counted") != std::string::npos);
}

TEST_CASE("a map with 100,000 keys is read in linear time", "[core][config]") {
  // Duplicate keys are found through a hash set once a map grows: a linear
  // search per key made a million-key map take minutes.
  std::string text = "a: {";
  for (int i = 0; i < 100'000; ++i) {
    text.push_back('k');
    text.append(std::to_string(i));
    text.append(": 1, ");
  }
  text += "k99999: 2}\n";
  const auto start = std::chrono::steady_clock::now();
  const auto e = input_error_of([&] { parse(text); });
  CHECK(e.got() == "a second \"k99999\"");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("unknown aliases are errors", "[core][config]") {
  const auto e = input_error_of([] { parse("a: *nothing\n"); });
  CHECK(e.where().line == 1);
  CHECK(e.where().column == 4);
  CHECK(e.got().find("anchor is not defined") != std::string::npos);
}

TEST_CASE("files: missing, a folder, too large, a device", "[core][config]") {
  TempDir dir;
  CHECK(input_error_of([&] { parse_config_file(dir.path() / "missing.yaml"); }).got() == "no such file");
  CHECK(input_error_of([&] { parse_config_file(dir.path()); }).got() == "a directory");
  const auto big = dir.write("big.yaml", std::string((16u << 20) + 10, '#'));
  const auto e = input_error_of([&] { parse_config_file(big); });
  CHECK(e.expected().find("at most 16 MiB") != std::string::npos);
  // Devices and pipes could block or never end: refused before reading.
  CHECK(input_error_of([] { parse_config_file("/dev/zero"); }).got() == "a device, pipe or socket");
  const auto fifo = dir.path() / "fifo.yaml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(input_error_of([&] { parse_config_file(fifo); }).got() == "a device, pipe or socket");
}

TEST_CASE("MapReader rejects unknown keys and suggests the closest", "[core][config]") {
  const auto root = parse("nodes_per_rak: 4\n");
  const auto e = input_error_of([&] { MapReader(*root, "cluster", {"nodes_per_rack", "node_groups"}); });
  CHECK(e.field() == "cluster.nodes_per_rak");
  CHECK(e.where().line == 1);
  CHECK(e.where().column == 1);
  CHECK(e.expected().find("did you mean \"nodes_per_rack\"") != std::string::npos);
}

TEST_CASE("typed readers say what they expected", "[core][config]") {
  const auto root = parse("n: -3\nq: \"8\"\nd: soon\nm: 12 parsecs\nb: yes\nf: 1e400\nok: 1_000\n");
  const auto at = [&](const char* key) -> const ConfigNode& { return *root->find(key)->value; };
  CHECK(input_error_of([&] { read_int(at("n"), "n", 0, 10); }).expected() == "an integer from 0 to 10");
  CHECK(input_error_of([&] { read_int(at("q"), "q", 0, 10); }).got() == "the string \"8\"");
  CHECK(input_error_of([&] { read_duration(at("d"), "d"); }).expected().find("90s") != std::string::npos);
  CHECK(input_error_of([&] { read_memory_mib(at("m"), "m"); }).expected().find("80GiB") != std::string::npos);
  CHECK(input_error_of([&] { read_bool(at("b"), "b"); }).expected() == "true or false");
  CHECK_THROWS_AS(read_number(at("f"), "f", 0, 1e300), InputError);
  CHECK(read_int(at("ok"), "ok", 0, 10'000) == 1000);
  // A choice among words: its index, or the list in the error.
  const auto choice = parse("a: min\nb: mean\n");
  CHECK(read_choice(*choice->find("a")->value, "a", {"max", "min", "disabled"}) == 1);
  const InputError e = input_error_of([&] { read_choice(*choice->find("b")->value, "b", {"max", "min", "disabled"}); });
  CHECK(e.expected() == "max, min or disabled");
  CHECK(e.got() == "\"mean\"");
}

TEST_CASE("memory sizes", "[core][config]") {
  std::int64_t mib = 0;
  CHECK((parse_memory_mib("80GiB", mib) && mib == 80 * 1024));
  CHECK((parse_memory_mib("512 GB", mib) && mib == 488'281));
  CHECK((parse_memory_mib("64MiB", mib) && mib == 64));
  CHECK((parse_memory_mib("1.5TiB", mib) && mib == 1'572'864));
  CHECK_FALSE(parse_memory_mib("80", mib));
  CHECK_FALSE(parse_memory_mib("GiB", mib));
  CHECK_FALSE(parse_memory_mib("-1GiB", mib));
}

TEST_CASE("random corruption of a valid file never crashes or hangs", "[core][config][fuzz]") {
  const std::string valid =
      "cluster:\n  node_groups:\n    - {name: a, gpu: V100, gpus_per_node: 8, count: 4}\n"
      "workload:\n  jobs:\n    - {id: j, submit: 0s, gpus: 2, duration: 1h}\n"
      "anchors: &x [1, 2, *x]\n";
  RandomStream stream = RandomStream::derive(2024, "config.fuzz");
  const auto start = std::chrono::steady_clock::now();
  int errors = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = valid;
    const auto edits = 1 + stream.uniform_below(8);
    for (std::uint64_t e = 0; e < edits; ++e) {
      const auto at = stream.uniform_below(text.size());
      switch (stream.uniform_below(3)) {
        case 0:
          text[at] = static_cast<char>(stream.uniform_below(256));
          break;
        case 1:
          text.insert(at, 1, "[]{}:&*-,'\"!|>#\n "[stream.uniform_below(17)]);
          break;
        default:
          text.erase(at, 1 + stream.uniform_below(4));
          break;
      }
      if (text.empty()) text.push_back('x');
    }
    try {
      parse(text);
    } catch (const InputError&) {
      ++errors;
    }
  }
  CHECK(errors > 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}
