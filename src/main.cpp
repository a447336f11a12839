#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <algorithm>
#include <cerrno>
#include <exception>
#include <iostream>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "glacier/app/app.hpp"
#include "glacier/core/config.hpp"
#include "glacier/core/logging.hpp"
#include "glacier/http/server.hpp"

namespace {

// Every open connection holds a descriptor, and the usual soft limit of 1024 would stop
// accepting (EMFILE) long before the machine runs short. The hard limit is what the
// administrator allows this process, so take all of it.
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const auto soft = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("cannot raise the open-file limit from {}: {}", soft,
                 std::error_code(errno, std::generic_category()).message());
  }
}

// Archive bodies are large single allocations that live until DeleteArchive. glibc lifts
// its mmap threshold to the size of any mapped block freed (up to 32 MiB), so after the
// first delete later archives come from the heap arenas, whose freed memory mostly stays
// with the process: the RSS keeps the peak of every burst. A fixed threshold (glibc's own
// default; fixing it also stops the trim threshold from floating) keeps each large buffer
// in a mapping of its own that free() hands back to the system.
void keep_large_blocks_mapped() {
#ifdef M_MMAP_THRESHOLD
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto equals = text.find('=');
    if (equals != std::string::npos)
      environment.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  // --healthcheck probes a running server instead of starting one (Docker HEALTHCHECK);
  // the other flags still say where that server listens.
  std::vector<std::string> args(argv + 1, argv + argc);
  const auto probe = std::find(args.begin(), args.end(), "--healthcheck");
  const bool healthcheck = probe != args.end();
  if (healthcheck) args.erase(probe);
  glacier::launch_options options;
  try {
    options = glacier::load_launch_options(args, environment);
  } catch (const glacier::config_error& e) {
    std::cerr << "glacier-mock: " << e.what() << '\n';
    // Docker reserves a HEALTHCHECK exit code of 2; a probe only says healthy or not.
    return healthcheck ? 1 : 2;
  }
  if (options.show_help) std::cout << glacier::help_text();
  if (options.show_version) std::cout << "glacier-mock " << GLACIER_MOCK_VERSION << '\n';
  if (options.show_help || options.show_version) return 0;
  if (healthcheck) {
    const auto problem = glacier::http::check_health(options.config, glacier::duration(2000));
    if (problem) std::cerr << "glacier-mock healthcheck: " << *problem << '\n';
    return problem ? 1 : 0;
  }

  const auto& cfg = options.config;
  glacier::setup_logging(cfg);
  raise_descriptor_limit();
  keep_large_blocks_mapped();
  try {
    glacier::application app(cfg);
    const auto port = app.listen();
    const auto host = cfg.host.find(':') == std::string::npos ? cfg.host : "[" + cfg.host + "]";
    // Scripts and tests wait for this exact "listening on http://HOST:PORT" substring.
    spdlog::info(
        "glacier-mock {} listening on http://{}:{} (job delays ms: expedited {}, "
        "standard {}, bulk {})",
        GLACIER_MOCK_VERSION, host, port, cfg.expedited_delay.count(), cfg.standard_delay.count(),
        cfg.bulk_delay.count());
    return app.run();
  } catch (const std::system_error& e) {
    std::cerr << "glacier-mock: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "glacier-mock: fatal: " << e.what() << '\n';
    return 1;
  }
}
