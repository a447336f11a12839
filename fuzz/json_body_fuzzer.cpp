// libFuzzer entry point for the JSON validators: the first byte picks a fixed operation
// (InitiateJob, notifications, policies, lock, tags, data retrieval policy, admin bodies),
// the rest is its body. When the operation succeeds, the requests that read back what it
// stored follow, so an accepted body is also described, listed, completed and served.
// See fuzz/README.md.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_world.hpp"

namespace {

using glacier::fuzz::world;

struct operation {
  char selector;  ///< seeds start with this byte; any other byte picks by modulo
  const char* method;
  const char* target;  ///< relative to /-/vaults/examplevault unless it starts with '/'
};

constexpr std::array<operation, 10> operations{{
    {'j', "POST", "/jobs"},
    {'n', "PUT", "/notification-configuration"},
    {'p', "PUT", "/access-policy"},
    {'l', "POST", "/lock-policy"},
    {'t', "POST", "/tags?operation=add"},
    {'r', "POST", "/tags?operation=remove"},
    {'d', "PUT", "/-/policies/data-retrieval"},
    {'c', "POST", "/_mock/clock/advance"},
    {'f', "POST", "/_mock/faults"},
    {'x', "POST", "/_mock/jobs/{pending}/fail"},
}};

const operation& pick(std::uint8_t selector) {
  for (const auto& op : operations) {
    if (static_cast<std::uint8_t>(op.selector) == selector) return op;
  }
  return operations[selector % operations.size()];
}

glacier::http::response send(world& w, const std::string& method, const std::string& target,
                             std::string body = {}, glacier::http::header_map headers = {}) {
  glacier::http::request r;
  r.method = method;
  r.target = w.substitute(target, {});
  r.headers = std::move(headers);
  r.headers.emplace("x-amz-glacier-version", "2012-06-01");
  r.body = w.substitute(std::move(body), {});
  return w.send(std::move(r));
}

std::string vault_path(std::string_view rest) {
  return "/-/vaults/" + std::string(glacier::fuzz::vault_name) + std::string(rest);
}

// What a client does next with a job it started: wait, describe, list, fetch (whole and a
// range), as the job completes with whatever parameters the fuzzer chose.
void follow_job(world& w, const std::string& job_id) {
  send(w, "GET", vault_path("/jobs/" + job_id));
  w.advance(w.cfg.bulk_delay + glacier::duration(1));
  send(w, "GET", vault_path("/jobs/" + job_id));
  send(w, "GET", vault_path("/jobs/" + job_id + "/output"));
  send(w, "GET", vault_path("/jobs/" + job_id + "/output"), {}, {{"Range", "bytes=0-1048575"}});
  send(w, "GET", vault_path("/jobs/" + job_id + "/output"), {}, {{"Range", "bytes=10-20"}});
  send(w, "GET", vault_path("/jobs?completed=true&limit=2"));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  glacier::fuzz::init_logging();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& op = pick(data[0]);
  world w;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  w.add_big_archive_if_named(body);
  const std::string target =
      op.target[1] == '-' || op.target[1] == '_' ? std::string(op.target) : vault_path(op.target);
  const auto r = send(w, op.method, target, std::move(body));
  const bool ok = r.status < 300;
  switch (op.selector) {
    case 'j':
      if (ok) follow_job(w, r.headers.at("x-amz-job-id"));
      break;
    case 'n':
      send(w, "GET", vault_path("/notification-configuration"));
      // Completions now notify (or not) under the configuration the fuzzer set.
      send(w, "POST", "/_mock/jobs/{pending}/complete");
      send(w, "GET", "/_mock/notifications");
      break;
    case 'p':
      send(w, "GET", vault_path("/access-policy"));
      break;
    case 'l':
      if (ok) {
        send(w, "GET", vault_path("/lock-policy"));
        send(w, "POST", vault_path("/lock-policy/" + r.headers.at("x-amz-lock-id")));
        send(w, "GET", vault_path("/lock-policy"));
        send(w, "DELETE", vault_path("/archives/{archive}"));
      }
      break;
    case 't':
    case 'r':
      send(w, "GET", vault_path("/tags"));
      break;
    case 'd':
      send(w, "GET", "/-/policies/data-retrieval");
      // The policy in force decides whether these retrievals are allowed.
      for (const char* tier : {"Expedited", "Standard", "Bulk"}) {
        const auto job =
            send(w, "POST", vault_path("/jobs"),
                 std::string(R"({"Type":"archive-retrieval","ArchiveId":"{archive}",)") +
                     R"("Tier":")" + tier + R"("})");
        if (job.status == 202) follow_job(w, job.headers.at("x-amz-job-id"));
      }
      break;
    case 'f':
      // Faults apply by operation name; exercise a few with the rule the fuzzer added.
      send(w, "GET", vault_path(""));
      send(w, "GET", vault_path("/jobs/{job}"));
      send(w, "GET", vault_path("/jobs/{job}/output"));
      send(w, "GET", "/_mock/faults");
      break;
    case 'x':
    case 'c':
      send(w, "GET", vault_path("/jobs/{pending}"));
      send(w, "GET", vault_path("/jobs"));
      send(w, "GET", "/_mock/state");
      break;
    default:
      send(w, "GET", "/_mock/state");
      break;
  }
  w.advance(glacier::duration(2LL * 24 * 3600 * 1000));
  return 0;
}
