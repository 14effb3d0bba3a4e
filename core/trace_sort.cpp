#include "core/trace_sort.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <tuple>

#include "core/error.hpp"

namespace capsim {

namespace {

// A job's fixed-size part; the name, user and queue follow it.
struct Fixed {
  std::int64_t submit_us;
  std::int64_t duration_us;
  std::int64_t estimate_us;
  double work;
  std::int64_t gpu_milli;
  std::int64_t gpu_memory_mib;
  std::int64_t cpu_milli;
  std::int64_t memory_mib;
  std::uint64_t gpu_types;
  std::int32_t line;
  std::int32_t column;
  std::uint32_t name_size;
  std::uint32_t user_size;
  std::uint32_t queue_size;
  std::uint8_t outcome;
  std::uint8_t padding[3];
};

std::size_t record_size(const Fixed& f) {
  return sizeof(Fixed) + f.name_size + f.user_size + f.queue_size;
}

void pack(const JobSpec& job, std::vector<char>& out) {
  Fixed f{};
  f.submit_us = job.submit.count_us();
  f.duration_us = job.duration.count_us();
  f.estimate_us = job.estimate.count_us();
  f.work = job.work;
  f.gpu_milli = job.request.gpu_milli;
  f.gpu_memory_mib = job.request.gpu_memory_mib;
  f.cpu_milli = job.request.cpu_milli;
  f.memory_mib = job.request.memory_mib;
  f.gpu_types = job.gpu_types.bits();
  f.line = job.origin.line;
  f.column = job.origin.column;
  f.name_size = static_cast<std::uint32_t>(job.name.size());
  f.user_size = static_cast<std::uint32_t>(job.user.size());
  f.queue_size = static_cast<std::uint32_t>(job.queue.size());
  f.outcome = static_cast<std::uint8_t>(job.outcome);
  const std::size_t at = out.size();
  out.resize(at + record_size(f));
  char* p = out.data() + at;
  std::memcpy(p, &f, sizeof f);
  p += sizeof f;
  std::memcpy(p, job.name.data(), job.name.size());
  p += job.name.size();
  std::memcpy(p, job.user.data(), job.user.size());
  p += job.user.size();
  std::memcpy(p, job.queue.data(), job.queue.size());
}

// Unpacks a record whose fixed part is `f` and whose strings start at `text`.
void unpack(const Fixed& f, const char* text, const std::string& file, JobSpec& job) {
  job.submit = Time::from_us(f.submit_us);
  job.duration = Duration::microseconds(f.duration_us);
  job.estimate = Duration::microseconds(f.estimate_us);
  job.work = f.work;
  job.request = Resources{f.gpu_milli, f.gpu_memory_mib, f.cpu_milli, f.memory_mib};
  job.gpu_types = GpuTypeSet();
  for (std::uint64_t bits = f.gpu_types; bits != 0; bits &= bits - 1) {
    job.gpu_types.add(static_cast<GpuTypeId>(__builtin_ctzll(bits)));
  }
  job.origin = {file, f.line, f.column};
  job.name.assign(text, f.name_size);
  job.user.assign(text + f.name_size, f.user_size);
  job.queue.assign(text + f.name_size + f.user_size, f.queue_size);
  job.outcome = static_cast<JobOutcome>(f.outcome);
  job.job_class = kUnassignedJobClass;  // traces name no class; the record may hold the previous job's
}

std::FILE* anonymous_temporary_file() {
  std::filesystem::path dir = "/tmp";
  if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp != '\0') dir = tmp;
  std::string name = (dir / "capsim-sort-XXXXXX").string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0) {
    throw InputError({name, 0, 0}, "", "a writable temporary folder ($TMPDIR) to sort a large trace in",
                     std::strerror(errno));
  }
  ::unlink(name.c_str());
  std::FILE* file = ::fdopen(fd, "w+b");
  if (file == nullptr) {
    ::close(fd);
    throw std::runtime_error("fdopen failed for a temporary file");
  }
  return file;
}

}  // namespace

// A spilled run: sorted records in a temporary file, read back one at a time.
struct JobSorter::Run {
  std::FILE* file = nullptr;
  std::size_t index = 0;  // order of the run: ties go to the earlier one
  Fixed head{};
  std::vector<char> text;
  bool has_head = false;
  std::string name;  // for messages

  ~Run() {
    if (file != nullptr) std::fclose(file);
  }
  void read_head() {
    has_head = std::fread(&head, sizeof head, 1, file) == 1;
    if (!has_head) return;
    text.resize(head.name_size + head.user_size + head.queue_size);
    if (!text.empty() && std::fread(text.data(), text.size(), 1, file) != 1) {
      throw std::runtime_error("a temporary sort file was cut short");
    }
  }
};

JobSorter::JobSorter(std::size_t buffer_bytes) : buffer_bytes_(std::max<std::size_t>(buffer_bytes, 4096)) {}

JobSorter::~JobSorter() = default;

void JobSorter::add(const JobSpec& job) {
  CAPSIM_CHECK(!finished_);
  if (added_ == 0) file_ = job.origin.file;
  ++added_;
  keys_.push_back({job.submit.count_us(), buffer_.size()});
  pack(job, buffer_);
  if (buffer_.size() + keys_.size() * sizeof(Key) >= buffer_bytes_) spill();
}

void JobSorter::sort_buffer() {
  // Offsets grow with insertion order, so they break ties stably.
  std::sort(keys_.begin(), keys_.end(), [](const Key& a, const Key& b) {
    return a.submit_us != b.submit_us ? a.submit_us < b.submit_us : a.offset < b.offset;
  });
}

void JobSorter::spill() {
  sort_buffer();
  auto run = std::make_unique<Run>();
  run->file = anonymous_temporary_file();
  run->index = runs_.size();
  for (const Key& key : keys_) {
    Fixed f;
    std::memcpy(&f, buffer_.data() + key.offset, sizeof f);
    if (std::fwrite(buffer_.data() + key.offset, record_size(f), 1, run->file) != 1) {
      throw InputError({"$TMPDIR", 0, 0}, "", "room in the temporary folder to sort a large trace",
                       std::strerror(errno));
    }
  }
  if (std::fflush(run->file) != 0) {
    throw InputError({"$TMPDIR", 0, 0}, "", "room in the temporary folder to sort a large trace", std::strerror(errno));
  }
  runs_.push_back(std::move(run));
  buffer_.clear();
  keys_.clear();
}

void JobSorter::finish() {
  CAPSIM_CHECK(!finished_);
  finished_ = true;
  if (runs_.empty()) {
    sort_buffer();
    return;
  }
  if (!keys_.empty()) spill();
  buffer_.clear();
  buffer_.shrink_to_fit();
  keys_.clear();
  keys_.shrink_to_fit();
  for (std::size_t i = 0; i < runs_.size(); ++i) {
    std::rewind(runs_[i]->file);
    runs_[i]->read_head();
    if (runs_[i]->has_head) heap_.push_back(i);
  }
  std::make_heap(heap_.begin(), heap_.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(runs_[a]->head.submit_us, a) > std::tie(runs_[b]->head.submit_us, b);
  });
}

bool JobSorter::merge_next(JobSpec& job) {
  const auto later = [&](std::size_t a, std::size_t b) {
    return std::tie(runs_[a]->head.submit_us, a) > std::tie(runs_[b]->head.submit_us, b);
  };
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), later);
  Run& run = *runs_[heap_.back()];
  unpack(run.head, run.text.empty() ? "" : run.text.data(), file_, job);
  run.read_head();
  if (run.has_head) {
    std::push_heap(heap_.begin(), heap_.end(), later);
  } else {
    heap_.pop_back();
  }
  return true;
}

bool JobSorter::next(JobSpec& job) {
  CAPSIM_CHECK(finished_);
  if (!runs_.empty()) return merge_next(job);
  if (next_key_ == keys_.size()) return false;
  const char* record = buffer_.data() + keys_[next_key_++].offset;
  Fixed f;
  std::memcpy(&f, record, sizeof f);
  unpack(f, record + sizeof f, file_, job);
  return true;
}

}  // namespace capsim
